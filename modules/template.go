package modules

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"octopus/engine/pyfmt"
	"octopus/modules/internal/argspec"
	"octopus/modules/internal/remote"
)

func init() { Register(guarded(runTemplate), "template") }

// templateOnly are the template action's own options, not passed to copy.
var templateOnly = []string{"newline_sequence", "block_start_string", "block_end_string", "variable_start_string",
	"variable_end_string", "comment_start_string", "comment_end_string", "trim_blocks", "lstrip_blocks", "output_encoding"}

func runTemplate(ctx context.Context, req *Request) (Result, error) {
	args := req.Args
	for _, k := range []string{"src", "dest", "state", "newline_sequence", "variable_start_string", "variable_end_string",
		"block_start_string", "block_end_string", "comment_start_string", "comment_end_string"} {
		if v, ok := args[k]; ok && v != nil {
			if _, isStr := v.(string); !isStr {
				return fail(Result{}, fmt.Sprintf("%s is expected to be a string, but got %s instead", k, pyfmt.TypeName(v)))
			}
		}
	}
	lenBool := func(k string, def bool) bool {
		v, ok := args[k]
		if !ok || v == nil {
			return def
		}
		b, _ := argspec.Bool(v)
		return b
	}
	str := func(k string) string { s, _ := args[k].(string); return s }
	follow := lenBool("follow", false)
	trim := lenBool("trim_blocks", true)
	lstrip := lenBool("lstrip_blocks", false)
	src, dest := str("src"), str("dest")
	nl := "\n"
	if v, ok := args["newline_sequence"].(string); ok {
		nl = v
	}
	switch nl {
	case `\n`:
		nl = "\n"
	case `\r`:
		nl = "\r"
	case `\r\n`:
		nl = "\r\n"
	}
	enc := strings.ToLower(str("output_encoding"))
	if enc == "" {
		enc = "utf-8"
	}
	switch {
	case args["state"] != nil:
		return fail(Result{}, "'state' cannot be specified on a template")
	case args["src"] == nil || args["dest"] == nil:
		return fail(Result{}, "src and dest are required")
	case nl != "\n" && nl != "\r" && nl != "\r\n":
		return fail(Result{}, "newline_sequence needs to be one of: \n, \r or \r\n")
	}
	if req.Controller == nil {
		return fail(Result{}, "template: no controller")
	}
	source, err := req.Controller.FindFile("templates", src)
	if err != nil {
		return fail(Result{}, err.Error())
	}
	mode := args["mode"]
	fi, err := os.Stat(source)
	if err != nil {
		return fail(Result{}, fmt.Sprintf("could not find src=%s, %v", source, err))
	}
	if mode == "preserve" {
		mode = fmt.Sprintf("0%03o", uint32(fi.Mode().Perm())|setBits(fi.Mode()))
	}
	raw, err := readControllerFile(req.Controller, source, true)
	if le, ok := err.(*LoadError); ok {
		return nil, le
	}
	if err != nil {
		return fail(Result{}, fmt.Sprintf("could not find src=%s, %v", source, err))
	}
	if !utf8.Valid(raw) {
		return fail(Result{}, "Template source files must be utf-8 encoded")
	}
	out, err := req.Controller.Render(string(raw), RenderOptions{
		TrimBlocks: trim, LstripBlocks: lstrip,
		BlockStart: str("block_start_string"), BlockEnd: str("block_end_string"),
		VarStart: str("variable_start_string"), VarEnd: str("variable_end_string"),
		NewlineSequence: nl, Path: source, DestPath: dest,
		CommentStart: str("comment_start_string"), CommentEnd: str("comment_end_string"),
	})
	if err != nil {
		return fail(Result{}, err.Error())
	}
	data, err := encodeOutput(out, enc)
	if err != nil {
		return fail(Result{}, err.Error())
	}
	expanded := map[string]any{"dest": dest}
	if err := expandUser(ctx, req, expanded, "dest"); err != nil {
		return nil, err
	}
	dest = expanded["dest"].(string)
	// The copy action takes over with the rendered file.
	copyArgs := map[string]any{}
	for k, v := range args {
		copyArgs[k] = v
	}
	for _, k := range templateOnly {
		delete(copyArgs, k)
	}
	copyArgs["mode"] = mode
	copyArgs["src"] = source
	copyArgs["dest"] = dest
	copyArgs["follow"] = follow
	p, argErr := validateArgs(req, &copySpec, "", copyArgs)
	if argErr != nil {
		p = lenientParams(copyArgs)
	}
	base := filepath.Base(source)
	// the copy action's task: src is the rendered file in the local temp dir
	rawArgs := make(map[string]any, len(copyArgs))
	for k, v := range copyArgs {
		rawArgs[k] = v
	}
	rawArgs["src"] = localTemplateHeader(req, base)
	req.recordRaw(rawArgs)
	w := &fileWrite{
		Dest: dest, Rel: base, Data: data, AfterHeader: localTemplateHeader(req, base),
		Follow: follow, Force: p.Bool("force"), Backup: p.Bool("backup"), Validate: p.String("validate"),
		DirMode: p["directory_mode"], ModuleErr: argErr,
		Attrs:    remote.Attrs{Owner: p.String("owner"), Group: p.String("group"), Mode: mode},
		FileArgs: fileArgsFrom(copyArgs),
		ModArgs:  rawArgs,
	}
	r, err := writeFile(ctx, req, w)
	return copyResult(r, err, dest, w.AfterHeader)
}

// localTemplateHeader stands in for the controller temp file Ansible renders
// to: base in a fresh temp directory of the controller when it names one.
func localTemplateHeader(req *Request, base string) string {
	if lt, ok := req.Controller.(LocalTemper); ok {
		return lt.LocalTemp() + "/" + base
	}
	return "~/.ansible/tmp/ansible-local-octopus/" + base
}

// encodeOutput encodes rendered text in output_encoding.
func encodeOutput(s, enc string) ([]byte, error) {
	switch strings.ReplaceAll(enc, "_", "-") {
	case "utf-8", "utf8":
		return []byte(s), nil
	case "latin-1", "latin1", "iso-8859-1", "iso8859-1", "ascii", "us-ascii":
		limit := rune(0xff)
		if strings.Contains(enc, "ascii") {
			limit = 0x7f
		}
		b := make([]byte, 0, len(s))
		for _, r := range s {
			if r > limit {
				return nil, fmt.Errorf("UnicodeEncodeError: '%s' codec can't encode character %s", enc, pyfmt.Repr(string(r)))
			}
			b = append(b, byte(r))
		}
		return b, nil
	}
	return nil, fmt.Errorf("LookupError: unknown encoding: %s", enc)
}
