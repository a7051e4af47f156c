package factory

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"octopus/engine/config"
)

// settingsCase is one resolution rule: a host with its variables, play
// keywords, command line, ansible.cfg and environment, and the settings
// expected. The same table runs against real ansible-playbook in
// TestSettingsAgainstAnsible.
type settingsCase struct {
	name    string
	host    string // default "h1"
	vars    map[string]any
	kw      Keywords
	opts    Options // command line fields only
	cfg     string  // ansible.cfg body; "" for none
	env     map[string]string
	want    map[string]string // field -> value, see fields()
	wantErr string
}

// fields renders the settings that cases check.
func fields(r Resolved) map[string]string {
	return map[string]string{
		"conn":     r.Connection,
		"addr":     r.Address,
		"port":     strconv.Itoa(r.Port),
		"user":     r.User,
		"pw":       r.Password,
		"key":      r.PrivateKeyFile,
		"hkc":      strconv.FormatBool(r.HostKeyChecking),
		"timeout":  strconv.Itoa(r.Timeout),
		"retries":  strconv.Itoa(r.Retries),
		"ssh_args": r.SSHArgs,
		"common":   r.SSHCommonArgs,
		"extra":    r.SSHExtraArgs,
		"log":      "<" + r.LogHost + "> " + r.LogLine,
	}
}

const testKey = "/srv/keys/id_test"

