#!/usr/bin/env python3
"""The mesh planner against an independent solver: scipy (HiGHS for the LPs, SLSQP for the QPs).

Random small neighborhoods and goals are written to files and planned by `v2g-adm dispatch plan --json`. This script
rebuilds each problem from the rules in docs/neighborhood.md with one variable per charger (the planner works with
per-phase sums and shortest paths instead) and its own IEC 60076-7 forecast, then checks, for every instance:
  - the feasibility verdict: a shortfall exactly when the target lies outside the range that HiGHS finds;
  - level 1: the objective Σ P_i²/h_i equals SLSQP's optimum over the LP ranges (and so do the powers);
  - level 2: each transformer's Σ (b_φ + x_φ)² equals SLSQP's optimum over charger powers with the same total;
  - the plan can be given charger by charger, every EV at or above its departure floor (an LP);
  - the forecast hot-spot at the planned load stays under the policy's limit less its margin.

    V2G_BIN_DIR=$(swift build --show-bin-path) .venv-planner/bin/python Tests/peers/planner/check_planner.py
"""
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import warnings

import numpy as np
from scipy.optimize import linprog, minimize

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
BIN = os.environ.get("V2G_BIN_DIR", os.path.join(REPO, ".build", "debug"))
NOW = 1_800_000_000.0
H = 0.25  # the planning horizon, hours
INSTANCES = int(os.environ.get("PLANNER_INSTANCES", "120"))
ONAN = dict(dor=55.0, dhr=23.0, tau_o=180.0, tau_w=4.0, R=5.0, x=0.8, y=1.6, k11=1.0, k21=1.0, k22=2.0)

# SLSQP warns when a line search steps outside the bounds and clips back: expected, and not a verdict.
warnings.filterwarnings("ignore", message="Values in x were outside bounds", category=RuntimeWarning)

# Every verdict, in order: (ok, what was checked).
VERDICTS = []


def check(ok, what):
    VERDICTS.append((bool(ok), what))
    if not ok:
        print(f"FAIL {what}")


# --- IEC 60076-7 forecast, written from the difference equations -------------------------------------------------

def forecast_peak(top_oil, h1, h2, k, ambient, horizon, p=ONAN):
    k = min(max(k, 0.0), 10.0)
    oil_target = ambient + ((1 + k * k * p["R"]) / (1 + p["R"])) ** p["x"] * p["dor"]
    winding = p["dhr"] * k ** p["y"]
    t1, t2 = p["k21"] * winding, (p["k21"] - 1) * winding
    tau_oil, tau1, tau2 = p["k11"] * p["tau_o"], p["k22"] * p["tau_w"], p["tau_o"] / p["k22"]
    sub = min(min(tau_oil, tau1, tau2) / 2, 0.5)
    peak = top_oil + h1 - h2
    elapsed = 0.0
    while elapsed < horizon:
        duration = min(0.5, horizon - elapsed)
        count = max(1, math.ceil(duration / sub))
        dt = duration / count
        for _ in range(count):
            top_oil += dt / tau_oil * (oil_target - top_oil)
            h1 += dt / tau1 * (t1 - h1)
            h2 += dt / tau2 * (t2 - h2)
        peak = max(peak, top_oil + h1 - h2)
        elapsed += duration
    return peak


def max_load(state, ambient, aim, horizon):
    def fits(k):
        return forecast_peak(*state, k, ambient, horizon) <= aim
    if not fits(0.0):
        return 0.0
    lo, hi = 0.0, 3.0
    if fits(hi):
        return hi
    for _ in range(24):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if fits(mid) else (lo, mid)
    return lo


# --- random instances --------------------------------------------------------------------------------------------

