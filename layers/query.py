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
from layers.families import one_type

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


BBOX_TOLERANCE = 1e-6


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
    box = _box(a1[0], a2[0], a1[1], a2[1])
    if crs is CRS84:
        return box
    if not crs.geographic and crs.area_of_use is not None:
        # A projection means nothing far outside its area of use (a 3° Gauss-Krüger zone
        # folds the far side of the globe back onto it): only the part of the box within
        # that area can select features.
        box = shapely.intersection(box, _area_in(crs))
        if box.is_empty:
            return box
    if box.geom_type != "Point":
        box = shapely.segmentize(box, _densify_step(box))
    # A box sent in another CRS went through a client's transformation and comes back through
    # ours: a feature exactly on its edge (a point at a collection's extent) must stay inside,
    # so the box grows by BBOX_TOLERANCE degrees (about 10 cm: two correct transformation
    # pipelines to EPSG:4548 differ by a centimetre; the places themselves are known to metres).
    return from_crs(box, crs).buffer(BBOX_TOLERANCE, quad_segs=1)


def _area_in(crs: CrsDef) -> BaseGeometry:
    """The envelope of a projected CRS's area of use, in its own coordinates and axis order."""
    west, south, east, north = crs.area_of_use  # type: ignore[misc]
    ring = shapely.segmentize(shapely.box(west, south, east, north), 0.25)
    return to_crs(ring, crs).envelope


def _box(x0: float, y0: float, x1: float, y1: float) -> BaseGeometry:
    """A bbox as a geometry that keeps its extent when it has none: a box of zero width or
    height is a line, of both a point (GEOS cannot densify or reproject a collapsed ring)."""
    if x0 == x1 and y0 == y1:
        return shapely.Point(x0, y0)
    if x0 == x1 or y0 == y1:
        return shapely.LineString([(x0, y0), (x1, y1)])
    return shapely.box(x0, y0, x1, y1)


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
    type: str = "string"  # JSON Schema type of one value: "string" | "integer" | "number"
    title: str = ""
    description: str = ""
    enum: tuple[str, ...] | None = None
    many: bool = False  # the property holds a list; a condition holds when any element meets it

    def parse(self, raw: str) -> list[str]:
        """The index keys a query value stands for: commas separate alternatives (any matches)."""
        keys = [part.strip() for part in raw.split(",") if part.strip()]
        if not keys:
            raise BadRequest(f"{self.name}: empty value")
        if self.type in ("integer", "number"):
            try:
                return [_number_key(k, self.type) for k in keys]
            except ValueError:
                raise BadRequest(f"{self.name} takes {self.type}s, not {raw!r}") from None
        return keys

    def values(self, props: Mapping) -> list:
        """The property's values in one feature (a list for list-valued ones, else 0 or 1)."""
        raw = props.get(self.prop)
        if raw is None:
            return []
        return [v for v in raw if v is not None] if isinstance(raw, list | tuple) else [raw]


def _number_key(text: str, kind: str) -> str:
    """The index key of a numeric query value: ints as written by str(int), so `2021` and
    `2021.0` find the same features."""
    value = float(text)
    if value.is_integer():
        return str(int(value))
    if kind == "integer":
        raise ValueError(text)
    return str(value)


def _keys(value: object) -> Iterable[str]:
    if value is None:
        return ()
    if isinstance(value, list | tuple | set):
        return [_key(v) for v in value if v is not None]
    return (_key(value),)


