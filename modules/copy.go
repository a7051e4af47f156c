package modules

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"octopus/engine/connection"
	"octopus/engine/pyfmt"
	"octopus/engine/value"
	"octopus/modules/internal/argspec"
	"octopus/modules/internal/remote"
)

func init() { Register(guarded(runCopy), "copy") }

var copySpec = argspec.Spec{
	Module: "ansible.legacy.copy",
	Options: withCommon(
		argspec.Option{Name: "src", Type: "path"},
		argspec.Option{Name: "_original_basename"},
		argspec.Option{Name: "content", NoLog: true}, // the action keeps content; the module never sees it
		argspec.Option{Name: "dest", Type: "path", Required: true},
		argspec.Option{Name: "backup", Type: "bool", Default: false},
		argspec.Option{Name: "force", Type: "bool", Default: true},
		argspec.Option{Name: "validate"},
		argspec.Option{Name: "directory_mode", Type: "raw"},
		argspec.Option{Name: "remote_src", Type: "bool"},
		argspec.Option{Name: "local_follow", Type: "bool"},
		argspec.Option{Name: "checksum"},
		argspec.Option{Name: "follow", Type: "bool", Default: false},
	),
}

// realFileArgs are the task args the copy action forwards to the file module.
var realFileArgs = map[string]bool{"mode": true, "owner": true, "group": true, "seuser": true, "serole": true,
	"selevel": true, "setype": true, "attributes": true, "attr": true, "unsafe_writes": true, "state": true, "path": true,
	"_original_basename": true, "recurse": true, "force": true, "_diff_peek": true, "src": true}

func fileArgsFrom(args map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range args {
		if realFileArgs[k] {
			out[k] = v
		}
	}
	return out
}

// contentBytes serialises copy's content as the action does: dicts and
// lists as JSON (json.dumps), other values as their text.
func contentBytes(v any) []byte {
	switch v.(type) {
	case *value.Dict, map[string]any, []any:
		return []byte(pyfmt.JSON(v))
	}
	return []byte(pyfmt.Str(v))
}

// localContentHeader stands in for the controller temp file Ansible writes
// content to; it shows as the diff's after_header.
const localContentHeader = "~/.ansible/tmp/ansible-local-octopus/content"

