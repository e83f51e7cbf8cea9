"""Layer definitions: data in `data/layers.toml`, validated on load.

A layer is data, not code, so a planner can add "all the wetlands" or a new spatial structure by
editing a table. Like a tile catalogue, the file is refused as a whole when one entry is wrong
(unknown field, kind, theme or colour; duplicate id), with a message naming the entry: a silently
skipped layer would just be missing from every map and download.

Per-plan layers are not listed in the file: one is generated for every document of the corpus
(`plan-<plan-id>`) from the `[plan_layers]` template, so adding a sixth plan needs no edit here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from geo.corpus import Corpus
from geo.datafiles import read_toml
from geo.errors import DataError
from geo.gazetteer import KINDS, Gazetteer
from geo.paths import data_dir

GROUPS = ("thematic", "structure", "plan")

LAYER_FIELDS = {
    "id", "group", "theme", "title_zh", "title_en", "description_zh", "description_en",
    "default_visible", "kinds", "themes", "members", "exclude", "defined_by", "style",
}
STYLE_FIELDS = {"color", "fill_color", "fill_opacity", "weight", "dash_array", "icon"}
PLAN_LAYER_FIELDS = {"theme", "default_visible", "description_zh", "description_en", "style"}
THEME_FIELDS = {"title_zh", "title_en"}

# Themes a gazetteer entry may carry (the `layer`/`themes` columns of places-in-plans.tsv).
PLACE_THEMES = (
    "admin", "zones", "parks", "nodes", "heritage", "ecology", "renewal", "transport",
    "services", "institutions", "regional", "commerce",
)

_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_DASH = re.compile(r"^\d+(\.\d+)?( \d+(\.\d+)?)*$")
_ICON = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_DEFINED_BY = re.compile(r"^([a-z0-9][a-z0-9-]*):([1-9]\d*)$")


@dataclass(frozen=True)
class LayerDef:
    id: str
    title: dict[str, str]
    description: dict[str, str]
    group: str
    theme: str
    style: dict[str, object]
    default_visible: bool
    defined_by: str | None = None  # structure layers: citation of the defining paragraph
    defined_by_en: str | None = None  # the same citation in English
    # Membership, and where the definition came from (not part of the shared contract).
    kinds: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    members: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    defined_at: tuple[str, int] | None = None  # (plan id, line) of the defining paragraph
    plan_id: str | None = None  # per-plan layers

    @property
    def defined_at_id(self) -> str | None:
        """The defining paragraph as the reader's paragraph id, `plan:line`."""
        return f"{self.defined_at[0]}:{self.defined_at[1]}" if self.defined_at else None

    def selects(self, place_id: str, kind: str, themes: tuple[str, ...]) -> bool:
        """Membership: explicit members, or a matching kind or theme, minus exclusions."""
        if place_id in self.exclude:
            return False
        if place_id in self.members:
            return True
        return kind in self.kinds or any(t in self.themes for t in themes)

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "title": dict(self.title),
            "description": dict(self.description),
            "group": self.group,
            "theme": self.theme,
            "style": dict(self.style),
            "default_visible": self.default_visible,
            "defined_by": self.defined_by,
            "defined_at": self.defined_at_id,
            "plan_id": self.plan_id,
        }


@dataclass(frozen=True)
class Definitions:
    """Everything in layers.toml: themes (layer-control groups), layers, the per-plan template."""

    themes: dict[str, dict[str, str]]
    layers: tuple[LayerDef, ...]
    plan_template: dict[str, object] = field(default_factory=dict)
    path: Path | None = None

    def theme_title(self, key: str, lang: str = "zh") -> str:
        return self.themes[key][lang]

    def with_plan_layers(self, corpus: Corpus) -> list[LayerDef]:
        """Thematic and structure layers in file order, then one layer per plan in date order."""
        tpl = self.plan_template
        out = list(self.layers)
        for meta in corpus:
            out.append(
                LayerDef(
                    id=f"plan-{meta.id}",
                    title={"zh": meta.short_title,
                           "en": f"Places named in {meta.short_title_en}"},
                    description={
                        "zh": f"{meta.short_title}({meta.year}):{tpl['description_zh']}",
                        "en": f"{meta.title_en} ({meta.year}): {tpl['description_en']}",
                    },
                    group="plan",
                    theme=str(tpl["theme"]),
                    style=dict(tpl["style"]),  # type: ignore[call-overload]
                    default_visible=bool(tpl["default_visible"]),
                    plan_id=meta.id,
                )
            )
        return out


