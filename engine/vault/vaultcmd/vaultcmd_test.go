package vaultcmd

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"octopus/internal/testutil"
)

// env isolates both implementations from any user ansible.cfg.
func isolate(t *testing.T) (dir string, env []string) {
	t.Helper()
	dir = t.TempDir()
	home := filepath.Join(dir, "home")
	os.MkdirAll(home, 0o755)
	t.Setenv("HOME", home)
	t.Setenv("ANSIBLE_CONFIG", filepath.Join(dir, "none.cfg"))
	for _, k := range []string{"ANSIBLE_VAULT_PASSWORD_FILE", "ANSIBLE_VAULT_IDENTITY_LIST", "ANSIBLE_VAULT_IDENTITY", "ANSIBLE_VAULT_ENCRYPT_IDENTITY", "ANSIBLE_VAULT_ID_MATCH"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	os.WriteFile(filepath.Join(dir, "pw"), []byte("s3cret\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "pw2"), []byte("other\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "bad"), []byte("wrong\n"), 0o600)
	return dir, os.Environ()
}

type result struct {
	code           int
	stdout, stderr string
}

// octopus runs Run in dir.
func octopus(t *testing.T, dir, stdin string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	c := &cmd{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, cwd: dir}
	code := c.run(args)
	return result{code, out.String(), errb.String()}
}

// ansible runs ansible-vault in dir.
func ansible(t *testing.T, dir, stdin string, args ...string) result {
	t.Helper()
	cmd := exec.Command("ansible-vault", args...)
	cmd.Dir = dir
	cmd.Stdin = strings.NewReader(stdin)
	so, se, code := testutil.Run(t, cmd)
	return result{code, so, se}
}

func needAnsible(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("ansible-vault"); err != nil {
		t.Skip("ansible-vault not installed (ansible-playbook not installed)")
	}
}

var plaintexts = []string{"key: value\n", "no newline at end", "", "ünïcödé\n\tand tabs\n", strings.Repeat("long line ", 50)}

// TestRoundTripWithAnsible: files encrypted by each tool decrypt with the other.
func TestRoundTripWithAnsible(t *testing.T) {
	needAnsible(t)
	dir, _ := isolate(t)
	idArgs := [][]string{
		{"--vault-password-file", "pw"},
		{"--vault-id", "dev@pw"},
	}
	n := 0
	for _, ids := range idArgs {
		for i, p := range plaintexts {
			if p == "" {
				continue
			}
			f := filepath.Join(dir, "f")
			// octopus encrypts, ansible decrypts
			os.WriteFile(f, []byte(p), 0o644)
			if r := octopus(t, dir, "", append([]string{"encrypt"}, append(ids, "f")...)...); r.code != 0 {
				t.Fatalf("octopus encrypt: %+v", r)
			}
			enc, _ := os.ReadFile(f)
			if ids[0] == "--vault-id" != bytes.HasPrefix(enc, []byte("$ANSIBLE_VAULT;1.2;AES256;dev\n")) {
				t.Errorf("header: %q", strings.SplitN(string(enc), "\n", 2)[0])
			}
			if st, _ := os.Stat(f); st.Mode().Perm() != 0o600 {
				t.Errorf("mode %v", st.Mode())
			}
			r := ansible(t, dir, "", append([]string{"decrypt", "--output", "-"}, append(ids, "f")...)...)
			if r.code != 0 || r.stdout != p {
				t.Errorf("%d: ansible decrypt of octopus output: %+v", i, r)
			}
			// ansible encrypts, octopus decrypts and views
			os.WriteFile(f, []byte(p), 0o644)
			if r := ansible(t, dir, "", append([]string{"encrypt"}, append(ids, "f")...)...); r.code != 0 {
				t.Fatalf("ansible encrypt: %+v", r)
			}
			av := ansible(t, dir, "", append([]string{"view"}, append(ids, "f")...)...)
			ov := octopus(t, dir, "", append([]string{"view"}, append(ids, "f")...)...)
			if av != ov {
				t.Errorf("view differs:\noctopus %+v\nansible %+v", ov, av)
			}
			r = octopus(t, dir, "", append([]string{"decrypt"}, append(ids, "f")...)...)
			got, _ := os.ReadFile(f)
			if r.code != 0 || string(got) != p || r.stdout != "" || r.stderr != "" {
				t.Errorf("%d: octopus decrypt of ansible output: %+v %q", i, r, got)
			}
			n++
		}
	}
	// stdin to stdout
	r := octopus(t, dir, "from stdin\n", "encrypt", "--vault-password-file", "pw")
	a := ansible(t, dir, r.stdout, "decrypt", "--vault-password-file", "pw")
	if r.code != 0 || a.code != 0 || a.stdout != "from stdin\n" {
		t.Errorf("stdin round trip: %+v %+v", r, a)
	}
	t.Logf("%d file round trips each way agree with ansible-vault", n)
}

var errLine = regexp.MustCompile(`(?m)^(ERROR!.*|\[WARNING\]:.*)$`)

// TestErrorsMatchAnsible runs failing commands through both tools and
// compares exit codes and ERROR/WARNING lines.
func TestErrorsMatchAnsible(t *testing.T) {
	needAnsible(t)
	dir, _ := isolate(t)
	os.WriteFile(filepath.Join(dir, "plain"), []byte("text\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "enc"), []byte("text\n"), 0o644)
	if r := ansible(t, dir, "", "encrypt", "--vault-password-file", "pw", "enc"); r.code != 0 {
		t.Fatal(r)
	}
	os.WriteFile(filepath.Join(dir, "badfmt"), []byte("$ANSIBLE_VAULT;1.1;AES256\n6162zz\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "oddfmt"), []byte("$ANSIBLE_VAULT;1.1;AES256\n616\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "shortfmt"), []byte("$ANSIBLE_VAULT;1.1;AES256\n6162\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "nocipher"), []byte("$ANSIBLE_VAULT;1.1\n6162\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "aes128"), []byte("$ANSIBLE_VAULT;1.1;AES128\n6162\n"), 0o644)
	cases := [][]string{
		{"decrypt", "--vault-password-file", "bad", "--output", "-", "enc"},
		{"view", "--vault-password-file", "bad", "enc"},
		{"view", "--vault-id", "x@bad", "--vault-id", "y@pw2", "enc"},
		{"decrypt", "--vault-password-file", "pw", "--output", "-", "missing"},
		{"decrypt", "--vault-password-file", "pw", "--output", "-", "plain"},
		{"view", "--vault-password-file", "pw", "badfmt"},
		{"view", "--vault-password-file", "pw", "oddfmt"},
		{"decrypt", "--vault-password-file", "pw", "shortfmt"},
		{"view", "--vault-password-file", "pw", "nocipher"},
		{"view", "--vault-password-file", "pw", "aes128"},
		{"encrypt", "--vault-password-file", "pw", "--output", "-", "enc"},
		{"encrypt", "--vault-password-file", "nopw", "plain"},
		{"view", "--vault-password-file", "nopw", "--vault-password-file", "pw", "enc"},
		{"decrypt", "--vault-id", "a;b@pw", "enc"},
		{"encrypt", "--vault-id", "a@pw", "--vault-id", "b@pw2", "--output", "-", "plain"},
		{"encrypt", "--vault-id", "a@pw", "--encrypt-vault-id", "c", "--output", "-", "plain"},
		{"decrypt", "--vault-password-file", "pw", "--output", "o", "enc", "plain"},
		{"encrypt_string", "--vault-password-file", "pw", ""},
		{"encrypt_string", "--vault-password-file", "pw", "--prompt", "-"},
	}
	for _, args := range cases {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			a := ansible(t, dir, "", args...)
			o := octopus(t, dir, "", args...)
			// ansible adds its help text to option errors; otherwise the
			// outputs must be equal.
			aw := strings.Join(strings.Fields(a.stderr), " ")
			ow := strings.Join(strings.Fields(o.stderr), " ")
			exact := a.stderr == o.stderr || a.code == exitOptions
			if a.code != o.code || !strings.Contains(aw, ow) || !exact || !errLine.MatchString(o.stderr) {
				t.Errorf("differs:\noctopus rc=%d %q\nansible rc=%d %q", o.code, o.stderr, a.code, a.stderr)
			}
		})
	}
}

// TestEncryptStringWithAnsible checks the encrypt_string format and that
// ansible-playbook accepts its output as a !vault variable.
func TestEncryptStringWithAnsible(t *testing.T) {
	needAnsible(t)
	if _, err := exec.LookPath("ansible-playbook"); err != nil {
		t.Skip("ansible-playbook not installed")
	}
	dir, _ := isolate(t)
	one := octopus(t, dir, "", "encrypt_string", "--vault-password-file", "pw", "--name", "secret_a", "hunter2")
	two := octopus(t, dir, "", "encrypt_string", "--vault-id", "dev@pw2", "x y", "multi", "--name", "secret_b")
	stdin := octopus(t, dir, "from stdin", "encrypt_string", "--vault-password-file", "pw", "--stdin-name", "secret_c")
	for _, r := range []result{one, two, stdin} {
		if r.code != 0 {
			t.Fatalf("encrypt_string failed: %+v", r)
		}
	}
	// Same shape and stderr as ansible-vault's output (hex differs by salt).
	hex := regexp.MustCompile(`[0-9a-f]{2,80}`)
	// --prompt --show-input reads the name and the string from stdin.
	ap := ansible(t, dir, "myname\nmysecret\n", "encrypt_string", "--vault-password-file", "pw", "--prompt", "--show-input", "extra")
	op := octopus(t, dir, "myname\nmysecret\n", "encrypt_string", "--vault-password-file", "pw", "--prompt", "--show-input", "extra")
	if hex.ReplaceAllString(ap.stdout, "H") != hex.ReplaceAllString(op.stdout, "H") || ap.stderr != op.stderr || ap.code != op.code {
		t.Errorf("--prompt output differs:\noctopus %+v\nansible %+v", op, ap)
	}
	a2 := ansible(t, dir, "", "encrypt_string", "--vault-id", "dev@pw2", "x y", "multi", "--name", "secret_b")
	if hex.ReplaceAllString(a2.stdout, "H") != hex.ReplaceAllString(two.stdout, "H") || a2.stderr != two.stderr {
		t.Errorf("encrypt_string output differs:\noctopus %q %q\nansible %q %q", two.stdout, two.stderr, a2.stdout, a2.stderr)
	}
	if strings.Contains(one.stdout+one.stderr, "hunter2") {
		t.Error("plaintext printed")
	}
	// The first item of "two" is named, the second is not: keep the named one.
	named := strings.SplitN(two.stdout, "\n!vault", 2)[0]
	vars := one.stdout + "\n" + named + "\n" + stdin.stdout + "\n"
	play := "- hosts: localhost\n  gather_facts: false\n  vars:\n" + indent(vars, "    ") +
		"  tasks:\n    - debug:\n        msg: \"{{ secret_a }}|{{ secret_b }}|{{ secret_c }}\"\n"
	os.WriteFile(filepath.Join(dir, "play.yml"), []byte(play), 0o644)
	cmd := exec.Command("ansible-playbook", "-i", "localhost,", "-c", "local", "play.yml", "--vault-password-file", "pw", "--vault-id", "dev@pw2")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), `"msg": "hunter2|x y|from stdin"`) {
		t.Errorf("ansible-playbook did not decrypt: %v\n%s\n%s", err, out, play)
	}
}

