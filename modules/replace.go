package modules

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"octopus/modules/internal/argspec"
	"octopus/modules/internal/pyre"
)

func init() { Register(guarded(runReplace), "replace") }

var replaceSpec = argspec.Spec{
	Module: "replace",
	Options: withCommon(
		argspec.Option{Name: "path", Type: "path", Required: true, Aliases: []string{"dest", "destfile", "name"}},
		argspec.Option{Name: "regexp", Required: true},
		argspec.Option{Name: "replace", Default: ""},
		argspec.Option{Name: "after"},
		argspec.Option{Name: "before"},
		argspec.Option{Name: "backup", Type: "bool", Default: false},
		argspec.Option{Name: "validate"},
		argspec.Option{Name: "encoding", Default: "utf-8"},
	),
}

// replaceEdit is the replace module's text edit: within the section
// delimited by after/before (when given), substitute regexp (MULTILINE)
// with repl. It returns the new text, the number of replacements, and a
// non-empty noSection message when after/before did not match.
func replaceEdit(contents, regexp, repl, after, before string) (string, int, string, error) {
	pattern := ""
	switch {
	case after != "" && before != "":
		pattern = after + "(?P<subsection>.*?)" + before
	case after != "":
		pattern = after + "(?P<subsection>.*)"
	case before != "":
		pattern = "(?P<subsection>.*)" + before
	}
	section := contents
	var start, end int
	if pattern != "" {
		sre, err := pyre.Compile("(?s)" + pattern)
		if err != nil {
			return "", 0, "", err
		}
		m := sre.FindSubmatchIndex([]byte(contents))
		if m == nil {
			return contents, 0, "Pattern for before/after params did not match the given file: " + pattern, nil
		}
		i := sre.SubexpIndex("subsection")
		start, end = m[2*i], m[2*i+1]
		section = contents[start:end]
	}
	mre, err := pyre.Compile("(?m)" + regexp)
	if err != nil {
		return "", 0, "", err
	}
	out, n, err := mre.Sub([]byte(section), []byte(repl))
	if err != nil {
		return "", 0, "", err
	}
	res := string(out)
	if pattern != "" {
		res = contents[:start] + res + contents[end:]
	}
	return res, n, "", nil
}

func runReplace(ctx context.Context, req *Request) (Result, error) {
	p, e, res, err := openEdit(ctx, req, &replaceSpec)
	if res != nil || err != nil {
		return res, err
	}
	if res := e.dirFailure(); res != nil {
		return res, nil
	}
	pth := p.String("path")
	if !e.Exists() {
		return Result{"failed": true, "rc": 257, "msg": fmt.Sprintf("Path %s does not exist !", pth)}, nil
	}
	enc := strings.ToLower(p.String("encoding"))
	raw := e.Content()
	var contents string
	switch enc {
	case "utf-8", "utf8":
		if !utf8.Valid(raw) {
			return Result{"failed": true, "msg": fmt.Sprintf("Unable to read the contents of %s: invalid utf-8", pth)}, nil
		}
		contents = string(raw)
	case "latin-1", "latin1", "iso-8859-1":
		r := make([]rune, len(raw))
		for i, b := range raw {
			r[i] = rune(b)
		}
		contents = string(r)
	default:
		return Result{"failed": true, "msg": "unsupported encoding " + enc}, nil
	}
	res = Result{"rc": 0}
	result, n, noSection, err := replaceEdit(contents, p.String("regexp"), p.String("replace"), p.String("after"), p.String("before"))
	if err != nil {
		return Result{"failed": true, "rc": 0, "msg": err.Error()}, nil
	}
	if noSection != "" {
		res["msg"], res["changed"] = noSection, false
		return res, nil
	}
	changed := n > 0 && result != contents
	msg := ""
	if changed {
		msg = fmt.Sprintf("%d replacements made", n)
		if req.DiffMode {
			res["diff"] = map[string]any{"before_header": pth, "before": contents, "after_header": pth, "after": result}
		}
	}
	data := []byte(result)
	if enc != "utf-8" && enc != "utf8" {
		data, err = encodeOutput(result, enc)
		if err != nil {
			return Result{"failed": true, "msg": err.Error()}, nil
		}
	}
	if changed && p.Set("validate") && !strings.Contains(p.String("validate"), "%s") {
		return Result{"failed": true, "msg": "validate must contain %s: " + p.String("validate")}, nil
	}
	cr, err := e.commit(ctx, req, commitOpts{
		Write: changed, Data: data, Backup: p.Bool("backup"), Validate: p.String("validate"),
		ValidateErr: func(rc int, _, errOut string) Result {
			return Result{"failed": true, "msg": fmt.Sprintf("failed to validate: rc:%d error:%s", rc, errOut)}
		},
	})
	if err != nil {
		return nil, err
	}
	if cr.Failed != nil {
		return cr.Failed, nil
	}
	if cr.BackupFile != "" {
		res["backup_file"] = cr.BackupFile
	}
	if cr.AttrChanged {
		if changed {
			msg += " and "
		}
		changed = true
		msg += "ownership, perms or SE linux context changed"
	}
	res["msg"], res["changed"] = msg, changed
	return res, nil
}
