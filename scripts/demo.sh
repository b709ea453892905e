#!/usr/bin/env bash
# The main job: a neighborhood evening. Four distribution transformers (44 chargers, every phase uneven) on one
# simulated feeder, 17:00 to midnight, accelerated. The field simulator serves every meter, temperature block and
# charger as SunSpec Modbus on loopback; the evening is played once with no agent, then with one v2g-agent per
# transformer regulating as a real process and uploading its telemetry over mutual TLS to v2g-aggregator
# (throwaway PKI, the embedded SQLite store). At 19:00 one transformer's ambient is raised 15 K: its agent's thermal
# limit acts locally. From 19:00 to 22:00 an operator caps the neighborhood's import (v2g-adm dispatch set): the
# aggregator's planner shares the cap across the transformers every period and sends each agent a signed envelope in
# the answer to its state report; the dashboard shows it live. At 20:00 the operator rolls out a new signed policy to
# the two 100 kVA transformers, canary first. Then the planner is shown on two snapshots.
# Everything runs on this machine; nothing needs a network.
set -euo pipefail
cd "$(dirname "$0")/.."

neighborhood="${NEIGHBORHOOD:-examples/scenarios/neighborhood-evening.json}"
acceleration="${ACCELERATION:-60}"
cycle_s="${CYCLE_S:-10}"  # the agents' cycle, simulated seconds: six cycles a wall second each at ×60
aggregator_port="${AGGREGATOR_PORT:-16020}"
span_s=25200  # 17:00 to 24:00
cap_kw="${CAP_KW:-380}"  # the neighborhood's import cap from 19:00 to 22:00 (without agents it peaks near 485 kW)

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

echo "== 0/3: a throwaway PKI, the keys that sign policy and envelopes, the aggregator's configuration"
python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', $aggregator_port))" 2>/dev/null ||
  { echo "demo: port $aggregator_port is in use: free it or run AGGREGATOR_PORT=<another port> ./scripts/demo.sh" >&2; exit 1; }
. scripts/lib/throwaway-tls.sh
throwaway_aggregator "$work" "$aggregator_port"
pki="$work/pki"
for agent in $agents; do ./provisioning/v2g-pki issue-agent --dir "$pki" --agent-id "$agent" >/dev/null 2>&1; done
./provisioning/v2g-pki issue-operator --dir "$pki" --name ops >/dev/null 2>&1
"$bin/v2g-adm" keys init --dir "$work/trust" >/dev/null
# The planner on the simulation's clock (×$acceleration): a pass every 2 s of wall time, envelopes valid 300 simulated
# seconds (the root's most), reports up to 400 simulated seconds old planned on (an agent reports every wall second).
python3 - "$work" <<'PY'
import glob, json, sys
work = sys.argv[1]
config = json.load(open(f"{work}/aggregator.json"))
config["trust"] = {"root_file": f"{work}/trust/root.json"}
config["planner"] = {"period_s": 2, "envelope_validity_s": 300, "stale_after_s": 400,
                     "envelope_key_files": sorted(glob.glob(f"{work}/trust/keys/envelope-*.pem"))}
json.dump(config, open(f"{work}/aggregator.json", "w"), indent=2)
PY
first=${agents%% *}
agent_curl() { curl -s --cacert "$pki/ca.crt" --cert "$pki/agents/$first.crt" --key "$pki/agents/$first.key" "https://127.0.0.1:$aggregator_port$1"; }
echo "agents: $agents"
# One uplink section for every agent: {agent_id} is each agent's own certificate.
cat > "$work/uplink.json" <<JSON
{"base_url": "https://127.0.0.1:$aggregator_port", "ca_file": "$pki/ca.crt",
 "cert_file": "$pki/agents/{agent_id}.crt", "key_file": "$pki/agents/{agent_id}.key", "batch_interval_s": 5,
 "state_interval_s": 1}
JSON

echo
echo "== 1/3: the evening with no agent (baseline, in process)"
"$bin/v2g-sim" baseline --neighborhood "$neighborhood" --metrics-out "$work/baseline.json" > "$work/baseline.txt"
echo "done: $work/baseline.txt"

echo
echo "== 2/3: the same evening with one v2g-agent per transformer (×$acceleration, about $((span_s / acceleration)) s)"
"$bin/v2g-sim" run --neighborhood "$neighborhood" --base-port 0 --acceleration "$acceleration" \
  --agent-config-dir "$work/agents" --clock-file "$work/clock.json" --control-file "$work/control.json" \
  --policy examples/policy/default.json --cycle-period "$cycle_s" --agent-uplink "$work/uplink.json" \
  --metrics-out "$work/run.json" > "$work/run.txt" 2>&1 &
sim_pid=$!
pids+=("$sim_pid")
for _ in $(seq 1 200); do grep -q "^playing" "$work/run.txt" 2>/dev/null && break; sleep 0.1; done
grep -q "^playing" "$work/run.txt" || { echo "demo: v2g-sim did not start:" >&2; cat "$work/run.txt" >&2; exit 1; }
"$bin/v2g-aggregator" serve --config "$work/aggregator.json" --sim-clock "$work/clock.json" 2> "$work/aggregator.log" > /dev/null &
aggregator_pid=$!
pids+=("$aggregator_pid")
for _ in $(seq 1 100); do agent_curl /healthz >/dev/null && break; sleep 0.2; done
agent_curl /healthz >/dev/null || { echo "demo: v2g-aggregator did not start:" >&2; cat "$work/aggregator.log" >&2; exit 1; }
echo "  aggregator on https://127.0.0.1:$aggregator_port (SQLite), planning every 2 s"
echo "  dashboard: https://127.0.0.1:$aggregator_port/dashboard, with the operator certificate of $pki/kits/operator-ops"
echo "    (for a browser: provisioning/v2g-pki export-p12 --kit $pki/kits/operator-ops --out ops.p12 --password-file FILE; docs/dashboard.md)"
signed_policy_for_agents "$work" "$bin" $agents
# Every agent also asks the aggregator for newer signed policy every 5 s; one it applies is on probation for 600
# simulated seconds (10 s here): a trip or the safe state within it reverts to the bundle before, and says so.
# Modbus timeouts are wall time: on loopback 0.2 s is ample, where the default 0.5 s is half a simulated minute at
# ×60, and a charger that stops answering holds its transformer's cycle for its timeouts (discovery tries three).
for agent in $agents; do
  python3 - "$work/agents/$agent.json" <<'PY'
