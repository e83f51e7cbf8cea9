"""`planmap plans add|withdraw|restore|added|names|dismiss`: new documents from the command line.

`planmap plans add FILE` reads a PDF, .docx, .html or text file, fills in what the options do not
give from the document itself, and stores it in the database the service uses (DATABASE_URL, or
`--database`), approved at once: the person at the command line is the operator, an admin, and
is recorded in the audit log as `cli:<login>` proposing and approving it. `--dry-run` shows the
outline, citations, places and unknown names without storing anything. Uploads from the browser
are proposals a reviewer approves.

The plan commands of geo.cli_plans (`planmap plans`, `outline`, `cite`) are given the plans in
the database too: a plan id the data files do not hold is looked up there.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from geo import cli_plans
from geo.errors import BadRequest, NotFound
from webmap.cli_db import _db_option, database, operator

FIELD_OPTIONS = (("--title", "title", "full title (default: read from the document)"),
                 ("--short-title", "short_title", "title as citations show it (default: "
                  "《title》)"),
                 ("--issuer", "issuer", "issuing body (default: read from the document)"),
                 ("--date", "date", "YYYY, YYYY-MM or YYYY-MM-DD (default: read from the "
                  "document)"),
                 ("--kind", "kind", "plan, report or article (default: from the title)"),
                 ("--lang", "language", "language tag (default: zh-CN, or en for English text)"),
                 ("--id", "id", "plan id: lower-case letters, digits and '-' (default: "
                  "haidian-YEAR-CHECKSUM)"),
                 ("--title-en", "title_en", "English title"),
                 ("--issuer-en", "issuer_en", "English name of the issuer"),
                 ("--period", "period", "the period the plan covers, e.g. 2021-2035"))


def register(sub: argparse._SubParsersAction) -> None:
    plans = sub.choices["plans"]
    plans.add_argument("--database", metavar="URL", default=None,
                       help="also list the plans added to this database (default: the "
                       "DATABASE_URL setting, when its database exists)")
    plans.set_defaults(handler=_list)
    psub = plans.add_subparsers(dest="plans_action", metavar="ACTION", required=False)
    add = psub.add_parser(
        "add", help="add a document (PDF, .docx, .html, text) as a plan",
        description="Read FILE (PDF with a text layer, Word .docx, saved web page, or text in "
        "UTF-8 or GBK), take the metadata the options do not give from the document, and "
        "store it as an approved plan in the database (the command line acts as an admin).")
    add.add_argument("file", type=Path, metavar="FILE", help="the document")
    for flag, dest, text in FIELD_OPTIONS:
        add.add_argument(flag, dest=dest, metavar="TEXT", default=None, help=text)
    add.add_argument("--dry-run", action="store_true",
                     help="show the outline, citations, places and unknown names; store nothing")
    add.add_argument("--json", action="store_true", help="print the result as JSON")
    _db_option(add)
    add.set_defaults(handler=_add)
    for action, verb in (("withdraw", "take an added plan out of the atlas (kept, restorable)"),
                         ("restore", "put a withdrawn plan back")):
        p = psub.add_parser(action, help=verb, description=verb[0].upper() + verb[1:] + "; "
                            "the audit log records who, when and why.")
        p.add_argument("plan_id", metavar="PLAN_ID", help="an added plan's id")
        p.add_argument("--reason", required=True, metavar="TEXT", help="why (required)")
        _db_option(p)
        p.set_defaults(handler=_withdraw if action == "withdraw" else _restore)
    listed = psub.add_parser("added", help="list the plans added to the database",
                             description="List the plans added to the database with their "
                             "status, newest first.")
    listed.add_argument("--status", default=None, metavar="STATUS",
                        help="proposed, approved, rejected, withdrawn or live")
    listed.add_argument("--json", action="store_true", help="print JSON")
    _db_option(listed)
    listed.set_defaults(handler=_added)
    for name in ("outline", "cite"):
        parser = sub.choices[name]
        parser.add_argument("--database", metavar="URL", default=None,
                            help="the database holding added plans (default: DATABASE_URL)")
    sub.choices["outline"].set_defaults(handler=_outline)
    sub.choices["cite"].set_defaults(handler=_cite)


def _existing_database(args: argparse.Namespace) -> Any:
    """The service's database when it exists (an embedded file not yet created is none)."""
    from flask import Flask

    from webmap.config import load_settings
    from webmap.sources import database_url, embedded

    instance = Flask("webmap.app").instance_path
    url = args.database or database_url(load_settings(), instance)
    if url is None:
        return None
    if not args.database and embedded(url, instance) and \
            not Path(instance, "planmap.sqlite").is_file():
        return None
    return database(args)


def _intake(args: argparse.Namespace) -> Any:
    from layers.db import migrate
    from layers.db.plans import PlanIntake
    from layers.store import default_store

    db = database(args)
    if not migrate.is_current(db):
        raise BadRequest(f"database {db.display_url} is at schema {migrate.current(db)}, the "
                         f"code needs {migrate.head()}: run `planmap db upgrade` first")
    return PlanIntake(db, set(default_store().corpus.plans))