func runCopy(ctx context.Context, req *Request) (Result, error) {
	args := req.Args
	req.recordRaw(args) // the action's own failures report the task's arguments
	src, _ := args["src"].(string)
	content, hasContent := args["content"]
	dest, _ := args["dest"].(string)
	boolArg := func(k string, def bool) bool {
		v, ok := args[k]
		if !ok || v == nil {
			return def
		}
		b, err := argspec.Bool(v)
		if err != nil {
			return false
		}
		return b
	}
	remoteSrc := boolArg("remote_src", false)
	localFollow := boolArg("local_follow", true)
	switch {
	case src == "" && !hasContent:
		return fail(Result{}, "src (or content) is required")
	case dest == "":
		return fail(Result{}, "dest is required")
	case src != "" && hasContent:
		return fail(Result{}, "src and content are mutually exclusive")
	case hasContent && strings.HasSuffix(dest, "/"):
		return fail(Result{}, "can not use content with a dir as dest")
	}
	// The remote copy module validates its arguments only when it runs
	// (content and decrypt stay with the action).
	modArgs := map[string]any{}
	for k, v := range args {
		if k != "content" && k != "decrypt" {
			modArgs[k] = v
		}
	}
	p, argErr := validateArgs(req, &copySpec, "", modArgs)
	if argErr != nil {
		if remoteSrc {
			return argFail(argErr)
		}
		p = lenientParams(args)
	}
	if !remoteSrc {
		req.recordRaw(args) // until a module run reports its own
	}
	if err := expandUser(ctx, req, p, "dest", "src"); err != nil {
		return nil, err
	}
	if !remoteSrc {
		p["src"] = src // a controller path: never expanded on the target
	}
	dest = p.String("dest")
	if remoteSrc {
		return copyRemote(ctx, req, p)
	}
	w := &fileWrite{
		Dest: dest, Follow: p.Bool("follow"), Force: p.Bool("force"), Backup: p.Bool("backup"),
		Validate: p.String("validate"), DirMode: p["directory_mode"],
		Attrs:     remote.Attrs{Owner: p.String("owner"), Group: p.String("group"), Mode: p["mode"]},
		FileArgs:  fileArgsFrom(args),
		ModuleErr: argErr,
		Checksum:  p.String("checksum"),
		ModArgs:   modArgs,
		ctrl:      req.Controller,
		decrypt:   boolArg("decrypt", true),
	}
	if hasContent {
		w.Data, w.Rel, w.IsContent, w.AfterHeader = contentBytes(content), "content", true, localContentHeader
		if lt, ok := req.Controller.(LocalTemper); ok {
			w.AfterHeader = lt.LocalTemp()
			w.Rel = path.Base(w.AfterHeader) // the action's temporary file's name
		} else {
			w.Rel = "tmp" + randHex()[:8]
		}
		if w.Attrs.Mode == "preserve" {
			w.Attrs.Mode = "0600"
		}
		r, err := writeFile(ctx, req, w)
		return copyResult(r, err, dest, "")
	}
	if req.Controller == nil {
		return fail(Result{}, "copy: no controller to read "+src)
	}
	trailing := strings.HasSuffix(src, "/")
	full, err := req.Controller.FindFile("files", src)
	if err != nil {
		return fail(Result{}, err.Error())
	}
	if trailing != strings.HasSuffix(full, "/") {
		if strings.HasSuffix(full, "/") {
			full = full[:len(full)-1]
		} else {
			full += "/"
		}
	}
	fi, err := os.Stat(full)
	if err != nil {
		return fail(Result{}, fmt.Sprintf("could not find src=%s, %v", full, err))
	}
	if !fi.IsDir() {
		rel := filepath.Base(full)
		if err := w.load(full, p); err != nil {
			if le, ok := err.(*LoadError); ok {
				return nil, le
			}
			return fail(Result{}, err.Error())
		}
		w.Rel, w.AfterHeader = rel, full
		r, err := writeFile(ctx, req, w)
		return copyResult(r, err, dest, full)
	}
	// A directory: every file, then every directory, then symlinks.
	files, dirs, links := walkSource(full, localFollow)
	if !strings.HasSuffix(dest, "/") {
		dest += "/"
	}
	w.Dest = dest
	changed := false
	w.Follow = false
	for _, f := range files {
		fw := *w
		if err := fw.load(f[0], p); err != nil {
			if le, ok := err.(*LoadError); ok {
				return nil, le
			}
			return fail(Result{}, err.Error())
		}
		fw.Rel, fw.AfterHeader = f[1], f[0]
		r, err := writeFile(ctx, req, &fw)
		if err != nil {
			return nil, err
		}
		if r == nil {
			continue
		}
		if subFailed(r, &changed) {
			return r, nil
		}
	}
	for _, d := range dirs {
		fa := fileArgsFrom(args)
		delete(fa, "src")
		fa["path"] = filepath.Join(dest, d[1])
		fa["state"] = "directory"
		fa["mode"] = p["directory_mode"]
		fa["recurse"] = false
		r, err := runFile(ctx, subRequest(req, fa))
		if err != nil {
			return nil, err
		}
		if subFailed(r, &changed) {
			return r, nil
		}
	}
	for _, l := range links {
		fa := fileArgsFrom(args)
		fa["path"] = filepath.Join(dest, l[1])
		fa["src"] = l[0]
		fa["state"] = "link"
		fa["force"] = true
		if len(dirs) > 0 {
			fa["follow"] = false
		}
		if fa["mode"] == "preserve" {
			delete(fa, "mode")
		}
		r, err := runFile(ctx, subRequest(req, fa))
		if err != nil {
			return nil, err
		}
		if subFailed(r, &changed) {
			return r, nil
		}
	}
	if len(files) != 1 {
		req.recordRaw(args) // no single copy module run speaks for the task
	}
	return Result{"dest": dest, "src": full, "changed": changed}, nil
}

