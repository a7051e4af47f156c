package modules

import (
	"context"
	"fmt"
	"path"
	"regexp"
	"strings"
	"time"

	"octopus/engine/connection"
	"octopus/engine/pyfmt"
	"octopus/modules/internal/argspec"
	"octopus/modules/internal/remote"
)

func init() { Register(guarded(runFile), "file") }

// commonFileOptions are Ansible's add_file_common_args options.
var commonFileOptions = []argspec.Option{
	{Name: "mode", Type: "raw"},
	{Name: "owner"},
	{Name: "group"},
	{Name: "seuser"},
	{Name: "serole"},
	{Name: "selevel"},
	{Name: "setype"},
	{Name: "attributes", Aliases: []string{"attr"}},
	{Name: "unsafe_writes", Type: "bool", Default: false},
}

// withCommon appends commonFileOptions to a module's own options.
func withCommon(opts ...argspec.Option) []argspec.Option {
	return append(opts, commonFileOptions...)
}

var fileSpec = argspec.Spec{
	Module: "file",
	Options: withCommon(
		argspec.Option{Name: "state", Choices: []any{"absent", "directory", "file", "hard", "link", "touch"}},
		argspec.Option{Name: "path", Type: "path", Required: true, Aliases: []string{"dest", "name"}},
		argspec.Option{Name: "_original_basename"},
		argspec.Option{Name: "recurse", Type: "bool", Default: false},
		argspec.Option{Name: "force", Type: "bool", Default: false},
		argspec.Option{Name: "follow", Type: "bool", Default: true},
		argspec.Option{Name: "_diff_peek", Type: "bool"},
		argspec.Option{Name: "src", Type: "path"},
		argspec.Option{Name: "modification_time"},
		argspec.Option{Name: "modification_time_format", Default: "%Y%m%d%H%M.%S"},
		argspec.Option{Name: "access_time"},
		argspec.Option{Name: "access_time_format", Default: "%Y%m%d%H%M.%S"},
	),
}

// fileState is Ansible's get_state for a probed path.
func fileState(in *remote.Info) string {
	switch {
	case !in.Exists:
		return "absent"
	case in.L.Is(remote.ModeLink):
		return "link"
	case in.L.Is(remote.ModeDir):
		return "directory"
	case in.Follows && in.F.Nlink > 1:
		return "hard"
	}
	return "file"
}

// realState is get_state(realpath(path)) from the probe of path.
func realState(in *remote.Info) string {
	switch {
	case !in.Follows:
		return "absent"
	case in.F.Is(remote.ModeDir):
		return "directory"
	case in.F.Nlink > 1:
		return "hard"
	}
	return "file"
}

func initialDiff(p, state, prev string) map[string]any {
	before, after := map[string]any{"path": p}, map[string]any{"path": p}
	if prev != state {
		before["state"], after["state"] = prev, state
	}
	return map[string]any{"before": before, "after": after}
}

// fileRun carries one file-module invocation.
type fileRun struct {
	ctx    context.Context
	req    *Request
	p      argspec.Params
	want   remote.Attrs
	env    *remote.Env
	script []string // commands to run (not in check mode)
	warns  []any
	known  map[string]*remote.Info // probed paths, reused when nothing changes
}

// timestamp is a resolved modification_time/access_time: nil (preserve),
// "now", or seconds since the epoch.
type timestamp any

var strptimeRe = regexp.MustCompile(`%[a-zA-Z%]`)

