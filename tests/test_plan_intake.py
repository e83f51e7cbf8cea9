"""Plans added at run time, on both backends: proposed with their file, approved (four eyes),
served by the store in time order with their layer and citations, refused twice, withdrawn and
restored with audit entries; stop rules from the names review; a new place found in earlier
plans after its approval; and `planmap plans add` for every format."""

from __future__ import annotations

import pytest
from plan_documents import (
    UNKNOWN_ROAD,
    plan_docx,
    plan_gbk,
    plan_html,
    plan_pdf,
    scanned_pdf,
)
from sqlalchemy import exc, text

from geo.errors import PlanmapError
from geo.intake import read_upload
from layers.db import audit
from layers.db.engine import Database
from layers.db.errors import Conflict, Forbidden
from layers.db.plans import Duplicate
from layers.db.store import DatabaseStore
from webmap.cli import main

ROAD_LINE = {"type": "LineString", "coordinates": [[116.2, 40.05], [116.25, 40.06]]}


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return plan_pdf()


@pytest.fixture()
def store(db, base_store):
    s = DatabaseStore(db, base_store, background=False)
    yield s
    s.close()


def _actions(db) -> list[str]:
    return [e["action"] for e in audit.entries(db) if e["action"].startswith(("plan", "stop"))]


def test_an_upload_is_served_once_approved(store, people, pdf) -> None:
    before = store.version
    plan = store.intake.propose(people["editor"], read_upload(pdf, "plan.pdf"), {})
    assert plan["status"] == "proposed" and not plan["live"] and plan["pages"] == 2
    store.refresh()
    assert plan["id"] not in store.corpus.plans and store.version == before
    with pytest.raises(Forbidden):
        store.intake.approve(people["editor"], plan["id"])
    store.intake.approve(people["reviewer"], plan["id"], "read it")
    assert store.refresh()
    assert store.version != before
    ids = [m.id for m in store.plans()]
    assert ids[-1] == plan["id"], "the 2025-03-18 plan comes last in time order"
    layer = store.layer(f"plan-{plan['id']}")
    assert layer.plan_id == plan["id"] and store.features(layer.id)
    passages = [p for p in store.place_record("beiqinglu")["passages"]
                if p["plan_id"] == plan["id"]]
    assert passages and all("页)" in p["citation"] for p in passages)
    assert any(p["citation_en"].endswith("p. 2") for p in passages)
    document = store.plan_document(plan["id"])
    assert document.outline[1].title == "总体要求"
    assert _actions(store.db) == ["plan_propose", "plan_approve"]


def test_the_same_file_twice_is_refused_with_the_plans_id(store, people, pdf) -> None:
    first = store.intake.propose(people["editor"], read_upload(pdf, "a.pdf"), {})
    with pytest.raises(Duplicate) as caught:
        store.intake.propose(people["editor2"], read_upload(pdf, "renamed.pdf"), {"id": "x-1"})
    assert first["id"] in caught.value.message and caught.value.current["plan_id"] == first["id"]
    store.intake.reject(people["reviewer"], first["id"], "wrong year")
    again = store.intake.propose(people["editor2"], read_upload(pdf, "a.pdf"),
                                 {"id": "haidian-green-heart"})
    assert again["id"] == "haidian-green-heart"
    with pytest.raises(Conflict):
        store.intake.propose(people["editor"], read_upload(plan_gbk(), "g.txt"),
                             {"id": "haidian-14th-fyp"})


def test_four_eyes_and_the_author_taking_back(store, people, pdf) -> None:
    plan = store.intake.propose(people["reviewer"], read_upload(pdf, "p.pdf"), {})
    with pytest.raises(Forbidden):
        store.intake.approve(people["reviewer"], plan["id"])
    store.intake.reject(people["reviewer"], plan["id"], "taken back")  # the author may
    mine = store.intake.propose(people["admin"], read_upload(plan_gbk(), "g.txt"), {})
    assert store.intake.approve(people["admin"], mine["id"])["status"] == "approved"
    other = store.intake.propose(people["editor"], read_upload(plan_docx(), "d.docx"), {})
    with pytest.raises(Forbidden):
        store.intake.reject(people["editor2"], other["id"], "not mine to reject")


def test_withdraw_and_restore_leave_audit_entries(store, people, pdf) -> None:
    plan = store.intake.propose(people["editor"], read_upload(pdf, "p.pdf"), {})
    store.intake.approve(people["reviewer"], plan["id"])
    store.refresh()
    assert plan["id"] in store.corpus.plans
    with pytest.raises(Forbidden):
        store.intake.set_withdrawn(people["editor"], plan["id"], True, "no")
    with pytest.raises(PlanmapError):
        store.intake.set_withdrawn(people["reviewer"], plan["id"], True, "")  # a reason
    store.intake.set_withdrawn(people["reviewer"], plan["id"], True, "superseded")
    store.refresh()
    assert plan["id"] not in store.corpus.plans
    with pytest.raises(Duplicate) as caught:
        store.intake.propose(people["editor"], read_upload(pdf, "p.pdf"), {"id": "p-2"})
    assert "withdrawn" in caught.value.message
    store.intake.set_withdrawn(people["reviewer"], plan["id"], False, "still in force")
    store.refresh()
    assert plan["id"] in store.corpus.plans
    entries = [e for e in audit.entries(store.db) if e["action"] in ("plan_withdraw",
                                                                      "plan_restore")]
    assert [(e["action"], e["username"], e["detail"]["reason"]) for e in entries] == [
        ("plan_withdraw", "reviewer", "superseded"), ("plan_restore", "reviewer",
                                                      "still in force")]


