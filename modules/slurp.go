package modules

import (
	"context"
	"encoding/base64"
	"fmt"

	"octopus/engine/connection"
	"octopus/modules/internal/argspec"
)

func init() { Register(guarded(runSlurp), "slurp") }

var slurpSpec = argspec.Spec{
	Module:  "slurp",
	Options: []argspec.Option{{Name: "src", Type: "path", Required: true, Aliases: []string{"path"}}},
}

func runSlurp(ctx context.Context, req *Request) (Result, error) {
	p, err := validate(&slurpSpec, req)
	if err != nil {
		return argFail(err)
	}
	if err := expandUser(ctx, req, p, "src"); err != nil {
		return nil, err
	}
	src := p.String("src")
	q := connection.ShellQuote(src)
	script := fmt.Sprintf(`if [ ! -e %[1]s ]; then echo ENOENT; elif [ -d %[1]s ]; then echo EISDIR; elif [ ! -r %[1]s ]; then echo EACCES; else echo OK; base64 -w0 < %[1]s; fi`, q)
	res, err := target(req).Run(ctx, script, nil)
	if err != nil {
		return nil, err
	}
	out := string(res.Stdout)
	status, data, _ := cutLine(out)
	switch status {
	case "ENOENT":
		return fail(Result{}, "file not found: "+src)
	case "EISDIR":
		return fail(Result{}, "source is a directory and must be a file: "+src)
	case "EACCES":
		return fail(Result{}, "file is not readable: "+src)
	case "OK":
		if _, err := base64.StdEncoding.DecodeString(data); err != nil || res.RC != 0 {
			return fail(Result{}, "unable to slurp file: "+string(res.Stderr))
		}
		return Result{"changed": false, "content": data, "source": src, "encoding": "base64"}, nil
	}
	return fail(Result{}, "unable to slurp file: "+string(res.Stderr))
}
