package modules

import (
	"context"
	"encoding/base64"
	"fmt"
	"path"
	"strings"

	"octopus/engine/connection"
	"octopus/engine/shlex"
	"octopus/modules/internal/argspec"
	"octopus/modules/internal/remote"
)

// editFile is a file that lineinfile, blockinfile and replace read, change
// in memory and write back (one probe round trip, one write round trip).
type editFile struct {
	Path  string
	In    *remote.Info
	Env   *remote.Env
	Attrs remote.Attrs
}

// loadEdit probes path with its content, real path and the owner/group ids.
func loadEdit(ctx context.Context, req *Request, p argspec.Params) (*editFile, error) {
	attrs := remote.Attrs{Owner: p.String("owner"), Group: p.String("group"), Mode: p["mode"]}
	users, groups := attrs.Names()
	pth := p.String("path")
	env, infos, err := target(req).Probe(ctx, []string{pth}, remote.Options{Content: true, RealPath: true, Users: users, Groups: groups})
	if err != nil {
		return nil, err
	}
	return &editFile{Path: pth, In: infos[0], Env: env, Attrs: attrs}, nil
}

// openEdit is the common start of lineinfile, blockinfile and replace: it
// validates req against spec, expands a leading ~ in path and loads the file.
// A non-nil Result is an argument failure to return as the module's answer.
func openEdit(ctx context.Context, req *Request, spec *argspec.Spec) (argspec.Params, *editFile, Result, error) {
	p, err := validate(spec, req)
	if err != nil {
		res, err := argFail(err)
		return nil, nil, res, err
	}
	if err := expandUser(ctx, req, p, "path"); err != nil {
		return nil, nil, nil, err
	}
	e, err := loadEdit(ctx, req, p)
	if err != nil {
		return nil, nil, nil, err
	}
	return p, e, nil, nil
}

// dirFailure is the module failure when path names a directory (nil otherwise).
func (e *editFile) dirFailure() Result {
	if !e.In.IsDir() {
		return nil
	}
	return Result{"failed": true, "rc": 256, "msg": fmt.Sprintf("Path %s is a directory !", e.Path)}
}

// Exists is os.path.exists (follows symlinks).
func (e *editFile) Exists() bool { return e.In.Follows }

// Content is the current file content (nil when absent or unreadable).
func (e *editFile) Content() []byte { return e.In.Content }

// commitOpts tunes commit.
type commitOpts struct {
	Write       bool   // write Data (else only attributes)
	Data        []byte // new content
	Backup      bool
	Validate    string
	MkdirParent bool                                    // create missing parent directories (lineinfile create=yes)
	ValidateErr func(rc int, out, errOut string) Result // failure result of a failed validation
	AttrDiff    map[string]any                          // receives before/after of attribute changes
}

// commitResult is what commit did.
type commitResult struct {
	BackupFile  string
	AttrChanged bool
	Failed      Result // non-nil: the module fails with this result
}

func lines(b []byte) [][]byte {
	var out [][]byte
	for len(b) > 0 {
		i := indexNL(b)
		if i < 0 {
			out = append(out, b)
			break
		}
		out = append(out, b[:i+1])
		b = b[i+1:]
	}
	return out
}

func indexNL(b []byte) int {
	for i, c := range b {
		if c == '\n' {
			return i
		}
	}
	return -1
}

func joinLines(ls [][]byte) []byte {
	var out []byte
	for _, l := range ls {
		out = append(out, l...)
	}
	return out
}

