package shlex

import (
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
	}
	for _, c := range cases {
		got, err := Split(c.in)
		if err != c.err || !reflect.DeepEqual(got, c.want) {
			t.Errorf("Split(%q) = %q, %v; want %q, %v", c.in, got, err, c.want, c.err)
		}
	}
}
