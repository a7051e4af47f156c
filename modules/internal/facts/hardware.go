package facts

import (
	"regexp"
	"strconv"
	"strings"
)

// Hardware is the Linux hardware collector: cpu, memory, dmi, block
// devices, uptime, lvm and mounts.
func (o *Output) Hardware(platform Facts) Facts {
	f := Facts{}
	for _, part := range []Facts{o.cpu(platform), o.memory(), o.dmi(), o.devices(), o.uptime(), o.lvm(), o.mounts()} {
		for k, v := range part {
			f[k] = v
		}
	}
	return f
}

func (o *Output) cpu(platform Facts) Facts {
	f := Facts{}
	data, ok := o.File("/proc/cpuinfo")
	if !ok {
		return f
	}
	xen := o.exists("/proc/xen")
	if !xen {
		if t, ok := o.File("/sys/hypervisor/type"); ok && strings.TrimSpace(firstLine(t)) == "xen" {
			xen = true
		}
	}
	xenPV := false
	procs := []any{}
	i, vendorN, modelN, procN := 0, 0, 0, 0
	physid, coreid := "0", "0"
	// Python dicts keep insertion order; the first value is what Ansible reads.
	var sockKeys, coreKeys []string
	sockets, cores := map[string]int{}, map[string]int{}
	setSock := func(k string, v int) {
		if _, ok := sockets[k]; !ok {
			sockKeys = append(sockKeys, k)
		}
		sockets[k] = v
	}
	setCore := func(k string, v int) {
		if _, ok := cores[k]; !ok {
			coreKeys = append(coreKeys, k)
		}
		cores[k] = v
	}
	for _, line := range strings.Split(strings.TrimRight(data, "\n"), "\n") {
		key, val, _ := strings.Cut(line, ":")
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		if xen && key == "flags" && !strings.Contains(val, "vme") {
			xenPV = true
		}
		switch key {
		case "model name", "Processor", "vendor_id", "cpu", "Vendor", "processor":
			procs = append(procs, val)
			switch key {
			case "vendor_id":
				vendorN++
			case "model name":
				modelN++
			case "processor":
				procN++
			}
			i++
		case "physical id":
			physid = val
			if _, ok := sockets[physid]; !ok {
				setSock(physid, 1)
			}
		case "core id":
			coreid = val
			if _, ok := sockets[coreid]; !ok {
				setCore(coreid, 1)
			}
		case "cpu cores":
			n, _ := strconv.Atoi(val)
			setSock(physid, n)
		case "siblings":
			n, _ := strconv.Atoi(val)
			setCore(coreid, n)
		case "# processors":
			n, _ := strconv.Atoi(val)
			f["processor_cores"] = n
		case "ncpus active":
			i, _ = strconv.Atoi(val)
		}
	}
	f["processor"] = procs
	if vendorN > 0 && vendorN == modelN {
		i = vendorN
	}
	arch, _ := platform["architecture"].(string)
	if strings.HasPrefix(arch, "armv") || strings.HasPrefix(arch, "aarch") || strings.HasPrefix(arch, "ppc") {
		i = procN
	}
	if arch == "s390x" {
		return f
	}
	if xenPV {
		f["processor_count"], f["processor_cores"], f["processor_threads_per_core"], f["processor_vcpus"] = i, i, 1, i
		return f
	}
	count := i
	if len(sockets) > 0 {
		count = len(sockets)
	}
	coresPer := 1
	if len(sockKeys) > 0 && sockets[sockKeys[0]] != 0 {
		coresPer = sockets[sockKeys[0]]
	}
	tpc := 1 / coresPer
	if len(coreKeys) > 0 {
		tpc = cores[coreKeys[0]] / coresPer
	}
	f["processor_count"] = count
	f["processor_cores"] = coresPer
	f["processor_threads_per_core"] = tpc
	f["processor_vcpus"] = tpc * count * coresPer
	f["processor_nproc"] = procN
	if out, rc, ok := o.Cmd("nproc"); ok && rc == 0 {
		if n, err := strconv.Atoi(strings.TrimSpace(out)); err == nil {
			f["processor_nproc"] = n
		}
	}
	return f
}

