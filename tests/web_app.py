"""Shared by the web tests: a small generated demo month (built once per test process), a
copy per test module, the accounts of every role, and clients logged in as each of them.

Objects: agent OWN is in group OWN_GROUP (the supervisor's group; the agent account is OWN);
agent OTHER is in another group, so "own" and "other" objects differ for every role.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cskpi.config import load_config, write_default_config
from cskpi.demo.generator import generate, write_folder
from cskpi.ingest.importer import run_import
from cskpi.store.base import open_store
from cskpi.web import auth
from cskpi.web.app import create_app, ensure_tables

MONTH = "2026-10"
PASSWORDS = {
    "admin": "admin-pass-1",
    "hr": "hr-pass-123",
    "supervisor": "sup-pass-12",
    "agent": "agent-pass-1",
    "agent_other": "agent-pass-2",
}
_BUILT: dict[str, Path] = {}


@dataclass(frozen=True)
class World:
    db: str
    own_agent: str
    other_agent: str
    own_group: str
    other_group: str
    own_team: str
    other_team: str
    own_session: str
    other_session: str


def build_demo() -> Path:
    """The demo month as a DuckDB file with accounts (built once per process)."""
    if "db" in _BUILT:
        return _BUILT["db"]
    folder = Path(tempfile.mkdtemp(prefix="cskpi-web-"))
    write_default_config(folder / "cskpi.toml", center="测试客服中心")
    write_folder(generate(MONTH, seed=1, agents=12), folder / "data", fmt="parquet")
    db = folder / "cskpi.duckdb"
    with open_store(db) as store:
        run_import(store, [folder / "data"], load_config(str(db)))
        ensure_tables(store)
        world = _world(store, str(db))
        auth.add_user(store, "admin", PASSWORDS["admin"], "admin", display_name="管理员")
        auth.add_user(store, "hr", PASSWORDS["hr"], "hr")
        auth.add_user(store, "supervisor", PASSWORDS["supervisor"], "supervisor", [world.own_group])
        auth.add_user(store, "agent", PASSWORDS["agent"], "agent", agent_id=world.own_agent)
        auth.add_user(
            store, "agent_other", PASSWORDS["agent_other"], "agent", agent_id=world.other_agent
        )
    _BUILT["db"] = db
    return db


def _world(store: Any, db: str) -> World:
    rows = store.fetchall('SELECT agent_id, "group", team FROM agents ORDER BY agent_id')
    own = rows[0]
    other = next(r for r in rows if r[1] != own[1])
    sessions = {
        a: store.fetchall(
            "SELECT session_id FROM session_facts WHERE agent_id = ? AND has_messages "
            "ORDER BY session_id LIMIT 1",
            (a,),
        )[0][0]
        for a in (own[0], other[0])
    }
    return World(
        db,
        own[0],
        other[0],
        own[1],
        other[1],
        own[2],
        other[2],
        sessions[own[0]],
        sessions[other[0]],
    )


def copy_demo(target: Path) -> World:
    """A private copy of the demo database (tests that write cannot disturb others)."""
    source = build_demo()
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(source, target / "cskpi.duckdb")
    shutil.copy(source.parent / "cskpi.toml", target / "cskpi.toml")
    db = str(target / "cskpi.duckdb")
    with open_store(db) as store:
        return _world(store, db)


def login(client: TestClient, role: str) -> TestClient:
    response = client.post(
        "/login", data={"username": role, "password": PASSWORDS[role]}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    return client


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return copy_demo(tmp_path_factory.mktemp("web"))


@pytest.fixture(scope="module")
def app(world: World) -> Iterator[Any]:
    application = create_app(world.db)
    yield application
    application.state.service.store.close()


@pytest.fixture(scope="module")
def clients(app: Any) -> Iterator[dict[str, TestClient]]:
    """A logged-in client per role (and "anonymous")."""
    out = {}
    for role in ("admin", "hr", "supervisor", "agent", "agent_other", "anonymous"):
        client = TestClient(app, raise_server_exceptions=True)
        out[role] = login(client, role) if role != "anonymous" else client
    yield out
    for client in out.values():
        client.close()


def now_utc() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def live_batch(agent_id: str, group: str, prefix: str, minutes_ago: int = 3) -> dict[str, Any]:
    """Events of right now: one waiting request, one open session with messages, a state."""
    now = now_utc()

    def ts(delta: timedelta) -> str:
        return (now - delta).strftime("%Y-%m-%dT%H:%M:%SZ")

    return {
        "sessions": [
            {
                "session_id": f"{prefix}-wait",
                "channel": "web",
                "group": group,
                "customer_id": f"{prefix}-c1",
                "created_at": ts(timedelta(minutes=minutes_ago)),
                "queued_at": ts(timedelta(minutes=minutes_ago)),
            },
            {
                "session_id": f"{prefix}-open",
                "channel": "app",
                "group": group,
                "agent_id": agent_id,
                "customer_id": f"{prefix}-c2",
                "created_at": ts(timedelta(minutes=10)),
                "accepted_at": ts(timedelta(minutes=9)),
            },
        ],
        "messages": [
            {
                "message_id": f"{prefix}-m1",
                "session_id": f"{prefix}-open",
                "sender": "customer",
                "sent_at": ts(timedelta(minutes=8, seconds=50)),
                "content": "我的手机 13812345678,邮箱 zhang.san@example.com",
            },
            {
                "message_id": f"{prefix}-m2",
                "session_id": f"{prefix}-open",
                "sender": "agent",
                "agent_id": agent_id,
                "sent_at": ts(timedelta(minutes=8, seconds=30)),
                "content": "收到,身份证 110101199003071234 已登记",
            },
        ],
        "agent_states": [
            {"agent_id": agent_id, "state": "busy", "started_at": ts(timedelta(minutes=20))},
        ],
    }
