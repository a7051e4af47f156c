package facts

import (
	"fmt"
	"strings"

	"octopus/engine/connection"
	"octopus/modules/internal/probe"
)

// Parts selects which probe groups the gather script runs. The minimal
// group (platform, distribution, user, env, ...) always runs.
type Parts struct {
	Hardware bool
	Network  bool
	Virtual  bool
	FactPath string // "" skips local facts
}

// scriptHead probes what every collector needs (probe.Head helpers).
const scriptHead = `S env; env -0 2>/dev/null || env
LC_ALL=C; export LC_ALL
S bins; for b in ip ethtool lsb_release capsh systemctl initctl dmidecode lsblk udevadm findmnt nproc vgs lvs pvs rpm; do command -v "$b" 2>/dev/null; done
S exists; for p in /proc/xen /.dockerenv /.dockerinit /proc/vz /proc/lve /proc/bc /dev/kvm /rhev /run/systemd/system /dev/.run/systemd /dev/.systemd /etc/init /sbin/openrc /etc/init.d /sys/kernel/security/apparmor /sys/fs/selinux/enforce /sys/devices/virtual/dmi/id/product_name /etc/mtab /proc/cpuinfo /proc/meminfo /run/ostree-booted /usr/bin/rpm-ostree /usr/bin/yum /usr/bin/dnf /usr/bin/apt-get /usr/bin/zypper /usr/sbin/urpmi /usr/bin/pacman /bin/opkg /sbin/apk /usr/bin/emerge /usr/bin/xbps-install /usr/bin/swupd; do [ -e "$p" ] && echo "$p"; done
S uname; uname -s; uname -r; uname -v; uname -m; uname -n; getconf LONG_BIT 2>/dev/null
S sbininit; readlink /sbin/init 2>/dev/null
S libselinux; ls /lib/*/libselinux.so.1 /usr/lib/*/libselinux.so.1 /lib64/libselinux.so.1 /usr/lib64/libselinux.so.1 /lib/libselinux.so.1 /usr/lib/libselinux.so.1 2>/dev/null | head -n 1
S pydistro; grep -l _debian_version /usr/lib/python3/dist-packages/distro/distro.py /usr/local/lib/python3*/dist-packages/distro/distro.py 2>/dev/null | head -n 1
S ids; id -u; id -g; id -ru; id -rg; id -un
_u=${LOGNAME:-${USER:-${LNAME:-${USERNAME:-$(id -un 2>/dev/null)}}}}
S pwent; printf '%s\n' "$_u"; getent passwd "$_u" 2>/dev/null || grep "^$_u:" /etc/passwd 2>/dev/null || getent passwd "$(id -u)" 2>/dev/null
_h=$(uname -n)
S fqdn; _a=$(getent ahosts "$_h" 2>/dev/null | awk '{print $1; exit}'); [ -n "$_a" ] && getent hosts "$_a" 2>/dev/null | head -n 1
S date; date '+%s %N|%Z|%z'; _y=$(date +%Y); date -d "$_y-01-01 12:00" '+%Z %z' 2>/dev/null; date -d "$_y-07-01 12:00" '+%Z %z' 2>/dev/null
S chroot; printf '%s\n' "${debian_chroot:-}"; stat -c '%d %i' / 2>/dev/null; stat -c '%d %i' /proc/1/root/. 2>/dev/null || { echo fail; stat -f -c '%T' / 2>/dev/null; }
for f in /etc/os-release /usr/lib/os-release /etc/debian_version /etc/lsb-release /etc/machine-id /var/lib/dbus/machine-id /proc/1/comm /proc/cmdline /proc/loadavg /etc/resolv.conf /proc/sys/crypto/fips_enabled /etc/iscsi/initiatorname.iscsi /etc/nvme/hostnqn /sys/fs/selinux/enforce /sys/fs/selinux/policyvers /etc/selinux/config; do F "$f"; done
for d in /etc/ssh /etc/openssh /etc; do for a in dsa rsa ecdsa ed25519; do [ -r "$d/ssh_host_${a}_key.pub" ] && F "$d/ssh_host_${a}_key.pub"; done; done
has lsb_release && C lsb lsb_release -a
has capsh && C caps capsh --print
S fcwwn; for f in /sys/class/fc_host/*/port_name; do [ -r "$f" ] && cat "$f"; done
`

