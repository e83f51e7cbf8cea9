"""webmap.page_cache: pages and JSON rendered once per data version, served with ETag/304/gzip.

Every test compares the cached answer with what the app renders without the cache, so a cache
that served another page, stale data or headers of another body would fail here.
"""

from __future__ import annotations

import gzip
from dataclasses import replace

import pytest

from geo.gazetteer import Gazetteer, default_gazetteer
from layers.store import LayerStore, default_store
from webmap import create_app
from webmap.page_cache import page_cache
from webmap.sources import STORE_KEY

PLACE = "qinghe"
PAGES = ["/", "/embed", f"/places/{PLACE}", "/plans", "/layers", "/layers/zones",
         "/api/layers", "/api/plans", f"/api/places/{PLACE}", "/api/places?q=qinghe"]


def make_app(**settings):
    return create_app({"OFFLINE_ASSETS": "raise", "TESTING": True, **settings})


@pytest.fixture(scope="module")
def uncached():
    return make_app(PAGE_CACHE_ENTRIES=0).test_client()


@pytest.fixture()
def fresh():
    """An app of its own per test: hit/miss counts start at zero."""
    return make_app()


def plan_id() -> str:
    return default_store().plans()[0].id


@pytest.mark.parametrize("path", [*PAGES, "/plans/PLAN"])
def test_second_answer_is_the_first_from_memory(fresh, uncached, path):
    path = path.replace("PLAN", plan_id())
    client = fresh.test_client()
    first = client.get(path)
    second = client.get(path)
    plain = uncached.get(path)
    assert first.status_code == second.status_code == plain.status_code == 200
    assert first.headers["X-Page-Cache"] == "miss" and second.headers["X-Page-Cache"] == "hit"
    assert "X-Page-Cache" not in plain.headers  # PAGE_CACHE_ENTRIES=0: no cache at all
    assert first.data == second.data == plain.data
    # headers computed from the body (the CSP and its script hashes) are kept with it
    for name in ("Content-Type", "Content-Security-Policy", "X-Frame-Options",
                 "X-Content-Type-Options", "Referrer-Policy"):
        assert second.headers.get(name) == plain.headers.get(name), name
    assert second.headers["ETag"] == first.headers["ETag"]
    assert "must-revalidate" in second.headers["Cache-Control"]
    assert "s-maxage=1" in second.headers["Cache-Control"]


