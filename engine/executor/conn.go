package executor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"octopus/engine/connection"
	"octopus/engine/diag"
	"octopus/engine/pyfmt"
	"octopus/engine/value"
	"octopus/engine/vars"
	"octopus/modules"
)

// conn returns the cached connection to host, opening it on first use.
func (r *runner) conn(ctx context.Context, host string, cv ConnVars) (connection.Conn, error) {
	key := host + "|" + cv.Connection + "|" + cv.Address + "|" + cv.User + "|" + strconv.Itoa(cv.Port)
	r.connMu.Lock()
	if c, ok := r.conns[key]; ok {
		r.connMu.Unlock()
		return c, nil
	}
	r.connMu.Unlock()
	if r.opts.Connect == nil {
		return nil, &connection.UnreachableError{Host: host, Err: fmt.Errorf("no connection plugin configured")}
	}
	c, err := r.opts.Connect(ctx, host, cv)
	if err != nil {
		return nil, err
	}
	r.connMu.Lock()
	if old, ok := r.conns[key]; ok {
		r.connMu.Unlock()
		c.Close()
		return old, nil
	}
	r.conns[key] = c
	r.connMu.Unlock()
	return c, nil
}

// dropConn closes and forgets host's connections, so its next task dials
// again (after a broken link, reset_connection, wait_for_connection).
func (r *runner) dropConn(host string) {
	r.connMu.Lock()
	for k, c := range r.conns {
		if strings.HasPrefix(k, host+"|") {
			if r.opts.Disconnect == nil {
				c.Close()
			}
			delete(r.conns, k)
		}
	}
	r.connMu.Unlock()
	if r.opts.Disconnect != nil {
		r.opts.Disconnect(host)
	}
}

// lookupT returns the first defined variable among names, templated.
func (pr *playRun) lookupT(scope vars.Vars, names ...string) (any, bool) {
	for _, n := range names {
		if v, ok := scope.Lookup(n); ok && v != nil {
			if t, err := pr.r.tpl.Template(v, scope); err == nil {
				return t, true
			}
			return v, true
		}
	}
	return nil, false
}

func (pr *playRun) lookupS(scope vars.Vars, names ...string) string {
	if v, ok := pr.lookupT(scope, names...); ok {
		return fmt.Sprint(v)
	}
	return ""
}

// connVars computes the connection settings of host (with legacy
// ansible_ssh_* aliases).
func (pr *playRun) connVars(rt *rtask, host string, scope *vars.Scope) ConnVars {
	cv := ConnVars{Host: host, Lookup: scope.Lookup}
	cv.Address = pr.lookupS(scope, "ansible_host", "ansible_ssh_host")
	if cv.Address == "" {
		cv.Address = host
	}
	if p, ok := pr.lookupT(scope, "ansible_port", "ansible_ssh_port"); ok {
		if n, ok := numOf(p); ok {
			cv.Port = int(n)
		}
	} else if p := pr.kwAny(rt, host, func(k *kwT) any { return k.Port }); p != nil {
		if n, ok := numOf(p); ok {
			cv.Port = int(n)
		}
	}
	cv.User = pr.lookupS(scope, "ansible_user", "ansible_ssh_user")
	if cv.User == "" {
		if u := pr.kwAny(rt, host, func(k *kwT) any { return k.RemoteUser }); u != nil {
			cv.User = fmt.Sprint(u)
		} else {
			cv.User = pr.r.opts.RemoteUser
		}
	}
	cv.Password = pr.lookupS(scope, "ansible_password", "ansible_ssh_pass", "ansible_ssh_password")
	if cv.Password == "" {
		cv.Password = pr.r.opts.ConnPassword
	}
	cv.Connection = pr.lookupS(scope, "ansible_connection")
	if cv.Connection == "" {
		if c := pr.kwAny(rt, host, func(k *kwT) any { return k.Connection }); c != nil {
			cv.Connection = fmt.Sprint(c)
		}
	}
	if cv.Connection == "" && pr.r.opts.Connection != "smart" {
		cv.Connection = pr.r.opts.Connection
	}
	if cv.Connection == "" {
		cv.Connection = "ssh"
	}
	cv.PrivateKey = pr.lookupS(scope, "ansible_private_key_file", "ansible_ssh_private_key_file")
	cv.Timeout = pr.r.opts.ConnTimeout
	if t, ok := pr.lookupT(scope, "ansible_timeout", "ansible_ssh_timeout"); ok {
		if n, ok := numOf(t); ok {
			cv.Timeout = int(n)
		}
	}
	if cv.Timeout == 0 {
		cv.Timeout = 10
	}
	return cv
}

