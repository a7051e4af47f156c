#!/bin/bash
# `make bench`: every benchmark of this directory, one after the other (see bench/README.md).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
status=0
"$here/syntax_check.sh" || status=1
echo
"$here/executor.sh" || status=1
exit "$status"
