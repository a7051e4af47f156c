package playbook

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"

	"gopkg.in/yaml.v3"

	"octopus/engine/diag"
)

// LoadOptions configure a Loader.
type LoadOptions struct {
	// RolesPath are the directories of ansible.cfg's roles_path (already
	// made absolute against the config file's directory), searched after
	// the roles/ directory beside the playbook. The caller passes Ansible's
	// defaults (~/.ansible/roles:/usr/share/ansible/roles:/etc/ansible/roles)
	// when no roles_path is configured, since they appear in errors.
	RolesPath []string
	// ExtraVars are the -e variables, used to template import paths and
	// role names at load time.
	ExtraVars map[string]any
	// Template renders a load-time template (import paths, role names)
	// with vars. When nil, only plain "{{ name }}" references are resolved.
	Template func(s string, vars map[string]any) (string, error)
	// Warn receives "[WARNING]: " messages (without that prefix).
	Warn func(msg string)
	// Deprecate receives deprecation messages and the version the feature
	// goes away in; the caller honours deprecation_warnings.
	Deprecate func(msg, version string)
	// KnownAction, when set, tells whether an action name resolves to a
	// module or action plugin; unknown names then fail as in Ansible
	// ("couldn't resolve module/action"). When nil every non-keyword key is
	// accepted as the action.
	KnownAction func(name string) bool
	// UnknownActionNote follows the "couldn't resolve module/action" error
	// (octopus lists the modules it has there).
	UnknownActionNote string
	// Decrypt, when set, is applied to the bytes of every file the loader
	// reads (playbooks, task files, role vars/defaults/meta/handlers) before
	// parsing: it returns vault-encrypted data decrypted, other data
	// unchanged, or Ansible's vault error naming the file.
	Decrypt func(data []byte, path string) ([]byte, error)
}

// Loader loads playbooks, task files and roles.
type Loader struct {
	opts LoadOptions
	// post are the per-play validations run once the whole playbook has
	// loaded, as Ansible post-validates plays only after loading them all.
	post []func() error
	// read caches parsed files by path, as Ansible's DataLoader does
	// (warnings about a file are given once).
	read map[string]*yaml.Node
}

// readYAML reads a file through the cache, warning about duplicate keys.
func (l *Loader) readYAML(path string) (*yaml.Node, error) {
	if n, ok := l.read[path]; ok {
		return n, nil
	}
	n, err := readYAML(path, l.opts.Decrypt)
	if err != nil {
		return nil, err
	}
	if l.read == nil {
		l.read = map[string]*yaml.Node{}
	}
	l.read[path] = n
	if l.opts.Warn != nil {
		duplicateKeys(n, path, l.opts.Warn)
	}
	return n, nil
}

// NewLoader returns a Loader with opts.
func NewLoader(opts LoadOptions) *Loader { return &Loader{opts: opts} }

// Load reads the playbook at path with every static import expanded.
func Load(path string, opts LoadOptions) (*Playbook, error) {
	return NewLoader(opts).Load(path)
}

// guard turns a panic into an error so that none reaches the user.
func guard(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("internal error while loading: %v\n%s", r, debug.Stack())
	}
}

// Load reads the playbook at path.
func (l *Loader) Load(path string) (pb *Playbook, err error) {
	defer guard(&err)
	abs, aerr := filepath.Abs(path)
	if aerr != nil {
		return nil, aerr
	}
	st, serr := os.Stat(abs)
	if serr != nil {
		return nil, &diag.Error{Msg: fmt.Sprintf("the playbook: %s could not be found", path), Code: 1}
	}
	if st.IsDir() {
		return nil, &diag.Error{Msg: fmt.Sprintf("the playbook: %s does not appear to be a file", path), Code: 1}
	}
	pb = &Playbook{Path: abs, Dir: filepath.Dir(abs)}
	l.post = nil
	if err := l.loadPlaybookFile(pb, path, abs, nil); err != nil {
		return nil, err
	}
	for _, check := range l.post {
		if err := check(); err != nil {
			return nil, err
		}
	}
	return pb, nil
}

// importCtx carries what an import_playbook applies to the plays it brings.
type importCtx struct {
	when []any
	tags []string
	vars *Vars
}

func (l *Loader) warn(format string, args ...any) {
	if l.opts.Warn != nil {
		l.opts.Warn(fmt.Sprintf(format, args...))
	}
}

func (l *Loader) loadPlaybookFile(pb *Playbook, display, abs string, ic *importCtx) error {
	root, err := l.readYAML(abs)
	if err != nil {
		if isNotExist(err) {
			return &diag.Error{Msg: fmt.Sprintf("Unable to retrieve file contents\nCould not find or access '%s' on the Ansible Controller.\nIf you are using a module and expect the file to exist on the remote, see the remote_src option", display), Code: 1}
		}
		return err
	}
	if root == nil {
		if ic == nil {
			return &diag.Error{Msg: fmt.Sprintf("Empty playbook, nothing to do: %s", abs), Code: 4}
		}
		return nil
	}
	root = deref(root)
	if root.Kind != yaml.SequenceNode {
		return &diag.Error{Msg: fmt.Sprintf("A playbook must be a list of plays, got a %s instead: %s", pyType(root), abs), Pos: posOf(root, abs), Code: 4}
	}
	dir := filepath.Dir(abs)
	for _, entry := range root.Content {
		entry = deref(entry)
		if entry.Kind != yaml.MappingNode {
			return &diag.Error{Msg: "playbook entries must be either valid plays or 'import_playbook' statements", Pos: posOf(entry, abs), Code: 4}
		}
		ps := pairs(entry)
		importKey := ""
		for _, p := range ps {
			if isA(p.Key, "import_playbook") {
				importKey = p.Key
				break
			}
		}
		if importKey == "" {
			for _, p := range ps {
				if p.Key == "include" {
					// Legacy play-level include (refused by ansible 2.14):
					// octopus runs it as import_playbook, silently.
					importKey = p.Key
					break
				}
			}
		}
		if importKey != "" {
			if err := l.loadImport(pb, entry, ps, importKey, abs, dir, ic); err != nil {
				return err
			}
			continue
		}
		play, err := l.loadPlay(entry, ps, abs, dir, ic)
		if err != nil {
			return err
		}
		pb.Plays = append(pb.Plays, play)
	}
	return nil
}

