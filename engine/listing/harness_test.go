package listing

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"octopus/engine/diag"
	"octopus/engine/playbook"
	"octopus/internal/testutil"
)

// result is what a listing run printed.
type result struct {
	stdout, errMsg string
	code           int
}

// runOctopus loads playbook (relative to dir) and prints like
// ansible-playbook with args (listing flags, --tags, --skip-tags).
func runOctopus(dir, pbName string, args []string, rolesPath []string, inv *fakeInventory) result {
	opts := Options{Name: pbName, Hosts: inv.resolve, Template: fakeTemplate}
	syntax := false
	for i := 0; i < len(args); i++ {
		switch args[i] {
		case "--syntax-check":
			syntax = true
		case "--list-hosts":
			opts.ListHosts = true
		case "--list-tasks":
			opts.ListTasks = true
		case "--list-tags":
			opts.ListTags = true
		case "--tags", "-t":
			i++
			opts.Tags = append(opts.Tags, strings.Split(args[i], ",")...)
		case "--skip-tags":
			i++
			opts.SkipTags = append(opts.SkipTags, strings.Split(args[i], ",")...)
		}
	}
	var warns []string
	pb, err := playbook.Load(filepath.Join(dir, pbName), playbook.LoadOptions{RolesPath: rolesPath, Warn: func(m string) { warns = append(warns, m) }})
	if err != nil {
		return result{errMsg: diag.Render(err), code: diag.ExitCode(err)}
	}
	var out bytes.Buffer
	if syntax {
		err = SyntaxCheck(&out, pb, pbName)
	} else {
		err = List(&out, pb, opts)
	}
	if err != nil {
		return result{stdout: out.String(), errMsg: diag.Render(err), code: diag.ExitCode(err)}
	}
	return result{stdout: out.String()}
}

// runAnsible runs ansible-playbook in dir.
func runAnsible(t *testing.T, dir, cfg, inventory, pbName string, args []string) result {
	t.Helper()
	full := append([]string{}, args...)
	if inventory != "" {
		full = append(full, "-i", inventory)
	}
	full = append(full, pbName)
	cmd := exec.Command("ansible-playbook", full...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "ANSIBLE_CONFIG="+cfg, "ANSIBLE_NOCOLOR=1", "ANSIBLE_FORCE_COLOR=0", "ANSIBLE_DEPRECATION_WARNINGS=0")
	so, se, code := testutil.Run(t, cmd)
	msg := ""
	if i := strings.Index(se, "ERROR! "); i >= 0 {
		msg = se[i:]
	}
	return result{stdout: so, errMsg: msg, code: code}
}

var (
	reModList   = regexp.MustCompile(`(only allowed in the following modules: |Valid booleans include: )(.*)`)
	rePlayLine  = regexp.MustCompile(`(?m)^(  play #\d+ \(.*\): .*\tTAGS: \[)(.*)\]$`)
	reHostBlock = regexp.MustCompile(`(?m)^    hosts \(\d+\):\n((?:      .*\n?)*)`)
)

// normalise makes Python set iteration order (play TAGS and the
// --list-hosts host list, which ansible prints from unordered sets)
// canonical, and replaces the temp dir.
func normalise(s, tmp string) string {
	if tmp != "" {
		s = strings.ReplaceAll(s, tmp, "<TMP>")
	}
	s = reModList.ReplaceAllStringFunc(s, func(m string) string {
		sm := reModList.FindStringSubmatch(m)
		parts := strings.Split(sm[2], ", ")
		sort.Strings(parts)
		return sm[1] + strings.Join(parts, ", ")
	})
	s = rePlayLine.ReplaceAllStringFunc(s, func(m string) string {
		sm := rePlayLine.FindStringSubmatch(m)
		parts := strings.Split(sm[2], ",")
		sort.Strings(parts)
		return sm[1] + strings.Join(parts, ",") + "]"
	})
	s = reHostBlock.ReplaceAllStringFunc(s, func(m string) string {
		lines := strings.Split(strings.TrimRight(m, "\n"), "\n")
		hosts := lines[1:]
		sort.Strings(hosts)
		out := lines[0] + "\n" + strings.Join(hosts, "\n")
		if strings.HasSuffix(m, "\n") {
			out += "\n"
		}
		return out
	})
	return s
}

