#!/bin/bash
# Benchmark: `--syntax-check` over all 22 OpenI-Octopus playbooks, octopus
# against ansible-playbook, side by side in one run. Prints both wall times
# and the ratio. The 5 playbooks that ansible 2.14 refuses (play-level
# include) are given to ansible with include: rewritten to import_playbook:.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/bench/deepops.sh"
command -v ansible-playbook >/dev/null || { echo "ansible-playbook not installed: nothing to compare against"; exit 0; }
[ -x "$root/bin/octopus" ] || make -C "$root" build >/dev/null
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
deepops_extract "$tmp/oct"; deepops_extract "$tmp/ans"
sed -i -E 's/^- include:/- import_playbook:/' "$tmp"/ans/deepops/playbooks/*.yml
rounds=${ROUNDS:-3}

run_all() { # tool dir
  local tool=$1 dir=$2
  ( cd "$dir/deepops"
    for pb in playbooks/*.yml; do
      "$tool" --syntax-check "$pb" >/dev/null 2>&1 || { echo "FAILED: $tool $pb" >&2; echo "$pb" >> "$dir/failed"; }
    done )
}
ms() { date +%s%N; }

t0=$(ms); for _ in $(seq "$rounds"); do run_all ansible-playbook "$tmp/ans"; done; t1=$(ms)
for _ in $(seq "$rounds"); do run_all "$root/bin/ansible-playbook" "$tmp/oct"; done; t2=$(ms)
a=$(( (t1 - t0) / 1000000 / rounds )); o=$(( (t2 - t1) / 1000000 / rounds ))
[ "$o" -gt 0 ] || o=1
n=$(ls "$tmp"/oct/deepops/playbooks/*.yml | wc -l)
echo "syntax-check of $n OpenI-Octopus playbooks (mean of $rounds rounds)"
nfail() { if [ -f "$1/failed" ]; then sort -u "$1/failed" | wc -l; else echo 0; fi; }
af=$(nfail "$tmp/ans"); of=$(nfail "$tmp/oct")
echo "  ansible-playbook: ${a} ms$([ "$af" = 0 ] || echo " (FAILED on $af playbooks)")"
echo "  octopus:          ${o} ms$([ "$of" = 0 ] || echo " (FAILED on $of playbooks)")"
if [ "$af" = 0 ] && [ "$of" = 0 ]; then
  awk -v a="$a" -v o="$o" 'BEGIN { printf "  ratio:            %.1fx faster\n", a / o }'
else
  echo "  ratio:            not comparable (a run failed)"
fi
