package modules_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"octopus/modules/internal/anstest"
)

// fetchTestServer serves the endpoints of TestFetchDiff over http and
// https (a self-signed certificate); the tarball is served at /arch.tar.gz.
func fetchTestServer(t *testing.T, tarball string) (plain, tls string) {
	t.Helper()
	return fetchTestServerOn(t, "127.0.0.1:0", tarball)
}

// fetchTestServerOn is fetchTestServer listening on addr.
func fetchTestServerOn(t *testing.T, addr, tarball string) (plain, tls string) {
	t.Helper()
	sum := fmt.Sprintf("%x", sha256.Sum256([]byte("file a\n")))
	mux := http.NewServeMux()
	mux.HandleFunc("/a.txt", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "file a\n") })
	// /lm answers If-Modified-Since (304 for any file written since 2001)
	mux.HandleFunc("/lm", func(w http.ResponseWriter, r *http.Request) {
		http.ServeContent(w, r, "lm.txt", time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC), strings.NewReader("dated\n"))
	})
	mux.HandleFunc("/SHA256SUMS", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%x  other.txt\n%s *./a.txt\n", sha256.Sum256([]byte("x")), sum)
	})
	mux.HandleFunc("/lone.sum", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, sum+"\n") })
	mux.HandleFunc("/arch.tar.gz", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, tarball) })
	// /mp describes the multipart body it got, boundary aside
	mux.HandleFunc("/mp", func(w http.ResponseWriter, r *http.Request) {
		mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		raw, _ := io.ReadAll(r.Body)
		body := strings.ReplaceAll(string(raw), params["boundary"], "BOUNDARY")
		fmt.Fprintf(w, "%s %q\n%s", mt, body, r.Method)
		mr := multipart.NewReader(strings.NewReader(string(raw)), params["boundary"])
		var names []string
		for {
			p, err := mr.NextRawPart()
			if err != nil {
				break
			}
			names = append(names, p.FormName()+"/"+p.FileName())
		}
		sort.Strings(names)
		fmt.Fprintf(w, " %v\n", names)
	})
	mux.HandleFunc("/auth", func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); ok && u == "bob" && p == "secret" {
			io.WriteString(w, "welcome\n")
			return
		}
		w.Header().Set("WWW-Authenticate", `Basic realm="x"`)
		w.WriteHeader(401)
	})
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "%s %q ct=%s len=%d\n", r.Method, b, r.Header.Get("Content-Type"), r.ContentLength)
	})
	listen := func() net.Listener {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		return ln
	}
	p := &httptest.Server{Listener: listen(), Config: &http.Server{Handler: mux}}
	p.Start()
	s := &httptest.Server{Listener: listen(), Config: &http.Server{Handler: mux}}
	s.StartTLS()
	t.Cleanup(func() { p.Close(); s.Close() })
	return p.URL, s.URL
}