def definitions_path() -> Path:
    return data_dir() / "layers.toml"


def _strings(value: object, where: str, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise DataError(f"{where}: {key!r} must be a list of strings")
    return tuple(value)


def _text(entry: dict, key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise DataError(f"{where}: missing or empty {key!r}")
    return value


def _style(raw: object, where: str) -> dict[str, object]:
    if not isinstance(raw, dict):
        raise DataError(f"{where}: missing [style] table")
    unknown = sorted(set(raw) - STYLE_FIELDS)
    if unknown:
        raise DataError(f"{where}: unknown style field(s) {', '.join(unknown)}")
    missing = sorted(STYLE_FIELDS - set(raw))
    if missing:
        raise DataError(f"{where}: style lacks {', '.join(missing)}")
    for key in ("color", "fill_color"):
        if not isinstance(raw[key], str) or not _COLOUR.match(raw[key]):
            raise DataError(f"{where}: style {key} {raw[key]!r} is not a #rrggbb colour")
    opacity = raw["fill_opacity"]
    if isinstance(opacity, bool) or not isinstance(opacity, int | float) or not 0 <= opacity <= 1:
        raise DataError(f"{where}: style fill_opacity {opacity!r} is not between 0 and 1")
    weight = raw["weight"]
    if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 < weight <= 20:
        raise DataError(f"{where}: style weight {weight!r} is not a width in pixels (0–20]")
    if not isinstance(raw["dash_array"], str) or not _DASH.match(raw["dash_array"]):
        raise DataError(f"{where}: style dash_array {raw['dash_array']!r} is not like '6 4'")
    if not isinstance(raw["icon"], str) or not _ICON.match(raw["icon"]):
        raise DataError(f"{where}: style icon {raw['icon']!r} is not an icon name")
    return dict(raw)


def _layer(entry: object, i: int, themes: dict[str, dict[str, str]], path: Path) -> LayerDef:
    if not isinstance(entry, dict):
        raise DataError(f"{path.name} layer {i}: not a table")
    lid = entry.get("id")
    where = f"{path.name} layer {i} ({lid!r})" if lid else f"{path.name} layer {i}"
    unknown = sorted(set(entry) - LAYER_FIELDS)
    if unknown:
        raise DataError(f"{where}: unknown field(s) {', '.join(unknown)}")
    if not isinstance(lid, str) or not _ID.match(lid):
        raise DataError(f"{where}: id must be a lower-case ascii slug")
    if lid.startswith("plan-"):
        raise DataError(f"{where}: ids starting 'plan-' are reserved for per-plan layers")
    group = entry.get("group")
    if group not in ("thematic", "structure"):
        raise DataError(f"{where}: group {group!r} is not 'thematic' or 'structure'")
    theme = entry.get("theme")
    if theme not in themes:
        raise DataError(f"{where}: unknown theme {theme!r} (known: {', '.join(themes)})")
    visible = entry.get("default_visible", False)
    if not isinstance(visible, bool):
        raise DataError(f"{where}: default_visible must be true or false")
    kinds = _strings(entry.get("kinds", []), where, "kinds")
    for k in kinds:
        if k not in KINDS:
            raise DataError(f"{where}: unknown kind {k!r}")
    place_themes = _strings(entry.get("themes", []), where, "themes")
    for t in place_themes:
        if t not in PLACE_THEMES:
            known = ", ".join(PLACE_THEMES)
            raise DataError(f"{where}: unknown place theme {t!r} (known: {known})")
    members = _strings(entry.get("members", []), where, "members")
    if len(set(members)) != len(members):
        raise DataError(f"{where}: a member is listed twice")
    exclude = _strings(entry.get("exclude", []), where, "exclude")
    if not (kinds or place_themes or members):
        raise DataError(f"{where}: selects nothing (give kinds, themes or members)")
    defined_at: tuple[str, int] | None = None
    raw_def = entry.get("defined_by")
    if group == "structure":
        if kinds or place_themes:
            raise DataError(f"{where}: structure layers list their members explicitly")
        if not isinstance(raw_def, str) or not (m := _DEFINED_BY.match(raw_def)):
            raise DataError(f"{where}: defined_by must be '<plan-id>:<line>'")
        defined_at = (m.group(1), int(m.group(2)))
    elif raw_def is not None:
        raise DataError(f"{where}: defined_by is for structure layers only")
    return LayerDef(
        id=lid,
        title={"zh": _text(entry, "title_zh", where), "en": _text(entry, "title_en", where)},
        description={
            "zh": _text(entry, "description_zh", where),
            "en": _text(entry, "description_en", where),
        },
        group=group,
        theme=theme,
        style=_style(entry.get("style"), where),
        default_visible=visible,
        kinds=kinds,
        themes=place_themes,
        members=members,
        exclude=exclude,
        defined_at=defined_at,
    )


def load_definitions(path: Path | None = None) -> Definitions:
    path = path or definitions_path()
    raw = read_toml(path)
    unknown = sorted(set(raw) - {"theme", "layer", "plan_layers"})
    if unknown:
        raise DataError(f"{path.name}: unknown top-level table(s) {', '.join(unknown)}")
    themes: dict[str, dict[str, str]] = {}
    for key, value in (raw.get("theme") or {}).items():
        where = f"{path.name} theme {key!r}"
        if not isinstance(value, dict):
            raise DataError(f"{where}: not a table")
        bad = sorted(set(value) - THEME_FIELDS)
        if bad:
            raise DataError(f"{where}: unknown field(s) {', '.join(bad)}")
        themes[key] = {"zh": _text(value, "title_zh", where), "en": _text(value, "title_en", where)}
    if not themes:
        raise DataError(f"{path.name}: no [theme.*] tables")
    layers: list[LayerDef] = []
    seen: dict[str, int] = {}
    for i, entry in enumerate(raw.get("layer") or [], start=1):
        layer = _layer(entry, i, themes, path)
        if layer.id in seen:
            raise DataError(
                f"{path.name} layer {i} ({layer.id!r}): duplicate id (also layer {seen[layer.id]})"
            )
        seen[layer.id] = i
        layers.append(layer)
    if not layers:
        raise DataError(f"{path.name}: no [[layer]] entries")
    tpl = raw.get("plan_layers")
    where = f"{path.name} [plan_layers]"
    if not isinstance(tpl, dict):
        raise DataError(f"{where}: missing")
    bad = sorted(set(tpl) - PLAN_LAYER_FIELDS)
    if bad:
        raise DataError(f"{where}: unknown field(s) {', '.join(bad)}")
    if tpl.get("theme") not in themes:
        raise DataError(f"{where}: unknown theme {tpl.get('theme')!r}")
    if not isinstance(tpl.get("default_visible", False), bool):
        raise DataError(f"{where}: default_visible must be true or false")
    plan_template: dict[str, object] = {
        "theme": tpl["theme"],
        "default_visible": tpl.get("default_visible", False),
        "description_zh": _text(tpl, "description_zh", where),
        "description_en": _text(tpl, "description_en", where),
        "style": _style(tpl.get("style"), where),
    }
    return Definitions(themes=themes, layers=tuple(layers), plan_template=plan_template, path=path)


def check_references(defs: Definitions, gazetteer: Gazetteer, corpus: Corpus) -> None:
    """Cross-check against the data the layers draw on: every member, exclusion and defining
    plan must exist. Kept apart from loading so the file can be validated on its own."""
    name = defs.path.name if defs.path else "layers.toml"
    for layer in defs.layers:
        where = f"{name} layer {layer.id!r}"
        for pid in (*layer.members, *layer.exclude):
            if pid not in gazetteer:
                raise DataError(f"{where}: {pid!r} is not a gazetteer id")
        if layer.defined_at and layer.defined_at[0] not in corpus.plans:
            raise DataError(f"{where}: defined_by names unknown plan {layer.defined_at[0]!r}")
        ids = {f"plan-{p.id}" for p in corpus}
        if layer.id in ids:
            raise DataError(f"{where}: id clashes with a per-plan layer")
