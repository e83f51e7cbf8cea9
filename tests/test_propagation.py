"""Two server processes on one database: an approval on one is served by the other within
seconds, with no restart (PostgreSQL: LISTEN/NOTIFY; SQLite: the change counter, read at most
once a second). The measured time is printed for the record."""

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

import pytest

from layers import accounts

PARK = "zhongguancunruanjianyuan"
OUTLINE = {"type": "Polygon", "coordinates": [[[116.27, 40.046], [116.293, 40.046],
                                               [116.293, 40.06], [116.27, 40.06],
                                               [116.27, 40.046]]]}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def server(db_url: str) -> Iterator[str]:
    port = _free_port()
    env = {**os.environ, "PLANMAP_DATABASE_URL": db_url, "PLANMAP_SECRET_KEY": "shared-key"}
    proc = subprocess.Popen([sys.executable, "-m", "webmap.cli", "serve", "--port", str(port)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else "server died"
            try:
                urllib.request.urlopen(base + "/healthz", timeout=5)
                break
            except OSError:
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def call(url: str, token: str | None = None, body: dict | None = None) -> dict:
    request = urllib.request.Request(url, data=json.dumps(body).encode() if body else None,
                                     method="POST" if body is not None else "GET")
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=30) as resp:
        return json.load(resp)


@pytest.mark.slow
def test_an_approval_on_one_server_is_served_by_the_other(db, backend) -> None:
    operator = accounts.operator("tests")
    editor, _ = accounts.issue_token(db, "editor", "test", operator)
    reviewer, _ = accounts.issue_token(db, "reviewer", "test", operator)
    url = db.url.render_as_string(hide_password=False)
    with server(url) as one, server(url) as two:
        assert call(f"{two}/api/places/{PARK}")["precision"] == "schematic"
        rev = call(f"{one}/api/places/{PARK}/revisions", editor, {
            "geometry": OUTLINE, "precision": "approximate", "error_m": 60, "source": "survey",
            "base_revision": None})
        call(f"{one}/api/revisions/{rev['id']}/approve", reviewer, {"reason": "ok"})
        approved = time.monotonic()
        while call(f"{two}/api/places/{PARK}")["precision"] != "approximate":
            assert time.monotonic() - approved < 10, "not visible on the other server"
            time.sleep(0.05)
        latency = time.monotonic() - approved
        print(f"\n{backend}: approval on one server visible on the other after {latency:.2f} s")
        limit = 2.0 if backend == "postgresql" else 3.0
        assert latency < limit
        layer = call(f"{two}/api/places/{PARK}")["layers"][0]
        geojson = call(f"{two}/api/layers/{layer}.geojson")
        feature = next(f for f in geojson["features"] if f["id"] == PARK)
        assert feature["properties"]["precision"] == "approximate"
