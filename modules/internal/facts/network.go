package facts

import (
	"encoding/binary"
	"net"
	"regexp"
	"strconv"
	"strings"
)

var interfaceTypes = map[string]string{"1": "ether", "32": "infiniband", "512": "ppp", "772": "loopback", "65534": "tunnel"}

// Network is the Linux network collector (needs `ip` on the target, as Ansible's does).
// It returns the interface names in directory order as well.
func (o *Output) Network() Facts {
	f := Facts{}
	if !o.bins()["ip"] {
		return f
	}
	def4 := defaultRoute(o, "route4", "8.8.8.8")
	def6 := defaultRoute(o, "route6", "2404:6800:400a:800::1012")
	all4, all6 := []any{}, []any{}
	ifaces := map[string]map[string]any{}
	var order []string
	add := func(name string) map[string]any {
		if m, ok := ifaces[name]; ok {
			return m
		}
		m := map[string]any{}
		ifaces[name] = m
		order = append(order, name)
		return m
	}
	for _, dev := range o.ifaces {
		it := add(dev)
		for k := range it {
			delete(it, k)
		}
		it["device"] = dev
		kv := map[string]string{}
		var brif []any
		for _, l := range strings.Split(o.Section("iface "+dev), "\n") {
			k, v, ok := strings.Cut(l, "\t")
			if !ok {
				continue
			}
			if k == "brif" {
				brif = append(brif, v)
				continue
			}
			kv[k] = v
		}
		macaddress, hasMac := kv["address"]
		if hasMac && macaddress != "" && macaddress != "00:00:00:00:00:00" {
			it["macaddress"] = macaddress
		}
		if v, ok := kv["mtu"]; ok {
			it["mtu"], _ = strconv.Atoi(v)
		}
		if v, ok := kv["operstate"]; ok {
			it["active"] = v != "down"
		} else if _, ok := kv["operstate!"]; ok {
			it["active"] = true
		}
		if v, ok := kv["module"]; ok {
			it["module"] = v
		}
		if v, ok := kv["type"]; ok {
			if t, ok := interfaceTypes[v]; ok {
				it["type"] = t
			} else {
				it["type"] = "unknown"
			}
		}
		if _, ok := kv["bridge"]; ok {
			it["type"] = "bridge"
			if brif == nil {
				brif = []any{}
			}
			it["interfaces"] = brif
			if v, ok := kv["bridge_id"]; ok {
				it["id"] = v
			}
			if v, ok := kv["stp_state"]; ok {
				it["stp"] = v == "1"
			}
		}
		if _, ok := kv["bonding"]; ok {
			it["type"] = "bonding"
			sl := []any{}
			for _, s := range strings.Fields(kv["bond_slaves"]) {
				sl = append(sl, s)
			}
			it["slaves"] = sl
			first := func(s string) string {
				if w := strings.Fields(s); len(w) > 0 {
					return w[0]
				}
				return ""
			}
			it["mode"], it["miimon"], it["lacp_rate"] = first(kv["bond_mode"]), first(kv["bond_miimon"]), first(kv["bond_lacp_rate"])
			if p := kv["bond_primary"]; p != "" {
				it["primary"] = p
				it["all_slaves_active"] = kv["bond_all_slaves_active"] == "1"
			}
		}
		if v, ok := kv["perm_macaddress"]; ok {
			it["perm_macaddress"] = v
		}
		if v, ok := kv["pciid"]; ok {
			it["pciid"] = v
		}
		if v, ok := kv["speed"]; ok {
			if n, err := strconv.Atoi(v); err == nil {
				it["speed"] = n
			}
		}
		if v, ok := kv["flags"]; ok {
			n, _ := strconv.ParseInt(strings.TrimPrefix(v, "0x"), 16, 64)
			it["promisc"] = n&0x0100 > 0
		}
		parse := func(out string, secondary bool) {
			for _, line := range strings.Split(out, "\n") {
				w := strings.Fields(line)
				if len(w) == 0 {
					continue
				}
				switch w[0] {
				case "inet":
					address, plen, bcast := w[1], "32", ""
					if a, p, ok := strings.Cut(w[1], "/"); ok {
						address, plen = a, p
						if len(w) > 3 && w[2] == "brd" {
							bcast = w[3]
						}
					}
					ip := net.ParseIP(address).To4()
					if ip == nil {
						continue
					}
					pl, _ := strconv.Atoi(plen)
					mask := uint32(0)
					if pl > 0 {
						mask = ^uint32(0) << (32 - uint(pl))
					}
					ab := binary.BigEndian.Uint32(ip)
					nm, nw := make(net.IP, 4), make(net.IP, 4)
					binary.BigEndian.PutUint32(nm, mask)
					binary.BigEndian.PutUint32(nw, ab&mask)
					entry := func() map[string]any {
						return map[string]any{"address": address, "broadcast": bcast, "netmask": nm.String(), "network": nw.String(), "prefix": plen}
					}
					iface := w[len(w)-1]
					var target map[string]any
					if iface != dev {
						target = map[string]any{}
						if _, exists := ifaces[iface]; !exists {
							order = append(order, iface)
						}
						ifaces[iface] = target
					} else {
						target = it
					}
					if _, has := target["ipv4"]; !secondary && !has {
						target["ipv4"] = entry()
					} else {
						l, _ := target["ipv4_secondaries"].([]any)
						target["ipv4_secondaries"] = append(l, entry())
					}
					if secondary {
						l, _ := it["ipv4_secondaries"].([]any)
						if l == nil {
							l = []any{}
						}
						if dev != iface {
							l = append(l, entry())
						}
						it["ipv4_secondaries"] = l
					}
					if a, ok := def4["address"]; ok && a == address {
						def4["broadcast"], def4["netmask"], def4["network"], def4["prefix"] = bcast, nm.String(), nw.String(), plen
						def4["macaddress"] = macaddress
						def4["mtu"] = it["mtu"]
						if t, ok := it["type"]; ok {
							def4["type"] = t
						} else {
							def4["type"] = "unknown"
						}
						def4["alias"] = iface
					}
					if !strings.HasPrefix(address, "127.") {
						all4 = append(all4, address)
					}
				case "inet6":
					if len(w) < 4 {
						continue
					}
					var address, prefix, scope string
					if w[2] == "peer" && len(w) > 5 {
						address = w[1]
						_, prefix, _ = strings.Cut(w[3], "/")
						scope = w[5]
					} else {
						address, prefix, _ = strings.Cut(w[1], "/")
						scope = w[3]
					}
					l, _ := it["ipv6"].([]any)
					it["ipv6"] = append(l, map[string]any{"address": address, "prefix": prefix, "scope": scope})
					if a, ok := def6["address"]; ok && a == address {
						def6["prefix"], def6["scope"], def6["macaddress"], def6["mtu"] = prefix, scope, macaddress, it["mtu"]
						if t, ok := it["type"]; ok {
							def6["type"] = t
						} else {
							def6["type"] = "unknown"
						}
					}
					if address != "::1" {
						all6 = append(all6, address)
					}
				}
			}
		}
		if out, rc, ok := o.Cmd("primary " + dev); ok && rc == 0 {
			parse(out, false)
		}
		if out, rc, ok := o.Cmd("secondary " + dev); ok && rc == 0 {
			parse(out, true)
		}
		if out, rc, ok := o.Cmd("ethtool-k " + dev); ok && rc == 0 {
			feats := map[string]any{}
			for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
				if line == "" || strings.HasSuffix(line, ":") {
					continue
				}
				k, v, ok := strings.Cut(line, ": ")
				if !ok || v == "" {
					continue
				}
				feats[strings.ReplaceAll(strings.TrimSpace(k), "-", "_")] = strings.TrimSpace(v)
			}
			it["features"] = feats
		}
		if out, rc, ok := o.Cmd("ethtool-T " + dev); ok && rc == 0 {
			ts, filt := []any{}, []any{}
			for _, m := range regexp.MustCompile(`SOF_TIMESTAMPING_(\w+)`).FindAllStringSubmatch(out, -1) {
				ts = append(ts, strings.ToLower(m[1]))
			}
			for _, m := range regexp.MustCompile(`HWTSTAMP_FILTER_(\w+)`).FindAllStringSubmatch(out, -1) {
				filt = append(filt, strings.ToLower(m[1]))
			}
			it["timestamping"], it["hw_timestamp_filters"] = ts, filt
			if m := regexp.MustCompile(`PTP Hardware Clock: (\d+)`).FindStringSubmatch(out); m != nil {
				it["phc_index"], _ = strconv.Atoi(m[1])
			}
		}
	}
	names := []any{}
	for _, n := range order {
		key := strings.ReplaceAll(n, ":", "_")
		names = append(names, key)
		f[key] = ifaces[n]
	}
	f["interfaces"] = names
	f["default_ipv4"] = def4
	f["default_ipv6"] = def6
	f["all_ipv4_addresses"] = all4
	f["all_ipv6_addresses"] = all6
	return f
}

func defaultRoute(o *Output, name, dest string) map[string]any {
	m := map[string]any{}
	out, _, ok := o.Cmd(name)
	if !ok || out == "" {
		return m
	}
	w := strings.Fields(firstLine(out))
	if len(w) == 0 || w[0] != dest {
		return m
	}
	for i := 0; i < len(w)-1; i++ {
		switch {
		case w[i] == "dev":
			m["interface"] = w[i+1]
		case w[i] == "src":
			m["address"] = w[i+1]
		case w[i] == "via" && w[i+1] != dest:
			m["gateway"] = w[i+1]
		}
	}
	return m
}
