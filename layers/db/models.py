"""The schema: users and their API tokens, revisions of places, place heads, the audit log and
the change counter. Alembic migrations (layers/db/migrations) create it; these classes are how
the code reads and writes it.

A revision is a proposed change to one place (a corrected geometry with its precision, expected
error, basis, source and note; a new place; a new alias; a revert to an earlier state). The
gazetteer in data/ is the base; approved revisions, applied in the order they were approved
(`approved_seq`), override it. `place_heads` holds each changed place's latest approved revision:
approvals compare-and-swap it, so two reviewers can never both build on the same state.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(200))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    # bumped on disable, role or password change: sessions signed with an older value end
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    digest: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256 of the secret
    hint: Mapped[str] = mapped_column(String(12))  # the first characters, to tell tokens apart
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class Revision(Base):
    __tablename__ = "revisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    place_id: Mapped[str] = mapped_column(String(100), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # geometry | place | alias | revert
    status: Mapped[str] = mapped_column(String(16), index=True)  # proposed|approved|rejected
    # the place's latest approved revision when this one was proposed (None: the data files)
    base_id: Mapped[int | None] = mapped_column(ForeignKey("revisions.id"), nullable=True)
    changes: Mapped[dict[str, Any]] = mapped_column(JSON)
    sets_geometry: Mapped[bool] = mapped_column(Boolean, default=False)
    geometry: Mapped[Any] = mapped_column(
        Geometry("GEOMETRY", srid=4326, spatial_index=False), nullable=True)
    comment: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    review_reason: Mapped[str] = mapped_column(Text, default="")
    approved_seq: Mapped[int | None] = mapped_column(Integer, nullable=True, unique=True)


class PlaceHead(Base):
    __tablename__ = "place_heads"

    place_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    head_id: Mapped[int] = mapped_column(ForeignKey("revisions.id"))


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    action: Mapped[str] = mapped_column(String(32), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    # kept as written: the log must still say who acted if the account is renamed
    username: Mapped[str] = mapped_column(String(100), default="", index=True)
    client: Mapped[str] = mapped_column(String(100), default="")
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("revisions.id"), nullable=True)
    place_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class ChangeCounter(Base):
    """One row: incremented by every approval, in the approving transaction. Each process reads
    it (at most once a second) to know whether its derived store is still current."""

    __tablename__ = "change_counter"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)
