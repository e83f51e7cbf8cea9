"""One place as a download: the store seen as holding a one-feature layer, written by the same
format writers as every layer, so a place's GeoPackage or KML is the layer download in small.

A planner on a place page wants that place in QGIS, not the whole layer it belongs to. Rather
than a second set of writers, `PlaceView` answers `layer()` and `features()` for a layer named
`place-<id>` holding that place alone, and passes every other question to the store.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from geo.corpus import Corpus, PlanMeta
from geo.crs_names import CrsDef
from geo.errors import BadRequest
from geo.gazetteer import Gazetteer
from geo.licences import Attribution
from layers.basemap import BasemapFeature
from layers.definitions import Definitions, LayerDef
from layers.export.formats import ExportFormat
from layers.export.run import ExportResult, export
from layers.protocol import PlanDocument, PlanStore


def place_layer_id(place_id: str) -> str:
    return f"place-{place_id}"


class PlaceView:
    """A PlanStore whose layers are the store's plus one: the place, alone."""

    def __init__(self, store: PlanStore, place_id: str) -> None:
        record = store.place_record(place_id)  # NotFound for an unknown place
        if not record.get("geometry"):
            raise BadRequest(f"place {place_id!r} is not located, so there is nothing to "
                             "download; its record is at /api/places/" + place_id)
        self._store = store
        self._place_id = place_id
        self._feature = {"type": "Feature", "id": place_id, "geometry": record["geometry"],
                         "properties": {k: v for k, v in record.items()
                                        if k not in {"geometry", "layers", "located"}}}
        own = next((store.layer(lid) for lid in record.get("layers", [])
                    if not lid.startswith("plan-")), None)
        name_en = record.get("name_en") or record["name"]
        self._layer = LayerDef(
            id=place_layer_id(place_id),
            title={"zh": str(record["name"]), "en": str(name_en)},
            description={"zh": str(record.get("accuracy_zh") or ""),
                         "en": str(record.get("accuracy_en") or "")},
            group="place",
            theme=own.theme if own else "place",
            style=dict(own.style) if own else {},
            default_visible=False,
        )

    @property
    def layer_id(self) -> str:
        return self._layer.id

    # ---- the one-place layer

    def layer(self, layer_id: str) -> LayerDef:
        return self._layer if layer_id == self._layer.id else self._store.layer(layer_id)

    def layer_ids(self) -> list[str]:
        return [*self._store.layer_ids(), self._layer.id]

    def member_ids(self, layer_id: str) -> list[str]:
        if layer_id == self._layer.id:
            return [self._place_id]
        return self._store.member_ids(layer_id)

    def features(self, layer_id: str) -> list[dict[str, Any]]:
        if layer_id == self._layer.id:
            return [self._feature]
        return self._store.features(layer_id)

    def feature_collection(self, layer_id: str) -> dict[str, Any]:
        if layer_id == self._layer.id:
            return {"type": "FeatureCollection", "name": layer_id,
                    "title": self._layer.title["zh"], "features": [self._feature]}
        return self._store.feature_collection(layer_id)

    # ---- everything else is the store's

    @property
    def version(self) -> str:
        return self._store.version

    @property
    def corpus(self) -> Corpus:
        return self._store.corpus

    @property
    def gazetteer(self) -> Gazetteer:
        return self._store.gazetteer

    @property
    def definitions(self) -> Definitions:
        return self._store.definitions

    @property
    def layers(self) -> Sequence[LayerDef]:
        return [*self._store.layers, self._layer]

    @property
    def stats(self) -> Mapping[str, int]:
        return self._store.stats

    def theme_title(self, key: str, lang: str) -> str:
        return self._store.theme_title(key, lang)

    def place_record(self, place_id: str) -> dict[str, Any]:
        return self._store.place_record(place_id)

    def search(self, q: str, limit: int = 10) -> list[dict[str, Any]]:
        return self._store.search(q, limit)

    def nearest(self, q: str, limit: int = 5) -> list[dict[str, Any]]:
        return self._store.nearest(q, limit)

    def search_keywords(self, place_id: str) -> tuple[str, ...]:
        return self._store.search_keywords(place_id)

    def plans(self) -> list[PlanMeta]:
        return self._store.plans()

    def plan(self, plan_id: str) -> PlanMeta:
        return self._store.plan(plan_id)

    def plan_document(self, plan_id: str) -> PlanDocument:
        return self._store.plan_document(plan_id)

    def plan_places(self, plan_id: str) -> list[str]:
        return self._store.plan_places(plan_id)

    def basemap_features(self) -> tuple[BasemapFeature, ...]:
        return self._store.basemap_features()

    def attributions(self, place_ids: Iterable[str] | None = None) -> list[Attribution]:
        return self._store.attributions(place_ids)

    def health(self, wait: bool = False) -> str | None:
        return self._store.health(wait)

    def current(self) -> PlaceView:
        return self

    def database_status(self) -> dict[str, Any] | None:
        return self._store.database_status()


def export_place(store: PlanStore, place_id: str, fmt: str | ExportFormat, crs: str | CrsDef,
                 path: Path | str, base_url: str | None = None) -> ExportResult:
    """Write one located place to `path` in any download format and CRS."""
    view = PlaceView(store, place_id)
    return export(view, [view.layer_id], fmt, crs, path, base_url=base_url)
