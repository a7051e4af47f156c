// Package diag carries source positions and formats errors the way
// ansible-playbook prints them: a message, the file, line and column, and the
// offending line quoted with a caret under the column.
package diag

import (
	"errors"
	"fmt"
	"os"
	"regexp"
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
	// NoContext suppresses the "The error appears to be in" paragraph even
	// when Pos is valid (Ansible's suppress_extended_error).
	NoContext bool
	// HideContent keeps the position paragraph but does not quote the file
	// (Ansible's show_content=False, used for vaulted data).
	HideContent bool
	// Code is the process exit status ansible-playbook uses for this error:
	// 4 for parser errors, 1 (or 0, meaning 1) for other errors.
	Code int
	// Note is octopus's own advice, printed after Ansible's text (for
	// example the modules octopus has, after an unknown module).
	Note string
}

// Errorf returns an *Error at pos.
func Errorf(pos Pos, format string, args ...any) *Error {
	return &Error{Msg: fmt.Sprintf(format, args...), Pos: pos}
}

// ParseErrorf returns an *Error at pos with exit code 4, the status
// ansible-playbook uses for playbook parse errors.
func ParseErrorf(pos Pos, format string, args ...any) *Error {
	return &Error{Msg: fmt.Sprintf(format, args...), Pos: pos, Code: 4}
}

// ExitCode returns the exit status for err: e.Code of the first *Error in
// its chain, 1 otherwise, 0 for nil.
func ExitCode(err error) int {
	if err == nil {
		return 0
	}
	var e *Error
	if errors.As(err, &e) && e.Code != 0 {
		return e.Code
	}
	return 1
}

// Error renders the message followed by Ansible's "The error appears to be in"
// paragraph, a snippet of the offending line and any hints for common
// YAML mistakes.
func (e *Error) Error() string {
	msg := e.Msg
	if e.Pos.IsValid() && !e.NoContext {
		msg += "\n\n" + e.Context()
	}
	if e.Note != "" {
		msg = strings.TrimRight(msg, "\n") + "\n\n" + e.Note
	}
	return msg
}

// Context returns the extended paragraph alone (position, quoted lines,
// hints), byte-identical to Ansible's.
func (e *Error) Context() string {
	if e.HideContent {
		return positionDetails(e.Pos.File, e.Pos.Line, e.Pos.Col)
	}
	src := e.source()
	if src == nil {
		return positionDetails(e.Pos.File, e.Pos.Line, e.Pos.Col) + "\n(could not open file to display line)"
	}
	return Extended(src, e.Pos)
}

