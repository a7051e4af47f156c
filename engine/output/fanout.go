package output

import (
	"fmt"
	"strings"
)

// Fanout is a Callback that passes every event to each of its callbacks in
// order: the stdout callback first, then the enabled notification and
// aggregate callbacks, as ansible's TaskQueueManager.send_callback does.
type Fanout []Callback

// NewFanout returns a Callback feeding all of cbs (nil entries are dropped);
// a single callback is returned as is.
func NewFanout(cbs ...Callback) Callback {
	var out Fanout
	for _, c := range cbs {
		if c != nil {
			out = append(out, c)
		}
	}
	if len(out) == 1 {
		return out[0]
	}
	return out
}

// PlaybookStart implements Callback.
func (f Fanout) PlaybookStart(path string) {
	for _, c := range f {
		c.PlaybookStart(path)
	}
}

// PlayStart implements Callback.
func (f Fanout) PlayStart(p *Play) {
	for _, c := range f {
		c.PlayStart(p)
	}
}

// TaskStart implements Callback.
func (f Fanout) TaskStart(t *Task) {
	for _, c := range f {
		c.TaskStart(t)
	}
}

// HostResult implements Callback.
func (f Fanout) HostResult(r *Result) {
	for _, c := range f {
		c.HostResult(r)
	}
}

// ItemResult implements Callback.
func (f Fanout) ItemResult(r *Result) {
	for _, c := range f {
		c.ItemResult(r)
	}
}

// Retry implements Callback.
func (f Fanout) Retry(r *Result) {
	for _, c := range f {
		c.Retry(r)
	}
}

// Include implements Callback.
func (f Fanout) Include(inc *Include) {
	for _, c := range f {
		c.Include(inc)
	}
}

// Notify implements Callback.
func (f Fanout) Notify(handler, host string) {
	for _, c := range f {
		c.Notify(handler, host)
	}
}

// NoHostsMatched implements Callback.
func (f Fanout) NoHostsMatched() {
	for _, c := range f {
		c.NoHostsMatched()
	}
}

// NoHostsRemaining implements Callback.
func (f Fanout) NoHostsRemaining() {
	for _, c := range f {
		c.NoHostsRemaining()
	}
}

// Warning implements Callback.
func (f Fanout) Warning(msg string) {
	for _, c := range f {
		c.Warning(msg)
	}
}

// Deprecated implements Callback.
func (f Fanout) Deprecated(msg, version string) {
	for _, c := range f {
		c.Deprecated(msg, version)
	}
}

// Verbose implements Callback.
func (f Fanout) Verbose(level int, msg string) {
	for _, c := range f {
		c.Verbose(level, msg)
	}
}

// Diff implements Callback.
func (f Fanout) Diff(r *Result) {
	for _, c := range f {
		c.Diff(r)
	}
}

// Stats implements Callback.
func (f Fanout) Stats(s *Stats) {
	for _, c := range f {
		c.Stats(s)
	}
}

// Error implements Callback.
func (f Fanout) Error(msg string) {
	for _, c := range f {
		c.Error(msg)
	}
}

// EnabledOptions configure the callbacks that callbacks_enabled turns on.
type EnabledOptions struct {
	// TreeDir is the tree callback's directory.
	TreeDir string
	// Verbosity is the -v count.
	Verbosity int
	// Getenv reads the JUNIT_* variables (os.LookupEnv when nil).
	Getenv func(string) (string, bool)
	// Warn receives the callbacks' warnings.
	Warn func(string)
}

// EnabledCallback is one callback turned on by callbacks_enabled.
type EnabledCallback struct {
	Name     string // short name: "junit", "tree"
	Type     string // ansible's CALLBACK_TYPE ("aggregate")
	Callback Callback
}

// enabledTypes are the callbacks octopus provides for callbacks_enabled,
// in the order ansible loads them (by plugin name).
var enabledTypes = []struct{ name, typ string }{{"junit", "aggregate"}, {"tree", "aggregate"}}

// NewEnabled returns the callbacks that the callbacks_enabled names turn
// on, in ansible's load order, and warnings for those that cannot load. Names may be short or ansible.builtin. /
// ansible.legacy. qualified. The returned warnings are for collection
// names octopus cannot load ("Skipping callback plugin 'x.y.z', unable to
// load", or a junit output directory that cannot be made); other unknown short names are ignored, as ansible ignores names
// of plugins that do not exist.
func NewEnabled(names []string, o EnabledOptions) ([]EnabledCallback, []string) {
	want := map[string]bool{}
	var warns []string
	for _, n := range names {
		n = strings.TrimSpace(n)
		short := strings.TrimPrefix(strings.TrimPrefix(n, "ansible.builtin."), "ansible.legacy.")
		known := false
		for _, t := range enabledTypes {
			if short == t.name {
				want[short], known = true, true
			}
		}
		if !known && strings.Count(n, ".") >= 2 {
			warns = append(warns, fmt.Sprintf("Skipping callback plugin '%s', unable to load", n))
		}
	}
	getenv := o.Getenv
	if getenv == nil {
		getenv = lookupEnv
	}
	var out []EnabledCallback
	for _, t := range enabledTypes {
		if !want[t.name] {
			continue
		}
		var cb Callback
		switch t.name {
		case "junit":
			jo := JUnitOptionsFromEnv(getenv)
			jo.Verbosity, jo.Warn = o.Verbosity, o.Warn
			j, err := NewJUnit(jo)
			if err != nil {
				warns = append(warns, fmt.Sprintf("Skipping callback '%s', unable to load due to: %s", t.name, pyOSError(err, false)))
				continue
			}
			cb = j
		case "tree":
			cb = NewTree(o.TreeDir, o.Verbosity, o.Warn)
		}
		out = append(out, EnabledCallback{Name: t.name, Type: t.typ, Callback: cb})
	}
	return out, warns
}
