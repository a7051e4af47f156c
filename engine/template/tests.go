package template

import (
	"fmt"
	"octopus/engine/pyregex"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"octopus/engine/pyfmt"
	"octopus/engine/value"
)

// testFunc implements one Jinja2 test (`x is name(args)`).
type testFunc func(s *scope, in any, args []any, kw *value.Dict) (bool, error)

var tests = map[string]testFunc{}

func lookupTest(name string) testFunc {
	return tests[name]
}

func registerTest(f testFunc, names ...string) {
	for _, n := range names {
		tests[n] = f
		tests["ansible.builtin."+n] = f
	}
}

func isUndef(v any) bool { _, ok := v.(*Undefined); return ok }

func resultFlag(in any, key string) (bool, error) {
	_, get := dictView(in)
	if get == nil {
		return false, fmt.Errorf("The '%s' test expects a dictionary", key)
	}
	v, ok := get(key)
	return ok && truthy(v), nil
}

func init() {
	registerTest(func(s *scope, in any, a []any, kw *value.Dict) (bool, error) { return !isUndef(in), nil }, "defined")
	registerTest(func(s *scope, in any, a []any, kw *value.Dict) (bool, error) { return isUndef(in), nil }, "undefined")
	registerTest(func(s *scope, in any, a []any, kw *value.Dict) (bool, error) { return in == nil, nil }, "none")
	registerTest(func(s *scope, in any, a []any, kw *value.Dict) (bool, error) { _, ok := asString(in); return ok, nil }, "string")
	registerTest(func(s *scope, in any, a []any, kw *value.Dict) (bool, error) {
		switch in.(type) {
		case int, float64:
			return true, nil
		}
		return false, nil
	}, "number")
	registerTest(func(s *scope, in any, a []any, kw *value.Dict) (bool, error) { _, ok := in.(int); return ok, nil }, "integer")
	registerTest(func(s *scope, in any, a []any, kw *value.Dict) (bool, error) { _, ok := in.(float64); return ok, nil }, "float")
	registerTest(func(s *scope, in any, a []any, kw *value.Dict) (bool, error) { _, ok := in.(bool); return ok, nil }, "boolean")
	registerTest(func(s *scope, in any, a []any, kw *value.Dict) (bool, error) { return in == true, nil }, "true")
	registerTest(func(s *scope, in any, a []any, kw *value.Dict) (bool, error) { return in == false, nil }, "false")
	registerTest(func(s *scope, in any, a []any, kw *value.Dict) (bool, error) { return isMapping(in), nil }, "mapping")
	registerTest(func(s *scope, in any, a []any, kw *value.Dict) (bool, error) {
		_, isStr := asString(in)
		_, isList := in.([]any)
		return isStr || isList || isMapping(in), nil
	}, "sequence", "iterable")
	registerTest(func(s *scope, in any, a []any, kw *value.Dict) (bool, error) { _, ok := in.(callable); return ok, nil }, "callable")
	registerTest(func(s *scope, in any, a []any, kw *value.Dict) (bool, error) {
		if len(a) < 1 {
			return false, fmt.Errorf("sameas() missing argument")
		}
		o := a[0]
		switch in.(type) {
		case bool, nil:
			return in == o, nil
		case int:
			oi, ok := o.(int)
			return ok && oi == in.(int) && o != nil, nil
		}
		return false, nil
	}, "sameas")
	registerTest(func(s *scope, in any, a []any, kw *value.Dict) (bool, error) {
		n, _ := toNumber(in)
		d, _ := toNumber(firstArg(a))
		if n == nil || d == nil || toFloat(d) == 0 {
			return false, fmt.Errorf("divisibleby requires numbers")
		}
		return int(toFloat(n))%int(toFloat(d)) == 0, nil
	}, "divisibleby")
	registerTest(func(s *scope, in any, a []any, kw *value.Dict) (bool, error) {
		i, _ := in.(int)
		return i%2 == 0, nil
	}, "even")
	registerTest(func(s *scope, in any, a []any, kw *value.Dict) (bool, error) {
		i, _ := in.(int)
		return i%2 != 0, nil
	}, "odd")
	registerTest(func(s *scope, in any, a []any, kw *value.Dict) (bool, error) {
		str, _ := asString(in)
		return str == strings.ToLower(str), nil
	}, "lower")
	registerTest(func(s *scope, in any, a []any, kw *value.Dict) (bool, error) {
		str, _ := asString(in)
		return str == strings.ToUpper(str), nil
	}, "upper")
	registerTest(func(s *scope, in any, a []any, kw *value.Dict) (bool, error) { return equal(in, firstArg(a)), nil }, "eq", "equalto", "==")
	registerTest(func(s *scope, in any, a []any, kw *value.Dict) (bool, error) { return !equal(in, firstArg(a)), nil }, "ne", "!=")
	for name, op := range map[string]string{"lt": "<", "le": "<=", "gt": ">", "ge": ">=", "lessthan": "<", "greaterthan": ">", "<": "<", "<=": "<=", ">": ">", ">=": ">="} {
		op := op
		registerTest(func(s *scope, in any, a []any, kw *value.Dict) (bool, error) { return compareOp(op, in, firstArg(a)) }, name)
	}
	registerTest(func(s *scope, in any, a []any, kw *value.Dict) (bool, error) { return contains(firstArg(a), in) }, "in")
	registerTest(func(s *scope, in any, a []any, kw *value.Dict) (bool, error) {
		_, ok := in.(*escapedMarker)
		return ok, nil
	}, "escaped")
	registerTest(regexTest("match"), "match")
	registerTest(regexTest("search"), "search")
	registerTest(regexTest("regex"), "regex")
	registerTest(tVersion, "version", "version_compare")
	registerTest(func(s *scope, in any, a []any, kw *value.Dict) (bool, error) {
		f, err := resultFlag(in, "failed")
		return !f, err
	}, "success", "succeeded")
	registerTest(func(s *scope, in any, a []any, kw *value.Dict) (bool, error) { return resultFlag(in, "failed") }, "failed", "failure")
	registerTest(func(s *scope, in any, a []any, kw *value.Dict) (bool, error) {
		_, get := dictView(in)
		if get == nil {
			return false, fmt.Errorf("The 'changed' test expects a dictionary")
		}
		if v, ok := get("changed"); ok {
			return truthy(v), nil
		}
		if rs, ok := get("results"); ok {
			if l, ok := rs.([]any); ok && len(l) > 0 && isMapping(l[0]) {
				for _, r := range l {
					if _, g := dictView(r); g != nil {
						if c, ok := g("changed"); ok && truthy(c) {
							return true, nil
						}
					}
				}
			}
		}
		return false, nil
	}, "changed", "change")
	registerTest(func(s *scope, in any, a []any, kw *value.Dict) (bool, error) {
		f, err := resultFlag(in, "unreachable")
		return !f, err
	}, "reachable")
	registerTest(func(s *scope, in any, a []any, kw *value.Dict) (bool, error) { return resultFlag(in, "unreachable") }, "unreachable")
	registerTest(func(s *scope, in any, a []any, kw *value.Dict) (bool, error) {
		b, err := fBool(s, in, nil, value.NewDict(0))
		return err == nil && b == true, err
	}, "truthy")
	registerTest(func(s *scope, in any, a []any, kw *value.Dict) (bool, error) {
		b, err := fBool(s, in, nil, value.NewDict(0))
		return err == nil && b == false, err
	}, "falsy")
	registerTest(func(s *scope, in any, a []any, kw *value.Dict) (bool, error) {
		return lookupFilter(s.st.t, toStr(in)) != nil, nil
	}, "filter")
	registerTest(func(s *scope, in any, a []any, kw *value.Dict) (bool, error) {
		return lookupTest(toStr(in)) != nil, nil
	}, "test")
	registerTest(func(s *scope, in any, a []any, kw *value.Dict) (bool, error) { return resultFlag(in, "skipped") }, "skipped", "skip")
	registerTest(func(s *scope, in any, a []any, kw *value.Dict) (bool, error) {
		_, get := dictView(in)
		if get == nil {
			return false, fmt.Errorf("The 'finished' test expects a dictionary")
		}
		v, ok := get("finished")
		return !ok || equal(v, 1), nil
	}, "finished")
	registerTest(func(s *scope, in any, a []any, kw *value.Dict) (bool, error) {
		_, get := dictView(in)
		if get == nil {
			return false, fmt.Errorf("The 'started' test expects a dictionary")
		}
		v, ok := get("started")
		return !ok || equal(v, 1), nil
	}, "started")
	registerTest(func(s *scope, in any, a []any, kw *value.Dict) (bool, error) {
		b, err := toList(firstArg(a))
		if err != nil {
			return false, err
		}
		l, err := toList(in)
		if err != nil {
			return false, err
		}
		for _, e := range l {
			if c, _ := contains(b, e); !c {
				return false, nil
			}
		}
		return true, nil
	}, "subset", "issubset")
	registerTest(func(s *scope, in any, a []any, kw *value.Dict) (bool, error) {
		b, err := toList(firstArg(a))
		if err != nil {
			return false, err
		}
		for _, e := range b {
			if c, _ := contains(in, e); !c {
				return false, nil
			}
		}
		return true, nil
	}, "superset", "issuperset")
	registerTest(func(s *scope, in any, a []any, kw *value.Dict) (bool, error) { return contains(in, firstArg(a)) }, "contains")
	registerTest(func(s *scope, in any, a []any, kw *value.Dict) (bool, error) {
		l, err := toList(in)
		if err != nil {
			return false, err
		}
		for _, e := range l {
			if truthy(e) {
				return true, nil
			}
		}
		return false, nil
	}, "any")
	registerTest(func(s *scope, in any, a []any, kw *value.Dict) (bool, error) {
		l, err := toList(in)
		if err != nil {
			return false, err
		}
		for _, e := range l {
			if !truthy(e) {
				return false, nil
			}
		}
		return true, nil
	}, "all")
	registerTest(func(s *scope, in any, a []any, kw *value.Dict) (bool, error) {
		st, err := os.Stat(toStr(in))
		return err == nil && st.Mode().IsRegular(), nil
	}, "file", "is_file")
	registerTest(func(s *scope, in any, a []any, kw *value.Dict) (bool, error) {
		st, err := os.Stat(toStr(in))
		return err == nil && st.IsDir(), nil
	}, "directory", "is_dir")
	registerTest(func(s *scope, in any, a []any, kw *value.Dict) (bool, error) {
		_, err := os.Stat(toStr(in))
		return err == nil, nil
	}, "exists")
	registerTest(func(s *scope, in any, a []any, kw *value.Dict) (bool, error) {
		st, err := os.Lstat(toStr(in))
		return err == nil && st.Mode()&os.ModeSymlink != 0, nil
	}, "link", "is_link")
	registerTest(func(s *scope, in any, a []any, kw *value.Dict) (bool, error) {
		_, err := os.Stat(toStr(in))
		return err == nil && isMount(toStr(in)), nil
	}, "mount", "is_mount")
	registerTest(func(s *scope, in any, a []any, kw *value.Dict) (bool, error) {
		return filepath.IsAbs(toStr(in)), nil
	}, "abs", "is_abs")
	registerTest(func(s *scope, in any, a []any, kw *value.Dict) (bool, error) {
		a1, e1 := os.Stat(toStr(in))
		a2, e2 := os.Stat(toStr(firstArg(a)))
		return e1 == nil && e2 == nil && os.SameFile(a1, a2), nil
	}, "same_file", "samefile")
	registerTest(func(s *scope, in any, a []any, kw *value.Dict) (bool, error) {
		_, ok := in.(*value.Vault)
		return ok, nil
	}, "vault_encrypted")
	registerTest(func(s *scope, in any, a []any, kw *value.Dict) (bool, error) {
		n, ok := toNumber(in)
		if !ok {
			return false, nil
		}
		f := toFloat(n)
		return f != f || f > 1e308 || f < -1e308, nil
	}, "nan")
}

