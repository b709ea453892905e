#!/usr/bin/env python3
"""Interop check: pysunspec2 scans the Swift-built fixture images (fixtures/*.json, written by SunSpecTests)
served by pymodbus, and must decode the values Tests/SunSpecTests/Fixtures.swift put there. Then pysunspec2 writes a
704 setpoint and the served registers must hold it. Exits non-zero on any mismatch. Loopback only, bounded timeouts.

    .venv/bin/python Tests/peers/sunspec/check_interop.py
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
EXPECTED = {
    "charger": {"1.Mn": "V2G Sim", "1.SN": "SN-0042", "701.W": -7400, "701.A": 32.17, "701.LNV": 230.4,
                "701.Hz": 50.012, "702.WMaxRtg": 11000, "702.WDisChaRteMaxRtg": 7400, "713.SoC": 55.5,
                "713.WHRtg": 60000, "64900.TopOilTmp": 61.9, "64900.HotSpotTmp": 83.8, "704.WSet": None},
    "meter203": {"203.PhVphA": 230.1, "203.PhVphB": 229.4, "203.AphA": 12.34, "203.W": 4330, "203.WphA": 2830,
                 "203.Hz": 49.98, "203.TotWhImp": 123456},
}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port, seconds=10):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise SystemExit(f"server on {port} did not start")


def close(a, b):
    if a is None or b is None:
        return a is b
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    return abs(float(a) - float(b)) <= 1e-6 * max(1.0, abs(float(b)))


def check(name, failures):
    port = free_port()
    dump = os.path.join(tempfile.mkdtemp(), "dump.json")
    server = subprocess.Popen([sys.executable, os.path.join(HERE, "serve_image.py"), os.path.join(HERE, "fixtures", f"{name}.json"),
                               "--port", str(port), "--dump", dump], stdout=subprocess.DEVNULL)
    try:
        wait_for(port)
        scan = subprocess.run([sys.executable, os.path.join(HERE, "scan.py"), "127.0.0.1", str(port)],
                              capture_output=True, text=True, timeout=60, check=True)
        points = json.loads(scan.stdout)["points"]
        for key, want in EXPECTED[name].items():
            if not close(points.get(key), want):
                failures.append(f"{name}: {key} = {points.get(key)!r}, expected {want!r}")
        if name == "charger":
            import sunspec2.modbus.client as client
            device = client.SunSpecModbusClientDeviceTCP(slave_id=1, ipaddr="127.0.0.1", ipport=port, timeout=3)
            device.scan()
            controls = device.models[704][0]
            controls.WSet.cvalue = -5000
            controls.WSet.write()
            controls.read()
            if controls.WSet.cvalue != -5000:
                failures.append(f"charger: 704 WSet read back {controls.WSet.cvalue}, expected -5000")
            device.close()
    finally:
        server.send_signal(2)
        server.wait(timeout=10)
    print(f"{name}: checked {len(EXPECTED[name])} points")


def main():
    failures = []
    for name in EXPECTED:
        check(name, failures)
    for failure in failures:
        print("FAIL", failure)
    total = sum(len(v) for v in EXPECTED.values()) + 1
    print(f"{total - len(failures)} passed, {len(failures)} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
