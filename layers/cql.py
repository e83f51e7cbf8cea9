"""CQL2 filters (OGC API – Features Part 3) on a FeatureStore: parsed by pygeofilter, evaluated
here as one boolean mask over all features.

pygeofilter parses CQL2 text and CQL2 JSON into one syntax tree; its own evaluators target SQL,
Django or Python objects one at a time, so this module walks the tree itself and answers each
node for every feature at once (shapely's vectorised predicates for the spatial ones). Only
queryables may be named (Part 3: anything else is a 400). A list-valued queryable (a place's
plans or years) meets a comparison when any of its values does, as the `plan=`/`year=` query
parameters do. A comparison with a missing value is false, and so is its negation (CQL2's
three-valued logic: unknown is never selected).
"""

from __future__ import annotations

import json
import operator
import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import shapely
from lark.exceptions import LarkError
from pygeofilter import ast, values
from pygeofilter.parsers.cql2_json import parse as parse_json
from pygeofilter.parsers.cql2_text import parse as parse_text
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from geo.crs_names import CRS84, CrsDef
from geo.errors import BadRequest
from layers.query import FeatureStore, Queryable, from_crs

FILTER_LANGS = ("cql2-text", "cql2-json")
GEOMETRY = "geometry"

_COMPARE: dict[type, Callable[[Any, Any], bool]] = {
    ast.Equal: operator.eq, ast.NotEqual: operator.ne,
    ast.LessThan: operator.lt, ast.LessEqual: operator.le,
    ast.GreaterThan: operator.gt, ast.GreaterEqual: operator.ge,
}
_SPATIAL: dict[type, Callable[..., np.ndarray]] = {
    ast.GeometryIntersects: shapely.intersects, ast.GeometryDisjoint: shapely.disjoint,
    ast.GeometryContains: shapely.contains, ast.GeometryWithin: shapely.within,
    ast.GeometryTouches: shapely.touches, ast.GeometryCrosses: shapely.crosses,
    ast.GeometryOverlaps: shapely.overlaps, ast.GeometryEquals: shapely.equals,
}
# With the literal first, a predicate is asked of the feature the other way round.
_CONVERSE: dict[type, type] = {ast.GeometryContains: ast.GeometryWithin,
                               ast.GeometryWithin: ast.GeometryContains}


def parse_filter(text: str, lang: str | None) -> ast.AstType:
    """The syntax tree of a `filter` value; a 400 naming the problem when it does not parse."""
    lang = (lang or "cql2-text").strip()
    if lang not in FILTER_LANGS:
        raise BadRequest(f"filter-lang {lang!r} is not offered; use {' or '.join(FILTER_LANGS)}")
    if not text.strip():
        raise BadRequest("filter is empty")
    try:
        if lang == "cql2-json":
            return parse_json(json.loads(text))
        return parse_text(text)
    except json.JSONDecodeError as exc:
        raise BadRequest(f"filter is not JSON: {exc.msg} at {exc.pos}") from None
    except LarkError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise BadRequest(f"filter is not valid CQL2 text: {first}") from None
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise BadRequest(f"filter is not valid {lang}: {exc}") from None


class _Column:
    """A queryable's values for every feature (lists, empty where the feature has none)."""

    def __init__(self, queryable: Queryable, rows: list[list], lower: bool = False) -> None:
        self.queryable = queryable
        self.rows = rows
        self.lower = lower