// become resolves privilege escalation for the task (variables override
// keywords, which override the CLI defaults).
func (pr *playRun) become(rt *rtask, host string, scope *vars.Scope) *connection.Become {
	on := pr.r.opts.Become
	if b, ok := boolOf(pr.kwAny(rt, host, func(k *kwT) any { return k.Become })); ok {
		on = b
	}
	if v, ok := pr.lookupT(scope, "ansible_become"); ok {
		if b, ok := boolOf(v); ok {
			on = b
		}
	}
	if !on {
		return nil
	}
	b := &connection.Become{Method: pr.r.opts.BecomeMethod, User: pr.r.opts.BecomeUser, Password: pr.r.opts.BecomePassword}
	if v := pr.kwAny(rt, host, func(k *kwT) any { return k.BecomeMethod }); v != nil {
		b.Method = fmt.Sprint(v)
	}
	if v := pr.kwAny(rt, host, func(k *kwT) any { return k.BecomeUser }); v != nil {
		b.User = fmt.Sprint(v)
	}
	if v := pr.kwAny(rt, host, func(k *kwT) any { return k.BecomeFlags }); v != nil {
		b.Flags = fmt.Sprint(v)
	}
	if v := pr.kwAny(rt, host, func(k *kwT) any { return k.BecomeExe }); v != nil {
		b.Exe = fmt.Sprint(v)
	}
	if s := pr.lookupS(scope, "ansible_become_method"); s != "" {
		b.Method = s
	}
	if s := pr.lookupS(scope, "ansible_become_user"); s != "" {
		b.User = s
	}
	if s := pr.lookupS(scope, "ansible_become_password", "ansible_become_pass", "ansible_sudo_pass", "ansible_sudo_password"); s != "" {
		b.Password = s
	}
	if s := pr.lookupS(scope, "ansible_become_flags"); s != "" {
		b.Flags = s
	}
	if b.Method == "" {
		b.Method = "sudo"
	}
	if b.User == "" {
		b.User = "root"
	}
	return b
}

// environment merges the environment: keyword from outermost to innermost.
func (pr *playRun) environment(rt *rtask, host string, scope *vars.Scope) map[string]string {
	ls := pr.levels(rt)
	var out map[string]string
	for i := len(ls) - 1; i >= 0; i-- {
		for _, e := range ls[i].kw.Environment {
			v, err := pr.r.tpl.Template(e, scope)
			if err != nil {
				continue
			}
			add := func(k string, x any) {
				if out == nil {
					out = map[string]string{}
				}
				out[k] = pyfmt.Str(x)
			}
			switch t := v.(type) {
			case *value.Dict:
				for _, k := range t.Keys() {
					x, _ := t.Get(k)
					add(k, x)
				}
			case map[string]any:
				for k, x := range t {
					add(k, x)
				}
			}
		}
	}
	return out
}

// controller implements modules.Controller for one task.
type controller struct {
	pr    *playRun
	rt    *rtask
	scope *vars.Scope
}

// FindFile searches role and playbook paths as ansible's DWIM does.
func (c *controller) FindFile(kind, name string) (string, error) {
	if filepath.IsAbs(name) {
		if _, err := os.Stat(name); err != nil {
			return "", fmt.Errorf("Could not find or access '%s' on the Ansible Controller.", name)
		}
		return name, nil
	}
	var cands []string
	if ro := taskRole(c.rt); ro != nil {
		cands = append(cands, filepath.Join(ro.Path, kind, name), filepath.Join(ro.Path, name),
			filepath.Join(ro.Path, "tasks", kind, name), filepath.Join(ro.Path, "tasks", name))
	}
	if c.rt.Task.File != "" {
		d := filepath.Dir(c.rt.Task.File)
		cands = append(cands, filepath.Join(d, kind, name), filepath.Join(d, name))
	}
	pd := c.pr.r.pb.Dir
	cands = append(cands, filepath.Join(pd, kind, name), filepath.Join(pd, name))
	seen := map[string]bool{}
	var uniq []string
	for _, p := range cands {
		if !seen[p] {
			seen[p] = true
			uniq = append(uniq, p)
		}
	}
	for _, p := range uniq {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("Could not find or access '%s'\nSearched in:\n\t%s on the Ansible Controller.\nIf you are using a module and expect the file to exist on the remote, see the remote_src option", name, strings.Join(uniq, "\n\t"))
}

// Render templates text with the task's variables.
func (c *controller) Render(text string, opts modules.RenderOptions) (string, error) {
	return c.pr.r.tpl.Render(text, c.scope, opts)
}

// diagErr renders the "The error appears to be in ..." paragraph for a task.
type diagErr struct{ rt *rtask }

func (e *diagErr) String() string {
	p := e.rt.Task.Pos
	if !p.IsValid() {
		return ""
	}
	de := &diag.Error{Msg: "", Pos: p}
	return strings.TrimPrefix(de.Error(), "\n\n")
}

// fact cache (gathering = smart with a jsonfile cache dir)

func (pr *playRun) factCachePath(host string) string { return pr.r.factCachePath(host) }

func (r *runner) factCachePath(host string) string {
	if r.opts.FactCacheDir == "" {
		return ""
	}
	dir := r.opts.FactCacheDir
	if strings.HasPrefix(dir, "~/") {
		if h, err := os.UserHomeDir(); err == nil {
			dir = filepath.Join(h, dir[2:])
		}
	}
	return filepath.Join(dir, r.opts.FactCachePrefix+host)
}

func (pr *playRun) saveFactCache(host string) {
	p := pr.factCachePath(host)
	if p == "" {
		return
	}
	facts := pr.r.vm.Facts(host)
	if facts == nil {
		return
	}
	os.MkdirAll(filepath.Dir(p), 0o755)
	os.WriteFile(p, []byte(pyfmt.JSONText(facts, pyfmt.JSONOptions{Indent: 4, SortKeys: true})), 0o644)
}

func (pr *playRun) loadFactCache(host string) bool { return pr.r.loadFactCache(host) }

// loadFactCache loads host's facts from the jsonfile cache unless they
// expired (a timeout of 0 never expires, as in Ansible).
func (r *runner) loadFactCache(host string) bool {
	p := r.factCachePath(host)
	if p == "" {
		return false
	}
	st, err := os.Stat(p)
	if err != nil {
		return false
	}
	ttl := r.opts.FactCacheTimeout
	if ttl > 0 && time.Since(st.ModTime()) > time.Duration(ttl)*time.Second {
		return false
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return false
	}
	var raw any
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return false
	}
	d, ok := fromJSON(raw).(*value.Dict)
	if !ok {
		return false
	}
	r.vm.SetFacts(host, d)
	return true
}

