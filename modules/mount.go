package modules

import (
	"context"
	"fmt"
	"path"
	"strconv"
	"strings"

	"octopus/engine/connection"
	"octopus/modules/internal/argspec"
	"octopus/modules/internal/probe"
)

var mountSpec = argspec.Spec{
	Module: "mount",
	Options: []argspec.Option{
		{Name: "boot", Type: "bool", Default: true},
		{Name: "dump", Default: "0"},
		{Name: "fstab"},
		{Name: "fstype"},
		{Name: "path", Type: "path", Required: true, Aliases: []string{"name"}},
		{Name: "opts"},
		{Name: "passno", Default: "0", LogOK: true},
		{Name: "src", Type: "path"},
		{Name: "backup", Type: "bool", Default: false},
		{Name: "state", Required: true, Choices: []any{"absent", "absent_from_fstab", "mounted", "present", "unmounted", "remounted", "ephemeral"}},
	},
	RequiredIf: []argspec.RequiredIf{
		{Key: "state", Value: "mounted", Requires: []string{"src", "fstype"}},
		{Key: "state", Value: "present", Requires: []string{"src", "fstype"}},
		{Key: "state", Value: "ephemeral", Requires: []string{"src", "fstype"}},
	},
}

func init() { Register(Func(runMount), "mount", "ansible.posix.mount") }

