package inventory

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"octopus/engine/pyfmt"
	"octopus/engine/value"
)

// DefaultSource is used when Load is given no source (DEFAULT_HOST_LIST).
const DefaultSource = "/etc/ansible/hosts"

// DefaultIgnoreExts is Ansible's INVENTORY_IGNORE_EXTS: files in an
// inventory directory ending in one of these are skipped.
var DefaultIgnoreExts = []string{".pyc", ".pyo", ".swp", ".bak", "~", ".rpm", ".md", ".txt", ".rst", ".orig", ".ini", ".cfg", ".retry"}

// Options tune loading; the zero value is Ansible's default configuration.
type Options struct {
	// IgnoreExts replaces DefaultIgnoreExts when not nil.
	IgnoreExts []string
	// IgnorePatterns are extra regexps of file names to skip in inventory
	// directories (INVENTORY_IGNORE_PATTERNS).
	IgnorePatterns []string
	// UnparsedIsFailed makes Load fail when no source could be parsed
	// (INVENTORY_UNPARSED_IS_FAILED).
	UnparsedIsFailed bool
	// AnyUnparsedIsFailed makes Load fail when any source cannot be parsed
	// (INVENTORY_ANY_UNPARSED_IS_FAILED).
	AnyUnparsedIsFailed bool
	// NoUnparsedWarning silences "No inventory was parsed..."
	// (INVENTORY_UNPARSED_WARNING=false).
	NoUnparsedWarning bool
	// Decrypt, when set, is applied to the bytes of every inventory file
	// and group_vars/host_vars file read (Ansible's DataLoader decrypts
	// vault-encrypted files): it returns other data unchanged, or
	// Ansible's vault error naming the file.
	Decrypt func(data []byte, path string) ([]byte, error)
	// PluginError, when set, makes every inventory plugin that calls the
	// base parse (host_list, script, yaml, ini) fail with it: Ansible's
	// plugins load the -e extra vars first, so an @file that cannot be
	// decrypted fails them all.
	PluginError error
	// Verbose, when set, receives the -vvv/-vvvv messages of parsing
	// ("Parsed ... inventory source with ini plugin") with their level.
	Verbose func(level int, msg string)
}

// Load parses the given inventory sources (files, directories or
// "host1,host2," lists) in order, as InventoryManager.parse_sources does.
// Sources that cannot be parsed produce warnings, not errors; the returned
// error is for failures Ansible treats as fatal.
func Load(sources []string) (*Inventory, error) {
	return LoadWithOptions(sources, Options{})
}

// LoadWithOptions is Load with non-default configuration.
func LoadWithOptions(sources []string, opts Options) (inv *Inventory, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("inventory: internal error: %v", r)
		}
	}()
	inv = New()
	inv.opts = opts
	if len(sources) == 0 {
		sources = []string{DefaultSource}
	}
	parsed := false
	for _, src := range sources {
		if src == "" {
			continue
		}
		if !strings.Contains(src, ",") {
			src = unfrackPath(src)
		}
		inv.Sources = append(inv.Sources, src)
		ok, err := inv.parseSource(src)
		if err != nil {
			return inv, err
		}
		if ok {
			parsed = true
		}
	}
	if parsed {
		inv.Reconcile()
	} else if opts.UnparsedIsFailed {
		return inv, errors.New("No inventory was parsed, please check your configuration and options.")
	} else if !opts.NoUnparsedWarning {
		inv.Warnings.Add("No inventory was parsed, only implicit localhost is available")
	}
	return inv, nil
}

// unfrackPath expands ~ and $VARS and makes path absolute and clean
// (without resolving symlinks), as Ansible's unfrackpath(follow=False).
func unfrackPath(p string) string {
	if strings.HasPrefix(p, "~") {
		if home, err := os.UserHomeDir(); err == nil && (p == "~" || strings.HasPrefix(p, "~/")) {
			p = home + p[1:]
		}
	}
	p = os.ExpandEnv(p)
	if abs, err := filepath.Abs(p); err == nil {
		return abs
	}
	return filepath.Clean(p)
}

// trace gives a -v message to Options.Verbose.
func (inv *Inventory) trace(level int, format string, args ...any) {
	if inv.opts.Verbose != nil {
		inv.opts.Verbose(level, fmt.Sprintf(format, args...))
	}
}

// localhostName returns the first of Ansible's localhost names that is a
// host of the inventory ("" when none is).
func (inv *Inventory) localhostName() string {
	for _, n := range []string{"localhost", "127.0.0.1", "::1"} {
		if inv.hosts[n] != nil {
			return n
		}
	}
	return ""
}

func (inv *Inventory) ignored(name string) bool {
	if strings.HasPrefix(name, ".") || name == "host_vars" || name == "group_vars" || name == "vars_plugins" {
		return true
	}
	exts := DefaultIgnoreExts
	if inv.opts.IgnoreExts != nil {
		exts = inv.opts.IgnoreExts
	}
	for _, e := range exts {
		if strings.HasSuffix(name, e) {
			return true
		}
	}
	for _, p := range inv.opts.IgnorePatterns {
		if re, err := regexp.Compile(p); err == nil && re.MatchString(name) {
			return true
		}
	}
	return false
}

type parseFailure struct {
	plugin string
	err    error
}

