package template

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"math"
	"math/rand"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"octopus/engine/pyfmt"
	"octopus/engine/value"
)

// varsMapping exposes all variables, untemplated as in Ansible, as `vars`.
type varsMapping struct{ st *renderState }

// Get returns the raw value of a variable.
func (v varsMapping) Get(k string) (any, bool) {
	raw, ok := v.st.vars.Lookup(k)
	return normalize(raw), ok
}

// Keys returns the variable names, sorted.
func (v varsMapping) Keys() []string {
	n := v.st.vars.Names()
	sort.Strings(n)
	return n
}

func init() {
	register(fRegexReplace, "regex_replace")
	register(fRegexSearch, "regex_search")
	register(fRegexFindall, "regex_findall")
	register(func(s *scope, in any, args []any, kw *value.Dict) (any, error) {
		rt := kwStr(kw, "re_type", argStr(args, 0, "python"))
		str := toStr(in)
		if rt == "posix_basic" {
			return regexp.MustCompile(`([\[\]\\.^$*])`).ReplaceAllString(str, `\$1`), nil
		}
		var b strings.Builder
		for _, r := range str {
			if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r > 127) {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		}
		return b.String(), nil
	}, "regex_escape")
	register(fQuote, "quote")
	register(func(s *scope, in any, args []any, kw *value.Dict) (any, error) { return filepath.Base(toStr(in)), nil }, "basename")
	register(func(s *scope, in any, args []any, kw *value.Dict) (any, error) {
		p := toStr(in)
		i := strings.LastIndex(p, "/")
		if i < 0 {
			return "", nil
		}
		head := p[:i+1]
		if strings.Trim(head, "/") != "" {
			head = strings.TrimRight(head, "/")
		}
		return head, nil
	}, "dirname")
	register(func(s *scope, in any, args []any, kw *value.Dict) (any, error) {
		p := toStr(in)
		if p == "~" || strings.HasPrefix(p, "~/") {
			if h := os.Getenv("HOME"); h != "" {
				return h + p[1:], nil
			}
		}
		return p, nil
	}, "expanduser")
	register(func(s *scope, in any, args []any, kw *value.Dict) (any, error) { return os.ExpandEnv(toStr(in)), nil }, "expandvars")
	register(func(s *scope, in any, args []any, kw *value.Dict) (any, error) {
		p, err := filepath.Abs(toStr(in))
		if err != nil {
			return nil, err
		}
		if r, err := filepath.EvalSymlinks(p); err == nil {
			return r, nil
		}
		return p, nil
	}, "realpath")
	register(func(s *scope, in any, args []any, kw *value.Dict) (any, error) {
		start := argStr(args, 0, ".")
		a, _ := filepath.Abs(toStr(in))
		b, _ := filepath.Abs(start)
		return filepath.Rel(b, a)
	}, "relpath")
	register(func(s *scope, in any, args []any, kw *value.Dict) (any, error) {
		p := toStr(in)
		base := filepath.Base(p)
		ext := filepath.Ext(base)
		if ext == base || strings.Trim(base, ".") == "" || strings.HasPrefix(base, ".") && strings.Count(base, ".") == 1 {
			ext = ""
		}
		return pyTuple{strings.TrimSuffix(p, ext), ext}, nil
	}, "splitext")
	register(func(s *scope, in any, args []any, kw *value.Dict) (any, error) {
		parts := []string{}
		l, ok := in.([]any)
		if !ok {
			l = []any{in}
		}
		for _, e := range l {
			parts = append(parts, toStr(e))
		}
		out := ""
		for _, p := range parts {
			if strings.HasPrefix(p, "/") || out == "" {
				out = p
			} else if strings.HasSuffix(out, "/") {
				out += p
			} else {
				out += "/" + p
			}
		}
		return out, nil
	}, "path_join")
	register(func(s *scope, in any, args []any, kw *value.Dict) (any, error) {
		return base64.StdEncoding.EncodeToString([]byte(toStr(in))), nil
	}, "b64encode")
	register(func(s *scope, in any, args []any, kw *value.Dict) (any, error) {
		str := strings.TrimSpace(toStr(in))
		b, err := base64.StdEncoding.DecodeString(str)
		if err != nil {
			b, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(str, "="))
			if err != nil {
				return nil, fmt.Errorf("Incorrect padding")
			}
		}
		if !utf8.Valid(b) {
			return strings.ToValidUTF8(string(b), "\ufffd"), nil
		}
		return string(b), nil
	}, "b64decode")
	register(fHash, "hash")
	register(func(s *scope, in any, args []any, kw *value.Dict) (any, error) { return hashHex("sha1", toStr(in)) }, "checksum", "sha1")
	register(func(s *scope, in any, args []any, kw *value.Dict) (any, error) { return hashHex("md5", toStr(in)) }, "md5")
	register(fPasswordHash, "password_hash")
	register(func(s *scope, in any, args []any, kw *value.Dict) (any, error) {
		t, _ := kwOr(args, kw, 0, "true_val")
		f, _ := kwOr(args, kw, 1, "false_val")
		if n, ok := kwOr(args, kw, 2, "none_val"); ok && in == nil {
			return n, nil
		}
		if truthy(in) {
			return t, nil
		}
		return f, nil
	}, "ternary")
	register(fToJSON(false), "to_json")
	register(fToJSON(true), "to_nice_json")
	register(func(s *scope, in any, args []any, kw *value.Dict) (any, error) {
		v, err := pyfmt.ParseJSON(toStr(in))
		if err != nil {
			return nil, fmt.Errorf("Expecting value: %v", err)
		}
		return v, nil
	}, "from_json")
	register(func(s *scope, in any, args []any, kw *value.Dict) (any, error) {
		o := pyfmt.YAMLOptions{Indent: 2, FlowStyle: true}
		if v, ok := kw.Get("default_flow_style"); ok {
			o.FlowStyle = v == nil
		}
		if v, ok := kw.Get("indent"); ok {
			o.Indent = argInt([]any{v}, 0, 2)
		}
		return toYAML(in, o)
	}, "to_yaml")
	register(func(s *scope, in any, args []any, kw *value.Dict) (any, error) {
		o := pyfmt.YAMLOptions{Indent: 4}
		if v, ok := kwOr(args, kw, 0, "indent"); ok {
			o.Indent = argInt([]any{v}, 0, 4)
		}
		return toYAML(in, o)
	}, "to_nice_yaml")
	register(func(s *scope, in any, args []any, kw *value.Dict) (any, error) {
		if _, ok := asString(in); !ok {
			return in, nil
		}
		return fromYAML(toStr(in), false)
	}, "from_yaml")
	register(func(s *scope, in any, args []any, kw *value.Dict) (any, error) { return fromYAML(toStr(in), true) }, "from_yaml_all")
	register(fCombine, "combine")
	register(fDict2Items, "dict2items")
	register(fItems2Dict, "items2dict")
	register(fFlatten, "flatten")
	register(fZip(false), "zip")
	register(fZip(true), "zip_longest")
	register(fExtract, "extract")
	register(fSetOp("union"), "union")
	register(fSetOp("intersect"), "intersect")
	register(fSetOp("difference"), "difference")
	register(fSetOp("symmetric_difference"), "symmetric_difference")
	register(listFilter(fShuffle), "shuffle")
	register(fComment, "comment")
	register(func(s *scope, in any, args []any, kw *value.Dict) (any, error) {
		tm := time.Now()
		if sec, ok := kwOr(args, kw, 0, "second"); ok && sec != nil {
			n, _ := toNumber(sec)
			if n == nil {
				f, err := strconv.ParseFloat(toStr(sec), 64)
				if err != nil {
					return nil, fmt.Errorf("Invalid value for epoch value (%s)", toStr(sec))
				}
				n = f
			}
			f := toFloat(n)
			tm = time.Unix(int64(f), int64((f-math.Floor(f))*1e9))
		}
		if u, ok := kwOr(args, kw, 1, "utc"); ok && truthy(u) {
			tm = tm.UTC()
		}
		return strftime(toStr(in), tm), nil
	}, "strftime")
	register(fToDatetime, "to_datetime")
	register(fURLSplit, "urlsplit")
	register(fHumanReadable, "human_readable")
	register(fHumanToBytes, "human_to_bytes")
	register(func(s *scope, in any, args []any, kw *value.Dict) (any, error) {
		n, ok := toNumber(in)
		if !ok {
			return nil, fmt.Errorf("log() can only be used on numbers")
		}
		if len(args) > 0 {
			return math.Log(toFloat(n)) / math.Log(toFloat(args[0])), nil
		}
		return math.Log(toFloat(n)), nil
	}, "log")
	register(func(s *scope, in any, args []any, kw *value.Dict) (any, error) {
		return math.Pow(toFloat(in), toFloat(firstArg(args))), nil
	}, "pow")
	register(func(s *scope, in any, args []any, kw *value.Dict) (any, error) {
		b := 2.0
		if len(args) > 0 {
			b = toFloat(args[0])
		}
		if b == 2 {
			return math.Sqrt(toFloat(in)), nil
		}
		return math.Pow(toFloat(in), 1/b), nil
	}, "root")
	register(fSubelementsF, "subelements")
	register(func(s *scope, in any, args []any, kw *value.Dict) (any, error) {
		p := strings.ReplaceAll(toStr(in), "/", "\\")
		if i := strings.LastIndex(p, "\\"); i >= 0 {
			p = p[i+1:]
		}
		if len(p) >= 2 && p[1] == ':' {
			p = p[2:]
		}
		return p, nil
	}, "win_basename")
	register(func(s *scope, in any, args []any, kw *value.Dict) (any, error) {
		p := toStr(in)
		drive := ""
		if len(p) >= 2 && p[1] == ':' {
			drive, p = p[:2], p[2:]
		}
		i := strings.LastIndexAny(p, "\\/")
		if i < 0 {
			return drive, nil
		}
		head := strings.TrimRight(p[:i+1], "\\/")
		if head == "" {
			head = p[:i+1]
		}
		return drive + head, nil
	}, "win_dirname")
	register(func(s *scope, in any, args []any, kw *value.Dict) (any, error) {
		p := toStr(in)
		if len(p) >= 2 && p[1] == ':' {
			return pyTuple{p[:2], p[2:]}, nil
		}
		return pyTuple{"", p}, nil
	}, "win_splitdrive")
	register(func(s *scope, in any, args []any, kw *value.Dict) (any, error) {
		key := argStr(args, 0, "")
		dup := kwStr(kw, "duplicates", "error")
		var items []any
		if keys, get := dictView(in); keys != nil {
			for _, k := range keys {
				v, _ := get(k)
				items = append(items, v)
			}
		} else if l, ok := in.([]any); ok {
			items = l
		} else {
			return nil, fmt.Errorf("Type is not a valid list, set, or dict")
		}
		out := value.NewDict(len(items))
		for _, it := range items {
			_, get := dictView(it)
			if get == nil {
				return nil, fmt.Errorf("List item is not a valid dict")
			}
			kv, ok := get(key)
			if !ok {
				return nil, fmt.Errorf("Key %s was not found", key)
			}
			k := toStr(kv)
			if out.Has(k) && dup == "error" {
				return nil, fmt.Errorf("Key %s is not unique, cannot correctly turn into dict", k)
			}
			if !out.Has(k) || dup == "overwrite" {
				out.Set(k, it)
			}
		}
		return out, nil
	}, "rekey_on_member")
	register(func(s *scope, in any, args []any, kw *value.Dict) (any, error) {
		r, err := url.QueryUnescape(toStr(in))
		if err != nil {
			return toStr(in), nil
		}
		return r, nil
	}, "urldecode")
	register(func(s *scope, in any, args []any, kw *value.Dict) (any, error) {
		l, err := toList(in)
		if err != nil {
			return nil, err
		}
		r := len(l)
		if len(args) > 0 && args[0] != nil {
			r = argInt(args, 0, len(l))
		}
		out := []any{}
		var rec func(prefix pyTuple, used []bool)
		rec = func(prefix pyTuple, used []bool) {
			if len(prefix) == r {
				out = append(out, append(pyTuple{}, prefix...))
				return
			}
			for i := range l {
				if !used[i] {
					used[i] = true
					rec(append(prefix, l[i]), used)
					used[i] = false
				}
			}
		}
		if r <= len(l) {
			rec(pyTuple{}, make([]bool, len(l)))
		}
		return out, nil
	}, "permutations")
	register(func(s *scope, in any, args []any, kw *value.Dict) (any, error) {
		l, err := toList(in)
		if err != nil {
			return nil, err
		}
		r := argInt(args, 0, 0)
		out := []any{}
		var rec func(start int, prefix pyTuple)
		rec = func(start int, prefix pyTuple) {
			if len(prefix) == r {
				out = append(out, append(pyTuple{}, prefix...))
				return
			}
			for i := start; i < len(l); i++ {
				rec(i+1, append(prefix, l[i]))
			}
		}
		rec(0, pyTuple{})
		return out, nil
	}, "combinations")
	register(func(s *scope, in any, args []any, kw *value.Dict) (any, error) {
		return nil, fmt.Errorf("the vault filter is not supported by octopus")
	}, "vault")
	register(func(s *scope, in any, args []any, kw *value.Dict) (any, error) {
		ns := argStr(args, 0, "361e6d51-faec-444a-9079-341386da8e2e")
		return uuid5(ns, toStr(in)), nil
	}, "to_uuid")
	register(func(s *scope, in any, args []any, kw *value.Dict) (any, error) {
		pat := toStr(in)
		var m []string
		if d, f := filepath.Split(pat); !strings.ContainsAny(d, "*?[") {
			dd := strings.TrimSuffix(d, "/")
			if dd == "" {
				dd = "/"
			}
			m = globUnsorted(dd, f)
			if d == "" {
				m = globUnsorted(".", f)
				for i := range m {
					m[i] = strings.TrimPrefix(m[i], "./")
				}
			}
		} else {
			m, _ = filepath.Glob(pat)
		}
		out := []any{}
		for _, f := range m {
			if fi, err := os.Stat(f); err == nil && fi.Mode().IsRegular() {
				out = append(out, f)
			}
		}
		return out, nil
	}, "fileglob")
	register(func(s *scope, in any, args []any, kw *value.Dict) (any, error) {
		if v, ok := in.(*value.Vault); ok {
			if s.st.t.opts.VaultDecrypt == nil {
				return nil, fmt.Errorf("Unable to unvault: no vault secret")
			}
			return s.st.t.opts.VaultDecrypt(v)
		}
		return toStr(in), nil
	}, "unvault")
	register(func(s *scope, in any, args []any, kw *value.Dict) (any, error) {
		l, err := toList(in)
		if err != nil {
			return nil, err
		}
		lists := [][]any{l}
		for _, a := range args {
			al, err := toList(a)
			if err != nil {
				return nil, err
			}
			lists = append(lists, al)
		}
		res := []any{pyTuple{}}
		for _, li := range lists {
			var next []any
			for _, r := range res {
				for _, e := range li {
					next = append(next, append(append(pyTuple{}, r.(pyTuple)...), e))
				}
			}
			res = next
		}
		if res == nil {
			res = []any{}
		}
		return res, nil
	}, "product")
}

