package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"octopus/engine/config"
	"octopus/engine/diag"
	"octopus/engine/executor"
	"octopus/engine/inventory"
	"octopus/engine/listing"
	"octopus/engine/output"
	"octopus/engine/playbook"
	"octopus/engine/value"
	"octopus/engine/vault"
	"octopus/modules"
)

// defaultRolesPath is Ansible's roles_path when ansible.cfg sets none.
var defaultRolesPath = []string{"~/.ansible/roles", "/usr/share/ansible/roles", "/etc/ansible/roles"}

// session is what one ansible-playbook invocation has loaded, in the order
// the pipeline needs it: config, inventory, extra vars, playbooks.
type session struct {
	prog      string
	opts      *PlaybookOptions
	cfg       *config.Config
	inv       *inventory.Inventory
	extraVars *value.Dict
	out, err  io.Writer
	// secrets are the vault secrets; decrypt opens vault-encrypted files
	// with them wherever Ansible's DataLoader would.
	secrets vault.Secrets
	decrypt vault.FileDecryptFunc
	invOpts inventory.Options
	// display writes warnings, and later the run's output, with Ansible's
	// colour rules.
	display *output.Display
}

func (s *session) warn(msg string) {
	s.display.Print(inventory.FormatWarning(msg), output.ColorWarn, true)
}

func (s *session) deprecate(msg, version string) {
	if !s.cfg.Bool("deprecation_warnings") {
		return
	}
	text := "[DEPRECATION WARNING]: " + msg + "."
	if version != "" {
		text += " This feature will be removed in version " + version + "."
	}
	text += " Deprecation warnings can be disabled by setting deprecation_warnings=False in ansible.cfg."
	s.display.Print(strings.TrimPrefix(inventory.FormatWarning(text), "[WARNING]: "), output.ColorDeprecate, true)
}

// failure turns a loading error into ansible-playbook's stderr text and exit code.
func failure(err error) error {
	return &exitError{code: diag.ExitCode(err), msg: strings.TrimSuffix(diag.Render(err), "\n")}
}

