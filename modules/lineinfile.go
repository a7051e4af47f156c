package modules

import (
	"bytes"
	"context"
	"fmt"

	"octopus/modules/internal/argspec"
	"octopus/modules/internal/pyre"
)

func init() { Register(guarded(runLineinfile), "lineinfile") }

var lineinfileSpec = argspec.Spec{
	Module: "lineinfile",
	Options: withCommon(
		argspec.Option{Name: "path", Type: "path", Required: true, Aliases: []string{"dest", "destfile", "name"}},
		argspec.Option{Name: "state", Default: "present", Choices: []any{"absent", "present"}},
		argspec.Option{Name: "regexp", Aliases: []string{"regex"}},
		argspec.Option{Name: "search_string"},
		argspec.Option{Name: "line", Aliases: []string{"value"}},
		argspec.Option{Name: "insertafter"},
		argspec.Option{Name: "insertbefore"},
		argspec.Option{Name: "backrefs", Type: "bool", Default: false},
		argspec.Option{Name: "create", Type: "bool", Default: false},
		argspec.Option{Name: "backup", Type: "bool", Default: false},
		argspec.Option{Name: "firstmatch", Type: "bool", Default: false},
		argspec.Option{Name: "validate"},
	),
	MutuallyExclusive: [][]string{{"insertbefore", "insertafter"}, {"regexp", "search_string"}, {"backrefs", "search_string"}},
}

// lineOpts are lineinfile's editing parameters (nil pointer: not given).
type lineOpts struct {
	Regexp, SearchString, InsertAfter, InsertBefore *string
	Line                                            string
	Backrefs, Firstmatch                            bool
}

