package modules

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"net/url"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"octopus/engine/pyfmt"
	"octopus/engine/value"
	"octopus/modules/internal/argspec"
	"octopus/modules/internal/remote"
)

func init() { Register(guarded(runURI), "uri") }

var uriSpec = argspec.Spec{
	Module: "uri",
	Options: withCommon([]argspec.Option{
		{Name: "url"},
		{Name: "force", Type: "bool", Default: false},
		{Name: "http_agent", Default: "ansible-httpget"},
		{Name: "use_proxy", Type: "bool", Default: true},
		{Name: "validate_certs", Type: "bool", Default: true},
		{Name: "url_username", Aliases: []string{"user"}},
		{Name: "url_password", Aliases: []string{"password"}, NoLog: true},
		{Name: "force_basic_auth", Type: "bool", Default: false},
		{Name: "client_cert", Type: "path"},
		{Name: "client_key", Type: "path"},
		{Name: "use_gssapi", Type: "bool", Default: false},
		{Name: "dest", Type: "path"},
		{Name: "body", Type: "raw"},
		{Name: "body_format", Default: "raw", Choices: []any{"form-urlencoded", "json", "raw", "form-multipart"}},
		{Name: "src", Type: "path"},
		{Name: "method", Default: "GET"},
		{Name: "return_content", Type: "bool", Default: false},
		{Name: "follow_redirects", Default: "safe", Choices: []any{"all", "no", "none", "safe", "urllib2", "yes"}},
		{Name: "creates", Type: "path"},
		{Name: "removes", Type: "path"},
		{Name: "status_code", Type: "list", Elements: "int", Default: []any{200}},
		{Name: "timeout", Type: "int", Default: 30},
		{Name: "headers", Type: "dict", Default: map[string]any{}},
		{Name: "unix_socket", Type: "path"},
		{Name: "remote_src", Type: "bool", Default: false},
		{Name: "ca_path", Type: "path"},
		{Name: "unredirected_headers", Type: "list", Elements: "str", Default: []any{}},
		{Name: "decompress", Type: "bool", Default: true},
		{Name: "ciphers", Type: "list", Elements: "str"},
		{Name: "use_netrc", Type: "bool", Default: true},
	}...),
	MutuallyExclusive: [][]string{{"body", "src"}},
}

var uriMethodRe = regexp.MustCompile(`^[A-Z]+$`)

var httpReasons = map[int]string{
	400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
	409: "Conflict", 410: "Gone", 418: "I'm a Teapot", 422: "Unprocessable Entity", 429: "Too Many Requests",
	500: "Internal Server Error", 501: "Not Implemented", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout",
	301: "Moved Permanently", 302: "Found", 303: "See Other", 304: "Not Modified", 307: "Temporary Redirect", 308: "Permanent Redirect",
}

// formURLEncode is Python's urlencode(doseq=True) of a mapping or list of pairs.
func formURLEncode(body any) (string, error) {
	var pairs [][2]string
	add := func(k string, v any) {
		switch x := v.(type) {
		case nil:
		case []any:
			for _, e := range x {
				if e != nil {
					pairs = append(pairs, [2]string{k, pyfmt.Str(e)})
				}
			}
		default:
			pairs = append(pairs, [2]string{k, pyfmt.Str(x)})
		}
	}
	switch x := body.(type) {
	case string:
		return x, nil
	case *value.Dict:
		for _, k := range x.Keys() {
			v, _ := x.Get(k)
			add(k, v)
		}
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			add(k, x[k])
		}
	case []any:
		for _, e := range x {
			l, ok := e.([]any)
			if !ok || len(l) != 2 {
				return "", fmt.Errorf("cannot form-urlencode body, expect list or dict")
			}
			add(pyfmt.Str(l[0]), l[1])
		}
	default:
		return pyfmt.Str(body), nil
	}
	parts := make([]string, len(pairs))
	for i, p := range pairs {
		parts[i] = url.QueryEscape(p[0]) + "=" + url.QueryEscape(p[1])
	}
	return strings.Join(parts, "&"), nil
}

