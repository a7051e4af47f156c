// Package config reads ansible.cfg and ANSIBLE_* environment variables the
// way Ansible 2.14 does: the same file search order, the same ini dialect
// (Python configparser, raw values), the same precedence (environment over
// file over default) and the same value types and conversions.
package config

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	"octopus/engine/pyfmt"
	"octopus/engine/value"
)

// Type names a setting's value type, as in Ansible's config definitions.
type Type string

// Setting types. TypeNone ("") is an untyped setting: a string with
// surrounding quotes removed (or a non-string default kept as is).
const (
	TypeNone     Type = ""
	TypeBoolean  Type = "boolean"
	TypeInteger  Type = "integer"
	TypeFloat    Type = "float"
	TypeString   Type = "string"
	TypeList     Type = "list"     // comma-separated, each item stripped and unquoted
	TypePath     Type = "path"     // ~ and $VARS expanded, relative to the cfg file's directory
	TypeTmpPath  Type = "tmppath"  // like TypePath (Ansible also makes a private subdirectory in it)
	TypePathSpec Type = "pathspec" // ":"-separated list of paths
	TypePathList Type = "pathlist" // ","-separated list of paths
	TypeRaw      Type = "raw"
)

// IniKey is one place in ansible.cfg a setting can be written.
type IniKey struct {
	Section string
	Key     string
}

// Setting describes one configuration setting.
type Setting struct {
	// ID is Ansible's name: the constant for base settings (DEFAULT_FORKS),
	// "type/plugin/option" for plugin options (connection/ssh/ssh_args).
	ID string
	// Name is octopus's lower-case name for the setting ("" when only the ID
	// names it), mostly the ini key (forks, ssh_args, remote_tmp, ...).
	Name string
	// Type is the value type.
	Type Type
	// Default is the value used when no source sets it.
	Default any
	// INI are the ini keys, lowest precedence first.
	INI []IniKey
	// Env are the environment variables, lowest precedence first.
	Env []string
	// Choices, when set, are the only allowed values.
	Choices []string
}

// Value is a setting's resolved value and where it came from.
type Value struct {
	// Value is nil, bool, int, float64, string or []string.
	Value any
	// Origin is "default", "env: NAME" or the path of the cfg file.
	Origin string
}

// Config is a loaded configuration.
type Config struct {
	// File is the absolute path of the ansible.cfg in use, "" if none.
	File   string
	ini    *iniFile
	values map[string]Value // by Setting.ID
	// deprecations found while resolving, in resolution order.
	deprecations []foundDeprecation
}

// aliases maps extra lower-case names to a setting's ID.
var aliases = map[string]string{
	"callback_whitelist":          "CALLBACKS_ENABLED",
	"inventory_ignore_extensions": "INVENTORY_IGNORE_EXTS",
	"ssh_retries":                 "connection/ssh/reconnection_retries",
	"remote_port":                 "DEFAULT_REMOTE_PORT",
	"display_skipped_hosts":       "DISPLAY_SKIPPED_HOSTS",
	"become_flags":                "DEFAULT_BECOME_FLAGS",
}

var byKey = func() map[string]*Setting {
	m := map[string]*Setting{}
	for i := range settings {
		s := &settings[i]
		m[s.ID] = s
		if s.Name != "" {
			m[s.Name] = s
		}
	}
	for a, id := range aliases {
		m[a] = m[id]
	}
	return m
}()

// Settings returns the definitions of all known settings, in table order.
func Settings() []Setting { return append([]Setting(nil), settings...) }

// Lookup finds a setting by its lower-case name, alias or Ansible ID.
func Lookup(name string) (*Setting, bool) {
	s, ok := byKey[name]
	return s, ok
}

// environ turns os.Environ into a map.
func environ() map[string]string {
	m := map[string]string{}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return m
}

// Load finds ansible.cfg as Ansible does (ANSIBLE_CONFIG, a file or a
// directory; ./ansible.cfg unless cwd is world-writable; ~/.ansible.cfg;
// /etc/ansible/ansible.cfg), reads it and resolves every setting. env nil
// means the process environment; cwd "" means the process directory. The
// warnings are Ansible's texts (without "[WARNING]: "); errors are Ansible's
// texts (without "ERROR: ").
func Load(env map[string]string, cwd string) (*Config, []string, error) {
	if env == nil {
		env = environ()
	}
	if cwd == "" {
		cwd, _ = os.Getwd()
	}
	file, warns := FindFile(env, cwd)
	c, err := LoadFile(file, env, cwd)
	return c, warns, err
}