func (l *Loader) loadImport(pb *Playbook, entry *yaml.Node, ps []kv, importKey, file, dir string, outer *importCtx) error {
	pos := posOf(entry, file)
	ic := &importCtx{vars: &Vars{}}
	target := ""
	for _, p := range ps {
		switch {
		case p.Key == importKey:
			v := toValue(p.V, file)
			if v == nil {
				return &diag.Error{Msg: "playbook import parameter is missing", Pos: pos, Code: 4}
			}
			s, ok := v.(string)
			if !ok {
				return &diag.Error{Msg: fmt.Sprintf("playbook import parameter must be a string indicating a file path, got %s instead", pyClass(v)), Pos: pos, Code: 4}
			}
			// Only the first word counts; ansible 2.14 ignores the rest.
			items, err := SplitArgs(s)
			if err != nil {
				return &diag.Error{Msg: err.Error(), Pos: pos, Code: 4}
			}
			if len(items) == 0 {
				return &diag.Error{Msg: "import_playbook statements must specify the file name to import", Pos: pos, Code: 4}
			}
			target = strings.TrimSpace(items[0])
		case p.Key == "when":
			ic.when = listOf(toValue(p.V, file))
		case p.Key == "tags":
			tags, err := loadTags(p.V, file)
			if err != nil {
				return err
			}
			ic.tags = append(ic.tags, tags...)
		case p.Key == "vars":
			if deref(p.V).Kind != yaml.MappingNode {
				return &diag.Error{Msg: "vars for import_playbook statements must be specified as a dictionary", Pos: pos, Code: 4}
			}
			for _, q := range pairs(p.V) {
				ic.vars.Set(q.Key, toValue(q.V, file))
			}
		case ImportPlaybookKeys[p.Key]:
		default:
			return &diag.Error{Msg: fmt.Sprintf("'%s' is not a valid attribute for a PlaybookInclude", p.Key), Pos: pos, Code: 4}
		}
	}
	vars := map[string]any{}
	for k, v := range l.opts.ExtraVars {
		vars[k] = v
	}
	for _, k := range ic.vars.Keys {
		if _, ok := vars[k]; !ok {
			vars[k] = ic.vars.Values[k]
		}
	}
	target, err := l.template(target, vars, pos)
	if err != nil {
		return err
	}
	path := target
	if !filepath.IsAbs(path) {
		path = filepath.Join(dir, path)
	}
	if outer != nil {
		// Outer imports apply after (around) this one.
		ic.when = append(append([]any{}, outer.when...), ic.when...)
		ic.tags = append(ic.tags, outer.tags...)
		merged := &Vars{}
		for _, k := range ic.vars.Keys {
			merged.Set(k, ic.vars.Values[k])
		}
		for _, k := range outer.vars.Keys {
			merged.Set(k, outer.vars.Values[k])
		}
		ic.vars = merged
	}
	return l.loadPlaybookFile(pb, path, path, ic)
}

// pyClass names a loaded value's Python class as Ansible's messages print it.
func pyClass(v any) string {
	if c, ok := pyScalarClass(v); ok {
		return c
	}
	switch v.(type) {
	case []any:
		return "<class 'ansible.parsing.yaml.objects.AnsibleSequence'>"
	case string:
		return "<class 'ansible.parsing.yaml.objects.AnsibleUnicode'>"
	}
	return "<class 'ansible.parsing.yaml.objects.AnsibleMapping'>"
}

// pyScalarClass names the Python class of a null, boolean, integer or
// float value; ok is false for any other value.
func pyScalarClass(v any) (class string, ok bool) {
	switch v.(type) {
	case nil:
		return "<class 'NoneType'>", true
	case bool:
		return "<class 'bool'>", true
	case int:
		return "<class 'int'>", true
	case float64:
		return "<class 'float'>", true
	}
	return "", false
}

var reSimpleVar = regexp.MustCompile(`\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}`)

// template renders a load-time template string.
func (l *Loader) template(s string, vars map[string]any, pos diag.Pos) (string, error) {
	if !strings.Contains(s, "{{") && !strings.Contains(s, "{%") {
		return s, nil
	}
	if l.opts.Template != nil {
		out, err := l.opts.Template(s, vars)
		if err != nil {
			return "", &diag.Error{Msg: err.Error(), Code: 1}
		}
		return out, nil
	}
	var terr error
	out := reSimpleVar.ReplaceAllStringFunc(s, func(m string) string {
		name := reSimpleVar.FindStringSubmatch(m)[1]
		v, ok := vars[name]
		if !ok {
			terr = &diag.Error{Msg: fmt.Sprintf("'%s' is undefined. '%s' is undefined", name, name), Code: 1}
			return m
		}
		return str(v)
	})
	return out, terr
}
