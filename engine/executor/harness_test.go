package executor

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"octopus/engine/connection"
	"octopus/engine/connection/local"
	"octopus/engine/inventory"
	"octopus/engine/output"
	"octopus/engine/playbook"
	"octopus/engine/template"
	"octopus/engine/value"
	"octopus/internal/testutil"
)

// testInv adapts engine/inventory to the executor's Inventory (test only;
// the integrator owns the production adapter).
type testInv struct {
	mu    sync.Mutex
	inv   *inventory.Inventory
	src   []string
	dirs  []string
	cache map[string]*value.Dict
}

func newTestInv(t *testing.T, src, pbDir string) *testInv {
	inv, err := inventory.Load([]string{src})
	if err != nil {
		t.Fatal(err)
	}
	return &testInv{inv: inv, src: []string{src}, dirs: []string{pbDir}, cache: map[string]*value.Dict{}}
}

func (a *testInv) HostVars(host string) *value.Dict {
	a.mu.Lock()
	defer a.mu.Unlock()
	if d, ok := a.cache[host]; ok {
		return d
	}
	h := a.inv.Host(host)
	if h == nil {
		return nil
	}
	d, err := a.inv.HostVars(h, a.dirs)
	if err != nil {
		d = value.NewDict(0)
	}
	a.cache[host] = d
	return d
}

func (a *testInv) GroupNames(host string) []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	if h := a.inv.Host(host); h != nil {
		return h.GroupNames()
	}
	return nil
}

func (a *testInv) Groups() map[string][]string {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := map[string][]string{}
	for _, g := range a.inv.Groups() {
		var hs []string
		for _, h := range g.AllHosts() {
			hs = append(hs, h.Name)
		}
		out[g.Name] = hs
	}
	return out
}

func (a *testInv) GroupOrder() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []string
	for _, g := range a.inv.Groups() {
		out = append(out, g.Name)
	}
	return out
}

func (a *testInv) HasHost(host string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.inv.Host(host) != nil
}

func (a *testInv) Hosts(pattern string) ([]string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	hs, err := a.inv.Hosts(pattern)
	var out []string
	for _, h := range hs {
		out = append(out, h.Name)
	}
	return out, err
}

func (a *testInv) AddHost(name string, groups []string, vars *value.Dict) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.cache = map[string]*value.Dict{}
	if _, err := a.inv.AddHost(name, "all", 0, false); err != nil {
		return err
	}
	for _, g := range groups {
		a.inv.AddGroup(g)
		if _, err := a.inv.AddHost(name, g, 0, false); err != nil {
			return err
		}
	}
	for _, k := range vars.Keys() {
		v, _ := vars.Get(k)
		a.inv.SetVariable(name, k, v)
	}
	return nil
}

func (a *testInv) AddHostToGroup(host, group string, parents []string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.cache = map[string]*value.Dict{}
	a.inv.AddGroup(group)
	for _, p := range parents {
		a.inv.AddGroup(p)
		a.inv.AddChild(p, group)
	}
	_, err := a.inv.AddHost(host, group, 0, false)
	return err
}

func (a *testInv) Refresh() error { return nil }

type testLoader struct{ l *playbook.Loader }

func (t testLoader) LoadTasksFile(path string, role *playbook.Role) ([]*playbook.Block, error) {
	return t.l.LoadTasksFileIn(path, nil, role, false)
}

func (t testLoader) LoadRole(name string, o RoleOptions) (*playbook.Role, error) {
	return t.l.LoadRole(name, playbook.RoleOptions{TasksFrom: o.TasksFrom, VarsFrom: o.VarsFrom,
		DefaultsFrom: o.DefaultsFrom, HandlersFrom: o.HandlersFrom, BaseDir: o.PlaybookDir})
}

