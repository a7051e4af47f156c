package modules

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strings"

	"octopus/modules/internal/argspec"
	"octopus/modules/internal/pyre"
)

func init() { Register(guarded(runBlockinfile), "blockinfile") }

var blockinfileSpec = argspec.Spec{
	Module: "blockinfile",
	Options: withCommon(
		argspec.Option{Name: "path", Type: "path", Required: true, Aliases: []string{"dest", "destfile", "name"}},
		argspec.Option{Name: "state", Default: "present", Choices: []any{"absent", "present"}},
		argspec.Option{Name: "marker", Default: "# {mark} ANSIBLE MANAGED BLOCK"},
		argspec.Option{Name: "block", Default: "", Aliases: []string{"content"}},
		argspec.Option{Name: "insertafter"},
		argspec.Option{Name: "insertbefore"},
		argspec.Option{Name: "create", Type: "bool", Default: false},
		argspec.Option{Name: "backup", Type: "bool", Default: false},
		argspec.Option{Name: "validate"},
		argspec.Option{Name: "marker_begin", Default: "BEGIN"},
		argspec.Option{Name: "marker_end", Default: "END"},
	),
	MutuallyExclusive: [][]string{{"insertbefore", "insertafter"}},
}

// blockOpts are blockinfile's editing parameters.
type blockOpts struct {
	Present                   bool
	Block, Marker             string
	MarkerBegin, MarkerEnd    string
	InsertAfter, InsertBefore *string
}

// splitLinesKeep is Python's bytes.splitlines(True): \n, \r and \r\n end lines.
func splitLinesKeep(b []byte) [][]byte {
	var out [][]byte
	start := 0
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '\n':
			out = append(out, b[start:i+1])
			start = i + 1
		case '\r':
			if i+1 < len(b) && b[i+1] == '\n' {
				i++
			}
			out = append(out, b[start:i+1])
			start = i + 1
		}
	}
	if start < len(b) {
		out = append(out, b[start:])
	}
	return out
}

var multilineFlag = regexp.MustCompile(`^\(\?[aiLsux]*m`)

// blockinfileEdit computes the new content. original is nil when the file
// does not exist. It returns the result, message and whether it changed.
func blockinfileEdit(original []byte, o blockOpts) ([]byte, string, bool, error) {
	ls := splitLinesKeep(original)
	insAfter, insBefore := o.InsertAfter, o.InsertBefore
	if insAfter == nil && insBefore == nil {
		eof := "EOF"
		insAfter = &eof
	}
	var insRe *pyre.Regexp
	var insPat string
	var err error
	switch {
	case insAfter != nil && *insAfter != "EOF":
		insPat = *insAfter
	case insAfter == nil && insBefore != nil && *insBefore != "BOF":
		insPat = *insBefore
	}
	if insPat != "" || (insAfter != nil && *insAfter != "EOF") || (insAfter == nil && insBefore != nil && *insBefore != "BOF") {
		if insRe, err = pyre.Compile(insPat); err != nil {
			return nil, "", false, err
		}
	}
	marker0 := []byte(strings.ReplaceAll(o.Marker, "{mark}", o.MarkerBegin) + "\n")
	marker1 := []byte(strings.ReplaceAll(o.Marker, "{mark}", o.MarkerEnd) + "\n")
	var blocklines [][]byte
	if o.Present && o.Block != "" {
		block := []byte(o.Block)
		if !bytes.HasSuffix(block, []byte("\n")) {
			block = append(block, '\n')
		}
		blocklines = append([][]byte{marker0}, splitLinesKeep(block)...)
		blocklines = append(blocklines, marker1)
	}
	n0, n1 := -1, -1
	for i, l := range ls {
		if bytes.Equal(l, marker0) {
			n0 = i
		}
		if bytes.Equal(l, marker1) {
			n1 = i
		}
	}
	if n0 < 0 || n1 < 0 {
		n0 = -1
		if insRe != nil {
			if multilineFlag.MatchString(insPat) {
				if m := insRe.FindSubmatchIndex(original); m != nil {
					if insAfter != nil {
						n0 = bytes.Count(original[:m[1]], []byte("\n"))
					} else {
						n0 = bytes.Count(original[:m[0]], []byte("\n"))
					}
				}
			} else {
				for i, l := range ls {
					if insRe.SearchLine(l) != nil {
						n0 = i
					}
				}
			}
			if n0 < 0 {
				n0 = len(ls)
			} else if insAfter != nil {
				n0++
			}
		} else if insBefore != nil {
			n0 = 0
		} else {
			n0 = len(ls)
		}
	} else if n0 < n1 {
		ls = append(ls[:n0:n0], ls[n1+1:]...)
	} else {
		ls = append(ls[:n1:n1], ls[n0+1:]...)
		n0 = n1
	}
	if n0 > 0 && n0-1 < len(ls) && !bytes.HasSuffix(ls[n0-1], []byte("\n")) {
		ls[n0-1] = append(append([]byte{}, ls[n0-1]...), '\n')
	}
	if n0 > len(ls) {
		n0 = len(ls)
	}
	out := append([][]byte{}, ls[:n0]...)
	out = append(out, blocklines...)
	out = append(out, ls[n0:]...)
	result := joinLines(out)
	if result == nil {
		result = []byte{}
	}
	switch {
	case original != nil && bytes.Equal(original, result):
		return result, "", false, nil
	case original == nil:
		return result, "File created", true, nil
	case len(blocklines) == 0:
		return result, "Block removed", true, nil
	}
	return result, "Block inserted", true, nil
}

