package modules

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/big"
	"os"
	"path"
	"strings"
	"time"

	"octopus/engine/connection"
	"octopus/engine/shlex"
	"octopus/modules/internal/remote"
)

// maxDiffSize is Ansible's MAX_FILE_SIZE_FOR_DIFF default.
const maxDiffSize = 104448

// fileWrite is one controller-to-target file transfer, as the copy and
// template actions perform it (_copy_file / template's copy step).
type fileWrite struct {
	Dest        string // dest as given (a trailing slash means "into this directory")
	Rel         string // source_rel / _original_basename
	Data        []byte
	AfterHeader string
	IsContent   bool // from content=: a directory dest is an error
	Follow      bool
	Force       bool
	Backup      bool
	Validate    string
	Attrs       remote.Attrs
	DirMode     any
	FileArgs    map[string]any // task args handed to the file module when nothing changes
	ModArgs     map[string]any // the copy action's task args without content/decrypt (the copy module's, for its invocation)
	RemoteSrc   string         // copy remote_src: the module compares and reports itself
	ModuleErr   error          // argument error the remote module would raise
	Checksum    string         // expected sha1 of the transferred data (copy's checksum)
	ctrl        Controller     // for reading controller files
	decrypt     bool
}

// ansibleTmpSource is a path like the one Ansible's copy action uploads a
// file to (remote_tmp/ansible-tmp-TIME-PID-RANDOM/source); the copy
// module's invocation shows it as src.
func ansibleTmpSource(env *remote.Env) string {
	home := "~"
	if env != nil && env.Home != "" {
		home = env.Home
	}
	now := time.Now()
	n, _ := rand.Int(rand.Reader, big.NewInt(1<<48))
	return fmt.Sprintf("%s/.ansible/tmp/ansible-tmp-%d.%04d-%d-%d/source", strings.TrimSuffix(home, "/"), now.Unix(), now.Nanosecond()/100000, os.Getpid(), n)
}

func sha1Hex(b []byte) string { s := sha1.Sum(b); return hex.EncodeToString(s[:]) }
func md5Hex(b []byte) string  { s := md5.Sum(b); return hex.EncodeToString(s[:]) }

// destStatus is what the action's remote stat call reports.
type destStatus struct {
	exists, isdir, islnk bool
	checksum             string
	info                 *remote.Info
}

func statusOf(in *remote.Info, follow bool) destStatus {
	s := destStatus{info: in}
	if follow {
		s.exists = in.Follows
		s.isdir = in.Follows && in.F.Is(remote.ModeDir)
		if in.Follows && in.F.Is(remote.ModeReg) && in.Readable {
			s.checksum = in.SHA1
		}
	} else {
		s.exists = in.Exists
		s.isdir = in.Exists && in.L.Is(remote.ModeDir)
		s.islnk = in.IsLink()
		if in.Exists && in.L.Is(remote.ModeReg) && in.Readable {
			s.checksum = in.SHA1
		}
	}
	return s
}

func hasTrailingSlash(p string) bool { return strings.HasSuffix(p, "/") }

func joinPath(a, b string) string {
	if b == "" {
		if hasTrailingSlash(a) {
			return a
		}
		return a + "/"
	}
	if strings.HasPrefix(b, "/") {
		return b
	}
	if a == "" || hasTrailingSlash(a) {
		return a + b
	}
	return a + "/" + b
}

