"""The store is the only door: every route, run against a store of two plans and a small
gazetteer, shows that store's plans and places and nothing of the default data.

The default data stays where it is (data/), so a route that reached around the store — to
`default_corpus()`, `default_gazetteer()`, a process-wide cache or a hard-coded id — would show a
plan or place this store does not have. Every GET rule of the app is requested, with its path
parameters filled from the store; a new route without a filler fails the test until one is added.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

import pytest
from layers_fixtures import TWO_PLANS, two_plan_store
from ogcapi_fixtures import expected_collections

from geo.intake import RESERVED
from layers.protocol import PlanStore
from layers.store import default_store
from webmap import create_app

SMALL_FIGURE = "size=300x200&dpi=50"
# Ids are ascii slugs: an id counts as present when it is a whole token (`qinghe` inside
# `qinghechuangxinjiedian` or `beijing` inside `beijing-2025-innovation-centre` is not it).
_TOKEN = re.compile(r"[A-Za-z0-9_-]+")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> PlanStore:
    return two_plan_store(tmp_path_factory.mktemp("no-boundaries"))


@pytest.fixture(scope="module")
def app(store: PlanStore):
    # every route and download of the store in one go: no per-client rate limit
    return create_app({"STORE": store, "TESTING": True, "OFFLINE_ASSETS": "raise",
                       "OGC_SYNTHETIC": False, "RATE_LIMIT_DOWNLOAD": "",
                       "RATE_LIMIT_RENDER": "", "RATE_LIMIT_SEARCH": ""})


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def foreign(store: PlanStore) -> dict[str, Any]:
    """Ids and names of the default data that this store does not have, and that its own
    content (plan text, names, layer definitions) does not contain either."""
    full = default_store()
    own_text = "\n".join([
        *(meta.text() for meta in store.plans()),
        *(s for p in store.gazetteer for s in (p.name, p.label, p.name_en, p.pinyin, p.note,
                                               p.source, *(a.text for a in p.aliases)) if s),
        *(json.dumps(layer.as_dict(), ensure_ascii=False) for layer in store.layers),
        json.dumps(store.definitions.themes, ensure_ascii=False),
        *(json.dumps(m.as_dict(), ensure_ascii=False) for m in store.plans()),
    ])
    own_tokens = set(_TOKEN.findall(own_text))
    other_plans = [m for m in full.plans() if m.id not in TWO_PLANS]
    other_places = [p for p in full.gazetteer if p.id not in store.gazetteer]
    assert len(other_plans) == 3 and len(other_places) > len(store.gazetteer)
    names = [s for m in other_plans for s in (m.title, m.short_title)]
    names += [p.label for p in other_places if len(p.label) >= 3]
    ids = {m.id for m in other_plans} | {p.id for p in other_places}
    return {
        "ids": ids - own_tokens,
        "names": sorted({n for n in names if n not in own_text}, key=len, reverse=True),
    }


def _layer_with_members(store: PlanStore, group: str) -> str:
    return next(la.id for la in store.layers if la.group == group and store.member_ids(la.id))


def _requests(app, store: PlanStore, client) -> list[tuple[str, str, int]]:
    """(rule, url, expected status) for every GET rule of the app."""
    place_ids = [p.id for p in store.gazetteer]
    located = [pid for pid in place_ids if store.place_record(pid)["located"]]
    layer_ids = store.layer_ids()
    plan_ids = [m.id for m in store.plans()]
    sample_layers = [_layer_with_members(store, g) for g in ("thematic", "structure", "plan")]
    collections = expected_collections(store)
    out: list[tuple[str, str, int]] = []

    def add(rule: str, url: str, status: int = 200) -> None:
        out.append((rule, url, status))

    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()):
            continue
        r, endpoint = rule.rule, rule.endpoint
        if endpoint == "static":
            add(r, "/static/favicon.ico")
        elif endpoint == "downloads.download":
            for lid in sample_layers:  # every format × CRS the layer page offers
                page = client.get(f"/layers/{lid}").get_data(as_text=True)
                links = re.findall(r'<a href="([^"]+)" download', page)
                assert links, lid
                for link in links:
                    add(r, link.replace("&amp;", "&"))
        elif endpoint == "downloads.place_download":
            page = client.get(f"/places/{located[0]}").get_data(as_text=True)
            links = re.findall(r'<a href="([^"]+)" download', page)
            assert links, located[0]
            for link in links:
                add(r, link.replace("&amp;", "&"))
            unlocated = [pid for pid in place_ids if pid not in located]
            for pid in unlocated[:1]:
                add(r, f"/places/{pid}/download.geojson", 400)
        elif endpoint == "compare.compare_page":
            add(r, r)
            add(r, f"{r}?a={plan_ids[0]}&b={plan_ids[-1]}")
            add(r, f"{r}?a={plan_ids[-1]}&b={plan_ids[0]}&lang=en")
        elif endpoint == "compare.group_geojson":
            for group in ("both", "only_a", "only_b"):
                add(r, f"/compare/{group}.geojson?a={plan_ids[0]}&b={plan_ids[-1]}")
        elif endpoint.startswith("figures."):
            if endpoint == "figures.limits":
                add(r, "/figures")
            elif endpoint == "figures.layers_figure":
                for lid in sample_layers:
                    add(r, f"/figures/layers/{lid}.png?{SMALL_FIGURE}")
                add(r, f"/figures/layers/{','.join(sample_layers[:2])}.svg?{SMALL_FIGURE}")
            elif endpoint == "figures.place_figure":
                add(r, f"/figures/places/{located[0]}.svg?{SMALL_FIGURE}")
            elif endpoint == "figures.plan_figure":
                for pid in plan_ids:
                    add(r, f"/figures/plans/{pid}.png?{SMALL_FIGURE}")
        elif endpoint in {"edits.queue", "auth.tokens", "intake.list_uploads"}:
            add(r, r, 403)  # this app has no database: read-only, no accounts
        elif endpoint == "intake.get_upload":
            for pid in plan_ids:
                add(r, r.replace("<plan_id>", pid), 403)
        elif endpoint == "edits.revision":
            add(r, "/api/revisions/1", 404)
        elif endpoint.split(".")[0] in {"edit_pages", "review_pages"}:
            # no database: corrections and their review say so, for any place the store has
            for pid in place_ids[:3]:
                add(r, r.replace("<place_id>", pid).replace("<int:revision_id>", "1"), 400)
        elif endpoint == "ogcapi.unknown":
            add(r, "/ogcapi/nowhere", 404)
        elif endpoint == "ogcapi.item":
            for cid, (_, feats) in collections.items():  # OGC: one geometry family each
                for fid in [f["id"] for f in feats][:1]:
                    add(r, f"/ogcapi/collections/{cid}/items/{quote(fid)}")
                    add(r, f"/ogcapi/collections/{cid}/items/{quote(fid)}?f=html")
        elif "<collection_id>" in r:
            for cid in collections:
                add(r, r.replace("<collection_id>", cid))
                add(r, r.replace("<collection_id>", cid) + "?f=html")
            if endpoint == "ogcapi.items":
                kw = store.search_keywords(located[0])
                q = kw[-1] if kw else store.gazetteer.get(located[0]).name
                for cid, (lid, _) in collections.items():
                    if lid == sample_layers[2]:
                        add(r, f"/ogcapi/collections/{cid}/items?q={quote(q)}")
        elif endpoint.startswith("ogcapi."):
            add(r, r)
            add(r, r + ("&" if "?" in r else "?") + "f=html")
        elif endpoint == "api.places":
            for pid in place_ids[:5]:
                add(r, "/api/places?q=" + quote(store.gazetteer.get(pid).name))
        elif endpoint == "embed.oembed":
            add(r, "/oembed?url=" + quote(f"http://localhost/places/{located[0]}"))
            add(r, "/oembed?url=" + quote(f"http://localhost/layers/{sample_layers[0]}"))
            add(r, "/oembed?url=" + quote("http://localhost/"))
        elif "<" not in r:
            add(r, r)
            if endpoint in {"pages.atlas", "embed.embed_page"}:
                add(r, f"{r}?place={located[0]}&lang=en")
            if endpoint == "api.basemap_geojson":
                add(r, r + "?crs=gcj02")
        elif "<place_id>" in r:
            for pid in place_ids:
                add(r, r.replace("<place_id>", pid))
        elif "<layer_id>" in r:
            for lid in layer_ids:
                add(r, r.replace("<layer_id>", lid))
                if endpoint == "api.layer_geojson":
                    add(r, r.replace("<layer_id>", lid) + "?crs=GCJ-02")
        elif "<plan_id>" in r:
            for pid in plan_ids:
                add(r, r.replace("<plan_id>", pid))
        else:
            raise AssertionError(f"no values to fill in route {r} ({endpoint}): add a filler")
    covered = {rule for rule, _, _ in out}
    every = {r.rule for r in app.url_map.iter_rules() if "GET" in (r.methods or ())}
    assert covered == every
    return out


def test_every_route_shows_only_the_stores_plans_and_places(app, store, client, foreign):
    requests = _requests(app, store, client)
    assert len(requests) > 100
    names = re.compile("|".join(map(re.escape, foreign["names"])))
    assert foreign["ids"] and foreign["names"]
    problems: list[str] = []
    for rule, url, expected in requests:
        resp = client.get(url)
        if resp.status_code != expected:
            problems.append(f"{url}: {resp.status_code} (expected {expected}) "
                            f"{resp.get_data(as_text=True)[:200]!r}")
            continue
        if resp.mimetype in {"application/zip", "application/pdf", "image/png"}:
            continue  # compressed bytes: status only
        body = resp.get_data().decode("utf-8", errors="ignore")
        leaked = sorted(set(_TOKEN.findall(body)) & foreign["ids"])
        leaked += sorted(set(names.findall(body)))
        if leaked:
            problems.append(f"{url} ({rule}) shows default data: {leaked[:8]}")
        if resp.mimetype == "text/html":
            # /plans/upload and /plans/uploads are pages (geo.intake.RESERVED), not plans
            plans = set(re.findall(r'href="/plans/([^"?#/]+)', body)) - RESERVED
            places = set(re.findall(r'href="/places/([^"?#/]+)', body))
            if not plans <= set(TWO_PLANS):
                problems.append(f"{url} links plans {sorted(plans - set(TWO_PLANS))}")
            unknown = places - set(store.gazetteer.places)
            if unknown:
                problems.append(f"{url} links places {sorted(unknown)}")
    assert not problems, "\n".join(problems[:40])


def test_healthz_and_api_plans_list_exactly_the_stores_plans(client, store):
    health = client.get("/healthz").get_json()
    assert [p["id"] for p in health["plans"]] == [m.id for m in store.plans()]
    assert sorted(m.id for m in store.plans()) == sorted(TWO_PLANS)
    assert health["version"] == store.version != default_store().version
    listed = client.get("/api/plans").get_json()["plans"]
    assert [p["id"] for p in listed] == [m.id for m in store.plans()]
    page = client.get("/plans").get_data(as_text=True)
    assert sorted(set(re.findall(r'href="/plans/([^"?]+)', page))) == sorted(TWO_PLANS)
    for missing in (m.id for m in default_store().plans() if m.id not in TWO_PLANS):
        assert client.get(f"/api/plans/{missing}").status_code == 404
        assert client.get(f"/plans/{missing}").status_code == 404
        assert client.get(f"/figures/plans/{missing}.png").status_code == 404


def test_the_ogc_catalog_is_the_stores(client, store):
    """Every layer of the store, split by geometry family where it mixes them (docs/ogcapi.md),
    and nothing else."""
    doc = client.get("/ogcapi/collections").get_json()
    collections = expected_collections(store)
    assert [c["id"] for c in doc["collections"]] == list(collections)
    served: dict[str, set[str]] = {}
    for cid, (layer_id, feats) in collections.items():
        page = client.get(f"/ogcapi/collections/{cid}/items?limit=10000").get_json()
        assert {f["id"] for f in page["features"]} == {f["id"] for f in feats}
        served.setdefault(layer_id, set()).update(f["id"] for f in page["features"])
    for layer_id in store.layer_ids():
        assert served.get(layer_id, set()) == set(store.member_ids(layer_id)), layer_id


def test_plan_page_links_the_stores_mentions(client, store):
    for plan_id in TWO_PLANS:
        html = client.get(f"/plans/{plan_id}").get_data(as_text=True)
        linked = re.findall(r'class="pm-mention" href="/places/([^"?]+)', html)
        spans = [m.place_id for p in store.plan_document(plan_id).paragraphs for m in p.mentions]
        assert linked == spans and set(linked) <= set(store.plan_places(plan_id))


def test_search_and_basemap_come_from_the_store(client, store):
    left_out = next(p for p in default_store().gazetteer
                    if p.id not in store.gazetteer and len(p.name) >= 3)
    hits = client.get("/api/places", query_string={"q": left_out.name}).get_json()["results"]
    assert left_out.id not in {h["id"] for h in hits}
    basemap = client.get("/api/basemap.geojson").get_json(force=True)
    names = {f["properties"]["name"] for f in basemap["features"]}
    assert names == {f.name for f in store.basemap_features()}
    assert names <= {p.label for p in store.gazetteer}  # no boundaries: the gazetteer's lines


def test_two_apps_keep_their_own_caches(client, store):
    """Bodies and figures are cached per app and store version: the default app's layer body
    and this one's differ, whichever was asked first."""
    lid = _layer_with_members(store, "thematic")
    mine = client.get(f"/api/layers/{lid}.geojson").get_json(force=True)
    default = create_app({"TESTING": True}).test_client()
    theirs = default.get(f"/api/layers/{lid}.geojson").get_json(force=True)
    assert {f["id"] for f in mine["features"]} == set(store.member_ids(lid))
    assert len(theirs["features"]) > len(mine["features"])
    assert client.get(f"/api/layers/{lid}.geojson").get_json(force=True) == mine
