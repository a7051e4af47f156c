package modules

import (
	"context"
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"

	"octopus/engine/connection"
	"octopus/modules/internal/argspec"
	"octopus/modules/internal/probe"
)

var userSpec = argspec.Spec{
	Module: "user",
	Options: []argspec.Option{
		{Name: "state", Default: "present", Choices: []any{"absent", "present"}},
		{Name: "name", Required: true, Aliases: []string{"user"}},
		{Name: "uid", Type: "int"},
		{Name: "non_unique", Type: "bool", Default: false},
		{Name: "group"},
		{Name: "groups", Type: "list", Elements: "str"},
		{Name: "comment"},
		{Name: "home", Type: "path"},
		{Name: "shell"},
		{Name: "password", NoLog: true},
		{Name: "login_class"},
		{Name: "password_expire_max", Type: "int"},
		{Name: "password_expire_min", Type: "int"},
		{Name: "hidden", Type: "bool"},
		{Name: "seuser"},
		{Name: "force", Type: "bool", Default: false},
		{Name: "remove", Type: "bool", Default: false},
		{Name: "create_home", Type: "bool", Default: true, Aliases: []string{"createhome"}},
		{Name: "skeleton"},
		{Name: "system", Type: "bool", Default: false},
		{Name: "move_home", Type: "bool", Default: false},
		{Name: "append", Type: "bool", Default: false},
		{Name: "generate_ssh_key", Type: "bool"},
		{Name: "ssh_key_bits", Type: "int", Default: 0},
		{Name: "ssh_key_type", Default: "rsa"},
		{Name: "ssh_key_file", Type: "path"},
		{Name: "ssh_key_comment"},
		{Name: "ssh_key_passphrase", NoLog: true},
		{Name: "update_password", Default: "always", Choices: []any{"always", "on_create"}},
		{Name: "expires", Type: "float"},
		{Name: "password_lock", Type: "bool"},
		{Name: "local", Type: "bool"},
		{Name: "profile"},
		{Name: "authorization"},
		{Name: "role"},
		{Name: "umask"},
	},
}

func init() { Register(Func(runUser), "user") }

// userState is what one probe learns about a user and the groups.
type userState struct {
	exists  bool
	pw      []string // passwd fields
	shadow  string   // password hash ("" when unreadable)
	groups  map[string]int
	members map[string][]string // group -> members
	hasApp  bool
	homeDir bool // home directory exists
}

func userProbe(name, home string) string {
	q := connection.ShellQuote(name)
	s := fmt.Sprintf(`S path; printf '%%s' "$PATH"
S bins; PATH=$PATH:/sbin:/usr/sbin:/usr/local/sbin; for x in useradd usermod userdel; do command -v $x; done
S pw; getent passwd %[1]s
S shadow; getent shadow %[1]s 2>/dev/null | cut -d: -f2
S groups; getent group
S append; usermod --help 2>&1 | grep -q -- --append && echo yes
`, q)
	if home != "" {
		s += fmt.Sprintf("S homedir; [ -d %s ] && echo yes\n", connection.ShellQuote(home))
	} else {
		s += fmt.Sprintf("S homedir; _h=$(getent passwd %s | cut -d: -f6); [ -n \"$_h\" ] && [ -d \"$_h\" ] && echo yes\n", q)
	}
	return s
}

func parseUserState(o *probe.Output) userState {
	st := userState{groups: map[string]int{}, members: map[string][]string{}}
	if pw := strings.TrimSpace(o.Section("pw")); pw != "" {
		st.exists = true
		st.pw = strings.Split(pw, ":")
		for len(st.pw) < 7 {
			st.pw = append(st.pw, "")
		}
	}
	st.shadow = strings.TrimSpace(o.Section("shadow"))
	for _, l := range o.Lines("groups") {
		f := strings.Split(l, ":")
		if len(f) < 4 {
			continue
		}
		gid, _ := strconv.Atoi(f[2])
		if _, dup := st.groups[f[0]]; !dup {
			st.groups[f[0]] = gid
		}
		if f[3] != "" {
			st.members[f[0]] = strings.Split(f[3], ",")
		}
	}
	st.hasApp = strings.TrimSpace(o.Section("append")) == "yes"
	st.homeDir = strings.TrimSpace(o.Section("homedir")) == "yes"
	return st
}

func (st userState) groupExists(g string) bool {
	if _, ok := st.groups[g]; ok {
		return true
	}
	if n, err := strconv.Atoi(g); err == nil {
		for _, gid := range st.groups {
			if gid == n {
				return true
			}
		}
	}
	return false
}

func (st userState) gidOf(g string) int {
	if gid, ok := st.groups[g]; ok {
		return gid
	}
	n, _ := strconv.Atoi(g)
	return n
}

