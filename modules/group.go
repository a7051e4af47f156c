package modules

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"octopus/engine/connection"
	"octopus/modules/internal/argspec"
	"octopus/modules/internal/probe"
)

var groupSpec = argspec.Spec{
	Module: "group",
	Options: []argspec.Option{
		{Name: "state", Default: "present", Choices: []any{"absent", "present"}},
		{Name: "name", Required: true},
		{Name: "gid", Type: "int"},
		{Name: "system", Type: "bool", Default: false},
		{Name: "local", Type: "bool", Default: false},
		{Name: "non_unique", Type: "bool", Default: false},
	},
	RequiredIf: []argspec.RequiredIf{{Key: "non_unique", Value: true, Requires: []string{"gid"}}},
}

func init() { Register(Func(runGroup), "group") }

// groupProbe prints the group's entry (NSS, or /etc/group for local) and
// the group tools' paths.
func groupProbe(name string, local bool) string {
	q := connection.ShellQuote(name)
	s := "S path; printf '%s' \"$PATH\"\nS bins; PATH=$PATH:/sbin:/usr/sbin:/usr/local/sbin; for x in groupadd groupdel groupmod lgroupadd lgroupdel lgroupmod; do command -v $x; done\n"
	if local {
		s += fmt.Sprintf("S local; [ -e /etc/group ] && echo yes\nS entry; grep \"^\"%s\":\" /etc/group 2>/dev/null | tail -n 1\n", q)
	} else {
		s += fmt.Sprintf("S entry; getent group %s 2>/dev/null\n", q)
	}
	return s
}

func runGroup(ctx context.Context, req *Request) (Result, error) {
	p, err := validateArgs(req, &groupSpec, "", req.Args)
	if err != nil {
		return Result{"failed": true, "msg": err.Error()}, nil
	}
	name, state, local := p.String("name"), p.String("state"), p.Bool("local")
	o, err := probe.Run(ctx, req.Conn, groupProbe(name, local), sysExecOpts(req))
	if err != nil {
		return nil, err
	}
	if local && strings.TrimSpace(o.Section("local")) == "" {
		return Result{"failed": true, "msg": "'local: true' specified but unable to find local group file /etc/group to parse."}, nil
	}
	bins := map[string]string{}
	for _, l := range o.Lines("bins") {
		bins[l[strings.LastIndexByte(l, '/')+1:]] = l
	}
	tool := func(op string) (string, Result) {
		n := "group" + op
		if local {
			n = "lgroup" + op
		}
		if bins[n] == "" {
			return "", Result{"failed": true, "msg": sysBinPathError(n, o.Section("path"))}
		}
		return bins[n], nil
	}
	entry := strings.TrimSpace(o.Section("entry"))
	exists := entry != ""
	gidOf := func(e string) int {
		f := strings.Split(e, ":")
		if len(f) < 3 {
			return -1
		}
		n, _ := strconv.Atoi(f[2])
		return n
	}
	res := Result{"name": name, "state": state}
	var cmd []string
	switch {
	case state == "absent" && exists:
		if req.CheckMode {
			return Result{"changed": true}, nil
		}
		b, f := tool("del")
		if f != nil {
			return f, nil
		}
		cmd = []string{b, name}
	case state == "present" && !exists:
		if req.CheckMode {
			return Result{"changed": true}, nil
		}
		b, f := tool("add")
		if f != nil {
			return f, nil
		}
		if local && p.Set("gid") {
			// lgroupadd: Ansible refuses a gid another group has
			o2, err := probe.Run(ctx, req.Conn, fmt.Sprintf("S other; getent group %d\n", p.Int("gid")), sysExecOpts(req))
			if err != nil {
				return nil, err
			}
			if e := strings.TrimSpace(o2.Section("other")); e != "" && strings.Split(e, ":")[0] != name {
				return Result{"failed": true, "msg": fmt.Sprintf("GID '%d' already exists with group '%s'", p.Int("gid"), strings.Split(e, ":")[0])}, nil
			}
		}
		cmd = []string{b}
		if p.Set("gid") {
			cmd = append(cmd, "-g", strconv.Itoa(p.Int("gid")))
			if p.Bool("non_unique") {
				cmd = append(cmd, "-o")
			}
		}
		if p.Bool("system") {
			cmd = append(cmd, "-r")
		}
		cmd = append(cmd, name)
	case state == "present" && exists && p.Set("gid") && gidOf(entry) != p.Int("gid"):
		b, f := tool("mod")
		if f != nil {
			return f, nil
		}
		if req.CheckMode {
			res["changed"] = true
			res["system"] = p.Bool("system")
			res["gid"] = gidOf(entry)
			return res, nil
		}
		cmd = []string{b, "-g", strconv.Itoa(p.Int("gid"))}
		if p.Bool("non_unique") {
			cmd = append(cmd, "-o")
		}
		cmd = append(cmd, name)
	}
	var script strings.Builder
	if cmd != nil {
		q := make([]string, len(cmd))
		for i, c := range cmd {
			q[i] = connection.ShellQuote(c)
		}
		script.WriteString("CE act " + strings.Join(q, " ") + "\n")
	}
	script.WriteString(groupProbe(name, local))
	o2, err := probe.Run(ctx, req.Conn, script.String(), sysExecOpts(req))
	if err != nil {
		return nil, err
	}
	res["changed"] = cmd != nil
	if cmd != nil {
		out, rc, _ := o2.Cmd("act")
		errOut := o2.Stderr("act")
		if rc != 0 {
			return Result{"failed": true, "name": name, "msg": errOut}, nil
		}
		if out != "" {
			res["stdout"] = out
		}
		if errOut != "" {
			res["stderr"] = errOut
		}
	}
	if e := strings.TrimSpace(o2.Section("entry")); e != "" {
		res["system"] = p.Bool("system")
		res["gid"] = gidOf(e)
	}
	return res, nil
}
