"""`planmap render`: a print-ready map figure (PNG, SVG, PDF) from the command line.

A thin adapter over layers.figures: argparse values become a FigureSpec, which validates them, so
the CLI and the /figures routes refuse the same bad values with the same messages.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from geo.errors import BadRequest


def register(sub: argparse._SubParsersAction) -> None:
    from layers.figures import DPI_DEFAULT, DPI_MAX, DPI_MIN, FORMATS, MAX_PIXELS, PAPERS_MM

    p = sub.add_parser(
        "render",
        help="draw a map figure (PNG, SVG, PDF) of layers, a place or a plan for a report",
        description="Draw a print-ready map figure on the offline vector basemap: title, "
        "legend, scale bar, north arrow, labels, sources and the data date. Same request, "
        "same bytes.",
    )
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--layer", action="append", metavar="ID",
                      help="layer id (repeatable); see `planmap export --list`")
    what.add_argument("--place", metavar="ID", help="a place id, drawn among its neighbours")
    what.add_argument("--plan", metavar="ID", help="a plan id: the places it names")
    p.add_argument("-o", "--output", type=Path, required=True, metavar="PATH",
                   help="file to write (.png, .svg or .pdf)")
    p.add_argument("--format", choices=tuple(FORMATS), default=None,
                   help="output format (default: from the file suffix)")
    p.add_argument("--paper", choices=tuple(PAPERS_MM), default=None,
                   help="paper size (default A4 landscape when neither --paper nor --size)")
    p.add_argument("--landscape", action="store_true", help="with --paper: landscape")
    p.add_argument("--size", metavar="WxH", default=None,
                   help="size in pixels at --dpi, e.g. 1600x1200")
    p.add_argument("--dpi", type=int, default=DPI_DEFAULT,
                   help=f"dots per inch, {DPI_MIN}-{DPI_MAX} (default {DPI_DEFAULT}); "
                   f"PNG at most {MAX_PIXELS // 1_000_000} megapixels")
    p.add_argument("--title", default=None, help="title (default: from the content)")
    p.add_argument("--lang", choices=("zh", "en"), default="zh",
                   help="language of the figure's text (default zh)")
    p.add_argument("--quiet", action="store_true", help="no summary line")
    p.set_defaults(handler=_render)


def check_output(path: Path) -> None:
    """Refuse a target that cannot be written before drawing (a figure takes seconds); the
    write itself goes through geo.atomic, which reports what still goes wrong in one line."""
    parent = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise BadRequest(f"-o {path} is a directory; give a file name")
    if not parent.is_dir():
        blocker = next((p for p in (parent, *parent.parents) if p.exists()), None)
        if blocker is not None and not blocker.is_dir():
            raise BadRequest(f"-o {path}: {blocker} is a file, not a folder")
        raise BadRequest(f"-o {path}: directory {parent} does not exist")
    if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise BadRequest(f"-o {path}: permission denied")


def _render(args: argparse.Namespace) -> int:
    from layers.figures import FigureSpec, format_from_path, parse_size, render_to_file

    if args.landscape and not args.paper:
        raise BadRequest("--landscape needs --paper")
    spec = FigureSpec(
        layers=tuple(args.layer or ()),
        place=args.place,
        plan=args.plan,
        fmt=format_from_path(args.output, args.format),
        paper=args.paper,
        landscape=args.landscape,
        size=parse_size(args.size) if args.size else None,
        dpi=args.dpi,
        title=args.title,
        lang=args.lang,
    )
    check_output(args.output)
    from layers.store import default_store

    result = render_to_file(default_store(), spec, args.output)
    if not args.quiet:
        w, h = spec.inches
        print(f"wrote {args.output} ({spec.fmt}, {w * 25.4:.0f}x{h * 25.4:.0f} mm, "
              f"{len(result.labels)} labels, {len(result.data)} bytes)", file=sys.stdout)
    return 0
