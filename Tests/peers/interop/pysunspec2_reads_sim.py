#!/usr/bin/env python3
"""pysunspec2 scans the simulator's devices and reads the same values as the agent.

`v2g-sim run` plays examples/scenarios/evening-unbalanced.json at ×1 (wall time) on free loopback ports, with
--agent-config-out. The copy it plays starts two hours later (19:00, so most EVs are plugged in) and lasts 30 min;
nothing else changes. pysunspec2 scans the meter and the first charger on phase A and on phase B, then reads them
just before and just after `v2g-agent probe --json` polls the same servers.

Tolerance: at ×1 the scenario's inputs are linear in time between noise knots (5 s for the frequency, 60 s for the
household load), so the agent's reading, taken between pysunspec2's two reads (a few hundred ms apart), lies
between them; each side quantizes to one register step (10^SF). So the agent's value must lie in
[min(before, after) − 1 step, max(before, after) + 1 step]. A noise knot inside the window can bend that by a
fraction of a step; the triple (read, probe, read) is then repeated, at most 3 times in all (a real disagreement,
such as a sign or a scale factor, fails every time).

    .venv-peers/bin/python Tests/peers/interop/pysunspec2_reads_sim.py     # after swift build --product v2g-agent v2g-sim
"""
import json
import os
import subprocess
import sys
import tempfile
import time

import sunspec2.device as sdevice
import sunspec2.modbus.client as client

sys.dont_write_bytecode = True  # no __pycache__ beside the sources
import peer  # noqa: E402

SCENARIO = os.path.join(peer.REPO, "examples", "scenarios", "evening-unbalanced.json")
SHIFT_S = 7200
ATTEMPTS = 3


