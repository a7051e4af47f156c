#!/bin/bash
# fleet.sh: throwaway sshd-backed test hosts on this machine (run as root).
#
# Each host is a network namespace on a private bridge, with its own mount/UTS/PID/IPC namespaces,
# an overlayfs over a debootstrap'd Debian base (cached across runs), its own device nodes and sshd.
#
#   fleet.sh deps [nspawn]        # apt-get install the machine tools that are missing
#   fleet.sh base                 # build/refresh the cached base rootfs (~75 s the first time)
#   fleet.sh up N [MODE] [FIRST]  # hosts hsFIRST..hsN; MODE sshd (tini+sshd, default) or
#                                 #   nspawn (real systemd as PID 1 through systemd-nspawn)
#   fleet.sh hosts                # "NAME ADDR MODE" per running host
#   fleet.sh inventory            # INI inventory (root, key auth) for the running hosts
#   fleet.sh exec NAME CMD...     # run CMD inside a host, without ssh
#   fleet.sh cut|uncut NAME       # host-side veth down/up: packets silently lost
#   fleet.sh drop|undrop NAME     # nftables drop of tcp/22 inside the host (no RST)
#   fleet.sh killsshd NAME        # kill the host's sshd: connections are refused
#   fleet.sh restart NAME         # relaunch the host's init, keeping its disk
#   fleet.sh repo                 # (re)build the local apt repo of hand-built .debs
#   fleet.sh down                 # tear everything of this fleet down (always trap this)
#
# Environment:
#   HS_DIR       state dir of this fleet (default /tmp/octopus-fleet); one fleet per HS_DIR
#   HS_CACHE     cache dir holding base/ and keys/ (default /var/cache/octopus-fleet)
#   HS_OWNER_PID a pid: when that process is gone the fleet's slot counts as stale and the next
#                'up' of any fleet reclaims it (tears it down).  Unset: the fleet lives until 'down'.
#   HS_HOSTKEYS  "own" gives every host its own ed25519 host key (default: the base's shared keys)
#   HS_MIRROR    Debian mirror URL for debootstrap (default: the first one this machine's apt uses)
#
# Concurrency: every fleet takes a numbered slot K (0..250) under a flock on $RUNDIR/alloc.lock.
# Slot K owns the subnet 10.77.K.0/24 (bridge address 10.77.K.1, host hsI = 10.77.K.(10+I)), the
# bridge octKbr, the veths octKhI and the network namespaces octK-hsI; so fleets of several test
# packages run side by side.  The base build is serialised by a flock on $HS_CACHE/base.lock.
#
# Hosts route by default through the bridge, but this machine does not forward for them, so they
# reach only the bridge address: an allow-listed apt proxy on :3142 (only the mirror(s) this
# machine's own apt is configured with, read at run time) and a flat apt repo of hand-built .debs
# on :8080 (configured in each host as "deb [trusted=yes] http://10.77.K.1:8080 ./").
#
# Notes: a link cut mid-run hangs an ssh client without keepalives (use ServerAlive-style keepalives
# and connect timeouts).  Never bind-mount the machine's /dev into a host (a host's systemd once
# chmod'ed the machine's /dev/null through such a mount): hostinit.sh makes each host its own nodes.
# Of several concurrent nspawn boots one may come up "degraded": check the unit you need.
set -euo pipefail
S=$(dirname "$(readlink -f "$0")")         # hostinit.sh, aptproxy.py, mkrepo.sh live next to this
W=${HS_DIR:-/tmp/octopus-fleet}
C=${HS_CACHE:-/var/cache/octopus-fleet}
BASE=$C/base
KEYS=$C/keys
RUNDIR=/run/octopus-fleet
BASE_VERSION=3                             # bump when cmd_base's configuration changes
INCLUDE=openssh-server,python3,python3-apt,sudo,iproute2,procps,ca-certificates,tini,systemd,systemd-sysv,dbus