// TestFetchDiff compares uri bodies (form-multipart, form-urlencoded
// lists, src), https, get_url checksum URLs and unarchive of a URL with
// Ansible, all fetched from the (local) target through its Dialer.
func TestFetchDiff(t *testing.T) {
	tarball := makeTar(t, true, []arEntry{{"d/", "", 0o755}, {"d/x.txt", "xx\n", 0o644}})
	base, tlsBase := fetchTestServer(t, tarball)
	ign := []string{"date", "connection", "elapsed", "src", "extract_results.cmd"}
	var cases []anstest.Case
	add := func(name, module string, args map[string]any, ignore ...string) {
		cases = append(cases, anstest.Case{Name: name, Steps: one(module, args), Ignore: append(append([]string(nil), ign...), ignore...),
			Setup: writeFiles(map[string]string{"up.bin": "bin\x00data", "doc.json": `{"k": 1}`})})
	}
	mp := map[string]any{
		"text":  "hello é",
		"file1": map[string]any{"filename": "@D@/up.bin"},
		"file2": map[string]any{"content": "text based", "filename": "fake.txt"},
		"file3": map[string]any{"content": "x", "mime_type": "application/json"},
		"file4": map[string]any{"filename": "@D@/doc.json", "mime_type": "image/png"},
	}
	add("multipart", "uri", map[string]any{"url": base + "/mp", "method": "POST", "body_format": "form-multipart", "body": mp, "return_content": true},
		"invocation.module_args.body", "invocation.module_args.headers", "content_length")
	add("multipart remote", "uri", map[string]any{"url": base + "/mp", "method": "POST", "body_format": "form-multipart", "body": mp, "return_content": true, "remote_src": true},
		"invocation.module_args.headers", "content_length")
	add("multipart not a mapping", "uri", map[string]any{"url": base + "/mp", "method": "POST", "body_format": "form-multipart", "body": []any{"a"}})
	add("multipart not a mapping remote", "uri", map[string]any{"url": base + "/mp", "method": "POST", "body_format": "form-multipart", "body": []any{"a"}, "remote_src": true})
	add("multipart empty part", "uri", map[string]any{"url": base + "/mp", "method": "POST", "body_format": "form-multipart", "body": map[string]any{"f": map[string]any{"mime_type": "text/plain"}}}, "invocation.module_args.headers")
	// (the fake controller searches fewer directories: msg not compared)
	add("multipart missing file", "uri", map[string]any{"url": base + "/mp", "method": "POST", "body_format": "form-multipart", "body": map[string]any{"f": map[string]any{"filename": "nope.bin"}}}, "msg")
	add("urlencoded pairs", "uri", map[string]any{"url": base + "/echo", "method": "POST", "body_format": "form-urlencoded", "body": []any{[]any{"a", "1"}, []any{"b", []any{"x", "y z"}}}, "return_content": true})
	add("urlencoded dict", "uri", map[string]any{"url": base + "/echo", "method": "POST", "body_format": "form-urlencoded", "body": map[string]any{"name": "o&p", "n": 3, "none": nil}, "return_content": true})
	add("src remote", "uri", map[string]any{"url": base + "/echo", "method": "PUT", "src": "@D@/doc.json", "remote_src": true, "return_content": true})
	add("src remote missing", "uri", map[string]any{"url": base + "/echo", "method": "PUT", "src": "@D@/nope", "remote_src": true})
	add("src controller missing", "uri", map[string]any{"url": base + "/echo", "method": "PUT", "src": "nope.json"}, "msg")
	add("src controller", "uri", map[string]any{"url": base + "/echo", "method": "PUT", "src": "doc.json", "return_content": true}, "invocation.module_args.src")
	add("https no validation", "uri", map[string]any{"url": tlsBase + "/a.txt", "validate_certs": false, "return_content": true})
	add("https validation fails", "uri", map[string]any{"url": tlsBase + "/a.txt"})
	add("get_url https no validation", "get_url", map[string]any{"url": tlsBase + "/a.txt", "dest": "@D@/a.txt", "validate_certs": false})
	add("get_url https validation fails", "get_url", map[string]any{"url": tlsBase + "/a.txt", "dest": "@D@/a.txt"})
	add("get_url basic auth", "get_url", map[string]any{"url": base + "/auth", "dest": "@D@/w.txt", "url_username": "bob", "url_password": "secret"})
	add("get_url forced basic auth", "get_url", map[string]any{"url": base + "/auth", "dest": "@D@/w.txt", "url_username": "bob", "url_password": "secret", "force_basic_auth": true})
	add("get_url bad auth", "get_url", map[string]any{"url": base + "/auth", "dest": "@D@/w.txt", "url_username": "bob", "url_password": "nope"})
	add("get_url checksum url", "get_url", map[string]any{"url": base + "/a.txt", "dest": "@D@/a.txt", "checksum": "sha256:" + base + "/SHA256SUMS"})
	add("get_url lone checksum url", "get_url", map[string]any{"url": base + "/a.txt", "dest": "@D@/a.txt", "checksum": "sha256:" + base + "/lone.sum"})
	add("get_url checksum url no entry", "get_url", map[string]any{"url": base + "/other", "dest": "@D@/o.txt", "checksum": "sha256:" + base + "/SHA256SUMS"})
	add("get_url checksum url 404", "get_url", map[string]any{"url": base + "/a.txt", "dest": "@D@/a.txt", "checksum": "sha256:" + base + "/missing.sum"})
	cases = append(cases, anstest.Case{Name: "get_url checksum url twice", Ignore: ign, Steps: []anstest.Step{
		{Module: "get_url", Args: map[string]any{"url": base + "/a.txt", "dest": "@D@/a.txt", "checksum": "sha256:" + base + "/SHA256SUMS"}},
		{Module: "get_url", Args: map[string]any{"url": base + "/a.txt", "dest": "@D@/a.txt", "checksum": "sha256:" + base + "/SHA256SUMS"}},
		{Module: "get_url", Args: map[string]any{"url": base + "/a.txt", "dest": "@D@/b.txt", "checksum": "sha256:" + base + "/SHA256SUMS"}, Check: true},
	}})
	cases = append(cases, anstest.Case{Name: "unarchive url", Ignore: append(append([]string(nil), ign...), "src"), Setup: writeFiles(map[string]string{"out/.keep": ""}),
		Steps: []anstest.Step{
			{Module: "unarchive", Args: map[string]any{"src": base + "/arch.tar.gz", "dest": "@D@/out", "remote_src": true}},
			{Module: "unarchive", Args: map[string]any{"src": base + "/arch.tar.gz", "dest": "@D@/out", "remote_src": true}},
		}})
	add("unarchive url refused", "unarchive", map[string]any{"src": fmt.Sprintf("http://127.0.0.1:%d/x.tgz", freePort(t)), "dest": "@D@", "remote_src": true})
	lm := map[string]any{"url": base + "/lm", "dest": "@D@/lm.txt"}
	cases = append(cases, anstest.Case{Name: "uri dest conditional", Ignore: append(append([]string(nil), ign...), "last_modified"), Steps: []anstest.Step{
		{Module: "uri", Args: lm},
		{Module: "uri", Args: lm}, // 304: not in status_code
		{Module: "uri", Args: with(lm, "status_code", []any{200, 304})},
		{Module: "uri", Args: with(lm, "headers", map[string]any{"If-Modified-Since": "Mon, 01 Jan 1990 00:00:00 GMT"})},
		{Module: "uri", Args: with(lm, "dest", "@D@")}, // a directory: unconditional
		{Module: "file", Args: map[string]any{"path": "@D@/lm.txt", "mode": "0600"}},
		{Module: "uri", Args: with(lm, "headers", map[string]any{"If-Modified-Since": "Mon, 01 Jan 1990 00:00:00 GMT"})}, // keeps 0600
		{Module: "uri", Args: map[string]any{"url": base + "/missing", "dest": "@D@/nope.txt"}},
		{Module: "uri", Args: map[string]any{"url": base + "/missing", "dest": "@D@/lm.txt", "status_code": 404}},
	}})
	cert := clientCertFiles(t)
	mtls := clientCertServer(t, cert["ca.pem"])
	addCert := func(name string, args map[string]any, ignore ...string) {
		args["url"], args["validate_certs"], args["return_content"] = mtls, false, true
		cases = append(cases, anstest.Case{Name: name, Steps: one("uri", args), Ignore: append(append([]string(nil), ign...), ignore...),
			Setup: writeFiles(cert)})
	}
	addCert("uri client cert and key", map[string]any{"client_cert": "@D@/client.pem", "client_key": "@D@/client.key"})
	addCert("uri client cert with its key", map[string]any{"client_cert": "@D@/both.pem"})
	anstest.Run(t, anstest.Suite{Cases: cases, Files: map[string]string{"files/doc.json": `{"k": 2}`}})
}

// with returns a copy of args with key set to v.
func with(args map[string]any, key string, v any) map[string]any {
	out := map[string]any{key: v}
	for k, e := range args {
		if k != key {
			out[k] = e
		}
	}
	return out
}

// clientCertFiles makes a CA and a client certificate it signed, as PEM
// files: ca.pem, client.pem, client.key and both.pem (certificate and key).
func clientCertFiles(t *testing.T) map[string]string {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test ca"}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "octo client"}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		KeyUsage: x509.KeyUsageDigitalSignature, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalPKCS8PrivateKey(key)
	certPEM := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	keyPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}))
	return map[string]string{"ca.pem": string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})),
		"client.pem": certPEM, "client.key": keyPEM, "both.pem": certPEM + keyPEM}
}

// clientCertServer is an https server that requires a client certificate
// signed by caPEM and answers with its common name.
func clientCertServer(t *testing.T, caPEM string) string {
	t.Helper()
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM([]byte(caPEM))
	s := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello %s\n", r.TLS.PeerCertificates[0].Subject.CommonName)
	}))
	s.TLS = &tls.Config{ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pool}
	s.StartTLS()
	t.Cleanup(s.Close)
	return s.URL + "/who"
}
