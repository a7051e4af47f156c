package modules

import (
	"context"
	"fmt"
	"strings"

	"octopus/engine/connection"
	"octopus/modules/internal/argspec"
	"octopus/modules/internal/facts"
	"octopus/modules/internal/probe"
)

var serviceSpec = argspec.Spec{
	Module: "service",
	Options: []argspec.Option{
		{Name: "name", Required: true},
		{Name: "state", Choices: []any{"started", "stopped", "reloaded", "restarted"}},
		{Name: "sleep", Type: "int"},
		{Name: "pattern"},
		{Name: "enabled", Type: "bool"},
		{Name: "runlevel", Default: "default"},
		{Name: "arguments", Default: "", Aliases: []string{"args"}},
	},
	RequiredOneOf: [][]string{{"state", "enabled"}},
}

func init() { Register(Func(runService), "service") }

// ServiceManager returns the target's service manager as the service action
// plugin decides it: the `use` argument, else the service_mgr fact from the
// task vars, else a minimal fact gathering on the target.
func ServiceManager(ctx context.Context, req *Request, use string) (string, error) {
	use = strings.ToLower(use)
	if use != "" && use != "auto" {
		return use, nil
	}
	if af, ok := req.Vars["ansible_facts"].(map[string]any); ok {
		if s, ok := af["service_mgr"].(string); ok && s != "" {
			return s, nil
		}
	}
	if s, ok := req.Vars["ansible_service_mgr"].(string); ok && s != "" {
		return s, nil
	}
	g, err := facts.Gather(ctx, req.Conn, sysExecOpts(req), map[string]bool{"service_mgr": true, "platform": true, "distribution": true}, "")
	if err != nil {
		return "", err
	}
	s, _ := g.Facts["service_mgr"].(string)
	return s, nil
}

// runService is the service action: systemd hosts get the systemd module
// (with the parameters it does not know dropped, as Ansible warns), others
// the init-script implementation.
func runService(ctx context.Context, req *Request) (Result, error) {
	use, _ := req.Args["use"].(string)
	mgr, err := ServiceManager(ctx, req, use)
	if err != nil {
		return nil, err
	}
	args := map[string]any{}
	for k, v := range req.Args {
		if k != "use" {
			args[k] = v
		}
	}
	if mgr == "systemd" {
		var warns []any
		for _, k := range []string{"pattern", "runlevel", "sleep", "arguments", "args"} {
			if _, ok := args[k]; ok {
				delete(args, k)
				warns = append(warns, fmt.Sprintf(`Ignoring "%s" as it is not used in "systemd"`, k))
			}
		}
		p, err := validateArgs(req, &systemdSpec, "", args)
		if err != nil {
			return Result{"failed": true, "msg": err.Error()}, nil
		}
		r2 := *req
		r2.Args = args
		res, err := Systemd(ctx, &r2, p)
		if res != nil && len(warns) > 0 {
			if w, ok := res["warnings"].([]any); ok {
				warns = append(warns, w...)
			}
			res["warnings"] = warns
		}
		return res, err
	}
	p, err := validateArgs(req, &serviceSpec, "", args)
	if err != nil {
		return Result{"failed": true, "msg": err.Error()}, nil
	}
	return SysvService(ctx, req, p)
}

// serviceRunning is Ansible's LinuxService status reading of `service NAME
// status` (or the init script): nil when it cannot tell.
func serviceRunning(name string, rc int, stdout string) *bool {
	t, f := true, false
	if rc == 1 || rc == 2 || rc == 3 || rc == 4 || rc == 69 {
		return &f
	}
	if strings.Count(stdout, "\n") <= 1 {
		clean := strings.ReplaceAll(strings.ToLower(stdout), strings.ToLower(name), "")
		switch {
		case strings.Contains(clean, "stop"):
			return &f
		case strings.Contains(clean, "run"):
			r := !strings.Contains(clean, "not ")
			return &r
		case strings.Contains(clean, "start") && !strings.Contains(clean, "not "):
			return &t
		case strings.Contains(clean, "could not access pid file"), strings.Contains(clean, "is dead and pid file exists"),
			strings.Contains(clean, "dead but subsys locked"), strings.Contains(clean, "dead but pid file exists"):
			return &f
		}
	}
	if rc == 0 {
		return &t
	}
	if name == "iptables" && strings.Contains(stdout, "ACCEPT") {
		return &t
	}
	return nil
}

