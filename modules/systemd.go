package modules

import (
	"context"
	"fmt"
	"strings"

	"octopus/engine/connection"
	"octopus/engine/pyfmt"
	"octopus/modules/internal/argspec"
	"octopus/modules/internal/probe"
)

var systemdSpec = argspec.Spec{
	Module: "systemd",
	Options: []argspec.Option{
		{Name: "name", Aliases: []string{"service", "unit"}},
		{Name: "state", Choices: []any{"reloaded", "restarted", "started", "stopped"}},
		{Name: "enabled", Type: "bool"},
		{Name: "force", Type: "bool"},
		{Name: "masked", Type: "bool"},
		{Name: "daemon_reload", Type: "bool", Default: false, Aliases: []string{"daemon-reload"}},
		{Name: "daemon_reexec", Type: "bool", Default: false, Aliases: []string{"daemon-reexec"}},
		{Name: "scope", Default: "system", Choices: []any{"system", "user", "global"}},
		{Name: "no_block", Type: "bool", Default: false},
	},
	RequiredOneOf: [][]string{{"state", "enabled", "masked", "daemon_reload", "daemon_reexec"}},
	RequiredBy:    map[string][]string{"state": {"name"}, "enabled": {"name"}, "masked": {"name"}},
}

func init() { Register(Func(runSystemd), "systemd", "systemd_service") }

func runSystemd(ctx context.Context, req *Request) (Result, error) {
	p, err := validateArgs(req, &systemdSpec, "", req.Args)
	if err != nil {
		return Result{"failed": true, "msg": err.Error()}, nil
	}
	return Systemd(ctx, req, p)
}

// ParseSystemctlShow parses `systemctl show` output into Ansible's status
// dict (multi-line Exec* values joined).
func ParseSystemctlShow(out string) map[string]any {
	parsed := map[string]any{}
	var multi []string
	k := ""
	inMulti := false
	for _, line := range strings.Split(out, "\n") {
		if !inMulti {
			key, v, ok := strings.Cut(line, "=")
			if !ok {
				continue
			}
			if strings.HasPrefix(key, "Exec") && strings.HasPrefix(strings.TrimLeft(v, " \t"), "{") && !strings.HasSuffix(strings.TrimRight(v, " \t\r"), "}") {
				k, inMulti = key, true
				multi = append(multi, v)
				continue
			}
			parsed[key] = strings.TrimSpace(v)
			continue
		}
		multi = append(multi, line)
		if strings.HasSuffix(strings.TrimRight(line, " \t\r"), "}") {
			parsed[k] = strings.TrimSpace(strings.Join(multi, "\n"))
			multi, inMulti = nil, false
		}
	}
	return parsed
}

func requestWasIgnored(out string) bool {
	return !strings.Contains(out, "=") && (strings.Contains(out, "ignoring request") || strings.Contains(out, "ignoring command"))
}

// binPathError is Ansible's get_bin_path failure text for the target's PATH.
func sysBinPathError(exe, path string) string {
	dirs := strings.Split(path, ":")
	have := map[string]bool{}
	for _, d := range dirs {
		have[d] = true
	}
	for _, d := range []string{"/sbin", "/usr/sbin", "/usr/local/sbin"} {
		if !have[d] {
			dirs = append(dirs, d)
		}
	}
	return fmt.Sprintf("Failed to find required executable \"%s\" in paths: %s", exe, strings.Join(dirs, ":"))
}

// cmdFailure is Ansible's run_command(check_rc=True) failure result.
func sysCmdFailure(cmd string, rc int, stdout, stderr string) Result {
	msg := strings.TrimRight(stderr, "\n")
	if msg == "" {
		msg = strings.TrimRight(stdout, "\n")
	}
	return Result{"failed": true, "cmd": cmd, "msg": msg, "rc": rc, "stdout": stdout, "stderr": stderr,
		"stdout_lines": pyfmt.SplitLinesAny(stdout), "stderr_lines": pyfmt.SplitLinesAny(stderr)}
}

func sysExecOpts(req *Request) connection.ExecOptions {
	return connection.ExecOptions{Become: req.Become, Env: req.Env}
}

