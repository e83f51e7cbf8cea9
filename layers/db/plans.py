"""Plans added at run time: proposed with their original file, approved by a reviewer, withdrawn
and restored; and the stop rules reviewers make from the unknown-names list.

Each action is one transaction with its audit entry, as for revisions (layers.edits.service).
An approval, a withdrawal, a restoration and every stop-rule change increment the change
counter in the same transaction (and NOTIFY on PostgreSQL), so every server's `DatabaseStore`
rebuilds within seconds with the plan in its corpus: plan list, plan page, the plan's layer and
OGC collection, downloads, place pages and search all include it.

Who may do what: an editor proposes a plan and dismisses a name; a reviewer approves or rejects
a proposal (not their own: four eyes; an admin may approve their own), withdraws and restores a
plan, and lifts a stop rule; the author may take back their own proposal (a rejection). The
operator at the command line (`planmap plans add`) adds a plan approved at once: an admin's
act, recorded as `cli:<login>` proposing and approving.

The original file is stored in the database with its SHA-256, so every server can serve it and
a backup of the database holds everything; the same file cannot be a live plan twice.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from geo.corpus import PlanMeta
from geo.errors import BadRequest, NotFound
from geo.finder import StopString
from geo.intake import Upload, plan_meta
from geo.layout import Layout
from geo.reader import read_plan
from layers.accounts import Actor
from layers.db import audit
from layers.db.engine import Database
from layers.db.errors import Conflict, Forbidden
from layers.db.models import ChangeCounter
from layers.db.plan_models import PlanFile, PlanRow, StopRule
from layers.edits.service import NOTIFY_CHANNEL
from layers.edits.views import iso

META_KEYS = ("title", "short_title", "issuer", "title_en", "short_title_en", "issuer_en",
             "date", "year", "kind", "language", "period")
MAX_STOP = 200


class Duplicate(Conflict):
    """The same file (by SHA-256) is a plan already; `current` names it."""

    code = "DuplicatePlan"


def _reason(reason: str | None, what: str, required: bool = True) -> str:
    value = (reason or "").strip()
    if required and not value:
        raise BadRequest(f"{what} needs a reason")
    if len(value) > 4000:
        raise BadRequest("a reason has at most 4000 characters")
    return value


def meta_of(row: PlanRow) -> PlanMeta:
    """A stored plan as the corpus holds it: metadata, text and layout from the row."""
    m = row.meta
    extra = {"source": row.source, "original": row.filename, "checksum": row.checksum,
             "added_by": row.author_name}
    if row.page_count:
        extra["pages"] = str(row.page_count)
    return PlanMeta(id=row.id, file=row.filename, title=m["title"], short_title=m["short_title"],
                    issuer=m["issuer"], title_en=m["title_en"],
                    short_title_en=m["short_title_en"], issuer_en=m["issuer_en"],
                    date=m["date"], year=int(m["year"]), kind=m["kind"],
                    language=m["language"], period=m.get("period"), extra=extra,
                    content=row.text, layout=Layout.from_json(row.layout))


def plan_dict(row: PlanRow) -> dict[str, Any]:
    """A stored plan for the API and the pages (without its text and file)."""
    return {"id": row.id, "status": row.status, "withdrawn": row.withdrawn,
            "live": row.status == "approved" and not row.withdrawn,
            **{k: row.meta.get(k) for k in META_KEYS}, "source": row.source,
            "filename": row.filename, "media_type": row.media_type, "checksum": row.checksum,
            "size": row.size, "encoding": row.encoding, "pages": row.page_count,
            "author": row.author_name, "created_at": iso(row.created_at),
            "reviewer": row.reviewer_name, "reviewed_at": iso(row.reviewed_at),
            "review_reason": row.review_reason}


def stop_dict(rule: StopRule) -> dict[str, Any]:
    return {"id": rule.id, "text": rule.text, "reason": rule.reason, "plan_id": rule.plan_id,
            "author": rule.author_name, "created_at": iso(rule.created_at),
            "lifted_at": iso(rule.lifted_at), "lifted_by": rule.lifted_by,
            "lift_reason": rule.lift_reason}


class PlanIntake:
    """The plans and stop rules of one database. `file_plans` are the ids of the plans in the
    data files: a new plan may not take one of them."""

    def __init__(self, db: Database, file_plans: set[str]) -> None:
        self.db = db
        self.file_plans = set(file_plans)

    # ------------------------------------------------------------------ changes

    def _changed(self, session: Session) -> int:
        """Count one change (every server rebuilds its store) in the caller's transaction."""
        seq = session.execute(
            update(ChangeCounter).where(ChangeCounter.id == 1)
            .values(value=ChangeCounter.value + 1).returning(ChangeCounter.value)).scalar_one()
        if self.db.backend == "postgresql":
            session.execute(text("SELECT pg_notify(:channel, :value)"),
                            {"channel": NOTIFY_CHANNEL, "value": str(seq)})
        return int(seq)

    def _row(self, session: Session, plan_id: str) -> PlanRow:
        row = session.get(PlanRow, plan_id)
        if row is None:
            raise NotFound(f"no added plan {plan_id!r}")
        return row

    # ------------------------------------------------------------------ plans

    def propose(self, actor: Actor, upload: Upload, fields: dict[str, Any],
                client: str | None = None, approve: bool = False) -> dict[str, Any]:
        """Store a new plan as a proposal (or, with `approve`, approved at once: only an
        admin, i.e. the operator at the command line). The plan must read (the reader runs
        here), so nothing unreadable is ever stored."""
        actor.require("editor", "adding a plan")
        if approve:
            actor.require("admin", "adding a plan without review")
        meta = plan_meta(upload, fields)
        if meta.id in self.file_plans:
            raise Conflict(f"plan id {meta.id!r} is taken by a plan in the data files")
        read_plan(meta)  # refuses here, not when every server rebuilds
        now = datetime.now(UTC)
        try:
            with self.db.transaction() as session:
                same = session.scalar(select(PlanRow).where(
                    PlanRow.checksum == upload.checksum, PlanRow.status != "rejected"))
                if same is not None:
                    state = "withdrawn" if same.withdrawn else same.status
                    raise Duplicate(f"this file is plan {same.id} already ({state}; "
                                    f"SHA-256 {upload.checksum[:12]}…)",
                                    current={"plan_id": same.id, "status": same.status,
                                             "withdrawn": same.withdrawn})
                if session.get(PlanRow, meta.id) is not None:
                    raise Conflict(f"plan id {meta.id!r} is taken; choose another id")
                row = PlanRow(
                    id=meta.id, status="proposed", withdrawn=False,
                    meta={k: getattr(meta, k) for k in META_KEYS}, source=upload.imported.source,
                    filename=upload.filename, media_type=upload.media_type,
                    checksum=upload.checksum, size=len(upload.data),
                    encoding=upload.imported.encoding, page_count=upload.imported.pages,
                    text=meta.text(), layout=upload.imported.layout.as_json(),
                    author_id=actor.id, author_name=actor.username, created_at=now,
                    review_reason="")
                session.add(row)
                session.flush()
                session.add(PlanFile(plan_id=row.id, data=upload.data))
                audit.record(session, "plan_propose", user_id=actor.id, username=actor.username,
                             client=client, plan=row.id, checksum=upload.checksum,
                             filename=upload.filename)
                if approve:
                    self._decide(session, row, actor, "approved", "added at the command line",
                                 client)
                return plan_dict(row)
        except IntegrityError:  # a concurrent upload of the same file or id won the race
            raise Conflict("the same file or plan id was added a moment ago; reload") from None

    def _decide(self, session: Session, row: PlanRow, actor: Actor, status: str, reason: str,
                client: str | None) -> None:
        row.status, row.reviewer_id, row.reviewer_name = status, actor.id, actor.username
        row.reviewed_at, row.review_reason = datetime.now(UTC), reason
        action = "plan_approve" if status == "approved" else "plan_reject"
        audit.record(session, action, user_id=actor.id, username=actor.username,
                     client=client, plan=row.id, reason=reason)
        if status == "approved":
            self._changed(session)

    def approve(self, actor: Actor, plan_id: str, reason: str = "",
                client: str | None = None) -> dict[str, Any]:
        actor.require("reviewer", "approving a plan")
        with self.db.transaction() as session:
            row = self._pending(session, plan_id)
            if row.author_id == actor.id and not actor.at_least("admin"):
                raise Forbidden("a reviewer cannot approve their own upload")
            self._decide(session, row, actor, "approved", _reason(reason, "", False), client)
            return plan_dict(row)

    def reject(self, actor: Actor, plan_id: str, reason: str,
               client: str | None = None) -> dict[str, Any]:
        """A reviewer refuses an upload with a reason; its author may take it back."""
        with self.db.transaction() as session:
            row = self._pending(session, plan_id)
            if row.author_id != actor.id or actor.id is None:
                actor.require("reviewer", "rejecting a plan")
            self._decide(session, row, actor, "rejected", _reason(reason, "a rejection"),
                         client)
            return plan_dict(row)

    def _pending(self, session: Session, plan_id: str) -> PlanRow:
        row = self._row(session, plan_id)
        if row.status != "proposed":
            raise Conflict(f"plan {plan_id} is {row.status} already",
                           current={"plan_id": plan_id, "status": row.status})
        return row

    def set_withdrawn(self, actor: Actor, plan_id: str, withdrawn: bool, reason: str,
                      client: str | None = None) -> dict[str, Any]:
        """Take an approved plan out of the atlas (or put it back); the plan, its file and
        its history stay."""
        what = "withdrawing a plan" if withdrawn else "restoring a plan"
        actor.require("reviewer", what)
        reason = _reason(reason, what)
        with self.db.transaction() as session:
            row = self._row(session, plan_id)
            if row.status != "approved":
                raise Conflict(f"plan {plan_id} is {row.status}, not approved",
                               current={"plan_id": plan_id, "status": row.status})
            if row.withdrawn == withdrawn:
                raise Conflict(f"plan {plan_id} is {'withdrawn' if withdrawn else 'live'} "
                               "already", current={"plan_id": plan_id, "withdrawn": withdrawn})
            row.withdrawn = withdrawn
            audit.record(session, "plan_withdraw" if withdrawn else "plan_restore",
                         user_id=actor.id, username=actor.username, client=client,
                         plan=plan_id, reason=reason)
            self._changed(session)
            return plan_dict(row)

    # ------------------------------------------------------------------ reading

    def get(self, plan_id: str) -> dict[str, Any]:
        with self.db.reader() as session:
            return plan_dict(self._row(session, plan_id))

    def meta(self, plan_id: str) -> PlanMeta:
        with self.db.reader() as session:
            return meta_of(self._row(session, plan_id))

    def plans(self, status: str | None = None) -> list[dict[str, Any]]:
        """Stored plans, newest first; `status`: proposed, approved, rejected, withdrawn or
        live (approved and not withdrawn)."""
        query = select(PlanRow).order_by(PlanRow.created_at.desc(), PlanRow.id)
        if status in ("proposed", "approved", "rejected"):
            query = query.where(PlanRow.status == status)
        elif status == "withdrawn":
            query = query.where(PlanRow.withdrawn.is_(True))
        elif status == "live":
            query = query.where(PlanRow.status == "approved", PlanRow.withdrawn.is_(False))
        elif status is not None:
            raise BadRequest("status must be proposed, approved, rejected, withdrawn or live")
        with self.db.reader() as session:
            return [plan_dict(r) for r in session.scalars(query).all()]

    def original(self, plan_id: str) -> tuple[dict[str, Any], bytes]:
        """The stored plan and its original file, byte for byte."""
        with self.db.reader() as session:
            row = self._row(session, plan_id)
            blob = session.get(PlanFile, plan_id)
            assert blob is not None, f"plan {plan_id} has no stored file"
            return plan_dict(row), blob.data

    def live(self, session: Session) -> list[PlanMeta]:
        rows = session.scalars(select(PlanRow).where(PlanRow.status == "approved",
                                                     PlanRow.withdrawn.is_(False))).all()
        return [meta_of(r) for r in rows]

    def known_ids(self, session: Session) -> set[str]:
        return set(session.scalars(select(PlanRow.id)).all())

    # ------------------------------------------------------------------ stop rules

    def dismiss(self, actor: Actor, name: str, reason: str, plan_id: str | None = None,
                client: str | None = None) -> dict[str, Any]:
        """Record that `name` is no place: it leaves the unknown-names lists and the finder
        treats it as a stop string (a place name inside it is not read as that place)."""
        actor.require("editor", "dismissing a name")
        value = (name or "").strip()
        if not 2 <= len(value) <= MAX_STOP:
            raise BadRequest(f"the name to dismiss must have 2–{MAX_STOP} characters")
        reason = _reason(reason, "dismissing a name")
        try:
            with self.db.transaction() as session:
                if session.scalar(select(StopRule.id).where(
                        StopRule.text == value, StopRule.lifted_at.is_(None))) is not None:
                    raise Conflict(f"{value!r} is dismissed already")
                rule = StopRule(text=value, reason=reason, plan_id=plan_id,
                                author_id=actor.id, author_name=actor.username,
                                created_at=datetime.now(UTC))
                session.add(rule)
                session.flush()
                audit.record(session, "stop_add", user_id=actor.id, username=actor.username,
                             client=client, text=value, reason=reason, plan=plan_id,
                             stop=rule.id)
                self._changed(session)
                return stop_dict(rule)
        except IntegrityError:
            raise Conflict(f"{value!r} was dismissed a moment ago") from None

    def lift(self, actor: Actor, stop_id: int, reason: str,
             client: str | None = None) -> dict[str, Any]:
        actor.require("reviewer", "lifting a stop rule")
        reason = _reason(reason, "lifting a stop rule")
        with self.db.transaction() as session:
            rule = session.get(StopRule, stop_id)
            if rule is None:
                raise NotFound(f"no stop rule {stop_id}")
            if rule.lifted_at is not None:
                raise Conflict(f"stop rule {stop_id} is lifted already")
            rule.lifted_at, rule.lifted_by, rule.lift_reason = (datetime.now(UTC),
                                                                actor.username, reason)
            audit.record(session, "stop_lift", user_id=actor.id, username=actor.username,
                         client=client, text=rule.text, reason=reason, stop=stop_id)
            self._changed(session)
            return stop_dict(rule)

    def stops(self, include_lifted: bool = False) -> list[dict[str, Any]]:
        query = select(StopRule).order_by(StopRule.id)
        if not include_lifted:
            query = query.where(StopRule.lifted_at.is_(None))
        with self.db.reader() as session:
            return [stop_dict(r) for r in session.scalars(query).all()]

    def stop_strings(self, session: Session) -> tuple[StopString, ...]:
        rules = session.scalars(select(StopRule).where(StopRule.lifted_at.is_(None))
                                .order_by(StopRule.id)).all()
        return tuple(StopString(r.text, None, f"dismissed in review: {r.reason}")
                     for r in rules)

    def snapshot(self) -> tuple[list[PlanMeta], tuple[StopString, ...], set[str]]:
        """The live plans, the stop rules in force, and every stored plan id, at one moment."""
        with self.db.reader() as session:
            return self.live(session), self.stop_strings(session), self.known_ids(session)
