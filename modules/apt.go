package modules

import (
	"context"
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"

	"octopus/engine/connection"
	"octopus/engine/pyfmt"
	"octopus/modules/internal/argspec"
	"octopus/modules/internal/debver"
	"octopus/modules/internal/probe"
)

const aptDpkgOptions = "force-confdef,force-confold"

var aptSpec = argspec.Spec{
	Module: "apt",
	Options: []argspec.Option{
		{Name: "state", Default: "present", Choices: []any{"absent", "build-dep", "fixed", "latest", "present"}},
		{Name: "update_cache", Type: "bool", Aliases: []string{"update-cache"}},
		{Name: "update_cache_retries", Type: "int", Default: 5},
		{Name: "update_cache_retry_max_delay", Type: "int", Default: 12},
		{Name: "cache_valid_time", Type: "int", Default: 0},
		{Name: "purge", Type: "bool", Default: false},
		{Name: "package", Type: "list", Elements: "str", Aliases: []string{"pkg", "name"}},
		{Name: "deb", Type: "path"},
		{Name: "default_release", Aliases: []string{"default-release"}},
		{Name: "install_recommends", Type: "bool", Aliases: []string{"install-recommends"}},
		{Name: "force", Type: "bool", Default: false},
		{Name: "upgrade", Default: "no", Choices: []any{"dist", "full", "no", "safe", "yes"}},
		{Name: "dpkg_options", Default: aptDpkgOptions},
		{Name: "autoremove", Type: "bool", Default: false},
		{Name: "autoclean", Type: "bool", Default: false},
		{Name: "fail_on_autoremove", Type: "bool", Default: false},
		{Name: "policy_rc_d", Type: "int"},
		{Name: "only_upgrade", Type: "bool", Default: false},
		{Name: "force_apt_get", Type: "bool", Default: false},
		{Name: "clean", Type: "bool", Default: false},
		{Name: "allow_unauthenticated", Type: "bool", Default: false, Aliases: []string{"allow-unauthenticated"}},
		{Name: "allow_downgrade", Type: "bool", Default: false, Aliases: []string{"allow-downgrade", "allow_downgrades", "allow-downgrades"}},
		{Name: "allow_change_held_packages", Type: "bool", Default: false},
		{Name: "lock_timeout", Type: "int", Default: 60},
	},
	MutuallyExclusive: [][]string{{"deb", "package", "upgrade"}},
	RequiredOneOf:     [][]string{{"autoremove", "deb", "package", "update_cache", "upgrade"}},
}

func init() { Register(Func(runApt), "apt") }

// aptEnv is what Ansible's apt module exports for every command.
const aptEnv = "DEBIAN_FRONTEND=noninteractive DEBIAN_PRIORITY=critical LANG=C LC_ALL=C LC_MESSAGES=C LC_CTYPE=C; export DEBIAN_FRONTEND DEBIAN_PRIORITY LANG LC_ALL LC_MESSAGES LC_CTYPE\n"

// AptPolicy is one package's entry of `apt-cache policy`.
type AptPolicy struct {
	Installed string   // "" when none
	Candidate string   // "" when none
	Versions  []string // version table, newest first
}

var policyVersionRe = regexp.MustCompile(`^(?: \*\*\* |     )(\S+) (-?\d+)$`)

// ParseAptPolicy parses `apt-cache policy NAME...` output by package name.
func ParseAptPolicy(out string) map[string]*AptPolicy {
	m := map[string]*AptPolicy{}
	var cur *AptPolicy
	for _, line := range strings.Split(out, "\n") {
		if line == "" {
			continue
		}
		if line[0] != ' ' && strings.HasSuffix(line, ":") {
			cur = &AptPolicy{}
			m[strings.TrimSuffix(line, ":")] = cur
			continue
		}
		if cur == nil {
			continue
		}
		t := strings.TrimSpace(line)
		if v, ok := strings.CutPrefix(t, "Installed: "); ok {
			if v != "(none)" {
				cur.Installed = v
			}
			continue
		}
		if v, ok := strings.CutPrefix(t, "Candidate: "); ok {
			if v != "(none)" {
				cur.Candidate = v
			}
			continue
		}
		if mm := policyVersionRe.FindStringSubmatch(line); mm != nil {
			cur.Versions = append(cur.Versions, mm[1])
		}
	}
	return m
}

// DpkgStatus is one package's state from dpkg-query.
type DpkgStatus struct {
	Installed bool   // dpkg state "installed"
	HasFiles  bool   // files on disk (installed or config-files)
	Version   string // installed version
}

// ParseDpkgQuery parses `dpkg-query -W -f='${binary:Package}\t${db:Status-Abbrev}\t${Version}\t${Package}\n'`
// output, indexed by both the arch-qualified and the plain name.
func ParseDpkgQuery(out string) map[string]DpkgStatus {
	m := map[string]DpkgStatus{}
	for _, line := range strings.Split(out, "\n") {
		f := strings.Split(line, "\t")
		if len(f) < 4 {
			continue
		}
		abbrev := f[1] + "   "
		st := DpkgStatus{Installed: abbrev[1] == 'i', HasFiles: abbrev[1] != 'n', Version: f[2]}
		m[f[0]] = st
		if _, ok := m[f[3]]; !ok || st.Installed {
			m[f[3]] = st
		}
	}
	return m
}

