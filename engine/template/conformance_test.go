package template

import (
	"os"
	"path/filepath"
	"testing"

	"octopus/engine/pyfmt"
	"octopus/engine/value"
)

// repoRoot finds the directory holding go.mod.
func repoRoot(t testing.TB) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found")
		}
		dir = parent
	}
}

type confCase struct {
	Name, Template, Kind, ExpectedType string
	Vars                               *value.Dict
	Expected                           any
}

func loadCases(t *testing.T) []confCase {
	path := filepath.Join(repoRoot(t), "..", "shared", "conformance", "jinja", "cases.json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("conformance cases not available (%s): %v", path, err)
	}
	raw, err := pyfmt.ParseJSON(string(data))
	if err != nil {
		t.Fatal(err)
	}
	var out []confCase
	for _, r := range raw.([]any) {
		d := r.(*value.Dict)
		get := func(k string) any { v, _ := d.Get(k); return v }
		c := confCase{Name: toStr(get("name")), Template: toStr(get("template")), Kind: toStr(get("kind")),
			ExpectedType: toStr(get("expected_type")), Expected: get("expected")}
		c.Vars, _ = get("vars").(*value.Dict)
		out = append(out, c)
	}
	return out
}

func pyType(v any) string {
	switch v.(type) {
	case string:
		return "str"
	case int:
		return "int"
	case float64:
		return "float"
	case bool:
		return "bool"
	case []any:
		return "list"
	case *value.Dict:
		return "dict"
	case nil:
		return "none"
	}
	return typeName(v)
}

func dictVars(d *value.Dict) MapVars {
	m := MapVars{}
	d.Range(func(k string, v any) bool { m[k] = v; return true })
	return m
}

// TestConformance runs every shared case (real ansible-core 2.14.18 results)
// through Template/Cond as a playbook would and compares value and type.
func TestConformance(t *testing.T) {
	cases := loadCases(t)
	t.Setenv("HOME", "/root")
	tpl := New(Options{})
	pass := 0
	for _, c := range cases {
		var got any
		var err error
		vars := dictVars(c.Vars)
		if c.Kind == "when" {
			got, err = tpl.Cond([]any{c.Template}, vars)
		} else {
			got, err = tpl.Template(c.Template, vars)
		}
		ok := false
		if c.ExpectedType == "error" {
			if err != nil {
				msg := err.Error()
				if c.Kind == "template" {
					msg = ArgsError(err, false)
				}
				ok = msg == c.Expected
				if !ok {
					t.Errorf("%s: error\n got: %s\nwant: %s", c.Name, msg, c.Expected)
				}
			} else {
				t.Errorf("%s: want error %q, got %s", c.Name, c.Expected, pyfmt.Repr(got))
			}
		} else if err != nil {
			t.Errorf("%s: unexpected error: %v", c.Name, err)
		} else if pyType(got) != c.ExpectedType || !strictEqual(got, c.Expected) {
			t.Errorf("%s: %s\n got: %s (%s)\nwant: %s (%s)", c.Name, c.Template, pyfmt.Repr(got), pyType(got), pyfmt.Repr(c.Expected), c.ExpectedType)
		} else {
			ok = true
		}
		if ok {
			pass++
		}
	}
	t.Logf("conformance: %d/%d cases pass", pass, len(cases))
}

// strictEqual compares values and types; dict key order is ignored because
// the recorded expectations went through Ansible's sorted JSON output.
func strictEqual(a, b any) bool {
	if pyType(a) != pyType(b) {
		return false
	}
	switch x := a.(type) {
	case []any:
		y := b.([]any)
		if len(x) != len(y) {
			return false
		}
		for i := range x {
			if !strictEqual(x[i], y[i]) {
				return false
			}
		}
		return true
	case *value.Dict:
		y := b.(*value.Dict)
		if x.Len() != y.Len() {
			return false
		}
		for _, k := range x.Keys() {
			av, _ := x.Get(k)
			bv, ok := y.Get(k)
			if !ok || !strictEqual(av, bv) {
				return false
			}
		}
		return true
	}
	return a == b
}
