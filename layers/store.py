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

The store implements `layers.protocol.PlanStore`. Everything it derives (documents, mention
index, search index, basemap, GeoJSON geometries) lives on the instance: two stores over two data
sets never share an answer, and `version` names the content for caches kept elsewhere.
"""

from __future__ import annotations

import bisect
import copy
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from shapely.geometry import mapping

from geo.corpus import Corpus, PlanMeta, default_corpus, load_corpus
from geo.errors import BadRequest, DataError, NotFound
from geo.finder import RULES_FILE, FinderRules, load_rules, matcher, rules_for
from geo.gazetteer import Gazetteer, Place, default_gazetteer, load_gazetteer
from geo.licences import Attribution
from geo.paths import data_dir
from geo.reader import PlanDoc, read_plans
from geo.search import Hit, PlaceIndex, fold, pinyin
from layers.basemap import BasemapFeature, basemap_features
from layers.definitions import Definitions, LayerDef, check_references, load_definitions
from layers.documents import plan_document
from layers.health import DataWatch
from layers.protocol import MentionSpan, PlanDocument

# Property order of every feature, in every export format.
FEATURE_PROPERTIES = (
    "id", "name", "name_en", "kind", "precision", "error_m", "accuracy_zh", "accuracy_en",
    "layer", "mention_count", "plans", "years", "first_year", "last_year", "passages", "source",
    "parent", "note",
)


_HIT_FIELDS = ("name", "name_en", "kind", "precision", "layer", "mention_count")


class LayerStore:
    """Every layer, place record, plan document and search answer, computed once.

    Returned dicts are shared with the store: treat them as read-only (copy before changing).
    `basemap_dir` is the data directory whose `boundaries/` hold the district outlines.
    """

    def __init__(
        self,
        corpus: Corpus | None = None,
        gazetteer: Gazetteer | None = None,
        definitions: Definitions | None = None,
        rules: FinderRules | None = None,
        basemap_dir: Path | None = None,
        documents: Mapping[str, PlanDoc] | None = None,
        source_dir: Path | None = None,
    ) -> None:
        self.corpus = corpus or default_corpus()
        self.gazetteer = gazetteer or default_gazetteer()
        self.definitions = definitions or load_definitions()
        self.rules = rules if rules is not None else rules_for(self.gazetteer)
        self.basemap_dir = basemap_dir or data_dir()
        check_references(self.definitions, self.gazetteer, self.corpus)
        self._docs: dict[str, PlanDoc] = read_plans(self.corpus, documents or {})
        self.stats: dict[str, int] = {}
        self._passages: dict[str, list[dict]] = {}
        self._mentions: dict[str, dict[str, int]] = {}  # place id -> plan id -> count
        self._plan_places: dict[str, list[str]] = {}
        self._documents: dict[str, PlanDocument] = {}
        self._geojson: dict[str, dict] = {}
        self._keywords: dict[str, tuple[str, ...]] = {}
        self._basemap: tuple[BasemapFeature, ...] | None = None
        # the folder the store was read from, watched by health(); None for a store built from
        # objects in memory, which has no files to go bad
        self._watch = DataWatch(source_dir) if source_dir is not None else None
        self._index_mentions()
        self.layers: list[LayerDef] = [
            self._resolve(layer) for layer in self.definitions.with_plan_layers(self.corpus)
        ]
        self._layer_by_id = {layer.id: layer for layer in self.layers}
        self._index = PlaceIndex(self.gazetteer)
        self._place_answers(set())

    def revised(self, gazetteer: Gazetteer, rules: FinderRules | None = None) -> LayerStore:
        """The store over another state of the gazetteer (approved corrections) and `rules`: when
        neither names nor rules changed, only the answers about places are redone (a tenth of a
        full build), else it is a full build that reuses the plans' documents."""
        old, new = self.gazetteer.places, gazetteer.places
        if old.keys() != new.keys() or any(
                (p.name, p.name_en, p.pinyin, p.kind, p.aliases)
                != (q.name, q.name_en, q.pinyin, q.kind, q.aliases)
                for p, q in ((old[pid], new[pid]) for pid in old)) or (
                rules is not None and rules != self.rules):
            return LayerStore(self.corpus, gazetteer, self.definitions,
                              rules=rules or rules_for(gazetteer), basemap_dir=self.basemap_dir,
                              documents=self._docs, source_dir=self.source_dir)
        check_references(self.definitions, gazetteer, self.corpus)
        store = copy.copy(self)
        store.gazetteer = gazetteer
        store.stats = dict(self.stats)
        store._keep_from(self, {pid for pid in new if new[pid] == old[pid]})
        return store

    def _keep_from(self, previous: LayerStore, unchanged: set[str]) -> None:
        self._geojson = {pid: g for pid, g in previous._geojson.items() if pid in unchanged}
        self._place_answers(unchanged, previous._props)

    def _place_answers(self, unchanged: set[str], props: dict[str, dict] | None = None
                       ) -> None:
        """What follows from the places themselves: properties, layer members, version."""
        self._props: dict[str, dict] = {
            p.id: props[p.id] if props and p.id in unchanged else self._properties(p)
            for p in self.gazetteer}
        self._members: dict[str, list[str]] = {
            layer.id: self._select(layer) for layer in self.layers
        }
        self._place_layers: dict[str, list[str]] = {}
        for layer_id, ids in self._members.items():
            for pid in ids:
                self._place_layers.setdefault(pid, []).append(layer_id)
        self._basemap = None
        self.version = self._content_hash()
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

    @classmethod
    def from_directory(cls, directory: Path) -> LayerStore:
        """A store over a data directory laid out like `data/` (plans, gazetteer, layers.toml,
        boundaries), with every cross-reference checked."""
        corpus = load_corpus(directory / "plans")
        plan_ids = set(corpus.plans)
        gazetteer = load_gazetteer(directory / "gazetteer", plan_ids=plan_ids)
        rules = load_rules(directory / "gazetteer" / RULES_FILE, gazetteer, plan_ids)
        definitions = load_definitions(directory / "layers.toml")
        return cls(corpus, gazetteer, definitions, rules=rules, basemap_dir=directory,
                   source_dir=directory)

    # ------------------------------------------------------------------ building

    def _index_mentions(self) -> None:
        """The one pass through the finder: every mention, attached to its paragraph."""
        total = outside = 0
        for meta in self.corpus:
            doc = self._docs[meta.id]
            paragraphs = sorted(doc.paragraphs, key=lambda p: p.start)
            starts = [p.start for p in paragraphs]
            grouped: dict[tuple[str, int], list] = {}
            spans: dict[int, list[MentionSpan]] = {}
            order: list[str] = []
            found = matcher(self.gazetteer, meta.id, rules=self.rules).find(doc.text)
            for m in found:
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
                base = paragraphs[i].start
                spans.setdefault(i, []).append(MentionSpan(m.start - base, m.end - base,
                                                           m.place_id))
            self._plan_places[meta.id] = order
            self._documents[meta.id] = plan_document(meta, paragraphs, spans)
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
                        "citation_en": para.citation_en,
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
        return replace(layer, defined_by=paragraph.citation,
                       defined_by_en=paragraph.citation_en)

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
            "error_m": place.error_m,
            "accuracy_zh": place.accuracy("zh"),
            "accuracy_en": place.accuracy("en"),
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

    def _content_hash(self) -> str:
        """A digest of every input the answers derive from, in a stable order."""
        digest = hashlib.sha256(b"planmap-store 1\n")

        def add(value: object) -> None:
            digest.update(json.dumps(value, ensure_ascii=False, sort_keys=True,
                                     default=str).encode("utf-8") + b"\0")

        for meta in self.corpus:
            add(meta.as_dict())
            digest.update(hashlib.sha256(self._docs[meta.id].text.encode("utf-8")).digest())
        for place in sorted(self.gazetteer, key=lambda p: p.id):
            add(place.properties())
            add([place.inside_haidian, place.geometry_type, [a.plans for a in place.aliases]])
            digest.update(place.geometry.wkb if place.geometry is not None else b"-")
        defs = self.definitions
        add([defs.themes, [repr(layer) for layer in defs.layers], defs.plan_template])
        add([repr(self.rules.stops), [(r.pattern.pattern, r.place_id, r.plans)
                                      for r in self.rules.rules]])
        boundaries = self.basemap_dir / "boundaries" / "beijing-districts.geojson"
        digest.update(boundaries.read_bytes() if boundaries.is_file() else b"-")
        return digest.hexdigest()[:20]

    # ------------------------------------------------------------------ layers

    @property
    def source_dir(self) -> Path | None:  # the folder health() watches; None: from memory
        return self._watch.directory if self._watch is not None else None

    def current(self) -> LayerStore:  # a file store is its own snapshot
        return self

    def database_status(self) -> dict | None:  # no database behind a file store
        return None

    def health(self, wait: bool = False) -> str | None:
        """The data folder's problem if a file in it is invalid (layers.health.DataWatch)."""
        return self._watch.problem(wait) if self._watch is not None else None

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

    def theme_title(self, key: str, lang: str) -> str:
        try:
            return self.definitions.theme_title(key, lang)
        except KeyError:
            return key

    # ------------------------------------------------------------------ places

    def place_record(self, place_id: str) -> dict:
        place = self.gazetteer.get(place_id)
        record = place.properties()
        record.update(self._props[place_id])
        record["located"] = place.geometry is not None
        record["geometry"] = self._geometry(place) if place.geometry is not None else None
        record["layers"] = list(self._place_layers.get(place_id, []))
        return record

    def search(self, q: str, limit: int = 10) -> list[dict]:
        """Names, aliases, English names, pinyin and ids through geo.search: exact, then
        prefix, then substring matches; within each, names before aliases before the rest,
        then the places the plans mention most."""
        if not fold(q):
            raise BadRequest("search needs a non-empty query")
        hits = self._index.search(q, limit=limit, weight=self._weight)
        return [self._hit_json(hit) for hit in hits]

    def nearest(self, q: str, limit: int = 5) -> list[dict]:
        """The places whose names come closest to `q` (geo.search), for a search that found
        nothing: the same records as `search`, closest first."""
        if not fold(q):
            raise BadRequest("search needs a non-empty query")
        hits = self._index.nearest_hits(q, limit, weight=self._weight)
        return [self._hit_json(hit) for hit in hits]

    def _weight(self, place_id: str) -> int:
        return int(self._props[place_id]["mention_count"])

    def _hit_json(self, hit: Hit) -> dict:
        geometry = self.gazetteer.get(hit.place_id).geometry
        props = self._props[hit.place_id]
        return {"id": hit.place_id, **{k: props[k] for k in _HIT_FIELDS},
                "located": geometry is not None,
                "bbox": list(geometry.bounds) if geometry is not None else None,
                "matched": hit.matched, "match": hit.match}

    def search_keywords(self, place_id: str) -> tuple[str, ...]:
        """Aliases and pinyin (given, run together, and derived from the name and aliases),
        so a free-text filter finds `beiqing` or an alias."""
        cached = self._keywords.get(place_id)
        if cached is None:
            place = self.gazetteer.get(place_id)
            words = [a.text for a in place.aliases]
            if place.pinyin:
                words += [place.pinyin, place.pinyin.replace(" ", "")]
            words += [pinyin(text) for text in (place.match_name, *words[: len(place.aliases)])]
            cached = self._keywords[place_id] = tuple(dict.fromkeys(w for w in words if w))
        return cached

    # ------------------------------------------------------------------ plans

    def plans(self) -> list[PlanMeta]:
        return list(self.corpus)

    def plan(self, plan_id: str) -> PlanMeta:
        return self.corpus.get(plan_id)

    def plan_document(self, plan_id: str) -> PlanDocument:
        self.corpus.get(plan_id)
        return self._documents[plan_id]

    def plan_places(self, plan_id: str) -> list[str]:
        """Every place a plan names (located or not), in order of first mention."""
        self.corpus.get(plan_id)
        return list(self._plan_places.get(plan_id, []))

    # ------------------------------------------------------------------ context

    def basemap_features(self) -> tuple[BasemapFeature, ...]:
        if self._basemap is None:
            self._basemap = basemap_features(self.gazetteer, self.basemap_dir)
        return self._basemap

    def attributions(self, place_ids: Iterable[str] | None = None) -> list[Attribution]:
        return self.gazetteer.attributions(place_ids)


def default_store() -> LayerStore:
    """The store over the data directory in force now (`PLANMAP_DATA`), built once per
    directory: the service's default `STORE` and the CLI's."""
    return _store_at(data_dir().resolve())


@lru_cache(maxsize=2)
def _store_at(directory: Path) -> LayerStore:
    # called with the directory the default corpus and gazetteer resolve right now, so the
    # store shares their objects with the CLI commands that read them
    return LayerStore(default_corpus(), default_gazetteer(), load_definitions(),
                      basemap_dir=directory, source_dir=directory)
