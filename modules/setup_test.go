package modules

import (
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"octopus/engine/connection/local"
	"octopus/engine/value"
)

// ansibleAdhoc runs `ansible localhost -m MODULE -a ARGS` and returns the
// module result parsed from the "host | STATUS => {...}" line.
func sysAnsibleAdhoc(t *testing.T, module, args string) map[string]any {
	t.Helper()
	if _, err := exec.LookPath("ansible"); err != nil {
		t.Skip("ansible-playbook not installed (ansible binary missing)")
	}
	out, _ := exec.Command("ansible", "localhost", "-m", module, "-a", args).Output()
	s := string(out)
	i := strings.Index(s, "=> ")
	if i < 0 {
		t.Fatalf("unexpected ansible output: %s", s)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(s[i+3:]), &m); err != nil {
		t.Fatalf("parse ansible output: %v\n%s", err, s)
	}
	return m
}

func factsPlain(v any) any {
	switch x := v.(type) {
	case *value.Dict:
		m := map[string]any{}
		for _, k := range x.Keys() {
			e, _ := x.Get(k)
			m[k] = factsPlain(e)
		}
		return m
	case map[string]any:
		m := map[string]any{}
		for k, e := range x {
			m[k] = factsPlain(e)
		}
		return m
	case Result:
		return factsPlain(map[string]any(x))
	case []any:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = factsPlain(e)
		}
		return l
	}
	return v
}

func factsNormJSON(t *testing.T, v any) any {
	b, err := json.Marshal(factsPlain(v))
	if err != nil {
		t.Fatal(err)
	}
	var out any
	json.Unmarshal(b, &out)
	return out
}

func factsKeys(m map[string]any) []string {
	var k []string
	for x := range m {
		k = append(k, x)
	}
	sort.Strings(k)
	return k
}