func reFlags(kw *value.Dict, args []any, icPos, mlPos int) (bool, bool) {
	ic, _ := kwOr(args, kw, icPos, "ignorecase")
	ml, _ := kwOr(args, kw, mlPos, "multiline")
	return truthy(ic), truthy(ml)
}

func fRegexReplace(s *scope, in any, args []any, kw *value.Dict) (any, error) {
	pat, _ := kwOr(args, kw, 0, "pattern")
	rep, _ := kwOr(args, kw, 1, "replacement")
	ic, ml := reFlags(kw, args, 2, 3)
	re, err := pyRegexp(toStr(pat), ic, ml)
	if err != nil {
		return nil, err
	}
	repl := ""
	if rep != nil {
		repl = toStr(rep)
	}
	out, _, err := re.Sub(toStr(in), repl, 0)
	return out, err
}

func fRegexSearch(s *scope, in any, args []any, kw *value.Dict) (any, error) {
	if len(args) == 0 {
		return nil, typeErrorf("regex_search() missing 1 required positional argument: 'regex'")
	}
	ic, ml := reFlags(kw, nil, -1, -1)
	re, err := pyRegexp(toStr(args[0]), ic, ml)
	if err != nil {
		return nil, err
	}
	str := toStr(in)
	m, err := re.Search(str)
	if m == nil || err != nil {
		return nil, err
	}
	if len(args) == 1 {
		return str[m[0]:m[1]], nil
	}
	out := []any{}
	for _, g := range args[1:] {
		gs := toStr(g)
		if n := regexp.MustCompile(`^\\(\d+)$`).FindStringSubmatch(gs); n != nil {
			i, _ := strconv.Atoi(n[1])
			if 2*i+1 < len(m) && m[2*i] >= 0 {
				out = append(out, str[m[2*i]:m[2*i+1]])
			} else {
				out = append(out, nil)
			}
		} else if n := regexp.MustCompile(`^\\g<(\w+)>$`).FindStringSubmatch(gs); n != nil {
			i := re.SubexpIndex(n[1])
			if i >= 0 && m[2*i] >= 0 {
				out = append(out, str[m[2*i]:m[2*i+1]])
			} else {
				out = append(out, nil)
			}
		} else {
			return nil, fmt.Errorf("Unknown argument")
		}
	}
	return out, nil
}

