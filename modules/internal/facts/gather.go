// Package facts gathers Ansible's setup facts from a Linux target with one
// shell round trip: a POSIX script prints /proc, /sys and command output in
// sections, and Go code turns them into the facts Ansible's collectors
// return, with Ansible's names and shapes (keys here carry no "ansible_"
// prefix; the setup module adds it).
package facts

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"octopus/engine/connection"
)

// Collectors lists the collector names octopus knows, in Ansible's order.
var Collectors = []string{"platform", "distribution", "lsb", "selinux", "apparmor", "chroot", "fips",
	"python", "caps", "pkg_mgr", "service_mgr", "cmdline", "date_time", "env", "loadavg", "ssh_pub_keys", "user",
	"virtual", "hardware", "dns", "fibre_channel_wwn", "network", "iscsi", "nvme", "local", "facter", "ohai"}

// MinimalSubset is the setup module's minimal_gather_subset.
var MinimalSubset = []string{"apparmor", "caps", "cmdline", "date_time", "distribution", "dns", "env", "fips",
	"local", "lsb", "pkg_mgr", "platform", "python", "selinux", "service_mgr", "ssh_pub_keys", "user"}

// factIDs maps each fact id that may be named in gather_subset to its collector.
var factIDs = map[string]string{
	"architecture": "platform", "kernel": "platform", "kernel_version": "platform", "machine": "platform",
	"machine_id": "platform", "python_version": "platform", "system": "platform",
	"distribution_major_version": "distribution", "distribution_release": "distribution",
	"distribution_version": "distribution", "os_family": "distribution",
	"devices": "hardware", "mounts": "hardware", "processor": "hardware", "processor_cores": "hardware", "processor_count": "hardware",
	"all_ipv4_addresses": "network", "all_ipv6_addresses": "network", "default_ipv4": "network", "default_ipv6": "network", "interfaces": "network",
	"virtualization_role": "virtual", "virtualization_tech_guest": "virtual", "virtualization_tech_host": "virtual", "virtualization_type": "virtual",
	"user_dir": "user", "user_gecos": "user", "user_gid": "user", "user_id": "user", "user_shell": "user", "user_uid": "user",
	"effective_group_ids": "user", "effective_user_id": "user", "real_user_id": "user",
	"system_capabilities": "caps", "system_capabilities_enforced": "caps", "is_chroot": "chroot",
	"ssh_host_pub_keys": "ssh_pub_keys", "ssh_host_key_dsa_public": "ssh_pub_keys", "ssh_host_key_rsa_public": "ssh_pub_keys",
	"ssh_host_key_ecdsa_public": "ssh_pub_keys", "ssh_host_key_ed25519_public": "ssh_pub_keys",
}

// deps are the collectors another one needs (Ansible's required_facts).
var deps = map[string][]string{
	"network": {"distribution", "platform"}, "hardware": {"platform"}, "service_mgr": {"platform", "distribution"},
	"pkg_mgr": {"distribution"}, "virtual": {"platform"},
}