// aptPkgSplit is Ansible's package_split: name, comparator ("=", ">=" or ""), version.
func aptPkgSplit(spec string) (string, string, string) {
	i := strings.Index(spec, "=")
	if i < 0 {
		return spec, "", ""
	}
	if i > 0 && spec[i-1] == '>' {
		return spec[:i-1], ">=", spec[i+1:]
	}
	return spec[:i], "=", spec[i+1:]
}

func aptFnmatch(pattern, s string) bool {
	ok, err := path.Match(strings.ReplaceAll(pattern, "[!", "[^"), s)
	return err == nil && ok
}

// aptPkgState is Ansible's package_status result.
type aptPkgState struct {
	installed, versionInstalled bool
	installable                 string // "" none, "\x00" (any: virtual package), or a version
	hasFiles                    bool
}

// aptStatus computes package_status from dpkg and policy data; virtual
// reports whether the name has no versions (a virtual or unknown package).
func aptStatus(name, cmp, version string, d map[string]DpkgStatus, pol map[string]*AptPolicy) (st aptPkgState, virtual bool) {
	p := pol[name]
	if p == nil || len(p.Versions) == 0 {
		return st, true
	}
	ds := d[name]
	st.hasFiles = ds.HasFiles
	st.installed = ds.Installed
	best := p.Candidate
	if cmp == "=" {
		best = ""
		for _, v := range p.Versions {
			if aptFnmatch(version, v) {
				best = v
				break
			}
		}
	}
	if !st.installed {
		st.installable = best
		return st, false
	}
	iv := ds.Version
	if iv == "" {
		iv = p.Installed
	}
	switch cmp {
	case "=":
		st.versionInstalled = aptFnmatch(version, iv)
		if best != "" && iv != best && aptFnmatch(version, best) {
			st.installable = best
		}
	case ">=":
		st.versionInstalled = debver.Compare(iv, version) >= 0
		if best != "" && iv != best && debver.Compare(best, version) >= 0 {
			st.installable = best
		}
	default:
		st.versionInstalled = true
		if best != "" && iv != best {
			st.installable = best
		}
	}
	return st, false
}

type aptRun struct {
	ctx      context.Context
	req      *Request
	p        argspec.Params
	aptGet   string
	aptitude string
	aptMark  string
	dpkgOpts string // expanded -o "Dpkg::Options::=--x" list
	cacheUpd bool
	cacheT   int64
}

func (a *aptRun) exec(script string) (*probe.Output, error) {
	return probe.Run(a.ctx, a.req.Conn, aptEnv+script, sysExecOpts(a.req))
}

// withLock adds the lock wait to an apt-get command line that is run (the
// reported command stays Ansible's).
func (a *aptRun) withLock(cmd string) string {
	if strings.HasPrefix(cmd, a.aptGet+" ") {
		return a.aptGet + fmt.Sprintf(" -o DPkg::Lock::Timeout=%d", a.p.Int("lock_timeout")) + cmd[len(a.aptGet):]
	}
	return cmd
}

// policyWrap surrounds a command with the policy-rc.d swap when asked.
func (a *aptRun) policyWrap(body string) string {
	if !a.p.Set("policy_rc_d") {
		return body
	}
	return fmt.Sprintf(`_pb=""
if [ -e /usr/sbin/policy-rc.d ]; then _pb=$(mktemp -d /tmp/ansibleXXXXXX) && mv /usr/sbin/policy-rc.d "$_pb/" || { S prc "Fail to move /usr/sbin/policy-rc.d to $_pb"; exit 0; }; fi
printf '#!/bin/sh\nexit %d\n' > /usr/sbin/policy-rc.d && chmod 0755 /usr/sbin/policy-rc.d || { S prc "Failed to create or chmod /usr/sbin/policy-rc.d"; exit 0; }
%s
if [ -n "$_pb" ]; then mv "$_pb/policy-rc.d" /usr/sbin/policy-rc.d && rmdir "$_pb" || S prc "Fail to move back $_pb/policy-rc.d to /usr/sbin/policy-rc.d"; else rm -f /usr/sbin/policy-rc.d || S prc "Fail to remove /usr/sbin/policy-rc.d (after package manipulation)"; fi
`, a.p.Int("policy_rc_d"), body)
}

// aptAct is the outcome of a script's "act" step (the apt command).
type aptAct struct {
	o           *probe.Output
	out, errOut string
	rc          int
}

// runAct runs script, whose "act" step is the apt command; a failed
// policy-rc.d step gives its failure Result instead.
func (a *aptRun) runAct(script string) (*aptAct, Result, error) {
	o, err := a.exec(script)
	if err != nil {
		return nil, nil, err
	}
	if f := a.policyFail(o); f != nil {
		return nil, f, nil
	}
	out, rc, _ := o.Cmd("act")
	return &aptAct{o: o, out: out, errOut: o.Stderr("act"), rc: rc}, nil, nil
}

func (a *aptRun) policyFail(o *probe.Output) Result {
	for _, s := range o.Sections {
		if s.Kind == "prc" {
			return Result{"failed": true, "msg": s.Name}
		}
	}
	return nil
}

