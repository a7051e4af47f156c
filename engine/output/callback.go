// Package output is octopus's reporting layer: the executor emits typed
// events to a Callback, and the implementations here print them exactly as
// ansible-playbook's stdout callbacks do (default, yaml, json, minimal,
// oneline), or write the files of the aggregate callbacks that
// callbacks_enabled turns on (junit, tree); a Fanout feeds the stdout
// callback and those with the same events.
package output

import (
	"fmt"
	"sort"
	"strings"

	"octopus/engine/value"
)

// Status is the outcome of a task on a host.
type Status int

// Task outcomes. Changed is StatusOK with "changed": true in the result.
const (
	StatusOK Status = iota
	StatusSkipped
	StatusFailed
	StatusUnreachable
)

// Play describes a play that starts.
type Play struct {
	Name      string // display name (the hosts pattern when the play has no name)
	Hosts     string
	Strategy  string
	CheckMode bool
	Path      string // "file:line" of the play
}

// Task describes a task (or handler) about to run.
type Task struct {
	ID        uint64 // unique per task instance; results refer to it
	Name      string // display name: "role : name", or the action when unnamed
	Kind      string // "TASK", "RUNNING HANDLER" or "CLEANUP TASK"
	Action    string // module/action as written (debug, ansible.builtin.shell, ...)
	Path      string // "file:line"
	CheckMode bool   // task runs in check mode
	NoLog     bool
	Loop      bool   // task has a loop
	Include   bool   // include_tasks / include_role
	Delegate  string // delegate_to (templated), "" when not delegated
	Args      *value.Dict
}

// Result is the outcome of a task (or one loop item) on a host. Data is the
// result as ansible's TaskResult.clean_copy gives it to callbacks (failed and
// skipped removed, internal keys kept: _ansible_verbose_always,
// _ansible_item_label, _ansible_no_log, _ansible_verbose_override).
type Result struct {
	Host    string
	Task    *Task
	Status  Status
	Changed bool
	Ignored bool // failed/unreachable with ignore_errors/ignore_unreachable
	// DelegatedHost is the ansible_host of the delegated host (when it differs).
	DelegatedHost string
	Data          *value.Dict
}

// Include is a dynamic include that was loaded for some hosts.
type Include struct {
	File  string
	Hosts []string
	Item  any // loop item label, nil when not looping
}

// HostStats are the PLAY RECAP counters of one host.
type HostStats struct {
	OK, Changed, Unreachable, Failures, Skipped, Rescued, Ignored int
}

// Stats are the recap counters of every processed host.
type Stats struct {
	Hosts     map[string]*HostStats
	Custom    map[string]*value.Dict // set_stats data per host ("_run" for aggregate)
	CheckMode bool
}

// Sorted returns the processed host names in recap order.
func (s *Stats) Sorted() []string {
	var out []string
	for h := range s.Hosts {
		out = append(out, h)
	}
	sort.Strings(out)
	return out
}

// Callback receives the executor's events. Implementations must be safe for
// use from several goroutines (the executor serialises calls, but a
// callback may be shared).
type Callback interface {
	PlaybookStart(path string)
	PlayStart(p *Play)
	TaskStart(t *Task)
	// HostResult is the final result of a task on a host (for a loop, the
	// aggregate with "results").
	HostResult(r *Result)
	// ItemResult is one loop item's result.
	ItemResult(r *Result)
	// Retry is an until/retries attempt that failed; Data has attempts and retries.
	Retry(r *Result)
	Include(inc *Include)
	Notify(handler, host string)
	NoHostsMatched()
	NoHostsRemaining()
	Warning(msg string)
	Deprecated(msg, version string)
	// Verbose prints a message shown from the given -v level up.
	Verbose(level int, msg string)
	// Diff carries a result with a "diff" key (or item results with one).
	Diff(r *Result)
	Stats(s *Stats)
	// Error reports a fatal error that ends the run ("ERROR! ..." on stderr).
	Error(msg string)
}

// New returns the stdout callback called name ("default", "yaml",
// "community.general.yaml", "json", "ansible.posix.json", "minimal",
// "oneline") writing through d.
func New(name string, d *Display) (Callback, error) {
	switch strings.TrimPrefix(strings.TrimPrefix(name, "ansible.builtin."), "community.general.") {
	case "", "default":
		return NewDefault(d), nil
	case "yaml":
		return NewYAML(d), nil
	case "json", "ansible.posix.json":
		return NewJSON(d), nil
	case "minimal":
		return NewMinimal(d, false), nil
	case "oneline":
		return NewMinimal(d, true), nil
	}
	return nil, fmt.Errorf("Invalid callback for stdout specified: %s", name)
}

// internalKeep are the internal keys TaskResult.clean_copy keeps.
var internalKeep = map[string]bool{
	"_ansible_verbose_always": true, "_ansible_item_label": true,
	"_ansible_no_log": true, "_ansible_verbose_override": true,
}

// NoLogMsg is the text that replaces a result when no_log is set.
const NoLogMsg = "the output has been hidden due to the fact that 'no_log: true' was specified for this result"

// CleanResult makes the copy of a raw task result that callbacks see, as
// ansible's TaskResult.clean_copy: no_log results are censored (keeping
// attempts/changed/retries); otherwise failed/skipped (and, for debug,
// invocation) are removed and internal keys other than the display ones
// are stripped.
func CleanResult(action string, noLog bool, res *value.Dict) *value.Dict {
	out := value.NewDict(res.Len())
	nl, _ := res.Get("_ansible_no_log")
	if noLog || nl == true {
		out.Set("censored", NoLogMsg)
		for _, k := range []string{"attempts", "changed", "retries"} {
			if v, ok := res.Get(k); ok {
				out.Set(k, v)
			}
		}
	} else {
		isDebug := IsDebugAction(action)
		for _, k := range res.Keys() {
			if k == "failed" || k == "skipped" || (isDebug && k == "invocation") {
				continue
			}
			if strings.HasPrefix(k, "_ansible_") && !internalKeep[k] {
				continue
			}
			v, _ := res.Get(k)
			out.Set(k, StripInternal(v, internalKeep))
		}
	}
	if dv, ok := res.Get("_ansible_delegated_vars"); ok {
		if d, ok := dv.(*value.Dict); ok {
			sub := value.NewDict(4)
			for _, k := range []string{"ansible_host", "ansible_port", "ansible_user", "ansible_connection"} {
				if v, ok := d.Get(k); ok {
					sub.Set(k, v)
				}
			}
			out.Set("_ansible_delegated_vars", sub)
		}
	}
	return out
}

// StripInternal returns a deep copy of v without "_ansible_" keys (except keep).
func StripInternal(v any, keep map[string]bool) any {
	switch t := v.(type) {
	case *value.Dict:
		out := value.NewDict(t.Len())
		for _, k := range t.Keys() {
			if strings.HasPrefix(k, "_ansible_") && !keep[k] {
				continue
			}
			x, _ := t.Get(k)
			out.Set(k, StripInternal(x, keep))
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = StripInternal(x, keep)
		}
		return out
	}
	return v
}

// IsDebugAction reports whether action is the debug action.
func IsDebugAction(action string) bool {
	return action == "debug" || action == "ansible.builtin.debug" || action == "ansible.legacy.debug"
}
