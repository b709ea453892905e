# Sourced by scripts/test-packages.sh after package-checks.sh: the installed programs running, the upgrade, the
# removal and the purge, in the main root.
# shellcheck shell=bash

# agent_state: what the agent keeps, read from copies of its SQLite files (the agent is stopped; reading the files in
# place as root would leave root-owned -shm files the agent could not open). One line of key=value.
agent_state() {
  local copy="$work/state-copy"
  rm -rf "$copy" && mkdir -p "$copy"
  cp "$main"/var/lib/v2g-agent/*.sqlite* "$copy/"
  python3 - "$copy" <<'PY'
import hashlib, sqlite3, sys
d = sys.argv[1]
cache = sqlite3.connect(f"{d}/cache.sqlite")
queue = sqlite3.connect(f"{d}/telemetry.sqlite")
one = lambda db, sql: db.execute(sql).fetchone()[0]
frames = hashlib.sha256(b"".join(r[0] for r in queue.execute("SELECT frame FROM frames ORDER BY sequence"))).hexdigest()[:16]
print(" ".join([
    "policy_version=%s" % one(cache, "SELECT version FROM policy WHERE slot = 'active'"),
    f"policy_high_water={one(cache, 'SELECT version FROM policy_high_water')}",
    f"queued_samples={one(queue, 'SELECT count(*) FROM samples')}",
    f"queued_frames={one(queue, 'SELECT count(*) FROM frames')}",
    f"frames_sha256={frames}",
    f"next_sequence={one(queue, 'SELECT next_sequence FROM queue_state')}",
    f"produced_values={one(queue, 'SELECT produced_values FROM queue_state')}",
    f"produced_checksum={one(queue, 'SELECT produced_checksum FROM queue_state') & (2**64 - 1):016x}",
]))
PY
}
state_value() { sed -nE "s/.*\b$1=([^ ]+).*/\1/p" <<< "$2"; }

# run_agent SECONDS [AFTER SECONDS, COMMAND]: the installed agent started as its unit starts it (ExecStartPre, then
# ExecStart, as v2g-agent, with the unit's runtime directory), for SECONDS, then SIGTERM. Prints its memory.
run_agent() {
  cat > "$main/tmp/run/agent-run.sh" <<EOF
#!/bin/sh
set -u
as_agent() { setpriv --reuid=v2g-agent --regid=v2g-agent --init-groups -- "\$@"; }
install -d -o v2g-agent -g v2g-agent -m 0755 /run/v2g-agent
as_agent $(unit_line v2g-agent ExecStartPre) || exit 1
# setpriv execs the agent, so \$! is the agent itself.
setpriv --reuid=v2g-agent --regid=v2g-agent --init-groups -- $(unit_line v2g-agent ExecStart) 2>> /tmp/run/agent.log &
pid=\$!
sleep "\$1"
kill -0 \$pid 2>/dev/null || { echo "the agent stopped early"; exit 1; }
echo "memory: \$(grep -E '^(VmRSS|VmHWM|Threads):' /proc/\$pid/status | tr -s ' \t' ' ' | tr '\n' ' ')"
kill -TERM \$pid
wait \$pid
echo "exit status \$?"
EOF
  chmod +x "$main/tmp/run/agent-run.sh"
  in_root "$main" /tmp/run/agent-run.sh "$1"
}

# wait_for SECONDS COMMAND...: polls COMMAND every 0.2 s.
wait_for() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@" 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.2
  done
}
port_open() { python3 -c "import socket, sys; socket.create_connection(('127.0.0.1', int(sys.argv[1])), 1)" "$1"; }

