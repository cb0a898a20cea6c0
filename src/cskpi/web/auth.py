"""Accounts, passwords, API tokens, signed session cookies and login rate limiting.

Library code over a store (no FastAPI here): the CLI's `cskpi user` commands and the web app
share it. Passwords are hashed with argon2id; API tokens are random and kept only as SHA-256;
the session cookie is signed with a secret kept in the store (web_settings), so restarting the
server keeps everyone logged in and a copied cookie cannot be forged.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, URLSafeTimedSerializer

from cskpi.store.base import Store

ROLES = ("admin", "hr", "supervisor", "agent")
SESSION_MAX_AGE = 12 * 3600
# Rate limit: this many failed logins for one user name or one address in the window lock
# further attempts until the window has passed.
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
TOKEN_PREFIX = "cskpi_"

_hasher = PasswordHasher()


class AuthError(ValueError):
    """A user-management problem; `code` is a message id of the web catalog."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class User:
    username: str
    role: str
    groups: tuple[str, ...] = ()
    agent_id: str | None = None
    display_name: str | None = None
    via_token: bool = field(default=False, compare=False)

    def to_dict(self) -> dict[str, object]:
        return {
            "username": self.username,
            "role": self.role,
            "groups": list(self.groups),
            "agent_id": self.agent_id,
            "display_name": self.display_name,
        }


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _row_user(row: tuple) -> User:  # type: ignore[type-arg]
    username, role, groups, agent_id, display_name = row
    return User(username, role, tuple(json.loads(groups or "[]")), agent_id, display_name)


_USER_COLUMNS = "username, role, groups, agent_id, display_name"


def get_user(store: Store, username: str) -> User | None:
    rows = store.fetchall(
        f"SELECT {_USER_COLUMNS} FROM web_users WHERE username = ? AND NOT disabled", (username,)
    )
    return _row_user(rows[0]) if rows else None


def list_users(store: Store) -> list[User]:
    rows = store.fetchall(
        f"SELECT {_USER_COLUMNS} FROM web_users WHERE NOT disabled ORDER BY username"
    )
    return [_row_user(r) for r in rows]


def has_admin(store: Store) -> bool:
    return bool(
        store.fetchall("SELECT 1 FROM web_users WHERE role = 'admin' AND NOT disabled LIMIT 1")
    )


def add_user(
    store: Store,
    username: str,
    password: str,
    role: str,
    groups: list[str] | None = None,
    agent_id: str | None = None,
    display_name: str | None = None,
) -> User:
    """Create (or replace) an account. An agent account is tied to an agent_id (default: the
    user name); a supervisor to one or more groups."""
    username = username.strip()
    if not username or any(c.isspace() for c in username):
        raise AuthError("web.user.bad_name", name=username)
    if role not in ROLES:
        raise AuthError("web.user.bad_role", role=role, allowed=", ".join(ROLES))
    if len(password) < 8:
        raise AuthError("web.user.short_password")
    groups = [g for g in (groups or []) if g]
    if role == "supervisor" and not groups:
        raise AuthError("web.user.needs_group")
    if role == "agent":
        agent_id = agent_id or username
    with store.transaction():
        store.execute("DELETE FROM web_users WHERE username = ?", (username,))
        store.execute(
            "INSERT INTO web_users (username, password_hash, role, groups, agent_id, "
            "display_name, created_at, disabled) VALUES (?, ?, ?, ?, ?, ?, ?, FALSE)",
            (
                username,
                hash_password(password),
                role,
                json.dumps(groups, ensure_ascii=False),
                agent_id if role == "agent" else None,
                display_name,
                _now(),
            ),
        )
    return User(username, role, tuple(groups), agent_id if role == "agent" else None, display_name)


def remove_user(store: Store, username: str) -> bool:
    with store.transaction():
        store.execute("DELETE FROM web_tokens WHERE username = ?", (username,))
        return store.execute("DELETE FROM web_users WHERE username = ?", (username,)) != 0


# --- login ------------------------------------------------------------------------------------