// runOctopus runs playbook file with the executor and the default callback.
func runOctopus(t *testing.T, file, inv string, args []string) (string, string, int) {
	t.Helper()
	abs, _ := filepath.Abs(file)
	lopts := playbook.LoadOptions{}
	pb, err := playbook.Load(abs, lopts)
	if err != nil {
		return "", "ERROR! " + err.Error(), 1
	}
	var out, errb bytes.Buffer
	d := &output.Display{Out: &out, Err: &errb, Columns: 79}
	opts := Options{
		Inventory: newTestInv(t, inv, pb.Dir),
		Templater: NewTemplater(template.New(template.Options{BaseDir: pb.Dir})),
		Loader:    testLoader{playbook.NewLoader(lopts)},
		Connect: func(ctx context.Context, host string, cv ConnVars) (connection.Conn, error) {
			if cv.Connection == "ssh" {
				return nil, &connection.UnreachableError{Host: host, Err: fmt.Errorf("ssh: connect to host %s port %d: Connection refused", cv.Address, cv.Port)}
			}
			return local.New(), nil
		},
		Forks: 5,
	}
	cbName := "default"
	customStats := false
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "--tags" || a == "-t":
			i++
			opts.Tags = append(opts.Tags, strings.Split(args[i], ",")...)
		case a == "--skip-tags":
			i++
			opts.SkipTags = append(opts.SkipTags, strings.Split(args[i], ",")...)
		case a == "--check" || a == "-C":
			opts.Check = true
		case a == "--diff" || a == "-D":
			opts.Diff = true
		case strings.HasPrefix(a, "-v"):
			opts.Verbosity = len(a) - 1
		case a == "--limit" || a == "-l":
			i++
			opts.Limit = args[i]
		case a == "--start-at-task":
			i++
			opts.StartAtTask = args[i]
		case a == "--force-handlers":
			opts.ForceHandlers = true
		case a == "-e":
			i++
			if opts.ExtraVars == nil {
				opts.ExtraVars = value.NewDict(1)
			}
			k, v, _ := strings.Cut(args[i], "=")
			opts.ExtraVars.Set(k, v)
		case a == "--callback":
			i++
			cbName = args[i]
		case a == "--color":
			d.Color = true
		case a == "--custom-stats":
			customStats = true
		case a == "--x-fact-cache":
			i++
			opts.FactCacheDir = args[i]
			opts.FactCacheTimeout = 86400
		case a == "--x-cache-timeout":
			i++
			fmt.Sscan(args[i], &opts.FactCacheTimeout)
		case a == "--x-gathering":
			i++
			opts.Gathering = args[i]
		case a == "--x-cache-prefix":
			i++
			opts.FactCachePrefix = args[i]
		}
	}
	d.Verbosity = opts.Verbosity
	if opts.Limit != "" {
		// the CLI restricts the inventory to --limit before the run
		if err := opts.Inventory.(*testInv).inv.SetLimit(opts.Limit); err != nil {
			t.Fatal(err)
		}
	}
	cb, err := output.New(cbName, d)
	if err != nil {
		t.Fatal(err)
	}
	if dc, ok := cb.(*output.Default); ok {
		dc.ShowCustom = customStats
	}
	opts.Callback = cb
	code := Run(context.Background(), pb, opts)
	return out.String(), errb.String(), code
}

// runAnsible runs the real ansible-playbook.
func runAnsible(t *testing.T, file, inv string, args []string) (string, string, int) {
	t.Helper()
	var cbName string
	var rest []string
	color, custom := false, false
	var extraEnv []string
	for i := 0; i < len(args); i++ {
		if args[i] == "--color" {
			color = true
			continue
		}
		if args[i] == "--custom-stats" {
			custom = true
			continue
		}
		if env, ok := xEnv[args[i]]; ok {
			extraEnv = append(extraEnv, env+"="+args[i+1])
			if args[i] == "--x-fact-cache" {
				extraEnv = append(extraEnv, "ANSIBLE_CACHE_PLUGIN=jsonfile")
			}
			i++
			continue
		}
		if args[i] == "--callback" {
			cbName = args[i+1]
			i++
			continue
		}
		rest = append(rest, args[i])
	}
	cmd := exec.Command("ansible-playbook", append([]string{"-i", inv, filepath.Base(file)}, rest...)...)
	cmd.Dir = filepath.Dir(file)
	cmd.Env = append(os.Environ(), "ANSIBLE_NOCOLOR=1", "ANSIBLE_NOCOWS=1", "ANSIBLE_RETRY_FILES_ENABLED=0",
		"ANSIBLE_FORKS=5", "ANSIBLE_HOST_KEY_CHECKING=0", "ANSIBLE_STDOUT_CALLBACK="+defaultStr(cbName, "default"),
		"ANSIBLE_LOCALHOST_WARNING=0", "ANSIBLE_INVENTORY_UNPARSED_WARNING=0", "ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3")
	cmd.Env = append(cmd.Env, extraEnv...)
	if custom {
		cmd.Env = append(cmd.Env, "ANSIBLE_SHOW_CUSTOM_STATS=1")
	}
	if color {
		cmd.Env = append(cmd.Env, "ANSIBLE_FORCE_COLOR=1")
		for i, e := range cmd.Env {
			if e == "ANSIBLE_NOCOLOR=1" {
				cmd.Env[i] = "ANSIBLE_NOCOLOR=0"
			}
		}
	}
	return testutil.Run(t, cmd)
}