// ResolveSubset turns gather_subset into the set of collectors to run, with
// Ansible's error text for an unknown subset.
func ResolveSubset(subset []string) (map[string]bool, error) {
	valid := map[string]bool{}
	aliases := map[string][]string{}
	for _, c := range Collectors {
		valid[c] = true
	}
	for id, c := range factIDs {
		valid[id] = true
		aliases[c] = append(aliases[c], id)
	}
	min := map[string]bool{}
	for _, m := range MinimalSubset {
		min[m] = true
	}
	if len(subset) == 0 {
		subset = []string{"all"}
	}
	add, excl, explicit := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, s := range append([]string{"min"}, subset...) {
		switch {
		case s == "min":
			for m := range min {
				add[m] = true
			}
		case s == "all":
			for v := range valid {
				add[v] = true
			}
		case strings.HasPrefix(s, "!"):
			x := s[1:]
			switch x {
			case "min":
				for m := range min {
					excl[m] = true
				}
			case "all":
				for v := range valid {
					if !min[v] {
						excl[v] = true
					}
				}
			default:
				for _, a := range aliases[x] {
					excl[a] = true
				}
				excl[x] = true
			}
		default:
			if !valid[s] {
				names := make([]string, 0, len(valid))
				for v := range valid {
					names = append(names, v)
				}
				sort.Strings(names)
				return nil, fmt.Errorf("Bad subset '%s' given to Ansible. gather_subset options allowed: all, %s", s, strings.Join(names, ", "))
			}
			explicit[s] = true
			add[s] = true
		}
	}
	if len(add) == 0 {
		for v := range valid {
			add[v] = true
		}
	}
	for e := range excl {
		if !explicit[e] {
			delete(add, e)
		}
	}
	out := map[string]bool{}
	for a := range add {
		if c, ok := factIDs[a]; ok {
			out[c] = true
		} else if valid[a] {
			out[a] = true
		}
	}
	for changed := true; changed; {
		changed = false
		for c := range out {
			for _, d := range deps[c] {
				if !out[d] {
					out[d] = true
					changed = true
				}
			}
		}
	}
	return out, nil
}

// Result is what Gather found: facts (no prefix) and Ansible-style warnings.
type Result struct {
	Facts    map[string]any
	Order    []string // collector names in Ansible's order, each with its fact names
	ByColl   map[string]Facts
	Warnings []string
}

// Gather runs the probe script on conn and builds the facts of the selected
// collectors.
func Gather(ctx context.Context, conn connection.Conn, opts connection.ExecOptions, sel map[string]bool, factPath string) (*Result, error) {
	parts := Parts{Hardware: sel["hardware"], Network: sel["network"], Virtual: sel["virtual"]}
	if sel["local"] {
		parts.FactPath = factPath
	}
	res, err := conn.Exec(ctx, Script(parts), opts)
	if err != nil {
		return nil, err
	}
	o := ParseOutput(string(res.Stdout))
	return Build(o, sel, factPath), nil
}

// Build computes the facts of the selected collectors from parsed output.
func Build(o *Output, sel map[string]bool, factPath string) *Result {
	r := &Result{Facts: map[string]any{}, ByColl: map[string]Facts{}}
	platform := o.Platform()
	dist := o.Distribution()
	for _, c := range Collectors {
		if !sel[c] {
			continue
		}
		var f Facts
		switch c {
		case "platform":
			f = platform
		case "distribution":
			f = dist
		case "lsb":
			f = o.LSB()
		case "selinux":
			f = o.Selinux()
		case "apparmor":
			f = o.Apparmor()
		case "chroot":
			f = o.Chroot()
		case "fips":
			f = o.Fips()
		case "caps":
			f = o.Caps()
		case "pkg_mgr":
			f = o.PkgMgr(dist)
		case "service_mgr":
			f = o.ServiceMgr(platform)
		case "cmdline":
			f = o.Cmdline()
		case "date_time":
			f = o.DateTime()
		case "env":
			f = o.Env()
		case "loadavg":
			f = o.LoadAvg()
		case "ssh_pub_keys":
			f = o.SSHPubKeys()
		case "user":
			f = o.User()
		case "virtual":
			f = o.Virtual()
		case "hardware":
			f = o.Hardware(platform)
		case "dns":
			f = o.DNS()
		case "fibre_channel_wwn":
			f = o.FcWwn()
		case "network":
			f = o.Network()
		case "iscsi":
			f = o.Iscsi()
		case "nvme":
			f = o.Nvme()
		case "local":
			var w []string
			f, w = o.Local(factPath)
			r.Warnings = append(r.Warnings, w...)
		default:
			continue // python, facter, ohai: nothing without those tools
		}
		r.Order = append(r.Order, c)
		r.ByColl[c] = f
		for k, v := range f {
			r.Facts[k] = v
		}
	}
	return r
}
