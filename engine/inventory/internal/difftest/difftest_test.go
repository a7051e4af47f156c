package difftest

import "testing"

func TestRand(t *testing.T) {
	t.Setenv("DT_SEED", "")
	t.Setenv("DT_N", "")
	r1, n := Rand("DT_SEED", 7, "DT_N", 3)
	if n != 3 {
		t.Errorf("n = %d, want the default 3", n)
	}
	t.Setenv("DT_SEED", "7")
	t.Setenv("DT_N", "5")
	r2, n := Rand("DT_SEED", 1, "DT_N", 3)
	if n != 5 {
		t.Errorf("n = %d, want 5 from the environment", n)
	}
	if a, b := r1.Int63(), r2.Int63(); a != b {
		t.Errorf("same seed gave %d and %d", a, b)
	}
}
