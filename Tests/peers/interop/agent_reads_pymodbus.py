#!/usr/bin/env python3
"""The agent reads SunSpec devices it did not build: register images encoded by pysunspec2 from its own model
definitions (not by SunSpecImageBuilder), served by pymodbus (Tests/peers/sunspec/serve_image.py). Then
`v2g-agent probe --json` must report the physical values put there, scaled, with the agent's sign convention
(charger measured kW = −701 W / 1000: SunSpec DER is + injection, the agent + charging), within half a register step.

    .venv-peers/bin/python Tests/peers/interop/agent_reads_pymodbus.py      # after swift build --product v2g-agent

Devices: a wye meter (1, 203) with the transformer temperatures (64900) on the same unit; charger c1 on A
(1, 701, 702, 704, 713, 64901 with an EV plugged in) charging; charger c2 on B (1, 701, 702, 704, 713, no EV
session block) discharging. A second probe adds a charger on a port nobody serves: exit 2, the rest still read.
"""
import os
import subprocess
import sys
import tempfile

import sunspec2.device as sdevice

sys.dont_write_bytecode = True  # no __pycache__ beside the sources
import peer  # noqa: E402

# Each device: (model id, raw register values by point name). Values are integers before scaling; the scale
# factors are in the same dict, so "expected" below is raw × 10^SF computed here, not by pysunspec2.
METER = [
    (1, {"Mn": "Peer Meter", "Md": "pysunspec2", "SN": "PM-203"}),
    (203, {"A": 7795, "AphA": 5012, "AphB": 3541, "AphC": 1242, "A_SF": -2,
           "PhV": 2302, "PhVphA": 2301, "PhVphB": 2294, "PhVphC": 2310, "V_SF": -1,
           "Hz": 5001, "Hz_SF": -2,
           "W": 17012, "WphA": 11234, "WphB": 8123, "WphC": -2345, "W_SF": 0,
           "VAR": 270, "VARphA": 310, "VARphB": -120, "VARphC": 80, "VAR_SF": 1,
           "TotWhImp": 123456, "TotWh_SF": 0}),
    (64900, {"TopOilTmp": 612, "AmbTmp": 243, "Tmp_SF": -1, "SnsSt": 0}),
]
CHARGER_EV = [
    (1, {"Mn": "Peer EVSE", "Md": "pysunspec2", "SN": "PE-1"}),
    (701, {"ACType": 0, "St": 1, "InvSt": 3, "ConnSt": 1, "W": -7234, "W_SF": 0, "Var": 512, "Var_SF": 0,
           "A": 3145, "A_SF": -2, "LNV": 2315, "V_SF": -1, "Hz": 50010, "Hz_SF": -3}),
    (702, {"WMaxRtg": 740, "WChaRteMaxRtg": 740, "WDisChaRteMaxRtg": 740, "VAMaxRtg": 740, "W_SF": 1, "VA_SF": 1}),
    (704, {"WSetEna": 0, "WSet_SF": 0, "VarSetEna": 0, "VarSet_SF": 0}),
    (713, {"WHRtg": 640, "WHAvail": 356, "WH_SF": 2, "SoC": 557, "SoH": 980, "Pct_SF": -1}),
    (64901, {"EvSt": 1, "ReqW": 740, "W_SF": 1, "DeptTms": 1752649200, "EnNeed": 219, "DisBud": 50, "En_SF": -1,
             "BatTmp": 253, "Tmp_SF": -1, "V2GAgr": 1}),
]
CHARGER_BARE = [
    (1, {"Mn": "Peer EVSE", "Md": "pysunspec2", "SN": "PE-2"}),
    (701, {"ACType": 0, "St": 1, "InvSt": 3, "ConnSt": 1, "W": 365, "W_SF": 1, "Var": -150, "Var_SF": 1,
           "LNV": 2290, "V_SF": -1}),
    (702, {"WMaxRtg": 74, "WDisChaRteMaxRtg": 74, "W_SF": 2}),
    (704, {"WSetEna": 0, "WSet_SF": 0}),
    (713, {"WHRtg": 400, "SoC": 612, "WH_SF": 2, "Pct_SF": -1}),
]


