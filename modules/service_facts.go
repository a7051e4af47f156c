package modules

import (
	"context"
	"encoding/base64"
	"regexp"
	"strings"

	"octopus/modules/internal/argspec"
)

func init() { Register(guarded(runServiceFacts), "service_facts") }

var serviceFactsSpec = argspec.Spec{Module: "service_facts"}

var sysvStatusRe = regexp.MustCompile(`(?m)^\s*\[ (\+|\-) \]\s+(.+)$`)

// serviceFactsScript gathers, in one round trip, `service --status-all`
// (when there is no chkconfig/rc-status), and with systemd as PID 1 the
// unit list, the unit files and the ActiveState of unit files not listed.
const serviceFactsScript = `LANG=C; LC_ALL=C; export LANG LC_ALL
out() { printf '%s=' "$1"; printf '%s' "$2" | base64 -w0; echo; }
if command -v service >/dev/null 2>&1 && ! command -v chkconfig >/dev/null 2>&1 && ! command -v rc-status >/dev/null 2>&1; then
  s=$(service --status-all 2>/dev/null; echo "rc=$?"); out SYSV "$s"; [ -e /etc/init.d ] && out INITD 1
fi
if grep -q systemd /proc/1/comm 2>/dev/null && c=$(PATH="$PATH:/usr/bin:/usr/local/bin" command -v systemctl); then
  u=$("$c" list-units --no-pager --type service --all 2>/dev/null) && out UNITS "$u"
  f=$("$c" list-unit-files --no-pager --type service --all 2>/dev/null) && out FILES "$f"
  n=$(printf '%s\n' "$f" | awk '/\.service/ {print $1}' | grep -v '@\.service$')
  [ -n "$n" ] && { out SHOWN "$n"; out SHOW "$(printf '%s\n' "$n" | xargs "$c" show --property=ActiveState -- 2>/dev/null)"; }
fi
true
`

// runServiceFacts returns ansible_facts.services as Ansible's
// service_facts does for sysv and systemd hosts.
func runServiceFacts(ctx context.Context, req *Request) (Result, error) {
	if _, err := validate(&serviceFactsSpec, req); err != nil {
		return argFail(err)
	}
	res, err := target(req).Run(ctx, serviceFactsScript, nil)
	if err != nil {
		return nil, err
	}
	sec := map[string]string{}
	for _, l := range strings.Split(string(res.Stdout), "\n") {
		if k, v, ok := strings.Cut(l, "="); ok {
			b, _ := base64.StdEncoding.DecodeString(v)
			sec[k] = string(b)
		}
	}
	services, warnings := parseServiceFacts(sec)
	if len(services) == 0 {
		return Result{"changed": false, "skipped": true, "msg": "Failed to find any services. This can be due to privileges or some other configuration issue."}, nil
	}
	r := Result{"changed": false, "ansible_facts": map[string]any{"services": services}}
	if len(warnings) > 0 {
		r["warnings"] = warnings
	}
	return r, nil
}

var serviceBadStates = []string{"not-found", "masked", "failed"}

func parseServiceFacts(sec map[string]string) (map[string]any, []any) {
	services := map[string]any{}
	var warnings []any
	if s, ok := sec["SYSV"]; ok {
		i := strings.LastIndex(s, "rc=")
		rc := strings.TrimSpace(s[i+3:])
		out := s[:i]
		if !(rc == "4" && sec["INITD"] == "") {
			if rc != "0" {
				warnings = append(warnings, "Unable to query 'service' tool ("+rc+"): ")
			}
			for _, m := range sysvStatusRe.FindAllStringSubmatch(out, -1) {
				state := "stopped"
				if m[1] == "+" {
					state = "running"
				}
				services[m[2]] = map[string]any{"name": m[2], "state": state, "source": "sysv"}
			}
		}
	}
	if u, ok := sec["UNITS"]; ok {
		for _, line := range strings.Split(u, "\n") {
			if !strings.Contains(line, ".service") {
				continue
			}
			f := strings.Fields(line)
			status := ""
			bad := false
			for _, b := range serviceBadStates {
				for _, x := range f {
					if x == b {
						status, bad = b, true
					}
				}
				if bad {
					f = f[1:]
					break
				}
			}
			if len(f) < 4 {
				continue
			}
			if !bad {
				status = f[2]
			}
			state := "stopped"
			if f[3] == "running" {
				state = "running"
			}
			services[f[0]] = map[string]any{"name": f[0], "state": state, "status": status, "source": "systemd"}
		}
	}
	if fl, ok := sec["FILES"]; ok {
		// systemctl show prints one ActiveState block per unit, in order
		// (aliases answer for the unit they point to)
		active := map[string]string{}
		names := strings.Fields(sec["SHOWN"])
		var states []string
		for _, l := range strings.Split(sec["SHOW"], "\n") {
			if v, ok := strings.CutPrefix(l, "ActiveState="); ok {
				states = append(states, v)
			}
		}
		if len(states) == len(names) {
			for i, n := range names {
				active[n] = states[i]
			}
		}
		for _, line := range strings.Split(fl, "\n") {
			if !strings.Contains(line, ".service") {
				continue
			}
			f := strings.Fields(line)
			if len(f) < 2 {
				continue
			}
			name, status := f[0], f[1]
			if cur, ok := services[name].(map[string]any); ok && cur["source"] == "systemd" {
				isBad := false
				for _, b := range serviceBadStates {
					if cur["status"] == b {
						isBad = true
					}
				}
				if !isBad {
					cur["status"] = status
				}
				continue
			}
			state := "unknown"
			if a, ok := active[name]; ok && a != "" {
				state = a
			}
			services[name] = map[string]any{"name": name, "state": state, "status": status, "source": "systemd"}
		}
	}
	return services, warnings
}