// strptime parses s with a Python time format (numeric directives only)
// in local time, returning seconds as time.mktime would.
func strptime(s, format string) (float64, error) {
	vals := map[byte]int{'Y': 1900, 'm': 1, 'd': 1}
	i := 0
	for j := 0; j < len(format); j++ {
		c := format[j]
		if c != '%' || j+1 >= len(format) {
			if i >= len(s) || s[i] != c {
				return 0, fmt.Errorf("time data %s does not match format %s", pyfmt.Repr(s), pyfmt.Repr(format))
			}
			i++
			continue
		}
		j++
		d := format[j]
		width := 2
		switch d {
		case 'Y':
			width = 4
		case 'j':
			width = 3
		case 'y', 'm', 'd', 'H', 'M', 'S':
		case '%':
			if i >= len(s) || s[i] != '%' {
				return 0, fmt.Errorf("time data %s does not match format %s", pyfmt.Repr(s), pyfmt.Repr(format))
			}
			i++
			continue
		default:
			return 0, fmt.Errorf("unsupported directive %%%c", d)
		}
		n, k := 0, 0
		for k < width && i < len(s) && s[i] >= '0' && s[i] <= '9' {
			n = n*10 + int(s[i]-'0')
			i++
			k++
		}
		if k == 0 {
			return 0, fmt.Errorf("time data %s does not match format %s", pyfmt.Repr(s), pyfmt.Repr(format))
		}
		if d == 'y' {
			d = 'Y'
			if n < 69 {
				n += 2000
			} else {
				n += 1900
			}
		}
		vals[d] = n
	}
	if i != len(s) {
		return 0, fmt.Errorf("unconverted data remains: %s", s[i:])
	}
	t := time.Date(vals['Y'], time.Month(vals['m']), vals['d'], vals['H'], vals['M'], vals['S'], 0, time.Local)
	return float64(t.Unix()), nil
}

func (f *fileRun) timestamp(param, state string) (timestamp, error) {
	v := f.p.String(param)
	if !f.p.Set(param) {
		if state == "touch" {
			return "now", nil
		}
		return nil, nil
	}
	switch v {
	case "preserve":
		return nil, nil
	case "now":
		return "now", nil
	}
	format := f.p.String(param + "_format")
	t, err := strptime(v, format)
	if err != nil {
		return nil, fmt.Errorf("Error while obtaining timestamp for time %s using format %s: %s", v, format, err)
	}
	return t, nil
}

// setAttrs plans owner/group/mode for target (stat st) and records the diff.
func (f *fileRun) setAttrs(target string, st *remote.Stat, diff map[string]any) (bool, error) {
	c, err := remote.PlanAttrs(target, st, f.want, f.env)
	if err != nil {
		return false, err
	}
	if diff != nil {
		b, a := diff["before"].(map[string]any), diff["after"].(map[string]any)
		for k, v := range c.Before {
			b[k] = v
		}
		for k, v := range c.After {
			a[k] = v
		}
	}
	if c.Script != "" {
		f.script = append(f.script, c.Script)
	}
	return c.Changed, nil
}

// setTimes plans the utime call for target.
func (f *fileRun) setTimes(target string, st *remote.Stat, mtime, atime timestamp, diff map[string]any) bool {
	q := connection.ShellQuote(target)
	if mtime == "now" && atime == "now" {
		f.script = append(f.script, "touch -c -- "+q)
		if diff != nil {
			now := float64(time.Now().UnixNano()) / 1e9
			diff["before"].(map[string]any)["mtime"], diff["after"].(map[string]any)["mtime"] = st.Mtime, now
			diff["before"].(map[string]any)["atime"], diff["after"].(map[string]any)["atime"] = st.Atime, now
		}
		return true
	}
	if mtime == nil && atime == nil {
		return false
	}
	now := float64(time.Now().UnixNano()) / 1e9
	m, a := st.Mtime, st.Atime
	switch x := mtime.(type) {
	case float64:
		m = x
	case string:
		m = now
	}
	switch x := atime.(type) {
	case float64:
		a = x
	case string:
		a = now
	}
	if m == st.Mtime && a == st.Atime {
		return false
	}
	f.script = append(f.script, fmt.Sprintf("touch -c -m -d @%s -- %s && touch -c -a -d @%s -- %s", epoch(m), q, epoch(a), q))
	if diff != nil {
		if m != st.Mtime {
			diff["before"].(map[string]any)["mtime"], diff["after"].(map[string]any)["mtime"] = st.Mtime, m
		}
		if a != st.Atime {
			diff["before"].(map[string]any)["atime"], diff["after"].(map[string]any)["atime"] = st.Atime, a
		}
	}
	return true
}

func epoch(f float64) string { return fmt.Sprintf("%.9f", f) }

func runFile(ctx context.Context, req *Request) (Result, error) { return runFileProbed(ctx, req, nil) }

