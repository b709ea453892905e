# Sourced by scripts/measure-agent.sh and packaging/build-debs.sh: the one definition of the release build.
# Full LTO, -Osize, and lld with identical-code folding, packed relative relocations (DT_RELR, needs glibc ≥ 2.36:
# Debian 12) and no dynamic symbol export. docs/benchmarks.md measures each; together they keep the stripped
# static v2g-agent under 16 MB. Every product is built with them, in one scratch folder.
# shellcheck shell=bash

# The scratch folder shared by both scripts, so one build serves both.
release_scratch=".build-release"

# release_flags ARRAY_NAME: fills the named array with the swift build arguments of the release build.
# SWIFT_RELEASE_FLAGS, when set (even empty), replaces the size flags (measure-agent.sh measures variants with it).
release_flags() {
  local -n into="$1"
  local size_flags="--experimental-lto-mode=full -Xswiftc -use-ld=lld -Xswiftc -Osize -Xlinker --icf=all -Xlinker -z -Xlinker pack-relative-relocs -Xlinker --no-export-dynamic"
  local extra=()
  # Word splitting is wanted: the flags are several words.
  read -r -a extra <<< "${SWIFT_RELEASE_FLAGS-$size_flags}"
  into=(-c release --static-swift-stdlib --scratch-path "$release_scratch" ${extra[@]+"${extra[@]}"})
}
