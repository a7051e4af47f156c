// Package e2e holds octopus's differential end-to-end tests: every playbook of
// testdata/ runs over real SSH against throwaway fleet hosts (test/fleet),
// once with the real ansible-playbook and once with the octopus binary, and
// the exit codes, outputs, recaps and resulting files on the hosts must match.
package e2e

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"octopus/test/fleet"
)

// octopusBin is the "ansible-playbook" link to the octopus binary built by TestMain.
var octopusBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "octopus-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin := filepath.Join(dir, "octopus")
	cmd := exec.Command("go", "build", "-o", bin, "octopus/cmd/octopus")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if pre := os.Getenv("OCTOPUS_E2E_BIN"); pre != "" { // a prebuilt binary, for debugging
		cmd = exec.Command("cp", pre, bin)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	octopusBin = filepath.Join(dir, "ansible-playbook")
	if err := os.Symlink("octopus", octopusBin); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// side is one of the two implementations under comparison; each runs on its
// own half of the fleet, under the same logical host names.
type side struct {
	name  string       // "ansible" or "octopus"
	bin   string       // the ansible-playbook to run
	hosts []fleet.Host // physical host of logical host i (node{i+1})
}

// env is a fleet split in two halves, one per side.
type env struct {
	t     *testing.T
	f     *fleet.Fleet
	n     int // logical hosts
	sides [2]*side
}

// newEnv starts 2n fleet hosts: hs1..hsn serve ansible, hsn+1..hs2n octopus.
func newEnv(t *testing.T, n int) *env {
	t.Helper()
	if _, err := exec.LookPath("ansible-playbook"); err != nil {
		t.Skip("ansible-playbook not installed: the end-to-end tests compare with it")
	}
	if testing.Short() {
		t.Skip("end-to-end fleet tests take minutes: skipped with -short")
	}
	f := fleet.Start(t, 2*n, fleet.Options{})
	hs := f.Hosts()
	if len(hs) != 2*n {
		t.Fatalf("fleet has %d hosts, want %d", len(hs), 2*n)
	}
	e := &env{t: t, f: f, n: n}
	e.sides[0] = &side{name: "ansible", bin: "ansible-playbook", hosts: hs[:n]}
	e.sides[1] = &side{name: "octopus", bin: octopusBin, hosts: hs[n:]}
	return e
}

// logical is the inventory name of logical host i (0-based).
func logical(i int) string { return "node" + strconv.Itoa(i+1) }

// tcase is one playbook run on both sides and compared.
type tcase struct {
	name     string   // also the testdata directory holding site.yml
	args     []string // extra ansible-playbook arguments
	hostVars map[int]string
	// runs is how many times the playbook runs in a row (default 1); every
	// run is compared.
	runs int
	// paths are the host directories the playbook may touch (compared after
	// every run); default /srv/e2e/<name>.
	paths []string
	// before runs on each side before the first run (e.g. kill a host).
	before func(e *env, s *side) error
	// watch, when set, is called with every stdout line of the first run
	// while it runs (e.g. to cut a link mid-run).
	watch func(e *env, s *side, line string)
	// check runs after the comparison, with both sides' results.
	check func(t *testing.T, r [2][]result)
	// treeUnchanged: the host trees must be the same after the run as before.
	treeUnchanged bool
	// sshErrors blanks the ssh(1) error text inside UNREACHABLE messages:
	// after a link is cut, what ssh reports depends on timing (which of
	// the ControlPersist master, its keepalives or a new connect notices
	// first), in Ansible as in octopus.
	sshErrors bool
	// idempotent: every run after the first must report changed=0 on
	// every host, on both sides.
	idempotent bool
	skip       string
	// perHost compares, instead of the whole output, each host's own
	// sequence of task statuses and the recap: under strategy free the
	// banners and the interleaving of hosts depend on timing.
	perHost bool
	// runArgs[i] are extra arguments of run i only (after args).
	runArgs [][]string
	// env holds extra NAME=value settings for both sides (they override
	// the harness defaults).
	env []string
}

// result is what one run produced.
type result struct {
	stdout, stderr string
	code           int
	trees          []string // per logical host, normalised
	elapsed        time.Duration
}

// inventory writes the INI inventory of side s for case c into dir.
func (e *env) inventory(s *side, c *tcase, dir string) string {
	var b strings.Builder
	b.WriteString("[hs]\n")
	for i, h := range s.hosts {
		fmt.Fprintf(&b, "%s ansible_host=%s", logical(i), h.Addr)
		if v := c.hostVars[i]; v != "" {
			b.WriteString(" " + v)
		}
		b.WriteString("\n")
	}
	h := s.hosts[0]
	fmt.Fprintf(&b, "\n[hs:vars]\nansible_user=%s\nansible_ssh_private_key_file=%s\nansible_python_interpreter=/usr/bin/python3\n", h.User, h.KeyFile)
	p := filepath.Join(dir, "inventory.ini")
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		e.t.Fatal(err)
	}
	return p
}

