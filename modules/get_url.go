package modules

import (
	"context"
	"crypto/sha1"
	"fmt"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"

	"octopus/engine/connection"
	"octopus/engine/pyfmt"
	"octopus/engine/value"
	"octopus/modules/internal/argspec"
	"octopus/modules/internal/fetch"
	"octopus/modules/internal/probe"
)

var getURLSpec = argspec.Spec{
	Module: "get_url",
	Options: withCommon([]argspec.Option{
		{Name: "url", Required: true},
		{Name: "dest", Type: "path", Required: true},
		{Name: "backup", Type: "bool", Default: false},
		{Name: "checksum", Default: ""},
		{Name: "timeout", Type: "int", Default: 10},
		{Name: "headers", Type: "dict"},
		{Name: "tmp_dest", Type: "path"},
		{Name: "unredirected_headers", Type: "list", Elements: "str", Default: []any{}},
		{Name: "decompress", Type: "bool", Default: true},
		{Name: "ciphers", Type: "list", Elements: "str"},
		{Name: "use_netrc", Type: "bool", Default: true},
		{Name: "force", Type: "bool", Default: false},
		{Name: "http_agent", Default: "ansible-httpget"},
		{Name: "use_proxy", Type: "bool", Default: true},
		{Name: "validate_certs", Type: "bool", Default: true},
		{Name: "url_username", Aliases: []string{"username"}},
		{Name: "url_password", NoLog: true, Aliases: []string{"password"}},
		{Name: "force_basic_auth", Type: "bool", Default: false},
		{Name: "client_cert", Type: "path"},
		{Name: "client_key", Type: "path"},
		{Name: "use_gssapi", Type: "bool", Default: false},
	}...),
}

func init() { Register(Func(runGetURL), "get_url") }

var hashCmds = map[string]string{"md5": "md5sum", "sha1": "sha1sum", "sha224": "sha224sum", "sha256": "sha256sum", "sha384": "sha384sum", "sha512": "sha512sum"}

// getURLFilename is get_url's url_filename.
func getURLFilename(u string) string {
	p := u
	if pu, err := url.Parse(u); err == nil {
		p = pu.Path
	}
	fn := path.Base(p)
	if p == "" || strings.HasSuffix(p, "/") || fn == "/" || fn == "." {
		return "index.html"
	}
	return fn
}

