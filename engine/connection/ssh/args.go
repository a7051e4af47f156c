package ssh

import (
	"fmt"
	"strings"

	"octopus/engine/shlex"
)

// splitArgs splits an ssh argument string into words as Python's
// shlex.split does (see package shlex), naming the string on error.
func splitArgs(s string) ([]string, error) {
	words, err := shlex.Split(s)
	if err != nil {
		return nil, fmt.Errorf("%v in ssh args %q", err, s)
	}
	return words, nil
}

// sshFlagsWithArg are the ssh(1) options that take an argument.
const sshFlagsWithArg = "BbcDEeFIiJLlmOopQRSWw"

// parseArgs extracts the options octopus honours from an ssh command line
// fragment (ssh_args, ssh_common_args, ssh_extra_args): every -o Key=Value
// (or "-o Key Value"), -J, -p, -l and -i. Keys are lower-cased. As in ssh(1),
// the first value given for a key wins, except IdentityFile which accumulates.
// Other flags (-C, -tt, -v, ...) are accepted and ignored.
func parseArgs(s string) (map[string][]string, error) {
	words, err := splitArgs(s)
	if err != nil {
		return nil, err
	}
	opts := map[string][]string{}
	set := func(key, val string) {
		key = strings.ToLower(key)
		if key == "identityfile" || opts[key] == nil {
			opts[key] = append(opts[key], val)
		}
	}
	for i := 0; i < len(words); i++ {
		w := words[i]
		if len(w) < 2 || w[0] != '-' {
			continue // a host name or command: not ours
		}
		// a cluster of flags such as -tt or -Cq, where one of them may take an argument
		for j := 1; j < len(w); j++ {
			f := w[j]
			if strings.IndexByte(sshFlagsWithArg, f) < 0 {
				continue
			}
			arg := w[j+1:]
			if arg == "" {
				if i+1 >= len(words) {
					return nil, fmt.Errorf("ssh args: option -%c needs an argument", f)
				}
				i++
				arg = words[i]
			}
			switch f {
			case 'o':
				k, v, ok := strings.Cut(arg, "=")
				if !ok {
					k, v, ok = strings.Cut(strings.TrimSpace(arg), " ")
				}
				if !ok {
					return nil, fmt.Errorf("ssh args: bad -o option %q", arg)
				}
				set(strings.TrimSpace(k), strings.TrimSpace(v))
			case 'J':
				set("proxyjump", arg)
			case 'p':
				set("port", arg)
			case 'l':
				set("user", arg)
			case 'i':
				set("identityfile", arg)
			}
			break
		}
	}
	return opts, nil
}

// jumpHost is one hop of a ProxyJump chain.
type jumpHost struct {
	User string
	Host string
	Port string
}

// parseJump parses a ProxyJump value: [user@]host[:port] or
// ssh://[user@]host[:port], comma-separated; "none" means no jump.
func parseJump(s string) ([]jumpHost, error) {
	if s == "" || strings.EqualFold(s, "none") {
		return nil, nil
	}
	var hops []jumpHost
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimPrefix(strings.TrimSpace(part), "ssh://")
		var h jumpHost
		if at := strings.LastIndexByte(part, '@'); at >= 0 {
			h.User, part = part[:at], part[at+1:]
		}
		switch {
		case strings.HasPrefix(part, "["):
			end := strings.IndexByte(part, ']')
			if end < 0 {
				return nil, fmt.Errorf("bad ProxyJump host %q", part)
			}
			h.Host = part[1:end]
			if rest := part[end+1:]; strings.HasPrefix(rest, ":") {
				h.Port = rest[1:]
			}
		case strings.Count(part, ":") == 1:
			h.Host, h.Port, _ = strings.Cut(part, ":")
		default:
			h.Host = part
		}
		if h.Host == "" {
			return nil, fmt.Errorf("bad ProxyJump value %q", s)
		}
		hops = append(hops, h)
	}
	return hops, nil
}

// expandProxyCommand substitutes %h, %p, %r and %% in a ProxyCommand.
func expandProxyCommand(cmd, host, port, user string) string {
	var b strings.Builder
	for i := 0; i < len(cmd); i++ {
		if cmd[i] != '%' || i+1 >= len(cmd) {
			b.WriteByte(cmd[i])
			continue
		}
		i++
		switch cmd[i] {
		case 'h':
			b.WriteString(host)
		case 'p':
			b.WriteString(port)
		case 'r':
			b.WriteString(user)
		case 'n':
			b.WriteString(host)
		case '%':
			b.WriteByte('%')
		default:
			b.WriteByte('%')
			b.WriteByte(cmd[i])
		}
	}
	return b.String()
}
