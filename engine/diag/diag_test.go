package diag

import "testing"

func TestSnippet(t *testing.T) {
	src := []byte("- hosts: all\n\n  tasks:\n    - x: 1\n\n\n")
	cases := []struct {
		line, col int
		want      string
	}{
		{1, 3, "\n- hosts: all\n  ^ here\n"},
		{4, 7, "  tasks:\n    - x: 1\n      ^ here\n"},
		{3, 3, "\n  tasks:\n  ^ here\n"},
		// blank target lines move up to the last non-blank line
		{6, 1, "  tasks:\n    - x: 1\n^ here\n"},
	}
	for _, c := range cases {
		if got := Snippet(src, c.line, c.col); got != c.want {
			t.Errorf("Snippet(%d,%d) = %q, want %q", c.line, c.col, got, c.want)
		}
	}
}

func TestExtendedShorthand(t *testing.T) {
	src := []byte("- copy: src=a dest=b\n  owner: root\n")
	got := Extended(src, Pos{File: "f.yml", Line: 2, Col: 3})
	want := "The error appears to be in 'f.yml': line 1, column 12, but may\nbe elsewhere in the file depending on the exact syntax problem.\n\nThe offending line appears to be:\n\n- copy: src=a dest=b\n           ^ here\n\n" + hintShorthand
	if got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestExitCodeAndRender(t *testing.T) {
	e := &Error{Msg: "boom", Code: 4}
	if ExitCode(e) != 4 || ExitCode(nil) != 0 || ExitCode(&Error{Msg: "x"}) != 1 {
		t.Error("exit codes")
	}
	if Render(e) != "ERROR! boom\n" {
		t.Errorf("Render = %q", Render(e))
	}
}
