package facts

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"octopus/engine/value"
)

func fixture(t *testing.T, name string) *Output {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return ParseOutput(string(b))
}

// raw builds script output from "header" -> content pairs.
func raw(sections ...string) string {
	var b strings.Builder
	for i := 0; i+1 < len(sections); i += 2 {
		b.WriteString("\n@@@ " + sections[i] + "\n" + sections[i+1])
	}
	b.WriteString("\n@@@ end\n")
	return b.String()
}

func all() map[string]bool {
	m := map[string]bool{}
	for _, c := range Collectors {
		m[c] = true
	}
	return m
}

func dig(v any, path ...string) any {
	for _, p := range path {
		switch m := v.(type) {
		case map[string]any:
			v = m[p]
		case *value.Dict:
			v, _ = m.Get(p)
		default:
			return nil
		}
	}
	return v
}

func TestDebianFixture(t *testing.T) {
	r := Build(fixture(t, "debian12-vm.out"), all(), "/etc/ansible/facts.d")
	f := r.Facts
	want := map[string]any{
		"distribution": "Debian", "distribution_version": "12.11", "distribution_major_version": "12",
		"distribution_minor_version": "11", "distribution_release": "bookworm", "os_family": "Debian",
		"distribution_file_path": "/etc/os-release", "distribution_file_variety": "Debian", "distribution_file_parsed": true,
		"system": "Linux", "kernel": "6.18.44-fc-v657", "machine": "x86_64", "architecture": "x86_64",
		"userspace_bits": "64", "userspace_architecture": "x86_64", "hostname": "vm", "nodename": "vm", "fqdn": "localhost", "domain": "",
		"machine_id": "3d1219c7c4c5404aaa1f6d2a48adfda4", "pkg_mgr": "apt", "service_mgr": "process_api",
		"processor_count": 1, "processor_cores": 2, "processor_threads_per_core": 1, "processor_vcpus": 2, "processor_nproc": 2,
		"memtotal_mb": 24105, "swaptotal_mb": 0, "virtualization_type": "docker", "virtualization_role": "guest",
		"is_chroot": false, "fips": false, "user_id": "root", "user_uid": 0, "user_dir": "/root", "user_shell": "/bin/bash",
		"product_name": "NA", "form_factor": "NA", "lvm": "N/A", "iscsi_iqn": "", "hostnqn": "",
		"system_capabilities_enforced": "True",
	}
	for k, v := range want {
		if !reflect.DeepEqual(f[k], v) {
			t.Errorf("%s = %#v, want %#v", k, f[k], v)
		}
	}
	checks := []struct {
		path []string
		want any
	}{
		{[]string{"default_ipv4", "address"}, "192.0.2.2"},
		{[]string{"default_ipv4", "gateway"}, "192.0.2.1"},
		{[]string{"default_ipv4", "netmask"}, "255.255.255.0"},
		{[]string{"default_ipv4", "network"}, "192.0.2.0"},
		{[]string{"default_ipv4", "broadcast"}, "192.0.2.255"},
		{[]string{"default_ipv4", "macaddress"}, "02:fc:00:00:00:01"},
		{[]string{"default_ipv4", "mtu"}, 1400},
		{[]string{"default_ipv4", "type"}, "ether"},
		{[]string{"default_ipv4", "alias"}, "eth0"},
		{[]string{"default_ipv6", "address"}, "fd00::2"},
		{[]string{"default_ipv6", "scope"}, "global"},
		{[]string{"lo", "ipv4", "netmask"}, "255.0.0.0"},
		{[]string{"lo", "type"}, "loopback"},
		{[]string{"eth0", "pciid"}, "virtio2"},
		{[]string{"eth0", "promisc"}, false},
		{[]string{"eth0", "speed"}, -1},
		{[]string{"lsb", "codename"}, "bookworm"},
		{[]string{"lsb", "major_release"}, "12"},
		{[]string{"apparmor", "status"}, "disabled"},
		{[]string{"selinux", "status"}, "disabled"},
		{[]string{"dns", "nameservers"}, []any{"10.255.255.53"}},
		{[]string{"memory_mb", "real", "total"}, 24105},
		{[]string{"memory_mb", "swap", "cached"}, 0},
		{[]string{"cmdline", "console"}, "ttyS0"},
		{[]string{"cmdline", "quiet"}, true},
		{[]string{"date_time", "tz"}, "UTC"},
		{[]string{"date_time", "epoch"}, "1795708119"},
		{[]string{"date_time", "iso8601_micro"}, "2026-11-26T15:48:39.147222Z"},
		{[]string{"date_time", "weekday"}, "Thursday"},
		{[]string{"date_time", "weeknumber"}, "47"},
		{[]string{"env", "MULTI"}, "line1\nline2"},
		{[]string{"local", "bad"}, "Failure executing fact script (/etc/ansible/facts.d/bad.fact), rc: 3, err: oops\n"},
		{[]string{"local", "exe", "exec"}, true},
		{[]string{"local", "gpus", "gpus", "count"}, 2},
		{[]string{"local", "ini", "general", "name"}, "web"},
		{[]string{"local", "ini", "general", "env"}, "prod"},
		{[]string{"local", "junk"}, "error loading facts as JSON or ini - please check content: /etc/ansible/facts.d/junk.fact"},
	}
	for _, c := range checks {
		if got := dig(map[string]any(f), c.path...); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%v = %#v, want %#v", c.path, got, c.want)
		}
	}
	if got := f["interfaces"]; !reflect.DeepEqual(got, []any{"ifb0", "ifb1", "lo", "eth0"}) {
		t.Errorf("interfaces = %v", got)
	}
	if got := f["virtualization_tech_guest"]; !reflect.DeepEqual(got, []any{"container", "docker"}) {
		t.Errorf("tech_guest = %v", got)
	}
	mounts := f["mounts"].([]any)
	if len(mounts) != 2 || dig(mounts[0], "device") != "/dev/vda" || dig(mounts[0], "block_size") != int64(4096) || dig(mounts[0], "uuid") != "N/A" ||
		dig(mounts[1], "options") != "rw,relatime,discard,resv_strict,resuid=65534,resgid=65534,bind" {
		t.Errorf("mounts = %v", mounts)
	}
	if len(r.Warnings) != 2 {
		t.Errorf("warnings = %q", r.Warnings)
	}
}

