package modules

import (
	"context"

	"octopus/modules/internal/argspec"
)

func init() { Register(guarded(runPing), "ping") }

var pingSpec = argspec.Spec{
	Module:  "ping",
	Options: []argspec.Option{{Name: "data", Default: "pong"}},
}

// runPing answers {"ping": data} without touching the target (the engine
// has already connected). data "crash" fails as Ansible's module does when
// it raises its test exception.
func runPing(ctx context.Context, req *Request) (Result, error) {
	p, err := validate(&pingSpec, req)
	if err != nil {
		return argFail(err)
	}
	data := p.String("data")
	if data == "crash" {
		req.dropInvocation() // the module died: no result of its own
		tb := "Traceback (most recent call last):\n  File \"ansible/modules/ping.py\", line 79, in main\nException: boom\n"
		return Result{"changed": false, "failed": true, "msg": "MODULE FAILURE\nSee stdout/stderr for the exact error",
			"module_stdout": "", "module_stderr": tb, "exception": tb, "rc": 1}, nil
	}
	return Result{"changed": false, "ping": data}, nil
}