func (a *aptRun) diff(out string) map[string]any {
	if !a.req.DiffMode {
		return map[string]any{}
	}
	return aptParseDiff(out)
}

// aptParseDiff is Ansible's parse_diff: the part of apt output between the
// dependency resolution and the summary line.
func aptParseDiff(out string) map[string]any {
	lines := pyfmt.SplitLines(out)
	start := -1
	for i, l := range lines {
		if l == "Resolving dependencies..." {
			start = i
			break
		}
	}
	if start < 0 {
		for i, l := range lines {
			if l == "Reading state information..." {
				start = i
				break
			}
		}
	}
	end := len(lines)
	re := regexp.MustCompile(`^[0-9]+ (packages )?upgraded`)
	for i, l := range lines {
		if re.MatchString(l) {
			end = i
			break
		}
	}
	start++
	end++
	if end > len(lines) {
		end = len(lines)
	}
	if start > end {
		start = end
	}
	return map[string]any{"prepared": strings.Join(lines[start:end], "\n")}
}

func sysResultLines(r Result) Result {
	for _, k := range []string{"stdout", "stderr"} {
		if s, ok := r[k].(string); ok {
			r[k+"_lines"] = pyfmt.SplitLinesAny(s)
		}
	}
	return r
}

func runApt(ctx context.Context, req *Request) (Result, error) {
	p, err := validateArgs(req, &aptSpec, "", req.Args)
	if err != nil {
		return Result{"failed": true, "msg": err.Error()}, nil
	}
	return Apt(ctx, req, p)
}

