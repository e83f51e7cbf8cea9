"""`planmap plans`, `planmap outline PLAN_ID`, `planmap cite PLAN_ID LINE`.

These let a planner check the reader against the printed plan from a terminal: what is in the
corpus, how each document is divided, and what a citation points at.
"""

from __future__ import annotations

import argparse
import json
import unicodedata

from geo.corpus import default_corpus
from geo.errors import BadRequest
from geo.reader import PlanDoc, Section, read_plan


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "plans",
        help="list the plan documents in the corpus",
        description="List the plan documents: id, year, paragraphs, characters of paragraph "
        "text, and title (in date order).",
    )
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(handler=run_plans)

    p = sub.add_parser(
        "outline",
        help="show a plan's section tree with paragraph counts",
        description="Show a plan's section tree, each heading with its line and the number of "
        "paragraphs under it. Headings the source lost are marked "
        "'(title missing in source)'.",
    )
    p.add_argument("plan_id", metavar="PLAN_ID", help="a plan id (see `planmap plans`)")
    p.add_argument("--leads", action="store_true",
                   help="also list lead-sentence sub-sections (short first sentences that act "
                   "as sub-headings)")
    p.add_argument("--json", action="store_true", help="print the tree as JSON")
    p.set_defaults(handler=run_outline)

    p = sub.add_parser(
        "cite",
        help="print the citation and text of the paragraph on one line",
        description="Print the citation of the paragraph on LINE of a plan, then its text.",
    )
    p.add_argument("plan_id", metavar="PLAN_ID", help="a plan id (see `planmap plans`)")
    p.add_argument("line", metavar="LINE", help="1-based line number in the plan's text file")
    p.add_argument("--json", action="store_true", help="print the paragraph as JSON")
    p.set_defaults(handler=run_cite)


def display_width(s: str) -> int:
    """Columns a terminal gives `s`: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def _pad(s: str, width: int, right: bool = False) -> str:
    fill = " " * max(0, width - display_width(s))
    return fill + s if right else s + fill


def _doc(plan_id: str) -> PlanDoc:
    # the corpus of the data directory in force (PLANMAP_DATA); NotFound names the known ids
    return read_plan(default_corpus().get(plan_id))


def plans_summary() -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for meta in default_corpus():
        doc = read_plan(meta)
        rows.append({
            "id": meta.id,
            "title": meta.title,
            "short_title": meta.short_title,
            "year": meta.year,
            "date": meta.date,
            "kind": meta.kind,
            "paragraphs": len(doc.paragraphs),
            "characters": doc.characters(),
            "file_characters": len(doc.text),
            "lines": doc.line_count,
        })
    return rows


def run_plans(args: argparse.Namespace) -> int:
    rows = plans_summary()
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    print_table(rows)
    return 0


def print_table(rows: list[dict[str, object]]) -> None:
    header = ["id", "year", "paragraphs", "characters", "title"]
    table = [[str(r[h]) for h in header] for r in rows]
    widths = [max(display_width(x) for x in col) for col in zip(header, *table, strict=False)]
    numeric = {1, 2, 3}
    for row in [header, *table]:
        cells = [_pad(c, w, right=i in numeric) for i, (c, w) in enumerate(zip(row, widths,
                                                                                 strict=True))]
        print("  ".join(cells).rstrip())


def outline_lines(doc: PlanDoc, leads: bool = False) -> list[str]:
    chapters = doc.chapters()
    head = f"{doc.meta.short_title} {doc.plan_id}: {len(doc.paragraphs)} paragraphs"
    if chapters:
        sections = sum(1 for c in chapters for s in c.children if s.kind == "section")
        head += f", {len(chapters)} chapters, {sections} sections"
    out = [head]
    for depth, node in doc.sections.walk():
        if node.kind == "lead" and not leads:
            continue  # lead sections are leaves: nothing below them is hidden with them
        out.append("  " * depth + _node_line(node))
    return out


def _node_line(node: Section) -> str:
    if node.missing:
        where = f"from l.{node.first_line}" if node.first_line else "empty"
        heading = node.heading
    else:
        where = f"l.{node.line}"
        heading = node.heading
        if node.kind == "table" and not node.title:
            heading = "表 (table)"
    count = node.paragraph_count
    unit = "paragraph" if count == 1 else "paragraphs"
    if node.kind == "table":
        unit = "cell" if count == 1 else "cells"
    return f"{heading}  ({count} {unit}, {where})"


def run_outline(args: argparse.Namespace) -> int:
    return show_outline(_doc(args.plan_id), args)


def show_outline(doc: PlanDoc, args: argparse.Namespace) -> int:
    if args.json:
        tree = {
            "plan_id": doc.plan_id,
            "title": doc.meta.title,
            "paragraphs": len(doc.paragraphs),
            "warnings": doc.warnings,
            "sections": [c.as_dict(leads=args.leads) for c in doc.sections.children],
            "own_paragraphs": [p.line for p in doc.sections.paragraphs],
        }
        print(json.dumps(tree, ensure_ascii=False, indent=2))
        return 0
    for line in outline_lines(doc, leads=args.leads):
        print(line)
    return 0


def parse_line(value: str) -> int:
    try:
        line = int(value)
    except ValueError:
        raise BadRequest(f"LINE must be a whole number, got {value!r}") from None
    if line < 1:
        raise BadRequest(f"LINE must be 1 or more (lines are counted from 1), got {line}")
    return line


def run_cite(args: argparse.Namespace) -> int:
    return show_cite(_doc(args.plan_id), args)


def show_cite(doc: PlanDoc, args: argparse.Namespace) -> int:
    p = doc.paragraph(parse_line(args.line))
    if args.json:
        print(json.dumps(p.as_dict(), ensure_ascii=False, indent=2))
        return 0
    print(p.citation)
    print(p.text)
    return 0
