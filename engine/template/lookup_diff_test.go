package template

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"octopus/engine/pyfmt"
	"octopus/engine/value"
)

// diffLoops are with_<lookup> loops; the items ansible-playbook iterates
// must equal LookupList's.
var diffLoops = []struct{ lookup, terms string }{
	{"items", `[1, [2, 3], "a"]`},
	{"items", `"{{ numbers }}"`},
	{"list", `[[1, 2], [3]]`},
	{"sequence", `"start=1 end=10 stride=3"`},
	{"sequence", `"count=3 format=host%02d"`},
	{"sequence", `"5-8"`},
	{"sequence", `"0x0a-0x0c:%x"`},
	{"dict", `"{{ settings }}"`},
	{"together", `[[1, 2, 3], ["a", "b"]]`},
	{"nested", `[["a", "b"], [1, 2]]`},
	{"indexed_items", `["x", "y"]`},
	{"subelements", `["{{ people }}", "keys"]`},
	{"subelements", `["{{ people }}", "extra.list", {"skip_missing": true}]`},
	{"fileglob", `"FILES/*.txt"`},
	{"first_found", `["missing.txt", "FILES/b.txt"]`},
	{"lines", `"printf 'l1\\nl2\\n'"`},
	{"file", `"FILES/a.txt"`},
	{"env", `"HOME"`},
	{"varnames", `"^num"`},
	{"csvfile", `"k2 file=FILES/data.csv delimiter=,"`},
	{"ini", `"user section=sec file=FILES/conf.ini"`},
	{"inventory_hostnames", `"all"`},
	{"config", `"DEFAULT_BECOME_USER"`},
}

func TestDifferentialLookups(t *testing.T) {
	requireAnsible(t)
	dir := t.TempDir()
	files := filepath.Join(dir, "files")
	os.MkdirAll(files, 0o755)
	for name, data := range map[string]string{"a.txt": "A content\n\n", "b.txt": "B", "data.csv": "k1,v1\nk2,v2\n", "conf.ini": "[sec]\nuser = bob\n"} {
		if err := os.WriteFile(filepath.Join(files, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	vars := value.DictOf(
		"numbers", []any{1, 2},
		"settings", value.DictOf("zeta", 1, "alpha", 2),
		"people", []any{
			value.DictOf("name", "a", "keys", []any{"k1", "k2"}, "extra", value.DictOf("list", []any{1})),
			value.DictOf("name", "b", "keys", []any{"k3"}),
		},
	)
	var pb strings.Builder
	for _, l := range diffLoops {
		terms := strings.ReplaceAll(l.terms, "FILES", files)
		pb.WriteString("  - debug: var=item\n    with_" + l.lookup + ": " + terms + "\n    ignore_errors: true\n")
	}
	res := runPlaybookJSON(t, dir, vars, pb.String())
	tasks := pathGet(res, "plays", 0, "tasks").([]any)
	tpl := New(Options{BaseDir: dir})
	mv := dictVars(vars)
	mv["groups"] = value.DictOf("all", []any{"localhost"}, "ungrouped", []any{"localhost"})
	pass := 0
	for i, l := range diffLoops {
		host := pathGet(tasks[i], "hosts", "localhost")
		var want []any
		results, _ := pathGet(host, "results").([]any)
		for _, r := range results {
			want = append(want, pathGet(r, "item"))
		}
		termsSrc := strings.ReplaceAll(l.terms, "FILES", files)
		termsV, err := fromYAML(termsSrc, false)
		if err != nil {
			t.Fatal(err)
		}
		got, err := tpl.LookupList(l.lookup, termsV, mv)
		if truthy(pathGet(host, "failed")) && results == nil {
			if err == nil {
				t.Errorf("with_%s %s: ansible failed (%s), we returned %s", l.lookup, l.terms, toStr(pathGet(host, "msg")), pyfmt.Repr(got))
				continue
			}
			pass++
			continue
		}
		if err != nil {
			t.Errorf("with_%s %s: %v (ansible: %s)", l.lookup, l.terms, err, pyfmt.Repr(want))
			continue
		}
		if want == nil {
			want = []any{}
		}
		if !strictEqual(normalizeJSON(got), want) {
			t.Errorf("with_%s %s:\n got %s\nwant %s", l.lookup, l.terms, pyfmt.Repr(got), pyfmt.Repr(want))
			continue
		}
		pass++
	}
	t.Logf("differential: %d/%d with_<lookup> loops match ansible-playbook", pass, len(diffLoops))
}
