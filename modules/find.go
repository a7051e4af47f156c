package modules

import (
	"context"
	"encoding/base64"
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"octopus/engine/connection"
	"octopus/modules/internal/argspec"
	"octopus/modules/internal/pyre"
	"octopus/modules/internal/remote"
)

func init() { Register(guarded(runFind), "find") }

var findSpec = argspec.Spec{
	Module: "find",
	Options: []argspec.Option{
		{Name: "paths", Type: "list", Elements: "str", Required: true, Aliases: []string{"name", "path"}},
		{Name: "patterns", Type: "list", Elements: "str", Default: []any{}, Aliases: []string{"pattern"}},
		{Name: "excludes", Type: "list", Elements: "str", Aliases: []string{"exclude"}},
		{Name: "contains"},
		{Name: "read_whole_file", Type: "bool", Default: false},
		{Name: "file_type", Default: "file", Choices: []any{"any", "directory", "file", "link"}},
		{Name: "age"},
		{Name: "age_stamp", Default: "mtime", Choices: []any{"atime", "ctime", "mtime"}},
		{Name: "size"},
		{Name: "recurse", Type: "bool", Default: false},
		{Name: "hidden", Type: "bool", Default: false},
		{Name: "follow", Type: "bool", Default: false},
		{Name: "get_checksum", Type: "bool", Default: false},
		{Name: "use_regex", Type: "bool", Default: false},
		{Name: "depth", Type: "int"},
	},
}

var (
	findAgeRe  = regexp.MustCompile(`^(-?\d+)(s|m|h|d|w)?$`)
	findSizeRe = regexp.MustCompile(`^(-?\d+)(b|k|m|g|t)?$`)
)

// findEntry is one file system object found below a search path.
type findEntry struct {
	path  string
	st    remote.Stat
	isDir bool // os.walk's view: a directory, or a symlink to one
}