// lenientParams reads copy's arguments the way the action plugin does
// (boolean(strict=False)) when the module's own validation fails.
func lenientParams(args map[string]any) argspec.Params {
	p := argspec.Params{}
	for k, v := range args {
		p[k] = v
	}
	for _, k := range []string{"follow", "backup"} {
		b, _ := argspec.Bool(args[k])
		p[k] = b
	}
	p["force"] = true
	if v, ok := args["force"]; ok {
		b, _ := argspec.Bool(v)
		p["force"] = b
	}
	for _, k := range []string{"owner", "group", "validate"} {
		if v, ok := args[k]; ok {
			p[k] = pyfmt.Str(v)
		}
	}
	return p
}

func subRequest(req *Request, args map[string]any) *Request {
	return &Request{Args: args, Conn: req.Conn, Become: req.Become, Env: req.Env, CheckMode: req.CheckMode, DiffMode: req.DiffMode, Controller: req.Controller, Host: req.Host, Vars: req.Vars}
}

// readControllerFile reads a controller file, decrypting vault files
// through the controller when decrypt is set.
func readControllerFile(ctrl Controller, full string, decrypt bool) ([]byte, error) {
	if fr, ok := ctrl.(FileReader); ok && decrypt {
		b, err := fr.ReadFile(full)
		if err != nil && !os.IsNotExist(err) {
			return nil, &LoadError{Err: err}
		}
		return b, err
	}
	b, err := os.ReadFile(full)
	if err == nil && decrypt && strings.HasPrefix(string(b), "$ANSIBLE_VAULT;") {
		return nil, fmt.Errorf("%s is vault-encrypted and the controller cannot decrypt it", full)
	}
	return b, err
}

// load reads a controller file into the transfer; mode=preserve takes its mode.
func (w *fileWrite) load(full string, p argspec.Params) error {
	b, err := readControllerFile(w.ctrl, full, w.decrypt)
	if le, ok := err.(*LoadError); ok {
		return le
	}
	if err != nil {
		return fmt.Errorf("could not find src=%s, %v", full, err)
	}
	w.Data = b
	if p["mode"] == "preserve" {
		fi, err := os.Stat(full)
		if err == nil {
			w.Attrs.Mode = fmt.Sprintf("0%03o", uint32(fi.Mode().Perm())|setBits(fi.Mode()))
		}
	}
	return nil
}

func setBits(m os.FileMode) uint32 {
	var b uint32
	if m&os.ModeSetuid != 0 {
		b |= 0o4000
	}
	if m&os.ModeSetgid != 0 {
		b |= 0o2000
	}
	if m&os.ModeSticky != 0 {
		b |= 0o1000
	}
	return b
}

func copyResult(r Result, err error, dest, src string) (Result, error) {
	if err != nil {
		return nil, err
	}
	if r == nil {
		out := Result{"dest": dest, "changed": false}
		if src != "" {
			out["src"] = src
		} else {
			out["src"] = localContentHeader
		}
		return out, nil
	}
	if _, ok := r["path"]; ok {
		if _, has := r["dest"]; !has {
			r["dest"] = r["path"]
		}
	}
	return r, nil
}