func fRegexFindall(s *scope, in any, args []any, kw *value.Dict) (any, error) {
	pat, _ := kwOr(args, kw, 0, "regex")
	ic, ml := reFlags(kw, args, 2, 1)
	re, err := pyRegexp(toStr(pat), ic, ml)
	if err != nil {
		return nil, err
	}
	out := []any{}
	str := toStr(in)
	all, err := re.FindAll(str, -1)
	if err != nil {
		return nil, err
	}
	for _, ix := range all {
		m := make([]string, len(ix)/2)
		for i := range m {
			if ix[2*i] >= 0 {
				m[i] = str[ix[2*i]:ix[2*i+1]]
			}
		}
		switch len(m) {
		case 1:
			out = append(out, m[0])
		case 2:
			out = append(out, m[1])
		default:
			g := pyTuple{}
			for _, x := range m[1:] {
				g = append(g, x)
			}
			out = append(out, g)
		}
	}
	return out, nil
}

func fQuote(s *scope, in any, args []any, kw *value.Dict) (any, error) {
	str := toStr(in)
	if in == nil {
		str = ""
	}
	if str == "" {
		return "''", nil
	}
	if regexp.MustCompile(`^[\w@%+=:,./-]+$`).MatchString(str) {
		return str, nil
	}
	return "'" + strings.ReplaceAll(str, "'", `'"'"'`) + "'", nil
}

