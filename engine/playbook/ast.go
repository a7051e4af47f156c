// Package playbook is the typed form of playbooks, plays, blocks, tasks and
// roles (ast.go) and the loader that builds it from YAML (load*.go). The
// loader expands everything static (import_playbook, the legacy play-level
// include, import_tasks, import_role, roles: sections, meta dependencies)
// and leaves dynamic includes (include_tasks, include_role, task-level
// include) as tasks for the executor to resolve at run time.
//
// Values that Ansible templates at run time (when, args, loop, vars, ...)
// are kept raw (strings, lists, maps as decoded from YAML); templating is the
// executor's job.
package playbook

import (
	"octopus/engine/diag"
	"octopus/engine/value"
)

// Playbook is one loaded playbook file with every static import expanded:
// Plays is the flat, ordered list of plays that will run.
type Playbook struct {
	Path  string // absolute path of the top-level file
	Dir   string // its directory (playbook_dir)
	Plays []*Play
}

// Vars is an ordered mapping of variable names to raw (untemplated) values.
type Vars struct {
	Keys   []string
	Values map[string]any
}

// Get returns the value for key.
func (v *Vars) Get(key string) (any, bool) {
	if v == nil || v.Values == nil {
		return nil, false
	}
	val, ok := v.Values[key]
	return val, ok
}

// Set adds or replaces key, keeping first-insertion order.
func (v *Vars) Set(key string, val any) {
	if v.Values == nil {
		v.Values = map[string]any{}
	}
	if _, ok := v.Values[key]; !ok {
		v.Keys = append(v.Keys, key)
	}
	v.Values[key] = val
}

// Len returns the number of variables.
func (v *Vars) Len() int {
	if v == nil {
		return 0
	}
	return len(v.Keys)
}

// Keywords are the keywords that plays, roles, blocks and tasks share and
// that children inherit from parents (Ansible's Base/Conditional/Taggable/
// Become attributes). A nil pointer or empty value means "not set here".
type Keywords struct {
	Become            *bool
	BecomeUser        string
	BecomeMethod      string
	BecomeFlags       string
	BecomeExe         string
	RemoteUser        string
	Connection        string
	Port              any   // int or template string
	Environment       []any // each a map or a template string; children append
	NoLog             any   // bool or template string
	IgnoreErrors      any
	IgnoreUnreachable any
	CheckMode         any
	Diff              any
	AnyErrorsFatal    *bool
	RunOnce           any
	DelegateTo        string
	DelegateFacts     *bool
	Throttle          any
	Timeout           any
	// ModuleDefaults is module_defaults, validated: a list of mappings
	// keyed by canonical action name (playbook.CanonicalAction), values
	// raw. Children extend their parents' list (later entries win).
	ModuleDefaults []*value.Dict
	Collections    []string
	Debugger       string
	Vars           *Vars
	// When is the list of conditions set at this level (a string condition,
	// a bool, or a list of those, normalised to a list). Parents' conditions
	// are not copied in; the executor walks Parent links.
	When []any
	// Tags set at this level (strings, templates possible).
	Tags []string
}

// Play is one play of a playbook.
type Play struct {
	Pos  diag.Pos
	File string // the file the play was written in (may be an imported playbook)
	Name string // as written; "" when absent (Ansible then shows the hosts pattern)
	// Hosts is the host pattern (lists joined with ","); may contain templates.
	Hosts string
	Keywords
	GatherFacts    any // nil (default), bool, or template string
	GatherSubset   []string
	GatherTimeout  any
	FactPath       string
	VarsFiles      []any // each a path string or a list of candidate paths
	VarsPrompt     []*VarPrompt
	Serial         []any // numbers or "30%" strings; nil means all at once
	Strategy       string
	Order          string
	MaxFailPercent any
	ForceHandlers  *bool
	Roles          []*Role // roles: section, in order (already loaded)
	PreTasks       []*Block
	Tasks          []*Block
	PostTasks      []*Block
	Handlers       []*Block // play handlers; role handlers live on each Role
	// ImportVars are the vars: of the import_playbook (or legacy
	// include) that brought this play in (already merged into Vars).
	ImportVars *Vars
	// ImportWhen are the when: conditions of the import_playbook (or legacy
	// play-level include) chain that brought this play in, outermost first.
	ImportWhen []any
	// ImportTags are the tags of that import chain (already merged into
	// Tags as Ansible does; kept separately for reference).
	ImportTags []string
	// HostsList is hosts: as a list (a string pattern is one element, a
	// YAML list keeps its elements); Hosts is HostsList joined with ",".
	HostsList []string
	// BaseDir is the directory relative paths of this play resolve
	// against (Ansible's basedir: the directory of the playbook file the
	// play was imported from, or the top-level playbook's directory).
	BaseDir string
	// ImportedRoles are the roles brought in by import_role tasks of this
	// play (their tasks are already in the task lists; their handlers join
	// the play's handlers as Ansible does).
	ImportedRoles []*Role
}

