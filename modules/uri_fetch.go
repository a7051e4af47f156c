package modules

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"math/rand/v2"
	"mime"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"octopus/engine/connection"
	"octopus/engine/pyfmt"
	"octopus/engine/value"
	"octopus/modules/internal/argspec"
	"octopus/modules/internal/fetch"
	"octopus/modules/internal/remote"
)

// uriReadFile reads a file the uri module sends: on the target with
// remote_src, else found on the controller as the uri action plugin does
// (files/ search path) before uploading it. The returned name is the base
// name the module sees.
func uriReadFile(ctx context.Context, req *Request, name string, remoteSrc bool) ([]byte, string, Result) {
	if remoteSrc {
		data, err := req.Conn.Get(ctx, name, req.Become)
		if err != nil {
			return nil, "", Result{"failed": true, "msg": "Unable to open source file " + name, "elapsed": 0}
		}
		return data, path.Base(name), nil
	}
	if req.Controller == nil {
		return nil, "", Result{"failed": true, "msg": "Could not find or access '" + name + "'"}
	}
	full, err := req.Controller.FindFile("files", name)
	if err != nil {
		req.dropInvocation() // the action plugin fails before its module runs
		return nil, "", Result{"failed": true, "msg": err.Error()}
	}
	var data []byte
	if fr, ok := req.Controller.(FileReader); ok {
		data, err = fr.ReadFile(full)
	} else {
		data, err = os.ReadFile(full)
	}
	if err != nil {
		return nil, "", Result{"failed": true, "msg": err.Error()}
	}
	return data, path.Base(full), nil
}

// mappingItems returns a mapping argument's items, or ok=false.
func mappingItems(v any) (keys []string, get func(string) any, ok bool) {
	switch m := v.(type) {
	case *value.Dict:
		return m.Keys(), func(k string) any { x, _ := m.Get(k); return x }, true
	case map[string]any:
		for k := range m {
			keys = append(keys, k)
		}
		return keys, func(k string) any { return m[k] }, true
	}
	return nil, nil, false
}

// uriMultipart builds a multipart/form-data body from a mapping as
// Ansible's prepare_multipart does: fields sorted by name, strings as
// text/plain parts, mappings with content (sent as is) or filename (the
// file read, base64-encoded), mime_type or a guess from the file name.
// It returns the Content-Type header value and the body; a failed
// Result reports a bad body as the module or its action plugin does.
func uriMultipart(ctx context.Context, req *Request, body any, remoteSrc bool) (string, []byte, Result) {
	keys, get, ok := mappingItems(body)
	if !ok {
		if !remoteSrc {
			req.dropInvocation() // the action plugin's failure
			return "", nil, Result{"failed": true, "msg": "body must be mapping, cannot be type " + value.PyTypeName(body)}
		}
		return "", nil, Result{"failed": true, "msg": "failed to parse body as form-multipart: Mapping is required, cannot be type " + value.PyTypeName(body)}
	}
	sort.Strings(keys)
	boundary := fmt.Sprintf("===============%019d==", rand.Int64N(1<<63-1))
	var b bytes.Buffer
	for _, k := range keys {
		v := get(k)
		var ctype, filename string
		var content []byte
		var encoded bool
		switch x := v.(type) {
		case string:
			ctype, content = "text/plain", []byte(x)
		default:
			fk, fget, ok := mappingItems(x)
			if !ok {
				return "", nil, Result{"failed": true, "msg": "failed to parse body as form-multipart: value must be a string, or mapping, cannot be type " + value.PyTypeName(v)}
			}
			_ = fk
			str := func(name string) string {
				if s := fget(name); s != nil {
					return pyfmt.Str(s)
				}
				return ""
			}
			filename, content = str("filename"), []byte(str("content"))
			if filename == "" && len(content) == 0 {
				return "", nil, Result{"failed": true, "msg": "failed to parse body as form-multipart: at least one of filename or content must be provided"}
			}
			ctype = str("mime_type")
			if ctype == "" {
				ctype = guessMIME(filename)
			}
			if main, sub, ok := strings.Cut(ctype, "/"); ok {
				ctype = main + "/" + sub
			} else {
				ctype += "/"
			}
			if len(content) == 0 {
				data, base, f := uriReadFile(ctx, req, filename, remoteSrc)
				if f != nil {
					return "", nil, f
				}
				content, filename, encoded = data, base, true
			} else if filename != "" {
				filename = path.Base(filename)
			}
		}
		fmt.Fprintf(&b, "--%s\r\n", boundary)
		if encoded {
			b.WriteString("Content-Transfer-Encoding: base64\r\n")
		}
		fmt.Fprintf(&b, "Content-Type: %s\r\nContent-Disposition: form-data; %s", ctype, mimeParam("name", k))
		if filename != "" {
			b.WriteString("; " + mimeParam("filename", filename))
		}
		b.WriteString("\r\n\r\n")
		if encoded {
			s := base64.StdEncoding.EncodeToString(content)
			for len(s) > 76 {
				b.WriteString(s[:76] + "\r\n")
				s = s[76:]
			}
			if s != "" {
				b.WriteString(s + "\r\n")
			}
		} else {
			b.Write(content)
		}
		b.WriteString("\r\n")
	}
	fmt.Fprintf(&b, "--%s--\r\n", boundary)
	return `multipart/form-data; boundary="` + boundary + `"`, b.Bytes(), nil
}