// copyDir copies the case's testdata directory to dst.
func copyDir(src, dst string) error {
	return filepath.Walk(src, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		to := filepath.Join(dst, rel)
		if fi.IsDir() {
			return os.MkdirAll(to, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(to, data, fi.Mode().Perm())
	})
}

// runSide runs case c's playbook on side s in work dir dir.
func (e *env) runSide(s *side, c *tcase, run int, dir, inv string, watch func(string)) result {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	args := append([]string{"-i", inv, "site.yml"}, c.args...)
	if run < len(c.runArgs) {
		args = append(args, c.runArgs[run]...)
	}
	cmd := exec.CommandContext(ctx, s.bin, args...)
	cmd.Dir = dir
	cp := filepath.Join(dir, ".cp")
	os.MkdirAll(cp, 0o700)
	cmd.Env = append(os.Environ(),
		"ANSIBLE_HOST_KEY_CHECKING=False", "ANSIBLE_PIPELINING=True", "ANSIBLE_NOCOLOR=1",
		"ANSIBLE_NOCOWS=1", "ANSIBLE_RETRY_FILES_ENABLED=False", "ANSIBLE_FORKS=10",
		"ANSIBLE_LOCALHOST_WARNING=False", "ANSIBLE_INVENTORY_UNPARSED_WARNING=False",
		"ANSIBLE_SSH_CONTROL_PATH_DIR="+cp, "ANSIBLE_TIMEOUT=5",
		"ANSIBLE_SSH_ARGS=-o ControlMaster=auto -o ControlPersist=60s -o ServerAliveInterval=2 -o ServerAliveCountMax=2 -o UserKnownHostsFile=/dev/null",
		"ANSIBLE_CONFIG="+filepath.Join(dir, "ansible.cfg"),
		"ANSIBLE_LOCAL_TEMP="+filepath.Join(dir, ".tmp"),
	)
	cmd.Env = append(cmd.Env, c.env...)
	var so, se bytes.Buffer
	cmd.Stderr = &se
	pr, pw := io.Pipe()
	cmd.Stdout = io.MultiWriter(&so, pw) // so keeps the raw bytes (\r included)
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 1<<20), 1<<24)
		for sc.Scan() {
			if watch != nil {
				watch(sc.Text())
			}
		}
		io.Copy(io.Discard, pr)
	}()
	start := time.Now()
	err := cmd.Run()
	pw.Close()
	<-done
	r := result{stdout: so.String(), stderr: se.String(), elapsed: time.Since(start)}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	case err != nil:
		r.code = -1
		r.stderr += "\n" + err.Error()
	}
	return r
}

// treeScript lists every entry under the given paths with its type, mode,
// owner, group and content hash (or link target), one per line, sorted.
const treeScript = `for p in %s; do
  [ -e "$p" ] || { echo "$p ABSENT"; continue; }
  find "$p" -xdev -printf '%%p %%y %%m %%u %%g %%l\n' | while read -r f y m u g l; do
    h=; [ "$y" = f ] && h=$(sha256sum "$f" | cut -c1-16)
    echo "$f $y $m $u $g $l$h"
  done
done | sort`

// tree returns the normalised listing of paths on the physical host of logical host i.
func (e *env) tree(s *side, i int, paths []string) string {
	q := make([]string, len(paths))
	for k, p := range paths {
		q[k] = "'" + p + "'"
	}
	out, err := e.f.Exec(s.hosts[i].Name, fmt.Sprintf(treeScript, strings.Join(q, " ")))
	if err != nil {
		return "UNAVAILABLE (host down)" // a killed host cannot be inspected
	}
	return e.normHosts(s, out)
}

var reHostName = regexp.MustCompile(`\bhs\d+\b`)

// normHosts replaces the physical names and addresses of side s's hosts
// with logical ones.
func (e *env) normHosts(s *side, txt string) string {
	for i := len(s.hosts) - 1; i >= 0; i-- { // longest addresses first
		txt = replaceAddr(txt, s.hosts[i].Addr, "IP_"+logical(i))
	}
	return reHostName.ReplaceAllStringFunc(txt, func(m string) string {
		for i, h := range s.hosts {
			if h.Name == m {
				return logical(i)
			}
		}
		return m
	})
}

