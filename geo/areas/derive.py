"""One function per kind of derived area, and the resolver that runs them in dependency order.

A definition may depend on another (the rest of the district is what the cut leaves; an area-only
zone copies 海淀区; the 北清路 band offsets the corridor line), so entries are derived on demand
and remembered; a definition that depends on itself is reported instead of recursing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from shapely.geometry import LineString
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from geo.areas import shapes
from geo.areas.inputs import Inputs
from geo.areas.spec import DERIVED, AreasFile, AreaSpec
from geo.crs import area_km2
from geo.errors import DataError


@dataclass
class Derived:
    """An entry as built: its geometry, the GeoJSON written for it, and what it says of itself."""

    spec: AreaSpec
    geometry: BaseGeometry
    source: str
    precision: str
    note: str | None = None  # template; None = the definition's own note
    drawn_as: str | None = None
    geojson: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.geojson:
            self.geojson = shapes.geojson(self.geometry)

    @property
    def geometry_type(self) -> str:
        return shapes.GEOMETRY_TYPE[self.geometry.geom_type]


class _Construction(dict[str, str]):
    """`{construction[key]}` in a source template: that feature's provenance sentence."""

    def __init__(self, resolver: Resolver, spec: AreaSpec) -> None:
        super().__init__()
        self.resolver, self.spec = resolver, spec

    def __missing__(self, key: str) -> str:
        return self.resolver.construction_source(self.spec, key)


class Resolver:
    """Derives entries on demand from the definitions and the inputs, remembering each."""

    def __init__(self, areas: AreasFile, inputs: Inputs) -> None:
        self.areas, self.inputs, self.texts = areas, inputs, areas.texts
        self.specs = {s.id: s for s in areas.entries}
        self.done: dict[str, Derived] = {}
        self._active: list[str] = []
        self._cells: dict[str, BaseGeometry] | None = None

    # -- lookups, each failing with the entry that asked -------------------------------------
    def error(self, spec: AreaSpec, problem: str) -> DataError:
        return self.areas.error(spec, problem)

    def district(self, spec: AreaSpec, name: str | None) -> BaseGeometry:
        if name not in self.inputs.districts:
            raise self.error(spec, f"no district {name!r} in beijing-districts.geojson")
        return self.inputs.districts[name]

    def construction(self, spec: AreaSpec, key: str | None) -> BaseGeometry:
        if key not in self.inputs.construction:
            raise self.error(spec, f"no feature {key!r} in construction.geojson")
        return self.inputs.construction[key].geometry

    def construction_source(self, spec: AreaSpec, key: str) -> str:
        self.construction(spec, key)
        return self.texts["construction_source"].format(
            key=key, source=self.inputs.construction[key].source)

    def cell(self, spec: AreaSpec, seat: str) -> BaseGeometry:
        if self._cells is None:
            haidian = self.district(spec, "海淀区")
            self._cells = shapes.voronoi_cells(
                [(s.name, s.point) for s in self.inputs.seats], haidian)
        if seat not in self._cells:
            raise self.error(spec, f"no seat {seat!r} in haidian-township-points.tsv")
        return self._cells[seat]

    def source(self, spec: AreaSpec, default: str, **extra: object) -> str:
        template = spec.source if spec.source is not None else default
        return template.format_map({"extract": self.texts["extract"],
                                    "construction": _Construction(self, spec), **extra})

    def get(self, pid: str, asker: AreaSpec) -> Derived:
        """The derived entry `pid`, building it (and what it needs) first if necessary."""
        if pid in self.done:
            return self.done[pid]
        if pid not in self.specs:
            raise self.error(asker, f"entry {pid!r} is not defined in {self.areas.path.name}")
        if pid in self._active:
            raise self.error(asker, "depends on itself: " + " → ".join([*self._active, pid]))
        self._active.append(pid)
        try:
            self.done[pid] = self.build(self.specs[pid])
        finally:
            self._active.pop()
        return self.done[pid]

    def build(self, spec: AreaSpec) -> Derived:
        """Run the kind's function, then fill the note with the entry's own measures."""
        derived = KIND_FUNCTIONS[spec.kind](self, spec)
        built = derived.spec  # a fallback's definition when the preferred one could not apply
        template = derived.note if derived.note is not None else built.note
        try:
            derived.note = template.format_map(
                {"area_km2": area_km2(derived.geometry), "extract": self.texts["extract"],
                 **_context_fields(self, built)})
        except (KeyError, ValueError) as exc:
            raise self.error(built, f"note: {exc}") from None
        return derived

    def all(self) -> dict[str, Derived]:
        """Every definition, except those standing in for an entry the gazetteer now draws."""
        for spec in self.areas.entries:
            if spec.unless_entry is None or spec.unless_entry not in self.inputs.others:
                self.get(spec.id, spec)
        return self.done


