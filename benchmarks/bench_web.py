"""Web atlas figures: page weight and time to first drawn layer in headless Chromium.

    .venv/bin/python benchmarks/bench_web.py [--runs 5]

Prints the atlas HTML size (raw and gzip), the bytes Chromium loads for the default view (as
transferred, from the DevTools protocol, and decoded), the request count, and the time from
navigation start to the first overlay layer drawn and to the page being ready (all default
layers drawn), as median and range over several cold loads (a new browser context each run, so
no HTTP cache). The server is the app on Werkzeug in a thread, as in the browser tests.
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from werkzeug.serving import make_server

from webmap import create_app

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"]
FIRST_LAYER = """
window.__t = {};
for (const name of ['layer', 'basemap', 'ready']) {
  document.addEventListener('planmap:' + name, () => {
    if (window.__t[name] === undefined) { window.__t[name] = performance.now(); }
  });
}
"""


def one_run(browser, url: str) -> dict[str, float]:
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN")
    page = context.new_page()
    page.add_init_script(FIRST_LAYER)
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    sizes = {"transferred": 0, "requests": 0}
    decoded: list[int] = []

    def finished(event: dict) -> None:
        sizes["transferred"] += int(event.get("encodedDataLength", 0))
        sizes["requests"] += 1

    cdp.on("Network.loadingFinished", finished)
    page.on("response", lambda r: decoded.append(len(r.body())) if r.ok else None)
    page.goto(url)
    page.wait_for_selector("body[data-planmap-ready]", timeout=30000)
    page.wait_for_function("window.__t.basemap !== undefined", timeout=30000)
    page.wait_for_timeout(300)
    t = page.evaluate("window.__t")
    marks = page.evaluate("""() => {
      const nav = performance.getEntriesByType('navigation')[0];
      return {dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd};
    }""")
    context.close()
    return {"first_layer_ms": t["layer"], "ready_ms": t["ready"], "basemap_ms": t["basemap"],
            "dcl_ms": marks["dcl"],
            "load_ms": marks["load"], "transferred": sizes["transferred"],
            "requests": sizes["requests"], "decoded": sum(decoded)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)

    app = create_app({"OFFLINE_ASSETS": "raise"})
    client = app.test_client()
    html = client.get("/").data
    print(f"atlas HTML: {len(html):,} bytes raw, {len(gzip.compress(html, 6)):,} bytes gzip")
    for path in ("/api/basemap.geojson", "/api/layers/zones.geojson"):
        body = client.get(path).data
        print(f"{path}: {len(body):,} bytes raw, {len(gzip.compress(body, 6)):,} gzip")

    from playwright.sync_api import sync_playwright

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}/"
    import logging

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    runs = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for _ in range(args.runs):
            runs.append(one_run(browser, url))
        browser.close()
    server.shutdown()

    def stat(key: str, unit: str, scale: float = 1.0) -> str:
        values = [r[key] / scale for r in runs]
        return (f"median {statistics.median(values):,.0f} {unit} "
                f"(min {min(values):,.0f}, max {max(values):,.0f})")

    print(f"cold loads of / in headless Chromium, {args.runs} runs:")
    print(f"  requests:              {runs[0]['requests']}")
    print(f"  bytes transferred:     {stat('transferred', 'B')}")
    print(f"  bytes decoded:         {stat('decoded', 'B')}")
    print(f"  DOMContentLoaded:      {stat('dcl_ms', 'ms')}")
    print(f"  first overlay drawn:   {stat('first_layer_ms', 'ms')}")
    print(f"  all default overlays:  {stat('ready_ms', 'ms')}")
    print(f"  vector basemap drawn:  {stat('basemap_ms', 'ms')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
