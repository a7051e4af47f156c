package output

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"octopus/engine/pyfmt"
	"octopus/engine/value"
)

// Nop is a Callback that ignores every event; embed it to implement only some.
type Nop struct{}

// PlaybookStart implements Callback.
func (Nop) PlaybookStart(string) {}

// PlayStart implements Callback.
func (Nop) PlayStart(*Play) {}

// TaskStart implements Callback.
func (Nop) TaskStart(*Task) {}

// HostResult implements Callback.
func (Nop) HostResult(*Result) {}

// ItemResult implements Callback.
func (Nop) ItemResult(*Result) {}

// Retry implements Callback.
func (Nop) Retry(*Result) {}

// Include implements Callback.
func (Nop) Include(*Include) {}

// Notify implements Callback.
func (Nop) Notify(string, string) {}

// NoHostsMatched implements Callback.
func (Nop) NoHostsMatched() {}

// NoHostsRemaining implements Callback.
func (Nop) NoHostsRemaining() {}

// Warning implements Callback.
func (Nop) Warning(string) {}

// Deprecated implements Callback.
func (Nop) Deprecated(string, string) {}

// Verbose implements Callback.
func (Nop) Verbose(int, string) {}

// Diff implements Callback.
func (Nop) Diff(*Result) {}

// Stats implements Callback.
func (Nop) Stats(*Stats) {}

// Error implements Callback.
func (Nop) Error(string) {}

var noJSON = map[string]bool{"command": true, "shell": true, "raw": true}

func isNoJSON(action string) bool {
	a := strings.TrimPrefix(strings.TrimPrefix(action, "ansible.builtin."), "ansible.legacy.")
	return noJSON[a]
}

func strGet(d *value.Dict, k string) string {
	v, ok := d.Get(k)
	if !ok || v == nil {
		return ""
	}
	return pyfmt.Str(v)
}

// Minimal is ansible's "minimal" callback (oneline=false) or "oneline".
type Minimal struct {
	Nop
	D       *Display
	OneLine bool
	mu      sync.Mutex
}

// NewMinimal returns the minimal (or oneline) callback.
func NewMinimal(d *Display, oneline bool) *Minimal { return &Minimal{D: d, OneLine: oneline} }

func (m *Minimal) dump(res *value.Dict) string {
	if m.OneLine {
		indent := -1 // json.dumps(indent=0): a line per item
		if va, _ := res.Get("_ansible_verbose_always"); va == true || m.D.Verbosity > 2 {
			indent = 4
		}
		return strings.ReplaceAll(pyfmt.JSONText(Abridge(res, m.D.Verbosity), pyfmt.JSONOptions{Indent: indent, SortKeys: true}), "\n", "")
	}
	return pyfmt.JSONText(Abridge(res, m.D.Verbosity), pyfmt.JSONOptions{Indent: 4, SortKeys: true})
}

func (m *Minimal) generic(host string, res *value.Dict, caption string) string {
	rc := "-1"
	if v, ok := res.Get("rc"); ok {
		rc = pyfmt.Str(v)
	}
	if m.OneLine {
		esc := func(s string) string { return strings.ReplaceAll(strings.ReplaceAll(s, "\n", `\n`), "\r", `\r`) }
		out := fmt.Sprintf("%s | %s | rc=%s | (stdout) %s", host, caption, rc, esc(strGet(res, "stdout")))
		if e := strGet(res, "stderr"); e != "" {
			out += " (stderr) " + esc(e)
		}
		return out
	}
	return fmt.Sprintf("%s | %s | rc=%s >>\n%s%s%s\n", host, caption, rc, strGet(res, "stdout"), strGet(res, "stderr"), strGet(res, "msg"))
}

// HostResult implements Callback.
func (m *Minimal) HostResult(r *Result) {
	m.mu.Lock()
	defer m.mu.Unlock()
	res := r.Data.Copy()
	switch r.Status {
	case StatusFailed:
		if m.OneLine {
			if e, ok := res.Get("exception"); ok {
				msg := "An exception occurred during task execution. To see the full traceback, use -vvv. The error was: "
				lines := strings.Split(strings.TrimSpace(pyfmt.Str(e)), "\n")
				msg += lines[len(lines)-1]
				if isNoJSON(r.Task.Action) && !res.Has("module_stderr") {
					msg = m.generic(r.Host, res, "FAILED")
				}
				m.D.Print(msg, ColorError, false)
			}
			m.D.Print(fmt.Sprintf("%s | FAILED! => %s", r.Host, m.dump(res)), ColorError, false)
		} else if isNoJSON(r.Task.Action) && !res.Has("module_stderr") {
			m.D.Print(m.generic(r.Host, res, "FAILED"), ColorError, false)
		} else {
			m.D.Print(fmt.Sprintf("%s | FAILED! => %s", r.Host, m.dump(res)), ColorError, false)
		}
	case StatusSkipped:
		m.D.Print(r.Host+" | SKIPPED", ColorSkip, false)
	case StatusUnreachable:
		if m.OneLine {
			m.D.Print(fmt.Sprintf("%s | UNREACHABLE!: %s", r.Host, strGet(res, "msg")), ColorUnreachable, false)
		} else {
			m.D.Print(fmt.Sprintf("%s | UNREACHABLE! => %s", r.Host, m.dump(res)), ColorUnreachable, false)
		}
	default:
		if !m.OneLine {
			(&Default{D: m.D}).cleanResults(res, r.Task.Action)
		}
		state, color := "SUCCESS", ColorOK
		if ch, _ := res.Get("changed"); ch == true {
			state, color = "CHANGED", ColorChanged
		}
		if isNoJSON(r.Task.Action) && !res.Has("ansible_job_id") {
			m.D.Print(m.generic(r.Host, res, state), color, false)
		} else {
			m.D.Print(fmt.Sprintf("%s | %s => %s", r.Host, state, m.dump(res)), color, false)
		}
	}
}

