#!/usr/bin/env python3
"""A scripted stand-in for the aggregator's telemetry endpoint, for the agent's uplink tests.

Usage: scripted_aggregator.py [CERT KEY CA] (see loopback_server.py). The agent id in the path picks the answer:
ack (any other id), dup, mismatch, html, conflict, too-large, bad-frame, forbidden, unavailable, throttled, slow, huge.

State reports (POST /v1/agents/{id}/state) need the environment variable SCRIPTED_AGGREGATOR_DIR: each report body is
written there as state-N.json (N from 1), and the answer is 200 with the bytes of envelope.dsse when that file
exists, else 204 with no body.
"""
import os
import threading
import json
import time

from loopback_server import QuietHandler, serve


class Handler(QuietHandler):
    state_reports = 0
    state_lock = threading.Lock()

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        if self.path.endswith("/state"):
            self.answer_state(body)
            return
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

    def answer_state(self, body):
        folder = os.environ["SCRIPTED_AGGREGATOR_DIR"]
        with Handler.state_lock:
            Handler.state_reports += 1
            number = Handler.state_reports
        with open(os.path.join(folder, "state-%d.json" % number), "wb") as out:
            out.write(body)
        envelope = os.path.join(folder, "envelope.dsse")
        data = open(envelope, "rb").read() if os.path.exists(envelope) else b""
        if data:
            self.reply(200, data, [("Content-Type", "application/json")])
        else:
            # 204 carries no body and no Content-Length.
            self.send_response(204)
            self.end_headers()


serve(Handler)
