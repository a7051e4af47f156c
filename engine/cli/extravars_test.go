package cli

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestParseExtraVars(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "vars.yml")
	if err := os.WriteFile(f, []byte("a: 1\nb: [x, y]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args    []string
		want    map[string]any
		wantErr bool
	}{
		{[]string{"x=1 y='two words'"}, map[string]any{"x": "1", "y": "two words"}, false},
		{[]string{`{"n": 2, "l": [1]}`}, map[string]any{"n": 2, "l": []any{1}}, false},
		{[]string{"@" + f, "a=over"}, map[string]any{"a": "over", "b": []any{"x", "y"}}, false},
		{[]string{"[1, 2]"}, nil, true},
		{[]string{"@" + filepath.Join(dir, "missing.yml")}, nil, true},
	}
	for _, tt := range tests {
		got, err := parseExtraVars(tt.args, nil)
		if tt.wantErr {
			if err == nil {
				t.Errorf("%v: no error", tt.args)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%v: %v", tt.args, err)
		}
		if !reflect.DeepEqual(got.Map(), tt.want) {
			t.Errorf("%v: got %v, want %v", tt.args, got.Map(), tt.want)
		}
	}
}