type escapedMarker struct{}

func isMount(p string) bool {
	data, err := os.ReadFile("/proc/self/mounts")
	if err != nil {
		return false
	}
	p = filepath.Clean(p)
	for _, l := range strings.Split(string(data), "\n") {
		f := strings.Fields(l)
		if len(f) > 1 && f[1] == p {
			return true
		}
	}
	return false
}

// pyRegexp compiles a Python regular expression (RE2 first, backtracking
// fallback for lookarounds and backreferences).
func pyRegexp(pattern string, ignoreCase, multiline bool) (*pyregex.Regexp, error) {
	var f pyregex.Flags
	if ignoreCase {
		f |= pyregex.IgnoreCase
	}
	if multiline {
		f |= pyregex.Multiline
	}
	re, err := pyregex.Compile(pattern, f)
	if err != nil {
		return nil, fmt.Errorf("Unable to compile regex %s: %v", pyfmt.Quote(pattern), err)
	}
	return re, nil
}

func regexTest(kind string) testFunc {
	return func(s *scope, in any, a []any, kw *value.Dict) (bool, error) {
		pat, _ := kwOr(a, kw, 0, "pattern")
		ic, _ := kwOr(a, kw, 1, "ignorecase")
		ml, _ := kwOr(a, kw, 2, "multiline")
		mt := kind
		if kind == "regex" {
			if v, ok := kwOr(a, kw, 3, "match_type"); ok {
				mt = toStr(v)
			} else {
				mt = "search"
			}
		}
		str, ok := asString(in)
		if !ok {
			str = toStr(in)
		}
		p := toStr(pat)
		if mt == "match" {
			p = `\A(?:` + p + `)`
		} else if mt == "fullmatch" {
			p = `\A(?:` + p + `)\z`
		}
		re, err := pyRegexp(p, truthy(ic), truthy(ml))
		if err != nil {
			return false, err
		}
		return re.MatchString(str)
	}
}

