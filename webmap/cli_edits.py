"""`planmap edits export` and `planmap edits apply`: approved corrections to and from files.

`export` writes the database's approved corrections as a GeoJSON patch (layers.edits.patch);
`apply` merges a patch into the gazetteer files, so the corrections can be reviewed in a diff and
committed like any other change to data/.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from webmap.cli_db import _db_option, database, operator


def register(sub: argparse._SubParsersAction) -> None:
    e = sub.add_parser("edits", help="approved corrections to and from the data files",
                       description="Export approved corrections as a GeoJSON patch, or apply "
                       "a patch to data/gazetteer/.")
    esub = e.add_subparsers(dest="edits_command", metavar="ACTION", required=True)
    ex = esub.add_parser("export", help="write approved corrections as a GeoJSON patch",
                         description="Write every place whose approved state differs from the "
                         "data files, with who, when and why, as a GeoJSON patch.")
    ex.add_argument("-o", "--output", type=Path, metavar="PATH",
                    help="file to write (default: standard output)")
    _db_option(ex)
    ex.set_defaults(handler=_export)
    ap = esub.add_parser("apply", help="merge a patch into data/gazetteer/",
                         description="Merge a GeoJSON patch into the gazetteer files "
                         "(provenance appended to each entry's note).")
    ap.add_argument("patch", type=Path, metavar="PATCH", help="the patch file")
    ap.add_argument("--gazetteer", type=Path, metavar="DIR", default=None,
                    help="gazetteer folder (default: the data folder's gazetteer/)")
    ap.add_argument("--check", action="store_true",
                    help="only say which files would change (exit 1 if any)")
    ap.set_defaults(handler=_apply)


def _export(args: argparse.Namespace) -> int:
    from geo.gazetteer_files import write_text_atomic
    from layers.db import audit
    from layers.edits.patch import export_patch
    from layers.edits.service import Edits
    from layers.store import default_store

    db = database(args)
    patch = export_patch(Edits(db, default_store().gazetteer))
    text = json.dumps(patch, ensure_ascii=False, indent=1) + "\n"
    by = operator()
    with db.transaction() as session:
        audit.record(session, "export", user_id=None, username=by.username,
                     what="edits", places=len(patch["features"]),
                     output=str(args.output or "-"))
    if args.output:
        write_text_atomic(args.output, text)
        print(f"edits: wrote {len(patch['features'])} corrected places to {args.output}",
              file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def _apply(args: argparse.Namespace) -> int:
    from geo.paths import gazetteer_dir
    from layers.edits.patch import apply_patch, read_patch

    directory = args.gazetteer or gazetteer_dir()
    changed = apply_patch(read_patch(args.patch), directory, write=not args.check)
    verb = "would change" if args.check else "changed"
    print(f"edits: {verb} {len(changed)} file(s){': ' + ', '.join(changed) if changed else ''}",
          file=sys.stderr)
    return 1 if args.check and changed else 0
