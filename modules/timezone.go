package modules

import (
	"context"
	"encoding/base64"
	"fmt"
	"regexp"
	"strings"

	"octopus/modules/internal/argspec"
)

func init() { Register(guarded(runTimezone), "timezone", "community.general.timezone") }

var timezoneSpec = argspec.Spec{
	Module: "timezone",
	Options: []argspec.Option{
		{Name: "hwclock", Choices: []any{"local", "UTC"}, Aliases: []string{"rtc"}},
		{Name: "name"},
	},
	RequiredOneOf: [][]string{{"hwclock", "name"}},
}

var (
	tzStatusName = regexp.MustCompile(`(?m)^\s*Time ?zone\s*:\s*([^\s]+)`)
	tzStatusRTC  = regexp.MustCompile(`(?m)^\s*RTC in local TZ\s*:\s*([^\s]+)`)
	tzFileName   = regexp.MustCompile(`(?m)^([^\s]+)`)
	tzLinkRe     = regexp.MustCompile(`(?:/(?:usr/share|etc)/zoneinfo/)(.*)`)
)

// tzProbe is what one probe round trip learned about the target's clock settings.
type tzProbe struct {
	systemd       bool   // timedatectl runs
	status        string // timedatectl status output
	zoneFile      bool   // /usr/share/zoneinfo/<name> is a file
	etcTimezone   string // content of /etc/timezone
	hasEtcTZ      bool
	localtimeLink string // readlink /etc/localtime
	isLink        bool
	linkResolves  bool
	sameContent   bool // /etc/localtime equals the planned zone file
	dpkgReconf    string
	timedatectl   string
}

func tzProbeScript(name string) string {
	q := shellWord("/usr/share/zoneinfo/" + name)
	return fmt.Sprintf(`out() { printf '%%s=' "$1"; printf '%%s' "$2" | base64 -w0; echo; }
t=$(command -v timedatectl) && s=$("$t" status 2>/dev/null) && { out TDC "$t"; out TDS "$s"; }
[ -f %[1]s ] && out ZF 1
[ -f /etc/timezone ] && out ETZ "$(cat /etc/timezone; echo x)"
if [ -L /etc/localtime ]; then out ISLINK 1; out LINK "$(readlink /etc/localtime)"; [ -e /etc/localtime ] && out RES 1; fi
cmp -s /etc/localtime %[1]s 2>/dev/null && out SAME 1
d=$(command -v dpkg-reconfigure) && out DPKGR "$d"
true
`, q)
}

func parseTZProbe(out string) *tzProbe {
	t := &tzProbe{}
	for _, l := range strings.Split(out, "\n") {
		k, v, ok := strings.Cut(l, "=")
		if !ok {
			continue
		}
		b, _ := base64.StdEncoding.DecodeString(v)
		s := string(b)
		switch k {
		case "TDC":
			t.systemd, t.timedatectl = true, s
		case "TDS":
			t.status = s
		case "ZF":
			t.zoneFile = true
		case "ETZ":
			t.etcTimezone, t.hasEtcTZ = strings.TrimSuffix(s, "x"), true
		case "ISLINK":
			t.isLink = true
		case "LINK":
			t.localtimeLink = s
		case "RES":
			t.linkResolves = true
		case "SAME":
			t.sameContent = true
		case "DPKGR":
			t.dpkgReconf = s
		}
	}
	return t
}

// get is the module's get(key) for the probed state.
func (t *tzProbe) get(key, planned string) string {
	if t.systemd {
		if key == "name" {
			if m := tzStatusName.FindStringSubmatch(t.status); m != nil {
				return m[1]
			}
			return "n/a"
		}
		m := tzStatusRTC.FindStringSubmatch(t.status)
		if m != nil {
			if b, err := argspec.Bool(m[1]); err == nil && b {
				return "local"
			}
		}
		return "UTC"
	}
	if key != "name" {
		return "n/a"
	}
	v := "n/a"
	if t.hasEtcTZ {
		if m := tzFileName.FindStringSubmatch(t.etcTimezone); m != nil {
			v = m[1]
		}
	}
	if v == planned {
		switch {
		case t.isLink && t.linkResolves:
			if m := tzLinkRe.FindStringSubmatch(t.localtimeLink); m != nil {
				if m[1] != planned {
					v = m[1]
				}
			} else {
				v = "n/a"
			}
		case t.isLink:
			v = "n/a"
		case !t.sameContent:
			v = "n/a"
		}
	}
	return v
}

