package modules

import (
	"context"
	"fmt"
	"strings"

	"octopus/engine/connection"
	"octopus/modules/internal/probe"
)

// hostnameStrategy is one of the hostname module's ways to read and set
// the names: kind names the behaviour, file the permanent name's file.
type hostnameStrategy struct {
	kind string // systemd, file, alpine, openrc, freebsd, redhat, generic, darwin, solaris
	file string
}

// hostnameStrategies maps the use option to a strategy, as Ansible's STRATS.
var hostnameStrategies = map[string]hostnameStrategy{
	"alpine":  {"alpine", "/etc/hostname"},
	"debian":  {"systemd", ""},
	"systemd": {"systemd", ""},
	"freebsd": {"freebsd", "/etc/rc.conf.d/hostname"},
	"generic": {"generic", ""},
	"macos":   {"darwin", ""},
	"macosx":  {"darwin", ""},
	"darwin":  {"darwin", ""},
	"openbsd": {"file", "/etc/myname"},
	"openrc":  {"openrc", "/etc/conf.d/hostname"},
	"redhat":  {"redhat", "/etc/sysconfig/network"},
	"sles":    {"file", "/etc/HOSTNAME"},
	"solaris": {"solaris", ""},
}

// hostnameDistStrategy is the strategy Ansible's platform subclass picks
// for a Linux distribution (os-release ID) when systemd does not manage
// the host.
func hostnameDistStrategy(id string) hostnameStrategy {
	switch id {
	case "alpine":
		return hostnameStrategies["alpine"]
	case "gentoo":
		return hostnameStrategies["openrc"]
	case "rhel", "centos", "ol", "amzn", "scientific", "virtuozzo", "cloudlinux", "almalinux", "rocky", "anolis", "eurolinux", "alinux":
		return hostnameStrategies["redhat"]
	case "sles", "sled":
		return hostnameStrategies["sles"]
	}
	return hostnameStrategy{"file", "/etc/hostname"} // Debian and its family
}

// hostnameCmdFailed is the strategies' message for a failed command.
func hostnameCmdFailed(o *probe.Output, step string) Result {
	out, rc, _ := o.Cmd(step)
	return Result{"failed": true, "msg": fmt.Sprintf("Command failed rc=%d, out=%s, err=%s", rc, out, o.Stderr(step))}
}

// hostnameKeyValue reads the value of the first "key=" line of a file's
// text as the openrc and freebsd strategies do (quotes stripped); ok is
// false when there is none.
func hostnameKeyValue(text, key string) (string, bool) {
	for _, l := range strings.Split(text, "\n") {
		l = strings.TrimSpace(l)
		if strings.HasPrefix(l, key+"=") {
			return strings.Trim(l[len(key)+1:], `"`), true
		}
	}
	return "", false
}

