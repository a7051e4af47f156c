package facts

import (
	"regexp"
	"strings"
)

// Virtual is the Linux virtualization collector.
func (o *Output) Virtual() Facts {
	f := Facts{}
	found := false
	host, guest := map[string]bool{}, map[string]bool{}
	setGuest := func(tech, typ string) {
		guest[tech] = true
		if !found {
			f["virtualization_type"] = typ
			f["virtualization_role"] = "guest"
			found = true
		}
	}
	if cg, ok := o.File("/proc/1/cgroup"); ok {
		for _, l := range strings.Split(cg, "\n") {
			if regexp.MustCompile(`/docker(/|-[0-9a-f]+\.scope)`).MatchString(l) {
				setGuest("docker", "docker")
			}
			if strings.Contains(l, "/lxc/") || strings.Contains(l, "/machine.slice/machine-lxc") {
				setGuest("lxc", "lxc")
			}
			if strings.Contains(l, "/system.slice/containerd.service") {
				setGuest("containerd", "containerd")
			}
		}
	}
	if env, ok := o.File("/proc/1/environ"); ok {
		for _, l := range strings.Split(env, "\x00") {
			if strings.Contains(l, "container=lxc") {
				setGuest("lxc", "lxc")
			}
			if strings.Contains(l, "container=podman") {
				setGuest("podman", "podman")
			}
			if regexp.MustCompile(`^container=.`).MatchString(l) {
				setGuest("container", "container")
			}
		}
	}
	if o.exists("/proc/vz") && !o.exists("/proc/lve") {
		f["virtualization_type"] = "openvz"
		if o.exists("/proc/bc") {
			host["openvz"] = true
			if !found {
				f["virtualization_role"] = "host"
			}
		} else {
			guest["openvz"] = true
			if !found {
				f["virtualization_role"] = "guest"
			}
		}
		found = true
	}
	sc, _ := o.Content("/run/systemd/container", "")
	if sc != "" {
		setGuest(sc, sc)
	}
	if o.exists("/.dockerenv") || o.exists("/.dockerinit") {
		setGuest("docker", "docker")
	}
	if guest["docker"] || guest["lxc"] || guest["podman"] || guest["openvz"] || guest["containerd"] || sc != "" {
		guest["container"] = true
	}
	if o.exists("/proc/xen") {
		caps, _ := o.File("/proc/xen/capabilities")
		if strings.Contains(caps, "control_d") {
			host["xen"] = true
			if !found {
				f["virtualization_type"], f["virtualization_role"] = "xen", "host"
			}
		} else if !found {
			f["virtualization_type"], f["virtualization_role"] = "xen", "guest"
		}
		found = true
	}
	if !found {
		f["virtualization_role"] = "guest"
	}
	setType := func(tech, typ string) {
		guest[tech] = true
		if !found {
			f["virtualization_type"] = typ
			found = true
		}
	}
	pn, _ := o.Content("/sys/devices/virtual/dmi/id/product_name", "")
	sv, _ := o.Content("/sys/devices/virtual/dmi/id/sys_vendor", "")
	pf, _ := o.Content("/sys/devices/virtual/dmi/id/product_family", "")
	bv, _ := o.Content("/sys/devices/virtual/dmi/id/bios_vendor", "")
	switch pn {
	case "KVM", "KVM Server", "Bochs", "AHV":
		setType("kvm", "kvm")
	}
	if sv == "oVirt" {
		setType("oVirt", "oVirt")
	}
	if sv == "Red Hat" {
		if pf == "RHV" {
			setType("RHV", "RHV")
		} else if pn == "RHEV Hypervisor" {
			setType("RHEV", "RHEV")
		}
	}
	if pn == "VMware Virtual Platform" || pn == "VMware7,1" {
		setType("VMware", "VMware")
	}
	if pn == "OpenStack Compute" || pn == "OpenStack Nova" {
		setType("openstack", "openstack")
	}
	switch bv {
	case "Xen":
		setType("xen", "xen")
	case "innotek GmbH":
		setType("virtualbox", "virtualbox")
	case "Amazon EC2", "DigitalOcean", "Hetzner":
		setType("kvm", "kvm")
	}
	switch sv {
	case "QEMU", "Amazon EC2", "DigitalOcean", "Google", "Scaleway", "Nutanix":
		setType("kvm", "kvm")
	case "KubeVirt":
		setType("KubeVirt", "KubeVirt")
	case "Microsoft Corporation":
		setType("VirtualPC", "VirtualPC")
	case "Parallels Software International Inc.":
		setType("parallels", "parallels")
	case "OpenStack Foundation":
		setType("openstack", "openstack")
	}
	if !found {
		delete(f, "virtualization_role")
	}
	for _, l := range o.lines("vxid") {
		if regexp.MustCompile(`^VxID:\s+\d+`).MatchString(l) {
			if !found {
				f["virtualization_type"] = "linux_vserver"
			}
			if regexp.MustCompile(`^VxID:\s+0`).MatchString(l) {
				host["linux_vserver"] = true
				if !found {
					f["virtualization_role"] = "host"
				}
			} else {
				guest["linux_vserver"] = true
				if !found {
					f["virtualization_role"] = "guest"
				}
			}
			found = true
		}
	}
	if cpu, ok := o.File("/proc/cpuinfo"); ok {
		for _, l := range strings.Split(cpu, "\n") {
			tech := ""
			switch {
			case regexp.MustCompile(`^model name.*QEMU Virtual CPU`).MatchString(l),
				regexp.MustCompile(`^machine.*CHRP IBM pSeries .emulated by qemu.`).MatchString(l):
				tech = "kvm"
			case regexp.MustCompile(`^vendor_id.*User Mode Linux`).MatchString(l), regexp.MustCompile(`^model name.*UML`).MatchString(l):
				tech = "uml"
			case regexp.MustCompile(`^vendor_id.*PowerVM Lx86`).MatchString(l):
				tech = "powervm_lx86"
			case regexp.MustCompile(`^vendor_id.*IBM/S390`).MatchString(l):
				tech = "PR/SM"
			default:
				continue
			}
			guest[tech] = true
			if !found {
				f["virtualization_type"] = tech
				if tech == "PR/SM" {
					f["virtualization_role"] = "LPAR"
				} else {
					f["virtualization_role"] = "guest"
				}
				found = true
			}
		}
	}
	if mods, ok := o.File("/proc/modules"); ok {
		have := map[string]bool{}
		for _, l := range strings.Split(mods, "\n") {
			have[strings.SplitN(l, " ", 2)[0]] = true
		}
		if have["kvm"] {
			host["kvm"] = true
			if !found {
				f["virtualization_type"], f["virtualization_role"] = "kvm", "host"
			}
			if strings.TrimSpace(o.Section("rhevcomm")) != "" {
				host["RHEV"] = true
				if !found {
					f["virtualization_type"] = "RHEV"
				}
			}
			found = true
		}
		if have["vboxdrv"] {
			host["virtualbox"] = true
			if !found {
				f["virtualization_type"], f["virtualization_role"] = "virtualbox", "host"
				found = true
			}
		}
		if have["virtio"] {
			host["kvm"] = true
			if !found {
				f["virtualization_type"], f["virtualization_role"] = "kvm", "guest"
				found = true
			}
		}
	}
	if out, rc, ok := o.Cmd("virtdmi"); ok && rc == 0 {
		var b strings.Builder
		for _, l := range strings.Split(out, "\n") {
			if !strings.HasPrefix(l, "#") {
				b.WriteString(strings.TrimSpace(l))
			}
		}
		if strings.HasPrefix(b.String(), "VMware") {
			setGuest("VMware", "VMware")
		}
		if strings.Contains(out, "BHYVE") {
			setGuest("bhyve", "bhyve")
		}
	}
	if o.exists("/dev/kvm") {
		host["kvm"] = true
		if !found {
			f["virtualization_type"], f["virtualization_role"] = "kvm", "host"
			found = true
		}
	}
	if !found {
		f["virtualization_type"], f["virtualization_role"] = "NA", "NA"
	}
	f["virtualization_tech_guest"] = sortedAny(guest)
	f["virtualization_tech_host"] = sortedAny(host)
	return f
}
