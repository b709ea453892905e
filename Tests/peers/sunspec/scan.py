#!/usr/bin/env python3
"""Scans a SunSpec Modbus TCP device with pysunspec2 and prints JSON: the base address, every model (id, address,
length) and selected point values (already scaled by pysunspec2, so an independent check of our scale factors).

    scan.py HOST PORT [--unit 1] [--points 203.PhVphA,701.W,704.WSet]

Vendor model 64900 (transformer temperatures) is decoded through models/model_64900.json beside this script.
"""
import argparse
import json
import os
import sys

import sunspec2.device as sdevice
import sunspec2.modbus.client as client

DEFAULT_POINTS = [
    "1.Mn", "1.Md", "1.SN",
    "203.PhVphA", "203.PhVphB", "203.PhVphC", "203.AphA", "203.W", "203.WphA", "203.Hz", "203.TotWhImp",
    "213.PhVphA", "213.W", "213.Hz",
    "701.W", "701.Var", "701.A", "701.LNV", "701.Hz", "701.InvSt", "701.ConnSt",
    "702.WMaxRtg", "702.WChaRteMaxRtg", "702.WDisChaRteMaxRtg",
    "704.WSetEna", "704.WSetMod", "704.WSet", "704.WSetRvrt", "704.WSetEnaRvrt", "704.WSetRvrtTms",
    "704.VarSetEna", "704.VarSet",
    "713.WHRtg", "713.SoC", "713.SoH",
    "64900.TopOilTmp", "64900.AmbTmp", "64900.HotSpotTmp", "64900.SnsSt",
]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("host")
    parser.add_argument("port", type=int)
    parser.add_argument("--unit", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=3.0)
    parser.add_argument("--points", help="comma-separated MODEL.POINT list (default: a fixed selection)")
    args = parser.parse_args()

    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "models")
    sdevice.set_model_defs_path(sdevice.get_model_defs_path() + [here])

    device = client.SunSpecModbusClientDeviceTCP(slave_id=args.unit, ipaddr=args.host, ipport=args.port,
                                                 timeout=args.timeout)
    try:
        device.scan()
        result = {"base": device.base_addr, "models": [], "points": {}}
        for model_id, models in sorted(device.models.items(), key=lambda kv: str(kv[0])):
            if not isinstance(model_id, int):
                continue  # pysunspec2 also indexes models by name
            for model in models:
                result["models"].append({"id": model_id, "address": model.model_addr, "length": model.model_len,
                                         "error": model.error_info or None})
        result["models"].sort(key=lambda m: m["address"])
        wanted = args.points.split(",") if args.points else DEFAULT_POINTS
        for key in wanted:
            model_id, name = key.split(".", 1)
            models = device.models.get(int(model_id))
            if not models or name not in models[0].points:
                continue
            point = models[0].points[name]
            value = point.cvalue  # scaled by the point's SF; None when not implemented
            result["points"][key] = value
        json.dump(result, sys.stdout, indent=1, sort_keys=True, default=str)
        print()
    finally:
        device.close()


if __name__ == "__main__":
    main()