def make_instance(rng):
    transformers = []
    for t in range(rng.randint(1, 4)):
        rated = rng.choice([50.0, 100.0])
        chargers = []
        for c in range(rng.randint(0, 6)):
            three = rng.random() < 0.2
            rating = 11.0 if three else 7.4
            charger = {"id": f"c{c}", "phase": "ABC" if three else rng.choice("ABC"),
                       "power_kw": round(rng.uniform(0, rating), 2), "rated_charge_kw": rating,
                       "rated_discharge_kw": rating if rng.random() < 0.8 else 0, "online": rng.random() < 0.95}
            if rng.random() < 0.85:
                soc = rng.uniform(15, 98)
                capacity = rng.choice([40.0, 60.0, 77.0])
                ev = {"soc_pct": round(soc, 1), "energy_available_kwh": round(max(0.0, (soc - 20) / 100 * capacity), 2),
                      "energy_needed_kwh": round(min(rng.uniform(0, 25), (100 - soc) / 100 * capacity), 2),
                      "v2g_agreed": rng.random() < 0.6}
                if rng.random() < 0.9:
                    ev["departure"] = NOW + 3600 * rng.uniform(0.1, 8)
                if rng.random() < 0.3:
                    ev["energy_room_kwh"] = round((100 - soc) / 100 * capacity, 2)
            else:
                ev = None
                charger["power_kw"] = 0
            if ev:
                charger["ev"] = ev
            chargers.append(charger)
        ev_phase = [0.0, 0.0, 0.0]
        for c in chargers:
            if c["online"]:
                for i in (range(3) if c["phase"] == "ABC" else ["ABC".index(c["phase"])]):
                    ev_phase[i] += c["power_kw"] / (3 if c["phase"] == "ABC" else 1)
        phases = {}
        for i, ph in enumerate("ABC"):
            household = round(rng.uniform(0.05, 0.35) * rated / 3, 2)
            phases[ph] = {"p_kw": round(household + ev_phase[i], 4), "q_kvar": round(0.2 * household, 3), "v_v": 230, "i_a": 10}
        ambient = round(rng.uniform(0, 38), 1)
        top_oil = round(ambient + rng.uniform(5, 40), 1)
        tr = {"id": f"tx-{t}", "report_time": NOW - (rng.uniform(0, 3) if rng.random() < 0.9 else 30), "rated_kva": rated,
              "phases": phases, "thermal": {"top_oil_c": top_oil, "hot_spot_c": round(top_oil + rng.uniform(2, 14), 1),
                                            "ambient_c": ambient}, "chargers": chargers}
        if rng.random() < 0.6:
            tr["phase_balance_limit_kw"] = round(rng.uniform(2, 30), 1)
        transformers.append(tr)
    goals = []
    kind = rng.choice(["discharge", "absorb", "schedule", "cap"])
    window = {"start": NOW - 600, "end": NOW + 3600}
    if kind in ("discharge", "absorb"):
        goals.append({"id": "g", "kind": kind, "power_kw": round(rng.uniform(0, 80), 2), **window})
    elif kind == "schedule":
        goals.append({"id": "g", "kind": "schedule", **window, "steps": [{"at": NOW - 600, "power_kw": round(rng.uniform(-60, 60), 2)}]})
    if kind == "cap" or rng.random() < 0.3:
        goals.append({"id": "cap", "kind": "import_cap", "limit_kw": round(rng.uniform(0, 200), 1), **window})
    return {"time": NOW, "transformers": transformers}, {"goals": goals}


# --- the model, rebuilt from the documented rules -------------------------------------------------------------------

def charger_bounds(c):
    ev = c.get("ev")
    if not c.get("online", True) or ev is None:
        return 0.0, 0.0
    kva = c.get("rated_kva", max(c["rated_charge_kw"], c.get("rated_discharge_kw", 0)))
    charge, discharge = min(c["rated_charge_kw"], kva), min(c.get("rated_discharge_kw", 0), kva)
    need = ev.get("energy_needed_kwh", 0)
    tau = max((ev["departure"] - NOW) / 3600, 1 / 60) if "departure" in ev else None
    span = min(H, tau) if tau is not None else H
    cap = max(need, ev.get("energy_room_kwh", 0))
    hi = 0.0 if ev["soc_pct"] >= 100 else min(charge, cap / span)
    floor = -math.inf
    if tau is not None and need > 0:
        floor = need / tau if tau <= H else (need - charge * (tau - H)) / H
        floor = min(floor, hi)
    dcap = min(discharge, ev["energy_available_kwh"] / H) if discharge > 0 and ev.get("v2g_agreed", False) else 0.0
    return max(floor, -dcap), hi


