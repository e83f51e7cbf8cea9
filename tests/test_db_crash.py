"""Nothing half-written: a writer killed (SIGKILL) in the middle of an approval, after every
statement was sent and before the commit, leaves the database as it was, on both backends; the
next writer is not blocked by it."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from sqlalchemy import text

from layers.db import audit
from layers.db.engine import Database
from layers.edits.service import Edits
from layers.edits.views import head

PARK = "zhongguancunruanjianyuan"
WRITER = textwrap.dedent("""
    import sys, time
    from sqlalchemy import event
    from sqlalchemy.orm import Session
    from geo.gazetteer import default_gazetteer
    from layers.accounts import get_actor
    from layers.db.engine import Database
    from layers.edits.service import Edits

    db = Database(sys.argv[1])

    @event.listens_for(Session, "before_commit")
    def hold(session):
        session.flush()  # every row of the approval is in the open transaction
        print("in transaction", flush=True)
        time.sleep(600)

    Edits(db, default_gazetteer()).approve(get_actor(db, "reviewer"), int(sys.argv[2]), "x")
""")


def _state(db: Database) -> tuple:
    with db.reader() as session:
        counter = session.execute(text("SELECT value FROM change_counter")).scalar()
        statuses = session.execute(text("SELECT status FROM revisions")).scalars().all()
        return counter, statuses, head(session, PARK)


@pytest.mark.slow
def test_a_writer_killed_mid_transaction_leaves_no_half_state(db, people, base_store) -> None:
    edits = Edits(db, base_store.gazetteer)
    rev = edits.propose_geometry(people["editor"], PARK, {
        "geometry": {"type": "Polygon", "coordinates": [[[116.27, 40.046], [116.293, 40.046],
                                                         [116.293, 40.06], [116.27, 40.046]]]},
        "precision": "approximate", "source": "survey"}, None)
    before = _state(db)
    entries_before = len(audit.entries(db))
    writer = subprocess.Popen([sys.executable, "-c", WRITER, db.url.render_as_string(False),
                               str(rev["id"])], stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout is not None
        assert writer.stdout.readline().strip() == "in transaction"
        assert _state(db) == before  # others never see the open transaction
    finally:
        writer.kill()  # SIGKILL: no rollback, no cleanup in the writer
        writer.wait(timeout=30)
    assert writer.returncode == -9
    assert _state(db) == before == (0, ["proposed"], None)
    assert len(audit.entries(db)) == entries_before
    # the lock died with the writer: the approval can be made now, whole
    assert edits.approve(people["reviewer"], rev["id"], "after the crash")["approved_seq"] == 1
    assert _state(db) == (1, ["approved"], rev["id"])
    assert [e["action"] for e in audit.entries(db)][-1] == "approve"