// runTimezone sets the time zone (and, with systemd, the RTC mode) with
// timedatectl, or on other Debian-like systems through /etc/timezone and
// the /etc/localtime link, as community.general.timezone does.
func runTimezone(ctx context.Context, req *Request) (Result, error) {
	p, err := validate(&timezoneSpec, req)
	if err != nil {
		return argFail(err)
	}
	name := p.String("name")
	res, err := target(req).Run(ctx, tzProbeScript(name), nil)
	if err != nil {
		return nil, err
	}
	t := parseTZProbe(string(res.Stdout))
	abort := func(msg string, log []string) (Result, error) {
		m := []string{"Error message:", msg}
		if len(log) > 0 {
			m = append(m, "Other message(s):")
			m = append(m, log...)
		}
		return fail(Result{}, strings.Join(m, "\n"))
	}
	var keys []string
	if p.Set("hwclock") {
		keys = append(keys, "hwclock")
	}
	if p.Set("name") {
		keys = append(keys, "name")
		if !t.zoneFile {
			return abort(fmt.Sprintf("given timezone \"%s\" is not available", name), nil)
		}
	}
	if p.Set("hwclock") && !t.systemd {
		return fail(Result{}, "octopus's timezone module sets hwclock only through timedatectl, which is not usable on this host")
	}
	before, planned := map[string]any{}, map[string]any{}
	for _, k := range keys {
		before[k] = t.get(k, p.String(k))
		planned[k] = p.String(k)
	}
	if req.CheckMode {
		diff := map[string]any{"before": before, "after": planned}
		return Result{"changed": fmt.Sprint(before) != fmt.Sprint(planned), "diff": diff}, nil
	}
	var log []string
	var sc strings.Builder
	sc.WriteString("set -e\n")
	for _, k := range keys {
		if before[k] == planned[k] {
			continue
		}
		v := p.String(k)
		if t.systemd {
			sub, val := "set-timezone", v
			if k == "hwclock" {
				sub, val = "set-local-rtc", "no"
				if v == "local" {
					val = "yes"
				}
			}
			cmd := fmt.Sprintf("%s %s %s", t.timedatectl, sub, val)
			fmt.Fprintf(&sc, "%s\n", cmd)
			log = append(log, fmt.Sprintf("executed `%s`", cmd))
			continue
		}
		// /etc/timezone: the first matching line is replaced, others deleted
		var lines []string
		n := 0
		ins := -1
		for i, l := range strings.SplitAfter(t.etcTimezone, "\n") {
			if l == "" {
				continue
			}
			if tzFileName.MatchString(l) {
				n++
				if ins < 0 {
					ins = i - (n - 1)
				}
				continue
			}
			lines = append(lines, l)
		}
		if ins < 0 {
			ins = 0
		}
		lines = append(lines[:ins], append([]string{v + "\n"}, lines[ins:]...)...)
		fmt.Fprintf(&sc, "printf '%%s' %s > /etc/timezone\n", shellWord(strings.Join(lines, "")))
		log = append(log, fmt.Sprintf("Added 1 line and deleted %d line(s) on /etc/timezone", n))
		tzfile := "/usr/share/zoneinfo/" + v
		if t.dpkgReconf != "" {
			fmt.Fprintf(&sc, "ln -sf %s /etc/localtime\n%s --frontend noninteractive tzdata >/dev/null 2>&1\n", shellWord(tzfile), t.dpkgReconf)
		} else {
			fmt.Fprintf(&sc, "cp --remove-destination %s /etc/localtime\n", shellWord(tzfile))
		}
	}
	after := planned
	if len(log) > 0 {
		res, err := target(req).Run(ctx, sc.String()+tzProbeScript(name), nil)
		if err != nil {
			return nil, err
		}
		if res.RC != 0 {
			return abort(strings.TrimSpace(string(res.Stderr)), log)
		}
		t2 := parseTZProbe(string(res.Stdout))
		after = map[string]any{}
		for _, k := range keys {
			after[k] = t2.get(k, p.String(k))
		}
		if fmt.Sprint(after) != fmt.Sprint(planned) {
			return abort(fmt.Sprintf("still not desired state, though changes have made - planned: %s, after: %s", pyReprMap(planned, keys), pyReprMap(after, keys)), log)
		}
	}
	r := Result{"changed": fmt.Sprint(before) != fmt.Sprint(after), "diff": map[string]any{"before": before, "after": after}}
	if len(log) > 0 {
		r["msg"] = strings.Join(log, "\n")
	}
	return r, nil
}

func pyReprMap(m map[string]any, keys []string) string {
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("'%s': '%v'", k, m[k]))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}