class Transformer:
    def __init__(self, t):
        self.t = t
        self.chargers = t["chargers"]
        self.bounds = [charger_bounds(c) for c in self.chargers]
        self.household = np.array([t["phases"][ph]["p_kw"] for ph in "ABC"], dtype=float)
        for c in self.chargers:
            if c.get("online", True):
                for i in self.phases_of(c):
                    self.household[i] -= c["power_kw"] / len(self.phases_of(c))
        self.q = sum(t["phases"][ph]["q_kvar"] for ph in "ABC")
        th = t["thermal"]
        rise = th["hot_spot_c"] - th["top_oil_c"]
        self.state = (th["top_oil_c"], ONAN["k21"] * rise, (ONAN["k21"] - 1) * rise)
        self.ambient = th["ambient_c"]
        self.aim = th.get("hot_spot_limit_c", 98) - th.get("margin_k", 1)
        self.horizon = max(15.0, th.get("horizon_min", 15))
        self.kmax = max_load(self.state, self.ambient, self.aim, self.horizon)
        s = self.kmax * t["rated_kva"]
        self.headroom_ok = self.kmax > 0 and s > abs(self.q)
        r = math.sqrt(max(0.0, s * s - self.q * self.q))
        base = self.household.sum()
        self.thermal = (-r - base, r - base)
        self.balance = t.get("phase_balance_limit_kw", 0.2 * t["rated_kva"] / 3)
        self.must = [False, False, False]
        self.must3 = False
        for c, (lo, _) in zip(self.chargers, self.bounds):
            if lo > 0:
                if c["phase"] == "ABC":
                    self.must3 = True
                else:
                    self.must["ABC".index(c["phase"])] = True
        self.need = sum(max(lo, 0) for lo, _ in self.bounds)

    @staticmethod
    def phases_of(c):
        return [0, 1, 2] if c["phase"] == "ABC" else ["ABC".index(c["phase"])]

    def discharge_mode(self):
        if self.must3:
            return "charging"
        return "discharging" if not any(self.must) else "mixed"

    def mode_bounds(self, mode):
        out = []
        for c, (lo, hi) in zip(self.chargers, self.bounds):
            if c["phase"] == "ABC":
                out.append((max(lo, 0), hi) if mode == "charging" else (lo, min(hi, 0)) if mode == "discharging" else (0.0, 0.0))
            else:
                charges = mode == "charging" or (mode == "mixed" and self.must["ABC".index(c["phase"])])
                out.append((max(lo, 0), hi) if charges else (lo, min(hi, 0)))
        return out

    def constraints(self, mode, thermal=True):
        """A_ub p ≤ b_ub and bounds for charger powers p in `mode`."""
        bounds = self.mode_bounds(mode)
        n = len(self.chargers)
        share = np.zeros((3, n))
        for j, c in enumerate(self.chargers):
            for i in self.phases_of(c):
                share[i, j] = 1.0 / len(self.phases_of(c))
        idle = share @ np.array([min(max(0.0, lo), hi) for lo, hi in bounds]) if n else np.zeros(3)
        rows, rhs = [], []
        for i in range(3):
            for k in range(3):
                if i != k:
                    limit = max(self.balance, (self.household[i] + idle[i]) - (self.household[k] + idle[k]))
                    rows.append(share[i] - share[k])
                    rhs.append(limit - self.household[i] + self.household[k])
        if thermal:
            rows.append(np.ones(n))
            rhs.append(self.thermal[1])
            rows.append(-np.ones(n))
            rhs.append(-self.thermal[0])
        return np.array(rows).reshape(len(rows), n), np.array(rhs), bounds, share

    def range(self, mode):
        n = len(self.chargers)
        if n == 0:
            lo, hi = self.thermal
            return (0.0, 0.0) if lo <= 1e-9 and hi >= -1e-9 else None
        a, b, bounds, _ = self.constraints(mode)
        out = []
        for sign in (1, -1):
            res = linprog(sign * np.ones(n), A_ub=a, b_ub=b, bounds=bounds, method="highs")
            if res.status != 0:
                return None
            out.append(sign * res.fun)
        # A range of one point may come back a rounding error inverted.
        return out[0], max(out[0], out[1])


def run_planner(snapshot, goals):
    with tempfile.TemporaryDirectory() as folder:
        s, g = os.path.join(folder, "n.json"), os.path.join(folder, "g.json")
        json.dump(snapshot, open(s, "w"))
        json.dump(goals, open(g, "w"))
        out = subprocess.run([os.path.join(BIN, "v2g-adm"), "dispatch", "plan", "--neighborhood", s, "--goal", g, "--json"],
                             capture_output=True, text=True, timeout=60)
        if out.returncode != 0:
            raise RuntimeError(out.stderr)
        return json.loads(out.stdout)