func TestDebianVersionWithoutSystemDistro(t *testing.T) {
	// Ansible's bundled distro (used when the target lacks python3-distro)
	// ignores /etc/debian_version
	o := ParseOutput(raw("f /etc/os-release", "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\nID=debian\n",
		"f /etc/debian_version", "12.15\n"))
	f := o.Distribution()
	if f["distribution_version"] != "12" || f["distribution_minor_version"] != "15" || f["distribution_release"] != "bookworm" {
		t.Errorf("got %v", f)
	}
}

func TestUbuntuDistribution(t *testing.T) {
	osr := `PRETTY_NAME="Ubuntu 22.04.4 LTS"
NAME="Ubuntu"
VERSION_ID="22.04"
VERSION="22.04.4 LTS (Jammy Jellyfish)"
VERSION_CODENAME=jammy
ID=ubuntu
ID_LIKE=debian
UBUNTU_CODENAME=jammy
`
	o := ParseOutput(raw("f /etc/os-release", osr, "f /etc/debian_version", "bookworm/sid\n",
		"f /etc/lsb-release", "DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=22.04\nDISTRIB_CODENAME=jammy\nDISTRIB_DESCRIPTION=\"Ubuntu 22.04.4 LTS\"\n"))
	f := o.Distribution()
	want := Facts{"distribution": "Ubuntu", "distribution_version": "22.04", "distribution_major_version": "22",
		"distribution_release": "jammy", "os_family": "Debian", "distribution_file_path": "/etc/os-release",
		"distribution_file_variety": "Debian", "distribution_file_parsed": true}
	if !reflect.DeepEqual(f, want) {
		t.Errorf("got %v\nwant %v", f, want)
	}
	lsb := o.LSB()["lsb"].(map[string]any)
	if lsb["description"] != "Ubuntu 22.04.4 LTS" || lsb["major_release"] != "22" || lsb["id"] != "Ubuntu" {
		t.Errorf("lsb = %v", lsb)
	}
}

