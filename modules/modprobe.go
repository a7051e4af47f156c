package modules

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"octopus/engine/connection"
	"octopus/modules/internal/argspec"
	"octopus/modules/internal/probe"
)

var modprobeSpec = argspec.Spec{
	Module: "modprobe",
	Options: []argspec.Option{
		{Name: "name", Required: true},
		{Name: "state", Default: "present", Choices: []any{"absent", "present"}},
		{Name: "params", Default: ""},
		{Name: "persistent", Default: "disabled", Choices: []any{"disabled", "present", "absent"}},
	},
}

func init() { Register(Func(runModprobe), "modprobe", "community.general.modprobe") }

// modprobeFiles are the regular files of a directory with their text.
type modprobeFiles struct {
	names []string
	text  map[string]string
}

func loadDirFiles(o *probe.Output, dir string) modprobeFiles {
	mf := modprobeFiles{text: map[string]string{}}
	for _, s := range o.Sections {
		if s.Kind == "f" && strings.HasPrefix(s.Name, dir+"/") {
			mf.names = append(mf.names, s.Name)
			mf.text[s.Name] = s.Body
		}
	}
	return mf
}

// sysPyLines is Python's file iteration: lines keep their "\n".
func sysPyLines(s string) []string {
	if s == "" {
		return nil
	}
	l := strings.SplitAfter(s, "\n")
	if l[len(l)-1] == "" {
		l = l[:len(l)-1]
	}
	return l
}

