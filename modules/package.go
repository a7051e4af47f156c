package modules

import (
	"context"
	"fmt"

	"octopus/modules/internal/facts"
)

func init() { Register(Func(runPackage), "package") }

// PackageManager returns the pkg_mgr the package action would use: `use`,
// else the pkg_mgr fact from the task vars, else a minimal fact gathering.
func PackageManager(ctx context.Context, req *Request, use string) (string, error) {
	if use != "" && use != "auto" {
		return use, nil
	}
	if af, ok := req.Vars["ansible_facts"].(map[string]any); ok {
		if s, ok := af["pkg_mgr"].(string); ok && s != "" {
			return s, nil
		}
	}
	if s, ok := req.Vars["ansible_pkg_mgr"].(string); ok && s != "" {
		return s, nil
	}
	g, err := facts.Gather(ctx, req.Conn, sysExecOpts(req), map[string]bool{"pkg_mgr": true, "distribution": true, "platform": true}, "")
	if err != nil {
		return "", err
	}
	s, _ := g.Facts["pkg_mgr"].(string)
	if s == "" {
		s = "auto"
	}
	return s, nil
}

// runPackage is the package action: it runs the host's package manager
// module (apt on Debian) with the same arguments minus `use`.
func runPackage(ctx context.Context, req *Request) (Result, error) {
	use, _ := req.Args["use"].(string)
	mgr, err := PackageManager(ctx, req, use)
	if err != nil {
		return nil, err
	}
	if mgr == "auto" {
		return Result{"failed": true, "msg": `Could not detect which package manager to use. Try gathering facts or setting the "use" option.`}, nil
	}
	m, ok := Lookup(mgr)
	if !ok {
		return Result{"failed": true, "msg": fmt.Sprintf("Could not find a module for %s.", mgr)}, nil
	}
	args := map[string]any{}
	for k, v := range req.Args {
		if k != "use" {
			args[k] = v
		}
	}
	r2 := *req
	r2.Args = args
	return m.Run(ctx, &r2)
}
