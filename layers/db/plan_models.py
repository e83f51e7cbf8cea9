"""The schema of plans added at run time (migration 0002_plans): the plan with its text and
layout, its original file, and the stop rules reviewers made from the unknown-names list.

On the same declarative `Base` as the rest of the schema (layers.db.models), so one metadata
describes the whole database.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from layers.db.models import Base, utcnow


class PlanRow(Base):
    __tablename__ = "plans"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), index=True)  # proposed|approved|rejected
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)
    # title, short_title, issuer, *_en, date, year, kind, language, period: as plans.toml
    meta: Mapped[dict[str, Any]] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(String(8))  # pdf | docx | html | text
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100))
    checksum: Mapped[str] = mapped_column(String(64))  # SHA-256 of the original file
    size: Mapped[int] = mapped_column(Integer)
    encoding: Mapped[str | None] = mapped_column(String(32), nullable=True)
    page_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    text: Mapped[str] = mapped_column(Text)  # as read by geo.importers, a paragraph per line
    layout: Mapped[dict[str, Any]] = mapped_column(JSON)  # geo.layout.Layout.as_json()
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    author_name: Mapped[str] = mapped_column(String(100))  # cli:<login> for the command line
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    reviewer_name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    review_reason: Mapped[str] = mapped_column(Text, default="")


class PlanFile(Base):
    __tablename__ = "plan_files"

    plan_id: Mapped[str] = mapped_column(ForeignKey("plans.id"), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class StopRule(Base):
    __tablename__ = "stop_rules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    plan_id: Mapped[str | None] = mapped_column(String(64), nullable=True)  # where it was seen
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    author_name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    lifted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    lifted_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    lift_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
