"""A new document from file to plan: read it, fill in its metadata, and preview how it reads.

`read_upload` imports the file (geo.importers) and guesses its metadata; `plan_meta` merges what
the planner gave with those guesses into a checked `PlanMeta` carrying the text and layout;
`preview` reads it with the reader and runs the finder on it, so the upload page and
`planmap plans add --dry-run` can show the outline, the citations, the places found and the
unknown names before anything is saved. Storing, review and serving are the database's part
(layers.db.plans); this module knows nothing of them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from geo.corpus import KINDS, PlanMeta
from geo.errors import BadRequest
from geo.finder import FinderRules, matcher
from geo.gazetteer import Gazetteer
from geo.importers import Guess, Imported, checksum, guess, import_document
from geo.importers.metadata import default_id, english_defaults
from geo.reader import PlanDoc, Section, read_plan
from geo.unknown_names import unknown_names

PLAN_ID = re.compile(r"[a-z0-9][a-z0-9-]{2,63}")
RESERVED = frozenset({"upload", "uploads"})  # /plans/upload and /plans/uploads are pages
DATE = re.compile(r"\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?")
LANGUAGE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*")
_CJK = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
# what a planner may set; everything else comes from the file
FIELDS = ("id", "title", "short_title", "issuer", "date", "kind", "language", "title_en",
          "short_title_en", "issuer_en", "period")
MAX_FIELD = 300
MEDIA_TYPES = {"pdf": "application/pdf",
               "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
               "html": "text/html; charset=utf-8", "text": "text/plain; charset=utf-8"}


@dataclass
class Upload:
    """A file read: its bytes, SHA-256, what the importer made of it and the guessed metadata."""

    filename: str
    data: bytes
    checksum: str
    imported: Imported
    guess: Guess

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.imported.source]

    def defaults(self) -> dict[str, str]:
        """The form's values before the planner changes anything."""
        g = self.guess
        date = g.date or ""
        pid = default_id(date[:4] or "undated", self.checksum, g.title)
        out = {"id": pid, "title": g.title, "short_title": f"《{g.title}》" if g.title else "",
               "issuer": g.issuer, "date": date, "kind": g.kind, "language": g.language,
               "period": ""}
        out.update(english_defaults(pid, g.kind, date, g.issuer))
        return out


def read_upload(data: bytes, filename: str) -> Upload:
    name = (filename or "document").replace("\\", "/").rsplit("/", 1)[-1][:255] or "document"
    imported = import_document(data, name)
    return Upload(name, data, checksum(data), imported, guess(imported))


def _field(fields: Mapping[str, Any], key: str, default: str) -> str:
    value = fields.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    if not isinstance(value, str) or len(value) > MAX_FIELD:
        raise BadRequest(f"{key} must be text of at most {MAX_FIELD} characters")
    return value.strip()


