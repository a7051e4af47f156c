package modules

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"strconv"
	"strings"

	"octopus/engine/connection"
	"octopus/engine/pyfmt"
	"octopus/modules/internal/argspec"
	"octopus/modules/internal/remote"
)

func init() { Register(guarded(runUnarchive), "unarchive") }

var unarchiveSpec = argspec.Spec{
	Module: "ansible.legacy.unarchive",
	Options: withCommon([]argspec.Option{
		{Name: "src", Type: "path", Required: true},
		{Name: "dest", Type: "path", Required: true},
		{Name: "remote_src", Type: "bool", Default: false},
		{Name: "creates", Type: "path"},
		{Name: "list_files", Type: "bool", Default: false},
		{Name: "keep_newer", Type: "bool", Default: false},
		{Name: "exclude", Type: "list", Elements: "str", Default: []any{}},
		{Name: "include", Type: "list", Elements: "str", Default: []any{}},
		{Name: "extra_opts", Type: "list", Elements: "str", Default: []any{}},
		{Name: "validate_certs", Type: "bool", Default: true},
		{Name: "io_buffer_size", Type: "int", Default: 65536},
		{Name: "copy", Type: "bool", Default: true},
		{Name: "decrypt", Type: "bool", Default: true},
	}...),
	MutuallyExclusive: [][]string{{"include", "exclude"}},
}

// unarchive handlers in Ansible's pick order: name, tar compression flag.
var tarHandlers = [][2]string{{"TgzArchive", "-z"}, {"TarArchive", ""}, {"TarBzipArchive", "-j"}, {"TarXzArchive", "-J"}, {"TarZstdArchive", "--use-compress-program=zstd"}}

