# Sourced by scripts/test-packages.sh: the steps of the install test. They share its variables (work, roots, debs,
# version, newer) and its check/refused/ok/bad helpers, and run in order: each step starts from what the one before left.
# shellcheck shell=bash

main="$roots/main"
agent_threshold=2.0
aggregator_threshold=3.0

# pkg_status ROOT PACKAGE: dpkg's two-letter state ("ii", "iU", "iF", "rc"), or "none" once purged.
pkg_status() {
  local state
  state="$(in_root "$1" dpkg-query -W -f='${db:Status-Abbrev}' "$2" 2>/dev/null | tr -d ' ')"
  echo "${state:-none}"
}
expect_status() {  # expect_status ROOT PACKAGE STATE
  local state
  state="$(pkg_status "$1" "$2")"
  [ "$state" = "$3" ] || { echo "$2 is '$state', expected '$3'"; return 1; }
}

# as_user USER COMMAND...: in the main root, as the service's user, as systemd's User=/Group= would run it.
as_user() {
  local user="$1"
  shift
  in_root "$main" setpriv --reuid="$user" --regid="$user" --init-groups -- "$@"
}
# unit_line UNIT KEY: the command of KEY (ExecStartPre, ExecStart) in the installed unit file.
unit_line() { sed -n "s/^$2=//p" "$main/lib/systemd/system/$1.service"; }

# The files of a root as Debian policy judges them: path, owner, group, mode, and a checksum for files in /etc.
# Left out, each for its reason: the kernel's and the test's own trees, dpkg's and apt's databases, caches and logs
# (they record history), the backups adduser and deluser leave (passwd-, …), ld.so's cache, and deb-systemd-helper's
# state folders (created on first use, kept empty, as for every package with a unit).
snapshot() {
  in_root "$1" sh -c 'find / -xdev \( -path /proc -o -path /sys -o -path /dev -o -path /tmp -o -path /root -o -path /run \
      -o -path /var/lib/dpkg -o -path /var/lib/apt -o -path /var/cache -o -path /var/log \
      -o -path "/var/lib/systemd/deb-systemd-helper-*" -o -path /etc/ld.so.cache -o -name "*-" \) -prune \
      -o -printf "%p %u %g %m %y\n" | sort
    find /etc -xdev -type f ! -name "*-" ! -name ld.so.cache -exec md5sum {} + | sort -k 2'
}

# check_lintian: judges the lintian run of packaging/build-debs.sh (packaging/dist/lintian.txt), on these packages.
check_lintian() {
  [ -e packaging/dist/lintian.txt ] || { bad "lintian: packaging/build-debs.sh left no packaging/dist/lintian.txt"; return 0; }
  grep -vE '^N:' packaging/dist/lintian.txt > "$work/lintian.txt"
  sed 's/^/   /' "$work/lintian.txt"
  local explained unexplained=""
  explained="$(sed -n 's/^| `\([a-z0-9.+-]*\)` |.*/\1/p' packaging/README.md | sort -u)"
  for tag in $(sed -nE 's/^[EWIPXOC]: [^:]+: ([a-z0-9.+-]+).*/\1/p' "$work/lintian.txt" | sort -u); do
    grep -qx "$tag" <<< "$explained" || unexplained="$unexplained $tag"
  done
  if [ -z "$unexplained" ]; then ok "lintian: every tag left is explained in packaging/README.md ($(grep -c '' "$work/lintian.txt") lines)"
  else bad "lintian: tags not explained in packaging/README.md:$unexplained"; fi
  grep -q '^E: ' "$work/lintian.txt" && bad "lintian: an error is left" "$(grep '^E: ' "$work/lintian.txt" | head -n 3)"
  return 0
}

test_missing_dependency() {
  local r="$roots/deps" deb
  fresh_root "$r" || { bad "a fresh root from the cached base"; return; }
  deb="/tmp/$(basename "${debs[0]}")"
  cp "${debs[0]}" "$r$deb"
  in_root "$r" dpkg -i "$deb" > "$work/missing.out" 2>&1
  check "dpkg -i v2g-agent in a root without its libraries: left unpacked, not configured" expect_status "$r" v2g-agent iU
  check "dpkg names the missing dependency" grep -q "depends on libmodbus5" "$work/missing.out"
  refused "postinst with a library missing (dependencies forced past dpkg)" \
    "cannot start: lib[^ ]+ is missing: install the package's dependencies \(apt-get -f install\); then run: dpkg --configure -a" \
    in_root "$r" dpkg --force-depends --configure v2g-agent
  check "apt-get -f install brings the libraries and configures the package" in_root "$r" apt-get -f install -y -q
  check "v2g-agent installed" expect_status "$r" v2g-agent ii
  # A purge keeps the system user while it still owns a file (a provisioned key): a uid reused later must not inherit it.
  in_root "$r" sh -c 'install -d /etc/v2g/tls && echo key > /etc/v2g/tls/agent.key && chown v2g-agent /etc/v2g/tls/agent.key'
  in_root "$r" dpkg -P v2g-agent > "$work/kept.out" 2>&1
  check "purge with the agent's key still in /etc/v2g/tls: the user is kept, and it says why" \
    grep -q "the system user v2g-agent is kept: it still owns /etc/v2g/tls/agent.key" "$work/kept.out"
  check "… the user v2g-agent is still there" in_root "$r" getent passwd v2g-agent
  check "… and the package is purged" expect_status "$r" v2g-agent none
  [ -n "${V2G_KEEP_ROOT:-}" ] || remove_root "$r"
}