// headerPairs returns the headers option in order.
func headerPairs(v any) [][2]string {
	var out [][2]string
	switch x := v.(type) {
	case *value.Dict:
		for _, k := range x.Keys() {
			e, _ := x.Get(k)
			out = append(out, [2]string{k, pyfmt.Str(e)})
		}
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			out = append(out, [2]string{k, pyfmt.Str(x[k])})
		}
	}
	return out
}

// absoluteLocation is uri's absolute_location.
func absoluteLocation(u, loc string) string {
	switch {
	case strings.Contains(loc, "://"):
		return loc
	case strings.HasPrefix(loc, "/"):
		pu, err := url.Parse(u)
		if err != nil {
			return loc
		}
		return strings.Replace(u, pu.EscapedPath(), "", 1) + loc
	default:
		return path.Dir(u) + "/" + loc
	}
}

// runURI performs the request on the target with curl (or wget), in one
// round trip that returns the status line, headers and body.
func runURI(ctx context.Context, req *Request) (Result, error) {
	vargs := map[string]any{}
	for k, v := range req.Args {
		if !strings.HasPrefix(k, "_octopus_") {
			vargs[k] = v
		}
	}
	p, err := validateArgs(req, &uriSpec, req.Action, vargs)
	if err != nil {
		return argFail(err)
	}
	if req.CheckMode {
		return Result{"changed": false, "skipped": true, "msg": "remote module (ansible.legacy.uri) does not support check mode"}, nil
	}
	if !p.Set("url") {
		return Result{"failed": true, "changed": false, "msg": "Status code was -1 and not " + pyfmt.Repr(p["status_code"]) + ": An unknown error occurred: a bytes-like object is required, not 'str'",
			"redirected": false, "status": -1, "url": nil}, nil
	}
	u := p.String("url")
	method := strings.ToUpper(p.String("method"))
	if !uriMethodRe.MatchString(method) {
		return fail(Result{}, "Parameter 'method' needs to be a single word in uppercase, like GET or POST.")
	}
	headers := headerPairs(p["headers"])
	hasCT := false
	for _, h := range headers {
		if strings.EqualFold(h[0], "content-type") {
			hasCT = true
		}
	}
	var body *string
	if p.Set("body") {
		b := p["body"]
		var s string
		switch strings.ToLower(p.String("body_format")) {
		case "json":
			if str, ok := b.(string); ok {
				s = str
			} else {
				s = pyfmt.JSON(b)
			}
			if !hasCT {
				headers = append(headers, [2]string{"Content-Type", "application/json"})
			}
		case "form-urlencoded":
			if s, err = formURLEncode(b); err != nil {
				return Result{"failed": true, "msg": "failed to parse body as form_urlencoded: " + err.Error(), "elapsed": 0}, nil
			}
			if !hasCT {
				headers = append(headers, [2]string{"Content-Type", "application/x-www-form-urlencoded"})
			}
		case "form-multipart":
			ct, mb, f := uriMultipart(ctx, req, b, p.Bool("remote_src"))
			if f != nil {
				return f, nil
			}
			s = string(mb)
			replaced := false
			for i, h := range headers {
				if h[0] == "Content-Type" {
					headers[i][1], replaced = ct, true
				}
			}
			if !replaced {
				headers = append(headers, [2]string{"Content-Type", ct})
			}
		default:
			s = pyfmt.Str(b)
		}
		body = &s
	} else if strings.ToLower(p.String("body_format")) == "json" && !hasCT {
		headers = append(headers, [2]string{"Content-Type", "application/json"})
	} else if strings.ToLower(p.String("body_format")) == "form-urlencoded" && !hasCT {
		headers = append(headers, [2]string{"Content-Type", "application/x-www-form-urlencoded"})
	}
	srcLen := -1
	if p.Set("src") {
		// the action plugin uploads a controller src first (remote_src: the target's)
		data, _, f := uriReadFile(ctx, req, p.String("src"), p.Bool("remote_src"))
		if f != nil {
			return f, nil
		}
		s := string(data)
		body, srcLen = &s, len(data)
		headers = append(headers, [2]string{"Content-Length", strconv.Itoa(len(data))})
	}
	if len(headers) > len(headerPairs(p["headers"])) {
		// Ansible's uri adds the Content-Type to its params (invocation shows it)
		hd := value.NewDict(len(headers))
		for _, h := range headers {
			if h[0] == "Content-Length" && srcLen >= 0 {
				hd.Set(h[0], srcLen)
				continue
			}
			hd.Set(h[0], h[1])
		}
		p["headers"] = hd
	}
	follow := p.String("follow_redirects")
	followAll := follow == "all" || follow == "yes" || ((follow == "safe" || follow == "urllib2") && (method == "GET" || method == "HEAD"))
	if follow == "urllib2" {
		followAll = true
	}
	var sc strings.Builder
	sc.WriteString("LC_ALL=C; export LC_ALL\n")
	if c := p.String("creates"); c != "" {
		fmt.Fprintf(&sc, "if [ -e %s ]; then echo CREATES; exit 0; fi\n", remote.QuotePath(c))
	}
	if r := p.String("removes"); r != "" {
		fmt.Fprintf(&sc, "if [ ! -e %s ]; then echo REMOVES; exit 0; fi\n", remote.QuotePath(r))
	}
	sc.WriteString(`d=$(mktemp -d) || exit 1; trap 'rm -rf "$d"' EXIT` + "\n")
	// an existing dest file makes the request conditional on its mtime
	sc.WriteString("ims=\n")
	if dest := p.String("dest"); dest != "" && !hasHeader(headers, "If-Modified-Since") {
		fmt.Fprintf(&sc, "[ -f %[1]s ] && ims=$(date -u -r %[1]s '+%%a, %%d %%b %%Y %%H:%%M:%%S GMT')\n", remote.QuotePath(dest))
	}
	var stdin []byte
	if body != nil {
		stdin = []byte(*body)
	}
	if p.Set("src") && body == nil {
		fmt.Fprintf(&sc, "[ -r %[1]s ] || { echo NOSRC; exit 0; }\n", remote.QuotePath(p.String("src")))
	}
	// curl
	var c []string
	c = append(c, "curl", "-sS", "-D", `"$d/h"`, "-o", `"$d/b"`, "-w", `'%{http_code} %{num_redirects} %{url_effective}'`, "-X", shellWord(method),
		"--max-time", strconv.Itoa(p.Int("timeout")), "-A", shellWord(p.String("http_agent")))
	if followAll {
		c = append(c, "-L")
	}
	if !p.Bool("validate_certs") {
		c = append(c, "-k")
	}
	if p.Set("ca_path") {
		c = append(c, "--cacert", remote.QuotePath(p.String("ca_path")))
	}
	if p.Set("client_cert") {
		c = append(c, "--cert", remote.QuotePath(p.String("client_cert")))
	}
	if p.Set("client_key") {
		c = append(c, "--key", remote.QuotePath(p.String("client_key")))
	}
	if !p.Bool("use_proxy") {
		c = append(c, "--noproxy", "'*'")
	}
	if p.Bool("decompress") {
		c = append(c, "--compressed")
	}
	if p.Set("unix_socket") {
		c = append(c, "--unix-socket", remote.QuotePath(p.String("unix_socket")))
	}
	if p.Set("url_username") {
		c = append(c, "-u", shellWord(p.String("url_username")+":"+p.String("url_password")))
		if !p.Bool("force_basic_auth") {
			c = append(c, "--anyauth")
		}
	} else if p.Bool("use_netrc") {
		c = append(c, "--netrc-optional", netrcFileArg)
	}
	c = append(c, `${ims:+-H "If-Modified-Since: $ims"}`)
	for _, h := range headers {
		c = append(c, "-H", shellWord(h[0]+": "+h[1]))
	}
	if body != nil {
		c = append(c, "--data-binary", "@-")
	} else if p.Set("src") {
		c = append(c, "--data-binary", "@"+remote.QuotePath(p.String("src")))
	}
	c = append(c, "--", shellWord(u))
	// wget (busybox-free GNU wget): status from -S output
	w := []string{"wget", "-q", "-S", "-O", `"$d/b"`, "--method=" + shellWord(method), "--timeout=" + strconv.Itoa(p.Int("timeout")),
		"-U", shellWord(p.String("http_agent")), "--content-on-error"}
	if !followAll {
		w = append(w, "--max-redirect=0")
	}
	if !p.Bool("validate_certs") {
		w = append(w, "--no-check-certificate")
	}
	if p.Set("url_username") {
		w = append(w, "--user="+shellWord(p.String("url_username")), "--password="+shellWord(p.String("url_password")))
		if p.Bool("force_basic_auth") {
			w = append(w, "--auth-no-challenge")
		}
	}
	w = append(w, `${ims:+--header="If-Modified-Since: $ims"}`)
	for _, h := range headers {
		w = append(w, "--header="+shellWord(h[0]+": "+h[1]))
	}
	if body != nil {
		w = append(w, `--body-file=/dev/stdin`)
	} else if p.Set("src") {
		w = append(w, "--body-file="+remote.QuotePath(p.String("src")))
	}
	w = append(w, "--", shellWord(u))
	raw := uriRawRequest(method, u, headers, p, body)
	fmt.Fprintf(&sc, `if command -v curl >/dev/null 2>&1; then
  x=$(%s 2>"$d/e"); echo "CURL $x"
elif command -v wget >/dev/null 2>&1; then
  %s 2>"$d/h"; echo "WGET $?"
elif [ -n %s ] && command -v bash >/dev/null 2>&1; then
  { printf '%%s' %s; %s; } > "$d/q"
  timeout %d bash -c 'exec 3<>"/dev/tcp/$1/$2" || exit 7; cat "$3" >&3; cat <&3' _ %s "$d/q" >"$d/b" 2>"$d/e"; echo "RAW $?"
  : > "$d/h"
else echo NOTOOL; exit 0; fi
printf 'H\n'; base64 -w0 < "$d/h"; echo
printf 'B\n'; base64 -w0 < "$d/b" 2>/dev/null; echo
printf 'E\n'; base64 -w0 < "$d/e" 2>/dev/null; echo
`, strings.Join(c, " "), strings.Join(w, " "), shellWord(map[bool]string{true: "1", false: ""}[raw.ok]), shellWord(raw.head), raw.bodyCmd, p.Int("timeout"), raw.hostPort)
	dest := p.String("dest")
	start := time.Now()
	// from the target through the connection's Dialer, else curl or wget there
	out, viaGo, err := uriViaDialer(ctx, req, p, method, u, headers, body)
	if err != nil {
		return nil, err
	}
	if !viaGo {
		res, err := target(req).Run(ctx, sc.String(), stdin)
		if err != nil {
			return nil, err
		}
		out = string(res.Stdout)
	}
	elapsed := int(time.Since(start) / time.Second)
	first, rest, _ := strings.Cut(out, "\n")
	switch first {
	case "CREATES":
		r := Result{"changed": false, "stdout": fmt.Sprintf("skipped, since '%s' exists", p.String("creates"))}
		addLines(r)
		return r, nil
	case "REMOVES":
		r := Result{"changed": false, "stdout": fmt.Sprintf("skipped, since '%s' does not exist", p.String("removes"))}
		addLines(r)
		return r, nil
	case "NOSRC":
		return Result{"failed": true, "msg": "Unable to open source file " + p.String("src"), "elapsed": 0}, nil
	case "NOTOOL":
		return fail(Result{}, "octopus's uri module needs curl or wget on the target (or bash, for http:// URLs), and none was found")
	}
	sections := map[string][]byte{}
	lines := strings.Split(rest, "\n")
	for i := 0; i+1 < len(lines); i++ {
		if l := lines[i]; l == "H" || l == "B" || l == "E" {
			sections[l], _ = base64.StdEncoding.DecodeString(lines[i+1])
			i++
		}
	}
	status, finalURL := -1, u
	var errMsg string
	hdrText := string(sections["H"])
	if strings.HasPrefix(first, "CURL ") {
		f := strings.SplitN(strings.TrimPrefix(first, "CURL "), " ", 3)
		if len(f) == 3 {
			status, _ = strconv.Atoi(f[0])
			if f[2] != "" {
				finalURL = f[2]
			}
		}
		if status == 0 {
			status = -1
			e := strings.TrimSpace(string(sections["E"]))
			e = strings.TrimPrefix(e, "curl: ")
			if strings.Contains(e, "Connection refused") || strings.Contains(e, "Couldn't connect") {
				errMsg = "Request failed: <urlopen error [Errno 111] Connection refused>"
			} else {
				errMsg = "Request failed: <urlopen error " + e + ">"
			}
		}
	} else if strings.HasPrefix(first, "GO ") {
		finalURL = strings.TrimPrefix(first, "GO ")
		if e := string(sections["E"]); e != "" {
			status, errMsg = -1, "Request failed: "+e
		}
	} else if strings.HasPrefix(first, "RAW ") {
		// bash's /dev/tcp: the whole response is in the body file
		resp := sections["B"]
		if i := bytes.Index(resp, []byte("\r\n\r\n")); i >= 0 {
			hdrText, sections["B"] = string(resp[:i+2]), resp[i+4:]
		} else {
			hdrText, sections["B"] = "", nil
		}
		if strings.TrimSpace(hdrText) == "" {
			errMsg = "Request failed: <urlopen error [Errno 111] Connection refused>"
		} else if strings.Contains(strings.ToLower(hdrText), "\ntransfer-encoding: chunked") {
			sections["B"] = dechunk(sections["B"])
		}
	} else {
		// wget -S prints "  HTTP/1.1 200 OK" blocks indented by two spaces.
		var b strings.Builder
		for _, l := range strings.Split(hdrText, "\n") {
			if strings.HasPrefix(l, "  ") {
				b.WriteString(strings.TrimPrefix(l, "  ") + "\n")
			}
		}
		hdrText = strings.ReplaceAll(b.String(), "\nHTTP/", "\n\nHTTP/")
		if strings.TrimSpace(hdrText) == "" {
			errMsg = "Request failed: <urlopen error [Errno 111] Connection refused>"
		}
	}
	// last header block
	blocks := strings.Split(strings.ReplaceAll(hdrText, "\r\n", "\n"), "\n\n")
	var block string
	for _, b := range blocks {
		if strings.HasPrefix(strings.TrimSpace(b), "HTTP/") {
			block = strings.TrimSpace(b)
		}
	}
	type hv struct{ k, v string }
	var hdrs []hv
	reason := ""
	for i, l := range strings.Split(block, "\n") {
		if i == 0 {
			f := strings.SplitN(l, " ", 3)
			if len(f) >= 2 && (strings.HasPrefix(first, "WGET") || strings.HasPrefix(first, "RAW") || strings.HasPrefix(first, "GO ")) {
				status, _ = strconv.Atoi(f[1])
			}
			if len(f) == 3 {
				reason = strings.TrimSpace(f[2])
			}
			continue
		}
		k, v, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		hdrs = append(hdrs, hv{strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(v)})
	}
	if reason == "" {
		reason = httpReasons[status]
	}
	r := Result{"url": u, "status": status}
	merged := map[string]string{}
	var order []string
	for _, h := range hdrs {
		if old, ok := merged[h.k]; ok {
			merged[h.k] = old + ", " + h.v
			continue
		}
		merged[h.k] = h.v
		order = append(order, h.k)
	}
	for _, k := range order {
		r[strings.ReplaceAll(k, "-", "_")] = merged[k]
	}
	content := sections["B"]
	switch {
	case errMsg != "":
		r["msg"] = errMsg
	case status >= 300:
		// urllib raises HTTPError for every status it does not follow.
		r["msg"] = fmt.Sprintf("HTTP Error %d: %s", status, reason)
		r["body"] = string(sections["B"])
	default:
		var names []string
		var pairs []string
		cookies := map[string]any{}
		for _, h := range hdrs {
			if h.k == "set-cookie" {
				nv, _, _ := strings.Cut(h.v, ";")
				n, v, _ := strings.Cut(nv, "=")
				n = strings.TrimSpace(n)
				if _, dup := cookies[n]; !dup {
					names = append(names, n)
				}
				cookies[n] = strings.TrimSpace(v)
			}
		}
		for _, n := range names {
			pairs = append(pairs, n+"="+pyfmt.Str(cookies[n]))
		}
		r["cookies_string"] = strings.Join(pairs, "; ")
		r["cookies"] = cookies
		cl := "unknown"
		if v, ok := merged["content-length"]; ok {
			cl = v
		}
		r["msg"] = fmt.Sprintf("OK (%s bytes)", cl)
		r["url"] = finalURL
	}
	if strings.HasPrefix(first, "RAW ") && followAll && status >= 300 && status < 400 && merged["location"] != "" {
		hops, _ := req.Args["_octopus_redirects"].(int)
		if hops < 10 {
			args := map[string]any{}
			for k, v := range req.Args {
				args[k] = v
			}
			args["url"] = absoluteLocation(u, merged["location"])
			args["_octopus_redirects"] = hops + 1
			if orig, ok := req.Args["_octopus_original_url"].(string); ok {
				args["_octopus_original_url"] = orig
			} else {
				args["_octopus_original_url"] = u
			}
			sub := *req
			sub.Args = args
			var saved invocation
			if req.inv != nil {
				saved = *req.inv
			}
			r, err := runURI(ctx, &sub)
			if req.inv != nil {
				*req.inv = saved // the invocation is the task's, not the redirect's
			}
			return r, err
		}
	}
	if orig, ok := req.Args["_octopus_original_url"].(string); ok {
		u = orig
	}
	r["redirected"] = r["url"] != u
	r["elapsed"] = elapsed
	r["changed"] = false
	if loc, ok := r["location"].(string); ok {
		r["location"] = absoluteLocation(u, loc)
	}
	statusOK := false
	for _, s := range p["status_code"].([]any) {
		if n, ok := s.(int); ok && n == status {
			statusOK = true
		}
	}
	ct := merged["content-type"]
	mediaType, _, _ := strings.Cut(ct, ";")
	mediaType = strings.TrimSpace(strings.ToLower(mediaType))
	if mediaType == "" {
		mediaType = "application/octet-stream"
	}
	_, sub, _ := strings.Cut(mediaType, "/")
	if _, suffix, ok := strings.Cut(sub, "+"); ok {
		sub = suffix
	}
	maybeJSON := ct != "" && (sub == "json" || sub == "javascript")
	if dest != "" && errMsg == "" {
		// a response was had: its body is written when its status is
		// wanted (and not 304), and the result describes the dest file
		write := statusOK && status != 304
		data := content
		if status < 200 || status >= 300 {
			// urllib raised HTTPError and its body was read already:
			// Ansible writes an empty file
			data = nil
		}
		wr, err := uriDest(ctx, req, dest, u, data, write)
		if err != nil {
			return nil, err
		}
		r["path"] = dest
		if wr.Path != "" {
			r["path"] = wr.Path
		}
		if write {
			r["changed"] = true
			p["path"] = r["path"] // Ansible's uri sets it in its params (invocation shows it)
		}
		if wr.Exists {
			remote.PathInfo(r, wr)
		}
	}
	if r["body"] != nil && (maybeJSON || p.Bool("return_content") || !statusOK) {
		delete(r, "body")
	}
	if maybeJSON {
		if js, err := pyfmt.ParseJSON(string(content)); err == nil {
			r["json"] = js
		}
	}
	if !statusOK {
		r["msg"] = fmt.Sprintf("Status code was %d and not %s: %s", status, pyfmt.Repr(p["status_code"]), pyfmt.Str(r["msg"]))
		r["failed"] = true
	}
	if p.Bool("return_content") {
		r["content"] = string(content)
	}
	return r, nil
}

