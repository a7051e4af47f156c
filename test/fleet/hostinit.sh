#!/bin/bash
# hostinit.sh ROOT NAME: PID 1 of a fresh pid+mount+uts+ipc namespace, already inside the host's
# network namespace (started by fleet.sh).  Builds the host's /dev, /proc, /sys and /run on top of its
# overlay root, then execs tini -> sshd -D.  The host gets its own device nodes, NOT bind mounts of
# the machine's /dev: a host's systemd/udev would chown/chmod the machine's /dev/null through a bind
# mount (observed).
set -eu
R=$1 NAME=$2
hostname "$NAME"
mount -t proc -o nosuid,nodev,noexec proc "$R/proc"
mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$R/sys"
mount -t tmpfs -o mode=755,size=8m,nosuid tmpfs "$R/dev"
mknod -m 666 "$R/dev/null" c 1 3; mknod -m 666 "$R/dev/zero" c 1 5; mknod -m 666 "$R/dev/full" c 1 7
mknod -m 666 "$R/dev/random" c 1 8; mknod -m 666 "$R/dev/urandom" c 1 9; mknod -m 666 "$R/dev/tty" c 5 0
mkdir -p "$R/dev/pts" "$R/dev/shm"
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620,gid=5 devpts "$R/dev/pts"
ln -s pts/ptmx "$R/dev/ptmx"; ln -s /proc/self/fd "$R/dev/fd"
ln -s /proc/self/fd/0 "$R/dev/stdin"; ln -s /proc/self/fd/1 "$R/dev/stdout"; ln -s /proc/self/fd/2 "$R/dev/stderr"
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$R/dev/shm"
mount -t tmpfs -o mode=755,nosuid,nodev,size=64m tmpfs "$R/run"
mkdir -p "$R/run/sshd" "$R/run/lock"
if [ -x "$R/usr/bin/tini" ]; then exec chroot "$R" /usr/bin/tini -g -- /usr/sbin/sshd -D -e
else exec chroot "$R" /usr/sbin/sshd -D -e; fi