def _context_fields(resolver: Resolver, spec: AreaSpec) -> Mapping[str, object]:
    if spec.kind != "context" or spec.key not in resolver.inputs.context:
        return {}
    return {"definition": resolver.inputs.context[spec.key].definition}


# -- one function per kind -------------------------------------------------------------------

def district(r: Resolver, spec: AreaSpec) -> Derived:
    """The district as extracted (a zone 'covering the whole district' is drawn as it)."""
    return Derived(spec, r.district(spec, spec.district), r.source(spec, r.texts["extract"]),
                   spec.precision)


def context(r: Resolver, spec: AreaSpec) -> Derived:
    """A province, city or country group from the regional context extract."""
    if spec.key not in r.inputs.context:
        raise r.error(spec, f"no feature {spec.key!r} in regions-context.geojson")
    c = r.inputs.context[spec.key]
    default = r.texts["context_source"].format(
        dataset=c.dataset, tolerance_km=c.tolerance_m / 1000, definition=c.definition)
    return Derived(spec, c.geometry, r.source(spec, default), spec.precision,
                   note=spec.note or r.texts["context_note"])


def township(r: Resolver, spec: AreaSpec) -> Derived:
    """A schematic township cell: the Voronoi cell of its seat, clipped to 海淀区."""
    note = (r.texts["township_note"] + " " + spec.note).strip()
    return Derived(spec, r.cell(spec, spec.seat or ""),
                   r.source(spec, r.texts["township_source"].format(extract=r.texts["extract"])),
                   spec.precision, note=note)


def construction(r: Resolver, spec: AreaSpec) -> Derived:
    """A hand-placed outline or point, clipped to a district when it is drawn loosely."""
    geom = r.construction(spec, spec.construction)
    if geom.geom_type in ("LineString", "MultiLineString"):
        raise r.error(spec, f"{spec.construction!r} is a line: use kind 'line'")
    if spec.clip:
        geom = geom.intersection(r.district(spec, spec.clip))
    if geom.geom_type not in ("Point", "MultiPoint"):
        geom = shapes.finish(geom)
    if geom.is_empty:
        raise r.error(spec, f"{spec.construction!r} lies outside {spec.clip}")
    return Derived(spec, geom, r.source(spec, r.construction_source(spec, spec.construction or "")),
                   spec.precision)


def line(r: Resolver, spec: AreaSpec) -> Derived:
    """Lines copied from the entries that draw them, or construction lines clipped to a
    district where no entry is drawn; several parts make one MultiLineString."""
    geoms, sources = [], []
    for part in spec.parts:
        other = r.inputs.others.get(part.entry) if part.entry else None
        if other is not None:
            geoms.append(other.geometry)
            sources.append(r.texts["copy_source"].format(
                id=other.id, file=other.file, precision=other.precision, source=other.source))
        elif part.construction:
            geoms.append(shapes.clip_line(r.construction(spec, part.construction),
                                          r.district(spec, spec.clip)))
            sources.append(r.construction_source(spec, part.construction))
        else:
            raise r.error(spec, f"entry {part.entry!r} has no geometry and no construction "
                          "line stands in for it")
    if len(geoms) > 1 and any(g.geom_type != "LineString" for g in geoms):
        raise r.error(spec, "each part of a multi-part line must be one LineString")
    if spec.start_at:
        start = r.inputs.others.get(spec.start_at)
        if start is None:
            raise r.error(spec, f"start_at {spec.start_at!r} is not a drawn gazetteer entry")
        if not isinstance(geoms[0], LineString):
            raise r.error(spec, "start_at cuts a single LineString")
        geoms[0] = shapes.line_from(geoms[0], start.geometry)
        sources[0] += f" — from its point nearest entry {spec.start_at!r} ({start.file}) on"
    return Derived(spec, shapes.lines(geoms), r.source(spec, " | ".join(sources)),
                   spec.precision)


