#!/usr/bin/env python3
"""An HTTP(S) peer for the EdgeCurl tests (Python's standard library only).

Usage: edge_curl_peer.py [CERT KEY CA] (see loopback_server.py): HTTPS with a required client certificate, or HTTP.

  GET  /bundle   200 with ETag "v7"; 304 when If-None-Match names "v7"
  GET  /whoami   200, the client certificate's subject CN (or "-")
  GET  /headers  200 with Retry-After: 30 and X-Peer: edge-curl
  GET  /big      200 with 200000 bytes
  GET  /slow     waits 5 s, then 200
  POST /echo     201 with the request body; X-Content-Type echoes the request's Content-Type
"""
import time

from loopback_server import QuietHandler, serve

ETAG = '"v7"'


class Handler(QuietHandler):
    def client_cn(self):
        getpeercert = getattr(self.connection, "getpeercert", None)
        certificate = getpeercert() if getpeercert else None
        for rdn in (certificate or {}).get("subject", ()):
            for key, value in rdn:
                if key == "commonName":
                    return value
        return "-"

    def do_GET(self):
        if self.path == "/bundle":
            if self.headers.get("If-None-Match") == ETAG:
                self.reply(304, headers=[("ETag", ETAG)])
            else:
                self.reply(200, b"bundle-v7", [("ETag", ETAG), ("Content-Type", "application/octet-stream")])
        elif self.path == "/whoami":
            self.reply(200, self.client_cn().encode())
        elif self.path == "/headers":
            self.reply(200, b"ok", [("Retry-After", "30"), ("X-Peer", "edge-curl")])
        elif self.path == "/big":
            self.reply(200, b"x" * 200000)
        elif self.path == "/slow":
            time.sleep(5)
            self.reply(200, b"late")
        else:
            self.reply(404, b"no such path")

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path == "/echo":
            self.reply(201, body, [("X-Content-Type", self.headers.get("Content-Type", "-"))])
        else:
            self.reply(404, b"no such path")


serve(Handler)
