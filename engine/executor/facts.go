package executor

import (
	"context"
	"strconv"
	"strings"

	"octopus/engine/connection"
	"octopus/engine/value"
	"octopus/modules"
)

const factScript = `echo "hostname=$(hostname -s 2>/dev/null || hostname)"
echo "fqdn=$(hostname -f 2>/dev/null || hostname)"
echo "nodename=$(uname -n)"
echo "system=$(uname -s)"
echo "kernel=$(uname -r)"
echo "machine=$(uname -m)"
echo "user_id=$(id -un)"
echo "user_uid=$(id -u)"
echo "user_gid=$(id -g)"
echo "user_dir=$HOME"
echo "user_shell=$SHELL"
echo "nproc=$(nproc 2>/dev/null || echo 1)"
echo "memtotal_kb=$(awk '/^MemTotal:/{print $2}' /proc/meminfo 2>/dev/null)"
echo "systemd=$( [ -d /run/systemd/system ] && echo yes || echo no)"
sed 's/^/osr_/' /etc/os-release 2>/dev/null
`

var distNames = map[string]string{
	"ubuntu": "Ubuntu", "debian": "Debian", "centos": "CentOS", "rhel": "RedHat", "fedora": "Fedora",
	"rocky": "Rocky", "almalinux": "AlmaLinux", "ol": "OracleLinux", "amzn": "Amazon", "sles": "SLES",
	"opensuse-leap": "openSUSE Leap", "alpine": "Alpine", "arch": "Archlinux",
}

var osFamily = map[string]string{
	"Ubuntu": "Debian", "Debian": "Debian", "CentOS": "RedHat", "RedHat": "RedHat", "Fedora": "RedHat",
	"Rocky": "RedHat", "AlmaLinux": "RedHat", "OracleLinux": "RedHat", "Amazon": "RedHat",
	"SLES": "Suse", "openSUSE Leap": "Suse", "Alpine": "Alpine", "Archlinux": "Archlinux",
}

// actGatherFacts runs the "setup" module when one is registered, otherwise
// collects a minimal fact set with POSIX commands.
func actGatherFacts(ctx context.Context, a *actionCtx) *value.Dict {
	if mod, ok := modules.Lookup("setup"); ok {
		args := map[string]any{}
		for k, v := range a.args {
			if k == "parallel" { // an option of the gather_facts action itself
				continue
			}
			args[k] = v
		}
		if len(a.pr.play.GatherSubset) > 0 {
			l := make([]any, len(a.pr.play.GatherSubset))
			for i, s := range a.pr.play.GatherSubset {
				l[i] = s
			}
			args["gather_subset"] = l
		}
		if a.pr.play.GatherTimeout != nil {
			args["gather_timeout"] = a.pr.play.GatherTimeout
		}
		if a.pr.play.FactPath != "" {
			args["fact_path"] = a.pr.play.FactPath
		}
		// the gather_facts action applies the setup module's defaults
		args, fail := a.pr.withModuleDefaults(a.rt, "setup", a.scope, args)
		if fail != nil {
			return fail
		}
		res := a.pr.runModule(ctx, mod, a.rt, a.host, a.scope, args, a.hr)
		res.Delete("invocation") // the gather_facts action keeps only the facts of its modules
		res.Set("_ansible_verbose_override", true)
		if af, ok := res.Get("ansible_facts"); ok {
			if d, ok := af.(*value.Dict); ok {
				d.Set("_ansible_facts_gathered", true)
			}
		}
		return res
	}
	c, err := a.conn(ctx)
	if err != nil {
		return value.DictOf("unreachable", true, "msg", err.Error(), "changed", false)
	}
	out, err := c.Exec(ctx, factScript, connection.ExecOptions{})
	if err != nil {
		if connection.IsUnreachable(err) {
			return value.DictOf("unreachable", true, "msg", err.Error(), "changed", false)
		}
		return value.DictOf("failed", true, "msg", err.Error())
	}
	kv := map[string]string{}
	for _, line := range strings.Split(string(out.Stdout), "\n") {
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		kv[k] = strings.Trim(v, `"'`)
	}
	f := value.NewDict(32)
	set := func(k string, v any) { f.Set("ansible_"+k, v) }
	set("hostname", kv["hostname"])
	set("nodename", kv["nodename"])
	set("fqdn", kv["fqdn"])
	d := kv["fqdn"]
	if i := strings.Index(d, "."); i >= 0 {
		d = d[i+1:]
	} else {
		d = ""
	}
	set("domain", d)
	set("system", kv["system"])
	set("kernel", kv["kernel"])
	set("machine", kv["machine"])
	arch := kv["machine"]
	set("architecture", arch)
	set("user_id", kv["user_id"])
	if n, err := strconv.Atoi(kv["user_uid"]); err == nil {
		set("user_uid", n)
	}
	if n, err := strconv.Atoi(kv["user_gid"]); err == nil {
		set("user_gid", n)
	}
	set("user_dir", kv["user_dir"])
	set("user_shell", kv["user_shell"])
	if n, err := strconv.Atoi(kv["nproc"]); err == nil {
		set("processor_vcpus", n)
		set("processor_nproc", n)
	}
	if n, err := strconv.Atoi(kv["memtotal_kb"]); err == nil {
		set("memtotal_mb", n/1024)
	}
	dist := distNames[kv["osr_ID"]]
	if dist == "" {
		dist = kv["osr_NAME"]
	}
	set("distribution", dist)
	ver := kv["osr_VERSION_ID"]
	set("distribution_version", ver)
	major, _, _ := strings.Cut(ver, ".")
	set("distribution_major_version", major)
	set("distribution_release", kv["osr_VERSION_CODENAME"])
	fam := osFamily[dist]
	if fam == "" {
		fam = dist
	}
	set("os_family", fam)
	pm := "unknown"
	switch fam {
	case "Debian":
		pm = "apt"
	case "RedHat":
		pm = "dnf"
		if major == "7" || dist == "Amazon" && major == "2" {
			pm = "yum"
		}
	case "Suse":
		pm = "zypper"
	case "Alpine":
		pm = "apk"
	}
	set("pkg_mgr", pm)
	if kv["systemd"] == "yes" {
		set("service_mgr", "systemd")
	} else {
		set("service_mgr", "sysvinit")
	}
	f.Set("module_setup", true)
	f.Set("gather_subset", []any{"all"})
	f.Set("_ansible_facts_gathered", true)
	return value.DictOf("ansible_facts", f, "changed", false, "_ansible_verbose_override", true)
}