func (inv *Inventory) parseSource(src string) (bool, error) {
	parsed := false
	var failures []parseFailure
	st, statErr := os.Stat(src)
	if statErr == nil && st.IsDir() {
		entries, err := os.ReadDir(src)
		if err == nil {
			names := make([]string, 0, len(entries))
			for _, e := range entries {
				names = append(names, e.Name())
			}
			sort.Strings(names)
			for _, name := range names {
				if inv.ignored(name) {
					continue
				}
				ok, err := inv.parseSource(filepath.Join(src, name))
				if err != nil {
					return false, err
				}
				if !parsed {
					parsed = ok
				}
			}
		}
	} else {
		inv.currentSource = src
		exists := statErr == nil
		ext := filepath.Ext(src)
		try := func(plugin string, fn func() error) bool {
			if inv.opts.PluginError != nil && plugin != "auto" {
				failures = append(failures, parseFailure{plugin, inv.opts.PluginError})
				return false
			}
			if err := fn(); err != nil {
				failures = append(failures, parseFailure{plugin, err})
				return false
			}
			return true
		}
		var data []byte
		if exists {
			var err error
			data, err = os.ReadFile(src)
			if err != nil {
				exists = false
			}
		}
		// The yaml, ini and auto plugins read through the DataLoader, which
		// decrypts vault files; the script plugin runs the file as it is.
		plain, decryptErr := data, error(nil)
		if exists && inv.opts.Decrypt != nil {
			plain, decryptErr = inv.opts.Decrypt(data, src)
		}
		loaded := func(fn func([]byte) error) func() error {
			return func() error {
				if decryptErr != nil {
					return decryptErr
				}
				return fn(plain)
			}
		}
		// The enabled plugins in Ansible's order; each that accepts the
		// source (verify_file) tries to parse it until one succeeds.
		plugins := []struct {
			name   string
			base   bool // calls the base verify_file (source must exist)
			accept bool
			parse  func() error
		}{
			{"host_list", false, !exists && strings.Contains(src, ","), func() error { return inv.parseHostList(src) }},
			{"script", true, exists && wantsScript(src, data), func() error { return inv.parseScript(src) }},
			{"auto", ext == ".yml" || ext == ".yaml", exists && (ext == ".yml" || ext == ".yaml"), loaded(func(d []byte) error { return autoPluginCheck(src, d) })},
			{"yaml", true, exists && (ext == "" || ext == ".yml" || ext == ".yaml" || ext == ".json"), loaded(func(d []byte) error { return inv.parseYAMLInventory(src, d) })},
			{"ini", true, exists, loaded(func(d []byte) error { return inv.parseINI(src, d) })},
			{"toml", true, false, nil},
		}
		for _, p := range plugins {
			if !p.accept {
				if p.base && !exists {
					inv.trace(3, "Skipping due to inventory source not existing or not being readable by the current user")
				}
				inv.trace(3, "%s declined parsing %s as it did not pass its verify_file() method", p.name, src)
				continue
			}
			had := inv.localhostName()
			if try(p.name, p.parse) && p.name != "auto" {
				if h := inv.localhostName(); had == "" && h != "" {
					inv.trace(4, "Set default localhost to %s", h)
				}
				inv.trace(3, "Parsed %s inventory source with %s plugin", src, p.name)
				parsed = true
				break
			}
		}
		inv.currentSource = ""
	}
	if !parsed && (src != DefaultSource || statErr == nil) {
		for _, f := range failures {
			inv.Warnings.Add("\n* Failed to parse %s with %s plugin: %s", src, f.plugin, f.err)
		}
		if inv.opts.AnyUnparsedIsFailed {
			return false, fmt.Errorf("Completely failed to parse inventory source %s", src)
		}
		inv.Warnings.Add("Unable to parse %s as an inventory source", src)
	}
	return parsed, nil
}

// autoPluginCheck stands for Ansible's "auto" plugin: a .yml/.yaml file is
// an inventory plugin configuration when it has a root "plugin" key. No
// inventory plugins are supported, so it always fails with Ansible's text.
func autoPluginCheck(path string, data []byte) error {
	v, err := loadDataFile(path, data)
	if err != nil {
		return err
	}
	d, ok := v.(*value.Dict)
	var plugin any
	if ok {
		plugin, _ = d.Get("plugin")
	}
	if !ok || isEmptyPy(plugin) {
		return fmt.Errorf("no root 'plugin' key found, '%s' is not a valid YAML inventory plugin config file", path)
	}
	return fmt.Errorf("inventory config '%s' specifies unknown plugin '%s'", path, pyfmt.Str(plugin))
}

// parseHostList reads the "host1,host2:port," form.
func (inv *Inventory) parseHostList(list string) error {
	for _, h := range strings.Split(list, ",") {
		h = strings.TrimSpace(h)
		if h == "" {
			continue
		}
		host, port, hasPort, err := parseAddress(h, false)
		if err != nil {
			host, port, hasPort = h, 0, false
		}
		if inv.hosts[host] == nil {
			if _, err := inv.AddHost(host, "ungrouped", port, hasPort); err != nil {
				return fmt.Errorf("Invalid data from string, could not parse: %s", err)
			}
		}
	}
	return nil
}

// sourceDirs returns the directories whose group_vars/ and host_vars/
// belong to the inventory sources (host lists are skipped, files give
// their directory).
func (inv *Inventory) sourceDirs() []string {
	var out []string
	for _, s := range inv.Sources {
		st, err := os.Stat(s)
		if strings.Contains(s, ",") && err != nil {
			continue
		}
		if err != nil || !st.IsDir() {
			s = filepath.Dir(s)
		}
		out = append(out, s)
	}
	return out
}
