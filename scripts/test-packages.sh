#!/usr/bin/env bash
# Install tests of the Debian packages (packaging/build-debs.sh), in clean Debian 12 roots made by debootstrap:
#   1. the packages: lintian (every tag left must be explained in packaging/README.md); Depends against the
#      libraries each binary needs;
#   2. the units, offline: systemd does not run inside a chroot, so `systemd-analyze security --offline` judges the
#      installed unit files (agent ≤ 2.0, aggregator ≤ 3.0, with and without the documented drop-ins), and the
#      units' own ExecStartPre/ExecStart lines are run by hand as the unit's user (Type=notify is not exercised);
#   3. bad input: a missing dependency, a half-provisioned key directory, a conffile with an unknown key, a key
#      open to others: the maintainer scripts and the services stop with one line that says what to do;
#   4. install with dpkg (Depends with apt inside the root), --help, check-config, a PKI from v2g-pki, the
#      installed agent against v2g-sim uploading to the installed aggregator, and its memory;
#   5. upgrade to a newer build: the cache's policy, the queued telemetry and the edited conffile kept;
#   6. remove, then purge, each as Debian policy expects; after the purge the root is as it was before.
# Prints "N passed, M failed". Needs root (or sudo) and the network (debootstrap, apt); the base root is cached in
# Tests/.packages/ for a week. Environment: V2G_KEEP_ROOT=1 keeps the roots for a look afterwards.
set -uo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then exec sudo --preserve-env=V2G_KEEP_ROOT,DEBIAN_MIRROR "$0" "$@"; fi
source scripts/lib/debian-root.sh
started=$SECONDS

./scripts/install-deps.sh || exit 1
work="$(mktemp -d /tmp/v2g-test-packages.XXXXXX)"
roots="$packages_dir/roots"
cleanup() {
  if [ -z "${V2G_KEEP_ROOT:-}" ]; then remove_root "$roots/deps" && remove_root "$roots/main"; fi
  rm -rf "$work"
}
trap cleanup EXIT

passed=0
failed=0
ok() { echo "  ok    $1"; passed=$((passed + 1)); }
bad() { echo "  FAIL  $1${2:+: $2}"; failed=$((failed + 1)); }
# check NAME COMMAND...: passes when COMMAND succeeds; its last lines are shown when it does not.
check() {
  local name="$1"
  shift
  if "$@" > "$work/check.out" 2>&1; then ok "$name"; else bad "$name" "$(tail -n 3 "$work/check.out" | tr '\n' ' ')"; fi
}
# refused NAME PATTERN COMMAND...: COMMAND fails, and exactly one line of its output starts with a program's name
# ("v2g-agent: …" or "v2g-aggregator: …") and matches PATTERN (grep -E); dpkg's own lines may surround it.
refused() {
  local name="$1" pattern="$2"
  shift 2
  if "$@" > "$work/refused.out" 2>&1; then bad "$name" "it was accepted"; return; fi
  local lines
  lines="$(grep -E '^v2g-(agent|aggregator): ' "$work/refused.out")"
  if [ "$(printf '%s' "$lines" | grep -c '')" -eq 1 ] && grep -qE -- "$pattern" <<< "$lines"; then
    ok "$name"
    echo "          $lines"
  else
    bad "$name" "expected one line matching /$pattern/, got: $(tr '\n' ' ' < "$work/refused.out" | cut -c1-400)"
  fi
}
phase() { echo "== $1 ($((SECONDS - started)) s)"; }

source scripts/lib/package-checks.sh
source scripts/lib/package-lifecycle.sh

phase "packages: packaging/build-debs.sh, then a newer build of the same binaries"
# In CI the packages hold a plain release build (static stdlib, no full LTO or -Osize): what is tested here is the
# packaging, the units and the install lifecycle, and the size-tuned link of every product would take most of CI's
# time on two cores. The shipped build and its size are packaging/build-debs.sh's default (packaging/README.md).
if [ "${CI:-}" = true ] && [ -z "${SWIFT_RELEASE_FLAGS+set}" ]; then
  export SWIFT_RELEASE_FLAGS=""
  echo "note: CI=true: the packages are a plain release build (SWIFT_RELEASE_FLAGS=\"\"), not the size-tuned one"
fi
if ! packaging/build-debs.sh > "$work/build.log" 2>&1; then
  tail -n 20 "$work/build.log"
  bad "packaging/build-debs.sh" "the build failed"
  echo "$passed passed, $failed failed"
  exit 1
fi
sed -n '/^== packages/,$p' "$work/build.log"
version="$(dpkg-deb -f packaging/dist/v2g-agent_*.deb Version)"
newer="$version+rebuild1"
packaging/build-debs.sh --no-build --fast --version "$newer" --out "$work/newer" > "$work/build-newer.log" 2>&1 ||
  bad "packaging/build-debs.sh --no-build --fast --version $newer" "$(tail -n 3 "$work/build-newer.log")"
debs=(packaging/dist/v2g-agent_"$version"_*.deb packaging/dist/v2g-aggregator_"$version"_*.deb packaging/dist/v2g-tools_"$version"_*.deb)

phase "lintian"
check_lintian

phase "a clean Debian 12 root (debootstrap, cached in $packages_dir)"
if ! debian_base; then
  bad "debootstrap $debian_suite" "see above"
  echo "$passed passed, $failed failed"
  exit 1
fi

phase "a missing dependency (root 1)"
test_missing_dependency

phase "install with dpkg, Depends with apt (root 2)"
test_install

phase "the units, offline"
test_units

phase "provisioning, and bad input"
test_provisioning
test_bad_input

phase "the installed agent against v2g-sim, uploading to the installed aggregator"
test_run

phase "upgrade to $newer"
test_upgrade

phase "remove, then purge"
test_remove_purge

echo "install test time: $((SECONDS - started)) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
