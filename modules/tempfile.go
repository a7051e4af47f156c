package modules

import (
	"context"
	"fmt"
	"strings"

	"octopus/modules/internal/argspec"
	"octopus/modules/internal/remote"
)

func init() { Register(guarded(runTempfile), "tempfile") }

var tempfileSpec = argspec.Spec{
	Module: "tempfile",
	Options: []argspec.Option{
		{Name: "state", Default: "file", Choices: []any{"file", "directory"}},
		{Name: "path", Type: "path"},
		{Name: "prefix", Default: "ansible."},
		{Name: "suffix", Default: ""},
	},
}

// runTempfile creates a file (0600) or directory (0700) named
// prefix + 8 random characters + suffix, as Python's mkstemp/mkdtemp do,
// in path or the target's $TMPDIR (default /tmp). Like Ansible's module it
// does not support check mode.
func runTempfile(ctx context.Context, req *Request) (Result, error) {
	p, err := validate(&tempfileSpec, req)
	if err != nil {
		return argFail(err)
	}
	if req.CheckMode {
		return Result{"changed": false, "skipped": true, "msg": "remote module (tempfile) does not support check mode"}, nil
	}
	dir := `"${TMPDIR:-/tmp}"`
	if p.Set("path") {
		dir = remote.QuotePath(p.String("path"))
	}
	d := ""
	if p.String("state") == "directory" {
		d = "-d "
	}
	tmpl := shellWord(p.String("prefix") + "XXXXXXXX")
	script := fmt.Sprintf(`LC_ALL=C; export LC_ALL; dir=%s
if [ ! -d "$dir" ]; then printf 'E\n%%s\n' "$dir"; exit 0; fi
p=$(umask 077; mktemp %s--tmpdir="$dir" --suffix=%s %s 2>&1) || { printf 'F\n%%s\n' "$p"; exit 0; }
printf 'P\n%%s\n' "$p"; stat -c '%s' -- "$p"
`, dir, d, shellWord(p.String("suffix")), tmpl, remote.StatFormat)
	res, err := target(req).Run(ctx, script, nil)
	if err != nil {
		return nil, err
	}
	lines := strings.Split(strings.TrimRight(string(res.Stdout), "\n"), "\n")
	if len(lines) < 2 {
		return fail(Result{}, "tempfile: "+strings.TrimSpace(string(res.Stderr)))
	}
	switch lines[0] {
	case "E":
		return fail(Result{}, fmt.Sprintf("[Errno 2] No such file or directory: '%s/%s%s%s'", strings.TrimRight(lines[1], "/"), p.String("prefix"), "xxxxxxxx", p.String("suffix")))
	case "F":
		return fail(Result{}, strings.Join(lines[1:], "\n"))
	}
	r := Result{"changed": true, "path": lines[1]}
	if len(lines) >= 3 {
		st := remote.StatFromFields(lines[2])
		remote.PathInfo(r, &remote.Info{Exists: true, Follows: true, L: st, F: st})
	}
	return r, nil
}

// shellWord quotes s as one shell word (” for the empty string).
func shellWord(s string) string {
	if s == "" {
		return "''"
	}
	return "'" + strings.ReplaceAll(s, "'", `'"'"'`) + "'"
}