func newHash(name string) (hash.Hash, bool) {
	switch name {
	case "md5":
		return md5.New(), true
	case "sha1":
		return sha1.New(), true
	case "sha224":
		return sha256.New224(), true
	case "sha256":
		return sha256.New(), true
	case "sha384":
		return sha512.New384(), true
	case "sha512":
		return sha512.New(), true
	}
	return nil, false
}

func hashHex(name, data string) (any, error) {
	h, ok := newHash(name)
	if !ok {
		return nil, nil
	}
	h.Write([]byte(data))
	return hex.EncodeToString(h.Sum(nil)), nil
}

func fHash(s *scope, in any, args []any, kw *value.Dict) (any, error) {
	return hashHex(argStr(args, 0, "sha1"), toStr(in))
}

func fToJSON(nice bool) filterFunc {
	return func(s *scope, in any, args []any, kw *value.Dict) (any, error) {
		o := pyfmt.JSONOptions{EnsureASCII: true}
		if nice {
			o.Indent, o.SortKeys, o.ItemSep = 4, true, ","
			if v, ok := kwOr(args, kw, 0, "indent"); ok {
				o.Indent = argInt([]any{v}, 0, 4)
			}
			if v, ok := kwOr(args, kw, 1, "sort_keys"); ok {
				o.SortKeys = truthy(v)
			}
		} else {
			if v, ok := kw.Get("indent"); ok {
				o.Indent = argInt([]any{v}, 0, 0)
			}
			if v, ok := kw.Get("sort_keys"); ok {
				o.SortKeys = truthy(v)
			}
		}
		if v, ok := kw.Get("ensure_ascii"); ok {
			o.EnsureASCII = truthy(v)
		}
		if v, ok := kw.Get("separators"); ok {
			if l, ok := v.([]any); ok && len(l) == 2 {
				o.ItemSep, o.KeySep = toStr(l[0]), toStr(l[1])
			}
		}
		return toJSON(in, o)
	}
}

