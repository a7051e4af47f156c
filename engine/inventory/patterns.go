package inventory

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
)

var (
	rePatternSubscript = regexp.MustCompile(`^(.+)\[(?:(-?[0-9]+)|([0-9]+)([:-])([0-9]*))\]$`)
	rePatternWords     = regexp.MustCompile(`(?:[^\s:\[\]]|\[[^\]]*\])+`)
)

// SplitPattern splits a host pattern on commas (or, when there is no
// comma and the whole is not a host:port address, on colons outside
// brackets), as Ansible's split_host_pattern does.
func SplitPattern(pattern string) []string {
	var parts []string
	if strings.Contains(pattern, ",") {
		parts = strings.Split(pattern, ",")
	} else if _, _, _, err := parseAddress(pattern, true); err == nil {
		parts = []string{pattern}
	} else {
		parts = rePatternWords.FindAllString(pattern, -1)
	}
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// orderPatterns puts plain patterns first, then &intersections, then
// !exclusions; with no plain pattern "all" is implied.
func orderPatterns(patterns []string) []string {
	var reg, inter, excl []string
	for _, p := range patterns {
		switch {
		case p == "":
		case p[0] == '!':
			excl = append(excl, p)
		case p[0] == '&':
			inter = append(inter, p)
		default:
			reg = append(reg, p)
		}
	}
	if len(reg) == 0 {
		reg = []string{"all"}
	}
	return append(append(reg, inter...), excl...)
}

// SetLimit restricts every later Hosts call to hosts matching limit (the
// --limit option); "@file" entries read one pattern per line. An empty
// limit removes the restriction.
func (inv *Inventory) SetLimit(limit string) error {
	inv.patternCache = nil
	if limit == "" {
		inv.subset, inv.hasSubset = nil, false
		return nil
	}
	var results []string
	for _, x := range SplitPattern(limit) {
		if strings.HasPrefix(x, "@") {
			path := x[1:]
			st, err := os.Stat(path)
			if err != nil {
				return fmt.Errorf("Unable to find limit file b'%s'", path)
			}
			if st.IsDir() {
				return fmt.Errorf("Limit starting with \"@\" must be a file, not a directory: b'%s'", path)
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for _, l := range strings.Split(string(data), "\n") {
				results = append(results, strings.TrimSpace(l))
			}
			continue
		}
		results = append(results, x)
	}
	inv.subset, inv.hasSubset = results, true
	return nil
}

// Hosts returns the hosts matching pattern (and the limit, if any) in
// Ansible's order without duplicates. Unmatched parts add the warning
// "Could not match supplied host pattern, ignoring: X".
func (inv *Inventory) Hosts(pattern string) (hosts []*Host, err error) {
	defer func() {
		if r := recover(); r != nil {
			hosts, err = nil, fmt.Errorf("%v", r)
		}
	}()
	hosts, err = inv.evaluatePatterns(SplitPattern(pattern))
	if err != nil {
		return nil, err
	}
	if inv.hasSubset {
		sub, err := inv.evaluatePatterns(inv.subset)
		if err != nil {
			return nil, err
		}
		keep := map[*Host]bool{}
		for _, h := range sub {
			keep[h] = true
		}
		var out []*Host
		for _, h := range hosts {
			if keep[h] {
				out = append(out, h)
			}
		}
		hosts = out
	}
	return dedupHosts(hosts), nil
}

// ListHosts is Hosts, but a localhost-like pattern that matches nothing
// still returns the implicit localhost (InventoryManager.list_hosts).
func (inv *Inventory) ListHosts(pattern string) ([]*Host, error) {
	hosts, err := inv.Hosts(pattern)
	if err != nil {
		return nil, err
	}
	if len(hosts) == 0 && isLocalhostName(pattern) {
		hosts = []*Host{inv.Host(pattern)}
	}
	return hosts, nil
}

// HostList is CLI.get_host_list as ansible and ansible-playbook use it:
// with an empty inventory it warns that only localhost is available, then
// applies limit and returns the hosts matching pattern, failing when the
// inventory had hosts but none match.
func (inv *Inventory) HostList(limit, pattern string) ([]*Host, error) {
	all, err := inv.ListHosts("all")
	if err != nil {
		return nil, err
	}
	noHosts := false
	if len(all) == 0 {
		if !isLocalhostName(pattern) {
			inv.Warnings.Add("provided hosts list is empty, only localhost is available. Note that the implicit localhost does not match 'all'")
		}
		noHosts = true
	}
	if err := inv.SetLimit(limit); err != nil {
		return nil, err
	}
	hosts, err := inv.ListHosts(pattern)
	if err != nil {
		return nil, err
	}
	if len(hosts) == 0 && !noHosts {
		return nil, errors.New("Specified inventory, host pattern and/or --limit leaves us with no hosts to target.")
	}
	return hosts, nil
}

func dedupHosts(hosts []*Host) []*Host {
	seen := map[*Host]bool{}
	out := make([]*Host, 0, len(hosts))
	for _, h := range hosts {
		if !seen[h] {
			seen[h] = true
			out = append(out, h)
		}
	}
	return out
}

func (inv *Inventory) evaluatePatterns(patterns []string) ([]*Host, error) {
	var hosts []*Host
	for _, p := range orderPatterns(patterns) {
		if h := inv.hosts[p]; h != nil {
			hosts = append(hosts, h)
			continue
		}
		that, err := inv.matchOnePattern(p)
		if err != nil {
			return nil, err
		}
		set := map[*Host]bool{}
		for _, h := range that {
			set[h] = true
		}
		switch p[0] {
		case '!':
			hosts = filterHosts(hosts, func(h *Host) bool { return !set[h] })
		case '&':
			hosts = filterHosts(hosts, func(h *Host) bool { return set[h] })
		default:
			existing := map[string]bool{}
			for _, h := range hosts {
				existing[h.Name] = true
			}
			for _, h := range that {
				if !existing[h.Name] {
					hosts = append(hosts, h)
				}
			}
		}
	}
	return hosts, nil
}

func filterHosts(hosts []*Host, keep func(*Host) bool) []*Host {
	var out []*Host
	for _, h := range hosts {
		if keep(h) {
			out = append(out, h)
		}
	}
	return out
}

type subscript struct {
	start, end int
	hasEnd     bool
}

func (inv *Inventory) matchOnePattern(pattern string) ([]*Host, error) {
	if pattern[0] == '&' || pattern[0] == '!' {
		pattern = pattern[1:]
	}
	if inv.patternCache == nil {
		inv.patternCache = map[string][]*Host{}
	}
	if hs, ok := inv.patternCache[pattern]; ok {
		return hs, nil
	}
	expr, sub := inv.splitSubscript(pattern)
	hosts, err := inv.enumerateMatches(expr)
	if err != nil {
		return nil, err
	}
	if sub != nil && len(hosts) > 0 {
		hosts, err = applySubscript(hosts, *sub)
		if err != nil {
			return nil, fmt.Errorf("No hosts matched the subscripted pattern '%s'", pattern)
		}
	}
	inv.patternCache[pattern] = hosts
	return hosts, nil
}

func (inv *Inventory) splitSubscript(pattern string) (string, *subscript) {
	if pattern == "" || pattern[0] == '~' {
		return pattern, nil
	}
	m := rePatternSubscript.FindStringSubmatch(pattern)
	if m == nil {
		return pattern, nil
	}
	if m[2] != "" {
		i, _ := strconv.Atoi(m[2])
		return m[1], &subscript{start: i}
	}
	start, _ := strconv.Atoi(m[3])
	end := -1
	if m[5] != "" {
		end, _ = strconv.Atoi(m[5])
	}
	if m[4] == "-" {
		inv.Warnings.Add("Use [x:y] inclusive subscripts instead of [x-y] which has been removed")
	}
	return m[1], &subscript{start: start, end: end, hasEnd: true}
}

// applySubscript mirrors Python slicing hosts[start:end+1] or hosts[i].
func applySubscript(hosts []*Host, s subscript) ([]*Host, error) {
	n := len(hosts)
	if s.hasEnd && s.end != 0 {
		end := s.end
		if end == -1 {
			end = n - 1
		}
		return pySlice(hosts, s.start, end+1), nil
	}
	i := s.start
	if i < 0 {
		i += n
	}
	if i < 0 || i >= n {
		return nil, errors.New("index out of range")
	}
	return []*Host{hosts[i]}, nil
}

func pySlice(hosts []*Host, a, b int) []*Host {
	n := len(hosts)
	norm := func(x int) int {
		if x < 0 {
			x += n
			if x < 0 {
				x = 0
			}
		}
		if x > n {
			x = n
		}
		return x
	}
	a, b = norm(a), norm(b)
	if a >= b {
		return nil
	}
	return hosts[a:b]
}

// compilePattern turns a shell glob (fnmatch) or "~regex" into a regexp
// matched at the start (re.match); a glob must match the whole name.
func compilePattern(p string) (*regexp.Regexp, error) {
	if strings.HasPrefix(p, "~") {
		return regexp.Compile(`^(?:` + p[1:] + `)`)
	}
	return regexp.Compile(fnmatchTranslate(p))
}

// fnmatchTranslate is Python's fnmatch.translate.
func fnmatchTranslate(pat string) string {
	var b strings.Builder
	b.WriteString(`^(?s:`)
	rs := []rune(pat)
	for i := 0; i < len(rs); i++ {
		c := rs[i]
		switch c {
		case '*':
			for i+1 < len(rs) && rs[i+1] == '*' {
				i++
			}
			b.WriteString(`.*`)
		case '?':
			b.WriteString(`.`)
		case '[':
			j := i + 1
			if j < len(rs) && rs[j] == '!' {
				j++
			}
			if j < len(rs) && rs[j] == ']' {
				j++
			}
			for j < len(rs) && rs[j] != ']' {
				j++
			}
			if j >= len(rs) {
				b.WriteString(`\[`)
				continue
			}
			stuff := string(rs[i+1 : j])
			i = j
			if stuff == "" {
				b.WriteString(`[^\x{0}-\x{10FFFF}]`) // matches nothing
				continue
			}
			if stuff == "!" {
				b.WriteString(`.`)
				continue
			}
			neg := false
			if stuff[0] == '!' {
				neg, stuff = true, stuff[1:]
			}
			stuff = strings.ReplaceAll(stuff, `\`, `\\`)
			stuff = strings.ReplaceAll(stuff, `[`, `\[`)
			if neg {
				b.WriteString(`[^` + stuff + `]`)
			} else if strings.HasPrefix(stuff, "^") {
				b.WriteString(`[\` + stuff + `]`)
			} else {
				b.WriteString(`[` + stuff + `]`)
			}
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString(`)$`)
	return b.String()
}

func (inv *Inventory) enumerateMatches(pattern string) ([]*Host, error) {
	re, err := compilePattern(pattern)
	if err != nil {
		return nil, fmt.Errorf("Invalid host list pattern: %s", pattern)
	}
	var results []*Host
	matchedGroup := false
	for _, g := range inv.groupOrder {
		if re.MatchString(g.Name) {
			matchedGroup = true
			results = append(results, g.AllHosts()...)
		}
	}
	if !matchedGroup || pattern[0] == '~' || strings.ContainsAny(pattern, ".?*[") {
		for _, h := range inv.hostOrder {
			if re.MatchString(h.Name) {
				results = append(results, h)
			}
		}
	}
	if len(results) == 0 && isLocalhostName(pattern) {
		results = append(results, inv.Host(pattern))
	}
	if len(results) == 0 && !matchedGroup && pattern != "all" {
		inv.Warnings.Add("Could not match supplied host pattern, ignoring: %s", pattern)
	}
	return results, nil
}