test_install() {
  fresh_root "$main" || { bad "a fresh root from the cached base"; return; }
  mkdir -p "$main/tmp/debs" "$main/tmp/newer" "$main/tmp/run"
  cp "${debs[@]}" "$main/tmp/debs/"
  cp "$work"/newer/*.deb "$main/tmp/newer/"
  snapshot "$main" > "$work/before.txt"
  in_root "$main" dpkg-query -W -f='${Package}\n' | sort > "$work/packages-before.txt"
  in_root "$main" sh -c 'dpkg -i /tmp/debs/*.deb' > "$work/install.out" 2>&1
  check "apt-get -f install: the Depends from Debian 12, all three configured" in_root "$main" apt-get -f install -y -q
  for package in v2g-agent v2g-aggregator v2g-tools; do check "$package is installed" expect_status "$main" "$package" ii; done
  for program in v2g-agent v2g-aggregator v2g-adm v2g-sim v2g-pki; do
    check "$program --help" in_root "$main" "$program" --help
    check "$program(1) is installed" test -s "$main/usr/share/man/man1/$program.1.gz"
  done
  for user in v2g-agent v2g-aggregator; do
    check "system user $user (uid < 1000, no login shell, home /var/lib/$user)" in_root "$main" sh -c \
      "getent passwd $user | awk -F: '\$3 < 1000 && \$7 ~ /nologin\$/ && \$6 == \"/var/lib/$user\" { found = 1 } END { exit !found }'"
    check "/var/lib/$user: $user:$user, 0750" test "$(in_root "$main" stat -c '%U:%G %a' "/var/lib/$user")" = "$user:$user 750"
    check "$user.service installed, not enabled by a first install" sh -c \
      "test -s '$main/lib/systemd/system/$user.service' && ! test -e '$main/etc/systemd/system/multi-user.target.wants/$user.service'"
  done
  local conffiles
  conffiles="$(in_root "$main" dpkg-query -W -f='${Conffiles}\n' v2g-agent v2g-aggregator)"
  check "conffiles: /etc/v2g/agent.json" grep -q '/etc/v2g/agent.json ' <<< "$conffiles"
  check "conffiles: /etc/v2g/aggregator.json and its .commented twin" \
    test "$(grep -c '/etc/v2g/aggregator.json' <<< "$conffiles")" -eq 2
  check "aggregator.json.commented without its # lines is aggregator.json" python3 - "$main/etc/v2g" <<'PY'
import json, re, sys
plain = json.load(open(f"{sys.argv[1]}/aggregator.json"))
lines = open(f"{sys.argv[1]}/aggregator.json.commented").read().split("\n")
assert plain == json.loads("\n".join(l for l in lines if not re.match(r"\s*#", l)))
PY
  check "agent.json shows every key of docs/agent-config.md and docs/uplink.md" python3 - "$main/etc/v2g/agent.json" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
keys = set()
# Every key row of docs/agent-config.md; from docs/uplink.md only the uplink.* rows (it also tables the queue's SQLite).
for doc, prefix in (("docs/agent-config.md", ""), ("docs/uplink.md", "uplink.")):
    for line in open(doc):
        m = re.match(r"\| `([a-z_.]+)` \|", line)
        if m and m.group(1).startswith(prefix): keys.add(m.group(1).split(".")[-1])
missing = sorted(k for k in keys if f'"{k}"' not in text)
assert not missing, f"not in the conffile: {missing}"
PY
  check "the shipped agent.json passes check-config as v2g-agent" as_user v2g-agent v2g-agent check-config --config /etc/v2g/agent.json
  refused "aggregator check-config before provisioning: one line, what to do" \
    "/etc/v2g/tls/ca.crt \(tls.ca_file\) is missing: install the server bundle of .v2g-pki issue-server." \
    as_user v2g-aggregator v2g-aggregator check-config --config /etc/v2g/aggregator.json
  for program in v2g-agent:v2g-agent v2g-aggregator:v2g-aggregator v2g-adm:v2g-tools v2g-sim:v2g-tools; do
    check "Depends of ${program#*:} names the package of every library ${program%:*} links" depends_cover "${program%:*}" "${program#*:}"
  done
}

# depends_cover PROGRAM PACKAGE: each NEEDED library of the installed binary belongs to a package in Depends.
depends_cover() {
  local depends missing=""
  depends="$(in_root "$main" dpkg-query -W -f='${Depends}' "$2")"
  for soname in $(objdump -p "$main/usr/bin/$1" | awk '/NEEDED/ { print $2 }'); do
    local owner
    owner="$(in_root "$main" dpkg -S "*/$soname" 2>/dev/null | head -n 1 | cut -d: -f1)"
    [ -n "$owner" ] || { echo "$soname: no package in the root holds it"; return 1; }
    # Depends entries are "name", "name (>= v)" or alternatives; the name compared as a fixed string (libstdc++6).
    tr ',|' '\n\n' <<< "$depends" | awk '{ print $1 }' | grep -qxF "$owner" || missing="$missing $soname($owner)"
  done
  [ -z "$missing" ] || { echo "not in Depends:$missing (Depends: $depends)"; return 1; }
  echo "Depends: $depends"
}

