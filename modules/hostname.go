package modules

import (
	"context"
	"fmt"
	"strings"

	"octopus/engine/connection"
	"octopus/modules/internal/argspec"
	"octopus/modules/internal/probe"
)

var hostnameSpec = argspec.Spec{
	Module: "hostname",
	Options: []argspec.Option{
		{Name: "name", Required: true},
		{Name: "use", Choices: []any{"alpine", "debian", "freebsd", "generic", "macos", "macosx", "darwin", "openbsd", "openrc", "redhat", "sles", "solaris", "systemd"}},
	},
}

func init() { Register(Func(runHostname), "hostname") }

// fqdnScript prints socket.getfqdn()'s view: the reverse entry of the host
// name's first address (see the setup module).
const fqdnScript = `S fqdn; _h=$(uname -n); _a=$(getent ahosts "$_h" 2>/dev/null | awk '{print $1; exit}'); [ -n "$_a" ] && getent hosts "$_a" 2>/dev/null | head -n 1
S node; uname -n
`

func fqdnFrom(o *probe.Output) string {
	node := strings.TrimSpace(o.Section("node"))
	words := strings.Fields(o.Section("fqdn"))
	if len(words) < 2 {
		return node
	}
	for _, n := range words[1:] {
		if strings.Contains(n, ".") {
			return n
		}
	}
	return words[1]
}

func runHostname(ctx context.Context, req *Request) (Result, error) {
	p, err := hostnameSpec.Validate(req.Args)
	if err != nil {
		return Result{"failed": true, "msg": err.Error()}, nil
	}
	name := p.String("name")
	use := p.String("use")
	o, err := probe.Run(ctx, req.Conn, `S path; printf '%s' "$PATH"
S bin; command -v hostnamectl
S systemd; if command -v systemctl >/dev/null; then for c in /run/systemd/system/ /dev/.run/systemd/ /dev/.systemd/; do [ -e $c ] && echo yes; done; fi
CE cur hostnamectl --transient status
CE perm hostnamectl --static status
[ -f /etc/hostname ] && F /etc/hostname
`, sysExecOpts(req))
	if err != nil {
		return nil, err
	}
	strategy := "file"
	switch use {
	case "systemd", "debian":
		strategy = "systemd"
	case "":
		if len(o.Lines("systemd")) > 0 {
			strategy = "systemd"
		}
	default:
		return Result{"failed": true, "msg": fmt.Sprintf("octopus: the %s hostname strategy is not supported", use)}, nil
	}
	var cur, perm string
	bin := strings.TrimSpace(o.Section("bin"))
	if strategy == "systemd" {
		if bin == "" {
			return Result{"failed": true, "msg": sysBinPathError("hostnamectl", o.Section("path"))}, nil
		}
		for _, step := range []string{"cur", "perm"} {
			out, rc, _ := o.Cmd(step)
			if rc != 0 {
				return Result{"failed": true, "msg": fmt.Sprintf("Command failed rc=%d, out=%s, err=%s", rc, out, o.Stderr(step))}, nil
			}
			if step == "cur" {
				cur = strings.TrimSpace(out)
			} else {
				perm = strings.TrimSpace(out)
			}
		}
	} else {
		perm, _ = o.Content("/etc/hostname", "")
		cur = perm
	}
	if strategy == "systemd" && len(name) > 64 && (cur != name || perm != name) {
		return Result{"failed": true, "msg": "name cannot be longer than 64 characters on systemd servers, try a shorter name"}, nil
	}
	changed := cur != name || perm != name
	var s strings.Builder
	qn := connection.ShellQuote(name)
	if changed && !req.CheckMode {
		if strategy == "systemd" {
			if perm != name {
				fmt.Fprintf(&s, "CE setp %s --pretty --static set-hostname %s\n[ \"$_r\" = 0 ] || exit 0\n", bin, qn)
			}
			if cur != name {
				fmt.Fprintf(&s, "CE setc %s --transient set-hostname %s\n[ \"$_r\" = 0 ] || exit 0\n", bin, qn)
			}
		} else {
			fmt.Fprintf(&s, "printf '%%s\\n' %s > /etc/hostname || { S werr; exit 0; }\n", qn)
		}
	}
	s.WriteString(fqdnScript)
	o2, err := probe.Run(ctx, req.Conn, s.String(), sysExecOpts(req))
	if err != nil {
		return nil, err
	}
	for _, step := range []string{"setp", "setc"} {
		if out, rc, ok := o2.Cmd(step); ok && rc != 0 {
			return Result{"failed": true, "msg": fmt.Sprintf("Command failed rc=%d, out=%s, err=%s", rc, out, o2.Stderr(step))}, nil
		}
	}
	if _, ok := o2.Find("werr"); ok {
		return Result{"failed": true, "msg": "failed to update hostname: [Errno 13] Permission denied: '/etc/hostname'"}, nil
	}
	before := perm
	if name != cur {
		before = cur
	}
	fqdn := fqdnFrom(o2)
	domain := ""
	if i := strings.Index(fqdn, "."); i >= 0 {
		domain = fqdn[i+1:]
	}
	res := Result{"changed": changed, "name": name, "ansible_facts": map[string]any{
		"ansible_hostname": strings.Split(name, ".")[0], "ansible_nodename": name, "ansible_fqdn": fqdn, "ansible_domain": domain}}
	if changed {
		res["diff"] = map[string]any{"after": "hostname = " + name + "\n", "before": "hostname = " + before + "\n"}
	}
	return res, nil
}