func (o *Output) memory() Facts {
	f := Facts{}
	data, ok := o.File("/proc/meminfo")
	if !ok {
		return f
	}
	orig := map[string]bool{"MemTotal": true, "SwapTotal": true, "MemFree": true, "SwapFree": true}
	extra := map[string]bool{"Buffers": true, "Cached": true, "SwapCached": true}
	stats := map[string]any{}
	for _, line := range strings.Split(data, "\n") {
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		n, err := strconv.Atoi(strings.Split(strings.TrimSpace(val), " ")[0])
		if err != nil {
			continue
		}
		if orig[key] {
			f[strings.ToLower(key)+"_mb"] = n / 1024
		}
		if orig[key] || extra[key] {
			stats[strings.ToLower(key)] = n / 1024
		}
	}
	get := func(k string) (int, bool) { n, ok := stats[k].(int); return n, ok }
	if t, ok1 := get("memtotal"); ok1 {
		if fr, ok2 := get("memfree"); ok2 {
			stats["real:used"] = t - fr
		}
	}
	if c, ok1 := get("cached"); ok1 {
		if fr, ok2 := get("memfree"); ok2 {
			if b, ok3 := get("buffers"); ok3 {
				stats["nocache:free"] = c + fr + b
			}
		}
	}
	if t, ok1 := get("memtotal"); ok1 {
		if nf, ok2 := get("nocache:free"); ok2 {
			stats["nocache:used"] = t - nf
		}
	}
	if t, ok1 := get("swaptotal"); ok1 {
		if fr, ok2 := get("swapfree"); ok2 {
			stats["swap:used"] = t - fr
		}
	}
	f["memory_mb"] = map[string]any{
		"real":    map[string]any{"total": stats["memtotal"], "used": stats["real:used"], "free": stats["memfree"]},
		"nocache": map[string]any{"free": stats["nocache:free"], "used": stats["nocache:used"]},
		"swap":    map[string]any{"total": stats["swaptotal"], "free": stats["swapfree"], "used": stats["swap:used"], "cached": stats["swapcached"]},
	}
	return f
}

var formFactors = []string{"Unknown", "Other", "Unknown", "Desktop",
	"Low Profile Desktop", "Pizza Box", "Mini Tower", "Tower",
	"Portable", "Laptop", "Notebook", "Hand Held", "Docking Station",
	"All In One", "Sub Notebook", "Space-saving", "Lunch Box",
	"Main Server Chassis", "Expansion Chassis", "Sub Chassis",
	"Bus Expansion Chassis", "Peripheral Chassis", "RAID Chassis",
	"Rack Mount Chassis", "Sealed-case PC", "Multi-system",
	"CompactPCI", "AdvancedTCA", "Blade", "Blade Enclosure",
	"Tablet", "Convertible", "Detachable", "IoT Gateway",
	"Embedded PC", "Mini PC", "Stick PC"}

var dmiKeys = [][3]string{
	{"bios_date", "bios_date", "bios-release-date"}, {"bios_vendor", "bios_vendor", "bios-vendor"},
	{"bios_version", "bios_version", "bios-version"}, {"board_asset_tag", "board_asset_tag", "baseboard-asset-tag"},
	{"board_name", "board_name", "baseboard-product-name"}, {"board_serial", "board_serial", "baseboard-serial-number"},
	{"board_vendor", "board_vendor", "baseboard-manufacturer"}, {"board_version", "board_version", "baseboard-version"},
	{"chassis_asset_tag", "chassis_asset_tag", "chassis-asset-tag"}, {"chassis_serial", "chassis_serial", "chassis-serial-number"},
	{"chassis_vendor", "chassis_vendor", "chassis-manufacturer"}, {"chassis_version", "chassis_version", "chassis-version"},
	{"form_factor", "chassis_type", "chassis-type"}, {"product_name", "product_name", "system-product-name"},
	{"product_serial", "product_serial", "system-serial-number"}, {"product_uuid", "product_uuid", "system-uuid"},
	{"product_version", "product_version", "system-version"}, {"system_vendor", "sys_vendor", "system-manufacturer"},
}

func (o *Output) dmi() Facts {
	f := Facts{}
	sysfs := o.exists("/sys/devices/virtual/dmi/id/product_name")
	for _, k := range dmiKeys {
		if sysfs {
			data, ok := o.Content("/sys/devices/virtual/dmi/id/"+k[1], "")
			if !ok {
				f[k[0]] = "NA"
				continue
			}
			if k[0] == "form_factor" {
				n, err := strconv.Atoi(data)
				if err == nil && n >= 0 && n < len(formFactors) {
					f[k[0]] = formFactors[n]
				} else {
					f[k[0]] = "unknown (" + data + ")"
				}
				continue
			}
			f[k[0]] = data
			continue
		}
		out, rc, ok := o.Cmd("dmi:" + k[2])
		if !ok || rc != 0 {
			f[k[0]] = "NA"
			continue
		}
		var b strings.Builder
		for _, l := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
			if !strings.HasPrefix(l, "#") {
				b.WriteString(l)
			}
		}
		f[k[0]] = b.String()
	}
	return f
}

func (o *Output) uptime() Facts {
	d, _ := o.Content("/proc/uptime", "")
	if d == "" {
		return Facts{}
	}
	v, err := strconv.ParseFloat(strings.Split(d, " ")[0], 64)
	if err != nil {
		return Facts{}
	}
	return Facts{"uptime_seconds": int(v)}
}