func indent(s, pad string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = pad + l
	}
	return strings.Join(lines, "\n") + "\n"
}

// TestParseArgs covers the argument parser without ansible.
func TestParseArgs(t *testing.T) {
	o, err := parseArgs([]string{"--vault-id=a@b", "view", "-J", "f1", "--vault-pass-file", "p", "f2", "-vvv"})
	if err != nil || o.action != "view" || len(o.args) != 2 || o.vaultIDs[0] != "a@b" || o.passwordFiles[0] != "p" || !o.askVaultPass {
		t.Errorf("parse: %+v %v", o, err)
	}
	for _, bad := range [][]string{{}, {"explode"}, {"view", "--bogus"}, {"view", "--output"}} {
		if _, err := parseArgs(bad); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
	var out, errb bytes.Buffer
	if code := Run([]string{"explode"}, strings.NewReader(""), &out, &errb); code != 2 || !strings.Contains(errb.String(), "invalid choice: 'explode'") {
		t.Errorf("Run(explode) = %d %q", code, errb.String())
	}
}

func TestFormatYAML(t *testing.T) {
	got := FormatYAML([]byte("$ANSIBLE_VAULT;1.1;AES256\n3031\n"), "v", 10)
	want := "v: !vault |\n          $ANSIBLE_VAULT;1.1;AES256\n          3031"
	if got != want {
		t.Errorf("got %q", got)
	}
	if got := FormatYAML([]byte("X\n"), "", 2); got != "!vault |\n  X" {
		t.Errorf("got %q", got)
	}
}

// TestConfigSourcesMatchAnsible: secrets and errors that come from
// ansible.cfg settings / ANSIBLE_* variables.
func TestConfigSourcesMatchAnsible(t *testing.T) {
	needAnsible(t)
	dir, _ := isolate(t)
	os.WriteFile(filepath.Join(dir, "enc"), []byte("payload\n"), 0o644)
	if r := ansible(t, dir, "", "encrypt", "--vault-id", "prod@pw", "enc"); r.code != 0 {
		t.Fatal(r)
	}
	cases := []struct {
		env  map[string]string
		cfg  string
		args []string
	}{
		{map[string]string{"ANSIBLE_VAULT_PASSWORD_FILE": "pw"}, "", []string{"view", "enc"}},
		{map[string]string{"ANSIBLE_VAULT_IDENTITY_LIST": "a@bad, b@pw"}, "", []string{"view", "enc"}},
		{map[string]string{"ANSIBLE_VAULT_ID_MATCH": "True", "ANSIBLE_VAULT_IDENTITY_LIST": "other@pw"}, "", []string{"view", "enc"}},
		{map[string]string{"ANSIBLE_FORKS": "abc"}, "", []string{"view", "--vault-password-file", "pw", "enc"}},
		{nil, "[defaults]\nvault_password_file = pw\n", []string{"view", "enc"}},
		{nil, "[defaults]\nvault_identity_list = x@pw2, prod@pw\nvault_encrypt_identity = x\n", []string{"encrypt_string", "s"}},
	}
	for i, tc := range cases {
		for k, v := range tc.env {
			t.Setenv(k, v)
		}
		cfg := filepath.Join(dir, "none.cfg")
		if tc.cfg != "" {
			cfg = filepath.Join(dir, "case.cfg")
			os.WriteFile(cfg, []byte(tc.cfg), 0o644)
		}
		t.Setenv("ANSIBLE_CONFIG", cfg)
		a := ansible(t, dir, "", tc.args...)
		o := octopus(t, dir, "", tc.args...)
		hex := regexp.MustCompile(`[0-9a-f]{2,80}`)
		if a.code != o.code || a.stderr != o.stderr || hex.ReplaceAllString(a.stdout, "H") != hex.ReplaceAllString(o.stdout, "H") {
			t.Errorf("%d differs:\noctopus %+v\nansible %+v", i, o, a)
		}
		for k := range tc.env {
			os.Unsetenv(k)
		}
	}
}

// TestRekeyEditCreateWithAnsible checks rekey, edit and create results
// with ansible-vault.
func TestRekeyEditCreateWithAnsible(t *testing.T) {
	needAnsible(t)
	dir, _ := isolate(t)
	f := filepath.Join(dir, "f")
	os.WriteFile(f, []byte("original\n"), 0o640)
	if r := ansible(t, dir, "", "encrypt", "--vault-id", "dev@pw", "f"); r.code != 0 {
		t.Fatal(r)
	}
	// rekey
	o := octopus(t, dir, "", "rekey", "--vault-id", "dev@pw", "--new-vault-id", "new@pw2", "f")
	a := ansible(t, dir, "", "view", "--vault-id", "new@pw2", "f")
	if o.code != 0 || o.stderr != "Rekey successful\n" || a.stdout != "original\n" {
		t.Errorf("rekey: %+v / ansible %+v", o, a)
	}
	if hdr, _ := os.ReadFile(f); !bytes.HasPrefix(hdr, []byte("$ANSIBLE_VAULT;1.2;AES256;new\n")) {
		t.Errorf("rekey header %q", hdr[:40])
	}
	// edit keeps the vault id
	t.Setenv("EDITOR", `sh -c 'printf "edited\n" > "$0"'`)
	o = octopus(t, dir, "", "edit", "--vault-id", "new@pw2", "f")
	a = ansible(t, dir, "", "view", "--vault-id", "new@pw2", "f")
	if o.code != 0 || a.stdout != "edited\n" {
		t.Errorf("edit: %+v / ansible %+v", o, a)
	}
	if hdr, _ := os.ReadFile(f); !bytes.HasPrefix(hdr, []byte("$ANSIBLE_VAULT;1.2;AES256;new\n")) {
		t.Errorf("edit header %q", hdr[:40])
	}
	// create
	o = octopus(t, dir, "", "create", "--vault-password-file", "pw", "sub/new.yml")
	a = ansible(t, dir, "", "view", "--vault-password-file", "pw", "sub/new.yml")
	if o.code != 0 || a.stdout != "edited\n" {
		t.Errorf("create: %+v / ansible %+v", o, a)
	}
	o = octopus(t, dir, "", "create", "--vault-password-file", "pw", "sub/new.yml")
	a = ansible(t, dir, "", "create", "--vault-password-file", "pw", "sub/new.yml")
	if o.code != a.code || o.stderr != a.stderr {
		t.Errorf("create existing:\noctopus %+v\nansible %+v", o, a)
	}
}
