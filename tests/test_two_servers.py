"""The deployment layout on loopback: Debian nginx balancing two gunicorn servers that share one
PostgreSQL database. A correction approved on one server is served by the other within 2 s
(LISTEN/NOTIFY), and every answer through nginx shows it, whichever server gives it. The
measured time is printed for the record."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from db_fixtures import new_database_url

from layers import accounts

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
NGINX = Path("/usr/sbin/nginx")
PARK = "zhongguancunruanjianyuan"
OUTLINE = {"type": "Polygon", "coordinates": [[[116.27, 40.046], [116.293, 40.046],
                                               [116.293, 40.06], [116.27, 40.06],
                                               [116.27, 40.046]]]}
NGINX_CONF = """daemon off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 64; }}
http {{
    log_format upstream '$upstream_addr "$request" $status';
    access_log {folder}/access.log upstream;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    upstream planmap {{ server 127.0.0.1:{one}; server 127.0.0.1:{two}; }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://planmap;
            proxy_bind 127.0.0.3;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-Host $host;
        }}
    }}
}}
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(proc: subprocess.Popen, url: str, log: Path) -> None:
    deadline = time.monotonic() + 180
    while True:
        assert proc.poll() is None, log.read_text(errors="replace")[-3000:]
        try:
            urllib.request.urlopen(url, timeout=5)
            return
        except OSError:
            assert time.monotonic() < deadline, f"{url} did not start"
            time.sleep(0.3)


@contextmanager
def running(argv: list[str], env: dict[str, str] | None, url: str, log: Path
            ) -> Iterator[None]:
    with log.open("w") as out:
        proc = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait(proc, url, log)
        yield
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def gunicorn(port: int, db_url: str, folder: Path) -> tuple[list[str], dict[str, str]]:
    env = {**os.environ, "PLANMAP_DATABASE_URL": db_url, "PLANMAP_SECRET_KEY": "shared-key",
           "PLANMAP_TRUSTED_PROXIES": "1"}
    argv = [sys.executable, "-m", "gunicorn", "--workers", "1", "--bind", f"127.0.0.1:{port}",
            "--access-logfile", str(folder / f"access-{port}.log"), "webmap:create_app()"]
    return argv, env


def call(url: str, token: str | None = None, body: dict | None = None) -> dict:
    request = urllib.request.Request(url, data=json.dumps(body).encode() if body else None,
                                     method="POST" if body is not None else "GET")
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=30) as resp:
        return json.load(resp)


def test_nginx_two_gunicorns_one_postgres(request, tmp_path) -> None:
    assert NGINX.exists(), "nginx is missing: apt-get install nginx"
    db_url = new_database_url(request, "postgresql", tmp_path)
    from layers.db.engine import Database

    db = Database(db_url)
    operator = accounts.operator("tests")
    editor, _ = accounts.issue_token(db, "editor", "two servers", operator)
    reviewer, _ = accounts.issue_token(db, "reviewer", "two servers", operator)
    ports = {"one": _free_port(), "two": _free_port(), "port": _free_port()}
    one, two, front = (f"http://127.0.0.1:{ports[k]}" for k in ("one", "two", "port"))
    (tmp_path / "nginx.conf").write_text(NGINX_CONF.format(folder=tmp_path, **ports))
    with running(*gunicorn(ports["one"], db_url, tmp_path), url=f"{one}/healthz",
                 log=tmp_path / "one.log"), \
            running(*gunicorn(ports["two"], db_url, tmp_path), url=f"{two}/healthz",
                    log=tmp_path / "two.log"), \
            running([str(NGINX), "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                    None, url=f"{front}/healthz", log=tmp_path / "nginx.log"):
        for _ in range(4):
            assert call(f"{front}/api/places/{PARK}")["precision"] == "schematic"
        rev = call(f"{one}/api/places/{PARK}/revisions", editor, {
            "geometry": OUTLINE, "precision": "approximate", "error_m": 60,
            "source": "survey", "base_revision": None})
        call(f"{one}/api/revisions/{rev['id']}/approve", reviewer, {"reason": "ok"})
        approved = time.monotonic()
        seen = {}
        while len(seen) < 2:
            for name, base in (("one", one), ("two", two)):
                if name not in seen and \
                        call(f"{base}/api/places/{PARK}")["precision"] == "approximate":
                    seen[name] = time.monotonic() - approved
            assert time.monotonic() - approved < 10, f"not visible everywhere: {seen}"
            time.sleep(0.02)
        print(f"\nnginx + 2 gunicorn + PostgreSQL: approved on one; visible on the other after "
              f"{seen['two']:.3f} s (on the approving one after {seen['one']:.3f} s)")
        assert seen["two"] < 2.0 and seen["one"] < 2.0
        answers = [call(f"{front}/api/places/{PARK}")["precision"] for _ in range(6)]
        assert answers == ["approximate"] * 6
        # a proposal through nginx (which connects from 127.0.0.3): the audit log names the
        # client nginx saw, from X-Forwarded-For (TRUSTED_PROXIES = 1)
        call(f"{front}/api/places/{PARK}/revisions", editor, {
            "geometry": OUTLINE, "precision": "surveyed", "error_m": 10, "source": "survey",
            "base_revision": rev["id"]})
    # nginx balanced the reads over both servers
    lines = (tmp_path / "access.log").read_text().splitlines()
    for port in (ports["one"], ports["two"]):
        served = [line for line in lines if line.startswith(f"127.0.0.1:{port} ")
                  and f"GET /api/places/{PARK} " in line]
        assert len(served) >= 3, lines
    from layers.db import audit

    proposals = [e for e in audit.entries(db) if e["action"] == "propose"]
    assert [e["client"] for e in proposals] == ["127.0.0.1", "127.0.0.1"]
    db.dispose()
