"""The collections the OGC API offers: the app store's layers, plus the synthetic ones when
enabled.

Each collection's FeatureStore is built on first use and then kept with the catalog, which the
app keeps beside its store, so no request re-reads or re-indexes a layer and no two apps share one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from geo.errors import NotFound
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

    def get(self, collection_id: str) -> Collection:
        try:
            return self.collections[collection_id]
        except KeyError:
            raise NotFound(f"no collection {collection_id!r}") from None


def build_catalog(layer_store: PlanStore, synthetic: bool = False) -> Catalog:
    """Collections for every layer of a store, in the store's order."""
    collections: dict[str, Collection] = {}
    for layer in layer_store.layers:
        title = layer.title.get("zh") or layer.title.get("en") or layer.id
        desc = layer.description.get("zh") or layer.description.get("en") or ""
        en = layer.description.get("en", "")
        if en and en != desc:
            desc = f"{desc} / {en}" if desc else en
        collections[layer.id] = Collection(
            id=layer.id,
            title=title,
            title_en=layer.title.get("en", ""),
            description=desc,
            keywords=tuple(k for k in (layer.group, layer.theme) if k),
            loader=_layer_loader(layer_store, layer.id),
        )
    if synthetic:
        for sl in SYNTHETIC_LAYERS:
            collections[sl.id] = Collection(
                id=sl.id, title=sl.title, description=sl.description,
                keywords=("synthetic",), loader=partial(synthetic_store, sl.id),
            )
    return Catalog(collections)


def _layer_loader(layer_store: PlanStore, layer_id: str) -> Callable[[], FeatureStore]:
    def load() -> FeatureStore:
        return place_store(layer_store.features(layer_id), layer_store.search_keywords)

    return load