const scriptHardware = `
for f in /proc/cpuinfo /proc/meminfo /proc/uptime /sys/hypervisor/type; do F "$f"; done
has nproc && C nproc nproc
if [ -e /sys/devices/virtual/dmi/id/product_name ]; then
  for k in bios_date bios_vendor bios_version board_asset_tag board_name board_serial board_vendor board_version chassis_asset_tag chassis_serial chassis_vendor chassis_version chassis_type product_name product_serial product_uuid product_version sys_vendor; do F /sys/devices/virtual/dmi/id/$k; done
elif has dmidecode; then
  for k in bios-release-date bios-vendor bios-version baseboard-asset-tag baseboard-product-name baseboard-serial-number baseboard-manufacturer baseboard-version chassis-asset-tag chassis-serial-number chassis-manufacturer chassis-version chassis-type system-product-name system-serial-number system-uuid system-version system-manufacturer; do C "dmi:$k" dmidecode -s "$k"; done
fi
if [ -e /etc/mtab ]; then _mt=/etc/mtab; else _mt=/proc/mounts; fi
F "$_mt"
has findmnt && C findmnt findmnt --list --noheadings --notruncate
has lsblk && C lsblk lsblk --list --noheadings --paths --output NAME,UUID --exclude 2
S statvfs; while read -r _d _m _t _o _rest; do
  case "$_d" in /*|\\*) ;; *:/*) ;; *) continue;; esac
  [ "$_t" = none ] && continue
  _p=$(printf '%s' "$_m" | sed 's/\\\([0-7][0-7][0-7]\)/\\0\1/g'); _p=$(printf '%b' "$_p")
  printf '%s\t%s\n' "$_m" "$( (has timeout && timeout 10 stat -f -c '%S %s %b %a %c %d' -- "$_p" || stat -f -c '%S %s %b %a %c %d' -- "$_p") 2>/dev/null)"
done < "$_mt"
S blockdevs; ls -U /sys/block 2>/dev/null
for _b in $(ls -U /sys/block 2>/dev/null); do
  _s=/sys/block/$_b
  S blk "$_b"
  printf 'link\t%s\n' "$(readlink "$_s")"
  for _k in device/vendor device/model device/sas_address device/sas_device_handle device/serial removable queue/discard_granularity queue/rotational queue/scheduler size queue/logical_block_size queue/hw_sector_size; do [ -r "$_s/$_k" ] && printf '%s\t%s\n' "$_k" "$(cat "$_s/$_k" 2>/dev/null | tr '\n' ' ')"; done
  for _h in $(ls -U "$_s/holders" 2>/dev/null); do printf 'holder\t%s\t%s\n' "$_h" "$(cat "$_s/holders/$_h/dm/name" 2>/dev/null)"; done
  for _p in $(ls -U "$_s" 2>/dev/null); do
    case "$_p" in "$_b"*) ;; *) continue;; esac
    [ -d "$_s/$_p" ] || continue
    printf 'part\t%s\n' "$_p"
    for _k in start size queue/logical_block_size queue/hw_sector_size; do [ -r "$_s/$_p/$_k" ] && printf 'p\t%s\t%s\t%s\n' "$_p" "$_k" "$(cat "$_s/$_p/$_k" 2>/dev/null | tr '\n' ' ')"; done
    for _h in $(ls -U "$_s/$_p/holders" 2>/dev/null); do printf 'pholder\t%s\t%s\t%s\n' "$_p" "$_h" "$(cat "$_s/$_p/holders/$_h/dm/name" 2>/dev/null)"; done
  done
done
S disklinks; for _d in by-id by-uuid by-label; do for _l in $(ls -U /dev/disk/$_d 2>/dev/null); do printf '%s\t%s\t%s\n' "$_d" "$_l" "$(readlink "/dev/disk/$_d/$_l")"; done; done
S uuidreal; for _l in $(ls -U /dev/disk/by-uuid 2>/dev/null); do printf '%s\t%s\n' "$_l" "$(readlink -f "/dev/disk/by-uuid/$_l")"; done
S slaves; ls -d /sys/block/*/slaves/* 2>/dev/null
has lspci && C lspci lspci -D
if [ "$(id -u)" = 0 ] && has vgs; then
  C vgs vgs --noheadings --nosuffix --units g --separator ,
  has lvs && C lvs lvs --noheadings --nosuffix --units g --separator ,
  has pvs && C pvs pvs --noheadings --nosuffix --units g --separator ,
fi
`

