"""Text as tables and spreadsheets receive it: short excerpts of the policy passages, and cells
that a spreadsheet would run as formulas made harmless."""

from __future__ import annotations

from layers.excerpts import EXCERPTS_SHOWN, excerpt, excerpts_text  # noqa: F401

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe (CSV
    injection): plan and gazetteer text is data, never a formula."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