// runUnarchive unpacks a tar (gz/bz2/xz/zstd) or zip archive on the target.
// The controller's archive is uploaded first (one Put); everything else —
// checks, handler choice, member listing, the idempotence comparison (tar
// --diff as Ansible does, or member-by-member content comparison for zip)
// and the extraction — is one shell round trip.
func runUnarchive(ctx context.Context, req *Request) (Result, error) {
	args := map[string]any{}
	for k, v := range req.Args {
		args[k] = v
	}
	if c, ok := args["copy"]; ok {
		if _, both := args["remote_src"]; both {
			return fail(Result{}, "parameters are mutually exclusive: ('copy', 'remote_src')")
		}
		b, _ := argspec.Bool(c)
		args["remote_src"] = !b
		delete(args, "copy")
	}
	if args["src"] == nil || args["dest"] == nil {
		return fail(Result{}, "src (or content) and dest are required")
	}
	p, err := validateArgs(req, &unarchiveSpec, "", args)
	if err != nil {
		return argFail(err)
	}
	if err := expandUser(ctx, req, p, "dest", "creates"); err != nil {
		return nil, err
	}
	src, dest := p.String("src"), p.String("dest")
	if c := p.String("creates"); c != "" {
		res, err := target(req).Run(ctx, fmt.Sprintf("[ -e %s ] && echo Y", remote.QuotePath(c)), nil)
		if err != nil {
			return nil, err
		}
		if strings.HasPrefix(string(res.Stdout), "Y") {
			req.dropInvocation() // the action skips before its module runs
			return Result{"changed": false, "skipped": true, "msg": "skipped, since " + c + " exists"}, nil
		}
	}
	remoteSrc := p.Bool("remote_src")
	uploaded := ""
	if !remoteSrc {
		local, err := req.Controller.FindFile("files", src)
		if err != nil {
			req.dropInvocation() // the action's failure: no module ran
			return fail(Result{}, err.Error())
		}
		var data []byte
		if fr, ok := req.Controller.(FileReader); ok && p.Bool("decrypt") {
			data, err = fr.ReadFile(local)
		} else {
			data, err = os.ReadFile(local)
		}
		if err != nil {
			return fail(Result{}, err.Error())
		}
		uploaded = "/tmp/.octopus-tmp-" + randHex()
		if err := req.Conn.Put(ctx, uploaded, data, connection.PutOptions{Mode: 0o600, Become: req.Become}); err != nil {
			return nil, err
		}
		src = uploaded
		p["src"] = uploaded // the module's src is the uploaded copy (its invocation shows it)
	} else if strings.Contains(src, "://") {
		// fetch_file: downloaded on the target (an HTTP error page is kept)
		tmp, _, msg, err := TargetFetch(ctx, req, src, p.Bool("validate_certs"), true)
		if err != nil {
			return nil, err
		}
		if tmp == "" {
			return fail(Result{}, fmt.Sprintf("Failure downloading %s, %s", src, msg))
		}
		src, uploaded = tmp, tmp
	}
	script := unarchiveScript(src, dest, p, req.CheckMode, uploaded)
	res, err := target(req).Run(ctx, script, nil)
	if err != nil {
		return nil, err
	}
	sec := map[string]string{}
	var xargs []any
	for _, l := range strings.Split(string(res.Stdout), "\n") {
		k, v, ok := strings.Cut(l, "=")
		if !ok {
			continue
		}
		b, err := base64.StdEncoding.DecodeString(v)
		if err != nil {
			b = []byte(v)
		}
		if k == "XARG" {
			xargs = append(xargs, string(b))
		}
		sec[k] = string(b)
	}
	switch {
	case sec["ERR"] == "NODEST":
		req.dropInvocation() // the action's failure: no module ran
		return fail(Result{}, fmt.Sprintf("dest '%s' must be an existing dir", dest))
	case sec["ERR"] == "NOSRC":
		return fail(Result{}, fmt.Sprintf("Source '%s' does not exist", src))
	case sec["ERR"] == "NOREAD":
		return fail(Result{}, fmt.Sprintf("Source '%s' not readable", src))
	case sec["ERR"] == "EMPTY":
		return fail(Result{}, fmt.Sprintf("Invalid archive '%s', the file is 0 bytes", src))
	case sec["ERR"] == "NOHANDLER":
		return fail(Result{}, fmt.Sprintf("Failed to find handler for \"%s\". Make sure the required command to extract the file is installed.\n%s", src, strings.TrimSpace(sec["REASONS"])))
	case sec["ERR"] == "CHECKTAR":
		return Result{"changed": false, "skipped": true, "msg": "remote module (ansible.legacy.unarchive) does not support check mode when using gtar"}, nil
	}
	handler := sec["HANDLER"]
	r := Result{"handler": handler, "dest": dest, "src": src}
	unarchived := sec["UNARCHIVED"] == "1"
	switch {
	case req.CheckMode:
		r["changed"] = !unarchived
	case unarchived:
		r["changed"] = false
	default:
		rc, _ := strconv.Atoi(strings.TrimSpace(sec["XRC"]))
		r["extract_results"] = map[string]any{"cmd": xargs, "rc": rc, "out": sec["XOUT"], "err": sec["XERR"]}
		if rc != 0 {
			r["changed"] = false
			return fail(r, fmt.Sprintf("failed to unpack %s to %s", src, dest))
		}
		r["changed"] = true
	}
	if zd := sec["ZDIFF"]; zd != "" {
		r["diff"] = map[string]any{"prepared": zd}
	}
	if sec["ATTRS"] == "1" {
		r["changed"] = true
	}
	if p.Bool("list_files") {
		r["files"] = pyfmt.SplitLinesAny(sec["FILES"])
	}
	if st, ok := sec["DSTAT"]; ok {
		s := remote.StatFromFields(strings.TrimSpace(st))
		remote.PathInfo(r, &remote.Info{Exists: true, Follows: true, L: s, F: s})
	}
	return r, nil
}

