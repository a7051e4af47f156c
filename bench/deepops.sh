# Shared by the benchmark scripts: extracts the original OpenI-Octopus
# deepops/ tree (read-only mirror, never committed) into a temp dir.
# Usage: . bench/deepops.sh; deepops_extract DIR
DEEPOPS_REPO=${OCTOPUS_DEEPOPS_REPO:-/work/.mirror/open-intelligence+OpenI-Octopus/repo}
DEEPOPS_COMMIT=${OCTOPUS_DEEPOPS_COMMIT:-b8d3334}

# deepops_extract DIR: writes DIR/deepops (with config/ copied from
# config.example as its README says). Files one by one: the mirror lacks
# a large binary blob, which makes `git archive` fail.
deepops_extract() {
  local dir=$1 mode type obj path
  [ -d "$DEEPOPS_REPO" ] || { echo "deepops mirror not found at $DEEPOPS_REPO" >&2; return 1; }
  git -C "$DEEPOPS_REPO" ls-tree -r "$DEEPOPS_COMMIT" deepops | while read -r mode type obj path; do
    [ "$type" = blob ] || continue
    mkdir -p "$dir/$(dirname "$path")"
    git -C "$DEEPOPS_REPO" cat-file blob "$obj" > "$dir/$path" 2>/dev/null || rm -f "$dir/$path"
  done
  cp -r "$dir/deepops/config.example" "$dir/deepops/config"
}
