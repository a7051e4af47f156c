package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"octopus/engine/config"
	"octopus/engine/output"
	"octopus/engine/pyfmt"
)

// This file prints the lines ansible-playbook shows around loading at
// higher verbosity: the version block (-vv), the config file line (-v),
// inventory set-up (-vvvv), the callback plugin lines (-vv, -vvvv), the
// command-line arguments (-vvvv) and "N plays in FILE" (-vv). Where Ansible
// names Python paths octopus prints its own equivalent.

// builtinStdoutCallbacks are ansible-core's stdout callback plugins, which
// ansible-playbook reports skipping at -vv (the chosen one is loaded first).
var builtinStdoutCallbacks = []string{"default", "minimal", "oneline"}

// verbose prints msg on stdout when the verbosity is at least level.
func (s *session) verbose(level int, msg string) {
	if s.opts.Verbosity >= level {
		fmt.Fprintln(s.out, msg)
	}
}

// startBanner prints what CLI.run prints before doing anything else: the
// version block at -vv and the config file line at -v.
func (s *session) startBanner() {
	if s.opts.Verbosity >= 2 {
		writeVersion(s.out, s.prog, s.cfg)
	}
	if s.cfg != nil && s.cfg.File != "" {
		s.verbose(1, fmt.Sprintf("Using %s as config file", s.cfg.File))
	} else {
		s.verbose(1, "No config file found; using defaults")
	}
	s.configDeprecations()
}

// configDeprecations warns, as CLI.run does after the config file line,
// about each deprecated setting or way of setting one that is in use
// (e.g. [defaults]callback_whitelist).
func (s *session) configDeprecations() {
	if s.cfg == nil || !s.cfg.Bool("deprecation_warnings") {
		return
	}
	d := output.NewDisplay(s.opts.Verbosity)
	for _, dep := range s.cfg.Deprecations() {
		text := "[DEPRECATION WARNING]: " + dep.Message() + ". This feature will be removed from ansible-core in version " +
			dep.Version + ". Deprecation warnings can be disabled by setting deprecation_warnings=False in ansible.cfg."
		text = strings.Join(pyfmt.TextWrap(text, d.Columns, false), "\n")
		fmt.Fprintln(s.err, d.Colorize(strings.TrimSpace(text), output.ColorDeprecate))
	}
}

// callbackBanner prints the callback loading lines of the first playbook:
// the stdout callback, then every built-in plugin by name, skipped stdout
// ones (-vv) and the enabled ones, given as {name, type} (-vvvv).
func (s *session) callbackBanner(stdoutCallback string, enabled [][2]string) {
	exe, _ := os.Executable()
	s.verbose(4, fmt.Sprintf("Loading callback plugin %s of type stdout, v2.0 from %s (built in)", stdoutCallback, exe))
	type entry struct{ name, typ string }
	var all []entry
	for _, name := range builtinStdoutCallbacks {
		all = append(all, entry{name, "stdout"})
	}
	for _, e := range enabled {
		all = append(all, entry{e[0], e[1]})
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].name < all[j].name })
	for _, e := range all {
		if e.typ == "stdout" {
			s.verbose(2, fmt.Sprintf("Skipping callback '%s', as we already have a stdout callback.", e.name))
		} else {
			s.verbose(4, fmt.Sprintf("Loading callback plugin %s of type %s, v2.0 from %s (built in)", e.name, e.typ, exe))
		}
	}
}

// playbookBanner prints what follows the PLAYBOOK banner: the command-line
// arguments at -vvvv and "N plays in FILE" at -vv.
func (s *session) playbookBanner(path string, plays int) {
	if s.opts.Verbosity >= 4 {
		s.verbose(4, "Positional arguments: "+strings.Join(s.opts.Playbooks, " "))
		for _, kv := range s.cliArgs() {
			s.verbose(4, kv[0]+": "+kv[1])
		}
	}
	s.verbose(2, fmt.Sprintf("%d plays in %s", plays, path))
}

