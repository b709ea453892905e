#!/usr/bin/env python3
"""A scripted stand-in for the aggregator's telemetry endpoint, for the agent's uplink tests.

Usage: scripted_aggregator.py [CERT KEY CA] (see loopback_server.py). The agent id in the path picks the answer:
ack (any other id), dup, mismatch, html, conflict, too-large, bad-frame, forbidden, unavailable, throttled, slow, huge.
"""
import json
import time

from loopback_server import QuietHandler, serve


class Handler(QuietHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(length)
        sequence = int(self.headers.get("X-V2G-Sequence", "0"))
        agent = self.path.split("/")[3] if self.path.count("/") >= 4 else ""
        status, body = 200, {"sequence": sequence, "duplicate": False}
        if agent == "dup":
            body["duplicate"] = True
        elif agent == "mismatch":
            body["sequence"] = sequence + 1
        elif agent == "html":
            body = None
        elif agent == "conflict":
            status, body = 409, {"error": "sequence.conflict"}
        elif agent == "too-large":
            status, body = 413, {"error": "frame.too_large"}
        elif agent == "bad-frame":
            status, body = 400, {"error": "frame.bad_crc", "message": "CRC mismatch"}
        elif agent == "forbidden":
            status, body = 403, {"error": "agent.mismatch"}
        elif agent == "unavailable":
            status, body = 503, {"error": "busy"}
        elif agent == "throttled":
            status, body = 429, {"error": "slow down"}
        elif agent == "slow":
            time.sleep(5)
        elif agent == "huge":
            body = {"sequence": sequence, "duplicate": False, "pad": "x" * 200000}
        data = b"<html>ok</html>" if body is None else json.dumps(body).encode()
        self.reply(status, data, [("Content-Type", "text/html" if body is None else "application/json")])


serve(Handler)