def _fields(args: argparse.Namespace) -> dict[str, str]:
    return {dest: getattr(args, dest) for _, dest, _ in FIELD_OPTIONS
            if getattr(args, dest) is not None}


def _add(args: argparse.Namespace) -> int:
    from geo.intake import plan_meta, preview, read_upload
    from layers.store import default_store

    try:
        data = args.file.read_bytes()
    except OSError as error:
        raise BadRequest(f"{args.file}: cannot be read ({error.strerror})") from None
    upload = read_upload(data, args.file.name)
    fields = _fields(args)
    if args.dry_run:
        store = default_store()
        shown = preview(upload, plan_meta(upload, fields), store.gazetteer, store.rules)
        if args.json:
            print(json.dumps(shown, ensure_ascii=False, indent=1))
        else:
            _print_preview(shown)
        return 0
    stored = _intake(args).propose(operator(), upload, fields, approve=True)
    if args.json:
        print(json.dumps(stored, ensure_ascii=False, indent=1))
    else:
        print(f"added plan {stored['id']} ({stored['source']}, {stored['date']}): "
              f"{stored['title']}; SHA-256 {stored['checksum']}")
    return 0


def _print_preview(shown: dict[str, Any]) -> None:
    meta = shown["meta"]
    print(f"{meta['id']}: {meta['title']} ({meta['issuer']}, {meta['date']}, {meta['kind']})")
    pages = f", {shown['pages']} pages" if shown["pages"] else ""
    print(f"{shown['source']}{pages}: {shown['paragraphs']} paragraphs, "
          f"{shown['mentions']} place mentions of {len(shown['places'])} places, "
          f"{shown['unknown_total']} unknown names")
    for warning in shown["warnings"]:
        print(f"warning: {warning}")

    def walk(nodes: list[dict[str, Any]], depth: int) -> None:
        for n in nodes:
            where = f"p.{n['page']}" if n["page"] else f"l.{n['line']}"
            unit = "paragraph" if n["paragraphs"] == 1 else "paragraphs"
            print(f"{'  ' * depth}{n['heading']}  ({n['paragraphs']} {unit}, {where})")
            walk(n["children"], depth + 1)

    walk(shown["outline"], 0)
    for c in shown["citations"]:
        print(f"cite: {c['citation']}")
    for u in shown["unknown"][:10]:
        print(f"unknown: {u['text']} ×{u['count']} (score {u['score']})")


def _withdraw(args: argparse.Namespace) -> int:
    row = _intake(args).set_withdrawn(operator(), args.plan_id, True, args.reason)
    print(f"withdrew plan {row['id']}: {row['title']}")
    return 0


def _restore(args: argparse.Namespace) -> int:
    row = _intake(args).set_withdrawn(operator(), args.plan_id, False, args.reason)
    print(f"restored plan {row['id']}: {row['title']}")
    return 0


def _added(args: argparse.Namespace) -> int:
    rows = _intake(args).plans(args.status)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return 0
    for r in rows:
        state = "withdrawn" if r["withdrawn"] else r["status"]
        print(f"{r['id']}  {state}  {r['date']}  {r['source']}  {r['title']}")
    return 0


def _database_plans(args: argparse.Namespace) -> list[Any]:
    from layers.db import migrate
    from layers.db.plans import PlanIntake

    db = _existing_database(args)
    if db is None or not migrate.is_current(db):
        return []
    with db.reader() as session:
        return PlanIntake(db, set()).live(session)


def _list(args: argparse.Namespace) -> int:
    extra = _database_plans(args)
    if not extra:
        return cli_plans.run_plans(args)
    from geo.reader import read_plan

    rows = cli_plans.plans_summary()
    for meta in extra:
        doc = read_plan(meta)
        rows.append({"id": meta.id, "title": meta.title, "short_title": meta.short_title,
                     "year": meta.year, "date": meta.date, "kind": meta.kind,
                     "paragraphs": len(doc.paragraphs), "characters": doc.characters(),
                     "file_characters": len(doc.text), "lines": doc.line_count,
                     "source": meta.extra.get("source")})
    rows.sort(key=lambda r: (str(r["date"]), str(r["id"])))
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    cli_plans.print_table(rows)
    return 0


def _doc(args: argparse.Namespace) -> Any:
    from geo.reader import read_plan
    from layers.store import default_store

    corpus = default_store().corpus
    if args.plan_id in corpus.plans:
        return None
    for meta in _database_plans(args):
        if meta.id == args.plan_id:
            return read_plan(meta)
    corpus.get(args.plan_id)  # NotFound naming the known ids
    raise NotFound(f"unknown plan id {args.plan_id!r}")


def _outline(args: argparse.Namespace) -> int:
    doc = _doc(args)
    if doc is None:
        return cli_plans.run_outline(args)
    return cli_plans.show_outline(doc, args)


def _cite(args: argparse.Namespace) -> int:
    doc = _doc(args)
    if doc is None:
        return cli_plans.run_cite(args)
    return cli_plans.show_cite(doc, args)

