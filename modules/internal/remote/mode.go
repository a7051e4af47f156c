package remote

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"octopus/engine/connection"
	"octopus/engine/pyfmt"
)

// ModeError is a bad mode argument; Msg is Ansible's text and Details the
// underlying reason.
type ModeError struct{ Msg, Details string }

func (e *ModeError) Error() string { return e.Msg }

var modeOperator = regexp.MustCompile(`[+=-]`)

// ResolveMode returns the permission bits a mode argument asks for, as
// AnsibleModule.set_mode_if_different computes them: an int is used as is,
// a string is octal when it parses as such, else symbolic (u=rw,g+X,...)
// relative to the current bits cur of a file (isDir for X) and umask.
func ResolveMode(mode any, cur uint32, isDir bool, umask uint32) (uint32, error) {
	var m uint32
	switch x := mode.(type) {
	case int:
		m = uint32(x)
	case float64:
		m = uint32(x)
	case string:
		if n, err := strconv.ParseUint(strings.TrimSpace(x), 8, 32); err == nil {
			m = uint32(n)
		} else {
			sm, err := symbolic(cur, isDir, umask, x)
			if err != nil {
				return 0, &ModeError{Msg: "mode must be in octal or symbolic form", Details: err.Error()}
			}
			m = sm
		}
	default:
		return 0, &ModeError{Msg: "mode must be in octal or symbolic form", Details: pyfmt.Str(mode)}
	}
	if m != m&PermBits {
		return 0, &ModeError{Msg: "Invalid mode supplied, only permission info is allowed", Details: pyfmt.Str(mode)}
	}
	return m, nil
}

func symbolic(cur uint32, isDir bool, umask uint32, spec string) (uint32, error) {
	newMode := cur & PermBits
	prev := cur & PermBits
	for _, clause := range strings.Split(spec, ",") {
		parts := modeOperator.Split(clause, -1)
		opers := modeOperator.FindAllString(clause, -1)
		users := parts[0]
		useUmask := users == ""
		if users == "a" || users == "" {
			users = "ugo"
		}
		if users != "" && !strings.ContainsRune("ugo", rune(users[0])) {
			return 0, fmt.Errorf("bad symbolic permission for mode: %s", clause)
		}
		for idx, perms := range parts[1:] {
			if perms != "" && !strings.ContainsRune("rwxXstugo", rune(perms[0])) {
				return 0, fmt.Errorf("bad symbolic permission for mode: %s", clause)
			}
			for _, u := range users {
				apply := permsFor(prev, isDir, umask, u, perms, useUmask)
				newMode = applyOp(u, opers[idx], apply, newMode)
			}
		}
	}
	return newMode, nil
}

func permsFor(prev uint32, isDir bool, umask uint32, user rune, perms string, useUmask bool) uint32 {
	rev := umask ^ 0o777
	applyX := isDir || prev&0o111 > 0
	mask := func(bit uint32) uint32 {
		if useUmask {
			return rev & bit
		}
		return bit
	}
	var table map[rune]uint32
	switch user {
	case 'u':
		table = map[rune]uint32{'r': mask(0o400), 'w': mask(0o200), 'x': mask(0o100), 's': 0o4000, 't': 0,
			'u': prev & 0o700, 'g': (prev & 0o070) << 3, 'o': (prev & 0o007) << 6}
		if applyX {
			table['X'] = 0o100
		}
	case 'g':
		table = map[rune]uint32{'r': mask(0o040), 'w': mask(0o020), 'x': mask(0o010), 's': 0o2000, 't': 0,
			'u': (prev & 0o700) >> 3, 'g': prev & 0o070, 'o': (prev & 0o007) << 3}
		if applyX {
			table['X'] = 0o010
		}
	default:
		table = map[rune]uint32{'r': mask(0o004), 'w': mask(0o002), 'x': mask(0o001), 's': 0, 't': 0o1000,
			'u': (prev & 0o700) >> 6, 'g': (prev & 0o070) >> 3, 'o': prev & 0o007}
		if applyX {
			table['X'] = 0o001
		}
	}
	var m uint32
	for _, p := range perms {
		m |= table[p]
	}
	return m
}

func applyOp(user rune, op string, apply, cur uint32) uint32 {
	var mask uint32
	switch user {
	case 'u':
		mask = 0o700 | 0o4000
	case 'g':
		mask = 0o070 | 0o2000
	default:
		mask = 0o007 | 0o1000
	}
	switch op {
	case "=":
		return (cur &^ mask) | apply
	case "+":
		return cur | apply
	default:
		return cur &^ apply
	}
}

