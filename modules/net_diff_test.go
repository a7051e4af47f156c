package modules_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"octopus/modules/internal/anstest"
)

// testHTTPServer serves a few fixed endpoints on 127.0.0.1 for uri tests.
func testHTTPServer(t *testing.T) string {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"a": 1, "b": [true, null, "x"]}`)
	})
	mux.HandleFunc("/text", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Add("X-Multi", "one")
		w.Header().Add("X-Multi", "two")
		io.WriteString(w, "hello\n")
	})
	mux.HandleFunc("/redir", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/text", http.StatusFound) })
	mux.HandleFunc("/missing", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(404)
		io.WriteString(w, `{"error": "nope"}`)
	})
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprintf(w, "%s %s ct=%s x=%s\n", r.Method, b, r.Header.Get("Content-Type"), r.Header.Get("X-Test"))
	})
	mux.HandleFunc("/cookie", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "sess", Value: "abc", Path: "/"})
		w.WriteHeader(201)
	})
	mux.HandleFunc("/auth", func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); ok && u == "bob" && p == "secret" {
			io.WriteString(w, "welcome")
			return
		}
		w.Header().Set("WWW-Authenticate", `Basic realm="x"`)
		w.WriteHeader(401)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String()
}

// freePort returns a port with nothing listening on it.
func freePort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return p
}

// TestNetDiff compares uri and wait_for with Ansible against a local HTTP
// server and TCP ports.
func TestNetDiff(t *testing.T) {
	base := testHTTPServer(t)
	var port int
	fmt.Sscanf(base[len("http://127.0.0.1:"):], "%d", &port)
	closed := freePort(t)
	ign := []string{"date", "connection", "elapsed"}
	var cases []anstest.Case
	u := func(args map[string]any) {
		cases = append(cases, anstest.Case{Name: "uri", Steps: one("uri", args), Ignore: ign,
			Setup: writeFiles(map[string]string{"exists": "x"})})
	}
	u(map[string]any{"url": base + "/json"})
	u(map[string]any{"url": base + "/json", "return_content": true})
	u(map[string]any{"url": base + "/text", "return_content": "yes"})
	u(map[string]any{"url": base + "/text"})
	u(map[string]any{"url": base + "/redir"})
	u(map[string]any{"url": base + "/redir", "follow_redirects": "none", "status_code": []any{302}})
	u(map[string]any{"url": base + "/missing"})
	u(map[string]any{"url": base + "/missing", "return_content": true, "status_code": "200,404"})
	u(map[string]any{"url": base + "/echo", "method": "POST", "body_format": "json", "body": map[string]any{"k": "v"}, "return_content": true})
	u(map[string]any{"url": base + "/echo", "method": "PUT", "body_format": "form-urlencoded", "body": map[string]any{"a": "1 2", "b": []any{"x", "y"}}, "return_content": true, "headers": map[string]any{"X-Test": "hdr"}})
	u(map[string]any{"url": base + "/echo", "method": "post", "body": "raw text", "return_content": true})
	u(map[string]any{"url": base + "/echo", "method": "GET POST"})
	u(map[string]any{"url": base + "/cookie", "status_code": 201})
	u(map[string]any{"url": base + "/auth", "user": "bob", "password": "secret", "return_content": true})
	u(map[string]any{"url": base + "/auth", "user": "bob", "password": "secret", "force_basic_auth": true})
	u(map[string]any{"url": base + "/auth"})
	u(map[string]any{"url": base + "/text", "creates": "@D@/exists"})
	u(map[string]any{"url": base + "/text", "removes": "@D@/nope"})
	u(map[string]any{"url": base + "/text", "dest": "@D@/dl.txt"})
	// Ansible's action uploads src to its temporary directory first
	cases = append(cases, anstest.Case{Name: "uri src", Steps: one("uri", map[string]any{"url": base + "/text", "body": "a", "src": "/etc/hosts"}),
		Ignore: append(append([]string(nil), ign...), "invocation.module_args.src")})
	u(map[string]any{"url": fmt.Sprintf("http://127.0.0.1:%d/", closed)})
	u(map[string]any{"method": "GET"})
	cases = append(cases, anstest.Case{Name: "uri check", Steps: []anstest.Step{{Module: "uri", Args: map[string]any{"url": base + "/text"}, Check: true}}})
	// wait_for
	w := func(args map[string]any, ignore ...string) {
		cases = append(cases, anstest.Case{Name: "wait_for", Steps: one("wait_for", args), Ignore: ignore,
			Setup: writeFiles(map[string]string{"log": "starting\nready on port 8080 as pid=42\n"})})
	}
	w(map[string]any{"port": port, "timeout": 5})
	w(map[string]any{"port": port, "host": "localhost", "timeout": 5})
	w(map[string]any{"port": closed, "state": "stopped", "timeout": 5})
	w(map[string]any{"port": closed, "timeout": 1}, "elapsed")
	w(map[string]any{"port": port, "state": "stopped", "timeout": 1, "msg": "still up"}, "elapsed")
	w(map[string]any{"port": closed, "state": "drained", "timeout": 3})
	w(map[string]any{"path": "@D@/log"})
	w(map[string]any{"path": "@D@/log", "search_regex": `ready on port (\d+) as pid=(?P<pid>\d+)`})
	w(map[string]any{"path": "@D@/nolog", "state": "absent"})
	w(map[string]any{"path": "@D@/nolog", "timeout": 1}, "elapsed")
	w(map[string]any{"path": "@D@/log", "search_regex": "never", "timeout": 1}, "elapsed")
	w(map[string]any{"path": "@D@/log", "port": 22})
	w(map[string]any{"path": "@D@/log", "state": "stopped"})
	w(map[string]any{"port": port, "exclude_hosts": "10.0.0.1"})
	w(map[string]any{"port": port, "state": "drained", "active_connection_states": "BOGUS"})
	w(map[string]any{"timeout": 0})
	w(map[string]any{"port": "x"})
	cases = append(cases, anstest.Case{Name: "wait_for check", Steps: []anstest.Step{{Module: "wait_for", Args: map[string]any{"timeout": 0}, Check: true}}})
	anstest.Run(t, anstest.Suite{Cases: cases})
	_ = os.Remove
	_ = filepath.Join
}
