// Package vaultcmd implements "octopus vault", a work-alike of ansible-vault
// 2.14: encrypt, decrypt, view, encrypt_string, create and rekey, with the
// same options, output format, messages and exit codes.
package vaultcmd

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/term"

	"octopus/engine/config"
	"octopus/engine/vault"
)

// Exit codes as ansible's CLI uses them.
const (
	exitOK      = 0
	exitError   = 1
	exitUsage   = 2
	exitOptions = 5
)

const usage = "usage: ansible-vault [-h] [--version] [-v]\n" +
	"                     {create,decrypt,edit,view,encrypt,encrypt_string,rekey}\n" +
	"                     ...\n"

const helpText = `
octopus vault: encrypt and decrypt Ansible Vault data

actions:
  create          make a new encrypted file in $EDITOR
  decrypt         decrypt files in place (or to --output)
  edit            change an encrypted file in $EDITOR
  view            print the plaintext of encrypted files
  encrypt         encrypt files in place (or to --output)
  encrypt_string  print strings as YAML "!vault |" values
  rekey           re-encrypt files with a new password

secret options: --vault-id [label@]source, --vault-password-file FILE,
  -J/--ask-vault-pass, --encrypt-vault-id ID, --new-vault-id ID,
  --new-vault-password-file FILE
other options: --output FILE, --name NAME, --stdin-name NAME, -p/--prompt,
  --show-input, -v
`

var actions = map[string]bool{
	"create": true, "decrypt": true, "edit": true, "view": true,
	"encrypt": true, "encrypt_string": true, "rekey": true,
}

type optionsError struct{ msg string }

func (e *optionsError) Error() string { return e.msg }

// options are the parsed command line.
type options struct {
	action         string
	args           []string
	vaultIDs       []string
	passwordFiles  []string
	askVaultPass   bool
	output         string
	encryptVaultID string
	names          []string
	stdinName      string
	stdinNameSet   bool
	prompt         bool
	showInput      bool
	newVaultID     string
	newPassFile    string
}

// cmd holds the state of one run.
type cmd struct {
	opts   options
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	cwd    string
	cfg    *config.Config
	// Prompt asks for a hidden answer; defaults to the terminal.
	prompt func(string) (string, error)
	// promptVisible asks for a visible answer; defaults to the terminal.
	promptVisible func(string) (string, error)
}

// Run executes "octopus vault" with args (without the program name) and
// returns the process exit code. Secrets are read from the sources the
// options and ansible.cfg name and are never written to any output.
func Run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	c := &cmd{stdin: stdin, stdout: stdout, stderr: stderr}
	return c.run(args)
}

func (c *cmd) run(args []string) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(c.stderr, "ERROR! Unexpected Exception: %v\n", r)
			code = exitError
		}
	}()
	for _, a := range args {
		if a == "-h" || a == "--help" {
			fmt.Fprint(c.stdout, usage+helpText)
			return exitOK
		}
		if a == "--" {
			break
		}
	}
	opts, err := parseArgs(args)
	if err != nil {
		fmt.Fprint(c.stderr, usage)
		fmt.Fprintf(c.stderr, "ansible-vault: error: %s\n", err)
		return exitUsage
	}
	c.opts = opts
	if c.cwd == "" {
		c.cwd, _ = os.Getwd()
	}
	if c.cfg == nil {
		cfg, warns, err := config.Load(nil, c.cwd)
		for _, w := range warns {
			c.warn(w)
		}
		if err != nil {
			// Ansible fails while importing its constants: "ERROR: ", rc 5.
			fmt.Fprintf(c.stderr, "ERROR: %s\n", err)
			return exitOptions
		}
		c.cfg = cfg
	}
	if err := c.execute(); err != nil {
		fmt.Fprintf(c.stderr, "ERROR! %s\n", err)
		var oe *optionsError
		if errors.As(err, &oe) {
			return exitOptions
		}
		return exitError
	}
	return exitOK
}