// cliArgs lists ansible-playbook's parsed options in argparse order with
// their Python str() form, leaving out the false and empty ones as the
// default callback does at -vvvv.
func (s *session) cliArgs() [][2]string {
	o, cfg := s.opts, s.cfg
	var out [][2]string
	add := func(name string, v any) {
		var text string
		switch t := v.(type) {
		case nil:
			return
		case bool:
			if !t {
				return
			}
			text = "True"
		case int:
			if t == 0 {
				return
			}
			text = strconv.Itoa(t)
		case string:
			if t == "" {
				return
			}
			text = t
		case []string:
			if len(t) == 0 {
				return
			}
			text = pyTuple(t)
		}
		out = append(out, [2]string{name, text})
	}
	str := func(cli, name string) string {
		if cli != "" || cfg == nil {
			return cli
		}
		return cfg.String(name)
	}
	flag := func(cli bool, name string) bool { return cli || (cfg != nil && cfg.Bool(name)) }
	forks := 5
	timeout := 10
	if cfg != nil {
		forks, timeout = cfg.Int("forks"), cfg.Int("timeout")
	}
	if o.ForksSet {
		forks = o.Forks
	}
	if o.Timeout != 0 {
		timeout = o.Timeout
	}
	tags := splitTags(o.Tags)
	if len(tags) == 0 && cfg != nil {
		tags = cfg.StringList("tags_run")
	}
	if len(tags) == 0 {
		tags = []string{"all"}
	}
	skip := splitTags(o.SkipTags)
	if len(skip) == 0 && cfg != nil {
		skip = cfg.StringList("tags_skip")
	}
	inv := o.Inventory
	if len(inv) == 0 && cfg != nil {
		inv = cfg.PathList("inventory")
	}
	if len(inv) == 0 {
		inv = []string{"/etc/ansible/hosts"}
	}
	inv = absUnlessList(inv)
	var vaultIDs, vaultFiles []string
	if cfg != nil {
		vaultIDs = cfg.StringList("vault_identity_list")
	}
	vaultIDs = append(vaultIDs, o.VaultIDs...)
	vaultFiles = absUnlessList(o.VaultPasswordFile)
	if len(vaultFiles) == 0 && cfg != nil && cfg.String("vault_password_file") != "" {
		vaultFiles = []string{cfg.String("vault_password_file")}
	}
	privKey := str(o.PrivateKey, "private_key_file")
	if privKey != "" {
		privKey = absUnlessList([]string{expandUser(privKey)})[0]
	}

	add("verbosity", o.Verbosity)
	add("private_key_file", privKey)
	add("remote_user", str(o.RemoteUser, "remote_user"))
	add("connection", str(o.Connection, "transport"))
	add("timeout", timeout)
	add("ssh_common_args", o.SSHCommonArgs)
	add("sftp_extra_args", o.SFTPExtraArgs)
	add("scp_extra_args", o.SCPExtraArgs)
	add("ssh_extra_args", o.SSHExtraArgs)
	add("ask_pass", flag(o.AskPass, "ask_pass"))
	add("connection_password_file", o.ConnPasswordFile)
	add("force_handlers", flag(o.ForceHandlers, "force_handlers"))
	add("flush_cache", o.FlushCache)
	add("become", flag(o.Become, "become"))
	add("become_method", str(o.BecomeMethod, "become_method"))
	add("become_user", o.BecomeUser)
	add("become_ask_pass", flag(o.AskBecomePass, "become_ask_pass"))
	add("become_password_file", o.BecomePassFile)
	add("tags", tags)
	add("skip_tags", skip)
	add("check", o.Check)
	add("diff", flag(o.Diff, "diff_always"))
	add("inventory", inv)
	add("listhosts", o.ListHosts)
	add("subset", o.Limit)
	add("extra_vars", o.ExtraVars)
	add("vault_ids", vaultIDs)
	add("ask_vault_pass", flag(o.AskVaultPass, "ask_vault_pass"))
	add("vault_password_files", vaultFiles)
	add("forks", forks)
	add("module_path", o.ModulePath)
	add("syntax", o.SyntaxCheck)
	add("listtasks", o.ListTasks)
	add("listtags", o.ListTags)
	add("step", o.Step)
	add("start_at_task", o.StartAtTask)
	return out
}

// absUnlessList makes paths absolute (without following links), leaving
// "host1,host2" lists as they are, as ansible-playbook does with -i.
func absUnlessList(paths []string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = p
		if !strings.Contains(p, ",") {
			out[i] = unfrack(p)
		}
	}
	return out
}

func unfrack(p string) string {
	p = expandUser(p)
	if abs, err := filepath.Abs(p); err == nil {
		return abs
	}
	return p
}

// pyTuple renders strings as Python's str() of a tuple: ('a',), ('a', 'b').
func pyTuple(items []string) string {
	parts := make([]string, len(items))
	for i, s := range items {
		parts[i] = pyfmt.Quote(s)
	}
	if len(parts) == 1 {
		return "(" + parts[0] + ",)"
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// writeVersion prints the --version block (also the -vv banner), with
// octopus's own lines where Ansible names Python paths.
func writeVersion(w io.Writer, prog string, cfg *config.Config) {
	exe, _ := os.Executable()
	name := prog
	if strings.HasPrefix(name, "octopus ") {
		name = "ansible-" + name[len("octopus "):]
	}
	fmt.Fprintf(w, "%s [core %s]\n", name, AnsibleVersion)
	fmt.Fprintf(w, "  %s\n", cfg.VersionLine())
	fmt.Fprintf(w, "  configured module search path = none (octopus runs native Go modules)\n")
	fmt.Fprintf(w, "  octopus version = %s\n", Version)
	fmt.Fprintf(w, "  executable location = %s\n", exe)
}
