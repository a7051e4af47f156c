package inventory

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"octopus/engine/pyfmt"
)

const (
	numericRange = `\[(?:[0-9]+:[0-9]+)(?::[0-9]+)?\]`
	hexRange     = `\[(?:[0-9a-f]+:[0-9a-f]+)(?::[0-9]+)?\]`
	alnumRange   = `\[(?:[a-z]:[a-z]|[0-9]+:[0-9]+)(?::[0-9]+)?\]`
)

var (
	reBracketedHostPort = regexp.MustCompile(`^\[(.+)\]:([0-9]+)$`)
	reHostPort          = regexp.MustCompile(`^((?:[^:\[\]]|\[[^\]]*\])*):([0-9]+)$`)
	ipv4Comp            = `(?:[01]?[0-9]{1,2}|2[0-4][0-9]|25[0-5]|` + numericRange + `)`
	reIPv4              = regexp.MustCompile(`(?i)^(?:` + ipv4Comp + `\.){3}` + ipv4Comp + `$`)
	reIPv6              = regexp.MustCompile(ipv6Pattern())
	reAlnumRange        = regexp.MustCompile(`(?i)^` + alnumRange)
)

func ipv6Pattern() string {
	c := `(?:[0-9a-f]{1,4}|` + hexRange + `)`
	i4 := ipv4Comp
	alts := []string{
		`(?:` + c + `:){7}` + c,
		`(?:` + c + `:){1,6}:`,
		`(?:` + c + `:)(?::` + c + `){1,6}`,
		`(?:` + c + `:){2}(?::` + c + `){1,5}`,
		`(?:` + c + `:){3}(?::` + c + `){1,4}`,
		`(?:` + c + `:){4}(?::` + c + `){1,3}`,
		`(?:` + c + `:){5}(?::` + c + `){1,2}`,
		`(?:` + c + `:){6}(?::` + c + `)`,
		`:(?::` + c + `){1,6}`,
		c + `?::`,
		`(?:0:){6}(?:` + i4 + `\.){3}` + i4,
		`::(?:ffff:)?(?:` + i4 + `\.){3}` + i4,
		`(?:0:){5}ffff:(?:` + i4 + `\.){3}` + i4,
	}
	// Python matches at the start (re.match) but its $ binds only to the
	// last alternative; reproduce that quirk.
	return `(?i)^(?:` + strings.Join(alts[:len(alts)-1], "|") + `|` + alts[len(alts)-1] + `$)`
}

// isHostname reports whether s matches Ansible's hostname pattern: dot
// separated labels of word characters, '-' and [x:y] ranges, each starting
// with a word character or range and not ending in '_' or '-'.
func isHostname(s string) bool {
	for _, label := range strings.Split(s, ".") {
		if !isLabel(label) {
			return false
		}
	}
	return true
}

func isLabel(l string) bool {
	if l == "" {
		return false
	}
	first := true
	var last rune
	for l != "" {
		if m := reAlnumRange.FindString(l); m != "" {
			l = l[len(m):]
			first = false
			last = ']'
			continue
		}
		r := []rune(l)[0]
		isW := r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
		if !(isW || r == '-' && !first) {
			return false
		}
		first = false
		last = r
		l = l[len(string(r)):]
	}
	return last != '_' && last != '-'
}

// parseAddress splits "host:port", "[host]:port" and plain host forms as
// Ansible's parse_address does; it fails when the host part is not an IPv4,
// IPv6 or host name (ranges are allowed when allowRanges is set).
func parseAddress(addr string, allowRanges bool) (string, int, bool, error) {
	port, hasPort := 0, false
	for _, re := range []*regexp.Regexp{reBracketedHostPort, reHostPort} {
		if m := re.FindStringSubmatch(addr); m != nil {
			addr = m[1]
			p, err := strconv.Atoi(m[2])
			if err != nil {
				return "", 0, false, fmt.Errorf("invalid port %s", m[2])
			}
			port, hasPort = p, true
		}
	}
	if !(reIPv4.MatchString(addr) || reIPv6.MatchString(addr) || isHostname(addr)) {
		return "", 0, false, fmt.Errorf("Not a valid network hostname: %s", addr)
	}
	if !allowRanges && strings.Contains(addr, "[") {
		return "", 0, false, errors.New("Detected range in host but was asked to ignore ranges")
	}
	return addr, port, hasPort, nil
}

