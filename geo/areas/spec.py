"""The definitions of the derived areas, as read from `data/boundaries/areas.toml`.

Every number, member list, name and sentence that decides a derived area lives in that file, so
that moving a line or correcting a figure is a data edit that `planmap data derive` replays. The
file is checked completely on load: a definition that names a field its kind does not use, or a
template with an unknown placeholder, is refused with one line naming the file and the entry,
before any geometry is computed.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geo.datafiles import read_toml
from geo.errors import DataError
from geo.vocabulary import KINDS as PLACE_KINDS
from geo.vocabulary import PRECISIONS

DERIVED = "derived"  # the section written to boundaries/derived.geojson, not to a gazetteer file

# kind -> (required fields, optional fields, default precision). Fields common to every kind are
# in COMMON_FIELDS; "source" is required where no sentence in [texts] describes the kind.
KIND_FIELDS: dict[str, tuple[frozenset[str], frozenset[str], str]] = {
    "district": (frozenset({"district"}), frozenset(), "surveyed"),
    "context": (frozenset({"key"}), frozenset(), "surveyed"),
    "township": (frozenset({"seat"}), frozenset(), "schematic"),
    "construction": (frozenset({"construction"}), frozenset({"clip"}), "schematic"),
    "line": (frozenset({"parts"}), frozenset({"clip", "start_at"}), "schematic"),
    "area-only": (frozenset({"drawn_as"}), frozenset({"fallback"}), "area-only"),
    "cut": (frozenset({"district", "line", "keep", "source"}), frozenset(), "schematic"),
    "rest": (frozenset({"district", "minus", "source"}), frozenset(), "schematic"),
    "union": (frozenset({"source"}), frozenset({"districts", "townships", "constructions"}),
              "schematic"),
    "ring": (frozenset({"outer", "inner", "source"}), frozenset(), "schematic"),
    "band": (frozenset({"line", "north_m", "south_m", "clip", "source"}), frozenset(),
             "schematic"),
}
COMMON_FIELDS = frozenset({"kind", "name_en", "name", "note", "parent", "precision", "source",
                           "why", "create", "unless_entry"})
# The kept side of a cut: the corner of the district's bounding box it lies towards.
CORNERS = ("north-west", "north-east", "south-west", "south-east")

# Placeholders each template may use. Notes are formatted with the entry's own measures.
NOTE_FIELDS = frozenset({"area_km2", "extract"})
CONTEXT_NOTE_FIELDS = NOTE_FIELDS | {"definition"}
SOURCE_FIELDS = frozenset({"extract", "construction"})
BAND_SOURCE_FIELDS = SOURCE_FIELDS | {"north_m", "south_m", "line"}
TEXT_FIELDS: dict[str, frozenset[str]] = {
    "extract": frozenset(),
    "context_source": frozenset({"dataset", "tolerance_km", "definition"}),
    "context_note": CONTEXT_NOTE_FIELDS,
    "township_source": frozenset({"extract"}),
    "township_note": frozenset(),
    "construction_source": frozenset({"key", "source"}),
    "copy_source": frozenset({"id", "file", "precision", "source"}),
    "area_only_source": frozenset({"drawn_as"}),
    "derived_note": frozenset(),
}
_SAMPLE: dict[str, object] = {"area_km2": 1.0, "tolerance_km": 0.5, "north_m": 1, "south_m": 1}


@dataclass(frozen=True)
class Part:
    """One line of a `line` entry: another file's entry, else (or only) a construction line."""

    entry: str | None
    construction: str | None


@dataclass(frozen=True)
class Create:
    """What a missing gazetteer entry is created with (ids, names and aliases are never edited)."""

    name: str
    pinyin: str
    kind: str


@dataclass(frozen=True)
class AreaSpec:
    """One derived entry: where it is written, how it is built and what it says about itself."""

    section: str  # gazetteer file stem, or DERIVED
    id: str
    kind: str
    precision: str
    note: str = ""
    name_en: str | None = None
    name: str | None = None
    parent: str | None = None
    source: str | None = None  # template; None = the kind's sentence in [texts]
    why: str = ""
    district: str | None = None
    key: str | None = None
    seat: str | None = None
    construction: str | None = None
    clip: str | None = None
    parts: tuple[Part, ...] = ()
    drawn_as: str | None = None
    fallback: AreaSpec | None = None
    line: str | None = None
    keep: str | None = None
    minus: str | None = None
    districts: tuple[str, ...] = ()
    townships: tuple[str, ...] = ()
    constructions: tuple[str, ...] = ()
    outer: str | None = None
    inner: str | None = None
    north_m: float = 0.0
    south_m: float = 0.0
    create: Create | None = None
    unless_entry: str | None = None
    start_at: str | None = None  # line: keep it from the point nearest this entry to its end

    @property
    def where(self) -> str:
        return f"[{self.section}.{self.id}]"


