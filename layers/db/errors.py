"""Errors of the database-backed parts: each carries the HTTP status an adapter answers with.

A write that is refused says why in a way a client can act on: not signed in (401), not allowed
(403), based on an outdated revision (409, or 412 when the client sent If-Match) with the newer
revision attached, or the database cannot be reached (503: try again later; nothing was written).
"""

from __future__ import annotations

from typing import Any

from geo.errors import PlanmapError


class Unauthorized(PlanmapError):
    """No signed-in user or valid token where one is needed."""

    http_status = 401
    code = "Unauthorized"


class Forbidden(PlanmapError):
    """A user whose role does not allow the action."""

    http_status = 403
    code = "Forbidden"


class Conflict(PlanmapError):
    """The change is based on a revision that is no longer the latest; `current` is the newer
    revision (as the API shows it) so the client can show it and start again from it."""

    http_status = 409
    code = "Conflict"

    def __init__(self, message: str, current: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.current = current


class PreconditionFailed(Conflict):
    """As Conflict, when the client stated its base with an If-Match header (RFC 9110)."""

    http_status = 412
    code = "PreconditionFailed"


class Unavailable(PlanmapError):
    """The database cannot be reached or is busy beyond the wait limit; nothing was written."""

    http_status = 503
    exit_status = 1
    code = "DatabaseUnavailable"
