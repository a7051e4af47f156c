// Package invcmd implements the ansible-inventory command (--list, --host,
// --graph, with --yaml, --vars, --export and --output) on top of package
// inventory, printing exactly what ansible-inventory 2.14 prints.
package invcmd

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"octopus/engine/diag"
	"octopus/engine/inventory"
	"octopus/engine/pyfmt"
	"octopus/engine/value"
)

var posZero = diag.Pos{}

// Options are ansible-inventory's command-line options.
type Options struct {
	Sources     []string // -i (repeatable); empty means /etc/ansible/hosts
	List        bool     // --list
	Host        string   // --host HOST (a pattern that must match one host)
	Graph       bool     // --graph
	GraphGroup  string   // the [group] argument of --graph (default "all")
	Vars        bool     // --vars (with --graph)
	YAML        bool     // -y/--yaml (with --list or --host)
	Limit       string   // --limit: ansible-inventory rejects it, as Ansible does
	Export      bool     // --export
	Output      string   // --output FILE
	PlaybookDir string   // --playbook-dir; group_vars/host_vars beside it
	// VaultDecrypt decrypts !vault values when --graph --vars must print
	// them; nil means no vault secrets (Ansible then fails).
	VaultDecrypt func(v *value.Vault) (string, error)
	// Decrypt opens vault-encrypted inventory and group_vars/host_vars
	// files (see inventory.Options.Decrypt); nil leaves them as they are.
	Decrypt func(data []byte, path string) ([]byte, error)
}

// internalVars are removed from printed variables (INTERNAL_VARS).
var internalVars = []string{"ansible_diff_mode", "ansible_config_file", "ansible_facts", "ansible_forks",
	"ansible_inventory_sources", "ansible_limit", "ansible_playbook_python", "ansible_run_tags",
	"ansible_skip_tags", "ansible_verbosity", "ansible_version", "inventory_dir", "inventory_file",
	"inventory_hostname", "inventory_hostname_short", "groups", "group_names", "omit", "playbook_dir"}

type optionsError struct{ msg string }

func (e *optionsError) Error() string { return e.msg }

type runner struct {
	opts Options
	inv  *inventory.Inventory
}

// Run executes ansible-inventory with opts, writing results to stdout and
// warnings/errors to stderr, and returns the exit code (0 ok, 1 error,
// 2 bad argument, 5 option error).
func Run(opts Options, stdout, stderr io.Writer) (code int) {
	var inv *inventory.Inventory
	flush := func() {
		if inv != nil {
			for _, w := range inv.Warnings.Take() {
				fmt.Fprint(stderr, inventory.FormatWarning(w))
			}
		}
	}
	defer func() {
		if r := recover(); r != nil {
			flush()
			fmt.Fprintf(stderr, "ERROR! Unexpected Exception, this is probably a bug: %v\n", r)
			code = 250
		}
	}()
	if opts.Limit != "" {
		fmt.Fprintln(stderr, "ansible-inventory: error: unrecognized arguments: --limit")
		return 2
	}
	used := 0
	for _, b := range []bool{opts.List, opts.Host != "", opts.Graph} {
		if b {
			used++
		}
	}
	if used == 0 {
		fmt.Fprintln(stderr, "ERROR! No action selected, at least one of --host, --graph or --list needs to be specified.")
		return 5
	}
	if used > 1 {
		fmt.Fprintln(stderr, "ERROR! Conflicting options used, only one of --host, --graph or --list can be used at the same time.")
		return 5
	}
	inv, err := inventory.LoadWithOptions(opts.Sources, inventory.Options{Decrypt: opts.Decrypt})
	if err != nil {
		flush()
		fmt.Fprintf(stderr, "ERROR! %s\n", err)
		return 1
	}
	r := &runner{opts: opts, inv: inv}
	out, err := r.run()
	flush()
	if err != nil {
		fmt.Fprintf(stderr, "ERROR! %s\n", err)
		var oe *optionsError
		if errors.As(err, &oe) {
			return 5
		}
		return 1
	}
	if out == "" {
		return 1
	}
	if opts.Output != "" {
		if err := os.WriteFile(opts.Output, []byte(out), 0o644); err != nil {
			fmt.Fprintf(stderr, "ERROR! Unable to write to destination file (%s): %s\n", opts.Output, err)
			return 1
		}
		return 0
	}
	if !strings.HasSuffix(out, "\n") {
		out += "\n"
	}
	fmt.Fprint(stdout, out)
	return 0
}

