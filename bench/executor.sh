#!/bin/bash
# Benchmark: the executor. The same 50-task playbook (bench/playbooks/executor.yml: command, copy,
# file, template, set_fact) run by ansible-playbook and by octopus against 1 and against 10 throwaway
# fleet hosts (tini + sshd), side by side in one run. Prints wall times and ratios.
# Ansible runs as tuned as it gets here: pipelining on, ControlMaster/ControlPersist, forks 10.
# Each measured run starts cold (a fresh ssh control dir) and does the same work (the playbook's
# first task wipes what the previous run wrote). When octopus cannot run the playbook yet, that is
# printed with its exit code and the end of its output, and ansible's numbers are still printed.
#   ROUNDS=N (default 1)  BENCH_HS_DIR=fleet state dir (default /tmp/octopus-bench)
#   OCTOPUS=path (default bin/ansible-playbook)  ANSIBLE=path (default ansible-playbook)
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
F=$root/test/fleet/fleet.sh
PB=$root/bench/playbooks/executor.yml
ANSIBLE=${ANSIBLE:-ansible-playbook}
OCTOPUS=${OCTOPUS:-$root/bin/ansible-playbook}
rounds=${ROUNDS:-1}
export HS_DIR=${BENCH_HS_DIR:-/tmp/octopus-bench} HS_OWNER_PID=$$
[ "$(id -u)" = 0 ] || { echo "executor bench: must run as root (the test hosts are network namespaces)"; exit 1; }
command -v "$ANSIBLE" >/dev/null || { echo "ansible-playbook not installed: nothing to compare against"; exit 0; }
[ -x "$OCTOPUS" ] || make -C "$root" build >/dev/null 2>&1 || echo "octopus: 'make build' failed" >&2

mkdir -p "$HS_DIR"
trap '"$F" down >/dev/null 2>&1' EXIT
trap 'exit 130' INT TERM                 # the EXIT trap tears the hosts down
"$F" up 10 >/dev/null 2>"$HS_DIR/up.log" || { cat "$HS_DIR/up.log"; echo "executor bench: fleet did not come up"; exit 1; }
"$F" inventory > "$HS_DIR/inv10.ini"
awk '!/^hs[0-9]+ ansible_host=/ || /^hs1 /' "$HS_DIR/inv10.ini" > "$HS_DIR/inv1.ini"

export ANSIBLE_HOST_KEY_CHECKING=False ANSIBLE_PIPELINING=True ANSIBLE_FORKS=10 \
       ANSIBLE_RETRY_FILES_ENABLED=False ANSIBLE_NOCOLOR=1 \
       ANSIBLE_SSH_ARGS='-o ControlMaster=auto -o ControlPersist=60s -o ServerAliveInterval=2 -o ServerAliveCountMax=3 -o ConnectTimeout=5'

ms() { date +%s%N; }
# once TOOL INV LOG: one cold run; prints its wall time in ms; fails when the run or a host failed.
once() {
  local tool=$1 inv=$2 log=$3 cp t0 t1 rc
  cp=$(mktemp -d "$HS_DIR/cp.XXXXXX")
  t0=$(ms)
  ANSIBLE_SSH_CONTROL_PATH_DIR=$cp "$tool" --forks 10 -i "$inv" "$PB" >"$log" 2>&1; rc=$?
  t1=$(ms)
  for s in "$cp"/*; do [ -S "$s" ] && ssh -o ControlPath="$s" -O exit x >/dev/null 2>&1; done
  rm -rf "$cp"
  [ "$rc" = 0 ] || return "$rc"
  grep -Eq 'unreachable=[1-9]|failed=[1-9]' "$log" && return 99
  echo $(( (t1 - t0) / 1000000 ))
}
# measure TOOL INV NAME: mean wall time in ms over the rounds, or "FAIL <exit code>".
measure() {
  local tool=$1 inv=$2 name=$3 sum=0 t r
  for r in $(seq "$rounds"); do
    t=$(once "$tool" "$inv" "$HS_DIR/$name.$r.log") || { echo "FAIL $? $HS_DIR/$name.$r.log"; return; }
    sum=$((sum + t))
  done
  echo $((sum / rounds))
}
# why LOG: the end of a failed run's output, indented.
why() { tail -n 5 "$1" | sed 's/^/      | /'; }

echo "executor: $(grep -c '^    - name:' "$PB")-task playbook (command, copy, file, template, set_fact), forks 10, pipelining + ControlPersist, mean of $rounds round(s)"
status=0
for n in 1 10; do
  a=$(measure "$ANSIBLE" "$HS_DIR/inv$n.ini" "ansible-$n")
  if [ -x "$OCTOPUS" ]; then o=$(measure "$OCTOPUS" "$HS_DIR/inv$n.ini" "octopus-$n"); else o="FAIL missing"; fi
  echo "  $n host(s):"
  case $a in
    FAIL*) set -- $a; echo "    ansible-playbook: FAILED (exit $2), see $3"; why "$3"; status=1 ;;
    *)     echo "    ansible-playbook: ${a} ms" ;;
  esac
  case $o in
    "FAIL missing") echo "    octopus:          not built ($OCTOPUS missing): octopus not ready" ;;
    FAIL*) set -- $o; echo "    octopus:          FAILED (exit $2): octopus cannot run this playbook yet, see $3"; why "$3" ;;
    *)     echo "    octopus:          ${o} ms"
           case $a in FAIL*) ;; *) [ "$o" -gt 0 ] || o=1
             awk -v a="$a" -v o="$o" 'BEGIN { if (a >= o) printf "    ratio:            %.1fx faster\n", a / o; else printf "    ratio:            %.1fx slower\n", o / a }' ;; esac ;;
  esac
done
exit "$status"