var settingsCases = []settingsCase{
	{name: "defaults", want: map[string]string{"conn": "ssh", "addr": "h1", "port": "0", "user": "", "pw": "", "key": "",
		"hkc": "true", "timeout": "10", "retries": "0", "ssh_args": defaultSSHArgs, "common": "", "extra": "",
		"log": "<h1> ESTABLISH SSH CONNECTION FOR USER: None"}},

	// address
	{name: "ansible_host", vars: map[string]any{"ansible_host": "10.9.0.1"}, want: map[string]string{"addr": "10.9.0.1", "log": "<10.9.0.1> ESTABLISH SSH CONNECTION FOR USER: None"}},
	{name: "ansible_ssh_host beats ansible_host", vars: map[string]any{"ansible_host": "10.9.0.1", "ansible_ssh_host": "10.9.0.2"}, want: map[string]string{"addr": "10.9.0.2"}},

	// port
	{name: "port string", vars: map[string]any{"ansible_port": "2222"}, want: map[string]string{"port": "2222"}},
	{name: "port float truncated", vars: map[string]any{"ansible_port": 22.7}, want: map[string]string{"port": "22"}},
	{name: "ansible_ssh_port beats ansible_port", vars: map[string]any{"ansible_port": 2201, "ansible_ssh_port": 2202}, want: map[string]string{"port": "2202"}},
	{name: "remote_port from cfg", cfg: "[defaults]\nremote_port = 2200\n", want: map[string]string{"port": "2200"}},
	{name: "ANSIBLE_REMOTE_PORT", env: map[string]string{"ANSIBLE_REMOTE_PORT": "2203"}, want: map[string]string{"port": "2203"}},
	{name: "port var beats cfg", cfg: "[defaults]\nremote_port = 2200\n", vars: map[string]any{"ansible_port": 2204}, want: map[string]string{"port": "2204"}},
	{name: "port keyword beats cfg", cfg: "[defaults]\nremote_port = 2200\n", kw: Keywords{Port: 2205}, want: map[string]string{"port": "2205"}},
	{name: "port var beats keyword", kw: Keywords{Port: 2205}, vars: map[string]any{"ansible_port": "2206"}, want: map[string]string{"port": "2206"}},
	{name: "bad port", vars: map[string]any{"ansible_port": "abc"}, wantErr: "the field 'port' has an invalid value (abc), and could not be converted to an int.The error was: invalid literal for int() with base 10: 'abc'"},
	{name: "port with underscore and spaces", vars: map[string]any{"ansible_port": " 2_2 "}, want: map[string]string{"port": "22"}},

	// user
	{name: "-u", opts: Options{CLIUser: "cliuser"}, want: map[string]string{"user": "cliuser", "log": "<h1> ESTABLISH SSH CONNECTION FOR USER: cliuser"}},
	{name: "ansible_user beats -u", opts: Options{CLIUser: "cliuser"}, vars: map[string]any{"ansible_user": "varuser"}, want: map[string]string{"user": "varuser", "log": "<h1> ESTABLISH SSH CONNECTION FOR USER: varuser"}},
	{name: "ansible_ssh_user beats ansible_user", vars: map[string]any{"ansible_user": "a", "ansible_ssh_user": "b"}, want: map[string]string{"user": "b", "log": "<h1> ESTABLISH SSH CONNECTION FOR USER: b"}},
	{name: "remote_user cfg", cfg: "[defaults]\nremote_user = cfguser\n", want: map[string]string{"user": "cfguser"}},
	{name: "-u beats cfg", cfg: "[defaults]\nremote_user = cfguser\n", opts: Options{CLIUser: "cliuser"}, want: map[string]string{"user": "cliuser"}},
	{name: "ANSIBLE_REMOTE_USER beats cfg", cfg: "[defaults]\nremote_user = cfguser\n", env: map[string]string{"ANSIBLE_REMOTE_USER": "envuser"}, want: map[string]string{"user": "envuser"}},
	{name: "remote_user keyword beats -u", kw: Keywords{RemoteUser: "kwuser"}, opts: Options{CLIUser: "cliuser"}, want: map[string]string{"user": "kwuser", "log": "<h1> ESTABLISH SSH CONNECTION FOR USER: kwuser"}},
	{name: "ansible_user beats keyword", kw: Keywords{RemoteUser: "kwuser"}, vars: map[string]any{"ansible_user": "varuser"}, want: map[string]string{"user": "varuser"}},
	{name: "numeric user", vars: map[string]any{"ansible_user": 1001}, want: map[string]string{"user": "1001"}},

	// password
	{name: "ansible_password", vars: map[string]any{"ansible_password": "p1"}, want: map[string]string{"pw": "p1"}},
	{name: "ansible_ssh_pass beats ansible_password", vars: map[string]any{"ansible_password": "p1", "ansible_ssh_pass": "p2"}, want: map[string]string{"pw": "p2"}},
	{name: "ansible_ssh_password beats both", vars: map[string]any{"ansible_password": "p1", "ansible_ssh_pass": "p2", "ansible_ssh_password": "p3"}, want: map[string]string{"pw": "p3"}},
	{name: "-k", opts: Options{ConnPassword: "clipw"}, want: map[string]string{"pw": "clipw"}},
	{name: "var beats -k", opts: Options{ConnPassword: "clipw"}, vars: map[string]any{"ansible_password": "p1"}, want: map[string]string{"pw": "p1"}},
	{name: "empty ansible_password hides -k", opts: Options{ConnPassword: "clipw"}, vars: map[string]any{"ansible_password": ""}, want: map[string]string{"pw": ""}},
	{name: "empty ansible_ssh_password falls back", vars: map[string]any{"ansible_password": "p1", "ansible_ssh_password": ""}, want: map[string]string{"pw": "p1"}},

	// private key
	{name: "--private-key", opts: Options{CLIPrivateKey: testKey}, want: map[string]string{"key": testKey}},
	{name: "key var beats --private-key", opts: Options{CLIPrivateKey: testKey}, vars: map[string]any{"ansible_ssh_private_key_file": "/srv/keys/var"}, want: map[string]string{"key": "/srv/keys/var"}},
	{name: "ansible_ssh_private_key_file beats ansible_private_key_file", vars: map[string]any{"ansible_private_key_file": "/k/a", "ansible_ssh_private_key_file": "/k/b"}, want: map[string]string{"key": "/k/b"}},
	{name: "private_key_file cfg", cfg: "[defaults]\nprivate_key_file = /k/cfg\n", want: map[string]string{"key": "/k/cfg"}},
	{name: "--private-key beats cfg", cfg: "[defaults]\nprivate_key_file = /k/cfg\n", opts: Options{CLIPrivateKey: testKey}, want: map[string]string{"key": testKey}},
	{name: "key tilde", vars: map[string]any{"ansible_private_key_file": "~/.ssh/other"}, want: map[string]string{"key": "$HOME/.ssh/other"}},

	// host key checking
	{name: "hkc var False", vars: map[string]any{"ansible_host_key_checking": "False"}, want: map[string]string{"hkc": "false"}},
	{name: "hkc var non-boolean is false", vars: map[string]any{"ansible_host_key_checking": "maybe"}, want: map[string]string{"hkc": "false"}},
	{name: "hkc cfg False", cfg: "[defaults]\nhost_key_checking = False\n", want: map[string]string{"hkc": "false"}},
	{name: "hkc ssh_connection section", cfg: "[ssh_connection]\nhost_key_checking = no\n", want: map[string]string{"hkc": "false"}},
	{name: "hkc env", env: map[string]string{"ANSIBLE_HOST_KEY_CHECKING": "0"}, want: map[string]string{"hkc": "false"}},
	{name: "hkc var yes beats cfg", cfg: "[defaults]\nhost_key_checking = False\n", vars: map[string]any{"ansible_host_key_checking": "yes"}, want: map[string]string{"hkc": "true"}},
	{name: "hkc ssh var beats plain var", vars: map[string]any{"ansible_host_key_checking": true, "ansible_ssh_host_key_checking": "off"}, want: map[string]string{"hkc": "false"}},

	// timeout
	{name: "-T", opts: Options{CLITimeout: 44}, want: map[string]string{"timeout": "44"}},
	{name: "ansible_timeout beats -T", opts: Options{CLITimeout: 44}, vars: map[string]any{"ansible_timeout": "20"}, want: map[string]string{"timeout": "20"}},
	{name: "ansible_ssh_timeout beats ansible_timeout", vars: map[string]any{"ansible_timeout": 20, "ansible_ssh_timeout": 30}, want: map[string]string{"timeout": "30"}},
	{name: "ANSIBLE_TIMEOUT", env: map[string]string{"ANSIBLE_TIMEOUT": "55"}, want: map[string]string{"timeout": "55"}},
	{name: "-T beats ANSIBLE_TIMEOUT", env: map[string]string{"ANSIBLE_TIMEOUT": "55"}, opts: Options{CLITimeout: 12}, want: map[string]string{"timeout": "12"}},
	{name: "ANSIBLE_SSH_TIMEOUT ignored", env: map[string]string{"ANSIBLE_SSH_TIMEOUT": "33"}, want: map[string]string{"timeout": "10"}},
	{name: "ssh_connection timeout ignored", cfg: "[defaults]\ntimeout = 15\n[ssh_connection]\ntimeout = 33\n", want: map[string]string{"timeout": "15"}},
	{name: "bad timeout", vars: map[string]any{"ansible_timeout": "soon"}, wantErr: "the field 'timeout' has an invalid value (soon), and could not be converted to an int."},

	// retries
	{name: "ansible_ssh_retries", vars: map[string]any{"ansible_ssh_retries": "1"}, want: map[string]string{"retries": "1"}},
	{name: "retries cfg", cfg: "[ssh_connection]\nretries = 2\n", want: map[string]string{"retries": "2"}},
	{name: "ANSIBLE_SSH_RETRIES", env: map[string]string{"ANSIBLE_SSH_RETRIES": "1"}, cfg: "[connection]\nretries = 2\n", want: map[string]string{"retries": "1"}},
	{name: "bad retries", vars: map[string]any{"ansible_ssh_retries": "abc"}, wantErr: "Invalid type for configuration option plugin_type: connection plugin: ssh setting: reconnection_retries (from var: ansible_ssh_retries): invalid literal for int() with base 10: 'abc'"},

	// ssh argument strings
	{name: "ansible_ssh_args", vars: map[string]any{"ansible_ssh_args": "-o ServerAliveInterval=5"}, want: map[string]string{"ssh_args": "-o ServerAliveInterval=5"}},
	{name: "ssh_args cfg", cfg: "[ssh_connection]\nssh_args = -o ServerAliveInterval=6 -o ControlMaster=no\n", want: map[string]string{"ssh_args": "-o ServerAliveInterval=6 -o ControlMaster=no"}},
	{name: "common args var beats cli", opts: Options{CLISSHCommonArgs: "-o ProxyJump=cli"}, vars: map[string]any{"ansible_ssh_common_args": "-o ProxyJump=var"}, want: map[string]string{"common": "-o ProxyJump=var"}},
	{name: "common args cli beats cfg", opts: Options{CLISSHCommonArgs: "-o ProxyJump=cli"}, cfg: "[ssh_connection]\nssh_common_args = -o ProxyJump=cfg\n", want: map[string]string{"common": "-o ProxyJump=cli"}},
	{name: "common args env", env: map[string]string{"ANSIBLE_SSH_COMMON_ARGS": "-o ProxyJump=env"}, want: map[string]string{"common": "-o ProxyJump=env"}},
	{name: "common args quoted", vars: map[string]any{"ansible_ssh_common_args": `"-o StrictHostKeyChecking=no"`}, want: map[string]string{"common": "-o StrictHostKeyChecking=no"}},
	{name: "common args with quotes", vars: map[string]any{"ansible_ssh_common_args": `-o ProxyCommand="ssh -W %h:%p bastion" -o 'ServerAliveInterval 5'`},
		want: map[string]string{"common": `-o ProxyCommand="ssh -W %h:%p bastion" -o 'ServerAliveInterval 5'`}},
	{name: "ssh_args empty var", cfg: "[ssh_connection]\nssh_args = -o ServerAliveInterval=6\n", vars: map[string]any{"ansible_ssh_args": ""}, want: map[string]string{"ssh_args": ""}},
	{name: "relative key kept", vars: map[string]any{"ansible_ssh_private_key_file": "keys/id"}, want: map[string]string{"key": "keys/id"}},
	{name: "hkc int", vars: map[string]any{"ansible_host_key_checking": 0}, want: map[string]string{"hkc": "false"}},
	{name: "extra args var beats cli", opts: Options{CLISSHExtraArgs: "-o Compression=no"}, vars: map[string]any{"ansible_ssh_extra_args": "-o Compression=yes"}, want: map[string]string{"extra": "-o Compression=yes"}},
	{name: "extra args cli", opts: Options{CLISSHExtraArgs: "-o Compression=no"}, want: map[string]string{"extra": "-o Compression=no"}},
	{name: "extra args cfg", cfg: "[ssh_connection]\nssh_extra_args = -o Compression=no\n", want: map[string]string{"extra": "-o Compression=no"}},

	// connection type
	{name: "ansible_connection local", vars: map[string]any{"ansible_connection": "local"}, want: map[string]string{"conn": "local", "log": "<h1> ESTABLISH LOCAL CONNECTION FOR USER: $USER"}},
	{name: "local log shows ansible_host", vars: map[string]any{"ansible_connection": "local", "ansible_host": "127.0.0.1"}, want: map[string]string{"conn": "local", "log": "<127.0.0.1> ESTABLISH LOCAL CONNECTION FOR USER: $USER"}},
	{name: "-c local", opts: Options{CLIConnection: "local"}, want: map[string]string{"conn": "local"}},
	{name: "ansible_connection beats -c", opts: Options{CLIConnection: "local"}, vars: map[string]any{"ansible_connection": "ssh"}, want: map[string]string{"conn": "ssh"}},
	{name: "connection keyword beats -c", opts: Options{CLIConnection: "ssh"}, kw: Keywords{Connection: "local"}, want: map[string]string{"conn": "local"}},
	{name: "ansible_connection beats keyword", kw: Keywords{Connection: "local"}, vars: map[string]any{"ansible_connection": "smart"}, want: map[string]string{"conn": "ssh"}},
	{name: "transport cfg", cfg: "[defaults]\ntransport = local\n", want: map[string]string{"conn": "local"}},
	{name: "fqcn", vars: map[string]any{"ansible_connection": "ansible.builtin.local"}, want: map[string]string{"conn": "local"}},
	{name: "listed localhost uses ssh", host: "localhost", want: map[string]string{"conn": "ssh", "addr": "localhost", "log": "<localhost> ESTABLISH SSH CONNECTION FOR USER: None"}},

	// everything at once: variables win over every other source
	{name: "vars win", cfg: "[defaults]\nremote_user = cfguser\nremote_port = 2200\nprivate_key_file = /k/cfg\ntimeout = 15\nhost_key_checking = True\n",
		opts: Options{CLIUser: "cliuser", CLIPrivateKey: testKey, CLITimeout: 12, ConnPassword: "clipw"},
		vars: map[string]any{"ansible_host": "10.9.0.7", "ansible_port": "2207", "ansible_user": "varuser", "ansible_ssh_private_key_file": "/k/var",
			"ansible_timeout": "7", "ansible_host_key_checking": "no", "ansible_ssh_pass": "varpw"},
		want: map[string]string{"addr": "10.9.0.7", "port": "2207", "user": "varuser", "key": "/k/var", "timeout": "7", "hkc": "false", "pw": "varpw",
			"log": "<10.9.0.7> ESTABLISH SSH CONNECTION FOR USER: varuser"}},
}