func (r *runner) run() (string, error) {
	switch {
	case r.opts.Host != "":
		hosts, err := r.inv.Hosts(r.opts.Host)
		if err != nil {
			return "", err
		}
		if len(hosts) != 1 {
			return "", &optionsError{"You must pass a single valid host to --host parameter"}
		}
		vars, err := r.hostVars(hosts[0])
		if err != nil {
			return "", err
		}
		return r.dump(vars), nil
	case r.opts.Graph:
		name := r.opts.GraphGroup
		if name == "" {
			name = "all"
		}
		g := r.inv.Group(name)
		if g == nil {
			return "", &optionsError{"Pattern must be valid group name when using --graph"}
		}
		lines, err := r.graphGroup(g, 0)
		if err != nil {
			return "", err
		}
		return strings.Join(lines, "\n"), nil
	default:
		top := r.inv.Group("all")
		var res *value.Dict
		var err error
		if r.opts.YAML {
			res, err = r.yamlInventory(top)
		} else {
			res, err = r.jsonInventory(top)
		}
		if err != nil {
			return "", err
		}
		return r.dump(res), nil
	}
}

func (r *runner) dump(v any) string {
	if r.opts.YAML {
		return pyYAML(v)
	}
	return pyJSON(v)
}

func removeInternal(d *value.Dict) *value.Dict {
	for _, k := range internalVars {
		d.Delete(k)
	}
	return d
}

func (r *runner) playDirs() []string {
	if r.opts.PlaybookDir != "" {
		return []string{r.opts.PlaybookDir}
	}
	return []string{"."}
}

// hostVars is InventoryCLI._get_host_variables.
func (r *runner) hostVars(h *inventory.Host) (*value.Dict, error) {
	if r.opts.Export {
		d := h.Vars.Copy()
		inventory.Combine(d, h.MagicVars())
		src, err := r.inv.SourceVars(nil, h)
		if err != nil {
			return nil, err
		}
		inventory.Combine(d, src)
		if r.opts.PlaybookDir != "" {
			pv, err := r.inv.VarsFromDirs([]string{r.opts.PlaybookDir}, nil, h)
			if err != nil {
				return nil, err
			}
			inventory.Combine(d, pv)
		}
		return removeInternal(d), nil
	}
	d, err := r.inv.HostVars(h, r.playDirs())
	if err != nil {
		return nil, err
	}
	return removeInternal(d), nil
}

// groupVars is InventoryCLI._get_group_variables.
func (r *runner) groupVars(g *inventory.Group) (*value.Dict, error) {
	d := g.Vars.Copy()
	src, err := r.inv.SourceVars([]*inventory.Group{g}, nil)
	if err != nil {
		return nil, err
	}
	inventory.Combine(d, src)
	if r.opts.PlaybookDir != "" {
		pv, err := r.inv.VarsFromDirs([]string{r.opts.PlaybookDir}, []*inventory.Group{g}, nil)
		if err != nil {
			return nil, err
		}
		inventory.Combine(d, pv)
	}
	if g.Priority != 1 {
		d.Set("ansible_group_priority", g.Priority)
	}
	return removeInternal(d), nil
}

func graphName(name string, depth int) string {
	if depth > 0 {
		return strings.Repeat("  |", depth) + "--" + name
	}
	return name
}

func (r *runner) showVars(d *value.Dict, depth int) ([]string, error) {
	keys := append([]string(nil), d.Keys()...)
	sort.Strings(keys)
	var out []string
	for _, k := range keys {
		v, _ := d.Get(k)
		v, err := r.decryptAll(v)
		if err != nil {
			return nil, err
		}
		out = append(out, graphName("{"+k+" = "+pyfmt.Str(v)+"}", depth))
	}
	return out, nil
}

// decryptAll replaces vault values by their plaintext, as printing them
// with str() does in Ansible.
func (r *runner) decryptAll(v any) (any, error) {
	switch t := v.(type) {
	case *value.Vault:
		if r.opts.VaultDecrypt == nil {
			return nil, errors.New("Attempting to decrypt but no vault secrets found")
		}
		return r.opts.VaultDecrypt(t)
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			y, err := r.decryptAll(x)
			if err != nil {
				return nil, err
			}
			out[i] = y
		}
		return out, nil
	case *value.Dict:
		out := value.NewDict(t.Len())
		for _, k := range t.Keys() {
			x, _ := t.Get(k)
			y, err := r.decryptAll(x)
			if err != nil {
				return nil, err
			}
			out.Set(k, y)
		}
		return out, nil
	}
	return v, nil
}

