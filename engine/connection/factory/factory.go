// Package factory turns a host's connection variables, ansible.cfg and the
// command line into an open connection.Conn, resolving every setting as
// Ansible 2.14 does, and keeps one connection per target for the whole run.
//
// # Where Ansible 2.14 takes each setting
//
// Two mechanisms decide, and both are reproduced here. PlayContext copies
// playbook keywords (whose defaults are the command line options, whose
// defaults are ansible.cfg) and then overrides them with "magic" variables,
// taking the FIRST variable of each list that exists
// (constants.MAGIC_VARIABLE_MAPPING). Then the connection plugin's options
// are resolved by the config manager: host variables (the LAST of the
// option's "vars:" entries that is defined and not null wins) over playbook
// keywords over command line options over environment variables over
// ansible.cfg over the option's default. So connection variables from the
// inventory, host_vars, group_vars, play vars or -e override -u, -c, -T,
// --private-key and the like, never the other way round. In detail:
//
//   - connection: ansible_connection, else the connection keyword, else -c,
//     else [defaults] transport / ANSIBLE_TRANSPORT, else "smart"; "smart"
//     means ssh, "paramiko" is paramiko_ssh (served here by our ssh client),
//     "ansible.builtin."/"ansible.legacy." prefixes are dropped. The implicit
//     localhost is "local" only because the inventory gives it
//     ansible_connection=local; a "localhost" listed in the inventory without
//     it is reached over ssh, as in Ansible.
//   - address: ansible_ssh_host, else ansible_host, else the inventory name.
//   - port: ansible_ssh_port, else ansible_port (converted with int(); a bad
//     value fails the task with PlayContext's "the field 'port' has an
//     invalid value" message), else the port keyword, else [defaults]
//     remote_port / ANSIBLE_REMOTE_PORT, else none (ssh's 22).
//   - user: ansible_ssh_user, else ansible_user, else the remote_user
//     keyword, else -u, else [defaults] remote_user / ANSIBLE_REMOTE_USER,
//     else none (ssh logs in as the local user).
//   - password: ansible_ssh_password, else ansible_ssh_pass, else
//     ansible_password (an empty one falls back as Ansible's "or" does),
//     else -k / --connection-password-file.
//   - private key: ansible_ssh_private_key_file, else
//     ansible_private_key_file, else --private-key, else [defaults]
//     private_key_file / ANSIBLE_PRIVATE_KEY_FILE; "~" is expanded.
//   - host key checking: ansible_ssh_host_key_checking, else
//     ansible_host_key_checking (boolean(), non-strict: "yes", "on", "1",
//     "true"... are true, anything else false), else host_key_checking of
//     [defaults] or [ssh_connection] / ANSIBLE_HOST_KEY_CHECKING, else true.
//   - timeout: ansible_ssh_timeout, else ansible_timeout, else -T (when not
//     0), else [defaults] timeout / ANSIBLE_TIMEOUT, else 10. PlayContext
//     always passes its timeout as a keyword, so [ssh_connection] timeout
//     and ANSIBLE_SSH_TIMEOUT are never used (checked against ansible).
//   - retries: ansible_ssh_retries, else ANSIBLE_SSH_RETRIES / retries of
//     [connection] or [ssh_connection], else 0; connection attempts are
//     retries+1.
//   - ssh_args: ansible_ssh_args, else ssh_args of [ssh_connection] /
//     ANSIBLE_SSH_ARGS, else "-C -o ControlMaster=auto -o ControlPersist=60s".
//     ssh_common_args: ansible_ssh_common_args, else --ssh-common-args, else
//     [ssh_connection] / ANSIBLE_SSH_COMMON_ARGS. ssh_extra_args likewise
//     with ansible_ssh_extra_args and --ssh-extra-args. String values lose
//     one pair of surrounding quotes, as Ansible's ensure_type does.
//
// Ansible hands all of this to ssh(1) as one command line: ssh_args, then
// StrictHostKeyChecking=no (when checking is off), Port, IdentityFile,
// the no-password options, User, ConnectTimeout, then ssh_common_args and
// ssh_extra_args. As ssh(1) keeps the first value of an option, an option in
// ssh_args beats Ansible's own and one in ssh_common_args loses to them.
// Resolved.SSHConfig builds the same ordered command line for our ssh
// client, whose argument parser also keeps first values, so the outcome is
// ssh(1)'s. ControlMaster, ControlPersist and ControlPath are ignored: our
// ssh keeps its own persistent connection.
package factory

