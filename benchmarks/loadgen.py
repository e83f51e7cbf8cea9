"""wrk runs, a static nginx over captured bytes, process memory: the parts bench_table.py uses.

Everything listens on 127.0.0.1 only and every run is bounded in time (wrk -d).
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HOST = "127.0.0.1"
WRK = "/usr/bin/wrk"
NGINX = "/usr/sbin/nginx"


def need(binary: str, package: str) -> None:
    if not Path(binary).exists():
        raise SystemExit(f"{binary} is missing: install Debian's package with "
                         f"`apt-get install -y {package}` and run again")


@dataclass(frozen=True)
class Result:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int  # socket errors + non-2xx/3xx answers
    load: float  # 1-minute load average at the end of the run

    def as_dict(self) -> dict[str, float]:
        return {"rps": self.rps, "p50_ms": self.p50_ms, "p99_ms": self.p99_ms,
                "requests": self.requests, "errors": self.errors, "load": self.load}


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not m:
        raise ValueError(f"wrk latency {text!r}")
    return float(m.group(1)) * _UNITS[m.group(2)]


def parse_wrk(out: str) -> Result:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return Result(rps, p50, p99, total, errors + (int(non2xx.group(1)) if non2xx else 0),
                  round(os.getloadavg()[0], 2))


def wrk(url: str, *, seconds: float, connections: int, threads: int = 2,
        close: bool = True) -> Result:
    """One wrk run: gzip accepted, a new connection per request unless `close` is False."""
    cmd = [WRK, f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--latency",
           "--timeout", "10s", "-H", "Accept-Encoding: gzip"]
    if close:
        cmd += ["-H", "Connection: close"]
    out = subprocess.run([*cmd, url], capture_output=True, text=True,
                         timeout=seconds + 60).stdout
    return parse_wrk(out)


STATIC_CONFIG = """\
{user}worker_processes auto;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    default_type application/octet-stream;
    types {{ text/html html; application/json json; application/geo+json geojson;
             text/css css; application/javascript js; image/png png; image/svg+xml svg; }}
    access_log off;
    sendfile on;
    tcp_nopush on;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy_temp;
    fastcgi_temp_path {tmp}/fastcgi_temp;
    uwsgi_temp_path {tmp}/uwsgi_temp;
    scgi_temp_path {tmp}/scgi_temp;
    gzip_static on;
    gzip {gzip};
    gzip_types text/css application/javascript application/json application/geo+json
               image/svg+xml;
    server {{
        listen {host}:{port} reuseport backlog=4096;
        root {root};
        index index.html;
        etag on;
    }}
}}
"""


class StaticNginx:
    """nginx serving the files of `root` (a `name.gz` beside `name` is sent as is to clients
    that take gzip: the very bytes captured from planmap)."""

    def __init__(self, root: Path, port: int, *, gzip_on_the_fly: bool = False) -> None:
        need(NGINX, "nginx")
        self.root, self.port = root, port
        self.tmp = Path(tempfile.mkdtemp(prefix="bench-static-"))
        self.tmp.chmod(0o755)
        config = self.tmp / "nginx.conf"
        config.write_text(STATIC_CONFIG.format(
            user="user www-data;\n" if os.geteuid() == 0 else "", tmp=self.tmp, host=HOST,
            port=port, root=root, gzip="on" if gzip_on_the_fly else "off"), encoding="utf-8")
        self.proc = subprocess.Popen([NGINX, "-p", str(self.tmp), "-c", str(config), "-g",
                                      "daemon off;"], start_new_session=True,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.3)
        if self.proc.poll() is not None:
            raise SystemExit(f"static nginx did not start: {(self.tmp / 'error.log').read_text()}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
        self.proc.wait(timeout=20)
        shutil.rmtree(self.tmp, ignore_errors=True)


def write_captured(root: Path, name: str, body: bytes, encoding: str | None) -> None:
    """The bytes an answer carried, as files StaticNginx serves the same way."""
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if encoding == "gzip":
        path.write_bytes(gzip.decompress(body))
        path.with_name(path.name + ".gz").write_bytes(body)
    else:
        path.write_bytes(body)
    os.chmod(path, 0o644)


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(x) for x in text.split()]


def tree(pid: int) -> list[int]:
    out = [pid]
    for child in children(pid):
        out.extend(tree(child))
    return out


def memory_kb(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process in kB; PSS shares pages among the processes holding them."""
    rss = pss = 0
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Rss:"):
                rss = int(line.split()[1])
            elif line.startswith("Pss:"):
                pss = int(line.split()[1])
    except OSError:
        pass
    return rss, pss


def cpu_seconds(pids: list[int]) -> float:
    """user + system CPU seconds the processes have used (children that ended not counted)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / ticks