// parseArgs parses argparse-style options anywhere on the line.
func parseArgs(args []string) (options, error) {
	var o options
	var pos []string
	takesValue := map[string]*[]string{}
	single := map[string]*string{}
	takesValue["--vault-id"] = &o.vaultIDs
	takesValue["--vault-password-file"] = &o.passwordFiles
	takesValue["--vault-pass-file"] = &o.passwordFiles
	takesValue["--name"] = &o.names
	single["--output"] = &o.output
	single["--encrypt-vault-id"] = &o.encryptVaultID
	single["--new-vault-id"] = &o.newVaultID
	single["--new-vault-password-file"] = &o.newPassFile
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			pos = append(pos, a)
			continue
		}
		name, val, hasVal := strings.Cut(a, "=")
		if !strings.HasPrefix(a, "--") {
			hasVal = false
			name = a
		}
		getVal := func() (string, error) {
			if hasVal {
				return val, nil
			}
			if i+1 >= len(args) {
				return "", fmt.Errorf("argument %s: expected one argument", name)
			}
			i++
			return args[i], nil
		}
		switch {
		case takesValue[name] != nil:
			v, err := getVal()
			if err != nil {
				return o, err
			}
			*takesValue[name] = append(*takesValue[name], v)
		case single[name] != nil:
			v, err := getVal()
			if err != nil {
				return o, err
			}
			*single[name] = v
		case name == "--stdin-name":
			v, err := getVal()
			if err != nil {
				return o, err
			}
			o.stdinName, o.stdinNameSet = v, true
		case name == "-J" || name == "--ask-vault-pass" || name == "--ask-vault-password":
			o.askVaultPass = true
		case name == "-p" || name == "--prompt":
			o.prompt = true
		case name == "--show-input":
			o.showInput = true
		case name == "-v" || name == "--verbose" || strings.Trim(name, "v") == "-":
		default:
			return o, fmt.Errorf("unrecognized arguments: %s", a)
		}
	}
	if len(pos) == 0 {
		return o, errors.New("the following arguments are required: action")
	}
	o.action = pos[0]
	if !actions[o.action] {
		return o, fmt.Errorf("argument action: invalid choice: '%s' (choose from 'create', 'decrypt', 'edit', 'view', 'encrypt', 'encrypt_string', 'rekey')", o.action)
	}
	o.args = pos[1:]
	return o, nil
}

func (c *cmd) warn(msg string) {
	if strings.HasPrefix(msg, "There was a vault format error") {
		// Ansible prints this one pre-formatted.
		fmt.Fprint(c.stderr, "\n[WARNING]: \n"+msg+"\n")
		return
	}
	fmt.Fprint(c.stderr, wrap("[WARNING]: "+msg, 79))
}

