package vault

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"

	"golang.org/x/term"
)

// SecretOptions says where vault secrets come from, as ansible's
// --vault-id / --vault-password-file / --ask-vault-pass options and the
// vault_identity_list / vault_password_file settings do.
type SecretOptions struct {
	// IdentityList is the vault_identity_list setting; it comes before VaultIDs.
	IdentityList []string
	// VaultIDs are the --vault-id values: "label@source" or "source", where
	// source is a file, an executable, or "prompt".
	VaultIDs []string
	// PasswordFiles are the --vault-password-file values.
	PasswordFiles []string
	// ConfigPasswordFile is the vault_password_file setting ("" for none);
	// it is used after PasswordFiles.
	ConfigPasswordFile string
	// AskVaultPass is --ask-vault-pass.
	AskVaultPass bool
	// AutoPrompt adds a password prompt when no other source is given
	// (ansible-vault does this; ansible-playbook does not).
	AutoPrompt bool
	// NewPassword asks for a new password with confirmation (encrypt/create).
	NewPassword bool
	// DefaultID is the vault_identity setting ("default" when empty).
	DefaultID string
	// Cwd resolves relative file names ("" for the process directory).
	Cwd string
	// Prompt reads a hidden answer to prompt; nil prompts on the terminal.
	// It returns io.EOF when input ends.
	Prompt func(prompt string) (string, error)
	// Warn receives Ansible's warning texts; may be nil.
	Warn func(string)
}

// SplitVaultID splits "label@source" into its label and source; without an
// "@" the label is "".
func SplitVaultID(s string) (label, source string) {
	if i := strings.IndexByte(s, '@'); i >= 0 {
		return s[:i], s[i+1:]
	}
	return "", s
}

// LoadSecrets reads the secrets named by opts in Ansible's order: the
// identity list, the --vault-id values, the password files, then a prompt.
// A missing or unreadable password file only warns unless no secret at all
// was found; prompt failures are fatal.
func LoadSecrets(opts SecretOptions) (Secrets, error) {
	defID := opts.DefaultID
	if defID == "" {
		defID = DefaultIdentity
	}
	ids := append(append([]string(nil), opts.IdentityList...), opts.VaultIDs...)
	files := append([]string(nil), opts.PasswordFiles...)
	if opts.ConfigPasswordFile != "" {
		files = append(files, opts.ConfigPasswordFile)
	}
	for _, f := range files {
		ids = append(ids, defID+"@"+f)
	}
	if opts.AskVaultPass || (len(ids) == 0 && opts.AutoPrompt) {
		ids = append(ids, defID+"@prompt_ask_vault_pass")
	}
	warn := opts.Warn
	if warn == nil {
		warn = func(string) {}
	}
	prompt := opts.Prompt
	if prompt == nil {
		prompt = TerminalPrompt
	}

	secrets := Secrets{}
	var lastErr error
	found := false
	for _, slug := range ids {
		name, src := SplitVaultID(slug)
		if src == "prompt" || src == "prompt_ask_vault_pass" {
			id := name
			if id == "" {
				id = defID
			}
			pw, err := askPasswords(prompt, promptFormats(src, opts.NewPassword), id)
			if err != nil {
				warn(fmt.Sprintf("Error in vault password prompt (%s): %s", nameOrNone(name), err))
				return nil, err
			}
			secrets = append(secrets, NewSecret(id, pw))
			found = true
			continue
		}
		pw, err := readPasswordSource(src, name, opts.Cwd, secrets)
		if err != nil {
			var le *loadError
			if errors.As(err, &le) && le.stage == "load" {
				warn(fmt.Sprintf("Error in vault password file loading (%s): %s", nameOrNone(name), err))
			} else {
				warn(fmt.Sprintf("Error getting vault password file (%s): %s", nameOrNone(name), err))
			}
			lastErr = err
			continue
		}
		id := name
		if id == "" {
			id = defID
		}
		secrets = append(secrets, NewSecret(id, pw))
		found = true
	}
	if lastErr != nil && !found {
		return nil, lastErr
	}
	return secrets, nil
}

func nameOrNone(s string) string {
	if s == "" {
		return "None"
	}
	return s
}

func promptFormats(src string, newPass bool) []string {
	switch {
	case newPass && src == "prompt":
		return []string{"New vault password (%s): ", "Confirm new vault password (%s): "}
	case newPass:
		return []string{"New Vault password: ", "Confirm New Vault password: "}
	case src == "prompt":
		return []string{"Vault password (%s): "}
	default:
		return []string{"Vault password: "}
	}
}

func askPasswords(prompt func(string) (string, error), formats []string, id string) ([]byte, error) {
	var got [][]byte
	for _, f := range formats {
		p := f
		if strings.Contains(f, "%s") {
			p = fmt.Sprintf(f, id)
		}
		ans, err := prompt(p)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil, errorf("EOFError (ctrl-d) on prompt for (%s)", id)
			}
			return nil, err
		}
		if ans == "" {
			return nil, errorf("Invalid vault password was provided")
		}
		got = append(got, bytes.TrimSpace([]byte(ans)))
	}
	for _, g := range got[1:] {
		if !bytes.Equal(g, got[0]) {
			return nil, errorf("Passwords do not match")
		}
	}
	return got[0], nil
}

// TerminalPrompt writes prompt to the controlling terminal and reads a
// line without echo. It returns io.EOF when there is no terminal or input
// ends.
func TerminalPrompt(prompt string) (string, error) {
	tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return "", io.EOF
	}
	defer tty.Close()
	fmt.Fprint(tty, prompt)
	b, err := term.ReadPassword(int(tty.Fd()))
	fmt.Fprintln(tty)
	if err != nil {
		return "", io.EOF
	}
	return string(b), nil
}