// replaceAddr replaces whole-word occurrences of IPv4 address a.
func replaceAddr(txt, a, to string) string {
	re := regexp.MustCompile(`(^|[^0-9.])` + regexp.QuoteMeta(a) + `($|[^0-9])`)
	for {
		n := re.ReplaceAllString(txt, "${1}"+to+"${2}")
		if n == txt {
			return n
		}
		txt = n
	}
}

var (
	reTimes   = regexp.MustCompile(`"(delta|start|end|stop)": "[^"]*"`)
	reRemTmp  = regexp.MustCompile(`/(root|home/\w+|tmp)/\.ansible/tmp/[^\s"',]*`)
	reAnsTmp  = regexp.MustCompile(`/ansible-local-[^/\s"',]+/tmp[^/\s"',]+`)
	reSrcTmp  = regexp.MustCompile(`"src": "[^"]*"`)
	reFileIDs = regexp.MustCompile(`"(mtime|atime|ctime|inode|dev)": [0-9.]+`) // per physical host
	reIncl    = regexp.MustCompile(`(?m)^(included: \S+ for )([^=\n]+?)( => .*)?$`)
	reEntry   = regexp.MustCompile(`^(ok|changed|skipping|fatal|failed|included|\.\.\.ignoring|FAILED - RETRYING|unreachable|ASYNC (OK|POLL|FAILED) on|node\d+ +: ok=)`)
	reJobID   = regexp.MustCompile(`\bj\d+\.\d+\b`) // async job ids
	// reImpl matches the -vvv lines that show how the implementation works
	// rather than what it does: its version banner, Python module files,
	// the ssh(1) command lines and raw module replies.
	reImpl = regexp.MustCompile(`^(<[^>\s]+> |Using module file |Pipelining is enabled\.|  (configured module search path|ansible python module location|ansible collection location|executable location|python version|jinja version|libyaml|octopus version) = )`)
)