// probed is a probe result another module already holds for path (it must
// include the RealPath of a symlink and the owner/group lookups), saving a
// round trip.
type probed struct {
	path string
	in   *remote.Info
	env  *remote.Env
}

func runFileProbed(ctx context.Context, req *Request, pre *probed) (Result, error) {
	p, err := validate(&fileSpec, req)
	if err != nil {
		return argFail(err)
	}
	if err := expandUser(ctx, req, p, "path", "src"); err != nil {
		return nil, err
	}
	f := &fileRun{ctx: ctx, req: req, p: p}
	f.want = remote.Attrs{Owner: p.String("owner"), Group: p.String("group"), Mode: p["mode"]}
	users, groups := f.want.Names()
	pth := p.String("path")
	src := p.String("src")
	state := p.String("state")
	probe := func(pth string) (*remote.Info, *remote.Info, error) {
		if pre != nil && pre.path == pth && src == "" && !p.Bool("recurse") && state != "absent" {
			f.env = pre.env
			f.known = map[string]*remote.Info{pth: pre.in}
			return pre.in, &remote.Info{}, nil
		}
		paths := []string{pth, src}
		// only link and hard (and a state taken from a link) use the real
		// path of what is not a symlink
		opts := remote.Options{RealPath: state == "link" || state == "hard" || state == "", LinkRealPath: true,
			Users: users, Groups: groups, List: p.Bool("recurse") || state == "absent"}
		env, infos, err := target(req).Probe(ctx, paths, opts)
		if err != nil {
			return nil, nil, err
		}
		f.env = env
		f.known = map[string]*remote.Info{pth: infos[0]}
		if in := infos[0]; in.IsLink() && in.RealPath != "" {
			f.known[in.RealPath] = &remote.Info{Path: in.RealPath, Exists: in.Follows, Follows: in.Follows, L: in.F, F: in.F}
		}
		return infos[0], infos[1], nil
	}
	in, srcIn, err := probe(pth)
	if err != nil {
		return nil, err
	}
	if state != "link" && state != "absent" && in.IsDir() {
		base := p.String("_original_basename")
		if base == "" && src != "" {
			base = path.Base(src)
		}
		if base != "" {
			pth = path.Join(pth, base)
			if in, srcIn, err = probe(pth); err != nil {
				return nil, err
			}
		}
	}
	prev := fileState(in)
	if state == "" {
		switch {
		case prev != "absent":
			state = prev
		case p.Bool("recurse"):
			state = "directory"
		default:
			state = "file"
		}
	}
	p["state"], p["path"] = state, pth // Ansible's file module updates its params (invocation shows them)
	if p.Bool("recurse") && state != "directory" {
		return f.finish(Result{"failed": true, "msg": "recurse option requires state to be 'directory'", "path": pth}, in)
	}
	if src != "" && state != "link" && state != "hard" {
		return f.finish(Result{"failed": true, "msg": "src option requires state to be 'link' or 'hard'", "path": pth}, in)
	}
	if req.CheckMode && state != "absent" {
		for _, u := range users {
			if _, ok := f.env.UIDs[u]; !ok {
				f.warns = append(f.warns, fmt.Sprintf("failed to look up user %s. Create user up to this point in real play", u))
			}
		}
		for _, g := range groups {
			if _, ok := f.env.GIDs[g]; !ok {
				f.warns = append(f.warns, fmt.Sprintf("failed to look up group %s. Create group up to this point in real play", g))
			}
		}
	}
	mtime, err := f.timestamp("modification_time", state)
	if err == nil {
		var atime timestamp
		atime, err = f.timestamp("access_time", state)
		if err == nil {
			var r Result
			switch state {
			case "absent":
				r, err = f.absent(pth, in, prev)
			case "file":
				r, err = f.file(pth, in, prev, mtime, atime)
			case "directory":
				r, err = f.directory(pth, in, prev, mtime, atime)
			case "link":
				r, err = f.link(pth, src, in, prev, mtime, atime)
			case "hard":
				r, err = f.hard(pth, src, in, srcIn, prev, mtime, atime)
			case "touch":
				r, err = f.touch(pth, in, prev, mtime, atime)
			}
			if err == nil {
				return f.apply(r)
			}
		}
	}
	if fe, ok := err.(*fileError); ok {
		r := fe.r
		r["failed"] = true
		rp, _ := r["path"].(string)
		if rp == "" {
			rp, _ = r["dest"].(string)
		}
		if rp == in.Path {
			return f.finish(r, in)
		}
		return f.finish(r, nil)
	}
	return f.finish(Result{"failed": true, "msg": err.Error(), "path": pth}, nil)
}