// wrap word-wraps text to width columns, newline-terminated, like Python's
// textwrap.wrap: whitespace collapses at line breaks, words may break after
// a hyphen between letters, and words longer than a line are split.
func wrap(text string, width int) string {
	var chunks []string
	for _, w := range strings.Fields(text) {
		chunks = append(chunks, splitHyphens(w)...)
		chunks = append(chunks, " ")
	}
	if len(chunks) > 0 {
		chunks = chunks[:len(chunks)-1]
	}
	var lines []string
	line := ""
	for i := 0; i < len(chunks); {
		ch := chunks[i]
		if ch == " " && line == "" {
			i++
			continue
		}
		if len(line)+len(ch) <= width {
			line += ch
			i++
			continue
		}
		if len(ch) > width && len(line) < width {
			room := width - len(line)
			line += ch[:room]
			chunks[i] = ch[room:]
		}
		lines = append(lines, strings.TrimRight(line, " "))
		line = ""
	}
	if line = strings.TrimRight(line, " "); line != "" || len(lines) == 0 {
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n") + "\n"
}

// splitHyphens splits a word after each hyphen that follows two letters
// and precedes a letter ("cfg-in-world" -> "cfg-", "in-", "world").
func splitHyphens(w string) []string {
	isLetter := func(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
	var out []string
	start := 0
	for i := 2; i+1 < len(w); i++ {
		if w[i] == '-' && isLetter(w[i-1]) && isLetter(w[i-2]) && isLetter(w[i+1]) {
			out = append(out, w[start:i+1])
			start = i + 1
		}
	}
	return append(out, w[start:])
}

func isTTY(x any) bool {
	f, ok := x.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func (c *cmd) secretOptions(newPass bool) vault.SecretOptions {
	so := vault.SecretOptions{
		VaultIDs:      c.opts.vaultIDs,
		PasswordFiles: c.opts.passwordFiles,
		AskVaultPass:  c.opts.askVaultPass,
		AutoPrompt:    true,
		NewPassword:   newPass,
		Cwd:           c.cwd,
		Prompt:        c.prompt,
		Warn:          c.warn,
	}
	so.ApplyConfig(c.cfg)
	return so
}

func (c *cmd) execute() error {
	o := c.opts
	for _, id := range o.vaultIDs {
		if strings.Contains(id, ";") {
			return &optionsError{fmt.Sprintf("'%s' is not a valid vault id. The character ';' is not allowed in vault ids", id)}
		}
	}
	if o.output != "" && len(o.args) > 1 {
		return &optionsError{"At most one input file may be used with the --output option"}
	}
	readStdin := false
	if o.action == "encrypt_string" {
		readStdin = len(o.args) == 0 || contains(o.args, "-") || o.stdinName != ""
		if o.prompt && readStdin {
			return &optionsError{"The --prompt option is not supported if also reading input from stdin"}
		}
	}
	var secrets vault.Secrets
	var encSecret vault.Secret
	switch o.action {
	case "decrypt", "view", "rekey", "edit":
		s, err := vault.LoadSecrets(c.secretOptions(false))
		if err != nil {
			return err
		}
		if len(s) == 0 {
			return &optionsError{"A vault password is required to use Ansible's Vault"}
		}
		secrets = s
	}
	switch o.action {
	case "encrypt", "encrypt_string", "create":
		encID := o.encryptVaultID
		if encID == "" {
			encID = c.cfg.String("vault_encrypt_identity")
		}
		s, err := vault.LoadSecrets(c.secretOptions(true))
		if err != nil {
			return err
		}
		if len(s) > 1 && encID == "" {
			return &optionsError{fmt.Sprintf("The vault-ids %s are available to encrypt. Specify the vault-id to encrypt with --encrypt-vault-id", strings.Join(s.IDs(), ","))}
		}
		if len(s) == 0 {
			return &optionsError{"A vault password is required to use Ansible's Vault"}
		}
		encSecret, err = matchEncryptSecret(s, encID)
		if err != nil {
			return err
		}
		secrets = s
	}
	switch o.action {
	case "encrypt":
		return c.encrypt(encSecret)
	case "decrypt":
		return c.decrypt(secrets)
	case "view":
		return c.view(secrets)
	case "encrypt_string":
		return c.encryptString(encSecret, readStdin)
	case "create":
		return c.create(encSecret)
	case "rekey":
		return c.rekey(secrets)
	case "edit":
		return c.edit(secrets)
	}
	return &optionsError{fmt.Sprintf("ansible-vault %s is not supported by octopus", o.action)}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// matchEncryptSecret picks the secret to encrypt with: the one whose id is
// encID, or the first.
func matchEncryptSecret(s vault.Secrets, encID string) (vault.Secret, error) {
	if encID == "" {
		return s[0], nil
	}
	for _, x := range s {
		if x.ID == encID {
			return x, nil
		}
	}
	return vault.Secret{}, fmt.Errorf("Did not find a match for --encrypt-vault-id=%s in the known vault-ids %s", encID, pyList(s.IDs()))
}

func pyList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = "'" + s + "'"
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// realPath resolves a file name as os.path.realpath does; "-" stays.
func (c *cmd) realPath(name string) string {
	if name == "-" {
		return name
	}
	p := name
	if !filepath.IsAbs(p) {
		p = filepath.Join(c.cwd, p)
	}
	p = filepath.Clean(p)
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	return p
}

func (c *cmd) readData(name string) ([]byte, error) {
	var data []byte
	var err error
	if name == "-" {
		data, err = io.ReadAll(c.stdin)
	} else {
		data, err = os.ReadFile(c.abs(name))
	}
	if err != nil {
		return nil, fmt.Errorf("Unable to read source file (%s): %s", name, osErrText(err))
	}
	return data, nil
}

func (c *cmd) abs(name string) string {
	if filepath.IsAbs(name) {
		return name
	}
	return filepath.Join(c.cwd, name)
}

// osErrText renders an OS error like Python's "[Errno 2] No such file or
// directory: 'path'".
func osErrText(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		msg := pe.Err.Error()
		if msg != "" {
			msg = strings.ToUpper(msg[:1]) + msg[1:]
		}
		return fmt.Sprintf("[Errno %d] %s: '%s'", errnoOf(pe.Err), msg, pe.Path)
	}
	return err.Error()
}

// writeData writes data to "-" (stdout) or replaces the file with a new
// one of mode 0600; shred overwrites the old contents first.
func (c *cmd) writeData(data []byte, name string, shred bool) error {
	if name == "-" {
		_, err := c.stdout.Write(data)
		return err
	}
	path := c.abs(name)
	if st, err := os.Stat(path); err == nil && st.Mode().IsRegular() {
		if shred {
			if f, err := os.OpenFile(path, os.O_WRONLY, 0); err == nil {
				f.Write(make([]byte, st.Size()))
				f.Sync()
				f.Close()
			}
		}
		os.Remove(path)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_RDWR|os.O_TRUNC, 0o600)
	if err != nil {
		if os.IsExist(err) {
			return fmt.Errorf("Vault file got recreated while we were operating on it: %s", osErrText(err))
		}
		return fmt.Errorf("Problem creating temporary vault file: %s", osErrText(err))
	}
	defer f.Close()
	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("Unable to write to temporary vault file: %s", osErrText(err))
	}
	return nil
}

func (c *cmd) say(msg string) { fmt.Fprintln(c.stderr, msg) }

func (c *cmd) encrypt(secret vault.Secret) error {
	files := c.opts.args
	if len(files) == 0 {
		if isTTY(c.stdin) {
			c.say("Reading plaintext input from stdin")
		}
		files = []string{"-"}
	}
	for _, f := range files {
		path := c.realPath(f)
		plain, err := c.readData(path)
		if err != nil {
			return err
		}
		out, err := vault.Encrypt(plain, secret, secret.ID)
		if err != nil {
			return err
		}
		dest := c.opts.output
		if dest == "" {
			dest = path
		}
		if err := c.writeData(out, dest, true); err != nil {
			return err
		}
	}
	if isTTY(c.stdout) {
		c.say("Encryption successful")
	}
	return nil
}

func (c *cmd) decryptOpts(name string) vault.DecryptOptions {
	opts := vault.DecryptOptions{Filename: name, Warn: c.warn}
	opts.ApplyConfig(c.cfg)
	return opts
}

func (c *cmd) decrypt(secrets vault.Secrets) error {
	files := c.opts.args
	if len(files) == 0 {
		if isTTY(c.stdin) {
			c.say("Reading ciphertext input from stdin")
		}
		files = []string{"-"}
	}
	for _, f := range files {
		path := c.realPath(f)
		data, err := c.readData(path)
		if err != nil {
			return err
		}
		plain, _, err := vault.DecryptWith(data, secrets, c.decryptOpts(path))
		if err != nil {
			return fmt.Errorf("%s for %s", err, path)
		}
		dest := c.opts.output
		if dest == "" {
			dest = path
		}
		if err := c.writeData(plain, dest, false); err != nil {
			return err
		}
	}
	if isTTY(c.stdout) {
		c.say("Decryption successful")
	}
	return nil
}

func (c *cmd) view(secrets vault.Secrets) error {
	for _, f := range c.opts.args {
		data, err := c.readData(f)
		if err != nil {
			return err
		}
		plain, _, err := vault.DecryptWith(data, secrets, c.decryptOpts(f))
		if err != nil {
			return fmt.Errorf("%s for %s", err, f)
		}
		text := strings.ToValidUTF8(string(plain), "\uFFFD")
		if !strings.HasSuffix(text, "\n") {
			text += "\n"
		}
		if _, err := io.WriteString(c.stdout, text); err != nil {
			return err
		}
	}
	return nil
}

func (c *cmd) rekey(secrets vault.Secrets) error {
	encID := c.opts.encryptVaultID
	if encID == "" {
		encID = c.cfg.String("vault_encrypt_identity")
	}
	var ids []string
	if encID != "" {
		ids = c.cfg.StringList("vault_identity_list")
	}
	if c.opts.newVaultID != "" {
		ids = append(ids, c.opts.newVaultID)
	}
	var files []string
	if c.opts.newPassFile != "" {
		files = []string{c.opts.newPassFile}
	}
	so := c.secretOptions(true)
	so.IdentityList, so.VaultIDs, so.PasswordFiles, so.ConfigPasswordFile = nil, ids, files, ""
	newSecrets, err := vault.LoadSecrets(so)
	if err != nil {
		return err
	}
	if len(newSecrets) == 0 {
		return &optionsError{"A new vault password is required to use Ansible's Vault rekey"}
	}
	newSecret, err := matchEncryptSecret(newSecrets, encID)
	if err != nil {
		return err
	}
	for _, f := range c.opts.args {
		path := c.realPath(f)
		st, err := os.Stat(path)
		if err != nil {
			return fmt.Errorf("%s", osErrText(err))
		}
		data, err := c.readData(path)
		if err != nil {
			return err
		}
		plain, _, err := vault.DecryptWith(data, secrets, c.decryptOpts(""))
		if err != nil {
			return fmt.Errorf("%s for %s", err, path)
		}
		out, err := vault.Encrypt(plain, newSecret, newSecret.ID)
		if err != nil {
			return err
		}
		if err := c.writeData(out, path, true); err != nil {
			return err
		}
		os.Chmod(path, st.Mode().Perm())
	}
	c.say("Rekey successful")
	return nil
}

// edit decrypts each file into $EDITOR and re-encrypts it with the secret
// that opened it, keeping the header's vault id; unchanged files are left
// alone.
func (c *cmd) edit(secrets vault.Secrets) error {
	for _, f := range c.opts.args {
		path := c.realPath(f)
		data, err := c.readData(path)
		if err != nil {
			return err
		}
		plain, used, err := vault.DecryptWith(data, secrets, c.decryptOpts(""))
		if err != nil {
			return fmt.Errorf("%s for %s", err, path)
		}
		env, err := vault.ParseEnvelope(data)
		if err != nil {
			return err
		}
		edited, err := editText(path, plain)
		if err != nil {
			return err
		}
		if bytes.Equal(edited, plain) {
			continue
		}
		label := env.Label
		if label == "" {
			label = c.cfg.String("vault_identity")
		}
		out, err := vault.Encrypt(edited, used, label)
		if err != nil {
			return err
		}
		st, _ := os.Stat(path)
		if err := c.writeData(out, path, true); err != nil {
			return err
		}
		if st != nil {
			os.Chmod(path, st.Mode().Perm())
		}
	}
	return nil
}

// create encrypts new content typed in $EDITOR into a file that must not exist.
func (c *cmd) create(secret vault.Secret) error {
	if len(c.opts.args) != 1 {
		return &optionsError{"ansible-vault create can take only one filename argument"}
	}
	name := c.opts.args[0]
	path := c.abs(name)
	if dir := filepath.Dir(name); dir != "." {
		if _, err := os.Stat(c.abs(dir)); err != nil {
			c.warn(fmt.Sprintf("%s does not exist, creating...", dir))
			if err := os.MkdirAll(c.abs(dir), 0o700); err != nil {
				return err
			}
		}
	}
	if st, err := os.Stat(path); err == nil && st.Mode().IsRegular() {
		return fmt.Errorf("%s exists, please use 'edit' instead", name)
	}
	plain, err := editText(path, nil)
	if err != nil {
		return err
	}
	out, err := vault.Encrypt(plain, secret, secret.ID)
	if err != nil {
		return err
	}
	return c.writeData(out, path, true)
}

// encryptString implements encrypt_string.
func (c *cmd) encryptString(secret vault.Secret, readStdin bool) error {
	type item struct {
		text []byte
		src  string
		name string
	}
	var items []item
	args := make([]string, 0, len(c.opts.args))
	for _, a := range c.opts.args {
		if a != "-" {
			args = append(args, a)
		}
	}
	if c.opts.prompt {
		ask := c.promptVisible
		if ask == nil {
			ask = c.stdinPrompt()
		}
		name, err := ask("Variable name (enter for no name): ")
		if err != nil {
			return err
		}
		var text string
		if c.opts.showInput {
			text, err = ask("String to encrypt:")
		} else {
			p := c.prompt
			if p == nil {
				p = vault.TerminalPrompt
			}
			text, err = p("String to encrypt (hidden): ")
		}
		if err != nil {
			return err
		}
		if text == "" {
			return &optionsError{"The plaintext provided from the prompt was empty, not encrypting"}
		}
		items = append(items, item{[]byte(text), "the interactive prompt", name})
	}
	if readStdin {
		if isTTY(c.stdout) {
			c.say("Reading plaintext input from stdin. (ctrl-d to end input, twice if your content does not already have a newline)")
		}
		data, err := io.ReadAll(c.stdin)
		if err != nil {
			return err
		}
		if len(data) == 0 {
			return &optionsError{"stdin was empty, not encrypting"}
		}
		if isTTY(c.stdout) && !bytes.HasSuffix(data, []byte("\n")) {
			c.say("\n")
		}
		items = append(items, item{data, "stdin", c.opts.stdinName})
	}
	names := c.opts.names
	if len(names) > 0 && len(args) > len(names) {
		c.say("The number of --name options do not match the number of args.")
		c.say(fmt.Sprintf("The last named variable will be \"%s\". The rest will not have names.", names[len(names)-1]))
	}
	for i, a := range args {
		name := ""
		if i < len(names) {
			name = names[i]
		}
		if a == "" {
			return &optionsError{"The plaintext provided from the command line args was empty, not encrypting"}
		}
		items = append(items, item{[]byte(a), "the command line args", name})
	}
	var outs []string
	for i, it := range items {
		ct, err := vault.Encrypt(it.text, secret, secret.ID)
		if err != nil {
			return err
		}
		if len(items) > 1 {
			if it.name != "" {
				fmt.Fprintf(c.stderr, "# The encrypted version of variable (\"%s\", the string #%d from %s).\n", it.name, i+1, it.src)
			} else {
				fmt.Fprintf(c.stderr, "# The encrypted version of the string #%d from %s.)\n", i+1, it.src)
			}
		}
		outs = append(outs, FormatYAML(ct, it.name, 10))
	}
	dest := c.opts.output
	if dest == "" {
		dest = "-"
	}
	if err := c.writeData([]byte(strings.Join(outs, "\n")), dest, true); err != nil {
		return err
	}
	if isTTY(c.stdout) {
		c.say("Encryption successful")
	}
	return nil
}

// FormatYAML renders vault text as a YAML "!vault |" block, prefixed with
// "name: " when name is set, each vault line indented by indent spaces, as
// ansible-vault encrypt_string prints it (no final newline).
func FormatYAML(vaultText []byte, name string, indent int) string {
	var b strings.Builder
	if name != "" {
		b.WriteString(name + ": ")
	}
	b.WriteString("!vault |")
	pad := strings.Repeat(" ", indent)
	for _, l := range strings.Split(strings.TrimRight(string(vaultText), "\n"), "\n") {
		b.WriteString("\n" + pad + l)
	}
	return b.String()
}
