"""The collections the OGC API offers: the app store's layers (a layer mixing points, lines
and areas as one collection per geometry family), plus the synthetic ones when enabled.

Each collection's FeatureStore is built on first use and then kept with the catalog, which the
app keeps beside its store, so no request re-reads or re-indexes a layer and no two apps share one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from geo.errors import NotFound
from layers.families import FAMILY_TITLES, split_by_family
from layers.place_query import place_store
from layers.protocol import PlanStore
from layers.query import FeatureStore
from layers.synthetic import SYNTHETIC_LAYERS, synthetic_store


@dataclass
class Collection:
    id: str
    title: str
    description: str
    loader: Callable[[], FeatureStore]
    keywords: tuple[str, ...] = ()
    title_en: str = ""
    # The atlas layer the collection publishes (all of it, or one geometry family of it).
    layer_id: str = ""
    _store: FeatureStore | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def store(self) -> FeatureStore:
        if self._store is None:
            with self._lock:
                if self._store is None:
                    self._store = self.loader()
        return self._store


@dataclass
class Catalog:
    collections: dict[str, Collection]
    title: str = "planmap — 海淀区规划地图 OGC API – Features"
    description: str = (
        "Places named in Haidian district's planning documents, with their policy text, "
        "as OGC API – Features collections (GeoJSON, WGS-84)."
    )
    # Conformance classes beyond the read-only ones (Part 4, where writing is possible).
    conformance: tuple[str, ...] = ()

    def get(self, collection_id: str) -> Collection:
        try:
            return self.collections[collection_id]
        except KeyError:
            raise NotFound(f"no collection {collection_id!r}") from None


def build_catalog(layer_store: PlanStore, synthetic: bool = False) -> Catalog:
    """Collections for every layer of a store, in the store's order: one per layer whose places
    share a geometry family, else one per family (`<layer>-points`, `-lines`, `-polygons`),
    so that every collection has one geometry type (layers.families)."""
    collections: dict[str, Collection] = {}
    for layer in layer_store.layers:
        title = layer.title.get("zh") or layer.title.get("en") or layer.id
        title_en = layer.title.get("en", "")
        desc = layer.description.get("zh") or layer.description.get("en") or ""
        en = layer.description.get("en", "")
        if en and en != desc:
            desc = f"{desc} / {en}" if desc else en
        groups = split_by_family(layer_store.features(layer.id))
        keywords = tuple(k for k in (layer.group, layer.theme) if k)
        if len(groups) <= 1:
            collections[layer.id] = Collection(
                id=layer.id, title=title, title_en=title_en, description=desc,
                keywords=keywords, layer_id=layer.id,
                loader=_layer_loader(layer_store, layer.id, None),
            )
            continue
        for fam in groups:
            zh_word, en_word = FAMILY_TITLES[fam]
            cid = f"{layer.id}-{fam}"
            collections[cid] = Collection(
                id=cid, title=f"{title}（{zh_word}）",
                title_en=f"{title_en} ({en_word})" if title_en else "",
                description=(f"{desc} — 仅{zh_word}要素 / {en_word} only" if desc
                             else f"仅{zh_word}要素 / {en_word} only"),
                keywords=keywords, layer_id=layer.id,
                loader=_layer_loader(layer_store, layer.id, fam),
            )
    if synthetic:
        for sl in SYNTHETIC_LAYERS:
            collections[sl.id] = Collection(
                id=sl.id, title=sl.title, description=sl.description,
                keywords=("synthetic",), loader=partial(synthetic_store, sl.id),
            )
    return Catalog(collections)


def _layer_loader(layer_store: PlanStore, layer_id: str, fam: str | None
                  ) -> Callable[[], FeatureStore]:
    def load() -> FeatureStore:
        features = layer_store.features(layer_id)
        if fam is not None:
            features = [dict(f) for f in split_by_family(features)[fam]]
        return place_store(features, layer_store.search_keywords)

    return load
