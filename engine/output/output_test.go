package output

import (
	"bytes"
	"strings"
	"testing"

	"octopus/engine/value"
)

func TestJSON(t *testing.T) {
	d := value.DictOf("b", 1, "a", []any{"x", true, nil}, "c", value.DictOf(), "f", 1.5, "u", "é\n\"")
	tests := []struct {
		indent int
		sort   bool
		want   string
	}{
		{-1, true, `{"a": ["x", true, null], "b": 1, "c": {}, "f": 1.5, "u": "é\n\""}`},
		{-1, false, `{"b": 1, "a": ["x", true, null], "c": {}, "f": 1.5, "u": "é\n\""}`},
		{4, true, "{\n    \"a\": [\n        \"x\",\n        true,\n        null\n    ],\n    \"b\": 1,\n    \"c\": {},\n    \"f\": 1.5,\n    \"u\": \"é\\n\\\"\"\n}"},
	}
	for _, tc := range tests {
		if got := JSON(d, tc.indent, tc.sort); got != tc.want {
			t.Errorf("JSON(indent=%d, sort=%v) =\n%s\nwant\n%s", tc.indent, tc.sort, got, tc.want)
		}
	}
}

func TestPyFloat(t *testing.T) {
	for f, want := range map[float64]string{1: "1.0", 0.1: "0.1", 1e16: "1e+16", 1.5e-5: "1.5e-05", 123456.789: "123456.789", -2.5: "-2.5", 1e-4: "0.0001"} {
		if got := PyFloat(f, true); got != want {
			t.Errorf("PyFloat(%v) = %s, want %s", f, got, want)
		}
	}
}

func TestPyRepr(t *testing.T) {
	v := value.DictOf("a", []any{1, "it's", true, nil})
	if got, want := PyRepr(v), `{'a': [1, "it's", True, None]}`; got != want {
		t.Errorf("PyRepr = %s, want %s", got, want)
	}
}

func TestBannerAndRecap(t *testing.T) {
	var out bytes.Buffer
	d := &Display{Out: &out, Err: &out, Columns: 79}
	c := NewDefault(d)
	c.PlayStart(&Play{Name: "x"})
	c.Stats(&Stats{Hosts: map[string]*HostStats{"h1": {OK: 2, Changed: 1}}})
	want := "\nPLAY [x] " + strings.Repeat("*", 79-8) + "\n" +
		"\nPLAY RECAP " + strings.Repeat("*", 79-10) + "\n" +
		"h1                         : ok=2    changed=1    unreachable=0    failed=0    skipped=0    rescued=0    ignored=0   \n\n"
	if out.String() != want {
		t.Errorf("got\n%q\nwant\n%q", out.String(), want)
	}
}

func TestWrap(t *testing.T) {
	got := Wrap("[WARNING]: "+strings.Repeat("word ", 20), 30, true)
	for _, l := range got {
		if len(l) > 30 {
			t.Errorf("line too long: %q", l)
		}
	}
	if strings.Join(got, " ") != strings.TrimSpace("[WARNING]: "+strings.Repeat("word ", 20)) {
		t.Errorf("wrap lost text: %q", got)
	}
}

func TestColor(t *testing.T) {
	d := &Display{Color: true}
	if got := d.Colorize("ok: [h]", ColorOK); got != "\x1b[0;32mok: [h]\x1b[0m" {
		t.Errorf("Colorize = %q", got)
	}
}

func TestYAMLResult(t *testing.T) {
	res := value.DictOf("changed", false, "msg", "line1\nline2", "rc", 0, "stdout", "x", "stdout_lines", []any{"x"}, "n", "01")
	got := DumpYAMLResult(res, 0)
	want := "changed=false \n  msg: |-\n    line1\n    line2\n  n: '01'\n  rc: 0\n  stdout: x\n  stdout_lines: <omitted>"
	if got != want {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
}