def encode(models):
    """A SunSpec register image ("SunS", the models, the end marker) encoded by pysunspec2's Model.get_mb."""
    registers = [0x5375, 0x6E53]
    for model_id, raw in models:
        model = sdevice.Model(model_id=model_id, model_def=sdevice.get_model_def(model_id), data={"ID": model_id, **raw})
        if model.error_info:
            raise SystemExit(f"pysunspec2 cannot encode model {model_id}: {model.error_info}")
        data = model.get_mb()
        block = [int.from_bytes(data[i:i + 2], "big") for i in range(0, len(data), 2)]
        block[1] = len(block) - 2  # L: the registers after ID and L
        registers += block
    return {"base": 40000, "registers": registers + [0xFFFF, 0]}


def scaled(models, model_id, point, sf_point):
    raw = dict(models)[model_id]
    return raw[point] * 10 ** raw[sf_point], 0.5 * 10 ** raw[sf_point]


def check_meter(tally, meter):
    tally.check("meter answered", meter and meter["answered"], f"{meter and meter['device']}")
    if not meter:
        return
    phases = meter["phases"]
    for phase in "ABC":
        p = phases[phase]
        want, tol = scaled(METER, 203, f"PhVph{phase}", "V_SF")
        tally.near(f"meter phase {phase} voltage", p["voltage_v"], want, tol, "V")
        want, tol = scaled(METER, 203, f"Aph{phase}", "A_SF")
        tally.near(f"meter phase {phase} current", p["current_a"], want, tol, "A")
        want, tol = scaled(METER, 203, f"Wph{phase}", "W_SF")
        tally.near(f"meter phase {phase} active power", p["active_power_kw"], want / 1000, tol / 1000, "kW")
        want, tol = scaled(METER, 203, f"VARph{phase}", "VAR_SF")
        tally.near(f"meter phase {phase} reactive power", p["reactive_power_kvar"], want / 1000, tol / 1000, "kvar")
    want, tol = scaled(METER, 203, "Hz", "Hz_SF")
    tally.near("meter frequency", meter["frequency_hz"], want, tol, "Hz")


def check_chargers(tally, by_id):
    c1, c2 = by_id.get("c1"), by_id.get("c2")
    tally.check("c1 online", c1 and c1["online"])
    tally.check("c2 online", c2 and c2["online"])
    if not (c1 and c2):
        return
    want, tol = scaled(CHARGER_EV, 701, "W", "W_SF")
    tally.near("c1 measured kW = -701 W/1000 (charging)", c1["measured_kw"], -want / 1000, tol / 1000, "kW")
    want, tol = scaled(CHARGER_EV, 701, "Var", "Var_SF")
    tally.near("c1 measured kvar = 701 Var/1000", c1["measured_kvar"], want / 1000, tol / 1000, "kvar")
    want, tol = scaled(CHARGER_BARE, 701, "W", "W_SF")
    tally.near("c2 measured kW = -701 W/1000 (discharging)", c2["measured_kw"], -want / 1000, tol / 1000, "kW")
    want, tol = scaled(CHARGER_BARE, 701, "Var", "Var_SF")
    tally.near("c2 measured kvar = 701 Var/1000", c2["measured_kvar"], want / 1000, tol / 1000, "kvar")
    tally.check("c2 without 64901 has no EV session", c2["ev"] is None, f"ev = {c2['ev']}")
    ev = c1["ev"]
    if not tally.check("c1 EV session read (64901 EvSt = 1)", ev is not None):
        return
    want, tol = scaled(CHARGER_EV, 713, "SoC", "Pct_SF")
    tally.near("c1 SoC (713)", ev["soc_pct"], want, tol, "%")
    want, tol = scaled(CHARGER_EV, 713, "WHRtg", "WH_SF")
    tally.near("c1 capacity (713 WHRtg)", ev["capacity_kwh"], want / 1000, tol / 1000, "kWh")
    want, tol = scaled(CHARGER_EV, 64901, "ReqW", "W_SF")
    tally.near("c1 requested kW (64901 ReqW)", ev["requested_kw"], want / 1000, tol / 1000, "kW")
    want, tol = scaled(CHARGER_EV, 64901, "EnNeed", "En_SF")
    tally.near("c1 energy needed (64901 EnNeed)", ev["energy_needed_kwh"], want, tol, "kWh")
    want, tol = scaled(CHARGER_EV, 64901, "DisBud", "En_SF")
    tally.near("c1 discharge budget (64901 DisBud)", ev["discharge_budget_kwh"], want, tol, "kWh")
    want, tol = scaled(CHARGER_EV, 64901, "BatTmp", "Tmp_SF")
    tally.near("c1 battery temperature (64901 BatTmp)", ev["battery_temp_c"], want, tol, "°C")
    tally.near("c1 departure (64901 DeptTms)", ev["departure_s"], dict(CHARGER_EV)[64901]["DeptTms"], 0, "s")
    tally.check("c1 V2G agreed (64901 V2GAgr = 1)", ev["discharge_allowed"] is True)


