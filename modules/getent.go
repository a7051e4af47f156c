package modules

import (
	"context"
	"fmt"
	"strings"

	"octopus/modules/internal/argspec"
)

func init() { Register(guarded(runGetent), "getent") }

var getentSpec = argspec.Spec{
	Module: "getent",
	Options: []argspec.Option{
		{Name: "database", Required: true},
		{Name: "key", LogOK: true},
		{Name: "service"},
		{Name: "split"},
		{Name: "fail_key", Type: "bool", Default: true},
	},
}

// runGetent runs getent on the target and returns the entries as
// ansible_facts.getent_<database>: key -> remaining fields (a list of
// such lists when a key repeats).
func runGetent(ctx context.Context, req *Request) (Result, error) {
	p, err := validate(&getentSpec, req)
	if err != nil {
		return argFail(err)
	}
	db, key, split := p.String("database"), p.String("key"), p.String("split")
	cmd := "getent " + shellWord(db)
	if p.Set("key") {
		cmd += " " + shellWord(key)
	}
	if p.Set("service") {
		cmd += " -s " + shellWord(p.String("service"))
	}
	if !p.Set("split") && (db == "passwd" || db == "shadow" || db == "group" || db == "gshadow") {
		split = ":"
	}
	script := fmt.Sprintf("command -v getent >/dev/null 2>&1 || { echo NOGETENT; exit 0; }\n%s; echo \"@@rc=$?\"", cmd)
	res, err := target(req).Run(ctx, script, nil)
	if err != nil {
		return nil, err
	}
	out := string(res.Stdout)
	if strings.HasPrefix(out, "NOGETENT") {
		return fail(Result{}, "Failed to find required executable \"getent\" in paths")
	}
	i := strings.LastIndex(out, "@@rc=")
	rc := strings.TrimSpace(out[i+5:])
	out = out[:i]
	tree := "getent_" + db
	entries := map[string]any{}
	switch rc {
	case "0":
		seen := map[string]int{}
		for _, line := range splitPyLines(out) {
			var rec []string
			if p.Set("split") || split != "" {
				rec = strings.Split(line, split)
			} else {
				rec = strings.Fields(line)
				if len(rec) == 0 {
					rec = []string{""}
				}
			}
			rest := make([]any, len(rec)-1)
			for j, f := range rec[1:] {
				rest[j] = f
			}
			k := rec[0]
			if n := seen[k]; n > 0 {
				if n == 1 {
					entries[k] = []any{entries[k]}
				}
				entries[k] = append(entries[k].([]any), rest)
				seen[k]++
			} else {
				entries[k] = rest
				seen[k] = 1
			}
		}
		return Result{"changed": false, "ansible_facts": map[string]any{tree: entries}}, nil
	case "1":
		return fail(Result{}, "Missing arguments, or database unknown.")
	case "2":
		msg := "One or more supplied key could not be found in the database."
		if !p.Bool("fail_key") {
			entries[key] = nil
			return Result{"changed": false, "ansible_facts": map[string]any{tree: entries}, "msg": msg}, nil
		}
		return fail(Result{}, msg)
	case "3":
		return fail(Result{}, "Enumeration not supported on this database.")
	}
	return fail(Result{}, "Unexpected failure!")
}
