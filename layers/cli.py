"""`planmap build` and `planmap export`: thin argparse adapters over layers.build/export."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from geo.errors import BadRequest
from layers import health  # noqa: F401  (adds layers.toml to `planmap data check`)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "build",
        help="write every layer as GeoJSON plus a manifest (reused when nothing changed)",
        description="Write every layer (thematic, structure, per-plan) as GeoJSON with the "
        "place records and a manifest. A second run with unchanged inputs reuses the output.",
    )
    p.add_argument("--out", default=None,
                   help="output directory (default: <build dir>/layers); a non-empty folder "
                   "that is not a previous build is refused")
    p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    p.add_argument("--force", action="store_true",
                   help="rebuild even if inputs are unchanged; also build into a non-empty "
                   "folder that is not a previous build (its contents are kept, renamed "
                   "DIR.replaced-<time>)")
    p.set_defaults(handler=_build)

    from geo.crs_names import CRSES
    from layers.export import FORMATS

    e = sub.add_parser(
        "export",
        help="write layers as GeoJSON, GeoPackage, KML, CSV, Shapefile, FlatGeobuf or styles",
        description="Export one layer or all of them in a GIS format and coordinate system.",
    )
    which = e.add_mutually_exclusive_group(required=True)
    which.add_argument("--layer", action="append", metavar="ID",
                       help="layer id (repeatable); see `planmap export --list`")
    which.add_argument("--all", action="store_true", help="every layer")
    which.add_argument("--list", action="store_true", help="list layer ids and exit")
    e.add_argument("--format", default="geojson", metavar="F",
                   help=f"one of {', '.join(FORMATS)} (default geojson)")
    e.add_argument("--crs", default="EPSG:4326", metavar="C",
                   help=f"one of {', '.join(c.id for c in CRSES)}, also spelt "
                   f"{', '.join(c.param for c in CRSES)}, wgs84 or as the OGC URI "
                   "(default EPSG:4326)")
    e.add_argument("-o", "--output", type=Path, metavar="PATH", help="file to write")
    e.add_argument("--base-url", metavar="URL", default=os.environ.get("PLANMAP_BASE_URL"),
                   help="site address for each place's detail_url, e.g. "
                   "https://planmap.example.org (default $PLANMAP_BASE_URL; without one "
                   "detail_url is empty)")
    e.add_argument("--quiet", action="store_true", help="no summary line")
    e.set_defaults(handler=_export)


def _build(args: argparse.Namespace) -> int:
    from layers.build import build

    def say(message: str) -> None:
        if not args.quiet:
            print(f"build: {message}", file=sys.stderr, flush=True)

    if args.out is not None and not args.out.strip():
        raise BadRequest("--out is empty; name a folder")
    out = Path(args.out) if args.out is not None else None
    result = build(out, progress=say, force=args.force)  # one-line errors: BadRequest, WriteFailed
    if not args.quiet:
        layers = result.manifest.get("layers", [])
        state = "reused" if result.reused else "built"
        print(f"{state} {len(layers)} layers in {result.out} ({result.seconds:.1f} s)")
    return 0


def _export(args: argparse.Namespace) -> int:
    from layers.export import export, export_crs, export_format
    from layers.store import default_store

    # Check the cheap arguments before building the store.
    fmt = export_format(args.format)
    crs = export_crs(args.crs)
    if not args.list:
        fmt.check_crs(crs)
    store = default_store()
    if args.list:
        for layer in store.layers:
            print(f"{layer.id}\t{layer.group}\t{layer.title['zh']}\t{layer.title['en']}")
        return 0
    if args.output is None:
        raise BadRequest("export needs -o PATH")
    ids = store.layer_ids() if args.all else list(dict.fromkeys(args.layer))
    result = export(store, ids, fmt, crs, args.output, base_url=args.base_url)
    if not args.quiet:
        n = sum(result.layers.values())
        gone = (f", {result.left_out_count} outside {crs.id}'s area of use left out"
                if result.left_out_count else "")
        print(f"wrote {result.path} ({fmt.id}, {crs.id}): {len(result.layers)} layers, "
              f"{n} features{gone}, {result.size} bytes")
    return 0
