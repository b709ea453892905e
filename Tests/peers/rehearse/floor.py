"""The perfect-foresight floor of a scenario's neutral current.

Knowing every arrival, departure and the household profile in advance, what is the lowest peak of the 5-minute mean
neutral current that still gives every EV the energy charging at its own request would have given it by departure
(never past its target, never above its request, discharge only where the driver agreed, SoC never below 20 %)?
That is a min-max problem, solved as a linear programme with scipy's HiGHS: |I_N| ≤ t is replaced by
Re(I_N · e^{-jα}) ≤ t over 32 directions α, the polygon around the circle, so the LP's t is a lower bound on
the true floor (within cos(π/32) = 0.5 %), never above it. The household load is the scenario's profile without
its noise; PV events are subtracted as the simulator does; voltages are nominal.

Usage: floor.py SCENARIO.json [--until UNIX_S] [--step-s 300] → one JSON object on stdout.
"""
import argparse
import json
import math
import sys

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import lil_matrix

DIRECTIONS = 32
MIN_SOC_PCT = 20.0


def daily(points, key, hour):
    """The simulator's daily profile: linear between points, wrapping across midnight."""
    hours = [p["hour"] for p in points]
    values = [key(p) for p in points]
    if len(points) == 1:
        return values[0]
    if hour < hours[0] or hour >= hours[-1]:
        span = hours[0] + 24 - hours[-1]
        offset = hour - hours[-1] if hour >= hours[-1] else hour + 24 - hours[-1]
        return values[-1] + (values[0] - values[-1]) * offset / span
    i = 1
    while hours[i] <= hour:
        i += 1
    f = (hour - hours[i - 1]) / (hours[i] - hours[i - 1])
    return values[i - 1] + (values[i] - values[i - 1]) * f


def household_current(scenario, t):
    """Per-phase household current phasors (A) at time t, at nominal voltage."""
    base = scenario["base_load"]
    pf = base.get("power_factor", 0.95)
    tan_phi = math.sqrt(1 - pf * pf) / pf
    hour = ((t + scenario.get("utc_offset_s", 0)) % 86400) / 3600
    v_nom = scenario["transformer"].get("nominal_phase_voltage_v", 230)
    currents = []
    for phase, angle in (("A", 0.0), ("B", -120.0), ("C", 120.0)):
        households = daily(base["profile"], lambda p: p["kw"][phase], hour)
        kw = households
        for event in scenario.get("events", []):
            if event["kind"] == "pv_overvoltage" and "pv_kw" in event and event["start"] <= t < event["start"] + event["duration_s"]:
                kw -= event["pv_kw"][phase] * math.sin(math.pi * (t - event["start"]) / event["duration_s"])
        s = complex(kw * 1000, households * tan_phi * 1000)
        v = v_nom * complex(math.cos(math.radians(angle)), math.sin(math.radians(angle)))
        currents.append((s / v).conjugate())
    return currents


def sessions(scenario):
    for charger in scenario["chargers"]:
        if "sessions" not in charger:
            raise SystemExit(f"floor.py: charger {charger['id']} has no explicit sessions (generated sessions are not supported)")
        for index, s in enumerate(charger["sessions"]):
            yield charger, index, s