// VarPrompt is one entry of vars_prompt.
type VarPrompt struct {
	Name     string
	Prompt   string
	Default  any
	Private  bool
	Confirm  bool
	Encrypt  string
	SaltSize int
	Salt     string
	Unsafe   bool
}

// Role is a role instance in a play: from the roles: section, a meta
// dependency, or import_role (include_role is resolved at run time by the
// executor through Loader.LoadRole).
type Role struct {
	Pos      diag.Pos
	Name     string  // name as written (e.g. "nvidia.nvidia_docker")
	Path     string  // resolved directory
	Keywords         // keywords on the role entry (when, tags, become, vars...)
	Params   *Vars   // role params: keys of the entry that are not keywords
	Defaults *Vars   // defaults/main
	RoleVars *Vars   // vars/main
	Deps     []*Role // meta dependencies, run before the role
	Tasks    []*Block
	Handlers []*Block
	// AllowDuplicates from meta; Ansible runs a role once per play unless
	// params differ or this is set.
	AllowDuplicates bool
	// Public controls whether the role's vars are visible after it
	// (import_role/roles: yes; include_role: only with public: yes).
	Public bool
	// From is the role whose meta dependencies brought this one in (nil
	// for roles listed in a play or imported by a task).
	From *Role
	// Via is the import_role task that brought this role in (nil for the
	// roles: section and dependencies). Its keywords apply to the role.
	Via *Task
	// Meta is meta/main as loaded (nil when absent), for fields the
	// loader does not interpret (galaxy_info, argument_specs, ...).
	Meta any
}

// Item is an element of a block's task list: either a *Task or a nested *Block.
type Item interface{ item() }

// Block is a block (or the implicit block that wraps bare tasks).
type Block struct {
	Pos  diag.Pos
	File string
	Name string
	Keywords
	Block    []Item
	Rescue   []Item
	Always   []Item
	Implicit bool   // true for the wrapper of a plain task list
	Parent   *Block // enclosing block, nil at the top of a list
	Role     *Role  // role the block came from, if any
	// FromInclude is set on blocks produced by import_tasks: the
	// import task's keywords apply to every task.
	FromInclude *Task
}

func (*Block) item() {}

// LoopControl is loop_control.
type LoopControl struct {
	LoopVar          string
	IndexVar         string
	Label            any
	Pause            any
	Extended         any
	ExtendedAllItems any
}

// Task is one task or handler.
type Task struct {
	Pos  diag.Pos
	File string
	Name string // as written; "" when absent
	// Action is the module or action name as written (e.g. "shell",
	// "ansible.builtin.copy", "include_tasks", "meta"). Module is the short
	// canonical form ("shell", "copy").
	Action string
	Module string
	// Args are the module arguments: k=v strings are parsed, `args:` merged;
	// a free-form command is kept under "_raw_params".
	Args map[string]any
	Keywords
	Register    string
	Loop        any    // loop: value, or the with_* argument
	LoopWith    string // "items", "dict", ... for with_*; "" for loop:
	LoopControl *LoopControl
	Until       any
	Retries     any
	Delay       any
	ChangedWhen []any
	FailedWhen  []any
	Notify      []string
	Listen      []string // handlers only
	Async       any
	Poll        any
	LocalAction bool // local_action: delegate_to localhost
	IsHandler   bool
	Parent      *Block
	Role        *Role
	// Static marks import_* tasks that were expanded at load time; they
	// never reach the executor.
	Static bool
	// ArgOrder lists the keys of Args in source order.
	ArgOrder []string
	// Implicit marks tasks the loader synthesised (none today; Ansible's
	// implicit meta tasks are hidden from listings).
	Implicit bool
	// Apply is the apply: of an include_tasks/include_role task as a
	// block without tasks: its keywords apply to every included task
	// (the included blocks hang below it). Nil when absent.
	Apply *Block
	// ApplyErr is the error Ansible raises when it builds the apply block
	// at run time (an invalid Block keyword); the executor reports it
	// when the include is processed.
	ApplyErr error
}

func (*Task) item() {}
