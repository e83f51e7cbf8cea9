"""The production layout of docs/deploy.md, started for real: Debian's nginx in front of two
`planmap serve --workers` app servers on loopback (scripts/deploy_local.py)."""

from __future__ import annotations

import gzip
import socket
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from deploy_local import HOST, Layout, fetch, main, nginx_config  # noqa: E402

pytestmark = pytest.mark.slow
GZ = {"Accept-Encoding": "gzip"}


@pytest.fixture(scope="module")
def layout():
    assert Path("/usr/sbin/nginx").exists(), "Debian's nginx is missing (make system-deps)"
    with Layout(app_servers=2, workers=1, client_timeout=2) as running:
        yield running


def test_static_files_come_from_nginx(layout):
    status, headers, body = fetch(layout.url + "/static/atlas/core.js", headers=GZ)
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(body) == (ROOT / "webmap/static/atlas/core.js").read_bytes()
    assert headers["Cache-Control"] == "public, max-age=300"
    assert "X-Cache-Status" not in headers and "Referrer-Policy" not in headers  # not the app
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_pages_are_cached_by_nginx_with_the_apps_validators(layout):
    first = fetch(layout.url + "/plans", headers=GZ)
    second = fetch(layout.url + "/plans", headers=GZ)
    direct = fetch(f"http://{HOST}:{layout.app_ports[0]}/plans", headers=GZ)
    assert first[0] == second[0] == 200
    assert second[1]["X-Cache-Status"] == "HIT"
    assert second[1]["ETag"] == direct[1]["ETag"]  # every app server renders the same bytes
    assert second[2] == direct[2] and second[1]["Content-Encoding"] == "gzip"
    assert "s-maxage=1" in second[1]["Cache-Control"]
    assert second[1]["Content-Security-Policy"] == direct[1]["Content-Security-Policy"]
    plain = fetch(layout.url + "/plans")  # a client without gzip gets the page decompressed
    assert plain[0] == 200 and "Content-Encoding" not in plain[1]
    assert plain[2] == gzip.decompress(direct[2])
    revalidated = fetch(layout.url + "/plans", headers={**GZ, "If-None-Match":
                                                       second[1]["ETag"]})
    assert revalidated[0] == 304
    time.sleep(2.2)  # past s-maxage: nginx asks the app again (with the ETag), or serves the
    again = fetch(layout.url + "/plans", headers=GZ)  # stale copy while it does
    assert again[0] == 200
    assert again[1]["X-Cache-Status"] in {"REVALIDATED", "UPDATING", "STALE", "EXPIRED"}
    layer = [fetch(layout.url + "/api/layers/zones.geojson", headers=GZ) for _ in range(2)]
    assert layer[1][1]["X-Cache-Status"] == "HIT" and "max-age=" in layer[1][1]["Cache-Control"]


def test_health_and_errors_are_never_cached(layout):
    for _ in range(2):
        status, headers, body = fetch(layout.url + "/healthz")
        assert status == 200 and b'"status"' in body and "X-Cache-Status" not in headers
        missing = fetch(layout.url + "/places/no-such-place", headers=GZ)
        assert missing[0] == 404 and missing[1].get("X-Cache-Status") != "HIT"


def test_slow_clients_are_dropped(layout):
    with socket.create_connection((HOST, layout.port), timeout=10) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")  # and never the end of the header
        start = time.monotonic()
        try:  # closed (EOF) or, with reset_timedout_connection on, reset
            while sock.recv(1024):
                pass
        except ConnectionResetError:
            pass
        waited = time.monotonic() - start
        assert 1.5 < waited < 6  # client_header_timeout 2 s, then dropped


def test_one_app_server_down_the_other_answers(layout):
    layout.procs[0].terminate()
    layout.procs[0].wait(timeout=30)
    for path in ("/healthz", "/layers", "/api/plans"):
        for _ in range(3):
            assert fetch(layout.url + path)[0] == 200, path


def test_print_config_lists_every_app_server(capsys):
    assert main(["--print-config", "--app-servers", "3", "--port", "8080"]) == 0
    out = capsys.readouterr().out
    for port in (8001, 8002, 8003):
        assert f"server {HOST}:{port}" in out
    assert "proxy_cache_revalidate on" in out and "gunzip on" in out
    assert nginx_config(Path("/tmp/x"), 1, [2], static=ROOT).count("upstream planmap") == 1
    assert main(["--app-servers", "0"]) == 2
