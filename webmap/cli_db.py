"""`planmap db`, `planmap users` and `planmap audit`: the database from the command line.

Each command opens the database the service would use (DATABASE_URL, PLANMAP_DATABASE_URL or
PLANMAP_CONFIG, else the embedded file in the instance folder), or the one `--database` names.
The person at the command line acts as the operator, recorded in the audit log as `cli:<login>`.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from pathlib import Path

from geo.errors import BadRequest

OUTPUT_FORMATS = ("text", "csv", "json")


def database(args: argparse.Namespace):  # -> layers.db.engine.Database
    from flask import Flask

    from layers.db.engine import Database
    from webmap.config import load_settings
    from webmap.sources import database_url

    url = args.database or database_url(load_settings(), Flask("webmap.app").instance_path)
    if url is None:
        raise BadRequest("no database: DATABASE_URL is none (give --database URL)")
    return Database(url)


def operator():  # -> layers.accounts.Actor
    from layers.accounts import operator as make

    try:
        login = os.getlogin()
    except OSError:
        login = getpass.getuser()
    return make(login)


def _db_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--database", metavar="URL", default=None,
                   help="SQLAlchemy URL of the database (default: the DATABASE_URL setting)")


def register(sub: argparse._SubParsersAction) -> None:
    d = sub.add_parser("db", help="create or migrate the database",
                       description="Create or migrate the database of accounts, corrections "
                       "and the audit log.")
    dsub = d.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    up = dsub.add_parser("upgrade", help="migrate to the newest schema (creates the database)",
                         description="Migrate the database to the newest schema.")
    _db_option(up)
    up.set_defaults(handler=_upgrade)
    st = dsub.add_parser("status", help="the schema revision of the database and the code",
                         description="Show the database's schema revision and the code's.")
    _db_option(st)
    st.set_defaults(handler=_status)

    u = sub.add_parser("users", help="accounts and their roles",
                       description="Add, list and manage accounts (viewer, editor, reviewer, "
                       "admin).")
    usub = u.add_subparsers(dest="users_command", metavar="ACTION", required=True)
    add = usub.add_parser("add", help="add an account", description="Add an account.")
    add.add_argument("username", metavar="NAME")
    add.add_argument("--role", required=True, help="viewer, editor, reviewer or admin")
    add.add_argument("--display-name", default="", help="the name shown beside its work")
    add.add_argument("--password-stdin", action="store_true",
                     help="read the password from the first line of standard input")
    add.set_defaults(handler=_add)
    role = usub.add_parser("set-role", help="change an account's role",
                           description="Change an account's role.")
    role.add_argument("username", metavar="NAME")
    role.add_argument("role", metavar="ROLE", help="viewer, editor, reviewer or admin")
    role.set_defaults(handler=_set_role)
    for name, verb in (("disable", "disable"), ("enable", "enable again")):
        p = usub.add_parser(name, help=f"{verb} an account", description=f"{verb.capitalize()} "
                            "an account (its sessions and tokens stop or start working).")
        p.add_argument("username", metavar="NAME")
        p.set_defaults(handler=_disable if name == "disable" else _enable)
    pw = usub.add_parser("password", help="set an account's password",
                         description="Set an account's password.")
    pw.add_argument("username", metavar="NAME")
    pw.add_argument("--password-stdin", action="store_true",
                    help="read the password from the first line of standard input")
    pw.set_defaults(handler=_password)
    tok = usub.add_parser("token", help="issue an API token for an account",
                          description="Issue an API token (printed once) for an account.")
    tok.add_argument("username", metavar="NAME")
    tok.add_argument("--name", required=True, help="what will use it, e.g. 'QGIS in room 3'")
    tok.add_argument("--days", type=int, default=365, help="lifetime in days (default 365)")
    tok.set_defaults(handler=_token)
    ls = usub.add_parser("list", help="list accounts", description="List the accounts.")
    ls.add_argument("--format", choices=("text", "json"), default="text",
                    help="text (default) or json")
    ls.set_defaults(handler=_list)
    for p in (add, role, *usub.choices.values()):
        if not any(a.dest == "database" for a in p._actions):
            _db_option(p)

    a = sub.add_parser("audit", help="list or export the audit log",
                       description="List or export the audit log (oldest first).")
    a.add_argument("--since", metavar="DATE", help="entries from this ISO date or time on")
    a.add_argument("--user", metavar="NAME", help="only this user's entries")
    a.add_argument("--action", metavar="ACTION", help="only this action (login, approve, …)")
    a.add_argument("--format", choices=OUTPUT_FORMATS, default="text",
                   help="text (default), csv or json")
    a.add_argument("-o", "--output", type=Path, metavar="PATH", help="write to a file")
    _db_option(a)
    a.set_defaults(handler=_audit)


def _upgrade(args: argparse.Namespace) -> int:
    from layers.db import migrate

    db = database(args)
    before, after = migrate.upgrade(db)
    state = "already at" if before == after else f"migrated from {before or 'empty'} to"
    print(f"db: {db.display_url} {state} schema {after}", file=sys.stderr)
    return 0


def _status(args: argparse.Namespace) -> int:
    from layers.db import migrate

    db = database(args)
    current, head = migrate.current(db), migrate.head()
    print(f"database {db.display_url}: schema {current or 'none'}; code: {head}"
          + ("" if current == head else " (run `planmap db upgrade`)"))
    return 0 if current == head else 1


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise BadRequest("the two passwords differ")
    return first


def _add(args: argparse.Namespace) -> int:
    from layers import accounts

    actor = accounts.add_user(database(args), args.username, _read_password(args), args.role,
                              operator(), args.display_name)
    print(f"users: added {actor.username} ({actor.role})", file=sys.stderr)
    return 0


def _set_role(args: argparse.Namespace) -> int:
    from layers import accounts

    actor = accounts.set_role(database(args), args.username, args.role, operator())
    print(f"users: {actor.username} is now {actor.role}", file=sys.stderr)
    return 0


def _disable(args: argparse.Namespace) -> int:
    from layers import accounts

    accounts.set_disabled(database(args), args.username, True, operator())
    print(f"users: {args.username} disabled", file=sys.stderr)
    return 0


def _enable(args: argparse.Namespace) -> int:
    from layers import accounts

    accounts.set_disabled(database(args), args.username, False, operator())
    print(f"users: {args.username} enabled", file=sys.stderr)
    return 0


def _password(args: argparse.Namespace) -> int:
    from layers import accounts

    accounts.set_password(database(args), args.username, _read_password(args), operator())
    print(f"users: password of {args.username} set", file=sys.stderr)
    return 0


def _token(args: argparse.Namespace) -> int:
    from layers import accounts

    secret, record = accounts.issue_token(database(args), args.username, args.name, operator(),
                                          days=args.days)
    print(secret)
    print(f"users: token {record['id']} for {args.username}, expires {record['expires_at']}; "
          "it is shown only now", file=sys.stderr)
    return 0


def _list(args: argparse.Namespace) -> int:
    from layers import accounts

    users = accounts.list_users(database(args))
    if args.format == "json":
        print(json.dumps(users, ensure_ascii=False, indent=1))
        return 0
    for u in users:
        print(f"{u['username']}\t{u['role']}\t{'disabled' if u['disabled'] else 'active'}\t"
              f"{u['display_name']}")
    return 0


def _audit(args: argparse.Namespace) -> int:
    from geo.gazetteer_files import write_text_atomic
    from layers.db import audit

    since = audit.parse_since(args.since) if args.since else None
    rows = audit.entries(database(args), since=since, user=args.user, action=args.action)
    if args.format == "csv":
        text = audit.to_csv(rows)
    elif args.format == "json":
        text = audit.to_json(rows)
    else:
        text = "".join(
            f"{r['at']}  {r['action']:<14} {r['username'] or '-':<16} {r['client'] or '-':<15} "
            f"{r['place_id'] or ''}{'#' + str(r['revision_id']) if r['revision_id'] else ''}"
            f"{'  ' + json.dumps(r['detail'], ensure_ascii=False) if r['detail'] else ''}\n"
            for r in rows)
    if args.output:
        write_text_atomic(args.output, text)
        print(f"audit: wrote {len(rows)} entries to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