// commit writes the new content (unless check mode) atomically into the
// real path, with backup and validation, then applies owner/group/mode.
func (e *editFile) commit(ctx context.Context, req *Request, o commitOpts) (*commitResult, error) {
	res := &commitResult{}
	dest := e.Path
	if e.In.RealPath != "" {
		dest = e.In.RealPath
	}
	var st remote.Stat
	if e.In.Follows {
		st = e.In.F
	} else {
		st = remote.Stat{Mode: remote.ModeReg | (0o666 &^ e.Env.Umask), UID: e.Env.UID, GID: e.Env.GID}
	}
	if !o.Write && !e.In.Follows {
		return res, nil
	}
	plan, err := remote.PlanAttrs(e.Path, &st, e.Attrs, e.Env)
	if err != nil {
		switch x := err.(type) {
		case *remote.AttrLookupError:
			res.Failed = Result{"failed": true, "msg": x.Msg, "path": e.Path}
		case *remote.ModeError:
			res.Failed = Result{"failed": true, "msg": x.Msg, "path": e.Path, "details": x.Details}
		default:
			return nil, err
		}
		return res, nil
	}
	if o.AttrDiff != nil && plan.Changed {
		o.AttrDiff["before"], o.AttrDiff["after"] = plan.Before, plan.After
	}
	res.AttrChanged = plan.Changed
	if req.CheckMode || (!o.Write && plan.Script == "") {
		return res, nil
	}
	var sc strings.Builder
	tmp := ""
	var stdin []byte
	if o.Write {
		if o.MkdirParent && !e.In.ParentDir {
			if r, err := target(req).Run(ctx, "mkdir -p -- "+connection.ShellQuote(path.Dir(dest)), nil); err != nil {
				return nil, err
			} else if r.RC != 0 {
				res.Failed = Result{"failed": true, "msg": fmt.Sprintf("Error creating %s (%s)", path.Dir(dest), strings.TrimSpace(string(r.Stderr)))}
				return res, nil
			}
		}
		tmp = path.Join(path.Dir(dest), ".octopus-tmp-"+randHex())
		qd := connection.ShellQuote(dest)
		fmt.Fprintf(&sc, "t=%s\n", connection.ShellQuote(tmp))
		// the data goes with the script: no round trip of its own
		var upload string
		upload, stdin = uploadScript(o.Data, e.Env.Umask)
		sc.WriteString(upload)
		if o.Validate != "" {
			words, err := shlex.Split(strings.ReplaceAll(strings.ReplaceAll(o.Validate, "%s", tmp), "%%", "%"))
			if err != nil || len(words) == 0 {
				words = []string{"false"}
			}
			writeValidate(&sc, words)
		}
		if o.Backup && e.In.Follows {
			fmt.Fprintf(&sc, "b=%s.$$.$(date +%%Y-%%m-%%d@%%H:%%M:%%S~) && cp -p -- %s \"$b\" && printf 'B\\n%%s\\n' \"$b\"\n", connection.ShellQuote(e.Path), qd)
		}
		fmt.Fprintf(&sc, "chmod %04o \"$t\"", st.Perm())
		if e.In.Follows {
			fmt.Fprintf(&sc, " && chown %d:%d \"$t\"", st.UID, st.GID)
		}
		fmt.Fprintf(&sc, " >&2 && mv -f -- \"$t\" %s || { rm -f \"$t\"; echo '@@FAIL'; exit 0; }\n", qd)
	}
	if plan.Script != "" {
		sc.WriteString("{ " + plan.Script + "; } >&2 || { echo '@@FAIL'; exit 0; }\n")
	}
	r, err := target(req).Run(ctx, sc.String(), stdin)
	if err != nil {
		return nil, err
	}
	out := string(r.Stdout)
	if strings.HasPrefix(out, uploadFailed) {
		res.Failed = Result{"failed": true, "msg": fmt.Sprintf("Unable to write %s: writing %s: %s", dest, tmp, strings.TrimSpace(string(r.Stderr)))}
		return res, nil
	}
	for {
		line, rest, ok := cutLine(out)
		if !ok {
			break
		}
		switch line {
		case "B":
			res.BackupFile, rest, _ = cutLine(rest)
		case "V":
			var rc, so, se string
			rc, rest, _ = cutLine(rest)
			so, rest, _ = cutLine(rest)
			se, rest, _ = cutLine(rest)
			bo, _ := base64.StdEncoding.DecodeString(so)
			be, _ := base64.StdEncoding.DecodeString(se)
			res.Failed = o.ValidateErr(atoiDefault(rc), string(bo), string(be))
			return res, nil
		case "@@FAIL":
			res.Failed = Result{"failed": true, "msg": strings.TrimSpace(string(r.Stderr))}
			return res, nil
		}
		out = rest
	}
	return res, nil
}

// writeValidate appends to sc the shell that runs the validation command
// words (each word's $VARS expanded on the target) with output captured
// beside the temp file $t. When it fails, the script removes $t, prints a V
// record (rc, base64 stdout, base64 stderr) and exits 0.
func writeValidate(sc *strings.Builder, words []string) {
	for i, wd := range words {
		fmt.Fprintf(sc, "v%d=%s\n", i, remote.ExpandVarsWord(wd))
	}
	sc.WriteString("\"$v0\"")
	for i := 1; i < len(words); i++ {
		fmt.Fprintf(sc, " \"$v%d\"", i)
	}
	sc.WriteString(" >\"$t.out\" 2>\"$t.err\"; vr=$?\nif [ $vr -ne 0 ]; then rm -f \"$t\"; printf 'V\\n%s\\n' \"$vr\"; base64 -w0 < \"$t.out\"; echo; base64 -w0 < \"$t.err\"; echo; rm -f \"$t.out\" \"$t.err\"; exit 0; fi\nrm -f \"$t.out\" \"$t.err\"\n")
}
