#!/usr/bin/env bash
# Builds the release binaries and writes three Debian packages to packaging/dist/:
#   v2g-agent       the transformer agent, its hardened unit, /etc/v2g/agent.json
#   v2g-aggregator  the neighborhood aggregator, its hardened unit, /etc/v2g/aggregator.json (+ .commented)
#   v2g-tools       v2g-adm, v2g-sim and v2g-pki
# Static Swift stdlib, the release flags of scripts/lib/release-flags.sh (shared with measure-agent.sh), Depends
# from dpkg-shlibdeps, man pages from each program's argument parser (swift-argument-parser's generate-manual; help2man
# for the v2g-pki script), then lintian when it is installed. packaging/README.md says what each package holds.
#
# Usage: packaging/build-debs.sh [--version VERSION] [--no-build] [--fast] [--out DIR]
#   --version  the package version (default: VERSION, with ~devN.gHASH after it unless HEAD is tagged vVERSION)
#   --no-build package the binaries already built (the install test's "newer build" of the same commit)
#   --fast     gzip -1 instead of xz and no lintian: the install test's throwaway newer build, not for shipping
#   --out      where the .deb files go (default packaging/dist)
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
source scripts/lib/release-flags.sh

version=""
build=1
out="packaging/dist"
compression=(-Zxz)
lint=1
while [ $# -gt 0 ]; do
  case "$1" in
    --version) version="$2"; shift 2 ;;
    --no-build) build=0; shift ;;
    --fast) compression=(-Zgzip -z1); lint=0; shift ;;
    --out) out="$2"; shift 2 ;;
    *) echo "build-debs: unknown argument '$1' (--version V, --no-build, --fast, --out DIR)" >&2; exit 2 ;;
  esac
done

for tool in dpkg-deb dpkg-shlibdeps help2man gzip strip; do
  command -v "$tool" >/dev/null || {
    echo "build-debs: $tool is missing: run ./scripts/install-deps.sh (it installs dpkg-dev, help2man, lintian)" >&2
    exit 1
  }
done

# The version: one place (VERSION), plus where in the history this build is.
base="$(tr -d ' \n' < VERSION)"
if [ -z "$version" ]; then
  if git describe --exact-match --tags --match "v$base" >/dev/null 2>&1; then
    version="$base"
  else
    version="$base~dev$(git rev-list --count HEAD).g$(git rev-parse --short=8 HEAD)"
  fi
fi
commit="$(git rev-parse HEAD)"
dirty=""
git diff --quiet HEAD -- 2>/dev/null || dirty=" (with uncommitted changes)"
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct)}"
arch="$(dpkg --print-architecture)"
maintainer="v2g-edge maintainers <maintainers@users.noreply.b-seed-41d781d3.example>"

release_flags flags
if [ "$build" -eq 1 ]; then
  echo "== release build (${flags[*]})"
  started=$SECONDS
  mkdir -p "$release_scratch"
  if ! swift build "${flags[@]}" > "$release_scratch/build-debs.log" 2>&1; then
    grep -E "error:" "$release_scratch/build-debs.log" | head -n 20 >&2
    echo "build-debs: the release build failed (whole log: $release_scratch/build-debs.log)" >&2
    exit 1
  fi
  echo "   $(tail -n 1 "$release_scratch/build-debs.log"), $((SECONDS - started)) s"
fi
bin="$(swift build "${flags[@]}" --show-bin-path)"
for program in v2g-agent v2g-aggregator v2g-adm v2g-sim; do
  [ -x "$bin/$program" ] || { echo "build-debs: $bin/$program is missing: run without --no-build" >&2; exit 1; }
done

work="$(mktemp -d /tmp/v2g-debs.XXXXXX)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

# Man pages from the argument parser: swift-argument-parser's generate-manual tool, built once from the checkout
# SwiftPM already holds (debug, .build-manual), run on the release binaries themselves.
manual_tool=".build-manual/debug/generate-manual"
if [ ! -x "$manual_tool" ]; then
  echo "== building generate-manual (swift-argument-parser's tool)"
  rm -rf .build-manual/src && mkdir -p .build-manual/src
  cp -R "$release_scratch/checkouts/swift-argument-parser/." .build-manual/src/
  rm -rf .build-manual/src/.git
  swift build --package-path .build-manual/src --product generate-manual --scratch-path .build-manual 2>&1 | tail -n 1
fi
man_date="$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%d)"
manpage() {  # manpage PROGRAM DIR: DIR/PROGRAM.1.gz from the binary's own --experimental-dump-help
  local program="$1" dir="$2"
  mkdir -p "$dir"
  "$manual_tool" "$bin/$program" --date "$man_date" --section 1 --authors "v2g-edge maintainers" --output-directory "$work/man" >/dev/null
  gzip -9n < "$work/man/$program.1" > "$dir/$program.1.gz"
}
mkdir -p "$work/man"

