package argspec

import (
	"reflect"
	"testing"
)

var spec = Spec{
	Module: "demo",
	Options: []Option{
		{Name: "path", Type: "path", Required: true, Aliases: []string{"dest", "name"}},
		{Name: "force", Type: "bool", Default: false},
		{Name: "count", Type: "int"},
		{Name: "items", Type: "list", Elements: "str"},
		{Name: "opts", Type: "dict"},
		{Name: "state", Default: "present", Choices: []any{"present", "absent"}},
		{Name: "a"}, {Name: "b"},
	},
	MutuallyExclusive: [][]string{{"a", "b"}},
	RequiredTogether:  [][]string{{"count", "items"}},
	RequiredIf:        []RequiredIf{{Key: "state", Value: "absent", Requires: []string{"a"}}},
}

func TestValidate(t *testing.T) {
	cases := []struct {
		args map[string]any
		want map[string]any // subset of params
		err  string
	}{
		{map[string]any{"dest": "/x", "force": "yes"}, map[string]any{"path": "/x", "force": true, "state": "present", "count": nil}, ""},
		{map[string]any{"path": "/x", "force": "off", "count": "12", "items": "a,b"}, map[string]any{"force": false, "count": 12, "items": []any{"a", "b"}}, ""},
		{map[string]any{"path": "/x", "items": []any{1, true}, "count": 1}, map[string]any{"items": []any{"1", "True"}}, ""},
		{map[string]any{"path": "/x", "opts": "k=v x='a b'"}, nil, ""},
		{map[string]any{"path": 5}, map[string]any{"path": "5"}, ""},
		{map[string]any{}, nil, "missing required arguments: path"},
		{map[string]any{"path": "/x", "zz": 1, "yy": 2}, nil, "Unsupported parameters for (demo) module: yy, zz. Supported parameters include: a, b, count, force, items, opts, path, state (dest, name)."},
		{map[string]any{"path": "/x", "a": 1, "b": 2}, nil, "parameters are mutually exclusive: a|b"},
		{map[string]any{"path": "/x", "count": 1}, nil, "parameters are required together: count, items"},
		{map[string]any{"path": "/x", "state": "absent"}, nil, "state is absent but all of the following are missing: a"},
		{map[string]any{"path": "/x", "state": "gone"}, nil, "value of state must be one of: present, absent, got: gone"},
		{map[string]any{"path": "/x", "count": "ten"}, nil, "argument 'count' is of type <class 'str'> and we were unable to convert to int: <class 'str'> cannot be converted to an int"},
		{map[string]any{"path": "/x", "opts": "nothing"}, nil, "argument 'opts' is of type <class 'str'> and we were unable to convert to dict: dictionary requested, could not parse JSON or key=value"},
		// unsupported parameters are reported only when nothing else failed
		{map[string]any{"zz": 1}, nil, "missing required arguments: path"},
	}
	for _, c := range cases {
		p, err := spec.Validate(c.args)
		if c.err != "" {
			if err == nil || err.Error() != c.err {
				t.Errorf("%v: error %v, want %q", c.args, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%v: %v", c.args, err)
			continue
		}
		for k, v := range c.want {
			if !reflect.DeepEqual(p[k], v) {
				t.Errorf("%v: %s = %#v, want %#v", c.args, k, p[k], v)
			}
		}
	}
}

func TestBoolChoices(t *testing.T) {
	s := Spec{Module: "m", Options: []Option{{Name: "state", Choices: []any{"yes", "no", "maybe"}}}}
	p, err := s.Validate(map[string]any{"state": true})
	if err != nil || p["state"] != "yes" {
		t.Fatalf("got %v %v", p, err)
	}
}