// FindFile returns the ansible.cfg Ansible would use ("" for none) and the
// warning about a world-writable working directory, if any.
func FindFile(env map[string]string, cwd string) (string, []string) {
	var candidates []string
	fromEnv, haveEnv := env["ANSIBLE_CONFIG"]
	if haveEnv {
		fromEnv = unfrack(fromEnv, cwd, env)
		if st, err := os.Stat(fromEnv); err == nil && st.IsDir() {
			fromEnv = filepath.Join(fromEnv, "ansible.cfg")
		}
		candidates = append(candidates, fromEnv)
	}
	warnPublic := false
	cwdCfg := filepath.Join(cwd, "ansible.cfg")
	if st, err := os.Stat(cwd); err == nil {
		if st.Mode().Perm()&0o002 != 0 {
			if _, err := os.Stat(cwdCfg); err == nil {
				warnPublic = true
			}
		} else {
			candidates = append(candidates, cwdCfg)
		}
	}
	candidates = append(candidates, unfrack("~/.ansible.cfg", cwd, env), "/etc/ansible/ansible.cfg")
	found := ""
	for _, p := range candidates {
		if _, err := os.Stat(p); err == nil && syscall.Access(p, 4) == nil {
			found = p
			break
		}
	}
	var warns []string
	if warnPublic && (!haveEnv || fromEnv != found) {
		warns = append(warns, fmt.Sprintf("Ansible is being run in a world writable directory (%s), ignoring it as an ansible.cfg source. For more information see https://docs.ansible.com/ansible/devel/reference_appendices/config.html#cfg-in-world-writable-dir", cwd))
	}
	return found, warns
}

// LoadFile resolves every setting using the given cfg file ("" for none),
// as "ansible-config -c FILE" does.
func LoadFile(file string, env map[string]string, cwd string) (*Config, error) {
	if env == nil {
		env = environ()
	}
	if cwd == "" {
		cwd, _ = os.Getwd()
	}
	c := &Config{File: file, values: map[string]Value{}}
	if file != "" {
		ext := filepath.Ext(file)
		if ext != ".ini" && ext != ".cfg" {
			return nil, fmt.Errorf("Unsupported configuration file extension for %s: %s", file, ext)
		}
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("Error reading config file (%s): %v", file, err)
		}
		ini, err := parseINI(string(data))
		if err != nil {
			return nil, fmt.Errorf("Error reading config file (%s): %s", file, err)
		}
		c.ini = ini
	}
	for i := range settings {
		s := &settings[i]
		v, err := c.resolve(s, env, cwd)
		if err != nil {
			return nil, err
		}
		c.values[s.ID] = v
	}
	return c, nil
}

// resolve computes one setting: environment, then cfg file, then default.
func (c *Config) resolve(s *Setting, env map[string]string, cwd string) (Value, error) {
	var raw any
	origin := ""
	note := func(key string) {
		if d, ok := deprecated[key]; ok {
			c.deprecations = append(c.deprecations, foundDeprecation{s.ID, d})
		}
	}
	for _, name := range s.Env {
		if v, ok := env[name]; ok {
			raw, origin = v, "env: "+name
			note("env:" + name)
		}
	}
	if origin == "" && c.ini != nil {
		for _, k := range s.INI {
			if v, ok := c.ini.get(k.Section, k.Key); ok {
				raw, origin = v, c.File
				note("ini:" + k.Section + ":" + k.Key)
			}
		}
	}
	if origin == "" {
		raw, origin = c.defaultValue(s), "default"
	}
	val, err := convert(raw, s.Type, origin, cwd, env)
	if err != nil {
		if strings.HasPrefix(origin, "env:") && raw == "" {
			origin = "default"
			val, err = convert(c.defaultValue(s), s.Type, origin, cwd, env)
		}
		if err != nil {
			return Value{}, fmt.Errorf("Invalid type for configuration option %s (from %s): %s", strings.TrimSpace(entryName(s)), origin, err)
		}
	}
	if val != nil && len(s.Choices) > 0 {
		if !validChoice(val, s.Choices) {
			return Value{}, fmt.Errorf("Invalid value \"%s\" for configuration option \"%s\", valid values are: %s", pyfmt.Str(val), entryName(s), strings.Join(s.Choices, ", "))
		}
	}
	if origin != "default" {
		note("setting:" + s.ID)
	}
	return Value{Value: val, Origin: origin}, nil
}

// entryName names a setting in error messages as Ansible does.
func entryName(s *Setting) string {
	if parts := strings.Split(s.ID, "/"); len(parts) == 3 {
		return fmt.Sprintf("plugin_type: %s plugin: %s setting: %s ", parts[0], parts[1], parts[2])
	}
	return "setting: " + s.ID + " "
}

