package modules_test

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"testing"
	"time"

	"octopus/modules/internal/anstest"
)

type arEntry struct {
	name, body string
	mode       int64
}

func makeTar(t *testing.T, gz bool, entries []arEntry) string {
	var buf bytes.Buffer
	var tw *tar.Writer
	var zw *gzip.Writer
	if gz {
		zw = gzip.NewWriter(&buf)
		tw = tar.NewWriter(zw)
	} else {
		tw = tar.NewWriter(&buf)
	}
	mt := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Mode: e.mode, ModTime: mt, Size: int64(len(e.body)), Typeflag: tar.TypeReg, Uname: "root", Gname: "root"}
		if e.name[len(e.name)-1] == '/' {
			h.Typeflag, h.Size = tar.TypeDir, 0
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(e.body))
	}
	tw.Close()
	if zw != nil {
		zw.Close()
	}
	return buf.String()
}

func makeZip(t *testing.T, entries []arEntry) string {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate, Modified: time.Date(2024, 1, 2, 3, 4, 6, 0, time.UTC)}
		h.SetMode(0o644)
		if e.name[len(e.name)-1] == '/' {
			h.SetMode(0o755 | 1<<31)
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(e.body))
	}
	zw.Close()
	return buf.String()
}

// TestUnarchiveDiff compares unarchive with Ansible on twin trees.
func TestUnarchiveDiff(t *testing.T) {
	entries := []arEntry{{"top/", "", 0o755}, {"top/a.txt", "alpha\n", 0o644}, {"top/sub/", "", 0o755}, {"top/sub/b.sh", "#!/bin/sh\n", 0o755}, {"root.txt", "r\n", 0o600}}
	files := map[string]string{
		"files/a.tar.gz": makeTar(t, true, entries),
		"files/a.tar":    makeTar(t, false, entries),
		"files/a.zip":    makeZip(t, []arEntry{{"z/", "", 0}, {"z/one.txt", "one\n", 0}, {"two.txt", "two\n", 0}}),
		"files/empty":    "",
		"files/junk.bin": "not an archive at all\n",
	}
	dirs := writeFiles(map[string]string{"out/.keep": "", "o2/.keep": "", "arch.tgz": files["files/a.tar.gz"]})
	ign := []string{"size", "src", "invocation.module_args.src"} // octopus uploads only once the arguments are valid
	var cases []anstest.Case
	add := func(name string, steps ...anstest.Step) {
		cases = append(cases, anstest.Case{Name: name, Setup: dirs, Steps: steps, Ignore: ign})
	}
	s := func(a map[string]any) anstest.Step { return anstest.Step{Module: "unarchive", Args: a} }
	add("tgz twice", s(map[string]any{"src": "a.tar.gz", "dest": "@D@/out", "list_files": true}), s(map[string]any{"src": "a.tar.gz", "dest": "@D@/out"}))
	add("tar", s(map[string]any{"src": "a.tar", "dest": "@D@/out"}), s(map[string]any{"src": "a.tar", "dest": "@D@/out"}))
	add("tar modified", s(map[string]any{"src": "a.tar", "dest": "@D@/out"}),
		anstest.Step{Module: "copy", Args: map[string]any{"content": "changed\n", "dest": "@D@/out/top/a.txt"}},
		s(map[string]any{"src": "a.tar", "dest": "@D@/out"}))
	add("tgz exclude", s(map[string]any{"src": "a.tar.gz", "dest": "@D@/out", "exclude": "top/sub", "list_files": true}))
	add("tgz extra_opts", s(map[string]any{"src": "a.tar.gz", "dest": "@D@/out", "extra_opts": []any{"--strip-components=1"}, "list_files": true}))
	add("tgz mode", s(map[string]any{"src": "a.tar.gz", "dest": "@D@/out", "mode": "u+rwx,g-w"}), s(map[string]any{"src": "a.tar.gz", "dest": "@D@/out", "mode": "u+rwx,g-w"}))
	add("zip twice", s(map[string]any{"src": "a.zip", "dest": "@D@/o2", "list_files": true}), s(map[string]any{"src": "a.zip", "dest": "@D@/o2", "list_files": true}))
	add("zip check", anstest.Step{Module: "unarchive", Args: map[string]any{"src": "a.zip", "dest": "@D@/o2"}, Check: true})
	add("tgz check", anstest.Step{Module: "unarchive", Args: map[string]any{"src": "a.tar.gz", "dest": "@D@/o2"}, Check: true})
	add("remote_src", s(map[string]any{"src": "a.tar.gz", "dest": "@D@/out"}), s(map[string]any{"src": "@D@/arch.tgz", "dest": "@D@/o2", "remote_src": "yes"}),
		s(map[string]any{"src": "@D@/arch.tgz", "dest": "@D@/o2", "copy": "no"}))
	// Ansible lists the handlers' reasons from a Python set (random order); the controller's search list differs from the fake one.
	cases = append(cases, anstest.Case{Name: "not archives", Setup: dirs, Ignore: []string{"msg"}, Steps: []anstest.Step{
		s(map[string]any{"src": "junk.bin", "dest": "@D@/o2"}), s(map[string]any{"src": "nope.tgz", "dest": "@D@/out"})}})
	add("remote missing", s(map[string]any{"src": "@D@/nope.tgz", "dest": "@D@/o2", "remote_src": true}))
	add("creates", s(map[string]any{"src": "a.tar.gz", "dest": "@D@/out", "creates": "@D@/out/.keep"}))
	add("no dest dir", s(map[string]any{"src": "a.tar.gz", "dest": "@D@/missing"}))
	add("empty", s(map[string]any{"src": "empty", "dest": "@D@/out"}))
	add("args", s(map[string]any{"src": "a.tar.gz"}), s(map[string]any{"src": "a.tar.gz", "dest": "@D@/out", "copy": true, "remote_src": false}),
		s(map[string]any{"src": "a.tar.gz", "dest": "@D@/out", "include": "x", "exclude": "y"}))
	anstest.Run(t, anstest.Suite{Cases: cases, Files: files})
}