// curlHeaders parses `curl -D` output: status line of the last response and headers (lower-case).
func curlHeaders(raw string) (int, string, map[string]string) {
	h := map[string]string{}
	status, reason := 0, ""
	for _, line := range strings.Split(strings.ReplaceAll(raw, "\r", ""), "\n") {
		if strings.HasPrefix(line, "HTTP/") {
			h = map[string]string{}
			f := strings.SplitN(line, " ", 3)
			if len(f) >= 2 {
				status, _ = strconv.Atoi(f[1])
			}
			if len(f) == 3 {
				reason = f[2]
			} else {
				reason = ""
			}
			continue
		}
		if k, v, ok := strings.Cut(line, ":"); ok {
			h[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
		}
	}
	return status, reason, h
}

func runGetURL(ctx context.Context, req *Request) (Result, error) {
	p, err := validateArgs(req, &getURLSpec, "", req.Args)
	if err != nil {
		return Result{"failed": true, "msg": err.Error()}, nil
	}
	u, dest := p.String("url"), p.String("dest")
	force := p.Bool("force")
	result := Result{"changed": false, "checksum_dest": nil, "checksum_src": nil, "dest": dest, "elapsed": 0, "url": u}
	fail := func(msg string, extra ...any) (Result, error) {
		r := Result{}
		for k, v := range result {
			r[k] = v
		}
		for i := 0; i+1 < len(extra); i += 2 {
			r[extra[i].(string)] = extra[i+1]
		}
		r["failed"], r["msg"] = true, msg
		return r, nil
	}
	algo, sum := "", ""
	if c := p.String("checksum"); c != "" {
		a, s, ok := strings.Cut(c, ":")
		if !ok {
			return fail("The checksum parameter has to be in format <algorithm>:<checksum>")
		}
		if getURLIsURL(s) {
			cs, f, err := getURLChecksumFromURL(ctx, req, p, u, s)
			if err != nil || f != nil {
				return f, err
			}
			s = cs
		}
		algo = a
		sum = strings.ToLower(regexp.MustCompile(`\W+`).ReplaceAllString(s, ""))
		if sum == "" || strings.Trim(sum, "0123456789abcdef") != "" {
			return fail("The checksum format is invalid")
		}
		if hashCmds[algo] == "" {
			return fail(fmt.Sprintf("Could not hash file '%s' with algorithm '%s'. Available algorithms: md5, sha1, sha224, sha256, sha384, sha512", dest, algo))
		}
	}
	qd := connection.ShellQuote(dest)
	// probe the destination
	var s strings.Builder
	fmt.Fprintf(&s, "S isdir; [ -d %[1]s ] && echo yes\nS exists; [ -e %[1]s ] && echo yes\n", qd)
	if algo != "" {
		fmt.Fprintf(&s, "S sum; [ -f %s ] && %s %s | cut -d' ' -f1\n", qd, hashCmds[algo], qd)
	}
	s.WriteString("S bins; command -v curl; command -v wget\n")
	fmt.Fprintf(&s, "S mtime; [ -f %s ] && stat -c %%Y %s\n", qd, qd)
	if td := p.String("tmp_dest"); td != "" {
		fmt.Fprintf(&s, "S tmpok; [ -d %s ] && echo yes\n", connection.ShellQuote(td))
	}
	o, err := probe.Run(ctx, req.Conn, s.String(), sysExecOpts(req))
	if err != nil {
		return nil, err
	}
	destIsDir := strings.TrimSpace(o.Section("isdir")) == "yes"
	exists := strings.TrimSpace(o.Section("exists")) == "yes"
	useIMS := false
	if !destIsDir && exists {
		mismatch := false
		if !force && sum != "" && strings.TrimSpace(o.Section("sum")) != sum {
			mismatch = true
		}
		if !force && sum != "" && !mismatch {
			ch, f, err := getURLAttrs(ctx, req, p, dest, false)
			if err != nil || f != nil {
				return f, err
			}
			result["changed"] = ch
			msg := "file already exists"
			if ch {
				msg = "file already exists but file attributes changed"
			}
			result["msg"] = msg
			return getURLPathInfo(ctx, req, result, dest)
		}
		useIMS = !mismatch && !force
	}
	var curl, wget string
	for _, l := range o.Lines("bins") {
		switch path.Base(l) {
		case "curl":
			curl = l
		case "wget":
			wget = l
		}
	}
	// download (HEAD in check mode) into a temporary file, then decide
	tmpDir := p.String("tmp_dest")
	var status int
	var reason, tmp, tmpSum string
	var hdr map[string]string
	var elapsed, rc int
	var fetchErr string
	var ims time.Time
	if useIMS {
		if n, err := strconv.ParseInt(strings.TrimSpace(o.Section("mtime")), 10, 64); err == nil {
			ims = time.Unix(n, 0)
		}
	}
	if p.String("tmp_dest") != "" && strings.TrimSpace(o.Section("tmpok")) != "yes" {
		return fail(fmt.Sprintf("%s directory does not exist.", p.String("tmp_dest")))
	}
	// from the target through the connection's Dialer when it has one,
	// else curl or wget on the target, else the controller
	cf, viaGo, err := fetchFromTarget(ctx, req, getURLOpts(p, u, ims, req.CheckMode))
	if !viaGo && err != nil {
		return nil, err // the connection broke
	}
	if !viaGo && err == nil && curl == "" && wget == "" {
		viaGo = true
		cf, err = controllerFetch(ctx, p, u, ims, req.CheckMode)
	}
	if viaGo {
		if err != nil {
			fetchErr = fetch.Message(err)
		} else {
			status, reason, hdr, elapsed = cf.status, cf.reason, cf.header, cf.elapsed
			if status == 200 {
				dir := tmpDir
				if dir == "" {
					dir = "/tmp"
				}
				tmp = fmt.Sprintf("%s/.octopus-get_url-%d", strings.TrimSuffix(dir, "/"), time.Now().UnixNano())
				if err := req.Conn.Put(ctx, tmp, cf.body, connection.PutOptions{Mode: 0o600, Become: req.Become}); err != nil {
					return fail(fmt.Sprintf("failed to create temporary content file: %v", err))
				}
				tmpSum = fmt.Sprintf("%x", sha1.Sum(cf.body))
			}
		}
	}
	if !viaGo {
		st, rs, hd, tp, ts, el, r, err := getURLOnTarget(ctx, req, p, u, dest, tmpDir, curl, wget, useIMS)
		if err != nil {
			return nil, err
		}
		if tp == "@TMPERR@" {
			return fail(fmt.Sprintf("%s directory does not exist.", tmpDir))
		}
		status, reason, hdr, tmp, tmpSum, elapsed, rc = st, rs, hd, tp, ts, el, r
	}
	cleanup := func() {
		if tmp != "" {
			probe.Run(ctx, req.Conn, "rm -f "+connection.ShellQuote(tmp)+"\n", sysExecOpts(req))
		}
	}
	if status == 304 {
		cleanup()
		return getURLPathInfo(ctx, req, Result{"url": u, "dest": dest, "changed": false, "msg": "HTTP Error 304: Not Modified", "status_code": 304, "elapsed": elapsed}, dest)
	}
	if fetchErr != "" || status == 0 || (rc != 0 && status < 400) {
		cleanup()
		return Result{"failed": true, "msg": "Request failed: " + fetchErr, "url": u, "dest": dest, "elapsed": elapsed}, nil
	}
	if status != 200 {
		cleanup()
		return getURLPathInfo(ctx, req, Result{"failed": true, "msg": "Request failed", "status_code": status, "response": fmt.Sprintf("HTTP Error %d: %s", status, reason), "url": u, "dest": dest, "elapsed": elapsed}, dest)
	}
	result["elapsed"] = elapsed
	result["src"] = tmp
	if destIsDir {
		fn := ""
		if cd, ok := hdr["content-disposition"]; ok {
			if m := regexp.MustCompile(`^attachment; ?filename="?([^"]+)`).FindStringSubmatch(cd); m != nil {
				fn = path.Base(m[1])
			}
		}
		if fn == "" {
			fn = getURLFilename(u)
		}
		dest = strings.TrimSuffix(dest, "/") + "/" + fn
		result["dest"] = dest
	}
	cl := hdr["content-length"]
	if cl == "" {
		cl = "unknown"
	}
	msg := fmt.Sprintf("OK (%s bytes)", cl)
	result["checksum_src"] = tmpSum
	qd = connection.ShellQuote(dest)
	o3, err := probe.Run(ctx, req.Conn, fmt.Sprintf("S dsum; [ -e %[1]s ] && sha1sum %[1]s | cut -d' ' -f1\nS dirok; [ -d \"$(dirname %[1]s)\" ] && echo yes\n", qd), sysExecOpts(req))
	if err != nil {
		return nil, err
	}
	if ds := strings.TrimSpace(o3.Section("dsum")); ds != "" {
		result["checksum_dest"] = ds
	} else if strings.TrimSpace(o3.Section("dirok")) != "yes" {
		cleanup()
		return fail(fmt.Sprintf("Destination %s does not exist", path.Dir(dest)))
	}
	if req.CheckMode {
		cleanup()
		result["changed"] = result["checksum_dest"] == nil || result["checksum_src"] != result["checksum_dest"]
		result["msg"] = msg
		return getURLPathInfo(ctx, req, result, dest)
	}
	var w strings.Builder
	if result["checksum_src"] != result["checksum_dest"] {
		if p.Bool("backup") && result["checksum_dest"] != nil {
			fmt.Fprintf(&w, "_bk=%[1]s.$$.$(date +%%Y-%%m-%%d@%%H:%%M:%%S~); cp -p %[1]s \"$_bk\" && S backup \"$_bk\"\n", qd)
		}
		// like atomic_move: keep an existing file's mode, else 0644 under umask 022
		fmt.Fprintf(&w, "if [ -e %[2]s ]; then chmod --reference=%[2]s %[1]s; else chmod 0644 %[1]s; fi; mv -f %[1]s %[2]s || S mverr\n", connection.ShellQuote(tmp), qd)
		result["changed"] = true
	} else {
		fmt.Fprintf(&w, "rm -f %s\n", connection.ShellQuote(tmp))
	}
	if algo != "" {
		fmt.Fprintf(&w, "S sum; %s %s | cut -d' ' -f1\n", hashCmds[algo], qd)
	}
	o4, err := probe.Run(ctx, req.Conn, w.String(), sysExecOpts(req))
	if err != nil {
		return nil, err
	}
	if _, ok := o4.Find("mverr"); ok {
		return fail(fmt.Sprintf("failed to copy %s to %s", tmp, dest))
	}
	for _, sct := range o4.Sections {
		if sct.Kind == "backup" {
			result["backup_file"] = sct.Name
		}
	}
	if algo != "" {
		if got := strings.TrimSpace(o4.Section("sum")); got != sum {
			probe.Run(ctx, req.Conn, "rm -f "+qd+"\n", sysExecOpts(req))
			return fail(fmt.Sprintf("The checksum for %s did not match %s; it was %s.", dest, sum, got))
		}
	}
	ch, f, err := getURLAttrs(ctx, req, p, dest, result["changed"] == true)
	if err != nil || f != nil {
		return f, err
	}
	result["changed"] = ch
	result["msg"] = msg
	result["status_code"] = status
	o5, err := probe.Run(ctx, req.Conn, fmt.Sprintf("S md5; md5sum %s | cut -d' ' -f1\n", qd), sysExecOpts(req))
	if err != nil {
		return nil, err
	}
	result["md5sum"] = strings.TrimSpace(o5.Section("md5"))
	return getURLPathInfo(ctx, req, result, dest)
}

// getURLAttrs applies mode/owner/group like set_fs_attributes_if_different.
func getURLAttrs(ctx context.Context, req *Request, p argspec.Params, dest string, changed bool) (bool, Result, error) {
	if !p.Set("mode") && !p.Set("owner") && !p.Set("group") {
		return changed, nil, nil
	}
	qd := connection.ShellQuote(dest)
	var s strings.Builder
	fmt.Fprintf(&s, "S before; stat -c '%%a %%U %%G' %s\n", qd)
	if !req.CheckMode {
		if p.Set("owner") {
			fmt.Fprintf(&s, "CE own chown %s %s\n", connection.ShellQuote(p.String("owner")), qd)
		}
		if p.Set("group") {
			fmt.Fprintf(&s, "CE grp chgrp %s %s\n", connection.ShellQuote(p.String("group")), qd)
		}
		if p.Set("mode") {
			m := ""
			switch v := p["mode"].(type) {
			case int:
				m = strconv.FormatInt(int64(v), 8)
			default:
				m = fmt.Sprint(v)
			}
			fmt.Fprintf(&s, "CE mod chmod %s %s\n", connection.ShellQuote(m), qd)
		}
		fmt.Fprintf(&s, "S after; stat -c '%%a %%U %%G' %s\n", qd)
	}
	o, err := probe.Run(ctx, req.Conn, s.String(), sysExecOpts(req))
	if err != nil {
		return false, nil, err
	}
	for _, st := range []string{"own", "grp", "mod"} {
		if _, rc, ok := o.Cmd(st); ok && rc != 0 {
			return false, Result{"failed": true, "msg": strings.TrimSpace(o.Stderr(st)), "path": dest}, nil
		}
	}
	if req.CheckMode {
		b := strings.Fields(o.Section("before"))
		if len(b) == 3 {
			if p.Set("owner") && b[1] != p.String("owner") || p.Set("group") && b[2] != p.String("group") {
				return true, nil, nil
			}
			if v, ok := p["mode"].(int); ok && strconv.FormatInt(int64(v), 8) != b[0] {
				return true, nil, nil
			}
		}
		return changed, nil, nil
	}
	return changed || strings.TrimSpace(o.Section("before")) != strings.TrimSpace(o.Section("after")), nil, nil
}

// getURLPathInfo adds Ansible's add_path_info keys for dest.
func getURLPathInfo(ctx context.Context, req *Request, r Result, dest string) (Result, error) {
	o, err := probe.Run(ctx, req.Conn, fmt.Sprintf("S st; stat -c '%%u %%g %%U %%G %%a %%s %%h %%F' %s 2>/dev/null\n", connection.ShellQuote(dest)), sysExecOpts(req))
	if err != nil {
		return nil, err
	}
	f := strings.Fields(o.Section("st"))
	if len(f) < 8 {
		return r, nil
	}
	uid, _ := strconv.Atoi(f[0])
	gid, _ := strconv.Atoi(f[1])
	size, _ := strconv.ParseInt(f[5], 10, 64)
	mode, _ := strconv.ParseInt(f[4], 8, 32)
	r["uid"], r["gid"], r["owner"], r["group"] = uid, gid, f[2], f[3]
	r["mode"] = fmt.Sprintf("0%03o", mode)
	r["size"] = size
	kind := strings.Join(f[7:], " ")
	switch {
	case kind == "symbolic link":
		r["state"] = "link"
	case kind == "directory":
		r["state"] = "directory"
	case f[6] != "1":
		r["state"] = "hard"
	default:
		r["state"] = "file"
	}
	return r, nil
}

// getURLOnTarget downloads with curl or wget on the target into a
// temporary file and reports status, reason, headers, temp path, its sha1,
// elapsed seconds and the client's exit status.
func getURLOnTarget(ctx context.Context, req *Request, p argspec.Params, u, dest, tmpDir, curl, wget string, useIMS bool) (int, string, map[string]string, string, string, int, int, error) {

	var d strings.Builder
	if tmpDir == "" {
		d.WriteString("_t=$(mktemp); _h=$(mktemp)\n")
	} else {
		fmt.Fprintf(&d, "[ -d %[1]s ] || { S tmperr; exit 0; }\n_t=$(mktemp -p %[1]s); _h=$(mktemp)\n", connection.ShellQuote(tmpDir))
	}
	var args []string
	headers := map[string]string{}
	switch hv := p["headers"].(type) {
	case map[string]any:
		for k, v := range hv {
			headers[k] = pyfmt.Str(v)
		}
	case *value.Dict:
		for _, k := range hv.Keys() {
			v, _ := hv.Get(k)
			headers[k] = pyfmt.Str(v)
		}
	}
	if curl != "" {
		args = []string{curl, "-sS", "-L", "--max-time", strconv.Itoa(p.Int("timeout")), "-A", p.String("http_agent"), "-D", "@H@"}
		if req.CheckMode {
			args = append(args, "-I")
		} else {
			args = append(args, "-o", "@T@")
		}
		if !p.Bool("validate_certs") {
			args = append(args, "-k")
		}
		if p.Bool("decompress") {
			args = append(args, "--compressed")
		}
		if p.Set("url_username") {
			args = append(args, "-u", p.String("url_username")+":"+p.String("url_password"))
		} else if p.Bool("use_netrc") {
			args = append(args, "--netrc-optional", "@NETRC@")
		}
		if useIMS {
			args = append(args, "-z", dest)
		}
		if !p.Bool("use_proxy") {
			args = append(args, "--noproxy", "*")
		}
		if c := p.String("client_cert"); c != "" {
			args = append(args, "--cert", c)
		}
		if k := p.String("client_key"); k != "" {
			args = append(args, "--key", k)
		}
		for k, v := range headers {
			args = append(args, "-H", k+": "+v)
		}
		args = append(args, "--", u)
	} else {
		args = []string{wget, "-q", "-S", "-T", strconv.Itoa(p.Int("timeout")), "-U", p.String("http_agent"), "-O", "@T@"}
		if !p.Bool("validate_certs") {
			args = append(args, "--no-check-certificate")
		}
		if p.Set("url_username") {
			args = append(args, "--user="+p.String("url_username"), "--password="+p.String("url_password"))
		}
		for k, v := range headers {
			args = append(args, "--header="+k+": "+v)
		}
		args = append(args, "--", u)
	}
	q := make([]string, len(args))
	for i, a := range args {
		switch a {
		case "@H@":
			q[i] = `"$_h"`
		case "@T@":
			q[i] = `"$_t"`
		case "@NETRC@":
			q[i] = netrcFileArg
		default:
			q[i] = connection.ShellQuote(a)
		}
	}
	d.WriteString("_s=$(date +%s)\n")
	if curl != "" {
		fmt.Fprintf(&d, "CE get %s\n", strings.Join(q, " "))
		d.WriteString("S hdr; cat \"$_h\"\n")
	} else {
		fmt.Fprintf(&d, "CE get %s\nS hdr; printf '%%s' \"$_e\" | sed 's/^  //'\n", strings.Join(q, " "))
	}
	d.WriteString("S elapsed; echo $(( $(date +%s) - _s ))\nS tmp; printf '%s' \"$_t\"\nS tmpsum; sha1sum \"$_t\" | cut -d' ' -f1\nrm -f \"$_h\"\n")
	o2, err := probe.Run(ctx, req.Conn, d.String(), sysExecOpts(req))
	if err != nil {
		return 0, "", nil, "", "", 0, 0, err
	}
	if _, ok := o2.Find("tmperr"); ok {
		return 0, "", nil, "@TMPERR@", "", 0, 0, nil
	}
	elapsed, _ := strconv.Atoi(strings.TrimSpace(o2.Section("elapsed")))
	status, reason, hdr := curlHeaders(o2.Section("hdr"))
	_, rc, _ := o2.Cmd("get")
	return status, reason, hdr, o2.Section("tmp"), strings.TrimSpace(o2.Section("tmpsum")), elapsed, rc, nil
}

type fetched struct {
	status  int
	reason  string
	header  map[string]string
	body    []byte
	elapsed int
}

// fetchOpts are the request settings of a controller-side fetch.
type fetchOpts struct {
	url, agent, user, password string
	headers                    map[string]string
	timeout                    int
	validate, useProxy, head   bool
	forceBasic                 bool // send basic auth before a 401 challenge
	netrc                      bool // credentials from the target's .netrc (use_netrc)
	ims                        time.Time
}

// controllerFetch performs get_url's request from the controller.
func controllerFetch(ctx context.Context, p argspec.Params, u string, ims time.Time, head bool) (*fetched, error) {
	return doFetch(ctx, getURLOpts(p, u, ims, head))
}

// getURLOpts builds fetchOpts from get_url parameters.
func getURLOpts(p argspec.Params, u string, ims time.Time, head bool) fetchOpts {
	fo := fetchOpts{url: u, agent: p.String("http_agent"), timeout: p.Int("timeout"), validate: p.Bool("validate_certs"),
		useProxy: p.Bool("use_proxy"), head: head, ims: ims, headers: map[string]string{}}
	if p.Set("url_username") {
		fo.user, fo.password = p.String("url_username"), p.String("url_password")
	}
	fo.forceBasic = p.Bool("force_basic_auth")
	fo.netrc = p.Bool("use_netrc")
	switch hv := p["headers"].(type) {
	case map[string]any:
		for k, v := range hv {
			fo.headers[k] = pyfmt.Str(v)
		}
	case *value.Dict:
		for _, k := range hv.Keys() {
			v, _ := hv.Get(k)
			fo.headers[k] = pyfmt.Str(v)
		}
	}
	return fo
}

// doFetch performs an HTTP request from the controller (used when the
// target has neither curl nor wget).
func doFetch(ctx context.Context, fo fetchOpts) (*fetched, error) {
	start := time.Now()
	resp, err := fetch.Controller(nil).Do(ctx, fo.request())
	if err != nil {
		return nil, err
	}
	return fetchedFrom(resp, start), nil
}

// TargetFetch downloads url to a temporary file on the target with curl or
// wget there (as Ansible downloads from the target), or, when the target
// has neither, from the controller followed by an upload. It returns the
// file's path, or the HTTP status and message of a failed download.
// With keepErrors an HTTP error page is kept as the file's content (as
// Ansible's fetch_file does) instead of failing.
func TargetFetch(ctx context.Context, req *Request, u string, validate, keepErrors bool) (string, int, string, error) {
	k, nk := "f", ""
	if keepErrors {
		k, nk = "", " --content-on-error"
	}
	if !validate {
		k, nk = k+"k", nk+" --no-check-certificate"
	}
	if f, used, err := fetchFromTarget(ctx, req, fetchOpts{url: u, validate: validate, useProxy: true, timeout: 10}); used {
		if err != nil {
			return "", -1, "Request failed: " + fetch.Message(err), nil
		}
		if f.status != 200 && !keepErrors {
			return "", f.status, fmt.Sprintf("HTTP Error %d: %s", f.status, f.reason), nil
		}
		tmp, err := putTemp(ctx, req, "", "fetch", f.body)
		if err != nil {
			return "", 0, "", err
		}
		return tmp, 200, "OK", nil
	}
	q := connection.ShellQuote(u)
	o, err := probe.Run(ctx, req.Conn, fmt.Sprintf(`_t=$(mktemp /tmp/octopus-fetch.XXXXXX)
if has curl; then CE fetch curl -sSL%s -o "$_t" %s; elif has wget; then CE fetch wget -q%s -O "$_t" %s; else S nofetch; fi
S tmp; printf '%%s' "$_t"
`, k, q, nk, q), sysExecOpts(req))
	if err != nil {
		return "", 0, "", err
	}
	tmp := o.Section("tmp")
	if _, ok := o.Find("nofetch"); !ok {
		if out, rc, _ := o.Cmd("fetch"); rc != 0 {
			probe.Run(ctx, req.Conn, "rm -f "+connection.ShellQuote(tmp)+"\n", sysExecOpts(req))
			return "", -1, strings.TrimSpace(out + o.Stderr("fetch")), nil
		}
		return tmp, 200, "OK", nil
	}
	f, err := doFetch(ctx, fetchOpts{url: u, validate: validate, useProxy: true, timeout: 10})
	if err != nil {
		probe.Run(ctx, req.Conn, "rm -f "+connection.ShellQuote(tmp)+"\n", sysExecOpts(req))
		return "", -1, err.Error(), nil
	}
	if f.status != 200 && !keepErrors {
		probe.Run(ctx, req.Conn, "rm -f "+connection.ShellQuote(tmp)+"\n", sysExecOpts(req))
		return "", f.status, fmt.Sprintf("HTTP Error %d: %s", f.status, f.reason), nil
	}
	if err := req.Conn.Put(ctx, tmp, f.body, connection.PutOptions{Mode: 0o600, Become: req.Become}); err != nil {
		return "", 0, "", err
	}
	return tmp, 200, "OK", nil
}

// getURLIsURL is get_url's is_url: the checksum names a file to download.
func getURLIsURL(s string) bool {
	u, err := url.Parse(s)
	if err != nil {
		return false
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https", "ftp", "file":
		return true
	}
	return false
}

// getURLChecksumFromURL downloads the checksum file at cu (as the target
// would) and picks the checksum of u's file name from it, as get_url does.
func getURLChecksumFromURL(ctx context.Context, req *Request, p argspec.Params, u, cu string) (string, Result, error) {
	fo := getURLOpts(p, cu, time.Time{}, false)
	start := time.Now()
	f, used, err := fetchFromTarget(ctx, req, fo)
	if !used && err != nil {
		return "", nil, err // the connection broke
	}
	if !used {
		tmp, status, msg, err := TargetFetch(ctx, req, cu, p.Bool("validate_certs"), false)
		if err != nil {
			return "", nil, err
		}
		if tmp == "" {
			if status == -1 {
				return "", Result{"failed": true, "msg": msg, "url": cu, "dest": p.String("dest"), "elapsed": int(time.Since(start).Seconds())}, nil
			}
			return "", Result{"failed": true, "msg": "Request failed", "status_code": status, "response": msg, "url": cu, "dest": p.String("dest"), "elapsed": int(time.Since(start).Seconds())}, nil
		}
		data, gerr := req.Conn.Get(ctx, tmp, req.Become)
		probe.Run(ctx, req.Conn, "rm -f "+connection.ShellQuote(tmp)+"\n", sysExecOpts(req))
		if gerr != nil {
			return "", nil, gerr
		}
		f = &fetched{status: 200, body: data}
	} else if err != nil {
		return "", Result{"failed": true, "msg": "Request failed: " + fetch.Message(err), "url": cu, "dest": p.String("dest"), "elapsed": int(time.Since(start).Seconds())}, nil
	} else if f.status != 200 {
		return "", Result{"failed": true, "msg": "Request failed", "status_code": f.status, "response": fmt.Sprintf("HTTP Error %d: %s", f.status, f.reason), "url": cu, "dest": p.String("dest"), "elapsed": f.elapsed}, nil
	}
	if sum, ok := checksumFor(string(f.body), getURLFilename(u)); ok {
		return sum, nil, nil
	}
	return "", Result{"failed": true, "msg": fmt.Sprintf("Unable to find a checksum for file '%s' in '%s'", getURLFilename(u), cu)}, nil
}

// checksumFor finds name's checksum in a checksum file: a lone checksum,
// or "<sum> <name>" / "<sum>  <name>" / "<sum> *<name>" lines (a leading
// "./" ignored), the first match winning.
func checksumFor(text, name string) (string, bool) {
	lines := strings.Split(text, "\n")
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	if len(lines) == 1 && len(strings.Fields(lines[0])) == 1 {
		return lines[0], true
	}
	for _, l := range lines {
		sum, file, ok := strings.Cut(l, " ")
		if !ok {
			continue
		}
		if strings.HasPrefix(file, " ") || strings.HasPrefix(file, "*") {
			file = file[1:]
		}
		if strings.TrimLeft(file, "./") == name {
			return sum, true
		}
	}
	return "", false
}
