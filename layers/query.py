"""A queryable, spatially indexed store of one layer's features, built once and kept in memory.

The OGC API serves every items request from here. pygeoapi's GeoJSON provider re-reads and scans
the file on each request; this store parses the features once, keeps them in a stable order (by
feature id, so paging with offset/limit never skips or repeats a feature), answers bbox queries
through a shapely STRtree (tree query, then an exact `intersects` on the candidates only), answers
property filters through per-value inverted indexes, and keeps each feature's serialised GeoJSON
once per output CRS so a page is a join of ready-made strings.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

from geo.crs import WGS84 as WGS84_ID
from geo.crs import project
from geo.crs_names import CRS84, CRSES, CrsDef, parse_crs
from geo.errors import BadRequest
from geo.geometry_out import for_output

# The CRSs an OGC API collection can answer in: those with an OGC URI (not GCJ-02). CRS84 is
# WGS-84 with longitude first (the GeoJSON default); the EPSG ones follow the axis order the
# EPSG registry defines (`CrsDef.authority_axes_swapped`), as Part 2 requires.
OGC_CRSES: tuple[CrsDef, ...] = (CRS84, *(c for c in CRSES if c.uri))
OGC_CRS_URIS: tuple[str, ...] = tuple(c.uri for c in OGC_CRSES if c.uri)


def ogc_crs(value: str | None) -> CrsDef:
    """The CrsDef of an OGC `crs`/`bbox-crs` value (CRS84 when absent); BadRequest for the
    short spellings (`4326`, `EPSG:4326`, `wgs84`), which Part 2 does not allow: only URIs and
    `[EPSG:n]` safe CURIEs."""
    if value is not None and not value.strip():
        raise BadRequest(f"crs is empty; give a CRS URI such as {CRS84.uri}")
    return parse_crs(value, default=CRS84, uri_only=True, offered=OGC_CRSES)


def _swap(geom: BaseGeometry) -> BaseGeometry:
    return shapely.transform(geom, lambda xy: xy[:, ::-1])


def _planar(crs: CrsDef) -> str:
    return crs.pyproj  # CRS84 and EPSG:4326 are one datum


def to_crs(geom: BaseGeometry, crs: CrsDef) -> BaseGeometry:
    """WGS-84 lon/lat geometry → the coordinates (and axis order) of an output CRS."""
    out = geom if _planar(crs) == WGS84_ID else project(geom, _planar(crs), WGS84_ID)
    return _swap(out) if crs.authority_axes_swapped else out


def output_geometry(geom: BaseGeometry, crs: CrsDef) -> BaseGeometry:
    """What an OGC answer writes: projected, rounded to the CRS's decimals and oriented as
    RFC 7946 asks (geo.geometry_out) while x is still east, then put in the CRS's axis order."""
    out = geom if _planar(crs) == WGS84_ID else project(geom, _planar(crs), WGS84_ID)
    out = for_output(out, crs.decimals)
    return _swap(out) if crs.authority_axes_swapped else out


def from_crs(geom: BaseGeometry, crs: CrsDef) -> BaseGeometry:
    """The inverse of `to_crs`: coordinates in a CRS's axis order → WGS-84 lon/lat."""
    xy = _swap(geom) if crs.authority_axes_swapped else geom
    return xy if _planar(crs) == WGS84_ID else project(xy, WGS84_ID, _planar(crs))


def bbox_geometry(values: Sequence[float], crs: CrsDef = CRS84) -> BaseGeometry:
    """A bbox (4 or 6 numbers, in `crs`'s axis order) as a WGS-84 lon/lat geometry.

    Edges are densified before reprojection because a rectangle in EPSG:4548 is not a rectangle
    in longitude/latitude; a bbox in CRS84 whose west edge is east of its east edge crosses the
    antimeridian and becomes two boxes, as Part 1 says.
    """
    if len(values) not in (4, 6):
        raise BadRequest("bbox takes 4 numbers (or 6 with heights)")
    if not all(np.isfinite(values)):
        raise BadRequest("bbox values must be finite numbers")
    half = len(values) // 2
    lo, hi = values[:2], values[half : half + 2]
    a1, a2 = (lo[0], hi[0]), (lo[1], hi[1])
    lat_axis = None
    if crs.geographic:
        lat_axis = 0 if crs.authority_axes_swapped else 1
    if lat_axis is not None:
        lat = (a1, a2)[lat_axis]
        if not (-90 <= lat[0] <= 90 and -90 <= lat[1] <= 90):
            raise BadRequest("bbox latitude outside -90..90")
        if lat[0] > lat[1]:
            raise BadRequest("bbox: the lower latitude is greater than the upper one")
    if lat_axis == 1 and a1[0] > a1[1]:
        return shapely.union(
            shapely.box(a1[0], a2[0], 180, a2[1]), shapely.box(-180, a2[0], a1[1], a2[1])
        )
    if a1[0] > a1[1] or a2[0] > a2[1]:
        raise BadRequest("bbox: each lower corner value must not exceed its upper one")
    box = shapely.box(a1[0], a2[0], a1[1], a2[1])
    if crs is CRS84:
        return box
    return from_crs(shapely.segmentize(box, _densify_step(box)), crs)