// walkSource lists a controller directory as the copy action's _walk_dirs:
// files and directories as (full path, relative dest path); symlinks as
// (link target, relative path) when not followed.
func walkSource(top string, follow bool) (files, dirs, links [][2]string) {
	base := strings.TrimSuffix(top, "/")
	relBase := ""
	if !strings.HasSuffix(top, "/") {
		relBase = filepath.Base(base)
	}
	offset := len(base) + 1
	var rec func(dir string, relBase string, offset int, parents map[string]bool)
	rec = func(dir string, relBase string, offset int, parents map[string]bool) {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return
		}
		names := make([]string, 0, len(entries))
		for _, e := range entries {
			names = append(names, e.Name())
		}
		sort.Strings(names)
		var subdirs []string
		for _, n := range names {
			full := filepath.Join(dir, n)
			rel := filepath.Join(relBase, full[offset:])
			lfi, err := os.Lstat(full)
			if err != nil {
				continue
			}
			isLink := lfi.Mode()&os.ModeSymlink != 0
			fi, statErr := os.Stat(full)
			if statErr == nil && fi.IsDir() {
				if isLink {
					real, _ := filepath.EvalSymlinks(full)
					if follow && !parents[real] {
						dirs = append(dirs, [2]string{real, rel})
						np := map[string]bool{real: true}
						for k := range parents {
							np[k] = true
						}
						rec(real, rel, len(real)+1, np)
					} else {
						t, _ := os.Readlink(full)
						links = append(links, [2]string{t, rel})
					}
					continue
				}
				dirs = append(dirs, [2]string{full, rel})
				subdirs = append(subdirs, full)
				continue
			}
			if isLink {
				real, _ := filepath.EvalSymlinks(full)
				if follow && statErr == nil && fi.Mode().IsRegular() {
					files = append(files, [2]string{real, rel})
				} else {
					t, _ := os.Readlink(full)
					links = append(links, [2]string{t, rel})
				}
				continue
			}
			files = append(files, [2]string{full, rel})
		}
		for _, s := range subdirs {
			real, _ := filepath.EvalSymlinks(s)
			np := map[string]bool{real: true}
			for k := range parents {
				np[k] = true
			}
			rec(s, relBase, offset, np)
		}
	}
	real, _ := filepath.EvalSymlinks(base)
	rec(base, relBase, offset, map[string]bool{real: true})
	return
}

// copyRemote handles remote_src=yes for a single file: the copy module
// itself runs on the target.
func copyRemote(ctx context.Context, req *Request, p argspec.Params) (Result, error) {
	src, dest := p.String("src"), p.String("dest")
	if !strings.Contains(dest, "/") {
		dest = "./" + dest
	}
	_, infos, err := target(req).Probe(ctx, []string{src}, remote.Options{SHA1: true, Content: true})
	if err != nil {
		return nil, err
	}
	in := infos[0]
	if !in.Follows {
		return fail(Result{}, "Source "+src+" not found")
	}
	if !in.Readable {
		return fail(Result{}, "Source "+src+" not readable")
	}
	if in.IsDir() {
		return copyRemoteDir(ctx, req, p, src, dest)
	}
	if !in.IsFile() {
		return fail(Result{}, fmt.Sprintf("Cannot copy invalid source '%s': not a file", src))
	}
	mode := p["mode"]
	if mode == "preserve" {
		mode = remote.ModeString(in.F.Perm())
		p["mode"] = mode // the copy module updates its params (invocation shows it)
	}
	w := &fileWrite{
		RemoteSrc: src,
		Dest:      dest, Rel: filepath.Base(src), Data: in.Content, AfterHeader: src, Follow: p.Bool("follow"), Force: p.Bool("force"),
		Backup: p.Bool("backup"), Validate: p.String("validate"), DirMode: p["directory_mode"],
		Attrs:    remote.Attrs{Owner: p.String("owner"), Group: p.String("group"), Mode: mode},
		FileArgs: fileArgsFrom(req.Args),
	}
	r, err := writeFile(ctx, req, w)
	if err != nil || r == nil {
		return copyResult(r, err, dest, src)
	}
	return r, nil
}