func runPlaybook(c *ucli.Context, prog string, o *PlaybookOptions) error {
	st := streams(c)
	if o.Version {
		return printVersion(c, prog)
	}
	cfg, err := loadConfig()
	if err != nil {
		return fatal(1, "%v", err)
	}
	// Each -v adds to the configured verbosity (ANSIBLE_VERBOSITY), as
	// ansible-playbook's counting option starts from it.
	o.Verbosity += cfg.Int("verbosity")
	s := &session{prog: prog, opts: o, cfg: cfg, out: st.Out, err: st.Err, display: output.NewDisplay(o.Verbosity)}
	s.display.Out, s.display.Err = st.Out, st.Err
	s.startBanner()

	for _, pb := range o.Playbooks {
		fi, err := os.Stat(pb)
		if err != nil {
			return fatal(1, "the playbook: %s could not be found", pb)
		}
		if !fi.Mode().IsRegular() {
			return fatal(1, "the playbook: %s does not appear to be a file", pb)
		}
	}
	if s.secrets, err = s.vaultSecrets(); err != nil {
		return fatal(1, "%v", err)
	}
	s.decrypt = vault.FileDecrypter(s.secrets, s.decryptOptions())
	// Ansible's inventory plugins load the extra vars first, so an @file
	// that fails to load fails every plugin before the error itself.
	var evErr error
	s.extraVars, evErr = parseExtraVars(o.ExtraVars, s.decrypt)
	sources := o.Inventory
	if len(sources) == 0 {
		sources = cfg.PathList("inventory")
	}
	if len(sources) == 0 {
		sources = []string{inventory.DefaultSource}
	}
	s.invOpts = inventory.Options{
		UnparsedIsFailed:    cfg.Bool("inventory_unparsed_is_failed"),
		AnyUnparsedIsFailed: cfg.Bool("inventory_any_unparsed_is_failed"),
		Decrypt:             s.decrypt,
		PluginError:         evErr,
		Verbose:             s.verbose,
	}
	s.verbose(4, "setting up inventory plugins")
	s.inv, err = inventory.LoadWithOptions(sources, s.invOpts)
	s.invOpts.PluginError = nil
	s.flushInventoryWarnings()
	if err != nil {
		return fatal(1, "%v", err)
	}
	if evErr != nil {
		return fatal(1, "%v", evErr)
	}
	if _, err := s.inv.HostList(o.Limit, "all"); err != nil {
		s.flushInventoryWarnings()
		return fatal(1, "%v", err)
	}
	s.flushInventoryWarnings()
	if o.Limit != "" {
		if err := s.inv.SetLimit(o.Limit); err != nil {
			return fatal(1, "%v", err)
		}
	}

	if o.FlushCache {
		s.flushFactCache()
	}

	books := make([]*playbook.Playbook, 0, len(o.Playbooks))
	for _, path := range o.Playbooks {
		pb, err := playbook.Load(path, s.loadOptions())
		if err != nil {
			return failure(err)
		}
		books = append(books, pb)
	}
	if o.SyntaxCheck || o.ListHosts || o.ListTasks || o.ListTags {
		for i, pb := range books {
			s.verbose(2, fmt.Sprintf("%d plays in %s", len(pb.Plays), o.Playbooks[i]))
		}
	}

	switch {
	case o.SyntaxCheck:
		for i, pb := range books {
			if err := listing.SyntaxCheck(s.out, pb, o.Playbooks[i]); err != nil {
				return failure(err)
			}
		}
		return nil
	case o.ListHosts || o.ListTasks || o.ListTags:
		for i, pb := range books {
			err := listing.List(s.out, pb, listing.Options{
				Name:      o.Playbooks[i],
				ListHosts: o.ListHosts,
				ListTasks: o.ListTasks,
				ListTags:  o.ListTags,
				Tags:      splitTags(o.Tags),
				SkipTags:  splitTags(o.SkipTags),
				Hosts:     s.resolveHosts,
				Template:  s.listTemplater(pb),
			})
			s.flushInventoryWarnings()
			if err != nil {
				return failure(err)
			}
		}
		return nil
	}
	return s.execute(c, books)
}

func (s *session) flushInventoryWarnings() {
	if s.inv == nil {
		return
	}
	for _, w := range s.inv.Warnings.Take() {
		s.warn(w)
	}
}

// unknownActionNote lists the modules octopus has, after Ansible's
// "couldn't resolve module/action" error.
func unknownActionNote() string {
	seen := map[string]bool{}
	var names []string
	for _, n := range append(modules.Names(), executor.ActionNames()...) {
		if !strings.Contains(n, ".") && !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return "octopus runs its own native modules; it has: " + strings.Join(names, ", ")
}

func (s *session) loadOptions() playbook.LoadOptions {
	roles := s.cfg.PathList("roles_path")
	if len(roles) == 0 {
		roles = defaultRolesPath
	}
	abs := make([]string, 0, len(roles))
	for _, r := range roles {
		abs = append(abs, expandUser(r))
	}
	return playbook.LoadOptions{
		RolesPath: abs,
		ExtraVars: s.extraVars.Map(),
		Warn:      s.warn,
		Deprecate: s.deprecate,
		Decrypt:   s.decrypt,
		// unknown modules fail at load time, as in Ansible
		KnownAction:       executor.KnownAction,
		UnknownActionNote: unknownActionNote(),
	}
}

func (s *session) resolveHosts(pattern string) ([]string, error) {
	hosts, err := s.inv.ListHosts(pattern)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(hosts))
	for i, h := range hosts {
		names[i] = h.Name
	}
	return names, nil
}

// splitTags flattens repeated, comma-separated --tags values.
func splitTags(in []string) []string {
	var out []string
	for _, t := range in {
		for _, p := range strings.Split(t, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

func expandUser(p string) string {
	if p == "~" || strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, p[1:])
		}
	}
	return p
}