test_run() {
  cp examples/scenarios/evening-unbalanced.json "$main/tmp/run/scenario.json"
  printf '{"base_url": "https://localhost:%s", "batch_interval_s": 1}\n' "$port" > "$main/tmp/run/uplink.json"
  # node-exporter's textfile folder, with the write access install.md tells the operator to give the agent.
  in_root "$main" install -d -m 0775 -g v2g-agent /var/lib/prometheus/node-exporter
  # The aggregator lives 20 s, then SIGKILL from inside its root: the outage. (A signal to unshare from outside
  # would not reach it: setpriv's change of user clears the parent-death signal --kill-child relies on.)
  in_root_bg "$main" setpriv --reuid=v2g-aggregator --regid=v2g-aggregator --init-groups -- \
    sh -c "$(unit_line v2g-aggregator ExecStartPre) >/dev/null && exec timeout -s KILL 20 $(unit_line v2g-aggregator ExecStart)" \
    > "$work/aggregator.log" 2>&1
  aggregator_pid=$background_pid
  check "the aggregator, started as its unit starts it, listens on 127.0.0.1:$port" wait_for 60 port_open "$port"
  in_root_bg "$main" sh -c 'cd /tmp/run && exec v2g-sim run --scenario scenario.json --base-port 0 --acceleration 1 \
      --agent-config-out /tmp/run/sim-agent.json --policy /etc/v2g/policy.json --agent-uplink /tmp/run/uplink.json' \
    > "$work/sim.log" 2>&1
  sim_pid=$background_pid
  check "v2g-sim serves the evening-unbalanced feeder in the root" wait_for 60 test -s "$main/tmp/run/sim-agent.json"
  # The operator's agent.json: the simulator's devices, tx-0001's identity, the package's paths (defaults).
  python3 - "$main" <<'PY'
import json, sys
root = sys.argv[1]
config = json.load(open(f"{root}/tmp/run/sim-agent.json"))
for key in ("state_directory", "status_file", "metrics_textfile"):
    config.pop(key, None)
config["agent_id"] = "tx-0001"
json.dump(config, open(f"{root}/etc/v2g/agent.json", "w"), indent=2)
PY
  # The agent runs 30 s: frames are acknowledged while the aggregator lives, then they queue.
  run_agent 30 > "$work/run.out" 2>&1
  wait "$aggregator_pid" 2>/dev/null
  sed 's/^/   /' "$work/run.out"
  grep '^memory:' "$work/run.out" | sed 's/^memory: //' > "$work/rss.txt"
  check "the installed agent ran 30 s and stopped with status 0 on SIGTERM" grep -q '^exit status 0$' "$work/run.out"
  check "its status file: policy version 7, every charger online" python3 - "$main/run/v2g-agent/status.json" <<'PY'
import json, sys
status = json.load(open(sys.argv[1]))
online = [c for c in status["chargers"] if c.get("online")]
print(f"mode {status.get('mode')}, policy v{status['policy_version']}, {len(online)}/{len(status['chargers'])} chargers online")
assert status["policy_version"] == 7 and len(online) == len(status["chargers"]) > 0
PY
  check "its Prometheus textfile, in node-exporter's folder" test -s "$main/var/lib/prometheus/node-exporter/v2g-agent.prom"
  as_user v2g-aggregator v2g-aggregator audit --config /etc/v2g/aggregator.json --agent tx-0001 > "$work/audit.out" 2>&1
  check "the installed aggregator stored its frames over mutual TLS ($(cat "$work/audit.out"))" \
    grep -qE 'batches=[1-9][0-9]*' "$work/audit.out"
  state_before="$(agent_state)"
  echo "   agent state: $state_before"
  check "with the aggregator gone, telemetry is queued" test "$(state_value queued_frames "$state_before")" -gt 0
}

test_upgrade() {
  local uids conffile state
  uids="$(in_root "$main" sh -c 'id -u v2g-agent; id -u v2g-aggregator' | tr '\n' ' ')"
  conffile="$(md5sum < "$main/etc/v2g/agent.json")"
  check "dpkg -i the newer build of all three" in_root "$main" sh -c 'dpkg -i /tmp/newer/*.deb'
  for package in v2g-agent v2g-aggregator v2g-tools; do
    check "$package is $newer" test "$(in_root "$main" dpkg-query -W -f='${Version}' "$package")" = "$newer"
  done
  state="$(agent_state)"
  check "the cache's policy and the queued telemetry are the same, by content ($state)" test "$state" = "$state_before"
  check "the operator's agent.json is kept as edited" test "$(md5sum < "$main/etc/v2g/agent.json")" = "$conffile"
  check "the system users keep their uids ($uids)" \
    test "$(in_root "$main" sh -c 'id -u v2g-agent; id -u v2g-aggregator' | tr '\n' ' ')" = "$uids"
  run_agent 8 > "$work/run2.out" 2>&1
  check "the upgraded agent runs on what it kept" grep -q '^exit status 0$' "$work/run2.out"
  state="$(agent_state)"
  echo "   agent state after 8 s more: $state"
  check "… policy version 7 from its cache, not re-adopted" \
    test "$(state_value policy_version "$state") $(state_value policy_high_water "$state")" = "7 7"
  check "… its queue goes on from where it was (sequence, ledger)" python3 - "$state_before" "$state" <<'PY'
import sys
before, after = ({k: v for k, v in (p.split("=") for p in s.split())} for s in sys.argv[1:])
assert int(after["next_sequence"]) >= int(before["next_sequence"]), "the sequence went back"
assert int(after["produced_values"]) > int(before["produced_values"]), "nothing more was produced"
PY
  kill -KILL "$sim_pid" 2>/dev/null
  wait "$sim_pid" 2>/dev/null
}