func fCombine(s *scope, in any, args []any, kw *value.Dict) (any, error) {
	recursive := kwBool(kw, "recursive", false)
	listMerge := kwStr(kw, "list_merge", "replace")
	// Ansible flattens the input and the arguments one level (dropping
	// nulls) and merges from the right, so its errors name the pair that
	// failed in that order.
	var dicts []any
	for _, t := range append([]any{in}, args...) {
		if isNull(t) {
			continue
		}
		l, ok := t.([]any)
		if !ok {
			dicts = append(dicts, t)
			continue
		}
		for _, e := range l {
			if !isNull(e) {
				dicts = append(dicts, e)
			}
		}
	}
	switch len(dicts) {
	case 0:
		return value.NewDict(0), nil
	case 1:
		return dicts[0], nil
	}
	result := dicts[len(dicts)-1]
	for i := len(dicts) - 2; i >= 0; i-- {
		d := dicts[i]
		if !isMapping(d) || !isMapping(result) {
			a, _ := toJSON(d, pyfmt.JSONOptions{})
			b, _ := toJSON(result, pyfmt.JSONOptions{})
			return nil, fmt.Errorf("failed to combine variables, expected dicts but got a '%s' and a '%s': \n%s\n%s", typeName(d), typeName(result), a, b)
		}
		result = mergeDict(toDict(d), toDict(result), recursive, listMerge)
	}
	return result, nil
}

// isNull reports the values Ansible's flatten drops: None, "None", "null".
func isNull(v any) bool {
	switch t := v.(type) {
	case nil:
		return true
	case string:
		return t == "None" || t == "null"
	}
	return false
}

func toDict(v any) *value.Dict {
	if d, ok := v.(*value.Dict); ok {
		return d
	}
	keys, get := dictView(v)
	d := value.NewDict(len(keys))
	for _, k := range keys {
		e, _ := get(k)
		d.Set(k, e)
	}
	return d
}

func mergeDict(a, b *value.Dict, recursive bool, listMerge string) *value.Dict {
	out := a.Copy()
	b.Range(func(k string, bv any) bool {
		av, exists := out.Get(k)
		if exists && recursive && isMapping(av) && isMapping(bv) {
			out.Set(k, mergeDict(toDict(av), toDict(bv), true, listMerge))
			return true
		}
		al, aIsList := av.([]any)
		bl, bIsList := bv.([]any)
		if exists && aIsList && bIsList {
			switch listMerge {
			case "keep":
				return true
			case "append":
				out.Set(k, append(append([]any{}, al...), bl...))
				return true
			case "prepend":
				out.Set(k, append(append([]any{}, bl...), al...))
				return true
			case "append_rp":
				res := []any{}
				for _, x := range al {
					if c, _ := contains(bl, x); !c {
						res = append(res, x)
					}
				}
				out.Set(k, append(res, bl...))
				return true
			case "prepend_rp":
				res := append([]any{}, bl...)
				for _, x := range al {
					if c, _ := contains(bl, x); !c {
						res = append(res, x)
					}
				}
				out.Set(k, res)
				return true
			}
		}
		out.Set(k, bv)
		return true
	})
	return out
}

