package executor

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"octopus/engine/connection"
	"octopus/engine/connection/local"
	"octopus/engine/output"
	"octopus/engine/playbook"
	"octopus/engine/template"
)

func TestStepAndBatches(t *testing.T) {
	abs, _ := filepath.Abs("testdata/tags/site.yml")
	pb, err := playbook.Load(abs, playbook.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	inv, _ := filepath.Abs("testdata/inventory.ini")
	var out, prompts bytes.Buffer
	d := &output.Display{Out: &out, Err: &out, Columns: 79}
	code := Run(context.Background(), pb, Options{
		Inventory: newTestInv(t, inv, pb.Dir),
		Templater: NewTemplater(template.New(template.Options{})),
		Connect: func(context.Context, string, ConnVars) (connection.Conn, error) {
			return local.New(), nil
		},
		Callback: output.NewDefault(d),
		Step:     true,
		Stdin:    strings.NewReader("n\ny\nc\n"),
		Stdout:   &prompts,
	})
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out.String())
	}
	// Each question is followed by Ansible's banner repeating it.
	if n := strings.Count(prompts.String(), "(N)o/(y)es/(c)ontinue: \nPerform task: TASK: "); n != 3 {
		t.Errorf("%d step prompts, want 3:\n%s", n, prompts.String())
	}
	if n := strings.Count(prompts.String(), "(N)o/(y)es/(c)ontinue: ***"); n != 3 {
		t.Errorf("%d step banners, want 3:\n%s", n, prompts.String())
	}
	if strings.Contains(out.String(), `"msg": "untagged"`) {
		t.Error("task answered 'n' ran")
	}
	if !strings.Contains(out.String(), `"msg": "one"`) || !strings.Contains(out.String(), `"msg": "always"`) {
		t.Errorf("tasks after 'y'/'c' missing:\n%s", out.String())
	}
	for _, tc := range []struct {
		serial []any
		want   string
	}{
		{nil, "[[a b c d]]"},
		{[]any{1, "50%"}, "[[a] [b c] [d]]"},
		{[]any{"30%"}, "[[a] [b] [c] [d]]"},
		{[]any{3}, "[[a b c] [d]]"},
	} {
		got := batches([]string{"a", "b", "c", "d"}, tc.serial)
		if s := strings.ReplaceAll(strings.TrimSpace(strings.Join(strings.Fields(fmtBatches(got)), " ")), "  ", " "); s != tc.want {
			t.Errorf("batches(%v) = %s, want %s", tc.serial, s, tc.want)
		}
	}
}

func fmtBatches(b [][]string) string {
	var parts []string
	for _, x := range b {
		parts = append(parts, "["+strings.Join(x, " ")+"]")
	}
	return "[" + strings.Join(parts, " ") + "]"
}
