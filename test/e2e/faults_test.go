package e2e

import (
	"strings"
	"sync"
	"testing"
)

// TestFaults runs playbooks against hosts that are down before the run or
// whose link is cut while the playbook runs.
func TestFaults(t *testing.T) {
	e := newEnv(t, 3)
	var cutOnce sync.Map
	e.run([]tcase{
		{name: "unreach", before: func(e *env, s *side) error { return e.f.KillSSHD(s.hosts[2].Name) }},
		{name: "midcut", sshErrors: true,
			before: func(e *env, s *side) error {
				t.Cleanup(func() { e.f.Uncut(s.hosts[1].Name) })
				return e.f.Restart(s.hosts[2].Name) // killed by "unreach"
			},
			watch: func(e *env, s *side, line string) {
				if strings.HasPrefix(line, "TASK [wait while the link is cut]") {
					if _, done := cutOnce.LoadOrStore(s.name, true); !done {
						if err := e.f.Cut(s.hosts[1].Name); err != nil {
							t.Errorf("%s: cut: %v", s.name, err)
						}
					}
				}
			}},
		{name: "dropped", before: func(e *env, s *side) error {
			if err := e.f.Uncut(s.hosts[1].Name); err != nil { // cut by "midcut"
				return err
			}
			t.Cleanup(func() { e.f.Undrop(s.hosts[2].Name) })
			return e.f.Drop(s.hosts[2].Name)
		}},
	})
}
