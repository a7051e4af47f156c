#!/bin/bash
# The octopus demo (`make demo`): three throwaway hosts with real systemd, demo/site.yml run twice.
# The first run deploys (changed > 0), the second must change nothing (changed=0 on every host).
#
#   ./demo/run.sh                    # with octopus (bin/ansible-playbook, built by `make build`)
#   DEMO_ANSIBLE=1 ./demo/run.sh     # with the real ansible-playbook, for comparison
#   PLAYBOOK_CMD=/path/to/ansible-playbook ./demo/run.sh   # any other ansible-playbook
#
# Environment: DEMO_HS_DIR fleet state dir (default /tmp/octopus-demo), DEMO_HOSTS (default 3).
# Exit status: 0 when both runs succeed on every host and the second one reports no change.
# Runs as root (the fleet is network namespaces); the hosts are always torn down on exit.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
F=$root/test/fleet/fleet.sh
export HS_DIR=${DEMO_HS_DIR:-/tmp/octopus-demo} HS_OWNER_PID=$$
N=${DEMO_HOSTS:-3}
if [ -n "${PLAYBOOK_CMD:-}" ]; then :
elif [ "${DEMO_ANSIBLE:-0}" = 1 ]; then PLAYBOOK_CMD=ansible-playbook
else PLAYBOOK_CMD=$root/bin/ansible-playbook
fi

if [ -t 1 ]; then say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }; else say() { printf '\n==> %s\n' "$*"; }; fi
die() { echo "demo: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "must run as root (the test hosts are network namespaces)"
command -v "$PLAYBOOK_CMD" >/dev/null 2>&1 || die "$PLAYBOOK_CMD not found (run 'make build', or DEMO_ANSIBLE=1)"

mkdir -p "$HS_DIR"
trap '"$F" down' EXIT
trap 'exit 130' INT TERM                 # the EXIT trap tears the hosts down

say "starting $N test hosts with systemd as PID 1 (fleet state in $HS_DIR)"
"$F" up "$N" nspawn 1 || die "could not start the test hosts"
for i in $(seq 1 "$N"); do             # ssh is up; let systemd finish booting (degraded is fine)
  timeout 60 "$F" exec "hs$i" systemctl is-system-running --wait >/dev/null 2>&1 || true
done
"$F" inventory > "$HS_DIR/inventory.ini"
cat "$HS_DIR/inventory.ini"

# The same settings for octopus and for ansible: key auth, no host key prompts, keepalives.
export ANSIBLE_HOST_KEY_CHECKING=False ANSIBLE_PIPELINING=True ANSIBLE_FORKS=10 \
       ANSIBLE_RETRY_FILES_ENABLED=False ANSIBLE_SSH_CONTROL_PATH_DIR=$HS_DIR/cp \
       ANSIBLE_SSH_ARGS='-o ControlMaster=auto -o ControlPersist=60s -o ServerAliveInterval=2 -o ServerAliveCountMax=3 -o ConnectTimeout=5'
[ -t 1 ] && export ANSIBLE_FORCE_COLOR=1

# run N LOG: runs the playbook, shows its output, keeps a copy (colours stripped) in LOG.
run() {
  local s=$SECONDS rc
  say "run $1: $PLAYBOOK_CMD -i $HS_DIR/inventory.ini demo/site.yml"
  (cd "$root" && "$PLAYBOOK_CMD" -i "$HS_DIR/inventory.ini" demo/site.yml) 2>&1 | tee "$2.raw"
  rc=${PIPESTATUS[0]}
  sed 's/\x1b\[[0-9;]*m//g' "$2.raw" > "$2"
  echo "(run $1: exit $rc in $((SECONDS - s)) s)"
  return "$rc"
}

# recap LOG: the recap lines "host : ok=.. changed=.. ..." of a run.
recap() { sed -n '/^PLAY RECAP/,$p' "$1" | grep -E '^[^ ].* : ok=[0-9]+'; }

fail=0
run 1 "$HS_DIR/run1.log" || { echo "demo: run 1 failed"; fail=1; }
run 2 "$HS_DIR/run2.log" || { echo "demo: run 2 failed"; fail=1; }

say "what the hosts say (read through the fleet, not through the playbook)"
"$F" exec hs1 cat /etc/demo/backends.cfg 2>/dev/null || true
for i in $(seq 1 "$N"); do
  printf 'hs%s: %-8s stamp %s\n' "$i" "$("$F" exec "hs$i" systemctl is-active demo-app 2>/dev/null)" \
    "$("$F" exec "hs$i" cat /run/demo.stamp 2>/dev/null || echo missing)"
done

say "verdict"
for r in 1 2; do
  lines=$(recap "$HS_DIR/run$r.log" | wc -l)
  [ "$lines" -eq "$N" ] || { echo "run $r: recap has $lines host lines, want $N"; fail=1; }
  if recap "$HS_DIR/run$r.log" | grep -Eq 'unreachable=[1-9]|failed=[1-9]'; then
    echo "run $r: a host failed or was unreachable"; fail=1
  fi
done
recap "$HS_DIR/run1.log" | grep -Eq 'changed=[1-9]' || { echo "run 1: nothing changed on a fresh fleet"; fail=1; }
if recap "$HS_DIR/run2.log" | grep -Eq 'changed=[1-9]'; then
  echo "run 2 changed something (it must be idempotent):"; recap "$HS_DIR/run2.log" | grep -E 'changed=[1-9]'; fail=1
fi
if [ "$fail" = 0 ]; then
  echo "demo OK with $PLAYBOOK_CMD: run 1 deployed to $N hosts, run 2 reports changed=0 on all of them"
else
  echo "demo FAILED with $PLAYBOOK_CMD (logs: $HS_DIR/run1.log, $HS_DIR/run2.log)"
fi
exit "$fail"
