"""The plan corpus: metadata from `data/plans/plans.toml`, text files beside it.

Metadata is data so that adding a sixth document needs a text file and a table entry, no code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from geo.datafiles import read_toml
from geo.errors import BadRequest, DataError, NotFound
from geo.layout import Layout
from geo.paths import plans_dir
from geo.textfile import read_text

KINDS = ("plan", "article", "report")
REQUIRED = ("id", "file", "title", "short_title", "issuer", "title_en", "short_title_en",
            "issuer_en", "date", "year", "kind", "language")
# Shown in the English interface and English citations: plain text with no Chinese characters.
ENGLISH = ("title_en", "short_title_en", "issuer_en")
_CJK = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")


@dataclass(frozen=True)
class PlanMeta:
    id: str
    file: str
    title: str
    short_title: str
    issuer: str
    title_en: str
    short_title_en: str
    issuer_en: str
    date: str
    year: int
    kind: str
    language: str
    period: str | None = None
    author: str | None = None
    note: str | None = None
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    directory: Path = field(default_factory=plans_dir, compare=False, hash=False)
    # A plan added at run time (geo.importers, kept in the database) carries its text and what
    # its form said about headings and pages; a plan in data/plans has neither.
    content: str | None = field(default=None, compare=False, hash=False, repr=False)
    layout: Layout | None = field(default=None, compare=False, hash=False, repr=False)

    @property
    def path(self) -> Path:
        return self.directory / self.file

    def text(self) -> str:
        """The file's text exactly as stored; offsets everywhere index into this string."""
        if self.content is not None:
            return self.content
        return plan_text(self)

    def in_lang(self, lang: str) -> dict[str, str]:
        """Title, short title and issuer in the interface language (the plan's own words in
        Chinese, the translation in English)."""
        if lang == "en":
            return {"title": self.title_en, "short_title": self.short_title_en,
                    "issuer": self.issuer_en}
        return {"title": self.title, "short_title": self.short_title, "issuer": self.issuer}

    def as_dict(self) -> dict[str, object]:
        d: dict[str, object] = {
            "id": self.id,
            "title": self.title,
            "short_title": self.short_title,
            "issuer": self.issuer,
            "title_en": self.title_en,
            "short_title_en": self.short_title_en,
            "issuer_en": self.issuer_en,
            "date": self.date,
            "year": self.year,
            "kind": self.kind,
            "language": self.language,
            "period": self.period,
            "author": self.author,
            "file": self.file,
        }
        d.update(self.extra)
        return d


class Corpus:
    """The documents in year order (then id), which is the order passages are shown in."""

    def __init__(self, plans: list[PlanMeta]) -> None:
        self.plans: dict[str, PlanMeta] = {
            p.id: p for p in sorted(plans, key=lambda p: (p.date, p.id))
        }

    def __iter__(self):
        return iter(self.plans.values())

    def __len__(self) -> int:
        return len(self.plans)

    def get(self, plan_id: str) -> PlanMeta:
        try:
            return self.plans[plan_id]
        except KeyError:
            known = ", ".join(self.plans)
            raise NotFound(f"unknown plan id {plan_id!r} (known: {known})") from None


def load_corpus(directory: Path | None = None) -> Corpus:
    directory = directory or plans_dir()
    meta_file = directory / "plans.toml"
    raw = read_toml(meta_file)
    plans: list[PlanMeta] = []
    seen: set[str] = set()
    for i, entry in enumerate(raw.get("plan", []), start=1):
        where = f"{meta_file.name} entry {i} ({entry.get('id', '?')})"
        missing = [k for k in REQUIRED if k not in entry]
        if missing:
            raise DataError(f"{where}: missing {', '.join(missing)}")
        if entry["kind"] not in KINDS:
            raise DataError(f"{where}: kind {entry['kind']!r} is not one of {', '.join(KINDS)}")
        for key in ENGLISH:
            value = entry[key]
            if not isinstance(value, str) or not value.strip():
                raise DataError(f"{where}: {key} must be non-empty text")
            if _CJK.search(value):
                raise DataError(f"{where}: {key} must be English, not {value!r}")
        if entry["id"] in seen:
            raise DataError(f"{where}: duplicate plan id")
        seen.add(entry["id"])
        check_file(directory, entry["file"], where)
        known = set(REQUIRED) | {"period", "author", "note"}
        extra = {k: str(v) for k, v in entry.items() if k not in known}
        plans.append(
            PlanMeta(
                **{k: entry[k] for k in REQUIRED},
                period=entry.get("period"),
                author=entry.get("author"),
                note=entry.get("note"),
                extra=extra,
                directory=directory,
            )
        )
    if not plans:
        raise DataError(f"{meta_file}: no [[plan]] entries")
    return Corpus(plans)


def check_file(directory: Path, name: str, where: str) -> None:
    """A plan's text must be a file inside the plans folder: `file = "/etc/passwd"` or a link
    out of the folder would publish whatever it points at."""
    folder = directory.resolve()
    path = (directory / name).resolve()
    if not path.is_relative_to(folder):
        raise DataError(f"{where}: file {name!r} is outside the plans folder")
    if not path.is_file():
        raise DataError(f"{where}: text file {name} not found")


def plan_text(meta: PlanMeta) -> str:
    """UTF-8 or GB18030 (geo.textfile); anything else is a DataError naming the plan."""
    try:
        return read_text(meta.path, f"{meta.directory.name}/{meta.file} (plan {meta.id})")
    except BadRequest as exc:
        raise DataError(exc.message) from None


def default_corpus() -> Corpus:
    """The corpus of the data directory in force now (`PLANMAP_DATA` is read on each call).

    Kept once per directory, so switching `PLANMAP_DATA` gives that directory's plans rather
    than whatever was loaded first."""
    return _corpus_at(plans_dir().resolve())


@lru_cache(maxsize=4)
def _corpus_at(directory: Path) -> Corpus:
    return load_corpus(directory)