// uriDest stores the body at dest on the target when write is set (a
// directory gets the URL's base name, or index.html) and returns that
// path and what is there now.
func uriDest(ctx context.Context, req *Request, dest, u string, content []byte, write bool) (*remote.Info, error) {
	name := "index.html"
	if pu, err := url.Parse(u); err == nil && path.Base(pu.Path) != "/" && path.Base(pu.Path) != "." {
		name = path.Base(pu.Path)
	}
	q := remote.QuotePath(dest)
	store, stdin := "", []byte(nil)
	if write {
		// atomically: a new file in the same directory renamed over it
		store, stdin = `t=$(mktemp "$(dirname -- "$f")/.octopus-uri.XXXXXX") && cat > "$t" && { `+remote.ReplaceFile+`; } && `, content
	}
	script := fmt.Sprintf(`f=%s; [ -d "$f" ] && f="$f"/%s; %sprintf '%%s\n' "$f" && stat -c '%s' -- "$f" 2>/dev/null`, q, shellWord(name), store, remote.StatFormat)
	res, err := target(req).Run(ctx, script, stdin)
	if err != nil {
		return nil, err
	}
	info := &remote.Info{}
	lines := strings.Split(string(res.Stdout), "\n")
	if len(lines) >= 1 {
		info.Path = lines[0]
	}
	if len(lines) >= 2 && lines[1] != "" {
		st := remote.StatFromFields(lines[1])
		info = &remote.Info{Path: lines[0], Exists: true, Follows: true, L: st, F: st}
	}
	return info, nil
}