// Warning implements Callback.
func (m *Minimal) Warning(msg string) { m.D.Warning(msg) }

// Error implements Callback.
func (m *Minimal) Error(msg string) { m.D.Error(msg) }

// Deprecated implements Callback.
func (m *Minimal) Deprecated(msg, v string) { m.D.Deprecated(msg, v) }

// Diff implements Callback.
func (m *Minimal) Diff(r *Result) {
	if df, ok := r.Data.Get("diff"); ok && df != nil {
		m.D.Print(FormatDiff(df, m.D), "", false)
	}
}

// JSONCallback is the ansible.posix.json stdout callback: one JSON document
// with every play, task and host result, printed at the end.
type JSONCallback struct {
	Nop
	D      *Display
	Indent int
	Now    func() time.Time

	mu       sync.Mutex
	plays    []any
	lockstep bool
	ids      int
}

// NewJSON returns the json callback.
func NewJSON(d *Display) *JSONCallback {
	return &JSONCallback{D: d, Indent: 4, Now: time.Now}
}

func (j *JSONCallback) now() string {
	return j.Now().UTC().Format("2006-01-02T15:04:05.000000Z")
}

// PlayStart implements Callback.
func (j *JSONCallback) PlayStart(p *Play) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.lockstep = p.Strategy == "" || p.Strategy == "linear" || strings.HasSuffix(p.Strategy, ".linear")
	j.ids++
	j.plays = append(j.plays, value.DictOf(
		"play", value.DictOf("name", p.Name, "id", fmt.Sprintf("play-%d", j.ids), "path", p.Path,
			"duration", value.DictOf("start", j.now())),
		"tasks", []any{}))
}

func (j *JSONCallback) newTask(t *Task) *value.Dict {
	return value.DictOf(
		"task", value.DictOf("name", t.Name, "id", fmt.Sprintf("task-%d", t.ID), "path", t.Path,
			"duration", value.DictOf("start", j.now())),
		"hosts", value.NewDict(0))
}

// TaskStart implements Callback.
func (j *JSONCallback) TaskStart(t *Task) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if len(j.plays) == 0 {
		return
	}
	play := j.plays[len(j.plays)-1].(*value.Dict)
	tasks, _ := play.Get("tasks")
	play.Set("tasks", append(tasks.([]any), j.newTask(t)))
}

// HostResult implements Callback.
func (j *JSONCallback) HostResult(r *Result) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if len(j.plays) == 0 {
		return
	}
	play := j.plays[len(j.plays)-1].(*value.Dict)
	tl, _ := play.Get("tasks")
	tasks := tl.([]any)
	var task *value.Dict
	for i := len(tasks) - 1; i >= 0; i-- {
		td := tasks[i].(*value.Dict)
		info, _ := td.Get("task")
		if id, _ := info.(*value.Dict).Get("id"); id == fmt.Sprintf("task-%d", r.Task.ID) {
			task = td
			break
		}
	}
	if task == nil {
		task = j.newTask(r.Task)
		play.Set("tasks", append(tasks, task))
	}
	res := r.Data.Copy()
	switch r.Status {
	case StatusFailed:
		res.Set("failed", true)
	case StatusSkipped:
		res.Set("skipped", true)
	}
	res.Set("action", r.Task.Action)
	hosts, _ := task.Get("hosts")
	hosts.(*value.Dict).Set(r.Host, res)
	end := j.now()
	info, _ := task.Get("task")
	dur, _ := info.(*value.Dict).Get("duration")
	dur.(*value.Dict).Set("end", end)
	pinfo, _ := play.Get("play")
	pdur, _ := pinfo.(*value.Dict).Get("duration")
	pdur.(*value.Dict).Set("end", end)
}

// Warning implements Callback.
func (j *JSONCallback) Warning(msg string) { j.D.Warning(msg) }

// Error implements Callback.
func (j *JSONCallback) Error(msg string) { j.D.Error(msg) }

// Deprecated implements Callback.
func (j *JSONCallback) Deprecated(msg, v string) { j.D.Deprecated(msg, v) }

// Stats implements Callback.
func (j *JSONCallback) Stats(s *Stats) {
	j.mu.Lock()
	defer j.mu.Unlock()
	summary := value.NewDict(len(s.Hosts))
	for _, h := range s.Sorted() {
		t := s.Hosts[h]
		summary.Set(h, value.DictOf("changed", t.Changed, "failures", t.Failures, "ignored", t.Ignored,
			"ok", t.OK, "rescued", t.Rescued, "skipped", t.Skipped, "unreachable", t.Unreachable))
	}
	out := value.DictOf("custom_stats", value.NewDict(0), "global_custom_stats", value.NewDict(0),
		"plays", append([]any{}, j.plays...), "stats", summary)
	ind := j.Indent
	if ind < 0 {
		ind = 0 // one line
	}
	j.D.Print(pyfmt.JSONText(out, pyfmt.JSONOptions{Indent: ind, SortKeys: true}), "", false)
}
