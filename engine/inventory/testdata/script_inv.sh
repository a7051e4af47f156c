#!/bin/sh
if [ "$1" = "--list" ]; then
cat <<'JSON'
{"sgroup": {"hosts": ["s1", "s2"], "vars": {"sv": 1}, "children": ["schild"]},
 "schild": ["s3"],
 "plain": {"pv": "x"},
 "_meta": {"hostvars": {"s1": {"a": 1}, "s3": {"b": [1, 2]}}}}
JSON
else
echo '{}'
fi
