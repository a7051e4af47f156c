package modules

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"octopus/engine/connection"
	"octopus/engine/pyfmt"
	"octopus/engine/shlex"
	"octopus/modules/internal/argspec"
	"octopus/modules/internal/remote"
)

func init() {
	Register(guarded(func(ctx context.Context, req *Request) (Result, error) { return runCommand(ctx, req, false) }), "command")
	Register(guarded(func(ctx context.Context, req *Request) (Result, error) { return runCommand(ctx, req, true) }), "shell")
}

var commandSpec = argspec.Spec{
	Module: "ansible.legacy.command",
	Options: []argspec.Option{
		{Name: "_raw_params"},
		{Name: "_uses_shell", Type: "bool", Default: false},
		{Name: "argv", Type: "list", Elements: "str"},
		{Name: "chdir", Type: "path"},
		{Name: "executable"},
		{Name: "creates", Type: "path"},
		{Name: "removes", Type: "path"},
		{Name: "stdin"},
		{Name: "stdin_add_newline", Type: "bool", Default: true},
		{Name: "strip_empty_ends", Type: "bool", Default: true},
	},
}

// fail marks r failed with msg and returns it.
func fail(r Result, msg string) (Result, error) {
	r["failed"] = true
	r["msg"] = msg
	addLines(r)
	return r, nil
}

// addLines adds stdout_lines / stderr_lines next to stdout / stderr, as
// Ansible's controller does for every module result.
func addLines(r Result) {
	for _, k := range []string{"stdout", "stderr"} {
		if s, ok := r[k].(string); ok {
			if _, has := r[k+"_lines"]; !has {
				r[k+"_lines"] = pyfmt.SplitLinesAny(s)
			}
		}
	}
}

// argFail is the result of an argument validation error.
func argFail(err error) (Result, error) {
	var ae *argspec.Error
	if errors.As(err, &ae) {
		return Result{"failed": true, "msg": ae.Msg}, nil
	}
	return nil, err
}

// target returns the request's connection settings for scripts.
func target(req *Request) remote.Target {
	return remote.Target{Conn: req.Conn, Become: req.Become, Env: req.Env}
}

func nonce() string {
	b := make([]byte, 8)
	rand.Read(b)
	return "@@OCTOPUS-" + hex.EncodeToString(b) + "@@"
}

// pyBytesRepr renders a path as Python's repr of bytes: b'...'.
func pyBytesRepr(s string) string {
	r := pyfmt.Repr(s)
	return "b" + r
}

