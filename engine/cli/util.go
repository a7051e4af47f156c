package cli

import (
	"strconv"
	"strings"
)

// parseInt reads an integer option value as Python's int() does.
func parseInt(s string) (int, error) {
	return strconv.Atoi(strings.TrimSpace(s))
}