// uriRaw is a plain-HTTP request for bash's /dev/tcp, used on targets
// without curl and wget.
type uriRaw struct {
	ok       bool   // the URL is http:// and can be sent this way
	head     string // request line and headers
	bodyCmd  string // shell command printing the body
	hostPort string // shell words: host port
}

func uriRawRequest(method, u string, headers [][2]string, p argspec.Params, body *string) uriRaw {
	pu, err := url.Parse(u)
	if err != nil || pu.Scheme != "http" || pu.Hostname() == "" || p.Set("unix_socket") {
		return uriRaw{bodyCmd: "true", hostPort: "'' ''"}
	}
	port := pu.Port()
	if port == "" {
		port = "80"
	}
	path := pu.RequestURI()
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.0\r\nHost: %s\r\nUser-Agent: %s\r\nAccept-Encoding: identity\r\nConnection: close\r\n", method, path, pu.Host, p.String("http_agent"))
	user, pass := p.String("url_username"), p.String("url_password")
	if user == "" && pu.User != nil {
		user = pu.User.Username()
		pass, _ = pu.User.Password()
	}
	if user != "" {
		fmt.Fprintf(&b, "Authorization: Basic %s\r\n", base64.StdEncoding.EncodeToString([]byte(user+":"+pass)))
	}
	for _, h := range headers {
		fmt.Fprintf(&b, "%s: %s\r\n", h[0], h[1])
	}
	hasCT := false
	for _, h := range headers {
		if strings.EqualFold(h[0], "content-type") {
			hasCT = true
		}
	}
	if !hasCT && (body != nil || p.Set("src")) {
		b.WriteString("Content-Type: application/x-www-form-urlencoded\r\n") // as urllib adds for any request body
	}
	bodyCmd := "true"
	switch {
	case body != nil:
		fmt.Fprintf(&b, "Content-Length: %d\r\n", len(*body))
		bodyCmd = "cat"
	case p.Set("src"):
		b.WriteString("Content-Length: $(wc -c < SRC)\r\n") // replaced below
		bodyCmd = "cat " + remote.QuotePath(p.String("src"))
	}
	head := b.String() + "\r\n"
	if p.Set("src") && body == nil {
		// the length is known only on the target: print the head in two parts
		pre, post, _ := strings.Cut(head, "Content-Length: $(wc -c < SRC)\r\n")
		return uriRaw{ok: true, head: pre, bodyCmd: fmt.Sprintf("printf 'Content-Length: %%s\\r\\n' \"$(wc -c < %[1]s)\"; printf '%%s' %[2]s; cat %[1]s", remote.QuotePath(p.String("src")), shellWord(post)), hostPort: shellWord(pu.Hostname()) + " " + port}
	}
	return uriRaw{ok: true, head: head, bodyCmd: bodyCmd, hostPort: shellWord(pu.Hostname()) + " " + port}
}

// dechunk decodes a chunked transfer-encoded body.
func dechunk(b []byte) []byte {
	var out []byte
	for len(b) > 0 {
		i := bytes.Index(b, []byte("\r\n"))
		if i < 0 {
			break
		}
		size, _, _ := strings.Cut(string(b[:i]), ";")
		n, err := strconv.ParseInt(strings.TrimSpace(size), 16, 64)
		if err != nil || n == 0 || int64(len(b)) < int64(i)+2+n {
			break
		}
		out = append(out, b[i+2:i+2+int(n)]...)
		b = b[i+2+int(n):]
		b = bytes.TrimPrefix(b, []byte("\r\n"))
	}
	return out
}

// hasHeader reports whether headers set name (case-insensitively).
func hasHeader(headers [][2]string, name string) bool {
	for _, h := range headers {
		if strings.EqualFold(h[0], name) {
			return true
		}
	}
	return false
}

// netrcFileArg makes curl read $NETRC when it is set (else ~/.netrc), as
// Python's netrc module does.
const netrcFileArg = `${NETRC:+--netrc-file "$NETRC"}`
