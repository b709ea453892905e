"""The neighborhood demo's closing tables: each transformer without and with its agent (from the simulator's two
reports), then the telemetry each agent produced against what the aggregator stored.

Usage: demo_report.py WORK AGENT_ID...   (WORK holds baseline.json, run.json, AGENT.flush and audit.txt)
"""
import json
import re
import sys

work, agents = sys.argv[1], sys.argv[2:]
base = json.load(open(f"{work}/baseline.json"))["figures"]
run = json.load(open(f"{work}/run.json"))["figures"]

ROWS = [
    ("neutral current, max 10-min mean (A)", lambda m: m["neutral_current_a"]["max_10min"], "{:.1f}"),
    ("neutral current, mean (A)", lambda m: m["neutral_current_a"]["mean"], "{:.1f}"),
    ("neutral current, 1-min peak (A)", lambda m: m["neutral_current_a"]["max_1min"], "{:.1f}"),
    ("VUF, 95th pct of 10-min values (%)", lambda m: m["vuf_pct"]["p95_10min"], "{:.2f}"),
    ("hot-spot peak (°C)", lambda m: m["hot_spot_c"]["max"], "{:.1f}"),
    ("loss of life (h)", lambda m: m["loss_of_life_h"], "{:.3f}"),
    ("seconds outside 0.95–1.05 pu", lambda m: m["voltage_outside_band_s"], "{:.0f}"),
    ("setpoint lapses", lambda m: m["setpoint_lapses"], "{:.0f}"),
    ("EV energy needed (kWh)", lambda m: m["ev_needed_kwh"], "{:.1f}"),
    ("EV energy delivered (kWh)", lambda m: m["ev_delivered_kwh"], "{:.1f}"),
    ("EV shortfall, total (kWh)", lambda m: m["ev_shortfall_kwh"], "{:.1f}"),
    ("EVs short by over 0.5 kWh at departure", lambda m: sum(1 for e in m["evs"] if e["shortfall_kwh"] > 0.5), "{:.0f}"),
    ("EV shortfall, worst (kWh)", lambda m: m["ev_shortfall_max_kwh"], "{:.1f}"),
]


def value(m, key):
    try:
        v = key(m)
        return float("nan") if v is None else v
    except (KeyError, TypeError):
        return float("nan")


def table(title, b, a):
    print(f"{title:<40}{'no agent':>12}{'v2g-agent':>12}")
    for name, key, fmt in ROWS:
        print(f"  {name:<38}{fmt.format(value(b, key)):>12}{fmt.format(value(a, key)):>12}")


ids = list(base["transformers"].keys())
for tid in ids:
    table(f"transformer {tid}", base["transformers"][tid], run["transformers"].get(tid, {}))
    print()
table("neighborhood (worst transformer; sums)", base["neighborhood"], run["neighborhood"])

print()
audit = open(f"{work}/audit.txt").read()
print("telemetry, agent → aggregator over mutual TLS")
ok = True
for agent in agents:
    flush = open(f"{work}/{agent}.flush").read()
    produced = re.search(r"^produced (values=\d+ checksum=[0-9a-f]+)", flush, re.M)
    stored = re.search(rf"^agent={re.escape(agent)} (values=\d+ checksum=[0-9a-f]+)", audit, re.M)
    same = bool(produced and stored and produced.group(1) == stored.group(1))
    ok = ok and same
    print(f"  {agent:<14} produced {produced.group(1) if produced else '?':<40} stored {stored.group(1) if stored else '?'}"
          f"  {'exactly once' if same else 'DIFFERENT'}")
print("  every sample stored exactly once" if ok else f"  NOT exactly once: see {work}/*.flush and {work}/audit.txt")
