package value

import (
	"reflect"
	"testing"

	"gopkg.in/yaml.v3"
)

func TestFromYAMLPyYAMLTyping(t *testing.T) {
	tests := []struct {
		src  string
		want any
	}{
		{"yes", true}, {"No", false}, {"on", true}, {"OFF", false}, {"y", "y"},
		{"'yes'", "yes"}, {"010", 8}, {"0x1f", 31}, {"1_000", 1000}, {"1e3", "1e3"},
		{"1.5", 1.5}, {"~", nil}, {"null", nil}, {"190:20:30", 685230}, {"-7", -7},
		{"!!str yes", "yes"}, {"0.5e+2", 50.0}, {"abc", "abc"}, {`"010"`, "010"},
	}
	for _, tt := range tests {
		var n yaml.Node
		if err := yaml.Unmarshal([]byte("v: "+tt.src), &n); err != nil {
			t.Fatalf("%q: %v", tt.src, err)
		}
		got, err := FromYAML(&n, "t.yml")
		if err != nil {
			t.Fatalf("%q: %v", tt.src, err)
		}
		v, _ := got.(*Dict).Get("v")
		if !reflect.DeepEqual(v, tt.want) {
			t.Errorf("%s: got %#v, want %#v", tt.src, v, tt.want)
		}
	}
}

func TestFromYAMLKeepsOrderAndMerges(t *testing.T) {
	src := "base: &b {x: 1, y: 2}\nz: 0\nm:\n  <<: *b\n  y: 3\n  a: 4\n"
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(src), &n); err != nil {
		t.Fatal(err)
	}
	got, err := FromYAML(&n, "t.yml")
	if err != nil {
		t.Fatal(err)
	}
	d := got.(*Dict)
	if !reflect.DeepEqual(d.Keys(), []string{"base", "z", "m"}) {
		t.Fatalf("keys %v", d.Keys())
	}
	m, _ := d.Get("m")
	md := m.(*Dict)
	if !reflect.DeepEqual(md.Keys(), []string{"x", "y", "a"}) {
		t.Errorf("merged keys %v", md.Keys())
	}
	if y, _ := md.Get("y"); y != 3 {
		t.Errorf("y=%v, want 3 (explicit key wins over merge)", y)
	}
}

func TestFromYAMLRecursiveAliasFails(t *testing.T) {
	var n yaml.Node
	if err := yaml.Unmarshal([]byte("a: &x [*x]\n"), &n); err != nil {
		t.Skipf("yaml.v3 rejects the document itself: %v", err)
	}
	if _, err := FromYAML(&n, "t.yml"); err == nil {
		t.Fatal("expected an error for a self-referencing alias")
	}
}
