"""`planmap data check`: is the gazetteer valid, and do its shapes agree with published figures?

Planners edit the gazetteer files by hand or in QGIS. One command answers "can I ship this
data": it loads every file through the validating loader (a schema error
names the entry and exits 1), measures entries against `data/reference/measures.tsv` and against
the stations and reference points they were built on (`data/reference/anchors/`), shows how much
of the gazetteer is surveyed versus schematic and how far it may be off, and lists what is still
unlocated and why.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter, defaultdict
from pathlib import Path

from geo import datacheck
from geo.anchors import AnchorCheck, check_anchors
from geo.areas import AREAS_FILE, derive_files, out_of_date, write_files
from geo.candidate_rules import CANDIDATE_RULES_FILE, load_candidate_rules
from geo.corpus import default_corpus
from geo.errors import BadRequest
from geo.finder import RULES_FILE, load_rules
from geo.gazetteer import PRECISIONS, Gazetteer, load_gazetteer
from geo.gazetteer_files import sync
from geo.measures import Check, check_measures
from geo.paths import data_dir


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "data",
        help="check the embedded data (gazetteer and published measures)",
        description="Commands about the embedded data.",
    )
    data_sub = p.add_subparsers(dest="data_command", metavar="SUBCOMMAND")
    data_sub.required = True
    c = data_sub.add_parser(
        "check",
        help="validate the gazetteer and compare geometries with published figures",
        description="Validate every gazetteer file (exit 1 with the message on a schema error), "
        "print the measured-vs-published table (EPSG:4548), the share of entries by precision "
        "(overall and by file) and by expected error, the distance of every anchored place to "
        "each of its anchors (data/reference/anchors/*.tsv: the stations and reference points "
        "it was built on) with those farther than allowed, and the entries still unlocated "
        "with their reasons. Exit 0 when the data is valid, every measure is within its "
        "tolerance and every place within its anchors' distance, 1 otherwise.",
    )
    c.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    c.set_defaults(handler=run_check)
    s = data_sub.add_parser(
        "sync",
        help="re-copy area-only geometries from their areas and normalise the files' layout",
        description="After an area is redrawn (in QGIS or by `planmap data derive`), copy its "
        "geometry again into every area-only entry drawn as it, and write every gazetteer file "
        "in the canonical layout (6 decimals, counter-clockwise exteriors, one line per "
        "geometry). With --check nothing is written and the exit status is 1 if anything would "
        "change.",
    )
    s.add_argument("--check", action="store_true", help="report only; exit 1 if out of step")
    s.set_defaults(handler=run_sync)
    d = data_sub.add_parser(
        "derive",
        help="rebuild the defined areas from data/boundaries/areas.toml",
        description=f"Build the geometry of every entry defined in {AREAS_FILE} (the "
        "admin, zones, regions and corridors gazetteer files, and boundaries/derived.geojson) "
        "from the district extracts, construction.geojson and the township seats, and write "
        "them with their precision, source and note. Written into the data folder, the "
        "area-only copies in the other gazetteer files are then re-copied as by `data sync`. "
        "A rerun on unchanged inputs writes the same bytes.",
    )
    d.add_argument("--out", metavar="DIR", type=Path,
                   help="write the derived files under DIR (DIR/gazetteer/…, "
                   "DIR/boundaries/derived.geojson) instead of the data folder")
    d.add_argument("--check", action="store_true",
                   help="write nothing; exit 1 if the files in the data folder (or DIR) are not "
                   "what the definitions produce")
    d.set_defaults(handler=run_derive)


def _file(place_file: str) -> str:
    return place_file.split("#", 1)[0]


# Expected-error bands (upper bound in metres, label); entries with no figure (area-only,
# unlocated) are counted apart.
ERROR_BANDS: tuple[tuple[int | None, str], ...] = (
    (50, "≤ 50 m"), (100, "51–100 m"), (300, "101–300 m"), (1000, "301 m–1 km"), (None, "> 1 km"),
)
NO_FIGURE = "no figure (area only, unlocated)"


def error_band(error_m: int | None) -> str:
    if error_m is None:
        return NO_FIGURE
    return next(label for limit, label in ERROR_BANDS if limit is None or error_m <= limit)


def data_report(gazetteer: Gazetteer, checks: list[Check],
                anchors: list[AnchorCheck] | None = None) -> dict[str, object]:
    """Everything `data check` reports, as plain data (the text and JSON views share it)."""
    anchors = anchors or []
    total = len(gazetteer)
    overall = Counter(p.precision for p in gazetteer)
    by_file: dict[str, Counter[str]] = defaultdict(Counter)
    for p in gazetteer:
        by_file[_file(p.file)][p.precision] += 1

    def shares(counter: Counter[str]) -> dict[str, dict[str, float | int]]:
        n = sum(counter.values()) or 1
        return {k: {"count": counter.get(k, 0), "share": round(counter.get(k, 0) / n, 4)}
                for k in PRECISIONS}

    unlocated = [
        {"id": p.id, "name": p.name, "file": _file(p.file), "reason": p.note}
        for p in gazetteer if p.precision == "unlocated"
    ]
    # An area-only entry carries a copy of its area; if the area was redrawn since, say so.
    stale = [
        {"id": p.id, "drawn_as": p.drawn_as}
        for p in gazetteer
        if p.precision == "area-only" and p.drawn_as is not None and p.drawn_as in gazetteer
        and p.geometry is not None
        and (area := gazetteer.get(p.drawn_as).geometry) is not None
        and not p.geometry.equals(area)
    ]
    failed = [c for c in checks if not c.ok]
    far = [a for a in anchors if not a.ok]
    bands = Counter(error_band(p.error_m) for p in gazetteer)
    band_labels = [label for _, label in ERROR_BANDS] + [NO_FIGURE]
    return {
        "valid": True,
        "entries": total,
        "measures": [c.as_dict() for c in checks],
        "measures_failed": len(failed),
        "anchors": [a.as_dict() for a in anchors],
        "anchors_failed": len(far),
        "precision": shares(overall),
        "error_bands": {label: {"count": bands.get(label, 0),
                                "share": round(bands.get(label, 0) / (total or 1), 4)}
                        for label in band_labels},
        "precision_by_file": {f: {"entries": sum(c.values()), **shares(c)}
                              for f, c in sorted(by_file.items())},
        "unlocated": unlocated,
        "stale_copies": stale,
        "ok": not failed and not far,
    }


def run_check(args: argparse.Namespace) -> int:
    corpus, gazetteer = datacheck.validate(data_dir())  # every file, as serve and /healthz
    # counted for the report; validate has already read both rule files
    finder_rules = load_rules(data_dir() / "gazetteer" / RULES_FILE, gazetteer, set(corpus.plans))
    candidate_rules = load_candidate_rules(data_dir() / "gazetteer" / CANDIDATE_RULES_FILE)
    report = data_report(gazetteer, check_measures(gazetteer), check_anchors(gazetteer))
    report["rules"] = {
        RULES_FILE: {"stop": len(finder_rules.stops), "context": len(finder_rules.rules)},
        CANDIDATE_RULES_FILE: {"endings": len(candidate_rules.endings),
                               "generic": len(candidate_rules.generic),
                               "propose_at": candidate_rules.scoring.propose_at},
    }
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
    else:
        print(render_text(report))
    return 0 if report["ok"] else 1


def run_sync(args: argparse.Namespace) -> int:
    copied, rewritten = sync(write=not args.check)
    verb = "would re-copy" if args.check else "re-copied"
    print(f"{verb} {len(copied)} area-only geometries" + (f": {', '.join(copied)}" if copied
                                                         else ""))
    verb = "would rewrite" if args.check else "rewrote"
    print(f"{verb} {len(rewritten)} files" + (f": {', '.join(rewritten)}" if rewritten else ""))
    if args.check:
        return 1 if copied or rewritten else 0
    load_gazetteer(plan_ids=set(default_corpus().plans))  # what was written must still load
    return 0


def run_derive(args: argparse.Namespace) -> int:
    data = data_dir()
    target: Path = args.out or data
    if target.exists() and not target.is_dir():
        raise BadRequest(f"--out {target}: not a folder")
    texts = derive_files(data)  # DataError (a bad definition or input) → one line, exit 1
    if args.check:
        stale = out_of_date(texts, target)
        for rel in stale:
            print(f"out of date: {target / rel}")
        print(f"{len(texts) - len(stale)} of {len(texts)} derived files up to date"
              + ("" if not stale else " (run planmap data derive)"))
        return 1 if stale else 0
    written = write_files(texts, target)
    print(f"wrote {len(written)} of {len(texts)} derived files under {target}"
          + (f": {', '.join(str(p) for p in written)}" if written else " (all up to date)"))
    if args.out is None:
        copied, _ = sync(data / "gazetteer")
        print(f"re-copied {len(copied)} area-only geometries"
              + (f": {', '.join(copied)}" if copied else ""))
        load_gazetteer(data / "gazetteer", plan_ids=set(default_corpus().plans))
    return 0


def _fmt(value: object, spec: str) -> str:
    return "—" if value is None else format(value, spec)


def render_text(report: dict) -> str:
    lines = [f"gazetteer: valid, {report['entries']} entries"]
    for name, counts in report.get("rules", {}).items():
        lines.append(f"{name}: valid, " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    lines += ["",
             "measured vs published (EPSG:4548)"]
    header = ("id", "measure", "published", "measured", "diff %", "tol %", "result")
    rows = [header]
    for m in report["measures"]:
        result = "pass" if m["ok"] else "FAIL" + (f" ({m['problem']})" if m["problem"] else "")
        rows.append((m["id"], m["measure"], _fmt(m["published"], "g"),
                     _fmt(m["measured"], ".2f"), _fmt(m["difference_pct"], "+.2f"),
                     _fmt(m["tolerance_pct"], "g"), result))
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(header))]
    for r in rows:
        lines.append("  " + "  ".join(str(v).ljust(w) for v, w in zip(r, widths, strict=True)))
    lines += ["", "entries by precision"]
    for k, v in report["precision"].items():
        lines.append(f"  {k:<11} {v['count']:>4}  {v['share'] * 100:5.1f} %")
    lines += ["", "by file (" + " / ".join(PRECISIONS) + ")"]
    for f, v in report["precision_by_file"].items():
        counts = " / ".join(str(v[k]["count"]) for k in PRECISIONS)
        lines.append(f"  {f:<26} {v['entries']:>4}: {counts}")
    lines += ["", "entries by expected error"]
    for k, v in report["error_bands"].items():
        lines.append(f"  {k:<33} {v['count']:>4}  {v['share'] * 100:5.1f} %")
    lines += anchor_lines(report["anchors"])
    lines += ["", f"unlocated ({len(report['unlocated'])})"]
    for u in report["unlocated"]:
        lines.append(f"  {u['id']} {u['name']} [{u['file']}]: {u['reason']}")
    if report["stale_copies"]:
        lines += ["", "warning: area-only copies that differ from their area "
                  "(run planmap data sync, or planmap data derive)"]
        lines += [f"  {s['id']} (drawn as {s['drawn_as']})" for s in report["stale_copies"]]
    problems = [f"{n} {what}" for n, what in (
        (report["measures_failed"], "measure(s) outside tolerance"),
        (report["anchors_failed"], "place(s) farther from an anchor than allowed")) if n]
    lines += ["", "OK" if report["ok"] else "FAILED: " + "; ".join(problems)]
    return "\n".join(lines)


def anchor_lines(anchors: list[dict]) -> list[str]:
    """Places farther than allowed first, then every anchored place with the distance (m) to
    each of its anchors, one line per place and allowance."""
    far = [a for a in anchors if not a["ok"]]
    out = ["", f"anchors: {len(anchors)} distances, {len(far)} farther than allowed "
           "(data/reference/anchors/)"]
    for a in far:
        out.append(f"  FAR {a['place']} {a['place_name']} → {a['anchor_name']}: "
                   f"{a['distance_m']:.0f} m, allowed {a['within_m']:g} m ({a['note']})")
    groups: dict[tuple[str, float], list[dict]] = {}
    for a in anchors:
        groups.setdefault((a["place"], a["within_m"]), []).append(a)
    for (place, within), items in groups.items():
        head = f"  {place} {items[0]['place_name']} (≤ {within:g} m):"
        text = head
        for a in items:
            piece = f" {a['anchor_name']} {a['distance_m']:.0f}"
            if len(text) + len(piece) > 100:
                out.append(text)
                text = " " * 6
            text += piece
        out.append(text)
    return out
