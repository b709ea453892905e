#!/usr/bin/env bash
# The size and memory figures of v2g-agent: the stripped static release binary (target ≤ 16 MB) and the
# resident memory of that binary regulating 50 chargers over Modbus TCP on loopback (target ≤ 20 MB).
# The field simulator (debug build) serves examples/scenarios/bench-50-chargers.json on ephemeral ports.
# Nothing needs a network once the packages are resolved. Run from anywhere: ./scripts/measure-agent.sh
#
# Environment: ACCELERATION (simulated s per wall s, default 10), CYCLE_S (the agent's period in simulated
# seconds, default 10: one cycle per wall second at ×10), WAIT_S (wall seconds before reading memory, default 20),
# SWIFT_RELEASE_FLAGS (extra flags for the release build, e.g. "-Xswiftc -use-ld=lld -Xlinker --icf=all"),
# AGENT_BIN (measure this unstripped v2g-agent instead of building one, e.g. a relinked variant).
set -euo pipefail
cd "$(dirname "$0")/.."
# The release build's flags and scratch folder, shared with packaging/build-debs.sh.
source scripts/lib/release-flags.sh

acceleration="${ACCELERATION:-10}"
cycle_s="${CYCLE_S:-10}"
wait_s="${WAIT_S:-20}"
scenario="examples/scenarios/bench-50-chargers.json"
# The shipped build (scripts/lib/release-flags.sh); SWIFT_RELEASE_FLAGS="" measures a plain one.
release_flags flags

./scripts/install-deps.sh

if [ -n "${AGENT_BIN:-}" ]; then
  unstripped="$(realpath "$AGENT_BIN")"
else
  echo "== release build: v2g-agent, static Swift stdlib ($release_scratch)"
  swift build "${flags[@]}" --product v2g-agent 2>&1 | tail -n 1
  unstripped="$(swift build "${flags[@]}" --show-bin-path)/v2g-agent"
fi

echo "== debug build: v2g-sim"
swift build --product v2g-sim 2>&1 | tail -n 1
sim_bin="$(swift build --show-bin-path)/v2g-sim"

work="$(mktemp -d /tmp/v2g-measure.XXXXXX)"
agent_pid=""
sim_pid=""
# SIGTERM, then up to 5 s for a clean stop, then SIGKILL: the script never leaves a process behind.
stop() {
  local pid="$1"
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  stop "$agent_pid"
  stop "$sim_pid"
  rm -rf "$work"
}
trap cleanup EXIT

agent="$work/v2g-agent"
cp "$unstripped" "$agent"
strip "$agent"
unstripped_bytes=$(stat -c %s "$unstripped")
stripped_bytes=$(stat -c %s "$agent")
mb() { awk -v b="$1" 'BEGIN { printf "%.1f MB", b / 1e6 }'; }
verdict() { if [ "$1" -le "$2" ]; then echo "within"; else echo "OVER"; fi; }

# The site's policy: the example policy with the scenario's transformer, and the agent's period.
kva="$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["transformer"]["rated_kva"])' "$scenario")"
sed -e "s/\"rated_kva\": 100/\"rated_kva\": $kva/" examples/policy/default.json > "$work/policy.json"

echo "== field: v2g-sim on $scenario, ×$acceleration, ephemeral ports"
"$sim_bin" run --scenario "$scenario" --base-port 0 --acceleration "$acceleration" \
  --agent-config-out "$work/agent.json" --clock-file "$work/clock.json" --policy "$work/policy.json" \
  --cycle-period "$cycle_s" > "$work/sim.log" 2>&1 &
sim_pid=$!
for _ in $(seq 1 100); do [ -s "$work/clock.json" ] && [ -s "$work/agent.json" ] && break; sleep 0.1; done
if [ ! -s "$work/agent.json" ]; then
  echo "measure-agent: v2g-sim wrote no agent configuration:" >&2
  cat "$work/sim.log" >&2
  exit 1
fi

echo "== agent: stripped release binary, simulation clock, $wait_s s"
"$agent" run --config "$work/agent.json" --sim-clock "$work/clock.json" --log-level warning 2> "$work/agent.log" &
agent_pid=$!
sleep "$wait_s"
if ! kill -0 "$agent_pid" 2>/dev/null; then
  echo "measure-agent: v2g-agent stopped early:" >&2
  cat "$work/agent.log" >&2
  exit 1
fi
rss_kb=$(awk '/^VmRSS:/ { print $2 }' "/proc/$agent_pid/status")
hwm_kb=$(awk '/^VmHWM:/ { print $2 }' "/proc/$agent_pid/status")
threads=$(awk '/^Threads:/ { print $2 }' "/proc/$agent_pid/status")
status_file="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["status_file"])' "$work/agent.json")"
status_line="$(python3 - "$status_file" <<'PY'
import json, sys
try:
    s = json.load(open(sys.argv[1]))
except (OSError, ValueError) as error:
    print(f"no status file ({error})")
    sys.exit()
online = sum(1 for c in s.get("chargers", []) if c.get("online"))
took = s.get("cycle_duration_s")
took = f"{took * 1000:.1f} ms" if took is not None else "n/a"
codes = ",".join(a["code"] for a in s.get("alarms", [])) or "none"
print(f"mode {s.get('mode')}, {online} chargers online, last cycle {took}, alarms {codes}")
PY
)"
stop "$agent_pid"
agent_pid=""

echo
echo "v2g-agent binary, unstripped:  $unstripped_bytes bytes ($(mb "$unstripped_bytes"))"
echo "v2g-agent binary, stripped:    $stripped_bytes bytes ($(mb "$stripped_bytes")), target ≤ 16 MB: $(verdict "$stripped_bytes" 16000000)"
# /proc counts in KiB.
echo "v2g-agent with 50 chargers:    VmRSS $rss_kb KiB ($(mb $((rss_kb * 1024)))), VmHWM $hwm_kb KiB ($(mb $((hwm_kb * 1024)))), $threads threads"
echo "                               target ≤ 20 MB (peak): $(verdict $((hwm_kb * 1024)) 20000000)"
echo "agent status after $wait_s s:     $status_line"
echo "machine load:                 $(uptime | sed 's/.*load average/load average/')"
