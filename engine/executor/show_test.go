package executor

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestShow prints the executor's output for OCTOPUS_SHOW=<case> (debug aid).
func TestShow(t *testing.T) {
	c := os.Getenv("OCTOPUS_SHOW")
	if c == "" {
		t.Skip("set OCTOPUS_SHOW=<case> to print a case's output")
	}
	inv, _ := filepath.Abs("testdata/inventory.ini")
	var args []string
	if b, err := os.ReadFile(filepath.Join("testdata", c, "args")); err == nil {
		args = strings.Fields(string(b))
	}
	out, errs, code := runOctopus(t, filepath.Join("testdata", c, "site.yml"), inv, args)
	fmt.Printf("%s\n--- stderr ---\n%s\n--- rc=%d\n", out, errs, code)
}