def _key(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


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
    # The one geometry type every feature is written in (layers.families), None when none has one.
    geometry_type: str | None = None
    # Where a feature is described on the site (a path such as /places/<id>); with the site's
    # root it becomes each feature's absolute `detail_url`.
    detail_path: Callable[[str], str] | None = None
    _json: dict[tuple[str, str], list[bytes | None]] = field(default_factory=dict)
    _meta: dict[str, object] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        features: Sequence[Mapping],
        queryables: Sequence[Queryable] = (),
        text: Callable[[Mapping], str] | None = None,
        geometries: Sequence[BaseGeometry | None] | None = None,
        detail_path: Callable[[str], str] | None = None,
    ) -> FeatureStore:
        """Index GeoJSON features (WGS-84). `text` gives the extra words `q` searches in a feature;
        `geometries`, when the caller already holds shapely objects, saves parsing them again.
        The features must share one geometry family; single and multi parts are unified to the
        multi type (layers.families.one_type)."""
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
        geometry_type, geoms = one_type(geoms)
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
            geometry_type=geometry_type,
            detail_path=detail_path,
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
        mask: np.ndarray | None = None,
    ) -> np.ndarray:
        """Indices (ascending, i.e. in id order) of the features matching every condition;
        `mask` is a boolean array over all features (a CQL2 filter, layers.cql)."""
        sel: np.ndarray | None = None if mask is None else np.flatnonzero(mask)
        if bbox is not None:
            # STRtree query with a predicate does the exact test on the tree's candidates only;
            # features with no geometry match every bbox (/req/core/fc-bbox-response).
            inside = np.union1d(np.unique(self.tree.query(bbox, predicate="intersects")),
                                self.without_geometry())
            sel = inside if sel is None else np.intersect1d(sel, inside, assume_unique=True)
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

    def without_geometry(self) -> np.ndarray:
        """Indices of the features that have no geometry (computed once)."""
        if "no_geometry" not in self._meta:
            self._meta["no_geometry"] = np.flatnonzero(
                np.asarray([g is None for g in self.geometries], dtype=bool))
        return self._meta["no_geometry"]  # type: ignore[return-value]

    def sort(self, selected: np.ndarray, keys: Sequence[tuple[str, bool]]) -> np.ndarray:
        """`selected` ordered by queryables (name, descending?), then by id; a feature without
        a value sorts last either way; a list-valued property sorts by its least element."""
        if not keys:
            return selected
        rows = [int(i) for i in selected]
        for name, descending in reversed(keys):
            if name == "id":
                rows.sort(key=self.ids.__getitem__, reverse=descending)
                continue
            q = self.queryables[name]
            present = [i for i in rows if q.values(self.properties[i])]
            missing = [i for i in rows if not q.values(self.properties[i])]
            present.sort(key=lambda i: min(q.values(self.properties[i])),
                         reverse=descending)
            rows = present + missing
        return np.asarray(rows, dtype=np.int64)

    def feature_json(self, i: int, crs: CrsDef = CRS84, site: str = "") -> str:
        """One feature serialised as GeoJSON text in `crs`, cached after the first request."""
        return self.features_json([i], crs, site)[0].decode("utf-8")

    def features_json(self, indices: Sequence[int] | np.ndarray, crs: CrsDef = CRS84,
                      site: str = "", properties: Sequence[str] | None = None) -> list[bytes]:
        """UTF-8 GeoJSON of each feature, cached per CRS and site root; missing ones are
        reprojected in one batch. A page is then a byte join, with no per-request serialisation.
        `site` (the site's absolute root) makes `detail_url`; `properties`, when given, keeps
        only those properties (in that order), serialised per request."""
        key = (crs.id, site)
        cache = self._json.get(key)
        if cache is None:
            cache = self._json[key] = [None] * len(self.ids)
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
                     "properties": self._properties(i, site)},
                    ensure_ascii=False, separators=(",", ":"),
                ).encode("utf-8")
        whole = [cache[int(i)] for i in indices]
        if properties is None:
            return whole  # type: ignore[return-value]
        out_list = []
        for text in whole:
            doc = json.loads(text)  # type: ignore[arg-type]
            props = doc["properties"]
            doc["properties"] = {k: props[k] for k in properties if k in props}
            out_list.append(json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
                            .encode("utf-8"))
        return out_list

    def _properties(self, i: int, site: str) -> dict:
        props = self.properties[i]
        if self.detail_path is None:
            return props
        return {**props, "detail_url": site + self.detail_path(self.ids[i])}

    def property_names(self) -> list[str]:
        """Every property name a feature of this store can carry, in first-seen order."""
        def names() -> list[str]:
            seen: dict[str, None] = {}
            for p in self.properties:
                seen.update(dict.fromkeys(p))
            if self.detail_path is not None:
                seen["detail_url"] = None
            return list(seen)
        return self.memo("property_names", names)  # type: ignore[return-value]

    def feature(self, i: int, crs: CrsDef = CRS84, site: str = "") -> dict:
        return json.loads(self.feature_json(i, crs, site))


def _feature_id(feature: Mapping, position: int) -> str:
    fid = feature.get("id")
    if fid is None:
        fid = (feature.get("properties") or {}).get("id")
    if fid is None:
        raise ValueError(f"feature {position} has no id")
    return str(fid)


def _shape(geometry: Mapping | None) -> BaseGeometry | None:
    return None if not geometry else shape(geometry)