def too_many_failures(store: Store, username: str, ip: str) -> bool:
    since = _now() - FAILURE_WINDOW
    (by_user,) = store.fetchall(
        "SELECT COUNT(*) FROM web_login_attempts WHERE username = ? AND NOT ok "
        "AND attempted_at > ?",
        (username, since),
    )[0]
    (by_ip,) = store.fetchall(
        "SELECT COUNT(*) FROM web_login_attempts WHERE ip = ? AND NOT ok AND attempted_at > ?",
        (ip, since),
    )[0]
    return int(by_user) >= MAX_FAILURES or int(by_ip) >= MAX_FAILURES * 4


def authenticate(store: Store, username: str, password: str, ip: str) -> User | None:
    """The user when the password fits; every attempt is logged for the rate limit. Raises
    AuthError("web.login.locked") when the limit is reached (checked before the password, so
    a locked account cannot be probed)."""
    if too_many_failures(store, username, ip):
        raise AuthError("web.login.locked", minutes=int(FAILURE_WINDOW.total_seconds() // 60))
    rows = store.fetchall(
        "SELECT password_hash FROM web_users WHERE username = ? AND NOT disabled", (username,)
    )
    ok = False
    if rows:
        try:
            ok = _hasher.verify(rows[0][0], password)
        except (VerificationError, InvalidHashError):
            ok = False
    else:
        _hasher.hash(password)  # same cost for unknown names: no user enumeration by timing
    store.execute(
        "INSERT INTO web_login_attempts (username, ip, attempted_at, ok) VALUES (?, ?, ?, ?)",
        (username, ip, _now(), ok),
    )
    return get_user(store, username) if ok else None


# --- signed session cookies -------------------------------------------------------------------


def secret_key(store: Store) -> str:
    rows = store.fetchall('SELECT "value" FROM web_settings WHERE "key" = \'secret\'')
    if rows:
        return str(rows[0][0])
    key = secrets.token_urlsafe(48)
    store.execute('INSERT INTO web_settings ("key", "value") VALUES (\'secret\', ?)', (key,))
    return key


def cookie_serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="cskpi-session")


def make_cookie(serializer: URLSafeTimedSerializer, user: User) -> str:
    return serializer.dumps({"u": user.username})


def read_cookie(serializer: URLSafeTimedSerializer, value: str) -> str | None:
    try:
        data = serializer.loads(value, max_age=SESSION_MAX_AGE)
    except BadSignature:
        return None
    return data.get("u") if isinstance(data, dict) else None


# --- API tokens -------------------------------------------------------------------------------


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(store: Store, username: str, name: str = "") -> tuple[str, str]:
    """A new API token for a user: (token_id, token). Only the token's hash is stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token_id = secrets.token_hex(6)
    store.execute(
        "INSERT INTO web_tokens (token_id, username, token_hash, name, created_at) "
        "VALUES (?, ?, ?, ?, ?)",
        (token_id, username, _digest(token), name, _now()),
    )
    return token_id, token


def user_of_token(store: Store, token: str) -> User | None:
    rows = store.fetchall(
        "SELECT token_id, username FROM web_tokens WHERE token_hash = ?", (_digest(token),)
    )
    if not rows:
        return None
    token_id, username = rows[0]
    user = get_user(store, username)
    if user is None:
        return None
    store.execute("UPDATE web_tokens SET last_used_at = ? WHERE token_id = ?", (_now(), token_id))
    return User(
        user.username, user.role, user.groups, user.agent_id, user.display_name, via_token=True
    )


def list_tokens(store: Store, username: str | None = None) -> list[dict[str, object]]:
    where, params = ("WHERE username = ?", (username,)) if username else ("", ())
    rows = store.fetchall(
        f"SELECT token_id, username, name, created_at, last_used_at FROM web_tokens {where} "
        "ORDER BY created_at",
        params,
    )
    names = ("token_id", "username", "name", "created_at", "last_used_at")
    return [dict(zip(names, r, strict=True)) for r in rows]


def token_owner(store: Store, token_id: str) -> str | None:
    rows = store.fetchall("SELECT username FROM web_tokens WHERE token_id = ?", (token_id,))
    return str(rows[0][0]) if rows else None


def delete_token(store: Store, token_id: str) -> None:
    store.execute("DELETE FROM web_tokens WHERE token_id = ?", (token_id,))
