package template

import (
	"crypto/rand"
	"encoding/csv"
	"errors"
	"fmt"
	"math/big"
	"octopus/engine/pyregex"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"octopus/engine/pyfmt"
	"octopus/engine/value"
)

// lookupFunc runs one lookup plugin over its terms.
type lookupFunc func(st *renderState, terms []any, kw *value.Dict) ([]any, error)

var lookups = map[string]lookupFunc{}

func registerLookup(f lookupFunc, names ...string) {
	for _, n := range names {
		lookups[n] = f
		lookups["ansible.builtin."+n] = f
	}
}

// LookupError is a failure reported by a lookup plugin.
type LookupError struct{ Msg string }

// Error returns the message.
func (e *LookupError) Error() string { return e.Msg }

// LookupList runs lookup `name` the way a `with_<name>:` loop does and
// returns the items. terms is the loop value (templated here).
func (t *Templar) LookupList(name string, terms any, vars Vars) (res []any, err error) {
	defer recoverErr(&err)
	st := t.newState(vars)
	f, ok := lookups[name]
	if !ok {
		return nil, fmt.Errorf("lookup plugin (%s) not found", name)
	}
	var list []any
	if s, isStr := terms.(string); isStr {
		v, err := t.templateValue(strings.TrimSpace(s), st, true)
		if err != nil {
			return nil, err
		}
		terms = v
	} else {
		v, err := t.templateValue(terms, st, true)
		if err != nil {
			return nil, err
		}
		terms = v
	}
	if l, ok := terms.([]any); ok {
		list = l
	} else {
		list = []any{terms}
	}
	return f(st, list, value.NewDict(0))
}

func (t *Templar) runLookup(st *renderState, name string, terms []any, kw *value.Dict, wantlist bool) (any, error) {
	f, ok := lookups[name]
	if !ok {
		return nil, fmt.Errorf("lookup plugin (%s) not found", name)
	}
	errMode := "strict"
	if v, ok := kw.Get("errors"); ok {
		errMode = toStr(v)
		kw = kw.Copy()
		kw.Delete("errors")
	}
	for _, a := range terms {
		if u, ok := a.(*Undefined); ok {
			return nil, u.err()
		}
	}
	ran, err := f(st, terms, kw)
	if err != nil {
		var le *LookupError
		msg := err.Error()
		if !errors.As(err, &le) {
			var ue *UndefinedError
			if errors.As(err, &ue) {
				return nil, err
			}
			msg = fmt.Sprintf("An unhandled exception occurred while running the lookup plugin '%s'. Error was a %s, original message: %s. %s", name, "<class 'ansible.errors.AnsibleError'>", err.Error(), err.Error())
		} else {
			msg = "Lookup failed but the error is being ignored: " + msg
			if errMode == "strict" {
				return nil, err
			}
		}
		switch errMode {
		case "warn":
			t.warn(msg)
		case "ignore":
		default:
			return nil, fmt.Errorf("%s", msg)
		}
		if wantlist {
			return []any{}, nil
		}
		return nil, nil
	}
	if ran == nil {
		ran = []any{}
	}
	if wantlist {
		return ran, nil
	}
	parts := make([]string, 0, len(ran))
	allStr := true
	for _, r := range ran {
		s, ok := asString(r)
		if !ok {
			allStr = false
			break
		}
		parts = append(parts, s)
	}
	if allStr {
		return strings.Join(parts, ","), nil
	}
	if len(ran) == 1 {
		return ran[0], nil
	}
	return ran, nil
}

// findFile searches a relative path in the lookup search path (subdir is
// "files" or "templates").
func (t *Templar) findFile(name, subdir string) (string, bool) {
	if filepath.IsAbs(name) {
		_, err := os.Stat(name)
		return name, err == nil
	}
	var dirs []string
	for _, d := range append([]string{t.opts.BaseDir}, t.opts.SearchPaths...) {
		if d == "" {
			continue
		}
		dirs = append(dirs, filepath.Join(d, subdir), d)
	}
	if len(dirs) == 0 {
		dirs = []string{filepath.Join(".", subdir), "."}
	}
	for _, d := range dirs {
		p := filepath.Join(d, name)
		if _, err := os.Stat(p); err == nil {
			return p, true
		}
	}
	return "", false
}

