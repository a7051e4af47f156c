package executor

import "testing"

func TestPauseInt(t *testing.T) {
	cases := []struct {
		in     any
		want   int
		ok     bool
		hasErr bool
	}{
		{in: nil},
		{in: 3, want: 3, ok: true},
		{in: 1.7, want: 1, ok: true},
		{in: "2", want: 2, ok: true},
		{in: " 5 ", want: 5, ok: true},
		{in: "1.5", hasErr: true},
		{in: "x", hasErr: true},
		{in: true, want: 1, ok: true},
		{in: []any{1}, hasErr: true},
	}
	for _, c := range cases {
		got, ok, err := pauseInt(c.in)
		if (err != nil) != c.hasErr || ok != c.ok || got != c.want {
			t.Errorf("pauseInt(%#v) = %d, %v, %v; want %d, %v, error %v", c.in, got, ok, err, c.want, c.ok, c.hasErr)
		}
	}
}
