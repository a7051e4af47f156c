package output

import (
	"reflect"
	"testing"
)

func TestSplitKeepNL(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"a", []string{"a"}},
		{"a\nb\n", []string{"a\n", "b\n"}},
		{"a\r\nb", []string{"a\r\n", "b"}},
	}
	for _, c := range cases {
		if got := splitKeepNL(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("splitKeepNL(%q) = %q; want %q", c.in, got, c.want)
		}
	}
}