def main():
    sdevice.set_model_defs_path(sdevice.get_model_defs_path() + peer.MODEL_DIRS)
    tally = peer.Tally()
    scratch = tempfile.TemporaryDirectory(prefix="interop-pymodbus-")  # removed at exit, after the children stop
    work = scratch.name
    with peer.Children() as children:
        ports = {}
        for name, models in (("meter", METER), ("c1", CHARGER_EV), ("c2", CHARGER_BARE)):
            image = peer.write_json(os.path.join(work, f"{name}.json"), encode(models))
            ports[name] = peer.free_port()
            server = children.start([sys.executable, os.path.join(peer.SUNSPEC_PEER, "serve_image.py"), image,
                                     "--port", str(ports[name])], stdout=subprocess.DEVNULL)
            peer.wait_for_port(ports[name], process=server)
        chargers = [
            {"id": "c1", "phase": "A", "transport": peer.tcp(ports["c1"]), "rated_charge_kw": 7.4, "rated_discharge_kw": 7.4},
            {"id": "c2", "phase": "B", "transport": peer.tcp(ports["c2"]), "rated_charge_kw": 7.4, "rated_discharge_kw": 7.4},
        ]
        config = {
            "agent_id": "interop-pymodbus", "state_directory": work, "status_file": os.path.join(work, "status.json"),
            "metrics_textfile": os.path.join(work, "agent.prom"),
            "meter": {"transport": peer.tcp(ports["meter"])},
            "temperature": {"transport": peer.tcp(ports["meter"]), "measures": "top_oil"},
            "modbus": {"response_timeout_s": 2},
            "chargers": chargers,
        }
        status, report, stderr = peer.probe(peer.write_json(os.path.join(work, "agent.json"), config))
        tally.check("probe exits 0 (every device answered)", status == 0 and report is not None, f"exit {status} {stderr}")
        report = report or {}
        tally.check("probe reports no field alarm", report.get("alarms") == [], f"{report.get('alarms')}")
        check_meter(tally, report.get("meter"))
        temperatures = report.get("temperatures") or {}
        want, tol = scaled(METER, 64900, "AmbTmp", "Tmp_SF")
        tally.near("ambient temperature (64900 AmbTmp)", temperatures.get("ambient_c"), want, tol, "°C")
        want, tol = scaled(METER, 64900, "TopOilTmp", "Tmp_SF")
        tally.near("top-oil temperature (64900 TopOilTmp)", temperatures.get("top_oil_c"), want, tol, "°C")
        check_chargers(tally, {c["id"]: c for c in report.get("chargers", [])})

        # A charger that does not answer: exit 2, reported offline with an alarm, the others still read.
        config["chargers"] = chargers + [{"id": "c3", "phase": "C", "transport": peer.tcp(peer.free_port()), "rated_charge_kw": 7.4}]
        status, report, stderr = peer.probe(peer.write_json(os.path.join(work, "agent-c3.json"), config))
        report = report or {}
        by_id = {c["id"]: c for c in report.get("chargers", [])}
        tally.check("probe with a silent charger exits 2", status == 2, f"exit {status} {stderr}")
        tally.check("silent charger reported offline with its alarm",
                    by_id.get("c3", {}).get("online") is False and any(a["device"] == "c3" for a in report.get("alarms", [])))
        tally.check("the other devices still read", (report.get("meter") or {}).get("answered") is True
                    and by_id.get("c1", {}).get("online") is True)
    tally.finish()


if __name__ == "__main__":
    main()