const scriptVirtual = `
for f in /proc/1/cgroup /proc/1/environ /run/systemd/container /proc/xen/capabilities /sys/devices/virtual/dmi/id/product_name /sys/devices/virtual/dmi/id/sys_vendor /sys/devices/virtual/dmi/id/product_family /sys/devices/virtual/dmi/id/bios_vendor /proc/modules; do F "$f"; done
S vxid; grep '^VxID:' /proc/self/status 2>/dev/null
has dmidecode && C virtdmi dmidecode -s system-product-name
if [ -d /rhev ]; then S rhevcomm; cat /proc/[0-9]*/comm 2>/dev/null | grep -x -e vdsm -e vdsmd | head -n 1; fi
`

const scriptNetwork = `
if has ip; then
C route4 ip -4 route get 8.8.8.8
C route6 ip -6 route get 2404:6800:400a:800::1012
for _d in $(ls -U /sys/class/net 2>/dev/null); do
  _p=/sys/class/net/$_d
  [ -d "$_p" ] || continue
  S iface "$_d"
  for _f in address mtu operstate type speed flags; do [ -e "$_p/$_f" ] && { _v=$(cat "$_p/$_f" 2>/dev/null) && printf '%s\t%s\n' "$_f" "$_v" || printf '%s!\t\n' "$_f"; }; done
  [ -e "$_p/device/driver/module" ] && printf 'module\t%s\n' "$(basename "$(readlink -f "$_p/device/driver/module")")"
  [ -e "$_p/device" ] && printf 'pciid\t%s\n' "$(basename "$(readlink "$_p/device")")"
  if [ -e "$_p/bridge" ]; then printf 'bridge\t\n'; for _b in $(ls -U "$_p/brif" 2>/dev/null); do printf 'brif\t%s\n' "$_b"; done
    [ -e "$_p/bridge/bridge_id" ] && printf 'bridge_id\t%s\n' "$(cat "$_p/bridge/bridge_id" 2>/dev/null)"
    [ -e "$_p/bridge/stp_state" ] && printf 'stp_state\t%s\n' "$(cat "$_p/bridge/stp_state" 2>/dev/null)"; fi
  if [ -e "$_p/bonding" ]; then printf 'bonding\t\n'; for _b in slaves mode miimon lacp_rate primary all_slaves_active; do printf 'bond_%s\t%s\n' "$_b" "$(cat "$_p/bonding/$_b" 2>/dev/null)"; done; fi
  [ -e "$_p/bonding_slave" ] && printf 'perm_macaddress\t%s\n' "$(cat "$_p/bonding_slave/perm_hwaddr" 2>/dev/null)"
  C "primary $_d" ip addr show primary dev "$_d"
  C "secondary $_d" ip addr show secondary dev "$_d"
  if has ethtool; then C "ethtool-k $_d" ethtool -k "$_d"; C "ethtool-T $_d" ethtool -T "$_d"; fi
done
fi
`

const scriptLocal = `
if [ -d "$_fp" ]; then for _f in "$_fp"/*.fact; do
  [ -e "$_f" ] || continue
  if [ -x "$_f" ]; then S lexec "$_f"; { _e=$("$_f" 2>&1 1>&3 3>&-; _r=$?; printf x; exit $_r); } 3>&1; _r=$?; _e=${_e%x}; S lrc "$_f" "$_r"; S lerr "$_f"; printf '%s' "$_e"
  elif [ -r "$_f" ]; then S lfile "$_f"; cat "$_f"
  else S lbad "$_f"; fi
done; fi
`

// Script returns the shell script that probes everything the selected parts need,
// in one round trip.
func Script(p Parts) string {
	var b strings.Builder
	b.WriteString(probe.Head)
	b.WriteString(scriptHead)
	if p.Hardware {
		b.WriteString(scriptHardware)
	}
	if p.Virtual {
		if !p.Hardware {
			b.WriteString("F /proc/cpuinfo\n")
		}
		b.WriteString(scriptVirtual)
	}
	if p.Network {
		b.WriteString(scriptNetwork)
	}
	if p.FactPath != "" {
		fmt.Fprintf(&b, "_fp=%s\n", connection.ShellQuote(p.FactPath))
		b.WriteString(scriptLocal)
	}
	b.WriteString("S end\n")
	return b.String()
}