func fDict2Items(s *scope, in any, args []any, kw *value.Dict) (any, error) {
	keys, get := dictView(in)
	if keys == nil {
		return nil, fmt.Errorf("dict2items requires a dictionary, got %s instead.", typeName(in))
	}
	kn := kwStr(kw, "key_name", "key")
	vn := kwStr(kw, "value_name", "value")
	out := make([]any, len(keys))
	for i, k := range keys {
		v, _ := get(k)
		v, _ = s.st.lazy(in, v)
		out[i] = value.DictOf(kn, k, vn, v)
	}
	return out, nil
}

func fItems2Dict(s *scope, in any, args []any, kw *value.Dict) (any, error) {
	l, ok := in.([]any)
	if !ok {
		return nil, fmt.Errorf("items2dict requires a list, got %s instead.", typeName(in))
	}
	kn := kwStr(kw, "key_name", "key")
	vn := kwStr(kw, "value_name", "value")
	out := value.NewDict(len(l))
	for _, e := range l {
		_, get := dictView(e)
		if get == nil {
			return nil, fmt.Errorf("items2dict requires a list of dictionaries, got %s instead.", typeName(e))
		}
		k, ok1 := get(kn)
		v, ok2 := get(vn)
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("items2dict requires each dictionary in the list to contain the keys '%s' and '%s', got %s instead.", kn, vn, pyfmt.Repr(e))
		}
		out.Set(toStr(k), v)
	}
	return out, nil
}

func flattenList(l []any, levels int, skipNulls bool) []any {
	out := []any{}
	for _, e := range l {
		if skipNulls && (e == nil || e == "None") {
			continue
		}
		if sub, ok := e.([]any); ok && levels != 0 {
			out = append(out, flattenList(sub, levels-1, skipNulls)...)
		} else {
			out = append(out, e)
		}
	}
	return out
}

func fFlatten(s *scope, in any, args []any, kw *value.Dict) (any, error) {
	l, ok := in.([]any)
	if !ok {
		return nil, fmt.Errorf("flatten expects to receive a list")
	}
	levels := -1
	if v, ok := kwOr(args, kw, 0, "levels"); ok && v != nil {
		levels = argInt([]any{v}, 0, -1)
	}
	skip := true
	if v, ok := kwOr(args, kw, 1, "skip_nulls"); ok {
		skip = truthy(v)
	}
	return flattenList(l, levels, skip), nil
}

func fZip(longest bool) filterFunc {
	return func(s *scope, in any, args []any, kw *value.Dict) (any, error) {
		lists := [][]any{}
		for _, a := range append([]any{in}, args...) {
			l, err := toList(a)
			if err != nil {
				return nil, err
			}
			lists = append(lists, l)
		}
		n := -1
		for _, l := range lists {
			if n < 0 || (!longest && len(l) < n) || (longest && len(l) > n) {
				n = len(l)
			}
		}
		fill, _ := kw.Get("fillvalue")
		out := zipRows(lists, n, fill)
		for i, row := range out {
			out[i] = pyTuple(row.([]any))
		}
		return out, nil
	}
}

// zipRows returns the first n rows of lists read side by side, fill
// standing in for the items of lists shorter than n.
func zipRows(lists [][]any, n int, fill any) []any {
	out := make([]any, 0, n)
	for i := 0; i < n; i++ {
		row := make([]any, 0, len(lists))
		for _, l := range lists {
			if i < len(l) {
				row = append(row, l[i])
			} else {
				row = append(row, fill)
			}
		}
		out = append(out, row)
	}
	return out
}

func fExtract(s *scope, in any, args []any, kw *value.Dict) (any, error) {
	if len(args) == 0 {
		return nil, fmt.Errorf("extract() missing container")
	}
	v, err := s.getitem(args[0], in)
	if err != nil {
		return nil, err
	}
	if len(args) > 1 && args[1] != nil {
		morekeys := args[1]
		keys, ok := morekeys.([]any)
		if !ok {
			keys = []any{morekeys}
		}
		for _, k := range keys {
			v, err = s.getitem(v, k)
			if err != nil {
				return nil, err
			}
		}
	}
	return v, nil
}