func runBlockinfile(ctx context.Context, req *Request) (Result, error) {
	p, e, res, err := openEdit(ctx, req, &blockinfileSpec)
	if res != nil || err != nil {
		return res, err
	}
	if res := e.dirFailure(); res != nil {
		return res, nil
	}
	pth := p.String("path")
	exists := e.Exists()
	if !exists && !p.Bool("create") {
		return Result{"failed": true, "rc": 257, "msg": fmt.Sprintf("Path %s does not exist !", pth)}, nil
	}
	var original []byte
	if exists {
		original = e.Content()
		if original == nil {
			original = []byte{}
		}
	}
	diff := map[string]any{"before": "", "after": "", "before_header": pth + " (content)", "after_header": pth + " (content)"}
	if req.DiffMode && len(original) > 0 {
		diff["before"] = string(original)
	}
	present := p.String("state") == "present"
	if !present && !exists {
		return Result{"changed": false, "msg": fmt.Sprintf("File %s not present", pth)}, nil
	}
	result, msg, changed, err := blockinfileEdit(original, blockOpts{Present: present, Block: p.String("block"), Marker: p.String("marker"),
		MarkerBegin: p.String("marker_begin"), MarkerEnd: p.String("marker_end"), InsertAfter: strPtr(p, "insertafter"), InsertBefore: strPtr(p, "insertbefore")})
	if err != nil {
		return Result{"failed": true, "msg": err.Error()}, nil
	}
	if req.DiffMode {
		diff["after"] = string(result)
	}
	if changed && p.Set("validate") && !strings.Contains(p.String("validate"), "%s") {
		return Result{"failed": true, "msg": "validate must contain %s: " + p.String("validate")}, nil
	}
	attrDiff := map[string]any{}
	cr, err := e.commit(ctx, req, commitOpts{
		Write: changed, Data: result, Backup: p.Bool("backup"), Validate: p.String("validate"), MkdirParent: true, AttrDiff: attrDiff,
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
	if req.CheckMode && !exists {
		return Result{"changed": changed, "msg": msg, "diff": diff}, nil
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
	r := Result{"changed": changed, "msg": msg, "diff": []any{diff, attrDiff}}
	if cr.BackupFile != "" {
		r["backup_file"] = cr.BackupFile
	}
	return r, nil
}