// TestSetupAgainstAnsible compares octopus's setup with Ansible's on this
// machine, fact by fact.
func TestSetupAgainstAnsible(t *testing.T) {
	factPath, _ := filepath.Abs("testdata/factsd")
	theirs := sysAnsibleAdhoc(t, "setup", "fact_path="+factPath)["ansible_facts"].(map[string]any)
	m, _ := Lookup("setup")
	res, err := m.Run(context.Background(), &Request{Args: map[string]any{"fact_path": factPath}, Conn: local.New()})
	if err != nil {
		t.Fatal(err)
	}
	ours := factsNormJSON(t, res["ansible_facts"]).(map[string]any)
	// facts octopus does not produce: no Python on targets; block devices not gathered
	absent := map[string]bool{"ansible_python": true, "ansible_python_version": true}
	// values that change between two runs: compare their shape only
	volatile := map[string]bool{"ansible_date_time": true, "ansible_loadavg": true, "ansible_memfree_mb": true,
		"ansible_memory_mb": true, "ansible_uptime_seconds": true, "ansible_env": true, "ansible_swapfree_mb": true}
	matched, shape := 0, 0
	// test fleets of concurrent tests add and remove bridges and veths
	// (oct*) on this machine between the two runs: leave them out
	fleetNet := func(v any) any {
		l, ok := v.([]any)
		if !ok {
			return v
		}
		out := []any{}
		for _, e := range l {
			s, _ := e.(string)
			if !strings.HasPrefix(s, "oct") && !strings.HasPrefix(s, "fe80:") && !strings.HasPrefix(s, "10.77.") {
				out = append(out, e)
			}
		}
		return out
	}
	for _, k := range []string{"ansible_interfaces", "ansible_all_ipv4_addresses", "ansible_all_ipv6_addresses"} {
		theirs[k], ours[k] = fleetNet(theirs[k]), fleetNet(ours[k])
	}
	for k := range theirs {
		if strings.HasPrefix(k, "ansible_oct") {
			delete(theirs, k)
		}
	}
	for k := range ours {
		if strings.HasPrefix(k, "ansible_oct") {
			delete(ours, k)
		}
	}
	for _, k := range factsKeys(theirs) {
		tv := theirs[k]
		ov, ok := ours[k]
		switch {
		case absent[k]:
			if ok {
				t.Errorf("%s: unexpectedly present", k)
			}
			continue
		case !ok:
			t.Errorf("%s: missing (ansible: %v)", k, tv)
			continue
		case volatile[k]:
			if tm, isMap := tv.(map[string]any); isMap {
				om, _ := ov.(map[string]any)
				if k != "ansible_env" && !reflect.DeepEqual(factsKeys(tm), factsKeys(om)) {
					t.Errorf("%s: keys %v, ansible %v", k, factsKeys(om), factsKeys(tm))
				}
			} else if reflect.TypeOf(tv) != reflect.TypeOf(ov) {
				t.Errorf("%s: type %T, ansible %T", k, ov, tv)
			}
			shape++
			continue
		case k == "ansible_interfaces" || k == "ansible_virtualization_tech_guest" || k == "ansible_virtualization_tech_host" || k == "ansible_all_ipv6_addresses" || k == "ansible_all_ipv4_addresses":
			// Python builds these from a dict's keys or a set: order varies run to run
			a, b := factsStrings(tv), factsStrings(ov)
			if !reflect.DeepEqual(a, b) {
				t.Errorf("%s: %v, ansible %v", k, b, a)
			}
		case k == "ansible_mounts":
			// sizes move between runs; everything else must agree
			strip := func(v any) any {
				l, _ := v.([]any)
				var out []any
				for _, e := range l {
					em := map[string]any{}
					for kk, vv := range e.(map[string]any) {
						if !strings.Contains(kk, "available") && !strings.Contains(kk, "used") {
							em[kk] = vv
						}
					}
					out = append(out, em)
				}
				return out
			}
			if !reflect.DeepEqual(strip(tv), strip(ov)) {
				t.Errorf("%s:\n ours %v\n ansible %v", k, strip(ov), strip(tv))
			}
		default:
			if !reflect.DeepEqual(tv, ov) {
				t.Errorf("%s: %v, ansible %v", k, ov, tv)
				continue
			}
		}
		matched++
	}
	for _, k := range factsKeys(ours) {
		if _, ok := theirs[k]; !ok {
			t.Errorf("%s: extra fact %v", k, ours[k])
		}
	}
	t.Logf("setup vs ansible: %d facts equal, %d volatile facts same shape, %d of ansible's %d facts absent by design",
		matched, shape, len(absent), len(theirs))
}

func factsStrings(v any) []string {
	l, _ := v.([]any)
	out := make([]string, len(l))
	for i, e := range l {
		out[i], _ = e.(string)
	}
	sort.Strings(out)
	return out
}

func TestSetupFilterAndSubset(t *testing.T) {
	for _, args := range []string{"gather_subset=!all filter=ansible_l*", "gather_subset=!all,!min,network filter=*ipv4*", "filter=ansible_local", "gather_subset=bogus"} {
		theirs := sysAnsibleAdhoc(t, "setup", args)
		m, _ := Lookup("setup")
		a := map[string]any{}
		for _, kv := range strings.Fields(args) {
			k, v, _ := strings.Cut(kv, "=")
			a[k] = v
		}
		res, err := m.Run(context.Background(), &Request{Args: a, Conn: local.New()})
		if err != nil {
			t.Fatal(err)
		}
		ours := factsNormJSON(t, res).(map[string]any)
		if theirs["msg"] != nil || ours["msg"] != nil {
			if theirs["msg"] != ours["msg"] {
				t.Errorf("%s: msg %q, ansible %q", args, ours["msg"], theirs["msg"])
			}
			continue
		}
		tf, of := theirs["ansible_facts"].(map[string]any), ours["ansible_facts"].(map[string]any)
		if !reflect.DeepEqual(factsKeys(tf), factsKeys(of)) {
			t.Errorf("%s: keys %v, ansible %v", args, factsKeys(of), factsKeys(tf))
		}
	}
}