class _Evaluation:
    def __init__(self, store: FeatureStore, crs: CrsDef, lang: str) -> None:
        self.store = store
        self.crs = crs
        self.lang = lang
        self.n = len(store)

    # ---- values --------------------------------------------------------------------------

    def column(self, name: str) -> _Column:
        q = self.store.queryables.get(name)
        if q is None:
            offered = ", ".join([GEOMETRY, *self.store.queryables])
            raise BadRequest(f"filter: {name!r} is not a queryable here; use one of {offered}")
        return _Column(q, [q.values(p) for p in self.store.properties])

    def literal(self, node: object) -> object:
        if isinstance(node, ast.Function) and node.name == "lower" and node.arguments:
            inner = self.value(node.arguments[0])
            if isinstance(inner, _Column):
                return _Column(inner.queryable, [[str(v).lower() for v in r] for r in inner.rows],
                               lower=True)
            if isinstance(inner, str):
                return inner.lower()
        if isinstance(node, ast.Node):
            raise BadRequest(f"filter: {type(node).__name__} is not supported here")
        return node

    def value(self, node: object) -> object:
        if isinstance(node, ast.Attribute):
            return GEOMETRY if node.name == GEOMETRY else self.column(node.name)
        return self.literal(node)

    def geometry(self, node: object) -> BaseGeometry:
        """A geometry literal in WGS-84 lon/lat (from filter-crs, in that CRS's axis order)."""
        try:
            if isinstance(node, ast.Function) and node.name == "bbox":
                nums = [float(a) for a in node.arguments]
                geom: BaseGeometry = shapely.box(nums[0], nums[1], nums[-2], nums[-1])
            elif isinstance(node, values.Envelope):
                if self.lang == "cql2-json":  # the JSON parser keeps the bbox array in order
                    geom = shapely.box(node.x1, node.x2, node.y1, node.y2)
                else:
                    geom = shapely.box(node.x1, node.y1, node.x2, node.y2)
            elif isinstance(node, values.Geometry):
                geom = shape(node.geometry)
            else:
                raise BadRequest("filter: a spatial predicate compares the geometry with a "
                                 "geometry literal (POINT, POLYGON, BBOX …)")
        except (ValueError, TypeError, IndexError, shapely.errors.GEOSException) as exc:
            raise BadRequest(f"filter: bad geometry literal ({exc})") from None
        if not shapely.is_valid_input(geom) or not np.isfinite(shapely.get_coordinates(geom)).all():
            raise BadRequest("filter: the geometry literal has non-finite coordinates")
        return geom if self.crs is CRS84 else from_crs(geom, self.crs)

    # ---- predicates ----------------------------------------------------------------------

    def mask(self, node: object) -> np.ndarray:
        if isinstance(node, ast.And):
            return self.mask(node.lhs) & self.mask(node.rhs)
        if isinstance(node, ast.Or):
            return self.mask(node.lhs) | self.mask(node.rhs)
        if isinstance(node, ast.Not):
            return self._negate(node.sub_node)
        if isinstance(node, bool):
            return np.full(self.n, node)
        if isinstance(node, ast.Comparison) and type(node) in _COMPARE:
            return self.compare(node.lhs, node.rhs, _COMPARE[type(node)])
        if isinstance(node, ast.Between):
            col = self.attribute(node.lhs)
            lo, hi = self.literal(node.low), self.literal(node.high)
            self.check_type(col, lo)
            self.check_type(col, hi)
            hit = self.any_value(col, lambda v: lo <= v <= hi)
            return self.present(col) & ~hit if node.not_ else hit
        if isinstance(node, ast.In):
            col = self.attribute(node.lhs)
            options = [self.literal(s) for s in node.sub_nodes]
            for o in options:
                self.check_type(col, o)
            hit = self.any_value(col, lambda v: v in options)
            return self.present(col) & ~hit if node.not_ else hit
        if isinstance(node, ast.Like):
            col = self.attribute(node.lhs)
            pattern = self.literal(node.pattern)
            if not isinstance(pattern, str):
                raise BadRequest("filter: LIKE takes a text pattern")
            rx = _like_regex(pattern, nocase=node.nocase)
            hit = self.any_value(col, lambda v: rx.fullmatch(str(v)) is not None)
            return self.present(col) & ~hit if node.not_ else hit
        if isinstance(node, ast.IsNull):
            target = self.value(node.lhs)
            if target == GEOMETRY:
                empty = np.asarray([g is None for g in self.store.geometries], dtype=bool)
            elif isinstance(target, _Column):
                empty = ~self.present(target)
            else:
                raise BadRequest("filter: IS NULL applies to a queryable")
            return ~empty if node.not_ else empty
        if type(node) in _SPATIAL:
            return self.spatial(node)
        if isinstance(node, ast.BBox):
            box = ast.Function("bbox", [node.minx, node.miny, node.maxx, node.maxy])
            return self.spatial(ast.GeometryIntersects(node.lhs, box))
        raise BadRequest(f"filter: {type(node).__name__} is not supported "
                         "(basic CQL2, LIKE/BETWEEN/IN and the spatial S_ functions are)")

    def _negate(self, node: object) -> np.ndarray:
        inner = self.mask(node)
        if isinstance(node, ast.Comparison | ast.Between | ast.In | ast.Like):
            # unknown (a missing value) stays unselected under NOT
            col = next((self.value(v) for v in (node.lhs, getattr(node, "rhs", None))
                        if isinstance(v, ast.Attribute)), None)
            if isinstance(col, _Column):
                return self.present(col) & ~inner
        return ~inner

    def attribute(self, node: object) -> _Column:
        target = self.value(node)
        if not isinstance(target, _Column):
            raise BadRequest("filter: the left side of LIKE, BETWEEN and IN is a queryable")
        return target

    def compare(self, lhs: object, rhs: object, op: Callable[[Any, Any], bool]) -> np.ndarray:
        a, b = self.value(lhs), self.value(rhs)
        if isinstance(b, _Column) and not isinstance(a, _Column):
            a, b = b, a
            op = {operator.lt: operator.gt, operator.gt: operator.lt,
                  operator.le: operator.ge, operator.ge: operator.le}.get(op, op)
        if not isinstance(a, _Column) or isinstance(b, _Column) or b == GEOMETRY:
            raise BadRequest("filter: a comparison sets a queryable against a value")
        self.check_type(a, b)
        return self.any_value(a, lambda v: op(v, b))

    def check_type(self, col: _Column, value: object) -> None:
        q = col.queryable
        numeric = isinstance(value, int | float) and not isinstance(value, bool)
        if q.type in ("integer", "number") and not numeric:
            raise BadRequest(f"filter: {q.name} is a number; compare it with a number")
        if q.type == "string" and not isinstance(value, str):
            raise BadRequest(f"filter: {q.name} is text; compare it with a quoted string")

    def any_value(self, col: _Column, test: Callable[[Any], bool]) -> np.ndarray:
        return np.fromiter((any(test(v) for v in row) for row in col.rows), dtype=bool,
                           count=self.n)

    def present(self, col: _Column) -> np.ndarray:
        return np.fromiter((bool(row) for row in col.rows), dtype=bool, count=self.n)

    def spatial(self, node: ast.SpatialComparisonPredicate) -> np.ndarray:
        kind: type = type(node)
        lhs, rhs = node.lhs, node.rhs
        if not (isinstance(lhs, ast.Attribute) and lhs.name == GEOMETRY):
            if isinstance(rhs, ast.Attribute) and rhs.name == GEOMETRY:
                lhs, rhs = rhs, lhs
                kind = _CONVERSE.get(kind, kind)
            else:
                raise BadRequest(f"filter: a spatial predicate takes the queryable {GEOMETRY!r}")
        geom = self.geometry(rhs)
        present = np.asarray([g is not None for g in self.store.geometries], dtype=bool)
        out = np.zeros(self.n, dtype=bool)
        if present.any():
            out[present] = _SPATIAL[kind](self.store.geometries[present], geom)
        return out


def _like_regex(pattern: str, nocase: bool) -> re.Pattern[str]:
    """CQL2 LIKE: % any run of characters, _ one character, backslash escapes the next."""
    out: list[str] = []
    chars = iter(pattern)
    for ch in chars:
        if ch == "\\":
            out.append(re.escape(next(chars, "\\")))
        elif ch == "%":
            out.append(".*")
        elif ch == "_":
            out.append(".")
        else:
            out.append(re.escape(ch))
    return re.compile("".join(out), re.S | (re.I if nocase else 0))


def filter_mask(store: FeatureStore, tree: ast.AstType, crs: CrsDef = CRS84,
                lang: str = "cql2-text") -> np.ndarray:
    """Which features of `store` a parsed CQL2 filter selects; geometry literals are in `crs`."""
    return _Evaluation(store, crs, lang).mask(tree)


def queryable_names(store: FeatureStore) -> Sequence[str]:
    return [GEOMETRY, *store.queryables]
