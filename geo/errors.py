"""Typed errors shared by every layer of planmap.

Each carries the HTTP status a web adapter should answer with and the exit status a CLI should
use, so that neither the web nor the CLI has to guess what went wrong from a message string.
"""

from __future__ import annotations


class PlanmapError(Exception):
    """Base class: a problem the user can fix, reported as one clear line."""

    http_status: int = 400
    exit_status: int = 2
    code: str = "InvalidParameterValue"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(PlanmapError):
    """An id (plan, place, layer, line…) that does not exist."""

    http_status = 404
    code = "NotFound"


class BadRequest(PlanmapError):
    """A malformed or out-of-range argument."""

    http_status = 400
    code = "InvalidParameterValue"


class DataError(PlanmapError):
    """The embedded data is invalid: the message names the file and entry at fault."""

    http_status = 500
    exit_status = 1
    code = "DataError"