// tVersion implements the version/version_compare test (loose and strict
// versions, and semver).
func tVersion(s *scope, in any, a []any, kw *value.Dict) (bool, error) {
	ref, ok := kwOr(a, kw, 0, "version")
	if !ok {
		return false, fmt.Errorf("Version comparison failed: version required")
	}
	op := "eq"
	if v, ok := kwOr(a, kw, 1, "operator"); ok && v != nil {
		op = toStr(v)
	}
	strict, _ := kwOr(a, kw, 2, "strict")
	vtype := "loose"
	if v, ok := kwOr(a, kw, 3, "version_type"); ok && v != nil {
		vtype = toStr(v)
	}
	if truthy(strict) {
		vtype = "strict"
	}
	ops := map[string]string{"==": "eq", "=": "eq", "eq": "eq", "<": "lt", "lt": "lt", "<=": "le", "le": "le", ">": "gt", "gt": "gt", ">=": "ge", "ge": "ge", "!=": "ne", "<>": "ne", "ne": "ne"}
	o, ok := ops[op]
	if !ok {
		return false, fmt.Errorf("Invalid operator type (%s)", op)
	}
	v1, v2 := toStr(in), toStr(ref)
	if v1 == "" {
		return false, fmt.Errorf("Input version value cannot be empty")
	}
	if v2 == "" {
		return false, fmt.Errorf("Version parameter to compare against cannot be empty")
	}
	var c int
	var err error
	switch vtype {
	case "strict":
		c, err = compareStrict(v1, v2)
	case "semver", "semantic":
		c, err = compareSemver(v1, v2)
	default:
		c, err = compareLoose(v1, v2)
	}
	if err != nil {
		return false, fmt.Errorf("Version comparison failed: %s", err.Error())
	}
	switch o {
	case "eq":
		return c == 0, nil
	case "ne":
		return c != 0, nil
	case "lt":
		return c < 0, nil
	case "le":
		return c <= 0, nil
	case "gt":
		return c > 0, nil
	}
	return c >= 0, nil
}

