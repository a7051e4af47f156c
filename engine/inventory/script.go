package inventory

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"unicode/utf8"

	"octopus/engine/pyfmt"
	"octopus/engine/value"
)

// wantsScript is the script plugin's verify_file: a readable file that is
// executable or starts with "#!".
func wantsScript(path string, data []byte) bool {
	if bytes.HasPrefix(data, []byte("#!")) {
		return true
	}
	st, err := os.Stat(path)
	return err == nil && st.Mode()&0o111 != 0
}

// parseScript runs an executable inventory ("path --list", and "--host H"
// when the output has no _meta.hostvars), as Ansible's script plugin does.
func (inv *Inventory) parseScript(path string) error {
	out, stderr, err := runScript(path, "--list")
	if err != nil {
		return err
	}
	if !utf8.Valid(out) {
		return fmt.Errorf("Inventory %s contained characters that cannot be interpreted as UTF-8: invalid utf-8", path)
	}
	processed, perr := pyfmt.ParseJSON(string(out))
	if perr != nil {
		return fmt.Errorf("failed to parse executable inventory script results from %s: %s\n%s", path, "Expecting value: line 1 column 1 (char 0)", stderr)
	}
	data, ok := processed.(*value.Dict)
	if !ok {
		return fmt.Errorf("failed to parse executable inventory script results from %s: needs to be a json dict\n%s", path, stderr)
	}
	var meta *value.Dict
	hasMeta := false
	var hosts []string
	seen := map[string]bool{}
	for _, group := range data.Keys() {
		gdata, _ := data.Get(group)
		if group == "_meta" {
			if m, ok := gdata.(*value.Dict); ok {
				if hv, ok := m.Get("hostvars"); ok {
					meta, _ = hv.(*value.Dict)
					hasMeta = true
				}
			}
			continue
		}
		added, err := inv.parseScriptGroup(group, gdata)
		if err != nil {
			return err
		}
		for _, h := range added {
			if !seen[h] {
				seen[h] = true
				hosts = append(hosts, h)
			}
		}
	}
	for _, h := range hosts {
		var got *value.Dict
		if !hasMeta {
			got, err = scriptHostVars(path, h)
			if err != nil {
				return err
			}
		} else if meta != nil {
			v, _ := meta.Get(h)
			if v != nil {
				d, ok := v.(*value.Dict)
				if !ok {
					return fmt.Errorf("Invalid data from file, expected dictionary and got:\n\n%s", pyfmt.Str(v))
				}
				got = d
			}
		}
		if _, err := inv.AddHost(h, "", 0, false); err != nil {
			return err
		}
		for _, k := range got.Keys() {
			x, _ := got.Get(k)
			if err := inv.SetVariable(h, k, x); err != nil {
				return err
			}
		}
	}
	return nil
}

func runScript(path string, args ...string) ([]byte, string, error) {
	cmd := exec.Command(path, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	stderr := errb.String()
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			return nil, "", fmt.Errorf("problem running %s (%v)", strings.Join(append([]string{path}, args...), " "), err)
		}
		stderr = errb.String()
		if stderr != "" && !strings.HasSuffix(stderr, "\n") {
			stderr += "\n"
		}
		return nil, "", fmt.Errorf("Inventory script (%s) had an execution error: %s ", path, stderr)
	}
	stderr = errb.String()
	if stderr != "" && !strings.HasSuffix(stderr, "\n") {
		stderr += "\n"
	}
	return out.Bytes(), stderr, nil
}

func scriptHostVars(path, host string) (*value.Dict, error) {
	out, _, err := runScript(path, "--host", host)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(string(out)) == "" {
		return value.NewDict(0), nil
	}
	v, err := loadDataFile(path, out)
	d, ok := v.(*value.Dict)
	if err != nil || !ok {
		return nil, fmt.Errorf("could not parse post variable response: ['%s', '--host', '%s'], %s", path, host, out)
	}
	return d, nil
}

func (inv *Inventory) parseScriptGroup(group string, data any) ([]string, error) {
	inv.AddGroup(group)
	d, isDict := data.(*value.Dict)
	if !isDict {
		d = value.DictOf("hosts", data)
	} else if !d.Has("hosts") && !d.Has("vars") && !d.Has("children") {
		d = value.DictOf("hosts", []any{group}, "vars", d)
	}
	var added []string
	if hv, ok := d.Get("hosts"); ok {
		list, ok := hv.([]any)
		if !ok {
			return nil, fmt.Errorf("You defined a group '%s' with bad data for the host list:\n %s", group, pyfmt.Repr(d))
		}
		for _, x := range list {
			name, ok := x.(string)
			if !ok {
				return nil, fmt.Errorf("Invalid host name supplied, expected a string but got %s for %s", pyClassName(x, false), pyfmt.Str(x))
			}
			added = append(added, name)
			if _, err := inv.AddHost(name, group, 0, false); err != nil {
				return nil, err
			}
		}
	}
	if vv, ok := d.Get("vars"); ok {
		vars, ok := vv.(*value.Dict)
		if !ok {
			return nil, fmt.Errorf("You defined a group '%s' with bad data for variables:\n %s", group, pyfmt.Repr(d))
		}
		for _, k := range vars.Keys() {
			x, _ := vars.Get(k)
			if err := inv.SetVariable(group, k, x); err != nil {
				return nil, err
			}
		}
	}
	if cv, ok := d.Get("children"); ok && isDict {
		var names []string
		switch t := cv.(type) {
		case []any:
			for _, x := range t {
				names = append(names, pyfmt.Str(x))
			}
		case *value.Dict:
			names = t.Keys()
		case string:
			for _, r := range t {
				names = append(names, string(r))
			}
		}
		for _, c := range names {
			inv.AddGroup(c)
			if err := inv.AddChild(group, c); err != nil {
				return nil, err
			}
		}
	}
	return added, nil
}
