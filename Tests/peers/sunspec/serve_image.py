#!/usr/bin/env python3
"""Serves a SunSpec register image over Modbus TCP with pymodbus: an independent server for the agent's client.

The image is the JSON that SunSpecImageBuilder.json writes: {"base": 40000, "registers": [21365, 28243, ...]}.
Holding registers outside the image answer with exception 2 (illegal data address), as a real device does.
Clients may write; with --dump the final registers are written back as JSON on SIGINT/SIGTERM, so a test can
check what the agent wrote (for example WSet in model 704).

    serve_image.py IMAGE.json [--host 127.0.0.1] [--port 5020] [--unit 1] [--dump OUT.json]
"""
import argparse
import asyncio
import json
import signal

from pymodbus.server import ModbusTcpServer
from pymodbus.simulator import DataType, SimData, SimDevice


def load(path):
    with open(path) as f:
        image = json.load(f)
    base, registers = int(image["base"]), [int(r) for r in image["registers"]]
    if not (0 <= base and base + len(registers) <= 65536 and all(0 <= r <= 0xFFFF for r in registers)):
        raise SystemExit(f"{path}: base {base} with {len(registers)} registers is not a valid 16-bit register image")
    return base, registers


async def serve(args):
    base, registers = load(args.image)
    device = SimDevice(id=args.unit, simdata=[SimData(address=base, values=registers, datatype=DataType.REGISTERS)])
    server = ModbusTcpServer(device, address=(args.host, args.port))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    task = asyncio.create_task(server.serve_forever())
    print(f"serving {len(registers)} registers from {base} on {args.host}:{args.port} unit {args.unit}", flush=True)
    await stop.wait()
    if args.dump:
        # Read the live registers back through the server's own context, as a client would see them.
        context = server.context
        values = await read_back(context, args.unit, base, len(registers))
        with open(args.dump, "w") as f:
            json.dump({"base": base, "registers": values}, f)
    await server.shutdown()
    task.cancel()


async def read_back(context, unit, base, count):
    values = []
    for start in range(base, base + count, 125):
        chunk = min(125, base + count - start)
        result = await context.async_getValues(unit, 3, start, chunk)
        values += list(result) if isinstance(result, (list, tuple)) else []
    return values


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("image")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5020)
    parser.add_argument("--unit", type=int, default=1)
    parser.add_argument("--dump", help="write the final registers here as JSON on exit")
    asyncio.run(serve(parser.parse_args()))


if __name__ == "__main__":
    main()
