package output

import (
	"bytes"
	"strings"
	"testing"

	"octopus/engine/value"
)

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
