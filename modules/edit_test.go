package modules

import (
	"strings"
	"testing"
)

func sp(s string) *string { return &s }

func TestLineinfilePresent(t *testing.T) {
	cases := []struct {
		in   string
		o    lineOpts
		want string
		msg  string
	}{
		{"a\nb\n", lineOpts{Line: "c"}, "a\nb\nc\n", "line added"},
		{"a\nb", lineOpts{Line: "c"}, "a\nb\nc\n", "line added"},
		{"a\nb\n", lineOpts{Line: "b"}, "a\nb\n", ""},
		{"a=1\nb=2\na=3\n", lineOpts{Regexp: sp("^a="), Line: "a=9"}, "a=1\nb=2\na=9\n", "line replaced"},
		{"a=1\nb=2\na=3\n", lineOpts{Regexp: sp("^a="), Line: "a=9", Firstmatch: true}, "a=9\nb=2\na=3\n", "line replaced"},
		{"a\nb\n", lineOpts{Line: "z", InsertBefore: sp("BOF")}, "z\na\nb\n", "line added"},
		{"a\nb\nc\n", lineOpts{Line: "z", InsertAfter: sp("^a")}, "a\nz\nb\nc\n", "line added"},
		{"a\nb\nc\n", lineOpts{Line: "z", InsertBefore: sp("^c")}, "a\nb\nz\nc\n", "line added"},
		{"a\nz\nb\n", lineOpts{Line: "z", InsertAfter: sp("^a")}, "a\nz\nb\n", ""},
		{"k=v\n", lineOpts{Regexp: sp(`^(k)=(\w)$`), Line: `\2=\1`, Backrefs: true}, "v=k\n", "line replaced"},
		{"k=v\n", lineOpts{Regexp: sp(`^nomatch`), Line: `x`, Backrefs: true}, "k=v\n", ""},
		{"a b c\n", lineOpts{SearchString: sp("b"), Line: "B"}, "B\n", "line replaced"},
	}
	for _, c := range cases {
		out, msg, changed, err := lineinfilePresent(lines([]byte(c.in)), c.o)
		if err != nil || string(joinLines(out)) != c.want || msg != c.msg || changed != (msg != "") {
			t.Errorf("%q %+v: %q %q %v %v, want %q %q", c.in, c.o, joinLines(out), msg, changed, err, c.want, c.msg)
		}
	}
	out, n, _ := lineinfileAbsent(lines([]byte("a\nb\na\n")), lineOpts{Line: "a"})
	if n != 2 || string(joinLines(out)) != "b\n" {
		t.Errorf("absent: %q %d", joinLines(out), n)
	}
}

func TestBlockinfileEdit(t *testing.T) {
	m := func(s string) string {
		return "# BEGIN ANSIBLE MANAGED BLOCK\n" + s + "# END ANSIBLE MANAGED BLOCK\n"
	}
	cases := []struct {
		in   *string
		o    blockOpts
		want string
		msg  string
	}{
		{sp("a\n"), blockOpts{Present: true, Block: "x"}, "a\n" + m("x\n"), "Block inserted"},
		{sp("a"), blockOpts{Present: true, Block: "x"}, "a\n" + m("x\n"), "Block inserted"},
		{sp("a\n" + m("old\n") + "z\n"), blockOpts{Present: true, Block: "new"}, "a\n" + m("new\n") + "z\n", "Block inserted"},
		{sp("a\n" + m("old\n") + "z\n"), blockOpts{Present: false}, "a\nz\n", "Block removed"},
		{sp("a\n" + m("x\n")), blockOpts{Present: true, Block: "x"}, "a\n" + m("x\n"), ""},
		{nil, blockOpts{Present: true, Block: "x"}, m("x\n"), "File created"},
		{sp("a\nb\n"), blockOpts{Present: true, Block: "x", InsertBefore: sp("^b")}, "a\n" + m("x\n") + "b\n", "Block inserted"},
		{sp("a\nb\n"), blockOpts{Present: true, Block: "x", InsertBefore: sp("BOF")}, m("x\n") + "a\nb\n", "Block inserted"},
	}
	for _, c := range cases {
		var in []byte
		if c.in != nil {
			in = []byte(*c.in)
		}
		o := c.o
		o.Marker, o.MarkerBegin, o.MarkerEnd = "# {mark} ANSIBLE MANAGED BLOCK", "BEGIN", "END"
		out, msg, _, err := blockinfileEdit(in, o)
		if err != nil || string(out) != c.want || msg != c.msg {
			t.Errorf("%v %+v: %q %q %v, want %q %q", c.in, c.o, out, msg, err, c.want, c.msg)
		}
	}
}

func TestReplaceEdit(t *testing.T) {
	text := "p=1\n[s]\np=2\n[t]\np=3\n"
	cases := []struct {
		re, repl, after, before, want string
		n                             int
	}{
		{`^p=(\d)$`, `p=\1\1`, "", "", "p=11\n[s]\np=22\n[t]\np=33\n", 3},
		{`^p=.*$`, `p=x`, `\[s\]`, "", "p=1\n[s]\np=x\n[t]\np=x\n", 2},
		{`^p=.*$`, `p=x`, `\[s\]`, `\[t\]`, "p=1\n[s]\np=x\n[t]\np=3\n", 1},
		{`^p=.*\n`, ``, "", `\[s\]`, "[s]\np=2\n[t]\np=3\n", 1},
	}
	for _, c := range cases {
		got, n, miss, err := replaceEdit(text, c.re, c.repl, c.after, c.before)
		if err != nil || miss != "" || got != c.want || n != c.n {
			t.Errorf("%+v: %q %d %q %v", c, got, n, miss, err)
		}
	}
	_, _, miss, _ := replaceEdit(text, "x", "", "nomatch", "")
	if !strings.HasPrefix(miss, "Pattern for before/after params did not match") {
		t.Errorf("miss = %q", miss)
	}
}