func kwBool(kw *value.Dict, name string, def bool) bool {
	if v, ok := kw.Get(name); ok {
		b, _ := fBool(nil, v, nil, nil)
		return b.(bool)
	}
	return def
}

func kwStr(kw *value.Dict, name, def string) string {
	if v, ok := kw.Get(name); ok {
		return toStr(v)
	}
	return def
}

// parseKV splits "term key=value key2=value2" into the term and options.
func parseKV(term string, kw *value.Dict) (string, *value.Dict) {
	opts := kw.Copy()
	var head []string
	for _, f := range splitArgs(term) {
		if k, v, ok := strings.Cut(f, "="); ok && regexp.MustCompile(`^\w+$`).MatchString(k) {
			opts.Set(k, strings.Trim(v, `"'`))
		} else {
			head = append(head, f)
		}
	}
	return strings.Join(head, " "), opts
}

func splitArgs(s string) []string {
	var out []string
	var cur strings.Builder
	var q rune
	for _, r := range s {
		switch {
		case q != 0:
			cur.WriteRune(r)
			if r == q {
				q = 0
			}
		case r == '\'' || r == '"':
			q = r
			cur.WriteRune(r)
		case r == ' ' || r == '\t':
			if cur.Len() > 0 {
				out = append(out, cur.String())
				cur.Reset()
			}
		default:
			cur.WriteRune(r)
		}
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}

func flattenOnce(terms []any) []any {
	out := []any{}
	for _, t := range terms {
		if l, ok := t.([]any); ok {
			out = append(out, flattenOnce(l)...)
		} else {
			out = append(out, t)
		}
	}
	return out
}

func init() {
	registerLookup(func(st *renderState, terms []any, kw *value.Dict) ([]any, error) {
		out := []any{}
		for _, t := range terms {
			for _, name := range strings.Fields(toStr(t)) {
				v, ok := os.LookupEnv(name)
				if !ok {
					if d, has := kw.Get("default"); has {
						out = append(out, d)
						continue
					}
				}
				out = append(out, v)
			}
		}
		return out, nil
	}, "env")
	registerLookup(func(st *renderState, terms []any, kw *value.Dict) ([]any, error) {
		out := []any{}
		for _, t := range terms {
			term, opts := parseKV(toStr(t), kw)
			p, ok := st.t.findFile(term, "files")
			if !ok {
				return nil, fmt.Errorf("could not locate file in lookup: %s", term)
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return nil, &LookupError{Msg: fmt.Sprintf("The 'file' lookup had an issue accessing the file '%s'", term)}
			}
			if data, err = st.t.decryptFile(data, p); err != nil {
				return nil, err
			}
			s := string(data)
			if kwBool(opts, "lstrip", false) {
				s = strings.TrimLeft(s, " \t\r\n")
			}
			if kwBool(opts, "rstrip", true) {
				s = strings.TrimRight(s, " \t\r\n")
			}
			out = append(out, s)
		}
		return out, nil
	}, "file")
	registerLookup(func(st *renderState, terms []any, kw *value.Dict) ([]any, error) {
		out := []any{}
		for _, t := range terms {
			p, ok := st.t.findFile(toStr(t), "templates")
			if !ok {
				return nil, &LookupError{Msg: fmt.Sprintf("the template file %s could not be found for the lookup", toStr(t))}
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return nil, &LookupError{Msg: err.Error()}
			}
			if data, err = st.t.decryptFile(data, p); err != nil {
				return nil, err
			}
			vars := st.vars
			if extra, ok := kw.Get("template_vars"); ok {
				vars = overlayVars{base: st.vars, extra: extra}
			}
			res, err := st.t.Render(string(data), vars, RenderOptions{Name: p,
				VariableStart: kwStr(kw, "variable_start_string", ""), VariableEnd: kwStr(kw, "variable_end_string", ""),
				CommentStart: kwStr(kw, "comment_start_string", ""), CommentEnd: kwStr(kw, "comment_end_string", "")})
			if err != nil {
				return nil, err
			}
			if kwBool(kw, "convert_data", true) {
				out = append(out, literalConvert(res))
			} else {
				out = append(out, res)
			}
		}
		return out, nil
	}, "template")
	registerLookup(func(st *renderState, terms []any, kw *value.Dict) ([]any, error) {
		out := []any{}
		for _, t := range terms {
			o, err := st.shellLookup("pipe", toStr(t))
			if err != nil {
				return nil, err
			}
			out = append(out, strings.TrimRight(o, " \t\r\n"))
		}
		return out, nil
	}, "pipe")
	registerLookup(func(st *renderState, terms []any, kw *value.Dict) ([]any, error) {
		out := []any{}
		for _, t := range terms {
			o, err := st.shellLookup("lines", toStr(t))
			if err != nil {
				return nil, err
			}
			for _, l := range splitLines(o) {
				out = append(out, l)
			}
		}
		return out, nil
	}, "lines")
	registerLookup(func(st *renderState, terms []any, kw *value.Dict) ([]any, error) {
		out := []any{}
		for _, t := range terms {
			name := toStr(t)
			v, err := st.resolve(name)
			if err != nil {
				return nil, err
			}
			if u, ok := v.(*Undefined); ok {
				if d, has := kw.Get("default"); has {
					out = append(out, d)
					continue
				}
				if u.Name == name && u.Hint == undefVar(name).Hint {
					return nil, &UndefinedError{Name: name, Msg: fmt.Sprintf("No variable found with this name: %s", name)}
				}
				return nil, u.err()
			}
			out = append(out, v)
		}
		return out, nil
	}, "vars")
	registerLookup(func(st *renderState, terms []any, kw *value.Dict) ([]any, error) {
		names := st.vars.Names()
		sort.Strings(names)
		out := []any{}
		for _, t := range terms {
			re, err := pyregex.Compile(`\A(?:`+toStr(t)+`)`, 0)
			if err != nil {
				return nil, &LookupError{Msg: fmt.Sprintf("Unable to use \"%s\" as a search parameter: %v", toStr(t), err)}
			}
			for _, n := range names {
				if ok, _ := re.MatchString(n); ok {
					out = append(out, n)
				}
			}
		}
		return out, nil
	}, "varnames")
	registerLookup(func(st *renderState, terms []any, kw *value.Dict) ([]any, error) { return flattenOnce(terms), nil }, "items")
	registerLookup(func(st *renderState, terms []any, kw *value.Dict) ([]any, error) { return terms, nil }, "list")
	registerLookup(func(st *renderState, terms []any, kw *value.Dict) ([]any, error) {
		out := []any{}
		for _, t := range terms {
			keys, get := dictView(t)
			if keys == nil {
				return nil, &LookupError{Msg: "with_dict expects a dict"}
			}
			for _, k := range keys {
				v, _ := get(k)
				out = append(out, value.DictOf("key", k, "value", v))
			}
		}
		return out, nil
	}, "dict")
	registerLookup(func(st *renderState, terms []any, kw *value.Dict) ([]any, error) {
		out := []any{}
		for _, t := range terms {
			term := toStr(t)
			dir, pat := filepath.Split(term)
			var dirs []string
			if filepath.IsAbs(term) {
				dirs = []string{dir}
			} else if p, ok := st.t.findFile(strings.TrimSuffix(dir, "/"), "files"); ok && dir != "" {
				dirs = []string{p}
			} else {
				for _, d := range append([]string{st.t.opts.BaseDir}, st.t.opts.SearchPaths...) {
					dirs = append(dirs, filepath.Join(d, "files", dir), filepath.Join(d, dir))
				}
			}
			for _, d := range dirs {
				m := globUnsorted(d, pat)
				found := false
				for _, f := range m {
					if fi, err := os.Stat(f); err == nil && fi.Mode().IsRegular() {
						out = append(out, f)
						found = true
					}
				}
				if found {
					break
				}
			}
		}
		return out, nil
	}, "fileglob")
	registerLookup(lFirstFound, "first_found")
	registerLookup(lSequence, "sequence")
	registerLookup(lSubelements, "subelements")
	registerLookup(func(st *renderState, terms []any, kw *value.Dict) ([]any, error) {
		n := 0
		lists := make([][]any, len(terms))
		for i, t := range terms {
			l, err := toList(t)
			if err != nil {
				return nil, err
			}
			lists[i] = l
			n = max(n, len(l))
		}
		if len(terms) == 0 {
			return nil, &LookupError{Msg: "with_together requires at least one element in each list"}
		}
		return zipRows(lists, n, nil), nil
	}, "together")
	registerLookup(func(st *renderState, terms []any, kw *value.Dict) ([]any, error) {
		if len(terms) == 0 {
			return nil, &LookupError{Msg: "with_nested requires at least one element in the nested list"}
		}
		res := []any{[]any{}}
		for _, t := range terms {
			l, err := toList(t)
			if err != nil {
				return nil, err
			}
			next := []any{}
			for _, r := range res {
				for _, e := range l {
					row := append(append([]any{}, r.([]any)...), e)
					next = append(next, row)
				}
			}
			res = next
		}
		return res, nil
	}, "nested", "cartesian")
	registerLookup(func(st *renderState, terms []any, kw *value.Dict) ([]any, error) {
		items := flattenOnce(terms)
		out := make([]any, len(items))
		for i, e := range items {
			out[i] = pyTuple{i, e}
		}
		return out, nil
	}, "indexed_items")
	registerLookup(lCSV, "csvfile")
	registerLookup(lIni, "ini")
	registerLookup(lPassword, "password")
	registerLookup(func(st *renderState, terms []any, kw *value.Dict) ([]any, error) {
		for _, t := range terms {
			return nil, &LookupError{Msg: fmt.Sprintf("Failed lookup url for %s : <urlopen error network access is not available>", toStr(t))}
		}
		return []any{}, nil
	}, "url")
	registerLookup(lInventoryHostnames, "inventory_hostnames")
	registerLookup(lConfig, "config")
}

type overlayVars struct {
	base  Vars
	extra any
}

// Lookup prefers the extra variables.
func (o overlayVars) Lookup(name string) (any, bool) {
	if _, get := dictView(o.extra); get != nil {
		if v, ok := get(name); ok {
			return v, true
		}
	}
	return o.base.Lookup(name)
}

// Names lists all variable names.
func (o overlayVars) Names() []string {
	keys, _ := dictView(o.extra)
	return append(o.base.Names(), keys...)
}

func lFirstFound(st *renderState, terms []any, kw *value.Dict) ([]any, error) {
	var files, paths []string
	skip := kwBool(kw, "skip", false)
	addFiles := func(v any) {
		for _, f := range flattenOnce([]any{v}) {
			for _, p := range regexp.MustCompile(`[,;]`).Split(toStr(f), -1) {
				if p != "" {
					files = append(files, p)
				}
			}
		}
	}
	for _, t := range terms {
		if keys, get := dictView(t); keys != nil {
			if f, ok := get("files"); ok {
				addFiles(f)
			}
			if p, ok := get("paths"); ok {
				for _, x := range flattenOnce([]any{p}) {
					paths = append(paths, regexp.MustCompile(`[,;:]`).Split(toStr(x), -1)...)
				}
			}
			if s, ok := get("skip"); ok {
				skip = truthy(s)
			}
			continue
		}
		addFiles(t)
	}
	if f, ok := kw.Get("files"); ok {
		addFiles(f)
	}
	for _, f := range files {
		if len(paths) == 0 {
			if p, ok := st.t.findFile(f, "files"); ok {
				return []any{p}, nil
			}
			continue
		}
		for _, d := range paths {
			if p, ok := st.t.findFile(filepath.Join(d, f), "files"); ok {
				return []any{p}, nil
			}
		}
	}
	if skip {
		return []any{}, nil
	}
	return nil, &LookupError{Msg: "No file was found when using first_found."}
}

func lSequence(st *renderState, terms []any, kw *value.Dict) ([]any, error) {
	out := []any{}
	for _, t := range terms {
		term := toStr(t)
		start, end, stride, count := 1, -1, 1, -1
		format := "%d"
		hasEnd := false
		m := regexp.MustCompile(`^(\d+|0x[0-9a-f]+)?-?(\d+|0x[0-9a-f]+)(/(-?\d+))?(:(.+))?$`)
		if strings.Contains(term, "=") || !m.MatchString(term) {
			_, opts := parseKV(term, kw)
			parse := func(k string, def int) (int, error) {
				v, ok := opts.Get(k)
				if !ok {
					return def, nil
				}
				n, err := strconv.ParseInt(toStr(v), 0, 64)
				if err != nil {
					return 0, &LookupError{Msg: fmt.Sprintf("can't parse %s=%s as integer", k, toStr(v))}
				}
				return int(n), nil
			}
			var err error
			if start, err = parse("start", 1); err != nil {
				return nil, err
			}
			if _, hasEnd = opts.Get("end"); hasEnd {
				if end, err = parse("end", 0); err != nil {
					return nil, err
				}
			}
			if stride, err = parse("stride", 1); err != nil {
				return nil, err
			}
			if count, err = parse("count", -1); err != nil {
				return nil, err
			}
			format = kwStr(opts, "format", "%d")
		} else {
			g := m.FindStringSubmatch(term)
			if g[1] != "" {
				n, _ := strconv.ParseInt(g[1], 0, 64)
				start = int(n)
			}
			n, _ := strconv.ParseInt(g[2], 0, 64)
			end, hasEnd = int(n), true
			if g[4] != "" {
				stride, _ = strconv.Atoi(g[4])
			}
			if g[6] != "" {
				format = g[6]
			}
		}
		if count >= 0 {
			if hasEnd {
				return nil, &LookupError{Msg: "can't specify both count and end in with_sequence"}
			}
			end = start + count*stride - 1
			if count == 0 {
				continue
			}
		} else if !hasEnd {
			return nil, &LookupError{Msg: "must specify count or end in with_sequence"}
		}
		if stride == 0 {
			continue
		}
		if stride > 0 && end < start {
			return nil, &LookupError{Msg: "to count backwards make stride negative"}
		}
		if stride < 0 && end > start {
			return nil, &LookupError{Msg: "to count forward don't make stride negative"}
		}
		for i := start; (stride > 0 && i <= end) || (stride < 0 && i >= end); i += stride {
			s, err := pyPercent(format, i)
			if err != nil {
				return nil, &LookupError{Msg: fmt.Sprintf("problem formatting %s with %s", pyfmt.Repr(i), format)}
			}
			out = append(out, s)
		}
	}
	return out, nil
}

func lSubelements(st *renderState, terms []any, kw *value.Dict) ([]any, error) {
	if len(terms) < 2 || len(terms) > 3 {
		return nil, &LookupError{Msg: "subelements lookup expects a list of two or three items, "}
	}
	skipMissing := false
	if len(terms) == 3 {
		if _, get := dictView(terms[2]); get != nil {
			if v, ok := get("skip_missing"); ok {
				skipMissing = truthy(v)
			}
		}
	}
	var items []any
	if keys, get := dictView(terms[0]); keys != nil {
		for _, k := range keys {
			v, _ := get(k)
			items = append(items, v)
		}
	} else {
		l, err := toList(terms[0])
		if err != nil {
			return nil, &LookupError{Msg: "subelements lookup expects a list of two or three items, "}
		}
		items = l
	}
	path := strings.Split(toStr(terms[1]), ".")
	out := []any{}
	for _, it := range items {
		if _, get := dictView(it); get != nil {
			if v, ok := get("skipped"); ok && truthy(v) {
				continue
			}
		}
		// Ansible pops the subelement out of (a copy of) the item.
		item0 := deepCopy(toDict(it))
		cur := item0.(*value.Dict)
		var sub []any
		missing := false
		for i, p := range path {
			v, ok := cur.Get(p)
			if !ok {
				if skipMissing {
					missing = true
					break
				}
				return nil, &LookupError{Msg: fmt.Sprintf("could not find '%s' key in iterated item '%s'", p, pyfmt.Repr(it))}
			}
			if i < len(path)-1 {
				d, isDict := v.(*value.Dict)
				if !isDict {
					return nil, &LookupError{Msg: fmt.Sprintf("the key %s should point to a dictionary, got '%s'", p, pyfmt.Repr(v))}
				}
				cur = d
				continue
			}
			l, isList := v.([]any)
			if !isList {
				return nil, &LookupError{Msg: fmt.Sprintf("the key %s should point to a list, got '%s'", p, pyfmt.Repr(v))}
			}
			sub = l
			cur.Delete(p)
		}
		if missing {
			continue
		}
		for _, e := range sub {
			out = append(out, pyTuple{item0, e})
		}
	}
	return out, nil
}

func lCSV(st *renderState, terms []any, kw *value.Dict) ([]any, error) {
	out := []any{}
	for _, t := range terms {
		key, opts := parseKV(toStr(t), kw)
		file := kwStr(opts, "file", "ansible.csv")
		delim := kwStr(opts, "delimiter", "TAB")
		if delim == "TAB" || delim == "\\t" {
			delim = "\t"
		}
		col, _ := strconv.Atoi(kwStr(opts, "col", "1"))
		def := kwStr(opts, "default", "")
		p, ok := st.t.findFile(file, "files")
		if !ok {
			return nil, &LookupError{Msg: fmt.Sprintf("csvfile: [Errno 2] No such file or directory: '%s'", file)}
		}
		f, err := os.Open(p)
		if err != nil {
			return nil, &LookupError{Msg: err.Error()}
		}
		r := csv.NewReader(f)
		r.Comma = []rune(delim)[0]
		r.FieldsPerRecord = -1
		r.LazyQuotes = true
		recs, err := r.ReadAll()
		f.Close()
		if err != nil {
			return nil, &LookupError{Msg: fmt.Sprintf("csvfile: %v", err)}
		}
		var found any = def
		for _, rec := range recs {
			if len(rec) > 0 && rec[0] == key {
				if col < len(rec) {
					found = rec[col]
				}
				break
			}
		}
		out = append(out, found)
	}
	return out, nil
}

func lIni(st *renderState, terms []any, kw *value.Dict) ([]any, error) {
	out := []any{}
	for _, t := range terms {
		key, opts := parseKV(toStr(t), kw)
		file := kwStr(opts, "file", "ansible.ini")
		section := kwStr(opts, "section", "global")
		def := kwStr(opts, "default", "")
		isRe := kwBool(opts, "re", false)
		p, ok := st.t.findFile(file, "files")
		if !ok {
			return nil, &LookupError{Msg: fmt.Sprintf("ini: could not find file %s", file)}
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, &LookupError{Msg: err.Error()}
		}
		cur := ""
		var found []any
		for _, line := range strings.Split(string(data), "\n") {
			l := strings.TrimSpace(line)
			if l == "" || l[0] == '#' || l[0] == ';' {
				continue
			}
			if strings.HasPrefix(l, "[") && strings.HasSuffix(l, "]") {
				cur = l[1 : len(l)-1]
				continue
			}
			if cur != section {
				continue
			}
			k, v, ok := strings.Cut(l, "=")
			if !ok {
				k, v, ok = strings.Cut(l, ":")
			}
			k, v = strings.TrimSpace(k), strings.TrimSpace(v)
			if isRe {
				if re, err := pyregex.Compile(`\A(?:`+key+`)`, 0); err == nil && matches(re, k) {
					found = append(found, v)
				}
			} else if strings.EqualFold(k, key) {
				found = []any{v}
			}
		}
		if found == nil {
			out = append(out, def)
		} else {
			out = append(out, found...)
		}
	}
	return out, nil
}

func lPassword(st *renderState, terms []any, kw *value.Dict) ([]any, error) {
	out := []any{}
	for _, t := range terms {
		path, opts := parseKV(toStr(t), kw)
		length, _ := strconv.Atoi(kwStr(opts, "length", "20"))
		chars := kwStr(opts, "chars", "ascii_letters,digits,.,:-_")
		alphabet := ""
		for _, c := range strings.Split(chars, ",") {
			switch c {
			case "ascii_letters":
				alphabet += "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			case "ascii_lowercase":
				alphabet += "abcdefghijklmnopqrstuvwxyz"
			case "ascii_uppercase":
				alphabet += "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			case "digits":
				alphabet += "0123456789"
			case "hexdigits":
				alphabet += "0123456789abcdefABCDEF"
			case "punctuation":
				alphabet += "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
			default:
				alphabet += c
			}
		}
		gen := func() string {
			var b strings.Builder
			for i := 0; i < length; i++ {
				n, _ := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
				b.WriteByte(alphabet[n.Int64()])
			}
			return b.String()
		}
		if path == "/dev/null" {
			out = append(out, gen())
			continue
		}
		if !filepath.IsAbs(path) && st.t.opts.BaseDir != "" {
			path = filepath.Join(st.t.opts.BaseDir, path)
		}
		if data, err := os.ReadFile(path); err == nil {
			content := strings.TrimRight(string(data), "\n")
			pw, _, _ := strings.Cut(content, " salt=")
			out = append(out, pw)
			continue
		}
		pw := gen()
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, &LookupError{Msg: err.Error()}
		}
		if err := os.WriteFile(path, []byte(pw+"\n"), 0o600); err != nil {
			return nil, &LookupError{Msg: err.Error()}
		}
		out = append(out, pw)
	}
	return out, nil
}

