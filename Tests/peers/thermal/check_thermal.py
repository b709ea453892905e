#!/usr/bin/env python3
"""Our IEC 60076-7 model against an independent implementation: Alliander's transformer-thermal-model.

`v2g-adm thermal simulate` (the same GridCore model the agent forecasts with) runs each profile in
examples/thermal/; transformer-thermal-model runs the same load and ambient, minute by minute, with the same
parameters. Both print top-oil and hot-spot every minute.

The two differ only in discretisation: ours integrates the difference equations in sub-steps of at most
0.5 min, the peer uses the exact exponential over each 1-minute step. So the hot-spot must agree within 1.0 K
and the top-oil within 0.5 K at every minute, and both must land within 1.5 K of the standard's own checkpoints
on the worked example.

    V2G_BIN_DIR=$(swift build --show-bin-path) .venv-peers/bin/python Tests/peers/thermal/check_thermal.py
"""
import csv
import datetime
import io
import json
import os
import subprocess
import sys

from transformer_thermal_model.cooler import CoolerType
from transformer_thermal_model.model import Model
from transformer_thermal_model.schemas import InputProfile, UserTransformerSpecifications
from transformer_thermal_model.schemas.thermal_model.initial_state import InitialLoad, InitialTopOilTemp
from transformer_thermal_model.transformer import PowerTransformer

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
BIN = os.environ.get("V2G_BIN_DIR", os.path.join(REPO, ".build", "debug"))
ONAN = {"delta_theta_or": 55, "delta_theta_hr": 23, "tau_o_min": 180, "tau_w_min": 4, "R": 5,
        "x": 0.8, "y": 1.6, "k11": 1, "k21": 1, "k22": 2}
# The standard's worked example: (minute, top-oil, hot-spot).
CHECKPOINTS = [(190, 61.9, 83.8), (365, 44.4, 54.0), (500, 89.2, 127.0),
               (705, 35.0, 37.5), (730, 67.9, 138.6), (745, 60.3, 75.3)]

passed = 0
failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print(f"FAIL {what}")


def read_profile(path):
    rows = []
    with open(path) as f:
        lines = [line for line in f if line.strip() and not line.lstrip().startswith("#")]
    for row in csv.DictReader(lines):
        rows.append((float(row["minute"]), float(row["load_pu"]), float(row["ambient_c"])))
    return rows


def ours(profile_path, transformer_path):
    args = [os.path.join(BIN, "v2g-adm"), "thermal", "simulate", "--input", profile_path]
    if transformer_path:
        args += ["--transformer", transformer_path]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    return {int(float(r["minute"])): (float(r["top_oil_c"]), float(r["hot_spot_c"]))
            for r in csv.DictReader(io.StringIO(out))}


def peer(rows, params, initial_top_oil):
    """The peer's run: its load at minute i is the load over (i−1, i], i.e. our row in force at i−1."""
    first, last = int(rows[0][0]), int(rows[-1][0])
    minutes = list(range(first, last + 1))

    def at(minute):
        current = rows[0]
        for row in rows:
            if row[0] <= minute:
                current = row
        return current

    load = [at(first)[1]] + [at(m - 1)[1] for m in minutes[1:]]
    ambient = [at(first)[2]] + [at(m - 1)[2] for m in minutes[1:]]
    start = datetime.datetime(2026, 1, 1)
    profile = InputProfile.create(
        datetime_index=[start + datetime.timedelta(minutes=m - first) for m in minutes],
        load_profile=load, ambient_temperature_profile=ambient)
    # Losses in any unit: only their ratio R matters. Nominal load 1, so the load is already per unit.
    specs = UserTransformerSpecifications(
        load_loss=params["R"], no_load_loss=1, nom_load_sec_side=1, amb_temp_surcharge=0,
        time_const_oil=params["tau_o_min"], time_const_windings=params["tau_w_min"],
        top_oil_temp_rise=params["delta_theta_or"], winding_oil_gradient=params["delta_theta_hr"],
        hot_spot_fac=1, oil_const_k11=params["k11"], winding_const_k21=int(params["k21"]),
        winding_const_k22=int(params["k22"]), oil_exp_x=params["x"], winding_exp_y=params["y"],
        end_temp_reduction=0)
    transformer = PowerTransformer(user_specs=specs, cooling_type=CoolerType.ONAN)
    initial = InitialTopOilTemp(initial_top_oil_temp=initial_top_oil) if initial_top_oil is not None \
        else InitialLoad(initial_load=load[0])
    result = Model(temperature_profile=profile, transformer=transformer, initial_condition=initial).run()
    top = list(result.top_oil_temp_profile)
    hot = list(result.hot_spot_temp_profile)
    return {m: (top[i], hot[i]) for i, m in enumerate(minutes)}


def compare(name, profile_path, transformer_path):
    params = dict(ONAN)
    initial_top_oil = None
    if transformer_path:
        with open(transformer_path) as f:
            given = json.load(f)
        params.update({k: v for k, v in given.items() if k in ONAN})
        initial_top_oil = given.get("initial_top_oil_c")
    rows = read_profile(profile_path)
    a = ours(profile_path, transformer_path)
    b = peer(rows, params, initial_top_oil)
    worst_top = max(abs(a[m][0] - b[m][0]) for m in b)
    worst_hot = max(abs(a[m][1] - b[m][1]) for m in b)
    print(f"{name}: {len(b)} minutes, worst |Δ top-oil| {worst_top:.2f} K, worst |Δ hot-spot| {worst_hot:.2f} K")
    check(worst_top <= 0.5, f"{name}: top-oil differs by {worst_top:.2f} K (> 0.5 K)")
    check(worst_hot <= 1.0, f"{name}: hot-spot differs by {worst_hot:.2f} K (> 1.0 K)")
    return a, b


def main():
    thermal = os.path.join(REPO, "examples", "thermal")
    a, b = compare("iec-worked-example", os.path.join(thermal, "iec-worked-example.csv"),
                   os.path.join(thermal, "iec-worked-example.json"))
    for minute, top, hot in CHECKPOINTS:
        for side, run in (("v2g-adm", a), ("transformer-thermal-model", b)):
            check(abs(run[minute][0] - top) <= 1.5 and abs(run[minute][1] - hot) <= 1.5,
                  f"{side} at minute {minute}: {run[minute][0]:.1f}/{run[minute][1]:.1f} °C "
                  f"against the standard's {top}/{hot} °C")
    compare("onan-evening", os.path.join(thermal, "onan-evening.csv"), None)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