# Depends of a set of binaries: dpkg-shlibdeps reads their NEEDED entries and Debian's shlibs/symbols files.
shlib_depends() {
  local dir="$work/shlibdeps"
  mkdir -p "$dir/debian"
  printf 'Source: v2g-edge\n\nPackage: v2g-edge\nArchitecture: any\n' > "$dir/debian/control"
  (cd "$dir" && dpkg-shlibdeps -O "$@" 2>/dev/null) | sed -n 's/^shlibs:Depends=//p'
}

# stage PACKAGE: an empty tree with the documentation every package carries.
stage() {
  local package="$1" tree="$work/$1"
  mkdir -p "$tree/DEBIAN" "$tree/usr/bin" "$tree/usr/share/doc/$package"
  cp packaging/copyright "$tree/usr/share/doc/$package/copyright"
  {
    echo "v2g-edge ($version) unstable; urgency=medium"
    echo
    echo "  * Built from commit ${commit:0:12}$dirty;"
    echo "    the changes are in the project's git history."
    echo
    echo " -- $maintainer  $(date -u -R -d "@$SOURCE_DATE_EPOCH")"
  } | gzip -9n > "$tree/usr/share/doc/$package/changelog.gz"
}

# install_binary PACKAGE PROGRAM: stripped as dh_strip does, mode 0755.
install_binary() {
  install -m 0755 "$bin/$2" "$work/$1/usr/bin/$2"
  strip --remove-section=.comment --remove-section=.note "$work/$1/usr/bin/$2"
}

# doc PACKAGE FILE [NAME]: a compressed copy under /usr/share/doc/PACKAGE.
doc() {
  local name="${3:-$(basename "$2")}"
  gzip -9n < "$2" > "$work/$1/usr/share/doc/$1/$name.gz"
}

# maintainer_scripts PACKAGE SED-ARGS...: postinst, prerm, postrm from packaging/maintscripts/*.in.
maintainer_scripts() {
  local package="$1"
  shift
  for script in postinst prerm postrm; do
    sed "$@" "packaging/maintscripts/$script.in" > "$work/$package/DEBIAN/$script"
    chmod 0755 "$work/$package/DEBIAN/$script"
  done
}

# finish PACKAGE DEPENDS SECTION SYNOPSIS DESCRIPTION-FILE: control, conffiles, md5sums, then the .deb.
finish() {
  local package="$1" depends="$2" section="$3" synopsis="$4" description="$5" tree="$work/$1"
  find "$tree" -type d -exec chmod 0755 {} +
  # Every file under /etc is a conffile (the tools package has none).
  if [ -d "$tree/etc" ]; then
    (cd "$tree" && find etc -type f | sort | sed 's|^|/|') > "$tree/DEBIAN/conffiles"
  fi
  (cd "$tree" && find . -path ./DEBIAN -prune -o -type f -print | sed 's|^\./||' | sort | xargs md5sum) > "$tree/DEBIAN/md5sums"
  local size
  size=$(du -k -s --apparent-size --exclude=DEBIAN "$tree" | cut -f1)
  {
    echo "Package: $package"
    echo "Version: $version"
    echo "Architecture: $arch"
    echo "Maintainer: $maintainer"
    echo "Installed-Size: $size"
    echo "Depends: $depends"
    [ "$package" = v2g-tools ] || echo "Suggests: v2g-tools"
    echo "Section: $section"
    echo "Priority: optional"
    echo "Description: $synopsis"
    sed 's/^$/./; s/^/ /' "$description"
  } > "$tree/DEBIAN/control"
  local deb="$out/${package}_${version}_${arch}.deb"
  dpkg-deb --root-owner-group "${compression[@]}" --build "$tree" "$deb" >/dev/null
  printf '   %-48s %9d bytes\n' "$(basename "$deb")" "$(stat -c %s "$deb")"
}

rm -f "$out"/v2g-agent_*.deb "$out"/v2g-aggregator_*.deb "$out"/v2g-tools_*.deb
echo "== packages $version ($arch) in $out"

