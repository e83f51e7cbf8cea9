"""Local accounts, roles and API tokens, without any web framework.

Roles are ordered: a viewer reads (where reading needs an account at all), an editor proposes
corrections, a reviewer also approves and rejects them, an admin also manages accounts. Passwords
are hashed with Argon2id (argon2-cffi's defaults, rehashed when those change); an unknown user
costs the same time as a wrong password. API tokens are random 256-bit secrets shown once; only
their SHA-256 is stored (a slow hash adds nothing to a secret that cannot be guessed), so a copy
of the database gives no usable token.

Every change to an account is written to the audit log in the same transaction.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from geo.errors import BadRequest, NotFound
from layers.db import audit
from layers.db.engine import Database
from layers.db.errors import Forbidden, Unauthorized
from layers.db.models import ApiToken, User

ROLES = ("viewer", "editor", "reviewer", "admin")
USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
MIN_PASSWORD = 8
TOKEN_PREFIX = "pm_"
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("planmap: no such user")


@dataclass(frozen=True)
class Actor:
    """Who is acting: a signed-in user, a token's owner, or the operator at the command line
    (id None). `epoch` ties a session to the account's state when it was signed."""

    id: int | None
    username: str
    role: str
    display_name: str = ""
    epoch: int = 0

    def at_least(self, role: str) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)

    def require(self, role: str, action: str) -> None:
        if not self.at_least(role):
            raise Forbidden(f"{action} needs the {role} role; {self.username} is a {self.role}")

    def as_dict(self) -> dict[str, Any]:
        return {"username": self.username, "role": self.role,
                "display_name": self.display_name or self.username}


def operator(name: str) -> Actor:
    """The person at the command line: acts with every right, recorded as `cli:<name>`."""
    return Actor(None, f"cli:{name}", "admin")


def check_role(role: str) -> str:
    if role not in ROLES:
        raise BadRequest(f"unknown role {role!r} (one of {', '.join(ROLES)})")
    return role


def _actor(user: User) -> Actor:
    return Actor(user.id, user.username, user.role, user.display_name, user.session_epoch)


def _user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"no user {username!r}")
    return user


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise BadRequest(f"a password needs at least {MIN_PASSWORD} characters")


def add_user(db: Database, username: str, password: str, role: str, by: Actor,
             display_name: str = "", client: str | None = None) -> Actor:
    by.require("admin", "adding a user")
    if not USERNAME.fullmatch(username):
        raise BadRequest(f"user name {username!r}: letters, digits, '.', '_' or '-', at most 64")
    check_role(role)
    _check_password(password)
    with db.transaction() as session:
        if session.scalar(select(User.id).where(User.username == username)) is not None:
            raise BadRequest(f"user {username!r} exists already")
        user = User(username=username, display_name=display_name, role=role,
                    password_hash=_hasher.hash(password), disabled=False, session_epoch=0,
                    created_at=datetime.now(UTC))
        session.add(user)
        session.flush()
        audit.record(session, "user_add", user_id=by.id, username=by.username, client=client,
                     target=username, role=role)
        return _actor(user)


def set_role(db: Database, username: str, role: str, by: Actor,
             client: str | None = None) -> Actor:
    by.require("admin", "changing a role")
    check_role(role)
    with db.transaction() as session:
        user = _user(session, username)
        before = user.role
        user.role = role
        user.session_epoch += 1
        audit.record(session, "role_change", user_id=by.id, username=by.username,
                     client=client, target=username, before=before, after=role)
        return _actor(user)


def set_disabled(db: Database, username: str, disabled: bool, by: Actor,
                 client: str | None = None) -> None:
    """Disable (or enable again) an account: its sessions and tokens stop working at once."""
    by.require("admin", "disabling a user")
    with db.transaction() as session:
        user = _user(session, username)
        user.disabled = disabled
        user.session_epoch += 1
        audit.record(session, "user_disable" if disabled else "user_enable", user_id=by.id,
                     username=by.username, client=client, target=username)


def set_password(db: Database, username: str, password: str, by: Actor,
                 client: str | None = None) -> None:
    if by.username != username:
        by.require("admin", "setting another user's password")
    _check_password(password)
    with db.transaction() as session:
        user = _user(session, username)
        user.password_hash = _hasher.hash(password)
        user.session_epoch += 1
        audit.record(session, "password_change", user_id=by.id, username=by.username,
                     client=client, target=username)


def list_users(db: Database) -> list[dict[str, Any]]:
    with db.reader() as session:
        users = session.scalars(select(User).order_by(User.username)).all()
        return [{"username": u.username, "display_name": u.display_name, "role": u.role,
                 "disabled": u.disabled, "created_at": u.created_at.isoformat(timespec="seconds")}
                for u in users]


