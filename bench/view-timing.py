#!/usr/bin/env python3
"""Times a `tcplab view` page in headless Chromium (bench/results.md, "`tcplab view`").

    python3 bench/view-timing.py PAGE.html [RUNS]

Opens PAGE.html RUNS times (default 5), each in a fresh headless Chromium
(through chromedriver, a 1400x1000 window, a new profile), and prints per
run: the HTML parsed (the navigation's `domInteractive`), the viewer open
(`performance` measure `tcplab-view-open`, from the viewer's first line,
reading the data included, to the graphs drawn), the graphs drawn (the
end of that measure, from the navigation's start: what the user waits
for), the page loaded (`loadEventEnd`), and the zoom redraws (`tcplabView.zoom()` to the end
of the redraw of all five graphs: zoomed in x10 and x100 around the
middle of the span the page opens on, then back out to that span), once
the viewer has built its min/max indexes (`indexed at`, from the
navigation's start). The best and the median follow,
with the load average. Needs the Debian packages chromium and
chromium-driver; no network (the page fetches nothing).
"""
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(port, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", data=data, method=method,
        headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=300) as r:
        return json.loads(r.read())["value"]


# Run in the page once it has loaded.
TIMINGS = """
const done = arguments[0], v = window.tcplabView;
(v.opened || Promise.resolve()).then(() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const m = performance.getEntriesByName('tcplab-view-open')[0];
  const marks = {};
  for (const e of performance.getEntriesByType('mark')) marks[e.name] = e.startTime;
  done({parsed: nav.domInteractive, loaded: nav.loadEventEnd, open: m ? m.duration : null,
        drawn: marks['tcplab-view-ready'], marks, segments: v.state().segments});
});
"""

# Zooms to [a, b] and calls back once every graph has been redrawn
# (uPlot redraws in a microtask, before any timer runs).
ZOOM = """
const [a, b, done] = arguments;
const t0 = performance.now();
window.tcplabView.zoom(a, b);
setTimeout(() => done(performance.now() - t0), 0);
"""

STATE = "return window.tcplabView.state().charts[0];"

# Waits for the min/max indexes the viewer builds after its first drawing
# (pages made before they were lazy have none to wait for).
INDEXED = """
const done = arguments[0], v = window.tcplabView;
const t0 = performance.now();
(v.indexed ? v.indexed() : Promise.resolve()).then(() => done(performance.now()));
"""


def run_once(page, width=1400, height=1000):
    port = free_port()
    profile = tempfile.mkdtemp(prefix="view-timing-")
    driver = subprocess.Popen(["chromedriver", f"--port={port}"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 20
        while True:
            try:
                call(port, "GET", "/status")
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.1)
        caps = {"capabilities": {"alwaysMatch": {
            "goog:chromeOptions": {"args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", f"--window-size={width},{height}",
                f"--user-data-dir={profile}"]}}}}
        sid = call(port, "POST", "/session", caps)["sessionId"]
        base = f"/session/{sid}"
        call(port, "POST", base + "/timeouts", {"script": 120000, "pageLoad": 300000})
        call(port, "POST", base + "/url", {"url": "file://" + os.path.abspath(page)})
        got = call(port, "POST", base + "/execute/async", {"script": TIMINGS, "args": []})
        got["indexed"] = call(port, "POST", base + "/execute/async", {"script": INDEXED, "args": []})
        c = call(port, "POST", base + "/execute/sync", {"script": STATE, "args": []})
        lo, hi = c["xmin"], c["xmax"]
        mid, w = (lo + hi) / 2, hi - lo
        zooms = []
        for a, b in [(mid - w / 20, mid + w / 20), (mid - w / 200, mid + w / 200), (lo, hi)]:
            zooms.append(call(port, "POST", base + "/execute/async", {"script": ZOOM, "args": [a, b]}))
        got["zooms"] = zooms
        call(port, "DELETE", base)
        return got
    finally:
        driver.kill()
        driver.wait()
        shutil.rmtree(profile, ignore_errors=True)


def main():
    page = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    size = os.path.getsize(page)
    print(f"{page}: {size / 1e6:.1f} MB")
    results = []
    for k in range(runs):
        load = os.getloadavg()[0]
        r = run_once(page)
        r["load"] = load
        results.append(r)
        marks = " ".join(f"{n}={v:.0f}" for n, v in sorted(r["marks"].items(), key=lambda e: e[1]))
        print(f"run {k + 1}: load {load:.2f}  HTML parsed {r['parsed']:.0f} ms  viewer open {r['open']:.0f} ms"
              f"  graphs drawn at {r['drawn']:.0f} ms  loaded {r['loaded']:.0f} ms  indexed at {r['indexed']:.0f} ms  zoom " + ", ".join(f"{z:.0f}" for z in r["zooms"]) + " ms"
              f"  [{marks}]  segments {r['segments']}")
    for key in ["parsed", "open", "drawn", "loaded", "indexed"]:
        v = [r[key] for r in results]
        print(f"{key}: best {min(v):.0f} ms, median {statistics.median(v):.0f} ms")
    for j, name in enumerate(["x10", "x100", "out (whole span)"]):
        v = [r["zooms"][j] for r in results]
        print(f"zoom {name}: best {min(v):.0f} ms, median {statistics.median(v):.0f} ms")
    print("load average (1 min) during the runs: " + ", ".join(f"{r['load']:.2f}" for r in results))


if __name__ == "__main__":
    main()