# v2g-agent
stage v2g-agent
install_binary v2g-agent v2g-agent
install -D -m 0644 packaging/agent/v2g-agent.service "$work/v2g-agent/lib/systemd/system/v2g-agent.service"
install -D -m 0644 packaging/agent/agent.json "$work/v2g-agent/etc/v2g/agent.json"
manpage v2g-agent "$work/v2g-agent/usr/share/man/man1"
for file in docs/install.md docs/agent.md docs/agent-config.md docs/uplink.md; do doc v2g-agent "$file"; done
install -D -m 0644 examples/policy/default.json "$work/v2g-agent/usr/share/doc/v2g-agent/examples/policy.json"
install -D -m 0644 packaging/agent/serial-port.conf "$work/v2g-agent/usr/share/doc/v2g-agent/examples/serial-port.conf"
maintainer_scripts v2g-agent -e 's|@NAME@|v2g-agent|g' -e 's|@CONFIG@|/etc/v2g/agent.json|g' \
  -e 's|@TLS_OWN@|agent.crt agent.key|g' -e 's|@TLS_ALL@|ca.crt agent.crt agent.key|g' \
  -e 's|@KIT@|v2g-pki issue-agent|g' -e 's|@GECOS@|v2g-edge transformer agent|g' \
  -e 's|@ON_REMOVE@|# Stale metrics would read as a live agent: the textfile goes with the program.\n\trm -f /var/lib/prometheus/node-exporter/v2g-agent.prom|'
finish v2g-agent "$(shlib_depends -e"$work/v2g-agent/usr/bin/v2g-agent"), adduser" net \
  "edge agent for distribution transformers with EV chargers" packaging/agent/description

# v2g-aggregator
stage v2g-aggregator
install_binary v2g-aggregator v2g-aggregator
install -D -m 0644 packaging/aggregator/v2g-aggregator.service "$work/v2g-aggregator/lib/systemd/system/v2g-aggregator.service"
install -D -m 0644 packaging/aggregator/aggregator.json "$work/v2g-aggregator/etc/v2g/aggregator.json"
install -D -m 0644 packaging/aggregator/aggregator.json.commented "$work/v2g-aggregator/etc/v2g/aggregator.json.commented"
manpage v2g-aggregator "$work/v2g-aggregator/usr/share/man/man1"
for file in docs/install.md docs/aggregator.md docs/aggregator-storage.md; do doc v2g-aggregator "$file"; done
install -D -m 0644 packaging/aggregator/privileged-port.conf "$work/v2g-aggregator/usr/share/doc/v2g-aggregator/examples/privileged-port.conf"
maintainer_scripts v2g-aggregator -e 's|@NAME@|v2g-aggregator|g' -e 's|@CONFIG@|/etc/v2g/aggregator.json|g' \
  -e 's|@TLS_OWN@|server.crt server.key|g' -e 's|@TLS_ALL@|ca.crt server.crt server.key crl.pem|g' \
  -e 's|@KIT@|v2g-pki issue-server|g' -e 's|@GECOS@|v2g-edge neighborhood aggregator|g' -e 's|@ON_REMOVE@|:|'
# procps: /bin/kill, the unit's ExecReload.
finish v2g-aggregator "$(shlib_depends -e"$work/v2g-aggregator/usr/bin/v2g-aggregator"), adduser, procps" net \
  "neighborhood aggregator for v2g-edge transformer agents" packaging/aggregator/description

# v2g-tools: no service, no user, no conffile; v2g-pki needs the openssl command.
stage v2g-tools
install_binary v2g-tools v2g-adm
install_binary v2g-tools v2g-sim
install -m 0755 provisioning/v2g-pki "$work/v2g-tools/usr/bin/v2g-pki"
manpage v2g-adm "$work/v2g-tools/usr/share/man/man1"
manpage v2g-sim "$work/v2g-tools/usr/share/man/man1"
help2man --no-info --section 1 --version-string "$version" --no-discard-stderr \
  --name "the deployment CA behind v2g-edge's mutual TLS" provisioning/v2g-pki 2>/dev/null \
  | gzip -9n > "$work/v2g-tools/usr/share/man/man1/v2g-pki.1.gz"
for file in docs/provisioning.md docs/policy.md docs/simulator.md; do doc v2g-tools "$file"; done
doc v2g-tools provisioning/README.md provisioning-runbook.md
finish v2g-tools "$(shlib_depends -e"$work/v2g-tools/usr/bin/v2g-adm" -e"$work/v2g-tools/usr/bin/v2g-sim"), openssl" utils \
  "operator tools for v2g-edge: v2g-adm, v2g-sim and v2g-pki" packaging/tools/description

rm -f "$out/lintian.txt"
if [ "$lint" -eq 1 ] && command -v lintian >/dev/null; then
  echo "== lintian (packaging/README.md explains every tag left)"
  lintian --info --display-level ">=pedantic" "$out"/v2g-agent_"$version"_*.deb "$out"/v2g-aggregator_"$version"_*.deb \
    "$out"/v2g-tools_"$version"_*.deb 2>&1 | tee "$out/lintian.txt" | sed 's/^/   /' || true
  [ -s "$out/lintian.txt" ] || echo "   no tags"
fi