type loadError struct {
	stage string // "get" (finding the source) or "load" (reading it)
	msg   string
}

func (e *loadError) Error() string { return e.msg }

// absPath makes p absolute as Ansible's unfrackpath(follow=False) does:
// ~ and $VARS expanded, relative to cwd, cleaned.
func absPath(p, cwd string) string {
	if p == "~" || strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			p = home + p[1:]
		}
	}
	p = os.ExpandEnv(p)
	if !filepath.IsAbs(p) {
		if cwd == "" {
			cwd, _ = os.Getwd()
		}
		p = filepath.Join(cwd, p)
	}
	return filepath.Clean(p)
}

// readPasswordSource reads one password file or runs one password script.
// known are the secrets loaded so far (a password file may itself be vaulted).
func readPasswordSource(src, label, cwd string, known Secrets) ([]byte, error) {
	path := absPath(src, cwd)
	st, err := os.Stat(path)
	if err != nil {
		return nil, &loadError{"get", fmt.Sprintf("The vault password file %s was not found", path)}
	}
	if !st.IsDir() && st.Mode()&0o111 != 0 {
		return runPasswordScript(path, src, label)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &loadError{"load", fmt.Sprintf("Could not read vault password file %s: %s", path, pyOSError(err))}
	}
	data = bytes.TrimSpace(data)
	if IsEncrypted(data) {
		plain, _, err := DecryptWith(data, known, DecryptOptions{Filename: path})
		if err != nil {
			return nil, &loadError{"load", err.Error()}
		}
		data = plain
	}
	data = bytes.Trim(data, "\r\n")
	if len(data) == 0 {
		return nil, &loadError{"load", fmt.Sprintf("Invalid vault password was provided from file (%s)", path)}
	}
	return data, nil
}

// isClientScript reports whether a script name (without extension) ends in
// "-client": such scripts get "--vault-id label".
func isClientScript(name string) bool {
	return strings.HasSuffix(strings.TrimSuffix(name, filepath.Ext(name)), "-client")
}

func runPasswordScript(path, orig, label string) ([]byte, error) {
	client := isClientScript(orig)
	var args []string
	if client && label != "" {
		args = []string{"--vault-id", label}
	}
	cmd := exec.Command(path, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	if client {
		cmd.Stderr = &stderr
	} else {
		cmd.Stderr = os.Stderr
		cmd.Stdin = os.Stdin
	}
	err := cmd.Run()
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		kind := "script"
		if client {
			kind = "client script"
		}
		return nil, &loadError{"load", fmt.Sprintf("Problem running vault password %s %s (%s). If this is not a script, remove the executable bit from the file.", kind, path, pyOSError(err))}
	}
	rc := cmd.ProcessState.ExitCode()
	if client {
		labelText := nameOrNone(label)
		if rc == 2 {
			return nil, &loadError{"load", fmt.Sprintf("Vault password client script %s did not find a secret for vault-id=%s: %s", path, labelText, pyBytes(stderr.Bytes()))}
		}
		if rc != 0 {
			return nil, &loadError{"load", fmt.Sprintf("Vault password client script %s returned non-zero (%d) when getting secret for vault-id=%s: %s", path, rc, labelText, pyBytes(stderr.Bytes()))}
		}
	} else if rc != 0 {
		return nil, &loadError{"load", fmt.Sprintf("Vault password script %s returned non-zero (%d): None", path, rc)}
	}
	pw := bytes.Trim(stdout.Bytes(), "\r\n")
	if len(pw) == 0 {
		return nil, &loadError{"load", fmt.Sprintf("Invalid vault password was provided from script (%s)", path)}
	}
	return pw, nil
}

// pyBytes renders bytes as Python's repr of a bytes object (b'...').
func pyBytes(b []byte) string {
	var s strings.Builder
	s.WriteString("b'")
	for _, c := range b {
		switch {
		case c == '\\' || c == '\'':
			s.WriteByte('\\')
			s.WriteByte(c)
		case c == '\n':
			s.WriteString(`\n`)
		case c == '\r':
			s.WriteString(`\r`)
		case c == '\t':
			s.WriteString(`\t`)
		case c < 0x20 || c >= 0x7f:
			fmt.Fprintf(&s, `\x%02x`, c)
		default:
			s.WriteByte(c)
		}
	}
	s.WriteString("'")
	return s.String()
}

// pyOSError renders an OS error roughly as Python's "[Errno N] text: 'path'".
func pyOSError(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		msg := pe.Err.Error()
		if msg != "" {
			msg = strings.ToUpper(msg[:1]) + msg[1:]
		}
		var no syscall.Errno
		if errors.As(pe.Err, &no) {
			return fmt.Sprintf("[Errno %d] %s: '%s'", int(no), msg, pe.Path)
		}
		return fmt.Sprintf("%s: '%s'", msg, pe.Path)
	}
	return err.Error()
}

// Settings is what vault needs from a loaded ansible.cfg; *config.Config
// satisfies it.
type Settings interface {
	String(name string) string
	StringList(name string) []string
	Bool(name string) bool
}

// ApplyConfig fills the options that come from ansible.cfg and ANSIBLE_*
// variables: vault_identity_list, vault_password_file and vault_identity.
func (o *SecretOptions) ApplyConfig(cfg Settings) {
	o.IdentityList = cfg.StringList("vault_identity_list")
	o.ConfigPasswordFile = cfg.String("vault_password_file")
	o.DefaultID = cfg.String("vault_identity")
}

// ApplyConfig fills the options that come from ansible.cfg and ANSIBLE_*
// variables: vault_id_match and vault_identity.
func (o *DecryptOptions) ApplyConfig(cfg Settings) {
	o.IDMatch = cfg.Bool("vault_id_match")
	o.DefaultID = cfg.String("vault_identity")
}
