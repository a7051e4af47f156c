// Package probe is the one-round-trip pattern native modules use to learn a
// target's state: a POSIX shell script prints files and command results as
// tagged sections, and Parse splits them back apart on the controller.
//
// Script helpers (prepend Head to a script):
//
//	S kind name      start a section "kind name"
//	F path           section "f path" with the file's bytes ("nf path" if unreadable)
//	C name cmd...    section "c name" with the command's stdout, then "rc name N"
//	has cmd          true when cmd is on PATH
package probe

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"octopus/engine/connection"
)

// Head defines the helper functions; start every probe script with it.
const Head = `S(){ printf '\n@@@ %s\n' "$*"; }
F(){ if [ -r "$1" ] && [ ! -d "$1" ]; then S f "$1"; cat "$1" 2>/dev/null; else S nf "$1"; fi; }
C(){ _n=$1; shift; S c "$_n"; "$@" 2>/dev/null; _r=$?; S rc "$_n" "$_r"; }
CE(){ _n=$1; shift; S c "$_n"; { _e=$("$@" 2>&1 1>&3 3>&-; _r=$?; printf x; exit $_r); } 3>&1; _r=$?; S rc "$_n" "$_r"; S e "$_n"; printf '%s' "${_e%x}"; }
has(){ command -v "$1" >/dev/null 2>&1; }
`

// Section is one tagged part of the output.
type Section struct {
	Kind, Name, Body string
}

// Output is a probe script's output split into sections.
type Output struct {
	Sections []Section
	files    map[string]string
	cmds     map[string]string
	errs     map[string]string
	rcs      map[string]int
	other    map[string]string
}

// Parse splits raw script output into sections.
func Parse(raw string) *Output {
	o := &Output{files: map[string]string{}, cmds: map[string]string{}, errs: map[string]string{}, rcs: map[string]int{}, other: map[string]string{}}
	for i, ch := range strings.Split(raw, "\n@@@ ") {
		if i == 0 {
			continue
		}
		header, body, _ := strings.Cut(ch, "\n")
		kind, name, _ := strings.Cut(header, " ")
		o.Sections = append(o.Sections, Section{kind, name, body})
		switch kind {
		case "f":
			o.files[name] = body
		case "nf":
		case "c":
			o.cmds[name] = body
		case "e":
			o.errs[name] = body
		case "rc":
			if j := strings.LastIndexByte(name, ' '); j >= 0 {
				n, err := strconv.Atoi(name[j+1:])
				if err != nil {
					n = -1
				}
				o.rcs[name[:j]] = n
			}
		default:
			o.other[header] = body
		}
	}
	return o
}

// File returns a file's content and whether it was readable.
func (o *Output) File(path string) (string, bool) {
	s, ok := o.files[path]
	return s, ok
}

// Content is Ansible's get_file_content: the stripped content, or def when
// the file is missing or unreadable.
func (o *Output) Content(path, def string) (string, bool) {
	s, ok := o.files[path]
	if !ok {
		return def, false
	}
	return strings.TrimSpace(s), true
}

// Cmd returns a command's stdout and exit status; ok is false when it did not run.
func (o *Output) Cmd(name string) (string, int, bool) {
	s, ok := o.cmds[name]
	if !ok {
		return "", -1, false
	}
	rc, ok2 := o.rcs[name]
	if !ok2 {
		rc = -1
	}
	return s, rc, true
}

// Stderr returns the standard error captured by CE for a command.
func (o *Output) Stderr(name string) string { return o.errs[name] }

// Section returns the body of a section by its "kind name" header.
func (o *Output) Section(header string) string { return o.other[header] }

// Lines returns the non-empty lines of a section.
func (o *Output) Lines(header string) []string {
	var out []string
	for _, l := range strings.Split(o.other[header], "\n") {
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

// Run executes Head+script on conn and parses its output. A non-zero exit
// of the script itself is returned as an error with its stderr.
func Run(ctx context.Context, conn connection.Conn, script string, opts connection.ExecOptions) (*Output, error) {
	res, err := conn.Exec(ctx, Head+script+"\nS end\n", opts)
	if err != nil {
		return nil, err
	}
	if res.RC != 0 {
		return nil, fmt.Errorf("probe script failed (rc %d): %s", res.RC, strings.TrimSpace(string(res.Stderr)))
	}
	return Parse(string(res.Stdout)), nil
}

// Find reports whether a section with this exact "kind name" header (or
// bare kind) exists, and returns its body.
func (o *Output) Find(header string) (string, bool) {
	for _, s := range o.Sections {
		h := s.Kind
		if s.Name != "" {
			h += " " + s.Name
		}
		if h == header {
			return s.Body, true
		}
	}
	return "", false
}
