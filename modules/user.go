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
		{Name: "password_expire_max", Type: "int", LogOK: true},
		{Name: "password_expire_min", Type: "int", LogOK: true},
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
		{Name: "update_password", Default: "always", Choices: []any{"always", "on_create"}, LogOK: true},
		{Name: "expires", Type: "float"},
		{Name: "password_lock", Type: "bool", LogOK: true},
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
S bins; PATH=$PATH:/sbin:/usr/sbin:/usr/local/sbin; for x in useradd usermod userdel luseradd lusermod luserdel lgroupmod lchage; do command -v $x; done
S pw; getent passwd %[1]s
S shadow; getent shadow %[1]s 2>/dev/null | cut -d: -f2
S shadowf; getent shadow %[1]s 2>/dev/null
S localpw; grep -q %[2]s /etc/passwd 2>/dev/null && echo yes
S groups; getent group
S append; usermod --help 2>&1 | grep -q -- --append && echo yes
`, q, connection.ShellQuote("^"+regexpQuoteBasic(name)+":"))
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
	p, err := validateArgs(req, &userSpec, "", req.Args)
	if err != nil {
		return Result{"failed": true, "msg": err.Error()}, nil
	}
	if !p.Set("ssh_key_comment") { // Ansible's default names the target host
		p["ssh_key_comment"] = "ansible-generated on " + targetNodename(ctx, req)
	}
	// login_class, hidden, profile, authorization and role do nothing on Linux, as in Ansible
	local := p.Bool("local")
	if local && p.Set("umask") {
		return Result{"failed": true, "msg": "'umask' can not be used with 'local'"}, nil
	}
	warns := userWarnings(p)
	name, state := p.String("name"), p.String("state")
	o, err := probe.Run(ctx, req.Conn, userProbe(name, p.String("home")), sysExecOpts(req))
	if err != nil {
		return nil, err
	}
	st := parseUserState(o)
	if local {
		// only the local account file counts (user_exists with local)
		st.exists = st.exists && strings.TrimSpace(o.Section("localpw")) == "yes"
		if !st.exists {
			warns = append(warns, fmt.Sprintf("'local: true' specified and user '%[1]s' was not found in /etc/passwd. The local user account may already exist if the local account database exists somewhere other than /etc/passwd.", name))
		}
	}
	withWarn := func(r Result) Result {
		if len(warns) > 0 {
			later, _ := r["warnings"].([]any)
			r["warnings"] = append(append([]any(nil), warns...), later...)
		}
		return r
	}
	var post []string // local: lchage / lgroupmod commands after the main one
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
	// needMod resolves tool (its l-prefixed libuser form for local users)
	// and, for local users, the lgroupmod and lchage it is followed by.
	needMod := func(tool string) (b, lgroupmod, lchage string, f Result) {
		if local {
			if lgroupmod, f = need("lgroupmod"); f != nil {
				return "", "", "", f
			}
			if lchage, f = need("lchage"); f != nil {
				return "", "", "", f
			}
		}
		b, f = need(map[bool]string{false: tool, true: "l" + tool}[local])
		return b, lgroupmod, lchage, f
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
			return withWarn(Result{"changed": true}), nil
		}
		b, f := need(map[bool]string{false: "userdel", true: "luserdel"}[local])
		if f != nil {
			return f, nil
		}
		cmd = []string{b}
		if p.Bool("force") && !local {
			cmd = append(cmd, "-f")
		}
		if p.Bool("remove") {
			cmd = append(cmd, "-r")
		}
		cmd = append(cmd, name)
		res["force"], res["remove"] = p.Bool("force"), p.Bool("remove")
	case state == "present" && !st.exists:
		if req.CheckMode {
			return withWarn(Result{"changed": true}), nil
		}
		b, lgroupmod, lchage, f := needMod("useradd")
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
		if p.Set("seuser") {
			cmd = append(cmd, "-Z", p.String("seuser"))
		}
		if g := p.String("group"); p.Set("group") {
			if !st.groupExists(g) {
				return Result{"failed": true, "msg": fmt.Sprintf("Group %s does not exist", g)}, nil
			}
			cmd = append(cmd, "-g", g)
		} else if st.groupExists(name) {
			cmd = append(cmd, map[bool]string{false: "-N", true: "-n"}[local])
		}
		if len(groups) > 0 && !local {
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
		if set, never, date, _ := userExpires(p); set && !local {
			if never {
				date = ""
			}
			cmd = append(cmd, "-e", date)
		}
		if p.Set("password") {
			if p.Bool("password_lock") {
				cmd = append(cmd, "-p", "!"+p.String("password"))
			} else {
				cmd = append(cmd, "-p", p.String("password"))
			}
		}
		if p.Bool("create_home") {
			if !local {
				cmd = append(cmd, "-m")
			}
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
		if local {
			if set, never, _, days := userExpires(p); set {
				if never {
					days = -1
				}
				post = append(post, shellJoin(lchage, "-E", strconv.FormatInt(days, 10), name))
			}
			for _, g := range groups {
				post = append(post, shellJoin(lgroupmod, "-M", name, g))
			}
		}
		res["system"], res["create_home"] = p.Bool("system"), p.Bool("create_home")
	case state == "present":
		b, lgroupmod, lchage, f := needMod("usermod")
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
			if needMod && local {
				// libuser: lgroupmod adds (and without append removes) members
				for _, g := range groups {
					if !cur[g] {
						post = append(post, shellJoin(lgroupmod, "-M", name, g))
					}
				}
				if !p.Bool("append") {
					var del []string
					for g := range cur {
						if !want[g] {
							del = append(del, g)
						}
					}
					sort.Strings(del)
					for _, g := range del {
						post = append(post, shellJoin(lgroupmod, "-m", name, g))
					}
				}
			} else if needMod {
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
		ea, days := userExpiresArgs(p, o.Section("shadowf"))
		cmd = append(cmd, ea...)
		if days != nil {
			post = append([]string{shellJoin(lchage, "-E", strconv.FormatInt(*days, 10), name)}, post...)
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
	if cmd != nil || len(post) > 0 {
		changed = true
		if !req.CheckMode {
			s.WriteString(pre)
			if cmd != nil {
				s.WriteString("CE act " + shellJoin(cmd...) + "\n")
			} else {
				s.WriteString("_r=0\n")
			}
			for i, c := range post {
				fmt.Fprintf(&s, "[ \"$_r\" = 0 ] && CE post%d %s\n", i, c)
			}
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
	var allOut, allErr string
	for i := -1; i < len(post); i++ {
		step := "act"
		if i >= 0 {
			step = fmt.Sprintf("post%d", i)
		}
		out, rc, ok := o2.Cmd(step)
		if !ok {
			continue
		}
		allOut += out
		allErr += o2.Stderr(step)
		if rc != 0 {
			return Result{"failed": true, "name": name, "msg": allErr, "rc": rc}, nil
		}
	}
	if allOut != "" {
		res["stdout"] = allOut
	}
	if allErr != "" {
		res["stderr"] = allErr
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
		// ssh key and password ageing, as the module does last
		ch, f, err := userExtras(ctx, req, p, name, after, o2.Section("shadowf"), res)
		if err != nil || f != nil {
			return f, err
		}
		changed = changed || ch
	}
	res["changed"] = changed
	return withWarn(res), nil
}