// Apt runs the apt module with validated parameters.
func Apt(ctx context.Context, req *Request, p argspec.Params) (Result, error) {
	a := &aptRun{ctx: ctx, req: req, p: p}
	var opts []string
	for _, o := range strings.Split(p.String("dpkg_options"), ",") {
		opts = append(opts, fmt.Sprintf(`-o "Dpkg::Options::=--%s"`, o))
	}
	a.dpkgOpts = strings.Join(opts, " ")
	upgradeMode := p.String("upgrade")
	if upgradeMode == "no" {
		upgradeMode = ""
		p["upgrade"] = nil // as Ansible's apt resets its param (invocation shows it)
	}
	pkgs := p.List("package")

	// ---- probe: tools, cache age (updating it when due), package states
	var s strings.Builder
	s.WriteString(`S bins; for x in apt-get aptitude apt-mark dpkg curl wget; do command -v $x; done
_mt(){ if [ -e /var/lib/apt/periodic/update-success-stamp ]; then stat -c %Y /var/lib/apt/periodic/update-success-stamp; elif [ -e /var/lib/apt/lists ]; then stat -c %Y /var/lib/apt/lists; else echo 0; fi; }
S mtime0; _mt
`)
	if p.Bool("clean") {
		s.WriteString("CE clean apt-get clean\n")
	}
	if p.Bool("update_cache") || p.Int("cache_valid_time") != 0 {
		fmt.Fprintf(&s, "if [ $(( $(_mt) + %d )) -lt $(date +%%s) ]; then S due\n", p.Int("cache_valid_time"))
		if !req.CheckMode {
			fmt.Fprintf(&s, `_i=0; _ok=0; _rnd=$(( $(od -An -N2 -tu2 /dev/urandom 2>/dev/null || echo 0) %% 1000 ))
while [ $_i -lt %[1]d ]; do
  CE upd apt-get -o DPkg::Lock::Timeout=%[3]d update -q
  if [ "$_r" = 0 ] && ! printf '%%s' "$_e" | grep -q '^\(E:\|W: Failed to fetch\|W: Some index files failed\)'; then _ok=1; break; fi
  _d=$(( 1 << _i )); [ $_d -gt %[2]d ] && _d=%[2]d
  sleep "$_d.$(printf '%%03d' $_rnd)" 2>/dev/null || sleep "$_d"
  _i=$((_i+1))
done
[ $_ok = 1 ] || S updfail
`, p.Int("update_cache_retries"), p.Int("update_cache_retry_max_delay"), p.Int("lock_timeout"))
		}
		s.WriteString("fi\nS mtime1; _mt\n")
	}
	// names to query: plain names, wildcard expansions, deb dependencies
	names := map[string]bool{}
	var plain []string
	var patterns []string
	for _, x := range pkgs {
		x = strings.TrimSpace(x)
		if x == "*" || x == "" {
			continue
		}
		n, _, _ := aptPkgSplit(x)
		if strings.ContainsAny(n, "*?[]!") {
			patterns = append(patterns, n)
			continue
		}
		if !names[n] {
			names[n] = true
			plain = append(plain, n)
		}
	}
	s.WriteString("set --")
	for _, n := range plain {
		s.WriteString(" " + connection.ShellQuote(n))
	}
	s.WriteString("\n")
	if len(patterns) > 0 {
		s.WriteString("_pk=$(apt-cache pkgnames 2>/dev/null | sort)\n")
		for i, pat := range patterns {
			filter := ""
			if !strings.Contains(pat, ":") {
				filter = "*:*) ;; "
			}
			fmt.Fprintf(&s, "S expand %d\n_x=$(printf '%%s\\n' \"$_pk\" | while IFS= read -r n; do case \"$n\" in %s%s) echo \"$n\";; esac; done)\nprintf '%%s\\n' \"$_x\"; set -- \"$@\" $_x\n", i, filter, shellGlob(pat))
		}
	}
	if p.Set("deb") {
		deb := p.String("deb")
		if p.String("state") != "present" {
			return Result{"failed": true, "msg": "deb only supports state=present"}, nil
		}
		if strings.Contains(deb, "://") {
			tmp, _, msg, err := TargetFetch(ctx, req, deb, true, true)
			if err != nil {
				return nil, err
			}
			if tmp == "" {
				return Result{"failed": true, "msg": fmt.Sprintf("Failure downloading %s, %s", deb, msg)}, nil
			}
			deb = tmp
			p["deb"] = tmp // the downloaded file, as Ansible's apt records it
		}
		fmt.Fprintf(&s, "_deb=%s\nS debpath; printf '%%s' \"$_deb\"\nS debexists; [ -e \"$_deb\" ] && echo yes\n", connection.ShellQuote(deb))
		s.WriteString("for _f in Package Version Architecture Depends Pre-Depends; do CE \"deb:$_f\" dpkg --field \"$_deb\" \"$_f\"; done\nS arches; dpkg --print-foreign-architectures 2>/dev/null\n")
		s.WriteString("_dn=$(dpkg --field \"$_deb\" Package 2>/dev/null); _dd=$(dpkg --field \"$_deb\" Pre-Depends Depends 2>/dev/null | sed 's/^[A-Za-z-]*: //' | tr ',|' '\\n\\n' | sed 's/(.*//; s/ //g' | grep -v '^$')\nset -- \"$@\" $_dn $_dd\n")
	}
	defRel := ""
	if r := p.String("default_release"); r != "" {
		defRel = " -o APT::Default-Release=" + connection.ShellQuote(r)
	}
	s.WriteString("if [ $# -gt 0 ]; then\n")
	s.WriteString("C dpkg dpkg-query -W -f='${binary:Package}\\t${db:Status-Abbrev}\\t${Version}\\t${Package}\\n' -- \"$@\"\n")
	fmt.Fprintf(&s, "C policy apt-cache%s policy -- \"$@\"\nC auto apt-mark showauto \"$@\"\nfi\n", defRel)
	o, err := a.exec(s.String())
	if err != nil {
		return nil, err
	}
	bins := map[string]string{}
	for _, l := range o.Lines("bins") {
		bins[l[strings.LastIndexByte(l, '/')+1:]] = l
	}
	a.aptGet, a.aptitude, a.aptMark = bins["apt-get"], bins["aptitude"], bins["apt-mark"]
	if a.aptGet == "" {
		a.aptGet = "apt-get"
	}
	if p.Bool("clean") {
		cout, crc, _ := o.Cmd("clean")
		cerr := o.Stderr("clean")
		if crc != 0 {
			return Result{"failed": true, "msg": "apt-get clean failed", "stdout": cout, "rc": crc}, nil
		}
		if cerr != "" {
			return Result{"failed": true, "msg": "apt-get clean failed: " + cerr, "stdout": cout, "rc": crc}, nil
		}
		if len(pkgs) == 0 && upgradeMode == "" && !p.Set("deb") {
			return sysResultLines(Result{"changed": true, "msg": cout, "stdout": cout, "stderr": cerr}), nil
		}
	}
	mt0, _ := strconv.ParseInt(strings.TrimSpace(o.Section("mtime0")), 10, 64)
	a.cacheT = mt0
	if p.Bool("update_cache") || p.Int("cache_valid_time") != 0 {
		if _, due := o.Find("due"); due {
			if _, failed := o.Find("updfail"); failed {
				return Result{"failed": true, "msg": "Failed to update apt cache: " + aptUpdateError(o.Stderr("upd"))}, nil
			}
			mt1, _ := strconv.ParseInt(strings.TrimSpace(o.Section("mtime1")), 10, 64)
			a.cacheUpd = req.CheckMode || mt1 != mt0
			a.cacheT = mt1
		}
		if len(pkgs) == 0 && upgradeMode == "" && !p.Set("deb") {
			return Result{"changed": a.cacheUpd, "cache_updated": a.cacheUpd, "cache_update_time": a.cacheT}, nil
		}
	}
	if upgradeMode != "" {
		return a.upgrade(upgradeMode)
	}
	dpkgSt := map[string]DpkgStatus{}
	pol := map[string]*AptPolicy{}
	if out, _, ok := o.Cmd("dpkg"); ok {
		dpkgSt = ParseDpkgQuery(out)
	}
	if out, _, ok := o.Cmd("policy"); ok {
		pol = ParseAptPolicy(out)
	}
	auto := map[string]bool{}
	if out, _, ok := o.Cmd("auto"); ok {
		for _, l := range strings.Fields(out) {
			auto[l] = true
		}
	}
	if p.Set("deb") {
		if p.String("state") != "present" {
			return Result{"failed": true, "msg": "deb only supports state=present"}, nil
		}
		return a.installDeb(o, dpkgSt, pol, auto)
	}
	// expand wildcard names
	var specs []string
	all := false
	pi := 0
	for _, x := range pkgs {
		if x == "*" {
			all = true
			continue
		}
		x = strings.TrimSpace(x)
		n, _, _ := aptPkgSplit(x)
		if strings.ContainsAny(n, "*?[]!") {
			var found []string
			for _, l := range strings.Split(o.Section(fmt.Sprintf("expand %d", pi)), "\n") {
				if l != "" {
					found = append(found, l)
				}
			}
			pi++
			if len(found) == 0 {
				return Result{"failed": true, "msg": fmt.Sprintf("No package(s) matching '%s' available", n)}, nil
			}
			specs = append(specs, found...)
			continue
		}
		specs = append(specs, x)
	}
	state := p.String("state")
	if state == "latest" && all {
		if len(specs) > 0 {
			return Result{"failed": true, "msg": "unable to install additional packages when upgrading all installed packages"}, nil
		}
		return a.upgrade("yes")
	}
	for _, x := range specs {
		if strings.Count(x, "=") > 1 {
			return Result{"failed": true, "msg": "invalid package spec: " + x}, nil
		}
	}
	if len(specs) == 0 {
		if p.Bool("autoclean") {
			return a.cleanup("autoclean")
		}
		if p.Bool("autoremove") {
			return a.cleanup("autoremove")
		}
	}
	if state == "absent" {
		return a.remove(specs, dpkgSt, pol)
	}
	res, err := a.install(specs, dpkgSt, pol, auto, state)
	if err != nil || res == nil {
		return res, err
	}
	res["cache_updated"] = a.cacheUpd
	res["cache_update_time"] = a.cacheT
	return res, nil
}

