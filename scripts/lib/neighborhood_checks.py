"""The judgements of scripts/test-neighborhood.sh, read from the aggregator's API (over curl with the operator's
certificate), the agents' status files and the simulator's run figures. Each mode prints what it saw and exits 0
when the check holds, 1 when it does not."""
import argparse
import calendar
import json
import statistics
import subprocess
import sys
import time


def fetch(args, path):
    """One GET over mutual TLS; None when the aggregator does not answer 200 with JSON."""
    command = ["curl", "-s", "--max-time", "5", "--cacert", args.cacert, "--cert", args.cert, "--key", args.key,
               "-w", "\n%{http_code}", args.url + path]
    out = subprocess.run(command, capture_output=True, text=True).stdout
    body, _, status = out.rpartition("\n")
    if status != "200":
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def freshness(args):
    ages, missing = [], 0
    end = time.time() + args.seconds
    while time.time() < end:
        state = fetch(args, "/v1/fleet/state")
        seen = {a["agent_id"]: a["age_s"] for a in (state or {}).get("agents", [])}
        missing += sum(1 for agent in args.agents if agent not in seen)
        ages += [seen[a] for a in args.agents if a in seen]
        time.sleep(0.5)
    if not ages:
        print("no state report reached the aggregator")
        return 1
    p50, p95, worst = statistics.median(ages), percentile(ages, 0.95), max(ages)
    print(f"state-report age over {args.seconds:.0f} s, {len(ages)} samples of {len(args.agents)} transformers: "
          f"median {p50:.2f} s, p95 {p95:.2f} s, max {worst:.2f} s; {missing} samples with a transformer missing")
    return 0 if p95 <= 5 and missing == 0 else 1


def goal(args):
    """Samples the plan's planned and achieved figures; the goal is met when the median achieved total is within 5 %."""
    totals, planned, shares, hot_spots, failures = [], [], {}, [], []
    end = time.time() + args.seconds
    while time.time() < end:
        plan = fetch(args, "/v1/plan") or {}
        progress = plan.get("planned_vs_achieved") or {}
        goal = progress.get("goal")
        if goal and goal.get("achieved_kw") is not None:
            totals.append(goal["achieved_kw"])
            planned.append(goal.get("planned_kw"))
            for t in progress.get("transformers", []):
                if t.get("planned_kw") is not None:
                    shares.setdefault(t["id"], []).append(t["planned_kw"])
        elif plan.get("pass", {}).get("outcome") == "failed":
            failures.append(plan["pass"].get("message"))
        state = fetch(args, "/v1/fleet/state") or {}
        hot_spots += [(a["agent_id"], a["hot_spot_c"], a["hot_spot_limit_c"]) for a in state.get("agents", [])]
        time.sleep(2)
    if not totals:
        print(f"no plan with the goal in force; failed passes: {failures[:3]}")
        return 1
    achieved = statistics.median(totals)
    error = abs(abs(achieved) - args.goal_kw) / args.goal_kw
    median_shares = {t: statistics.median(v) for t, v in shares.items()}
    print(f"goal {args.goal_kw} kW: achieved median {achieved:.2f} kW ({error * 100:.1f} % off) over {len(totals)} samples "
          f"(min {min(totals):.2f}, max {max(totals):.2f}); planned {statistics.median([p for p in planned if p is not None]):.2f} kW")
    print("planned share per transformer: " + ", ".join(f"{t} {kw:.2f} kW" for t, kw in sorted(median_shares.items())))
    too_hot = [h for h in hot_spots if h[1] >= h[2]]
    peak = max(hot_spots, key=lambda h: h[1] - h[2]) if hot_spots else None
    if peak:
        print(f"hottest against its limit: {peak[0]} {peak[1]:.1f} °C (limit {peak[2]:.0f} °C)")
    json.dump({"achieved_kw": achieved, "shares": median_shares}, open(args.out, "w"))
    # The last answers, kept beside the figures for whoever reads the run's folder.
    json.dump(fetch(args, "/v1/plan"), open(args.out.replace(".json", "-plan.json"), "w"), indent=1)
    json.dump(fetch(args, "/v1/fleet/state"), open(args.out.replace(".json", "-state.json"), "w"), indent=1)
    ok = error <= 0.05 and not too_hot
    if args.before:
        before = json.load(open(args.before))["shares"]
        was, now = abs(before.get(args.hot, 0)), abs(median_shares.get(args.hot, 0))
        others_before = sum(abs(v) for t, v in before.items() if t != args.hot)
        others_now = sum(abs(v) for t, v in median_shares.items() if t != args.hot)
        print(f"{args.hot}: {was:.2f} kW before, {now:.2f} kW after; the others {others_before:.2f} → {others_now:.2f} kW")
        # A shed worth the name: at least a tenth of its share moved, and the others took it up.
        ok = ok and now <= 0.9 * was and others_now > others_before
    return 0 if ok else 1


