package vaultcmd

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
)

// errnoOf returns the numeric errno inside err (0 when there is none).
func errnoOf(err error) int {
	var no syscall.Errno
	if errors.As(err, &no) {
		return int(no)
	}
	return 0
}

// stdinPrompt returns a prompt that, like Python's input(), writes the
// prompt to stdout and reads one line from stdin.
func (c *cmd) stdinPrompt() func(string) (string, error) {
	r := bufio.NewReader(c.stdin)
	return func(prompt string) (string, error) {
		fmt.Fprint(c.stdout, prompt)
		line, err := r.ReadString('\n')
		if err != nil && line == "" {
			return "", io.EOF
		}
		return strings.TrimRight(line, "\r\n"), nil
	}
}

// editText writes initial to a private temporary file next to path, opens
// it in $EDITOR (default vi) and returns the edited contents.
func editText(path string, initial []byte) ([]byte, error) {
	dir, base := filepath.Split(path)
	tmp, err := os.CreateTemp(dir, "tmp"+filepath.Ext(base))
	if err != nil {
		tmp, err = os.CreateTemp("", "tmp"+filepath.Ext(base))
		if err != nil {
			return nil, fmt.Errorf("Problem creating temporary vault file: %s", err)
		}
	}
	name := tmp.Name()
	defer os.Remove(name)
	if _, err := tmp.Write(initial); err != nil {
		tmp.Close()
		return nil, err
	}
	tmp.Close()
	editor := os.Getenv("EDITOR")
	if editor == "" {
		editor = "vi"
	}
	argv := append(shellSplit(editor), name)
	c := exec.Command(argv[0], argv[1:]...)
	c.Stdin, c.Stdout, c.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := c.Run(); err != nil {
		return nil, fmt.Errorf("Unable to execute the command \"%s\": %s", strings.Join(argv, " "), err)
	}
	return os.ReadFile(name)
}

// shellSplit splits a command line as Python's shlex.split (quotes and
// backslashes, no expansions).
func shellSplit(s string) []string {
	var out []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
			inWord = true
		case ch == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				j = len(s) - i - 1
			}
			cur.WriteString(s[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case ch == '"':
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) && strings.IndexByte("\\\"$`", s[i+1]) >= 0 {
					i++
				}
				cur.WriteByte(s[i])
			}
			inWord = true
		case ch == ' ' || ch == '\t' || ch == '\n':
			if inWord {
				out = append(out, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteByte(ch)
			inWord = true
		}
	}
	if inWord {
		out = append(out, cur.String())
	}
	return out
}
