package facts

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Facts is one collector's facts, keyed without the "ansible_" prefix.
type Facts = map[string]any

func (o *Output) bins() map[string]bool {
	m := map[string]bool{}
	for _, l := range o.lines("bins") {
		i := strings.LastIndexByte(l, '/')
		m[l[i+1:]] = true
	}
	return m
}

func (o *Output) exists(p string) bool { return o.set("exists")[p] }

// Platform is the platform collector (uname, hostname, fqdn, machine id).
func (o *Output) Platform() Facts {
	u := strings.Split(o.Section("uname"), "\n")
	for len(u) < 6 {
		u = append(u, "")
	}
	f := Facts{"system": u[0], "kernel": u[1], "kernel_version": u[2], "machine": u[3]}
	node := u[4]
	f["nodename"] = node
	f["hostname"] = strings.Split(node, ".")[0]
	fqdn := node
	if words := strings.Fields(o.Section("fqdn")); len(words) >= 2 {
		fqdn = words[1]
		for _, n := range words[1:] {
			if strings.Contains(n, ".") {
				fqdn = n
				break
			}
		}
	}
	f["fqdn"] = fqdn
	if i := strings.IndexByte(fqdn, '.'); i >= 0 {
		f["domain"] = fqdn[i+1:]
	} else {
		f["domain"] = ""
	}
	bits := strings.TrimSpace(u[5])
	if bits == "" {
		bits = "64"
		if regexp.MustCompile(`^(i[3-6]86|armv[1-7])`).MatchString(u[3]) {
			bits = "32"
		}
	}
	f["userspace_bits"] = bits
	machine := u[3]
	switch {
	case machine == "x86_64":
		f["architecture"] = machine
		if bits == "64" {
			f["userspace_architecture"] = "x86_64"
		} else if bits == "32" {
			f["userspace_architecture"] = "i386"
		}
	case regexp.MustCompile(`i([3456]86|86pc)`).MatchString(machine):
		f["architecture"] = "i386"
		if bits == "64" {
			f["userspace_architecture"] = "x86_64"
		} else if bits == "32" {
			f["userspace_architecture"] = "i386"
		}
	default:
		f["architecture"] = machine
	}
	mid, _ := o.Content("/var/lib/dbus/machine-id", "")
	if mid == "" {
		mid, _ = o.Content("/etc/machine-id", "")
	}
	if mid != "" {
		f["machine_id"] = strings.Split(mid, "\n")[0]
	}
	return f
}