def start_sim(children, work):
    with open(SCENARIO) as f:
        scenario = json.load(f)
    scenario["start_time"] += SHIFT_S
    scenario["duration_s"] = 1800
    path = peer.write_json(os.path.join(work, "evening-unbalanced-19h.json"), scenario)
    config_path = os.path.join(work, "agent.json")
    log = open(os.path.join(work, "sim.log"), "w")
    sim = children.start([peer.binary("v2g-sim"), "run", "--scenario", path, "--base-port", "0", "--acceleration", "1",
                          "--agent-config-out", config_path], stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while not os.path.exists(config_path):
        if sim.poll() is not None or time.monotonic() > deadline:
            log.flush()
            with open(log.name) as f:
                tail = f.read()[-2000:]
            raise SystemExit(f"v2g-sim did not write {config_path} (exit {sim.poll()}):\n{tail}")
        time.sleep(0.05)
    time.sleep(0.2)  # the file is complete once written; give the servers a moment
    with open(config_path) as f:
        config = json.load(f)
    peer.wait_for_port(config["meter"]["transport"]["tcp"]["port"], process=sim)
    return config_path, config


def scan(port):
    device = client.SunSpecModbusClientDeviceTCP(slave_id=1, ipaddr="127.0.0.1", ipport=port, timeout=3)
    device.scan()
    return device


def point(device, model_id, name):
    """(value scaled by pysunspec2, one register step); a point without a scale factor must match exactly."""
    p = device.models[model_id][0].points[name]
    value = p.cvalue  # resolves sf_value
    return value, (10 ** p.sf_value if p.sf_required and p.sf_value is not None else 0)


def read(meter, chargers):
    """Every compared value, as pysunspec2 decodes it: {key: (value, step)}."""
    meter.models[203][0].read()
    values = {}
    for phase in "ABC":
        values[f"meter 203.PhVph{phase}"] = point(meter, 203, f"PhVph{phase}")
        values[f"meter 203.Wph{phase}"] = point(meter, 203, f"Wph{phase}")
    values["meter 203.Hz"] = point(meter, 203, "Hz")
    for cid, device in chargers.items():
        for model_id in (701, 713, 64901):
            device.models[model_id][0].read()
        values[f"{cid} 701.W"] = point(device, 701, "W")
        values[f"{cid} 701.Var"] = point(device, 701, "Var")
        values[f"{cid} 713.SoC"] = point(device, 713, "SoC")
        values[f"{cid} 64901.ReqW"] = point(device, 64901, "ReqW")
        values[f"{cid} 64901.EvSt"] = point(device, 64901, "EvSt")
    return values


def agent_values(report, ids):
    """The agent's report in SunSpec's units and signs, keyed like `read`."""
    values = {}
    meter = report["meter"]
    for phase in "ABC":
        p = meter["phases"][phase]
        values[f"meter 203.PhVph{phase}"] = p["voltage_v"]
        values[f"meter 203.Wph{phase}"] = None if p["active_power_kw"] is None else p["active_power_kw"] * 1000
    values["meter 203.Hz"] = meter["frequency_hz"]
    by_id = {c["id"]: c for c in report["chargers"]}
    for cid in ids:
        c = by_id[cid]
        ev = c["ev"] or {}
        values[f"{cid} 701.W"] = None if c["measured_kw"] is None else -c["measured_kw"] * 1000  # 701: + injection
        values[f"{cid} 701.Var"] = None if c["measured_kvar"] is None else c["measured_kvar"] * 1000
        values[f"{cid} 713.SoC"] = ev.get("soc_pct")
        values[f"{cid} 64901.ReqW"] = None if ev.get("requested_kw") is None else ev["requested_kw"] * 1000
        values[f"{cid} 64901.EvSt"] = 1 if c["ev"] is not None else 0
    return values


def compare(before, agent, after):
    """[(key, ok, detail)]: the agent's value within the bracket of pysunspec2's two reads, ± one step."""
    results = []
    for key, (b, step) in before.items():
        a = after[key][0]
        got = agent.get(key)
        if b is None or a is None or got is None:
            results.append((key, False, f"agent {peer.number(got)}, pysunspec2 {peer.number(b)} … {peer.number(a)}"))
            continue
        low, high = min(b, a) - step, max(b, a) + step
        results.append((key, low <= got <= high,
                        f"agent {peer.number(got)}, pysunspec2 {peer.number(b)} … {peer.number(a)} (± {step:g})"))
    return results


def settle(chargers, seconds=20):
    """Chargers ramp to their EV's request over the first seconds of a run: wait until 701 W holds still."""
    start = time.monotonic()
    last = None
    while time.monotonic() - start < seconds:
        now = []
        for device in chargers.values():
            device.models[701][0].read()
            now.append(device.models[701][0].points["W"].cvalue)
        if last is not None and all(x is not None and y is not None and abs(x - y) <= 2 for x, y in zip(now, last)):
            return time.monotonic() - start
        last = now
        time.sleep(1)
    return None


def main():
    sdevice.set_model_defs_path(sdevice.get_model_defs_path() + peer.MODEL_DIRS)
    tally = peer.Tally()
    scratch = tempfile.TemporaryDirectory(prefix="interop-sim-")  # removed at exit, after the children stop
    work = scratch.name
    devices = []
    with peer.Children() as children:
        try:
            config_path, config = start_sim(children, work)
            meter = scan(config["meter"]["transport"]["tcp"]["port"])
            devices.append(meter)
            picked = {}
            for charger in config["chargers"]:
                if charger["phase"] in ("A", "B") and charger["phase"] not in {c["phase"] for c in picked.values()}:
                    picked[charger["id"]] = charger
            chargers = {cid: scan(c["transport"]["tcp"]["port"]) for cid, c in picked.items()}
            devices += chargers.values()
            tally.check("pysunspec2 finds the meter's models", sorted(k for k in meter.models if isinstance(k, int)) == [1, 203])
            for cid, device in chargers.items():
                ids = sorted(k for k in device.models if isinstance(k, int))
                tally.check(f"pysunspec2 finds {cid}'s models (phase {picked[cid]['phase']})",
                            ids == [1, 701, 702, 704, 713, 64901], f"{ids}")
            settled = settle(chargers)
            tally.check("chargers settle at their EV's request", settled is not None,
                        f"after {settled:.1f} s" if settled is not None else "701 W still moving after 20 s")
            for attempt in range(1, ATTEMPTS + 1):
                started = time.monotonic()
                before = read(meter, chargers)
                status, report, stderr = peer.probe(config_path)
                after = read(meter, chargers)
                window = time.monotonic() - started
                results = compare(before, agent_values(report, chargers), after) if report else []
                failed = [r for r in results if not r[1]]
                if report and not failed or attempt == ATTEMPTS:
                    break
                print(f"note: attempt {attempt}: {len(failed)} values outside the bracket ({window:.2f} s window); "
                      f"repeating", flush=True)
            tally.check("probe exits 0 (every simulated device answered)", status == 0 and report is not None,
                        f"exit {status} {stderr}")
            tally.check("probe reports no field alarm", report is not None and report["alarms"] == [],
                        f"{report and report['alarms']}")
            print(f"note: compared in a {window:.2f} s window (attempt {attempt})", flush=True)
            for key, ok, detail in results:
                tally.check(f"{key} agrees", ok, detail)
        finally:
            for device in devices:
                device.close()
    tally.finish()


if __name__ == "__main__":
    main()