# exposure ROOT UNIT: systemd-analyze's overall exposure of the unit as installed in ROOT (with its drop-ins).
exposure() {
  systemd-analyze security --offline=yes --root="$1" "$2" 2>/dev/null | sed -nE 's/.*Overall exposure level for [^:]+: ([0-9.]+).*/\1/p'
}
at_most() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "" && a + 0 <= b + 0) }'; }

# systemd-analyze verify is not run: the minimal root has no systemd (no sysinit.target), and on the host the
# units' binaries are missing. security --offline below parses the installed units with their drop-ins.
test_units() {
  local figure threshold dropin
  for unit in v2g-agent:serial-port v2g-aggregator:privileged-port; do
    dropin="${unit#*:}"
    unit="${unit%:*}"
    threshold=$agent_threshold
    [ "$unit" = v2g-aggregator ] && threshold=$aggregator_threshold
    figure="$(exposure "$main" "$unit.service")"
    check "systemd-analyze security $unit.service: $figure ≤ $threshold" at_most "$figure" "$threshold"
    echo "$unit $figure" >> "$work/exposure.txt"
    mkdir -p "$main/etc/systemd/system/$unit.service.d"
    cp "$main/usr/share/doc/$unit/examples/$dropin.conf" "$main/etc/systemd/system/$unit.service.d/"
    figure="$(exposure "$main" "$unit.service")"
    check "… with the documented $dropin.conf drop-in: $figure ≤ $threshold" at_most "$figure" "$threshold"
    echo "$unit+$dropin $figure" >> "$work/exposure.txt"
    rm -rf "$main/etc/systemd/system/$unit.service.d"
  done
}

test_provisioning() {
  port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  check "v2g-pki in the root: a CA, the aggregator's certificate (localhost), agent tx-0001's" in_root "$main" sh -c '
    v2g-pki init-ca --dir /root/pki && v2g-pki issue-server --dir /root/pki --name localhost --ip 127.0.0.1 &&
      v2g-pki issue-agent --dir /root/pki --agent-id tx-0001' > /dev/null
  check "the kits installed as docs/provisioning.md says (keys 0600, owned by the services)" in_root "$main" sh -c '
    set -e
    install -d -m 0755 /etc/v2g/tls
    install -m 0644 /root/pki/ca.crt /root/pki/crl.pem /root/pki/kits/server-localhost/server.crt \
      /root/pki/kits/agent-tx-0001/agent.crt /etc/v2g/tls/
    install -m 0600 -o v2g-aggregator -g v2g-aggregator /root/pki/kits/server-localhost/server.key /etc/v2g/tls/
    install -m 0600 -o v2g-agent -g v2g-agent /root/pki/kits/agent-tx-0001/agent.key /etc/v2g/tls/'
  # The site's configuration, as an operator edits the conffiles: the aggregator on loopback, the agent with an
  # uplink and a commissioning policy (version 7). The meter's port is set once the simulator runs.
  python3 - "$main" "$port" <<'PY'
import json, sys
root, port = sys.argv[1], int(sys.argv[2])
aggregator = json.load(open(f"{root}/etc/v2g/aggregator.json"))
aggregator["listen"] = {"host": "127.0.0.1", "port": port}
json.dump(aggregator, open(f"{root}/etc/v2g/aggregator.json", "w"), indent=2)
policy = json.load(open(f"{root}/usr/share/doc/v2g-agent/examples/policy.json"))
policy["version"] = 7
json.dump(policy, open(f"{root}/etc/v2g/policy.json", "w"), indent=2)
agent = {"agent_id": "tx-0001", "policy_file": "/etc/v2g/policy.json",
         "meter": {"transport": {"tcp": {"host": "127.0.0.1", "port": 1502}}},
         "uplink": {"base_url": f"https://localhost:{port}", "batch_interval_s": 1}}
json.dump(agent, open(f"{root}/etc/v2g/agent.json", "w"), indent=2)
PY
  check "check-config as v2g-agent: configuration, policy, TLS files" as_user v2g-agent $(unit_line v2g-agent ExecStartPre)
  check "check-config as v2g-aggregator: configuration, TLS files, CRL, store" as_user v2g-aggregator $(unit_line v2g-aggregator ExecStartPre)
}