func runModprobe(ctx context.Context, req *Request) (Result, error) {
	p, err := validateArgs(req, &modprobeSpec, "", req.Args)
	if err != nil {
		return Result{"failed": true, "msg": err.Error()}, nil
	}
	name, params, state, persistent := p.String("name"), p.String("params"), p.String("state"), p.String("persistent")
	q := connection.ShellQuote(name)
	const loadDir, optDir = "/etc/modules-load.d", "/etc/modprobe.d"
	// R (empty on targets) lets tests point the probes at a fake root
	script := fmt.Sprintf(`R=${OCTOPUS_TEST_ROOT:-}
S path; printf '%%s' "$PATH"
S bin; command -v modprobe
S release; uname -r
_b=$R/lib/modules/$(uname -r)/modules.builtin
S proc; grep -c "^$(printf '%%s' %s | tr - _) " $R/proc/modules 2>/dev/null
S builtin; if [ -r "$_b" ]; then grep -c "/"%s".ko\$" "$_b"; else echo unreadable; fi
`, q, q)
	if persistent != "disabled" {
		script += fmt.Sprintf("for _f in $R%s/* $R%s/*; do [ -f \"$_f\" ] && { S f \"${_f#$R}\"; cat \"$_f\"; }; done\n", loadDir, optDir)
	}
	o, err := probe.Run(ctx, req.Conn, script, sysExecOpts(req))
	if err != nil {
		return nil, err
	}
	bin := strings.TrimSpace(o.Section("bin"))
	if bin == "" {
		return Result{"failed": true, "msg": sysBinPathError("modprobe", o.Section("path"))}, nil
	}
	res := Result{"changed": false, "name": name, "params": params, "state": state}
	fail := func(r Result) Result {
		for k, v := range res {
			if _, ok := r[k]; !ok {
				r[k] = v
			}
		}
		r["failed"] = true
		return r
	}
	loaded := func(o *probe.Output) (bool, Result) {
		if n := strings.TrimSpace(o.Section("proc")); n != "" && n != "0" {
			return true, nil
		}
		b := strings.TrimSpace(o.Section("builtin"))
		if b == "unreadable" {
			path := "/lib/modules/" + strings.TrimSpace(o.Section("release")) + "/modules.builtin"
			return false, fail(Result{"msg": fmt.Sprintf("[Errno 2] No such file or directory: '%s'", path)})
		}
		return b != "" && b != "0", nil
	}
	isLoaded, f := loaded(o)
	if f != nil {
		return f, nil
	}
	args := strings.Fields(params)
	var qa []string
	for _, a := range args {
		qa = append(qa, connection.ShellQuote(a))
	}
	var warnings []any
	if state == "present" && !isLoaded {
		cmd := bin
		if req.CheckMode {
			cmd += " -n"
		}
		cmd += " " + q + " " + strings.Join(qa, " ")
		o2, err := probe.Run(ctx, req.Conn, fmt.Sprintf(`R=${OCTOPUS_TEST_ROOT:-}
CE load %s
S proc; grep -c "^$(printf '%%s' %s | tr - _) " $R/proc/modules 2>/dev/null
S release; uname -r
_b=$R/lib/modules/$(uname -r)/modules.builtin
S builtin; if [ -r "$_b" ]; then grep -c "/"%s".ko\$" "$_b"; else echo unreadable; fi
`, cmd, q, q), sysExecOpts(req))
		if err != nil {
			return nil, err
		}
		out, rc, _ := o2.Cmd("load")
		if rc != 0 {
			e := o2.Stderr("load")
			return fail(Result{"msg": e, "rc": rc, "stdout": out, "stderr": e}), nil
		}
		now, f := loaded(o2)
		if f != nil && !req.CheckMode {
			return f, nil
		}
		if req.CheckMode || now {
			res["changed"] = true
		} else {
			o3, err := probe.Run(ctx, req.Conn, fmt.Sprintf("CE ft %s -n --first-time %s %s\n", bin, q, strings.Join(qa, " ")), sysExecOpts(req))
			if err != nil {
				return nil, err
			}
			if _, rc, _ := o3.Cmd("ft"); rc != 0 {
				warnings = append(warnings, o3.Stderr("ft"))
			}
		}
	} else if state == "absent" && isLoaded {
		cmd := bin + " -r " + q
		if req.CheckMode {
			cmd += " -n"
		}
		o2, err := probe.Run(ctx, req.Conn, "CE unload "+cmd+"\n", sysExecOpts(req))
		if err != nil {
			return nil, err
		}
		out, rc, _ := o2.Cmd("unload")
		if rc != 0 {
			e := o2.Stderr("unload")
			return fail(Result{"msg": e, "rc": rc, "stdout": out, "stderr": e}), nil
		}
		res["changed"] = true
	}
	if persistent != "disabled" {
		qn := regexp.QuoteMeta(name)
		reModule := regexp.MustCompile(`^ *` + qn + ` *(?:[#;].*)?\n?$`)
		reParams := regexp.MustCompile(`^options ` + qn + ` \w+=\S+ *(?:[#;].*)?\n?$`)
		reGet := regexp.MustCompile(`^options ` + qn + ` (\w+=\S+) *(?:[#;].*)?\n?$`)
		mods, opts := loadDirFiles(o, loadDir), loadDirFiles(o, optDir)
		persisted := false
		for _, fn := range mods.names {
			for _, l := range sysPyLines(mods.text[fn]) {
				if reModule.MatchString(l) {
					persisted = true
				}
			}
		}
		permParams := map[string]bool{}
		for _, fn := range opts.names {
			for _, l := range sysPyLines(opts.text[fn]) {
				if m := reGet.FindStringSubmatch(l); m != nil {
					permParams[m[1]] = true
				}
			}
		}
		want := map[string]bool{}
		for _, a := range args {
			want[a] = true
		}
		paramsSet := len(want) == len(permParams)
		for k := range want {
			if !permParams[k] {
				paramsSet = false
			}
		}
		writes := map[string]string{}
		commentOut := func(files modprobeFiles, re *regexp.Regexp) {
			for _, fn := range files.names {
				lines := sysPyLines(files.text[fn])
				changed := false
				for i, l := range lines {
					if re.MatchString(l) {
						lines[i] = "#" + l
						changed = true
					}
				}
				if changed {
					writes[fn] = strings.Join(lines, "\n")
				}
			}
		}
		if persistent == "present" && !(persisted && paramsSet) {
			if !persisted {
				writes[loadDir+"/"+name+".conf"] = name + "\n"
				res["changed"] = true
			}
			if !paramsSet {
				commentOut(opts, reParams)
				var c []string
				for _, a := range args {
					c = append(c, "options "+name+" "+a)
				}
				writes[optDir+"/"+name+".conf"] = strings.Join(c, "\n") + "\n"
				res["changed"] = true
			}
		} else if persistent == "absent" && (persisted || len(permParams) > 0) {
			if persisted {
				commentOut(mods, reModule)
				res["changed"] = true
			}
			if len(permParams) > 0 {
				commentOut(opts, reParams)
				res["changed"] = true
			}
		}
		if len(writes) > 0 {
			// Ansible writes these files even in check mode
			var names []string
			for k := range writes {
				names = append(names, k)
			}
			sort.Strings(names)
			var w strings.Builder
			for _, fn := range names {
				fmt.Fprintf(&w, "printf '%%s' %s > \"${OCTOPUS_TEST_ROOT:-}\"%s || S werr %s\n", connection.ShellQuote(writes[fn]), connection.ShellQuote(fn), connection.ShellQuote(fn))
			}
			o4, err := probe.Run(ctx, req.Conn, w.String(), sysExecOpts(req))
			if err != nil {
				return nil, err
			}
			for _, s := range o4.Sections {
				if s.Kind == "werr" {
					return fail(Result{"msg": fmt.Sprintf("[Errno 2] No such file or directory: '%s'", s.Name)}), nil
				}
			}
		}
	}
	if len(warnings) > 0 {
		res["warnings"] = warnings
	}
	return res, nil
}