// settingsFor resolves the case's host (h1 when it names none) with cfg as
// the configuration.
func (c settingsCase) settingsFor(cfg *config.Config) (Resolved, error) {
	opts := c.opts
	opts.Config = cfg
	host := c.host
	if host == "" {
		host = "h1"
	}
	return SettingsFor(host, c.vars, c.kw, opts)
}

// loadCase writes the case's ansible.cfg into dir and loads the
// configuration as octopus would, with env as the whole environment.
func loadCase(t *testing.T, c settingsCase, dir string) (*config.Config, map[string]string) {
	t.Helper()
	env := map[string]string{"HOME": os.Getenv("HOME"), "ANSIBLE_CONFIG": filepath.Join(dir, "ansible.cfg")}
	for k, v := range c.env {
		env[k] = v
	}
	if c.cfg != "" {
		if err := os.WriteFile(filepath.Join(dir, "ansible.cfg"), []byte(c.cfg), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg, _, err := config.Load(env, dir)
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	return cfg, env
}

func expandWant(s string) string {
	return strings.NewReplacer("$HOME", os.Getenv("HOME"), "$USER", localUser()).Replace(s)
}

func TestSettings(t *testing.T) {
	for _, c := range settingsCases {
		t.Run(c.name, func(t *testing.T) {
			cfg, _ := loadCase(t, c, t.TempDir())
			r, err := c.settingsFor(cfg)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("error = %v, want %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := fields(r)
			for k, want := range c.want {
				if got[k] != expandWant(want) {
					t.Errorf("%s = %q, want %q", k, got[k], expandWant(want))
				}
			}
		})
	}
}

func TestSettingsNilConfig(t *testing.T) {
	r, err := Settings("web1", map[string]any{"ansible_host": "10.1.1.1"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Connection != "ssh" || r.Timeout != 10 || !r.HostKeyChecking || r.SSHArgs != defaultSSHArgs || r.Address != "10.1.1.1" {
		t.Errorf("defaults without a config: %v", r)
	}
}

func TestResolvedStringHidesPassword(t *testing.T) {
	r, err := Settings("h", map[string]any{"ansible_password": "s3cret-pw"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{r.String(), fmt.Sprintf("%v", r), fmt.Sprintf("%+v", r), fmt.Sprint(r)} {
		if strings.Contains(s, "s3cret-pw") {
			t.Errorf("password shown: %s", s)
		}
	}
}

// TestSSHConfig checks the ordered command line handed to the ssh client:
// ssh_args first, Ansible's own options, then common and extra args, so
// that ssh(1)'s first-value-wins rule gives Ansible's outcome.
func TestSSHConfig(t *testing.T) {
	r, err := Settings("h1", map[string]any{
		"ansible_host": "10.0.0.5", "ansible_port": 2222, "ansible_user": "deploy", "ansible_ssh_private_key_file": "/k/my key",
		"ansible_host_key_checking": false, "ansible_ssh_retries": 2, "ansible_timeout": 7,
		"ansible_ssh_args": "-o ServerAliveInterval=3", "ansible_ssh_common_args": "-o Port=1 -J bastion", "ansible_ssh_extra_args": "-o User=other",
	}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := r.SSHConfig()
	want := "-o ServerAliveInterval=3 -o StrictHostKeyChecking=no -o Port=2222 -o 'IdentityFile=/k/my key' " +
		"-o KbdInteractiveAuthentication=no -o PreferredAuthentications=gssapi-with-mic,gssapi-keyex,hostbased,publickey " +
		"-o PasswordAuthentication=no -o User=deploy -o ConnectTimeout=7 -o Port=1 -J bastion -o User=other"
	if cfg.Args != want {
		t.Errorf("Args:\n got %s\nwant %s", cfg.Args, want)
	}
	if cfg.Host != "10.0.0.5" || cfg.Port != 2222 || cfg.User != "deploy" || cfg.HostKeyChecking || cfg.ConnectionAttempts != 3 || cfg.Timeout.Seconds() != 7 {
		t.Errorf("config: %+v", cfg)
	}
	if _, err := Settings("h1", map[string]any{"ansible_ssh_common_args": "-o 'unbalanced"}, Options{}); err == nil {
		t.Error("unbalanced quote in ssh args: no error")
	}
	if _, err := Settings("h1", map[string]any{"ansible_connection": "local", "ansible_ssh_common_args": "-o 'unbalanced"}, Options{}); err != nil {
		t.Errorf("local connection must ignore ssh args: %v", err)
	}
}

func TestPyInt(t *testing.T) {
	for _, c := range []struct {
		in   any
		want int
		err  string
	}{
		{"22", 22, ""}, {" -3 ", -3, ""}, {"1_000", 1000, ""}, {22.9, 22, ""}, {true, 1, ""},
		{"22.0", 0, "invalid literal for int() with base 10: '22.0'"}, {"_1", 0, "invalid"}, {"1__0", 0, "invalid"},
		{"", 0, "invalid literal for int() with base 10: ''"}, {[]any{1}, 0, "not 'list'"},
	} {
		n, err := pyInt(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("pyInt(%#v) error = %v, want %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || n != c.want {
			t.Errorf("pyInt(%#v) = %d, %v; want %d", c.in, n, err, c.want)
		}
	}
}

func TestSplitArgs(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{`-o ProxyCommand="ssh -W %h:%p bastion" -C`, []string{"-o", "ProxyCommand=ssh -W %h:%p bastion", "-C"}},
		{`-o 'User=a b'  -i\ x`, []string{"-o", "User=a b", "-i x"}},
		{`a "b\"c\$" ''`, []string{"a", `b"c\$`}},
	} {
		got, err := splitArgs(c.in)
		if err != nil || strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("splitArgs(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}
