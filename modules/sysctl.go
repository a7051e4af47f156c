package modules

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"

	"octopus/engine/connection"
	"octopus/modules/internal/argspec"
	"octopus/modules/internal/probe"
)

var sysctlSpec = argspec.Spec{
	Module: "sysctl",
	Options: []argspec.Option{
		{Name: "name", Aliases: []string{"key"}, Required: true},
		{Name: "value", Aliases: []string{"val"}},
		{Name: "state", Default: "present", Choices: []any{"present", "absent"}},
		{Name: "reload", Type: "bool", Default: true},
		{Name: "sysctl_set", Type: "bool", Default: false},
		{Name: "ignoreerrors", Type: "bool", Default: false},
		{Name: "sysctl_file", Type: "path", Default: "/etc/sysctl.conf"},
	},
	RequiredIf: []argspec.RequiredIf{{Key: "state", Value: "present", Requires: []string{"value"}}},
}

func init() { Register(Func(runSysctl), "sysctl", "ansible.posix.sysctl") }

// SysctlFile is the parsed sysctl file: its stripped lines and values.
type SysctlFile struct {
	Lines  []string
	Values map[string]string
}

// ParseSysctlFile reads key=value lines like the sysctl module.
func ParseSysctlFile(text string) SysctlFile {
	f := SysctlFile{Values: map[string]string{}}
	for _, l := range sysPyLines(text) {
		l = strings.TrimSpace(l)
		f.Lines = append(f.Lines, l)
		if l == "" || strings.HasPrefix(l, "#") || strings.HasPrefix(l, ";") || !strings.Contains(l, "=") {
			continue
		}
		k, v, _ := strings.Cut(l, "=")
		f.Values[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return f
}

// Fixed returns the file text after setting (or removing) name, with
// duplicate keys dropped as the module does.
func (f SysctlFile) Fixed(name, value string, present bool) string {
	var b strings.Builder
	checked := map[string]bool{}
	for _, l := range f.Lines {
		if l == "" || strings.HasPrefix(l, "#") || strings.HasPrefix(l, ";") || !strings.Contains(l, "=") {
			b.WriteString(l + "\n")
			continue
		}
		k, v, _ := strings.Cut(l, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if checked[k] {
			continue
		}
		checked[k] = true
		if k == name {
			if present {
				b.WriteString(k + "=" + value + "\n")
			}
		} else {
			b.WriteString(k + "=" + v + "\n")
		}
	}
	if !checked[name] && present {
		b.WriteString(name + "=" + value + "\n")
	}
	return b.String()
}

func sysctlValue(v any) string {
	s, ok := v.(string)
	if !ok {
		if v == nil {
			return ""
		}
		s = fmt.Sprint(v)
	}
	switch strings.ToLower(s) {
	case "y", "yes", "on", "1", "true", "t", "1.0":
		return "1"
	case "n", "no", "off", "0", "false", "f", "0.0":
		return "0"
	}
	return strings.TrimSpace(s)
}

func sysctlEqual(a, b string) bool {
	x, y := strings.Fields(a), strings.Fields(b)
	if len(x) != len(y) {
		return false
	}
	for i := range x {
		if x[i] != y[i] {
			return false
		}
	}
	return true
}

var sysctlErrRe = regexp.MustCompile(`(?m)^sysctl: setting key "[^"]+": (Invalid argument|Read-only file system)$`)

func runSysctl(ctx context.Context, req *Request) (Result, error) {
	p, err := validateArgs(req, &sysctlSpec, "", req.Args)
	if err != nil {
		return Result{"failed": true, "msg": err.Error()}, nil
	}
	name := strings.TrimSpace(p.String("name"))
	present := p.String("state") == "present"
	if p.String("name") == "" {
		return Result{"failed": true, "msg": "name cannot be blank"}, nil
	}
	if present && p["value"] == "" {
		return Result{"failed": true, "msg": "value cannot be blank"}, nil
	}
	value := sysctlValue(p["value"])
	p["name"], p["value"] = name, value // Ansible's sysctl normalizes its params (invocation shows them)
	file := p.String("sysctl_file")
	qf := connection.ShellQuote(file)
	o, err := probe.Run(ctx, req.Conn, fmt.Sprintf("LANG=C LC_ALL=C LC_MESSAGES=C; export LANG LC_ALL LC_MESSAGES\nS path; printf '%%s' \"$PATH\"\nS bin; PATH=$PATH:/sbin:/usr/sbin:/usr/local/sbin command -v sysctl\nCE cur sysctl -e -n %s\n[ -f %s ] && F %s\n", connection.ShellQuote(name), qf, qf), sysExecOpts(req))
	if err != nil {
		return nil, err
	}
	bin := strings.TrimSpace(o.Section("bin"))
	if bin == "" {
		return Result{"failed": true, "msg": sysBinPathError("sysctl", o.Section("path"))}, nil
	}
	cur, rc, _ := o.Cmd("cur")
	haveProc := rc == 0
	text, _ := o.File(file)
	sf := ParseSysctlFile(text)
	fileVal, inFile := sf.Values[name]
	changed, writeFile, setProc := false, false, false
	switch {
	case !inFile && present:
		changed, writeFile = true, true
	case !inFile && !present:
	case inFile && fileVal != "" && !present:
		changed, writeFile = true, true
	case fileVal != value:
		changed, writeFile = true, true
	case p.Bool("reload"):
		if !haveProc || !sysctlEqual(cur, value) {
			changed = true
		}
	}
	if p.Bool("sysctl_set") && present {
		if !haveProc {
			changed = true
		} else if !sysctlEqual(cur, value) {
			changed, setProc = true, true
		}
	}
	if req.CheckMode || !(setProc || writeFile || (changed && p.Bool("reload"))) {
		return Result{"changed": changed}, nil
	}
	e := ""
	if p.Bool("ignoreerrors") {
		e = "-e "
	}
	var s strings.Builder
	s.WriteString("LANG=C LC_ALL=C LC_MESSAGES=C; export LANG LC_ALL LC_MESSAGES\n")
	if setProc {
		fmt.Fprintf(&s, "CE set %s %s-w %s\n", bin, e, connection.ShellQuote(name+"="+value))
		s.WriteString("[ \"$_r\" = 0 ] || exit 0\n")
	}
	if writeFile {
		dir := filepath.Dir(file)
		fmt.Fprintf(&s, "_t=$(mktemp %s/.ansible_m_sysctl_XXXXXX.conf) && printf '%%s' %s > \"$_t\" && { [ -e %s ] && chmod --reference=%s \"$_t\" || chmod 0644 \"$_t\"; } && mv -f \"$_t\" %s || { S werr; exit 0; }\n",
			connection.ShellQuote(dir), connection.ShellQuote(sf.Fixed(name, value, present)), qf, qf, qf)
	}
	if changed && p.Bool("reload") {
		fmt.Fprintf(&s, "CE reload %s %s-p %s\n", bin, e, qf)
	}
	o2, err := probe.Run(ctx, req.Conn, s.String(), sysExecOpts(req))
	if err != nil {
		return nil, err
	}
	if out, rc, ok := o2.Cmd("set"); ok && (rc != 0 || sysctlErrRe.MatchString(o2.Stderr("set"))) {
		return Result{"failed": true, "msg": fmt.Sprintf("setting %s failed: %s", name, out+o2.Stderr("set"))}, nil
	}
	if _, ok := o2.Find("werr"); ok {
		return Result{"failed": true, "msg": "Failed to write to file " + file}, nil
	}
	if out, rc, ok := o2.Cmd("reload"); ok && (rc != 0 || sysctlErrRe.MatchString(o2.Stderr("reload"))) {
		return Result{"failed": true, "msg": "Failed to reload sysctl: " + out + o2.Stderr("reload")}, nil
	}
	return Result{"changed": changed}, nil
}
