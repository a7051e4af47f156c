package modules

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"octopus/engine/pyfmt"
	"octopus/engine/shlex"
	"octopus/modules/internal/remote"
)

func init() { Register(guarded(runScript), "script") }

// runScript copies a controller script into a fresh temporary directory on
// the target and runs it there with its free-form arguments, in one round
// trip: the script's bytes come first on stdin (read with head -c), so the
// script keeps the rest of stdin. The directory is removed afterwards.
func runScript(ctx context.Context, req *Request) (Result, error) {
	args := req.Args
	str := func(k string) string {
		if v, ok := args[k]; ok && v != nil {
			return pyfmt.Str(v)
		}
		return ""
	}
	raw := str("_raw_params")
	if raw == "" {
		raw = str("cmd")
	}
	creates, removes, chdir := str("creates"), str("removes"), str("chdir")
	if chdir != "" && !strings.HasPrefix(chdir, "/") {
		return fail(Result{"changed": false}, fmt.Sprintf("chdir %s must be an absolute path for a Unix-aware remote node", chdir))
	}
	parts, err := shlex.Split(strings.TrimSpace(raw))
	if err != nil || len(parts) == 0 {
		msg := "list index out of range"
		if err != nil {
			msg = err.Error()
		}
		return fail(Result{"changed": false}, msg)
	}
	// creates / removes need the target; fold them into the probe only when set.
	if creates != "" || removes != "" {
		var sc strings.Builder
		if creates != "" {
			fmt.Fprintf(&sc, "[ -e %s ] && echo C\n", remote.QuotePath(creates))
		}
		if removes != "" {
			fmt.Fprintf(&sc, "[ -e %s ] || echo R\n", remote.QuotePath(removes))
		}
		sc.WriteString("true\n")
		res, err := target(req).Run(ctx, sc.String(), nil)
		if err != nil {
			return nil, err
		}
		out := string(res.Stdout)
		if strings.Contains(out, "C") {
			return Result{"changed": false, "skipped": true, "msg": creates + " exists, matching creates option"}, nil
		}
		if strings.Contains(out, "R") {
			return Result{"changed": false, "skipped": true, "msg": removes + " does not exist, matching removes option"}, nil
		}
	}
	src, err := req.Controller.FindFile("files", parts[0])
	if err != nil {
		return fail(Result{"changed": false}, err.Error())
	}
	var data []byte
	if fr, ok := req.Controller.(FileReader); ok {
		data, err = fr.ReadFile(src)
	} else {
		data, err = os.ReadFile(src)
	}
	if err != nil {
		return fail(Result{"changed": false}, err.Error())
	}
	if req.CheckMode {
		if creates != "" || removes != "" {
			return Result{"changed": true}, nil
		}
		return Result{"changed": false, "skipped": true, "msg": "Check mode is not supported for this task."}, nil
	}
	base := filepath.Base(src)
	cmd := strings.ReplaceAll(strings.TrimSpace(raw), parts[0], `"$d"/`+shellWord(base))
	if ex := str("executable"); ex != "" {
		cmd = ex + " " + cmd
	}
	cd := ""
	if chdir != "" {
		cd = "cd " + shellWord(chdir) + " || exit 1\n"
	}
	script := fmt.Sprintf(`t=${HOME:-/tmp}/.ansible/tmp; (umask 077; mkdir -p "$t") 2>/dev/null || t=${TMPDIR:-/tmp}
d=$(umask 077; mktemp -d "$t/ansible-tmp-octopus-XXXXXXXX") || exit 1
head -c %d > "$d"/%s && chmod u+x "$d"/%s || { rm -rf "$d"; exit 1; }
trap 'rm -rf "$d"' EXIT
%s( %s )
`, len(data), shellWord(base), shellWord(base), cd, cmd)
	res, err := target(req).Run(ctx, script, data)
	if err != nil {
		return nil, err
	}
	r := Result{"changed": true, "rc": res.RC, "stdout": string(res.Stdout), "stderr": string(res.Stderr)}
	addLines(r)
	if res.RC != 0 {
		r["failed"] = true
		r["msg"] = "non-zero return code"
	}
	return r, nil
}
