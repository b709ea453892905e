"""The HTTP(S) server every test peer in this folder runs: loopback, a free port printed on the first line.

With three command-line arguments CERT KEY CA it serves HTTPS and requires a client certificate signed by CA
(mutual TLS, as the aggregator does); without them, plain HTTP.
"""
import http.server
import ssl
import sys


class QuietHandler(http.server.BaseHTTPRequestHandler):
    """HTTP/1.1 with keep-alive, no access log, and one way to answer."""
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass


def serve(handler, port=0, tls=None):
    """tls: (CERT, KEY, CA); by default the three command-line arguments, when there are exactly three."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    if tls is None and len(sys.argv) == 4:
        tls = sys.argv[1:4]
    if tls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(tls[0], tls[1])
        context.load_verify_locations(tls[2])
        context.verify_mode = ssl.CERT_REQUIRED
        server.socket = context.wrap_socket(server.socket, server_side=True)
    print(server.server_address[1], flush=True)
    server.serve_forever()
