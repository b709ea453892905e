#!/usr/bin/env bash
# Neighborhood coordination end to end, with real processes over mutual TLS on loopback: v2g-sim serves four
# transformers and 44 chargers over SunSpec Modbus (examples/scenarios/neighborhood-dispatch.json, in real time),
# one v2g-agent per transformer regulates and posts its state every 2 s, v2g-aggregator plans every 10 s and signs
# an envelope for each agent, and an operator sets a discharge goal with v2g-adm.
#   1. the aggregator's view of each transformer stays fresh (the state-report age is measured and printed);
#   2. goals are for operators only, and a goal out of bounds is refused naming the field;
#   3. the discharge goal is met within 5 %, every hot-spot under its limit, no EV taken below its driver's need;
#   4. an absorb goal, then one transformer's ambient is raised: its share moves to the others within two planning
#      periods, and the total is still met;
#   5. the aggregator is killed with -9 mid-goal: every envelope lapses by its valid_until, each agent runs on its
#      own policy again, and no local limit is broken.
# Everything reads one simulation clock (--sim-clock), so the sim, the agents and the aggregator agree on time.
set -uo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh >/dev/null || exit 1
for product in v2g-sim v2g-agent v2g-aggregator v2g-adm; do swift build --product "$product" >/dev/null || exit 1; done
bin="$(swift build --show-bin-path)"
work="$(mktemp -d /tmp/v2g-neighborhood.XXXXXX)"
neighborhood=examples/scenarios/neighborhood-dispatch.json
period_s=10
pids=()
aggregator=""
cleanup() {
  for pid in $aggregator "${pids[@]}"; do kill -9 "$pid" 2>/dev/null; done
  wait 2>/dev/null
  [ -n "${KEEP:-}" ] && echo "kept: $work" || rm -rf "$work"
}
trap cleanup EXIT
passed=0; failed=0
check() { if eval "$2"; then echo "ok   $1"; passed=$((passed + 1)); else echo "FAIL $1"; failed=$((failed + 1)); fi; }
note() { echo "     $*"; }