def status_of(agents_dir, agent):
    try:
        return json.load(open(f"{agents_dir}/{agent}/status.json"))
    except (OSError, ValueError):
        return None


def lapse(args):
    """Waits until every agent's last cycle held no envelope in force, then judges what it does on its own."""
    deadline = time.time() + args.wait_s
    held = {}
    while time.time() < deadline:
        held = {}
        for agent in args.agents:
            status = status_of(args.agents_dir, agent) or {}
            envelope = status.get("envelope")
            held[agent] = bool(envelope and envelope.get("applied"))
        if not any(held.values()):
            break
        time.sleep(1)
    still = [a for a, h in held.items() if h]
    if still:
        print(f"envelopes still applied after {args.wait_s} s: {still}")
        return 1
    time.sleep(5)  # a few cycles on the agents' own policy
    ok = True
    for agent in args.agents:
        status = status_of(args.agents_dir, agent) or {}
        alarms = [a["code"] for a in status.get("alarms", [])]
        trips = [c for c in alarms if c.startswith("TRIP_")]
        written = status.get("written_at", 0)
        age = time.time() - (written if isinstance(written, (int, float)) else
                             calendar.timegm(time.strptime(written[:19], "%Y-%m-%dT%H:%M:%S")))
        hot = status.get("hot_spot_c") or 0
        line = (f"{agent}: mode {status.get('mode')}, envelope {status.get('envelope')}, alarms {alarms}, "
                f"hot-spot {hot:.1f} °C, status {age:.0f} s old")
        print(line)
        if status.get("mode") != "regulating" or trips or hot >= 98 or age > 10:
            ok = False
    return 0 if ok else 1


def drivers(args):
    metrics = json.load(open(args.metrics))
    evs = metrics["figures"]["neighborhood"]["evs"]
    end = metrics["end_time"]
    ok = True
    left = [e for e in evs if e.get("met_target") is not None]
    missed = [e["id"] for e in left if not e["met_target"]]
    low = [(e["id"], e["min_soc_pct"]) for e in evs if e["min_soc_pct"] < args.minimum_soc_pct]
    print(f"{len(left)} EVs left during the run, {len(left) - len(missed)} at their target; {len(evs) - len(left)} still plugged in")
    print(f"lowest SoC any EV reached: {min(e['min_soc_pct'] for e in evs):.1f} % (policy minimum {args.minimum_soc_pct} %)")
    print(f"discharged in all: {sum(e['discharged_kwh'] for e in evs):.2f} kWh by "
          f"{sum(1 for e in evs if e['discharged_kwh'] > 0.01)} EVs")
    # The EVs still plugged in: what their drivers still need must be within reach at the charger's rating by departure.
    scenario = json.load(open(args.scenario))
    sessions = {}
    for t in scenario["transformers"]:
        for c in t["scenario"]["chargers"]:
            sessions[f"{t['id']}/{c['id']}"] = (c["sessions"][0]["departure"], c["rated_charge_kw"])
    out_of_reach = []
    for e in evs:
        if e.get("met_target") is not None:
            continue
        departure, rating = sessions[e["charger"]]
        remaining = max(0.0, e["needed_kwh"] - e["delivered_kwh"])
        if remaining > rating * max(0.0, departure - end) / 3600:
            out_of_reach.append((e["id"], round(remaining, 2)))
    print(f"EVs still plugged in whose remaining need is out of reach by departure: {len(out_of_reach)}")
    if missed or low or not left or out_of_reach:
        print(f"missed target: {missed}; below the minimum: {low}; out of reach: {out_of_reach}")
        ok = False
    return 0 if ok else 1


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["freshness", "goal", "lapse", "drivers"])
    parser.add_argument("--url")
    parser.add_argument("--cacert")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--agents", nargs="*", default=[])
    parser.add_argument("--agents-dir")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--goal-kw", type=float)
    parser.add_argument("--out")
    parser.add_argument("--before")
    parser.add_argument("--hot")
    parser.add_argument("--wait-s", type=float, default=60)
    parser.add_argument("--metrics")
    parser.add_argument("--scenario")
    parser.add_argument("--minimum-soc-pct", type=float, default=20)
    args = parser.parse_args()
    sys.exit({"freshness": freshness, "goal": goal, "lapse": lapse, "drivers": drivers}[args.mode](args))


if __name__ == "__main__":
    main()