var strictVersionRe = regexp.MustCompile(`^(\d+)\.(\d+)(\.(\d+))?([ab](\d+))?$`)

// compareStrict compares like distutils StrictVersion.
func compareStrict(a, b string) (int, error) {
	parse := func(s string) ([]int, string, int, error) {
		m := strictVersionRe.FindStringSubmatch(s)
		if m == nil {
			return nil, "", 0, fmt.Errorf("invalid version number '%s'", s)
		}
		nums := make([]int, 3)
		nums[0], _ = strconv.Atoi(m[1])
		nums[1], _ = strconv.Atoi(m[2])
		if m[4] != "" {
			nums[2], _ = strconv.Atoi(m[4])
		}
		pre := 0
		if m[6] != "" {
			pre, _ = strconv.Atoi(m[6])
		}
		return nums, m[5][:min(len(m[5]), 1)], pre, nil
	}
	na, pa, pna, err := parse(a)
	if err != nil {
		return 0, err
	}
	nb, pb, pnb, err := parse(b)
	if err != nil {
		return 0, err
	}
	for i := range na {
		if na[i] != nb[i] {
			if na[i] < nb[i] {
				return -1, nil
			}
			return 1, nil
		}
	}
	switch {
	case pa == "" && pb == "":
		return 0, nil
	case pa == "":
		return 1, nil
	case pb == "":
		return -1, nil
	case pa != pb:
		return strings.Compare(pa, pb), nil
	case pna < pnb:
		return -1, nil
	case pna > pnb:
		return 1, nil
	}
	return 0, nil
}

