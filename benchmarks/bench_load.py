"""Load under a flood of uncached figures: does /healthz stay quick and do place pages answer?

    apt-get install wrk   # Debian's wrk
    .venv/bin/python benchmarks/bench_load.py [--seconds 60] [--connections 64] [--workers 2]
                                              [--no-rate-limit]

Starts `planmap serve --workers N` (gunicorn, gthread) on a free loopback port and runs three
wrk clients at once for the same time:

- renders: `--connections` connections, each request a figure with a title never asked before
  (so the figure cache never helps); answered 200, or refused 429 (rate limit) / 503 (render
  gate full) with Retry-After;
- /healthz: 4 connections;
- place pages (/places/<id>, a different place per request): 4 connections.

Prints one table row per client (requests/s, p50, p99, status counts, socket errors) and the
resident memory of each gunicorn worker at the end. `--no-rate-limit` turns the per-client
limits off (everything comes from one address here), so the render gate alone bounds the
work. Traffic stays on 127.0.0.1 and stops after `--seconds`.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RENDER_LUA = """
local n = 0
local tag = tostring(math.random(1, 1000000000))
request = function()
  n = n + 1
  return wrk.format("GET", "/figures/layers/parks.png?size=640x480&dpi=72&title=t" .. tag
                    .. "-" .. n)
end
"""

PLACES_LUA = """
local ids = {%s}
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", "/places/" .. ids[(n %% #ids) + 1])
end
"""

STATUS_LUA = """
local threads = {}
function setup(thread)
  table.insert(threads, thread)
end
function init(args)
  statuses = {}
end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      total[status] = (total[status] or 0) + count
    end
  end
  local parts = {}
  for status, count in pairs(total) do
    table.insert(parts, status .. "=" .. count)
  end
  table.sort(parts)
  io.write("STATUS " .. table.concat(parts, " ") .. "\\n")
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(url: str, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("server did not come up")


def wrk(url: str, path: str, connections: int, seconds: int, script: str,
        folder: Path) -> subprocess.Popen:
    lua = folder / f"{abs(hash((path, connections)))}.lua"
    lua.write_text(script + STATUS_LUA)
    return subprocess.Popen(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "--latency",
         "-s", str(lua), url + path], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def parse(output: str) -> dict[str, str]:
    row: dict[str, str] = {}
    m = re.search(r"Requests/sec:\s+([\d.]+)", output)
    row["req/s"] = m.group(1) if m else "?"
    for pct in ("50", "99"):
        m = re.search(rf"^\s+{pct}(?:\.000)?%\s+(\S+)", output, re.M)
        row[f"p{pct}"] = f"{_ms(m.group(1)):.0f} ms" if m else "?"
    m = re.search(r"Socket errors: (.*)", output)
    row["socket errors"] = m.group(1).strip() if m else "0"
    m = re.search(r"STATUS (.*)", output)
    row["statuses"] = m.group(1).strip() if m else "?"
    m = re.search(r"(\d+) requests in", output)
    row["requests"] = m.group(1) if m else "?"
    return row


def _children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(x) for x in out.split()]


def _rss_mb(pid: int) -> float:
    m = re.search(r"VmRSS:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())
    return int(m.group(1)) / 1024 if m else 0.0


def worker_memory(master: int) -> list[str]:
    """RSS of each gunicorn worker, plus its render processes (forkserver and children)."""
    out = []
    for pid in _children(master):
        helpers = _children(pid)
        helpers += [c for h in helpers for c in _children(h)]
        extra = sum(_rss_mb(h) for h in helpers)
        text = f"{_rss_mb(pid):.0f} MB"
        if helpers:
            text += f" + {extra:.0f} MB in {len(helpers)} render processes"
        out.append(text)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-rate-limit", action="store_true")
    parser.add_argument("--render-in", choices=("thread", "process"), default=None,
                        help="RENDER_IN (default: what planmap serve --workers sets, process)")
    args = parser.parse_args()

    from layers.store import default_store

    ids = default_store().member_ids("parks")[:40]
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = dict(os.environ)
    if args.no_rate_limit:
        env.update(PLANMAP_RATE_LIMIT_RENDER="", PLANMAP_RATE_LIMIT_DOWNLOAD="",
                   PLANMAP_RATE_LIMIT_SEARCH="")
    if args.render_in:
        env["PLANMAP_RENDER_IN"] = args.render_in
    planmap = str(Path(sys.executable).with_name("planmap"))
    server = subprocess.Popen([planmap, "serve", "--workers", str(args.workers),
                               "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        wait_ready(url)
        with urllib.request.urlopen(url + f"/places/{ids[0]}", timeout=30):
            pass  # warm the page caches
        for _ in range(2 * args.workers):  # each worker's renderer ready (children built)
            with urllib.request.urlopen(url + "/figures/layers/parks.png?size=400x300&dpi=72"
                                        f"&title=warm{time.time()}", timeout=300):
                pass
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            runs = {
                "renders (unique title)": wrk(url, "/figures/layers/parks.png",
                                              args.connections, args.seconds, RENDER_LUA,
                                              folder),
                "/healthz": wrk(url, "/healthz", 4, args.seconds, "", folder),
                "place pages": wrk(url, "/places/x", 4, args.seconds,
                                   PLACES_LUA % ", ".join(f'"{i}"' for i in ids), folder),
            }
            outputs = {name: proc.communicate()[0] for name, proc in runs.items()}
        memory = worker_memory(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=60)
    limits = "off" if args.no_rate_limit else "on (defaults)"
    load = os.getloadavg()[0]
    print(f"{args.seconds} s, {args.connections} render connections, {args.workers} gthread "
          f"workers, rate limits {limits}, RENDER_IN {args.render_in or 'process'}, "
          f"load average {load:.1f} on {os.cpu_count()} cores")
    print("| client | requests | req/s | p50 | p99 | statuses | socket errors |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for name, output in outputs.items():
        r = parse(output)
        print(f"| {name} | {r['requests']} | {r['req/s']} | {r['p50']} | {r['p99']} | "
              f"{r['statuses']} | {r['socket errors']} |")
    print(f"worker memory (RSS) at the end: {', '.join(memory)}")


if __name__ == "__main__":
    main()