// writeFile runs one transfer. It returns nil when the destination exists
// and force is off (Ansible skips the file).
func writeFile(ctx context.Context, req *Request, w *fileWrite) (Result, error) {
	destFile := w.Dest
	if hasTrailingSlash(w.Dest) {
		destFile = joinPath(w.Dest, w.Rel)
	}
	users, groups := w.Attrs.Names()
	opts := remote.Options{SHA1: true, LinkRealPath: true, Users: users, Groups: groups, Content: req.DiffMode, MaxContent: maxDiffSize}
	env, infos, err := target(req).Probe(ctx, []string{destFile, joinPath(destFile, w.Rel)}, opts)
	if err != nil {
		return nil, err
	}
	st := statusOf(infos[0], w.Follow)
	if st.exists && st.isdir {
		if w.IsContent {
			return Result{"failed": true, "msg": "can not use content with a dir as dest", "diff": []any{}}, nil
		}
		destFile = joinPath(destFile, w.Rel)
		st = statusOf(infos[1], w.Follow)
	}
	if st.exists && !w.Force {
		return nil, nil
	}
	r := Result{"diff": []any{}}
	if w.RemoteSrc != "" {
		r = Result{}
	}
	local := sha1Hex(w.Data)
	// modFail is a failure of the remote copy module: the action adds the
	// local checksum.
	modFail := func(extra Result, msg string) (Result, error) {
		for k, v := range extra {
			r[k] = v
		}
		r["checksum"] = local
		return fail(r, msg)
	}
	if local == st.checksum && w.RemoteSrc != "" {
		if w.ModuleErr != nil {
			return argFail(w.ModuleErr)
		}
		dest := destFile
		if w.Follow && st.info.IsLink() {
			dest = st.info.RealPath
		}
		in := st.info
		stt := &in.L
		if w.Follow {
			stt = &in.F
		}
		plan, err := remote.PlanAttrs(dest, stt, w.Attrs, env)
		if err != nil {
			return modFail(Result{"path": dest}, err.Error())
		}
		r = Result{"dest": dest, "src": w.RemoteSrc, "md5sum": md5Hex(w.Data), "checksum": local, "changed": plan.Changed}
		if plan.Changed && !req.CheckMode {
			res, err := target(req).Run(ctx, plan.Script+"\n"+remote.ProbeScript([]string{dest}, remote.Options{}), nil)
			if err != nil {
				return nil, err
			}
			_, after, err := remote.ParseProbe(string(res.Stdout), []string{dest})
			if err == nil {
				remote.PathInfo(r, after[0])
			}
			return r, nil
		}
		remote.PathInfo(r, in)
		return r, nil
	}
	if local == st.checksum {
		dest, shown := destFile, w.Dest // shown: the dest the action hands to the file module
		if w.Follow && st.info.IsLink() {
			dest, shown = st.info.RealPath, st.info.RealPath
		}
		args := map[string]any{}
		for k, v := range w.FileArgs {
			args[k] = v
		}
		args["dest"] = dest
		args["_original_basename"] = w.Rel
		args["recurse"] = false
		args["state"] = "file"
		delete(args, "src")
		var pre *probed
		if dest == st.info.Path {
			pre = &probed{path: dest, in: st.info, env: env}
		}
		if args["mode"] == "preserve" {
			args["mode"] = w.Attrs.Mode
		}
		fr, err := runFileProbed(ctx, &Request{Args: args, Conn: req.Conn, Become: req.Become, Env: req.Env, CheckMode: req.CheckMode, DiffMode: req.DiffMode, Host: req.Host, inv: req.inv}, pre)
		if err != nil {
			return nil, err
		}
		if w.ModArgs != nil {
			args["dest"] = shown // as the file module's invocation reports it
		}
		for k, v := range fr {
			r[k] = v
		}
		if _, ok := r["checksum"]; !ok {
			r["checksum"] = local
		}
		return r, nil
	}
	if req.DiffMode && w.RemoteSrc == "" {
		r["diff"] = []any{diffData(destFile, st.info, w)}
	}
	if req.CheckMode {
		r["changed"] = true
		return r, nil
	}
	shownSrc := "" // the copy module's src as Ansible's action names the upload
	if w.ModArgs != nil {
		// the arguments the copy action hands to the copy module
		a := make(map[string]any, len(w.ModArgs)+4)
		for k, v := range w.ModArgs {
			a[k] = v
		}
		shownSrc = ansibleTmpSource(env)
		a["src"] = shownSrc
		a["dest"], a["_original_basename"], a["follow"] = w.Dest, w.Rel, w.Follow
		if c, _ := a["checksum"].(string); c == "" {
			a["checksum"] = local
		}
		if a["mode"] == "preserve" {
			a["mode"] = w.Attrs.Mode
		}
		_, _ = validateArgs(req, &copySpec, "", a)
	}
	if w.ModuleErr != nil {
		res, _ := argFail(w.ModuleErr)
		return modFail(nil, fmt.Sprint(res["msg"]))
	}
	if w.Checksum != "" && w.Checksum != local {
		r["expected_checksum"] = w.Checksum
		return modFail(nil, "Copied file does not match the expected checksum. Transfer failed.")
	}
	if w.Validate != "" && !strings.Contains(w.Validate, "%s") {
		return modFail(nil, fmt.Sprintf("validate must contain %%s: %s", w.Validate))
	}
	// The remote copy module's part.
	in := st.info
	dest := destFile
	if in.Exists && in.IsLink() && w.Follow && in.Follows {
		dest = in.RealPath
	}
	parent := path.Dir(dest)
	var pre []string
	if !in.ParentDir && !in.Exists {
		if !hasTrailingSlash(w.Dest) {
			return modFail(nil, fmt.Sprintf("Destination directory %s does not exist", parent))
		}
		mk, err := mkdirScript(parent, w, env)
		if err != nil {
			return nil, err
		}
		pre = append(pre, mk)
	}
	var newStat remote.Stat
	existed := in.Follows && !in.IsLink() || (in.Follows && w.Follow)
	if existed {
		newStat = in.F
	} else {
		newStat = remote.Stat{Mode: remote.ModeReg | (0o666 &^ env.Umask), UID: env.UID, GID: env.GID}
	}
	newStat.Mode = remote.ModeReg | newStat.Perm()
	plan, err := remote.PlanAttrs(dest, &newStat, w.Attrs, env)
	if err != nil {
		var msg string
		switch e := err.(type) {
		case *remote.AttrLookupError:
			msg = e.Msg
		case *remote.ModeError:
			msg = e.Msg
		default:
			return nil, err
		}
		return modFail(Result{"path": dest}, msg)
	}
	tmpName := path.Join(parent, ".octopus-tmp-"+randHex())
	if len(pre) > 0 {
		// The directory must exist before the transfer.
		res, err := target(req).Run(ctx, strings.Join(pre, "\n"), nil)
		if err != nil {
			return nil, err
		}
		if res.RC != 0 {
			return modFail(nil, strings.TrimSpace(string(res.Stderr)))
		}
	}
	qd, qt := connection.ShellQuote(dest), connection.ShellQuote(tmpName)
	var sc strings.Builder
	fmt.Fprintf(&sc, "t=%s\n", qt)
	// The data comes with the script: one round trip for the transfer and
	// the move.
	upload, stdin := uploadScript(w.Data, env.Umask)
	sc.WriteString(upload)
	if w.Backup && in.Exists {
		fmt.Fprintf(&sc, "b=%s.$$.$(date +%%Y-%%m-%%d@%%H:%%M:%%S~) && cp -p -- %s \"$b\" || { echo '@@FAIL backup'; rm -f \"$t\"; exit 0; }\nprintf 'B\\n%%s\\n' \"$b\"\n", qd, qd)
	}
	// A plan that only changes the mode is applied to the temporary file:
	// the same file after the move, one chmod less.
	tmpMode := newStat.Perm()
	if plan.Script != "" && onlyMode(plan) {
		tmpMode, plan.Script = plan.Mode, ""
	}
	fmt.Fprintf(&sc, "chmod %04o \"$t\"", tmpMode)
	if existed {
		fmt.Fprintf(&sc, " && chown %d:%d \"$t\"", newStat.UID, newStat.GID)
	}
	sc.WriteString(" >&2\n")
	if w.Validate != "" {
		tplan, _ := remote.PlanAttrs(tmpName, &newStat, w.Attrs, env)
		if tplan != nil && tplan.Script != "" {
			sc.WriteString(tplan.Script + " >&2\n")
		}
		words, err := shlex.Split(strings.ReplaceAll(strings.ReplaceAll(w.Validate, "%s", tmpName), "%%", "%"))
		if err != nil || len(words) == 0 {
			return fail(Result{}, "failed to validate")
		}
		writeValidate(&sc, words)
	}
	if in.IsLink() && !w.Follow {
		fmt.Fprintf(&sc, "rm -f -- %s\n", qd)
	}
	fmt.Fprintf(&sc, "mv -f -- \"$t\" %s || { rm -f \"$t\"; echo '@@FAIL move'; exit 0; }\n", qd)
	if plan.Script != "" {
		sc.WriteString("{ " + plan.Script + "; } >&2 || { echo '@@FAIL attrs'; exit 0; }\n")
	}
	sc.WriteString("printf 'P\\n'\n")
	sc.WriteString(remote.ProbeScript([]string{dest}, remote.Options{}))
	res, err := target(req).Run(ctx, sc.String(), stdin)
	if err != nil {
		return nil, err
	}
	out := string(res.Stdout)
	if strings.HasPrefix(out, uploadFailed) {
		return modFail(nil, fmt.Sprintf("failed to copy: %s to %s: writing %s: %s", tmpName, dest, tmpName, strings.TrimSpace(string(res.Stderr))))
	}
	var backup string
	for {
		line, rest, ok := cutLine(out)
		if !ok {
			break
		}
		switch {
		case line == "B":
			backup, rest, _ = cutLine(rest)
		case line == "V":
			var rc, so, se string
			rc, rest, _ = cutLine(rest)
			so, rest, _ = cutLine(rest)
			se, _, _ = cutLine(rest)
			bo, _ := base64.StdEncoding.DecodeString(so)
			be, _ := base64.StdEncoding.DecodeString(se)
			f := Result{"exit_status": atoiDefault(rc), "stdout": string(bo), "stderr": string(be)}
			return modFail(f, "failed to validate")
		case strings.HasPrefix(line, "@@FAIL"):
			return modFail(nil, fmt.Sprintf("failed to copy: %s to %s: %s", tmpName, dest, strings.TrimSpace(string(res.Stderr))))
		}
		out = rest
		if line == "P" {
			break
		}
	}
	_, after, err := remote.ParseProbe(out, []string{dest})
	if err != nil {
		return nil, err
	}
	r["dest"] = dest
	r["src"] = tmpName
	if shownSrc != "" {
		r["src"] = shownSrc // as the invocation shows it
	}
	if w.RemoteSrc != "" {
		r["src"] = w.RemoteSrc
	}
	r["md5sum"] = md5Hex(w.Data)
	r["checksum"] = local
	r["changed"] = true
	if backup != "" {
		r["backup_file"] = backup
	}
	remote.PathInfo(r, after[0])
	return r, nil
}