// svcRun is a shell function running one service command detached from the
// connection (like Ansible's daemonize): output goes through files so a
// daemon that keeps its descriptors cannot hold the session open.
const svcRun = `svc(){ _n=$1; shift; _o=$(mktemp); _e=$(mktemp); (cd / && LANG=C LC_ALL=C LC_MESSAGES=C exec "$@" >"$_o" 2>"$_e" </dev/null); _r=$?; S c "$_n"; cat "$_o"; S rc "$_n" "$_r"; S e "$_n"; cat "$_e"; rm -f "$_o" "$_e"; }
`

// SysvService is the service module for init-script hosts (update-rc.d for
// enabled, `service NAME ACTION` or the init script for state).
func SysvService(ctx context.Context, req *Request, p argspec.Params) (Result, error) {
	name := p.String("name")
	q := connection.ShellQuote(name)
	argsStr := p.String("arguments")
	var b strings.Builder
	b.WriteString(svcRun)
	b.WriteString("PATH=$PATH:/sbin:/usr/sbin:/bin:/usr/bin\nS bins; for x in service update-rc.d insserv chkconfig systemctl initctl rc-service rc-update ps; do command -v $x; done\n")
	fmt.Fprintf(&b, "S initscript; [ -f /etc/init.d/%[1]s ] && echo yes\nS slinks; ls /etc/rc?.d/S??%[1]s 2>/dev/null\nS klinks; ls /etc/rc?.d/K??%[1]s 2>/dev/null\n", q)
	b.WriteString("S systemd; for c in /run/systemd/system/ /dev/.run/systemd/ /dev/.systemd/; do [ -e $c ] && echo yes; done; grep -q systemd /proc/1/comm 2>/dev/null && echo yes\n")
	o, err := probe.Run(ctx, req.Conn, b.String(), sysExecOpts(req))
	if err != nil {
		return nil, err
	}
	bins := map[string]string{}
	for _, l := range o.Lines("bins") {
		bins[l[strings.LastIndexByte(l, '/')+1:]] = l
	}
	if bins["systemctl"] != "" && len(o.Lines("systemd")) > 0 {
		// the host runs systemd after all: Ansible drives systemctl then
		args := map[string]any{"name": name}
		for _, k := range []string{"state", "enabled"} {
			if p.Set(k) {
				args[k] = p[k]
			}
		}
		sp, err := systemdSpec.Validate(args)
		if err != nil {
			return Result{"failed": true, "msg": err.Error()}, nil
		}
		res, err := Systemd(ctx, req, sp)
		if res != nil {
			delete(res, "status")
		}
		return res, err
	}
	initscript := ""
	if strings.TrimSpace(o.Section("initscript")) == "yes" {
		initscript = "/etc/init.d/" + name
	}
	enableCmd, svcCmd := "", ""
	switch {
	case bins["rc-service"] != "":
		svcCmd, enableCmd = bins["rc-service"], bins["rc-update"]
	case initscript != "":
		for _, c := range []string{"update-rc.d", "insserv", "chkconfig"} {
			if bins[c] != "" {
				enableCmd = bins[c]
				break
			}
		}
	}
	if enableCmd == "" {
		return Result{"failed": true, "msg": fmt.Sprintf("Could not find the requested service %s: host", name)}, nil
	}
	if svcCmd == "" {
		svcCmd = bins["service"]
	}
	if svcCmd == "" && initscript == "" {
		return Result{"failed": true, "msg": "cannot find 'service' binary or init script for service,  possible typo in service name?, aborting"}, nil
	}
	result := Result{"name": name}
	changed := false
	// enabled
	var steps strings.Builder
	steps.WriteString(svcRun)
	if p.Set("enabled") {
		want := p.Bool("enabled")
		if !strings.HasSuffix(enableCmd, "update-rc.d") {
			return Result{"failed": true, "msg": fmt.Sprintf("octopus: enabling services with %s is not supported", enableCmd)}, nil
		}
		enabled := len(o.Lines("slinks")) > 0
		if enabled != want {
			changed = true
			action := "disable"
			if want {
				action = "enable"
				if len(o.Lines("klinks")) == 0 && !req.CheckMode {
					fmt.Fprintf(&steps, "CE def %s %s defaults\n[ \"$_r\" = 0 ] || exit 0\n", enableCmd, q)
				}
			}
			if !req.CheckMode {
				fmt.Fprintf(&steps, "CE en %s %s %s\n[ \"$_r\" = 0 ] || exit 0\n", enableCmd, q, action)
			}
		}
		result["enabled"] = want
	}
	svcBase := initscript
	if svcCmd != "" {
		svcBase = svcCmd + " " + q
	}
	var running *bool
	if p.Set("state") {
		// status probe (the pattern form reads the process list)
		var sb strings.Builder
		sb.WriteString(svcRun)
		if pat := p.String("pattern"); pat != "" {
			sb.WriteString("C ps ps auxww\n")
		} else {
			fmt.Fprintf(&sb, "svc status %s status %s\n", svcBase, argsStr)
		}
		so, err := probe.Run(ctx, req.Conn, sb.String(), sysExecOpts(req))
		if err != nil {
			return nil, err
		}
		if pat := p.String("pattern"); pat != "" {
			if out, rc, _ := so.Cmd("ps"); rc == 0 {
				r := false
				for _, l := range strings.Split(out, "\n") {
					if strings.Contains(l, pat) && !strings.Contains(l, "pattern=") {
						r = true
					}
				}
				running = &r
			}
		} else {
			out, rc, _ := so.Cmd("status")
			running = serviceRunning(name, rc, out)
		}
		if running == nil {
			return Result{"failed": true, "msg": "failed determining service state, possible typo of service name?"}, nil
		}
	}
	state := p.String("state")
	svcChange := false
	switch {
	case state == "":
	case !*running && (state == "reloaded" || state == "started"):
		svcChange = true
	case *running && (state == "reloaded" || state == "stopped"):
		svcChange = true
	case state == "restarted":
		svcChange = true
	}
	if req.CheckMode && svcChange {
		return Result{"changed": true, "msg": "service state changed"}, nil
	}
	action := ""
	if svcChange {
		switch {
		case state == "started", !*running && state == "reloaded":
			action = "start"
		case state == "stopped":
			action = "stop"
		case state == "reloaded":
			action = "reload"
		case state == "restarted":
			action = "restart"
		}
		if action == "restart" {
			fmt.Fprintf(&steps, "svc stop %s stop %s\n", svcBase, argsStr)
			if n := p.Int("sleep"); n > 0 {
				fmt.Fprintf(&steps, "sleep %d\n", n)
			}
			fmt.Fprintf(&steps, "svc start %s start %s\n", svcBase, argsStr)
		} else {
			fmt.Fprintf(&steps, "svc act %s %s %s\n", svcBase, action, argsStr)
		}
	}
	if steps.Len() > len(svcRun) {
		so, err := probe.Run(ctx, req.Conn, steps.String(), sysExecOpts(req))
		if err != nil {
			return nil, err
		}
		for _, s := range []string{"def", "en"} {
			if out, rc, ok := so.Cmd(s); ok && rc != 0 {
				msg := so.Stderr(s)
				if msg == "" {
					msg = out
				}
				return Result{"failed": true, "msg": msg}, nil
			}
		}
		var rc int
		var out, errs string
		if action == "restart" {
			o1, rc1, _ := so.Cmd("stop")
			o2, rc2, _ := so.Cmd("start")
			if rc1 != 0 && rc2 == 0 {
				rc, out, errs = rc2, o2, so.Stderr("start")
			} else {
				rc, out, errs = rc1+rc2, o1+o2, so.Stderr("stop")+so.Stderr("start")
			}
		} else if action != "" {
			out, rc, _ = so.Cmd("act")
			errs = so.Stderr("act")
		}
		if rc != 0 && !strings.Contains(errs, "Job is already running") {
			if errs != "" {
				return Result{"failed": true, "msg": errs}, nil
			}
			return Result{"failed": true, "msg": out}, nil
		}
	}
	if state == "" {
		result["changed"] = changed
		return result, nil
	}
	result["changed"] = changed || svcChange
	if state == "stopped" {
		result["state"] = "stopped"
	} else {
		result["state"] = "started"
	}
	return result, nil
}