// lineinfilePresent applies state=present to the file lines, as Ansible's
// present() does. It returns the new lines, the message and whether
// anything changed.
func lineinfilePresent(ls [][]byte, o lineOpts) ([][]byte, string, bool, error) {
	var re, ins *pyre.Regexp
	var err error
	if o.Regexp != nil {
		if re, err = pyre.Compile(*o.Regexp); err != nil {
			return nil, "", false, err
		}
	}
	insAfter, insBefore := o.InsertAfter, o.InsertBefore
	if insAfter == nil && insBefore == nil {
		eof := "EOF"
		insAfter = &eof
	}
	switch {
	case insAfter != nil && *insAfter != "BOF" && *insAfter != "EOF":
		ins, err = pyre.Compile(*insAfter)
	case insAfter == nil && insBefore != nil && *insBefore != "BOF":
		ins, err = pyre.Compile(*insBefore)
	}
	if err != nil {
		return nil, "", false, err
	}
	idx := [2]int{-1, -1}
	var match []int
	var matchLine []byte
	matched := false
	exact := false
	line := []byte(o.Line)
	if re != nil {
		for n, cur := range ls {
			if m := re.SearchLine(cur); m != nil {
				idx[0], match, matchLine, matched = n, m, cur, true
				if o.Firstmatch {
					break
				}
			}
		}
	}
	if o.SearchString != nil {
		for n, cur := range ls {
			if bytes.Contains(cur, []byte(*o.SearchString)) {
				idx[0], matched = n, true
				if o.Firstmatch {
					break
				}
			}
		}
	}
	if !matched {
		for n, cur := range ls {
			if bytes.Equal(line, bytes.TrimRight(cur, "\r\n")) {
				idx[0] = n
				exact = true
			} else if ins != nil && ins.SearchLine(cur) != nil {
				if insAfter != nil {
					idx[1] = n + 1
					if o.Firstmatch {
						break
					}
				}
				if insBefore != nil {
					idx[1] = n
					if o.Firstmatch {
						break
					}
				}
			}
		}
	}
	withNL := func(b []byte) []byte { return append(append([]byte{}, b...), '\n') }
	insert := func(at int, l []byte) {
		ls = append(ls, nil)
		copy(ls[at+1:], ls[at:])
		ls[at] = l
	}
	endsNL := func(b []byte) bool { return len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') }
	msg, changed := "", false
	switch {
	case idx[0] != -1:
		newLine := line
		if o.Backrefs && match != nil {
			if newLine, err = re.Expand(line, matchLine, match); err != nil {
				return nil, "", false, err
			}
		}
		if !bytes.HasSuffix(newLine, []byte("\n")) {
			newLine = withNL(newLine)
		}
		if o.Regexp == nil && o.SearchString == nil && !matched && !exact {
			// unreachable in practice (kept for parity with Ansible)
		} else if !bytes.Equal(ls[idx[0]], newLine) {
			ls[idx[0]] = newLine
			msg, changed = "line replaced", true
		}
	case o.Backrefs:
	case (insBefore != nil && *insBefore == "BOF") || (insAfter != nil && *insAfter == "BOF"):
		insert(0, withNL(line))
		msg, changed = "line added", true
	case (insAfter != nil && *insAfter == "EOF") || idx[1] == -1:
		if len(ls) > 0 && !endsNL(ls[len(ls)-1]) {
			ls = append(ls, []byte("\n"))
		}
		ls = append(ls, withNL(line))
		msg, changed = "line added", true
	case insAfter != nil && idx[1] != -1:
		if len(ls) == idx[1] {
			if !bytes.Equal(bytes.TrimRight(ls[idx[1]-1], "\r\n"), line) {
				ls = append(ls, withNL(line))
				msg, changed = "line added", true
			}
		} else if !bytes.Equal(line, bytes.TrimRight(ls[idx[1]], "\n\r")) {
			insert(idx[1], withNL(line))
			msg, changed = "line added", true
		}
	default:
		insert(idx[1], withNL(line))
		msg, changed = "line added", true
	}
	return ls, msg, changed, nil
}

// lineinfileAbsent removes matching lines; it returns the remaining lines
// and how many were removed.
func lineinfileAbsent(ls [][]byte, o lineOpts) ([][]byte, int, error) {
	var re *pyre.Regexp
	var err error
	if o.Regexp != nil {
		if re, err = pyre.Compile(*o.Regexp); err != nil {
			return nil, 0, err
		}
	}
	var out [][]byte
	found := 0
	for _, cur := range ls {
		var hit bool
		switch {
		case re != nil:
			hit = re.SearchLine(cur) != nil
		case o.SearchString != nil:
			hit = bytes.Contains(cur, []byte(*o.SearchString))
		default:
			hit = bytes.Equal([]byte(o.Line), bytes.TrimRight(cur, "\r\n"))
		}
		if hit {
			found++
		} else {
			out = append(out, cur)
		}
	}
	return out, found, nil
}

func strPtr(p argspec.Params, k string) *string {
	if s, ok := p[k].(string); ok {
		return &s
	}
	return nil
}

func runLineinfile(ctx context.Context, req *Request) (Result, error) {
	p, e, res, err := openEdit(ctx, req, &lineinfileSpec)
	if res != nil || err != nil {
		return res, err
	}
	o := lineOpts{Regexp: strPtr(p, "regexp"), SearchString: strPtr(p, "search_string"), InsertAfter: strPtr(p, "insertafter"),
		InsertBefore: strPtr(p, "insertbefore"), Line: p.String("line"), Backrefs: p.Bool("backrefs"), Firstmatch: p.Bool("firstmatch")}
	var warns []any
	if (o.Regexp != nil && *o.Regexp == "") || (o.SearchString != nil && *o.SearchString == "") {
		name := "search string"
		msg := "The %s is an empty string, which will match every line in the file. This may have unintended consequences, such as replacing the last line in the file rather than appending."
		if o.Regexp != nil && *o.Regexp == "" {
			name = "regular expression"
			msg += " If this is desired, use '^' to match every line in the file and avoid this warning."
		}
		warns = append(warns, fmt.Sprintf(msg, name))
	}
	withWarn := func(r Result) (Result, error) {
		if len(warns) > 0 {
			r["warnings"] = warns
		}
		return r, nil
	}
	pth := p.String("path")
	if res := e.dirFailure(); res != nil {
		return withWarn(res)
	}
	present := p.String("state") == "present"
	if present {
		if o.Backrefs && o.Regexp == nil {
			return withWarn(Result{"failed": true, "msg": "regexp is required with backrefs=true"})
		}
		if p["line"] == nil {
			return withWarn(Result{"failed": true, "msg": "line is required with state=present"})
		}
	} else if o.Regexp == nil && o.SearchString == nil && p["line"] == nil {
		return withWarn(Result{"failed": true, "msg": "one of line, search_string, or regexp is required with state=absent"})
	}
	diff := map[string]any{"before": "", "after": "", "before_header": pth + " (content)", "after_header": pth + " (content)"}
	if !e.Exists() {
		if !present {
			return withWarn(Result{"changed": false, "msg": "file not present"})
		}
		if !p.Bool("create") {
			return withWarn(Result{"failed": true, "rc": 257, "msg": fmt.Sprintf("Destination %s does not exist !", pth)})
		}
	}
	old := lines(e.Content())
	if req.DiffMode {
		diff["before"] = string(joinLines(old))
	}
	var newLines [][]byte
	var msg string
	var changed bool
	found := 0
	if present {
		newLines, msg, changed, err = lineinfilePresent(old, o)
	} else {
		newLines, found, err = lineinfileAbsent(old, o)
		changed = found > 0
	}
	if err != nil {
		return withWarn(Result{"failed": true, "msg": err.Error()})
	}
	if req.DiffMode {
		diff["after"] = string(joinLines(newLines))
	}
	if changed && p.Set("validate") && !bytes.Contains([]byte(p.String("validate")), []byte("%s")) {
		return withWarn(Result{"failed": true, "msg": "validate must contain %s: " + p.String("validate")})
	}
	attrDiff := map[string]any{}
	cr, err := e.commit(ctx, req, commitOpts{
		Write: changed, Data: joinLines(newLines), Backup: p.Bool("backup"), Validate: p.String("validate"),
		MkdirParent: true, AttrDiff: attrDiff,
		ValidateErr: func(rc int, _, errOut string) Result {
			return Result{"failed": true, "msg": fmt.Sprintf("failed to validate: rc:%d error:%s", rc, errOut)}
		},
	})
	if err != nil {
		return nil, err
	}
	if cr.Failed != nil {
		return withWarn(cr.Failed)
	}
	if !present && changed {
		msg = fmt.Sprintf("%d line(s) removed", found)
	}
	if present && req.CheckMode && !e.Exists() {
		return withWarn(Result{"changed": changed, "msg": msg, "backup": "", "diff": diff})
	}
	if cr.AttrChanged {
		if changed {
			msg += " and "
		}
		changed = true
		msg += "ownership, perms or SE linux context changed"
	}
	attrDiff["before_header"] = pth + " (file attributes)"
	attrDiff["after_header"] = pth + " (file attributes)"
	r := Result{"changed": changed, "msg": msg, "backup": cr.BackupFile, "diff": []any{diff, attrDiff}}
	if !present {
		r["found"] = found
	}
	return withWarn(r)
}