// uploadFailed is the line uploadScript prints when the data could not be
// written.
const uploadFailed = "@@FAIL upload\n"

// maxInline is the largest upload written by the script itself (printf)
// rather than sent as its standard input: inline data spares the target two
// processes (the shell's copy of the input and cat) but the shell reads its
// script slowly, so only small data goes inline.
const maxInline = 4096

// uploadScript returns the script that writes data to the new file "$t",
// readable by its owner only (as connection.Conn.Put with mode 0600 would,
// without a round trip of its own), and the standard input the script needs
// (nil when the data is inline). On failure the script prints uploadFailed
// and ends. umask is the target user's, restored afterwards.
func uploadScript(data []byte, umask uint32) (string, []byte) {
	var b strings.Builder
	b.WriteString("set -C; umask 077\n")
	var stdin []byte
	if lit, ok := printfLiteral(data); ok {
		b.WriteString("printf '" + lit + "' > \"$t\"")
	} else {
		b.WriteString(`cat > "$t"`)
		stdin = data
	}
	fmt.Fprintf(&b, " || { rm -f \"$t\"; echo '%s'; exit 0; }\nset +C; umask %04o\n", strings.TrimSuffix(uploadFailed, "\n"), umask&0o777)
	return b.String(), stdin
}

// printfLiteral is data as a printf format that prints it, in printable
// ASCII (every other byte, ' \ % and a leading -, as a three-digit octal
// escape), when that is at most maxInline bytes long.
func printfLiteral(data []byte) (string, bool) {
	var b strings.Builder
	for i, c := range data {
		// a leading '-' would read as an option
		if c >= 0x20 && c < 0x7f && c != '\'' && c != '\\' && c != '%' && (c != '-' || i > 0) {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "\\%03o", c)
		}
		if b.Len() > maxInline {
			return "", false
		}
	}
	return b.String(), true
}

