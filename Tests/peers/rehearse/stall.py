"""The agent stalls: real v2g-sim and v2g-agent processes on loopback, the agent stopped with SIGSTOP for 60 simulated
seconds in the evening, then continued. Its policy (stall-policy.json) writes a 60 s reversion timer, refreshed every
5 s (the defaults). During the stop every charger's timer runs out and it holds the reversion value the agent wrote, 0 (stop); the
neutral current never exceeds the no-agent peak over the same span; and no setpoint lapses while the agent runs.

Prints one line per check and "N passed, M failed". Needs V2G_BIN_DIR (v2g-sim, v2g-agent).
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
SCENARIO = os.path.join(ROOT, "examples", "scenarios", "evening-unbalanced.json")
POLICY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "stall-policy.json")
# Both processes keep simulated time from the wall clock, so a process the scheduler leaves waiting for a second
# has stalled 20 simulated seconds: ×20 keeps a loaded 2-core machine well inside the 55 s margin of the timer.
ACCELERATION = 20
STOP_AT_S = 5400      # 18:30, with every EV of the evening plugged in or arriving
STOP_FOR_S = 60
RUN_S = STOP_AT_S + STOP_FOR_S + 600

passed = failed = 0


def check(name, ok, detail="", only_on_failure=False):
    global passed, failed
    shown = detail and not (ok and only_on_failure)
    print(("ok   " if ok else "FAIL ") + name + (f": {detail}" if shown else ""))
    passed, failed = (passed + 1, failed) if ok else (passed, failed + 1)


def main():
    bin_dir = os.environ["V2G_BIN_DIR"]
    work = tempfile.mkdtemp(prefix="v2g-stall.")
    baseline = subprocess.run(
        [f"{bin_dir}/v2g-sim", "run", "--scenario", SCENARIO, "--base-port", "0", "--acceleration", "20000",
         "--duration-s", str(RUN_S), "--metrics-out", f"{work}/baseline.json"], capture_output=True, text=True, timeout=600)
    check("the no-agent run completes", baseline.returncode == 0, baseline.stderr.strip(), only_on_failure=True)
    sim = subprocess.Popen(
        [f"{bin_dir}/v2g-sim", "run", "--scenario", SCENARIO, "--base-port", "0", "--acceleration", str(ACCELERATION),
         "--duration-s", str(RUN_S), "--agent-config-out", f"{work}/agent.json", "--clock-file", f"{work}/clock.json",
         "--policy", POLICY, "--cycle-period", "1", "--metrics-out", f"{work}/agent-run.json"],
        stdout=open(f"{work}/sim.log", "w"), stderr=subprocess.STDOUT)
    agent = None
    try:
        for _ in range(100):
            if os.path.exists(f"{work}/clock.json") and os.path.exists(f"{work}/agent.json"):
                break
            time.sleep(0.1)
        with open(f"{work}/clock.json") as f:
            clock = json.load(f)
        agent = subprocess.Popen(
            [f"{bin_dir}/v2g-agent", "run", "--config", f"{work}/agent.json", "--sim-clock", f"{work}/clock.json",
             "--log-level", "warning"], stdout=subprocess.DEVNULL, stderr=open(f"{work}/agent.log", "w"))

        def sim_offset():
            return (time.time() - clock["wall_start_s"]) * clock["scale"]

        while sim_offset() < STOP_AT_S:
            if sim.poll() is not None or agent.poll() is not None:
                break
            time.sleep(0.05)
        check("the agent runs up to the stop", agent.poll() is None, open(f"{work}/agent.log").read()[-500:], only_on_failure=True)
        agent.send_signal(signal.SIGSTOP)
        stopped_at = sim_offset()
        while sim_offset() < stopped_at + STOP_FOR_S:
            time.sleep(0.01)
        agent.send_signal(signal.SIGCONT)
        resumed_at = sim_offset()
        print(f"..   agent stopped at +{stopped_at:.0f} s, continued at +{resumed_at:.0f} s (simulated)")
        sim.wait(timeout=RUN_S / ACCELERATION + 120)
        check("the simulator ends the run", sim.returncode == 0, open(f"{work}/sim.log").read()[-500:], only_on_failure=True)
    finally:
        for process in (agent, sim):
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGCONT)
                process.terminate()
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
    with open(f"{work}/baseline.json") as f:
        base = json.load(f)
    with open(f"{work}/agent-run.json") as f:
        run = json.load(f)
    lapses = run["setpoints"]["lapses"]
    during = [l for l in lapses if stopped_at <= l["at_s"] <= resumed_at + 5]
    outside = [l for l in lapses if l not in during]
    check("chargers lapse during the stop", len(during) > 0, f"{len(during)} lapses between +{stopped_at:.0f} and +{resumed_at:.0f} s")
    check("each lapsed charger holds the written reversion value, 0 kW", all(l["revert_kw"] == 0 for l in during),
          ", ".join(f"{l['charger']} → {l['revert_kw']}" for l in during if l["revert_kw"] != 0))
    check("no setpoint lapses while the agent runs", not outside,
          ", ".join(f"{l['charger']} at +{l['at_s']:.0f} s" for l in outside))
    b_peak, a_peak = base["metrics"]["neutral_current_a"]["peak"], run["metrics"]["neutral_current_a"]["peak"]
    check("the neutral current never exceeds the no-agent peak", a_peak <= b_peak,
          f"peak {a_peak:.1f} A with the agent (at +{run['metrics']['neutral_current_a']['peak_at_s']:.0f} s), {b_peak:.1f} A without")
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