func escapeFstab(v string) string {
	return strings.NewReplacer(`\`, `\134`, " ", `\040`, "&", `\046`).Replace(v)
}

// fstabLines splits like Python's readlines().
func fstabLines(s string) []string { return sysPyLines(s) }

// SetFstabEntry is the mount module's _set_mount_save_old on fstab text:
// the new text and whether it changed. args holds name, src, fstype, opts,
// dump and passno (unescaped).
func SetFstabEntry(text string, args map[string]string) (string, bool) {
	esc := map[string]string{}
	for k, v := range args {
		esc[k] = escapeFstab(v)
	}
	var out []string
	exists, changed := false, false
	const intZero = "\x00int0" // Python's int 0 default: never equal to a string field
	render := func(ld map[string]string) string {
		g := func(k string) string {
			if ld[k] == intZero {
				return "0"
			}
			return ld[k]
		}
		return fmt.Sprintf("%s %s %s %s %s %s\n", g("src"), g("name"), g("fstype"), g("opts"), g("dump"), g("passno"))
	}
	for _, line := range fstabLines(text) {
		if !strings.HasSuffix(line, "\n") {
			line += "\n"
		}
		if strings.TrimSpace(line) == "" || strings.HasPrefix(strings.TrimSpace(line), "#") {
			out = append(out, line)
			continue
		}
		fields := strings.Fields(line)
		if len(fields) < 4 || len(fields) > 6 {
			out = append(out, line)
			continue
		}
		ld := map[string]string{"dump": intZero, "passno": intZero}
		for i, k := range []string{"src", "name", "fstype", "opts", "dump", "passno"}[:len(fields)] {
			ld[k] = fields[i]
		}
		_, hasSrc := args["src"]
		if ld["name"] != esc["name"] || (hasSrc && ld["name"] == "none" && ld["fstype"] == "swap" && ld["src"] != args["src"]) {
			out = append(out, line)
			continue
		}
		exists = true
		for _, k := range []string{"src", "fstype", "opts", "dump", "passno"} {
			if ld[k] != esc[k] {
				ld[k] = esc[k]
				changed = true
			}
		}
		if changed {
			out = append(out, render(ld))
		} else {
			out = append(out, line)
		}
	}
	if !exists {
		out = append(out, render(esc))
		changed = true
	}
	return strings.Join(out, ""), changed
}

// UnsetFstabEntry is unset_mount on fstab text.
func UnsetFstabEntry(text string, args map[string]string) (string, bool) {
	name := escapeFstab(args["name"])
	var out []string
	changed := false
	for _, line := range fstabLines(text) {
		if strings.TrimSpace(line) == "" || strings.HasPrefix(strings.TrimSpace(line), "#") {
			out = append(out, line)
			continue
		}
		f := strings.Fields(line)
		if len(f) != 6 {
			out = append(out, line)
			continue
		}
		_, hasSrc := args["src"]
		if f[1] != name || (hasSrc && f[1] == "none" && f[2] == "swap" && f[0] != args["src"]) {
			out = append(out, line)
			continue
		}
		changed = true
	}
	return strings.Join(out, ""), changed
}

// linuxMounts parses /proc/self/mountinfo like the mount module: mount
// point -> source (bind mounts resolved to their root).
func linuxMounts(text string) map[string]string {
	type rec struct {
		id, parent         int
		root, dst, fs, src string
	}
	info := map[int]*rec{}
	var order []int
	for _, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if len(f) < 7 {
			continue
		}
		id, _ := strconv.Atoi(f[0])
		pid, _ := strconv.Atoi(f[1])
		info[id] = &rec{id: id, parent: pid, root: f[3], dst: f[4], fs: f[len(f)-3], src: f[len(f)-2]}
		order = append(order, id)
	}
	out := map[string]string{}
	for _, id := range order {
		m := info[id]
		src := m.src
		if p, ok := info[m.parent]; m.parent != 1 && ok {
			root := m.root
			if len(p.root) > 1 && strings.HasPrefix(root, p.root+"/") {
				root = root[len(p.root):]
			}
			if p.dst != "/" {
				root = p.dst + root
			}
			src = root
		}
		out[m.dst] = src
	}
	return out
}

func runMount(ctx context.Context, req *Request) (Result, error) {
	p, err := validateArgs(req, &mountSpec, "", req.Args)
	if err != nil {
		return Result{"failed": true, "msg": err.Error()}, nil
	}
	state := p.String("state")
	name := p.String("path")
	args := map[string]string{"name": name, "opts": "defaults", "dump": "0", "passno": "0", "fstab": "/etc/fstab", "boot": "yes"}
	for _, k := range []string{"src", "fstype", "passno", "opts", "dump", "fstab"} {
		if p.Set(k) {
			args[k] = p.String(k)
		}
	}
	warnings := []any{}
	opts := strings.Split(args["opts"], ",")
	hasOpt := func(o string) bool {
		for _, x := range opts {
			if x == o {
				return true
			}
		}
		return false
	}
	if hasOpt("noauto") {
		warnings = append(warnings, "Ignore the 'boot' due to 'opts' contains 'noauto'.")
	} else if !p.Bool("boot") {
		args["boot"] = "no"
		if hasOpt("defaults") {
			warnings = append(warnings, "Ignore the 'boot' due to 'opts' contains 'defaults'.")
		} else {
			args["opts"] = strings.Join(append(opts, "noauto"), ",")
		}
	}
	fstab := args["fstab"]
	qn, qf := connection.ShellQuote(name), connection.ShellQuote(fstab)
	var s strings.Builder
	s.WriteString("S path; printf '%s' \"$PATH\"\nS bins; command -v mount; command -v umount\n")
	if state != "ephemeral" {
		fmt.Fprintf(&s, "if [ ! -e %[1]s ]; then mkdir -p \"$(dirname %[1]s)\" && : >> %[1]s || S fstaberr; fi\n", qf)
		fmt.Fprintf(&s, "F %s\n", qf)
	}
	fmt.Fprintf(&s, "F /proc/self/mountinfo\nS ismount; _p=%[1]s; if [ ! -L \"$_p\" ] && [ -e \"$_p\" ]; then if [ \"$(stat -c %%d \"$_p\")\" != \"$(stat -c %%d \"$_p/..\")\" ] || [ \"$(stat -c %%i \"$_p\")\" = \"$(stat -c %%i \"$_p/..\")\" ]; then echo yes; fi; fi\nS exists; [ -e %[1]s ] && echo yes\n", qn)
	o, err := probe.Run(ctx, req.Conn, s.String(), sysExecOpts(req))
	if err != nil {
		return nil, err
	}
	if _, bad := o.Find("fstaberr"); bad {
		return Result{"failed": true, "msg": fmt.Sprintf("Failed to open %s due to permission issue", fstab)}, nil
	}
	var mountBin, umountBin string
	for _, l := range o.Lines("bins") {
		switch path.Base(l) {
		case "mount":
			mountBin = l
		case "umount":
			umountBin = l
		}
	}
	mi, haveMI := o.File("/proc/self/mountinfo")
	var mounts map[string]string
	if haveMI {
		mounts = linuxMounts(mi)
	} else {
		warnings = append(warnings, "Cannot open file /proc/self/mountinfo. Bind mounts might be misinterpreted.")
	}
	isMount := strings.TrimSpace(o.Section("ismount")) == "yes"
	exists := strings.TrimSpace(o.Section("exists")) == "yes"
	bindMounted := func(src string) bool {
		if mounts == nil {
			return false
		}
		m, ok := mounts[name]
		if !ok {
			return false
		}
		return src == "" || m == src
	}
	fstabText, _ := o.File(fstab)
	res := Result{"name": name, "opts": args["opts"], "dump": args["dump"], "passno": args["passno"], "fstab": fstab, "boot": args["boot"], "warnings": warnings, "backup_file": ""}
	for _, k := range []string{"src", "fstype"} {
		if v, ok := args[k]; ok {
			res[k] = v
		}
	}
	changed := false
	fail := func(msg string) (Result, error) { return Result{"failed": true, "msg": msg}, nil }
	need := func(bin, exe string) (Result, bool) {
		if bin == "" {
			return Result{"failed": true, "msg": sysBinPathError(exe, o.Section("path"))}, true
		}
		return nil, false
	}
	fstabArgs := ""
	if fstab != "/etc/fstab" {
		fstabArgs = " -T " + qf
	}
	mountCmd := func() string {
		c := mountBin + fstabArgs
		if state == "ephemeral" {
			c = mountBin + " -t " + connection.ShellQuote(args["fstype"])
			if args["opts"] != "defaults" {
				c += " -o " + connection.ShellQuote(args["opts"])
			}
			c += " " + connection.ShellQuote(args["src"])
		}
		return c + " " + qn
	}
	// one action script; each step reports through CE sections
	var a strings.Builder
	writeFstab := func(text string) {
		if p.Bool("backup") {
			fmt.Fprintf(&a, "_bk=%[1]s.$$.$(date +%%Y-%%m-%%d@%%H:%%M:%%S~); cp -p %[1]s \"$_bk\" && S backup \"$_bk\"\n", qf)
		}
		fmt.Fprintf(&a, "printf '%%s' %s > %s || S fstaberr\n", connection.ShellQuote(text), qf)
	}
	run := func() (*probe.Output, error) {
		if a.Len() == 0 {
			return probe.Parse(""), nil
		}
		return probe.Run(ctx, req.Conn, a.String(), sysExecOpts(req))
	}
	// runRecord is run that also records the fstab backup the script made in res.
	runRecord := func() (*probe.Output, error) {
		o2, err := run()
		if err != nil {
			return nil, err
		}
		for _, sct := range o2.Sections {
			if sct.Kind == "backup" {
				res["backup_file"] = sct.Name
			}
		}
		return o2, nil
	}
	cmdErr := func(o2 *probe.Output, step string) (int, string) {
		out, rc, ok := o2.Cmd(step)
		if !ok {
			return 0, ""
		}
		return rc, out + o2.Stderr(step)
	}
	remountScript := func() {
		opt := "remount"
		if state == "remounted" && args["opts"] != "defaults" {
			opt = "remount," + args["opts"]
		}
		fmt.Fprintf(&a, "CE remount %s -o %s%s %s\nif [ \"$_r\" != 0 ]; then S remountfailed\n", mountBin, connection.ShellQuote(opt), fstabArgs, qn)
		if !(state == "remounted" && args["opts"] != "defaults") {
			fmt.Fprintf(&a, "CE umount %s %s\n[ \"$_r\" = 0 ] && CE mount %s\n", umountBin, qn, mountCmd())
		}
		a.WriteString("fi\n")
	}
	switch state {
	case "absent_from_fstab", "absent":
		newText, ch := UnsetFstabEntry(fstabText, args)
		changed = ch
		if ch && !req.CheckMode {
			writeFstab(newText)
			if state == "absent" {
				if isMount || bindMounted("") {
					if r, bad := need(umountBin, "umount"); bad {
						return r, nil
					}
					fmt.Fprintf(&a, "CE umount %s %s\n[ \"$_r\" = 0 ] || exit 0\n", umountBin, qn)
				}
				fmt.Fprintf(&a, "if [ -e %[1]s ]; then CE rmdir rmdir %[1]s; fi\n", qn)
			}
		}
		o2, err := runRecord()
		if err != nil {
			return nil, err
		}
		if rc, msg := cmdErr(o2, "umount"); rc != 0 {
			return fail(fmt.Sprintf("Error unmounting %s: %s", name, msg))
		}
		if rc, _ := cmdErr(o2, "rmdir"); rc != 0 {
			return fail(fmt.Sprintf("Error rmdir %s: %s", name, strings.TrimSpace(o2.Stderr("rmdir"))))
		}
	case "unmounted":
		if isMount || bindMounted("") {
			changed = true
			if !req.CheckMode {
				if r, bad := need(umountBin, "umount"); bad {
					return r, nil
				}
				fmt.Fprintf(&a, "CE umount %s %s\n", umountBin, qn)
				o2, err := run()
				if err != nil {
					return nil, err
				}
				if rc, msg := cmdErr(o2, "umount"); rc != 0 {
					return fail(fmt.Sprintf("Error unmounting %s: %s", name, msg))
				}
			}
		}
	case "mounted", "ephemeral":
		if r, bad := need(mountBin, "mount"); bad {
			return r, nil
		}
		if !exists && !req.CheckMode {
			fmt.Fprintf(&a, "CE mkdir mkdir -p %s\n[ \"$_r\" = 0 ] || exit 0\n", qn)
		}
		newText := fstabText
		if state != "ephemeral" {
			newText, changed = SetFstabEntry(fstabText, args)
			if changed && !req.CheckMode {
				writeFstab(newText)
			}
		}
		mounted := isMount || bindMounted(args["src"])
		if mounted {
			if state == "ephemeral" {
				if !(isMount || bindMounted("")) || (mounts != nil && mounts[name] != args["src"]) {
					return fail("Ephemeral mount point is already mounted with a different source than the specified one. Failing in order to prevent an unwanted unmount or override operation. Try replacing this command with a \"state: unmounted\" followed by a \"state: ephemeral\", or use a different destination path.")
				}
				changed = true
				if !req.CheckMode {
					remountScript()
				}
			} else if changed && !req.CheckMode {
				remountScript()
			}
		} else {
			changed = true
			if !req.CheckMode {
				fmt.Fprintf(&a, "CE mount %s\n", mountCmd())
				if state != "ephemeral" {
					fmt.Fprintf(&a, "if [ \"$_r\" != 0 ]; then printf '%%s' %s > %s; fi\n", connection.ShellQuote(fstabText), qf)
				}
			}
		}
		o2, err := runRecord()
		if err != nil {
			return nil, err
		}
		if rc, _ := cmdErr(o2, "mkdir"); rc != 0 {
			return fail(fmt.Sprintf("Error making dir %s: %s", name, strings.TrimSpace(o2.Stderr("mkdir"))))
		}
		if _, ok := o2.Find("remountfailed"); ok && state == "remounted" {
			break
		}
		rc, msg := cmdErr(o2, "mount")
		if _, _, ok := o2.Cmd("mount"); !ok {
			rc, msg = cmdErr(o2, "umount")
		}
		if rc != 0 {
			return fail(fmt.Sprintf("Error mounting %s: %s", name, msg))
		}
	case "present":
		newText, ch := SetFstabEntry(fstabText, args)
		changed = ch
		if ch && !req.CheckMode {
			writeFstab(newText)
			if _, err := runRecord(); err != nil {
				return nil, err
			}
		}
	case "remounted":
		if !req.CheckMode {
			if r, bad := need(mountBin, "mount"); bad {
				return r, nil
			}
			remountScript()
			o2, err := run()
			if err != nil {
				return nil, err
			}
			if _, ok := o2.Find("remountfailed"); ok {
				if args["opts"] != "defaults" {
					return fail("Options were specified with remounted, but the remount command failed. Failing in order to prevent an unexpected mount result. Try replacing this command with a \"state: unmounted\" followed by a \"state: mounted\" using the full desired mount options instead.")
				}
				rc, msg := cmdErr(o2, "umount")
				if rc == 0 {
					rc, msg = cmdErr(o2, "mount")
				}
				if rc != 0 {
					return fail(fmt.Sprintf("Error remounting %s: %s", name, msg))
				}
			}
		}
		changed = true
	}
	res["changed"] = changed
	return res, nil
}
