package playbook

import (
	"fmt"
	"strings"
)

// SplitArgs splits a module argument string on spaces and newlines the way
// Ansible does: quoted strings and Jinja2 {{ }}, {% %} and {# #} blocks
// stay in one piece (with their quotes), runs of spaces inside them are
// kept, a lone backslash continues a line, and newlines are kept at the
// end of the parameter they follow.
func SplitArgs(args string) ([]string, error) {
	var params []string
	appendLast := func(s string) {
		if len(params) == 0 {
			params = append(params, s)
			return
		}
		params[len(params)-1] += s
	}
	lines := strings.Split(args, "\n")
	var quote byte
	inQuotes := false
	printDepth, blockDepth, commentDepth := 0, 0, 0
	for li, line := range lines {
		tokens := strings.Split(line, " ")
		continuation := false
		for ti, tok := range tokens {
			if tok == "" && ti != 0 {
				appendLast(" ")
				continue
			}
			if tok == `\` && !inQuotes {
				continuation = true
				continue
			}
			wasInQuotes := inQuotes
			quote = quoteState(tok, quote)
			inQuotes = quote != 0
			appended := false
			inJinja := printDepth > 0 || blockDepth > 0 || commentDepth > 0
			switch {
			case inQuotes && !wasInQuotes && !inJinja:
				params = append(params, tok)
				appended = true
			case inJinja || inQuotes || wasInQuotes:
				switch {
				case ti == 0 && wasInQuotes:
					appendLast(tok)
				case len(tokens) > 1:
					if ti > 0 {
						appendLast(" " + tok)
					} else {
						appendLast(tok)
					}
				default:
					appendLast("\n" + tok)
				}
				appended = true
			}
			for _, pair := range [][2]string{{"{{", "}}"}, {"{%", "%}"}, {"{#", "#}"}} {
				var depth *int
				switch pair[0] {
				case "{{":
					depth = &printDepth
				case "{%":
					depth = &blockDepth
				default:
					depth = &commentDepth
				}
				prev := *depth
				*depth = countJinja(tok, *depth, pair[0], pair[1])
				if *depth != prev && !appended {
					params = append(params, tok)
					appended = true
				}
			}
			if printDepth == 0 && blockDepth == 0 && commentDepth == 0 && !inQuotes && !appended && tok != "" {
				params = append(params, tok)
			}
		}
		if len(lines) > 1 && li != len(lines)-1 && !continuation {
			appendLast("\n")
		}
	}
	if printDepth > 0 || blockDepth > 0 || commentDepth > 0 || inQuotes {
		return nil, fmt.Errorf("failed at splitting arguments, either an unbalanced jinja2 block or quotes: %s", args)
	}
	return params, nil
}

func quoteState(tok string, quote byte) byte {
	for i := 0; i < len(tok); i++ {
		c := tok[i]
		if (c == '"' || c == '\'') && (i == 0 || tok[i-1] != '\\') {
			if quote != 0 {
				if c == quote {
					quote = 0
				}
			} else {
				quote = c
			}
		}
	}
	return quote
}

func countJinja(tok string, depth int, open, close string) int {
	o, c := strings.Count(tok, open), strings.Count(tok, close)
	if o != c {
		depth += o - c
		if depth < 0 {
			depth = 0
		}
	}
	return depth
}

// JoinArgs reassembles parameters split by SplitArgs, keeping newlines.
func JoinArgs(params []string) string {
	var b strings.Builder
	for _, p := range params {
		s := b.String()
		if len(s) == 0 || strings.HasSuffix(s, "\n") {
			b.WriteString(p)
		} else {
			b.WriteString(" " + p)
		}
	}
	return b.String()
}

// Unquote removes one pair of matching surrounding quotes.
func Unquote(s string) string {
	if len(s) > 1 && s[0] == s[len(s)-1] && (s[0] == '"' || s[0] == '\'') && s[len(s)-2] != '\\' {
		return s[1 : len(s)-1]
	}
	return s
}

// rawOptions are the k=v keys command-like modules accept inside a
// free-form string; any other k=v stays part of the command.
var rawOptions = map[string]bool{
	"creates": true, "removes": true, "chdir": true, "executable": true, "warn": true,
	"stdin": true, "stdin_add_newline": true, "strip_empty_ends": true,
}

// ParseKV parses a "k=v k2='v 2' free form" argument string into ordered
// keys and values. Words without "=" (and, when checkRaw is set, k=v pairs
// whose key is not a known command option) are joined into "_raw_params".
func ParseKV(args string, checkRaw bool) ([]string, map[string]any, error) {
	out := map[string]any{}
	var keys []string
	parts, err := SplitArgs(args)
	if err != nil {
		if strings.Contains(err.Error(), "unbalanced") {
			return nil, nil, err
		}
		return nil, nil, err
	}
	var raw []string
	for _, orig := range parts {
		x := decodeEscapes(orig)
		if !strings.Contains(x, "=") {
			raw = append(raw, orig)
			continue
		}
		pos := -1
		for i := 1; i < len(x); i++ {
			if x[i] == '=' && x[i-1] != '\\' {
				pos = i
				break
			}
		}
		if pos < 0 {
			raw = append(raw, strings.ReplaceAll(x, `\=`, "="))
			continue
		}
		k, v := x[:pos], x[pos+1:]
		if checkRaw && !rawOptions[k] {
			raw = append(raw, orig)
			continue
		}
		k = strings.TrimSpace(k)
		if _, seen := out[k]; !seen {
			keys = append(keys, k)
		}
		out[k] = Unquote(strings.TrimSpace(v))
	}
	if len(raw) > 0 {
		if _, seen := out["_raw_params"]; !seen {
			keys = append(keys, "_raw_params")
		}
		out["_raw_params"] = JoinArgs(raw)
	}
	return keys, out, nil
}

// decodeEscapes decodes the backslash escapes Python's unicode_escape codec
// understands in a k=v token (\n, \t, \\, \', \", \xNN, \uNNNN).
func decodeEscapes(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		n := s[i+1]
		switch n {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case '\\':
			b.WriteByte('\\')
		case '\'', '"':
			b.WriteByte(n)
		case 'a':
			b.WriteByte('\a')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'v':
			b.WriteByte('\v')
		case 'x', 'u', 'U':
			w := map[byte]int{'x': 2, 'u': 4, 'U': 8}[n]
			if i+2+w <= len(s) {
				var r rune
				ok := true
				for _, h := range s[i+2 : i+2+w] {
					d := strings.IndexRune("0123456789abcdef", h|0x20)
					if d < 0 {
						ok = false
						break
					}
					r = r*16 + rune(d)
				}
				if ok {
					b.WriteRune(r)
					i += 1 + w
					continue
				}
			}
			b.WriteByte(c)
			continue
		default:
			b.WriteByte(c)
			continue
		}
		i++
	}
	return b.String()
}
