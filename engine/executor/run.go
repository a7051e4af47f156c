package executor

import (
	"bufio"
	"context"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"octopus/engine/connection"
	"octopus/engine/output"
	"octopus/engine/playbook"
	"octopus/engine/value"
	"octopus/engine/vars"
)

// runner is the state of one ansible-playbook run.
type runner struct {
	opts Options
	cb   output.Callback
	tpl  Templater
	inv  Inventory
	vm   *vars.Manager
	pb   *playbook.Playbook

	mu      sync.Mutex // stats, failed, unreachable, callbacks
	stats   map[string]*output.HostStats
	failed  map[string]bool
	unreach map[string]bool
	custom  map[string]*value.Dict
	nextID  atomic.Uint64

	connMu sync.Mutex
	conns  map[string]connection.Conn

	startAt string // pending --start-at-task
	fatal   error  // a fatal error ends the run (exit 1)
	stdin   *bufio.Reader
	noStep  bool // --step answered "continue"
	stepEOF bool // --step question met the end of input: the run stops
	jobs    asyncJobs

	localOnce sync.Once
	localDir  string // the run's private local temp directory (see LocalTemp)
}

// setFatal records a run-ending error (first one wins).
func (r *runner) setFatal(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fatal == nil {
		r.fatal = err
	}
}

func (r *runner) fatalErr() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.fatal
}

// Run executes pb and returns ansible-playbook's exit code: 0 all good,
// 2 some host failed, 4 some host unreachable (takes precedence), 1 error,
// 99 interrupted.
func Run(ctx context.Context, pb *playbook.Playbook, opts Options) (code int) {
	if opts.Forks <= 0 {
		opts.Forks = 5
	}
	if f, ok := opts.Stdin.(*os.File); ok && f == nil {
		opts.Stdin = nil // a nil *os.File means no terminal
	}
	if opts.Callback == nil {
		opts.Callback = output.NewDefault(output.NewDisplay(opts.Verbosity))
	}
	if opts.Gathering == "" {
		opts.Gathering = "implicit"
	}
	r := &runner{opts: opts, cb: opts.Callback, tpl: opts.Templater, inv: opts.Inventory, pb: pb,
		stats: map[string]*output.HostStats{}, failed: map[string]bool{}, unreach: map[string]bool{},
		conns: map[string]connection.Conn{}, startAt: opts.StartAtTask}
	if opts.Stats != nil {
		r.stats = opts.Stats
	}
	defer func() {
		if p := recover(); p != nil {
			r.cb.Warning(fmt.Sprintf("internal error: %v", p))
			code = ExitUnknown
		}
	}()
	r.vm = vars.NewManager(opts.Inventory, opts.Templater)
	r.vm.Extra = opts.ExtraVars
	r.vm.HashMerge = opts.HashMerge
	r.vm.PlaybookDir = pb.Dir
	r.vm.PlaybookHostVars = opts.PlaybookHostVars
	r.vm.Omit = OmitToken
	r.vm.Options = r.optionVars()
	r.cb.PlaybookStart(pb.Path)
	defer r.closeConns()
	if opts.FactCacheDir != "" && opts.Inventory != nil {
		// Ansible reads the fact cache for every host whatever the
		// gathering policy: cached facts are in hostvars from the start.
		if hosts, err := opts.Inventory.Hosts("all"); err == nil {
			for _, h := range hosts {
				r.loadFactCache(h)
			}
		}
	}

	code = ExitOK
	for _, play := range pb.Plays {
		if ctx.Err() != nil {
			code = ExitInterrupted
			break
		}
		res, stop := r.runPlay(ctx, play)
		if err := r.fatalErr(); err != nil {
			if err.Error() != "" { // the debugger's quit says nothing more
				r.cb.Error(err.Error())
			}
			return exitCodeOf(err)
		}
		if r.stepEnded() {
			code = ExitFailedHosts
			break
		}
		if res == ExitError {
			code = ExitError
			break
		}
		if stop {
			break
		}
	}
	r.mu.Lock()
	st := &output.Stats{Hosts: r.stats, CheckMode: opts.Check, Custom: r.custom}
	anyUnreach, anyFailed := len(r.unreach) > 0, len(r.failed) > 0
	r.mu.Unlock()
	if code == ExitOK || code == ExitBreakPlay {
		switch {
		case anyUnreach:
			code = ExitUnreachable
		case anyFailed:
			code = ExitFailedHosts
		default:
			code = ExitOK
		}
	}
	if opts.RetryFilesEnabled && (anyFailed || anyUnreach) {
		r.writeRetry()
	}
	r.cb.Stats(st)
	return code
}

