package listing

import (
	"bytes"
	"testing"

	"octopus/engine/playbook"
)

func TestEvaluate(t *testing.T) {
	cases := []struct {
		tags, only, skip []string
		want             bool
	}{
		{nil, []string{"all"}, nil, true},
		{[]string{"never"}, []string{"all"}, nil, false},
		{[]string{"never", "x"}, []string{"x"}, nil, true},
		{[]string{"always"}, []string{"x"}, nil, true},
		{[]string{"always"}, []string{"all"}, []string{"always"}, false},
		{[]string{"always"}, []string{"all"}, []string{"all"}, true},
		{[]string{"a"}, []string{"all"}, []string{"all"}, false},
		{nil, []string{"tagged"}, nil, false},
		{[]string{"a"}, []string{"tagged"}, nil, true},
		{nil, []string{"untagged"}, nil, true},
		{[]string{"a"}, []string{"all"}, []string{"tagged"}, false},
		{[]string{"a", "b"}, []string{"all"}, []string{"b"}, false},
	}
	for _, c := range cases {
		if got := Evaluate(c.tags, c.only, c.skip); got != c.want {
			t.Errorf("Evaluate(%v, %v, %v) = %v", c.tags, c.only, c.skip, got)
		}
	}
}

func TestListBasic(t *testing.T) {
	pb, err := playbook.Load("../playbook/testdata/basic/site.yml", playbook.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	err = List(&out, pb, Options{Name: "site.yml", ListHosts: true, ListTasks: true, ListTags: true,
		Hosts: func(p string) ([]string, error) { return []string{"h1"}, nil }})
	if err != nil {
		t.Fatal(err)
	}
	want := "\nplaybook: site.yml\n\n  play #1 (a,b): basic\tTAGS: []\n    pattern: ['a', 'b']\n    hosts (1):\n      h1\n    tasks:\n" +
		"      d : d task\tTAGS: [rt]\n      r : r task\tTAGS: [rt]\n      shell\tTAGS: []\n      inc\tTAGS: [it]\n      include_role\tTAGS: []\n      looped\tTAGS: []\n      command\tTAGS: []\n      TASK TAGS: [it, rt]\n"
	if out.String() != want {
		t.Errorf("got\n%q\nwant\n%q", out.String(), want)
	}
	out.Reset()
	if err := SyntaxCheck(&out, pb, "site.yml"); err != nil || out.String() != "\nplaybook: site.yml\n" {
		t.Errorf("SyntaxCheck = %q, %v", out.String(), err)
	}
}