// shellGlob renders a package-name pattern for a shell `case` (same
// wildcards as fnmatch); other characters are quoted.
func shellGlob(pat string) string {
	var b strings.Builder
	inClass := false
	for _, r := range pat {
		switch {
		case r == '[':
			inClass = true
			b.WriteRune(r)
		case r == ']':
			inClass = false
			b.WriteRune(r)
		case r == '*' || r == '?' || (r == '!' && inClass):
			b.WriteRune(r)
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '+', r == ':', r == '_':
			b.WriteRune(r)
		default:
			b.WriteString(`\` + string(r))
		}
	}
	return b.String()
}

func aptUpdateError(stderr string) string {
	var errs []string
	for _, l := range pyfmt.SplitLines(stderr) {
		if strings.HasPrefix(l, "E:") || strings.HasPrefix(l, "W: Failed to fetch") || strings.HasPrefix(l, "Err:") {
			errs = append(errs, l)
		}
	}
	if len(errs) == 0 {
		return "unknown reason"
	}
	return strings.Join(errs, ", ")
}

func (a *aptRun) upgrade(mode string) (Result, error) {
	p := a.p
	useAptGet := p.Bool("force_apt_get") || a.aptitude == ""
	autoremove := flagIf(p.Bool("autoremove"), "--auto-remove")
	check := flagIf(a.req.CheckMode, "--simulate")
	var cmdName, cmdPath, sub string
	switch {
	case mode == "dist" || (mode == "full" && useAptGet):
		cmdName, cmdPath, sub = "apt-get", a.aptGet, "dist-upgrade "+autoremove
	case mode == "full":
		cmdName, cmdPath, sub = "aptitude", a.aptitude, "full-upgrade"
	case useAptGet:
		cmdName, cmdPath, sub = "apt-get", a.aptGet, "upgrade --with-new-pkgs "+autoremove
	default:
		cmdName, cmdPath, sub = "aptitude", a.aptitude, "safe-upgrade"
	}
	force := ""
	if p.Bool("force") {
		if cmdName == "apt-get" {
			force = "--force-yes"
		} else {
			force = "--assume-yes --allow-untrusted"
		}
	}
	noRemove := flagIf(p.Bool("fail_on_autoremove"), "--no-remove")
	unauth := flagIf(p.Bool("allow_unauthenticated"), "--allow-unauthenticated")
	down := flagIf(p.Bool("allow_downgrade"), "--allow-downgrades")
	cmd := fmt.Sprintf("%s -y %s %s %s %s %s %s %s", cmdPath, a.dpkgOpts, force, noRemove, unauth, down, check, sub)
	if r := p.String("default_release"); r != "" {
		cmd += fmt.Sprintf(" -t '%s'", r)
	}
	run := a.withLock(cmd)
	if cmdName == "aptitude" {
		run = "yes '' | " + run // answer aptitude's prompts with their defaults
	}
	act, fail, err := a.runAct(a.policyWrap("CE act " + run + "\n"))
	if err != nil || fail != nil {
		return fail, err
	}
	out, rc, errOut := act.out, act.rc, act.errOut
	if rc != 0 {
		return sysResultLines(Result{"failed": true, "msg": fmt.Sprintf("'%s %s' failed: %s", cmdName, sub, errOut), "stdout": out, "rc": rc}), nil
	}
	zero := "\n0 upgraded, 0 newly installed"
	if cmdName == "aptitude" {
		zero = "\n0 packages upgraded, 0 newly installed"
	}
	if strings.Contains(out, zero) {
		return sysResultLines(Result{"changed": false, "msg": out, "stdout": out, "stderr": errOut}), nil
	}
	return sysResultLines(Result{"changed": true, "msg": out, "stdout": out, "stderr": errOut, "diff": a.diff(out)}), nil
}

func (a *aptRun) cleanup(op string) (Result, error) {
	p := a.p
	force := flagIf(p.Bool("force"), "--force-yes")
	purge := flagIf(p.Bool("purge"), "--purge")
	check := flagIf(a.req.CheckMode, "--simulate")
	cmd := fmt.Sprintf("%s -y %s %s %s %s %s", a.aptGet, a.dpkgOpts, purge, force, op, check)
	act, fail, err := a.runAct(a.policyWrap("CE act " + a.withLock(cmd) + "\n"))
	if err != nil || fail != nil {
		return fail, err
	}
	out, rc, errOut := act.out, act.rc, act.errOut
	if rc != 0 {
		return sysResultLines(Result{"failed": true, "msg": fmt.Sprintf("'apt-get %s' failed: %s", op, errOut), "stdout": out, "stderr": errOut, "rc": rc}), nil
	}
	marker := map[string]string{"autoremove": "The following packages will be REMOVED", "autoclean": "Del "}[op]
	return sysResultLines(Result{"changed": strings.Contains(out, marker), "stdout": out, "stderr": errOut, "diff": a.diff(out)}), nil
}

func (a *aptRun) remove(specs []string, d map[string]DpkgStatus, pol map[string]*AptPolicy) (Result, error) {
	p := a.p
	var list []string
	for _, x := range specs {
		n, cmp, v := aptPkgSplit(x)
		st, _ := aptStatus(n, cmp, v, d, pol)
		if st.versionInstalled || (st.hasFiles && p.Bool("purge")) {
			list = append(list, "'"+x+"'")
		}
	}
	if len(list) == 0 {
		return Result{"changed": false}, nil
	}
	packages := strings.Join(list, " ")
	force := flagIf(p.Bool("force"), "--force-yes")
	purge := flagIf(p.Bool("purge"), "--purge")
	autoremove := flagIf(p.Bool("autoremove"), "--auto-remove")
	check := flagIf(a.req.CheckMode, "--simulate")
	cmd := fmt.Sprintf("%s -q -y %s %s %s %s %s remove %s", a.aptGet, a.dpkgOpts, purge, force, autoremove, check, packages)
	act, fail, err := a.runAct(a.policyWrap("CE act " + a.withLock(cmd) + "\n"))
	if err != nil || fail != nil {
		return fail, err
	}
	out, rc, errOut := act.out, act.rc, act.errOut
	if rc != 0 {
		return sysResultLines(Result{"failed": true, "msg": fmt.Sprintf("'apt-get remove %s' failed: %s", packages, errOut), "stdout": out, "stderr": errOut, "rc": rc}), nil
	}
	return sysResultLines(Result{"changed": true, "stdout": out, "stderr": errOut, "diff": a.diff(out)}), nil
}

// AptPlan is what install would pass to apt-get, or why it cannot.
type AptPlan struct {
	List  []string // quoted specs for apt-get ("'name=ver'")
	Names []string // package names, for apt-mark manual
	Fail  string   // Ansible's message when a package has no candidate
	Virt  []string // names without versions (virtual or unknown) to resolve
}

// PlanAptInstall is the decision part of Ansible's install(): which
// packages need apt-get, at which version.
func PlanAptInstall(specs []string, d map[string]DpkgStatus, pol map[string]*AptPolicy, upgrade, onlyUpgrade, buildDep bool, providers map[string][]string) AptPlan {
	var plan AptPlan
	for _, x := range specs {
		if buildDep {
			plan.List = append(plan.List, "'"+x+"'")
			continue
		}
		n, cmp, v := aptPkgSplit(x)
		plan.Names = append(plan.Names, n)
		st, virtual := aptStatus(n, cmp, v, d, pol)
		if virtual {
			prov, known := providers[n]
			if !known {
				plan.Virt = append(plan.Virt, n)
				continue
			}
			if len(prov) == 0 {
				plan.Fail = fmt.Sprintf("No package matching '%s' is available", n)
				return plan
			}
			st = aptPkgState{installable: "\x00"}
			if len(prov) == 1 {
				if ps, _ := aptStatus(prov[0], cmp, v, d, pol); ps.installed {
					st = ps
				}
			}
		}
		if !st.installed && onlyUpgrade {
			continue
		}
		if !st.versionInstalled && st.installable == "" {
			plan.Fail = "no available installation candidate for " + x
			return plan
		}
		if st.installable != "" && ((!st.installed && !onlyUpgrade) || upgrade || !st.versionInstalled) {
			switch {
			case st.installable != "\x00":
				plan.List = append(plan.List, fmt.Sprintf("'%s=%s'", n, st.installable))
			case v != "":
				plan.List = append(plan.List, fmt.Sprintf("'%s=%s'", n, v))
			default:
				plan.List = append(plan.List, fmt.Sprintf("'%s'", n))
			}
		} else if st.versionInstalled && st.installable != "" && cmp == "=" {
			plan.List = append(plan.List, fmt.Sprintf("'%s=%s'", n, v))
		}
	}
	return plan
}

// ParseReverseProvides reads the "Reverse Provides:" section of `apt-cache showpkg`.
func ParseReverseProvides(out string) []string {
	_, rest, ok := strings.Cut(out, "Reverse Provides: \n")
	if !ok {
		_, rest, ok = strings.Cut(out, "Reverse Provides:\n")
	}
	seen := map[string]bool{}
	var prov []string
	if !ok {
		return prov
	}
	for _, l := range strings.Split(rest, "\n") {
		f := strings.Fields(l)
		if len(f) == 0 {
			break
		}
		if !seen[f[0]] {
			seen[f[0]] = true
			prov = append(prov, f[0])
		}
	}
	return prov
}

func (a *aptRun) install(specs []string, d map[string]DpkgStatus, pol map[string]*AptPolicy, auto map[string]bool, state string) (Result, error) {
	p := a.p
	buildDep := state == "build-dep"
	providers := map[string][]string{}
	plan := PlanAptInstall(specs, d, pol, state == "latest", p.Bool("only_upgrade"), buildDep, providers)
	if len(plan.Virt) > 0 && plan.Fail == "" {
		// names without versions: learn their providers (and the providers' states)
		var s strings.Builder
		for i, n := range plan.Virt {
			fmt.Fprintf(&s, "C prov%d apt-cache showpkg %s\n", i, connection.ShellQuote(n))
		}
		o, err := a.exec(s.String())
		if err != nil {
			return nil, err
		}
		var provNames []string
		for i, n := range plan.Virt {
			out, _, _ := o.Cmd(fmt.Sprintf("prov%d", i))
			providers[n] = ParseReverseProvides(out)
			if len(providers[n]) == 1 {
				provNames = append(provNames, providers[n][0])
			}
		}
		if len(provNames) > 0 {
			var q []string
			for _, n := range provNames {
				q = append(q, connection.ShellQuote(n))
			}
			o2, err := a.exec(fmt.Sprintf("C dpkg dpkg-query -W -f='${binary:Package}\\t${db:Status-Abbrev}\\t${Version}\\t${Package}\\n' -- %[1]s\nC policy apt-cache policy -- %[1]s\n", strings.Join(q, " ")))
			if err != nil {
				return nil, err
			}
			out, _, _ := o2.Cmd("dpkg")
			for k, v := range ParseDpkgQuery(out) {
				d[k] = v
			}
			out, _, _ = o2.Cmd("policy")
			for k, v := range ParseAptPolicy(out) {
				pol[k] = v
			}
		}
		plan = PlanAptInstall(specs, d, pol, state == "latest", p.Bool("only_upgrade"), buildDep, providers)
	}
	if plan.Fail != "" {
		return Result{"failed": true, "msg": plan.Fail, "cache_updated": a.cacheUpd, "cache_update_time": a.cacheT}, nil
	}
	// apt-mark manual: Ansible runs it on every name; only auto-marked ones change
	needMark := false
	for _, n := range plan.Names {
		if auto[n] {
			needMark = true
		}
	}
	markCmd := ""
	if !buildDep && !a.req.CheckMode && len(plan.Names) > 0 {
		markCmd = fmt.Sprintf("%s manual %s", a.aptMark, strings.Join(plan.Names, " "))
	}
	if len(plan.List) == 0 {
		if markCmd != "" && needMark && a.aptMark != "" {
			o, err := a.exec("CE mark " + markCmd + "\n")
			if err != nil {
				return nil, err
			}
			if out, rc, _ := o.Cmd("mark"); rc != 0 {
				e := o.Stderr("mark")
				return Result{"failed": true, "msg": fmt.Sprintf("'%s' failed: %s", markCmd, e), "stdout": out, "stderr": e, "rc": rc}, nil
			}
		}
		r := Result{"changed": false}
		if markCmd != "" && a.aptMark == "" {
			r["warnings"] = []any{"Could not find apt-mark binary, not marking package(s) as manually installed."}
		}
		return r, nil
	}
	packages := strings.Join(plan.List, " ")
	force := flagIf(p.Bool("force"), "--force-yes")
	check := flagIf(a.req.CheckMode, "--simulate")
	autoremove := flagIf(p.Bool("autoremove"), "--auto-remove")
	noRemove := flagIf(p.Bool("fail_on_autoremove"), "--no-remove")
	onlyUp := flagIf(p.Bool("only_upgrade"), "--only-upgrade")
	fixed := flagIf(state == "fixed", "--fix-broken")
	var cmd string
	if buildDep {
		cmd = fmt.Sprintf("%s -y %s %s %s %s %s %s build-dep %s", a.aptGet, a.dpkgOpts, onlyUp, fixed, force, noRemove, check, packages)
	} else {
		cmd = fmt.Sprintf("%s -y %s %s %s %s %s %s %s install %s", a.aptGet, a.dpkgOpts, onlyUp, fixed, force, autoremove, noRemove, check, packages)
	}
	if r := p.String("default_release"); r != "" {
		cmd += fmt.Sprintf(" -t '%s'", r)
	}
	if p.Set("install_recommends") {
		if p.Bool("install_recommends") {
			cmd += " -o APT::Install-Recommends=yes"
		} else {
			cmd += " -o APT::Install-Recommends=no"
		}
	}
	if p.Bool("allow_unauthenticated") {
		cmd += " --allow-unauthenticated"
	}
	if p.Bool("allow_downgrade") {
		cmd += " --allow-downgrades"
	}
	if p.Bool("allow_change_held_packages") {
		cmd += " --allow-change-held-packages"
	}
	script := a.policyWrap("CE act " + a.withLock(cmd) + "\n")
	if markCmd != "" && a.aptMark != "" {
		script += "CE mark " + markCmd + "\n"
	}
	act, fail, err := a.runAct(script)
	if err != nil || fail != nil {
		return fail, err
	}
	out, rc, errOut := act.out, act.rc, act.errOut
	if mout, mrc, ok := act.o.Cmd("mark"); ok && mrc != 0 {
		e := act.o.Stderr("mark")
		return Result{"failed": true, "msg": fmt.Sprintf("'%s' failed: %s", markCmd, e), "stdout": mout, "stderr": e, "rc": mrc}, nil
	}
	if rc != 0 {
		return sysResultLines(Result{"failed": true, "msg": fmt.Sprintf("'%s' failed: %s", cmd, errOut), "stdout": out, "stderr": errOut, "rc": rc}), nil
	}
	changed := true
	if buildDep {
		changed = !strings.Contains(out, "\n0 upgraded, 0 newly installed")
	}
	return sysResultLines(Result{"changed": changed, "stdout": out, "stderr": errOut, "diff": a.diff(out)}), nil
}

func (a *aptRun) installDeb(o *probe.Output, d map[string]DpkgStatus, pol map[string]*AptPolicy, auto map[string]bool) (Result, error) {
	p := a.p
	debPath := o.Section("debpath")
	field := func(f string) (string, bool) {
		out, rc, _ := o.Cmd("deb:" + f)
		return strings.TrimRight(out, "\n"), rc == 0
	}
	name, ok1 := field("Package")
	version, ok2 := field("Version")
	if strings.TrimSpace(o.Section("debexists")) != "yes" {
		return Result{"failed": true, "msg": fmt.Sprintf("Unable to install package: E:Could not open file %s - open (2: No such file or directory)", debPath)}, nil
	}
	if !ok1 || !ok2 {
		return Result{"failed": true, "msg": "Unable to install package: E:" + strings.TrimSpace(o.Stderr("deb:Package"))}, nil
	}
	key := name
	if arch, _ := field("Architecture"); strings.TrimSpace(o.Section("arches")) != "" {
		key = name + ":" + arch
	}
	if st, ok := d[key]; ok && st.Installed && debver.Compare(version, st.Version) == 0 {
		return Result{"changed": false, "stdout": "", "stderr": "", "diff": ""}, nil
	}
	// missing dependencies (first alternative of each unsatisfied group)
	var deps []string
	for _, f := range []string{"Pre-Depends", "Depends"} {
		v, _ := field(f)
		for _, group := range strings.Split(v, ",") {
			satisfied := false
			first := ""
			for _, alt := range strings.Split(group, "|") {
				n := strings.TrimSpace(alt)
				if i := strings.IndexAny(n, " ("); i >= 0 {
					n = n[:i]
				}
				if n == "" {
					continue
				}
				if first == "" {
					first = n
				}
				if d[n].Installed {
					satisfied = true
				}
			}
			if !satisfied && first != "" {
				deps = append(deps, first)
			}
		}
	}
	var retvals Result
	changed := false
	if len(deps) > 0 {
		r, err := a.install(deps, d, pol, auto, "present")
		if err != nil {
			return nil, err
		}
		if r["failed"] == true {
			return r, nil
		}
		retvals = r
		changed, _ = r["changed"].(bool)
	}
	var opts []string
	for _, x := range strings.Split(p.String("dpkg_options"), ",") {
		opts = append(opts, "--"+x)
	}
	options := strings.Join(opts, " ")
	if a.req.CheckMode {
		options += " --simulate"
	}
	if p.Bool("force") {
		options += " --force-all"
	}
	cmd := fmt.Sprintf("dpkg %s -i %s", options, debPath)
	act, fail, err := a.runAct(a.policyWrap("CE act " + cmd + "\n"))
	if err != nil || fail != nil {
		return fail, err
	}
	out, rc, errOut := act.out, act.rc, act.errOut
	stdout, stderr := out, errOut
	var diff map[string]any
	if retvals != nil {
		if s, ok := retvals["stdout"].(string); ok {
			stdout = s + out
		}
		if s, ok := retvals["stderr"].(string); ok {
			stderr = s + errOut
		}
		if dd, ok := retvals["diff"].(map[string]any); ok {
			diff = dd
			if pr, ok := dd["prepared"].(string); ok {
				dd["prepared"] = pr + "\n\n" + out
			}
		}
	}
	if diff == nil {
		diff = aptParseDiff(out)
	}
	_ = changed
	if rc != 0 {
		return sysResultLines(Result{"failed": true, "msg": cmd + " failed", "stdout": stdout, "stderr": stderr}), nil
	}
	return sysResultLines(Result{"changed": true, "stdout": stdout, "stderr": stderr, "diff": diff}), nil
}

// flagIf is flag when on, else "".
func flagIf(on bool, flag string) string {
	if on {
		return flag
	}
	return ""
}
