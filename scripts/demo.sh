#!/usr/bin/env bash
# The main job: a neighborhood evening. Four distribution transformers (44 chargers, every phase uneven) on one
# simulated feeder, 17:00 to midnight, accelerated. The field simulator serves every meter, temperature block and
# charger as SunSpec Modbus on loopback; the evening is played once with no agent, then with one v2g-agent per
# transformer regulating as a real process and uploading its telemetry over mutual TLS to v2g-aggregator
# (throwaway PKI, the embedded SQLite store). At 19:00 one transformer's ambient is raised 15 K: its agent's thermal
# limit acts locally. Then the neighborhood planner allocates a dispatch goal across the transformers on a snapshot.
# Everything runs on this machine; nothing needs a network.
set -euo pipefail
cd "$(dirname "$0")/.."

neighborhood="${NEIGHBORHOOD:-examples/scenarios/neighborhood-evening.json}"
acceleration="${ACCELERATION:-30}"  # faster starves the simulator on 2 busy cores: frozen-data alarms
aggregator_port="${AGGREGATOR_PORT:-16020}"
span_s=25200  # 17:00 to 24:00

./scripts/install-deps.sh
for product in v2g-sim v2g-agent v2g-aggregator v2g-adm; do swift build --product "$product"; done
bin="$(swift build --show-bin-path)"
work="$(mktemp -d /tmp/v2g-demo.XXXXXX)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

agents=$(python3 -c "
import json, sys
n = json.load(open(sys.argv[1]))
print(' '.join(t.get('agent_id', t['id']) for t in n['transformers']))" "$neighborhood")

echo "== 0/3: a throwaway PKI and the aggregator (mutual TLS on 127.0.0.1, SQLite store)"
. scripts/lib/throwaway-tls.sh
throwaway_aggregator "$work" "$aggregator_port"
pki="$work/pki"
for agent in $agents; do ./provisioning/v2g-pki issue-agent --dir "$pki" --agent-id "$agent" >/dev/null 2>&1; done
"$bin/v2g-aggregator" serve --config "$work/aggregator.json" 2> "$work/aggregator.log" > /dev/null &
pids+=($!)
first=${agents%% *}
agent_curl() { curl -s --cacert "$pki/ca.crt" --cert "$pki/agents/$first.crt" --key "$pki/agents/$first.key" "https://127.0.0.1:$aggregator_port$1"; }
for _ in $(seq 1 100); do agent_curl /healthz >/dev/null && break; sleep 0.2; done
agent_curl /healthz >/dev/null || { echo "demo: v2g-aggregator did not start:" >&2; cat "$work/aggregator.log" >&2; exit 1; }
echo "aggregator on https://127.0.0.1:$aggregator_port; agents: $agents"
# One uplink section for every agent: {agent_id} is each agent's own certificate. No live state reports: the
# aggregator does not take them yet.
cat > "$work/uplink.json" <<JSON
{"base_url": "https://127.0.0.1:$aggregator_port", "ca_file": "$pki/ca.crt",
 "cert_file": "$pki/agents/{agent_id}.crt", "key_file": "$pki/agents/{agent_id}.key", "batch_interval_s": 5,
 "state_interval_s": 0}
JSON

echo
echo "== 1/3: the evening with no agent (baseline, in process)"
"$bin/v2g-sim" baseline --neighborhood "$neighborhood" --metrics-out "$work/baseline.json" > "$work/baseline.txt"
echo "done: $work/baseline.txt"

echo
echo "== 2/3: the same evening with one v2g-agent per transformer (×$acceleration, about $((span_s / acceleration)) s)"
"$bin/v2g-sim" run --neighborhood "$neighborhood" --base-port 0 --acceleration "$acceleration" \
  --agent-config-dir "$work/agents" --clock-file "$work/clock.json" --control-file "$work/control.json" \
  --policy examples/policy/default.json --cycle-period 5 --agent-uplink "$work/uplink.json" \
  --metrics-out "$work/run.json" > "$work/run.txt" 2>&1 &
sim_pid=$!
pids+=("$sim_pid")
for _ in $(seq 1 200); do grep -q "^playing" "$work/run.txt" 2>/dev/null && break; sleep 0.1; done
grep -q "^playing" "$work/run.txt" || { echo "demo: v2g-sim did not start:" >&2; cat "$work/run.txt" >&2; exit 1; }
for agent in $agents; do
  "$bin/v2g-agent" run --config "$work/agents/$agent.json" --sim-clock "$work/clock.json" --log-level warning \
    2> "$work/$agent.log" &
  pids+=($!)
done
sleep 5
for agent in $agents; do
  mode=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1])).get('mode','?'))" "$work/agents/$agent/status.json" 2>/dev/null || echo "no status yet")
  echo "  $agent: $mode"
done
# 19:00, two simulated hours in: the hot afternoon reaches one transformer.
hot=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['transformers'][2]['id'])" "$neighborhood")
sleep $((7200 / acceleration - 5))
echo '{"ambient": {"'"$hot"'": {"rise_k": 15}}}' > "$work/control.next" && mv "$work/control.next" "$work/control.json"
echo "  19:00 simulated: $hot's ambient +15 K"
wait "$sim_pid" || true
for agent in $agents; do
  "$bin/v2g-agent" status --config "$work/agents/$agent.json" 2>/dev/null | head -1 | sed "s/^/  $agent: /" || true
done
for pid in "${pids[@]:1}"; do kill -TERM "$pid" 2>/dev/null || true; done
sleep 2
for agent in $agents; do
  "$bin/v2g-agent" flush --config "$work/agents/$agent.json" > "$work/$agent.flush" 2>&1 || true
done
"$bin/v2g-aggregator" audit --config "$work/aggregator.json" > "$work/audit.txt" 2>&1 || true

echo
python3 scripts/lib/demo_report.py "$work" $agents

echo
echo "== 3/3: the neighborhood planner on snapshots: an 80 kW discharge goal, all transformers cool, then tx-east hot"
for snapshot in four-balanced one-hot; do
  echo "-- $snapshot"
  "$bin/v2g-adm" dispatch plan --neighborhood "examples/neighborhood/$snapshot.json" \
    --goal examples/neighborhood/goal-discharge.json
done
echo
echo "The planner runs on snapshots (v2g-adm dispatch plan); the aggregator does not yet run it live or send"
echo "envelopes to the agents: above, each agent regulated its own transformer on its own policy."
echo "These feeders put up to 7 of 12 chargers on one phase: that phase's current cap (its share of the rating) is"
echo "a hard limit, so EVs there get what the phase can carry, and the shortfall rows say how much that is."
echo "logs and reports: $work"