def area_only(r: Resolver, spec: AreaSpec) -> Derived:
    """A copy of the area the text places the entry in (its own location is unknown)."""
    target = spec.drawn_as or ""
    source = r.source(spec, r.texts["area_only_source"].format(drawn_as=target))
    if target in r.specs and r.specs[target].section != DERIVED:
        area = r.get(target, spec)
        return Derived(spec, area.geometry, source, spec.precision, drawn_as=target,
                       geojson=area.geojson)
    other = r.inputs.others.get(target)
    if other is not None:
        return Derived(spec, other.geometry, source, spec.precision, drawn_as=target,
                       geojson=other.geojson)
    if spec.fallback is not None:
        return KIND_FUNCTIONS[spec.fallback.kind](r, spec.fallback)
    raise r.error(spec, f"drawn_as {target!r} is not a drawn entry")


def cut(r: Resolver, spec: AreaSpec) -> Derived:
    """The part of a district on one side of a cut line."""
    geom = r.construction(spec, spec.line)
    if not isinstance(geom, LineString):
        raise r.error(spec, f"{spec.line!r} must be a LineString")
    return Derived(spec, shapes.cut(r.district(spec, spec.district), geom, spec.keep or ""),
                   r.source(spec, ""), spec.precision)


def rest(r: Resolver, spec: AreaSpec) -> Derived:
    """What is left of a district once another entry is taken out (the two tile it)."""
    taken = r.get(spec.minus or "", spec).geometry
    geom = shapes.finish(r.district(spec, spec.district).difference(taken))
    return Derived(spec, geom, r.source(spec, ""), spec.precision)


def union(r: Resolver, spec: AreaSpec) -> Derived:
    """Districts, township cells and construction outlines merged, in that order."""
    members = [r.district(spec, d) for d in spec.districts]
    members += [r.cell(spec, t) for t in spec.townships]
    members += [r.construction(spec, c) for c in spec.constructions]
    return Derived(spec, shapes.finish(unary_union(members)), r.source(spec, ""),
                   spec.precision)


def ring(r: Resolver, spec: AreaSpec) -> Derived:
    """The land between two nested outlines."""
    outer, inner = r.construction(spec, spec.outer), r.construction(spec, spec.inner)
    return Derived(spec, shapes.finish(outer.difference(inner)), r.source(spec, ""),
                   spec.precision)


def band(r: Resolver, spec: AreaSpec) -> Derived:
    """A strip either side of another entry's line, clipped to a district."""
    centre = r.get(spec.line or "", spec)
    if not isinstance(centre.geometry, LineString):
        raise r.error(spec, f"entry {spec.line!r} must be a single LineString to offset")
    strip = shapes.band(centre.geometry, spec.north_m, spec.south_m)
    geom = shapes.finish(strip.intersection(r.district(spec, spec.clip)))
    source = r.source(spec, "", north_m=_number(spec.north_m), south_m=_number(spec.south_m),
                      line=centre.source)
    return Derived(spec, geom, source, spec.precision)


def _number(value: float) -> int | float:
    """1000.0 is written 1000, as in the definition file."""
    return int(value) if value.is_integer() else value


KIND_FUNCTIONS: dict[str, Callable[[Resolver, AreaSpec], Derived]] = {
    "district": district, "context": context, "township": township,
    "construction": construction, "line": line, "area-only": area_only, "cut": cut,
    "rest": rest, "union": union, "ring": ring, "band": band,
}

