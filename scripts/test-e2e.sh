#!/usr/bin/env bash
# End to end over real mutual TLS on loopback, with real processes: v2g-sim serves the field, v2g-agent
# regulates and uploads, v2g-aggregator stores, certificates come from provisioning/v2g-pki.
# The aggregator is stopped for a simulated hour (60 s at ×60) and restarted; then the agent is killed with -9
# in the middle of draining its backlog and restarted. At the end every value the agent produced must be stored
# exactly once: the agent's produced ledger (`v2g-agent flush`) equals the aggregator's (`v2g-aggregator audit`).
set -uo pipefail
cd "$(dirname "$0")/.."
for product in v2g-sim v2g-agent v2g-aggregator; do swift build --product "$product" >/dev/null || exit 1; done
bin="$(swift build --show-bin-path)"
work="$(mktemp -d /tmp/v2g-e2e.XXXXXX)"
sim=""; agent=""; aggregator=""
cleanup() { for p in $agent $aggregator $sim; do kill -9 "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
passed=0; failed=0
check() { if eval "$2"; then echo "ok   $1"; passed=$((passed + 1)); else echo "FAIL $1"; failed=$((failed + 1)); fi; }
acceleration=60
# SIGTERM, then up to 15 s for a graceful stop; fails (and kills) when the process hangs or exits non-zero.
stop_within() {
  kill -TERM "$1" 2>/dev/null
  for _ in $(seq 1 150); do kill -0 "$1" 2>/dev/null || { wait "$1" 2>/dev/null; return $?; }; sleep 0.1; done
  kill -9 "$1" 2>/dev/null; wait "$1" 2>/dev/null; return 1
}

# Throwaway PKI: the deployment CA, the aggregator's certificate for 127.0.0.1, the agent's certificate.
pki="$work/pki"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
. scripts/lib/throwaway-tls.sh
throwaway_aggregator "$work" "$port" || { echo "FAIL v2g-pki"; exit 1; }
start_aggregator() {
  "$bin/v2g-aggregator" serve --config "$work/aggregator.json" >> "$work/aggregator.log" 2>&1 &
  aggregator=$!
}
start_aggregator

throwaway_uplink "$work" "$port" sim-agent \
  '"batch_interval_s": 1, "backoff_cap_s": 4, "connect_timeout_s": 2, "total_timeout_s": 5' || { echo "FAIL v2g-pki issue-agent"; exit 1; }
"$bin/v2g-sim" run --scenario examples/scenarios/evening-unbalanced.json --base-port 0 --acceleration "$acceleration" \
  --agent-config-out "$work/agent.json" --clock-file "$work/clock.json" \
  --policy examples/policy/default.json --cycle-period 2 --agent-uplink "$work/uplink.json" > "$work/sim.log" 2>&1 &
sim=$!
for _ in $(seq 1 100); do [ -s "$work/agent.json" ] && [ -s "$work/clock.json" ] && break; sleep 0.1; done
agent_id=sim-agent
uplink() { python3 -c "import json; s=json.load(open('$work/agent-state/status.json')); print((s.get('uplink') or {}).get('$1'))" 2>/dev/null; }
status() { python3 -c "import json; s=json.load(open('$work/agent-state/status.json')); print(s.get('$1'))" 2>/dev/null; }
start_agent() {
  "$bin/v2g-agent" run --config "$work/agent.json" --sim-clock "$work/clock.json" --log-level warning 2>> "$work/agent.log" &
  agent=$!
}
start_agent
for _ in $(seq 1 100); do curl -s -o /dev/null --cacert "$pki/ca.crt" --cert "$pki/agents/$agent_id.crt" \
  --key "$pki/agents/$agent_id.key" "https://127.0.0.1:$port/healthz" && break; sleep 0.2; done
sleep 8
stored() { "$bin/v2g-aggregator" audit --config "$work/aggregator.json" --agent "$agent_id" 2>/dev/null | sed -n 's/.* values=\([0-9]*\) .*/\1/p'; }
check "the agent regulates and uploads over mutual TLS" '[ "$(status mode)" = regulating ] && [ "$(stored)" -gt 0 ]'

stop_within "$aggregator"; stopped=$?; aggregator=""
check "the aggregator stops gracefully on SIGTERM (exit 0)" '[ "$stopped" -eq 0 ]'
stored_before="$(stored)"
echo "..   aggregator stopped for a simulated hour (60 s)"
sleep 60
check "while the aggregator is down the agent keeps regulating" '[ "$(status mode)" = regulating ]'
pending="$(uplink pending_frames)"
check "and queues its samples ($pending frames pending)" '[ "${pending:-0}" -ge 30 ]'

start_aggregator
# Kill -9 the agent while it drains the backlog: some frames acknowledged, others still pending.
killed=no
for _ in $(seq 1 150); do
  now="$(stored)"
  if [ -n "$now" ] && [ "$now" -gt "${stored_before:-0}" ]; then kill -9 "$agent"; wait "$agent" 2>/dev/null; killed=yes; break; fi
  sleep 0.1
done
check "the agent was killed with -9 mid-upload" '[ "$killed" = yes ]'
start_agent
for _ in $(seq 1 120); do [ "$(uplink pending_frames)" = 0 ] && break; sleep 0.5; done
check "after the restarts the backlog drains" '[ "$(uplink pending_frames)" = 0 ]'
check "the aggregator refused nothing" '! grep -q "telemetry refused" "$work/aggregator.log"'

# Stop the field and the agent (it seals what it sampled), then upload the rest and compare the ledgers.
stop_within "$agent"; stopped=$?; agent=""
check "the agent stops gracefully on SIGTERM (exit 0)" '[ "$stopped" -eq 0 ]'
kill -9 "$sim"; wait "$sim" 2>/dev/null; sim=""
"$bin/v2g-agent" flush --config "$work/agent.json" > "$work/flush.txt" 2>&1
flush_status=$?
check "v2g-agent flush empties the queue" '[ "$flush_status" -eq 0 ] && grep -q "pending_frames=0 unsealed_samples=0" "$work/flush.txt"'
produced="$(sed -n 's/^produced //p' "$work/flush.txt")"
audit="$("$bin/v2g-aggregator" audit --config "$work/aggregator.json" --agent "$agent_id")"
echo "..   agent produced: $produced"
echo "..   aggregator:     $audit"
check "nothing was dropped by the agent's queue" 'grep -q "^dropped values=0 " "$work/flush.txt"'
check "every value stored exactly once: count and checksum equal" '[ -n "$produced" ] && case "$audit" in *" $produced "*) true;; *) false;; esac'
if [ "$failed" -gt 0 ]; then
  echo "-- agent log (tail)"; tail -20 "$work/agent.log"; echo "-- aggregator log (tail)"; tail -20 "$work/aggregator.log"; cat "$work/flush.txt"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
