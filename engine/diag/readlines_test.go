package diag

import (
	"reflect"
	"testing"
)

func TestReadLines(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"a", []string{"a"}},
		{"a\n", []string{"a\n"}},
		{"a\r\nb\rc", []string{"a\n", "b\n", "c"}},
		{"\n\n", []string{"\n", "\n"}},
	}
	for _, c := range cases {
		if got := readLines([]byte(c.in)); !reflect.DeepEqual(got, c.want) {
			t.Errorf("readLines(%q) = %q; want %q", c.in, got, c.want)
		}
	}
}