func lInventoryHostnames(st *renderState, terms []any, kw *value.Dict) ([]any, error) {
	g, err := st.resolve("groups")
	if err != nil {
		return nil, err
	}
	keys, get := dictView(g)
	if keys == nil {
		return []any{}, nil
	}
	var group func(name string) []string
	group = func(name string) []string {
		var out []string
		if name == "all" || name == "*" {
			if v, ok := get("all"); ok {
				l, _ := toList(v)
				for _, h := range l {
					out = append(out, toStr(h))
				}
				return out
			}
			seen := map[string]bool{}
			for _, k := range keys {
				v, _ := get(k)
				l, _ := toList(v)
				for _, h := range l {
					if !seen[toStr(h)] {
						seen[toStr(h)] = true
						out = append(out, toStr(h))
					}
				}
			}
			return out
		}
		if v, ok := get(name); ok {
			l, _ := toList(v)
			for _, h := range l {
				out = append(out, toStr(h))
			}
			return out
		}
		for _, h := range group("all") {
			if ok, _ := filepath.Match(name, h); ok {
				out = append(out, h)
			}
		}
		return out
	}
	var res []string
	for _, t := range terms {
		for i, part := range regexp.MustCompile(`[:,]`).Split(toStr(t), -1) {
			part = strings.TrimSpace(part)
			switch {
			case part == "":
			case strings.HasPrefix(part, "!"):
				ex := map[string]bool{}
				for _, h := range group(part[1:]) {
					ex[h] = true
				}
				var keep []string
				for _, h := range res {
					if !ex[h] {
						keep = append(keep, h)
					}
				}
				res = keep
			case strings.HasPrefix(part, "&"):
				in := map[string]bool{}
				for _, h := range group(part[1:]) {
					in[h] = true
				}
				var keep []string
				for _, h := range res {
					if in[h] {
						keep = append(keep, h)
					}
				}
				res = keep
			default:
				_ = i
				for _, h := range group(part) {
					dup := false
					for _, x := range res {
						if x == h {
							dup = true
						}
					}
					if !dup {
						res = append(res, h)
					}
				}
			}
		}
	}
	out := []any{}
	for _, h := range res {
		out = append(out, h)
	}
	return out, nil
}