def test_stop_rules_are_applied_by_the_finder(store, people, pdf) -> None:
    plan = store.intake.propose(people["editor"], read_upload(pdf, "p.pdf"), {})
    store.intake.approve(people["reviewer"], plan["id"])
    store.refresh()

    def mentions() -> int:
        return sum(len(p["mentions"]) for p in store.place_record("beiqinglu")["passages"]
                   if p["plan_id"] == plan["id"])

    before = mentions()
    rule = store.intake.dismiss(people["editor"], "北清路创新走廊", "a policy label",
                                plan["id"])
    with pytest.raises(Conflict):
        store.intake.dismiss(people["editor2"], "北清路创新走廊", "again")
    store.refresh()
    assert mentions() == before - 1
    assert store.current().rules.stops[-1].text == "北清路创新走廊"
    with pytest.raises(Forbidden):
        store.intake.lift(people["editor"], rule["id"], "no")
    store.intake.lift(people["reviewer"], rule["id"], "it names the road")
    store.refresh()
    assert mentions() == before
    assert _actions(store.db)[-2:] == ["stop_add", "stop_lift"]


def test_an_approved_new_place_is_found_in_earlier_plans(store, people, pdf) -> None:
    earlier = store.intake.propose(people["editor"], read_upload(plan_gbk(), "g.txt"), {})
    later = store.intake.propose(people["editor"], read_upload(pdf, "p.pdf"), {})
    for plan in (earlier, later):
        store.intake.approve(people["reviewer"], plan["id"])
    store.refresh()
    assert "jinxiuhulu" not in store.gazetteer
    body = {"id": "jinxiuhulu", "name": UNKNOWN_ROAD, "kind": "road", "precision": "approximate",
            "source": "drawn for the test", "geometry": ROAD_LINE}
    rev = store.edits.propose_place(people["editor"], body, "named in the new plan")
    store.edits.approve(people["reviewer"], rev["id"])
    store.refresh()
    plans = [p["plan_id"] for p in store.place_record("jinxiuhulu")["passages"]]
    assert plans[0] == earlier["id"] and later["id"] in plans
    assert "jinxiuhulu" in store.plan_places(earlier["id"])


def test_nothing_is_deleted(db, people, store, pdf) -> None:
    plan = store.intake.propose(people["editor"], read_upload(pdf, "p.pdf"), {})
    for statement in (f"DELETE FROM plans WHERE id = '{plan['id']}'",
                      f"DELETE FROM plan_files WHERE plan_id = '{plan['id']}'",
                      "UPDATE plan_files SET data = data"):
        with pytest.raises(exc.DBAPIError, match=r"never deleted|never changes"), \
                db.engine.begin() as conn:
            conn.execute(text(statement))
    row, data = store.intake.original(plan["id"])
    assert data == pdf and row["checksum"] == read_upload(pdf, "p.pdf").checksum


def test_planmap_plans_add_every_format(db_url, capsys, pdf, tmp_path) -> None:
    files = {"plan.pdf": pdf, "plan.docx": plan_docx(), "plan.html": plan_html(),
             "plan-gbk.txt": plan_gbk(), "scan.pdf": scanned_pdf()}
    folder = tmp_path
    for name, data in files.items():
        (folder / name).write_bytes(data)
    ids = {}
    for name in ("plan.pdf", "plan.docx", "plan.html", "plan-gbk.txt"):
        assert main(["plans", "add", str(folder / name), "--database", db_url]) == 0
        out = capsys.readouterr().out
        assert out.startswith("added plan ")
        ids[name] = out.split()[2]
    assert main(["plans", "add", str(folder / "scan.pdf"), "--database", db_url]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "no text layer: run OCR first" in err
    assert main(["plans", "add", str(folder / "plan.pdf"), "--database", db_url,
                 "--title", "again"]) == 2
    assert ids["plan.pdf"] in capsys.readouterr().err
    assert main(["plans", "--database", db_url]) == 0
    listing = capsys.readouterr().out
    assert all(i in listing for i in ids.values()) and "haidian-14th-fyp" in listing
    assert main(["outline", ids["plan.docx"], "--database", db_url]) == 0
    assert "第二章 重点任务" in capsys.readouterr().out
    assert main(["cite", ids["plan.pdf"], "10", "--database", db_url]) == 0
    cited = capsys.readouterr().out
    assert cited.startswith("《海淀区北部生态科技绿心专项规划》空间布局 生态格局 (第2页)")
    assert main(["plans", "withdraw", ids["plan.html"], "--reason", "test", "--database",
                 db_url]) == 0
    assert main(["plans", "added", "--status", "withdrawn", "--database", db_url]) == 0
    assert ids["plan.html"] in capsys.readouterr().out
    actions = [e["action"] for e in audit.entries(Database(db_url))]
    assert actions.count("plan_approve") == 4 and "plan_withdraw" in actions
