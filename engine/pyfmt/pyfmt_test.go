package pyfmt

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"octopus/engine/value"
)

type undef struct{}

func (undef) PyRepr() string { return "AnsibleUndefined" }

func TestRepr(t *testing.T) {
	tests := []struct {
		in   any
		want string
	}{
		{[]any{"a", 1, true, nil, 1.5}, "['a', 1, True, None, 1.5]"},
		{"it's", `"it's"`},
		{`it's "x"`, `'it\'s "x"'`},
		{"a\\b\n\t\r\x01\x7f", `'a\\b\n\t\r\x01\x7f'`},
		{"\u0085\u00a0é\u2028\U0001F600", `'\x85\xa0é\u2028` + "\U0001F600'"},
		{"bad\xff", `'bad\udcff'`},
		{value.DictOf("a", []any{1, "it's", true, nil}), `{'a': [1, "it's", True, None]}`},
		{[]any{"it's", 1, true, nil, value.DictOf("k", "v")}, `["it's", 1, True, None, {'k': 'v'}]`},
		{map[string]any{"b": 1, "a": int64(2)}, "{'a': 2, 'b': 1}"},
		{[]string{"x", "y"}, "['x', 'y']"},
		{Tuple{1}, "(1,)"},
		{Tuple{1, "a"}, "(1, 'a')"},
		{Tuple{}, "()"},
		{value.Unsafe("u"), "'u'"},
		{&value.Vault{Ciphertext: "c"}, "'c'"},
		{undef{}, "AnsibleUndefined"},
		{[]any{undef{}}, "[AnsibleUndefined]"},
	}
	for _, tt := range tests {
		if got := Repr(tt.in); got != tt.want {
			t.Errorf("Repr(%#v) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestStr(t *testing.T) {
	tests := []struct {
		in   any
		want string
	}{
		{"x", "x"},
		{value.Unsafe("u"), "u"},
		{&value.Vault{Ciphertext: "c"}, "c"},
		{nil, "None"},
		{2.0, "2.0"},
		{value.DictOf("k", "v", "n", 2), "{'k': 'v', 'n': 2}"},
	}
	for _, tt := range tests {
		if got := Str(tt.in); got != tt.want {
			t.Errorf("Str(%#v) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestFloat(t *testing.T) {
	tests := map[float64]string{
		1: "1.0", 0.1: "0.1", 1e16: "1e+16", 1.5e-5: "1.5e-05", 123456.789: "123456.789",
		-2.5: "-2.5", 1e-4: "0.0001", 1.5: "1.5", 1000: "1000.0", 1e15: "1000000000000000.0",
		1e-5: "1e-05", -2.5e10: "-25000000000.0", 1e20: "1e+20", 3.0: "3.0",
		math.Copysign(0, -1): "-0.0", 0: "0.0", math.Inf(1): "inf", math.Inf(-1): "-inf",
		1.2345678901234567e+17: "1.2345678901234566e+17", 1e100: "1e+100",
	}
	for in, want := range tests {
		if got := Float(in); got != want {
			t.Errorf("Float(%v) = %s, want %s", in, got, want)
		}
	}
	if got := Float(math.NaN()); got != "nan" {
		t.Errorf("Float(NaN) = %s", got)
	}
}

func TestJSON(t *testing.T) {
	d := value.DictOf("b", 1, "a", []any{"x", true, nil}, "c", value.DictOf(), "f", 1.5, "u", "é\n\"")
	errBad := errors.New("bad")
	tests := []struct {
		name string
		in   any
		o    JSONOptions
		want string
	}{
		{"sorted", d, JSONOptions{SortKeys: true}, `{"a": ["x", true, null], "b": 1, "c": {}, "f": 1.5, "u": "é\n\""}`},
		{"ordered", d, JSONOptions{}, `{"b": 1, "a": ["x", true, null], "c": {}, "f": 1.5, "u": "é\n\""}`},
		{"indent", d, JSONOptions{Indent: 4, SortKeys: true}, "{\n    \"a\": [\n        \"x\",\n        true,\n        null\n    ],\n    \"b\": 1,\n    \"c\": {},\n    \"f\": 1.5,\n    \"u\": \"é\\n\\\"\"\n}"},
		{"indent zero", []any{1, value.DictOf("k", 2)}, JSONOptions{Indent: -1}, "[\n1,\n{\n\"k\": 2\n}\n]"},
		{"separators", []any{1, value.DictOf("k", 2)}, JSONOptions{ItemSep: ",", KeySep: ":"}, `[1,{"k":2}]`},
		{"ascii", value.DictOf("b", 1, "a", []any{"é", false}), JSONOptions{EnsureASCII: true}, `{"b": 1, "a": ["\u00e9", false]}`},
		{"ascii astral", "\U0001F600\x7f", JSONOptions{EnsureASCII: true}, `"\ud83d\ude00\u007f"`},
		{"controls", "tab\there\x01\b\f\\", JSONOptions{}, `"tab\there\u0001\b\f\\"`},
		{"floats", []any{math.NaN(), math.Inf(1), math.Inf(-1), 1e16, float32(0.5)}, JSONOptions{}, `[NaN, Infinity, -Infinity, 1e+16, 0.5]`},
		{"ints", []any{int64(-3), int32(4), uint64(5), uint8(6)}, JSONOptions{}, `[-3, 4, 5, 6]`},
		{"go map", map[string]any{"z": 1, "a": "x"}, JSONOptions{}, `{"a": "x", "z": 1}`},
		{"tuple", Tuple{1, "a"}, JSONOptions{}, `[1, "a"]`},
		{"unsafe", value.Unsafe("u"), JSONOptions{}, `"u"`},
		{"vault", &value.Vault{Ciphertext: "c"}, JSONOptions{}, `{"__ansible_vault": "c"}`},
		{"default hook", []any{value.Unsafe("u")}, JSONOptions{Default: func(v any) (any, bool, error) {
			if u, ok := v.(value.Unsafe); ok {
				return value.DictOf("__ansible_unsafe", string(u)), true, nil
			}
			return nil, false, nil
		}}, `[{"__ansible_unsafe": "u"}]`},
		{"empty", []any{[]any{}, value.NewDict(0)}, JSONOptions{Indent: 2}, "[\n  [],\n  {}\n]"},
	}
	for _, tt := range tests {
		got, err := Dumps(tt.in, tt.o)
		if err != nil || got != tt.want {
			t.Errorf("%s: Dumps = %s, %v; want %s", tt.name, got, err, tt.want)
		}
	}
	if _, err := Dumps([]any{1, undef{}}, JSONOptions{Default: func(any) (any, bool, error) { return nil, false, errBad }}); err != errBad {
		t.Errorf("Default error not returned: %v", err)
	}
	if got := JSON(value.DictOf("b", 1, "a", []any{"é", false})); got != `{"b": 1, "a": ["\u00e9", false]}` {
		t.Errorf("JSON = %s", got)
	}
	if got := JSON("tab\there\x01"); got != `"tab\there\u0001"` {
		t.Errorf("JSON = %s", got)
	}
}

func TestParseJSON(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr bool
	}{
		{`{"z": 1, "a": [1.5, "x"]}`, `{"z": 1, "a": [1.5, "x"]}`, false},
		{` [1, 2e0, null, true] `, `[1, 2.0, null, true]`, false},
		{`{} {}`, "", true},
		{`{}]`, "", true},
		{`{`, "", true},
	}
	for _, tt := range tests {
		v, err := ParseJSON(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseJSON(%q) error = %v", tt.in, err)
			continue
		}
		if err == nil && JSON(v) != tt.want {
			t.Errorf("ParseJSON(%q) round trip: %s, want %s", tt.in, JSON(v), tt.want)
		}
	}
	if v, _ := ParseJSON(`7`); v != 7 {
		t.Errorf("ParseJSON(7) = %#v, want int 7", v)
	}
}

func TestTextWrap(t *testing.T) {
	tests := []struct {
		text  string
		width int
		drop  bool
		want  []string
	}{
		{"[WARNING]: Invalid characters were found in group names but not replaced, use -vvvv to see details", 79, true,
			[]string{"[WARNING]: Invalid characters were found in group names but not replaced, use", "-vvvv to see details"}},
		{"short", 79, true, []string{"short"}},
		{"[WARNING]: \n* Failed to parse x with ini", 79, true, []string{"[WARNING]:  * Failed to parse x with ini"}},
		{"aaa bbb ccc", 3, true, []string{"aaa", "bbb", "ccc"}},
		{"aaa bbb ccc", 4, false, []string{"aaa ", "bbb ", "ccc"}},
		{"abcdefghij", 4, true, []string{"abcd", "efgh", "ij"}},
		{"look-ahead-break here", 12, true, []string{"look-ahead-", "break here"}},
		{"a\tb", 79, true, []string{"a       b"}},
		{"", 10, true, nil},
	}
	for _, tt := range tests {
		if got := TextWrap(tt.text, tt.width, tt.drop); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("TextWrap(%q, %d, %v) = %q, want %q", tt.text, tt.width, tt.drop, got, tt.want)
		}
	}
	text := "[WARNING]: " + strings.Repeat("word ", 20)
	got := TextWrap(text, 30, true)
	for _, l := range got {
		if len(l) > 30 {
			t.Errorf("line too long: %q", l)
		}
	}
	if strings.Join(got, " ") != strings.TrimSpace(text) {
		t.Errorf("wrap lost text: %q", got)
	}
}

func TestTimes(t *testing.T) {
	tests := []struct{ got, want string }{
		{TimeDelta(1500 * time.Millisecond), "0:00:01.500000"},
		{TimeDelta(2 * time.Second), "0:00:02"},
		{TimeDelta(26 * time.Hour), "1 day, 2:00:00"},
		{TimeDelta(50 * time.Hour), "2 days, 2:00:00"},
		{DateTime(time.Date(2024, 1, 2, 3, 4, 5, 6000, time.UTC)), "2024-01-02 03:04:05.000006"},
		{DateTime(time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)), "2024-01-02 03:04:05"},
		{TypeName("x"), "<class 'str'>"},
		{TypeName(value.NewDict(0)), "<class 'dict'>"},
	}
	for i, c := range tests {
		if c.got != c.want {
			t.Errorf("%d: got %q want %q", i, c.got, c.want)
		}
	}
}

func TestSplitLines(t *testing.T) {
	cases := map[string][]string{
		"":          {},
		"a\nb":      {"a", "b"},
		"a\r\nb\n":  {"a", "b"},
		"a\n\nb\r":  {"a", "", "b"},
		"x\vy\x1cz": {"x", "y", "z"},
	}
	for in, want := range cases {
		if got := SplitLines(in); !reflect.DeepEqual(got, want) {
			t.Errorf("%q: %q want %q", in, got, want)
		}
	}
	if got := SplitLinesAny("a\nb"); !reflect.DeepEqual(got, []any{"a", "b"}) {
		t.Errorf("SplitLinesAny = %#v", got)
	}
}

func TestYAML(t *testing.T) {
	shared := value.DictOf("x", 1)
	tests := []struct {
		name string
		in   any
		o    YAMLOptions
		want string
	}{
		{"block", value.DictOf("b", []any{1, "yes", nil}, "a", value.DictOf("c", 1.5)), YAMLOptions{},
			"a:\n  c: 1.5\nb:\n- 1\n- 'yes'\n- null\n"},
		{"flow", value.DictOf("b", []any{1, 2}, "a", value.DictOf("c", true)), YAMLOptions{FlowStyle: true},
			"a: {c: true}\nb: [1, 2]\n"},
		{"indent", value.DictOf("a", value.DictOf("b", []any{1})), YAMLOptions{Indent: 4},
			"a:\n    b:\n    - 1\n"},
		{"anchors", value.DictOf("p", shared, "q", shared), YAMLOptions{Anchors: true},
			"p: &id001\n  x: 1\nq: *id001\n"},
		{"no anchors", value.DictOf("p", shared, "q", shared), YAMLOptions{},
			"p:\n  x: 1\nq:\n  x: 1\n"},
		{"vault tag", value.DictOf("v", &value.Vault{Ciphertext: "$ANSIBLE_VAULT;1.1;AES256\n6162\n"}), YAMLOptions{VaultTag: true},
			"v: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  6162\n"},
		{"vault text", value.DictOf("v", &value.Vault{Ciphertext: "c"}), YAMLOptions{}, "v: c\n"},
		{"literal", value.DictOf("m", "l1\n  l2 \nl3\t.\n"), YAMLOptions{LiteralMultiline: true},
			"m: |-\n  l1\n    l2\n  l3      .\n"},
		{"literal indent hint", value.DictOf("m", " a\nb"), YAMLOptions{LiteralMultiline: true}, "m: |2-\n   a\n  b\n"},
		{"quoted multiline", value.DictOf("m", "a\nb"), YAMLOptions{}, "m: 'a\n\n  b'\n"},
		{"double quoted", value.DictOf("m", "bell\x07\U0001F600\u0085"), YAMLOptions{}, "m: \"bell\\a\\U0001F600\\N\"\n"},
		{"explicit key", value.DictOf("a\nb", 1), YAMLOptions{}, "? 'a\n\n  b'\n: 1\n"},
		{"floats", []any{1e16, 0.5, math.Inf(-1), float32(2)}, YAMLOptions{}, "- 1.0e+16\n- 0.5\n- -.inf\n- 2.0\n"},
		{"ints", []any{int64(1), uint32(2), Tuple{3}}, YAMLOptions{}, "- 1\n- 2\n- - 3\n"},
		{"scalar root", "abc", YAMLOptions{}, "abc\n"},
		{"empty", value.NewDict(0), YAMLOptions{}, "{}\n"},
	}
	for _, tt := range tests {
		got, err := YAML(tt.in, tt.o)
		if err != nil || got != tt.want {
			t.Errorf("%s: YAML = %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
	if _, err := YAML([]any{undef{}}, YAMLOptions{}); err == nil || !strings.Contains(err.Error(), "cannot represent an object: AnsibleUndefined") {
		t.Errorf("unrepresentable value: %v", err)
	}
}