// configDefaults holds the ansible.cfg settings the config lookup knows.
var configDefaults = map[string]any{
	"DEFAULT_BECOME_METHOD":          "sudo",
	"DEFAULT_BECOME_USER":            "root",
	"DEFAULT_FORKS":                  5,
	"DEFAULT_HASH_BEHAVIOUR":         "replace",
	"DEFAULT_JINJA2_NATIVE":          false,
	"DEFAULT_KEEP_REMOTE_FILES":      false,
	"DEFAULT_MANAGED_STR":            "Ansible managed",
	"DEFAULT_MODULE_NAME":            "command",
	"DEFAULT_NULL_REPRESENTATION":    nil,
	"DEFAULT_REMOTE_PORT":            nil,
	"DEFAULT_ROLES_PATH":             []any{"~/.ansible/roles", "/usr/share/ansible/roles", "/etc/ansible/roles"},
	"DEFAULT_TIMEOUT":                10,
	"DEFAULT_UNDEFINED_VAR_BEHAVIOR": true,
	"HOST_KEY_CHECKING":              true,
	"STRING_TYPE_FILTERS":            []any{"string", "to_json", "to_nice_json", "to_yaml", "to_nice_yaml", "ppretty", "json"},
}

func lConfig(st *renderState, terms []any, kw *value.Dict) ([]any, error) {
	out := []any{}
	for _, t := range terms {
		name := toStr(t)
		env := os.Getenv("ANSIBLE_" + strings.TrimPrefix(name, "DEFAULT_"))
		if env != "" {
			out = append(out, env)
			continue
		}
		v, ok := configDefaults[name]
		if !ok {
			switch kwStr(kw, "on_missing", "error") {
			case "skip":
				continue
			case "warn":
				st.t.warn(fmt.Sprintf("Skipping, did not find setting %s", name))
				continue
			}
			return nil, &LookupError{Msg: fmt.Sprintf("Unable to find setting %s", name)}
		}
		out = append(out, v)
	}
	return out, nil
}