def authenticate(db: Database, username: str, password: str,
                 client: str | None = None) -> Actor:
    """The user a name and password belong to; every attempt is in the audit log."""
    with db.transaction() as session:
        user = session.scalar(select(User).where(User.username == username))
        ok = False
        try:
            ok = _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            ok = False
        if not ok or user is None or user.disabled:
            audit.record(session, "login_failed", user_id=user.id if user else None,
                         username=username, client=client,
                         reason="disabled" if ok and user is not None else "bad credentials")
            failed = True
        else:
            if _hasher.check_needs_rehash(user.password_hash):
                user.password_hash = _hasher.hash(password)
            audit.record(session, "login", user_id=user.id, username=user.username,
                         client=client)
            failed = False
    if failed or user is None:
        raise Unauthorized("unknown user name or wrong password")
    return _actor(user)


def session_actor(db: Database, user_id: int, epoch: int) -> Actor | None:
    """The user a session cookie names, if the account is still as it was when signed in."""
    with db.reader() as session:
        user = session.get(User, user_id)
        if user is None or user.disabled or user.session_epoch != epoch:
            return None
        return _actor(user)


def get_actor(db: Database, username: str) -> Actor:
    """An account as an actor, without its password: for the operator's commands that act in
    a user's name (issuing their token) and for tests."""
    with db.reader() as session:
        return _actor(_user(session, username))


def record_logout(db: Database, actor: Actor, client: str | None = None) -> None:
    with db.transaction() as session:
        audit.record(session, "logout", user_id=actor.id, username=actor.username,
                     client=client)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(db: Database, owner: str, name: str, by: Actor, days: int | None = 365,
                client: str | None = None) -> tuple[str, dict[str, Any]]:
    """A new token for `owner` (one's own, or anyone's for an admin): (secret, its record).
    The secret is returned once and never stored."""
    if by.username != owner:
        by.require("admin", "issuing a token for another user")
    if not name.strip() or len(name) > 100:
        raise BadRequest("a token needs a name (at most 100 characters) saying what uses it")
    if days is not None and not 1 <= days <= 3650:
        raise BadRequest("a token lasts between 1 and 3650 days")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    with db.transaction() as session:
        user = _user(session, owner)
        token = ApiToken(user_id=user.id, name=name.strip(), digest=_digest(secret),
                         hint=secret[:9], created_at=now,
                         expires_at=now + timedelta(days=days) if days else None)
        session.add(token)
        session.flush()
        audit.record(session, "token_issue", user_id=by.id, username=by.username,
                     client=client, owner=owner, token_id=token.id, name=token.name)
        return secret, _token_dict(token, owner)


def _token_dict(token: ApiToken, owner: str) -> dict[str, Any]:
    def iso(when: datetime | None) -> str | None:
        return when.isoformat(timespec="seconds") if when else None

    return {"id": token.id, "owner": owner, "name": token.name, "hint": token.hint,
            "created_at": iso(token.created_at), "expires_at": iso(token.expires_at),
            "revoked_at": iso(token.revoked_at)}


def token_actor(db: Database, secret: str) -> Actor:
    """The user a Bearer token acts for; unknown, revoked or expired tokens and disabled
    accounts are refused alike."""
    with db.reader() as session:
        row = session.execute(
            select(ApiToken, User).join(User, ApiToken.user_id == User.id)
            .where(ApiToken.digest == _digest(secret))).first()
    if row is None:
        raise Unauthorized("unknown API token")
    token, user = row
    expires = token.expires_at
    if expires is not None and expires.tzinfo is None:
        expires = expires.replace(tzinfo=UTC)
    if token.revoked_at is not None or user.disabled or (
            expires is not None and expires < datetime.now(UTC)):
        raise Unauthorized("API token revoked or expired, or its account disabled")
    return _actor(user)


def list_tokens(db: Database, owner: str) -> list[dict[str, Any]]:
    with db.reader() as session:
        user = _user(session, owner)
        tokens = session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                 .order_by(ApiToken.id)).all()
        return [_token_dict(t, owner) for t in tokens]


def revoke_token(db: Database, token_id: int, by: Actor, client: str | None = None) -> None:
    with db.transaction() as session:
        token = session.get(ApiToken, token_id)
        owner = session.get(User, token.user_id) if token else None
        if token is None or owner is None or (owner.username != by.username
                                              and not by.at_least("admin")):
            raise NotFound(f"no token {token_id} of yours")
        if token.revoked_at is None:
            token.revoked_at = datetime.now(UTC)
        audit.record(session, "token_revoke", user_id=by.id, username=by.username,
                     client=client, owner=owner.username, token_id=token_id)