// Systemd runs the systemd module with validated parameters: one round trip
// to learn the unit's state (after daemon-reload), one to change it.
func Systemd(ctx context.Context, req *Request, p argspec.Params) (Result, error) {
	unit := p.String("name")
	if p.Set("name") {
		for _, g := range []string{"*", "?", "["} {
			if strings.Contains(unit, g) {
				return Result{"failed": true, "msg": fmt.Sprintf("This module does not currently support using glob patterns, found '%s' in service name: %s", g, unit)}, nil
			}
		}
	}
	sc := "systemctl"
	if s := p.String("scope"); s != "system" {
		sc += " --" + s
	}
	if p.Bool("no_block") {
		sc += " --no-block"
	}
	if p.Bool("force") {
		sc += " --force"
	}
	q := connection.ShellQuote(unit)
	var b strings.Builder
	b.WriteString("LC_ALL=C; export LC_ALL; : \"${XDG_RUNTIME_DIR:=/run/user/$(id -u)}\"; export XDG_RUNTIME_DIR\n")
	b.WriteString("S path; printf '%s' \"$PATH\"\nif ! has systemctl; then S nosystemctl; else :\n")
	if p.Bool("daemon_reload") && !req.CheckMode {
		fmt.Fprintf(&b, "CE reload %s daemon-reload\n", sc)
	}
	if p.Bool("daemon_reexec") && !req.CheckMode {
		fmt.Fprintf(&b, "CE reexec %s daemon-reexec\n", sc)
	}
	if unit != "" {
		fmt.Fprintf(&b, "S initd; [ -e /etc/init.d/%[1]s ] && echo yes\nS rcd; ls /etc/rc?.d/S??%[1]s 2>/dev/null | head -n 1\n", q)
		fmt.Fprintf(&b, "CE show %[1]s show %[2]s\nCE isen %[1]s is-enabled %[2]s\nCE isenl %[1]s is-enabled %[2]s -l\n", sc, q)
		b.WriteString("S chroot; printf '%s\\n' \"${debian_chroot:-}$([ \"${SYSTEMD_OFFLINE:-}\" = 1 ] && echo offline)\"; stat -c '%d %i' / /proc/1/root/. 2>/dev/null\n")
	}
	b.WriteString("fi\n")
	o, err := probe.Run(ctx, req.Conn, b.String(), sysExecOpts(req))
	if err != nil {
		return nil, err
	}
	if _, ok := o.Find("nosystemctl"); ok {
		return Result{"failed": true, "msg": sysBinPathError("systemctl", o.Section("path"))}, nil
	}
	for _, step := range []string{"reload", "reexec"} {
		if _, rc, ok := o.Cmd(step); ok && rc != 0 {
			what := map[string]string{"reload": "daemon-reload", "reexec": "daemon-reexec"}[step]
			return Result{"failed": true, "msg": fmt.Sprintf("failure %d during %s: %s", rc, what, o.Stderr(step))}, nil
		}
	}
	var nameVal any
	if unit != "" {
		nameVal = unit
	}
	result := Result{"name": nameVal, "changed": false, "status": map[string]any{}}
	if unit == "" {
		return result, nil
	}
	var warnings []any
	isInitd := strings.TrimSpace(o.Section("initd")) == "yes"
	sysvEnabled := strings.TrimSpace(o.Section("rcd")) != ""
	isSystemd := false
	status := map[string]any{}
	out, rc, _ := o.Cmd("show")
	errOut := o.Stderr("show")
	switch {
	case rc == 0 && !requestWasIgnored(out) && !requestWasIgnored(errOut):
		if out != "" {
			status = ParseSystemctlShow(out)
			ls, hasLS := status["LoadState"]
			isSystemd = hasLS && ls != "not-found"
			masked := hasLS && ls == "masked"
			if le, ok := status["LoadError"]; isSystemd && !masked && ok {
				return Result{"failed": true, "msg": fmt.Sprintf("Error loading unit file '%s': %s", unit, le)}, nil
			}
		}
	case errOut != "" && rc == 1 && strings.Contains(errOut, "Failed to parse bus message"):
		status = ParseSystemctlShow(out)
		base, sep, _ := strings.Cut(unit, "@")
		search := base
		if sep != "" {
			search += "@"
		}
		o2, err := probe.Run(ctx, req.Conn, fmt.Sprintf("CE luf %s list-unit-files %s\nCE act %s is-active %s\n", sc, connection.ShellQuote(search+"*"), sc, q), sysExecOpts(req))
		if err != nil {
			return nil, err
		}
		lo, _, _ := o2.Cmd("luf")
		isSystemd = strings.Contains(lo, search)
		ao, _, _ := o2.Cmd("act")
		status["ActiveState"] = strings.TrimRight(ao, "\n")
	default:
		valid := map[string]bool{"enabled": true, "enabled-runtime": true, "linked": true, "linked-runtime": true, "masked": true,
			"masked-runtime": true, "static": true, "indirect": true, "disabled": true, "generated": true, "transient": true}
		ie, _, _ := o.Cmd("isen")
		if valid[strings.TrimSpace(ie)] {
			isSystemd = true
		} else {
			o2, err := probe.Run(ctx, req.Conn, fmt.Sprintf("CE luf %s list-unit-files %s\nrc=$_r\nif [ \"$rc\" != 0 ]; then CE bare %s; fi\n", sc, q, sc), sysExecOpts(req))
			if err != nil {
				return nil, err
			}
			if _, lrc, _ := o2.Cmd("luf"); lrc == 0 {
				isSystemd = true
			} else if bo, brc, ok := o2.Cmd("bare"); ok && brc != 0 {
				return sysCmdFailure(sc, brc, bo, o2.Stderr("bare")), nil
			}
		}
	}
	result["status"] = status
	found := isSystemd || isInitd
	if isInitd && !isSystemd {
		warnings = append(warnings, fmt.Sprintf("The service (%s) is actually an init script but the system is managed by systemd", unit))
	}
	missing := Result{"failed": true, "msg": fmt.Sprintf("Could not find the requested service %s: host", unit)}
	var actions []string // "verb" in order, each run as `systemctl verb unit`
	enabledOut, enabledRC := "", 0
	if p.Set("masked") {
		ie, _, _ := o.Cmd("isen")
		if (strings.TrimSpace(ie) == "masked") != p.Bool("masked") {
			result["changed"] = true
			if !req.CheckMode {
				act := "unmask"
				if p.Bool("masked") {
					act = "mask"
				}
				script := fmt.Sprintf("CE act %s %s %s\n", sc, act, q)
				if p.Set("enabled") {
					script += fmt.Sprintf("CE isenl %s is-enabled %s -l\n", sc, q)
				}
				o2, err := probe.Run(ctx, req.Conn, script, sysExecOpts(req))
				if err != nil {
					return nil, err
				}
				if _, arc, _ := o2.Cmd("act"); arc != 0 && !found {
					return missing, nil
				}
				if p.Set("enabled") {
					enabledOut, enabledRC, _ = o2.Cmd("isenl")
					goto haveEnabled
				}
			}
		}
	}
	enabledOut, enabledRC, _ = o.Cmd("isenl")
haveEnabled:
	if p.Set("enabled") {
		if !found {
			return missing, nil
		}
		enabled := false
		if enabledRC == 0 {
			enabled = true
			if l := strings.Split(strings.TrimRight(enabledOut, "\n"), "\n"); len(l) == 1 && (l[0] == "indirect" || l[0] == "alias") {
				enabled = false
			}
		} else if enabledRC == 1 {
			if p.String("scope") == "system" && isInitd && !strings.HasSuffix(strings.TrimSpace(enabledOut), "disabled") && sysvEnabled {
				enabled = true
			}
		}
		result["enabled"] = enabled
		if enabled != p.Bool("enabled") {
			result["changed"] = true
			act := "disable"
			if p.Bool("enabled") {
				act = "enable"
			}
			actions = append(actions, act)
			result["enabled"] = !enabled
		}
	}
	if p.Set("state") {
		if !found {
			return missing, nil
		}
		state := p.String("state")
		result["state"] = state
		if as, ok := status["ActiveState"]; ok {
			running := as == "active" || as == "activating"
			act := ""
			switch state {
			case "started":
				if !running {
					act = "start"
				}
			case "stopped":
				if running || as == "deactivating" {
					act = "stop"
				}
			default:
				if !running {
					act = "start"
				} else {
					act = strings.TrimSuffix(state, "ed")
				}
				result["state"] = "started"
			}
			if act != "" {
				result["changed"] = true
				actions = append(actions, act)
			}
		} else if chrootOrOffline(o.Section("chroot")) {
			warnings = append(warnings, "Target is a chroot or systemd is offline. This can lead to false positives or prevent the init system tools from working.")
		} else {
			return Result{"failed": true, "msg": "Service is in unknown state", "status": status}, nil
		}
	}
	if len(actions) > 0 && !req.CheckMode {
		var s strings.Builder
		for i, a := range actions {
			fmt.Fprintf(&s, "CE a%d %s %s %s\n[ \"$_r\" = 0 ] || exit 0\n", i, sc, a, q)
		}
		o2, err := probe.Run(ctx, req.Conn, s.String(), sysExecOpts(req))
		if err != nil {
			return nil, err
		}
		for i, a := range actions {
			aout, arc, _ := o2.Cmd(fmt.Sprintf("a%d", i))
			if arc == 0 {
				continue
			}
			detail := o2.Stderr(fmt.Sprintf("a%d", i))
			if a == "enable" || a == "disable" {
				detail = aout + detail
			}
			return Result{"failed": true, "msg": fmt.Sprintf("Unable to %s service %s: %s", a, unit, detail)}, nil
		}
	}
	if len(warnings) > 0 {
		result["warnings"] = warnings
	}
	return result, nil
}

func chrootOrOffline(s string) bool {
	l := strings.Split(s, "\n")
	if strings.TrimSpace(l[0]) != "" {
		return true
	}
	if len(l) >= 3 && l[1] != "" && l[2] != "" {
		return l[1] != l[2]
	}
	return false
}
