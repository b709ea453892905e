#!/usr/bin/env bash
# A staged rollout of signed policy end to end, with real processes over real mutual TLS on loopback:
# v2g-aggregator serve, one v2g-sim field and one v2g-agent run per agent (20 by default, V2G_ROLLOUT_AGENTS),
# v2g-adm for the keys, the bundles and the rollout, certificates from provisioning/v2g-pki.
#   1. a good bundle: the canary applies, then waves whose sizes do not divide the fleet evenly; every agent
#      applies it; one canary agent killed with -9 mid-rollout comes back on the bundle it verified;
#   2. a bundle whose nominal voltage puts the field's voltage above the OV1 pickup: the canary agents trip, revert
#      on probation, the rollout halts at the canary and `rollout status` says why; no later agent ever applies it;
#   3. the aggregator gone, agents killed with -9 and restarted offline keep the last bundle they verified.
set -uo pipefail
cd "$(dirname "$0")/.."
for product in v2g-sim v2g-agent v2g-aggregator v2g-adm; do
  swift build --product "$product" > .build/rollout-build.log 2>&1 || { cat .build/rollout-build.log; exit 1; }
done
bin="$(swift build --show-bin-path)"
work="$(mktemp -d /tmp/v2g-rollout.XXXXXX)"
count="${V2G_ROLLOUT_AGENTS:-20}"
canary=2
waves=4         # 18 agents after the canary: 5, 5, 4, 4
probation=10    # the agents' probation window (s); the soak is longer so a revert arrives before the next stage
soak=12
interval=5      # the agents' fetch interval (s), the shortest allowed
aggregator=""
declare -A agent_pid sim_pid
cleanup() {
  for p in "${agent_pid[@]}" "${sim_pid[@]}" $aggregator; do kill -9 "$p" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
passed=0; failed=0
check() { if eval "$2"; then echo "ok   $1"; passed=$((passed + 1)); else echo "FAIL $1"; failed=$((failed + 1)); fi; }
# wait_for SECONDS CONDITION: polls every half second.
wait_for() { local end=$((SECONDS + $1)); while [ "$SECONDS" -lt "$end" ]; do eval "$2" && return 0; sleep 0.5; done; eval "$2"; }
py="$(python3 -c 'import sys; print(sys.executable)')"   # once: a version manager's shim costs a process per call
ids=(); for i in $(seq -w 1 "$count"); do ids+=("tx-$i"); done
canary_ids=("${ids[@]:0:$canary}")
later_ids=("${ids[@]:$canary}")

# PKI, keys, aggregator.
pki="$work/pki"
port="$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
. scripts/lib/throwaway-tls.sh
throwaway_aggregator "$work" "$port" || { echo "FAIL v2g-pki"; exit 1; }
./provisioning/v2g-pki issue-operator --dir "$pki" --name ops >/dev/null 2>&1 || { echo "FAIL v2g-pki issue-operator"; exit 1; }
for id in "${ids[@]}"; do
  ./provisioning/v2g-pki issue-agent --dir "$pki" --agent-id "$id" >/dev/null 2>&1 || { echo "FAIL v2g-pki issue-agent $id"; exit 1; }
done
"$bin/v2g-adm" keys init --dir "$work/trust" >/dev/null || { echo "FAIL v2g-adm keys init"; exit 1; }
"$py" - "$work" <<'PY'
import json, sys
work = sys.argv[1]
config = json.load(open(f"{work}/aggregator.json"))
config["trust"] = {"root_file": f"{work}/trust/root.json"}
json.dump(config, open(f"{work}/aggregator.json", "w"), indent=2)
PY
"$bin/v2g-aggregator" serve --config "$work/aggregator.json" >> "$work/aggregator.log" 2>&1 &
aggregator=$!
adm() { "$bin/v2g-adm" "$@" --aggregator "https://127.0.0.1:$port" --kit "$pki/kits/operator-ops"; }
wait_for 60 'adm rollout status >/dev/null 2>&1'

# Bundles: version 1 is the example policy; version 2 the same with a nominal voltage of 205 V, so the field's
# ~236 V reads 1.15 pu, above OV1's 1.10 pu pickup: protection trips 2 s after it is applied.
"$py" - "$work" <<'PY'
import json, sys
work = sys.argv[1]
policy = json.load(open("examples/policy/default.json"))
policy["version"] = 1
json.dump(policy, open(f"{work}/policy-1.json", "w"), indent=2)
policy["version"] = 2
policy["transformer"]["nominal_phase_voltage_v"] = 205
json.dump(policy, open(f"{work}/policy-2.json", "w"), indent=2)
PY
policy_key="$(ls "$work"/trust/keys/policy-*.pem | head -1)"
for v in 1 2; do
  "$bin/v2g-adm" policy sign --root "$work/trust/root.json" --policy "$work/policy-$v.json" --version "$v" --expires +180d \
    --target '*' --key "$policy_key" --out "$work/bundle-$v.json" >/dev/null || { echo "FAIL v2g-adm policy sign $v"; exit 1; }
done

# One field and one agent per id, each in its own folder (its agent-state/ beside its configuration).
start_agent() {
  local dir="$work/agents/$1"
  "$bin/v2g-agent" run --config "$dir/agent.json" --sim-clock "$dir/clock.json" --log-level notice >> "$dir/agent.log" 2>&1 &
  agent_pid[$1]=$!
}
for id in "${ids[@]}"; do
  dir="$work/agents/$id"; mkdir -p "$dir"
  "$bin/v2g-sim" run --scenario examples/scenarios/evening-unbalanced.json --base-port 0 --acceleration 1 \
    --agent-config-out "$dir/agent.json" --clock-file "$dir/clock.json" > "$dir/sim.log" 2>&1 &
  sim_pid[$id]=$!
done
for id in "${ids[@]}"; do
  dir="$work/agents/$id"
  wait_for 60 "[ -s '$dir/agent.json' ] && [ -s '$dir/clock.json' ]" || { echo "FAIL v2g-sim for $id did not start"; tail -5 "$dir/sim.log"; exit 1; }
  "$py" - "$dir" "$id" "$work" "$port" "$pki" "$probation" "$interval" <<'PY'
import json, sys
dir, agent, work, port, pki, probation, interval = sys.argv[1:]
config = json.load(open(f"{dir}/agent.json"))
config["agent_id"] = agent
config["trust"] = {"root_file": f"{work}/trust/root.json"}
config["policy_fetch"] = {
    "base_url": f"https://127.0.0.1:{port}", "ca_file": f"{pki}/ca.crt",
    "cert_file": f"{pki}/agents/{agent}.crt", "key_file": f"{pki}/agents/{agent}.key",
    "interval_s": int(interval), "probation_s": int(probation), "connect_timeout_s": 2, "total_timeout_s": 5,
    "backoff_cap_s": 2,
}
json.dump(config, open(f"{dir}/agent.json", "w"), indent=2)
PY
  start_agent "$id"
done

# fleet TEST [ARG] ID...: one look at the named agents' status files, true when every one passes TEST:
#   version V (runs policy version V), not-version V, regulating, fresh SINCE (written after SINCE, a cycle run and a
#   fetch tried), fetch-network (the last fetch failed on the network).
fleet() {
  "$py" - "$work/agents" "$@" <<'PY'
import json, os, sys
folder, test, args = sys.argv[1], sys.argv[2], sys.argv[3:]
arg = args.pop(0) if test in ("version", "not-version", "fresh") else None
def passes(agent):
    path = f"{folder}/{agent}/agent-state/status.json"
    try:
        s = json.load(open(path))
    except (OSError, ValueError):
        return False
    fetch = (s.get("policy_path") or {}).get("last_fetch") or ""
    if test == "version": return s.get("policy_version") == int(arg)
    if test == "not-version": return s.get("policy_version") != int(arg)
    if test == "regulating": return s.get("mode") == "regulating"
    if test == "fresh": return os.path.getmtime(path) > float(arg) and s.get("last_cycle_at") is not None and fetch != ""
    if test == "fetch-network": return fetch.startswith("network_")
    raise SystemExit(f"unknown test {test}")
sys.exit(0 if args and all(passes(a) for a in args) else 1)
PY
}
# rollout_json ID: the aggregator's own view, as an operator (GET /v1/rollouts/ID).
rollout_json() {
  curl -s --cacert "$pki/ca.crt" --cert "$pki/kits/operator-ops/operator.crt" --key "$pki/kits/operator-ops/operator.key" \
    "https://127.0.0.1:$port/v1/rollouts/$1"
}
# never_fetched ID...: the aggregator never handed rollout 2's bundle to any of them.
never_fetched() {
  rollout_json 2 | "$py" -c '
import json, sys
view = json.load(sys.stdin)
named = set(sys.argv[1:])
agents = [a for a in view["agents"] if a["agent_id"] in named]
sys.exit(0 if len(agents) == len(named) and all(a.get("fetched_at_ms") is None and a["status"] == "pending" for a in agents) else 1)
' "$@"
}
adopted_v2() { local id; for id in "$@"; do grep "policy adopted" "$work/agents/$id/agent.log" | grep -q "policy.version=2" && return 0; done; return 1; }
adoptions_v2() { grep "policy adopted" "$work/agents/$1/agent.log" | grep -c "policy.version=2"; }
reverted_v2() { local id; for id in "$@"; do grep "policy reverted on probation" "$work/agents/$id/agent.log" | grep -q "policy.version=2" || return 1; done; }
halted() { adm rollout status --agents 2 > "$work/status-2.txt" 2>&1; [ $? -eq 4 ]; }
check "$count agents regulate on the built-in policy, each against its own simulated field" \
  'wait_for 120 "fleet version 0 ${ids[*]} && fleet regulating ${ids[*]}"'

# 1. The good bundle.
agent_args=(); for id in "${ids[@]}"; do agent_args+=(--agent "$id"); done
adm rollout start --canary "$canary" --waves "$waves" --soak "$soak" --max-failures 0 "${agent_args[@]}" "$work/bundle-1.json" \
  > "$work/start-1.txt" 2>&1
echo "..   $(head -1 "$work/start-1.txt")"
check "rollout 1 starts: canary $canary, $waves waves that do not divide the rest evenly" \
  'grep -q "^started rollout 1: bundle version 1 to $count agents, canary $canary, $waves waves of " "$work/start-1.txt"'
check "the canary applies version 1 while the later agents wait" \
  'wait_for 60 "fleet version 1 ${canary_ids[*]}" && fleet not-version 1 "${later_ids[@]}"'
# Mid-rollout, the first canary agent is killed with -9 and started again: the bundle it verified stays.
kill -9 "${agent_pid[${ids[0]}]}"; wait "${agent_pid[${ids[0]}]}" 2>/dev/null
killed_at="$(date +%s)"
sleep 1
start_agent "${ids[0]}"
check "killed with -9 mid-rollout and restarted, ${ids[0]} is back on version 1" \
  'wait_for 60 "fleet fresh $killed_at ${ids[0]}" && fleet version 1 "${ids[0]}" && fleet regulating "${ids[0]}"'
check "the waves follow and every agent applies version 1" 'wait_for 300 "fleet version 1 ${ids[*]}"'
check "rollout 1 is done" 'wait_for 60 "adm rollout status 1 2>&1 | head -1 | grep -q \", done, \""'
adm rollout status --agents 1 > "$work/status-1.txt" 2>&1
check "rollout status: $count applied, none pending" 'grep -q "($count applied, 0 rejected, 0 reverted, 0 unhealthy, 0 pending)" "$work/status-1.txt"'

# 2. The bundle that makes the canary trip.
adm rollout start --canary "$canary" --waves "$waves" --soak "$soak" --max-failures 0 "${agent_args[@]}" "$work/bundle-2.json" \
  > "$work/start-2.txt" 2>&1
check "rollout 2 starts" 'grep -q "^started rollout 2: bundle version 2" "$work/start-2.txt"'
# The first revert halts the rollout (max_failures 0): a canary agent that had not fetched the bundle by then is never
# handed it. Every canary agent that applied it must have reverted.
canary_reverted() {
  local id reverted=0
  for id in "${canary_ids[@]}"; do
    if reverted_v2 "$id"; then reverted=$((reverted + 1)); elif adopted_v2 "$id"; then return 1; fi
  done
  [ "$reverted" -ge 1 ]
}
check "the canary agents that took version 2 tripped and reverted on probation to version 1" \
  'wait_for 90 canary_reverted && sleep $((interval + 2)) && canary_reverted && fleet version 1 "${canary_ids[@]}"'
echo "..   canary agents reverted: $(for id in "${canary_ids[@]}"; do reverted_v2 "$id" && printf "%s " "$id"; done)"
check "the rollout halts at the canary (v2g-adm rollout status exits 4)" 'wait_for 60 halted'
grep "^halted: " "$work/status-2.txt" | sed 's/^/..   /'
check "rollout status says why: the reverted agent with its trip, and the count against the canary" \
  'grep -q "halted at the canary" "$work/status-2.txt" && grep -q "^halted: tx-[0-9]* reverted to its last-known-good: TRIP_OV1: " "$work/status-2.txt" && grep -q "^halted: [0-9]* failures* counted against the canary, more than max_failures 0" "$work/status-2.txt"'
sleep $((interval * 3))
check "three fetch rounds later, no agent of the later waves was handed version 2 or applied it" \
  'never_fetched "${later_ids[@]}" && fleet version 1 "${later_ids[@]}" && ! adopted_v2 "${later_ids[@]}"'

# 3. Offline restarts: the aggregator is stopped, a reverted canary agent and a last-wave agent are killed with -9.
canary_agent="${canary_ids[0]}"
for id in "${canary_ids[@]}"; do reverted_v2 "$id" && { canary_agent="$id"; break; }; done
kill -TERM "$aggregator"; wait "$aggregator" 2>/dev/null; aggregator=""
last="${ids[$((count - 1))]}"
for id in "$canary_agent" "$last"; do kill -9 "${agent_pid[$id]}"; wait "${agent_pid[$id]}" 2>/dev/null; done
killed_at="$(date +%s)"
adopted_before="$(adoptions_v2 "$canary_agent")"
sleep 1
for id in "$canary_agent" "$last"; do start_agent "$id"; done
# The reverted canary agent ceased to energize on its trip and waits out the enter-service delay before it regulates.
check "restarted offline, $canary_agent (reverted canary) and $last (last wave) keep version 1" \
  'wait_for 60 "fleet fresh $killed_at $canary_agent $last" && fleet version 1 "$canary_agent" "$last"'
# The first status after a restart can come before the first cycles have trusted the data: regulating follows.
check "… and $last regulates again" 'wait_for 30 "fleet regulating $last"'
check "their fetch fails on the network; the cache is sound" \
  'wait_for 30 "fleet fetch-network $canary_agent $last" && ! grep -q CACHE_ "$work/agents/$canary_agent/agent.log" "$work/agents/$last/agent.log"'
check "the reverted canary agent does not bring version 2 back from its cache on the restart" '[ "$(adoptions_v2 "$canary_agent")" = "$adopted_before" ]'

if [ "$failed" -gt 0 ]; then
  echo "-- aggregator log (tail)"; tail -20 "$work/aggregator.log" 2>/dev/null
  for f in "$work"/start-*.txt "$work"/status-*.txt; do [ -f "$f" ] && { echo "-- $f"; cat "$f"; }; done
  for id in $(printf "%s\n" "${ids[0]}" "${canary_agent:-}" "${last:-}" | awk 'NF && !seen[$0]++'); do
    echo "-- $id log (tail)"; tail -20 "$work/agents/$id/agent.log"
    echo "-- $id status"; head -c 1500 "$work/agents/$id/agent-state/status.json" 2>/dev/null; echo
  done
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