// hostnameRun reads the current and permanent host names with the
// strategy Ansible would use, sets them, and reports as the module does.
func hostnameRun(ctx context.Context, req *Request, name, use string) (Result, error) {
	strat, ok := hostnameStrategies[use]
	var s strings.Builder
	s.WriteString(`S path; printf '%s' "$PATH"
S bin; PATH=$PATH:/sbin:/usr/sbin:/usr/local/sbin; for x in hostnamectl hostname scutil; do command -v $x; done
S systemd; if command -v systemctl >/dev/null; then for c in /run/systemd/system/ /dev/.run/systemd/ /dev/.systemd/; do [ -e $c ] && echo yes; done; fi
S osid; . /etc/os-release 2>/dev/null; printf '%s' "$ID"
`)
	o, err := probe.Run(ctx, req.Conn, s.String(), sysExecOpts(req))
	if err != nil {
		return nil, err
	}
	if !ok {
		if len(o.Lines("systemd")) > 0 {
			strat = hostnameStrategies["systemd"]
		} else {
			strat = hostnameDistStrategy(strings.TrimSpace(o.Section("osid")))
		}
	}
	bins := map[string]string{}
	for _, l := range o.Lines("bin") {
		bins[l[strings.LastIndexByte(l, '/')+1:]] = l
	}
	need := func(b string) (string, Result) {
		if bins[b] == "" {
			return "", Result{"failed": true, "msg": sysBinPathError(b, o.Section("path"))}
		}
		return bins[b], nil
	}
	// the strategy's constructor looks for its command first
	var bin string
	var f Result
	switch strat.kind {
	case "systemd":
		bin, f = need("hostnamectl")
	case "freebsd", "solaris":
		bin, f = need("hostname")
	case "darwin":
		_, f = need("scutil")
	case "generic":
		// BaseStrategy has no way to read the name: the module crashes
		req.dropInvocation()
		return Result{"failed": true, "msg": "MODULE FAILURE\nSee stdout/stderr for the exact error", "rc": 1,
			"module_stdout": "", "module_stderr": "Traceback (most recent call last):\nNotImplementedError\n"}, nil
	}
	if f != nil {
		return f, nil
	}
	qf := connection.ShellQuote(strat.file)
	s.Reset()
	switch strat.kind {
	case "systemd":
		fmt.Fprintf(&s, "CE cur %[1]s --transient status\nCE perm %[1]s --static status\n", bin)
	case "freebsd":
		fmt.Fprintf(&s, "CE cur %s\n", bin)
		fmt.Fprintf(&s, "[ -f %[1]s ] && F %[1]s\n", qf)
	case "solaris":
		s.WriteString("CE perm /bin/sh -c '/usr/sbin/svccfg -s svc:/system/identity:node listprop -o value config/nodename'\n")
	default:
		fmt.Fprintf(&s, "[ -f %[1]s ] && F %[1]s\n", qf)
	}
	o, err = probe.Run(ctx, req.Conn, s.String(), sysExecOpts(req))
	if err != nil {
		return nil, err
	}
	var cur, perm string
	content, isFile := o.File(strat.file)
	switch strat.kind {
	case "systemd", "freebsd", "solaris":
		for _, step := range []string{"cur", "perm"} {
			out, rc, ran := o.Cmd(step)
			if !ran {
				continue
			}
			if rc != 0 {
				return hostnameCmdFailed(o, step), nil
			}
			if step == "cur" {
				cur = strings.TrimSpace(out)
			} else {
				perm = strings.TrimSpace(out)
			}
		}
		if strat.kind == "freebsd" {
			perm, _ = hostnameKeyValue(content, "hostname")
		}
		if strat.kind == "solaris" {
			cur = perm
		}
	case "openrc":
		perm, _ = hostnameKeyValue(content, "hostname")
		cur = perm
	case "redhat":
		found := false
		for _, l := range strings.Split(content, "\n") {
			l = strings.TrimSpace(l)
			if strings.HasPrefix(l, "HOSTNAME") {
				kv := strings.Split(l, "=")
				if len(kv) > 2 {
					return Result{"failed": true, "msg": "failed to read hostname: too many values to unpack (expected 2)"}, nil
				} else if len(kv) < 2 {
					return Result{"failed": true, "msg": "failed to read hostname: not enough values to unpack (expected 2, got 1)"}, nil
				}
				perm, found = strings.TrimSpace(kv[1]), true
				break
			}
		}
		if !found {
			return Result{"failed": true, "msg": "Unable to locate HOSTNAME entry in " + strat.file}, nil
		}
		cur = perm
	default: // file, alpine
		if isFile {
			perm = strings.TrimSpace(content)
		}
		cur = perm
	}
	if strat.kind == "systemd" && len(name) > 64 && (cur != name || perm != name) {
		return Result{"failed": true, "msg": "name cannot be longer than 64 characters on systemd servers, try a shorter name"}, nil
	}
	changed := cur != name || perm != name
	qn := connection.ShellQuote(name)
	s.Reset()
	writeFile := func(text string) {
		fmt.Fprintf(&s, "printf '%%s' %[1]s > %[2]s || { if [ -d \"$(dirname %[2]s)\" ]; then S werr 13; else S werr 2; fi; exit 0; }\n", connection.ShellQuote(text), qf)
	}
	// rewrite replaces the first key= line of the file (keeping the other
	// lines, stripped) as the openrc and freebsd strategies do
	rewrite := func(key, line string, addIfMissing bool) string {
		lines := []string{}
		if content != "" {
			lines = strings.Split(strings.TrimSuffix(content, "\n"), "\n")
		}
		done := false
		for i := range lines {
			lines[i] = strings.TrimSpace(lines[i])
			if !done && strings.HasPrefix(lines[i], key) {
				lines[i], done = line, true
			}
		}
		if !done && addIfMissing {
			lines = append(lines, line)
		}
		return strings.Join(lines, "\n") + "\n"
	}
	if changed && !req.CheckMode {
		switch strat.kind {
		case "systemd":
			if perm != name {
				fmt.Fprintf(&s, "CE setp %s --pretty --static set-hostname %s\n[ \"$_r\" = 0 ] || exit 0\n", bin, qn)
			}
			if cur != name {
				fmt.Fprintf(&s, "CE setc %s --transient set-hostname %s\n[ \"$_r\" = 0 ] || exit 0\n", bin, qn)
			}
		case "alpine":
			// the kernel name is set from the file before the file is written
			hb, f := need("hostname")
			if f != nil {
				return f, nil
			}
			fmt.Fprintf(&s, "CE setc %s -F %s\n[ \"$_r\" = 0 ] || exit 0\n", hb, qf)
			if perm != name {
				writeFile(name + "\n")
			}
		case "freebsd":
			if cur != name {
				fmt.Fprintf(&s, "CE setc %s %s\n[ \"$_r\" = 0 ] || exit 0\n", bin, qn)
			}
			if perm != name {
				if isFile {
					writeFile(rewrite("hostname=", `hostname="`+name+`"`, false))
				} else {
					writeFile(`hostname="` + name + `"` + "\n")
				}
			}
		case "solaris":
			fmt.Fprintf(&s, "CE setc %s -t %s\n[ \"$_r\" = 0 ] || exit 0\nCE setp %s %s\n", bin, qn, bin, qn)
		case "openrc":
			writeFile(rewrite("hostname=", `hostname="`+name+`"`, false))
		case "redhat":
			var b strings.Builder
			found := false
			for _, l := range strings.SplitAfter(content, "\n") {
				if l == "" {
					continue
				}
				if strings.HasPrefix(strings.TrimSpace(l), "HOSTNAME") {
					b.WriteString("HOSTNAME=" + name + "\n")
					found = true
				} else {
					b.WriteString(l)
				}
			}
			if !found {
				b.WriteString("HOSTNAME=" + name + "\n")
			}
			writeFile(b.String())
		default:
			writeFile(name + "\n")
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
	if _, ok := o2.Find("werr 13"); ok {
		return Result{"failed": true, "msg": fmt.Sprintf("failed to update hostname: [Errno 13] Permission denied: '%s'", strat.file)}, nil
	}
	if _, ok := o2.Find("werr 2"); ok {
		return Result{"failed": true, "msg": fmt.Sprintf("failed to update hostname: [Errno 2] No such file or directory: '%s'", strat.file)}, nil
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