func (r *runner) graphGroup(g *inventory.Group, depth int) ([]string, error) {
	out := []string{graphName("@"+g.Name+":", depth)}
	depth++
	for _, kid := range g.Children {
		sub, err := r.graphGroup(kid, depth)
		if err != nil {
			return nil, err
		}
		out = append(out, sub...)
	}
	if g.Name != "all" {
		for _, h := range g.Hosts {
			out = append(out, graphName(h.Name, depth))
			if r.opts.Vars {
				hv, err := r.hostVars(h)
				if err != nil {
					return nil, err
				}
				lines, err := r.showVars(hv, depth+1)
				if err != nil {
					return nil, err
				}
				out = append(out, lines...)
			}
		}
	}
	if r.opts.Vars {
		gv, err := r.groupVars(g)
		if err != nil {
			return nil, err
		}
		lines, err := r.showVars(gv, depth)
		if err != nil {
			return nil, err
		}
		out = append(out, lines...)
	}
	return out, nil
}

func strList(names []string) []any {
	out := make([]any, len(names))
	for i, n := range names {
		out[i] = n
	}
	return out
}

func removeEmpty(d *value.Dict) {
	for _, k := range []string{"hosts", "vars", "children"} {
		if v, ok := d.Get(k); ok {
			switch t := v.(type) {
			case []any:
				if len(t) == 0 {
					d.Delete(k)
				}
			case *value.Dict:
				if t.Len() == 0 {
					d.Delete(k)
				}
			}
		}
	}
}

func (r *runner) jsonInventory(top *inventory.Group) (*value.Dict, error) {
	seen := map[string]bool{}
	var format func(g *inventory.Group) (*value.Dict, error)
	format = func(g *inventory.Group) (*value.Dict, error) {
		results := value.NewDict(4)
		entry := value.NewDict(3)
		results.Set(g.Name, entry)
		if g.Name != "all" {
			var names []string
			for _, h := range g.Hosts {
				names = append(names, h.Name)
			}
			entry.Set("hosts", strList(names))
		}
		var children []string
		entry.Set("children", []any{})
		for _, sub := range g.Children {
			children = append(children, sub.Name)
			entry.Set("children", strList(children))
			if !seen[sub.Name] {
				more, err := format(sub)
				if err != nil {
					return nil, err
				}
				inventory.Combine(results, more)
				seen[sub.Name] = true
			}
		}
		if r.opts.Export {
			gv, err := r.groupVars(g)
			if err != nil {
				return nil, err
			}
			entry.Set("vars", gv)
		}
		removeEmpty(entry)
		if entry.Len() == 0 {
			results.Delete(g.Name)
		}
		return results, nil
	}
	results, err := format(top)
	if err != nil {
		return nil, err
	}
	hostvars := value.NewDict(8)
	hosts, err := r.inv.Hosts("all")
	if err != nil {
		return nil, err
	}
	for _, h := range hosts {
		hv, err := r.hostVars(h)
		if err != nil {
			return nil, err
		}
		if hv.Len() > 0 {
			hostvars.Set(h.Name, hv)
		}
	}
	results.Set("_meta", value.DictOf("hostvars", hostvars))
	return results, nil
}

func (r *runner) yamlInventory(top *inventory.Group) (*value.Dict, error) {
	seen := map[string]bool{}
	var format func(g *inventory.Group) (*value.Dict, error)
	format = func(g *inventory.Group) (*value.Dict, error) {
		entry := value.NewDict(3)
		children := value.NewDict(4)
		entry.Set("children", children)
		for _, sub := range g.Children {
			if sub.Name != "all" {
				more, err := format(sub)
				if err != nil {
					return nil, err
				}
				inventory.Combine(children, more)
			}
		}
		hosts := value.NewDict(4)
		entry.Set("hosts", hosts)
		if g.Name != "all" {
			for _, h := range g.Hosts {
				myvars := value.NewDict(0)
				if !seen[h.Name] {
					seen[h.Name] = true
					hv, err := r.hostVars(h)
					if err != nil {
						return nil, err
					}
					myvars = hv
				}
				hosts.Set(h.Name, myvars)
			}
		}
		if r.opts.Export {
			gv, err := r.groupVars(g)
			if err != nil {
				return nil, err
			}
			if gv.Len() > 0 {
				entry.Set("vars", gv)
			}
		}
		removeEmpty(entry)
		return value.DictOf(g.Name, entry), nil
	}
	return format(top)
}
