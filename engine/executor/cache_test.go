package executor

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"octopus/engine/connection"
	"octopus/engine/connection/local"
	"octopus/engine/output"
	"octopus/engine/playbook"
	"octopus/engine/template"
)

func runCase(t *testing.T, name string, mod func(*Options)) (string, int) {
	t.Helper()
	abs, _ := filepath.Abs(filepath.Join("testdata", name, "site.yml"))
	pb, err := playbook.Load(abs, playbook.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	inv, _ := filepath.Abs("testdata/inventory.ini")
	var out bytes.Buffer
	opts := Options{
		Inventory: newTestInv(t, inv, pb.Dir),
		Templater: NewTemplater(template.New(template.Options{})),
		Connect: func(context.Context, string, ConnVars) (connection.Conn, error) {
			return local.New(), nil
		},
		Callback: output.NewDefault(&output.Display{Out: &out, Err: &out, Columns: 79}),
	}
	mod(&opts)
	code := Run(context.Background(), pb, opts)
	return out.String(), code
}

func TestSmartGatheringFactCache(t *testing.T) {
	dir := t.TempDir()
	set := func(o *Options) { o.Gathering = "smart"; o.FactCacheDir = dir }
	out, code := runCase(t, "facts", set)
	if code != 0 || !strings.Contains(out, "TASK [Gathering Facts]") {
		t.Fatalf("first run (code %d) did not gather:\n%s", code, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "h1")); err != nil {
		t.Fatalf("no cache file: %v", err)
	}
	out, code = runCase(t, "facts", set)
	if code != 0 || strings.Contains(out, "Gathering Facts") {
		t.Fatalf("second run (code %d) gathered again:\n%s", code, out)
	}
	if !strings.Contains(out, `"msg": "True True"`) {
		t.Errorf("cached facts not visible:\n%s", out)
	}
}

func TestRetryFile(t *testing.T) {
	dir := t.TempDir()
	out, code := runCase(t, "failures", func(o *Options) { o.RetryFilesEnabled = true; o.RetryFilesSavePath = dir })
	if code != ExitFailedHosts {
		t.Fatalf("code %d\n%s", code, out)
	}
	b, err := os.ReadFile(filepath.Join(dir, "site.retry"))
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != "h2\nh3\n" {
		t.Errorf("retry file = %q", b)
	}
	if !strings.Contains(out, "to retry, use: --limit @"+filepath.Join(dir, "site.retry")) {
		t.Errorf("no retry hint:\n%s", out)
	}
}