import (
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"octopus/engine/config"
	"octopus/engine/connection"
	"octopus/engine/connection/ssh"
	"octopus/engine/pyfmt"
)

// Options are the run-wide inputs: ansible.cfg (with ANSIBLE_* variables
// already applied by config.Load) and the command line. Empty strings and
// zeros mean "not given on the command line".
type Options struct {
	Config           *config.Config // nil means every setting at its default
	CLIUser          string         // -u
	CLIPrivateKey    string         // --private-key / --key-file
	CLIConnection    string         // -c
	CLITimeout       int            // -T
	CLISSHCommonArgs string         // --ssh-common-args
	CLISSHExtraArgs  string         // --ssh-extra-args
	ConnPassword     string         // -k or --connection-password-file; never logged
	Verbosity        int            // number of -v
	// Log receives the -vvv connection lines: host is what Ansible shows in
	// angle brackets (the address connected to) and line the text after it,
	// e.g. Log("10.77.0.11", "ESTABLISH SSH CONNECTION FOR USER: root") for
	// "<10.77.0.11> ESTABLISH SSH CONNECTION FOR USER: root".
	Log func(host, line string)
}

// Keywords are the connection playbook keywords in effect for a task (the
// innermost of task, block, role and play that sets them). Zero values mean
// unset, and then the command line and ansible.cfg apply.
type Keywords struct {
	RemoteUser string // remote_user
	Port       int    // port
	Connection string // connection
}

// Resolved is everything a connection to one host is made from.
type Resolved struct {
	Host string // inventory name
	// Connection is the plugin: "ssh", "local", "paramiko_ssh" (served by
	// the ssh client) or any other name as given (Get refuses those).
	Connection      string
	Address         string // what to connect to
	Port            int    // 0: not set (22)
	User            string // "": not set (the local user)
	Password        string // never logged
	PrivateKeyFile  string // "~" expanded; "": none
	HostKeyChecking bool
	Timeout         int // seconds
	Retries         int // reconnection retries: Retries+1 attempts
	SSHArgs         string
	SSHCommonArgs   string
	SSHExtraArgs    string
	// LogHost and LogLine are the -vvv line Ansible prints when it
	// establishes the connection ("<LogHost> LogLine").
	LogHost string
	LogLine string
}

// String shows the settings without the password.
func (r Resolved) String() string {
	pw := ""
	if r.Password != "" {
		pw = "********"
	}
	return fmt.Sprintf("{%s %s addr=%s port=%d user=%q password=%s key=%q hostkeychecking=%v timeout=%d retries=%d ssh_args=%q common=%q extra=%q}",
		r.Host, r.Connection, r.Address, r.Port, r.User, pw, r.PrivateKeyFile, r.HostKeyChecking, r.Timeout, r.Retries,
		r.SSHArgs, r.SSHCommonArgs, r.SSHExtraArgs)
}

// Defaults of the settings used when Options.Config is nil.
const (
	defaultTransport = "smart"
	defaultTimeout   = 10
	defaultSSHArgs   = "-C -o ControlMaster=auto -o ControlPersist=60s"
)

// Settings returns what Get would use for host with its (templated) vars
// and no playbook keywords. It opens nothing; it reads only its arguments,
// $HOME and the user database ("~" and the local user's name).
func Settings(host string, vars map[string]any, opts Options) (Resolved, error) {
	return SettingsFor(host, vars, Keywords{}, opts)
}