// guessMIME is mimetypes.guess_type(name, strict=False) with
// application/octet-stream for unknown types.
func guessMIME(name string) string {
	if ext := path.Ext(name); ext != "" {
		if t := mime.TypeByExtension(ext); t != "" {
			t, _, _ = strings.Cut(t, ";")
			return strings.TrimSpace(t)
		}
	}
	return "application/octet-stream"
}

// mimeParam formats a Content-Disposition parameter as Python's email
// package does: quoted, or RFC 2231-encoded when not ASCII.
func mimeParam(name, v string) string {
	ascii := true
	for i := 0; i < len(v); i++ {
		if v[i] >= 0x80 {
			ascii = false
		}
	}
	if ascii {
		return name + `="` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(v) + `"`
	}
	var q strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("_.-~", c) >= 0 {
			q.WriteByte(c)
		} else {
			fmt.Fprintf(&q, "%%%02X", c)
		}
	}
	return name + "*=utf-8''" + q.String()
}

// uriViaDialer performs the uri request from the target through the
// connection's Dialer. It returns output in the form the uri shell script
// prints ("CREATES"/"REMOVES", or "GO <final url>" then base64 header,
// body and error sections), or ok=false when the connection cannot open
// connections from the target (the caller runs curl or wget there).
func uriViaDialer(ctx context.Context, req *Request, p argspec.Params, method, u string, headers [][2]string, body *string) (string, bool, error) {
	if p.Set("unix_socket") || !(strings.HasPrefix(u, "http://") || strings.HasPrefix(u, "https://")) {
		return "", false, nil
	}
	c, err := fetch.ForTarget(ctx, req.Conn, req.Env, req.Become)
	if err != nil {
		return "", false, nil
	}
	var caFile []byte
	var pre strings.Builder
	if cr := p.String("creates"); cr != "" {
		fmt.Fprintf(&pre, "if [ -e %s ]; then echo CREATES; exit 0; fi\n", remote.QuotePath(cr))
	}
	if rm := p.String("removes"); rm != "" {
		fmt.Fprintf(&pre, "if [ ! -e %s ]; then echo REMOVES; exit 0; fi\n", remote.QuotePath(rm))
	}
	if dest := p.String("dest"); dest != "" && !hasHeader(headers, "If-Modified-Since") {
		// an existing file makes the request conditional on its mtime
		fmt.Fprintf(&pre, "if [ -f %[1]s ]; then echo \"MTIME $(stat -c %%Y %[1]s)\"; fi\n", remote.QuotePath(dest))
	}
	var ims time.Time
	if pre.Len() > 0 {
		res, err := target(req).Run(ctx, pre.String(), nil)
		if err != nil {
			return "", false, err
		}
		first, _, _ := strings.Cut(string(res.Stdout), "\n")
		if first == "CREATES" || first == "REMOVES" {
			return first + "\n", true, nil
		}
		if m, ok := strings.CutPrefix(first, "MTIME "); ok {
			if sec, err := strconv.ParseInt(m, 10, 64); err == nil {
				ims = time.Unix(sec, 0)
			}
		}
	}
	if ca := p.String("ca_path"); ca != "" {
		if caFile, err = req.Conn.Get(ctx, ca, req.Become); err != nil {
			return "", false, nil
		}
	}
	// client certificates are read as the become user, as Python would
	var cert, key []byte
	if path := p.String("client_cert"); path != "" {
		if cert, err = req.Conn.Get(ctx, path, req.Become); err != nil {
			return "", false, nil
		}
	}
	if path := p.String("client_key"); path != "" {
		if key, err = req.Conn.Get(ctx, path, req.Become); err != nil {
			return "", false, nil
		}
	}
	r := fetch.Request{Method: method, URL: u, Header: headers, Timeout: time.Duration(p.Int("timeout")) * time.Second,
		ValidateCerts: p.Bool("validate_certs"), CAFile: caFile, ClientCert: cert, ClientKey: key, IfModifiedSince: ims,
		UseProxy: p.Bool("use_proxy"), Agent: p.String("http_agent"),
		User: p.String("url_username"), Password: p.String("url_password"), ForceBasicAuth: p.Bool("force_basic_auth"),
		Follow: p.String("follow_redirects"), Unredirected: p.List("unredirected_headers"), Decompress: p.Bool("decompress"), UseNetrc: p.Bool("use_netrc")}
	if body != nil {
		r.Body = []byte(*body)
	}
	resp, err := c.Do(ctx, r)
	if err != nil && (fetch.ForwardRefused(err) || errors.Is(err, fetch.ErrBadClientCert)) {
		return "", false, nil
	}
	if err != nil && connection.IsUnreachable(err) {
		return "", false, err
	}
	enc := base64.StdEncoding.EncodeToString
	if err != nil {
		return fmt.Sprintf("GO %s\nH\n\nB\n\nE\n%s\n", u, enc([]byte(fetch.Message(err)))), true, nil
	}
	var h strings.Builder
	fmt.Fprintf(&h, "HTTP/1.1 %d %s\r\n", resp.Status, resp.Reason)
	keys := make([]string, 0, len(resp.Header))
	for k := range resp.Header {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range resp.Header[k] {
			fmt.Fprintf(&h, "%s: %s\r\n", k, v)
		}
	}
	return fmt.Sprintf("GO %s\nH\n%s\nB\n%s\nE\n\n", resp.URL, enc([]byte(h.String())), enc(resp.Body)), true, nil
}