// fileError carries a failure result (Ansible's AnsibleModuleError results).
type fileError struct{ r Result }

func (e *fileError) Error() string { return fmt.Sprint(e.r["msg"]) }

func attrFail(err error, pth string) error {
	switch e := err.(type) {
	case *remote.AttrLookupError:
		return &fileError{Result{"msg": e.Msg, "path": pth}}
	case *remote.ModeError:
		return &fileError{Result{"msg": e.Msg, "path": pth, "details": e.Details}}
	}
	return err
}

// apply runs the planned script (unless in check mode), then re-probes the
// result path for Ansible's add_path_info keys.
func (f *fileRun) apply(r Result) (Result, error) {
	rp, _ := r["path"].(string)
	if rp == "" {
		rp, _ = r["dest"].(string)
	}
	if in, ok := f.known[rp]; ok && (f.req.CheckMode || len(f.script) == 0) {
		return f.finish(r, in)
	}
	var script string
	if !f.req.CheckMode && len(f.script) > 0 {
		script = "{ " + strings.Join(f.script, " && \\\n") + "; } >&2 || { echo '@@OCTOPUS-FAIL@@'; exit 0; }\n"
	}
	res, err := target(f.req).Run(f.ctx, script+remote.ProbeScript([]string{rp}, remote.Options{}), nil)
	if err != nil {
		return nil, err
	}
	out := string(res.Stdout)
	if strings.HasPrefix(out, "@@OCTOPUS-FAIL@@") {
		msg := strings.TrimSpace(string(res.Stderr))
		return f.finish(Result{"failed": true, "msg": msg, "path": rp}, nil)
	}
	_, infos, err := remote.ParseProbe(out, []string{rp})
	if err != nil {
		return nil, err
	}
	return f.finish(r, infos[0])
}

func (f *fileRun) finish(r Result, in *remote.Info) (Result, error) {
	if _, ok := r["changed"]; !ok {
		r["changed"] = false
	}
	if in != nil {
		remote.PathInfo(r, in)
	}
	if len(f.warns) > 0 {
		r["warnings"] = f.warns
	}
	return r, nil
}

func (f *fileRun) absent(pth string, in *remote.Info, prev string) (Result, error) {
	if prev == "absent" {
		return Result{"path": pth, "changed": false, "state": "absent"}, nil
	}
	diff := initialDiff(pth, "absent", prev)
	q := connection.ShellQuote(pth)
	if prev == "directory" {
		diff["before"].(map[string]any)["path_content"] = walkList(pth, in.Tree)
		f.script = append(f.script, "rm -rf -- "+q)
	} else {
		f.script = append(f.script, "rm -f -- "+q)
	}
	return Result{"path": pth, "changed": true, "diff": diff, "state": "absent"}, nil
}

// walkList reproduces the directories/files lists Ansible builds with
// os.walk (top-down, each directory's entries before its subdirectories').
func walkList(root string, tree []remote.Entry) map[string]any {
	children := map[string][]remote.Entry{}
	for _, e := range tree {
		d := path.Dir(e.Path)
		children[d] = append(children[d], e)
	}
	dirs, files := []any{}, []any{}
	var visit func(d string)
	visit = func(d string) {
		var sub []string
		for _, e := range children[d] {
			isDir := e.L.Is(remote.ModeDir) || (e.L.Is(remote.ModeLink) && e.Target == remote.ModeDir)
			if isDir {
				dirs = append(dirs, e.Path)
				if e.L.Is(remote.ModeDir) {
					sub = append(sub, e.Path)
				}
			}
		}
		for _, e := range children[d] {
			isDir := e.L.Is(remote.ModeDir) || (e.L.Is(remote.ModeLink) && e.Target == remote.ModeDir)
			if !isDir {
				files = append(files, e.Path)
			}
		}
		for _, s := range sub {
			visit(s)
		}
	}
	visit(path.Clean(root))
	return map[string]any{"directories": dirs, "files": files}
}

