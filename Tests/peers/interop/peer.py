"""Shared pieces of the interop checks: child processes that always die, free loopback ports, the agent's probe,
and a tally that prints one line per check and the closing "N passed, M failed". Standard library only."""
import json
import os
import signal
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
SUNSPEC_PEER = os.path.join(REPO, "Tests", "peers", "sunspec")
# pysunspec2 learns our vendor blocks from these: 64900 (temperatures) and 64901 (EV session).
MODEL_DIRS = [os.path.join(SUNSPEC_PEER, "models"), os.path.join(HERE, "models")]


def binary(name):
    """The built program: $V2G_BIN_DIR/name (scripts/test-peers.sh sets it), else .build/debug/name."""
    path = os.path.join(os.environ.get("V2G_BIN_DIR") or os.path.join(REPO, ".build", "debug"), name)
    if not os.access(path, os.X_OK):
        raise SystemExit(f"{path} is not built: swift build --product {name}")
    return path


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, seconds=20, process=None):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise SystemExit(f"the server for port {port} exited with {process.returncode} before listening")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise SystemExit(f"nothing listens on 127.0.0.1:{port} after {seconds} s")


class Children:
    """Every child started through here is stopped on exit: SIGINT, then SIGKILL after a grace period."""

    def __init__(self):
        self.processes = []

    def start(self, argv, **kwargs):
        process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, **kwargs)
        self.processes.append(process)
        return process

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        return False


def probe(config_path, timeout=60):
    """Runs `v2g-agent probe --json`; returns (exit status, parsed document or None, stderr)."""
    run = subprocess.run([binary("v2g-agent"), "probe", "--config", config_path, "--json"],
                         capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    try:
        document = json.loads(run.stdout)
    except json.JSONDecodeError:
        document = None
    return run.returncode, document, run.stderr.strip()


def write_json(path, value):
    with open(path, "w") as f:
        json.dump(value, f, indent=1)
    return path


def tcp(port):
    return {"tcp": {"host": "127.0.0.1", "port": port, "unit_id": 1}}


def number(value):
    """10 significant digits: 230.1, not 230.10000000000002."""
    return "null" if value is None else f"{float(value):.10g}"


class Tally:
    """One printed line per check; `finish` prints "N passed, M failed" and exits non-zero on any failure."""

    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        print(f"{'ok  ' if ok else 'FAIL'} {name}" + (f": {detail}" if detail else ""), flush=True)
        return ok

    def near(self, name, got, want, tolerance, unit=""):
        """`got` within `tolerance` of `want`; a missing value fails."""
        ok = got is not None and want is not None and abs(float(got) - float(want)) <= tolerance
        return self.check(name, ok, f"agent {number(got)} {unit}, expected {number(want)} {unit} (±{tolerance:g})")

    def finish(self):
        print(f"{self.passed} passed, {self.failed} failed", flush=True)
        sys.exit(1 if self.failed or not self.passed else 0)