def plan_meta(upload: Upload, fields: Mapping[str, Any]) -> PlanMeta:
    """The plan's metadata: the planner's fields over the guesses, checked as plans.toml is
    (an English field without Chinese, a date as YYYY, YYYY-MM or YYYY-MM-DD …)."""
    unknown = sorted(set(fields) - set(FIELDS))
    if unknown:
        raise BadRequest(f"unknown field(s): {', '.join(unknown)} (known: {', '.join(FIELDS)})")
    defaults = upload.defaults()
    values = {key: _field(fields, key, defaults.get(key, "")) for key in FIELDS}
    if values["title"] and not fields.get("short_title"):
        values["short_title"] = f"《{values['title']}》"
    if not fields.get("id") and values["date"] != upload.guess.date:
        values["id"] = default_id(values["date"][:4] or "undated", upload.checksum,
                                  values["title"])
    english = english_defaults(values["id"], values["kind"], values["date"], values["issuer"])
    for key, value in english.items():
        if not fields.get(key):
            values[key] = value
    if not fields.get("short_title_en") and fields.get("title_en"):
        values["short_title_en"] = values["title_en"]
    if not PLAN_ID.fullmatch(values["id"]) or values["id"] in RESERVED:
        raise BadRequest("id must be 3–64 lower-case letters, digits and '-' (e.g. "
                         "haidian-2024-green-plan)")
    for key in ("title", "issuer", "date"):
        if not values[key]:
            raise BadRequest(f"{key} is required: it could not be read from the file")
    if not DATE.fullmatch(values["date"]):
        raise BadRequest(f"date {values['date']!r} must be YYYY, YYYY-MM or YYYY-MM-DD")
    if values["kind"] not in KINDS:
        raise BadRequest(f"kind must be one of {', '.join(KINDS)}")
    if not LANGUAGE.fullmatch(values["language"]):
        raise BadRequest(f"language {values['language']!r} is not a language tag (zh-CN, en)")
    for key in ("title_en", "short_title_en", "issuer_en"):
        if _CJK.search(values[key]):
            raise BadRequest(f"{key} must be English, without Chinese characters")
    imported = upload.imported
    extra = {"source": imported.source, "original": upload.filename,
             "checksum": upload.checksum}
    if imported.pages:
        extra["pages"] = str(imported.pages)
    return PlanMeta(
        id=values["id"], file=upload.filename, title=values["title"],
        short_title=values["short_title"], issuer=values["issuer"], title_en=values["title_en"],
        short_title_en=values["short_title_en"], issuer_en=values["issuer_en"],
        date=values["date"], year=int(values["date"][:4]), kind=values["kind"],
        language=values["language"], period=values["period"] or None, extra=extra,
        content=imported.text, layout=imported.layout)


def outline(doc: PlanDoc) -> list[dict[str, Any]]:
    """The section tree for a preview: heading, where it starts (line, and page for a PDF) and
    how many paragraphs it holds; lead sentences left out, as `planmap outline` does."""
    layout = doc.meta.layout

    def node(s: Section) -> dict[str, Any]:
        first = s.first_line
        page = layout.pages.get(first) if layout is not None and first else None
        return {"heading": s.heading, "kind": s.kind, "label": s.label, "line": first,
                "page": page[0] if page else None, "missing": s.missing,
                "paragraphs": s.paragraph_count,
                "children": [node(c) for c in s.children if c.kind != "lead"]}

    return [node(c) for c in doc.sections.children if c.kind != "lead"]


def preview(upload: Upload, meta: PlanMeta, gazetteer: Gazetteer, rules: FinderRules,
            others: Mapping[str, str] | None = None, dismissed: tuple[str, ...] = ()
            ) -> dict[str, Any]:
    """What the plan will be: outline, a few citations, the places the finder finds (with
    counts) and the unknown names, before anything is saved."""
    doc = read_plan(meta)
    found = matcher(gazetteer, meta.id, rules=rules).find(doc.text)
    counts = Counter(m.place_id for m in found)
    places = [{"id": pid, "name": gazetteer.get(pid).label, "count": n}
              for pid, n in counts.most_common()]
    names = unknown_names(doc.plan_id, doc.text, doc.paragraphs, gazetteer, dismissed, others,
                          limit=50)
    return {
        "meta": meta.as_dict(), "checksum": upload.checksum, "filename": upload.filename,
        "size": len(upload.data), "source": upload.imported.source,
        "encoding": upload.imported.encoding, "pages": upload.imported.pages,
        "guess": upload.guess.as_dict(), "defaults": upload.defaults(),
        "warnings": [*upload.imported.warnings, *doc.warnings],
        "paragraphs": len(doc.paragraphs), "lines": doc.line_count,
        "outline": outline(doc),
        "citations": [{"line": p.line, "citation": p.citation, "citation_en": p.citation_en,
                       "text": p.text[:80]} for p in doc.paragraphs[:5]],
        "places": places, "mentions": len(found),
        "unknown": [u.as_dict() for u in names[:20]], "unknown_total": len(names),
    }
