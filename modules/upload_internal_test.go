package modules

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestUploadScript runs the upload part of a copy with sh: the file holds
// exactly the data, inline or from standard input, is private while it is
// written, and the umask is restored.
func TestUploadScript(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	cases := []struct {
		name   string
		data   []byte
		inline bool
	}{
		{"empty", nil, true},
		{"text", []byte("step=1 name=hs1-1\n"), true},
		{"every byte", all, true},
		{"leading dash", []byte("-n %s %d \\n '\"$x`"), true},
		{"large", bytes.Repeat([]byte("line\n"), 2000), false},
		{"binary over the inline limit", bytes.Repeat([]byte{0, 1, 0xff}, maxInline/4+1), false},
	}
	for _, c := range cases {
		dir := t.TempDir()
		script, stdin := uploadScript(c.data, 0o027)
		if (stdin == nil) != c.inline {
			t.Errorf("%s: inline %v, want %v", c.name, stdin == nil, c.inline)
		}
		cmd := exec.Command("sh", "-c", "t="+filepath.Join(dir, "x")+"\n"+script+"umask\n")
		cmd.Stdin = bytes.NewReader(stdin)
		out, err := cmd.CombinedOutput()
		if err != nil || strings.TrimSpace(string(out)) != "0027" {
			t.Errorf("%s: %v %q, want the umask 0027 restored", c.name, err, out)
			continue
		}
		got, err := os.ReadFile(filepath.Join(dir, "x"))
		if err != nil || !bytes.Equal(got, c.data) {
			t.Errorf("%s: wrote %q %v, want %q", c.name, got, err, c.data)
		}
		if fi, err := os.Stat(filepath.Join(dir, "x")); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v %v, want 0600", c.name, fi.Mode(), err)
		}
	}
	// a file that cannot be created ends the script with uploadFailed
	script, _ := uploadScript([]byte("x"), 0o022)
	out, err := exec.Command("sh", "-c", "t=/nonexistent-dir/x\n"+script+"echo after\n").Output()
	if err != nil || string(out) != uploadFailed {
		t.Errorf("failed upload: %v %q, want %q", err, out, uploadFailed)
	}
}