def _densify_step(box: BaseGeometry) -> float:
    minx, miny, maxx, maxy = box.bounds
    return max(maxx - minx, maxy - miny, 1e-9) / 32


@dataclass(frozen=True)
class Queryable:
    """A property a client may filter on with `?name=value`.

    `prop` is the feature property it reads; a list-valued property (a place's `plans`, `years`)
    matches when any element equals the value.
    """

    name: str
    prop: str
    type: str = "string"  # JSON Schema type of one value: "string" | "integer"
    title: str = ""
    description: str = ""
    enum: tuple[str, ...] | None = None

    def parse(self, raw: str) -> list[str]:
        """The index keys a query value stands for: commas separate alternatives (any matches)."""
        keys = [part.strip() for part in raw.split(",") if part.strip()]
        if not keys:
            raise BadRequest(f"{self.name}: empty value")
        if self.type == "integer":
            try:
                return [str(int(k)) for k in keys]
            except ValueError:
                raise BadRequest(f"{self.name} takes integers, not {raw!r}") from None
        return keys


def _keys(value: object) -> Iterable[str]:
    if value is None:
        return ()
    if isinstance(value, list | tuple | set):
        return [str(v) for v in value if v is not None]
    return (str(value),)


@dataclass
class Page:
    """One answer: how many features match in all, and the features on this page (in order)."""

    number_matched: int
    indices: np.ndarray