def check_instance(index, snapshot, goals):
    plan = run_planner(snapshot, goals)
    tag = f"instance {index}"
    fresh = [Transformer(t) for t in snapshot["transformers"] if abs(NOW - t["report_time"]) <= 10]
    planned, left_import = [], 0.0
    for t in snapshot["transformers"]:
        if abs(NOW - t["report_time"]) > 10:
            left_import += sum(t["phases"][ph]["p_kw"] for ph in "ABC")
    for tr in fresh:
        ranges = {"charging": tr.range("charging") if tr.headroom_ok else None}
        ranges[tr.discharge_mode()] = tr.range(tr.discharge_mode()) if tr.headroom_ok else None
        tr.ranges = ranges
        if tr.headroom_ok and (ranges["charging"] or ranges[tr.discharge_mode()]):
            planned.append(tr)
        else:
            left_import += sum(tr.t["phases"][ph]["p_kw"] for ph in "ABC")
    check(sorted(a["id"] for a in plan["transformers"]) == sorted(tr.t["id"] for tr in planned), f"{tag}: planned set")
    by_id = {a["id"]: a for a in plan["transformers"]}
    for tr in planned:
        check(abs(by_id[tr.t["id"]]["max_load_pu"] - tr.kmax) <= 1e-6, f"{tag} {tr.t['id']}: K_max {by_id[tr.t['id']]['max_load_pu']} vs {tr.kmax}")

    # The goals in force (one power goal at most, one cap at most, in these instances).
    household = sum(tr.household.sum() for tr in planned)
    power = next((g for g in goals["goals"] if g["kind"] != "import_cap"), None)
    cap = next((g for g in goals["goals"] if g["kind"] == "import_cap"), None)
    cap_room = cap["limit_kw"] - household - left_import if cap else None
    most = sum((tr.ranges["charging"] or tr.ranges[tr.discharge_mode()])[1] for tr in planned)
    target, shape = None, None
    if power:
        target = {"discharge": -power.get("power_kw", 0), "absorb": power.get("power_kw", 0)}.get(power["kind"])
        if power["kind"] == "schedule":
            target = power["steps"][0]["power_kw"]
        shape = "exact"
        if cap_room is not None and target > cap_room:
            target = cap_room
    elif cap_room is not None and most > cap_room:
        target, shape = cap_room, "ceiling"
    if target is None:
        check(plan["pass"] == "none", f"{tag}: no pass expected, got {plan['pass']}")
        return
    need = sum(tr.need for tr in planned)
    pass_ = "discharge" if target < need else "absorb"
    check(plan["pass"] == pass_ and plan.get("envelope_shape") == shape, f"{tag}: pass {plan['pass']} vs {pass_}")
    los, his, hs, modes = [], [], [], []
    for tr in planned:
        preferred = tr.discharge_mode() if pass_ == "discharge" else "charging"
        other = "charging" if pass_ == "discharge" else tr.discharge_mode()
        mode = preferred if tr.ranges[preferred] else other
        lo, hi = tr.ranges[mode]
        los.append(lo)
        his.append(hi)
        hs.append(max(-tr.thermal[0] if pass_ == "discharge" else tr.thermal[1], 0.001))
        modes.append(mode)
    reachable = min(max(target, sum(los)), sum(his))
    short = abs(target - reachable) > 1e-6 * max(1, abs(target))
    planned_total = plan["totals"]["ev_planned_kw"]
    check(abs(planned_total - reachable) <= 1e-5 * max(1, abs(reachable)), f"{tag}: planned {planned_total} vs reachable {reachable}")
    if plan.get("goal") and power:
        trimmed = any(c["resolution"] == "trimmed_by_cap" for c in plan["conflicts"])
        check((plan["goal"]["shortfall_kw"] > 1e-6) == (short or trimmed), f"{tag}: verdict {plan['goal']['shortfall_kw']} vs short={short}")

    # Level 1: SLSQP over the LP ranges.
    n = len(planned)
    if n:
        res = minimize(lambda p: float(np.sum(p * p / np.array(hs))), x0=np.clip(np.full(n, reachable / n), los, his),
                       jac=lambda p: 2 * p / np.array(hs), bounds=list(zip(los, his)),
                       constraints=[{"type": "eq", "fun": lambda p: np.sum(p) - reachable, "jac": lambda p: np.ones(n)}],
                       method="SLSQP", options={"ftol": 1e-15, "maxiter": 500})
        ours = plan["objective_kw"]
        # SLSQP sometimes stops on a line-search flag at the optimum: the value is what is compared.
        check(abs(res.fun - ours) <= 1e-6 * max(1.0, abs(res.fun)) + 1e-9,
              f"{tag}: level 1 objective {ours} vs scipy {res.fun} ({res.message})")
        for tr, p in zip(planned, res.x):
            mine = by_id[tr.t["id"]]["planned_kw"]
            check(abs(mine - p) <= 1e-3 * max(1, abs(p)), f"{tag} {tr.t['id']}: P {mine} vs scipy {p}")

    # Level 2, charger feasibility and the departure floors, the thermal limit.
    for tr, mode in zip(planned, modes):
        a = by_id[tr.t["id"]]
        check(a["mode"] == mode, f"{tag} {tr.t['id']}: mode {a['mode']} vs {mode}")
        x = np.array([a["phase_kw"][ph] for ph in "ABC"])
        p_total = a["planned_kw"]
        peak = forecast_peak(*tr.state, math.hypot(tr.household.sum() + p_total, tr.q) / tr.t["rated_kva"], tr.ambient, tr.horizon)
        check(peak <= tr.aim + 1e-6, f"{tag} {tr.t['id']}: forecast hot-spot {peak} over {tr.aim}")
        nc = len(tr.chargers)
        if nc == 0:
            check(np.allclose(x, 0, atol=1e-9), f"{tag} {tr.t['id']}: no chargers but x = {x}")
            continue
        a_ub, b_ub, bounds, share = tr.constraints(mode)
        floors = [charger_bounds(c)[0] for c in tr.chargers]
        check(all(lo >= f - 1e-12 for (lo, _), f in zip(bounds, floors)), f"{tag} {tr.t['id']}: a bound below a floor")
        # x within 1e-7 kW per phase (an exact equality would make HiGHS's presolve judge rows a rounding error apart).
        fit = linprog(np.zeros(nc), A_ub=np.vstack([a_ub, share, -share]), b_ub=np.concatenate([b_ub + 1e-7, x + 1e-7, -x + 1e-7]),
                      bounds=[(lo - 1e-7, hi + 1e-7) for lo, hi in bounds], method="highs")
        check(fit.status == 0, f"{tag} {tr.t['id']}: no charger powers give x = {x}")
        b = tr.household

        def value(p):
            load = b + share @ p
            return float(load @ load)

        start = linprog(np.zeros(nc), A_ub=a_ub, b_ub=b_ub, A_eq=np.ones((1, nc)), b_eq=[p_total], bounds=bounds, method="highs")
        if start.status != 0:
            check(False, f"{tag} {tr.t['id']}: total {p_total} not reachable by LP")
            continue
        res = minimize(value, x0=start.x, jac=lambda p: 2 * share.T @ (b + share @ p), bounds=bounds,
                       constraints=[{"type": "eq", "fun": lambda p: np.sum(p) - p_total, "jac": lambda p: np.ones(nc)},
                                    {"type": "ineq", "fun": lambda p: b_ub - a_ub @ p, "jac": lambda p: -a_ub}],
                       method="SLSQP", options={"ftol": 1e-15, "maxiter": 1000})
        ours = float((b + x) @ (b + x))
        check(ours <= res.fun + 1e-6 * max(1.0, res.fun), f"{tag} {tr.t['id']}: level 2 {ours} vs scipy {res.fun}")
        check(res.fun <= ours + 1e-4 * max(1.0, ours), f"{tag} {tr.t['id']}: scipy level 2 {res.fun} far below ours {ours}?")


def main():
    rng = random.Random(20270115)
    for index in range(INSTANCES):
        snapshot, goals = make_instance(rng)
        try:
            check_instance(index, snapshot, goals)
        except Exception as error:  # a crash is a failure of this instance, not of the run
            check(False, f"instance {index}: {error!r}")
    failures = sum(1 for ok, _ in VERDICTS if not ok)
    print(f"{len(VERDICTS) - failures} passed, {failures} failed")
    return 0 if failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
