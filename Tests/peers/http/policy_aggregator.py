#!/usr/bin/env python3
"""A scripted stand-in for the aggregator's signed-policy endpoints, for the agent's fetcher tests.

Usage: policy_aggregator.py STATE_DIR PORT CERT KEY CA   (PORT 0 picks a free one; it is printed on the first line)

Over mutual TLS, the client's identity is its certificate's URI SAN urn:v2g:agent:ID, as the aggregator reads it:
  GET  /v1/roots/N                   STATE_DIR/roots/N.json, else 404
  GET  /v1/agents/ID/bundle          STATE_DIR/bundles/ID.bundle, else STATE_DIR/bundles/all.bundle, else 404;
                                     ETag "<version>" (the payload's version; the .etag file beside the .bundle overrides it),
                                     304 when If-None-Match matches
  POST /v1/agents/ID/policy-report   appended to STATE_DIR/reports.jsonl; the status is STATE_DIR/report_status
                                     (default 200)
Another agent's path gets 403. Every request is appended to STATE_DIR/requests.jsonl.
"""
import base64
import json
import os
import sys
import threading

from loopback_server import QuietHandler, serve

STATE = sys.argv[1]
LOCK = threading.Lock()


def agent_of(handler):
    certificate = handler.connection.getpeercert() or {}
    for kind, value in certificate.get("subjectAltName", ()):
        if kind == "URI" and value.startswith("urn:v2g:agent:"):
            return value[len("urn:v2g:agent:"):]
    return None


def read(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        return None


def etag_of(name, body):
    override = read(os.path.join(STATE, "bundles", name + ".etag"))
    if override is not None:
        return override.decode().strip()
    try:
        payload = json.loads(base64.b64decode(json.loads(body)["payload"]))
        return '"%d"' % payload["version"]
    except Exception:
        return '"unreadable"'


def append(name, record):
    with LOCK, open(os.path.join(STATE, name), "a") as f:
        f.write(json.dumps(record) + "\n")


class Handler(QuietHandler):
    def answer(self, status, body=b"", headers=()):
        append("requests.jsonl", {"method": self.command, "path": self.path, "status": status,
                                  "if_none_match": self.headers.get("If-None-Match")})
        self.reply(status, body, headers)

    def route(self):
        parts = self.path.split("/")
        if len(parts) == 4 and parts[1:3] == ["v1", "roots"]:
            return "root", parts[3]
        if len(parts) == 5 and parts[1:3] == ["v1", "agents"]:
            if parts[3] != agent_of(self):
                return "forbidden", parts[3]
            return parts[4], parts[3]
        return None, None

    def do_GET(self):
        kind, name = self.route()
        if kind == "root":
            body = read(os.path.join(STATE, "roots", name + ".json")) if name.isdigit() else None
            return self.answer(404) if body is None else self.answer(200, body, [("Content-Type", "application/json")])
        if kind == "bundle":
            served = name
            body = read(os.path.join(STATE, "bundles", name + ".bundle"))
            if body is None:
                served = "all"
                body = read(os.path.join(STATE, "bundles", "all.bundle"))
            if body is None:
                return self.answer(404)
            etag = etag_of(served, body)
            if self.headers.get("If-None-Match") == etag:
                return self.answer(304, b"", [("ETag", etag)])
            return self.answer(200, body, [("ETag", etag), ("Content-Type", "application/json")])
        self.answer(403 if kind == "forbidden" else 404)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        kind, agent = self.route()
        if kind != "policy-report":
            return self.answer(403 if kind == "forbidden" else 404)
        # report_status: "STATUS" or "STATUS LABEL" (the error label of the answer; "scripted" by default).
        scripted = (read(os.path.join(STATE, "report_status")) or b"200").decode().split()
        status, label = int(scripted[0]), (scripted[1] if len(scripted) > 1 else "scripted")
        if 200 <= status < 300:
            append("reports.jsonl", {"agent": agent, "report": json.loads(body)})
        answer = b'{"ok": true}' if status < 300 else json.dumps({"error": label}).encode()
        self.answer(status, answer, [("Content-Type", "application/json")])


serve(Handler, port=int(sys.argv[2]), tls=sys.argv[3:6])