@dataclass
class FeatureStore:
    """All features of one collection, indexed once. Build it with `FeatureStore.build`."""

    ids: list[str]
    properties: list[dict]
    geometries: np.ndarray  # shapely geometries (None where a feature has none), WGS-84
    queryables: dict[str, Queryable]
    haystacks: list[str]
    tree: shapely.STRtree
    _postings: dict[str, dict[str, np.ndarray]]
    _by_id: dict[str, int]
    _json: dict[str, list[bytes | None]] = field(default_factory=dict)
    _meta: dict[str, object] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        features: Sequence[Mapping],
        queryables: Sequence[Queryable] = (),
        text: Callable[[Mapping], str] | None = None,
        geometries: Sequence[BaseGeometry | None] | None = None,
    ) -> FeatureStore:
        """Index GeoJSON features (WGS-84). `text` gives the extra words `q` searches in a feature;
        `geometries`, when the caller already holds shapely objects, saves parsing them again."""
        ids = [_feature_id(f, i) for i, f in enumerate(features)]
        order = sorted(range(len(ids)), key=ids.__getitem__)
        ids = [ids[i] for i in order]
        if len(set(ids)) != len(ids):
            raise ValueError("feature ids must be unique within a collection")
        props = [dict(features[i].get("properties") or {}) for i in order]
        if geometries is None:
            geoms = [_shape(features[i].get("geometry")) for i in order]
        else:
            geoms = [geometries[i] for i in order]
        garr = np.empty(len(geoms), dtype=object)
        garr[:] = geoms
        postings: dict[str, dict[str, np.ndarray]] = {}
        for q in queryables:
            lists: dict[str, list[int]] = {}
            for i, p in enumerate(props):
                for key in _keys(p.get(q.prop)):
                    lists.setdefault(key, []).append(i)
            postings[q.name] = {k: np.asarray(v, dtype=np.int64) for k, v in lists.items()}
        haystacks = [
            " ".join(
                s
                for s in (ids[i], str(p.get("name") or ""), str(p.get("name_en") or ""),
                          text(p) if text else "")
                if s
            ).lower()
            for i, p in enumerate(props)
        ]
        return cls(
            ids=ids,
            properties=props,
            geometries=garr,
            queryables={q.name: q for q in queryables},
            haystacks=haystacks,
            tree=shapely.STRtree(garr),
            _postings=postings,
            _by_id={fid: i for i, fid in enumerate(ids)},
        )

    def __len__(self) -> int:
        return len(self.ids)

    def index_of(self, feature_id: str) -> int | None:
        return self._by_id.get(feature_id)

    def bounds(self) -> tuple[float, float, float, float] | None:
        """The WGS-84 extent of every geometry, or None when the layer has none (computed once)."""
        if "bounds" not in self._meta:
            present = [g for g in self.geometries if g is not None]
            b = shapely.total_bounds(np.asarray(present, dtype=object)) if present else None
            self._meta["bounds"] = (
                None if b is None else (float(b[0]), float(b[1]), float(b[2]), float(b[3]))
            )
        return self._meta["bounds"]  # type: ignore[return-value]

    def memo(self, key: str, compute: Callable[[], object]) -> object:
        """A per-store cache for facts derived from the (immutable) features."""
        if key not in self._meta:
            self._meta[key] = compute()
        return self._meta[key]

    def select(
        self,
        bbox: BaseGeometry | None = None,
        filters: Mapping[str, list[str]] | None = None,
        q: str | None = None,
        keep: Callable[[dict], bool] | None = None,
    ) -> np.ndarray:
        """Indices (ascending, i.e. in id order) of the features matching every condition."""
        sel: np.ndarray | None = None
        if bbox is not None:
            # STRtree query with a predicate does the exact test on the tree's candidates only.
            sel = np.unique(self.tree.query(bbox, predicate="intersects"))
        for name, keys in (filters or {}).items():
            if name not in self.queryables:
                raise BadRequest(f"{name!r} is not a queryable of this collection")
            post = self._postings[name]
            hits = [post[k] for k in keys if k in post]
            found = np.unique(np.concatenate(hits)) if hits else np.empty(0, dtype=np.int64)
            sel = found if sel is None else np.intersect1d(sel, found, assume_unique=True)
        if sel is None:
            sel = np.arange(len(self.ids), dtype=np.int64)
        if q:
            words = [w for w in q.lower().split() if w]
            sel = np.asarray(
                [i for i in sel if all(w in self.haystacks[i] for w in words)], dtype=np.int64
            )
        if keep is not None:
            sel = np.asarray([i for i in sel if keep(self.properties[i])], dtype=np.int64)
        return sel

    def page(self, selected: np.ndarray, offset: int, limit: int) -> Page:
        return Page(number_matched=len(selected), indices=selected[offset : offset + limit])

    def feature_json(self, i: int, crs: CrsDef = CRS84) -> str:
        """One feature serialised as GeoJSON text in `crs`, cached after the first request."""
        return self.features_json([i], crs)[0].decode("utf-8")

    def features_json(self, indices: Sequence[int] | np.ndarray, crs: CrsDef = CRS84
                      ) -> list[bytes]:
        """UTF-8 GeoJSON of each feature, cached per CRS; missing ones are reprojected in one
        batch. A page is then a byte join, with no per-request serialisation."""
        cache = self._json.get(crs.id)
        if cache is None:
            cache = self._json[crs.id] = [None] * len(self.ids)
        todo = [int(i) for i in indices if cache[int(i)] is None]
        if todo:
            geoms = self.geometries[todo]
            present = np.asarray([g is not None for g in geoms], dtype=bool)
            out = np.empty(len(todo), dtype=object)
            if present.any():
                out[present] = output_geometry(geoms[present], crs)
            for i, g in zip(todo, out, strict=True):
                cache[i] = json.dumps(
                    {"type": "Feature", "id": self.ids[i],
                     "geometry": None if g is None else mapping(g),
                     "properties": self.properties[i]},
                    ensure_ascii=False, separators=(",", ":"),
                ).encode("utf-8")
        return [cache[int(i)] for i in indices]  # type: ignore[misc]

    def feature(self, i: int, crs: CrsDef = CRS84) -> dict:
        return json.loads(self.feature_json(i, crs))


def _feature_id(feature: Mapping, position: int) -> str:
    fid = feature.get("id")
    if fid is None:
        fid = (feature.get("properties") or {}).get("id")
    if fid is None:
        raise ValueError(f"feature {position} has no id")
    return str(fid)


def _shape(geometry: Mapping | None) -> BaseGeometry | None:
    return None if not geometry else shape(geometry)


# ---- planmap's place layers -------------------------------------------------------------------

PLACE_QUERYABLES: tuple[Queryable, ...] = (
    Queryable("kind", "kind", title="kind of place", description="gazetteer kind, e.g. park"),
    Queryable("precision", "precision", title="how exactly the geometry is known"),
    Queryable("layer", "layer", title="thematic layer id"),
    Queryable("plan", "plans", title="plan id", description="places named in this plan"),
    Queryable("year", "years", type="integer", title="plan year",
              description="places named in a plan of this year"),
    Queryable("parent", "parent", title="id of the containing place"),
    Queryable("name", "name", title="Chinese name (exact)"),
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


def place_store(features: Sequence[Mapping],
                keywords: Callable[[str], Sequence[str]] | None = None) -> FeatureStore:
    """A FeatureStore over one planmap layer's place features, with the place queryables;
    `keywords` (a store's `search_keywords`) adds the words properties do not carry."""
    return FeatureStore.build(features, PLACE_QUERYABLES, text=place_text(keywords))
