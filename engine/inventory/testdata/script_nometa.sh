#!/bin/sh
if [ "$1" = "--list" ]; then
echo '{"g": {"hosts": ["n1", "n2"]}}'
else
echo "{\"hostvar_from_script\": \"$2\"}"
fi
