// Package executor runs a loaded playbook the way ansible-playbook does:
// plays in order, hosts in serial batches, tasks under the linear or free
// strategy, with blocks, loops, conditionals, handlers, tags, includes and
// the engine-side actions (debug, set_fact, assert, meta, ...). It reports
// through an output.Callback and returns ansible-playbook's exit code.
package executor

import (
	"context"
	"io"

	"octopus/engine/connection"
	"octopus/engine/output"
	"octopus/engine/playbook"
	"octopus/engine/value"
	"octopus/engine/vars"
	"octopus/modules"
)

// Exit codes of ansible-playbook.
const (
	ExitOK          = 0
	ExitError       = 1
	ExitFailedHosts = 2
	ExitUnreachable = 4
	ExitBreakPlay   = 8
	ExitInterrupted = 99
	ExitUnknown     = 250
)

// Templater is the templating engine as the executor uses it (the
// integrator adapts engine/template's *Templar to it).
type Templater interface {
	// Template renders every template string inside v (recursively);
	// single-expression strings keep their native type.
	Template(v any, vars vars.Vars) (any, error)
	// Cond evaluates a list of when/changed_when/failed_when/until
	// conditions (all must hold).
	Cond(conds []any, vars vars.Vars) (bool, error)
	// LookupList runs lookup plugin name for with_<name>.
	LookupList(name string, terms any, vars vars.Vars) ([]any, error)
	// Render renders template file text (template module, Controller.Render).
	Render(text string, vars vars.Vars, opts modules.RenderOptions) (string, error)
	// IsOmit reports whether v is the omit placeholder result.
	IsOmit(v any) bool
	// IsUndefined reports whether err is an undefined-variable error.
	IsUndefined(err error) bool
}

// Inventory is what the executor needs from the inventory.
type Inventory interface {
	vars.Inventory
	// Hosts returns the hosts matching pattern, in inventory order.
	Hosts(pattern string) ([]string, error)
	// AddHost adds (or updates) a host in groups with vars (add_host).
	AddHost(name string, groups []string, vars *value.Dict) error
	// AddHostToGroup puts host into group, creating the group (group_by).
	AddHostToGroup(host, group string, parents []string) error
	// Refresh reloads the inventory sources (meta: refresh_inventory).
	Refresh() error
}

// Loader loads files for run-time includes.
type Loader interface {
	// LoadTasksFile loads a task file for include_tasks (path already
	// resolved and absolute); role is the including task's role or nil.
	LoadTasksFile(path string, role *playbook.Role) ([]*playbook.Block, error)
	// LoadRole loads role name for include_role (tasks_from, vars_from,
	// defaults_from, handlers_from select files); playDir is playbook_dir.
	LoadRole(name string, opts RoleOptions) (*playbook.Role, error)
}

// RoleOptions are include_role's file selectors.
type RoleOptions struct {
	TasksFrom, VarsFrom, DefaultsFrom, HandlersFrom string
	PlaybookDir                                     string
	Parent                                          *playbook.Role
	Public                                          bool
}

// ConnVars are the connection settings of one host (templated).
type ConnVars struct {
	Host       string // inventory name
	Address    string // ansible_host (default: the inventory name)
	Port       int    // 0: default
	User       string
	Password   string
	Connection string // "ssh", "local", ...
	PrivateKey string
	Timeout    int
	// Lookup gives any other variable of the host (e.g. ansible_ssh_common_args).
	Lookup func(name string) (any, bool)
}

// Options configure a run.
type Options struct {
	Inventory Inventory
	Templater Templater
	Loader    Loader
	// Connect opens a connection to a host; connections are cached per host
	// for the run and closed at the end.
	Connect  func(ctx context.Context, host string, cv ConnVars) (connection.Conn, error)
	Callback output.Callback

	Forks       int // default 5
	Check, Diff bool
	Tags        []string
	SkipTags    []string
	StartAtTask string
	Step        bool
	// Limit is --limit as given, for ansible_limit; the Inventory must
	// already be restricted to it.
	Limit     string
	ExtraVars *value.Dict
	Verbosity int

	ForceHandlers  bool
	Become         bool
	BecomeMethod   string
	BecomeUser     string
	BecomePassword string
	RemoteUser     string
	ConnPassword   string
	ConnTimeout    int // seconds; default 10
	// Pipelining is Ansible's ssh pipelining setting (hosts may override it
	// with ansible_pipelining); it shapes the message of a host that cannot
	// be reached.
	Pipelining bool
	// LocalTmp is the controller's temp directory (Ansible's local_tmp,
	// expanded); the run names its controller temp files (shown in --diff
	// headers) in a private ansible-local-<pid><random> directory of it.
	LocalTmp    string
	TaskTimeout int // default task timeout, 0 = none

	// Gathering is "implicit" (default), "explicit" or "smart".
	Gathering string
	// FactCacheDir enables the jsonfile fact cache.
	FactCacheDir     string
	FactCachePrefix  string // prepended to the host name in each cache file's name (fact_caching_prefix)
	FactCacheTimeout int    // seconds cached facts stay valid; 0 never expires (Ansible's default is 86400)
	HashMerge        bool
	AnyErrorsFatal   bool
	Strategy         string // default "linear"

	RetryFilesEnabled  bool
	RetryFilesSavePath string

	// PlaybookHostVars returns playbook-adjacent group_vars/host_vars for a host.
	PlaybookHostVars func(host string) *value.Dict
	// Decrypt, when set, is applied to the bytes of controller files the
	// run reads (vars_files, include_vars, copy/template sources): it
	// returns vault-encrypted data decrypted, other data unchanged, or
	// Ansible's vault error naming the file.
	Decrypt func(data []byte, path string) ([]byte, error)
	// Stats, when not nil, holds the per-host counters the run adds to and
	// recaps: ansible-playbook keeps one set across the playbooks of a
	// command line, so each PLAY RECAP counts the earlier playbooks too.
	Stats map[string]*output.HostStats
	// Connection is -c (the connection when neither ansible_connection
	// nor the connection keyword says; "" or "smart" for ssh).
	Connection string
	// Stdin answers vars_prompt and --step questions (pass it only when
	// stdin is a terminal; nil means non-interactive: defaults are used).
	// Stdout receives the prompts (default os.Stdout).
	Stdin  io.Reader
	Stdout io.Writer
	// TaskDebugger is enable_task_debugger: failed and unreachable
	// results open the task debugger (as the debug strategy does).
	TaskDebugger bool
	// TaskWarning prints a warning raised while a task runs. Ansible raises
	// those in a worker process, so they show every time, not once per run
	// as the controller's warnings do. Nil falls back to Callback.Warning.
	TaskWarning func(msg string)
	// Disconnect closes and forgets host's connections where Connect keeps
	// them (a pool shared across runs), so the next Connect dials again.
	// Nil: the executor closes the connections it was given.
	Disconnect func(host string)
}