# reinstall_refused NAME PATTERN PACKAGE: reinstalling PACKAGE stops in postinst with the one line, leaving it half-configured.
reinstall_refused() {
  refused "postinst, $1" "$2.*; then run: dpkg --configure -a\$" in_root "$main" sh -c "dpkg -i /tmp/debs/${3}_*.deb"
  check "… $3 left half-configured until the fix" expect_status "$main" "$3" iF
}
# service_refused NAME PATTERN UNIT: the unit's ExecStartPre, as its user, stops with the one line.
service_refused() { refused "ExecStartPre of $3, $1" "$2" as_user "$3" $(unit_line "$3" ExecStartPre); }
configure_after_fix() {
  check "… fixed: dpkg --configure -a configures it" in_root "$main" dpkg --configure -a
  check "… $1 installed" expect_status "$main" "$1" ii
}

test_bad_input() {
  local tls="$main/etc/v2g/tls"
  mv "$tls/agent.key" "$work/agent.key"
  reinstall_refused "/etc/v2g/tls without agent.key" "/etc/v2g/tls is half provisioned \(missing: agent.key\): copy the whole kit of 'v2g-pki issue-agent' there" v2g-agent
  service_refused "/etc/v2g/tls without agent.key" "/etc/v2g/tls/agent.key \(uplink.key_file\) is missing: copy the whole kit" v2g-agent
  mv "$work/agent.key" "$tls/agent.key"
  configure_after_fix v2g-agent

  mv "$tls/server.key" "$work/server.key"
  reinstall_refused "/etc/v2g/tls without server.key" "/etc/v2g/tls is half provisioned \(missing: server.key\): copy the whole kit of 'v2g-pki issue-server' there" v2g-aggregator
  service_refused "/etc/v2g/tls without server.key" "/etc/v2g/tls/server.key \(tls.key_file\) is missing: install the server bundle" v2g-aggregator
  mv "$work/server.key" "$tls/server.key"
  configure_after_fix v2g-aggregator

  cp "$main/etc/v2g/agent.json" "$work/agent.json.good"
  sed -i '0,/{/s/{/{ "colour": "blue",/' "$main/etc/v2g/agent.json"
  reinstall_refused "agent.json with an unknown key" "/etc/v2g/agent.json: line 1, column [0-9]+: .*colour.*correct /etc/v2g/agent.json" v2g-agent
  service_refused "agent.json with an unknown key" "/etc/v2g/agent.json: line 1, column [0-9]+: .*colour" v2g-agent
  cp "$work/agent.json.good" "$main/etc/v2g/agent.json"
  configure_after_fix v2g-agent

  cp "$main/etc/v2g/aggregator.json" "$work/aggregator.json.good"
  sed -i 's/"max_body_bytes"/"colour": "blue", "max_body_bytes"/' "$main/etc/v2g/aggregator.json"
  reinstall_refused "aggregator.json with an unknown key" "/etc/v2g/aggregator.json:[0-9]+: limits.colour: unknown key.*correct /etc/v2g/aggregator.json" v2g-aggregator
  service_refused "aggregator.json with an unknown key" "limits.colour: unknown key" v2g-aggregator
  cp "$work/aggregator.json.good" "$main/etc/v2g/aggregator.json"
  configure_after_fix v2g-aggregator

  chmod 0644 "$tls/agent.key"
  service_refused "a key open to others" "/etc/v2g/tls/agent.key \(uplink.key_file\) is readable by others \(mode 644\): chmod 600 /etc/v2g/tls/agent.key" v2g-agent
  chmod 0600 "$tls/agent.key"
  chown 0:0 "$tls/server.key"
  service_refused "a key its user cannot read" "/etc/v2g/tls/server.key \(tls.key_file\) is not readable by v2g-aggregator: chown v2g-aggregator /etc/v2g/tls/server.key" v2g-aggregator
  in_root "$main" chown v2g-aggregator:v2g-aggregator /etc/v2g/tls/server.key
}