func (o *Output) lvm() Facts {
	out, _, ok := o.Cmd("vgs")
	if !ok {
		return Facts{"lvm": "N/A"}
	}
	split := func(s string) [][]string {
		var rows [][]string
		for _, l := range strings.Split(s, "\n") {
			if strings.TrimSpace(l) == "" {
				continue
			}
			rows = append(rows, strings.Split(strings.TrimSpace(l), ","))
		}
		return rows
	}
	vgs, lvs, pvs := map[string]any{}, map[string]any{}, map[string]any{}
	for _, it := range split(out) {
		if len(it) >= 4 {
			vgs[it[0]] = map[string]any{"size_g": it[len(it)-2], "free_g": it[len(it)-1], "num_lvs": it[2], "num_pvs": it[1]}
		}
	}
	if s, _, ok := o.Cmd("lvs"); ok {
		for _, it := range split(s) {
			if len(it) >= 4 {
				lvs[it[0]] = map[string]any{"size_g": it[3], "vg": it[1]}
			}
		}
	}
	if s, _, ok := o.Cmd("pvs"); ok {
		for _, it := range split(s) {
			if len(it) >= 6 {
				pvs[it[0]] = map[string]any{"size_g": it[4], "free_g": it[5], "vg": it[1]}
			}
		}
	}
	return Facts{"lvm": map[string]any{"lvs": lvs, "vgs": vgs, "pvs": pvs}}
}

var octalEscape = regexp.MustCompile(`\\[0-7]{3}`)

func unescapeOctal(s string) string {
	return octalEscape.ReplaceAllStringFunc(s, func(m string) string {
		n, _ := strconv.ParseUint(m[1:], 8, 8)
		return string(rune(n))
	})
}

func (o *Output) mounts() Facts {
	mtab, ok := o.File("/etc/mtab")
	if !ok {
		mtab, _ = o.File("/proc/mounts")
	}
	binds := map[string]bool{}
	if out, rc, ok := o.Cmd("findmnt"); ok && rc == 0 {
		for _, l := range strings.Split(out, "\n") {
			w := strings.Fields(l)
			if len(w) >= 2 && strings.HasSuffix(w[1], "]") {
				binds[w[0]] = true
			}
		}
	}
	uuids := map[string]string{}
	if out, rc, ok := o.Cmd("lsblk"); ok && rc == 0 {
		for _, l := range strings.Split(out, "\n") {
			w := strings.Fields(strings.TrimSpace(l))
			if len(w) < 2 {
				continue
			}
			dev := strings.Join(w[:len(w)-1], " ")
			if _, seen := uuids[dev]; !seen {
				uuids[dev] = w[len(w)-1]
			}
		}
	}
	stats := map[string][]string{}
	for _, l := range strings.Split(o.Section("statvfs"), "\n") {
		m, s, ok := strings.Cut(l, "\t")
		if ok {
			stats[m] = strings.Fields(s)
		}
	}
	mounts := []any{}
	for _, line := range strings.Split(mtab, "\n") {
		raw := strings.Fields(line)
		if len(raw) < 4 {
			continue
		}
		rawMount := raw[1]
		fields := make([]string, len(raw))
		for i, x := range raw {
			fields[i] = unescapeOctal(x)
		}
		dev, mnt, fstype, opts := fields[0], fields[1], fields[2], fields[3]
		if (!strings.HasPrefix(dev, "/") && !strings.HasPrefix(dev, `\`) && !strings.Contains(dev, ":/")) || fstype == "none" {
			continue
		}
		if binds[mnt] && !strings.Contains(opts, "bind") {
			opts += ",bind"
		}
		m := map[string]any{"mount": mnt, "device": dev, "fstype": fstype, "options": opts}
		if st := stats[rawMount]; len(st) == 6 {
			n := make([]int64, 6)
			for i, s := range st {
				n[i], _ = strconv.ParseInt(s, 10, 64)
			}
			frsize, bsize, blocks, bavail, files, ffree := n[0], n[1], n[2], n[3], n[4], n[5]
			m["size_total"] = frsize * blocks
			m["size_available"] = frsize * bavail
			m["block_size"] = bsize
			m["block_total"] = blocks
			m["block_available"] = bavail
			m["block_used"] = blocks - bavail
			m["inode_total"] = files
			m["inode_available"] = ffree
			m["inode_used"] = files - ffree
		}
		uuid := uuids[dev]
		if uuid == "" {
			uuid = "N/A"
		}
		m["uuid"] = uuid
		mounts = append(mounts, m)
	}
	return Facts{"mounts": mounts}
}
