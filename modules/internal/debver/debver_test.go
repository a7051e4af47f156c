package debver

import (
	"os/exec"
	"testing"
)

func TestCompare(t *testing.T) {
	cases := []struct {
		a, b string
		want int
	}{
		{"1.0", "1.0", 0}, {"1.0", "1.1", -1}, {"1.10", "1.9", 1}, {"1.0~rc1", "1.0", -1},
		{"1:0.9", "2.0", 1}, {"1.0-1", "1.0-2", -1}, {"1.0-1", "1.0", 1}, {"2.36-9+deb12u4", "2.36-9+deb12u10", -1},
		{"1.0a", "1.0", 1}, {"1.0+b1", "1.0", 1}, {"1.0.0", "1.0", 1}, {"0001", "1", 0}, {"1.2~~", "1.2~", -1},
		{"7.88.1-10+deb12u5", "7.88.1-10+deb12u12", -1}, {"1:2.3", "1:2.3", 0},
	}
	_, err := exec.LookPath("dpkg")
	for _, c := range cases {
		if got := Compare(c.a, c.b); got != c.want {
			t.Errorf("Compare(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
		if err == nil { // cross-check with dpkg itself
			lt := exec.Command("dpkg", "--compare-versions", c.a, "lt", c.b).Run() == nil
			gt := exec.Command("dpkg", "--compare-versions", c.a, "gt", c.b).Run() == nil
			d := 0
			if lt {
				d = -1
			} else if gt {
				d = 1
			}
			if d != c.want {
				t.Errorf("dpkg disagrees on %q vs %q: %d", c.a, c.b, d)
			}
		}
	}
}
