// Package modules holds octopus's native task modules. Each module is pure Go
// code that runs on the controller and drives the target only through a
// connection.Conn (POSIX shell and coreutils on the target, no Python). A
// module never prints: it returns a Result that the engine reports.
package modules

import (
	"context"
	"sort"
	"sync"

	"octopus/engine/connection"
	"octopus/modules/internal/argspec"
)

// Result is a module's return value, with Ansible's keys ("changed",
// "failed", "msg", "rc", "stdout", ...). Values are plain Go data
// (string, bool, int, float64, []any, map[string]any, nil).
type Result map[string]any

// Controller gives a module the controller-side services it may need without
// knowing the engine: locating files the way Ansible searches role and
// playbook paths, and rendering templates with the task's variables.
type Controller interface {
	// FindFile resolves a relative src for a module ("files" for copy,
	// "templates" for template) through the role and playbook search paths.
	FindFile(kind, name string) (string, error)
	// Render templates text with the task's variables (Ansible's templating),
	// applying Jinja environment overrides such as trim_blocks.
	Render(text string, opts RenderOptions) (string, error)
}

// RenderOptions are the Jinja environment settings the template module passes.
type RenderOptions struct {
	TrimBlocks, LstripBlocks               bool
	BlockStart, BlockEnd, VarStart, VarEnd string
	NewlineSequence                        string
	Path                                   string // template file path, for template_path and errors
	CommentStart, CommentEnd               string // comment_start_string / comment_end_string ("" = default)
	DestPath                               string // the task's dest, for template_destpath / ansible_managed
}

// FileReader may be implemented by a Controller to read controller-side
// files as Ansible's loader does (vault-encrypted files are decrypted).
// copy (decrypt=yes) and template use it when present.
type FileReader interface {
	ReadFile(path string) ([]byte, error)
}

// LocalTemper may be implemented by a Controller to name the controller
// temporary file Ansible would write a copy's content or a rendered template
// to (a fresh name per call, in the run's private local temp directory); it
// shows as the "after" header of --diff output.
type LocalTemper interface {
	LocalTemp() string
}

// LoadError is a controller's failure to load a module's source file
// other than its absence (a vault that cannot be decrypted). A module
// returns it as its error: Ansible's action plugin fails the task with the
// message alone.
type LoadError struct{ Err error }

// Error returns the underlying message.
func (e *LoadError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying error.
func (e *LoadError) Unwrap() error { return e.Err }

// Request is one module invocation.
type Request struct {
	Args       map[string]any  // already templated task arguments
	Conn       connection.Conn // the target
	Become     *connection.Become
	Env        map[string]string // task `environment:`
	CheckMode  bool
	DiffMode   bool
	Controller Controller
	Host       string         // inventory_hostname, for messages
	Action     string         // module name as the task wrote it ("file", "ansible.builtin.file"); shown in argument errors
	Vars       map[string]any // read-only task vars, for modules that need facts

	inv *invocation // the validated parameters to report (set by validate)
}

// Module is implemented by every native module.
type Module interface {
	Run(ctx context.Context, req *Request) (Result, error)
}

// Func adapts a function to Module.
type Func func(ctx context.Context, req *Request) (Result, error)

// Run calls f.
func (f Func) Run(ctx context.Context, req *Request) (Result, error) { return f(ctx, req) }

var (
	mu       sync.RWMutex
	registry = map[string]Module{}
)

// Register makes a module available under each name (short name and
// "ansible.builtin." / "ansible.legacy." forms are added automatically).
// The registered module reports its validated parameters as Ansible's
// modules do (see Reporting).
func Register(m Module, names ...string) {
	mu.Lock()
	defer mu.Unlock()
	m = Reporting(m)
	for _, n := range names {
		registry[n] = m
		registry["ansible.builtin."+n] = m
		registry["ansible.legacy."+n] = m
	}
}

// Lookup returns the module registered under name.
func Lookup(name string) (Module, bool) {
	mu.RLock()
	defer mu.RUnlock()
	m, ok := registry[name]
	return m, ok
}

// Names lists the short names of all registered modules, sorted.
func Names() []string {
	mu.RLock()
	defer mu.RUnlock()
	var out []string
	for n := range registry {
		if len(n) > 8 && (n[:8] == "ansible.") {
			continue
		}
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// invocation records the spec and parameters a module validated.
type invocation struct {
	spec *argspec.Spec
	args map[string]any
	p    argspec.Params
	raw  bool // module_args are args as given (the copy action's _ensure_invocation)
}

// recordRaw notes that the result's module_args are the task's arguments
// as given, as the copy action reports them when no single module run
// speaks for the task (content is shown masked).
func (req *Request) recordRaw(args map[string]any) {
	if req.inv != nil {
		*req.inv = invocation{args: args, raw: true}
	}
}

// dropInvocation forgets what was recorded: the result is the action
// plugin's own (it failed or skipped before its module ran).
func (req *Request) dropInvocation() {
	if req.inv != nil {
		*req.inv = invocation{}
	}
}

// record notes the parameters a module validated; the last call wins (an
// action that hands over to another module reports that module's).
func (req *Request) record(spec *argspec.Spec, args map[string]any, p argspec.Params) {
	if req.inv != nil {
		*req.inv = invocation{spec: spec, args: args, p: p}
	}
}

type reporting struct{ m Module }

// Reporting wraps m so that its results carry what an AnsibleModule adds
// on exit: invocation.module_args (every parameter of the spec the module
// validated with, see argspec.ModuleArgs), the "Module did not set no_log"
// warnings, and no_log parameter values hidden throughout the result
// (argspec.RemoveValues). Modules that validate no spec (Ansible's
// controller-side actions such as raw, script or fetch) are left as they are.
func Reporting(m Module) Module {
	if _, ok := m.(reporting); ok {
		return m
	}
	return reporting{m}
}

// Run runs the module and completes its result.
func (r reporting) Run(ctx context.Context, req *Request) (Result, error) {
	if req.inv != nil { // a module run by another one: the outer run reports
		return r.m.Run(ctx, req)
	}
	inv := &invocation{}
	req.inv = inv
	defer func() { req.inv = nil }()
	res, err := r.m.Run(ctx, req)
	if err != nil || res == nil {
		return res, err
	}
	if inv.raw {
		if _, ok := res["invocation"]; !ok {
			// the task's arguments, both at the top and as module_args
			top := make(map[string]any, len(inv.args)+1)
			ma := make(map[string]any, len(inv.args))
			for k, v := range inv.args {
				top[k], ma[k] = v, v
			}
			if _, ok := top["content"]; ok {
				top["content"] = "CENSORED: content is a no_log parameter"
			}
			if ma["content"] != nil {
				ma["content"] = argspec.NoLogPlaceholder
			}
			top["module_args"] = ma
			res["invocation"] = top
		}
		return res, nil
	}
	if inv.spec == nil {
		return res, nil
	}
	if _, ok := res["invocation"]; !ok {
		res["invocation"] = map[string]any{"module_args": inv.spec.ModuleArgs(inv.args, inv.p)}
	}
	if w := inv.spec.NoLogWarnings(inv.args); len(w) > 0 {
		all := make([]any, 0, len(w))
		for _, s := range w {
			all = append(all, s)
		}
		switch old := res["warnings"].(type) {
		case []any:
			all = append(all, old...)
		case []string:
			for _, s := range old {
				all = append(all, s)
			}
		}
		res["warnings"] = all
	}
	if nl := inv.spec.NoLogStrings(inv.p); len(nl) > 0 {
		for k, v := range res {
			res[k] = argspec.RemoveValues(v, nl)
		}
	}
	return res, nil
}
