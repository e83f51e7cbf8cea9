"""The layer store: places + their mentions in the plans, grouped into map layers.

Built once from the corpus, the gazetteer and `data/layers.toml`: every plan goes through the
finder a single time (the mention index), and every other answer — a layer, a place record, a
search — is a lookup in what that pass produced. The web atlas, the OGC API, the figures and the
exports all read this one object, so a place says the same thing everywhere.

Policy text: a passage is the whole paragraph that names the place. In these documents one
physical line is one paragraph, and the citation points at that line, so the quoted text is
exactly what the citation designates; a sentence-with-context cut would need its own offsets and
would split the enumerations ("推动北宫门-安河桥、…等七大节点建设") that carry the meaning.
Where a format cannot hold whole paragraphs (Shapefile, a CSV cell meant for people), the
exporters derive short excerpts — the sentence naming the place — from these passages.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import replace
from functools import lru_cache

from shapely.geometry import mapping

from geo.corpus import Corpus, PlanMeta, default_corpus
from geo.errors import BadRequest, DataError, NotFound
from geo.finder import find_places
from geo.gazetteer import Gazetteer, Place, default_gazetteer
from geo.reader import PlanDoc, plan_doc, read_plan
from layers.definitions import Definitions, LayerDef, check_references, load_definitions

# Property order of every feature, in every export format.
FEATURE_PROPERTIES = (
    "id", "name", "name_en", "kind", "precision", "layer", "mention_count", "plans", "years",
    "first_year", "last_year", "passages", "source", "parent", "note",
)

_FOLD = re.compile(r"[\s'’·\-_.,()（）]+")


def fold(text: str) -> str:
    """Search normal form: NFKC, lower case, no spaces or punctuation ("Bei Qing" → "beiqing")."""
    return _FOLD.sub("", unicodedata.normalize("NFKC", text).casefold())


def _pinyin(text: str) -> str:
    """Toneless pinyin of a Chinese string, for search keys the gazetteer did not spell out."""
    try:
        from pypinyin import lazy_pinyin
    except ImportError:  # pypinyin is a declared dependency; search degrades without it
        return ""
    return "".join(lazy_pinyin(text))


class LayerStore:
    """Every layer, place record and passage, computed once.

    Returned dicts are shared with the store: treat them as read-only (copy before changing).
    """

    def __init__(
        self,
        corpus: Corpus | None = None,
        gazetteer: Gazetteer | None = None,
        definitions: Definitions | None = None,
    ) -> None:
        self.corpus = corpus or default_corpus()
        self.gazetteer = gazetteer or default_gazetteer()
        self.definitions = definitions or load_definitions()
        check_references(self.definitions, self.gazetteer, self.corpus)
        self._docs: dict[str, PlanDoc] = {meta.id: self._read(meta) for meta in self.corpus}
        self.stats: dict[str, int] = {}
        self._passages: dict[str, list[dict]] = {}
        self._mentions: dict[str, dict[str, int]] = {}  # place id -> plan id -> count
        self._plan_places: dict[str, list[str]] = {}
        self._geojson: dict[str, dict] = {}
        self._index_mentions()
        self.layers: list[LayerDef] = [
            self._resolve(layer) for layer in self.definitions.with_plan_layers(self.corpus)
        ]
        self._layer_by_id = {layer.id: layer for layer in self.layers}
        self._props: dict[str, dict] = {p.id: self._properties(p) for p in self.gazetteer}
        self._members: dict[str, list[str]] = {
            layer.id: self._select(layer) for layer in self.layers
        }
        self._place_layers: dict[str, list[str]] = {}
        for layer_id, ids in self._members.items():
            for pid in ids:
                self._place_layers.setdefault(pid, []).append(layer_id)
        self._search_keys = self._build_search_keys()
        located = sum(1 for p in self.gazetteer if p.geometry is not None)
        self.stats.update(
            places=len(self.gazetteer),
            located=located,
            unlocated=len(self.gazetteer) - located,
            mentioned=len(self._mentions),
            mentioned_unlocated=sum(
                1 for pid in self._mentions if self.gazetteer.get(pid).geometry is None
            ),
            layers=len(self.layers),
        )

    # ------------------------------------------------------------------ building

    def _read(self, meta: PlanMeta) -> PlanDoc:
        # The reader caches documents of the default corpus; reuse them when that is ours.
        if self.corpus is default_corpus():
            return plan_doc(meta.id)
        return read_plan(meta)

    def _index_mentions(self) -> None:
        """The one pass through the finder: every mention, attached to its paragraph."""
        total = outside = 0
        for meta in self.corpus:
            doc = self._docs[meta.id]
            paragraphs = sorted(doc.paragraphs, key=lambda p: p.start)
            starts = [p.start for p in paragraphs]
            grouped: dict[tuple[str, int], list] = {}
            order: list[str] = []
            for m in find_places(meta.text(), meta.id, self.gazetteer):
                if m.place_id not in self.gazetteer:
                    continue
                total += 1
                counts = self._mentions.setdefault(m.place_id, {})
                counts[meta.id] = counts.get(meta.id, 0) + 1
                if m.place_id not in order:
                    order.append(m.place_id)
                i = bisect.bisect_right(starts, m.start) - 1
                if i < 0 or m.end > paragraphs[i].end:
                    outside += 1  # in a heading or residue line the reader does not keep
                    continue
                grouped.setdefault((m.place_id, i), []).append(m)
            self._plan_places[meta.id] = order
            for (place_id, i), mentions in sorted(
                grouped.items(), key=lambda kv: (paragraphs[kv[0][1]].line, kv[0][0])
            ):
                para = paragraphs[i]
                self._passages.setdefault(place_id, []).append(
                    {
                        "plan_id": meta.id,
                        "plan_title": meta.short_title,
                        "year": meta.year,
                        "date": meta.date,
                        "line": para.line,
                        "section": list(para.section_labels),
                        "citation": para.citation,
                        "text": para.text,
                        "mentions": [[m.start - para.start, m.end - para.start] for m in mentions],
                    }
                )
        # The corpus iterates in date order, so each list is already plan date, then line.
        self.stats.update(mentions=total, mentions_outside_paragraphs=outside)

    def _resolve(self, layer: LayerDef) -> LayerDef:
        """A structure layer's `defined_by` is the citation of its defining paragraph."""
        if layer.defined_at is None:
            return layer
        plan_id, line = layer.defined_at
        try:
            paragraph = self._docs[plan_id].paragraph(line)
        except (NotFound, KeyError):
            raise DataError(
                f"layers.toml layer {layer.id!r}: defined_by {plan_id}:{line} is not a paragraph"
            ) from None
        return replace(layer, defined_by=paragraph.citation)

    def _properties(self, place: Place) -> dict:
        counts = self._mentions.get(place.id, {})
        plans = [meta.id for meta in self.corpus if meta.id in counts]
        years = sorted({self.corpus.get(p).year for p in plans})
        return {
            "id": place.id,
            "name": place.label,
            "name_en": place.name_en,
            "kind": place.kind,
            "precision": place.precision,
            "layer": place.layer,
            "mention_count": sum(counts.values()),
            "plans": plans,
            "years": years,
            "first_year": years[0] if years else None,
            "last_year": years[-1] if years else None,
            "passages": self._passages.get(place.id, []),
            "source": place.source,
            "parent": place.parent,
            "note": place.note,
        }

    def _select(self, layer: LayerDef) -> list[str]:
        """Located members of a layer: structure members in their listed order, others by how
        much the plans say about them (most-mentioned first), then id."""
        if layer.group == "plan":
            ids = list(self._plan_places.get(layer.plan_id or "", []))
        elif layer.group == "structure":
            ids = list(layer.members)
        else:
            ids = [p.id for p in self.gazetteer if layer.selects(p.id, p.kind, p.themes)]
        ids = [pid for pid in ids if self.gazetteer.get(pid).geometry is not None]
        if layer.group == "thematic":
            ids.sort(key=lambda pid: (-self._props[pid]["mention_count"], pid))
        return ids

    def _build_search_keys(self) -> list[tuple[str, str, str]]:
        keys: list[tuple[str, str, str]] = []  # (folded key, place id, the string shown)
        for p in self.gazetteer:
            strings = [p.label, p.match_name, *(a.text for a in p.aliases)]
            if p.name_en:
                strings.append(p.name_en)
            seen: set[str] = set()
            for s in strings:
                for key in (fold(s), fold(_pinyin(s))):
                    if key and key not in seen:
                        seen.add(key)
                        keys.append((key, p.id, s))
            if p.pinyin and fold(p.pinyin) not in seen:
                keys.append((fold(p.pinyin), p.id, p.pinyin))
        return keys

    # ------------------------------------------------------------------ the contract

    def layer(self, layer_id: str) -> LayerDef:
        try:
            return self._layer_by_id[layer_id]
        except KeyError:
            raise NotFound(f"unknown layer {layer_id!r}") from None

    def layer_ids(self) -> list[str]:
        return [layer.id for layer in self.layers]

    def member_ids(self, layer_id: str) -> list[str]:
        """Ids of the located places a layer draws, in layer order."""
        self.layer(layer_id)
        return list(self._members[layer_id])

    def feature(self, place_id: str) -> dict | None:
        """A place as a GeoJSON Feature, or None when it has no geometry."""
        place = self.gazetteer.get(place_id)
        if place.geometry is None:
            return None
        return {
            "type": "Feature",
            "id": place.id,
            "geometry": self._geometry(place),
            "properties": dict(self._props[place.id]),
        }

    def _geometry(self, place: Place) -> dict:
        """GeoJSON geometry of a place, converted once: layers share their big polygons."""
        cached = self._geojson.get(place.id)
        if cached is None:
            cached = self._geojson[place.id] = mapping(place.geometry)
        return cached

    def features(self, layer_id: str) -> list[dict]:
        return [f for pid in self.member_ids(layer_id) if (f := self.feature(pid)) is not None]

    def feature_collection(self, layer_id: str) -> dict:
        layer = self.layer(layer_id)
        return {
            "type": "FeatureCollection",
            "name": layer.id,
            "title": layer.title["zh"],
            "features": self.features(layer_id),
        }

    def place_record(self, place_id: str) -> dict:
        place = self.gazetteer.get(place_id)
        record = place.properties()
        record.update(self._props[place_id])
        record["located"] = place.geometry is not None
        record["geometry"] = self._geometry(place) if place.geometry is not None else None
        record["layers"] = list(self._place_layers.get(place_id, []))
        return record

    def passages(self, place_id: str) -> list[dict]:
        self.gazetteer.get(place_id)
        return list(self._passages.get(place_id, []))

    def plan_places(self, plan_id: str) -> list[str]:
        """Every place a plan names (located or not), in order of first mention."""
        self.corpus.get(plan_id)
        return list(self._plan_places.get(plan_id, []))

    def search(self, q: str, limit: int = 10) -> list[dict]:
        """Names, aliases, English names and pinyin, folded: exact, then prefix, then substring
        matches; within each, the places the plans mention most first."""
        key = fold(q)
        if not key:
            raise BadRequest("search needs a non-empty query")
        best: dict[str, tuple[int, str]] = {}
        for k, pid, shown in self._search_keys:
            if k == key:
                rank = 0
            elif k.startswith(key):
                rank = 1
            elif key in k:
                rank = 2
            else:
                continue
            if pid not in best or rank < best[pid][0]:
                best[pid] = (rank, shown)
        order = sorted(
            best,
            key=lambda pid: (best[pid][0], -self._props[pid]["mention_count"], len(pid), pid),
        )
        out = []
        for pid in order[: max(0, limit)]:
            place = self.gazetteer.get(pid)
            props = self._props[pid]
            out.append(
                {
                    "id": pid,
                    "name": props["name"],
                    "name_en": props["name_en"],
                    "kind": props["kind"],
                    "precision": props["precision"],
                    "layer": props["layer"],
                    "mention_count": props["mention_count"],
                    "located": place.geometry is not None,
                    "bbox": list(place.geometry.bounds) if place.geometry is not None else None,
                    "matched": best[pid][1],
                    "match": ("exact", "prefix", "substring")[best[pid][0]],
                }
            )
        return out


@lru_cache(maxsize=1)
def default_store() -> LayerStore:
    return LayerStore()
