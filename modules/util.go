package modules

import (
	"context"
	"errors"

	"fmt"
	"octopus/engine/connection"
	"octopus/modules/internal/argspec"
	"octopus/modules/internal/remote"
	"strconv"
	"strings"
	"sync"
)

func itoa(n int) string { return strconv.Itoa(n) }

// fmtMode4 is the stat module's "%04o".
func fmtMode4(m uint32) string { return fmt.Sprintf("%04o", m) }

// cutLine splits s at its first newline.
func cutLine(s string) (line, rest string, ok bool) {
	line, rest, ok = strings.Cut(s, "\n")
	return strings.TrimSuffix(line, "\r"), rest, ok
}

// guarded turns a panic inside a module into an error, so bad input never
// crashes the engine.
func guarded(f func(ctx context.Context, req *Request) (Result, error)) Func {
	return func(ctx context.Context, req *Request) (r Result, err error) {
		defer func() {
			if p := recover(); p != nil {
				r, err = nil, fmt.Errorf("internal error in module: %v", p)
			}
		}()
		return f(ctx, req)
	}
}

// validate checks req.Args against spec, naming the module as the task
// did (modules run through an action plugin keep their ansible.legacy name).
func validate(spec *argspec.Spec, req *Request) (argspec.Params, error) {
	name := req.Action
	if strings.HasPrefix(spec.Module, "ansible.legacy.") {
		name = ""
	}
	p, err := spec.ValidateAs(name, req.Args)
	recordValidated(req, spec, req.Args, p, err)
	return p, err
}

// validateArgs checks args (the task's, or those an action plugin hands to
// its module) against spec, recording the parameters for invocation; name
// replaces spec.Module in messages unless empty.
func validateArgs(req *Request, spec *argspec.Spec, name string, args map[string]any) (argspec.Params, error) {
	p, err := spec.ValidateAs(name, args)
	recordValidated(req, spec, args, p, err)
	return p, err
}

// recordValidated records the parameters of a validation for the module's
// invocation: after a failure, those Ansible's module holds when it fails.
func recordValidated(req *Request, spec *argspec.Spec, args map[string]any, p argspec.Params, err error) {
	if err != nil {
		var ae *argspec.Error
		if !errors.As(err, &ae) {
			return
		}
		p = spec.Partial(args)
	}
	req.record(spec, args, p)
}

type homeKey struct {
	conn connection.Conn
	user string
}

var homeCache sync.Map // homeKey -> string

// remoteHome returns $HOME of the task's user on the target (cached per
// connection and become user).
func remoteHome(ctx context.Context, req *Request) (string, error) {
	k := homeKey{conn: req.Conn}
	if req.Become != nil {
		k.user = req.Become.User + "\x00" + req.Become.Method
	}
	if h, ok := homeCache.Load(k); ok {
		return h.(string), nil
	}
	res, err := target(req).Run(ctx, `printf %s "$HOME"`, nil)
	if err != nil {
		return "", err
	}
	h := string(res.Stdout)
	homeCache.Store(k, h)
	return h, nil
}

// expandUser replaces a leading "~" in the named string parameters with the
// target user's home, as os.path.expanduser does for Ansible's path options
// on the target. It costs a round trip only when a path starts with "~".
func expandUser(ctx context.Context, req *Request, p map[string]any, keys ...string) error {
	for _, k := range keys {
		s, ok := p[k].(string)
		if !ok || !(s == "~" || strings.HasPrefix(s, "~/")) {
			continue
		}
		h, err := remoteHome(ctx, req)
		if err != nil {
			return err
		}
		p[k] = remote.ExpandUser(s, h)
	}
	return nil
}