// fakeInventory is a minimal INI inventory: hosts, groups and
// [group:children], resolving "all", groups, hosts and comma lists.
type fakeInventory struct {
	hosts  []string
	groups map[string][]string
}

func loadFakeInventory(path string) *fakeInventory {
	inv := &fakeInventory{groups: map[string][]string{}}
	f, err := os.Open(path)
	if err != nil {
		return inv
	}
	defer f.Close()
	group, children := "ungrouped", false
	children_ := map[string][]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";") {
			continue
		}
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			g := line[1 : len(line)-1]
			children = strings.HasSuffix(g, ":children")
			group = strings.TrimSuffix(g, ":children")
			if strings.HasSuffix(g, ":vars") {
				group = ""
			}
			if group != "" {
				if _, ok := inv.groups[group]; !ok {
					inv.groups[group] = nil
				}
			}
			continue
		}
		if group == "" {
			continue
		}
		name := strings.Fields(line)[0]
		if children {
			children_[group] = append(children_[group], name)
			continue
		}
		if !contains(inv.hosts, name) {
			inv.hosts = append(inv.hosts, name)
		}
		if !contains(inv.groups[group], name) {
			inv.groups[group] = append(inv.groups[group], name)
		}
	}
	var expand func(g string, depth int) []string
	expand = func(g string, depth int) []string {
		out := append([]string{}, inv.groups[g]...)
		if depth < 10 {
			for _, c := range children_[g] {
				for _, h := range expand(c, depth+1) {
					if !contains(out, h) {
						out = append(out, h)
					}
				}
			}
		}
		return out
	}
	for g := range children_ {
		inv.groups[g] = expand(g, 0)
	}
	return inv
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

func (inv *fakeInventory) resolve(pattern string) ([]string, error) {
	var out []string
	for _, p := range strings.Split(pattern, ",") {
		p = strings.TrimSpace(p)
		var hs []string
		switch {
		case p == "all" || p == "*":
			hs = inv.hosts
		case inv.groups[p] != nil:
			hs = inv.groups[p]
		case contains(inv.hosts, p):
			hs = []string{p}
		case p == "localhost" || p == "127.0.0.1":
			hs = []string{p}
		}
		for _, h := range hs {
			if !contains(out, h) {
				out = append(out, h)
			}
		}
	}
	return out, nil
}

// rolesPathFromCfg reads roles_path from an ansible.cfg (relative
// entries against the cfg's directory); Ansible's defaults when unset.
func rolesPathFromCfg(cfg string) []string {
	home, _ := os.UserHomeDir()
	def := []string{filepath.Join(home, ".ansible/roles"), "/usr/share/ansible/roles", "/etc/ansible/roles"}
	data, err := os.ReadFile(cfg)
	if err != nil {
		return def
	}
	for _, line := range strings.Split(string(data), "\n") {
		k, v, ok := strings.Cut(line, "=")
		if !ok || strings.TrimSpace(k) != "roles_path" {
			continue
		}
		var out []string
		for _, p := range strings.Split(strings.TrimSpace(v), ":") {
			if strings.HasPrefix(p, "~") {
				p = filepath.Join(home, p[1:])
			}
			if !filepath.IsAbs(p) {
				p = filepath.Join(filepath.Dir(cfg), p)
			}
			out = append(out, filepath.Clean(p))
		}
		return out
	}
	return def
}

var reVarRef = regexp.MustCompile(`\{\{\s*(\w+)\s*\}\}`)

// fakeTemplate resolves "{{ name }}" from play vars, enough to check that
// listings template what Ansible templates (the real engine lives in
// engine/template).
func fakeTemplate(play *playbook.Play, s string) (string, error) {
	return reVarRef.ReplaceAllStringFunc(s, func(m string) string {
		v, ok := play.Vars.Get(reVarRef.FindStringSubmatch(m)[1])
		if !ok {
			return m
		}
		return fmt.Sprint(v)
	}), nil
}