// SettingsFor is Settings with the task's playbook keywords.
func SettingsFor(host string, vars map[string]any, kw Keywords, opts Options) (Resolved, error) {
	c := opts.Config
	r := Resolved{Host: host}

	// connection type (TaskExecutor: ansible_connection, else the keyword,
	// whose default is -c, whose default is DEFAULT_TRANSPORT)
	conn := ""
	if v, ok := vars["ansible_connection"]; ok && v != nil {
		s, err := optString(v)
		if err != nil {
			return r, err
		}
		conn = s
	} else if kw.Connection != "" {
		conn = kw.Connection
	} else if opts.CLIConnection != "" {
		conn = opts.CLIConnection
	} else if s := c.String("transport"); s != "" {
		conn = s
	} else if c == nil {
		conn = defaultTransport
	}
	r.Connection = canonicalConnection(conn)

	// address: the ssh plugin's host option (inventory_hostname,
	// ansible_host, ansible_ssh_host; the last defined wins)
	r.Address = host
	if v, _, ok := lookup(vars, "ansible_host", "ansible_ssh_host"); ok {
		s, err := optString(v)
		if err != nil {
			return r, err
		}
		if s != "" {
			r.Address = s
		}
	}

	// port: PlayContext validates the magic variable as an int first
	if v, _, ok := lookupFirst(vars, "ansible_ssh_port", "ansible_port"); ok && v != nil {
		n, err := pyInt(v)
		if err != nil {
			return r, fieldError("port", "int", v, err)
		}
		r.Port = n
	} else if kw.Port != 0 {
		r.Port = kw.Port
	} else {
		r.Port = c.Int("remote_port")
	}

	// timeout: PlayContext's (magic variable, else -T, else DEFAULT_TIMEOUT)
	// is passed as a keyword and beats every other source but the plugin's
	// own variable ansible_ssh_timeout, which is also the first magic one.
	if v, _, ok := lookupFirst(vars, "ansible_ssh_timeout", "ansible_timeout"); ok && v != nil {
		n, err := pyInt(v)
		if err != nil {
			return r, fieldError("timeout", "int", v, err)
		}
		r.Timeout = n
	} else if opts.CLITimeout != 0 {
		r.Timeout = opts.CLITimeout
	} else if c.Get("DEFAULT_TIMEOUT") != nil {
		r.Timeout = c.Int("DEFAULT_TIMEOUT")
	} else {
		r.Timeout = defaultTimeout
	}

	// user: the plugin option (vars ansible_user, ansible_ssh_user; the
	// keyword remote_user, whose default is -u, whose default is
	// DEFAULT_REMOTE_USER)
	if v, _, ok := lookup(vars, "ansible_user", "ansible_ssh_user"); ok {
		s, err := optString(v)
		if err != nil {
			return r, err
		}
		r.User = s
	} else {
		r.User = keywordUser(kw, opts)
	}

	// password: get_option('password') or play_context.password
	if v, _, ok := lookup(vars, "ansible_password", "ansible_ssh_pass", "ansible_ssh_password"); ok {
		s, err := optString(v)
		if err != nil {
			return r, err
		}
		r.Password = s
	}
	if r.Password == "" {
		if v, _, ok := lookupFirst(vars, "ansible_ssh_pass", "ansible_password"); ok {
			if v != nil {
				r.Password, _ = optString(v)
			}
		} else {
			r.Password = opts.ConnPassword
		}
	}

	// private key
	if v, _, ok := lookup(vars, "ansible_private_key_file", "ansible_ssh_private_key_file"); ok {
		s, err := optString(v)
		if err != nil {
			return r, err
		}
		r.PrivateKeyFile = s
	} else if opts.CLIPrivateKey != "" {
		r.PrivateKeyFile = unfrackPath(opts.CLIPrivateKey)
	} else {
		r.PrivateKeyFile = c.String("private_key_file")
	}
	r.PrivateKeyFile = expandUser(r.PrivateKeyFile)

	// host key checking (non-strict boolean)
	if v, _, ok := lookup(vars, "ansible_host_key_checking", "ansible_ssh_host_key_checking"); ok {
		r.HostKeyChecking, _ = pyBool(v, false)
	} else if b, ok := c.Get("host_key_checking").(bool); ok {
		r.HostKeyChecking = b
	} else {
		r.HostKeyChecking = true
	}

	// ssh argument strings
	var err error
	if r.SSHArgs, err = stringOption(vars, "ansible_ssh_args", "", c, "ssh_args", defaultSSHArgs); err != nil {
		return r, err
	}
	if r.SSHCommonArgs, err = stringOption(vars, "ansible_ssh_common_args", opts.CLISSHCommonArgs, c, "ssh_common_args", ""); err != nil {
		return r, err
	}
	if r.SSHExtraArgs, err = stringOption(vars, "ansible_ssh_extra_args", opts.CLISSHExtraArgs, c, "ssh_extra_args", ""); err != nil {
		return r, err
	}

	// reconnection retries (an ssh plugin option: checked for ssh only)
	if v, from, ok := lookup(vars, "ansible_ssh_retries"); ok && r.isSSH() {
		n, err := pyInt(v)
		if err != nil {
			return r, fmt.Errorf("Invalid type for configuration option plugin_type: connection plugin: ssh setting: reconnection_retries (from var: %s): %v", from, err)
		}
		r.Retries = n
	} else {
		r.Retries = c.Int("retries")
	}

	// the -vvv line
	r.LogHost = r.Address
	switch r.Connection {
	case "local":
		// PlayContext.remote_addr: the first magic variable, else the name
		if v, _, ok := lookupFirst(vars, "ansible_ssh_host", "ansible_host"); ok {
			r.LogHost = pyfmt.Str(v)
		} else {
			r.LogHost = host
		}
		r.LogLine = "ESTABLISH LOCAL CONNECTION FOR USER: " + localUser()
	case "paramiko_ssh":
		port := r.Port
		if port == 0 {
			port = 22
		}
		r.LogLine = fmt.Sprintf("ESTABLISH PARAMIKO SSH CONNECTION FOR USER: %s on PORT %d TO %s", displayUser(vars, kw, opts), port, r.Address)
	default:
		r.LogLine = "ESTABLISH SSH CONNECTION FOR USER: " + displayUser(vars, kw, opts)
	}
	if r.isSSH() {
		if _, err := r.sshArgv(); err != nil {
			return r, err
		}
	}
	return r, nil
}