func (r *runner) optionVars() *value.Dict {
	o := r.opts
	tags := strList(o.Tags)
	if len(o.Tags) == 0 {
		tags = []any{"all"}
	}
	d := value.DictOf(
		"ansible_check_mode", o.Check,
		"ansible_diff_mode", o.Diff,
		"ansible_forks", o.Forks,
		"ansible_verbosity", o.Verbosity,
		"ansible_run_tags", tags,
		"ansible_skip_tags", strList(o.SkipTags),
		"ansible_version", vars.Version,
	)
	if o.Limit != "" {
		d.Set("ansible_limit", o.Limit)
	}
	return d
}

func strList(l []string) []any {
	out := make([]any, len(l))
	for i, s := range l {
		out[i] = s
	}
	return out
}

func (r *runner) stat(host string) *output.HostStats {
	s := r.stats[host]
	if s == nil {
		s = &output.HostStats{}
		r.stats[host] = s
	}
	return s
}

func (r *runner) writeRetry() {
	dir := r.opts.RetryFilesSavePath
	if dir == "" {
		dir = r.pb.Dir
	}
	base := strings.TrimSuffix(filepath.Base(r.pb.Path), filepath.Ext(r.pb.Path))
	var hosts []string
	r.mu.Lock()
	for h := range r.failed {
		hosts = append(hosts, h)
	}
	for h := range r.unreach {
		if !r.failed[h] {
			hosts = append(hosts, h)
		}
	}
	r.mu.Unlock()
	sort.Strings(hosts)
	file := filepath.Join(dir, base+".retry")
	if err := os.WriteFile(file, []byte(strings.Join(hosts, "\n")+"\n"), 0o644); err != nil {
		r.cb.Warning(fmt.Sprintf("Could not create retry file '%s'.\n\tThe error was: %v", file, err))
		return
	}
	r.cb.Verbose(0, "\tto retry, use: --limit @"+file+"\n")
}

func (r *runner) closeConns() {
	r.connMu.Lock()
	defer r.connMu.Unlock()
	for k, c := range r.conns {
		c.Close()
		delete(r.conns, k)
	}
}

// playHosts resolves the play's hosts pattern and order. The inventory
// applies --limit itself (the CLI restricts it before the run, reading
// @file limits such as retry files).
func (r *runner) playHosts(pattern string, order string) ([]string, error) {
	hosts, err := r.inv.Hosts(pattern)
	if err != nil {
		return nil, err
	}
	switch order {
	case "reverse_inventory":
		for i, j := 0, len(hosts)-1; i < j; i, j = i+1, j-1 {
			hosts[i], hosts[j] = hosts[j], hosts[i]
		}
	case "sorted":
		sort.Strings(hosts)
	case "reverse_sorted":
		sort.Sort(sort.Reverse(sort.StringSlice(hosts)))
	case "shuffle":
		rand.Shuffle(len(hosts), func(i, j int) { hosts[i], hosts[j] = hosts[j], hosts[i] })
	}
	return hosts, nil
}

// batches splits hosts by serial (numbers, "N%" strings, lists thereof).
func batches(hosts []string, serial []any) [][]string {
	if len(serial) == 0 {
		return [][]string{hosts}
	}
	total := len(hosts)
	var out [][]string
	cur := 0
	rest := append([]string(nil), hosts...)
	for len(rest) > 0 {
		n := pctToInt(serial[cur], total)
		if n <= 0 {
			out = append(out, rest)
			break
		}
		if n > len(rest) {
			n = len(rest)
		}
		out = append(out, rest[:n])
		rest = rest[n:]
		if cur < len(serial)-1 {
			cur++
		}
	}
	return out
}

func pctToInt(v any, total int) int {
	switch t := v.(type) {
	case int:
		return t
	case float64:
		return int(t)
	case string:
		s := strings.TrimSpace(t)
		if strings.HasSuffix(s, "%") {
			p, _ := strconv.Atoi(strings.TrimSuffix(s, "%"))
			n := int(float64(p) / 100.0 * float64(total))
			if n == 0 {
				n = 1
			}
			return n
		}
		n, _ := strconv.Atoi(s)
		return n
	}
	return 0
}
