# Sourced by scripts/test-packages.sh: a clean Debian 12 root made by debootstrap, cached, and commands run in it.
# Needs root (debootstrap, chroot, unshare). Every command runs in its own mount and PID namespace, so a mount made
# for it (proc, the apt cache) and every process it started are gone when it returns: nothing is left mounted
# inside the tree that a later rm -rf could reach through.
# shellcheck shell=bash

debian_suite="bookworm"
debian_mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
# The test folder (gitignored): the cached base root and apt's downloads survive between runs.
packages_dir="Tests/.packages"
base_tarball="$packages_dir/cache/$debian_suite-minbase.tar"
apt_archives="$packages_dir/cache/archives"
# A cached base older than this is made again, so security updates reach the test.
base_max_age_days=7

# debian_base: makes the cached base root unless a fresh one exists. Prints how long it took.
debian_base() {
  mkdir -p "$packages_dir/cache" "$apt_archives/partial"
  if [ -s "$base_tarball" ] && [ -n "$(find "$base_tarball" -mtime -"$base_max_age_days" 2>/dev/null)" ]; then
    echo "   cached base root: $base_tarball ($(du -h "$base_tarball" | cut -f1))"
    return 0
  fi
  local started=$SECONDS staging="$packages_dir/base-staging"
  unmount_below "$staging"
  remove_root "$staging" || return 1
  echo "   debootstrap --variant=minbase $debian_suite (first run, or the cache is over $base_max_age_days days old)"
  if ! debootstrap --variant=minbase "$debian_suite" "$staging" "$debian_mirror" > "$packages_dir/debootstrap.log" 2>&1; then
    tail -n 5 "$packages_dir/debootstrap.log" >&2
    echo "test-packages: debootstrap failed (log: $packages_dir/debootstrap.log)" >&2
    unmount_below "$staging"
    return 1
  fi
  # debootstrap can leave the target's /proc mounted (seen here): neither tar nor rm -rf may go through it.
  unmount_below "$staging"
  # The point releases' and security updates' suites, as on an installed Debian 12.
  cat > "$staging/etc/apt/sources.list" <<EOF
deb $debian_mirror $debian_suite main
deb $debian_mirror $debian_suite-updates main
deb http://deb.debian.org/debian-security $debian_suite-security main
EOF
  cp /etc/resolv.conf "$staging/etc/resolv.conf"
  in_root "$staging" apt-get update -qq || return 1
  in_root "$staging" apt-get -y -qq upgrade >/dev/null || return 1
  rm -f "$staging"/var/cache/apt/archives/*.deb
  tar --one-file-system -C "$staging" -cf "$base_tarball.new" . && mv "$base_tarball.new" "$base_tarball" || return 1
  remove_root "$staging" || return 1
  echo "   base root made and cached in $((SECONDS - started)) s ($(du -h "$base_tarball" | cut -f1))"
}

# fresh_root DIR: a new root extracted from the cached base.
fresh_root() {
  local dir="$1"
  remove_root "$dir"
  mkdir -p "$dir"
  tar -C "$dir" -xf "$base_tarball"
  cp /etc/resolv.conf "$dir/etc/resolv.conf"
}

# unmount_below DIR: unmounts whatever is mounted below DIR, deepest first.
unmount_below() {
  [ -e "$1" ] || return 0
  local dir
  dir="$(realpath "$1")"
  findmnt -rn -o TARGET | grep "^$dir/" | sort -r | while read -r target; do umount "$target" || umount -l "$target"; done
}

# remove_root DIR: refuses while anything is mounted below DIR (a private namespace should have made that impossible).
remove_root() {
  local dir="$1"
  [ -e "$dir" ] || return 0
  if findmnt -rn -o TARGET | grep -q "^$(realpath "$dir")/"; then
    echo "test-packages: something is still mounted under $dir; not removing it" >&2
    return 1
  fi
  rm -rf "$dir"
}

# root_command DIR COMMAND...: sets root_argv to the command line that runs COMMAND inside DIR as root, with /proc
# and apt's download cache mounted, a clean environment, in private mount and PID namespaces (all its processes end
# with it).
root_command() {
  local dir archives
  dir="$(realpath "$1")"
  shift
  archives="$(realpath "$apt_archives")"
  root_argv=(unshare --mount --pid --fork --kill-child --propagation private /bin/sh -c '
    dir="$1"; archives="$2"; shift 2
    mount -t proc proc "$dir/proc" && mount --bind "$archives" "$dir/var/cache/apt/archives" &&
      exec chroot "$dir" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
        DEBIAN_FRONTEND=noninteractive "$@"' sh "$dir" "$archives" "$@")
}
# in_root DIR COMMAND...: runs it (root_command) and waits.
in_root() {
  root_command "$@"
  "${root_argv[@]}"
}
# in_root_bg DIR COMMAND...: starts it in the background; background_pid is unshare's own pid: SIGKILL to it ends
# what COMMAND started, except a process that changed user (that clears the parent-death signal of --kill-child).
in_root_bg() {
  root_command "$@"
  "${root_argv[@]}" &
  background_pid=$!
}