const asciiLetters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

// expandHostRange expands the first [beg:end(:step)] range of line,
// recursively, as Ansible's expand_hostname_range does (including its error
// messages).
func expandHostRange(line string) ([]string, error) {
	if line == "" {
		return nil, nil
	}
	r := strings.Replace(strings.Replace(line, "[", "|", 1), "]", "|", 1)
	parts := strings.Split(r, "|")
	if len(parts) < 3 {
		return nil, fmt.Errorf("not enough values to unpack (expected 3, got %d)", len(parts))
	}
	if len(parts) > 3 {
		return nil, errors.New("too many values to unpack (expected 3)")
	}
	head, nrange, tail := parts[0], parts[1], parts[2]
	bounds := strings.Split(nrange, ":")
	if len(bounds) != 2 && len(bounds) != 3 {
		return nil, errors.New("host range must be begin:end or begin:end:step")
	}
	beg, end := bounds[0], bounds[1]
	step := "1"
	if len(bounds) == 3 {
		step = bounds[2]
	}
	if beg == "" {
		beg = "0"
	}
	if end == "" {
		return nil, errors.New("host range must specify end value")
	}
	rlen := 0
	if beg[0] == '0' && len(beg) > 1 {
		rlen = len(beg)
		if rlen != len(end) {
			return nil, errors.New("host range must specify equal-length begin and end formats")
		}
	}
	fill := func(s string) string {
		for len(s) < rlen {
			s = "0" + s
		}
		return s
	}
	var seq []string
	ib, ie := strings.Index(asciiLetters, beg), strings.Index(asciiLetters, end)
	if ib >= 0 && ie >= 0 {
		if ib > ie {
			return nil, errors.New("host range must have begin <= end")
		}
		st, err := pyInt(step)
		if err != nil {
			return nil, err
		}
		if st == 0 {
			return nil, errors.New("slice step cannot be zero")
		}
		letters := asciiLetters[ib : ie+1]
		if st > 0 {
			for i := 0; i < len(letters); i += st {
				seq = append(seq, letters[i:i+1])
			}
		} else {
			for i := len(letters) - 1; i >= 0; i += st {
				seq = append(seq, letters[i:i+1])
			}
		}
	} else {
		b, err := pyInt(beg)
		if err != nil {
			return nil, err
		}
		e, err := pyInt(end)
		if err != nil {
			return nil, err
		}
		st, err := pyInt(step)
		if err != nil {
			return nil, err
		}
		if st == 0 {
			return nil, errors.New("range() arg 3 must not be zero")
		}
		if (e+1-b)/st > 1<<20 {
			return nil, errors.New("host range too large")
		}
		for i := b; st > 0 && i < e+1 || st < 0 && i > e+1; i += st {
			seq = append(seq, strconv.Itoa(i))
		}
	}
	var out []string
	for _, s := range seq {
		name := head + fill(s) + tail
		if strings.Contains(name, "[") {
			more, err := expandHostRange(name)
			if err != nil {
				return nil, err
			}
			out = append(out, more...)
		} else {
			out = append(out, name)
		}
	}
	return out, nil
}

// pyInt converts s as Python's int() does, with its error message.
func pyInt(s string) (int, error) {
	t := strings.ReplaceAll(strings.TrimSpace(s), "_", "")
	v, err := strconv.Atoi(t)
	if err != nil || strings.Contains(s, "__") || strings.HasPrefix(strings.TrimSpace(s), "_") || strings.HasSuffix(strings.TrimSpace(s), "_") {
		return 0, fmt.Errorf("invalid literal for int() with base 10: %s", pyfmt.Quote(s))
	}
	return v, nil
}

// expandHostPattern splits an optional port off a host pattern and expands
// its ranges, as BaseInventoryPlugin._expand_hostpattern does.
func expandHostPattern(pattern string) ([]string, int, bool, error) {
	host, port, hasPort, err := parseAddress(pattern, true)
	if err != nil {
		host, port, hasPort = pattern, 0, false
	}
	if strings.Contains(host, "[") {
		names, err := expandHostRange(host)
		return names, port, hasPort, err
	}
	return []string{host}, port, hasPort, nil
}