def floor(scenario, until=None, step_s=300.0):
    start = scenario["start_time"]
    every = list(sessions(scenario))
    end = until if until is not None else max(s["departure"] for _, _, s in every)
    steps = int(math.ceil((end - start) / step_s))
    v_nom = scenario["transformer"].get("nominal_phase_voltage_v", 230)
    # Household neutral current per step: the mean over the step of 30 samples.
    base = []
    for k in range(steps):
        samples = [household_current(scenario, start + (k + (i + 0.5) / 30) * step_s) for i in range(30)]
        base.append(sum(sum(c) for c in samples) / 30)
    # Variables: t, then one P (kW) per EV per step it is plugged in for the whole step.
    columns = []  # (session index, step)
    plugged = []
    for e, (charger, _, s) in enumerate(every):
        first = max(0, math.ceil((s["arrival"] - start) / step_s - 1e-9))
        last = min(steps, math.floor((min(s["departure"], end) - start) / step_s + 1e-9))
        plugged.append(list(range(len(columns) + 1, len(columns) + 1 + max(0, last - first))))
        columns += [(e, k) for k in range(first, last)]
    n = 1 + len(columns)
    bounds = [(0, None)]
    for e, k in columns:
        charger, _, s = every[e]
        discharge = charger.get("rated_discharge_kw", 0) if s.get("v2g_allowed", False) else 0
        bounds.append((-discharge, min(s["requested_kw"], charger["rated_charge_kw"])))
    hours = step_s / 3600
    rows, rhs = [], []
    a_ub = lil_matrix((steps * DIRECTIONS + 2 * len(columns) + len(every), n))
    row = 0
    # |I_N,k| ≤ t, as Re(I_N,k e^{-jα}) ≤ t for each direction α.
    per_step = {}
    for col, (e, k) in enumerate(columns, start=1):
        per_step.setdefault(k, []).append((col, e))
    for k in range(steps):
        for d in range(DIRECTIONS):
            alpha = 2 * math.pi * d / DIRECTIONS
            rot = complex(math.cos(alpha), -math.sin(alpha))
            a_ub[row, 0] = -1
            for col, e in per_step.get(k, []):
                phase = every[e][0]["phase"]
                if phase == "ABC":
                    continue  # split equally over the three phases: no neutral current
                angle = {"A": 0.0, "B": -120.0, "C": 120.0}[phase]
                amps_per_kw = 1000 / v_nom * complex(math.cos(math.radians(angle)), math.sin(math.radians(angle)))
                a_ub[row, col] = (amps_per_kw * rot).real
            rhs.append(-(base[k] * rot).real)
            row += 1
    # SoC stays within [max floor, target] along the session; the energy by departure is at least the need.
    for e, (charger, _, s) in enumerate(every):
        cap = s["battery_kwh"]
        arrival_kwh = s["arrival_soc_pct"] / 100 * cap
        target_kwh = max(s["target_soc_pct"], s["arrival_soc_pct"]) / 100 * cap
        floor_kwh = min(MIN_SOC_PCT, s["arrival_soc_pct"]) / 100 * cap
        cols = plugged[e]
        for j in range(len(cols)):
            for c in cols[: j + 1]:
                a_ub[row, c] = hours
                a_ub[row + 1, c] = -hours
            rhs += [target_kwh - arrival_kwh, arrival_kwh - floor_kwh]
            row += 2
        dwell_h = max(0, min(s["departure"], end) - s["arrival"]) / 3600
        needed = min(max(s["target_soc_pct"] - s["arrival_soc_pct"], 0) / 100 * cap, s["requested_kw"] * dwell_h)
        # What whole steps can carry at the request (a session shorter than a step gets nothing here).
        needed = min(needed, s["requested_kw"] * hours * len(cols))
        for c in cols:
            a_ub[row, c] = -hours
        rhs.append(-needed + 1e-6)
        row += 1
    cost = np.zeros(n)
    cost[0] = 1
    result = linprog(cost, A_ub=a_ub[:row].tocsr(), b_ub=np.array(rhs), bounds=bounds, method="highs")
    if result.status != 0:
        raise SystemExit(f"floor.py: the LP did not solve: {result.message}")
    t = result.x[0]
    return {"floor_5min_a": t, "floor_5min_upper_a": t / math.cos(math.pi / DIRECTIONS), "steps": steps,
            "sessions": len(every), "step_s": step_s, "end": end,
            "household_only_peak_5min_a": max(abs(b) for b in base)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario")
    parser.add_argument("--until", type=float)
    parser.add_argument("--step-s", type=float, default=300.0)
    args = parser.parse_args()
    with open(args.scenario) as f:
        scenario = json.load(f)
    json.dump(floor(scenario, args.until, args.step_s), sys.stdout)
    print()


if __name__ == "__main__":
    main()
