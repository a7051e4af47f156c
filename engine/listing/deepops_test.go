package listing

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// extractDeepops writes deepops/ of the OpenI-Octopus mirror at b8d3334
// into a temp dir (blob by blob: the mirror lacks one binary blob, which
// makes git archive fail) and returns the deepops directory.
func extractDeepops(t *testing.T) string {
	t.Helper()
	repo := os.Getenv("OCTOPUS_DEEPOPS_REPO")
	if repo == "" {
		repo = "/work/.mirror/open-intelligence+OpenI-Octopus/repo"
	}
	if _, err := os.Stat(repo); err != nil {
		t.Skipf("OpenI-Octopus mirror not found at %s (set OCTOPUS_DEEPOPS_REPO)", repo)
	}
	tmp := t.TempDir()
	out, err := exec.Command("git", "-C", repo, "ls-tree", "-r", "b8d3334", "deepops").Output()
	if err != nil {
		t.Skipf("git ls-tree failed: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		meta, path, ok := strings.Cut(line, "\t")
		f := strings.Fields(meta)
		if !ok || len(f) != 3 || f[1] != "blob" {
			continue
		}
		data, err := exec.Command("git", "-C", repo, "cat-file", "blob", f[2]).Output()
		if err != nil {
			continue // missing blob (a binary file no playbook reads)
		}
		dst := filepath.Join(tmp, path)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	dir := filepath.Join(tmp, "deepops")
	// README: copy config.example to config.
	if err := exec.Command("cp", "-r", filepath.Join(dir, "config.example"), filepath.Join(dir, "config")).Run(); err != nil {
		t.Fatal(err)
	}
	return dir
}

var rePlayInclude = regexp.MustCompile(`(?m)^- include:`)

func TestDeepops(t *testing.T) {
	if testing.Short() {
		t.Skip("deepops differential test skipped in -short mode")
	}
	dir := extractDeepops(t)
	cfg := filepath.Join(dir, "ansible.cfg")
	rolesPath := rolesPathFromCfg(cfg)
	inv := loadFakeInventory(filepath.Join(dir, "config", "inventory"))
	files, _ := filepath.Glob(filepath.Join(dir, "playbooks", "*.yml"))
	if len(files) != 22 {
		t.Fatalf("expected 22 playbooks, found %d", len(files))
	}
	_, haveAnsible := exec.LookPath("ansible-playbook")
	refused := 0
	for _, f := range files {
		name := "playbooks/" + filepath.Base(f)
		t.Run(filepath.Base(f), func(t *testing.T) {
			oc := runOctopus(dir, name, []string{"--syntax-check"}, rolesPath, inv)
			if oc.errMsg != "" || oc.stdout != "\nplaybook: "+name+"\n" {
				t.Fatalf("syntax-check failed: %q %s", oc.stdout, oc.errMsg)
			}
			if haveAnsible != nil {
				t.Skip("ansible-playbook not installed: only octopus --syntax-check checked")
			}
			src, _ := os.ReadFile(f)
			ansName := name
			if rePlayInclude.Match(src) {
				// ansible 2.14 refuses play-level include: compare with the
				// import_playbook rewrite.
				refused++
				ansName = "playbooks/" + strings.TrimSuffix(filepath.Base(f), ".yml") + ".rewritten.yml"
				if err := os.WriteFile(filepath.Join(dir, ansName), rePlayInclude.ReplaceAll(src, []byte("- import_playbook:")), 0o644); err != nil {
					t.Fatal(err)
				}
				defer os.Remove(filepath.Join(dir, ansName))
			}
			args := []string{"--list-hosts", "--list-tasks", "--list-tags"}
			an := runAnsible(t, dir, cfg, "", ansName, args)
			if an.code != 0 {
				t.Fatalf("ansible failed (%d): %s", an.code, an.errMsg)
			}
			oc = runOctopus(dir, name, args, rolesPath, inv)
			want := normalise(strings.ReplaceAll(an.stdout, ansName, name), "")
			got := normalise(oc.stdout, "")
			if oc.errMsg != "" || got != want {
				t.Errorf("listing differs\n--- ansible\n%s\n--- octopus\n%s\n%s", want, got, oc.errMsg)
			}
			// --list-tasks alone must be byte-identical.
			an = runAnsible(t, dir, cfg, "", ansName, []string{"--list-tasks"})
			oc = runOctopus(dir, name, []string{"--list-tasks"}, rolesPath, inv)
			if !bytes.Equal([]byte(strings.ReplaceAll(an.stdout, ansName, name)), []byte(oc.stdout)) && normalise(strings.ReplaceAll(an.stdout, ansName, name), "") != normalise(oc.stdout, "") {
				t.Errorf("--list-tasks differs")
			}
		})
	}
	if haveAnsible == nil && refused != 5 {
		t.Errorf("expected 5 playbooks with a play-level include, found %d", refused)
	}
}
