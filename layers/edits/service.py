"""The corrections workflow, one database transaction per action.

`Edits` is made once per database and base gazetteer (the data files). Each action checks the
actor's role, checks the revision it is based on is still the place's latest (else `Conflict`,
409, or `PreconditionFailed`, 412, for a client that sent If-Match, either carrying the newer
revision), checks the result with the gazetteer's own rules, and writes the revision and its
audit entry together. Approval is serialised by the change counter row, which it increments, and
compare-and-swaps the place's head; on PostgreSQL it also sends NOTIFY, so every server learns
of it at commit.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from geoalchemy2.shape import from_shape
from shapely.geometry import shape
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from geo.errors import BadRequest, NotFound
from geo.gazetteer import Gazetteer
from layers.accounts import Actor
from layers.db import audit
from layers.db.engine import Database
from layers.db.errors import Conflict, Forbidden, PreconditionFailed
from layers.db.models import ChangeCounter, PlaceHead, Revision
from layers.edits import changes as ch
from layers.edits import views

NOTIFY_CHANNEL = "planmap_changes"
States = dict[str, ch.Feature | None]


def _named(revision: int | None) -> str:
    return f"revision {revision}" if revision else "the data files"


class Edits:
    def __init__(self, db: Database, base: Gazetteer, plan_ids: set[str] | None = None) -> None:
        self.db = db
        self.base = base
        self.plan_ids = plan_ids
        self._base_features: dict[str, ch.Feature] = {}

    # ------------------------------------------------------------------ state

    def base_feature(self, place_id: str) -> ch.Feature | None:
        if place_id not in self.base:
            return None
        cached = self._base_features.get(place_id)
        if cached is None:
            cached = self._base_features[place_id] = ch.place_feature(self.base.get(place_id))
        return cached

    def _states(self, session: Session, place_id: str | None = None,
                upto_seq: int | None = None) -> States:
        """The state of every place an approved revision touched (or of one place)."""
        states: States = {}
        for rev in views.approved(session, place_id):
            if upto_seq is not None and (rev.approved_seq or 0) > upto_seq:
                break
            before = states[rev.place_id] if rev.place_id in states else \
                self.base_feature(rev.place_id)
            states[rev.place_id] = ch.apply(before, rev.kind, rev.changes,
                                            views.geometry_of(rev), rev.sets_geometry)
        return states

    def _state(self, session: Session, place_id: str) -> ch.Feature | None:
        states = self._states(session, place_id)
        return states[place_id] if place_id in states else self.base_feature(place_id)

    def counter(self) -> int:
        with self.db.reader() as session:
            return session.scalar(select(ChangeCounter.value).where(ChangeCounter.id == 1)) or 0

    def snapshot(self) -> tuple[int, States]:
        """(change counter, states of the changed places) read at one moment."""
        with self.db.reader() as session:
            value = session.scalar(select(ChangeCounter.value).where(ChangeCounter.id == 1))
            return value or 0, self._states(session)

    def gazetteer(self, states: States) -> Gazetteer:
        return ch.gazetteer_with(self.base, states, self.plan_ids)

    # ------------------------------------------------------------------ proposing

    def _check_base(self, session: Session, place_id: str, base: int | None,
                    if_match: bool) -> int | None:
        current = views.head(session, place_id)
        if current != base:
            error = PreconditionFailed if if_match else Conflict
            newer = session.get(Revision, current) if current else None
            raise error(
                f"place {place_id!r} has changed since {_named(base)}: it is now at "
                f"{_named(current)}; start again from it",
                current=self._dict(session, newer) if newer else None)
        return current

    def _dict(self, session: Session, rev: Revision) -> dict[str, Any]:
        return views.revision_dict(rev, views.usernames(session, [rev]))

    def _propose(self, actor: Actor, kind: str, place_id: str, fields: dict[str, Any],
                 geometry: ch.Feature | None, sets_geometry: bool, base: int | None,
                 comment: str, client: str | None, if_match: bool) -> dict[str, Any]:
        actor.require("editor", "proposing a correction")
        if actor.id is None:
            raise Forbidden("corrections are proposed by a user account, not the command line")
        comment = (ch._text(comment, "comment") or "") if comment else ""
        with self.db.transaction() as session:
            self._check_base(session, place_id, base, if_match)
            states = self._states(session)
            before = states[place_id] if place_id in states else self.base_feature(place_id)
            if kind == "place" and before is not None:
                raise Conflict(f"a place {place_id!r} exists already")
            if before is None and (kind != "place" and (kind != "revert"
                                                        or fields.get("state") is None)):
                raise NotFound(f"unknown place id {place_id!r}")
            states[place_id] = ch.apply(before, kind, fields, geometry, sets_geometry)
            self.gazetteer(states)
            rev = Revision(place_id=place_id, kind=kind, status="proposed", base_id=base,
                           changes=fields, sets_geometry=sets_geometry,
                           geometry=from_shape(shape(geometry), srid=4326) if geometry else None,
                           comment=comment, author_id=actor.id, created_at=datetime.now(UTC),
                           review_reason="")
            session.add(rev)
            session.flush()
            audit.record(session, "revert" if kind == "revert" else "propose",
                         user_id=actor.id, username=actor.username, client=client,
                         revision_id=rev.id, place_id=place_id, kind=kind)
            return self._dict(session, rev)

    def propose_geometry(self, actor: Actor, place_id: str, body: dict[str, Any],
                         base: int | None, comment: str = "", client: str | None = None,
                         if_match: bool = False) -> dict[str, Any]:
        """A corrected geometry (`body["geometry"]`, GeoJSON WGS-84, or null to say the place
        cannot be located) with precision, error_m, basis, source and note."""
        fields = ch.geometry_fields(body)
        sets_geometry = "geometry" in body
        geometry = ch.check_geometry(body.get("geometry"))
        return self._propose(actor, "geometry", place_id, fields, geometry, sets_geometry,
                             base, comment, client, if_match)

    def propose_place(self, actor: Actor, body: dict[str, Any], comment: str = "",
                      client: str | None = None) -> dict[str, Any]:
        """A new entry (e.g. a name the finder reported but the gazetteer lacks)."""
        fields = ch.place_fields(body)
        geometry = ch.check_geometry(body.get("geometry"))
        return self._propose(actor, "place", fields["id"], fields, geometry, True, None,
                             comment, client, False)

    def propose_alias(self, actor: Actor, place_id: str, body: dict[str, Any],
                      base: int | None, comment: str = "", client: str | None = None,
                      if_match: bool = False) -> dict[str, Any]:
        return self._propose(actor, "alias", place_id, ch.alias_fields(body), None, False,
                             base, comment, client, if_match)

    def revert(self, actor: Actor, place_id: str, to_revision: int | None, base: int | None,
               comment: str = "", client: str | None = None,
               if_match: bool = False) -> dict[str, Any]:
        """Propose the place's state right after `to_revision` (None: as in the data files)
        as a new revision; history is never rewritten."""
        with self.db.reader() as session:
            if to_revision is None:
                state = self.base_feature(place_id)
            else:
                target = session.get(Revision, to_revision)
                if target is None or target.place_id != place_id or \
                        target.status != "approved":
                    raise BadRequest(f"revision {to_revision} is no approved revision of "
                                     f"{place_id!r}")
                state = self._states(session, place_id, upto_seq=target.approved_seq)[place_id]
        fields = {"to": to_revision, "state": state["properties"] if state else None}
        geometry = state.get("geometry") if state else None
        return self._propose(actor, "revert", place_id, fields, geometry, True, base,
                             comment, client, if_match)

    # ------------------------------------------------------------------ deciding

    def approve(self, actor: Actor, revision_id: int, reason: str = "",
                client: str | None = None) -> dict[str, Any]:
        actor.require("reviewer", "approving a correction")
        with self.db.transaction() as session:
            # the counter row is the approvals' lock: taken first, held to commit
            seq = session.execute(
                update(ChangeCounter).where(ChangeCounter.id == 1)
                .values(value=ChangeCounter.value + 1).returning(ChangeCounter.value)
            ).scalar_one()
            rev = self._pending(session, revision_id)
            if rev.author_id == actor.id and not actor.at_least("admin"):
                raise Forbidden("a reviewer cannot approve their own proposal")
            current = self._check_base(session, rev.place_id, rev.base_id, False)
            states = self._states(session)
            before = states[rev.place_id] if rev.place_id in states else \
                self.base_feature(rev.place_id)
            states[rev.place_id] = ch.apply(before, rev.kind, rev.changes,
                                            views.geometry_of(rev), rev.sets_geometry)
            self.gazetteer(states)
            rev.status, rev.reviewer_id = "approved", actor.id
            rev.reviewed_at, rev.review_reason = datetime.now(UTC), reason.strip()
            rev.approved_seq = seq
            if current is None:
                session.add(PlaceHead(place_id=rev.place_id, head_id=rev.id))
            else:
                session.execute(update(PlaceHead).where(PlaceHead.place_id == rev.place_id)
                                .values(head_id=rev.id))
            audit.record(session, "approve", user_id=actor.id, username=actor.username,
                         client=client, revision_id=rev.id, place_id=rev.place_id,
                         kind=rev.kind, reason=reason.strip())
            if self.db.backend == "postgresql":
                session.execute(text("SELECT pg_notify(:channel, :value)"),
                                {"channel": NOTIFY_CHANNEL, "value": str(seq)})
            return self._dict(session, rev)

    def reject(self, actor: Actor, revision_id: int, reason: str,
               client: str | None = None) -> dict[str, Any]:
        """A reviewer refuses a proposal with a reason; its author may withdraw it."""
        if not reason or not reason.strip():
            raise BadRequest("a rejection needs a reason")
        with self.db.transaction() as session:
            rev = self._pending(session, revision_id)
            if rev.author_id != actor.id:
                actor.require("reviewer", "rejecting a correction")
            rev.status, rev.reviewer_id = "rejected", actor.id
            rev.reviewed_at, rev.review_reason = datetime.now(UTC), reason.strip()
            audit.record(session, "reject", user_id=actor.id, username=actor.username,
                         client=client, revision_id=rev.id, place_id=rev.place_id,
                         reason=reason.strip())
            return self._dict(session, rev)

    def _pending(self, session: Session, revision_id: int) -> Revision:
        rev = session.get(Revision, revision_id)
        if rev is None:
            raise NotFound(f"no revision {revision_id}")
        if rev.status != "proposed":
            raise Conflict(f"revision {revision_id} is {rev.status} already",
                           current=self._dict(session, rev))
        return rev

    # ------------------------------------------------------------------ reading

    def get(self, revision_id: int) -> dict[str, Any]:
        """A revision with the place before it (at its base) and after it, and the names of
        the fields it changes: what a reviewer compares on one map."""
        with self.db.reader() as session:
            rev = session.get(Revision, revision_id)
            if rev is None:
                raise NotFound(f"no revision {revision_id}")
            out = self._dict(session, rev)
            base_seq = None
            if rev.base_id is not None:
                base_rev = session.get(Revision, rev.base_id)
                base_seq = base_rev.approved_seq if base_rev else None
            if rev.base_id is None:
                before = self.base_feature(rev.place_id)
            else:
                before = self._states(session, rev.place_id, upto_seq=base_seq).get(
                    rev.place_id)
            after = ch.apply(before, rev.kind, rev.changes, views.geometry_of(rev),
                             rev.sets_geometry)
            out.update(before=before, after=after, changed=ch.changed_fields(before, after),
                       current_head=views.head(session, rev.place_id))
            return out

    def history(self, place_id: str) -> dict[str, Any]:
        """Every revision of a place, newest first, with its current head and entity tag."""
        with self.db.reader() as session:
            revs = list(session.scalars(select(Revision).where(Revision.place_id == place_id)
                                        .order_by(Revision.id.desc())).all())
            if not revs and place_id not in self.base:
                raise NotFound(f"unknown place id {place_id!r}")
            names = views.usernames(session, revs)
            current = views.head(session, place_id)
            return {"place_id": place_id, "head": current,
                    "etag": views.etag(place_id, current),
                    "revisions": [views.revision_dict(r, names) for r in revs]}

    def queue(self, status: str | None = "proposed", place_id: str | None = None,
              limit: int = 100) -> list[dict[str, Any]]:
        """Revisions by status (oldest proposal first, so the queue is worked in order)."""
        if status is not None and status not in ("proposed", "approved", "rejected"):
            raise BadRequest("status must be proposed, approved or rejected")
        if not 1 <= limit <= 1000:
            raise BadRequest("limit must be between 1 and 1000")
        query = select(Revision)
        if status is not None:
            query = query.where(Revision.status == status)
        if place_id is not None:
            query = query.where(Revision.place_id == place_id)
        with self.db.reader() as session:
            revs = list(session.scalars(query.order_by(Revision.id).limit(limit)).all())
            names = views.usernames(session, revs)
            return [views.revision_dict(r, names) for r in revs]

    def place_state(self, place_id: str) -> tuple[ch.Feature | None, int | None]:
        """The place as it stands now (feature, or None if it does not exist) and its head
        revision: what PUT/PATCH with If-Match compares against."""
        with self.db.reader() as session:
            return self._state(session, place_id), views.head(session, place_id)

    def head(self, place_id: str) -> int | None:
        with self.db.reader() as session:
            return views.head(session, place_id)
