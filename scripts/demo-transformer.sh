#!/usr/bin/env bash
# The main job: one transformer, a dozen chargers on uneven phases, an accelerated night to the last departure.
# The field simulator serves SunSpec Modbus on loopback; the evening is played twice,
# first with no agent (every EV charges at its request), then with v2g-agent regulating
# and uploading its telemetry over mutual TLS to v2g-aggregator (throwaway PKI, SQLite store),
# and the figures are compared. Everything runs on this machine; nothing needs a network.
set -euo pipefail
cd "$(dirname "$0")/.."

scenario="${SCENARIO:-examples/scenarios/evening-unbalanced.json}"
acceleration="${ACCELERATION:-120}"
port="${BASE_PORT:-15020}"

./scripts/install-deps.sh
swift build --product v2g-sim
swift build --product v2g-agent
swift build --product v2g-aggregator
bin="$(swift build --show-bin-path)"
work="$(mktemp -d /tmp/v2g-demo.XXXXXX)"
agent_pid=""
sim_pid=""
aggregator_pid=""
cleanup() {
  [ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null || true
  [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null || true
  [ -n "$aggregator_pid" ] && kill "$aggregator_pid" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup EXIT

echo "== 0/2: a throwaway PKI and the aggregator (mutual TLS on 127.0.0.1, SQLite store)"
pki="$work/pki"
aggregator_port="${AGGREGATOR_PORT:-$((port + 1000))}"
. scripts/lib/throwaway-tls.sh
throwaway_aggregator "$work" "$aggregator_port"
# The simulator names its agent sim-agent; its certificate also serves the health check below.
./provisioning/v2g-pki issue-agent --dir "$pki" --agent-id sim-agent >/dev/null 2>&1
"$bin/v2g-aggregator" serve --config "$work/aggregator.json" 2> "$work/aggregator.log" > /dev/null &
aggregator_pid=$!
agent_curl() { curl -s --cacert "$pki/ca.crt" --cert "$pki/agents/sim-agent.crt" --key "$pki/agents/sim-agent.key" "https://127.0.0.1:$aggregator_port$1"; }
for _ in $(seq 1 100); do agent_curl /healthz >/dev/null && break; sleep 0.2; done
agent_curl /healthz >/dev/null || { echo "demo: v2g-aggregator did not start:" >&2; cat "$work/aggregator.log" >&2; exit 1; }
echo "aggregator listening on https://127.0.0.1:$aggregator_port (client certificates from $pki)"

echo "== 1/2: the night with no agent (baseline)"
"$bin/v2g-sim" run --scenario "$scenario" --base-port "$port" --acceleration 20000 \
  --metrics-out "$work/baseline.json" > "$work/baseline.txt"
grep -E "^(neutral current|VUF|hot-spot|EVs:)" "$work/baseline.txt"

echo
echo "== 2/2: the same night with v2g-agent regulating (×$acceleration, about $((54600 / acceleration)) s)"
# The site's policy (100 kVA, 230 V, 60 Hz, as the scenario's transformer) and a 2 s control period.
throwaway_uplink "$work" "$aggregator_port" sim-agent '"batch_interval_s": 2'
"$bin/v2g-sim" run --scenario "$scenario" --base-port "$port" --acceleration "$acceleration" \
  --agent-config-out "$work/agent.json" --clock-file "$work/clock.json" --metrics-out "$work/agent-run.json" \
  --policy examples/policy/default.json --cycle-period 2 --agent-uplink "$work/uplink.json" > "$work/agent-run.txt" &
sim_pid=$!
for _ in $(seq 1 100); do [ -s "$work/clock.json" ] && [ -s "$work/agent.json" ] && break; sleep 0.1; done
"$bin/v2g-agent" run --config "$work/agent.json" --sim-clock "$work/clock.json" --log-level warning \
  2> "$work/agent.log" &
agent_pid=$!
sleep 3
if ! kill -0 "$agent_pid" 2>/dev/null; then
  echo "demo: v2g-agent stopped early:" >&2
  cat "$work/agent.log" >&2
  exit 1
fi
wait "$sim_pid"
sim_pid=""
"$bin/v2g-agent" status --config "$work/agent.json" | head -3 || true
kill -TERM "$agent_pid" 2>/dev/null || true
wait "$agent_pid" 2>/dev/null || true
agent_pid=""
# The agent sealed what it sampled last; upload it, then compare what it produced with what was stored.
"$bin/v2g-agent" flush --config "$work/agent.json" > "$work/flush.txt" 2>&1 || true
agent_curl /metrics > "$work/metrics.txt" || true
"$bin/v2g-aggregator" audit --config "$work/aggregator.json" > "$work/audit.txt" 2>&1 || true

echo
python3 - "$work/baseline.json" "$work/agent-run.json" <<'PY'
import json, sys
b, a = (json.load(open(p))["figures"] for p in sys.argv[1:3])
def row(name, key, fmt="{:.1f}"):
    bv, av = key(b), key(a)
    change = f"{(av - bv) / bv * 100:+.0f} %" if bv else ""
    print(f"{name:<40}{fmt.format(bv):>12}{fmt.format(av):>12}{change:>10}")
print(f"{'whole night, to the last departure':<40}{'no agent':>12}{'v2g-agent':>12}{'change':>10}")
row("neutral current, mean (A)", lambda m: m["neutral_current_a"]["mean"])
row("neutral current, max 1-min mean (A)", lambda m: m["neutral_current_a"]["max_1min"])
row("neutral current, max 10-min mean (A)", lambda m: m["neutral_current_a"]["max_10min"])
row("VUF, 95th pct of 10-min values (%)", lambda m: m["vuf_pct"]["p95_10min"], "{:.2f}")
row("VUF, max 10-min value (%)", lambda m: m["vuf_pct"]["max_10min"], "{:.2f}")
row("hot-spot peak (°C)", lambda m: m["hot_spot_c"]["max"])
row("loss of life (h)", lambda m: m["loss_of_life_h"], "{:.3f}")
row("seconds outside 0.95–1.05 pu", lambda m: m["voltage_outside_band_s"], "{:.0f}")
row("setpoint lapses", lambda m: m["setpoint_lapses"], "{:.0f}")
row("EV energy needed (kWh)", lambda m: m["ev_needed_kwh"])
row("EV energy delivered (kWh)", lambda m: m["ev_delivered_kwh"])
row("EVs that met their target", lambda m: m["evs_met_target"], "{:.0f}")
row("EV shortfall, total (kWh)", lambda m: m["ev_shortfall_kwh"])
row("EV shortfall, worst (kWh)", lambda m: m["ev_shortfall_max_kwh"])
print()
print(f"{'per EV (kWh)':<28}{'needed':>10}{'no agent':>12}{'v2g-agent':>12}{'shortfall':>10}")
agent = {e["id"]: e for e in a["evs"]}
for e in b["evs"]:
    g = agent.get(e["id"], {})
    print(f"  {e['id']:<26}{e['needed_kwh']:>10.1f}{e['delivered_kwh']:>12.1f}{g.get('delivered_kwh', float('nan')):>12.1f}{g.get('shortfall_kwh', float('nan')):>10.1f}")
PY
echo
python3 - "$work/flush.txt" "$work/audit.txt" "$work/metrics.txt" <<'PY'
import re, sys
flush, audit, metrics = (open(p).read() for p in sys.argv[1:4])
def metric(name):
    m = re.search(rf"^{name} ([0-9.e+]+)$", metrics, re.M)
    return float(m.group(1)) if m else 0.0
produced = re.search(r"^produced (values=\d+ checksum=[0-9a-f]+)", flush, re.M)
stored = re.search(r"(values=\d+ checksum=[0-9a-f]+)", audit)
batches, samples, body = metric("v2g_ingest_batches_total"), metric("v2g_ingest_samples_total"), metric("v2g_ingest_bytes_received_total")
print("telemetry (agent → aggregator over mutual TLS)")
print(f"  agent produced      {produced.group(1) if produced else '?'}")
print(f"  aggregator stored   {stored.group(1) if stored else '?'}   in {batches:.0f} batches")
if samples:
    print(f"  on the wire         {body / 1024:.1f} KiB for {samples:.0f} values = {body / samples:.3f} bytes/value")
print("  exactly once        " + ("yes: count and checksum equal" if produced and stored and produced.group(1) == stored.group(1) else "NO: see " + sys.argv[1]))
PY
echo
echo "agent log: $work/agent.log   (warnings and alarms only)"
echo "full reports: $work/baseline.txt $work/agent-run.txt"