func validChoice(v any, choices []string) bool {
	in := func(s string) bool {
		for _, c := range choices {
			if c == s {
				return true
			}
		}
		return false
	}
	switch x := v.(type) {
	case []string:
		for _, s := range x {
			if !in(s) {
				return false
			}
		}
		return true
	case string:
		return in(x)
	case bool:
		return in(pyfmt.Str(x))
	}
	return true
}

// defaultValue returns s's default with {{ANSIBLE_HOME}} filled in.
func (c *Config) defaultValue(s *Setting) any {
	d, ok := s.Default.(string)
	if !ok || !strings.Contains(d, "{{ANSIBLE_HOME}}") {
		return s.Default
	}
	home, _ := c.values["ANSIBLE_HOME"].Value.(string)
	return strings.ReplaceAll(d, "{{ANSIBLE_HOME}}", home)
}

// Lookup returns a setting's value and origin by name or ID.
func (c *Config) Lookup(name string) (Value, bool) {
	if c == nil {
		return Value{}, false
	}
	s, ok := byKey[name]
	if !ok {
		return Value{}, false
	}
	v, ok := c.values[s.ID]
	return v, ok
}

// Get returns a setting's typed value (nil, bool, int, float64, string or
// []string) by lower-case name or Ansible ID; nil for unknown names.
func (c *Config) Get(name string) any {
	v, _ := c.Lookup(name)
	return v.Value
}

// Origin returns where a setting's value came from: "default",
// "env: NAME" or the cfg file path ("" for unknown names).
func (c *Config) Origin(name string) string {
	v, _ := c.Lookup(name)
	return v.Origin
}

// String returns a setting as a string: "" for nil, lists joined with ",".
func (c *Config) String(name string) string {
	switch x := c.Get(name).(type) {
	case nil:
		return ""
	case string:
		return x
	case []string:
		return strings.Join(x, ",")
	default:
		return pyfmt.Str(x)
	}
}

// Bool returns a setting as a boolean. Booleans are as converted; other
// values follow Python truthiness, as Ansible's "if C.SETTING" does (so an
// untyped setting set to the string "False" is true).
func (c *Config) Bool(name string) bool { return value.Truthy(c.Get(name)) }

// Int returns a setting as an int (0 for nil or non-numbers).
func (c *Config) Int(name string) int {
	switch x := c.Get(name).(type) {
	case int:
		return x
	case float64:
		return int(x)
	case bool:
		if x {
			return 1
		}
	case string:
		n, err := pyInt(x)
		if err == nil {
			return n
		}
	}
	return 0
}

// PathList returns a pathspec/pathlist setting (or any list) as a slice; a
// string value gives a one-element slice, nil gives nil.
func (c *Config) PathList(name string) []string {
	switch x := c.Get(name).(type) {
	case []string:
		return append([]string(nil), x...)
	case string:
		return []string{x}
	}
	return nil
}

// StringList returns a list setting as a slice (nil for nil).
func (c *Config) StringList(name string) []string { return c.PathList(name) }

// Changed reports whether a setting's value came from the environment or
// the cfg file rather than its default.
func (c *Config) Changed(name string) bool {
	o := c.Origin(name)
	return o != "" && o != "default"
}

// VersionLine returns the "config file = ..." line of --version output
// (without indentation): the file path or "None".
func (c *Config) VersionLine() string {
	if c == nil || c.File == "" {
		return "config file = None"
	}
	return "config file = " + c.File
}

// Dump renders base settings as "ansible-config dump" does in its display
// format ("NAME(origin) = value", sorted, CONFIG_FILE included); with
// onlyChanged only those not at their default.
func (c *Config) Dump(onlyChanged bool) string {
	if c == nil {
		c = &Config{}
	}
	type line struct{ name, text string }
	var lines []line
	file := "None"
	if c.File != "" {
		file = c.File
	}
	lines = append(lines, line{"CONFIG_FILE", "CONFIG_FILE() = " + file})
	for _, s := range settings {
		if strings.Contains(s.ID, "/") {
			continue
		}
		v := c.values[s.ID]
		if onlyChanged && v.Origin == "default" {
			continue
		}
		lines = append(lines, line{s.ID, fmt.Sprintf("%s(%s) = %s", s.ID, v.Origin, pyfmt.Str(v.Value))})
	}
	sort.Slice(lines, func(i, j int) bool { return lines[i].name < lines[j].name })
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l.text + "\n")
	}
	return b.String()
}
