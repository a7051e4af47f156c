package modules

import (
	"context"

	"octopus/engine/connection"
	"octopus/engine/pyfmt"
)

func init() { Register(guarded(runRaw), "raw") }

// runRaw is Ansible's raw action: the free-form command goes to the
// target's shell as is (through `executable -c` when executable is given);
// no argument validation, no check mode.
func runRaw(ctx context.Context, req *Request) (Result, error) {
	if req.CheckMode {
		return Result{"skipped": true}, nil
	}
	cmd := pyfmt.Str(req.Args["_raw_params"])
	if req.Args["_raw_params"] == nil {
		cmd = ""
	}
	if exe, ok := req.Args["executable"].(string); ok && exe != "" {
		cmd = exe + " -c " + connection.ShellQuote(cmd)
	}
	res, err := req.Conn.Exec(ctx, cmd, connection.ExecOptions{Become: req.Become})
	if err != nil {
		return nil, err
	}
	out, errOut := string(res.Stdout), string(res.Stderr)
	r := Result{"rc": res.RC, "stdout": out, "stdout_lines": pyfmt.SplitLinesAny(out), "stderr": errOut, "stderr_lines": pyfmt.SplitLinesAny(errOut), "changed": true}
	if res.RC != 0 {
		r["failed"] = true
		r["msg"] = "non-zero return code"
	}
	return r, nil
}