@dataclass(frozen=True)
class AreasFile:
    """The whole definition file: shared sentences and the entries by section, in file order."""

    path: Path
    texts: Mapping[str, str]
    entries: tuple[AreaSpec, ...] = field(default_factory=tuple)

    def error(self, spec: AreaSpec, problem: str) -> DataError:
        return DataError(f"{self.path.name}: {spec.where} {problem}")

    @property
    def sections(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s.section for s in self.entries))

    def section(self, name: str) -> list[AreaSpec]:
        return [s for s in self.entries if s.section == name]


def check_template(template: str, allowed: Iterable[str], fail: str) -> None:
    """Refuse placeholders the template will not be given, and format specs that cannot apply,
    now rather than half-way through a derivation."""
    allowed = set(allowed)
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise DataError(f"{fail}: {exc}") from None
    sample: dict[str, object] = {}
    for _, name, _, _ in parsed:
        if name is None:
            continue
        root = name.split("[", 1)[0].split(".", 1)[0]
        if root not in allowed:
            raise DataError(f"{fail}: unknown placeholder {{{name}}} (allowed: "
                            f"{', '.join(sorted(allowed)) or 'none'})")
        sample[root] = _AnyKey() if root == "construction" else _SAMPLE.get(root, "x")
    try:
        template.format_map(sample)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        raise DataError(f"{fail}: {exc}") from None


