package e2e

import (
	"strings"
	"sync"
	"testing"
	"time"
)

// TestFaults runs playbooks against hosts that are down before the run or
// whose link is cut while the playbook runs.
func TestFaults(t *testing.T) {
	t.Parallel() // its own fleet; shares the second slot with TestFeatures
	e := newEnv(t, 3)
	var cutOnce, killOnce, killIgnOnce sync.Map
	e.run([]tcase{
		// sshErrors: ansible reports a refused connection either as ssh's
		// "Connection refused" or, when its pipelined write loses the race,
		// as "[Errno 32] Broken pipe".
		{name: "unreach", sshErrors: true, before: func(e *env, s *side) error { return e.f.KillSSHD(s.hosts[2].Name) }},
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
		{name: "killmid", sshErrors: true,
			before: func(e *env, s *side) error {
				t.Cleanup(func() { e.f.Restart(s.hosts[1].Name) })
				e.f.Undrop(s.hosts[2].Name) // dropped by "dropped" (an error when run alone)
				return nil
			},
			watch: killAt(t, &killOnce, "sshd goes away now", 1)},
		{name: "killmid_ignored", sshErrors: true,
			before: func(e *env, s *side) error {
				e.f.Undrop(s.hosts[2].Name)
				return e.f.Restart(s.hosts[1].Name) // killed by "killmid"
			},
			watch: killAt(t, &killIgnOnce, "sshd goes away now", 1)},
		{name: "reboot",
			before: func(e *env, s *side) error { return e.f.Restart(s.hosts[1].Name) }, // killed by "killmid_ignored"
			watch: func(e *env, s *side, line string) {
				if strings.HasPrefix(line, "TASK [reboot node1") {
					go restartWhenDead(t, e, s.hosts[0].Name)
				}
			}},
	})
}

// restartWhenDead waits for host to die (its reboot command kills its
// sshd, which ends the host) and starts it again a second later.
func restartWhenDead(t *testing.T, e *env, host string) {
	for end := time.Now().Add(2 * time.Minute); time.Now().Before(end); {
		if _, err := e.f.Exec(host, "true"); err != nil {
			time.Sleep(time.Second)
			if err := e.f.Restart(host); err != nil {
				t.Errorf("restart %s: %v", host, err)
			}
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Errorf("%s did not go down", host)
}

// killAt returns a watch function that kills the sshd of logical host i
// when the banner of task name is printed (once per side).
func killAt(t *testing.T, once *sync.Map, name string, i int) func(e *env, s *side, line string) {
	return func(e *env, s *side, line string) {
		if strings.HasPrefix(line, "TASK ["+name+"]") {
			if _, done := once.LoadOrStore(s.name, true); !done {
				if err := e.f.KillSSHD(s.hosts[i].Name); err != nil {
					t.Errorf("%s: killsshd: %v", s.name, err)
				}
			}
		}
	}
}
