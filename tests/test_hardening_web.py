"""Issue 14 on the web: health that tells the truth, bounded figures, rate limits, downloads on a
full disk, slow clients, the Content-Security-Policy and a fuzz of every HTML route."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from disk_fixtures import fill, small_disk  # noqa: F401

from geo.paths import PROJECT_ROOT
from layers.store import LayerStore, default_store
from webmap import create_app
from webmap.downloads import PREFIX
from webmap.headers import content_security_policy, frame_ancestors_of, script_hashes

PLANMAP = str(Path(sys.executable).with_name("planmap"))
NO_LIMITS = {"RATE_LIMIT_RENDER": "", "RATE_LIMIT_DOWNLOAD": "", "RATE_LIMIT_SEARCH": ""}


# ---- 10. health that tells the truth -------------------------------------------------------


def eventually(client, status: int, seconds: float = 60):
    """/healthz re-validates in the background: the answer changes within a few seconds."""
    deadline = time.monotonic() + seconds
    while True:
        resp = client.get("/healthz")
        if resp.status_code == status or time.monotonic() > deadline:
            assert resp.status_code == status, resp.json
            return resp
        time.sleep(0.05)


def test_healthz_answers_503_when_a_data_file_breaks_and_stays_cheap(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(PROJECT_ROOT / "data", data)
    store = LayerStore.from_directory(data)
    app = create_app({"STORE": store, "TESTING": True})
    client = app.test_client()
    assert client.get("/healthz").json["status"] == "ok"  # at once: validation in background
    assert store.health(wait=True) is None
    started = time.perf_counter()
    for _ in range(200):
        assert client.get("/healthz").status_code == 200
    per_call = (time.perf_counter() - started) / 200
    assert per_call < 0.02, f"/healthz took {per_call * 1000:.1f} ms a call"

    (data / "gazetteer" / "parks.geojson").write_text("[1]", encoding="utf-8")
    resp = eventually(client, 503)
    assert resp.mimetype == "application/json"
    assert resp.json == {"status": "error", "version": resp.json["version"],
                         "problem": "parks.geojson: not a GeoJSON FeatureCollection"}
    assert resp.headers["Retry-After"]
    # the same line `planmap data check` prints for the same file
    done = subprocess.run([PLANMAP, "data", "check"], capture_output=True, text=True,
                          env={**os.environ, "PLANMAP_DATA": str(data)})
    assert done.returncode == 1
    assert done.stderr.strip() == f"planmap: error: {resp.json['problem']}"
    shutil.copy(PROJECT_ROOT / "data" / "gazetteer" / "parks.geojson",
                data / "gazetteer" / "parks.geojson")
    eventually(client, 200)


# ---- 6. figures: a bounded gate, rate limits, never a stalled /healthz ------------------------


def test_a_full_render_gate_answers_503_with_retry_after_at_once() -> None:
    from webmap.figures import _gate

    app = create_app({"TESTING": True, "RENDER_WORKERS": 1, "RENDER_QUEUE": 0, **NO_LIMITS})
    client = app.test_client()
    with app.app_context():
        gate = _gate()
    with gate.slot():  # a render in progress
        started = time.perf_counter()
        resp = client.get("/figures/layers/parks.png?title=busy&size=400x300&dpi=72")
        assert time.perf_counter() - started < 1
        assert resp.status_code == 503 and resp.json["code"] == "ServiceBusy"
        assert int(resp.headers["Retry-After"]) > 0
        assert client.get("/healthz").status_code == 200
    resp = client.get("/figures/layers/parks.png?title=busy&size=400x300&dpi=72")
    assert resp.status_code == 200 and resp.mimetype == "image/png"


def test_a_queued_render_gives_up_after_render_wait() -> None:
    from webmap.figures import _gate

    app = create_app({"TESTING": True, "RENDER_WORKERS": 1, "RENDER_QUEUE": 1,
                      "RENDER_WAIT": 1, **NO_LIMITS})
    client = app.test_client()
    with app.app_context():
        gate = _gate()
    with gate.slot():
        started = time.perf_counter()
        resp = client.get("/figures/layers/parks.png?title=waits&size=400x300&dpi=72")
        waited = time.perf_counter() - started
    assert resp.status_code == 503 and 0.9 < waited < 5
    assert resp.headers["Retry-After"]


def test_render_rate_limit_counts_only_drawn_figures() -> None:
    app = create_app({"TESTING": True, "RATE_LIMIT_RENDER": "2 per minute"})
    client = app.test_client()
    url = "/figures/layers/parks.png?size=400x300&dpi=72&title="
    assert client.get(url + "a").status_code == 200
    for _ in range(3):  # cache hits are free
        assert client.get(url + "a").status_code == 200
    assert client.get(url + "b").status_code == 200
    resp = client.get(url + "c")
    assert resp.status_code == 429 and resp.mimetype == "application/json"
    assert resp.json["code"] == "TooManyRequests" and int(resp.headers["Retry-After"]) > 0
    assert client.get("/healthz").status_code == 200  # never limited


def test_search_and_download_rate_limits() -> None:
    app = create_app({"TESTING": True, "RATE_LIMIT_SEARCH": "3 per minute",
                      "RATE_LIMIT_DOWNLOAD": "1 per minute"})
    client = app.test_client()
    assert [client.get("/api/places?q=bei").status_code for _ in range(4)] == [200] * 3 + [429]
    assert client.get("/layers/parks/download.geojson").status_code == 200
    assert client.get("/layers/parks/download.geojson").status_code == 200  # cached: free
    resp = client.get("/layers/parks/download.csv")
    assert resp.status_code == 429 and resp.headers["Retry-After"]


def test_bad_rate_limit_settings_stop_the_app() -> None:
    from geo.errors import DataError

    with pytest.raises(DataError, match="RATE_LIMIT_RENDER"):
        create_app({"RATE_LIMIT_RENDER": "lots"})


# ---- 2 and 11. downloads on a full disk; the cache folders of killed servers -----------------


def test_a_download_on_a_full_disk_is_507_json_and_never_cached(
        small_disk: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    monkeypatch.setattr(tempfile, "tempdir", str(small_disk))
    app = create_app({"TESTING": True, **NO_LIMITS})
    client = app.test_client()
    whole = client.get("/layers/parks/download.kml")  # makes the cache folder, room enough
    assert whole.status_code == 200
    fill(small_disk, 30_000)
    for url in ("/layers/admin/download.kml", "/layers/admin/download.gpkg",
                "/layers/admin/download.geojson", "/layers/admin/download.csv"):
        resp = client.get(url)
        assert resp.status_code == 507, url
        assert resp.mimetype == "application/json" and resp.headers["Retry-After"]
        assert resp.json["code"] == "InsufficientStorage"
        assert str(small_disk) not in resp.get_data(as_text=True)
    (folder,) = [p for p in small_disk.iterdir() if p.name.startswith(PREFIX)]
    # the cache names carry the data version and the site: one file, the one that was written
    assert [p.name.endswith("-parks-4326.kml") for p in folder.iterdir()] == [True]
    (small_disk / "filler").unlink()
    again = client.get("/layers/admin/download.kml")
    assert again.status_code == 200
    assert again.data.rstrip().endswith(b"</kml>")


def test_cache_folders_of_killed_servers_are_removed(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = tmp_path / f"{PREFIX}{dead.pid}-abc"
    stale.mkdir()
    (stale / "parks-4326.kml").write_text("cut")
    alive = tmp_path / f"{PREFIX}1-xyz"  # pid 1 runs: not ours to remove
    alive.mkdir()
    app = create_app({"TESTING": True, **NO_LIMITS})
    assert app.test_client().get("/layers/parks/download.geojson").status_code == 200
    names = sorted(p.name for p in tmp_path.iterdir())
    assert stale.name not in names and alive.name in names
    assert any(n.startswith(f"{PREFIX}{os.getpid()}-") for n in names)


# ---- 12. the Content-Security-Policy -------------------------------------------------------


HTML_PAGES = ["/", "/?lang=en", "/places/yiheyuan", "/plans", "/layers", "/layers/parks",
              "/embed", "/ogcapi/collections/parks-polygons/items?f=html", "/nonexistent-page",
              "/plans/upload", "/plans/uploads"]


@pytest.mark.parametrize("url", HTML_PAGES)
def test_csp_lists_exactly_the_inline_scripts_of_the_page(client, url: str) -> None:
    resp = client.get(url)
    assert resp.mimetype == "text/html"
    policy = resp.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    body = resp.get_data(as_text=True)
    inline = re.findall(r"<script(?![^>]*\ssrc=)[^>]*>", body)
    hashes = script_hashes(body)
    assert len(hashes) == len(set(hashes)) and (inline == []) == (hashes == [])
    assert directives["script-src"].split() == ["'self'", *hashes]
    assert "unsafe" not in directives["script-src"]
    assert directives["object-src"] == "'none'" and directives["base-uri"] == "'none'"
    assert directives["script-src-attr"] == "'none'"
    # a pure function of the body: a cached body gets the same header
    assert policy == content_security_policy(body, frame_ancestors_of(policy))
    assert resp.headers["Referrer-Policy"] == "same-origin"
    assert "geolocation=()" in resp.headers["Permissions-Policy"]


def test_csp_on_answers_that_are_not_html(client) -> None:
    for url in ("/api/layers", "/healthz", "/static/site.css"):
        policy = client.get(url).headers["Content-Security-Policy"]
        assert "script-src 'self';" in policy and "object-src 'none'" in policy


# ---- 5 and 9. a fuzz of every HTML route with hostile query names and values ----------------


URL_FOR_CLASHES = ["/places/yiheyuan?place_id=x", "/?endpoint=x", "/plans?_method=1",
                   "/embed?_external=1", "/layers/parks?layer_id=x&_anchor=y&_scheme=ftp",
                   "/plans/{plan}?plan_id=x&values=1"]


@pytest.mark.parametrize("url", URL_FOR_CLASHES)
def test_query_names_that_clash_with_url_for(client, url: str) -> None:
    url = url.format(plan=default_store().plans()[0].id)
    resp = client.get(url)
    assert resp.status_code in (200, 400), (url, resp.status_code)


HOSTILE_NAMES = ["place_id", "endpoint", "_method", "_external", "_anchor", "_scheme",
                 "values", "lang", "layers", "q", "__proto__", "<script>alert(1)</script>",
                 "a\nb", "%00", "x" * 3000, "名称", "center", "zoom", "basemap", "f"]
HOSTILE_VALUES = ["<script>alert(1)</script>", "'\"><svg onload=alert(1)>", "%00", "\x00",
                  "../../etc/passwd", "1e309", "-1", "NaN", "x" * 5000, "'", "=HYPERLINK(1)",
                  "\ud7ff\ue000", "116.3,39.9,116.2,39.8", "javascript:alert(1)"]


def _html_routes() -> list[str]:
    store = default_store()
    ids = {"place_id": "yiheyuan", "plan_id": store.plans()[0].id, "layer_id": "parks",
           "collection_id": "parks", "collectionId": "parks",
           "feature_id": store.member_ids("parks")[0],
           "featureId": store.member_ids("parks")[0]}
    app = create_app({"TESTING": True})
    routes: set[str] = set()
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.rule.startswith(("/static", "/api")):
            continue
        if rule.endpoint.startswith(("figures.", "downloads.")):
            continue
        if not set(rule.arguments) <= set(ids):
            continue
        path = rule.rule
        for name in rule.arguments:
            path = re.sub(rf"<(?:[^:<>]+:)?{name}>", ids[name], path)
        routes.add(path)
    return sorted(routes)


@pytest.mark.slow
@pytest.mark.parametrize("route", _html_routes())
def test_hostile_query_strings_never_500_and_are_escaped(route: str) -> None:
    app = create_app({"TESTING": False, "OFFLINE_ASSETS": "raise", **NO_LIMITS})
    client = app.test_client()
    cases = [(name, "1") for name in HOSTILE_NAMES]
    cases += [(name, value) for value in HOSTILE_VALUES for name in ("q", "lang", "zz")]
    for name, value in cases:
        url = f"{route}?{quote(name, safe='')}={quote(value, safe='')}"
        resp = client.get(url, headers={"Accept": "text/html"})
        assert resp.status_code < 500, (url[:200], resp.status_code)
        body = resp.get_data().decode("utf-8", "replace")
        assert "Traceback" not in body
        if resp.mimetype == "text/html":  # JSON may name a parameter as sent: it is not run
            for raw in ("<script>alert(1)</script>", "<svg onload=alert(1)>"):
                assert raw not in body, (url[:200], raw)
    raw_query = route + "?%ff%fe=%c0%af&lang=%ed%a0%80"  # bytes that are not UTF-8
    assert client.get(raw_query).status_code < 500


# ---- 7. slow clients do not block /healthz ---------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_two_slow_header_clients_do_not_block_healthz() -> None:
    port = _free_port()
    server = subprocess.Popen([PLANMAP, "serve", "--workers", "2", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    slow: list[socket.socket] = []
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                    s.sendall(b"GET /healthz HTTP/1.0\r\n\r\n")
                    if b"200 OK" in s.recv(100):
                        break
            except OSError:
                pass
            assert server.poll() is None, server.stderr.read() if server.stderr else ""
            assert time.monotonic() < deadline, "gunicorn did not answer /healthz"
            time.sleep(0.5)
        for _ in range(2):  # two clients that send their headers a byte at a time, then stall
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            slow.append(s)
        time.sleep(1)
        for _ in range(5):
            started = time.perf_counter()
            with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
                s.sendall(b"GET /healthz HTTP/1.0\r\n\r\n")
                answer = s.recv(200)
            assert b"200 OK" in answer
            assert time.perf_counter() - started < 2
    finally:
        for s in slow:
            s.close()
        server.terminate()
        server.wait(timeout=30)


def test_serve_uses_gthread_workers_with_timeouts() -> None:
    import argparse

    from webmap.cli_serve import gunicorn_argv

    argv = gunicorn_argv(argparse.Namespace(workers=2, threads=8, timeout=60,
                                            host="127.0.0.1", port=8000))
    joined = " ".join(argv)
    assert "--worker-class gthread" in joined and "--threads 8" in joined
    assert "--timeout 60" in joined and "--graceful-timeout" in joined


def test_json_helpers_stay_json(client) -> None:
    assert json.loads(client.get("/healthz").data)["status"] == "ok"