func TestResolveSubset(t *testing.T) {
	cases := []struct {
		in      []string
		has     []string
		hasNot  []string
		errPart string
	}{
		{in: []string{"all"}, has: []string{"hardware", "network", "virtual", "local", "platform"}},
		{in: []string{"!all"}, has: []string{"platform", "distribution", "local", "env"}, hasNot: []string{"hardware", "network", "virtual"}},
		{in: []string{"!all", "!min", "network"}, has: []string{"network", "platform", "distribution"}, hasNot: []string{"env", "hardware"}},
		// like Ansible, an exclusion alone leaves only the minimal subset
		{in: []string{"!hardware"}, has: []string{"platform", "env"}, hasNot: []string{"hardware", "network", "virtual"}},
		{in: []string{"all", "!hardware"}, has: []string{"network", "virtual"}, hasNot: []string{"hardware"}},
		{in: []string{"!all", "default_ipv4"}, has: []string{"network"}},
		{in: []string{"bogus"}, errPart: "Bad subset 'bogus' given to Ansible. gather_subset options allowed: all, all_ipv4_addresses, all_ipv6_addresses, apparmor,"},
	}
	for _, c := range cases {
		got, err := ResolveSubset(c.in)
		if c.errPart != "" {
			if err == nil || !strings.HasPrefix(err.Error(), c.errPart) {
				t.Errorf("%v: err = %v", c.in, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%v: %v", c.in, err)
		}
		for _, h := range c.has {
			if !got[h] {
				t.Errorf("%v: missing %s", c.in, h)
			}
		}
		for _, h := range c.hasNot {
			if got[h] {
				t.Errorf("%v: unexpected %s", c.in, h)
			}
		}
	}
}

func TestCmdline(t *testing.T) {
	o := ParseOutput(raw("f /proc/cmdline", `BOOT_IMAGE=/vmlinuz root=UUID=abc ro quiet console=tty0 console=ttyS0,115200 opt="a b"`+"\n"))
	f := o.Cmdline()
	c := f["cmdline"].(map[string]any)
	p := f["proc_cmdline"].(map[string]any)
	if c["console"] != "ttyS0,115200" || c["ro"] != true || c["root"] != "UUID=abc" || c["opt"] != `"a b"` {
		t.Errorf("cmdline = %v", c)
	}
	if !reflect.DeepEqual(p["console"], []any{"tty0", "ttyS0,115200"}) {
		t.Errorf("proc_cmdline console = %v", p["console"])
	}
}

func TestDateTimeZone(t *testing.T) {
	o := ParseOutput(raw("date", "1700000000 5000|CET|+0100\nCET +0100\nCEST +0200\n"))
	d := o.DateTime()["date_time"].(map[string]any)
	want := map[string]string{"hour": "23", "tz": "CET", "tz_dst": "CEST", "tz_offset": "+0100", "date": "2023-11-14",
		"iso8601": "2023-11-14T22:13:20Z", "iso8601_basic": "20231114T231320000005", "weekday_number": "2", "weeknumber": "46"}
	for k, v := range want {
		if d[k] != v {
			t.Errorf("%s = %v, want %v", k, d[k], v)
		}
	}
}

func TestSelinuxAndNspawn(t *testing.T) {
	o := ParseOutput(raw("f /sys/fs/selinux/enforce", "1\n", "f /sys/fs/selinux/policyvers", "33\n",
		"f /etc/selinux/config", "SELINUX=permissive\nSELINUXTYPE=targeted\n",
		"f /run/systemd/container", "systemd-nspawn\n", "exists", "/run/systemd/system\n/dev/kvm\n"))
	se := o.Selinux()["selinux"].(map[string]any)
	if !reflect.DeepEqual(se, map[string]any{"status": "enabled", "policyvers": 33, "mode": "enforcing", "config_mode": "permissive", "type": "targeted"}) {
		t.Errorf("selinux = %v", se)
	}
	v := o.Virtual()
	if v["virtualization_type"] != "systemd-nspawn" || v["virtualization_role"] != "guest" ||
		!reflect.DeepEqual(v["virtualization_tech_guest"], []any{"container", "systemd-nspawn"}) ||
		!reflect.DeepEqual(v["virtualization_tech_host"], []any{"kvm"}) {
		t.Errorf("virtual = %v", v)
	}
}

func TestNetworkSecondaryAndBridge(t *testing.T) {
	o := ParseOutput(raw("bins", "/usr/sbin/ip\n",
		"c route4", "8.8.8.8 via 10.0.0.1 dev br0 src 10.0.0.5 uid 0\n    cache\n", "rc route4 0", "",
		"iface br0", "address\taa:bb:cc:dd:ee:ff\nmtu\t1500\noperstate\tup\ntype\t1\nbridge\t\nbrif\teth1\nstp_state\t0\nflags\t0x1103\n",
		"c primary br0", "5: br0: <UP>\n    inet 10.0.0.5/24 brd 10.0.0.255 scope global br0\n", "rc primary br0 0", "",
		"c secondary br0", "    inet 10.0.0.6/24 brd 10.0.0.255 scope global secondary br0:1\n", "rc secondary br0 0", ""))
	f := o.Network()
	if got := dig(f, "br0", "interfaces"); !reflect.DeepEqual(got, []any{"eth1"}) {
		t.Errorf("bridge interfaces = %v", got)
	}
	if dig(f, "br0", "type") != "bridge" || dig(f, "br0", "stp") != false || dig(f, "br0", "promisc") != true {
		t.Errorf("br0 = %v", f["br0"])
	}
	if got := dig(f, "br0_1", "ipv4_secondaries"); got == nil {
		t.Errorf("alias br0_1 missing: %v", f)
	}
	if got := dig(f, "br0", "ipv4_secondaries"); len(got.([]any)) != 1 {
		t.Errorf("br0 secondaries = %v", got)
	}
	if !reflect.DeepEqual(f["interfaces"], []any{"br0", "br0_1"}) || dig(f, "default_ipv4", "gateway") != "10.0.0.1" ||
		!reflect.DeepEqual(f["all_ipv4_addresses"], []any{"10.0.0.5", "10.0.0.6"}) {
		t.Errorf("network = %v", f)
	}
}

func TestNoIPNoNetworkFacts(t *testing.T) {
	if f := ParseOutput(raw("bins", "")).Network(); len(f) != 0 {
		t.Errorf("without ip, Ansible returns no network facts; got %v", f)
	}
}

func TestDevices(t *testing.T) {
	o := ParseOutput(raw("blockdevs", "sda\nloop0\n",
		"blk sda", "link\t../devices/pci0000:00/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0/block/sda\ndevice/vendor\tATA     \ndevice/model\tSSD 860\nremovable\t0\nqueue/rotational\t0\nqueue/scheduler\tnone [mq-deadline] kyber\nsize\t1000215216\nqueue/logical_block_size\t512\nholder\tdm-0\tvg-root\npart\tsda1\np\tsda1\tstart\t2048\np\tsda1\tsize\t1048576\npart\tholders\n",
		"blk loop0", "link\t../devices/virtual/block/loop0\nsize\t0\nqueue/logical_block_size\t512\n",
		"disklinks", "by-id\twwn-0x5002538e\t../../sda\nby-id\tata-SSD_860\t../../sda\nby-uuid\tabcd-1234\t../../sda1\n",
		"uuidreal", "abcd-1234\t/dev/sda1\n",
		"c lspci", "0000:00:1f.2 SATA controller: Intel Corporation 8 Series SATA Controller\n", "rc lspci 0", ""))
	f := o.devices()
	sda := dig(map[string]any(f), "devices", "sda").(map[string]any)
	if sda["size"] != "476.94 GB" || sda["vendor"] != "ATA" || sda["scheduler_mode"] != "mq-deadline" || sda["wwn"] != "0x5002538e" ||
		sda["host"] != "SATA controller: Intel Corporation 8 Series SATA Controller" || !reflect.DeepEqual(sda["holders"], []any{"vg-root"}) {
		t.Errorf("sda = %v", sda)
	}
	p1 := dig(sda, "partitions", "sda1").(map[string]any)
	if p1["size"] != "512.00 MB" || p1["uuid"] != "abcd-1234" || p1["sectorsize"] != 512 || p1["start"] != "2048" {
		t.Errorf("sda1 = %v", p1)
	}
	if !reflect.DeepEqual(dig(sda, "links", "ids"), []any{"ata-SSD_860", "wwn-0x5002538e"}) {
		t.Errorf("links = %v", sda["links"])
	}
	if l := dig(map[string]any(f), "devices", "loop0", "size"); l != "0.00 Bytes" {
		t.Errorf("loop0 size = %v", l)
	}
}

func TestSelinuxLibraryMissing(t *testing.T) {
	f := ParseOutput(raw("libselinux", "")).Selinux()
	if !reflect.DeepEqual(f, Facts{"selinux": map[string]any{"status": "Missing selinux Python library"}, "selinux_python_present": false}) {
		t.Errorf("got %v", f)
	}
}
