package factory

import (
	"strings"

	"octopus/engine/config"
	"octopus/engine/connection"
)

// BecomeDefaults are the become settings in effect for a task before host
// variables apply: the innermost become keywords of task, block, role and
// play, whose defaults are the command line, whose defaults are
// ansible.cfg. Empty strings mean unset.
type BecomeDefaults struct {
	Become   bool   // become keyword, else -b, else [privilege_escalation] become
	Method   string // become_method keyword, else --become-method, else config become_method; "" means sudo
	User     string // become_user keyword, else --become-user ("": ANSIBLE_BECOME_USER, ini, "root")
	Flags    string // become_flags keyword ("": environment, ini, the method's default)
	Exe      string // become_exe keyword ("": environment, ini, the method name)
	Password string // -K or --become-password-file; never logged
	// Config gives the environment and ansible.cfg fallbacks of become_user,
	// become_flags and become_exe; nil means the defaults.
	Config *config.Config
	// Env is consulted for the variables the config tables lack:
	// ANSIBLE_BECOME_PASS and ANSIBLE_<METHOD>_PASS, and ANSIBLE_<METHOD>_USER,
	// _FLAGS and _EXE for methods other than sudo. nil means none.
	Env map[string]string
}

// DefaultBecome returns the command line defaults of become taken from c:
// become and become_method ([privilege_escalation] / ANSIBLE_BECOME*).
func DefaultBecome(c *config.Config) BecomeDefaults {
	d := BecomeDefaults{Config: c, Method: c.String("become_method")}
	d.Become, _ = c.Get("become").(bool)
	return d
}

// BecomeFor resolves privilege escalation for one task on one host, or nil
// when become is off. An invalid ansible_become value also gives nil; use
// ResolveBecome to get Ansible's error for it.
func BecomeFor(vars map[string]any, defaults BecomeDefaults) *connection.Become {
	b, err := ResolveBecome(vars, defaults)
	if err != nil {
		return nil
	}
	return b
}

// ResolveBecome resolves privilege escalation as Ansible 2.14 does
// (TaskExecutor._set_become_plugin, then the become plugin's options):
//
//   - on/off: ansible_become (a strict boolean: anything but yes/no,
//     true/false, on/off, 1/0, y/n, t/f fails the task), else the keyword
//     chain in defaults.Become.
//   - method: ansible_become_method when not empty, else defaults.Method,
//     else sudo.
//   - user: ansible_<method>_user, else ansible_become_user (the plugin's
//     last variable wins), else defaults.User, else ANSIBLE_<METHOD>_USER /
//     ANSIBLE_BECOME_USER / ansible.cfg, else root.
//   - flags and exe: likewise with ansible_become_flags /
//     ansible_<method>_flags and ansible_become_exe / ansible_<method>_exe;
//     the fallbacks are sudo's "-H -S -n" and the method name.
//   - password: ansible_<method>_pass, else ansible_become_pass, else
//     ansible_become_password (so ansible_become_pass beats
//     ansible_become_password when both are set, checked against sudo on a
//     test host), else -K, else ANSIBLE_<METHOD>_PASS / ANSIBLE_BECOME_PASS.
func ResolveBecome(vars map[string]any, d BecomeDefaults) (*connection.Become, error) {
	on := d.Become
	if v, ok := vars["ansible_become"]; ok && v != nil {
		b, err := pyBool(v, true)
		if err != nil {
			return nil, fieldError("become", "bool", v, err)
		}
		on = b
	}
	if !on {
		return nil, nil
	}
	method := d.Method
	if v, ok := vars["ansible_become_method"]; ok && v != nil {
		if s, err := optString(v); err == nil && s != "" {
			method = s
		}
	}
	method = strings.TrimPrefix(strings.TrimPrefix(method, "ansible.builtin."), "ansible.legacy.")
	if method == "" {
		method = "sudo"
	}
	upper := strings.ToUpper(method)
	c := d.Config
	b := &connection.Become{Method: method}

	var err error
	if b.User, err = becomeOption(vars, method, "user", d.User); err != nil {
		return nil, err
	}
	if b.User == "" {
		if method == "sudo" && c.Get("become/sudo/become_user") != nil {
			b.User = c.String("become/sudo/become_user")
		} else if v := d.Env["ANSIBLE_"+upper+"_USER"]; v != "" {
			b.User = v
		} else if c.Get("become_user") != nil {
			b.User = c.String("become_user")
		} else {
			b.User = "root"
		}
	}
	if b.Flags, err = becomeOption(vars, method, "flags", d.Flags); err != nil {
		return nil, err
	}
	if b.Flags == "" {
		switch {
		case method == "sudo" && c != nil:
			b.Flags = c.String("sudo_become_flags")
		case method == "sudo":
			b.Flags = "-H -S -n"
		case d.Env["ANSIBLE_"+upper+"_FLAGS"] != "":
			b.Flags = d.Env["ANSIBLE_"+upper+"_FLAGS"]
		default:
			b.Flags = c.String("become_flags")
		}
	}
	if b.Exe, err = becomeOption(vars, method, "exe", d.Exe); err != nil {
		return nil, err
	}
	if b.Exe == "" {
		switch {
		case method == "sudo" && c != nil:
			b.Exe = c.String("sudo_become_exe")
		case d.Env["ANSIBLE_"+upper+"_EXE"] != "":
			b.Exe = d.Env["ANSIBLE_"+upper+"_EXE"]
		case method != "sudo" && c.String("become_exe") != "":
			b.Exe = c.String("become_exe")
		}
		if b.Exe == "" {
			b.Exe = method
		}
	}

	// password: the plugin's variables, else PlayContext.become_pass (the
	// magic variables or -K) passed as a keyword when not empty, else the
	// environment
	if v, _, ok := lookup(vars, "ansible_become_password", "ansible_become_pass", "ansible_"+method+"_pass"); ok {
		if b.Password, err = optString(v); err != nil {
			return nil, err
		}
	} else if d.Password != "" {
		b.Password = d.Password
	} else if v := d.Env["ANSIBLE_"+upper+"_PASS"]; v != "" {
		b.Password = v
	} else {
		b.Password = d.Env["ANSIBLE_BECOME_PASS"]
	}
	return b, nil
}

// becomeOption resolves a become plugin option from its variables
// (ansible_become_<name>, then ansible_<method>_<name>: the last defined
// wins) or the keyword; "" means neither is set.
func becomeOption(vars map[string]any, method, name, keyword string) (string, error) {
	if v, _, ok := lookup(vars, "ansible_become_"+name, "ansible_"+method+"_"+name); ok {
		return optString(v)
	}
	return keyword, nil
}
