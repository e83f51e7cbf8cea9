"""`planmap db`, `planmap users` and `planmap audit` on both backends: one-line errors, exit
statuses, and the audit log listed and exported as CSV and JSON with --since and --user."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from layers import accounts
from layers.db import audit
from webmap.cli import main


def run(capsys, *argv: str, stdin: str | None = None, monkeypatch=None) -> tuple[int, str, str]:
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_db_upgrade_and_status(tmp_path: Path, capsys) -> None:
    url = f"sqlite:///{tmp_path}/planmap.sqlite"
    assert run(capsys, "db", "status", "--database", url)[0] == 1
    status, _, err = run(capsys, "db", "upgrade", "--database", url)
    assert status == 0 and "migrated from empty to schema 0002_plans" in err
    assert "already at schema 0002_plans" in run(capsys, "db", "upgrade", "--database", url)[2]
    status, out, _ = run(capsys, "db", "status", "--database", url)
    assert status == 0 and "schema 0002_plans; code: 0002_plans" in out
    status, _, err = run(capsys, "db", "upgrade", "--database", "mysql://x/y")
    assert status == 2 and err.startswith("planmap: error: database URL")


def test_users_commands(db, capsys, monkeypatch) -> None:
    url = db.url.render_as_string(hide_password=False)
    status, _, err = run(capsys, "users", "add", "wang.li", "--role", "editor",
                         "--display-name", "王丽", "--password-stdin", "--database", url,
                         stdin="a-long-password\n", monkeypatch=monkeypatch)
    assert status == 0 and "added wang.li (editor)" in err
    assert accounts.authenticate(db, "wang.li", "a-long-password").role == "editor"
    assert run(capsys, "users", "add", "wang.li", "--role", "editor", "--password-stdin",
               "--database", url, stdin="another-password\n", monkeypatch=monkeypatch)[0] == 2
    assert run(capsys, "users", "add", "x", "--role", "editor", "--password-stdin",
               "--database", url, stdin="short\n", monkeypatch=monkeypatch)[0] == 2
    assert run(capsys, "users", "set-role", "wang.li", "reviewer", "--database", url)[0] == 0
    assert run(capsys, "users", "set-role", "wang.li", "boss", "--database", url)[0] == 2
    assert run(capsys, "users", "set-role", "nobody", "viewer", "--database", url)[0] == 2
    status, out, _ = run(capsys, "users", "token", "wang.li", "--name", "QGIS", "--days", "30",
                         "--database", url)
    assert status == 0 and out.startswith("pm_")
    assert accounts.token_actor(db, out.strip()).username == "wang.li"
    assert run(capsys, "users", "disable", "wang.li", "--database", url)[0] == 0
    with pytest.raises(accounts.Unauthorized):
        accounts.token_actor(db, out.strip())
    with pytest.raises(accounts.Unauthorized):
        accounts.authenticate(db, "wang.li", "a-long-password")
    assert run(capsys, "users", "enable", "wang.li", "--database", url)[0] == 0
    assert run(capsys, "users", "password", "wang.li", "--password-stdin", "--database", url,
               stdin="a-new-password\n", monkeypatch=monkeypatch)[0] == 0
    assert accounts.authenticate(db, "wang.li", "a-new-password").role == "reviewer"
    status, out, _ = run(capsys, "users", "list", "--format", "json", "--database", url)
    listed = {u["username"]: u for u in json.loads(out)}
    assert listed["wang.li"]["role"] == "reviewer" and listed["wang.li"]["display_name"] == "王丽"
    assert "$argon2id$" not in out
    with db.reader() as session:
        from sqlalchemy import text

        stored = session.execute(text(
            "SELECT password_hash FROM users WHERE username = 'wang.li'")).scalar()
    assert stored.startswith("$argon2id$")


def test_audit_lists_and_exports(db, capsys, tmp_path: Path) -> None:
    url = db.url.render_as_string(hide_password=False)
    accounts.authenticate(db, "viewer", "viewer-pass-1", client="198.51.100.4")
    with pytest.raises(accounts.Unauthorized):
        accounts.authenticate(db, "viewer", "wrong", client="198.51.100.5")
    status, out, _ = run(capsys, "audit", "--user", "viewer", "--database", url)
    lines = out.splitlines()
    assert status == 0 and len(lines) == 2
    assert "login " in lines[0] and "198.51.100.4" in lines[0] and "login_failed" in lines[1]
    target = tmp_path / "audit.csv"
    assert run(capsys, "audit", "--format", "csv", "-o", str(target), "--since", "2000-01-01",
               "--database", url)[0] == 0
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert [r["action"] for r in rows][:5] == ["user_add"] * 5  # the five test accounts
    assert rows[-1]["action"] == "login_failed" and rows[-1]["client"] == "198.51.100.5"
    status, out, _ = run(capsys, "audit", "--format", "json", "--action", "login",
                         "--database", url)
    assert [e["username"] for e in json.loads(out)] == ["viewer"]
    assert json.loads(run(capsys, "audit", "--format", "json", "--since", "2999-01-01",
                          "--database", url)[1]) == []
    assert run(capsys, "audit", "--since", "yesterday", "--database", url)[0] == 2


def test_csv_export_defuses_formulas() -> None:
    text = audit.to_csv([{"id": 1, "at": "2026-12-06T00:00:00+00:00", "action": "login_failed",
                          "username": "=HYPERLINK(\"x\")", "client": "", "revision_id": None,
                          "place_id": None, "detail": {}}])
    assert "'=HYPERLINK" in text