def test_etag_304_head_and_gzip(fresh):
    client = fresh.test_client()
    plain = client.get("/")
    zipped = client.get("/", headers={"Accept-Encoding": "gzip, deflate"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == plain.data
    assert len(zipped.data) < len(plain.data) / 3
    assert "Content-Encoding" not in plain.headers
    refused = client.get("/", headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert "Content-Encoding" not in refused.headers and refused.data == plain.data
    # each representation has its own strong tag; either one revalidates the page
    assert zipped.headers["ETag"] != plain.headers["ETag"]
    assert not zipped.headers["ETag"].startswith("W/")
    for tag in (plain.headers["ETag"], zipped.headers["ETag"]):
        again = client.get("/", headers={"If-None-Match": tag, "Accept-Encoding": "gzip"})
        assert again.status_code == 304 and again.data == b""
        assert again.headers["ETag"] == zipped.headers["ETag"]
        assert again.headers["Vary"] == "Accept-Encoding, Accept-Language"
    assert client.get("/", headers={"If-None-Match": '"other"'}).status_code == 200
    head = client.head("/")
    assert head.status_code == 200 and head.data == b""
    assert head.headers["ETag"] == plain.headers["ETag"]
    assert int(head.headers["Content-Length"]) == len(plain.data)


def test_vary_by_language_and_accept_language_folds(fresh):
    client = fresh.test_client()
    en = client.get("/plans", headers={"Accept-Language": "en"})
    en_gb = client.get("/plans", headers={"Accept-Language": "en-GB,en;q=0.9,zh;q=0.1"})
    zh = client.get("/plans", headers={"Accept-Language": "zh-CN,zh"})
    asked = client.get("/plans?lang=en", headers={"Accept-Language": "zh"})
    assert en_gb.headers["X-Page-Cache"] == "hit" and en_gb.data == en.data
    assert 'lang="en"' in en.get_data(as_text=True)
    assert "<html lang=\"zh-CN\">" in zh.get_data(as_text=True) and zh.data != en.data
    assert asked.headers["X-Page-Cache"] == "miss" and 'lang="en"' in asked.get_data(as_text=True)
    for resp in (en, zh):
        assert resp.headers["Vary"] == "Accept-Encoding, Accept-Language"
    assert client.get("/api/plans").headers["Vary"] == "Accept-Encoding"


def test_unknown_parameters_are_dropped_and_bad_ones_still_refused(fresh, uncached):
    client = fresh.test_client()
    base = client.get(f"/places/{PLACE}?lang=en")
    noisy = client.get(f"/places/{PLACE}?utm_source=x&lang=en&zzz=%3Cscript%3E")
    assert noisy.headers["X-Page-Cache"] == "hit" and noisy.data == base.data
    assert b"zzz" not in noisy.data and b"utm_source" not in noisy.data
    # the view never saw the extra parameter: the language link carries only lang
    assert uncached.get(f"/places/{PLACE}?lang=en").data == base.data
    atlas = client.get("/?zoom=12&foo=1")
    assert client.get("/?foo=2&zoom=12").headers["X-Page-Cache"] == "hit"
    assert atlas.data != client.get("/").data
    before = len(page_cache(fresh))
    for bad in ("/?zoom=99", "/?lang=fr", "/plans?lang=fr", "/places/no-such-place",
                "/api/places?q=", "/embed?title=" + "x" * 500):
        first, second = client.get(bad), client.get(bad)
        assert first.status_code == second.status_code and 400 <= first.status_code < 500, bad
        assert "X-Page-Cache" not in first.headers and "X-Page-Cache" not in second.headers
    assert len(page_cache(fresh)) == before


def test_size_bounds_evict_least_recently_used():
    app = make_app(PAGE_CACHE_ENTRIES=2)
    client = app.test_client()
    cache = page_cache(app)
    for path in ("/plans", "/layers", "/plans", "/api/plans"):  # /plans used again: /layers out
        client.get(path)
    assert len(cache) == 2
    assert client.get("/plans").headers["X-Page-Cache"] == "hit"
    assert client.get("/layers").headers["X-Page-Cache"] == "miss"

    paths = ("/api/plans", "/plans", "/layers", "/api/layers")
    measure = make_app()
    sizes = []
    for path in paths:
        before = page_cache(measure).size
        measure.test_client().get(path)
        sizes.append(page_cache(measure).size - before)
    bound = sizes[2] + sizes[3] + min(sizes[0], sizes[1]) // 2  # room for the last two only
    small = make_app(PAGE_CACHE_BYTES=bound)
    client = small.test_client()
    cache = page_cache(small)
    for path in paths:
        client.get(path)
        assert cache.size <= bound
    assert len(cache) == 2
    assert client.get("/layers").headers["X-Page-Cache"] == "hit"
    assert client.get("/api/plans").headers["X-Page-Cache"] == "miss"
    plan = f"/plans/{plan_id()}"
    big = client.get(plan)  # larger than the whole bound: served, never kept
    assert big.status_code == 200 and len(big.data) > bound and cache.size <= bound
    assert client.get(plan).headers["X-Page-Cache"] == "miss"


def test_new_data_version_renders_a_new_page(fresh):
    """The store's version names its data: another version is another page, the old tag no
    longer revalidates, and the old entries are dropped."""
    client = fresh.test_client()
    old = client.get(f"/places/{PLACE}")
    assert client.get(f"/places/{PLACE}").headers["X-Page-Cache"] == "hit"
    base = default_gazetteer()
    note = "页面缓存测试：新的数据版本"
    changed = LayerStore(gazetteer=Gazetteer(
        [replace(p, note=note) if p.id == PLACE else p for p in base]))
    assert changed.version != default_store().version
    fresh.extensions[STORE_KEY] = changed
    new = client.get(f"/places/{PLACE}", headers={"If-None-Match": old.headers["ETag"]})
    assert new.status_code == 200 and new.headers["X-Page-Cache"] == "miss"
    assert note in new.get_data(as_text=True) and note not in old.get_data(as_text=True)
    assert new.headers["ETag"] != old.headers["ETag"]
    assert len(page_cache(fresh)) == 1  # the old version's entries are gone
    assert client.get(f"/api/places/{PLACE}").get_json()["note"] == note


def test_per_request_headers_are_not_stored():
    app = make_app()
    count = {"n": 0}

    @app.after_request
    def counter(resp):
        count["n"] += 1
        resp.headers["X-RateLimit-Remaining"] = str(100 - count["n"])
        return resp

    client = app.test_client()
    first = client.get("/plans")
    second = client.get("/plans")
    assert first.headers["X-RateLimit-Remaining"] == "99"
    assert second.headers["X-Page-Cache"] == "hit" and "X-RateLimit-Remaining" not in second.headers
    assert count["n"] == 1  # the hit never entered Flask


def test_signed_in_requests_are_answered_by_the_app(fresh, uncached):
    client = fresh.test_client()
    client.get("/plans")
    name = fresh.config.get("SESSION_COOKIE_NAME") or "session"
    # the test client writes the Cookie header from its own jar (a Cookie header passed in
    # `headers` is replaced), so the cookies go through the jar
    client.set_cookie(name, "abc")
    resp = client.get("/plans")
    assert resp.status_code == 200 and "X-Page-Cache" not in resp.headers
    assert resp.data == uncached.get("/plans").data
    client.delete_cookie(name)
    resp = client.get("/plans", headers={"Authorization": "Bearer token"})
    assert resp.status_code == 200 and "X-Page-Cache" not in resp.headers
    assert resp.data == uncached.get("/plans").data
    client.set_cookie(f"x{name}", "1")  # a cookie whose name merely ends like the session's
    client.set_cookie("other", "1")
    assert client.get("/plans").headers["X-Page-Cache"] == "hit"


def test_reading_behind_sign_in_is_never_answered_from_memory():
    client = make_app(READ_REQUIRES_LOGIN=True).test_client()
    for _ in range(2):
        page = client.get("/plans")
        assert page.status_code == 303 and "/login" in page.headers["Location"]
        assert "X-Page-Cache" not in page.headers
        api = client.get("/api/plans")
        assert api.status_code == 401 and "X-Page-Cache" not in api.headers