// keywordUser is the remote_user keyword chain: the keyword, else -u,
// else DEFAULT_REMOTE_USER.
func keywordUser(kw Keywords, opts Options) string {
	switch {
	case kw.RemoteUser != "":
		return kw.RemoteUser
	case opts.CLIUser != "":
		return opts.CLIUser
	}
	return opts.Config.String("remote_user")
}

// displayUser is PlayContext.remote_user, which the ssh plugin shows in
// its ESTABLISH line: the first magic variable present (ansible_ssh_user,
// ansible_user), else the keyword chain; "None" when nothing set it.
func displayUser(vars map[string]any, kw Keywords, opts Options) string {
	if v, _, ok := lookupFirst(vars, "ansible_ssh_user", "ansible_user"); ok {
		return pyfmt.Str(v)
	}
	if u := keywordUser(kw, opts); u != "" {
		return u
	}
	return "None"
}

// stringOption resolves an untyped ssh plugin option: the variable, else
// the command line (when given), else the config setting (environment,
// ansible.cfg, default), else def when there is no config.
func stringOption(vars map[string]any, varName, cli string, c *config.Config, setting, def string) (string, error) {
	if v, _, ok := lookup(vars, varName); ok {
		return optString(v)
	}
	if cli != "" {
		return cli, nil
	}
	if c == nil {
		return def, nil
	}
	return c.String(setting), nil
}

