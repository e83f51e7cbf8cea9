"""planmap's place layers as OGC collections: their queryables, the words `q` searches, and
the flat fields a GIS client keeps.

`place_store` indexes one layer's place features (or one geometry family of them, as the OGC API
publishes them, layers.families) in a layers.query.FeatureStore. Each feature gains `excerpts`,
the first passages with their citations as one text (layers.excerpts), because QGIS drops the
nested `passages` it cannot show; and `detail_url`, the absolute address of the place's page,
made from the site root of each request.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from urllib.parse import quote

from geo.vocabulary import PRECISIONS
from layers.excerpts import excerpts_text
from layers.query import FeatureStore, Queryable

PLACE_QUERYABLES: tuple[Queryable, ...] = (
    Queryable("id", "id", title="place id", description="the gazetteer id, e.g. yiheyuan"),
    Queryable("name", "name", title="Chinese name (exact)"),
    Queryable("name_en", "name_en", title="English name (exact)"),
    Queryable("kind", "kind", title="kind of place", description="gazetteer kind, e.g. park"),
    Queryable("precision", "precision", title="how exactly the geometry is known",
              enum=PRECISIONS),
    Queryable("layer", "layer", title="thematic layer id"),
    Queryable("plan", "plans", title="plan id", description="places named in this plan",
              many=True),
    Queryable("year", "years", type="integer", title="plan year",
              description="places named in a plan of this year", many=True),
    Queryable("first_year", "first_year", type="integer",
              title="year of the earliest plan naming the place"),
    Queryable("last_year", "last_year", type="integer",
              title="year of the latest plan naming the place"),
    Queryable("mention_count", "mention_count", type="integer",
              title="how many passages name the place"),
    Queryable("error_m", "error_m", type="number",
              title="expected position error in metres (none for area-only places)"),
    Queryable("parent", "parent", title="id of the containing place"),
)


def place_text(keywords: Callable[[str], Sequence[str]] | None = None
               ) -> Callable[[Mapping], str]:
    """The words `q` searches in a place feature: the store's search keywords for it (aliases,
    pinyin), aliases and pinyin the properties carry, and every passage's text and citation."""

    def text(props: Mapping) -> str:
        parts: list[str] = list(keywords(str(props.get("id")))) if keywords else []
        parts.extend(
            str(a.get("text") if isinstance(a, Mapping) else a) for a in props.get("aliases") or ()
        )
        if props.get("pinyin"):
            parts.append(str(props["pinyin"]))
            parts.append(str(props["pinyin"]).replace(" ", ""))
        for passage in props.get("passages") or ():
            if isinstance(passage, Mapping):
                parts.extend(str(passage.get(k) or "") for k in ("text", "citation"))
            else:
                parts.append(str(passage))
        return " ".join(parts)

    return text


def place_path(place_id: str) -> str:
    """The path of a place's page in the atlas (webmap.pages serves /places/<id>)."""
    return "/places/" + quote(place_id, safe="")


def with_excerpts(feature: Mapping) -> dict:
    """A place feature with `excerpts` after its `passages` (an empty text when it has none)."""
    props = dict(feature.get("properties") or {})
    passages = [dict(p) for p in props.get("passages") or () if isinstance(p, Mapping)]
    props["excerpts"] = excerpts_text(passages) if passages else ""
    return {**feature, "properties": props}


def place_store(features: Sequence[Mapping],
                keywords: Callable[[str], Sequence[str]] | None = None) -> FeatureStore:
    """A FeatureStore over place features, with the place queryables, `excerpts` and a
    `detail_url` per feature; `keywords` (a store's `search_keywords`) adds the words the
    properties do not carry."""
    return FeatureStore.build([with_excerpts(f) for f in features], PLACE_QUERYABLES,
                              text=place_text(keywords), detail_path=place_path)