// fromJSON converts encoding/json output (map order lost; keys sorted).
func fromJSON(v any) any {
	switch t := v.(type) {
	case map[string]any:
		d := toDict(t)
		for _, k := range d.Keys() {
			x, _ := d.Get(k)
			d.Set(k, fromJSON(x))
		}
		return d
	case []any:
		for i := range t {
			t[i] = fromJSON(t[i])
		}
		return t
	case json.Number:
		if n, err := t.Int64(); err == nil {
			return int(n)
		}
		f, _ := t.Float64()
		return f
	}
	return v
}

// transfersFiles are the actions whose Ansible action plugin makes a remote
// temporary directory before it runs anything else on the host.
var transfersFiles = map[string]bool{"copy": true, "template": true, "script": true,
	"unarchive": true, "assemble": true, "uri": true}

// unreachableResult is the result of a task whose host could not be
// reached. Over ssh with pipelining, Ansible's first contact for most
// actions sends the module on ssh's stdin, and it reports the failure as
// data that could not be sent, with ssh's stderr line as it came
// (including its CRLF); actions that first make a temporary directory, or
// runs without pipelining, report "Failed to connect to the host via ssh".
func (pr *playRun) unreachableResult(action string, cv ConnVars, err error) *value.Dict {
	msg := err.Error()
	var ue *connection.UnreachableError
	if errors.As(err, &ue) && cv.Connection == "ssh" && pr.pipelining(cv) &&
		!transfersFiles[strings.TrimPrefix(strings.TrimPrefix(action, "ansible.builtin."), "ansible.legacy.")] {
		msg = fmt.Sprintf("Data could not be sent to remote host \"%s\". Make sure this host can be reached over ssh: %v\r\n", cv.Address, ue.Err)
	}
	return value.DictOf("unreachable", true, "msg", msg, "changed", false)
}

// pipelining is the pipelining setting for a connection: the host's
// ansible_pipelining (or ansible_ssh_pipelining), else the run's.
func (pr *playRun) pipelining(cv ConnVars) bool {
	if cv.Lookup != nil {
		for _, n := range []string{"ansible_pipelining", "ansible_ssh_pipelining"} {
			if v, ok := cv.Lookup(n); ok {
				if b, ok := boolOf(v); ok {
					return b
				}
			}
		}
	}
	return pr.r.opts.Pipelining
}

// LocalTemp names a fresh controller temp file as Ansible's action plugins
// make them (tempfile's "tmp" + 8 random characters) in the run's private
// "ansible-local-<pid><random>" directory of local_tmp. Nothing is created:
// the name only shows in --diff headers.
func (c *controller) LocalTemp() string {
	r := c.pr.r
	r.localOnce.Do(func() {
		base := r.opts.LocalTmp
		if base == "" {
			base = "~/.ansible/tmp"
		}
		r.localDir = base + "/ansible-local-" + strconv.Itoa(os.Getpid()) + tempChars(8)
	})
	return r.localDir + "/tmp" + tempChars(8)
}

// tempChars returns n random characters from the alphabet of Python's
// tempfile names.
func tempChars(n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789_"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[rand.IntN(len(alphabet))]
	}
	return string(b)
}