// globUnsorted matches pat in dir in directory order, as Python's glob.
func globUnsorted(dir, pat string) []string {
	f, err := os.Open(dir)
	if err != nil {
		return nil
	}
	defer f.Close()
	names, _ := f.Readdirnames(-1)
	var out []string
	for _, n := range names {
		if strings.HasPrefix(n, ".") && !strings.HasPrefix(pat, ".") {
			continue
		}
		if ok, _ := filepath.Match(pat, n); ok {
			out = append(out, filepath.Join(dir, n))
		}
	}
	return out
}

// shellLookup runs command with /bin/sh in the base directory for the
// pipe and lines lookups; a failure is "lookup_plugin.NAME(command)
// returned CODE".
func (st *renderState) shellLookup(name, command string) (string, error) {
	cmd := exec.Command("/bin/sh", "-c", command)
	cmd.Dir = st.t.opts.BaseDir
	o, err := cmd.Output()
	if err != nil {
		code := -1
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		}
		return "", &LookupError{Msg: fmt.Sprintf("lookup_plugin.%s(%s) returned %d", name, command, code)}
	}
	return string(o), nil
}

// decryptFile opens a vault-encrypted file read by a lookup, as Ansible's
// loader does.
func (t *Templar) decryptFile(data []byte, path string) ([]byte, error) {
	if t.opts.FileDecrypt == nil {
		return data, nil
	}
	return t.opts.FileDecrypt(data, path)
}

// matches reports whether re matches s (false on a match timeout).
func matches(re *pyregex.Regexp, s string) bool {
	ok, _ := re.MatchString(s)
	return ok
}