# The deployment PKI (CA, server, one certificate per agent, an operator), and the policy/envelope keys and root.
pki="$work/pki"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
. scripts/lib/throwaway-tls.sh
throwaway_aggregator "$work" "$port" || { echo "FAIL v2g-pki"; exit 1; }
agents=$(python3 -c "
import json, sys
print(' '.join(t.get('agent_id', t['id']) for t in json.load(open(sys.argv[1]))['transformers']))" "$neighborhood")
for agent in $agents; do ./provisioning/v2g-pki issue-agent --dir "$pki" --agent-id "$agent" >/dev/null 2>&1 || { echo "FAIL issue-agent"; exit 1; }; done
./provisioning/v2g-pki issue-operator --dir "$pki" --name ops >/dev/null 2>&1 || { echo "FAIL issue-operator"; exit 1; }
"$bin/v2g-adm" keys init --dir "$work/trust" >/dev/null || { echo "FAIL v2g-adm keys init"; exit 1; }
python3 - "$work" "$period_s" <<'PY'
import glob, json, sys
work, period = sys.argv[1], float(sys.argv[2])
path = f"{work}/aggregator.json"
config = json.load(open(path))
config["trust"] = {"root_file": f"{work}/trust/root.json"}
# A two-hour horizon: the oil's time constant is hours, so a 15-minute look ahead barely sees a hotter afternoon.
config["planner"] = {"period_s": period, "stale_after_s": 10, "horizon_min": 120,
                     "envelope_key_files": sorted(glob.glob(f"{work}/trust/keys/envelope-*.pem"))}
json.dump(config, open(path, "w"), indent=2)
PY
cat > "$work/uplink.json" <<JSON
{"base_url": "https://127.0.0.1:$port", "ca_file": "$pki/ca.crt",
 "cert_file": "$pki/agents/{agent_id}.crt", "key_file": "$pki/agents/{agent_id}.key",
 "batch_interval_s": 10, "state_interval_s": 2}
JSON

# The field, in real time; then the agents (each with the root that signs envelopes) and the aggregator.
"$bin/v2g-sim" run --neighborhood "$neighborhood" --base-port 0 --acceleration 1 \
  --agent-config-dir "$work/agents" --clock-file "$work/clock.json" --control-file "$work/control.json" \
  --policy examples/policy/default.json --cycle-period 1 --agent-uplink "$work/uplink.json" \
  --metrics-out "$work/run.json" > "$work/sim.log" 2>&1 &
sim=$!
pids+=("$sim")
for _ in $(seq 1 1200); do grep -q "^playing" "$work/sim.log" 2>/dev/null && break; sleep 0.1; done
grep -q "^playing" "$work/sim.log" || { echo "FAIL v2g-sim did not start"; cat "$work/sim.log"; exit 1; }
# With a root of trust an agent takes only signed policy: the commissioning policy is signed as a bundle.
signed_policy_for_agents "$work" "$bin" $agents || { echo "FAIL v2g-adm policy sign"; exit 1; }
start_aggregator() {
  "$bin/v2g-aggregator" serve --config "$work/aggregator.json" --sim-clock "$work/clock.json" >> "$work/aggregator.log" 2>&1 &
  aggregator=$!
}
start_aggregator
for agent in $agents; do
  "$bin/v2g-agent" run --config "$work/agents/$agent.json" --sim-clock "$work/clock.json" --log-level warning 2> "$work/$agent.log" &
  pids+=($!)
done

operator=(--cacert "$pki/ca.crt" --cert "$pki/kits/operator-ops/operator.crt" --key "$pki/kits/operator-ops/operator.key")
first=${agents%% *}
as_agent=(--cacert "$pki/ca.crt" --cert "$pki/agents/$first.crt" --key "$pki/agents/$first.key")
api() { curl -s "${operator[@]}" "https://127.0.0.1:$port$1"; }
for _ in $(seq 1 100); do api /healthz >/dev/null && break; sleep 0.2; done
check "the aggregator answers over mutual TLS" 'api /healthz | grep -q ok'
sim_now() { python3 -c "
import json, time
c = json.load(open('$work/clock.json'))
t = c['sim_start_s'] + (time.time() - c['wall_start_s']) * c['scale']
print(time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(t)))"; }

# 1. Freshness: every 0.5 s for 20 s, the age of each transformer's newest report as the aggregator holds it.
sleep 10
python3 scripts/lib/neighborhood_checks.py freshness "${operator[@]}" --url "https://127.0.0.1:$port" --agents $agents \
  --seconds 20 > "$work/freshness.txt" 2>&1
freshness=$?
sed 's/^/     /' "$work/freshness.txt"
check "the aggregator's view of every transformer is fresh (newest report ≤ 5 s old at the 95th percentile)" '[ "$freshness" -eq 0 ]'

# 2. Goals are operators' business, and checked.
goal_body='{"id": "x", "kind": "discharge", "power_kw": 10, "start": "'"$(sim_now)"'", "end": "2099-01-01T00:00:00Z"}'
status=$(curl -s -o "$work/agent-goal.txt" -w '%{http_code}' "${as_agent[@]}" -X POST -H 'Content-Type: application/json' \
  --data "$goal_body" "https://127.0.0.1:$port/v1/goals")
check "a goal from an agent's certificate gets 403" '[ "$status" = 403 ]'
status=$(curl -s -o "$work/bad-goal.txt" -w '%{http_code}' "${operator[@]}" -X POST -H 'Content-Type: application/json' \
  --data "${goal_body/\"power_kw\": 10/\"power_kw\": -5}" "https://127.0.0.1:$port/v1/goals")
check "a goal out of bounds gets 400 naming the field ($(head -c 160 "$work/bad-goal.txt"))" '[ "$status" = 400 ] && grep -q power_kw "$work/bad-goal.txt"'

# 3. The discharge goal, once the four EVs that leave early (200 s in, each with a small need) have left: an EV that
#    must charge holds its phase to charging (the agent reads a phase's envelope as one direction), and with each
#    phase's balance limit that would hold its whole transformer back (docs/neighborhood.md, "EV flexibility").
python3 - "$work/clock.json" "$(python3 -c "import json; print(json.load(open('$neighborhood'))['start_time'] + 210)")" <<'PY'
import json, sys, time
clock, until = json.load(open(sys.argv[1])), float(sys.argv[2])
while clock["sim_start_s"] + (time.time() - clock["wall_start_s"]) * clock["scale"] < until:
    time.sleep(0.5)
PY
goal_kw=60
adm_set() { "$bin/v2g-adm" dispatch set --aggregator "https://127.0.0.1:$port" --kit "$pki/kits/operator-ops" "$@"; }
adm_set --id evening-discharge --kind discharge --power-kw "$goal_kw" --start "$(sim_now)" --for 40m > "$work/goal-set.txt" 2>&1
check "v2g-adm dispatch set: the discharge goal is accepted" '[ $? -eq 0 ]'
sed 's/^/     /' "$work/goal-set.txt"
sleep $((3 * period_s))
python3 scripts/lib/neighborhood_checks.py goal "${operator[@]}" --url "https://127.0.0.1:$port" --goal-kw "$goal_kw" \
  --seconds 20 --out "$work/shares-before.json" > "$work/goal.txt" 2>&1
met=$?
sed 's/^/     /' "$work/goal.txt"
check "the discharge goal of $goal_kw kW is met within 5 %, every hot-spot under its limit" '[ "$met" -eq 0 ]'

# 4. A hot transformer sheds its share. Charging is what heats a transformer here (each one's households draw more than
#    its EVs discharge, so discharge relieves it, and the planner then gives a hot transformer more discharge, not
#    less): the discharge goal is cleared and an absorb goal set, then the transformer with the largest share gets
#    30 K more ambient.
adm() { "$bin/v2g-adm" dispatch "$@" --aggregator "https://127.0.0.1:$port" --kit "$pki/kits/operator-ops"; }
adm clear --id evening-discharge > "$work/goal-clear.txt" 2>&1 && adm set --id evening-absorb --kind absorb --power-kw "$goal_kw" \
  --start "$(sim_now)" --for 30m > "$work/goal-absorb.txt" 2>&1
check "v2g-adm dispatch clear, then set: an absorb goal of $goal_kw kW" '[ $? -eq 0 ]'
sleep $((2 * period_s + 4))
python3 scripts/lib/neighborhood_checks.py goal "${operator[@]}" --url "https://127.0.0.1:$port" --goal-kw "$goal_kw" \
  --seconds 10 --out "$work/shares-absorb.json" > "$work/absorb.txt" 2>&1
absorbed=$?
sed 's/^/     /' "$work/absorb.txt"
check "the absorb goal of $goal_kw kW is met within 5 %" '[ "$absorbed" -eq 0 ]'
hot=$(python3 -c "
import json; s = json.load(open('$work/shares-absorb.json'))
print(max(s['shares'], key=lambda t: abs(s['shares'][t])))")
hot_tx=$(python3 -c "
import json, sys
print(next(t['id'] for t in json.load(open(sys.argv[1]))['transformers'] if t.get('agent_id', t['id']) == sys.argv[2]))" "$neighborhood" "$hot")
echo '{"ambient": {"'"$hot_tx"'": {"rise_k": 30}}}' > "$work/control.next" && mv "$work/control.next" "$work/control.json"
note "ambient of $hot_tx ($hot, the largest share) raised 30 K at $(sim_now)"
sleep $((2 * period_s + 4))
python3 scripts/lib/neighborhood_checks.py goal "${operator[@]}" --url "https://127.0.0.1:$port" --goal-kw "$goal_kw" \
  --seconds 10 --out "$work/shares-after.json" --before "$work/shares-absorb.json" --hot "$hot" > "$work/shed.txt" 2>&1
shed=$?
sed 's/^/     /' "$work/shed.txt"
check "within two planning periods $hot's share moves to the others and the total is still met" '[ "$shed" -eq 0 ]'

# 5. The aggregator dies mid-goal.
kill -9 "$aggregator"; wait "$aggregator" 2>/dev/null; aggregator=""
killed_at=$(date +%s)
python3 scripts/lib/neighborhood_checks.py lapse --agents-dir "$work/agents" --agents $agents --wait-s 60 > "$work/lapse.txt" 2>&1
lapsed=$?
sed 's/^/     /' "$work/lapse.txt"
check "after kill -9 of the aggregator every envelope lapses and each agent runs on its own policy, no local limit broken" \
  '[ "$lapsed" -eq 0 ]'
note "envelopes lapsed within $(( $(date +%s) - killed_at )) s of the kill"

kill -TERM "$sim" 2>/dev/null; wait "$sim" 2>/dev/null
python3 scripts/lib/neighborhood_checks.py drivers --metrics "$work/run.json" --scenario "$neighborhood" > "$work/drivers.txt" 2>&1
drivers=$?
sed 's/^/     /' "$work/drivers.txt"
check "no EV ended below what its driver needed (early leavers at their target, the others' need within reach, no SoC under the policy minimum)" '[ "$drivers" -eq 0 ]'

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
