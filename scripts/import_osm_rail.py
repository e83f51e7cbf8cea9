"""Regenerate the OpenStreetMap rail files of the gazetteer from the shared extract.

Build-time tool, run by hand when ../shared/reference/osm-rail/ or data/reference/osm-rail.toml
changes (the project itself never reads the shared folder):

    .venv/bin/python scripts/import_osm_rail.py                 # write the two files
    .venv/bin/python scripts/import_osm_rail.py --check         # exit 1 if they are stale
    .venv/bin/python scripts/import_osm_rail.py --source DIR    # another copy of the extract

Writes data/gazetteer/stations.geojson and data/gazetteer/rail-transit.geojson (see geo.osm_rail
for what goes in them); both are © OpenStreetMap contributors, ODbL 1.0. Afterwards run
`planmap data check`: it loads them with the rest of the gazetteer and measures the anchors.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo.errors import PlanmapError  # noqa: E402
from geo.gazetteer_files import write_text_atomic  # noqa: E402
from geo.osm_rail import build, read_extract, stale  # noqa: E402

DEFAULT_SOURCE = ROOT.parent / "shared" / "reference" / "osm-rail"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE,
                        help="folder with the extract's stations.geojson and lines.geojson "
                        f"(default {DEFAULT_SOURCE})")
    parser.add_argument("--data", type=Path, default=ROOT / "data", help="the data folder")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if the files differ from a fresh import")
    args = parser.parse_args(argv)
    try:
        texts = build(args.data, read_extract(args.source))
    except PlanmapError as exc:
        print(f"import_osm_rail: {exc.message}", file=sys.stderr)
        return 2
    out_of_date = stale(args.data, texts)
    if args.check:
        for name in out_of_date:
            print(f"out of date: {args.data / 'gazetteer' / name}")
        return 1 if out_of_date else 0
    for name in out_of_date:
        write_text_atomic(args.data / "gazetteer" / name, texts[name])
    print(f"wrote {len(out_of_date)} of {len(texts)} files"
          + (f": {', '.join(out_of_date)}" if out_of_date else " (all up to date)"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