var semverRe = regexp.MustCompile(`^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$`)

// compareSemver compares semantic versions (build metadata ignored).
func compareSemver(a, b string) (int, error) {
	ma, mb := semverRe.FindStringSubmatch(a), semverRe.FindStringSubmatch(b)
	if ma == nil {
		return 0, fmt.Errorf("invalid semantic version '%s'", a)
	}
	if mb == nil {
		return 0, fmt.Errorf("invalid semantic version '%s'", b)
	}
	for i := 1; i <= 3; i++ {
		x, _ := strconv.Atoi(ma[i])
		y, _ := strconv.Atoi(mb[i])
		if x != y {
			if x < y {
				return -1, nil
			}
			return 1, nil
		}
	}
	pa, pb := ma[4], mb[4]
	switch {
	case pa == pb:
		return 0, nil
	case pa == "":
		return 1, nil
	case pb == "":
		return -1, nil
	}
	ia, ib := strings.Split(pa, "."), strings.Split(pb, ".")
	for i := 0; i < len(ia) && i < len(ib); i++ {
		x, ex := strconv.Atoi(ia[i])
		y, ey := strconv.Atoi(ib[i])
		switch {
		case ex == nil && ey == nil:
			if x != y {
				if x < y {
					return -1, nil
				}
				return 1, nil
			}
		case ex == nil:
			return -1, nil
		case ey == nil:
			return 1, nil
		default:
			if c := strings.Compare(ia[i], ib[i]); c != 0 {
				return c, nil
			}
		}
	}
	return compare(len(ia), len(ib))
}

// compareLoose compares like distutils LooseVersion: runs of digits,
// runs of lowercase letters and other characters; int against str fails
// as it does in Python 3.
func compareLoose(a, b string) (int, error) {
	split := func(s string) []any {
		var out []any
		re := regexp.MustCompile(`\d+|[a-z]+|\.`)
		last := 0
		add := func(p string) {
			if p == "" || p == "." {
				return
			}
			if n, err := strconv.Atoi(p); err == nil {
				out = append(out, n)
			} else {
				out = append(out, p)
			}
		}
		for _, loc := range re.FindAllStringIndex(s, -1) {
			add(s[last:loc[0]])
			add(s[loc[0]:loc[1]])
			last = loc[1]
		}
		add(s[last:])
		return out
	}
	return compare(split(a), split(b))
}
