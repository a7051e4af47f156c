package config

import "sort"

// Deprecation is a deprecated setting, or deprecated way of setting one,
// that the loaded configuration uses. Ansible reports each as a
// "[DEPRECATION WARNING]" when a playbook run starts (unless
// deprecation_warnings is off).
type Deprecation struct {
	// Name is the setting ID (DEFAULT_FACT_PATH), the environment variable
	// (ANSIBLE_CALLBACK_WHITELIST) or "[section]key" of the ini entry.
	Name         string
	Why          string
	Alternatives string
	// Version is the ansible-core version that removes it.
	Version string
}

// Message returns Ansible's deprecation text without the
// "[DEPRECATION WARNING]: " prefix and without the trailing "This feature
// will be removed ..." sentence, e.g. "[defaults]callback_whitelist option,
// normalizing names to new standard, use callbacks_enabled instead".
func (d Deprecation) Message() string {
	msg := d.Name + " option, " + d.Why
	if d.Alternatives != "" {
		msg += ", use " + d.Alternatives + " instead"
	}
	return msg
}

const (
	whyRename          = "normalizing names to new standard"
	whyModuleDefaults  = "the module_defaults keyword is a more generic version and can apply to all calls to the M(ansible.builtin.gather_facts) or M(ansible.builtin.setup) actions"
	removedInNamesVer  = "2.15"
	removedInFactsVer  = "2.18"
	moduleDefaultsAlts = "module_defaults"
)

// deprecated lists deprecations by source: "env:NAME", "ini:section:key"
// or "setting:ID". rank orders them as Ansible reports them.
var deprecated = map[string]Deprecation{
	"ini:defaults:callback_whitelist": {"[defaults]callback_whitelist", whyRename, "callbacks_enabled", removedInNamesVer},
	"env:ANSIBLE_CALLBACK_WHITELIST":  {"ANSIBLE_CALLBACK_WHITELIST", whyRename, "ANSIBLE_CALLBACKS_ENABLED", removedInNamesVer},
	"setting:DEFAULT_FACT_PATH":       {"DEFAULT_FACT_PATH", whyModuleDefaults, moduleDefaultsAlts, removedInFactsVer},
	"setting:DEFAULT_GATHER_SUBSET":   {"DEFAULT_GATHER_SUBSET", whyModuleDefaults, moduleDefaultsAlts, removedInFactsVer},
	"setting:DEFAULT_GATHER_TIMEOUT":  {"DEFAULT_GATHER_TIMEOUT", whyModuleDefaults, moduleDefaultsAlts, removedInFactsVer},
}

var rank = map[string]int{"CALLBACKS_ENABLED": 1, "DEFAULT_FACT_PATH": 2, "DEFAULT_GATHER_SUBSET": 3, "DEFAULT_GATHER_TIMEOUT": 4}

type foundDeprecation struct {
	setting string
	d       Deprecation
}

// Deprecations returns the deprecated settings and sources in use, in the
// order Ansible reports them.
func (c *Config) Deprecations() []Deprecation {
	found := append([]foundDeprecation(nil), c.deprecations...)
	sort.SliceStable(found, func(i, j int) bool { return rank[found[i].setting] < rank[found[j].setting] })
	out := make([]Deprecation, len(found))
	for i, f := range found {
		out[i] = f.d
	}
	return out
}
