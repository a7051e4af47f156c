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
		{`echo hello   world`, []string{"echo", "hello", "world"}, nil},
		{`a 'b c' "d \"e\" \$f \x" g\ h`, []string{"a", "b c", `d "e" $f \x`, "g h"}, nil},
		{`x''y ""`, []string{"xy", ""}, nil},
		{`'open`, nil, ErrQuotation},
		{`trail\`, nil, ErrEscape},
		{`# not a comment`, []string{"#", "not", "a", "comment"}, nil},
	}
	for _, c := range cases {
		got, err := Split(c.in)
		if err != c.err || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%q: %q %v, want %q %v", c.in, got, err, c.want, c.err)
		}
	}
}
