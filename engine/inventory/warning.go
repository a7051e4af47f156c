package inventory

import (
	"strings"
	"unicode"

	"octopus/engine/pyfmt"
)

// FormatWarning renders msg as Ansible's Display.warning prints it when
// stdout is not a terminal: "[WARNING]: msg" wrapped to 79 columns with
// Python's textwrap rules, ending in a newline.
func FormatWarning(msg string) string {
	return strings.Join(pyfmt.TextWrap("[WARNING]: "+msg, 79, true), "\n") + "\n"
}

// isWordRune is Python's \w.
func isWordRune(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }
