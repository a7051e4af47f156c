package output

import (
	"fmt"
	"strings"
	"sync"

	"octopus/engine/pyfmt"
	"octopus/engine/value"
)

// Default is ansible-core 2.14's "default" stdout callback.
type Default struct {
	D *Display
	// Dump renders a result for "=> ..." (JSON by default; the yaml
	// callback replaces it).
	Dump func(res *value.Dict, indent int) string

	DisplaySkipped bool // display_skipped_hosts (default true)
	DisplayOK      bool // display_ok_hosts (default true)
	CheckMarkers   bool // check_mode_markers (default false)
	ShowCustom     bool // show_custom_stats
	FailedStderr   bool // display_failed_stderr: failures go to stderr

	mu             sync.Mutex
	play           *Play
	lastBanner     uint64
	lastTaskName   string
	haveLastName   bool
	kinds          map[uint64]string
	playbookChecks bool
}

// NewDefault returns the default callback.
func NewDefault(d *Display) *Default {
	c := &Default{D: d, DisplaySkipped: true, DisplayOK: true, kinds: map[uint64]string{}}
	c.Dump = c.dumpJSON
	return c
}

func (c *Default) verbose(res *value.Dict, level int) bool {
	va, _ := res.Get("_ansible_verbose_always")
	vo, _ := res.Get("_ansible_verbose_override")
	return (c.D.Verbosity > level || va == true) && vo != true
}

// Abridge returns the copy of res that _dump_results prints: internal keys
// stripped, invocation and diff dropped below -vvv, exception dropped.
func Abridge(res *value.Dict, verbosity int) *value.Dict {
	out := StripInternal(res, nil).(*value.Dict)
	if verbosity < 3 {
		out.Delete("invocation")
		out.Delete("diff")
	}
	out.Delete("exception")
	return out
}

func (c *Default) dumpJSON(res *value.Dict, indent int) string {
	va, _ := res.Get("_ansible_verbose_always")
	if indent <= 0 && (va == true || c.D.Verbosity > 2) {
		indent = 4
	}
	if indent < 0 {
		indent = 0 // one line
	}
	return pyfmt.JSONText(Abridge(res, c.D.Verbosity), pyfmt.JSONOptions{Indent: indent, SortKeys: true})
}

func hostLabel(r *Result) string {
	label := r.Host
	if r.Task != nil && r.Task.Delegate != "" && r.Task.Delegate != r.Host {
		label += " -> " + r.Task.Delegate
		if r.DelegatedHost != "" && r.DelegatedHost != r.Task.Delegate {
			label += "(" + r.DelegatedHost + ")"
		}
	}
	return label
}

func (c *Default) cleanResults(res *value.Dict, action string) {
	if !IsDebugAction(action) {
		return
	}
	if res.Has("msg") {
		for _, k := range append([]string(nil), res.Keys()...) {
			switch k {
			case "msg", "exception", "warnings", "deprecations":
				continue
			}
			if strings.HasPrefix(k, "_") {
				continue
			}
			res.Delete(k)
		}
		return
	}
	for _, k := range []string{"changed", "failed", "skipped", "invocation", "skip_reason"} {
		res.Delete(k)
	}
}

func (c *Default) handleWarnings(res *value.Dict) {
	if w, ok := res.Get("warnings"); ok {
		if l, ok := w.([]any); ok && len(l) > 0 {
			for _, x := range l {
				c.D.Warning(fmt.Sprint(x))
			}
			res.Delete("warnings")
		}
	}
	if w, ok := res.Get("deprecations"); ok {
		if l, ok := w.([]any); ok && len(l) > 0 {
			for _, x := range l {
				if d, ok := x.(*value.Dict); ok {
					m, _ := d.Get("msg")
					v, _ := d.Get("version")
					vs := ""
					if v != nil {
						vs = fmt.Sprint(v)
					}
					c.D.Deprecated(fmt.Sprint(m), vs)
				}
			}
			res.Delete("deprecations")
		}
	}
}

func (c *Default) handleException(res *value.Dict) {
	e, ok := res.Get("exception")
	if !ok {
		return
	}
	s := fmt.Sprint(e)
	msg := "An exception occurred during task execution. "
	if c.D.Verbosity < 3 {
		lines := strings.Split(strings.TrimSpace(s), "\n")
		msg += "To see the full traceback, use -vvv. The error was: " + lines[len(lines)-1]
	} else {
		msg = "The full traceback is:\n" + s
		res.Delete("exception")
	}
	c.D.Print(msg, ColorError, false)
}

func (c *Default) ensureBanner(t *Task) {
	if t != nil && c.lastBanner != t.ID {
		c.printTaskBanner(t)
	}
}

func (c *Default) printTaskBanner(t *Task) {
	kind := c.kinds[t.ID]
	if kind == "" {
		kind = "TASK"
	}
	name := c.lastTaskName
	if !c.haveLastName {
		name = strings.TrimSpace(t.Name)
	}
	check := ""
	if t.CheckMode && c.CheckMarkers {
		check = " [CHECK MODE]"
	}
	c.D.Banner(fmt.Sprintf("%s [%s]%s", kind, name, check), "")
	if c.D.Verbosity >= 2 && t.Path != "" {
		c.D.Print("task path: "+t.Path, ColorDebug, false)
	}
	c.lastBanner = t.ID
}

// PlaybookStart implements Callback.
func (c *Default) PlaybookStart(path string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.D.Verbosity > 1 {
		base := path
		if i := strings.LastIndex(base, "/"); i >= 0 {
			base = base[i+1:]
		}
		c.D.Banner("PLAYBOOK: "+base, "")
	}
}

// PlayStart implements Callback.
func (c *Default) PlayStart(p *Play) {
	c.mu.Lock()
	defer c.mu.Unlock()
	name := strings.TrimSpace(p.Name)
	check := ""
	if p.CheckMode && c.CheckMarkers {
		check = " [CHECK MODE]"
	}
	c.play = p
	if name == "" {
		c.D.Banner("PLAY"+check, "")
	} else {
		c.D.Banner("PLAY ["+name+"]"+check, "")
	}
}

// TaskStart implements Callback.
func (c *Default) TaskStart(t *Task) {
	c.mu.Lock()
	defer c.mu.Unlock()
	kind := t.Kind
	if kind == "" {
		kind = "TASK"
	}
	c.kinds[t.ID] = kind
	if c.play != nil && (c.play.Strategy == "free" || c.play.Strategy == "host_pinned" ||
		strings.HasSuffix(c.play.Strategy, ".free") || strings.HasSuffix(c.play.Strategy, ".host_pinned")) {
		c.haveLastName = false
		return
	}
	c.lastTaskName, c.haveLastName = strings.TrimSpace(t.Name), true
	if c.DisplaySkipped && c.DisplayOK {
		c.printTaskBanner(t)
	}
}

// HostResult implements Callback.
func (c *Default) HostResult(r *Result) {
	c.mu.Lock()
	defer c.mu.Unlock()
	res := r.Data.Copy()
	t := r.Task
	_, hasResults := res.Get("results")
	loop := t.Loop && hasResults
	switch r.Status {
	case StatusFailed:
		c.cleanResults(res, t.Action)
		c.ensureBanner(t)
		c.handleException(res)
		c.handleWarnings(res)
		if loop {
			res.Delete("results")
		} else {
			c.D.Print(fmt.Sprintf("fatal: [%s]: FAILED! => %s", hostLabel(r), c.Dump(res, 0)), ColorError, c.FailedStderr)
		}
		if r.Ignored {
			c.D.Print("...ignoring", ColorSkip, false)
		}
	case StatusUnreachable:
		c.ensureBanner(t)
		c.D.Print(fmt.Sprintf("fatal: [%s]: UNREACHABLE! => %s", hostLabel(r), c.Dump(res, 0)), ColorUnreachable, c.FailedStderr)
		if r.Ignored {
			c.D.Print("...ignoring", ColorSkip, false)
		}
	case StatusSkipped:
		if !c.DisplaySkipped {
			return
		}
		c.cleanResults(res, t.Action)
		c.ensureBanner(t)
		if t.Loop && hasResults {
			res.Delete("results")
		}
		msg := "skipping: [" + r.Host + "]"
		if c.verbose(res, 0) {
			msg += " => " + c.Dump(res, 0)
		}
		c.D.Print(msg, ColorSkip, false)
	default:
		if t.Include {
			c.ensureBanner(t)
			return
		}
		var msg, color string
		if ch, _ := res.Get("changed"); ch == true {
			c.ensureBanner(t)
			msg, color = "changed: ["+hostLabel(r)+"]", ColorChanged
		} else {
			if !c.DisplayOK {
				return
			}
			c.ensureBanner(t)
			msg, color = "ok: ["+hostLabel(r)+"]", ColorOK
		}
		c.handleWarnings(res)
		if loop {
			res.Delete("results")
			return
		}
		c.cleanResults(res, t.Action)
		if c.verbose(res, 0) {
			msg += " => " + c.Dump(res, 0)
		}
		c.D.Print(msg, color, false)
	}
}

func itemLabel(res *value.Dict) any {
	if nl, _ := res.Get("_ansible_no_log"); nl == true {
		return "(censored due to no_log)"
	}
	if l, ok := res.Get("_ansible_item_label"); ok {
		return l
	}
	v, _ := res.Get("item")
	return v
}

// ItemResult implements Callback.
func (c *Default) ItemResult(r *Result) {
	c.mu.Lock()
	defer c.mu.Unlock()
	res := r.Data.Copy()
	t := r.Task
	switch r.Status {
	case StatusFailed:
		c.ensureBanner(t)
		c.cleanResults(res, t.Action)
		c.handleException(res)
		c.handleWarnings(res)
		c.D.Print(fmt.Sprintf("failed: [%s] (item=%s) => %s", hostLabel(r), pyfmt.Str(itemLabel(res)), c.Dump(res, 0)), ColorError, c.FailedStderr)
	case StatusSkipped:
		if !c.DisplaySkipped {
			return
		}
		c.ensureBanner(t)
		c.cleanResults(res, t.Action)
		msg := fmt.Sprintf("skipping: [%s] => (item=%s) ", r.Host, pyfmt.Str(itemLabel(res)))
		if c.verbose(res, 0) {
			msg += " => " + c.Dump(res, 0)
		}
		c.D.Print(msg, ColorSkip, false)
	default:
		if t.Include {
			return
		}
		msg, color := "ok", ColorOK
		if ch, _ := res.Get("changed"); ch == true {
			msg, color = "changed", ColorChanged
		} else if !c.DisplayOK {
			return
		}
		c.ensureBanner(t)
		msg = fmt.Sprintf("%s: [%s] => (item=%s)", msg, hostLabel(r), pyfmt.Str(itemLabel(res)))
		c.cleanResults(res, t.Action)
		if c.verbose(res, 0) {
			msg += " => " + c.Dump(res, 0)
		}
		c.D.Print(msg, color, false)
	}
}

// Retry implements Callback.
func (c *Default) Retry(r *Result) {
	c.mu.Lock()
	defer c.mu.Unlock()
	retries, _ := r.Data.Get("retries")
	attempts, _ := r.Data.Get("attempts")
	left := toInt(retries) - toInt(attempts)
	msg := fmt.Sprintf("FAILED - RETRYING: [%s]: %s (%d retries left).", hostLabel(r), r.Task.Name, left)
	if c.verbose(r.Data, 2) {
		msg += "Result was: " + c.Dump(r.Data, 0)
	}
	c.D.Print(msg, ColorDebug, false)
}

func toInt(v any) int {
	switch t := v.(type) {
	case int:
		return t
	case int64:
		return int(t)
	case float64:
		return int(t)
	}
	return 0
}

// Include implements Callback.
func (c *Default) Include(inc *Include) {
	c.mu.Lock()
	defer c.mu.Unlock()
	msg := fmt.Sprintf("included: %s for %s", inc.File, strings.Join(inc.Hosts, ", "))
	if inc.Item != nil {
		msg += " => (item=" + pyfmt.Str(inc.Item) + ")"
	}
	c.D.Print(msg, ColorSkip, false)
}

// Notify implements Callback.
func (c *Default) Notify(handler, host string) {
	if c.D.Verbosity > 1 {
		c.D.Print(fmt.Sprintf("NOTIFIED HANDLER %s for %s", handler, host), ColorVerbose, false)
	}
}

// NoHostsMatched implements Callback.
func (c *Default) NoHostsMatched() { c.D.Print("skipping: no hosts matched", ColorSkip, false) }

// NoHostsRemaining implements Callback.
func (c *Default) NoHostsRemaining() { c.D.Banner("NO MORE HOSTS LEFT", "") }

// Warning implements Callback.
func (c *Default) Warning(msg string) { c.D.Warning(msg) }

// Error implements Callback.
func (c *Default) Error(msg string) { c.D.Error(msg) }

// Deprecated implements Callback.
func (c *Default) Deprecated(msg, version string) { c.D.Deprecated(msg, version) }

// Verbose implements Callback (level 0 messages print uncoloured).
func (c *Default) Verbose(level int, msg string) {
	if level <= 0 {
		c.D.Print(msg, "", false)
		return
	}
	c.D.V(level, msg)
}

// Diff implements Callback.
func (c *Default) Diff(r *Result) {
	c.mu.Lock()
	defer c.mu.Unlock()
	show := func(d any) {
		if s := FormatDiff(d, c.D); s != "" {
			c.ensureBanner(r.Task)
			c.D.Print(s, "", false)
		}
	}
	if rs, ok := r.Data.Get("results"); ok && r.Task.Loop {
		if l, ok := rs.([]any); ok {
			for _, x := range l {
				if d, ok := x.(*value.Dict); ok {
					df, _ := d.Get("diff")
					ch, _ := d.Get("changed")
					if df != nil && ch == true {
						show(df)
					}
				}
			}
		}
		return
	}
	df, _ := r.Data.Get("diff")
	ch, _ := r.Data.Get("changed")
	if df != nil && ch == true {
		show(df)
	}
}

// Stats implements Callback.
func (c *Default) Stats(s *Stats) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.D.Banner("PLAY RECAP", "")
	for _, h := range s.Sorted() {
		t := s.Hosts[h]
		c.D.Print(fmt.Sprintf("%s : %s %s %s %s %s %s %s",
			c.hostColor(h, t),
			c.colorize("ok", t.OK, ColorOK),
			c.colorize("changed", t.Changed, ColorChanged),
			c.colorize("unreachable", t.Unreachable, ColorUnreachable),
			c.colorize("failed", t.Failures, ColorError),
			c.colorize("skipped", t.Skipped, ColorSkip),
			c.colorize("rescued", t.Rescued, ColorOK),
			c.colorize("ignored", t.Ignored, ColorWarn)), "", false)
	}
	c.D.Print("", "", false)
	if len(s.Custom) > 0 && c.ShowCustom {
		c.D.Banner("CUSTOM STATS: ", "")
		var keys []string
		for k := range s.Custom {
			if k != "_run" {
				keys = append(keys, k)
			}
		}
		sortStrings(keys)
		one := func(d *value.Dict) string {
			return strings.ReplaceAll(pyfmt.JSONText(Abridge(d, c.D.Verbosity), pyfmt.JSONOptions{Indent: 1, SortKeys: true}), "\n", "")
		}
		for _, k := range keys {
			c.D.Print("\t"+k+": "+one(s.Custom[k]), "", false)
		}
		if run, ok := s.Custom["_run"]; ok {
			c.D.Print("", "", false)
			c.D.Print("\tRUN: "+one(run), "", false)
		}
		c.D.Print("", "", false)
	}
	if s.CheckMode && c.CheckMarkers {
		c.D.Banner("DRY RUN", "")
	}
}

func (c *Default) hostColor(h string, t *HostStats) string {
	if !c.D.Color {
		return fmt.Sprintf("%-26s", h)
	}
	color := ColorOK
	if t.Failures != 0 || t.Unreachable != 0 {
		color = ColorError
	} else if t.Changed != 0 {
		color = ColorChanged
	}
	return fmt.Sprintf("%-37s", c.D.Colorize(h, color))
}

func (c *Default) colorize(lead string, n int, color string) string {
	s := fmt.Sprintf("%s=%-4d", lead, n)
	if n != 0 && c.D.Color {
		s = c.D.Colorize(s, color)
	}
	return s
}
