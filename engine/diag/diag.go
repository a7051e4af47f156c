// Package diag carries source positions and formats errors the way
// ansible-playbook prints them: a message, the file, line and column, and the
// offending line quoted with a caret under the column.
package diag

import (
	"fmt"
	"os"
	"strings"
)

// Pos is a position in a source file. Line and Col are 1-based; a zero Line
// means the position is unknown.
type Pos struct {
	File string
	Line int
	Col  int
}

// IsValid reports whether the position names a line of a file.
func (p Pos) IsValid() bool { return p.File != "" && p.Line > 0 }

// String returns "file:line:col" (or just the file when the line is unknown).
func (p Pos) String() string {
	if p.Line == 0 {
		return p.File
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// Error is a user-facing error tied to a place in a file. Its Error method
// renders it as Ansible does (without the leading "ERROR! ").
type Error struct {
	Msg string
	Pos Pos
	// Source is the text of Pos.File; when nil it is read from disk on demand.
	Source []byte
}

// Errorf returns an *Error at pos.
func Errorf(pos Pos, format string, args ...any) *Error {
	return &Error{Msg: fmt.Sprintf(format, args...), Pos: pos}
}

// Error renders the message followed by Ansible's "The error appears to be in"
// paragraph and a snippet of the offending line.
func (e *Error) Error() string {
	if !e.Pos.IsValid() {
		return e.Msg
	}
	var b strings.Builder
	b.WriteString(e.Msg)
	b.WriteString("\n\n")
	fmt.Fprintf(&b, "The error appears to be in '%s': line %d, column %d, but may\nbe elsewhere in the file depending on the exact syntax problem.\n", e.Pos.File, e.Pos.Line, e.Pos.Col)
	if snip := Snippet(e.source(), e.Pos.Line, e.Pos.Col); snip != "" {
		b.WriteString("\nThe offending line appears to be:\n\n")
		b.WriteString(snip)
	}
	return b.String()
}

func (e *Error) source() []byte {
	if e.Source != nil {
		return e.Source
	}
	data, err := os.ReadFile(e.Pos.File)
	if err != nil {
		return nil
	}
	return data
}

// Snippet quotes the line before (when not blank) and the given line of src,
// indented by four spaces, with a caret under col, as Ansible's error
// messages do. It returns "" when the line does not exist.
func Snippet(src []byte, line, col int) string {
	if src == nil || line < 1 {
		return ""
	}
	lines := strings.Split(string(src), "\n")
	if line > len(lines) {
		return ""
	}
	var b strings.Builder
	if line >= 2 {
		prev := lines[line-2]
		if strings.TrimSpace(prev) != "" {
			b.WriteString("\n" + prev + "\n")
		} else {
			b.WriteString("\n")
		}
	} else {
		b.WriteString("\n")
	}
	cur := lines[line-1]
	b.WriteString(cur + "\n")
	if col < 1 {
		col = 1
	}
	b.WriteString(strings.Repeat(" ", col-1) + "^ here\n")
	// Ansible indents every snippet line by four spaces.
	out := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	for i, l := range out {
		if l != "" {
			out[i] = l
		}
	}
	return strings.Join(out, "\n") + "\n"
}
