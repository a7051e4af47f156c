package facts

import (
	"fmt"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// bytesToHuman is Ansible's bytes_to_human ("256.00 GB", "0.00 Bytes").
func bytesToHuman(size float64) string {
	units := []struct {
		s string
		l float64
	}{{"Y", 1 << 80}, {"Z", 1 << 70}, {"E", 1 << 60}, {"P", 1 << 50}, {"T", 1 << 40}, {"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}, {"B", 1}}
	for _, u := range units {
		if size >= u.l {
			if u.l == 1 {
				return fmt.Sprintf("%.2f Bytes", size)
			}
			return fmt.Sprintf("%.2f %sB", size/u.l, u.s)
		}
	}
	return fmt.Sprintf("%.2f Bytes", size)
}

// devices is the block-device part of the hardware collector (devices,
// device_links). Serial numbers come from sysfs (sg_inq is not used).
func (o *Output) devices() Facts {
	if _, ok := o.Find("blockdevs"); !ok {
		return Facts{}
	}
	links := map[string]map[string][]string{"ids": {}, "uuids": {}, "labels": {}, "masters": {}}
	kinds := map[string]string{"by-id": "ids", "by-uuid": "uuids", "by-label": "labels"}
	wwn := map[string]string{}
	for _, l := range o.lines("disklinks") {
		f := strings.SplitN(l, "\t", 3)
		if len(f) != 3 || f[2] == "" {
			continue
		}
		target := path.Base(f[2])
		k := kinds[f[0]]
		links[k][target] = append(links[k][target], f[1])
		if f[0] == "by-id" && strings.HasPrefix(f[1], "wwn-") {
			wwn[target] = f[1][4:]
		}
	}
	for _, l := range o.lines("slaves") {
		e := strings.Split(l, "/")
		if len(e) >= 6 {
			links["masters"][e[5]] = append(links["masters"][e[5]], e[3])
		}
	}
	linkFacts := map[string]any{}
	for k, m := range links {
		d := map[string]any{}
		for t, v := range m {
			sort.Strings(v)
			v = uniqSorted(v)
			l := make([]any, len(v))
			for i, x := range v {
				l[i] = x
			}
			d[t] = l
		}
		linkFacts[k] = d
	}
	linksFor := func(name string) map[string]any {
		d := map[string]any{}
		for k, m := range links {
			l := []any{}
			for _, x := range uniqSorted(m[name]) {
				l = append(l, x)
			}
			d[k] = l
		}
		return d
	}
	uuidOf := map[string]string{}
	for _, l := range o.lines("uuidreal") {
		if u, real, ok := strings.Cut(l, "\t"); ok {
			if _, seen := uuidOf[real]; !seen {
				uuidOf[real] = u
			}
		}
	}
	lspci, _, _ := o.Cmd("lspci")
	devs := map[string]any{}
	for _, name := range o.lines("blockdevs") {
		kv := map[string]string{}
		var holders []any
		var parts []string
		pkv := map[string]map[string]string{}
		pholders := map[string][]any{}
		for _, l := range strings.Split(o.Section("blk "+name), "\n") {
			f := strings.Split(l, "\t")
			switch {
			case len(f) == 2:
				kv[f[0]] = strings.TrimSpace(f[1])
			case len(f) == 3 && f[0] == "holder":
				if strings.HasPrefix(f[1], "dm-") {
					if n := strings.TrimSpace(f[2]); n != "" {
						holders = append(holders, n)
					} else {
						holders = append(holders, f[1])
					}
				}
			case len(f) == 2 && f[0] == "part":
			case len(f) == 4 && f[0] == "p":
				if pkv[f[1]] == nil {
					pkv[f[1]] = map[string]string{}
				}
				pkv[f[1]][f[2]] = strings.TrimSpace(f[3])
			case len(f) == 4 && f[0] == "pholder":
				if strings.HasPrefix(f[2], "dm-") {
					n := strings.TrimSpace(f[3])
					if n == "" {
						n = f[2]
					}
					pholders[f[1]] = append(pholders[f[1]], n)
				}
			}
			if len(f) == 2 && f[0] == "part" {
				parts = append(parts, f[1])
			}
		}
		val := func(k string) any {
			if v, ok := kv[k]; ok {
				return v
			}
			return nil
		}
		d := map[string]any{"virtual": 1, "links": linksFor(name)}
		for _, k := range []string{"vendor", "model", "sas_address", "sas_device_handle"} {
			d[k] = val("device/" + k)
		}
		if s, ok := kv["device/serial"]; ok && s != "" {
			d["serial"] = s
		}
		d["removable"] = val("removable")
		d["support_discard"] = val("queue/discard_granularity")
		if w, ok := wwn[name]; ok {
			d["wwn"] = w
		}
		partitions := map[string]any{}
		re := regexp.MustCompile("(" + regexp.QuoteMeta(name) + `[p]?\d+)`)
		for _, folder := range parts {
			m := re.FindStringSubmatch(folder)
			if m == nil {
				continue
			}
			pn := m[1]
			pk := pkv[pn]
			get := func(k string, def any) any {
				if v, ok := pk[k]; ok {
					return v
				}
				return def
			}
			part := map[string]any{"links": linksFor(pn), "start": get("start", 0), "sectors": get("size", 0)}
			ss := get("queue/logical_block_size", nil)
			if ss == nil || ss == "" {
				ss = get("queue/hw_sector_size", 512)
			}
			part["sectorsize"] = ss
			sectors, _ := strconv.ParseFloat(fmt.Sprint(part["sectors"]), 64)
			part["size"] = bytesToHuman(sectors * 512)
			if u, ok := uuidOf["/dev/"+pn]; ok {
				part["uuid"] = u
			} else {
				part["uuid"] = nil
			}
			ph := pholders[pn]
			if ph == nil {
				ph = []any{}
			}
			part["holders"] = ph
			partitions[pn] = part
		}
		d["partitions"] = partitions
		d["rotational"] = val("queue/rotational")
		d["scheduler_mode"] = ""
		if sch, ok := kv["queue/scheduler"]; ok {
			if m := regexp.MustCompile(`.*?(\[(.*)\])`).FindStringSubmatch(sch); m != nil {
				d["scheduler_mode"] = m[2]
			}
		}
		var sectors any = 0
		if v := kv["size"]; v != "" {
			sectors = v
		}
		d["sectors"] = sectors
		var ss any = kv["queue/logical_block_size"]
		if ss == "" {
			if v, ok := kv["queue/hw_sector_size"]; ok && v != "" {
				ss = v
			} else {
				ss = 512
			}
		}
		d["sectorsize"] = ss
		n, _ := strconv.ParseFloat(fmt.Sprint(sectors), 64)
		d["size"] = bytesToHuman(n * 512)
		d["host"] = ""
		sysdir := path.Join("/sys/block", kv["link"])
		if kv["link"] == "" {
			sysdir = "/sys/block/" + name
		}
		if m := regexp.MustCompile(`.+/([a-f0-9]{4}:[a-f0-9]{2}:[0|1][a-f0-9]\.[0-7])/`).FindStringSubmatch("/sys/block/" + kv["link"]); m != nil && lspci != "" {
			if h := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(m[1]) + `\s(.*)$`).FindStringSubmatch(lspci); h != nil {
				d["host"] = h[1]
			}
		}
		_ = sysdir
		if holders == nil {
			holders = []any{}
		}
		d["holders"] = holders
		devs[name] = d
	}
	return Facts{"devices": devs, "device_links": linkFacts}
}

func uniqSorted(v []string) []string {
	var out []string
	for i, x := range v {
		if i == 0 || x != v[i-1] {
			out = append(out, x)
		}
	}
	return out
}