class _AnyKey(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "x"


def _text(raw: Mapping[str, Any], name: str, fail: str, *, required: bool = False) -> str | None:
    value = raw.get(name)
    if value is None:
        if required:
            raise DataError(f"{fail} needs {name!r}")
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        raise DataError(f"{fail}: {name!r} must be a non-empty string")
    return value


def _names(raw: Mapping[str, Any], name: str, fail: str) -> tuple[str, ...]:
    value = raw.get(name, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise DataError(f"{fail}: {name!r} must be a list of strings")
    return tuple(value)


def _metres(raw: Mapping[str, Any], name: str, fail: str) -> float:
    value = raw.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 20000:
        raise DataError(f"{fail}: {name!r} must be a distance in metres (0–20000)")
    return float(value)


def _parts(raw: object, fail: str) -> tuple[Part, ...]:
    if not isinstance(raw, list) or not raw:
        raise DataError(f"{fail}: 'parts' must be a non-empty list of {{entry, construction}}")
    parts = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or set(item) - {"entry", "construction"} or not item:
            raise DataError(f"{fail}: parts[{i}] must name an entry and/or a construction line")
        entry, cons = _text(item, "entry", fail), _text(item, "construction", fail)
        parts.append(Part(entry, cons))
    return tuple(parts)


def parse_entry(section: str, pid: str, raw: object, path: Path, label: str = "") -> AreaSpec:
    """One `[section.id]` table as an AreaSpec, or a DataError naming it."""
    fail = f"{path.name}: [{section}.{pid}{label}]"
    if not isinstance(raw, dict):
        raise DataError(f"{fail} must be a table")
    kind = raw.get("kind")
    if kind not in KIND_FIELDS:
        raise DataError(f"{fail}: unknown kind {kind!r} (one of: {', '.join(KIND_FIELDS)})")
    required, optional, default_precision = KIND_FIELDS[kind]
    unknown = set(raw) - COMMON_FIELDS - required - optional
    if unknown:
        raise DataError(f"{fail}: field {sorted(unknown)[0]!r} is not used by kind {kind!r}")
    missing = sorted(required - set(raw))
    if missing:
        raise DataError(f"{fail}: kind {kind!r} needs {missing[0]!r}")
    precision = raw.get("precision", default_precision)
    if precision not in PRECISIONS or precision == "unlocated":
        raise DataError(f"{fail}: unknown precision {precision!r}")
    if (precision == "area-only") != (kind == "area-only"):
        raise DataError(f"{fail}: precision 'area-only' belongs to kind 'area-only' alone")
    if section == DERIVED:
        if kind not in ("union", "construction"):
            raise DataError(f"{fail}: derived.geojson holds unions and construction outlines")
        _text(raw, "name", fail, required=True)
        for name in ("name_en", "note", "parent", "create", "precision"):
            if name in raw:
                raise DataError(f"{fail}: {name!r} is not written to derived.geojson")
    else:
        _text(raw, "name_en", fail, required=True)
        if "name" in raw or "unless_entry" in raw:
            raise DataError(f"{fail}: 'name'/'unless_entry' only apply to [derived] entries "
                            "(a gazetteer entry keeps its name; see 'create')")
    note = _text(raw, "note", fail) or ""
    check_template(note, CONTEXT_NOTE_FIELDS if kind == "context" else NOTE_FIELDS,
                   f"{fail} note")
    source = _text(raw, "source", fail, required=kind in ("cut", "rest", "union", "ring", "band"))
    if source is not None:
        check_template(source, BAND_SOURCE_FIELDS if kind == "band" else SOURCE_FIELDS,
                       f"{fail} source")
    create = None
    if "create" in raw:
        c = raw["create"]
        if not isinstance(c, dict) or set(c) != {"name", "pinyin", "kind"}:
            raise DataError(f"{fail}: 'create' must give exactly name, pinyin and kind")
        if c["kind"] not in PLACE_KINDS:
            raise DataError(f"{fail}: create.kind {c['kind']!r} is not a gazetteer kind")
        create = Create(str(c["name"]), str(c["pinyin"]), str(c["kind"]))
    fallback = None
    if "fallback" in raw:
        fallback = parse_entry(section, pid, raw["fallback"], path, ".fallback")
        if fallback.kind == "area-only":
            raise DataError(f"{fail}: a fallback must draw something, not copy another entry")
    keep = _text(raw, "keep", fail)
    if keep is not None and keep not in CORNERS:
        raise DataError(f"{fail}: 'keep' must be one of {', '.join(CORNERS)}")
    spec = AreaSpec(
        section=section, id=pid, kind=kind, precision=precision, note=note,
        name_en=_text(raw, "name_en", fail), name=_text(raw, "name", fail),
        parent=_text(raw, "parent", fail), source=source, why=_text(raw, "why", fail) or "",
        district=_text(raw, "district", fail), key=_text(raw, "key", fail),
        seat=_text(raw, "seat", fail), construction=_text(raw, "construction", fail),
        clip=_text(raw, "clip", fail),
        parts=_parts(raw["parts"], fail) if "parts" in raw else (),
        drawn_as=_text(raw, "drawn_as", fail), fallback=fallback, line=_text(raw, "line", fail),
        keep=keep, minus=_text(raw, "minus", fail),
        districts=_names(raw, "districts", fail), townships=_names(raw, "townships", fail),
        constructions=_names(raw, "constructions", fail),
        outer=_text(raw, "outer", fail), inner=_text(raw, "inner", fail),
        north_m=_metres(raw, "north_m", fail) if kind == "band" else 0.0,
        south_m=_metres(raw, "south_m", fail) if kind == "band" else 0.0,
        create=create, unless_entry=_text(raw, "unless_entry", fail),
        start_at=_text(raw, "start_at", fail),
    )
    if kind == "union" and not (spec.districts or spec.townships or spec.constructions):
        raise DataError(f"{fail}: a union needs districts, townships or constructions")
    if kind == "line" and any(p.construction for p in spec.parts) and not spec.clip:
        raise DataError(f"{fail}: construction lines overshoot; give 'clip' (a district)")
    if spec.start_at and len(spec.parts) != 1:
        raise DataError(f"{fail}: 'start_at' cuts a line of one part")
    return spec


def load_areas(path: Path) -> AreasFile:
    """The definition file, every entry and template checked."""
    raw = read_toml(path)
    texts = raw.get("texts")
    if not isinstance(texts, dict):
        raise DataError(f"{path.name}: [texts] table missing")
    for name, allowed in TEXT_FIELDS.items():
        value = texts.get(name)
        if not isinstance(value, str) or not value.strip():
            raise DataError(f"{path.name}: [texts] needs {name!r} (a non-empty string)")
        check_template(value, allowed, f"{path.name}: [texts] {name}")
    unused = sorted(set(texts) - set(TEXT_FIELDS))
    if unused:
        raise DataError(f"{path.name}: [texts] {unused[0]!r} is not used")
    entries: list[AreaSpec] = []
    seen: dict[str, str] = {}
    for section, table in raw.items():
        if section == "texts":
            continue
        if not isinstance(table, dict) or not table:
            raise DataError(f"{path.name}: [{section}] must hold entry tables")
        for pid, entry in table.items():
            if pid in seen:
                raise DataError(f"{path.name}: [{section}.{pid}] is also defined in "
                                f"[{seen[pid]}]")
            seen[pid] = section
            entries.append(parse_entry(section, pid, entry, path))
    return AreasFile(path, dict(texts), tuple(entries))
