package argspec

import (
	"reflect"
	"testing"

	"octopus/engine/pyfmt"
	"octopus/engine/value"
)

var secretSpec = Spec{
	Module: "secret",
	Options: []Option{
		{Name: "name", Aliases: []string{"user"}},
		{Name: "password", NoLog: true},
		{Name: "token", Type: "int", NoLog: true},
		{Name: "update_password", Default: "always", LogOK: true},
		{Name: "login_pass"},
		{Name: "mode", Type: "raw"},
	},
}

func TestModuleArgs(t *testing.T) {
	cases := []struct {
		name string
		spec *Spec
		args map[string]any
		want string // JSON, keys sorted
	}{
		{"defaults and nil", &spec, map[string]any{"path": "/x"},
			`{"a": null, "b": null, "count": null, "force": false, "items": null, "opts": null, "path": "/x", "state": "present"}`},
		{"alias as given, option converted", &spec, map[string]any{"dest": 5, "force": "yes"},
			`{"a": null, "b": null, "count": null, "dest": 5, "force": true, "items": null, "opts": null, "path": "5", "state": "present"}`},
		{"nested dict sorted", &spec, map[string]any{"path": "/x", "opts": map[string]any{"z": 1, "a": 2}},
			`{"a": null, "b": null, "count": null, "force": false, "items": null, "opts": {"a": 2, "z": 1}, "path": "/x", "state": "present"}`},
		{"internal keys dropped", &secretSpec, map[string]any{"user": "bob", "_ansible_check_mode": true},
			`{"login_pass": null, "mode": null, "name": "bob", "password": null, "token": null, "update_password": "always", "user": "bob"}`},
	}
	for _, c := range cases {
		p, err := c.spec.Validate(c.args)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		got := pyfmt.JSONText(c.spec.ModuleArgs(c.args, p), pyfmt.JSONOptions{SortKeys: true})
		if got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, got, c.want)
		}
	}
}

func TestPartial(t *testing.T) {
	cases := []struct {
		args map[string]any
		want map[string]any // subset
	}{
		// unsupported keys stay, defaults are filled, unset options are nil
		{map[string]any{"path": "/x", "bogus": "1"}, map[string]any{"bogus": "1", "force": false, "state": "present", "count": nil}},
		// an unconvertible value stays as given; the others are converted
		{map[string]any{"path": "/x", "force": "maybe", "count": "3", "items": "a"}, map[string]any{"force": "maybe", "count": 3}},
		// a bad choice stays
		{map[string]any{"path": "/x", "state": "weird"}, map[string]any{"state": "weird"}},
		// a missing required option is nil
		{map[string]any{"force": true}, map[string]any{"path": nil, "force": true}},
	}
	for _, c := range cases {
		if _, err := spec.Validate(c.args); err == nil {
			t.Fatalf("%v: expected a validation error", c.args)
		}
		p := spec.Partial(c.args)
		for k, w := range c.want {
			if g, ok := p[k]; !ok || !reflect.DeepEqual(g, w) {
				t.Errorf("%v: %s = %#v, want %#v", c.args, k, g, w)
			}
		}
	}
}

func TestNoLogStringsAndRemoveValues(t *testing.T) {
	p, err := secretSpec.Validate(map[string]any{"name": "bob", "password": "s3cret", "token": "1234"})
	if err != nil {
		t.Fatal(err)
	}
	nl := secretSpec.NoLogStrings(p)
	if !reflect.DeepEqual(nl, []string{"1234", "s3cret"}) {
		t.Fatalf("NoLogStrings = %q", nl)
	}
	in := map[string]any{
		"password": "s3cret",
		"msg":      "login with s3cret failed",
		"token":    1234,
		"big":      991234,
		"ok":       true,
		"nested":   []any{"s3cret", value.DictOf("k", "x s3cret y")},
		"name":     "bob",
	}
	got := RemoveValues(in, nl).(map[string]any)
	want := map[string]any{
		"password": NoLogPlaceholder,
		"msg":      "login with ******** failed",
		"token":    NoLogPlaceholder,
		"big":      NoLogPlaceholder,
		"ok":       true,
		"name":     "bob",
	}
	for k, w := range want {
		if !reflect.DeepEqual(got[k], w) {
			t.Errorf("%s = %#v, want %#v", k, got[k], w)
		}
	}
	n := got["nested"].([]any)
	if n[0] != NoLogPlaceholder {
		t.Errorf("nested[0] = %#v", n[0])
	}
	if v, _ := n[1].(*value.Dict).Get("k"); v != "x ******** y" {
		t.Errorf("nested dict = %#v", v)
	}
	if RemoveValues("plain", nil) != "plain" {
		t.Error("no no_log values must leave values alone")
	}
}

func TestNoLogWarnings(t *testing.T) {
	got := secretSpec.NoLogWarnings(map[string]any{"name": "bob"})
	want := []string{"Module did not set no_log for login_pass"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	for _, c := range []struct {
		name  string
		match bool
	}{
		{"password", true}, {"pass", true}, {"login_password", true}, {"passphrase", true}, {"db-passwd", true},
		{"url_password_file", true}, {"passno", false}, {"bypass", false}, {"password_lock", true}, {"compass", false},
	} {
		if passwordRe.MatchString(c.name) != c.match {
			t.Errorf("%s: match %v, want %v", c.name, !c.match, c.match)
		}
	}
}