// canonicalConnection maps a connection plugin name to the one that runs.
func canonicalConnection(name string) string {
	n := strings.TrimPrefix(strings.TrimPrefix(name, "ansible.builtin."), "ansible.legacy.")
	switch n {
	case "smart":
		return "ssh"
	case "paramiko":
		return "paramiko_ssh"
	}
	return n
}

func (r Resolved) isSSH() bool { return r.Connection == "ssh" || r.Connection == "paramiko_ssh" }

// sshArgv is the option part of the ssh(1) command line Ansible 2.14's ssh
// plugin builds (_build_command), without the ControlPath it adds and with
// values unquoted (Ansible writes User="x" and IdentityFile="x").
func (r Resolved) sshArgv() ([]string, error) {
	var argv []string
	if r.SSHArgs != "" {
		w, err := splitArgs(r.SSHArgs)
		if err != nil {
			return nil, err
		}
		argv = append(argv, w...)
	}
	if !r.HostKeyChecking {
		argv = append(argv, "-o", "StrictHostKeyChecking=no")
	}
	if r.Port != 0 {
		argv = append(argv, "-o", "Port="+strconv.Itoa(r.Port))
	}
	if r.PrivateKeyFile != "" {
		argv = append(argv, "-o", "IdentityFile="+r.PrivateKeyFile)
	}
	if r.Password == "" {
		argv = append(argv, "-o", "KbdInteractiveAuthentication=no",
			"-o", "PreferredAuthentications=gssapi-with-mic,gssapi-keyex,hostbased,publickey",
			"-o", "PasswordAuthentication=no")
	}
	if r.User != "" {
		argv = append(argv, "-o", "User="+r.User)
	}
	argv = append(argv, "-o", "ConnectTimeout="+strconv.Itoa(r.Timeout))
	for _, s := range []string{r.SSHCommonArgs, r.SSHExtraArgs} {
		if s == "" {
			continue
		}
		w, err := splitArgs(s)
		if err != nil {
			return nil, err
		}
		argv = append(argv, w...)
	}
	return argv, nil
}

// SSHConfig is the configuration for ssh.Dial: the fields, plus Ansible's
// ordered ssh command line in Args so that the first value of each option
// wins as in ssh(1).
func (r Resolved) SSHConfig() ssh.Config {
	argv, _ := r.sshArgv() // checked by SettingsFor
	quoted := make([]string, len(argv))
	for i, w := range argv {
		quoted[i] = connection.ShellQuote(w)
	}
	return ssh.Config{
		Host:               r.Address,
		Port:               r.Port,
		User:               r.User,
		Password:           r.Password,
		HostKeyChecking:    r.HostKeyChecking,
		Timeout:            time.Duration(r.Timeout) * time.Second,
		ConnectionAttempts: r.Retries + 1,
		Args:               strings.Join(quoted, " "),
	}
}

// expandUser expands a leading "~" or "~user" as Python's
// os.path.expanduser does.
func expandUser(p string) string {
	if !strings.HasPrefix(p, "~") {
		return p
	}
	name, rest, _ := strings.Cut(p[1:], "/")
	var home string
	if name == "" {
		home = os.Getenv("HOME")
		if home == "" {
			if u, err := user.Current(); err == nil {
				home = u.HomeDir
			}
		}
	} else if u, err := user.Lookup(name); err == nil {
		home = u.HomeDir
	}
	if home == "" {
		return p
	}
	if !strings.Contains(p, "/") {
		return home
	}
	return strings.TrimSuffix(home, "/") + "/" + rest
}

// unfrackPath is Ansible's unfrackpath for command line paths: "~" and
// $VARS expanded, made absolute against the working directory, cleaned.
func unfrackPath(p string) string {
	p = os.ExpandEnv(expandUser(p))
	if abs, err := filepath.Abs(p); err == nil {
		return abs
	}
	return filepath.Clean(p)
}

// localUser is the controller user as Python's getpass.getuser() finds it.
func localUser() string {
	for _, k := range []string{"LOGNAME", "USER", "LNAME", "USERNAME"} {
		if v := os.Getenv(k); v != "" {
			return v
		}
	}
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return ""
}
