package fetch

import "strings"

// netrcLogin returns the login and password that a .netrc file (its
// text) gives for host: the last entry of that machine, else the default
// entry, as Python's netrc.authenticators does. Comments (# to the end
// of a line) and macdef bodies (up to an empty line) are skipped; double
// quotes group a token with spaces.
func netrcLogin(text, host string) (login, password string, ok bool) {
	type entry struct{ login, password string }
	machines := map[string]entry{}
	var def *entry
	toks := netrcTokens(text)
	for i := 0; i < len(toks); i++ {
		var name string
		switch toks[i] {
		case "machine":
			if i+1 >= len(toks) {
				return "", "", false
			}
			i++
			name = toks[i]
		case "default":
		default:
			continue
		}
		var e entry
		for i+1 < len(toks) {
			switch toks[i+1] {
			case "login", "user", "password", "account":
				if i+2 >= len(toks) {
					i++
					continue
				}
				switch toks[i+1] {
				case "login", "user":
					e.login = toks[i+2]
				case "password":
					e.password = toks[i+2]
				}
				i += 2
				continue
			}
			break
		}
		// (a later entry for the same machine replaces an earlier one)
		if name == "" {
			d := e
			def = &d
		} else {
			machines[name] = e
		}
	}
	if e, found := machines[host]; found {
		return e.login, e.password, true
	}
	if def != nil {
		return def.login, def.password, true
	}
	return "", "", false
}

// netrcTokens splits .netrc text into tokens, dropping comments and
// macro definitions.
func netrcTokens(text string) []string {
	var toks []string
	lines := strings.Split(text, "\n")
	for li := 0; li < len(lines); li++ {
		line := lines[li]
		for len(line) > 0 {
			line = strings.TrimLeft(line, " \t\r")
			if line == "" || line[0] == '#' {
				break
			}
			var tok string
			if line[0] == '"' {
				end := strings.IndexByte(line[1:], '"')
				if end < 0 {
					tok, line = line[1:], ""
				} else {
					tok, line = line[1:1+end], line[2+end:]
				}
			} else {
				end := strings.IndexAny(line, " \t\r")
				if end < 0 {
					end = len(line)
				}
				tok, line = line[:end], line[end:]
			}
			toks = append(toks, tok)
			if tok == "macdef" {
				// the macro's name ends the line; its body runs to an empty line
				for li+1 < len(lines) && strings.TrimSpace(lines[li+1]) != "" {
					li++
				}
				line = ""
			}
		}
	}
	return toks
}
