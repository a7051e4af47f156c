package pyfmt

import (
	"reflect"
	"testing"
	"time"

	"octopus/engine/value"
)

func TestFormatting(t *testing.T) {
	cases := []struct{ got, want string }{
		{Repr([]any{"a", 1, true, nil, 1.5}), "['a', 1, True, None, 1.5]"},
		{Repr("it's"), `"it's"`},
		{Str(value.DictOf("k", "v", "n", 2)), "{'k': 'v', 'n': 2}"},
		{Float(1e20), "1e+20"},
		{Float(3.0), "3.0"},
		{Float(0.0001), "0.0001"},
		{JSON(value.DictOf("b", 1, "a", []any{"é", false})), `{"b": 1, "a": ["\u00e9", false]}`},
		{JSON("tab\there\x01"), `"tab\there\u0001"`},
		{TimeDelta(1500 * time.Millisecond), "0:00:01.500000"},
		{TimeDelta(2 * time.Second), "0:00:02"},
		{TimeDelta(26 * time.Hour), "1 day, 2:00:00"},
		{DateTime(time.Date(2024, 1, 2, 3, 4, 5, 6000, time.UTC)), "2024-01-02 03:04:05.000006"},
	}
	for i, c := range cases {
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
}

func TestParseJSON(t *testing.T) {
	v, err := ParseJSON(`{"z": 1, "a": [1.5, "x"]}`)
	if err != nil {
		t.Fatal(err)
	}
	if JSON(v) != `{"z": 1, "a": [1.5, "x"]}` {
		t.Errorf("round trip: %s", JSON(v))
	}
}
