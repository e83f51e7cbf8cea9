"""`planmap geocode`, `planmap places` and `planmap mentions`: the gazetteer and the place finder
from a terminal.

A planner checks an entry (`geocode 北清路`), lists what is still unlocated
(`places --precision unlocated`), and runs the finder over a new document, including the names
it does not know yet (`mentions draft.txt --unresolved`). Output is GeoJSON or JSON where another
program will read it, a plain table where a person will.
"""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from collections import Counter
from pathlib import Path

from shapely.geometry import mapping

from geo.candidates import find_candidates
from geo.corpus import default_corpus
from geo.errors import BadRequest
from geo.finder import find_places
from geo.gazetteer import KINDS, PRECISIONS, Gazetteer, Place, default_gazetteer
from geo.search import PlaceIndex
from geo.textfile import MAX_TEXT_BYTES, read_text

FEATURE_PROPERTIES = ("id", "name", "name_en", "kind", "precision", "source", "parent", "note")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "geocode",
        help="print gazetteer entries as GeoJSON",
        description="Print the gazetteer entry for each NAME as a GeoJSON Feature (several "
        "names: a FeatureCollection in the order asked). NAME may be the Chinese name, an "
        "alias, the English name, the pinyin (with or without spaces), the id, or the start of "
        "one of them (beiqing finds 北清路), as the atlas search matches. An unknown "
        "name gives a feature with null geometry and an 'error' property naming the nearest "
        "matches, and exit status 1.",
    )
    p.add_argument("names", nargs="+", metavar="NAME")
    p.set_defaults(handler=run_geocode)

    p = sub.add_parser(
        "places",
        help="list gazetteer entries with counts by kind and precision",
        description="List gazetteer entries (id, name, kind, precision), then counts by kind "
        "and by precision.",
    )
    p.add_argument("--kind", help=f"only this kind ({', '.join(KINDS)})")
    p.add_argument("--precision", help=f"only this precision ({', '.join(PRECISIONS)})")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(handler=run_places)

    p = sub.add_parser(
        "mentions",
        help="find the places a text file (UTF-8 or GB18030) names",
        description="Find the place mentions in FILE (UTF-8 or GB18030 text, at most "
        f"{MAX_TEXT_BYTES >> 20} MiB). Offsets are character "
        "offsets into the file's text exactly as read (end exclusive). With --unresolved, "
        "list candidate place names the gazetteer lacks instead, with counts and context.",
    )
    p.add_argument("file", metavar="FILE")
    p.add_argument(
        "--plan",
        metavar="PLAN_ID",
        help="read the text as this plan does (document-scoped aliases such as 北区)",
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument(
        "--unresolved",
        action="store_true",
        help="list candidate place names not in the gazetteer, most likely first",
    )
    p.set_defaults(handler=run_mentions)


# --- geocode -------------------------------------------------------------------------------


def feature(place: Place) -> dict[str, object]:
    props = place.properties()
    return {
        "type": "Feature",
        "id": place.id,
        "geometry": mapping(place.geometry) if place.geometry is not None else None,
        "properties": {k: props[k] for k in FEATURE_PROPERTIES},
    }


def geocode(names: list[str], gazetteer: Gazetteer | None = None) -> tuple[dict, bool]:
    """GeoJSON for the names asked, and whether every one was found.

    A name is looked up as the atlas search does (geo.search): an exact name, alias, English
    name, pinyin or id first, else the best prefix (`beiqing` is 北清路); on equal rank the
    unqualified entry wins, so "qing he" is the river, not 清河[地区]."""
    gaz = gazetteer or default_gazetteer()
    index = PlaceIndex(gaz)
    features: list[dict[str, object]] = []
    all_found = True
    for name in names:
        hit = index.lookup(name)
        if hit is not None:
            features.append(feature(gaz.get(hit.place_id)))
            continue
        all_found = False
        nearest = index.nearest(name)
        message = f"no place named {name!r}"
        message += f"; nearest: {', '.join(nearest)}" if nearest else "; no near matches"
        features.append(
            {
                "type": "Feature",
                "id": None,
                "geometry": None,
                "properties": {"query": name, "error": message, "nearest": nearest},
            }
        )
    if len(features) == 1:
        return features[0], all_found
    return {"type": "FeatureCollection", "features": features}, all_found


def run_geocode(args: argparse.Namespace) -> int:
    result, ok = geocode(args.names)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0 if ok else 1


# --- places --------------------------------------------------------------------------------


def list_places(kind: str | None = None, precision: str | None = None) -> list[Place]:
    if kind is not None and kind not in KINDS:
        raise BadRequest(f"unknown kind {kind!r} (known: {', '.join(KINDS)})")
    if precision is not None and precision not in PRECISIONS:
        raise BadRequest(f"unknown precision {precision!r} (known: {', '.join(PRECISIONS)})")
    return [
        p
        for p in default_gazetteer()
        if (kind is None or p.kind == kind) and (precision is None or p.precision == precision)
    ]


def run_places(args: argparse.Namespace) -> int:
    places = list_places(args.kind, args.precision)
    by_kind = Counter(p.kind for p in places)
    by_precision = Counter(p.precision for p in places)
    if args.json:
        out = {
            "places": [
                {k: p.properties()[k] for k in ("id", "name", "name_en", "kind", "precision")}
                for p in places
            ],
            "count": len(places),
            "by_kind": dict(sorted(by_kind.items())),
            "by_precision": {k: by_precision[k] for k in PRECISIONS if by_precision[k]},
        }
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    for p in places:
        print(f"{_pad(p.id, 44)} {_pad(p.label, 28)} {_pad(p.kind, 16)} {p.precision}")
    print(f"\n{len(places)} entries")
    print("by kind: " + ", ".join(f"{k} {n}" for k, n in sorted(by_kind.items())))
    print(
        "by precision: "
        + ", ".join(f"{k} {by_precision[k]}" for k in PRECISIONS if by_precision[k])
    )
    return 0


def _pad(text: str, width: int) -> str:
    """Left-justify for a terminal, where CJK characters take two columns."""
    used = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(0, width - used)


# --- mentions ------------------------------------------------------------------------------


def read_text_file(name: str) -> str:
    """The file's text exactly as stored (no newline translation), so offsets match it: UTF-8
    or GB18030, at most geo.textfile.MAX_TEXT_BYTES (`mentions /dev/zero` is one line)."""
    return read_text(Path(name), name)


def run_mentions(args: argparse.Namespace) -> int:
    if args.plan is not None:
        default_corpus().get(args.plan)  # NotFound (exit 2) names the known plan ids
    text = read_text_file(args.file)
    if args.unresolved:
        candidates = find_candidates(text, args.plan)
        if args.json:
            print(json.dumps([c.as_dict() for c in candidates], ensure_ascii=False, indent=2))
            return 0
        for c in candidates:
            print(f"{c.count:4d}  {c.text}\t{c.score:.2f}\t…{c.contexts[0]}…")
        print(f"{len(candidates)} candidate names not in the gazetteer", file=sys.stderr)
        return 0
    mentions = find_places(text, args.plan)
    if args.json:
        keys = ("start", "end", "text", "place_id", "name")
        rows = [{k: m.as_dict()[k] for k in keys} for m in mentions]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    line_starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
    line = 0
    for m in mentions:
        while line + 1 < len(line_starts) and line_starts[line + 1] <= m.start:
            line += 1
        col = m.start - line_starts[line] + 1
        print(f"{line + 1}:{col}\t{m.start}-{m.end}\t{m.text}\t{m.place_id}\t{m.name}\t{m.how}")
    print(f"{len(mentions)} mentions", file=sys.stderr)
    return 0
