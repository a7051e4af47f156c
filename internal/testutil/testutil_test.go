package testutil

import (
	"os/exec"
	"reflect"
	"strings"
	"testing"

	"octopus/engine/value"
)

func TestRun(t *testing.T) {
	cases := []struct {
		script         string
		stdout, stderr string
		code           int
	}{
		{"echo out; echo err >&2", "out\n", "err\n", 0},
		{"printf x; exit 3", "x", "", 3},
	}
	for _, c := range cases {
		so, se, code := Run(t, exec.Command("sh", "-c", c.script))
		if so != c.stdout || se != c.stderr || code != c.code {
			t.Errorf("Run(%q) = %q, %q, %d; want %q, %q, %d", c.script, so, se, code, c.stdout, c.stderr, c.code)
		}
	}
}

func TestMapStrings(t *testing.T) {
	d := value.NewDict(1)
	d.Set("k@", []any{"a@", 1})
	in := map[string]any{"x@": "@y", "n": nil, "l": []any{"@", true}, "d": d}
	got := MapStrings(in, func(s string) string { return strings.ReplaceAll(s, "@", "#") })
	want := map[string]any{"x#": "#y", "n": nil, "l": []any{"#", true}}
	gm := got.(map[string]any)
	gd := gm["d"].(*value.Dict)
	delete(gm, "d")
	if !reflect.DeepEqual(gm, want) {
		t.Errorf("got %v, want %v", gm, want)
	}
	if v, ok := gd.Get("k#"); !ok || !reflect.DeepEqual(v, []any{"a#", 1}) {
		t.Errorf("dict: got %v", gd)
	}
	if in["x@"] != "@y" {
		t.Error("input changed")
	}
}