// fnmatchRe translates a shell pattern as Python's fnmatch.translate does
// (no escaping with backslash; [!...] negates; * and ? cross any character).
func fnmatchRe(pat string) string {
	var b strings.Builder
	b.WriteString(`^(?s:`)
	for i := 0; i < len(pat); {
		c, w := utf8.DecodeRuneInString(pat[i:])
		i += w
		switch c {
		case '*':
			b.WriteString(`.*`)
		case '?':
			b.WriteString(`.`)
		case '[':
			j := i
			if j < len(pat) && pat[j] == '!' {
				j++
			}
			if j < len(pat) && pat[j] == ']' {
				j++
			}
			for j < len(pat) && pat[j] != ']' {
				j++
			}
			if j >= len(pat) {
				b.WriteString(`\[`)
				continue
			}
			stuff := pat[i:j]
			i = j + 1
			stuff = strings.ReplaceAll(stuff, `\`, `\\`)
			if strings.HasPrefix(stuff, "!") {
				stuff = "^" + stuff[1:]
			} else if strings.HasPrefix(stuff, "^") {
				stuff = `\` + stuff
			}
			if stuff == "" {
				b.WriteString(`[^\x00-\x{10FFFF}]`)
				continue
			}
			b.WriteString("[" + stuff + "]")
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString(`)\z`)
	return b.String()
}

// findMatcher implements find's pfilter on a base name.
type findMatcher struct {
	pats, excl []interface{ MatchString(string) bool }
}

func newFindMatcher(pats, excl []string, useRegex bool) (*findMatcher, error) {
	m := &findMatcher{}
	comp := func(p string) (interface{ MatchString(string) bool }, error) {
		if useRegex {
			// Python's re.match: anchored at the start only.
			return pyre.Compile(`\A(?:` + p + `)`)
		}
		return regexp.Compile(fnmatchRe(p))
	}
	for _, p := range pats {
		r, err := comp(p)
		if err != nil {
			return nil, err
		}
		m.pats = append(m.pats, r)
	}
	for _, p := range excl {
		r, err := comp(p)
		if err != nil {
			return nil, err
		}
		m.excl = append(m.excl, r)
	}
	return m, nil
}

func (m *findMatcher) match(name string) bool {
	for _, p := range m.pats {
		if p.MatchString(name) {
			for _, e := range m.excl {
				if e.MatchString(name) {
					return false
				}
			}
			return true
		}
	}
	return false
}

const findStatFmt = `%f|%u|%g|%U|%G|%s|%h|%i|%d|%.9X|%.9Y|%.9Z|%b|%o|%t|%T|%n`

// findScript lists everything below each path, one round trip: lstat
// lines of every entry, then the followed type of every symlink.
func findScript(paths []string, maxDepth int, follow bool) string {
	var b strings.Builder
	b.WriteString("LC_ALL=C; export LC_ALL\ndate +%s.%N\n")
	L := ""
	if follow {
		L = "-L "
	}
	md := ""
	if maxDepth > 0 {
		md = fmt.Sprintf(" -maxdepth %d", maxDepth)
	}
	for i, p := range paths {
		fmt.Fprintf(&b, "p=%s; printf '@%d\\nP|%%s\\n' \"$p\"\n", remote.ExpandVarsWord(p), i)
		q := `"$p"`
		fmt.Fprintf(&b, "if [ -d %s ]; then printf 'D\\n'\n", q)
		fmt.Fprintf(&b, "find %s%s -mindepth 1%s -print0 2>/dev/null | xargs -0 -r stat -c 'S|%s' -- 2>/dev/null\n", L, q, md, findStatFmt)
		fmt.Fprintf(&b, "find %s%s -mindepth 1%s -type l -print0 2>/dev/null | xargs -0 -r stat -L -c 'T|%%f|%%n' -- 2>/dev/null\n", "", q, md)
		if follow {
			fmt.Fprintf(&b, "find -L %s -mindepth 1%s -xtype l -print0 2>/dev/null | xargs -0 -r stat -L -c 'T|%%f|%%n' -- 2>/dev/null\n", q, md)
		}
		b.WriteString("fi\n")
	}
	return b.String()
}

func runFind(ctx context.Context, req *Request) (Result, error) {
	p, err := validate(&findSpec, req)
	if err != nil {
		return argFail(err)
	}
	patterns := p.List("patterns")
	useRegex := p.Bool("use_regex")
	if len(patterns) == 0 {
		patterns = []string{"*"}
		if useRegex {
			patterns = []string{".*"}
		}
		p["patterns"] = []any{patterns[0]} // reported in invocation, as Ansible's find updates its params
	}
	var age *float64
	if p.Set("age") {
		m := findAgeRe.FindStringSubmatch(strings.ToLower(p.String("age")))
		if m == nil {
			return Result{"failed": true, "age": p.String("age"), "msg": "failed to process age"}, nil
		}
		n, _ := strconv.Atoi(m[1])
		a := float64(n * map[string]int{"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}[m[2]])
		age = &a
	}
	var size *int64
	if p.Set("size") {
		m := findSizeRe.FindStringSubmatch(strings.ToLower(p.String("size")))
		if m == nil {
			return Result{"failed": true, "size": p.String("size"), "msg": "failed to process size"}, nil
		}
		n, _ := strconv.ParseInt(m[1], 10, 64)
		s := n * map[string]int64{"": 1, "b": 1, "k": 1024, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}[m[2]]
		size = &s
	}
	matcher, err := newFindMatcher(patterns, p.List("excludes"), useRegex)
	if err != nil {
		return fail(Result{}, "Invalid regular expression: "+err.Error())
	}
	var contains *pyre.Regexp
	if p.Set("contains") {
		if contains, err = pyre.Compile(p.String("contains")); err != nil {
			return fail(Result{}, "Invalid regular expression: "+err.Error())
		}
	}
	depth := p.Int("depth")
	maxDepth := 1
	if p.Bool("recurse") {
		maxDepth = 0
		if depth > 0 {
			maxDepth = depth + 1
		}
	}
	// expandvars / expanduser happen on the target, inside the script.
	paths := p.List("paths")
	res, err := target(req).Run(ctx, findScript(paths, maxDepth, p.Bool("follow")), nil)
	if err != nil {
		return nil, err
	}
	lines := strings.Split(string(res.Stdout), "\n")
	now, _ := strconv.ParseFloat(strings.TrimSpace(lines[0]), 64)
	isDirPath := make([]bool, len(paths))
	entries := make([][]findEntry, len(paths))
	targets := make([]map[string]uint32, len(paths))
	cur := -1
	for _, l := range lines[1:] {
		switch {
		case strings.HasPrefix(l, "@"):
			cur, _ = strconv.Atoi(l[1:])
			if cur < 0 || cur >= len(paths) {
				cur = -1
			} else {
				targets[cur] = map[string]uint32{}
			}
		case cur < 0:
		case strings.HasPrefix(l, "P|"):
			paths[cur] = l[2:]
		case l == "D":
			isDirPath[cur] = true
		case strings.HasPrefix(l, "S|"):
			f := strings.SplitN(l[2:], "|", 17)
			if len(f) == 17 {
				st := remote.StatFromFields(strings.Join(f[:16], "|"))
				entries[cur] = append(entries[cur], findEntry{path: f[16], st: st, isDir: st.Is(remote.ModeDir)})
			}
		case strings.HasPrefix(l, "T|"):
			f := strings.SplitN(l[2:], "|", 2)
			if len(f) == 2 {
				t, _ := strconv.ParseUint(f[0], 16, 32)
				targets[cur][f[1]] = uint32(t) & remote.ModeType
			}
		}
	}
	ft := p.String("file_type")
	files := []any{}
	skipped := map[string]any{}
	var warnings []any
	looked := 0
	for i, np := range paths {
		if !isDirPath[i] {
			e := fmt.Sprintf("'%s' is not a directory", np)
			skipped[np] = e
			warnings = append(warnings, fmt.Sprintf("Skipped '%s' path due to this access issue: %s\n", np, e))
			continue
		}
		children := map[string][]findEntry{}
		for _, e := range entries[i] {
			if e.st.Is(remote.ModeLink) && targets[i][e.path] == remote.ModeDir {
				e.isDir = true
			}
			parent := path.Dir(e.path)
			children[parent] = append(children[parent], e)
		}
		root := strings.TrimRight(np, "/")
		if root == "" {
			root = "/"
		}
		var walk func(dir string)
		walk = func(dir string) {
			var fs, ds []findEntry
			for _, e := range children[dir] {
				if e.isDir {
					ds = append(ds, e)
				} else {
					fs = append(fs, e)
				}
			}
			looked += len(fs) + len(ds)
			for _, e := range append(fs, ds...) {
				name := path.Base(e.path)
				if depth > 0 {
					d := strings.Count(path.Clean(e.path), "/") - strings.Count(root+"/", "/") + 1
					if root == "/" {
						d = strings.Count(path.Clean(e.path), "/")
					}
					if d > depth {
						return
					}
				}
				if strings.HasPrefix(name, ".") && !p.Bool("hidden") {
					continue
				}
				st := &e.st
				ok := false
				switch {
				case ft == "any":
					ok = matcher.match(name) && findAge(st, now, age, p.String("age_stamp")) && (!st.Is(remote.ModeReg) || findSize(st, size))
				case ft == "directory" && st.Is(remote.ModeDir):
					ok = matcher.match(name) && findAge(st, now, age, p.String("age_stamp"))
				case ft == "file" && st.Is(remote.ModeReg):
					ok = matcher.match(name) && findAge(st, now, age, p.String("age_stamp")) && findSize(st, size)
				case ft == "link" && st.Is(remote.ModeLink):
					ok = matcher.match(name) && findAge(st, now, age, p.String("age_stamp"))
				}
				if ok {
					files = append(files, findStatInfo(path.Clean(e.path), st))
				}
			}
			if !p.Bool("recurse") {
				return
			}
			for _, d := range ds {
				if d.st.Is(remote.ModeLink) && !p.Bool("follow") {
					continue
				}
				walk(d.path)
			}
		}
		// find prints paths as given; children of the top are keyed by it.
		top := np
		if len(entries[i]) > 0 {
			top = path.Dir(entries[i][0].path)
			for _, e := range entries[i] {
				if d := path.Dir(e.path); len(d) < len(top) {
					top = d
				}
			}
		}
		walk(top)
	}
	// contains and checksums need file contents: one more round trip for
	// the regular files still selected.
	needContent := contains != nil && ft == "file"
	if needContent || p.Bool("get_checksum") {
		var sel []string
		for _, f := range files {
			m := f.(map[string]any)
			if m["isreg"] == true {
				sel = append(sel, m["path"].(string))
			}
		}
		if len(sel) > 0 {
			data, sums, err := findReadFiles(ctx, req, sel, needContent, p.Bool("get_checksum"))
			if err != nil {
				return nil, err
			}
			kept := []any{}
			for _, f := range files {
				m := f.(map[string]any)
				pth := m["path"].(string)
				if m["isreg"] == true && needContent && !findContains(data[pth], contains, p.Bool("read_whole_file")) {
					continue
				}
				if m["isreg"] == true && p.Bool("get_checksum") {
					m["checksum"] = sums[pth]
				}
				kept = append(kept, m)
			}
			files = kept
		}
	}
	msg := "All paths examined"
	r := Result{"changed": false, "files": files, "matched": len(files), "examined": looked, "skipped_paths": skipped}
	if len(warnings) > 0 {
		msg = "Not all paths examined, check warnings for details"
		r["warnings"] = warnings
	}
	r["msg"] = msg
	return r, nil
}

func findAge(st *remote.Stat, now float64, age *float64, stamp string) bool {
	if age == nil {
		return true
	}
	t := st.Mtime
	switch stamp {
	case "atime":
		t = st.Atime
	case "ctime":
		t = st.Ctime
	}
	if *age >= 0 {
		return now-t >= *age
	}
	return now-t <= -*age
}

func findSize(st *remote.Stat, size *int64) bool {
	if size == nil {
		return true
	}
	if *size >= 0 {
		return st.Size >= *size
	}
	return st.Size <= -*size
}

// findContains is find's contentfilter: Python reads the file as UTF-8
// text; undecodable files never match.
func findContains(data []byte, re *pyre.Regexp, whole bool) bool {
	if !utf8.Valid(data) {
		return false
	}
	if whole {
		return re.Match(data)
	}
	for len(data) > 0 {
		line := data
		if i := strings.IndexByte(string(data), '\n'); i >= 0 {
			line, data = data[:i+1], data[i+1:]
		} else {
			data = nil
		}
		if m := re.SearchLine(line); m != nil && m[0] == 0 {
			return true
		}
	}
	return false
}

// findReadFiles fetches contents and/or sha1 sums of files in one round trip.
func findReadFiles(ctx context.Context, req *Request, paths []string, content, sum bool) (map[string][]byte, map[string]string, error) {
	var b strings.Builder
	for i, f := range paths {
		q := connection.ShellQuote(f)
		fmt.Fprintf(&b, "printf '@%d\\n'\n", i)
		if sum {
			fmt.Fprintf(&b, "printf 'S\\n'; sha1sum < %s 2>/dev/null | cut -c1-40\n", q)
		}
		if content {
			fmt.Fprintf(&b, "printf 'C\\n'; base64 -w0 < %s 2>/dev/null; echo\n", q)
		}
	}
	res, err := target(req).Run(ctx, b.String(), nil)
	if err != nil {
		return nil, nil, err
	}
	data, sums := map[string][]byte{}, map[string]string{}
	lines := strings.Split(string(res.Stdout), "\n")
	cur := ""
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if strings.HasPrefix(l, "@") {
			n, _ := strconv.Atoi(l[1:])
			if n >= 0 && n < len(paths) {
				cur = paths[n]
			}
			continue
		}
		if i+1 >= len(lines) {
			break
		}
		switch l {
		case "S":
			sums[cur] = lines[i+1]
			i++
		case "C":
			data[cur], _ = base64.StdEncoding.DecodeString(lines[i+1])
			i++
		}
	}
	return data, sums, nil
}

// findStatInfo is find's per-file dictionary.
func findStatInfo(p string, st *remote.Stat) map[string]any {
	m := st.Mode
	bit := func(b uint32) bool { return m&b != 0 }
	pw, gr := st.Owner, st.Group
	if pw == itoa(st.UID) {
		pw = ""
	}
	if gr == itoa(st.GID) {
		gr = ""
	}
	return map[string]any{
		"path": p, "mode": fmtMode4(st.Perm()),
		"isdir": st.Is(remote.ModeDir), "ischr": st.Is(remote.ModeChr), "isblk": st.Is(remote.ModeBlk),
		"isreg": st.Is(remote.ModeReg), "isfifo": st.Is(remote.ModeFIFO), "islnk": st.Is(remote.ModeLink),
		"issock": st.Is(remote.ModeSock), "uid": st.UID, "gid": st.GID, "size": int(st.Size),
		"inode": int(st.Inode), "dev": int(st.Dev), "nlink": st.Nlink,
		"atime": st.Atime, "mtime": st.Mtime, "ctime": st.Ctime, "gr_name": gr, "pw_name": pw,
		"wusr": bit(0o200), "rusr": bit(0o400), "xusr": bit(0o100),
		"wgrp": bit(0o020), "rgrp": bit(0o040), "xgrp": bit(0o010),
		"woth": bit(0o002), "roth": bit(0o004), "xoth": bit(0o001),
		"isuid": bit(0o4000), "isgid": bit(0o2000),
	}
}