func fSetOp(op string) filterFunc {
	return func(s *scope, in any, args []any, kw *value.Dict) (any, error) {
		a, err := toList(in)
		if err != nil {
			return nil, err
		}
		if len(args) == 0 {
			return nil, fmt.Errorf("%s() missing argument", op)
		}
		b, err := toList(args[0])
		if err != nil {
			return nil, err
		}
		has := func(l []any, x any) bool { c, _ := contains(l, x); return c }
		var out []any
		add := func(x any) {
			if !has(out, x) {
				out = append(out, x)
			}
		}
		switch op {
		case "union":
			// unique(a + b): case-insensitive for strings, as Ansible's default
			var seen []any
			for _, x := range append(append([]any{}, a...), b...) {
				k := x
				if str, ok := asString(x); ok {
					k = strings.ToLower(str)
				}
				if !has(seen, k) {
					seen = append(seen, k)
					out = append(out, x)
				}
			}
		case "intersect":
			for _, x := range a {
				if has(b, x) {
					add(x)
				}
			}
		case "difference":
			for _, x := range a {
				if !has(b, x) {
					add(x)
				}
			}
		case "symmetric_difference":
			u, _ := fSetOp("union")(s, a, []any{b}, kw)
			for _, x := range u.([]any) {
				if !(has(a, x) && has(b, x)) {
					out = append(out, x)
				}
			}
		}
		if out == nil {
			out = []any{}
		}
		return out, nil
	}
}

func fShuffle(s *scope, l []any, args []any, kw *value.Dict) (any, error) {
	out := append([]any{}, l...)
	r := rand.New(rand.NewSource(time.Now().UnixNano()))
	if seed, ok := kw.Get("seed"); ok && seed != nil {
		h := int64(0)
		for _, c := range toStr(seed) {
			h = h*31 + int64(c)
		}
		r = rand.New(rand.NewSource(h))
	}
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out, nil
}

func fComment(s *scope, in any, args []any, kw *value.Dict) (any, error) {
	style := argStr(args, 0, "plain")
	styles := map[string][4]string{ // beginning, prefix, decoration, end
		"plain":  {"", "", "# ", ""},
		"erlang": {"", "", "% ", ""},
		"c":      {"", "", "// ", ""},
		"cblock": {"/*", "", " * ", " */"},
		"xml":    {"<!--", "", " - ", "-->"},
	}
	st, ok := styles[style]
	if !ok {
		st = styles["plain"]
	}
	beginning, decoration, end := st[0], st[2], st[3]
	if v, ok := kw.Get("decoration"); ok {
		decoration = toStr(v)
	}
	if v, ok := kw.Get("beginning"); ok {
		beginning = toStr(v)
	}
	if v, ok := kw.Get("end"); ok {
		end = toStr(v)
	}
	prefix := strings.TrimRight(decoration, " ")
	if v, ok := kw.Get("prefix"); ok {
		prefix = toStr(v)
	}
	prefixCount := 1
	if v, ok := kw.Get("prefix_count"); ok {
		prefixCount = argInt([]any{v}, 0, 1)
	}
	postfix := strings.TrimRight(decoration, " ")
	if v, ok := kw.Get("postfix"); ok {
		postfix = toStr(v)
	}
	postfixCount := 1
	if v, ok := kw.Get("postfix_count"); ok {
		postfixCount = argInt([]any{v}, 0, 1)
	}
	newline := "\n"
	var b strings.Builder
	if beginning != "" {
		b.WriteString(beginning + newline)
	}
	for i := 0; i < prefixCount; i++ {
		b.WriteString(prefix + newline)
	}
	for _, l := range strings.Split(toStr(in), "\n") {
		if l == "" {
			b.WriteString(strings.TrimRight(decoration, " ") + newline)
		} else {
			b.WriteString(decoration + l + newline)
		}
	}
	for i := 0; i < postfixCount; i++ {
		b.WriteString(postfix + newline)
	}
	if end != "" {
		b.WriteString(end + newline)
	}
	out := strings.TrimSuffix(b.String(), newline)
	return out, nil
}

func fToDatetime(s *scope, in any, args []any, kw *value.Dict) (any, error) {
	format := argStr(args, 0, "%Y-%m-%d %H:%M:%S")
	layout := strings.NewReplacer("%Y", "2006", "%m", "01", "%d", "02", "%H", "15", "%M", "04", "%S", "05", "%y", "06", "%b", "Jan", "%B", "January", "%f", "000000", "%z", "-0700", "%Z", "MST", "%a", "Mon", "%A", "Monday", "%p", "PM", "%I", "03", "%j", "002").Replace(format)
	tm, err := time.Parse(layout, toStr(in))
	if err != nil {
		return nil, fmt.Errorf("time data %s does not match format %s", pyfmt.Quote(toStr(in)), pyfmt.Quote(format))
	}
	return tm.Format("2006-01-02 15:04:05"), nil
}

