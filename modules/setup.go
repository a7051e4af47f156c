package modules

import (
	"context"
	"path"
	"strings"

	"octopus/engine/connection"
	"octopus/modules/internal/argspec"
	"octopus/modules/internal/facts"
)

var setupSpec = argspec.Spec{
	Module: "setup",
	Options: []argspec.Option{
		{Name: "gather_subset", Type: "list", Elements: "str", Default: []any{"all"}},
		{Name: "gather_timeout", Type: "int", Default: 10},
		{Name: "filter", Type: "list", Elements: "str", Default: []any{}},
		{Name: "fact_path", Type: "path", Default: "/etc/ansible/facts.d"},
	},
}

func init() { Register(Func(runSetup), "setup") }

// runSetup is the setup module: Ansible's facts gathered in one round trip,
// returned as ansible_facts with "ansible_"-prefixed names plus
// gather_subset and module_setup.
func runSetup(ctx context.Context, req *Request) (Result, error) {
	p, err := validateArgs(req, &setupSpec, "", req.Args)
	if err != nil {
		return Result{"failed": true, "msg": err.Error()}, nil
	}
	subset := p.List("gather_subset")
	sel, err := facts.ResolveSubset(subset)
	if err != nil {
		return Result{"failed": true, "msg": err.Error()}, nil
	}
	g, err := facts.Gather(ctx, req.Conn, connection.ExecOptions{Become: req.Become, Env: req.Env}, sel, p.String("fact_path"))
	if err != nil {
		return nil, err
	}
	out := FilterFacts(g, p.List("filter"), subset)
	res := Result{"changed": false, "ansible_facts": out}
	if len(g.Warnings) > 0 {
		w := make([]any, len(g.Warnings))
		for i, s := range g.Warnings {
			w[i] = s
		}
		res["warnings"] = w
	}
	return res, nil
}

// FilterFacts prefixes fact names with "ansible_", adds the gather_subset and
// module_setup metadata, and keeps only names matching one of the filter
// patterns (shell globs, tried also with "ansible_" prepended), as Ansible's
// setup does.
func FilterFacts(g *facts.Result, filter []string, subset []string) map[string]any {
	out := map[string]any{}
	keep := func(name string) bool {
		if len(filter) == 0 || (len(filter) == 1 && filter[0] == "*") {
			return true
		}
		for _, f := range filter {
			if f == "" {
				return true
			}
			pat := strings.ReplaceAll(f, "[!", "[^")
			if ok, _ := path.Match(pat, name); ok {
				return true
			}
			if !strings.HasPrefix(f, "ansible_") && !strings.HasPrefix(f, "facter") && !strings.HasPrefix(f, "ohai") {
				if ok, _ := path.Match("ansible_"+pat, name); ok {
					return true
				}
			}
		}
		return false
	}
	for _, c := range g.Order {
		for k, v := range g.ByColl[c] {
			if name := "ansible_" + k; keep(name) {
				out[name] = v
			}
		}
	}
	if len(subset) == 0 {
		subset = []string{"all"}
	}
	sl := make([]any, len(subset))
	for i, s := range subset {
		sl[i] = s
	}
	if keep("gather_subset") {
		out["gather_subset"] = sl
	}
	if keep("module_setup") {
		out["module_setup"] = true
	}
	return out
}
