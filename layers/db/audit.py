"""The audit trail (留痕): who did what, when, from where, to which revision.

Entries are written in the same transaction as the action they record, so an action is never
without its entry nor an entry without its action. Nothing here updates or deletes an entry,
and the database refuses it too (triggers in migration 0001). `planmap audit` lists and exports.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from geo.errors import BadRequest
from layers.db.engine import Database
from layers.db.models import AuditEntry

ACTIONS = (
    "login", "login_failed", "logout", "propose", "approve", "reject", "revert",
    "user_add", "role_change", "user_disable", "user_enable", "password_change",
    "token_issue", "token_revoke", "export",
    # plans added at run time and the stop rules of the unknown-names review (layers.db.plans)
    "plan_propose", "plan_approve", "plan_reject", "plan_withdraw", "plan_restore",
    "stop_add", "stop_lift",
)
COLUMNS = ("id", "at", "action", "username", "client", "revision_id", "place_id", "detail")


def record(session: Session, action: str, *, user_id: int | None, username: str,
           client: str | None = None, revision_id: int | None = None,
           place_id: str | None = None, **detail: Any) -> AuditEntry:
    """Add one entry to the caller's transaction."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    entry = AuditEntry(action=action, user_id=user_id, username=username[:100],
                       client=(client or "")[:100], revision_id=revision_id,
                       place_id=place_id, detail=detail, at=datetime.now(UTC))
    session.add(entry)
    return entry


def parse_since(text: str) -> datetime:
    """An ISO date or date-time (UTC unless it says otherwise)."""
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise BadRequest(f"--since {text!r} is not an ISO date (2026-12-01 or "
                         "2026-12-01T08:00)") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def entries(db: Database, since: datetime | None = None, user: str | None = None,
            action: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
    """Entries oldest first, as plain dicts (time in ISO 8601 UTC)."""
    query = select(AuditEntry).order_by(AuditEntry.id)
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    if user:
        query = query.where(AuditEntry.username == user)
    if action:
        query = query.where(AuditEntry.action == action)
    with db.reader() as session:
        rows = session.scalars(query).all()
    out = [as_dict(row) for row in rows]
    return out[-limit:] if limit else out


def as_dict(entry: AuditEntry) -> dict[str, Any]:
    at = entry.at if entry.at.tzinfo else entry.at.replace(tzinfo=UTC)
    return {
        "id": entry.id,
        "at": at.astimezone(UTC).isoformat(timespec="seconds"),
        "action": entry.action,
        "username": entry.username,
        "client": entry.client,
        "revision_id": entry.revision_id,
        "place_id": entry.place_id,
        "detail": entry.detail or {},
    }


def to_csv(rows: Sequence[dict[str, Any]]) -> str:
    """CSV with the detail as a JSON cell; cells a spreadsheet would run as a formula are
    prefixed with an apostrophe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        cells = [json.dumps(row[c], ensure_ascii=False, sort_keys=True) if c == "detail"
                 else ("" if row[c] is None else str(row[c])) for c in COLUMNS]
        writer.writerow(["'" + c if c[:1] in ("=", "+", "-", "@", "\t", "\r") else c
                         for c in cells])
    return buffer.getvalue()


def to_json(rows: Sequence[dict[str, Any]]) -> str:
    return json.dumps(list(rows), ensure_ascii=False, indent=1) + "\n"
