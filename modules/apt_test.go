package modules

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"octopus/engine/connection/local"
)

func aptFixtures(t *testing.T) (map[string]DpkgStatus, map[string]*AptPolicy) {
	t.Helper()
	p, err := os.ReadFile("testdata/apt/policy.txt")
	if err != nil {
		t.Fatal(err)
	}
	d, err := os.ReadFile("testdata/apt/dpkg.txt")
	if err != nil {
		t.Fatal(err)
	}
	return ParseDpkgQuery(string(d)), ParseAptPolicy(string(p))
}

func TestParseAptPolicyAndDpkg(t *testing.T) {
	d, pol := aptFixtures(t)
	curl := pol["curl"]
	if curl == nil || curl.Installed != "7.88.1-10+deb12u14" || curl.Candidate != "7.88.1-10+deb12u15" ||
		!reflect.DeepEqual(curl.Versions, []string{"7.88.1-10+deb12u15", "7.88.1-10+deb12u14", "7.88.1-10+deb12u5"}) {
		t.Errorf("curl = %+v", curl)
	}
	if m := pol["mail-transport-agent"]; m == nil || len(m.Versions) != 0 || m.Candidate != "" {
		t.Errorf("virtual = %+v", m)
	}
	if _, ok := pol["nosuchpkgzz"]; ok {
		t.Error("unknown package parsed")
	}
	if !d["libc6"].Installed || !d["libc6:amd64"].Installed || d["libc6"].Version != "2.36-9+deb12u14" {
		t.Errorf("libc6 = %+v", d["libc6"])
	}
	if d["sl"].Installed || !d["sl"].HasFiles {
		t.Errorf("config-files package = %+v", d["sl"])
	}
	b, _ := os.ReadFile("testdata/apt/showpkg-mta.txt")
	prov := ParseReverseProvides(string(b))
	if len(prov) != 11 || prov[0] != "ssmtp" || prov[10] != "courier-mta" {
		t.Errorf("providers = %v", prov)
	}
}

func TestPkgSplit(t *testing.T) {
	for _, c := range [][4]string{{"foo", "foo", "", ""}, {"foo=1.0", "foo", "=", "1.0"}, {"foo>=1.0", "foo", ">=", "1.0"}, {"foo=1.*", "foo", "=", "1.*"}} {
		n, cmp, v := aptPkgSplit(c[0])
		if n != c[1] || cmp != c[2] || v != c[3] {
			t.Errorf("%s -> %q %q %q", c[0], n, cmp, v)
		}
	}
}

func TestPlanAptInstall(t *testing.T) {
	d, pol := aptFixtures(t)
	// a package known to apt but not installed
	pol["nginx"] = &AptPolicy{Candidate: "1.22.1-9", Versions: []string{"1.22.1-9", "1.18.0-6"}}
	prov := map[string][]string{"mail-transport-agent": {"ssmtp", "postfix"}, "nosuchpkgzz": nil}
	cases := []struct {
		specs              []string
		latest, onlyUp     bool
		list               []string
		fail               string
		virt               []string
		withProvidersKnown bool
	}{
		{specs: []string{"curl"}}, // installed: nothing to do
		{specs: []string{"curl"}, latest: true, list: []string{"'curl=7.88.1-10+deb12u15'"}}, // newer candidate
		{specs: []string{"nginx"}, list: []string{"'nginx=1.22.1-9'"}},
		{specs: []string{"nginx=1.18*"}, list: []string{"'nginx=1.18.0-6'"}},
		{specs: []string{"nginx=9.9"}, fail: "no available installation candidate for nginx=9.9"},
		{specs: []string{"nginx"}, onlyUp: true},
		{specs: []string{"curl=7.88.1-10+deb12u5"}, list: []string{"'curl=7.88.1-10+deb12u5'"}}, // downgrade pin
		{specs: []string{"curl=7.88.*"}, list: []string{"'curl=7.88.*'"}},                       // Ansible's reinstall quirk
		{specs: []string{"curl>=7.0"}},
		{specs: []string{"curl>=7.0"}, latest: true, list: []string{"'curl=7.88.1-10+deb12u15'"}},
		{specs: []string{"libc6", "nginx"}, list: []string{"'nginx=1.22.1-9'"}},
		{specs: []string{"mail-transport-agent"}, virt: []string{"mail-transport-agent"}},
		{specs: []string{"mail-transport-agent"}, withProvidersKnown: true, list: []string{"'mail-transport-agent'"}},
		{specs: []string{"nosuchpkgzz"}, withProvidersKnown: true, fail: "No package matching 'nosuchpkgzz' is available"},
	}
	for _, c := range cases {
		pv := map[string][]string{}
		if c.withProvidersKnown {
			pv = prov
		}
		plan := PlanAptInstall(c.specs, d, pol, c.latest, c.onlyUp, false, pv)
		if !reflect.DeepEqual(plan.List, c.list) || plan.Fail != c.fail || !reflect.DeepEqual(plan.Virt, c.virt) {
			t.Errorf("%v latest=%v only_upgrade=%v: got %+v", c.specs, c.latest, c.onlyUp, plan)
		}
	}
}