test_remove_purge() {
  check "dpkg -r all three" in_root "$main" dpkg -r v2g-agent v2g-aggregator v2g-tools
  for package in v2g-agent v2g-aggregator; do check "$package: removed, its conffiles kept (rc)" expect_status "$main" "$package" rc; done
  check "v2g-tools: removed, nothing kept (it has no conffile)" expect_status "$main" v2g-tools un
  check "the programs, units, man pages and documentation are gone" sh -c "! ls -d '$main'/usr/bin/v2g-* '$main'/lib/systemd/system/v2g-* \
    '$main'/usr/share/man/man1/v2g-* '$main'/usr/share/doc/v2g-* 2>/dev/null | grep -q ."
  check "the conffiles stay" test -s "$main/etc/v2g/agent.json" -a -s "$main/etc/v2g/aggregator.json" -a -s "$main/etc/v2g/aggregator.json.commented"
  check "the state stays (cache, queue, store)" test -s "$main/var/lib/v2g-agent/cache.sqlite" -a -s "$main/var/lib/v2g-agent/telemetry.sqlite" \
    -a -s "$main/var/lib/v2g-aggregator/telemetry.sqlite"
  check "the system users stay" in_root "$main" sh -c 'getent passwd v2g-agent && getent passwd v2g-aggregator'
  check "the agent's metrics textfile is gone with the program" test ! -e "$main/var/lib/prometheus/node-exporter/v2g-agent.prom"
  # The operator's own files go first (keys, policy, the test's PKI and node-exporter's folder), so the purge can
  # take the users too and the root can be compared with its first state.
  in_root "$main" rm -rf /etc/v2g/tls /etc/v2g/policy.json /var/lib/prometheus
  in_root "$main" dpkg -P v2g-agent v2g-aggregator v2g-tools > "$work/purge.out" 2>&1
  for package in v2g-agent v2g-aggregator v2g-tools; do check "$package purged" expect_status "$main" "$package" none; done
  check "the conffiles and /etc/v2g are gone" test ! -e "$main/etc/v2g"
  check "the state is gone" test ! -e "$main/var/lib/v2g-agent" -a ! -e "$main/var/lib/v2g-aggregator"
  check "the system users and groups are gone" in_root "$main" sh -c '! getent passwd v2g-agent && ! getent passwd v2g-aggregator &&
    ! getent group v2g-agent && ! getent group v2g-aggregator'
  check "apt-get autoremove --purge takes the dependencies back" in_root "$main" apt-get autoremove --purge -y -q
  # What autoremove keeps because a package that was there before recommends it (apt recommends ca-certificates,
  # which needs openssl) came with our Depends all the same: purged too, so the root can be compared.
  in_root "$main" dpkg-query -W -f='${Package}\n' | sort | comm -13 "$work/packages-before.txt" - > "$work/packages-extra.txt"
  if [ -s "$work/packages-extra.txt" ]; then
    echo "   kept by apt as recommended, purged: $(tr '\n' ' ' < "$work/packages-extra.txt")"
    in_root "$main" apt-get purge -y -q $(cat "$work/packages-extra.txt") > "$work/purge-extra.out" 2>&1
  fi
  snapshot "$main" > "$work/after.txt"
  check "the root is as before the install (files, owners, modes, /etc contents)" diff "$work/before.txt" "$work/after.txt"
}