// onlyMode reports whether plan changes the mode alone, to a mode without
// setuid, setgid or sticky bits (which a later chown could clear).
func onlyMode(plan *remote.AttrChange) bool {
	_, owner := plan.Before["owner"]
	_, group := plan.Before["group"]
	return plan.ModeChanged && !owner && !group && plan.Mode&0o7000 == 0
}

func atoiDefault(s string) int {
	n := 0
	fmt.Sscanf(s, "%d", &n)
	return n
}

func randHex() string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// diffData is the action's _get_diff_data for a transfer.
func diffData(destFile string, in *remote.Info, w *fileWrite) map[string]any {
	d := map[string]any{}
	switch {
	case !in.Follows:
		d["before"] = ""
	case in.HasContent && bytes.IndexByte(head(in.Content), 0) >= 0:
		d["dst_binary"] = 1
	case in.F.Size > maxDiffSize:
		d["dst_larger"] = maxDiffSize
	case in.HasContent:
		d["before_header"] = destFile
		d["before"] = string(in.Content)
	}
	if len(w.Data) > maxDiffSize {
		d["src_larger"] = maxDiffSize
	} else if bytes.IndexByte(w.Data, 0) >= 0 {
		d["src_binary"] = 1
	} else {
		d["after_header"] = w.AfterHeader
		d["after"] = string(w.Data)
	}
	return d
}

