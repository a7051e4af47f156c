package executor

import (
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/pmezard/go-difflib/difflib"
)

// copyDir copies the flat directory src to dst.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	ents, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// compareRuns runs file with both tools and reports differences.
func compareRuns(t *testing.T, file, inv string, ansArgs, octArgs []string) {
	t.Helper()
	dir, _ := filepath.Abs(filepath.Dir(file))
	want, wantErr, wantCode := runAnsible(t, file, inv, ansArgs)
	got, gotErr, gotCode := runOctopus(t, file, inv, octArgs)
	nw, ng := normOut(want, dir), normOut(got, dir)
	if nw != ng {
		diff, _ := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{A: difflib.SplitLines(nw), B: difflib.SplitLines(ng), FromFile: "ansible", ToFile: "octopus", Context: 3})
		t.Errorf("stdout differs:\n%s\nansible stderr:\n%s\noctopus stderr:\n%s", diff, wantErr, gotErr)
	}
	if wantCode != gotCode {
		t.Errorf("exit code: ansible %d, octopus %d", wantCode, gotCode)
	}
}

// TestFactCacheDifferential: facts that ansible cached in a jsonfile
// cache are in hostvars of a later run even without gathering (both tools
// read a copy of the same cache), expired entries are ignored, set_fact
// cacheable facts are cached and clear_facts drops the cache file.
func TestFactCacheDifferential(t *testing.T) {
	if _, err := exec.LookPath("ansible-playbook"); err != nil {
		t.Skip("ansible-playbook not installed: differential tests need the oracle")
	}
	inv, _ := filepath.Abs("testdata/inventory.ini")
	gather, _ := filepath.Abs("testdata/factcache/gather.yml")
	use, _ := filepath.Abs("testdata/factcache/use.yml")
	seed := t.TempDir()
	if _, errOut, code := runAnsible(t, gather, inv, []string{"--x-fact-cache", seed, "--x-gathering", "smart"}); code != 0 {
		t.Fatalf("seeding the cache failed (%d): %s", code, errOut)
	}
	for _, c := range []struct {
		name      string
		gathering string
		age       time.Duration
		timeout   string
	}{
		{"smart", "smart", 0, "86400"},
		{"implicit", "implicit", 0, "86400"},
		{"explicit", "explicit", 0, "86400"},
		{"expired", "smart", 2 * time.Hour, "3600"},
		{"never-expires", "explicit", 48 * time.Hour, "0"},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, o := filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "o")
			copyDir(t, seed, a)
			copyDir(t, seed, o)
			if c.age > 0 {
				old := time.Now().Add(-c.age)
				for _, d := range []string{a, o} {
					ents, _ := os.ReadDir(d)
					for _, e := range ents {
						os.Chtimes(filepath.Join(d, e.Name()), old, old)
					}
				}
			}
			common := []string{"--x-gathering", c.gathering}
			compareRuns(t, use, inv,
				append([]string{"--x-fact-cache", a, "--x-cache-timeout", c.timeout}, common...),
				append([]string{"--x-fact-cache", o, "--x-cache-timeout", c.timeout}, common...))
			for _, h := range []string{"h1", "h2", "h3"} {
				_, ea := os.Stat(filepath.Join(a, h))
				_, eo := os.Stat(filepath.Join(o, h))
				if (ea == nil) != (eo == nil) {
					t.Errorf("cache file %s: ansible exists=%v, octopus exists=%v", h, ea == nil, eo == nil)
				}
			}
		})
	}
}

// TestFactCachePrefix: fact_caching_prefix names the cache files
// prefix+host for both tools, and a later run reads them back.
func TestFactCachePrefix(t *testing.T) {
	if _, err := exec.LookPath("ansible-playbook"); err != nil {
		t.Skip("ansible-playbook not installed: differential tests need the oracle")
	}
	inv, _ := filepath.Abs("testdata/inventory.ini")
	gather, _ := filepath.Abs("testdata/factcache/gather.yml")
	use, _ := filepath.Abs("testdata/factcache/use.yml")
	a, o := t.TempDir(), t.TempDir()
	prefixed := func(dir string) []string {
		return []string{"--x-fact-cache", dir, "--x-gathering", "smart", "--x-cache-prefix", "pre_"}
	}
	compareRuns(t, gather, inv, prefixed(a), prefixed(o))
	for _, h := range []string{"h1", "h2"} { // gather.yml caches only these
		for _, d := range []string{a, o} {
			if _, err := os.Stat(filepath.Join(d, "pre_"+h)); err != nil {
				t.Errorf("no prefixed cache file: %v", err)
			}
		}
	}
	compareRuns(t, use, inv, prefixed(a), prefixed(o))
}

func TestKnownAction(t *testing.T) {
	cases := map[string]bool{
		"debug": true, "ansible.builtin.debug": true, "ansible.legacy.command": true,
		"git":    true, // builtin in Ansible even though octopus lacks it
		"sysctl": true, "ansible.posix.sysctl": true, "ansible.builtin.sysctl": true,
		"nosuchmod": false, "ansible.builtin.nosuch": false, "nosuch.coll.mod": false,
	}
	for name, want := range cases {
		if got := KnownAction(name); got != want {
			t.Errorf("KnownAction(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestActionNames(t *testing.T) {
	names := ActionNames()
	if !sort.StringsAreSorted(names) {
		t.Errorf("not sorted: %v", names)
	}
	for _, want := range []string{"debug", "reboot", "ping", "wait_for_connection"} {
		if i := sort.SearchStrings(names, want); i == len(names) || names[i] != want {
			t.Errorf("%s missing from %v", want, names)
		}
	}
}
