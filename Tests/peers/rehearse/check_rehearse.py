"""Drivers first, on whole nights: `v2g-sim rehearse --json` on each scenario, to its last departure, judged against
the no-agent run and against the perfect-foresight floor (floor.py):

  1. every EV whose need was met without the agent is met with it (shortfall ≤ 0.5 kWh);
  2. no EV charges past its target (no session here consents to that);
  3. the largest 10-minute mean neutral current is at most 1.25 × the 5-minute floor;
  4. the 95th percentile of the 10-minute VUF values is no worse than without the agent;
  5. no setpoint lapses.

The agent is judged as it runs after its first day on the feeder: `--history-days 1` gives it one earlier day of
the same feeder without EVs (other households' draws), so the planner forecasts from its own history as a deployed
agent does. Its first night, planned on persistence, is reported in docs/balancing.md, not judged here.

Prints one line per check and "N passed, M failed". Needs V2G_BIN_DIR (v2g-sim) and scipy (floor.py).
"""
import json
import os
import subprocess
import sys

from floor import floor

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
SCENARIOS = ["evening-unbalanced", "depot-overnight", "pv-afternoon"]
SHORTFALL_KWH = 0.5
PAST_TARGET_KWH = 0.05
FLOOR_RATIO = 1.25
HISTORY_DAYS = 1
VUF_SLACK_PCT = 0.005  # the VUF figures print to 0.01 %; half of that is rounding, not a change

passed = failed = 0


def check(name, ok, detail):
    global passed, failed
    print(("ok   " if ok else "FAIL ") + name + (f": {detail}" if detail else ""))
    if ok:
        passed += 1
    else:
        failed += 1


def main():
    sim = os.path.join(os.environ["V2G_BIN_DIR"], "v2g-sim")
    policy = sys.argv[1] if len(sys.argv) > 1 else None
    figures = {}
    for name in SCENARIOS:
        path = os.path.join(ROOT, "examples", "scenarios", f"{name}.json")
        command = [sim, "rehearse", "--scenario", path, "--json", "--history-days", str(HISTORY_DAYS)] + (["--policy", policy] if policy else [])
        run = subprocess.run(command, capture_output=True, text=True, timeout=3600)
        if run.returncode != 0:
            check(f"{name}: v2g-sim rehearse runs", False, run.stderr.strip())
            continue
        both = json.loads(run.stdout)
        base, agent = both["baseline"], both["agent"]
        with open(path) as f:
            lp = floor(json.load(f))
        figures[name] = (base, agent, lp)
        b_evs = {e["id"]: e for e in base["evs"]}
        missed = [f"{e['id']} short {e['shortfall_kwh']:.1f} kWh" for e in agent["evs"]
                  if b_evs[e["id"]]["shortfall_kwh"] <= SHORTFALL_KWH and e["shortfall_kwh"] > SHORTFALL_KWH]
        check(f"{name}: every EV met without the agent is met with it", not missed, ", ".join(missed))
        past = [f"{e['id']} +{e['charged_past_target_kwh']:.1f} kWh" for e in agent["evs"] if e["charged_past_target_kwh"] > PAST_TARGET_KWH]
        check(f"{name}: no EV charges past its target", not past, ", ".join(past))
        peak, bound = agent["neutral_current_a"]["max_10min"], FLOOR_RATIO * lp["floor_5min_a"]
        check(f"{name}: 10-min neutral peak ≤ {FLOOR_RATIO} × floor", peak is not None and peak <= bound,
              f"{peak:.1f} A against floor {lp['floor_5min_a']:.1f} A (ratio {peak / lp['floor_5min_a']:.2f}; no agent {base['neutral_current_a']['max_10min']:.1f} A)")
        b_vuf, a_vuf = base["vuf_pct"]["p95_10min"], agent["vuf_pct"]["p95_10min"]
        check(f"{name}: VUF p95 of 10-min values no worse than without the agent", a_vuf <= b_vuf + VUF_SLACK_PCT,
              f"{b_vuf:.3f} % → {a_vuf:.3f} %")
        check(f"{name}: no setpoint lapses", agent["setpoint_lapses"] == 0, f"{agent['setpoint_lapses']} lapses")
    for name, (base, agent, lp) in figures.items():
        print(f"..   {name}: neutral max 10-min {base['neutral_current_a']['max_10min']:.1f} → {agent['neutral_current_a']['max_10min']:.1f} A"
              f" (floor {lp['floor_5min_a']:.1f} A), EV shortfall {base['ev_shortfall_kwh']:.1f} → {agent['ev_shortfall_kwh']:.1f} kWh,"
              f" met target {base['evs_met_target']} → {agent['evs_met_target']} of {agent['evs_total']}")
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
