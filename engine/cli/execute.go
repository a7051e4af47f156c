package cli

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	ucli "github.com/urfave/cli/v2"
	"golang.org/x/term"

	"octopus/engine/connection"
	"octopus/engine/connection/factory"
	"octopus/engine/executor"
	"octopus/engine/inventory"
	"octopus/engine/output"
	"octopus/engine/playbook"
	"octopus/engine/template"
	"octopus/engine/value"
	"octopus/engine/vault"
)

// connVarNames are the host variables the connection factory reads.
var connVarNames = []string{
	"ansible_connection", "ansible_host", "ansible_ssh_host", "ansible_port", "ansible_ssh_port",
	"ansible_user", "ansible_ssh_user", "ansible_password", "ansible_ssh_pass", "ansible_ssh_password",
	"ansible_ssh_private_key_file", "ansible_private_key_file", "ansible_ssh_args",
	"ansible_ssh_common_args", "ansible_ssh_extra_args", "ansible_host_key_checking",
	"ansible_ssh_host_key_checking", "ansible_timeout", "ansible_ssh_timeout", "ansible_ssh_retries",
}

// legacyTestFilters reports whether Ansible 2.7's filter forms of tests
// (`result|failed`) are accepted. They are by default, so that playbooks
// written for 2.7 run; OCTOPUS_LEGACY_TEST_FILTERS=false gives 2.14's error.
func legacyTestFilters() bool {
	v := strings.ToLower(os.Getenv("OCTOPUS_LEGACY_TEST_FILTERS"))
	return v != "false" && v != "0" && v != "no"
}

