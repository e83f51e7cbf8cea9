"""Revisions as the API and the pages show them, and the read-only questions about them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from geoalchemy2.shape import to_shape
from shapely.geometry import mapping
from sqlalchemy import select
from sqlalchemy.orm import Session

from layers.db.models import PlaceHead, Revision, User


def iso(when: datetime | None) -> str | None:
    if when is None:
        return None
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC).isoformat(
        timespec="seconds")


def geometry_of(rev: Revision) -> dict[str, Any] | None:
    if rev.geometry is None:
        return None
    return dict(mapping(to_shape(rev.geometry)))


def usernames(session: Session, revs: list[Revision]) -> dict[int, str]:
    ids = {r.author_id for r in revs} | {r.reviewer_id for r in revs if r.reviewer_id}
    if not ids:
        return {}
    rows = session.execute(select(User.id, User.username).where(User.id.in_(ids))).all()
    return {uid: name for uid, name in rows}


def revision_dict(rev: Revision, names: dict[int, str]) -> dict[str, Any]:
    """One revision: what it changes, who proposed it and why, and how it was decided."""
    return {
        "id": rev.id,
        "place_id": rev.place_id,
        "kind": rev.kind,
        "status": rev.status,
        "base_revision": rev.base_id,
        "changes": rev.changes,
        "sets_geometry": rev.sets_geometry,
        "geometry": geometry_of(rev),
        "comment": rev.comment,
        "author": names.get(rev.author_id, ""),
        "created_at": iso(rev.created_at),
        "reviewer": names.get(rev.reviewer_id, "") if rev.reviewer_id else None,
        "reviewed_at": iso(rev.reviewed_at),
        "review_reason": rev.review_reason,
        "approved_seq": rev.approved_seq,
    }


def head(session: Session, place_id: str) -> int | None:
    """The place's latest approved revision, None while it is as in the data files."""
    return session.scalar(select(PlaceHead.head_id).where(PlaceHead.place_id == place_id))


def etag(place_id: str, head_id: int | None) -> str:
    """The entity tag of a place's current state (for If-Match, RFC 9110 §8.8.3)."""
    return f'"{place_id}.{head_id or 0}"'


def approved(session: Session, place_id: str | None = None) -> list[Revision]:
    """Approved revisions (of one place, or all) in the order they took effect."""
    query = select(Revision).where(Revision.status == "approved")
    if place_id is not None:
        query = query.where(Revision.place_id == place_id)
    return list(session.scalars(query.order_by(Revision.approved_seq)).all())
