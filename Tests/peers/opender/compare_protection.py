#!/usr/bin/env python3
"""The agent's protection step against EPRI's OpenDER, on step disturbances.

For IEEE 1547-2018 Categories I, II and III, steps from nominal to levels in every ride-through region (voltage
on all three phases, and frequency), with onsets between samples and cycle periods of 0.1 s and 1 s, this drives
`v2g-adm protection respond` (the real binary) with a CSV trace and OpenDER (set to the same category) with the
same step, and checks for every case:
  - the agent trips no earlier than the region's ride-through minimum after the onset,
  - and no later than max(clearing time, ride-through minimum + 2 periods),
  - with the same trip function(s) as OpenDER (or neither trips),
  - and ceases output without a trip (momentary_cessation) exactly where OpenDER reports momentary cessation or
    cease to energize before the trip.
The ride-through minimums and clearing times below are this script's own transcription of the standard's tables
(Tables 11-16, 19, 21), independent of the Swift code. Prints one line per failure, a summary table, and a last
line "N passed, M failed". Needs V2G_BIN_DIR (the folder holding v2g-adm).
"""

import logging
import os
import subprocess
import sys
import tempfile

logging.disable(logging.WARNING)  # OpenDER warns about settings it does not use here

from opender import DER, DER_PV  # noqa: E402

PERIODS = [0.1, 1.0]
ONSET_PHASES = [0.05, 0.5, 0.95]
FUNCTIONS = ["ov2", "ov1", "uv1", "uv2", "of2", "of1", "uf1", "uf2"]

# (level, quantity, expected function or None, clearing s, ride-through minimum s)
FREQUENCY = [
    (61.5, "f", "OF1", 300, 299),   # mandatory operation 61.2-61.8 Hz, 299 s
    (61.9, "f", "OF1", 300, 0),     # beyond the table: no ride-through requirement
    (62.5, "f", "OF2", 0.16, 0),
    (58.0, "f", "UF1", 300, 299),   # mandatory operation 57.0-58.8 Hz, 299 s
    (56.0, "f", "UF2", 0.16, 0),
]
CASES = {
    "I": [
        (1.12, "v", "OV1", 2, 1), (1.16, "v", "OV1", 2, 0.5), (1.19, "v", "OV1", 2, 0.2),
        (1.25, "v", "OV2", 0.16, 0),
        (0.80, "v", None, 0, 0),                  # mandatory operation, above UV1: never trips
        (0.60, "v", "UV1", 2, 0.16),              # permissive 0.50-0.70 pu, 0.16 s
        (0.47, "v", "UV1", 2, 0),                  # below 0.50 pu: cease to energize
        (0.40, "v", "UV2", 0.16, 0),
    ] + FREQUENCY,
    "II": [
        (1.12, "v", "OV1", 2, 1), (1.16, "v", "OV1", 2, 0.5), (1.19, "v", "OV1", 2, 0.2),
        (1.25, "v", "OV2", 0.16, 0),
        (0.80, "v", None, 0, 0),
        (0.69, "v", "UV1", 10, 3 + 8.7 * 0.04),   # mandatory 0.65-0.88 pu: 3 s + 8.7 s/pu
        (0.66, "v", "UV1", 10, 3 + 8.7 * 0.01),
        (0.60, "v", "UV1", 10, 0.32), (0.50, "v", "UV1", 10, 0.32),  # permissive 0.45-0.65 pu
        (0.40, "v", "UV2", 0.16, 0.16), (0.35, "v", "UV2", 0.16, 0.16),  # permissive 0.30-0.45 pu
        (0.20, "v", "UV2", 0.16, 0),               # below 0.30 pu: cease to energize
    ] + FREQUENCY,
    "III": [
        (1.15, "v", "OV1", 13, 12), (1.19, "v", "OV1", 13, 12),  # momentary cessation, 12 s
        (1.25, "v", "OV2", 0.16, 0),
        (0.80, "v", "UV1", 21, 20),               # mandatory 0.70-0.88 pu, 20 s
        (0.60, "v", "UV1", 21, 10),               # mandatory 0.50-0.70 pu, 10 s
        (0.40, "v", "UV2", 2, 1), (0.10, "v", "UV2", 2, 1),  # momentary cessation below 0.50 pu, 1 s
    ] + FREQUENCY,
}