// execute runs the loaded playbooks with the executor and returns
// ansible-playbook's exit code.
func (s *session) execute(c *ucli.Context, books []*playbook.Playbook) error {
	o, cfg := s.opts, s.cfg
	connPass, becomePass, err := s.passwords()
	if err != nil {
		return fatal(1, "%v", err)
	}
	secrets := s.secrets

	display := s.display
	cbName := cfg.String("stdout_callback")
	if cbName == "" {
		cbName = "default"
	}
	cb, err := output.New(cbName, display)
	if err != nil {
		return fatal(1, "%v", err)
	}
	if d, ok := cb.(*output.Default); ok {
		d.DisplaySkipped = cfg.Bool("display_skipped_hosts")
		d.DisplayOK = cfg.Bool("display_ok_hosts")
		d.FailedStderr = cfg.Bool("display_failed_stderr")
		d.ShowCustom = cfg.Bool("show_custom_stats")
	}
	// callbacks_enabled: the aggregate callbacks run beside the stdout one.
	enabled, warns := output.NewEnabled(cfg.StringList("callbacks_enabled"), output.EnabledOptions{
		TreeDir: cfg.String("callback/tree/directory"), Verbosity: o.Verbosity, Warn: display.Warning})
	for _, w := range warns {
		display.Warning(w)
	}
	extra := make([][2]string, 0, len(enabled))
	cbs := []output.Callback{cb}
	for _, e := range enabled {
		cbs = append(cbs, e.Callback)
		extra = append(extra, [2]string{e.Name, e.Type})
	}
	cb = output.NewFanout(cbs...)

	pool := factory.NewPool(factory.Options{
		Config:           cfg,
		CLIUser:          o.RemoteUser,
		CLIPrivateKey:    o.PrivateKey,
		CLIConnection:    o.Connection,
		CLITimeout:       o.Timeout,
		CLISSHCommonArgs: o.SSHCommonArgs,
		CLISSHExtraArgs:  o.SSHExtraArgs,
		ConnPassword:     connPass,
		Verbosity:        o.Verbosity,
		Log: func(host, line string) {
			display.V(3, fmt.Sprintf("<%s> %s", host, line))
		},
	})
	defer pool.CloseAll()
	connect := func(ctx context.Context, host string, cv executor.ConnVars) (connection.Conn, error) {
		vars := map[string]any{}
		for _, n := range connVarNames {
			if cv.Lookup == nil {
				break
			}
			if v, ok := cv.Lookup(n); ok {
				vars[n] = v
			}
		}
		kw := factory.Keywords{RemoteUser: cv.User, Port: cv.Port, Connection: cv.Connection}
		return pool.GetFor(ctx, host, vars, kw)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	var stdin = s.stdinIfTTY()
	if o.Step && stdin == nil {
		// ansible-playbook reads --step answers from a pipe too.
		stdin = os.Stdin
	}
	forks := cfg.Int("forks")
	if o.ForksSet {
		forks = o.Forks
	}
	become := o.Become || cfg.Bool("become")
	method := firstNonEmpty(o.BecomeMethod, cfg.String("become_method"), "sudo")
	user := firstNonEmpty(o.BecomeUser, cfg.String("become_user"), "root")
	factCache, factPrefix := "", ""
	if cfg.String("fact_caching") == "jsonfile" {
		factCache = expandUser(cfg.String("fact_caching_connection"))
		// The jsonfile plugin's own _prefix option has no default: the
		// base setting's "ansible_facts" applies only when it is set.
		if cfg.Changed("fact_caching_prefix") {
			factPrefix = cfg.String("fact_caching_prefix")
		}
	}

	s.callbackBanner(cbName, extra)
	stats := map[string]*output.HostStats{}
	code := 0
	for i, pb := range books {
		path := s.opts.Playbooks[i]
		plays := len(pb.Plays)
		bookCB := startHook{Callback: cb, after: func() { s.playbookBanner(path, plays) }}
		view := inventory.NewView(s.inv, s.invOpts, []string{pb.Dir})
		view.SetWarn(display.Warning)
		tpl := template.New(template.Options{
			BaseDir:           pb.Dir,
			Warn:              display.Warning,
			Deprecate:         func(msg string) { display.Deprecated(msg, "") },
			VaultDecrypt:      func(v *value.Vault) (string, error) { return vault.DecryptValue(v, secrets, s.decryptOptions()) },
			FileDecrypt:       s.decrypt,
			LegacyTestFilters: legacyTestFilters(),
		})
		loader := runtimeLoader{playbook.NewLoader(s.loadOptions())}
		rc := executor.Run(ctx, pb, executor.Options{
			Inventory:          view,
			Templater:          executor.NewTemplater(tpl),
			Loader:             loader,
			Connect:            connect,
			Callback:           bookCB,
			Forks:              forks,
			Check:              o.Check,
			Diff:               o.Diff,
			Tags:               splitTags(o.Tags),
			SkipTags:           splitTags(o.SkipTags),
			StartAtTask:        o.StartAtTask,
			Step:               o.Step,
			Limit:              o.Limit,
			ExtraVars:          s.extraVars,
			Verbosity:          o.Verbosity,
			ForceHandlers:      o.ForceHandlers || cfg.Bool("force_handlers"),
			Become:             become,
			BecomeMethod:       method,
			BecomeUser:         user,
			BecomePassword:     becomePass,
			RemoteUser:         o.RemoteUser,
			ConnPassword:       connPass,
			ConnTimeout:        cfg.Int("timeout"),
			Pipelining:         cfg.Bool("pipelining"),
			LocalTmp:           expandUser(cfg.String("local_tmp")),
			Gathering:          cfg.String("gathering"),
			FactCacheDir:       factCache,
			FactCachePrefix:    factPrefix,
			FactCacheTimeout:   cfg.Int("fact_caching_timeout"),
			HashMerge:          cfg.String("hash_behaviour") == "merge",
			AnyErrorsFatal:     cfg.Bool("any_errors_fatal"),
			Strategy:           cfg.String("strategy"),
			RetryFilesEnabled:  cfg.Bool("retry_files_enabled"),
			RetryFilesSavePath: expandUser(cfg.String("retry_files_save_path")),
			Decrypt:            s.decrypt,
			Stats:              stats,
			Connection:         firstNonEmpty(o.Connection, cfg.String("transport")),
			Stdin:              stdin,
			Stdout:             s.out,
			TaskDebugger:       cfg.Bool("enable_task_debugger"),
			TaskWarning:        display.WarningEvery,
			Disconnect:         pool.Reset,
		})
		if rc != 0 {
			code = rc
			break
		}
	}
	if code != 0 {
		return &exitError{code: code}
	}
	return nil
}

// startHook prints the lines ansible-playbook shows after the PLAYBOOK
// banner of each playbook.
type startHook struct {
	output.Callback
	after func()
}

// PlaybookStart implements output.Callback.
func (h startHook) PlaybookStart(path string) {
	h.Callback.PlaybookStart(path)
	h.after()
}

// runtimeLoader adapts the playbook loader to the executor's run-time
// include needs.
type runtimeLoader struct{ l *playbook.Loader }

func (r runtimeLoader) LoadTasksFile(path string, role *playbook.Role) ([]*playbook.Block, error) {
	return r.l.LoadTasksFileIn(path, nil, role, false)
}

func (r runtimeLoader) LoadRole(name string, o executor.RoleOptions) (*playbook.Role, error) {
	return r.l.LoadRole(name, playbook.RoleOptions{TasksFrom: o.TasksFrom, VarsFrom: o.VarsFrom,
		DefaultsFrom: o.DefaultsFrom, HandlersFrom: o.HandlersFrom, BaseDir: o.PlaybookDir})
}

func (s *session) stdinIfTTY() *os.File {
	if term.IsTerminal(int(os.Stdin.Fd())) {
		return os.Stdin
	}
	return nil
}

// passwords collects the connection and become passwords from -k/-K
// prompts or password files, as ansible-playbook asks for them.
func (s *session) passwords() (conn, become string, err error) {
	o := s.opts
	if o.ConnPasswordFile != "" {
		if conn, err = readPasswordFile(o.ConnPasswordFile); err != nil {
			return "", "", err
		}
	}
	if o.BecomePassFile != "" {
		if become, err = readPasswordFile(o.BecomePassFile); err != nil {
			return "", "", err
		}
	}
	if o.AskPass {
		if conn, err = prompt("SSH password: "); err != nil {
			return "", "", err
		}
	}
	if o.AskBecomePass {
		q := "BECOME password: "
		if o.AskPass {
			q = "BECOME password[defaults to SSH password]: "
		}
		if become, err = prompt(q); err != nil {
			return "", "", err
		}
		if become == "" && o.AskPass {
			become = conn
		}
	}
	return conn, become, nil
}

func (s *session) vaultSecrets() (vault.Secrets, error) {
	so := vault.SecretOptions{
		VaultIDs:      s.opts.VaultIDs,
		PasswordFiles: s.opts.VaultPasswordFile,
		AskVaultPass:  s.opts.AskVaultPass,
		Warn:          s.warn,
	}
	so.ApplyConfig(s.cfg)
	return vault.LoadSecrets(so)
}

// decryptOptions are the vault_id_match and vault_identity settings, with
// vault format errors given as warnings.
func (s *session) decryptOptions() vault.DecryptOptions {
	o := vault.DecryptOptions{Warn: s.warn}
	o.ApplyConfig(s.cfg)
	return o
}

func readPasswordFile(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("The password file %s was not found", path)
	}
	return strings.TrimRight(string(data), "\r\n"), nil
}

// prompt reads a hidden answer from the terminal.
func prompt(q string) (string, error) {
	fd := int(os.Stdin.Fd())
	fmt.Fprint(os.Stderr, q)
	defer fmt.Fprintln(os.Stderr)
	if !term.IsTerminal(fd) {
		var line string
		_, err := fmt.Fscanln(os.Stdin, &line)
		return line, err
	}
	b, err := term.ReadPassword(fd)
	return string(b), err
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}