func fURLSplit(s *scope, in any, args []any, kw *value.Dict) (any, error) {
	u, err := url.Parse(toStr(in))
	if err != nil {
		return nil, err
	}
	port := any(nil)
	if p := u.Port(); p != "" {
		port, _ = strconv.Atoi(p)
	}
	var user, pass any
	if u.User != nil {
		user = u.User.Username()
		if p, ok := u.User.Password(); ok {
			pass = p
		}
	}
	host := any(nil)
	if h := u.Hostname(); h != "" {
		host = strings.ToLower(h)
	}
	d := value.DictOf("fragment", u.Fragment, "hostname", host, "netloc", u.Host, "password", pass,
		"path", u.EscapedPath(), "port", port, "query", u.RawQuery, "scheme", u.Scheme, "username", user)
	if u.User != nil {
		d.Set("netloc", u.User.String()+"@"+u.Host)
	}
	if len(args) > 0 {
		v, ok := d.Get(toStr(args[0]))
		if !ok {
			return nil, fmt.Errorf("urlsplit: unknown URL component: %s", toStr(args[0]))
		}
		return v, nil
	}
	return d, nil
}

var sizeUnits = []string{"", "K", "M", "G", "T", "P", "E", "Z", "Y"}

func fHumanReadable(s *scope, in any, args []any, kw *value.Dict) (any, error) {
	isBits, _ := kwOr(args, kw, 0, "isbits")
	unit, _ := kwOr(args, kw, 1, "unit")
	n, ok := toNumber(in)
	if !ok {
		f, err := strconv.ParseFloat(toStr(in), 64)
		if err != nil {
			return nil, fmt.Errorf("human_readable() can't interpret following string: %s", toStr(in))
		}
		n = f
	}
	num := toFloat(n)
	suffix := "Bytes"
	if truthy(isBits) {
		suffix = "bits"
	}
	base := 1024.0
	for i := len(sizeUnits) - 1; i >= 0; i-- {
		limit := math.Pow(base, float64(i))
		if unit != nil && strings.ToUpper(toStr(unit))[:1] != sizeUnits[i] && !(i == 0 && strings.ToUpper(toStr(unit))[:1] == "B") {
			continue
		}
		if num >= limit || unit != nil || i == 0 {
			s := ""
			if i > 0 {
				s = sizeUnits[i] + "B"
				if truthy(isBits) {
					s = sizeUnits[i] + "b"
				}
			} else {
				s = suffix
			}
			return fmt.Sprintf("%.2f %s", num/limit, s), nil
		}
	}
	return fmt.Sprintf("%.2f %s", num, suffix), nil
}

func fHumanToBytes(s *scope, in any, args []any, kw *value.Dict) (any, error) {
	defUnit, _ := kwOr(args, kw, 0, "default_unit")
	isBits, _ := kwOr(args, kw, 1, "isbits")
	str := strings.TrimSpace(toStr(in))
	m := regexp.MustCompile(`^([0-9]*\.?[0-9]+)\s*([A-Za-z]+)?$`).FindStringSubmatch(str)
	if m == nil {
		return nil, fmt.Errorf("human_to_bytes() can't interpret following string: %s", str)
	}
	num, _ := strconv.ParseFloat(m[1], 64)
	unit := m[2]
	if unit == "" && defUnit != nil {
		unit = toStr(defUnit)
	}
	mult := 1.0
	if unit != "" {
		u := strings.ToUpper(unit[:1])
		idx := -1
		for i, x := range sizeUnits {
			if x == u && i > 0 {
				idx = i
			}
		}
		if u == "B" {
			idx = 0
		}
		if idx < 0 {
			return nil, fmt.Errorf("human_to_bytes() failed to convert %s. Value is not a valid string (%s)", str, unit)
		}
		last := unit[len(unit)-1:]
		if len(unit) > 1 || u == "B" {
			if truthy(isBits) && last != "b" || !truthy(isBits) && last != "B" {
				return nil, fmt.Errorf("human_to_bytes() failed to convert %s. Value is not a valid string (expect %s)", str, map[bool]string{true: "bits", false: "bytes"}[truthy(isBits)])
			}
		}
		mult = math.Pow(1024, float64(idx))
	}
	return int(math.Round(num * mult)), nil
}

func fSubelementsF(s *scope, in any, args []any, kw *value.Dict) (any, error) {
	terms := []any{in}
	terms = append(terms, args...)
	return lSubelements(s.st, terms, kw)
}

func uuid5(ns, name string) string {
	nsHex := strings.ReplaceAll(ns, "-", "")
	nsb, _ := hex.DecodeString(nsHex)
	h := sha1.New()
	h.Write(nsb)
	h.Write([]byte(name))
	sum := h.Sum(nil)[:16]
	sum[6] = (sum[6] & 0x0f) | 0x50
	sum[8] = (sum[8] & 0x3f) | 0x80
	x := hex.EncodeToString(sum)
	return x[:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:]
}
