package factory

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"octopus/engine/config"
)

func TestBecomeFor(t *testing.T) {
	on := BecomeDefaults{Become: true}
	for _, c := range []struct {
		name    string
		vars    map[string]any
		d       BecomeDefaults
		cfg     string
		env     map[string]string // process environment for config.Load
		want    string            // "method user flags|exe|password", "" for nil
		wantErr string
	}{
		{name: "off", want: ""},
		{name: "-b", d: on, want: "sudo root -H -S -n|sudo|"},
		{name: "ansible_become no beats -b", d: on, vars: map[string]any{"ansible_become": "no"}, want: ""},
		{name: "ansible_become yes", vars: map[string]any{"ansible_become": "yes"}, want: "sudo root -H -S -n|sudo|"},
		{name: "ansible_become bool", vars: map[string]any{"ansible_become": true}, want: "sudo root -H -S -n|sudo|"},
		{name: "ansible_become invalid", vars: map[string]any{"ansible_become": "maybe"},
			wantErr: "the field 'become' has an invalid value (maybe), and could not be converted to an bool.The error was: The value 'maybe' is not a valid boolean."},
		{name: "become from cfg", cfg: "[privilege_escalation]\nbecome = True\nbecome_method = su\n", d: BecomeDefaults{}, want: "su root |su|"},
		{name: "method var beats keyword", d: BecomeDefaults{Become: true, Method: "sudo"}, vars: map[string]any{"ansible_become_method": "su"}, want: "su root |su|"},
		{name: "empty method var ignored", d: BecomeDefaults{Become: true, Method: "su"}, vars: map[string]any{"ansible_become_method": ""}, want: "su root |su|"},
		{name: "fqcn method", d: BecomeDefaults{Become: true, Method: "ansible.builtin.sudo"}, want: "sudo root -H -S -n|sudo|"},
		{name: "user keyword", d: BecomeDefaults{Become: true, User: "kw"}, want: "sudo kw -H -S -n|sudo|"},
		{name: "user var beats keyword", d: BecomeDefaults{Become: true, User: "kw"}, vars: map[string]any{"ansible_become_user": "var"}, want: "sudo var -H -S -n|sudo|"},
		{name: "ansible_sudo_user beats ansible_become_user", d: on, vars: map[string]any{"ansible_become_user": "a", "ansible_sudo_user": "b"}, want: "sudo b -H -S -n|sudo|"},
		{name: "ansible_su_user for su", d: BecomeDefaults{Become: true, Method: "su"}, vars: map[string]any{"ansible_become_user": "a", "ansible_su_user": "c", "ansible_sudo_user": "b"}, want: "su c |su|"},
		{name: "user cfg", d: on, cfg: "[privilege_escalation]\nbecome_user = cfguser\n", want: "sudo cfguser -H -S -n|sudo|"},
		{name: "user env beats cfg", d: on, cfg: "[privilege_escalation]\nbecome_user = cfguser\n", env: map[string]string{"ANSIBLE_BECOME_USER": "envuser"}, want: "sudo envuser -H -S -n|sudo|"},
		{name: "keyword beats cfg", d: BecomeDefaults{Become: true, User: "kw"}, cfg: "[privilege_escalation]\nbecome_user = cfguser\n", want: "sudo kw -H -S -n|sudo|"},
		{name: "flags var", d: on, vars: map[string]any{"ansible_become_flags": "-H -S"}, want: "sudo root -H -S|sudo|"},
		{name: "flags keyword", d: BecomeDefaults{Become: true, Flags: "-n"}, want: "sudo root -n|sudo|"},
		{name: "flags cfg", d: on, cfg: "[privilege_escalation]\nbecome_flags = -E\n", want: "sudo root -E|sudo|"},
		{name: "exe var and cfg", d: on, cfg: "[privilege_escalation]\nbecome_exe = /opt/sudo\n", vars: map[string]any{"ansible_sudo_exe": "/usr/bin/sudo"}, want: "sudo root -H -S -n|/usr/bin/sudo|"},
		{name: "exe cfg", d: on, cfg: "[privilege_escalation]\nbecome_exe = /opt/sudo\n", want: "sudo root -H -S -n|/opt/sudo|"},
		{name: "-K", d: BecomeDefaults{Become: true, Password: "kpw"}, want: "sudo root -H -S -n|sudo|kpw"},
		{name: "password var beats -K", d: BecomeDefaults{Become: true, Password: "kpw"}, vars: map[string]any{"ansible_become_password": "vpw"}, want: "sudo root -H -S -n|sudo|vpw"},
		{name: "ansible_become_pass beats ansible_become_password", d: on, vars: map[string]any{"ansible_become_password": "a", "ansible_become_pass": "b"}, want: "sudo root -H -S -n|sudo|b"},
		{name: "ansible_sudo_pass beats both", d: on, vars: map[string]any{"ansible_become_password": "a", "ansible_become_pass": "b", "ansible_sudo_pass": "c"}, want: "sudo root -H -S -n|sudo|c"},
		{name: "ansible_sudo_pass not for su", d: BecomeDefaults{Become: true, Method: "su"}, vars: map[string]any{"ansible_become_pass": "b", "ansible_sudo_pass": "c"}, want: "su root |su|b"},
		{name: "env password", d: BecomeDefaults{Become: true, Env: map[string]string{"ANSIBLE_BECOME_PASS": "e1"}}, want: "sudo root -H -S -n|sudo|e1"},
		{name: "method env password beats become env", d: BecomeDefaults{Become: true, Env: map[string]string{"ANSIBLE_BECOME_PASS": "e1", "ANSIBLE_SUDO_PASS": "e2"}}, want: "sudo root -H -S -n|sudo|e2"},
		{name: "-K beats env", d: BecomeDefaults{Become: true, Password: "kpw", Env: map[string]string{"ANSIBLE_BECOME_PASS": "e1"}}, want: "sudo root -H -S -n|sudo|kpw"},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := c.d
			dir := t.TempDir()
			env := map[string]string{"HOME": os.Getenv("HOME"), "ANSIBLE_CONFIG": filepath.Join(dir, "ansible.cfg")}
			for k, v := range c.env {
				env[k] = v
			}
			if c.cfg != "" {
				os.WriteFile(filepath.Join(dir, "ansible.cfg"), []byte(c.cfg), 0o644)
			}
			cfg, _, err := config.Load(env, dir)
			if err != nil {
				t.Fatal(err)
			}
			if c.name == "become from cfg" {
				d = DefaultBecome(cfg)
			}
			d.Config = cfg
			b, err := ResolveBecome(c.vars, d)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("error = %v, want %q", err, c.wantErr)
				}
				if BecomeFor(c.vars, d) != nil {
					t.Error("BecomeFor must give nil on an invalid value")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			if b != nil {
				got = b.Method + " " + b.User + " " + b.Flags + "|" + b.Exe + "|" + b.Password
			}
			if got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
			if bf := BecomeFor(c.vars, d); (bf == nil) != (b == nil) || bf != nil && *bf != *b {
				t.Errorf("BecomeFor differs from ResolveBecome: %v vs %v", bf, b)
			}
		})
	}
}
