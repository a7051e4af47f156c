package shlex

import (
	"encoding/json"
	"os/exec"
	"reflect"
	"testing"
)

func TestSplit(t *testing.T) {
	cases := []struct {
		in   string
		want []string
		err  error
	}{
		{"", nil, nil},
		{"-o A=b  -C", []string{"-o", "A=b", "-C"}, nil},
		{`-o ProxyCommand='ssh -W %h:%p jump'`, []string{"-o", "ProxyCommand=ssh -W %h:%p jump"}, nil},
		{`-o "ProxyCommand=nc %h %p" x\ y`, []string{"-o", "ProxyCommand=nc %h %p", "x y"}, nil},
		{`"a\"b" '' "c\$d"`, []string{`a"b`, "", `c\$d`}, nil},
		{"a\tb\nc", []string{"a", "b", "c"}, nil},
		{`-o 'open`, nil, ErrNoClosingQuotation},
		{`"open`, nil, ErrNoClosingQuotation},
		{`end\`, nil, ErrNoEscapedCharacter},
		// command lines of the command module, validate and script
		{`echo hello   world`, []string{"echo", "hello", "world"}, nil},
		{`a 'b c' "d \"e\" \$f \x" g\ h`, []string{"a", "b c", `d "e" \$f \x`, "g h"}, nil},
		{`x''y ""`, []string{"xy", ""}, nil},
		{`'open`, nil, ErrNoClosingQuotation},
		{`# not a comment`, []string{"#", "not", "a", "comment"}, nil},
	}
	for _, c := range cases {
		got, err := Split(c.in)
		if err != c.err || !reflect.DeepEqual(got, c.want) {
			t.Errorf("Split(%q) = %q, %v; want %q, %v", c.in, got, err, c.want, c.err)
		}
	}
}

// TestSplitAgainstPython checks Split against Python's shlex.split.
func TestSplitAgainstPython(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 not installed")
	}
	inputs := []string{`a "b \$c \` + "`" + `d \\ \"e" f\ g`, `'x\y' "z\nw"`, "p\tq \"r\ts\"", `""`, `a""b`}
	for _, in := range inputs {
		out, err := exec.Command("python3", "-c", "import json,shlex,sys; print(json.dumps(shlex.split(sys.argv[1])))", in).Output()
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		if err := json.Unmarshal(out, &want); err != nil {
			t.Fatal(err)
		}
		got, err := Split(in)
		if err != nil || !reflect.DeepEqual(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Errorf("Split(%q) = %q, %v; python %q", in, got, err, want)
		}
	}
}
