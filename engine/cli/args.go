package cli

import (
	"fmt"
	"strings"

	ucli "github.com/urfave/cli/v2"
)

// flagSpec tells the argument normaliser which option names exist and
// whether each takes a value.
type flagSpec map[string]bool // name (without dashes) -> takes a value

func specOf(flags []ucli.Flag) flagSpec {
	spec := flagSpec{"h": false, "help": false}
	for _, f := range flags {
		takes := false
		if dg, ok := f.(ucli.DocGenerationFlag); ok {
			takes = dg.TakesValue()
		}
		for _, n := range f.Names() {
			spec[n] = takes
		}
	}
	return spec
}

// normaliseArgs rewrites argv the way Python's argparse reads it into a form
// urfave/cli parses: options may follow positional arguments, short options
// cluster (-vvv, -bK), a value may stick to its short option (-f10) or
// follow "=" (--forks=10). Options come first in the result, then "--" and
// the positional arguments. An unknown option is an error with argparse's
// wording.
func normaliseArgs(args []string, spec flagSpec) ([]string, error) {
	var opts, pos, unknown []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			pos = append(pos, args[i+1:]...)
			i = len(args)
		case strings.HasPrefix(a, "--") && len(a) > 2:
			name, val, hasVal := strings.Cut(a[2:], "=")
			takes, ok := spec[name]
			if !ok {
				unknown = append(unknown, a)
				continue
			}
			if !takes {
				if hasVal {
					return nil, fmt.Errorf("argument --%s: ignored explicit argument '%s'", name, val)
				}
				opts = append(opts, "--"+name)
				continue
			}
			if !hasVal {
				if i+1 >= len(args) {
					return nil, fmt.Errorf("argument --%s: expected one argument", name)
				}
				i++
				val = args[i]
			}
			opts = append(opts, "--"+name, val)
		case strings.HasPrefix(a, "-") && len(a) > 1:
			cluster := a[1:]
			for j := 0; j < len(cluster); j++ {
				name := string(cluster[j])
				takes, ok := spec[name]
				if !ok {
					unknown = append(unknown, a)
					break
				}
				if !takes {
					opts = append(opts, "-"+name)
					continue
				}
				val := strings.TrimPrefix(cluster[j+1:], "=")
				if j+1 >= len(cluster) {
					if i+1 >= len(args) {
						return nil, fmt.Errorf("argument -%s: expected one argument", name)
					}
					i++
					val = args[i]
				}
				opts = append(opts, "-"+name, val)
				break
			}
		default:
			pos = append(pos, a)
		}
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("unrecognized arguments: %s", strings.Join(unknown, " "))
	}
	out := append(opts, "--")
	return append(out, pos...), nil
}
