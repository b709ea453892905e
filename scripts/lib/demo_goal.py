"""The neighborhood demo's live goal: samples the aggregator's GET /v1/plan (operator certificate, over curl) while
the import cap is in force and prints, per sample, the cap, the import the plan allows and the import the agents'
state reports show, then how often the measured import stayed within the cap.

Usage: demo_goal.py --cacert F --cert F --key F --url URL --seconds S [--log FILE]
"""
import argparse
import json
import subprocess
import time

parser = argparse.ArgumentParser()
for flag in ("--cacert", "--cert", "--key", "--url"):
    parser.add_argument(flag, required=True)
parser.add_argument("--seconds", type=float, required=True)
parser.add_argument("--log", help="every answer of GET /v1/plan, one JSON line each")
args = parser.parse_args()


def plan():
    out = subprocess.run(
        ["curl", "-s", "--max-time", "5", "--cacert", args.cacert, "--cert", args.cert, "--key", args.key,
         args.url + "/v1/plan"], capture_output=True, text=True).stdout
    try:
        return json.loads(out)
    except ValueError:
        return {}


samples = []
end = time.time() + args.seconds
print(f"{'simulated time':<22}{'cap (kW)':>10}{'planned import':>16}{'measured import':>17}{'envelopes':>11}")
log = open(args.log, "a") if args.log else None
while time.time() < end:
    answer = plan()
    if log:
        log.write(json.dumps(answer) + "\n")
        log.flush()
    cap = (answer.get("planned_vs_achieved") or {}).get("import_cap")
    envelopes = sum(1 for e in answer.get("envelopes", []) if e.get("in_force"))
    if cap and cap.get("achieved_import_kw") is not None:
        at = answer["planned_vs_achieved"]["at"][:19]
        samples.append((cap["limit_kw"], cap.get("planned_import_kw"), cap["achieved_import_kw"]))
        planned = cap.get("planned_import_kw")
        # No planned import: the cap did not bind (the forecast import under it, so no envelope is needed), or no
        # transformer could be planned; say which, in the planner's words.
        planned_body = answer.get("plan") or {}
        plan_cap = planned_body.get("import_cap") or {}
        left = [f"{t.get('id')}: {t.get('reason')}" for t in planned_body.get("left_out", [])]
        why = ""
        if planned is None and plan_cap.get("binding") is False:
            why = f"  (not binding: {plan_cap.get('import_kw', float('nan')):.1f} kW forecast; left out: {', '.join(left) or 'none'})"
        elif planned is None:
            why = "  (" + ("left out: " + ", ".join(left) if left else (answer.get("pass") or {}).get("outcome", "?")) + ")"
        print(f"{at:<22}{cap['limit_kw']:>10.0f}{(planned if planned is not None else float('nan')):>16.1f}"
              f"{cap['achieved_import_kw']:>17.1f}{envelopes:>11}{why}")
    time.sleep(10)
if samples:
    within = sum(1 for limit, _, achieved in samples if achieved <= limit * 1.01)
    worst = max(achieved for _, _, achieved in samples)
    print(f"measured import within the cap (+1 %) in {within} of {len(samples)} samples; highest {worst:.1f} kW")
else:
    print("no plan with the cap in force was seen (see aggregator.log in the demo's folder)")
