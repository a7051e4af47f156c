package modules

import (
	"context"
	"strings"

	"octopus/modules/internal/argspec"
	"octopus/modules/internal/probe"
)

var hostnameSpec = argspec.Spec{
	Module: "hostname",
	Options: []argspec.Option{
		{Name: "name", Required: true},
		{Name: "use", Choices: []any{"alpine", "debian", "freebsd", "generic", "macos", "macosx", "darwin", "openbsd", "openrc", "redhat", "sles", "solaris", "systemd"}},
	},
}

func init() { Register(Func(runHostname), "hostname") }

// fqdnScript prints socket.getfqdn()'s view: the reverse entry of the host
// name's first address (see the setup module).
const fqdnScript = `S fqdn; _h=$(uname -n); _a=$(getent ahosts "$_h" 2>/dev/null | awk '{print $1; exit}'); [ -n "$_a" ] && getent hosts "$_a" 2>/dev/null | head -n 1
S node; uname -n
`

func fqdnFrom(o *probe.Output) string {
	node := strings.TrimSpace(o.Section("node"))
	words := strings.Fields(o.Section("fqdn"))
	if len(words) < 2 {
		return node
	}
	for _, n := range words[1:] {
		if strings.Contains(n, ".") {
			return n
		}
	}
	return words[1]
}

func runHostname(ctx context.Context, req *Request) (Result, error) {
	p, err := validateArgs(req, &hostnameSpec, "", req.Args)
	if err != nil {
		return Result{"failed": true, "msg": err.Error()}, nil
	}
	name := p.String("name")
	use := p.String("use")
	return hostnameRun(ctx, req, name, use)
}
