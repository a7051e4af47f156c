// Package difftest holds what the inventory packages' differential tests
// against Ansible share: finding the Ansible command (or skipping) and a
// reproducible random source for generated cases.
package difftest

import (
	"math/rand"
	"os"
	"os/exec"
	"strconv"
	"testing"
)

// Require returns the path of the Ansible command name (ansible,
// ansible-inventory…); it skips t, saying why, when the command is not
// installed or when slow is set and the tests run with -short.
func Require(t testing.TB, name string, slow bool) string {
	t.Helper()
	bin, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s not installed; skipping differential tests", name)
	}
	if slow && testing.Short() {
		t.Skip("slow differential test skipped in -short mode")
	}
	return bin
}

// Rand returns a random source seeded with seed and the number of cases n;
// the environment variables seedVar and countVar override them, so that a
// failure reproduces and a longer run is one variable away.
func Rand(seedVar string, seed int64, countVar string, n int) (*rand.Rand, int) {
	if v, err := strconv.ParseInt(os.Getenv(seedVar), 10, 64); err == nil {
		seed = v
	}
	if v, err := strconv.Atoi(os.Getenv(countVar)); err == nil {
		n = v
	}
	return rand.New(rand.NewSource(seed)), n
}
