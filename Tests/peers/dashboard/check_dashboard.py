"""Opens the operator dashboard in headless Chromium (driven over the DevTools protocol) and checks that it is live.

Run by scripts/test-dashboard.sh, which starts the aggregator and its feeders, puts the operator's certificate in
the NSS database under $HOME/.pki/nssdb and the AutoSelectCertificateForUrls policy in place. Arguments:
  URL  CHROMIUM_PROFILE  SCREENSHOT_PNG
Prints one line per check and "N passed, M failed" last.
"""

import base64
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

import websocket

url, profile, screenshot = sys.argv[1], sys.argv[2], sys.argv[3]
passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok   {name}")
    else:
        failed += 1
        print(f"FAIL {name} {detail}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Page:
    """One tab over its DevTools websocket: send a command, wait for its answer (events are skipped)."""

    def __init__(self, ws_url):
        self.ws = websocket.create_connection(ws_url, timeout=30, suppress_origin=True)
        self.next_id = 0

    def call(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result.get("result", {}).get("value")


def snapshot(page):
    """What the page shows now: the frame counter and time, the link state, the drawn values."""
    return page.evaluate("""JSON.stringify({
        count: Number(document.getElementById('frame-count').dataset.count),
        timeMs: Number(document.getElementById('frame-time').dataset.timeMs),
        link: document.getElementById('link').dataset.state,
        cards: [...document.querySelectorAll('#transformers article')].map(a => a.id),
        tables: document.getElementById('transformers').innerText,
        lines: document.querySelectorAll('svg polyline').length,
        forbidden: document.body.innerText.includes('role.operator_only')
    })""")


port = free_port()
browser = subprocess.Popen(
    [
        "chromium", "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
        f"--user-data-dir={profile}", f"--remote-debugging-port={port}", "--remote-allow-origins=*",
        "--window-size=1400,1700", "about:blank",
    ],
    stdout=subprocess.DEVNULL, stderr=open(profile + ".log", "w"),
)
try:
    targets = None
    for _ in range(300):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=2) as answer:
                targets = [t for t in json.load(answer) if t.get("type") == "page"]
            if targets:
                break
        except OSError:
            pass
        time.sleep(0.2)
    check("chromium starts with its DevTools endpoint", bool(targets))
    if not targets:
        raise SystemExit(0)
    page = Page(targets[0]["webSocketDebuggerUrl"])
    page.call("Page.enable")
    page.call("Page.navigate", url=url)

    first = None
    deadline = time.time() + 90
    while time.time() < deadline:
        time.sleep(1)
        raw = snapshot(page)  # None while the page is still loading (the elements are not there yet)
        state = json.loads(raw) if raw else None
        if state and state["count"] >= 1 and state["cards"]:
            first = state
            break
    title = page.evaluate("document.title")
    check("the page loads over mutual TLS with the operator certificate", title == "v2g neighborhood", f"(title {title!r})")
    check("a first frame arrives and draws the transformers", first is not None, f"(page text: {page.evaluate('document.body.innerText.slice(0, 300)')!r})")
    if first:
        print(f"..   first: {first['count']} frame(s), transformers {first['cards']}, link {first['link']}")
        second = first
        deadline = time.time() + 60
        while time.time() < deadline:
            time.sleep(1)
            second = json.loads(snapshot(page))
            if second["count"] >= first["count"] + 2 and second["tables"] != first["tables"]:
                break
        print(f"..   later: {second['count']} frame(s), {second['lines']} chart lines")
        check("the stream is live (EventSource open)", second["link"] == "live", f"(link {second['link']})")
        check("more frames arrive (server-sent events)", second["count"] >= first["count"] + 2, f"({first['count']} -> {second['count']})")
        check("the frame time advances", second["timeMs"] > first["timeMs"])
        check("the values shown change with the field", second["tables"] != first["tables"])
        check("the charts draw lines", second["lines"] > 0)
        check("nothing was refused", not second["forbidden"])
        # Let the charts gather a few more points before the picture.
        time.sleep(6)
    shot = page.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)
    with open(screenshot, "wb") as out:
        out.write(base64.b64decode(shot["data"]))
    check("a screenshot is written", os.path.getsize(screenshot) > 10_000, f"({screenshot})")
finally:
    browser.terminate()
    try:
        browser.wait(timeout=10)
    except subprocess.TimeoutExpired:
        browser.kill()
        browser.wait()
print(f"{passed} passed, {failed} failed")
