package template

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"octopus/engine/pyfmt"
	"octopus/engine/value"
)

func renderVars() *value.Dict {
	return value.DictOf(
		"mygroups", value.DictOf("web", []any{"web1", "web2"}),
		"myhostvars", value.DictOf("web1", value.DictOf("ip", "10.0.0.1"), "web2", value.DictOf("ip", "10.0.0.2")),
		"svc_port", 8080,
		"settings", value.DictOf("zeta", "z", "alpha", 1, "list", []any{"x", "y"}),
		"numbers", []any{1, 2, 3},
		"complex", value.DictOf(
			"name", "web server",
			"empty", "",
			"yes_str", "yes",
			"num_str", "123",
			"colon", "a: b",
			"quote", "it's",
			"multi", "line1\nline2\n",
			"long", strings.Repeat("word ", 30),
			"unicode", "héllo",
			"nested", []any{value.DictOf("a", 1, "b", []any{1, 2}), []any{"x", value.DictOf()}, nil, true, 1.5},
			"special", "@at", "dash", "- item", "hash", "a #b", "star", "*x", "bang", "!x", "pct", "%x", "brace", "{x}",
			"tilde", "~", "null_str", "null", "float_str", "1.0", "date", "2024-01-01", "octal", "0755",
			"lead_space", " x", "trail_space", "x ",
		),
		"tricky", value.DictOf(
			"yes", "on", "k: v", "a#b", "tab", "a\tb", "trailing_nl_space", "a \nb", "crlf", "a\r\nb",
			"f1", 1.5e20, "f2", -0.0, "f3", 0.1, "big", 12345678901234, "neg", -5, "lead0", "007",
			"dash", "-", "q", "?x", "colon_end", "x:", "url", "http://x.y/z?a=1", "emoji", "🎉",
			"ctrl", "a\u0001b", "bs", "a\\b", "dq", "say \"hi\"", "sq_dq", "it's \"x\"",
			"empty_list", []any{}, "empty_dict", value.DictOf(), "nested_empty", []any{[]any{}, value.DictOf()},
			"none_val", nil, "bool_list", []any{true, false, nil},
			"long_key_"+strings.Repeat("k", 60), "v",
			"very_long", strings.Repeat("abcdefghij ", 12)+"end",
			"long_nospace", strings.Repeat("x", 100),
		),
		"biglist", func() []any {
			l := []any{}
			for i := 0; i < 40; i++ {
				l = append(l, "item-number-"+strings.Repeat("z", i%5))
			}
			return l
		}(),
	)
}

// TestDifferentialTemplateModule renders testdata/render/*.j2 with the
// template module of ansible-playbook and with Render; outputs must be
// byte-identical.
func TestDifferentialTemplateModule(t *testing.T) {
	requireAnsible(t)
	srcDir, _ := filepath.Abs("testdata/render")
	files, _ := filepath.Glob(filepath.Join(srcDir, "*.j2"))
	dir := t.TempDir()
	var pb strings.Builder
	for _, f := range files {
		pb.WriteString("  - template:\n      src: " + f + "\n      dest: " + filepath.Join(dir, filepath.Base(f)+".out") + "\n")
		pb.WriteString("  - template:\n      src: " + f + "\n      dest: " + filepath.Join(dir, filepath.Base(f)+".lstrip.out") + "\n      lstrip_blocks: true\n      trim_blocks: false\n")
	}
	for i, e := range renderErrors {
		renderErrors[i].idx = i
		p := filepath.Join(dir, fmt.Sprintf("err%d.j2", i))
		if err := os.WriteFile(p, []byte(e.text), 0o644); err != nil {
			t.Fatal(err)
		}
		pb.WriteString("  - template:\n      src: " + p + "\n      dest: " + p + ".out\n    ignore_errors: true\n")
	}
	results := runPlaybookJSON(t, dir, renderVars(), pb.String())
	tpl := New(Options{BaseDir: srcDir})
	for _, e := range renderErrors {
		res := pathGet(results, "plays", 0, "tasks", len(files)*2+e.idx, "hosts", "localhost", "msg")
		_, err := tpl.Render(e.text, dictVars(renderVars()), RenderOptions{})
		if err == nil || ModuleError(err) != toStr(res) {
			t.Errorf("%q:\n got %v\nwant %s", e.text, err, toStr(res))
		}
	}
	vars := dictVars(renderVars())
	vars["ansible_managed"] = "Ansible managed"
	for _, f := range files {
		src, _ := os.ReadFile(f)
		for _, variant := range []struct {
			suffix string
			opts   RenderOptions
		}{{".out", RenderOptions{Name: f}}, {".lstrip.out", RenderOptions{Name: f, LStripBlocks: true, NoTrimBlocks: true}}} {
			want, err := os.ReadFile(filepath.Join(dir, filepath.Base(f)+variant.suffix))
			if err != nil {
				t.Fatal(err)
			}
			got, err := tpl.Render(string(src), vars, variant.opts)
			if err != nil {
				t.Errorf("%s%s: %v", filepath.Base(f), variant.suffix, err)
				continue
			}
			if got != string(want) {
				t.Errorf("%s%s differs:\n%s", filepath.Base(f), variant.suffix, lineDiff(string(want), got))
			}
		}
	}
}

// renderErrors are template files whose template-module failure message
// must match.
var renderErrors = []struct {
	text string
	idx  int
}{
	{text: "a {{ 1 + }}\n"},
	{text: "a {{ x | nofilter }}\n"},
	{text: "{% for x in %}\n"},
	{text: "{{ 1 + \"a\" }}\n"},
	{text: "{{ mygroups.nope }}\n"},
	{text: "{% if svc_port > 1 %}\n{{ undefined_in_if }}\n{% endif %}\n"},
}

func lineDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g || i >= len(wl) || i >= len(gl) {
			b.WriteString("  line " + strings.Repeat(" ", 0) + itoa(i+1) + "\n    ansible: " + pyfmt.Quote(w) + "\n    octopus: " + pyfmt.Quote(g) + "\n")
		}
	}
	return b.String()
}

func itoa(i int) string { return pyfmt.Repr(i) }