// unarchiveScript builds the single script: checks, handler, listing,
// comparison, extraction (unless check mode), attributes, cleanup. Each
// result is printed as KEY=base64.
func unarchiveScript(src, dest string, p argspec.Params, check bool, cleanup string) string {
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	w("LC_ALL=C; LANG=C; export LC_ALL LANG\nsrc=%s; dest=%s\n", shellWord(src), shellWord(dest))
	w("out() { printf '%%s=' \"$1\"; printf '%%s' \"$2\" | base64 -w0; echo; }\n")
	w("T=$(mktemp -d) || exit 1\n")
	if cleanup != "" {
		w("trap 'rm -rf \"$T\" %s' EXIT\n", shellWord(cleanup))
	} else {
		w("trap 'rm -rf \"$T\"' EXIT\n")
	}
	w("outf() { printf '%%s=' \"$1\"; base64 -w0 < \"$2\"; echo; }\n")
	w(`[ -d "$dest" ] || { out ERR NODEST; exit 0; }
[ -e "$src" ] || { out ERR NOSRC; exit 0; }
[ -r "$src" ] || { out ERR NOREAD; exit 0; }
[ -s "$src" ] || { out ERR EMPTY; exit 0; }
cd "$dest" || exit 1
reasons=
`)
	opts := p.List("extra_opts")
	excl := p.List("exclude")
	incl := p.List("include")
	quoteAll := func(l []string, prefix string) string {
		var q []string
		for _, s := range l {
			q = append(q, shellWord(prefix+strings.TrimRight(s, "/")))
		}
		return strings.Join(q, " ")
	}
	// zip
	zx := ""
	if len(excl) > 0 {
		zx = "-x " + quoteAll(excl, "")
	}
	w(`zip=
if command -v unzip >/dev/null 2>&1 && command -v zipinfo >/dev/null 2>&1; then
  if unzip -Z -1 "$src" %s >"$T/files" 2>/dev/null && [ -s "$T/files" ]; then zip=1; fi
else reasons="$reasons
Unable to find required 'unzip' or 'zipinfo' binary in the path."; fi
`, zx)
	// tar
	tarOpts := ""
	if len(opts) > 0 {
		tarOpts = "--show-transformed-names " + quoteAll(opts, "")
	}
	tarExcl := ""
	if len(excl) > 0 {
		tarExcl = quoteAll(excl, "--exclude=")
	}
	tarIncl := quoteAll(incl, "")
	owner, group := p.String("owner"), p.String("group")
	extraX := ""
	if owner != "" {
		extraX += " --owner=" + shellWord(owner)
	}
	if group != "" {
		extraX += " --group=" + shellWord(group)
	}
	if p.Bool("keep_newer") {
		extraX += " --keep-newer-files"
	}
	w("if [ -z \"$zip\" ]; then\n  tarp=$(command -v gtar || command -v tar)\n")
	w("  if [ -z \"$tarp\" ]; then reasons=\"$reasons\nUnable to find required 'gtar' or 'tar' binary in the path\"; fi\n")
	w("  case \"$($tarp --version 2>/dev/null | head -n1)\" in tar*GNU*) ;; *) [ -n \"$tarp\" ] && reasons=\"$reasons\nCommand \\\"$tarp\\\" detected as tar type None. GNU tar required.\"; tarp=;; esac\nfi\n")
	if check {
		w("[ -z \"$zip\" ] && [ -n \"$tarp\" ] && { out ERR CHECKTAR; exit 0; }\n")
	}
	w("handler=; flag=\nif [ -n \"$zip\" ]; then handler=ZipArchive\nelif [ -n \"$tarp\" ]; then\n")
	for _, h := range tarHandlers {
		w("  if [ -z \"$handler\" ] && $tarp --list -C \"$dest\" %s %s %s -f \"$src\" %s >\"$T/files\" 2>/dev/null && [ -s \"$T/files\" ]; then handler=%s; flag=%s; fi\n",
			h[1], tarOpts, tarExcl, tarIncl, h[0], shellWord(h[1]))
	}
	w("fi\n")
	w("[ -n \"$handler\" ] || { out ERR NOHANDLER; out REASONS \"$reasons\"; exit 0; }\nout HANDLER \"$handler\"\n")
	// listing with leading "/" removed and excludes applied like Ansible
	w("sed 's|^/||' \"$T/files\" >\"$T/f2\"; outf FILES \"$T/f2\"\n")
	// comparison
	uid0 := `[ "$(id -u)" = 0 ]`
	w("un=1\nif [ \"$handler\" = ZipArchive ]; then\n")
	w("  while IFS= read -r f; do [ -z \"$f\" ] && continue; case \"$f\" in */) [ -d \"$f\" ] || printf '>d++++++.?? %%s\\n' \"$f\";; *) if [ ! -e \"$f\" ]; then printf '>f++++++.?? %%s\\n' \"$f\"; elif ! unzip -p \"$src\" \"$f\" 2>/dev/null | cmp -s - \"$f\"; then printf '.fc......?? %%s\\n' \"$f\"; fi;; esac; done <\"$T/f2\" >\"$T/zd\"\n  [ -s \"$T/zd\" ] && un=0; outf ZDIFF \"$T/zd\"\n")
	w("else\n")
	modeSet := p.Set("mode")
	filter := `: Mod time differs$|: Warning: Cannot stat: No such file or directory$|: Invalid owner|: Invalid group`
	if !modeSet {
		filter += `|: Mode differs$`
	}
	w("  d=$($tarp --diff -C \"$dest\" $flag %s%s %s -f \"$src\" %s 2>&1)\n", tarOpts, extraX, tarExcl, tarIncl)
	w("  f=%s\n", shellWord(filter))
	if owner == "" {
		w("  %s && f=\"$f|: Uid differs\\$\"\n", uid0)
	}
	if group == "" {
		w("  %s && f=\"$f|: Gid differs\\$\"\n", uid0)
	}
	w("  printf '%%s\\n' \"$d\" | grep -v ': : Warning: Cannot stat: No such file or directory$' | grep -Eq \"$f\" && un=0\nfi\nout UNARCHIVED \"$un\"\n")
	if !check {
		w("if [ \"$un\" = 0 ]; then\n  if [ \"$handler\" = ZipArchive ]; then\n    up=$(command -v unzip)\n")
		w("    set -- \"$up\" -o %s \"$src\" %s %s -d \"$dest\"\n", quoteAll(opts, ""), zx, tarIncl)
		w("  else\n")
		w("    set -- \"$tarp\" --extract -C \"$dest\"; [ -n \"$flag\" ] && set -- \"$@\" \"$flag\"\n")
		w("    set -- \"$@\" %s%s %s -f \"$src\" %s\n", tarOpts, extraX, tarExcl, tarIncl)
		w("  fi\n  for a in \"$@\"; do out XARG \"$a\"; done\n")
		w("  \"$@\" >\"$T/xo\" 2>\"$T/xe\"; rc=$?\n  out XRC \"$rc\"; outf XOUT \"$T/xo\"; outf XERR \"$T/xe\"\nfi\n")
		// file attributes on every member and top folder
		var chg []string
		if owner != "" {
			chg = append(chg, "chown -h "+shellWord(owner)+` -- "$f"`)
		}
		if group != "" {
			chg = append(chg, "chgrp -h "+shellWord(group)+` -- "$f"`)
		}
		if modeSet {
			chg = append(chg, "chmod "+shellWord(modeArg(p["mode"]))+` -- "$f"`)
		}
		if len(chg) > 0 {
			w("a=0; { cat \"$T/f2\"; grep / \"$T/f2\" | cut -d/ -f1 | sort -u; } | while IFS= read -r f; do [ -z \"$f\" ] && continue; [ -e \"$f\" ] || continue; b=$(stat -c '%%a %%U %%G' -- \"$f\"); %s; [ \"$b\" = \"$(stat -c '%%a %%U %%G' -- \"$f\")\" ] || echo ch; done | grep -q ch && a=1; out ATTRS \"$a\"\n", strings.Join(chg, "; "))
		}
	}
	w("out DSTAT \"$(stat -c '%s' -- \"$dest\")\"\n", remote.StatFormat)
	return b.String()
}

// modeArg renders a mode option for chmod: YAML integers are octal
// digits already converted to a number.
func modeArg(v any) string {
	if n, ok := v.(int); ok {
		return fmt.Sprintf("%o", n)
	}
	return pyfmt.Str(v)
}