func runCommand(ctx context.Context, req *Request, shell bool) (Result, error) {
	args := map[string]any{}
	for k, v := range req.Args {
		args[k] = v
	}
	if c, ok := args["cmd"]; ok {
		if _, has := args["_raw_params"]; !has {
			args["_raw_params"] = c
			delete(args, "cmd")
		}
	}
	if shell {
		args["_uses_shell"] = true
	}
	p, err := validateArgs(req, &commandSpec, "", args)
	if err != nil {
		return argFail(err)
	}
	shell = p.Bool("_uses_shell")
	r := Result{"changed": false, "stdout": "", "stderr": "", "rc": nil, "cmd": nil, "start": nil, "end": nil, "delta": nil, "msg": ""}
	var warnings []any
	executable := p.String("executable")
	if !shell && executable != "" {
		warnings = append(warnings, fmt.Sprintf("As of Ansible 2.4, the parameter 'executable' is no longer supported with the 'command' module. Not using '%s'.", executable))
		executable = ""
	}
	raw := p.String("_raw_params")
	argv := p.List("argv")
	if strings.TrimSpace(raw) == "" && len(argv) == 0 {
		r["rc"] = 256
		return fail(r, "no command given")
	}
	if raw != "" && len(argv) > 0 {
		r["rc"] = 256
		return fail(r, "only command or argv can be given, not both")
	}
	var words []string
	if !shell && raw != "" {
		words, err = shlex.Split(raw)
		if err != nil {
			return fail(r, err.Error())
		}
	} else if raw == "" {
		words = argv
	}
	if words != nil {
		l := make([]any, len(words))
		for i, w := range words {
			l[i] = w
		}
		r["cmd"] = l
	} else {
		r["cmd"] = raw
	}
	if len(warnings) > 0 {
		r["warnings"] = warnings
	}
	mark := nonce()
	var sc strings.Builder
	if d := p.String("chdir"); d != "" {
		q := remote.QuotePath(d)
		fmt.Fprintf(&sc, "if [ ! -e %[1]s ]; then echo '%[2]sCHDIR 2'; exit 0; elif [ ! -d %[1]s ]; then echo '%[2]sCHDIR 20'; exit 0; fi\ncd %[1]s 2>/dev/null || { echo '%[2]sCHDIR 13'; exit 0; }\n", q, mark)
	}
	should := "Did"
	if req.CheckMode {
		should = "Would"
	}
	if c := p.String("creates"); c != "" {
		fmt.Fprintf(&sc, "for f in %s; do if [ -e \"$f\" ] || [ -L \"$f\" ]; then echo '%sCREATES'; exit 0; fi; done\n", remote.QuoteGlob(c), mark)
	}
	if c := p.String("removes"); c != "" {
		fmt.Fprintf(&sc, "f=; for g in %s; do if [ -e \"$g\" ] || [ -L \"$g\" ]; then f=1; fi; done; [ -n \"$f\" ] || { echo '%sREMOVES'; exit 0; }\n", remote.QuoteGlob(c), mark)
	}
	needProbe := p.Set("chdir") || p.Set("creates") || p.Set("removes")
	if req.CheckMode {
		if !needProbe {
			r["rc"] = 0
			r["msg"] = "Command would have run if not in check mode"
			r["skipped"] = true
			return finishCommand(r, p), nil
		}
		fmt.Fprintf(&sc, "echo '%sRUN'; exit 0\n", mark)
	}
	var exe string
	if shell {
		exe = executable
		if exe == "" {
			exe = "/bin/sh"
		}
		fmt.Fprintf(&sc, "c=%s\n", connection.ShellQuote(exe))
		fmt.Fprintf(&sc, "a0=%s\n", connection.ShellQuote(raw))
	} else {
		for i, w := range words {
			fmt.Fprintf(&sc, "a%d=%s\n", i, remote.ExpandVarsWord(w))
		}
		sc.WriteString("c=$a0\n")
	}
	fmt.Fprintf(&sc, `case $c in */*) if [ ! -e "$c" ]; then echo '%[1]sENOENT'; exit 0; elif [ -d "$c" ] || [ ! -x "$c" ]; then echo '%[1]sEACCES'; exit 0; fi ;;
*) f=; oi=$IFS; IFS=:; for d in $PATH; do if [ -f "$d/$c" ] && [ -x "$d/$c" ]; then f=1; break; fi; done; IFS=$oi; [ -n "$f" ] || { echo '%[1]sENOENT'; exit 0; } ;; esac
`, mark)
	if shell {
		sc.WriteString("exec \"$c\" -c \"$a0\"\n")
	} else {
		sc.WriteString("exec")
		for i := range words {
			fmt.Fprintf(&sc, " \"$a%d\"", i)
		}
		sc.WriteString("\n")
	}
	var stdin []byte
	if s := p.String("stdin"); s != "" {
		if p.Bool("stdin_add_newline") {
			s += "\n"
		}
		stdin = []byte(s)
	}
	start := time.Now()
	res, err := target(req).Run(ctx, sc.String(), stdin)
	end := time.Now()
	if err != nil {
		return nil, err
	}
	out := string(res.Stdout)
	if strings.HasPrefix(out, mark) {
		what := strings.TrimSpace(strings.TrimPrefix(out, mark))
		switch {
		case strings.HasPrefix(what, "CHDIR"):
			errno := strings.TrimPrefix(what, "CHDIR ")
			text := map[string]string{"2": "No such file or directory", "20": "Not a directory", "13": "Permission denied"}[errno]
			return fail(r, fmt.Sprintf("Unable to change directory before execution: [Errno %s] %s: %s", errno, text, pyBytesRepr(p.String("chdir"))))
		case what == "CREATES":
			c := p.String("creates")
			r["msg"] = fmt.Sprintf("%s not run command since '%s' exists", should, c)
			r["stdout"] = fmt.Sprintf("skipped, since %s exists", c)
			r["rc"] = 0
			return finishCommand(r, p), nil
		case what == "REMOVES":
			c := p.String("removes")
			r["msg"] = fmt.Sprintf("%s not run command since '%s' does not exist", should, c)
			r["stdout"] = fmt.Sprintf("skipped, since %s does not exist", c)
			r["rc"] = 0
			return finishCommand(r, p), nil
		case what == "RUN":
			r["changed"] = true
			r["rc"] = 0
			r["msg"] = "Command would have run if not in check mode"
			if !p.Set("creates") && !p.Set("removes") {
				r["skipped"] = true
				r["changed"] = false
			}
			return finishCommand(r, p), nil
		case what == "ENOENT" || what == "EACCES":
			name := exe
			if !shell {
				name = words[0]
			}
			errno, text := 2, "No such file or directory"
			if what == "EACCES" {
				errno, text = 13, "Permission denied"
			}
			cmdText := quoteJoin(words)
			if shell {
				cmdText = quoteJoin([]string{exe, "-c", raw})
			}
			f := Result{"failed": true, "rc": errno, "stdout": "", "stderr": "", "stdout_lines": []any{}, "stderr_lines": []any{},
				"cmd": cmdText, "msg": fmt.Sprintf("[Errno %d] %s: %s", errno, text, pyBytesRepr(name))}
			return f, nil
		}
	}
	r["changed"] = true
	r["rc"] = res.RC
	r["stdout"] = out
	r["stderr"] = string(res.Stderr)
	r["start"] = pyfmt.DateTime(start)
	r["end"] = pyfmt.DateTime(end)
	r["delta"] = pyfmt.TimeDelta(end.Sub(start))
	finishCommand(r, p)
	if res.RC != 0 {
		r["failed"] = true
		r["msg"] = "non-zero return code"
	}
	return r, nil
}

func quoteJoin(words []string) string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = connection.ShellQuote(w)
	}
	return strings.Join(q, " ")
}

func finishCommand(r Result, p argspec.Params) Result {
	so, _ := r["stdout"].(string)
	se, _ := r["stderr"].(string)
	if p.Bool("strip_empty_ends") {
		so = strings.TrimRight(so, "\r\n")
		se = strings.TrimRight(se, "\r\n")
	}
	r["stdout"], r["stderr"] = so, se
	r["stdout_lines"] = pyfmt.SplitLinesAny(so)
	r["stderr_lines"] = pyfmt.SplitLinesAny(se)
	return r
}
