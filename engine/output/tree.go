package output

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"

	"octopus/engine/pyfmt"
)

// Tree is ansible's tree callback: every ok, failed or unreachable host
// result overwrites <Dir>/<host> with the result as JSON (the last result
// of each host stays).
type Tree struct {
	Nop
	// Dir is the tree directory ([callback_tree] directory,
	// ANSIBLE_CALLBACK_TREE_DIR; default ~/.ansible/tree).
	Dir string
	// Verbosity is the -v count (at -vvv the JSON is indented).
	Verbosity int
	// Warn reports files that could not be written (may be nil).
	Warn func(msg string)

	mu sync.Mutex
}

// NewTree returns the tree callback writing to dir.
func NewTree(dir string, verbosity int, warn func(string)) *Tree {
	return &Tree{Dir: dir, Verbosity: verbosity, Warn: warn}
}

// HostResult implements Callback.
func (t *Tree) HostResult(r *Result) {
	if r == nil || r.Status == StatusSkipped {
		return
	}
	res := r.Data
	if res == nil {
		return
	}
	indent := 0 // one line
	if va, _ := res.Get("_ansible_verbose_always"); va == true || t.Verbosity > 2 {
		indent = 4
	}
	text := pyfmt.JSONText(Abridge(res, t.Verbosity), pyfmt.JSONOptions{Indent: indent, SortKeys: true})
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := pyMakedirs(t.Dir); err != nil {
		method := "v2_runner_on_ok"
		switch r.Status {
		case StatusFailed:
			method = "v2_runner_on_failed"
		case StatusUnreachable:
			method = "v2_runner_on_unreachable"
		}
		t.warn(fmt.Sprintf("Failure using method (%s) in callback plugin (tree): Unable to create local directories(%s): %s",
			method, t.Dir, pyOSError(err, true)))
		return
	}
	if err := os.WriteFile(filepath.Join(t.Dir, r.Host), []byte(text), 0o666); err != nil {
		t.warn(fmt.Sprintf("Unable to write to %s's file: %s", r.Host, pyOSError(err, true)))
	}
}

// pyMakedirs is ansible's makedirs_safe: nothing when the path exists,
// else Python's os.makedirs, which names the directory it failed to make.
func pyMakedirs(path string) error {
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	var mk func(p string) error
	mk = func(p string) error {
		head := filepath.Dir(p)
		if head != p {
			if _, err := os.Lstat(head); err != nil {
				if err := mk(head); err != nil && !errors.Is(err, fs.ErrExist) {
					return err
				}
			}
		}
		return os.Mkdir(p, 0o777)
	}
	return mk(filepath.Clean(path))
}

func (t *Tree) warn(msg string) {
	if t.Warn != nil {
		t.Warn(msg)
	}
}

// pyOSError renders a file error as Python's OSError, with a bytes path
// ("[Errno 2] No such file or directory: b'/x'") when bytesPath.
func pyOSError(err error, bytesPath bool) string {
	var pe *fs.PathError
	var no syscall.Errno
	if errors.As(err, &pe) && errors.As(pe.Err, &no) {
		msg := no.Error()
		if msg != "" {
			msg = strings.ToUpper(msg[:1]) + msg[1:]
		}
		b := ""
		if bytesPath {
			b = "b"
		}
		return fmt.Sprintf("[Errno %d] %s: %s%s", int(no), msg, b, pyfmt.Quote(pe.Path))
	}
	return err.Error()
}