func (f *fileRun) file(pth string, in *remote.Info, prev string, mtime, atime timestamp) (Result, error) {
	follow := f.p.Bool("follow")
	st := &in.L
	tgt := pth
	if prev != "file" && follow && prev == "link" {
		pth = in.RealPath
		tgt = pth
		prev = realState(in)
		st = &in.F
	}
	if prev != "file" && prev != "hard" {
		return nil, &fileError{Result{"msg": fmt.Sprintf("file (%s) is %s, cannot continue", pth, prev), "path": pth, "state": prev}}
	}
	diff := initialDiff(pth, "file", prev)
	changed, err := f.setAttrs(tgt, st, diff)
	if err != nil {
		return nil, attrFail(err, pth)
	}
	if f.setTimes(tgt, &in.F, mtime, atime, diff) {
		changed = true
	}
	return Result{"path": pth, "changed": changed, "diff": diff}, nil
}

func (f *fileRun) directory(pth string, in *remote.Info, prev string, mtime, atime timestamp) (Result, error) {
	follow := f.p.Bool("follow")
	st := &in.L
	if follow && prev == "link" {
		pth = in.RealPath
		prev = realState(in)
		st = &in.F
	}
	diff := initialDiff(pth, "directory", prev)
	if prev == "absent" {
		if f.req.CheckMode {
			return Result{"path": pth, "changed": true, "diff": diff}, nil
		}
		// Create each missing component and give it the requested attributes.
		newStat := remote.Stat{Mode: remote.ModeDir | (0o777 &^ f.env.Umask), UID: f.env.UID, GID: f.env.GID}
		var comps []string
		cur := ""
		for _, d := range strings.Split(strings.Trim(pth, "/"), "/") {
			cur = cur + "/" + d
			if !path.IsAbs(pth) {
				cur = strings.TrimLeft(cur, "/")
			}
			comps = append(comps, cur)
		}
		var attrScript string
		c, err := remote.PlanAttrs("$c", &newStat, f.want, f.env)
		if err != nil {
			return nil, attrFail(err, pth)
		}
		for k, v := range c.Before {
			diff["before"].(map[string]any)[k] = v
		}
		for k, v := range c.After {
			diff["after"].(map[string]any)[k] = v
		}
		attrScript = strings.ReplaceAll(c.Script, "'$c'", `"$c"`)
		if attrScript == "" {
			attrScript = ":"
		}
		var qs []string
		for _, c := range comps {
			qs = append(qs, connection.ShellQuote(c))
		}
		f.script = append(f.script, fmt.Sprintf(`for c in %s; do if [ ! -e "$c" ]; then mkdir -- "$c" 2>/dev/null || { e=$(mkdir -- "$c" 2>&1); echo "There was an issue creating $c as requested: ${e##*: }" >&2; exit 1; }; %s; fi; done`, strings.Join(qs, " "), attrScript))
		return Result{"path": pth, "changed": true, "diff": diff}, nil
	}
	if prev != "directory" {
		return nil, &fileError{Result{"msg": fmt.Sprintf("%s already exists as a %s", pth, prev), "path": pth}}
	}
	changed, err := f.setAttrs(pth, st, diff)
	if err != nil {
		return nil, attrFail(err, pth)
	}
	if f.setTimes(pth, &in.F, mtime, atime, diff) {
		changed = true
	}
	if f.p.Bool("recurse") {
		for i := range in.Tree {
			e := &in.Tree[i]
			c, err := f.setAttrs(e.Path, &e.L, nil)
			if err != nil {
				return nil, attrFail(err, e.Path)
			}
			if f.setTimes(e.Path, &e.L, mtime, atime, nil) {
				c = true
			}
			changed = changed || c
		}
	}
	return Result{"path": pth, "changed": changed, "diff": diff}, nil
}