import json, sys
config = json.load(open(sys.argv[1]))
config["policy_fetch"] = {"interval_s": 5, "probation_s": 600, "connect_timeout_s": 2, "total_timeout_s": 5, "backoff_cap_s": 5}
config.setdefault("modbus", {})["response_timeout_s"] = 0.2
json.dump(config, open(sys.argv[1], "w"), indent=2)
PY
done
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
day=$(python3 -c "import json,time; print(time.strftime('%Y-%m-%d', time.gmtime(json.load(open('$neighborhood'))['start_time'])))")
"$bin/v2g-adm" dispatch set --aggregator "https://127.0.0.1:$aggregator_port" --kit "$pki/kits/operator-ops" \
  --id evening-peak --kind import-cap --limit-kw "$cap_kw" --start "${day}T19:00:00Z" --end "${day}T22:00:00Z" 2>&1 | sed 's/^/  /'
# Planned against achieved, sampled every 10 s of wall time while the cap is in force.
operator=(--cacert "$pki/ca.crt" --cert "$pki/kits/operator-ops/operator.crt" --key "$pki/kits/operator-ops/operator.key")
python3 scripts/lib/demo_goal.py "${operator[@]}" --url "https://127.0.0.1:$aggregator_port" --seconds $((10800 / acceleration)) \
  --log "$work/plans.jsonl" > "$work/goal.txt" 2>&1 &
# 20:00: policy version 8 for the first nameplate two or more transformers share (the 100 kVA pair here; one bundle
# carries one nameplate), a hot-spot limit of 95 °C in place of 98 °C for slower ageing; the canary, then the rest.
sleep $((3600 / acceleration))
class=$(python3 - "$work" $agents <<'PY'
import json, sys
work, agents = sys.argv[1], sys.argv[2:]
policies = {agent: json.load(open(f"{work}/agents/{agent}.policy.json")) for agent in agents}
for agent in agents:
    same = [other for other in agents if policies[other] == policies[agent]]
    if len(same) > 1:
        policy = policies[agent]
        policy["thermal"]["hot_spot_limit_c"] = 95
        json.dump(policy, open(f"{work}/policy-8.json", "w"), indent=2)
        print(" ".join(same))
        break
PY
)
adm() { "$bin/v2g-adm" "$@" --aggregator "https://127.0.0.1:$aggregator_port" --kit "$pki/kits/operator-ops"; }
if [ -n "$class" ]; then
  targets=(); members=(); for agent in $class; do targets+=(--target "$agent"); members+=(--agent "$agent"); done
  "$bin/v2g-adm" policy sign --root "$work/trust/root.json" --policy "$work/policy-8.json" --version 8 --expires +30d \
    "${targets[@]}" --key "$(ls "$work"/trust/keys/policy-*.pem | head -1)" --out "$work/policy-8.bundle.json" >/dev/null
  adm rollout start --canary 1 --waves 1 --soak 15 "${members[@]}" "$work/policy-8.bundle.json" 2>&1 |
    sed '1s/^/  20:00 simulated: /; 2,$s/^/    /'
else
  echo "  20:00 simulated: no two transformers share a nameplate here, so no policy rollout"
fi
wait "$sim_pid" || true
[ -z "$class" ] || echo "  the rollout at the end: $(adm rollout status 1 2>&1 | head -1)"
for agent in $agents; do
  "$bin/v2g-agent" status --config "$work/agents/$agent.json" 2>/dev/null | head -1 | sed "s/^/  $agent: /" || true
done
# The agents stop (each seals what it sampled); the aggregator stays up for the flush below.
for pid in "${pids[@]}"; do [ "$pid" = "$aggregator_pid" ] || kill -TERM "$pid" 2>/dev/null || true; done
sleep 2
for agent in $agents; do
  "$bin/v2g-agent" flush --config "$work/agents/$agent.json" > "$work/$agent.flush" 2>&1 || true
done
"$bin/v2g-aggregator" audit --config "$work/aggregator.json" > "$work/audit.txt" 2>&1 || true

echo
python3 scripts/lib/demo_report.py "$work" $agents
echo
echo "the import cap of $cap_kw kW, 19:00–22:00, live: the aggregator's planner and the agents' envelopes"
sed 's/^/  /' "$work/goal.txt"

echo
echo "== 3/3: the neighborhood planner on snapshots: an 80 kW discharge goal, all transformers cool, then tx-east hot"
for snapshot in four-balanced one-hot; do
  echo "-- $snapshot"
  "$bin/v2g-adm" dispatch plan --neighborhood "examples/neighborhood/$snapshot.json" \
    --goal examples/neighborhood/goal-discharge.json
done
echo
echo "These feeders put up to 8 of 14 chargers on one phase: that phase's current cap (its third of the rating) is"
echo "a hard limit of the agent's plan, so EVs there get what the phase can carry; the shortfall rows say how much."
echo "logs and reports: $work"
