#!/bin/bash
# Build hand-made .debs with dpkg-deb and a flat apt repo in $W/repo (served on 10.77.K.1:8080 by fleet.sh)
set -euo pipefail
W=${HS_DIR:-/tmp/octopus-fleet}; R=$W/repo; B=$W/pkgbuild
rm -rf "$B"; mkdir -p "$R"
mk() { # name version
  local n=$1 v=$2 d=$B/$1_$2
  mkdir -p "$d/DEBIAN" "$d/usr/bin" "$d/lib/systemd/system"
  cat > "$d/DEBIAN/control" <<C
Package: $n
Version: $v
Architecture: all
Maintainer: octopus fleet <fleet@example.invalid>
Description: octopus-fleet test package $n
C
  printf '#!/bin/sh\necho "%s %s"\n' "$n" "$v" > "$d/usr/bin/$n"; chmod 755 "$d/usr/bin/$n"
  # a small long-running daemon + real unit, for service/systemd module tests
  cat > "$d/usr/bin/$n-daemon" <<'D'
#!/bin/sh
echo $$ > /run/hs-daemon.pid
exec python3 -m http.server -b 127.0.0.1 8099
D
  chmod 755 "$d/usr/bin/$n-daemon"
  cat > "$d/lib/systemd/system/$n.service" <<U
[Unit]
Description=octopus-fleet daemon $n
[Service]
ExecStart=/usr/bin/$n-daemon
[Install]
WantedBy=multi-user.target
U
  dpkg-deb --root-owner-group -Zgzip -b "$d" "$R/${n}_${v}_all.deb" >/dev/null
}
mk hs-hello 1.0
mk hs-hello 1.1
mk hs-other 0.1
cd "$R" && dpkg-scanpackages --multiversion . 2>/dev/null > Packages && gzip -9kf Packages
ls -l "$R"
