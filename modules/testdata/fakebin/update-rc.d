#!/bin/sh
# Fake update-rc.d: calls logged.
echo "update-rc.d $*" >> "${FAKE_SYSTEMD:?}/log"