def opender_response(category, level, quantity, horizon_s):
    """OpenDER's first trip after a step at t = 1 s: (delay s, sorted functions, statuses before the trip)."""
    ts = 0.01 if horizon_s <= 40 else 0.1
    DER.t_s = ts
    der = DER_PV()
    der.der_file.NP_ABNORMAL_OP_CAT = "CAT_" + category
    onset_steps = int(round(1.0 / ts))
    statuses = set()
    for k in range(onset_steps + int(round(horizon_s / ts)) + 1):
        disturbed = k >= onset_steps
        v = level if (disturbed and quantity == "v") else 1.0
        f = level if (disturbed and quantity == "f") else 60.0
        der.update_der_input(v_pu=v, f=f, p_dc_pu=1.0)
        der.run()
        trip = der.opstatus.tripcrit
        if trip.trip_crit:
            fired = sorted(n.upper() for n in FUNCTIONS if getattr(trip, n + "_trip"))
            return (k - onset_steps + 1) * ts, fired, statuses
        if disturbed:
            statuses.add(der.der_status)
    return None, [], statuses


def agent_response(category, level, quantity, period, phase, horizon_s, workdir):
    """The agent's first trip: (delay s, sorted codes, verdicts before the trip)."""
    onset = (5 + phase) * period
    end = onset + horizon_s
    row = lambda t, v, f: f"{t:.6f},{v},{v},{v},{f}\n"  # noqa: E731
    level_v, level_f = (level, 60) if quantity == "v" else (1.0, level)
    csv = "t_s,va_pu,vb_pu,vc_pu,f_hz\n" + row(0, 1.0, 60) + row(onset, level_v, level_f) + row(end, level_v, level_f)
    path = os.path.join(workdir, "trace.csv")
    with open(path, "w") as handle:
        handle.write(csv)
    binary = os.path.join(os.environ["V2G_BIN_DIR"], "v2g-adm")
    out = subprocess.run(
        [binary, "protection", "respond", "--input", path, "--category", category, "--cycle-period", str(period)],
        capture_output=True, text=True, timeout=120, check=True).stdout
    verdicts = set()
    for line in out.splitlines()[1:]:
        t, verdict, codes = line.split(",")
        if float(t) < onset:
            continue
        if verdict == "cease":
            fired = sorted(c[len("TRIP_"):] for c in codes.split(";") if c.startswith("TRIP_"))
            return float(t) - onset, fired, verdicts
        verdicts.add(verdict)
    return None, [], verdicts


def main():
    if "V2G_BIN_DIR" not in os.environ:
        print("V2G_BIN_DIR is not set (the folder holding v2g-adm)")
        print("0 passed, 1 failed")
        return 1
    passed = failed = 0
    summary = []
    with tempfile.TemporaryDirectory() as workdir:
        for category, cases in CASES.items():
            for level, quantity, function, clearing, ride_through in cases:
                unit = "pu" if quantity == "v" else "Hz"
                horizon = max(clearing, ride_through + 2 * max(PERIODS)) + 5 if function else 30
                ref_delay, ref_fired, ref_status = opender_response(category, level, quantity, horizon)
                ref_ceases = bool(ref_status & {"Momentary Cessation", "Cease to Energize"})
                delays = {period: [] for period in PERIODS}
                for period in PERIODS:
                    for phase in ONSET_PHASES:
                        delay, fired, verdicts = agent_response(
                            category, level, quantity, period, phase, horizon, workdir)
                        name = f"Category {category} {level} {unit} p={period} s onset {phase}p"
                        problems = []
                        if function is None:
                            if delay is not None or ref_delay is not None:
                                problems.append(f"tripped: agent {fired} at {delay}, OpenDER {ref_fired} at {ref_delay}")
                        else:
                            latest = max(clearing, ride_through + 2 * period)
                            if delay is None:
                                problems.append("the agent never tripped")
                            else:
                                delays[period].append(delay)
                                if delay < ride_through - 1e-6:
                                    problems.append(f"tripped {delay:.3f} s after the onset, before the {ride_through:.3f} s ride-through")
                                if delay > latest + 1e-6:
                                    problems.append(f"tripped {delay:.3f} s after the onset, after the {latest:.3f} s bound")
                            if fired != ref_fired:
                                problems.append(f"functions {fired}, OpenDER {ref_fired}")
                        # Compared where the agent saw the disturbance before tripping.
                        agent_ceases = "momentary_cessation" in verdicts
                        if verdicts and agent_ceases != ref_ceases:
                            problems.append(f"momentary cessation: agent {sorted(verdicts)}, OpenDER {sorted(ref_status)}")
                        if problems:
                            failed += 1
                            print(f"FAIL {name}: " + "; ".join(problems))
                        else:
                            passed += 1
                ref = f"{ref_delay:.2f}" if ref_delay is not None else "-"
                spans = "  ".join(
                    f"p={period:g}: " + (f"{min(d):.3f}-{max(d):.3f}" if d else "-").rjust(15) for period, d in delays.items())
                summary.append(f"{category:>3} {level:>6} {unit:<2} {function or '-':<4} {ride_through:7.2f} {clearing:>6} "
                               f"{ref:>7}   {spans}")
    print("cat  level    fn   ride-through clearing OpenDER  agent's trip delay after the onset, s (3 onsets per period)")
    print("\n".join(summary))
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