func head(b []byte) []byte {
	if len(b) > 8192 {
		return b[:8192]
	}
	return b
}

// mkdirScript creates dir and its missing parents, giving each new one the
// directory mode (copy's directory_mode) and owner/group, as the copy
// module's adjust_recursive_directory_permissions does.
func mkdirScript(dir string, w *fileWrite, env *remote.Env) (string, error) {
	attrs := remote.Attrs{Owner: w.Attrs.Owner, Group: w.Attrs.Group, Mode: w.DirMode}
	st := remote.Stat{Mode: remote.ModeDir | (0o777 &^ env.Umask), UID: env.UID, GID: env.GID}
	plan, err := remote.PlanAttrs("$c", &st, attrs, env)
	if err != nil {
		return "", err
	}
	fix := strings.ReplaceAll(plan.Script, "'$c'", `"$c"`)
	if fix == "" {
		fix = ":"
	}
	var comps []string
	cur := ""
	for _, d := range strings.Split(strings.Trim(dir, "/"), "/") {
		cur += "/" + d
		if !path.IsAbs(dir) {
			cur = strings.TrimLeft(cur, "/")
		}
		comps = append(comps, connection.ShellQuote(cur))
	}
	return fmt.Sprintf(`for c in %s; do if [ ! -e "$c" ]; then mkdir -- "$c" && %s || exit 1; fi; done`, strings.Join(comps, " "), fix), nil
}