// osRelease parses an os-release file into lower-cased keys with quotes removed.
func osRelease(s string) map[string]string {
	m := map[string]string{}
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(l)
		k, v, ok := strings.Cut(l, "=")
		if !ok || strings.HasPrefix(l, "#") {
			continue
		}
		v = strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
			v = strings.NewReplacer(`\"`, `"`, `\$`, `$`, "\\`", "`", `\\`, `\`).Replace(v)
		}
		m[strings.ToLower(k)] = v
	}
	return m
}

var osFamily = func() map[string]string {
	groups := map[string][]string{
		"RedHat": {"RedHat", "RHEL", "Fedora", "CentOS", "Scientific", "SLC", "Ascendos", "CloudLinux", "PSBM", "OracleLinux", "OVS",
			"OEL", "Amazon", "Virtuozzo", "XenServer", "Alibaba", "EulerOS", "openEuler", "AlmaLinux", "Rocky", "TencentOS",
			"EuroLinux", "Kylin Linux Advanced Server"},
		"Debian": {"Debian", "Ubuntu", "Raspbian", "Neon", "KDE neon", "Linux Mint", "SteamOS", "Devuan", "Kali", "Cumulus Linux",
			"Pop!_OS", "Parrot", "Pardus GNU/Linux", "Uos", "Deepin", "OSMC"},
		"Suse":      {"SuSE", "SLES", "SLED", "openSUSE", "openSUSE Tumbleweed", "SLES_SAP", "SUSE_LINUX", "openSUSE Leap"},
		"Archlinux": {"Archlinux", "Antergos", "Manjaro"},
		"Mandrake":  {"Mandrake", "Mandriva"},
		"Solaris":   {"Solaris", "Nexenta", "OmniOS", "OpenIndiana", "SmartOS"},
		"Slackware": {"Slackware"}, "Altlinux": {"Altlinux"}, "SGML": {"SGML"}, "Gentoo": {"Gentoo", "Funtoo"},
		"Alpine": {"Alpine"}, "ClearLinux": {"Clear Linux OS", "Clear Linux Mix"},
	}
	m := map[string]string{}
	for fam, names := range groups {
		for _, n := range names {
			m[n] = fam
		}
	}
	return m
}()

func pyCapitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + strings.ToLower(s[1:])
}

// Distribution is the distribution collector (os-release based, as Ansible's
// DistributionFiles does for the Linux families octopus targets).
func (o *Output) Distribution() Facts {
	f := Facts{}
	osrText, ok := o.File("/etc/os-release")
	if !ok {
		osrText, _ = o.File("/usr/lib/os-release")
	}
	osr := osRelease(osrText)
	lsb := o.LSB()
	lsbMap, _ := lsb["lsb"].(map[string]any)
	lsbStr := func(k string) string { s, _ := lsbMap[k].(string); return s }
	id := strings.ToLower(osr["id"])
	if id == "" {
		id = strings.ToLower(strings.ReplaceAll(lsbStr("id"), " ", "_"))
	}
	switch id {
	case "ol":
		id = "oracle"
	case "opensuse-leap":
		id = "opensuse"
	}
	dist := pyCapitalize(id)
	switch dist {
	case "Amzn":
		dist = "Amazon"
	case "Rhel":
		dist = "Redhat"
	case "":
		dist = "OtherLinux"
	}
	version := osr["version_id"]
	if version == "" {
		version = lsbStr("release")
	}
	if id == "debian" {
		// distro's "best" version: the most precise of its sources; only a
		// system python3-distro (not Ansible's bundled copy) reads debian_version
		cands := []string{lsbStr("release")}
		if strings.TrimSpace(o.Section("pydistro")) != "" {
			cands = append(cands, strings.TrimSpace(firstLine(o.file("/etc/debian_version"))))
		}
		for _, cand := range cands {
			if regexp.MustCompile(`^[\d.]+$`).MatchString(cand) && strings.Count(cand, ".") > strings.Count(version, ".") {
				version = cand
			}
		}
	}
	codename, hasCode := osr["version_codename"]
	if !hasCode {
		codename, hasCode = osr["ubuntu_codename"]
	}
	if !hasCode && lsbStr("codename") != "" {
		codename, hasCode = lsbStr("codename"), true
	}
	if !hasCode {
		if m := regexp.MustCompile(`\((\S+?)\)`).FindStringSubmatch(osr["version"]); m != nil {
			codename, hasCode = m[1], true
		} else if m := regexp.MustCompile(`,\s*(\S+)`).FindStringSubmatch(osr["version"]); m != nil {
			codename, hasCode = m[1], true
		}
	}
	if version == "" {
		version = "NA"
	}
	release := "NA"
	if hasCode && codename != "" {
		release = codename
	}
	f["distribution"] = dist
	f["distribution_version"] = version
	f["distribution_release"] = release
	major := strings.Split(version, ".")[0]
	if major == "" {
		major = "NA"
	}
	f["distribution_major_version"] = major

	if raw, ok := o.File("/etc/os-release"); ok && strings.TrimSpace(raw) != "" {
		data := strings.Trim(strings.TrimSpace(raw), `'"\`)
		setFile := func(name string) {
			f["distribution"] = name
			f["distribution_file_path"] = "/etc/os-release"
			f["distribution_file_variety"] = name
			f["distribution_file_parsed"] = true
		}
		switch {
		case strings.Contains(data, "Debian") || strings.Contains(data, "Raspbian"):
			setFile("Debian")
			f["distribution"] = "Debian"
			if m := regexp.MustCompile(`PRETTY_NAME=[^(]+ \(?([^)]+?)\)`).FindStringSubmatch(data); m != nil {
				f["distribution_release"] = m[1]
			}
			for _, l := range strings.Split(o.file("/etc/debian_version"), "\n") {
				if m := regexp.MustCompile(`(\d+)\.(\d+)`).FindStringSubmatch(strings.TrimSpace(l)); m != nil {
					f["distribution_minor_version"] = m[2]
				}
			}
		case strings.Contains(data, "Ubuntu"):
			setFile("Debian")
			f["distribution"] = "Ubuntu"
		case strings.Contains(data, "Devuan"):
			setFile("Debian")
			f["distribution"] = "Devuan"
			if m := regexp.MustCompile(`PRETTY_NAME="?[^("]+ \(?([^) "]+)\)?`).FindStringSubmatch(data); m != nil {
				f["distribution_release"] = m[1]
			}
			if m := regexp.MustCompile(`VERSION_ID="(.*)"`).FindStringSubmatch(data); m != nil {
				f["distribution_version"], f["distribution_major_version"] = m[1], m[1]
			}
		case strings.Contains(data, "Mint"):
			setFile("Debian")
			f["distribution"] = "Linux Mint"
			if m := regexp.MustCompile(`VERSION_ID="(.*)"`).FindStringSubmatch(data); m != nil {
				f["distribution_version"], f["distribution_major_version"] = m[1], strings.Split(m[1], ".")[0]
			}
		default:
			// Ansible's last resort ("NA" variety): NAME= and VERSION= lines
			setFile("NA")
			f["distribution"] = dist
			for _, l := range strings.Split(data, "\n") {
				if m := regexp.MustCompile(`^NAME=(.*)`).FindStringSubmatch(l); m != nil && dist == "NA" {
					f["distribution"] = strings.Trim(m[1], `"`)
				}
				if m := regexp.MustCompile(`^VERSION=(.*)`).FindStringSubmatch(l); m != nil && version == "NA" {
					f["distribution_version"] = strings.Trim(strings.Fields(m[1])[0], `"`)
				}
			}
		}
	}
	d, _ := f["distribution"].(string)
	if fam, ok := osFamily[d]; ok {
		f["os_family"] = fam
	} else {
		f["os_family"] = d
	}
	return f
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

// LSB is the lsb collector.
func (o *Output) LSB() Facts {
	lsb := map[string]any{}
	if out, rc, ok := o.Cmd("lsb"); ok && rc == 0 {
		for _, line := range strings.Split(out, "\n") {
			k, v, found := strings.Cut(line, ":")
			if !found {
				continue
			}
			v = strings.TrimSpace(v)
			_ = k
			switch {
			case strings.Contains(line, "LSB Version:"):
				lsb["release"] = v
			case strings.Contains(line, "Distributor ID:"):
				lsb["id"] = v
			case strings.Contains(line, "Description:"):
				lsb["description"] = v
			case strings.Contains(line, "Release:"):
				lsb["release"] = v
			case strings.Contains(line, "Codename:"):
				lsb["codename"] = v
			}
		}
	}
	if len(lsb) == 0 {
		if data, ok := o.File("/etc/lsb-release"); ok {
			for _, line := range strings.Split(strings.TrimRight(data, "\n"), "\n") {
				_, v, found := strings.Cut(line, "=")
				if !found {
					continue
				}
				v = strings.TrimSpace(v)
				switch {
				case strings.Contains(line, "DISTRIB_ID"):
					lsb["id"] = v
				case strings.Contains(line, "DISTRIB_RELEASE"):
					lsb["release"] = v
				case strings.Contains(line, "DISTRIB_DESCRIPTION"):
					lsb["description"] = v
				case strings.Contains(line, "DISTRIB_CODENAME"):
					lsb["codename"] = v
				}
			}
		}
	}
	if r, ok := lsb["release"].(string); ok {
		lsb["major_release"] = strings.Split(r, ".")[0]
	}
	for k, v := range lsb {
		if s, ok := v.(string); ok && s != "" {
			lsb[k] = strings.Trim(s, `'"\`)
		}
	}
	return Facts{"lsb": lsb}
}

// Selinux is the selinux collector. Ansible reads SELinux through
// libselinux (ctypes): without that library it reports it missing;
// otherwise the kernel interface decides.
func (o *Output) Selinux() Facts {
	se := map[string]any{}
	if _, probed := o.Find("libselinux"); probed && strings.TrimSpace(o.Section("libselinux")) == "" {
		se["status"] = "Missing selinux Python library"
		return Facts{"selinux": se, "selinux_python_present": false}
	}
	if enf, ok := o.Content("/sys/fs/selinux/enforce", ""); ok {
		se["status"] = "enabled"
		if pv, ok := o.Content("/sys/fs/selinux/policyvers", ""); ok {
			if n, err := strconv.Atoi(pv); err == nil {
				se["policyvers"] = n
			} else {
				se["policyvers"] = "unknown"
			}
		} else {
			se["policyvers"] = "unknown"
		}
		modes := map[string]string{"1": "enforcing", "0": "permissive"}
		if m, ok := modes[enf]; ok {
			se["mode"] = m
		} else {
			se["mode"] = "unknown"
		}
		cfg := osRelease(o.file("/etc/selinux/config"))
		switch strings.ToLower(cfg["selinux"]) {
		case "enforcing", "permissive", "disabled":
			se["config_mode"] = strings.ToLower(cfg["selinux"])
		default:
			se["config_mode"] = "unknown"
		}
		if t := cfg["selinuxtype"]; t != "" {
			se["type"] = t
		} else {
			se["type"] = "unknown"
		}
	} else {
		se["status"] = "disabled"
	}
	return Facts{"selinux": se, "selinux_python_present": true}
}

// Apparmor is the apparmor collector.
func (o *Output) Apparmor() Facts {
	st := "disabled"
	if o.exists("/sys/kernel/security/apparmor") {
		st = "enabled"
	}
	return Facts{"apparmor": map[string]any{"status": st}}
}

// Chroot is the chroot collector.
func (o *Output) Chroot() Facts {
	l := strings.Split(o.Section("chroot"), "\n")
	for len(l) < 4 {
		l = append(l, "")
	}
	if l[0] != "" {
		return Facts{"is_chroot": true}
	}
	if l[2] != "fail" && l[2] != "" {
		return Facts{"is_chroot": l[1] != l[2]}
	}
	ino := 2
	if strings.Contains(l[3], "btrfs") {
		ino = 256
	} else if strings.Contains(l[3], "xfs") {
		ino = 128
	}
	parts := strings.Fields(l[1])
	if len(parts) == 2 {
		return Facts{"is_chroot": parts[1] != strconv.Itoa(ino)}
	}
	return Facts{"is_chroot": nil}
}

// Fips is the fips collector.
func (o *Output) Fips() Facts {
	d, _ := o.Content("/proc/sys/crypto/fips_enabled", "")
	return Facts{"fips": d == "1"}
}

// Caps is the caps collector (capsh --print).
func (o *Output) Caps() Facts {
	f := Facts{"system_capabilities_enforced": "N/A", "system_capabilities": "N/A"}
	out, rc, ok := o.Cmd("caps")
	if !ok || rc != 0 {
		return f
	}
	enforced := "NA"
	caps := []any{}
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(line, "Current:") {
			continue
		}
		if strings.TrimSpace(strings.Split(line, ":")[1]) == "=ep" {
			enforced = "False"
		} else {
			enforced = "True"
			caps = caps[:0]
			_, rest, _ := strings.Cut(line, "=")
			rest = strings.Split(rest, "=")[0]
			for _, c := range strings.Split(rest, ",") {
				caps = append(caps, strings.TrimSpace(c))
			}
		}
	}
	f["system_capabilities_enforced"] = enforced
	f["system_capabilities"] = caps
	return f
}

// PkgMgr is the pkg_mgr collector; it needs the distribution facts.
func (o *Output) PkgMgr(dist Facts) Facts {
	mgrs := [][2]string{{"/usr/bin/rpm-ostree", "atomic_container"}, {"/usr/bin/yum", "yum"}, {"/usr/bin/dnf", "dnf"},
		{"/usr/bin/apt-get", "apt"}, {"/usr/bin/zypper", "zypper"}, {"/usr/sbin/urpmi", "urpmi"}, {"/usr/bin/pacman", "pacman"},
		{"/bin/opkg", "opkg"}, {"/sbin/apk", "apk"}, {"/usr/bin/emerge", "portage"}, {"/usr/bin/xbps-install", "xbps"}, {"/usr/bin/swupd", "swupd"}}
	name := "unknown"
	for _, m := range mgrs {
		if o.exists(m[0]) {
			name = m[1]
		}
	}
	fam, _ := dist["os_family"].(string)
	switch fam {
	case "RedHat":
		if o.exists("/run/ostree-booted") {
			name = "atomic_container"
		} else if n, err := strconv.Atoi(fmt.Sprint(dist["distribution_major_version"])); err == nil && n < 8 && dist["distribution"] != "Fedora" && dist["distribution"] != "Amazon" {
			name = "yum"
		} else {
			name = "dnf"
		}
	case "Debian":
		name = "apt"
	}
	return Facts{"pkg_mgr": name}
}

// ServiceMgr is the service_mgr collector.
func (o *Output) ServiceMgr(platform Facts) Facts {
	procMap := map[string]string{"procd": "openwrt_init", "runit-init": "runit", "svscan": "svc", "openrc-init": "openrc"}
	p1, ok := o.Content("/proc/1/comm", "")
	if !ok {
		p1 = strings.TrimSpace(o.Section("sbininit"))
	}
	if i := strings.LastIndexByte(p1, '/'); i >= 0 {
		p1 = p1[i+1:]
	}
	p1 = strings.TrimSpace(p1)
	if p1 == "init" || strings.HasSuffix(p1, "sh") {
		p1 = ""
	}
	name := ""
	if p1 != "" {
		name = p1
		if m, ok := procMap[p1]; ok {
			name = m
		}
	} else if platform["system"] == "Linux" {
		b := o.bins()
		switch {
		case b["systemctl"] && (o.exists("/run/systemd/system") || o.exists("/dev/.run/systemd") || o.exists("/dev/.systemd")):
			name = "systemd"
		case b["initctl"] && o.exists("/etc/init"):
			name = "upstart"
		case o.exists("/sbin/openrc"):
			name = "openrc"
		case b["systemctl"] && strings.HasSuffix(strings.TrimSpace(o.Section("sbininit")), "systemd"):
			name = "systemd"
		case o.exists("/etc/init.d"):
			name = "sysvinit"
		}
	}
	if name == "" {
		name = "service"
	}
	return Facts{"service_mgr": name}
}

// splitPosixFalse is Python's shlex.split(data, posix=False): whitespace
// separated words where quoted runs keep their quotes.
func splitPosixFalse(s string) []string {
	var out []string
	var b strings.Builder
	in := false
	var quote rune
	for _, r := range s {
		switch {
		case quote != 0:
			b.WriteRune(r)
			if r == quote {
				quote = 0
			}
		case r == '"' || r == '\'':
			quote = r
			b.WriteRune(r)
			in = true
		case r == ' ' || r == '\t' || r == '\n' || r == '\r':
			if in {
				out = append(out, b.String())
				b.Reset()
				in = false
			}
		default:
			b.WriteRune(r)
			in = true
		}
	}
	if in {
		out = append(out, b.String())
	}
	return out
}

// Cmdline is the cmdline collector.
func (o *Output) Cmdline() Facts {
	data, _ := o.Content("/proc/cmdline", "")
	if data == "" {
		return Facts{}
	}
	c1, c2 := map[string]any{}, map[string]any{}
	for _, piece := range splitPosixFalse(data) {
		k, v, ok := strings.Cut(piece, "=")
		if !ok {
			c1[k], c2[k] = true, true
			continue
		}
		c1[k] = v
		switch old := c2[k].(type) {
		case nil:
			c2[k] = v
		case []any:
			c2[k] = append(old, v)
		default:
			c2[k] = []any{old, v}
		}
	}
	return Facts{"cmdline": c1, "proc_cmdline": c2}
}

// DateTime is the date_time collector, computed from the target's clock and zone.
func (o *Output) DateTime() Facts {
	lines := strings.Split(o.Section("date"), "\n")
	for len(lines) < 3 {
		lines = append(lines, "")
	}
	parts := strings.Split(lines[0], "|")
	for len(parts) < 3 {
		parts = append(parts, "")
	}
	var sec, nsec int64
	if f := strings.Fields(parts[0]); len(f) >= 1 {
		sec, _ = strconv.ParseInt(f[0], 10, 64)
		if len(f) == 2 {
			nsec, _ = strconv.ParseInt(f[1], 10, 64)
		}
	}
	tz := parts[1]
	off := parseOffset(parts[2])
	loc := time.FixedZone(tz, off)
	t := time.Unix(sec, nsec)
	now := t.In(loc)
	utc := t.UTC()
	// tz_dst is the zone's daylight-saving name (time.tzname[1]): the
	// larger-offset name of January and July, or the standard one.
	dst := tz
	a, b := strings.Fields(lines[1]), strings.Fields(lines[2])
	if len(a) == 2 && len(b) == 2 {
		oa, ob := parseOffset(a[1]), parseOffset(b[1])
		switch {
		case oa > ob:
			dst = a[0]
		case ob > oa:
			dst = b[0]
		default:
			dst = a[0]
		}
	}
	_, week := now.ISOWeek()
	_ = week
	yday := now.YearDay()
	wd := int(now.Weekday())
	// %W: week number with Monday as the first day of the week
	weekMon := (yday + 7 - ((wd + 6) % 7)) / 7
	micro := fmt.Sprintf("%06d", now.Nanosecond()/1000)
	return Facts{"date_time": map[string]any{
		"year": now.Format("2006"), "month": now.Format("01"), "weekday": now.Weekday().String(),
		"weekday_number": strconv.Itoa(wd), "weeknumber": fmt.Sprintf("%02d", weekMon),
		"day": now.Format("02"), "hour": now.Format("15"), "minute": now.Format("04"), "second": now.Format("05"),
		"epoch": strconv.FormatInt(sec, 10), "epoch_int": strconv.FormatInt(sec, 10),
		"date": now.Format("2006-01-02"), "time": now.Format("15:04:05"),
		"iso8601_micro": utc.Format("2006-01-02T15:04:05.") + micro + "Z",
		"iso8601":       utc.Format("2006-01-02T15:04:05Z"),
		"iso8601_basic": now.Format("20060102T150405") + micro, "iso8601_basic_short": now.Format("20060102T150405"),
		"tz": tz, "tz_dst": dst, "tz_offset": parts[2],
	}}
}

func parseOffset(s string) int {
	s = strings.TrimSpace(s)
	if len(s) != 5 {
		return 0
	}
	h, _ := strconv.Atoi(s[1:3])
	m, _ := strconv.Atoi(s[3:5])
	off := h*3600 + m*60
	if s[0] == '-' {
		off = -off
	}
	return off
}

// Env is the env collector.
func (o *Output) Env() Facts {
	env := map[string]any{}
	raw := o.Section("env")
	sep := "\x00"
	if !strings.Contains(raw, sep) {
		sep = "\n"
	}
	for _, kv := range strings.Split(raw, sep) {
		k, v, ok := strings.Cut(kv, "=")
		if ok && k != "" {
			env[k] = v
		}
	}
	return Facts{"env": env}
}

// LoadAvg is the loadavg collector.
func (o *Output) LoadAvg() Facts {
	d, _ := o.Content("/proc/loadavg", "")
	f := strings.Fields(d)
	if len(f) < 3 {
		return Facts{}
	}
	la := map[string]any{}
	for i, k := range []string{"1m", "5m", "15m"} {
		v, _ := strconv.ParseFloat(f[i], 64)
		la[k] = v
	}
	return Facts{"loadavg": la}
}

// SSHPubKeys is the ssh_pub_keys collector.
func (o *Output) SSHPubKeys() Facts {
	f := Facts{}
	for _, dir := range []string{"/etc/ssh", "/etc/openssh", "/etc"} {
		for _, algo := range []string{"dsa", "rsa", "ecdsa", "ed25519"} {
			name := "ssh_host_key_" + algo + "_public"
			if _, ok := f[name]; ok {
				return f
			}
			if data, ok := o.Content(dir+"/ssh_host_"+algo+"_key.pub", ""); ok {
				w := strings.Fields(data)
				if len(w) >= 2 {
					f[name] = w[1]
					f[name+"_keytype"] = w[0]
				}
			}
		}
	}
	return f
}

// User is the user collector.
func (o *Output) User() Facts {
	ids := strings.Fields(o.Section("ids"))
	for len(ids) < 4 {
		ids = append(ids, "-1")
	}
	atoi := func(s string) int { n, _ := strconv.Atoi(s); return n }
	pl := strings.Split(o.Section("pwent"), "\n")
	user := pl[0]
	f := Facts{"user_id": user}
	if len(pl) > 1 {
		p := strings.Split(pl[1], ":")
		if len(p) >= 7 {
			f["user_uid"] = atoi(p[2])
			f["user_gid"] = atoi(p[3])
			f["user_gecos"] = p[4]
			f["user_dir"] = p[5]
			f["user_shell"] = p[6]
		}
	}
	f["real_user_id"] = atoi(ids[2])
	f["effective_user_id"] = atoi(ids[0])
	f["real_group_id"] = atoi(ids[3])
	f["effective_group_id"] = atoi(ids[3]) // Ansible reports getgid() here
	return f
}

// DNS is the dns collector.
func (o *Output) DNS() Facts {
	dns := map[string]any{}
	data, _ := o.File("/etc/resolv.conf")
	for _, line := range strings.Split(data, "\n") {
		if strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";") || strings.TrimSpace(line) == "" {
			continue
		}
		tok := strings.Fields(line)
		switch tok[0] {
		case "nameserver":
			ns, _ := dns["nameservers"].([]any)
			for _, t := range tok[1:] {
				ns = append(ns, t)
			}
			if ns == nil {
				ns = []any{}
			}
			dns["nameservers"] = ns
		case "domain":
			if len(tok) > 1 {
				dns["domain"] = tok[1]
			}
		case "search", "sortlist":
			l := []any{}
			for _, t := range tok[1:] {
				l = append(l, t)
			}
			dns[tok[0]] = l
		case "options":
			opts := map[string]any{}
			for _, t := range tok[1:] {
				k, v, ok := strings.Cut(t, ":")
				if ok && v != "" {
					opts[k] = v
				} else {
					opts[k] = true
				}
			}
			dns["options"] = opts
		}
	}
	return Facts{"dns": dns}
}

// Iscsi, Nvme and FcWwn are the storage-initiator collectors.
func (o *Output) Iscsi() Facts {
	data, _ := o.File("/etc/iscsi/initiatorname.iscsi")
	line := firstPrefixedLine(data, "InitiatorName=")
	return Facts{"iscsi_iqn": strings.TrimPrefix(line, "InitiatorName=")}
}

// Nvme is the nvme collector.
func (o *Output) Nvme() Facts {
	data, _ := o.File("/etc/nvme/hostnqn")
	return Facts{"hostnqn": firstPrefixedLine(data, "nqn.")}
}

// firstPrefixedLine returns, with trailing blanks trimmed, the first line of
// data that starts with prefix, skipping blank and #/; comment lines ("" when
// there is none).
func firstPrefixedLine(data, prefix string) string {
	for _, line := range strings.Split(data, "\n") {
		if strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";") || strings.TrimSpace(line) == "" {
			continue
		}
		if strings.HasPrefix(line, prefix) {
			return strings.TrimRight(line, " \t\r")
		}
	}
	return ""
}

// FcWwn is the fibre_channel_wwn collector.
func (o *Output) FcWwn() Facts {
	l := []any{}
	for _, line := range o.lines("fcwwn") {
		line = strings.TrimRight(line, " \t\r")
		if len(line) > 2 {
			l = append(l, line[2:])
		} else {
			l = append(l, "")
		}
	}
	return Facts{"fibre_channel_wwn": l}
}

func sortedAny(set map[string]bool) []any {
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]any, len(keys))
	for i, k := range keys {
		out[i] = k
	}
	return out
}