func runUser(ctx context.Context, req *Request) (Result, error) {
	p, err := userSpec.Validate(req.Args)
	if err != nil {
		return Result{"failed": true, "msg": err.Error()}, nil
	}
	for _, k := range []string{"password_expire_max", "password_expire_min", "generate_ssh_key", "expires", "local", "seuser", "login_class", "profile", "authorization", "role", "hidden"} {
		if p.Set(k) && !(k == "generate_ssh_key" && !p.Bool(k)) {
			return Result{"failed": true, "msg": fmt.Sprintf("octopus: the user module's %s option is not supported yet", k)}, nil
		}
	}
	name, state := p.String("name"), p.String("state")
	o, err := probe.Run(ctx, req.Conn, userProbe(name, p.String("home")), sysExecOpts(req))
	if err != nil {
		return nil, err
	}
	st := parseUserState(o)
	bins := map[string]string{}
	for _, l := range o.Lines("bins") {
		bins[path.Base(l)] = l
	}
	need := func(b string) (string, Result) {
		if bins[b] == "" {
			return "", Result{"failed": true, "msg": sysBinPathError(b, o.Section("path"))}
		}
		return bins[b], nil
	}
	res := Result{"name": name, "state": state}
	var groups []string
	groupsSet := p.Set("groups")
	if groupsSet {
		seen := map[string]bool{}
		for _, g := range p.List("groups") {
			for _, x := range strings.Split(g, ",") {
				x = strings.TrimSpace(x)
				if x == "" || seen[x] {
					continue
				}
				if !st.groupExists(x) {
					return Result{"failed": true, "msg": fmt.Sprintf("Group %s does not exist", x)}, nil
				}
				seen[x] = true
				groups = append(groups, x)
			}
		}
		sort.Strings(groups)
	}
	var cmd []string
	var pre string // shell run before the command (parent of a new home)
	switch {
	case state == "absent" && st.exists:
		if req.CheckMode {
			return Result{"changed": true}, nil
		}
		b, f := need("userdel")
		if f != nil {
			return f, nil
		}
		cmd = []string{b}
		if p.Bool("force") {
			cmd = append(cmd, "-f")
		}
		if p.Bool("remove") {
			cmd = append(cmd, "-r")
		}
		cmd = append(cmd, name)
		res["force"], res["remove"] = p.Bool("force"), p.Bool("remove")
	case state == "present" && !st.exists:
		if req.CheckMode {
			return Result{"changed": true}, nil
		}
		b, f := need("useradd")
		if f != nil {
			return f, nil
		}
		cmd = []string{b}
		if p.Set("uid") {
			cmd = append(cmd, "-u", strconv.Itoa(p.Int("uid")))
			if p.Bool("non_unique") {
				cmd = append(cmd, "-o")
			}
		}
		if g := p.String("group"); p.Set("group") {
			if !st.groupExists(g) {
				return Result{"failed": true, "msg": fmt.Sprintf("Group %s does not exist", g)}, nil
			}
			cmd = append(cmd, "-g", g)
		} else if st.groupExists(name) {
			cmd = append(cmd, "-N")
		}
		if len(groups) > 0 {
			cmd = append(cmd, "-G", strings.Join(groups, ","))
		}
		if p.Set("comment") {
			cmd = append(cmd, "-c", p.String("comment"))
		}
		if h := p.String("home"); p.Set("home") {
			if p.Bool("create_home") {
				pre = fmt.Sprintf("[ -d \"$(dirname %[1]s)\" ] || mkdir -p \"$(dirname %[1]s)\"\n", connection.ShellQuote(h))
			}
			cmd = append(cmd, "-d", h)
		}
		if p.Set("shell") {
			cmd = append(cmd, "-s", p.String("shell"))
		}
		if p.Set("password") {
			cmd = append(cmd, "-p", p.String("password"))
		}
		if p.Bool("create_home") {
			cmd = append(cmd, "-m")
			if p.Set("skeleton") {
				cmd = append(cmd, "-k", p.String("skeleton"))
			}
			if p.Set("umask") {
				cmd = append(cmd, "-K", "UMASK="+p.String("umask"))
			}
		} else {
			cmd = append(cmd, "-M")
		}
		if p.Bool("system") {
			cmd = append(cmd, "-r")
		}
		cmd = append(cmd, name)
		res["system"], res["create_home"] = p.Bool("system"), p.Bool("create_home")
	case state == "present":
		b, f := need("usermod")
		if f != nil {
			return f, nil
		}
		cmd = []string{b}
		uid, _ := strconv.Atoi(st.pw[2])
		gid, _ := strconv.Atoi(st.pw[3])
		if p.Set("uid") && uid != p.Int("uid") {
			cmd = append(cmd, "-u", strconv.Itoa(p.Int("uid")))
			if p.Bool("non_unique") {
				cmd = append(cmd, "-o")
			}
		}
		if g := p.String("group"); p.Set("group") {
			if !st.groupExists(g) {
				return Result{"failed": true, "msg": fmt.Sprintf("Group %s does not exist", g)}, nil
			}
			if gid != st.gidOf(g) {
				cmd = append(cmd, "-g", strconv.Itoa(st.gidOf(g)))
			}
		}
		if groupsSet {
			cur := map[string]bool{}
			for g, m := range st.members {
				for _, u := range m {
					if u == name {
						cur[g] = true
					}
				}
			}
			want := map[string]bool{}
			for _, g := range groups {
				want[g] = true
			}
			diff := map[string]bool{}
			for g := range cur {
				if !want[g] {
					diff[g] = true
				}
			}
			for g := range want {
				if !cur[g] {
					diff[g] = true
				}
			}
			needMod := false
			if len(groups) == 0 {
				needMod = len(cur) > 0 && !p.Bool("append")
			} else if len(diff) > 0 {
				if p.Bool("append") {
					for _, g := range groups {
						if diff[g] {
							if st.hasApp {
								cmd = append(cmd, "-a")
							}
							needMod = true
							break
						}
					}
				} else {
					needMod = true
				}
			}
			if needMod {
				if p.Bool("append") && !st.hasApp {
					var d []string
					for g := range diff {
						d = append(d, g)
					}
					sort.Strings(d)
					cmd = append(cmd, "-A", strings.Join(d, ","))
				} else {
					cmd = append(cmd, "-G", strings.Join(groups, ","))
				}
			}
		}
		if p.Set("comment") && st.pw[4] != p.String("comment") {
			cmd = append(cmd, "-c", p.String("comment"))
		}
		if p.Set("home") && st.pw[5] != p.String("home") {
			cmd = append(cmd, "-d", p.String("home"))
			if p.Bool("move_home") {
				cmd = append(cmd, "-m")
			}
		}
		if p.Set("shell") && st.pw[6] != p.String("shell") {
			cmd = append(cmd, "-s", p.String("shell"))
		}
		if p.Set("password_lock") {
			if p.Bool("password_lock") && !strings.HasPrefix(st.shadow, "!") {
				cmd = append(cmd, "-L")
			} else if !p.Bool("password_lock") && strings.HasPrefix(st.shadow, "!") {
				cmd = append(cmd, "-U")
			}
		}
		if p.String("update_password") == "always" && p.Set("password") && strings.TrimLeft(st.shadow, "!") != strings.TrimLeft(p.String("password"), "!") {
			var kept []string
			for _, c := range cmd {
				if c != "-U" && c != "-L" {
					kept = append(kept, c)
				}
			}
			cmd = append(kept, "-p")
			if p.Bool("password_lock") {
				cmd = append(cmd, "!"+p.String("password"))
			} else {
				cmd = append(cmd, p.String("password"))
			}
		}
		if len(cmd) == 1 {
			cmd = nil
		} else {
			cmd = append(cmd, name)
		}
		res["append"], res["move_home"] = p.Bool("append"), p.Bool("move_home")
	}
	var s strings.Builder
	changed := false
	if cmd != nil {
		changed = true
		if !req.CheckMode {
			s.WriteString(pre)
			q := make([]string, len(cmd))
			for i, c := range cmd {
				q[i] = connection.ShellQuote(c)
			}
			s.WriteString("CE act " + strings.Join(q, " ") + "\n")
		}
	}
	if state == "present" && p.Set("password") {
		res["password"] = "NOT_LOGGING_PASSWORD"
	}
	s.WriteString(userProbe(name, p.String("home")))
	o2, err := probe.Run(ctx, req.Conn, s.String(), sysExecOpts(req))
	if err != nil {
		return nil, err
	}
	if out, rc, ok := o2.Cmd("act"); ok {
		e := o2.Stderr("act")
		if rc != 0 {
			return Result{"failed": true, "name": name, "msg": e, "rc": rc}, nil
		}
		if out != "" {
			res["stdout"] = out
		}
		if e != "" {
			res["stderr"] = e
		}
	}
	after := parseUserState(o2)
	if state == "present" && after.exists {
		uid, _ := strconv.Atoi(after.pw[2])
		gid, _ := strconv.Atoi(after.pw[3])
		res["uid"], res["group"], res["comment"], res["home"], res["shell"] = uid, gid, after.pw[4], after.pw[5], after.pw[6]
		if groupsSet {
			res["groups"] = strings.Join(p.List("groups"), ",")
		}
		home := p.String("home")
		if home == "" {
			home = after.pw[5]
		}
		if !after.homeDir && p.Bool("create_home") {
			if !req.CheckMode {
				skel := "/etc/skel"
				if p.Set("skeleton") {
					skel = p.String("skeleton")
				}
				qh := connection.ShellQuote(home)
				o3, err := probe.Run(ctx, req.Conn, fmt.Sprintf("mkdir -p %[1]s && { [ -d %[2]s ] && cp -a %[2]s/. %[1]s/ 2>/dev/null; chmod 0755 %[1]s; chown -R %[3]d:%[4]d %[1]s; } || S herr\n", qh, connection.ShellQuote(skel), uid, gid), sysExecOpts(req))
				if err != nil {
					return nil, err
				}
				if _, bad := o3.Find("herr"); bad {
					return Result{"failed": true, "msg": "failed to create home directory " + home}, nil
				}
			}
			changed = true
		}
	}
	res["changed"] = changed
	return res, nil
}
