"""A layer as the table every writer starts from: one row per place, properties in the order of
FEATURE_PROPERTIES, geometry projected and rounded for the target CRS."""

from __future__ import annotations

import json
import weakref

import geopandas as gpd
import pandas as pd
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from geo.crs import WGS84, project
from geo.crs_names import CrsDef
from geo.geometry_out import for_output
from layers.export.text import excerpts_text
from layers.protocol import PlanStore
from layers.store import FEATURE_PROPERTIES

# Projected geometries of each store, kept as long as the store lives: (place id, crs id) ->
# geometry. Plan layers repeat places, and the GCJ-02 shift is computed vertex by vertex.
_PROJECTED: weakref.WeakKeyDictionary[PlanStore, dict[tuple[str, str], BaseGeometry]] = (
    weakref.WeakKeyDictionary()
)


def _geometry(geom: BaseGeometry, crs: CrsDef) -> BaseGeometry:
    """Projected, then rounded and oriented as every planmap writer emits geometries.

    Places wholly outside China stay unshifted in GCJ-02 (geo.crs), as AMap draws them."""
    return for_output(project(geom, crs.id, WGS84), crs.decimals)


def layer_frame(store: PlanStore, layer_id: str, crs: CrsDef, nested: bool = True
                ) -> gpd.GeoDataFrame:
    """One layer as a GeoDataFrame in the target CRS (no CRS set for GCJ-02).

    nested=True keeps plans/years/passages as lists (GeoJSON); otherwise they are flattened:
    plans and years as comma-separated text, passages as JSON text, plus `excerpts`.
    """
    feats = store.features(layer_id)
    rows = []
    for f in feats:
        props = {k: f["properties"].get(k) for k in FEATURE_PROPERTIES}
        if not nested:
            props["plans"] = ", ".join(props["plans"])
            props["years"] = ", ".join(str(y) for y in props["years"])
            props["excerpts"] = excerpts_text(props["passages"])
            props["passages"] = json.dumps(props["passages"], ensure_ascii=False)
        rows.append(props)
    columns = list(FEATURE_PROPERTIES) + ([] if nested else ["excerpts"])
    frame = pd.DataFrame(rows, columns=columns)
    for col in ("mention_count", "first_year", "last_year"):
        frame[col] = pd.array(frame[col], dtype="Int64")
    cache = _PROJECTED.setdefault(store, {})
    geoms = []
    for f in feats:
        key = (f["id"], crs.id)
        if key not in cache:
            cache[key] = _geometry(shape(f["geometry"]), crs)
        geoms.append(cache[key])
    return gpd.GeoDataFrame(
        frame, geometry=gpd.GeoSeries(geoms, index=frame.index),
        crs=None if crs.engine == "gcj02" else crs.pyproj,
    )


def table_name(layer_id: str) -> str:
    """GeoPackage table and shapefile name of a layer: ArcGIS accepts only letters, digits and
    underscores in table names, so the layer id's hyphens become underscores."""
    return layer_id.replace("-", "_")


def is_text(frame: pd.DataFrame, col: str) -> bool:
    if col == "geometry":
        return False
    dtype = frame[col].dtype
    return pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype)