func (f *fileRun) link(pth, src string, in *remote.Info, prev string, mtime, atime timestamp) (Result, error) {
	follow, force := f.p.Bool("follow"), f.p.Bool("force")
	srcSet := f.p.Set("src")
	if !srcSet && follow && in.Follows && in.IsLink() {
		src, srcSet = in.LinkTarget, true
	}
	// Probe the link source relative to the link's directory.
	rel := path.Dir(pth)
	if !in.IsLink() && in.IsDir() {
		rel = pth
	}
	var absrc string
	var absIn *remote.Info
	if srcSet {
		absrc = src
		if !path.IsAbs(src) {
			absrc = rel + "/" + src
		}
		_, infos, err := target(f.req).Probe(f.ctx, []string{absrc}, remote.Options{RealPath: true})
		if err != nil {
			return nil, err
		}
		absIn = infos[0]
		if !force && !absIn.Follows {
			return nil, &fileError{Result{"msg": "src file does not exist, use \"force=yes\" if you really want to create the link: " + absrc, "path": pth, "src": src}}
		}
	}
	switch {
	case prev == "directory":
		if !force {
			return nil, &fileError{Result{"msg": fmt.Sprintf("refusing to convert from %s to symlink for %s", prev, pth), "path": pth}}
		}
		if len(in.Tree) > 0 || f.dirNotEmpty(pth) {
			return nil, &fileError{Result{"msg": fmt.Sprintf("the directory %s is not empty, refusing to convert it", pth), "path": pth}}
		}
	case (prev == "file" || prev == "hard") && !force:
		return nil, &fileError{Result{"msg": fmt.Sprintf("refusing to convert from %s to symlink for %s", prev, pth), "path": pth}}
	}
	diff := initialDiff(pth, "link", prev)
	changed := false
	switch prev {
	case "hard", "file", "directory", "absent":
		if !srcSet {
			return nil, &fileError{Result{"msg": "src is required for creating new symlinks"}}
		}
		changed = true
	case "link":
		if srcSet && in.LinkTarget != src {
			diff["before"].(map[string]any)["src"] = in.LinkTarget
			diff["after"].(map[string]any)["src"] = src
			changed = true
		}
	}
	var srcVal any
	if srcSet {
		srcVal = src
	}
	q := connection.ShellQuote(pth)
	if changed {
		rm := ""
		if prev == "directory" {
			rm = "rmdir -- " + q + " && "
		}
		f.script = append(f.script, rm+lnScript("-s", src, pth, prev != "absent"))
	}
	// State of the path after the change, for attributes.
	existsAfter := in.Follows
	var tst *remote.Stat
	tgt := pth
	if changed {
		existsAfter = absIn != nil && absIn.Follows
		if follow {
			if absIn != nil {
				tst, tgt = &absIn.F, absIn.RealPath
			}
		} else {
			tst = &remote.Stat{Mode: remote.ModeLink | 0o777, UID: f.env.UID, GID: f.env.GID}
		}
	} else if follow {
		tst, tgt = &in.F, in.RealPath
	} else {
		tst = &in.L
	}
	if f.req.CheckMode && !in.Follows {
		return Result{"dest": pth, "src": srcVal, "changed": changed, "diff": diff}, nil
	}
	if follow && !existsAfter {
		f.warns = append(f.warns, "Cannot set fs attributes on a non-existent symlink target. follow should be set to False to avoid this.")
	} else if tst != nil {
		c, err := f.setAttrs(tgt, tst, diff)
		if err != nil {
			return nil, attrFail(err, pth)
		}
		if f.setTimes(tgt, tst, mtime, atime, diff) {
			c = true
		}
		changed = changed || c
	}
	return Result{"dest": pth, "src": srcVal, "changed": changed, "diff": diff}, nil
}

// dirNotEmpty is only consulted when the probe did not list the tree.
func (f *fileRun) dirNotEmpty(pth string) bool {
	res, err := target(f.req).Run(f.ctx, "ls -A -- "+connection.ShellQuote(pth), nil)
	return err == nil && strings.TrimSpace(string(res.Stdout)) != ""
}

