#!/bin/bash
# Example: a throwaway fleet driven by real ansible and by octopus (run as root).
#   test/fleet/example.sh [PLAYBOOK]
set -euo pipefail
S=$(dirname "$(readlink -f "$0")"); F=$S/fleet.sh
export HS_DIR=${HS_DIR:-/tmp/octopus-fleet-example}
t() { local s=$SECONDS; "$@"; echo "TIMING $* : $((SECONDS - s)) s" >&2; }
trap '"$F" down' EXIT INT TERM            # always tear down
t "$F" up 10                              # hs1..hs10: tini + sshd (builds the cached base once)
t "$F" up 12 nspawn 11                    # hs11, hs12: real systemd as PID 1
"$F" inventory > "$HS_DIR/inventory.ini"
# keepalives and a connect timeout, so a cut link cannot hang a run
export ANSIBLE_HOST_KEY_CHECKING=False ANSIBLE_PIPELINING=True ANSIBLE_FORKS=20 \
       ANSIBLE_SSH_ARGS='-o ServerAliveInterval=2 -o ServerAliveCountMax=3 -o ConnectTimeout=5'
t ansible -i "$HS_DIR/inventory.ini" all -m ping | tail -3
if [ $# -gt 0 ]; then
  # faults while a play runs: cut one host's link, kill another's sshd
  ( sleep 4; "$F" cut hs5; "$F" killsshd hs6 ) &
  t ansible-playbook -i "$HS_DIR/inventory.ini" "$@" || true
  wait
fi