// dropImpl removes the lines reImpl matches.
func dropImpl(out string) string {
	lines := strings.Split(out, "\n")
	keep := lines[:0]
	for _, l := range lines {
		if !reImpl.MatchString(l) {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}

// normOut makes a run's stdout comparable: host names and addresses made
// logical, the work dir and temp paths and timings blanked and, inside each
// banner section, the per-host entries sorted (hosts run in parallel).
func (e *env) normOut(s *side, out, dir string) string {
	out = e.normHosts(s, out)
	out = strings.ReplaceAll(out, dir, "DIR")
	out = reTimes.ReplaceAllString(out, `"$1": "X"`)
	out = reRemTmp.ReplaceAllString(out, "REMOTE_TMP")
	out = reAnsTmp.ReplaceAllString(out, "/ansible-local-RANDOM/tmpRANDOM")
	out = reSrcTmp.ReplaceAllString(out, `"src": "X"`)
	out = reFileIDs.ReplaceAllString(out, `"$1": X`)
	out = reJobID.ReplaceAllString(out, "JID")
	out = dropImpl(out)
	out = strings.Replace(out, "No config file found; using defaults\n", "", 1)
	out = reIncl.ReplaceAllStringFunc(out, func(m string) string {
		sub := reIncl.FindStringSubmatch(m)
		hs := strings.Split(sub[2], ", ")
		sort.Strings(hs)
		return sub[1] + strings.Join(hs, ", ") + sub[3]
	})
	return sortSections(out)
}

// sortSections sorts the host entries (with their continuation lines, and
// the --diff text printed before them) within every banner section, by
// their status line.
func sortSections(s string) string {
	var out, cur []string
	type entry struct{ key, text string }
	var entries []entry
	inDiff := false // cur is a diff still waiting for its status line
	flushEntry := func() {
		if len(cur) > 0 {
			key := cur[0]
			for _, l := range cur {
				if reEntry.MatchString(l) {
					key = l
					break
				}
			}
			entries = append(entries, entry{key, strings.Join(cur, "\n")})
			cur = nil
		}
		inDiff = false
	}
	flushSection := func() {
		flushEntry()
		sort.SliceStable(entries, func(i, j int) bool { return entries[i].key < entries[j].key })
		for _, e := range entries {
			out = append(out, e.text)
		}
		entries = nil
	}
	for _, l := range strings.Split(s, "\n") {
		switch {
		case strings.HasSuffix(l, "***") || l == "" && !inDiff || strings.HasPrefix(l, "\tto retry, use: "):
			flushSection()
			out = append(out, l)
		case strings.HasPrefix(l, "--- before") && !inDiff:
			flushEntry()
			cur = append(cur, l)
			inDiff = true
		case strings.HasPrefix(l, "...ignoring") && len(cur) > 0 && !strings.Contains(cur[0], "(item="):
			// belongs to the failure above it (after a loop, whose host
			// lines interleave, it names no host: it stays an entry alone)
			cur = append(cur, l)
		case reEntry.MatchString(l):
			if inDiff {
				cur = append(cur, l)
				inDiff = false
				continue
			}
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

var (
	reBanner = regexp.MustCompile(`^(TASK|RUNNING HANDLER|PLAY) \[(.*)\] \*+$`)
	reStatus = regexp.MustCompile(`^(ok|changed|skipping|fatal|failed|\.\.\.ignoring): \[([^\]]+)\]`)
	reRecap  = regexp.MustCompile(`^(\S+)\s+: (ok=.*)$`)
	reSSHErr = regexp.MustCompile(`(UNREACHABLE! => \{.*"msg": "(Failed to connect to the host via ssh: |Data could not be sent to remote host \\"[^"\\]*\\"\. Make sure this host can be reached over ssh: ))[^"]*"`)
)

// statuses extracts "TASK name: host=status ..." lines and the recap lines
// from a normalised output, for a focused first comparison.
func statuses(out string) []string {
	var res []string
	task := ""
	var cur []string
	flush := func() {
		if task != "" && len(cur) > 0 {
			sort.Strings(cur)
			res = append(res, task+": "+strings.Join(cur, " "))
		}
		cur = nil
	}
	for _, l := range strings.Split(out, "\n") {
		if m := reBanner.FindStringSubmatch(l); m != nil {
			flush()
			task = m[1] + " [" + m[2] + "]"
			continue
		}
		if m := reStatus.FindStringSubmatch(l); m != nil {
			cur = append(cur, m[2]+"="+m[1])
			continue
		}
		if m := reRecap.FindStringSubmatch(l); m != nil {
			flush()
			task = ""
			res = append(res, "RECAP "+m[1]+": "+strings.Join(strings.Fields(m[2]), " "))
		}
	}
	flush()
	return res
}

// hostSequences rewrites a normalised output as, for every host in name
// order, the "host: [task] status" lines of its entries in output order,
// then the recap lines.
func hostSequences(out string) string {
	seq := map[string][]string{}
	var recap []string
	task := ""
	for _, l := range strings.Split(out, "\n") {
		if m := reBanner.FindStringSubmatch(l); m != nil {
			task = m[1] + " [" + m[2] + "]"
			continue
		}
		if m := reStatus.FindStringSubmatch(l); m != nil {
			seq[m[2]] = append(seq[m[2]], m[2]+": "+task+" "+m[1])
			continue
		}
		if reRecap.MatchString(l) {
			recap = append(recap, l)
		}
	}
	hosts := make([]string, 0, len(seq))
	for h := range seq {
		hosts = append(hosts, h)
	}
	sort.Strings(hosts)
	var b []string
	for _, h := range hosts {
		b = append(b, seq[h]...)
	}
	return strings.Join(append(b, recap...), "\n")
}

// run runs every case on both sides (concurrently) and compares.
func (e *env) run(cases []tcase) {
	for i := range cases {
		c := &cases[i]
		e.t.Run(c.name, func(t *testing.T) {
			if c.skip != "" && os.Getenv("E2E_RUN_SKIPPED") == "" { // set it to check a fix
				t.Skip(c.skip)
			}
			e.runCase(t, c)
		})
	}
}

func (e *env) runCase(t *testing.T, c *tcase) {
	paths := c.paths
	if paths == nil {
		paths = []string{"/srv/e2e/" + c.name}
	}
	runs := c.runs
	if runs == 0 {
		runs = 1
	}
	src, _ := filepath.Abs(filepath.Join("testdata", c.name))
	var dirs [2]string
	var invs [2]string
	var befores [2][]string
	for k, s := range e.sides {
		dirs[k] = filepath.Join(t.TempDir(), "work")
		if err := copyDir(src, dirs[k]); err != nil {
			t.Fatal(err)
		}
		invs[k] = e.inventory(s, c, dirs[k])
		if c.before != nil {
			if err := c.before(e, s); err != nil {
				t.Fatalf("%s: before: %v", s.name, err)
			}
		}
		for i := 0; i < e.n; i++ {
			befores[k] = append(befores[k], e.tree(s, i, paths))
		}
	}
	var all [2][]result
	for run := 0; run < runs; run++ {
		var res [2]result
		var wg sync.WaitGroup
		for k, s := range e.sides {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var w func(string)
				if run == 0 && c.watch != nil {
					w = func(l string) { c.watch(e, s, l) }
				}
				res[k] = e.runSide(s, c, run, dirs[k], invs[k], w)
				for i := 0; i < e.n; i++ {
					res[k].trees = append(res[k].trees, e.tree(s, i, paths))
				}
			}()
		}
		wg.Wait()
		label := fmt.Sprintf("run %d", run+1)
		t.Logf("%s: ansible %v (exit %d), octopus %v (exit %d)", label,
			res[0].elapsed.Round(time.Millisecond), res[0].code, res[1].elapsed.Round(time.Millisecond), res[1].code)
		e.compare(t, label, c, res, dirs, befores)
		if c.idempotent && run > 0 {
			for k, s := range e.sides {
				for _, l := range statuses(e.normOut(s, res[k].stdout, dirs[k])) {
					if strings.HasPrefix(l, "RECAP ") && !strings.Contains(l, " changed=0 ") {
						t.Errorf("%s: %s is not idempotent: %s", label, s.name, l)
					}
				}
			}
		}
		all[0] = append(all[0], res[0])
		all[1] = append(all[1], res[1])
	}
	if c.check != nil {
		c.check(t, all)
	}
}

func (e *env) compare(t *testing.T, label string, c *tcase, res [2]result, dirs [2]string, befores [2][]string) {
	t.Helper()
	var outs [2]string
	for k, s := range e.sides {
		outs[k] = e.normOut(s, res[k].stdout, dirs[k])
		if c.sshErrors {
			outs[k] = reSSHErr.ReplaceAllString(outs[k], `${1}SSH_ERROR"`)
		}
	}
	if os.Getenv("E2E_DUMP") != "" {
		for k, s := range e.sides {
			os.WriteFile(filepath.Join("/tmp", "e2e-"+c.name+"-"+label[4:]+"-"+s.name+".out"), []byte(outs[k]+"\n--- stderr\n"+res[k].stderr+"\n--- trees\n"+strings.Join(res[k].trees, "\n")), 0o644)
		}
	}
	if res[0].code != res[1].code {
		t.Errorf("%s: exit code: ansible %d, octopus %d", label, res[0].code, res[1].code)
	}
	if c.perHost {
		outs[0], outs[1] = hostSequences(outs[0]), hostSequences(outs[1])
	}
	sa, so := statuses(outs[0]), statuses(outs[1])
	if d := lineDiff(strings.Join(sa, "\n"), strings.Join(so, "\n")); d != "" {
		t.Errorf("%s: task statuses and recap differ (- ansible, + octopus):\n%s", label, d)
	}
	if d := lineDiff(outs[0], outs[1]); d != "" {
		t.Errorf("%s: normalised stdout differs (- ansible, + octopus):\n%s\n--- octopus stderr:\n%s", label, d, res[1].stderr)
	}
	if d := lineDiff(e.normOut(e.sides[0], res[0].stderr, dirs[0]), e.normOut(e.sides[1], res[1].stderr, dirs[1])); d != "" {
		t.Errorf("%s: normalised stderr differs (- ansible, + octopus):\n%s", label, d)
	}
	for i := 0; i < e.n; i++ {
		if res[0].trees[i] != res[1].trees[i] {
			t.Errorf("%s: files on %s differ (- ansible, + octopus):\n%s", label, logical(i), lineDiff(res[0].trees[i], res[1].trees[i]))
		}
		if c.treeUnchanged {
			for k, s := range e.sides {
				if res[k].trees[i] != befores[k][i] {
					t.Errorf("%s: %s changed files on %s in check mode:\n%s", label, s.name, logical(i), lineDiff(befores[k][i], res[k].trees[i]))
				}
			}
		}
	}
}

// lineDiff is a small LCS line diff; "" when a == b.
func lineDiff(a, b string) string {
	if a == b {
		return ""
	}
	x, y := strings.Split(a, "\n"), strings.Split(b, "\n")
	n, m := len(x), len(y)
	if n*m > 4_000_000 {
		return fmt.Sprintf("(outputs too long to diff: %d vs %d lines)\n- %s\n+ %s", n, m, a, b)
	}
	l := make([][]int, n+1)
	for i := range l {
		l[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if x[i] == y[j] {
				l[i][j] = l[i+1][j+1] + 1
			} else {
				l[i][j] = max(l[i+1][j], l[i][j+1])
			}
		}
	}
	var b2 strings.Builder
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && x[i] == y[j]:
			b2.WriteString("  " + x[i] + "\n")
			i++
			j++
		case j < m && (i == n || l[i][j+1] >= l[i+1][j]):
			b2.WriteString("+ " + y[j] + "\n")
			j++
		default:
			b2.WriteString("- " + x[i] + "\n")
			i++
		}
	}
	return b2.String()
}
