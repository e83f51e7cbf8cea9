"""The corrections workflow on both backends: propose, approve, reject, revert; roles; stale
bases refused with the newer revision; results checked by the gazetteer's own rules; approved
changes served by the DatabaseStore."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from geo.errors import BadRequest, NotFound
from layers.db import audit
from layers.db.engine import Database
from layers.db.errors import Conflict, Forbidden, PreconditionFailed
from layers.db.store import DatabaseStore
from layers.edits.service import Edits

PARK = "zhongguancunruanjianyuan"  # a polygon in the parks layer
NODE = "yuyuantankejishangwujiedian"  # a point
OUTLINE = {"type": "Polygon", "coordinates": [[[116.27, 40.046], [116.293, 40.046],
                                               [116.293, 40.06], [116.27, 40.06],
                                               [116.27, 40.046]]]}


def correction(**extra) -> dict:
    return {"geometry": OUTLINE, "precision": "approximate", "error_m": 80,
            "basis": "hand-placed", "source": "2026 survey of the park fence",
            "note": "redrawn from the survey", **extra}


@pytest.fixture()
def store(db: Database, base_store) -> Iterator[DatabaseStore]:
    store = DatabaseStore(db, base_store, background=False)
    yield store
    store.close()


@pytest.fixture()
def edits(store: DatabaseStore) -> Edits:
    return store.edits


def test_propose_then_approve_goes_live(store, edits, people, base_store) -> None:
    before = store.place_record(PARK)
    rev = edits.propose_geometry(people["editor"], PARK, correction(), None, "fence surveyed",
                                 "192.0.2.7")
    assert rev["status"] == "proposed" and rev["author"] == "editor"
    assert rev["geometry"]["type"] == "Polygon" and rev["base_revision"] is None
    assert [r["id"] for r in edits.queue()] == [rev["id"]]
    store.refresh()
    assert store.place_record(PARK)["geometry"] == before["geometry"]  # not yet approved

    approved = edits.approve(people["reviewer"], rev["id"], "matches the survey", "192.0.2.8")
    assert approved["status"] == "approved" and approved["reviewer"] == "reviewer"
    assert store.refresh()
    record = store.place_record(PARK)
    assert record["precision"] == "approximate" and record["error_m"] == 80
    assert record["source"] == "2026 survey of the park fence"
    assert tuple(record["geometry"]["coordinates"][0][0]) == (116.27, 40.046)
    assert store.version != base_store.version
    layer_feature = next(f for f in store.features(record["layers"][0]) if f["id"] == PARK)
    assert layer_feature["properties"]["accuracy_en"] != before["accuracy_en"]
    assert edits.queue() == []
    history = edits.history(PARK)
    assert history["head"] == rev["id"] and history["etag"] == f'"{PARK}.{rev["id"]}"'
    actions = [(e["action"], e["username"], e["client"], e["revision_id"])
               for e in audit.entries(edits.db)]
    assert actions[-2:] == [("propose", "editor", "192.0.2.7", rev["id"]),
                            ("approve", "reviewer", "192.0.2.8", rev["id"])]


def test_a_stale_base_is_refused_with_the_newer_revision(edits, people) -> None:
    first = edits.propose_geometry(people["editor"], PARK, correction(), None)
    second = edits.propose_geometry(people["editor2"], PARK, correction(error_m=50), None)
    edits.approve(people["reviewer"], first["id"])
    # approving the second would silently undo the first: refused, and it says by what
    with pytest.raises(Conflict) as refused:
        edits.approve(people["reviewer"], second["id"])
    assert refused.value.http_status == 409 and refused.value.current["id"] == first["id"]
    # a new proposal on the old base is refused too; with If-Match it is a 412
    with pytest.raises(Conflict) as stale:
        edits.propose_geometry(people["editor2"], PARK, correction(), None)
    assert stale.value.current["id"] == first["id"]
    with pytest.raises(PreconditionFailed) as precondition:
        edits.propose_geometry(people["editor2"], PARK, correction(), None, if_match=True)
    assert precondition.value.http_status == 412
    redo = edits.propose_geometry(people["editor2"], PARK, correction(error_m=50), first["id"])
    assert edits.approve(people["reviewer"], redo["id"])["approved_seq"] == 2
    assert edits.get(second["id"])["status"] == "proposed"  # still there, for a rejection


def test_roles_are_checked_by_the_core(edits, people) -> None:
    with pytest.raises(Forbidden):
        edits.propose_geometry(people["viewer"], PARK, correction(), None)
    rev = edits.propose_geometry(people["editor"], PARK, correction(), None)
    with pytest.raises(Forbidden):
        edits.approve(people["editor2"], rev["id"])
    with pytest.raises(Forbidden):
        edits.reject(people["editor2"], rev["id"], "not mine to reject")
    own = edits.propose_geometry(people["reviewer"], NODE, correction(
        geometry={"type": "Point", "coordinates": [116.3112, 39.9181]}), None)
    with pytest.raises(Forbidden, match="own proposal"):
        edits.approve(people["reviewer"], own["id"])
    assert edits.approve(people["admin"], rev["id"])["status"] == "approved"


def test_reject_needs_a_reason_and_an_author_may_withdraw(edits, people) -> None:
    rev = edits.propose_geometry(people["editor"], PARK, correction(), None)
    with pytest.raises(BadRequest):
        edits.reject(people["reviewer"], rev["id"], "  ")
    withdrawn = edits.reject(people["editor"], rev["id"], "drew the wrong park")
    assert withdrawn["status"] == "rejected" and withdrawn["review_reason"]
    with pytest.raises(Conflict, match="rejected already"):
        edits.approve(people["reviewer"], rev["id"])
    with pytest.raises(NotFound):
        edits.approve(people["reviewer"], 9999)


@pytest.mark.parametrize(("body", "message"), [
    ({"geometry": {"type": "Point", "coordinates": [39.99, 116.3]}}, "outside Beijing"),
    ({"geometry": {"type": "Polygon", "coordinates": [[[116.3, 40.0], [116.31, 40.01],
                                                        [116.31, 40.0], [116.3, 40.01],
                                                        [116.3, 40.0]]]}}, "invalid"),
    ({"geometry": {"type": "Point", "coordinates": [116.3, 40.0]}}, "geometry_type"),
    ({"source": ""}, "source is required"),
    ({"precision": "exact"}, "precision must be one of"),
    ({"error_m": 0}, "error_m"),
    ({"geometry": "POINT(116 40)"}, "GeoJSON geometry"),
])
def test_bad_corrections_are_refused_with_a_reason(edits, people, body, message) -> None:
    with pytest.raises(BadRequest, match=message):
        edits.propose_geometry(people["editor"], PARK, correction(**body), None)
    assert edits.queue() == []


def test_review_view_shows_before_after_and_changed_fields(edits, people) -> None:
    rev = edits.propose_geometry(people["editor"], PARK, correction(), None)
    view = edits.get(rev["id"])
    assert view["before"]["properties"]["precision"] == "schematic"
    assert view["after"]["properties"]["precision"] == "approximate"
    assert {"geometry", "precision", "error_m", "source", "note"} <= set(view["changed"])
    assert "name" not in view["changed"] and view["current_head"] is None


def test_revert_is_a_revision_and_restores_the_data_files(store, edits, people, base_store
                                                         ) -> None:
    rev = edits.propose_geometry(people["editor"], PARK, correction(), None)
    edits.approve(people["reviewer"], rev["id"])
    store.refresh()
    assert store.version != base_store.version
    back = edits.revert(people["editor"], PARK, None, rev["id"], "the survey was of the wrong "
                        "park")
    assert back["kind"] == "revert" and back["changes"]["to"] is None
    edits.approve(people["reviewer"], back["id"], "agreed")
    store.refresh()
    assert store.place_record(PARK) == base_store.place_record(PARK)
    assert store.version == base_store.version  # same content, same version: caches stay valid
    kinds = [(r["kind"], r["status"]) for r in edits.history(PARK)["revisions"]]
    assert kinds == [("revert", "approved"), ("geometry", "approved")]
    with pytest.raises(BadRequest, match="no approved revision"):
        edits.revert(people["editor"], PARK, 9999, back["id"])


def test_new_place_and_alias_go_live_with_a_full_rebuild(store, edits, people) -> None:
    new = edits.propose_place(people["editor"], {
        "id": "xinjianyuan", "name": "新建测试园", "kind": "park", "precision": "approximate",
        "source": "survey", "layer": "parks", "themes": ["ecology"], "parent": "haidianqu",
        "geometry": {"type": "Point", "coordinates": [116.25, 40.02]},
    }, "a park the plans will name")
    alias = edits.propose_alias(people["editor"], PARK, {"text": "软件园一期"}, None)
    with pytest.raises(Conflict, match="exists already"):
        edits.propose_place(people["editor"], {"id": PARK, "name": "x", "kind": "park",
                                               "precision": "approximate", "source": "s",
                                               "geometry": None})
    edits.approve(people["reviewer"], new["id"])
    edits.approve(people["reviewer"], alias["id"])
    store.refresh()
    assert store.place_record("xinjianyuan")["name"] == "新建测试园"
    assert store.search("新建测试园")[0]["id"] == "xinjianyuan"
    assert store.search("软件园一期")[0]["id"] == PARK
    assert store.stats["places"] == len(store.base.gazetteer) + 1
    # a name already claimed by another place everywhere is refused
    with pytest.raises(BadRequest, match="alias clash"):
        edits.propose_alias(people["editor"], "yiheyuan", {"text": "新建测试园"}, None)
