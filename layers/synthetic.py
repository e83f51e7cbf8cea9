"""Synthetic layers for load testing the OGC API: many points and polygons over Beijing.

The real layers hold a few hundred places, too few to show whether a bbox query scans or uses its
index. These layers are generated from a seeded RNG (the same seed gives the same features on every
machine), are offered as OGC collections only when a setting enables them, and never appear in the
atlas.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import shapely

from geo.extents import BEIJING
from layers.query import FeatureStore, Queryable

CATEGORIES: tuple[str, ...] = ("住宅", "商业", "工业", "绿地", "公共服务", "交通", "水域", "科研")
YEARS: tuple[int, ...] = (2016, 2019, 2021, 2024, 2025)

SYNTHETIC_QUERYABLES: tuple[Queryable, ...] = (
    Queryable("category", "category", title="land-use category (Chinese)", enum=CATEGORIES),
    Queryable("year", "year", type="integer", title="year"),
)


@dataclass(frozen=True)
class SyntheticLayer:
    id: str
    title: str
    description: str
    kind: str  # "point" | "polygon"
    count: int
    seed: int


SYNTHETIC_LAYERS: tuple[SyntheticLayer, ...] = (
    SyntheticLayer("synthetic-points", "合成点（压力测试）",
                   "100 000 random points over Beijing, for benchmarks; not planning data.",
                   "point", 100_000, 20240601),
    SyntheticLayer("synthetic-polygons", "合成面（压力测试）",
                   "10 000 random quadrilaterals over Beijing, for benchmarks; not planning data.",
                   "polygon", 10_000, 20240602),
)


def generate(layer: SyntheticLayer) -> tuple[list[dict], np.ndarray]:
    """The layer's GeoJSON-like features (geometry left to the second value, shapely objects)."""
    rng = np.random.default_rng(layer.seed)
    minx, miny, maxx, maxy = BEIJING
    n = layer.count
    x = rng.uniform(minx, maxx, n).round(6)
    y = rng.uniform(miny, maxy, n).round(6)
    if layer.kind == "point":
        geoms = shapely.points(x, y)
        prefix = "pt"
    else:
        # A quadrilateral 100–800 m across: one vertex in each quadrant round a centre, so the
        # centre is inside and the ring is simple and counter-clockwise.
        angles = (np.arange(4) + rng.uniform(0.05, 0.95, (n, 4))) * (np.pi / 2)
        radius = rng.uniform(0.001, 0.005, (n, 4))
        ring = np.stack(
            [x[:, None] + radius * np.cos(angles), y[:, None] + radius * np.sin(angles)], axis=2
        ).round(6)
        ring = np.concatenate([ring, ring[:, :1]], axis=1)
        geoms = shapely.polygons(ring)
        prefix = "pg"
    cats = rng.integers(0, len(CATEGORIES), n)
    years = rng.integers(0, len(YEARS), n)
    values = rng.uniform(0, 1000, n).round(2)
    features = [
        {
            "type": "Feature",
            "id": f"{prefix}-{i:06d}",
            "geometry": None,
            "properties": {
                "id": f"{prefix}-{i:06d}",
                "name": f"{CATEGORIES[cats[i]]}{i:06d}号",
                "category": CATEGORIES[cats[i]],
                "year": YEARS[years[i]],
                "value": float(values[i]),
            },
        }
        for i in range(n)
    ]
    return features, geoms


@lru_cache(maxsize=4)
def synthetic_store(layer_id: str) -> FeatureStore:
    """The indexed store of one synthetic layer, built once per process: its features come
    from constants and a seed, never from the data directory, so every app may share it (the
    100 000 points take seconds to index)."""
    layer = next(sl for sl in SYNTHETIC_LAYERS if sl.id == layer_id)
    features, geoms = generate(layer)
    return FeatureStore.build(features, SYNTHETIC_QUERYABLES, geometries=list(geoms))