// xEnv maps the harness's own options (settings ansible-playbook takes
// from its configuration only) to ansible's environment variables.
var xEnv = map[string]string{
	"--x-fact-cache":    "ANSIBLE_CACHE_PLUGIN_CONNECTION",
	"--x-cache-timeout": "ANSIBLE_CACHE_PLUGIN_TIMEOUT",
	"--x-gathering":     "ANSIBLE_GATHERING",
	"--x-cache-prefix":  "ANSIBLE_CACHE_PLUGIN_PREFIX",
}

func defaultStr(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

var (
	reTimes   = regexp.MustCompile(`"(delta|start|end|stop)": "[^"]*"`)
	reAfter   = regexp.MustCompile(`\+\+\+ after: \S*(tmp|ansible)\S*`)
	reJid     = regexp.MustCompile(`j\d{6,}\.\d+`)
	reJSONIDs = regexp.MustCompile(`"(id|path)": "[^"]*"`)
	reYTimes  = regexp.MustCompile(`(delta|start|end|stop): '[^']*'`)
	reIncl    = regexp.MustCompile(`(?m)^(included: \S+ for )([^=\n]+?)( => .*)?$`)
	reEntry   = regexp.MustCompile(`^(\x1b\[[0-9;]*m)?(ok|changed|skipping|fatal|failed|included|\.\.\.ignoring|FAILED - RETRYING|h\d \| )`)
)

// normOut makes outputs comparable: timings blanked and, inside each
// banner section, the per-host entries sorted (hosts run in parallel).
func normOut(s, dir string) string {
	s = reTimes.ReplaceAllString(s, `"$1": "X"`)
	s = reAfter.ReplaceAllString(s, "+++ after: TMP")
	s = reYTimes.ReplaceAllString(s, "$1: X")
	s = reJSONIDs.ReplaceAllString(s, `"$1": "X"`)
	s = reJid.ReplaceAllString(s, "jJID")
	s = strings.Replace(s, "No config file found; using defaults\n", "", 1)
	s = strings.ReplaceAll(s, dir, "DIR")
	s = reIncl.ReplaceAllStringFunc(s, func(m string) string {
		sub := reIncl.FindStringSubmatch(m)
		hs := strings.Split(sub[2], ", ")
		sort.Strings(hs)
		return sub[1] + strings.Join(hs, ", ") + sub[3]
	})
	lines := strings.Split(s, "\n")
	var out []string
	var entries []string
	var cur []string
	flushEntry := func() {
		if len(cur) > 0 {
			entries = append(entries, strings.Join(cur, "\n"))
			cur = nil
		}
	}
	flushSection := func() {
		flushEntry()
		sort.Strings(entries)
		out = append(out, entries...)
		entries = nil
	}
	for _, l := range lines {
		switch {
		case strings.HasSuffix(l, "***") || strings.HasPrefix(l, "PLAY RECAP") || l == "":
			flushSection()
			out = append(out, l)
		case reEntry.MatchString(l):
			flushEntry()
			cur = append(cur, l)
		default:
			if len(cur) == 0 {
				out = append(out, l)
			} else {
				cur = append(cur, l)
			}
		}
	}
	flushSection()
	return strings.Join(out, "\n")
}