// Attrs are the owner/group/mode a task asks for ("" / nil: leave alone).
type Attrs struct {
	Owner, Group string
	Mode         any
}

// AttrChange is the result of planning attribute changes for one path.
type AttrChange struct {
	Script        string // shell commands to apply (empty when nothing to do)
	Changed       bool
	Before, After map[string]any // diff fragments: owner/group (ids as Ansible shows), mode
	Mode          uint32         // resulting permission bits
	ModeChanged   bool
}

// AttrLookupError is a failed owner or group lookup ("chown failed: failed
// to look up user x").
type AttrLookupError struct{ Msg string }

func (e *AttrLookupError) Error() string { return e.Msg }

// PlanAttrs compares want with the current stat st of path and returns the
// commands that make them equal, as AnsibleModule.set_*_if_different do.
// Names are resolved through env (probe with Options.Users/Groups).
// A symlink itself (follow=false) gets chown -h and no chmod (Linux has no
// lchmod), but a differing mode still counts as a change, as in Ansible.
func PlanAttrs(path string, st *Stat, want Attrs, env *Env) (*AttrChange, error) {
	c := &AttrChange{Before: map[string]any{}, After: map[string]any{}, Mode: st.Perm()}
	q := connection.ShellQuote(path)
	link := st.Is(ModeLink)
	h := ""
	if link {
		h = "-h "
	}
	var cmds []string
	// setID plans cmd (chown or chgrp) to the id of name, a user or group
	// (kind) looked up in known, when it differs from cur; key names the
	// change in the diff.
	setID := func(cmd, kind, key, name string, known map[string]int, cur int) error {
		id, ok := resolveID(name, known)
		if !ok {
			return &AttrLookupError{Msg: cmd + " failed: failed to look up " + kind + " " + name}
		}
		if id != cur {
			cmds = append(cmds, fmt.Sprintf("%s %s%d -- %s", cmd, h, id, q))
			c.Before[key] = cur
			c.After[key] = id
		}
		return nil
	}
	if want.Owner != "" {
		if err := setID("chown", "user", "owner", want.Owner, env.UIDs, st.UID); err != nil {
			return nil, err
		}
	}
	if want.Group != "" {
		if err := setID("chgrp", "group", "group", want.Group, env.GIDs, st.GID); err != nil {
			return nil, err
		}
	}
	if want.Mode != nil {
		m, err := ResolveMode(want.Mode, st.Mode, st.Is(ModeDir), env.Umask)
		if err != nil {
			return nil, err
		}
		if m != st.Perm() {
			if !link {
				cmds = append(cmds, fmt.Sprintf("chmod %04o -- %s", m, q))
			}
			c.Before["mode"] = ModeString(st.Perm())
			c.After["mode"] = ModeString(m)
			c.Mode, c.ModeChanged = m, true
		}
	}
	// A symlink's own mode cannot change on Linux: Ansible records the
	// diff but reports no change for it.
	c.Changed = len(cmds) > 0
	c.Script = strings.Join(cmds, " && ")
	return c, nil
}

func resolveID(want string, known map[string]int) (int, bool) {
	if n, err := strconv.Atoi(want); err == nil {
		return n, true
	}
	n, ok := known[want]
	return n, ok
}

// Names lists want's non-numeric owner and group for probe Options.
func (want Attrs) Names() (users, groups []string) {
	if want.Owner != "" {
		if _, err := strconv.Atoi(want.Owner); err != nil {
			users = append(users, want.Owner)
		}
	}
	if want.Group != "" {
		if _, err := strconv.Atoi(want.Group); err != nil {
			groups = append(groups, want.Group)
		}
	}
	return
}

// AttrErrorMsg maps a failed chown/chgrp/chmod stderr to Ansible's message.
func AttrErrorMsg(stderr string, want Attrs) string {
	s := strings.TrimSpace(stderr)
	switch {
	case strings.Contains(s, "invalid user"):
		return "chown failed: failed to look up user " + want.Owner
	case strings.Contains(s, "invalid group"):
		return "chgrp failed: failed to look up group " + want.Group
	case strings.HasPrefix(s, "chown"):
		return "chown failed: " + s
	case strings.HasPrefix(s, "chgrp"):
		return "chgrp failed: " + s
	}
	return s
}
