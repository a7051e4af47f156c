package invcmd

import (
	"math"
	"strings"
	"testing"

	"octopus/engine/value"
)

// Expected texts were produced by PyYAML's yaml.dump(..., default_flow_style=False,
// allow_unicode=True) and json.dumps(..., sort_keys=True, indent=4, ensure_ascii=False).
func TestPyYAML(t *testing.T) {
	tests := []struct {
		in   *value.Dict
		want string
	}{
		{value.DictOf("a", "plain", "b", "yes", "c", "x: y", "d", "", "e", " lead", "f", "multi\nline\n", "g", "- dash",
			"h", "tab\there", "i", "1.5", "j", "null", "k", "2001-12-14", "l", "=", "m", "it's", "n", "a #b", "o", "ü", "p", "bell\x07"),
			"a: plain\nb: 'yes'\nc: 'x: y'\nd: ''\ne: ' lead'\nf: 'multi\n\n  line\n\n  '\ng: '- dash'\nh: \"tab\\there\"\ni: '1.5'\nj: 'null'\nk: '2001-12-14'\nl: '='\nm: it's\nn: 'a #b'\no: ü\np: \"bell\\a\"\n"},
		{value.DictOf("list", []any{1, []any{2, 3}, value.DictOf("x", nil), []any{}, value.NewDict(0)}, "f", 1e16, "g", 0.5, "h", math.Inf(1), "t", true),
			"f: 1.0e+16\ng: 0.5\nh: .inf\nlist:\n- 1\n- - 2\n  - 3\n- x: null\n- []\n- {}\nt: true\n"},
		{value.DictOf("long", strings.Repeat("word ", 30)),
			"long: 'word word word word word word word word word word word word word word word\n  word word word word word word word word word word word word word word word '\n"},
	}
	for i, tt := range tests {
		if got := pyYAML(tt.in); got != tt.want {
			t.Errorf("case %d:\n got %q\nwant %q", i, got, tt.want)
		}
	}
}

func TestPyJSON(t *testing.T) {
	in := value.DictOf("b", []any{1, value.DictOf("z", "é\n\"")}, "a", value.NewDict(0), "c", 1e16, "d", -0.0001)
	want := "{\n    \"a\": {},\n    \"b\": [\n        1,\n        {\n            \"z\": \"é\\n\\\"\"\n        }\n    ],\n    \"c\": 1e+16,\n    \"d\": -0.0001\n}"
	if got := pyJSON(in); got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
	if got := pyJSON(value.DictOf("u", value.Unsafe("{{ x }}"), "v", &value.Vault{Ciphertext: "c"})); !strings.Contains(got, `"__ansible_unsafe": "{{ x }}"`) || !strings.Contains(got, `"__ansible_vault": "c"`) {
		t.Errorf("unsafe/vault encoding: %s", got)
	}
}

func TestRunOptionErrors(t *testing.T) {
	tests := []struct {
		opts Options
		code int
		msg  string
	}{
		{Options{}, 5, "ERROR! No action selected"},
		{Options{List: true, Graph: true}, 5, "ERROR! Conflicting options used"},
		{Options{List: true, Limit: "x"}, 2, "unrecognized arguments: --limit"},
		{Options{Sources: []string{"a,b"}, Host: "nosuch"}, 5, "You must pass a single valid host"},
		{Options{Sources: []string{"a,b"}, Graph: true, GraphGroup: "nosuch"}, 5, "Pattern must be valid group name"},
	}
	for _, tt := range tests {
		var out, errb strings.Builder
		if code := Run(tt.opts, &out, &errb); code != tt.code || !strings.Contains(errb.String(), tt.msg) {
			t.Errorf("Run(%+v) = %d, stderr %q; want %d, %q", tt.opts, code, errb.String(), tt.code, tt.msg)
		}
	}
}
