#!/usr/bin/env bash
# kill -9 and restart while offline, with real processes: the simulator serves the field, the agent
# regulates with no aggregator configured (offline), is killed with SIGKILL, and is started again.
# Checks: it resumes regulating, from the same cache (policy version, hot-spot estimate not reset to cold).
set -uo pipefail
cd "$(dirname "$0")/.."
swift build --product v2g-sim >/dev/null && swift build --product v2g-agent >/dev/null || exit 1
bin="$(swift build --show-bin-path)"
work="$(mktemp -d /tmp/v2g-restart.XXXXXX)"
sim=""; agent=""
cleanup() { for p in $agent $sim; do kill -9 "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
passed=0; failed=0
check() { if eval "$2"; then echo "ok   $1"; passed=$((passed + 1)); else echo "FAIL $1"; failed=$((failed + 1)); fi; }

# The site's policy: the example policy with the scenario's 75 kVA transformer, at version 7.
sed -e 's/"rated_kva": 100/"rated_kva": 75/' -e 's/"version": 1,/"version": 7,/' examples/policy/default.json > "$work/policy.json"
"$bin/v2g-sim" run --scenario examples/scenarios/overload-evening.json --base-port 0 --acceleration 60 \
  --agent-config-out "$work/agent.json" --clock-file "$work/clock.json" --policy "$work/policy.json" --cycle-period 2 \
  > "$work/sim.log" 2>&1 &
sim=$!
for _ in $(seq 1 100); do [ -s "$work/agent.json" ] && [ -s "$work/clock.json" ] && break; sleep 0.1; done
status() { python3 -c "import json,sys; s=json.load(open('$work/agent-state/status.json')); print(s.get('$1'))" 2>/dev/null; }

"$bin/v2g-agent" run --config "$work/agent.json" --sim-clock "$work/clock.json" --log-level error 2> "$work/agent1.log" &
agent=$!
sleep 12
check "the agent regulates before the kill" '[ "$(status mode)" = regulating ]'
hot_before="$(status hot_spot_c)"
kill -9 "$agent"; wait "$agent" 2>/dev/null; agent=""
check "the cache file survived SIGKILL" '[ -s "$work/agent-state/cache.sqlite" ]'

"$bin/v2g-agent" run --config "$work/agent.json" --sim-clock "$work/clock.json" --log-level error 2> "$work/agent2.log" &
agent=$!
sleep 4
check "after restart it regulates again" '[ "$(status mode)" = regulating ]'
check "after restart the policy is the cached one (v7)" '[ "$(status policy_version)" = 7 ]'
hot_after="$(status hot_spot_c)"
check "the hot-spot estimate was not reset to cold ($hot_before → $hot_after °C)" \
  'python3 -c "import sys; b, a = float(\"$hot_before\"), float(\"$hot_after\"); sys.exit(0 if a > b - 5 and a > 40 else 1)"'
check "no cache alarm after the restart" '! grep -q CACHE_ "$work/agent2.log"'
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
