"""Data licences the gazetteer's files may carry, and the credit each asks to be shown.

Most of the gazetteer is our own work; some of it is derived from open databases whose licence
travels with the data (OpenStreetMap's stations and lines are under the ODbL). Such a file says so
in its FeatureCollection (`attribution`, `licence`), or an entry in its properties, and the store
hands the credits of the data in use to every page, figure and export that shows it — so the
credit follows the data, not a list of special cases.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from geo.errors import DataError

# licence id (SPDX where one exists) -> title and where to read it
LICENCES: dict[str, dict[str, str]] = {
    "ODbL-1.0": {"title": "Open Database License 1.0",
                 "url": "https://opendatacommons.org/licenses/odbl/1-0/"},
}


@dataclass(frozen=True)
class Attribution:
    """A credit to show with data: its text, the licence it is under and the gazetteer files
    holding entries it covers."""

    text: str
    licence: str
    files: tuple[str, ...]

    @property
    def url(self) -> str:
        return LICENCES[self.licence]["url"]

    @property
    def title(self) -> str:
        return LICENCES[self.licence]["title"]

    def as_dict(self) -> dict[str, object]:
        return {"text": self.text, "licence": self.licence, "licence_title": self.title,
                "url": self.url, "files": list(self.files)}


def check_credit(attribution: object, licence: object, where: str) -> tuple[str, str]:
    """A credit and its licence, both given or both absent; the licence must be known."""
    if not attribution and not licence:
        return "", ""
    if not (isinstance(attribution, str) and attribution.strip()):
        raise DataError(f"{where}: licence {licence!r} needs the 'attribution' text to show")
    if not isinstance(licence, str) or licence not in LICENCES:
        raise DataError(f"{where}: attribution needs a known 'licence' "
                        f"(known: {', '.join(LICENCES)})")
    return attribution.strip(), licence


def collect(credits: Iterable[tuple[str, str, str]]) -> list[Attribution]:
    """(text, licence, file) triples as one Attribution per credit, files sorted, in order of
    first appearance."""
    files: dict[tuple[str, str], set[str]] = {}
    for text, licence, file in credits:
        if text:
            files.setdefault((text, licence), set()).add(file)
    return [Attribution(text, licence, tuple(sorted(names)))
            for (text, licence), names in files.items()]