log() { printf '[%(%T)T] fleet: %s\n' -1 "$*" >&2; }
die() { log "$*"; exit 1; }

# The Debian mirror: the first one this machine's own apt is configured with (never hard-coded).
machine_mirror() {
  { grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}'
    grep -hE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | awk '{print $2}'
  } | grep -v -- '-security' | head -n1 || true
}

python() { if [ -x /usr/bin/python3 ]; then echo /usr/bin/python3; else command -v python3; fi; }

# ---- machine tools ----------------------------------------------------------------------------
APT_UPDATED=
apt_install() {  # pkg...
  [ -n "$APT_UPDATED" ] || { log "apt-get update"; apt-get -qq update >&2; APT_UPDATED=1; }
  log "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive apt-get -qq -y install --no-install-recommends "$@" >&2
}
cmd_deps() {  # [nspawn]
  [ "$(id -u)" = 0 ] || die "must run as root"
  local need=() pair
  for pair in debootstrap:debootstrap ip:iproute2 nft:nftables unshare:util-linux nsenter:util-linux \
              flock:util-linux ssh-keygen:openssh-client dpkg-deb:dpkg dpkg-scanpackages:dpkg-dev \
              python3:python3 ${1:+systemd-nspawn:systemd-container}; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || need+=("${pair#*:}")
  done
  [ ${#need[@]} -eq 0 ] || apt_install $(printf '%s\n' "${need[@]}" | sort -u)
}

# ---- base rootfs (cached, shared by all fleets) ------------------------------------------------
cmd_base() {
  mkdir -p "$C"
  exec 8>"$C/base.lock"; flock 8
  [ "$(cat "$BASE/.octopus-fleet" 2>/dev/null)" = "$BASE_VERSION" ] && { exec 8>&-; return 0; }
  mkdir -p "$KEYS"
  [ -f "$KEYS/clientkey" ] || ssh-keygen -q -t ed25519 -N '' -f "$KEYS/clientkey" -C octopus-fleet-client
  if [ ! -x "$BASE/usr/sbin/sshd" ]; then
    local mirror=${HS_MIRROR:-$(machine_mirror)}
    [ -n "$mirror" ] || die "no Debian mirror found in /etc/apt (set HS_MIRROR)"
    log "debootstrap minbase -> $BASE (about 75 s, once)"
    rm -rf "$BASE.tmp"
    debootstrap --variant=minbase --include="$INCLUDE" bookworm "$BASE.tmp" "$mirror" >"$C/debootstrap.log" 2>&1 \
      || die "debootstrap failed, see $C/debootstrap.log"
    rm -rf "$BASE"; mv "$BASE.tmp" "$BASE"
  fi
  printf '#!/bin/sh\nexit 101\n' > "$BASE/usr/sbin/policy-rc.d"; chmod 755 "$BASE/usr/sbin/policy-rc.d"
  local missing=() p
  for p in ${INCLUDE//,/ }; do
    chroot "$BASE" dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "chroot apt-get install ${missing[*]}"
    chroot "$BASE" apt-get -qq update
    DEBIAN_FRONTEND=noninteractive chroot "$BASE" apt-get -qq -y install --no-install-recommends "${missing[@]}"
  fi
  rm -f "$BASE/usr/sbin/policy-rc.d"
  chroot "$BASE" apt-get clean
  # users: root (key; password rootpass for su), hsnopw (key or password nopwpass, NOPASSWD sudo),
  # hspw (key or password sudopass, sudo asks for the password)
  local u
  for u in hsnopw hspw; do chroot "$BASE" id "$u" >/dev/null 2>&1 || chroot "$BASE" useradd -m -s /bin/bash "$u"; done
  printf 'root:rootpass\nhsnopw:nopwpass\nhspw:sudopass\n' | chroot "$BASE" chpasswd
  echo 'hsnopw ALL=(ALL) NOPASSWD:ALL' > "$BASE/etc/sudoers.d/hsnopw"
  echo 'hspw ALL=(ALL) ALL'            > "$BASE/etc/sudoers.d/hspw"
  chmod 440 "$BASE"/etc/sudoers.d/hs*
  for u in /root /home/hsnopw /home/hspw; do
    install -d -m700 "$BASE$u/.ssh"; install -m600 "$KEYS/clientkey.pub" "$BASE$u/.ssh/authorized_keys"
  done
  chroot "$BASE" chown -R hsnopw: /home/hsnopw/.ssh; chroot "$BASE" chown -R hspw: /home/hspw/.ssh
  cat > "$BASE/etc/ssh/sshd_config.d/octopus-fleet.conf" <<'EOF'
PasswordAuthentication yes
PermitRootLogin prohibit-password
UseDNS no
MaxStartups 100:30:200
MaxSessions 50
EOF
  : > "$BASE/etc/resolv.conf"    # no DNS inside hosts; the apt proxy resolves
  echo "$BASE_VERSION" > "$BASE/.octopus-fleet"
  log "base ready: $(du -sh "$BASE" | cut -f1)"
  exec 8>&-
}

# ---- slots ------------------------------------------------------------------------------------
slot() { cat "$W/slot" 2>/dev/null || die "no fleet in $W (run 'up' first)"; }
net()  { echo "10.77.$(slot)"; }
hostip() { local i=${1#hs}; [[ $i =~ ^[0-9]+$ ]] || die "bad host name $1"; echo "$(net).$((10 + i))"; }
nsname() { echo "oct$(slot)-$1"; }
vethname() { echo "oct$(slot)h${1#hs}"; }

slot_stale() {  # K -> 0 when the slot's owner is gone
  local f=$RUNDIR/slot.$1 dir opid
  dir=$(sed -n 1p "$f"); opid=$(sed -n 2p "$f")
  [ -n "$dir" ] && [ ! -f "$dir/slot" ] && return 0
  [ -n "$opid" ] && [ "$opid" != 0 ] && ! kill -0 "$opid" 2>/dev/null && return 0
  return 1
}

alloc_slot() {
  [ -f "$W/slot" ] && return 0
  mkdir -p "$RUNDIR" "$W"
  exec 9>"$RUNDIR/alloc.lock"; flock 9
  local f k
  for f in "$RUNDIR"/slot.*; do       # reclaim every stale slot first
    [ -f "$f" ] || continue; k=${f##*.}
    slot_stale "$k" || continue
    log "reclaiming stale fleet slot $k ($(sed -n 1p "$f"))"
    teardown_slot "$k" "$(sed -n 1p "$f")"
  done
  for k in $(seq 0 250); do
    [ -f "$RUNDIR/slot.$k" ] && continue
    ip link show "oct${k}br" >/dev/null 2>&1 && continue   # somebody else's, untracked
    printf '%s\n%s\n' "$W" "${HS_OWNER_PID:-0}" > "$RUNDIR/slot.$k"
    echo "$k" > "$W/slot"
    exec 9>&-
    return 0
  done
  die "no free fleet slot"
}

# ---- bring up ---------------------------------------------------------------------------------
up_bridge() {
  local br="oct$(slot)br" n; n=$(net)
  ip link show "$br" >/dev/null 2>&1 && return
  ip link add "$br" type bridge
  ip addr add "$n.1/24" dev "$br"
  ip link set "$br" up
  mkdir -p "$W/run" "$W/repo"
  # this machine must not route for the hosts; where it forwards anyway, drop what crosses the bridge
  if [ "$(cat /proc/sys/net/ipv4/ip_forward)" != 0 ] && command -v nft >/dev/null; then
    nft -f - <<EOF
table inet octopus_fleet_$(slot) {
  chain fwd { type filter hook forward priority -10; iifname "$br" oifname != "$br" drop; oifname "$br" iifname != "$br" drop; }
}
EOF
  fi
  # allow-listed apt forward proxy and the local flat repo, on the bridge address only
  setsid "$(python)" "$S/aptproxy.py" "$n.1" 3142 >"$W/run/aptproxy.log" 2>&1 </dev/null & echo $! > "$W/run/aptproxy.pid"
  setsid "$(python)" -m http.server -b "$n.1" -d "$W/repo" 8080 >"$W/run/repo.log" 2>&1 </dev/null & echo $! > "$W/run/repo.pid"
}

up_host() {  # name mode
  local n=$1 mode=$2 ip d ns veth; ip=$(hostip "$n"); d=$W/hosts/$n; ns=$(nsname "$n"); veth=$(vethname "$n")
  mkdir -p "$d/upper" "$d/work" "$d/root"
  mount -t overlay "octopus-fleet-$ns" -o "lowerdir=$BASE,upperdir=$d/upper,workdir=$d/work" "$d/root"
  echo "$n" > "$d/root/etc/hostname"
  printf '127.0.0.1 localhost\n%s %s\n' "$ip" "$n" > "$d/root/etc/hosts"
  printf 'Acquire::http::Proxy "http://%s.1:3142";\nAcquire::http::Proxy::%s.1 "DIRECT";\n' "$(net)" "$(net)" \
    > "$d/root/etc/apt/apt.conf.d/01octopus-fleet-proxy"
  echo "deb [trusted=yes] http://$(net).1:8080 ./" > "$d/root/etc/apt/sources.list.d/octopus-fleet-local.list"
  if [ "${HS_HOSTKEYS:-shared}" = own ]; then
    rm -f "$d"/root/etc/ssh/ssh_host_*; ssh-keygen -q -t ed25519 -N '' -f "$d/root/etc/ssh/ssh_host_ed25519_key"
  fi
  ip netns add "$ns"
  ip link add "$veth" type veth peer name eth0 netns "$ns"
  ip link set "$veth" master "oct$(slot)br" up
  ip -n "$ns" addr add "$ip/24" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$ns" link set lo up
  # a default route through the bridge (facts such as ansible_default_ipv4 exist as on a real host);
  # nothing leaves the bridge: the machine does not forward these packets
  ip -n "$ns" route add default via "$(net).1"
  echo "$mode" > "$d/mode"
  launch_host "$n" "$mode"
}

launch_host() {  # name mode: start the host's init (netns + overlay already exist)
  local n=$1 mode=$2 d=$W/hosts/$1 ns; ns=$(nsname "$1")
  if [ "$mode" = nspawn ]; then   # real systemd as PID 1; nspawn makes /dev,/proc,/sys,cgroups
    setsid systemd-nspawn -q -D "$d/root" --boot --register=no --keep-unit --console=read-only \
      --network-namespace-path="/run/netns/$ns" -M "$ns" >"$d/init.log" 2>&1 </dev/null &
  else
    setsid ip netns exec "$ns" unshare --mount --uts --ipc --pid --fork --kill-child --propagation private \
      "$S/hostinit.sh" "$d/root" "$n" >"$d/init.log" 2>&1 </dev/null &
  fi
  echo $! > "$d/pid"
}

wait_ssh() {  # name [timeout_s]
  local ip; ip=$(hostip "$1"); local end=$((SECONDS + ${2:-30}))
  until timeout 0.5 bash -c "exec 3<>/dev/tcp/$ip/22 && head -c4 <&3 | grep -q SSH-" 2>/dev/null; do
    [ $SECONDS -lt $end ] || { log "$1: sshd not up; $(tail -5 "$W/hosts/$1/init.log" 2>/dev/null)"; return 1; }
    sleep 0.05
  done
}

cmd_up() {  # N [mode] [first]
  local N=$1 mode=${2:-sshd} F=${3:-1} i
  case $mode in sshd|nspawn) ;; *) die "unknown mode $mode" ;; esac
  [ "$N" -le 245 ] || die "at most 245 hosts"
  cmd_deps ${mode/sshd/}
  cmd_base
  alloc_slot
  up_bridge
  [ -f "$W/repo/Packages" ] || cmd_repo >/dev/null
  for i in $(seq "$F" "$N"); do [ -d "$W/hosts/hs$i" ] || up_host "hs$i" "$mode"; done
  for i in $(seq "$F" "$N"); do wait_ssh "hs$i" 60; done
  log "up: hosts hs$F..hs$N ($mode) on $(net).0/24"
}

cmd_repo() { HS_DIR=$W "$S/mkrepo.sh"; }

# ---- queries and faults -----------------------------------------------------------------------
cmd_hosts() {
  local d n
  for d in "$W"/hosts/hs*; do [ -d "$d" ] || continue; n=${d##*/}; echo "$n $(hostip "$n") $(cat "$d/mode")"; done | sort -V
}

cmd_inventory() {
  local sys
  echo "[hs]"
  cmd_hosts | while read -r n ip _; do echo "$n ansible_host=$ip"; done
  sys=$(cmd_hosts | awk '$3 == "nspawn" {print $1 " ansible_host=" $2}')
  [ -z "$sys" ] || printf '\n[hs_systemd]\n%s\n' "$sys"
  cat <<EOF

[hs:vars]
ansible_user=root
ansible_ssh_private_key_file=$KEYS/clientkey
ansible_python_interpreter=/usr/bin/python3
ansible_ssh_common_args='-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null'
EOF
}

initpid() {
  local f=$W/hosts/$1/pid p; [ -f "$f" ] || die "no host $1"; p=$(cat "$f")
  awk '{print $1}' "/proc/$p/task/$p/children"
}
cmd_exec() { local n=$1; shift; nsenter -t "$(initpid "$n")" -m -u -i -n -p -r -w "$@"; }
cmd_restart()  { local d=$W/hosts/$1; kill_pidfile "$d/pid"; launch_host "$1" "$(cat "$d/mode")"; wait_ssh "$1" 60; }
cmd_cut()      { ip link set "$(vethname "$1")" down; }
cmd_uncut()    { ip link set "$(vethname "$1")" up; }
cmd_drop()     { ip netns exec "$(nsname "$1")" nft -f - <<EOF
table inet hsfault {
  chain hsin { type filter hook input priority 0; policy accept; tcp dport 22 drop; }
}
EOF
}
cmd_undrop()   { ip netns exec "$(nsname "$1")" nft delete table inet hsfault; }
cmd_killsshd() {
  # sshd mode: SIGKILL sshd (by its pid file); tini, the host's PID 1, exits with it, so the whole
  # host dies and connections are refused.  nspawn mode: stop ssh.service (systemd would restart a
  # killed sshd); established connections die, new ones are refused.
  if [ "$(cat "$W/hosts/$1/mode")" = nspawn ]; then
    cmd_exec "$1" sh -c 'systemctl stop ssh.socket ssh.service 2>/dev/null; pkill -KILL -x sshd || true'
  else
    # The kill takes the whole pid namespace down, the nsenter'd shell included, so its
    # exit status (137) says nothing: wait for the host's init to be gone instead.
    local p; p=$(initpid "$1")
    cmd_exec "$1" sh -c 'kill -KILL "$(cat /run/sshd.pid)"' 2>/dev/null || true
    for _ in $(seq 50); do [ -d "/proc/$p" ] || return 0; sleep 0.1; done
    die "killsshd $1: host still running"
  fi
}

# ---- tear down --------------------------------------------------------------------------------
kill_pidfile() {  # pidfile
  # unshare --fork ignores SIGTERM, so SIGKILL it: --kill-child then SIGKILLs the namespace's PID 1
  # and the kernel kills the whole pid namespace.  systemd-nspawn gets SIGTERM (clean poweroff).
  local f=$1 p sig=KILL; [ -f "$f" ] || return 0; p=$(cat "$f")
  if [ -d "/proc/$p" ]; then
    case $(tr '\0' ' ' < "/proc/$p/cmdline") in
      *unshare*) sig=KILL ;; systemd-nspawn*) sig=TERM ;; *) rm -f "$f"; return 0 ;;  # not ours any more
    esac
    kill -$sig "$p" 2>/dev/null || true
    for _ in $(seq 200); do [ -d "/proc/$p" ] || break; sleep 0.05; done
    [ -d "/proc/$p" ] && kill -KILL "$p" 2>/dev/null || true
  fi
  rm -f "$f"
}

teardown_slot() {  # K DIR: works from the names alone, even when DIR is gone
  local k=$1 dir=$2 d ns p f
  if [ -d "$dir/hosts" ]; then
    for d in "$dir"/hosts/hs*; do [ -f "$d/pid" ] && kill_pidfile "$d/pid" & done; wait
  fi
  for ns in $(ip netns list | awk -v p="oct$k-hs" 'index($1, p) == 1 {print $1}'); do
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
  done
  for f in "$dir/run/aptproxy.pid" "$dir/run/repo.pid"; do
    [ -f "$f" ] && grep -q python "/proc/$(cat "$f")/cmdline" 2>/dev/null && kill "$(cat "$f")" 2>/dev/null; rm -f "$f"
  done
  if [ -d "$dir/hosts" ]; then
    for d in "$dir"/hosts/hs*; do
      [ -d "$d" ] || continue
      for _ in $(seq 50); do mountpoint -q "$d/root" || break; umount "$d/root" 2>/dev/null && break; sleep 0.1; done
      mountpoint -q "$d/root" && umount -l "$d/root"
      rm -rf "$d"
    done
  fi
  for ns in $(ip netns list | awk -v p="oct$k-hs" 'index($1, p) == 1 {print $1}'); do
    ip netns del "$ns" 2>/dev/null || true
    rm -rf "/run/systemd/nspawn/propagate/$ns" 2>/dev/null || true  # nspawn leaves these when /run is not tmpfs
  done
  ip -o link show type veth 2>/dev/null | awk -F': ' -v p="oct${k}h" '{sub(/@.*/, "", $2)} index($2, p) == 1 {print $2}' |
    while read -r l; do ip link del "$l" 2>/dev/null || true; done
  ip link del "oct${k}br" 2>/dev/null || true
  nft delete table inet "octopus_fleet_$k" 2>/dev/null || true
  if [ -n "$dir" ] && [ -d "$dir" ]; then
    findmnt -rn -o TARGET | grep "^$dir/" | sort -r | while read -r m; do umount -l "$m"; done || true
    rm -f "$dir/slot"
  fi
  rm -f "$RUNDIR/slot.$k"
}

cmd_down() {
  [ -f "$W/slot" ] || { log "down: no fleet in $W"; return 0; }
  mkdir -p "$RUNDIR"; exec 9>"$RUNDIR/alloc.lock"; flock 9   # not while a slot is allocated or reclaimed
  teardown_slot "$(slot)" "$W"
  exec 9>&-
  log "down"
}

case ${1:-} in
  deps) cmd_deps "${2:-}" ;;
  base) cmd_deps; cmd_base ;;
  up) cmd_up "${2:?N}" "${3:-sshd}" "${4:-1}" ;;
  down) cmd_down ;;
  hosts) cmd_hosts ;;
  inventory) cmd_inventory ;;
  repo) cmd_repo ;;
  exec) shift; cmd_exec "$@" ;;
  cut|uncut|drop|undrop|killsshd|restart) c=$1; shift; "cmd_$c" "${1:?NAME}" ;;
  *) sed -n '2,44p' "$0"; exit 2 ;;
esac