// copyRemoteDir is the copy module's remote directory copy (remote_src with
// a directory src): missing files and directories are created, differing
// files replaced, nothing is deleted.
func copyRemoteDir(ctx context.Context, req *Request, p argspec.Params, src, dest string) (Result, error) {
	destParam := dest
	_, infos, err := target(req).Probe(ctx, []string{dest}, remote.Options{})
	if err != nil {
		return nil, err
	}
	destIsDir := infos[0].IsDir()
	from, to := strings.TrimSuffix(src, "/"), dest
	resDest := dest
	switch {
	case strings.HasSuffix(src, "/"):
		if destIsDir {
			resDest = joinPath(dest, "")
		}
	default:
		to = joinPath(dest, filepath.Base(from))
		if destIsDir {
			resDest = to
		}
	}
	check := "0"
	if req.CheckMode {
		check = "1"
	}
	attrs := remote.Attrs{Owner: p.String("owner"), Group: p.String("group")}
	var own string
	if attrs.Owner != "" {
		own += fmt.Sprintf(" && chown -R %s \"$d\"", connection.ShellQuote(attrs.Owner))
	}
	if attrs.Group != "" {
		own += fmt.Sprintf(" && chgrp -R %s \"$d\"", connection.ShellQuote(attrs.Group))
	}
	script := fmt.Sprintf(`s=%s; d=%s; ck=%s
if [ ! -d "$d" ]; then echo CH; [ $ck = 1 ] || mkdir -p -- "$d" || exit 1; fi
if [ -d "$d" ]; then (cd -- "$s" && find . -mindepth 1) | while IFS= read -r p; do
r=${p#./}; t="$d/$r"
if [ -d "$s/$r" ]; then
  if [ ! -d "$t" ]; then echo CH; [ $ck = 1 ] || { mkdir -p -- "$t" && chmod --reference="$s/$r" -- "$t"; } || exit 1; fi
elif [ ! -e "$t" ] || [ "$(sha1sum < "$s/$r")" != "$(sha1sum < "$t")" ]; then
  echo CH; [ $ck = 1 ] || { cp -- "$s/$r" "$t" && chmod --reference="$s/$r" -- "$t"; } || exit 1
fi
done; fi
[ $ck = 1 ] || true%s
`, connection.ShellQuote(from), connection.ShellQuote(to), check, own)
	res, err := target(req).Run(ctx, script, nil)
	if err != nil {
		return nil, err
	}
	if res.RC != 0 {
		return fail(Result{}, fmt.Sprintf("failed to copy: %s to %s: %s", src, destParam, strings.TrimSpace(string(res.Stderr))))
	}
	changed := strings.Contains(string(res.Stdout), "CH")
	r := Result{"dest": resDest, "src": src, "md5sum": nil, "checksum": nil, "changed": changed}
	users, groups := remote.Attrs{Owner: p.String("owner"), Group: p.String("group")}.Names()
	env, after, err := target(req).Probe(ctx, []string{resDest}, remote.Options{Users: users, Groups: groups})
	if err != nil {
		return nil, err
	}
	if after[0].Follows {
		plan, err := remote.PlanAttrs(resDest, &after[0].L, remote.Attrs{Owner: p.String("owner"), Group: p.String("group"), Mode: p["mode"]}, env)
		if err == nil && plan.Changed {
			r["changed"] = true
			if !req.CheckMode {
				if _, err := target(req).Run(ctx, plan.Script, nil); err != nil {
					return nil, err
				}
				_, after, err = target(req).Probe(ctx, []string{resDest}, remote.Options{})
				if err != nil {
					return nil, err
				}
			}
		}
	}
	remote.PathInfo(r, after[0])
	return r, nil
}

// subFailed reports whether the sub-module result r failed; when it did not,
// a change it made is ORed into changed.
func subFailed(r Result, changed *bool) bool {
	if b, _ := r["failed"].(bool); b {
		return true
	}
	if b, _ := r["changed"].(bool); b {
		*changed = true
	}
	return false
}
