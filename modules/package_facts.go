package modules

import (
	"context"
	"encoding/base64"
	"fmt"
	"regexp"
	"strings"

	"octopus/modules/internal/argspec"
)

func init() { Register(guarded(runPackageFacts), "package_facts") }

var packageFactsSpec = argspec.Spec{
	Module: "package_facts",
	Options: []argspec.Option{
		{Name: "manager", Type: "list", Elements: "str", Default: []any{"auto"}},
		{Name: "strategy", Default: "first", Choices: []any{"first", "all"}},
	},
}

// packageManagers are the managers Ansible's package_facts knows; octopus
// reads only apt (dpkg) databases.
var packageManagers = []string{"apk", "apt", "pacman", "pkg", "pkg_info", "portage", "rpm"}

// packageFactsScript lists installed packages with dpkg-query and, with
// apt-cache policy, the origin of each installed version: all in one
// round trip.
const packageFactsScript = `LANG=C; LC_ALL=C; export LANG LC_ALL
command -v dpkg-query >/dev/null 2>&1 || { echo NODPKG; exit 0; }
out() { printf '%s=' "$1"; printf '%s' "$2" | base64 -w0; echo; }
na=$(dpkg --print-architecture 2>/dev/null); out ARCH "$na"
l=$(dpkg-query -W -f '${db:Status-Status}\t${Package}\t${Version}\t${Architecture}\t${Section}\n' 2>/dev/null | awk -F '\t' '$1 != "not-installed" && $1 != "config-files"')
out LIST "$l"
if command -v apt-cache >/dev/null 2>&1; then
  out FILES "$(apt-cache policy 2>/dev/null)"
  q=$(printf '%s\n' "$l" | awk -F '\t' -v na="$na" '{ if ($4 != na && $4 != "all") print $2 ":" $4; else print $2 }')
  out POLICY "$(printf '%s\n' "$q" | xargs apt-cache policy 2>/dev/null)"
  out SECT "$(printf '%s\n' "$l" | awk -F '\t' -v na="$na" '{ if ($4 != na && $4 != "all") print $2 ":" $4 "=" $3; else print $2 "=" $3 }' | xargs apt-cache show 2>/dev/null | awk '/^Package: /{p=$2} /^Architecture: /{a=$2} /^Section: /{s=$2} /^$/{ if (p != "") print p "\t" a "\t" s; p=""; s=""}')"
fi
`

var policyFileRe = regexp.MustCompile(`^\s*-?\d+\s+(\S.*)$`)

// runPackageFacts returns ansible_facts.packages in the shape of Ansible's
// apt backend: name -> [{name, version, arch, category, origin, source}].
func runPackageFacts(ctx context.Context, req *Request) (Result, error) {
	p, err := validate(&packageFactsSpec, req)
	if err != nil {
		return argFail(err)
	}
	managers := []string{}
	auto := false
	for _, m := range p.List("manager") {
		m = strings.ToLower(m)
		if m == "auto" {
			auto = true
			continue
		}
		managers = append(managers, m)
	}
	if auto {
		managers = append(managers, packageManagers...)
	}
	var unsupported []string
	for _, m := range managers {
		known := false
		for _, k := range packageManagers {
			if k == m {
				known = true
			}
		}
		if !known {
			unsupported = append(unsupported, m)
		}
	}
	if len(unsupported) > 0 {
		if auto {
			return fail(Result{}, "Could not auto detect a usable package manager, check warnings for details.")
		}
		return fail(Result{}, "Unsupported package managers requested: "+strings.Join(unsupported, ", "))
	}
	wantApt := false
	for _, m := range managers {
		if m == "apt" {
			wantApt = true
		}
	}
	reprList := func() string {
		q := make([]string, len(managers))
		for i, m := range managers {
			q[i] = "'" + m + "'"
		}
		return "[" + strings.Join(q, ", ") + "]"
	}
	if !wantApt {
		return fail(Result{}, fmt.Sprintf("Could not detect a supported package manager from the following list: %s, or the required Python library is not installed. Check warnings for details.", reprList()))
	}
	res, err := target(req).Run(ctx, packageFactsScript, nil)
	if err != nil {
		return nil, err
	}
	if strings.HasPrefix(string(res.Stdout), "NODPKG") {
		return fail(Result{}, fmt.Sprintf("Could not detect a supported package manager from the following list: %s, or the required Python library is not installed. Check warnings for details.", reprList()))
	}
	sec := map[string]string{}
	for _, l := range strings.Split(string(res.Stdout), "\n") {
		if k, v, ok := strings.Cut(l, "="); ok {
			b, _ := base64.StdEncoding.DecodeString(v)
			sec[k] = string(b)
		}
	}
	return Result{"changed": false, "ansible_facts": map[string]any{"packages": parsePackageFacts(sec)}}, nil
}

func parsePackageFacts(sec map[string]string) map[string]any {
	native := strings.TrimSpace(sec["ARCH"])
	// package file -> origin ("" for the dpkg status file)
	fileOrigin := map[string]string{}
	cur := ""
	for _, l := range strings.Split(sec["FILES"], "\n") {
		if m := policyFileRe.FindStringSubmatch(l); m != nil && !strings.HasPrefix(strings.TrimSpace(l), "release") {
			cur = strings.TrimSpace(m[1])
			fileOrigin[cur] = ""
			continue
		}
		t := strings.TrimSpace(l)
		if rel, ok := strings.CutPrefix(t, "release "); ok && cur != "" {
			for _, kv := range strings.Split(rel, ",") {
				if o, ok := strings.CutPrefix(kv, "o="); ok {
					fileOrigin[cur] = o
				}
			}
		}
	}
	// package -> origin of the first file of its installed version
	origin := map[string]string{}
	pkg, inInstalled := "", false
	for _, l := range strings.Split(sec["POLICY"], "\n") {
		if l != "" && l[0] != ' ' && strings.HasSuffix(l, ":") {
			pkg, inInstalled = strings.TrimSuffix(l, ":"), false
			continue
		}
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "*** ") {
			inInstalled = true
			continue
		}
		if inInstalled {
			if m := policyFileRe.FindStringSubmatch(l); m != nil && strings.HasPrefix(l, "        ") {
				if _, done := origin[pkg]; !done {
					origin[pkg] = fileOrigin[strings.TrimSpace(m[1])]
				}
				continue
			}
			inInstalled = false
		}
	}
	// the section apt's cache records for the installed version (the
	// repository's, which may differ from dpkg's)
	section := map[string]string{}
	for _, l := range strings.Split(sec["SECT"], "\n") {
		if f := strings.Split(l, "\t"); len(f) == 3 {
			if _, seen := section[f[0]+"\t"+f[1]]; !seen {
				section[f[0]+"\t"+f[1]] = f[2]
			}
		}
	}
	packages := map[string]any{}
	for _, l := range strings.Split(sec["LIST"], "\n") {
		f := strings.Split(l, "\t")
		if len(f) < 5 {
			continue
		}
		name := f[1]
		if f[3] != native && f[3] != "all" {
			name += ":" + f[3]
		}
		cat := f[4]
		if s, ok := section[f[1]+"\t"+f[3]]; ok && s != "" {
			cat = s
		}
		d := map[string]any{"name": name, "version": f[2], "arch": f[3], "category": cat, "origin": origin[name], "source": "apt"}
		if l, ok := packages[name].([]any); ok {
			packages[name] = append(l, d)
		} else {
			packages[name] = []any{d}
		}
	}
	return packages
}
