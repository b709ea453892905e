#!/usr/bin/env bash
# Installs the Debian packages v2g-edge needs to build and test, and nothing that is already there.
# Safe to run again; runs non-interactively (CI has no stdin).
set -euo pipefail

packages=(
  pkg-config
  libmodbus-dev libzstd-dev libssl-dev libsqlite3-dev libcurl4-openssl-dev  # the C libraries the programs link
  openssl       # CLI: an independent peer for the Ed25519 tests, and the provisioning scripts
  socat         # a pty pair for the Modbus RTU test
  curl util-linux coreutils  # curl as a second TLS client; flock and timeout for the PKI test
  python3 python3-venv  # the Python peers (pymodbus, pysunspec2, …) live in a venv
  dpkg-dev binutils help2man lintian  # packaging/build-debs.sh: dpkg-shlibdeps, strip, the man page of v2g-pki, lintian
  debootstrap systemd  # scripts/test-packages.sh: a clean Debian 12 root; systemd-analyze for the units
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