func positionDetails(file string, line, col int) string {
	return fmt.Sprintf("The error appears to be in '%s': line %d, column %d, but may\nbe elsewhere in the file depending on the exact syntax problem.\n", file, line, col)
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

var reShorthand = regexp.MustCompile(`\w+(\s+)?=(\s+)?[\w/-]+`)

// readLines splits src the way Python's readlines() does in text mode
// (universal newlines; each line keeps its "\n").
func readLines(src []byte) []string {
	s := strings.ReplaceAll(string(src), "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	if s == "" {
		return nil
	}
	lines := strings.SplitAfter(s, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// Extended renders Ansible's extended error for pos in src: the position
// paragraph, the quoted lines with a caret and the hints Ansible adds for
// common YAML mistakes.
func Extended(src []byte, pos Pos) string {
	lines := readLines(src)
	idx := pos.Line - 1
	if len(lines) == 0 || idx < 0 {
		return positionDetails(pos.File, pos.Line, pos.Col) + "\n(specified line no longer in file, maybe it changed?)"
	}
	if idx >= len(lines) {
		idx = len(lines) - 1
	}
	target := lines[idx]
	for strings.TrimSpace(target) == "" {
		idx--
		if idx < 0 {
			// Python indexes from the end on a negative index.
			idx += len(lines)
			if strings.TrimSpace(lines[idx]) == "" {
				return positionDetails(pos.File, pos.Line, pos.Col) + "\n(specified line no longer in file, maybe it changed?)"
			}
		}
		target = lines[idx]
	}
	prev := ""
	if idx > 0 {
		prev = lines[idx-1]
	}
	var b strings.Builder
	if reShorthand.MatchString(prev) {
		p := strings.Index(strings.TrimRight(prev, " \t\r\n\v\f"), "=")
		b.WriteString(positionDetails(pos.File, pos.Line-1, p+1))
		fmt.Fprintf(&b, "\nThe offending line appears to be:\n\n%s\n%s\n\n", rstrip(prev), strings.Repeat(" ", p)+"^ here")
		b.WriteString(hintShorthand)
	} else {
		b.WriteString(positionDetails(pos.File, pos.Line, pos.Col))
		b.WriteString("\nThe offending line appears to be:\n\n")
		b.WriteString(Snippet(src, pos.Line, pos.Col))
	}
	b.WriteString(hints(strings.TrimSuffix(target, "\n"), pos.Col))
	return b.String()
}

func rstrip(s string) string { return strings.TrimRight(s, " \t\r\n\v\f") }

// hints returns the advice Ansible appends for the offending line.
func hints(target string, col int) string {
	var b strings.Builder
	line := target + "\n"
	if strings.Contains(line, "\t") {
		b.WriteString(hintTab)
	}
	stripped := strings.ReplaceAll(line, " ", "")
	runes := []rune(line)
	switch {
	case strings.Contains(line, "{{") && strings.Contains(line, "}}") && (!strings.Contains(line, `"{{`) || !strings.Contains(line, "'{{")):
		b.WriteString(hintUnquotedVar)
	case strings.Contains(stripped, ":{{") && strings.Contains(stripped, "}}"):
		b.WriteString(hintDict)
	case len(runes) > 1 && len(runes) > col && col >= 0 && runes[col] == ':' && strings.Count(line, ":") > 1:
		b.WriteString(hintColon)
	default:
		parts := strings.Split(line, ":")
		if len(parts) > 1 {
			middle := strings.TrimSpace(parts[1])
			match := false
			if strings.HasPrefix(middle, "'") && !strings.HasSuffix(middle, "'") {
				match = true
			} else if strings.HasPrefix(middle, `"`) && !strings.HasSuffix(middle, `"`) {
				match = true
			}
			unbalanced := len(middle) > 0 && strings.ContainsAny(middle[:1], `"'`) && strings.ContainsAny(middle[len(middle)-1:], `"'`) && strings.Count(line, "'") > 2 || strings.Count(line, `"`) > 2
			if match {
				b.WriteString(hintPartialQuote)
			}
			if unbalanced {
				b.WriteString(hintUnbalanced)
			}
		}
	}
	return b.String()
}

// Snippet quotes the line before and the given line of src with a caret
// under col, byte-identical to the part of Ansible's error messages that
// follows "The offending line appears to be:\n\n": when the line is
// blank, the nearest non-blank line above it is quoted instead. It returns
// "" when the line does not exist.
func Snippet(src []byte, line, col int) string {
	lines := readLines(src)
	idx := line - 1
	if len(lines) == 0 || idx < 0 {
		return ""
	}
	if idx >= len(lines) {
		idx = len(lines) - 1
	}
	for strings.TrimSpace(lines[idx]) == "" {
		idx--
		if idx < 0 {
			return ""
		}
	}
	prev := ""
	if idx > 0 {
		prev = lines[idx-1]
	}
	if col < 1 {
		col = 1
	}
	return rstrip(prev) + "\n" + rstrip(lines[idx]) + "\n" + strings.Repeat(" ", col-1) + "^ here\n"
}

// Render returns what ansible-playbook writes to stderr for a fatal err:
// "ERROR! " and the message, ending with exactly one newline.
func Render(err error) string {
	s := "ERROR! " + err.Error()
	if !strings.HasSuffix(s, "\n") {
		s += "\n"
	}
	return s
}