func TestAptParseDiff(t *testing.T) {
	out := "Reading package lists...\nBuilding dependency tree...\nReading state information...\nThe following NEW packages will be installed:\n  sl\n0 upgraded, 1 newly installed, 0 to remove and 3 not upgraded.\nInst sl (5.02-1+b1 Debian:12.11/stable [amd64])\n"
	got := aptParseDiff(out)["prepared"]
	want := "The following NEW packages will be installed:\n  sl\n0 upgraded, 1 newly installed, 0 to remove and 3 not upgraded."
	if got != want {
		t.Errorf("prepared = %q", got)
	}
}

func TestShellGlob(t *testing.T) {
	for in, want := range map[string]string{"python3-*": "python3-*", "lib[!x]c?": "lib[!x]c?", "a b": `a\ b`, "a;b": `a\;b`} {
		if got := shellGlob(in); got != want {
			t.Errorf("shellGlob(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestAptCheckModeLocal drives the whole module on this machine in check
// mode only (apt-get --simulate; nothing is installed or removed).
func TestAptCheckModeLocal(t *testing.T) {
	if _, err := os.Stat("/usr/bin/apt-get"); err != nil {
		t.Skip("apt-get not installed")
	}
	if os.Geteuid() != 0 {
		t.Skip("apt-get --simulate of removals needs root")
	}
	m, _ := Lookup("apt")
	run := func(args map[string]any) Result {
		r, err := m.Run(t.Context(), &Request{Args: args, Conn: local.New(), CheckMode: true, DiffMode: true})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	r := run(map[string]any{"name": "dpkg"})
	if r["changed"] != false || r["cache_updated"] != false || r["cache_update_time"] == nil {
		t.Errorf("installed package: %v", r)
	}
	r = run(map[string]any{"name": "sl"})
	if r["changed"] != true || !strings.Contains(r["stdout"].(string), "Inst sl") {
		t.Errorf("simulated install: %v", r)
	} else if d, _ := r["diff"].(map[string]any); !strings.Contains(d["prepared"].(string), "sl") {
		t.Errorf("diff = %v", r["diff"])
	}
	r = run(map[string]any{"name": "nosuchpkgzz-octopus"})
	if r["msg"] != "No package matching 'nosuchpkgzz-octopus' is available" {
		t.Errorf("unknown package: %v", r)
	}
	r = run(map[string]any{"name": "curl", "state": "absent"})
	if r["changed"] != true {
		t.Errorf("simulated removal: %v", r)
	}
	r = run(map[string]any{"update_cache": true})
	if r["changed"] != true || r["cache_updated"] != true {
		t.Errorf("check-mode cache update: %v", r)
	}
	r = run(map[string]any{"name": []any{"dpkg", "bogus=1=2"}})
	if r["msg"] != "invalid package spec: bogus=1=2" {
		t.Errorf("bad spec: %v", r)
	}
}

func TestPackageDispatch(t *testing.T) {
	m, _ := Lookup("package")
	r, err := m.Run(t.Context(), &Request{Args: map[string]any{"name": "x", "use": "nosuchmgr"}, Conn: local.New()})
	if err != nil || r["msg"] != "Could not find a module for nosuchmgr." {
		t.Errorf("unknown manager: %v %v", r, err)
	}
	if _, err := os.Stat("/usr/bin/apt-get"); err != nil {
		t.Skip("apt-get not installed")
	}
	// pkg_mgr from a fact gathering on the target (apt here), arguments as apt's
	r, err = m.Run(t.Context(), &Request{Args: map[string]any{"name": "dpkg", "state": "present"}, Conn: local.New(), CheckMode: true})
	if err != nil || r["changed"] != false || r["cache_updated"] != false {
		t.Errorf("package via apt: %v %v", r, err)
	}
	r, _ = m.Run(t.Context(), &Request{Args: map[string]any{"name": "dpkg", "state": "bogus"}, Conn: local.New(), Vars: map[string]any{"ansible_facts": map[string]any{"pkg_mgr": "apt"}}})
	if r["msg"] != "value of state must be one of: absent, build-dep, fixed, latest, present, got: bogus" {
		t.Errorf("apt validation through package: %v", r)
	}
}