func (f *fileRun) hard(pth, src string, in, srcIn *remote.Info, prev string, mtime, atime timestamp) (Result, error) {
	force := f.p.Bool("force")
	srcSet := f.p.Set("src")
	if prev != "hard" && !srcSet {
		return nil, &fileError{Result{"msg": "src is required for creating new hardlinks"}}
	}
	if srcSet && !srcIn.Follows {
		return nil, &fileError{Result{"msg": "src does not exist", "dest": pth, "src": src}}
	}
	diff := initialDiff(pth, "hard", prev)
	changed := false
	switch prev {
	case "absent":
		changed = true
	case "link":
		if in.LinkTarget != src {
			diff["before"].(map[string]any)["src"] = in.LinkTarget
			diff["after"].(map[string]any)["src"] = src
			changed = true
		}
	case "hard":
		if srcSet && in.F.Inode != srcIn.F.Inode {
			changed = true
			if !force {
				return nil, &fileError{Result{"msg": "Cannot link, different hard link exists at destination", "dest": pth, "src": src}}
			}
		}
	case "file":
		changed = true
		if !force {
			return nil, &fileError{Result{"msg": "Cannot link, file exists at destination", "dest": pth, "src": src}}
		}
	case "directory":
		changed = true
		if in.F.Inode == srcIn.F.Inode {
			return Result{"path": pth, "changed": false}, nil
		} else if !force {
			return nil, &fileError{Result{"msg": "Cannot link: different hard link exists at destination", "dest": pth, "src": src}}
		}
	}
	var srcVal any
	if srcSet {
		srcVal = src
	}
	if changed {
		f.script = append(f.script, lnScript("", src, pth, prev != "absent"))
	}
	if f.req.CheckMode && !in.Follows {
		return Result{"dest": pth, "src": srcVal, "changed": changed, "diff": diff}, nil
	}
	st, tgt := &in.L, pth
	if changed {
		st = &srcIn.F
	} else if f.p.Bool("follow") && in.IsLink() {
		st, tgt = &in.F, in.RealPath
	}
	c, err := f.setAttrs(tgt, st, diff)
	if err != nil {
		return nil, attrFail(err, pth)
	}
	if f.setTimes(tgt, st, mtime, atime, diff) {
		c = true
	}
	return Result{"dest": pth, "src": srcVal, "changed": changed || c, "diff": diff}, nil
}

func (f *fileRun) touch(pth string, in *remote.Info, prev string, mtime, atime timestamp) (Result, error) {
	r := Result{"dest": pth}
	changed := false
	st := in.F
	if prev == "absent" {
		if f.req.CheckMode {
			r["changed"] = true
			return r, nil
		}
		f.script = append(f.script, ": >> "+connection.ShellQuote(pth))
		changed = true
		st = remote.Stat{Mode: remote.ModeReg | (0o666 &^ f.env.Umask), UID: f.env.UID, GID: f.env.GID}
	}
	diff := initialDiff(pth, "touch", prev)
	tgt := pth
	lst := &in.L
	if prev == "absent" {
		lst = &st
	} else if f.p.Bool("follow") && in.IsLink() {
		tgt, lst = in.RealPath, &in.F
	}
	c, err := f.setAttrs(tgt, lst, diff)
	if err != nil {
		return nil, attrFail(err, pth)
	}
	if f.setTimes(tgt, &st, mtime, atime, diff) {
		c = true
	}
	r["changed"] = changed || c
	r["diff"] = diff
	return r, nil
}

// lnScript is the shell that links pth to src with ln and its flag opt ("-s"
// or ""). With replace, the link is made beside pth and moved over it.
func lnScript(opt, src, pth string, replace bool) string {
	ln := "ln"
	if opt != "" {
		ln += " " + opt
	}
	q := connection.ShellQuote(pth)
	if !replace {
		return fmt.Sprintf("%s -- %s %s", ln, connection.ShellQuote(src), q)
	}
	tmp := connection.ShellQuote(fmt.Sprintf("%s/.%d.%d.tmp", path.Dir(pth), time.Now().UnixNano()%100000, time.Now().Unix()))
	return fmt.Sprintf("%s -- %s %s && mv -fT -- %s %s", ln, connection.ShellQuote(src), tmp, tmp, q)
}
