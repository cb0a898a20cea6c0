"""Atomicity: `cskpi import` killed with SIGKILL in the middle of its load leaves the store with
all of that import or none of it, the store opens again, and a re-run completes.

The test finds the load phase by watching the CLI's own progress display: stderr is a
pseudo-terminal, so the progress bar is drawn and names each file's step ("loading").
"""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import count
from cskpi.config import Config
from cskpi.ingest.importer import run_import
from cskpi.store.base import open_store

CSKPI = Path(sys.executable).parent / "cskpi"
SESSIONS = 30_000
MESSAGES = 300_000  # 10 per session


def write_big_folder(folder: Path) -> Path:
    folder.mkdir()
    with (folder / "sessions.csv").open("w", encoding="utf-8") as out:
        out.write("session_id,channel,customer_id,agent_id,created_at,accepted_at,ended_at\n")
        for i in range(SESSIONS):
            clock = f"2026-10-05T{8 + i % 600 // 60:02d}:{i % 60:02d}"
            out.write(f"S{i},web,C{i % 5000},A{i % 40},{clock}:00,{clock}:10,{clock}:50\n")
    with (folder / "messages.csv").open("w", encoding="utf-8") as out:
        out.write("message_id,session_id,sender,sent_at,content\n")
        lines = []
        for n in range(MESSAGES):
            i, k = divmod(n, 10)
            clock = f"2026-10-05T{8 + i % 600 // 60:02d}:{i % 60:02d}"
            sender = "customer" if k % 2 == 0 else "agent"
            lines.append(f"M{n},S{i},{sender},{clock}:{11 + k:02d},消息内容 {n}\n")
        out.write("".join(lines))
    return folder


def start_import(folder: Path, db: str) -> tuple[subprocess.Popen[bytes], int]:
    """Start `cskpi import` with stderr on a pseudo-terminal; returns (process, pty master)."""
    master, slave = pty.openpty()
    env = {**os.environ, "CSKPI_LANG": "en", "COLUMNS": "200", "TERM": "xterm"}
    process = subprocess.Popen(
        [str(CSKPI), "import", str(folder), "--db", db, "--format", "json"],
        stdout=subprocess.DEVNULL,
        stderr=slave,
        stdin=subprocess.DEVNULL,
        env=env,
    )
    os.close(slave)
    return process, master


def wait_for(master: int, marker: bytes, process: subprocess.Popen[bytes], timeout: float) -> bool:
    """Read the pty until `marker` shows up (True) or the process ends / time runs out."""
    seen = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.05)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                return False
            seen += chunk
            if marker in seen:
                return True
        elif process.poll() is not None:
            return False
    return False


def check_all_or_nothing(db: str) -> str:
    """The store opens and holds the whole import or none of it; returns which."""
    with open_store(db) as store:
        counts = (
            count(store, "sessions"),
            count(store, "messages"),
            count(store, "session_facts"),
            count(store, "cskpi_imports", "WHERE status = 'done'"),
            count(store, "cskpi_imports"),
        )
    assert counts in ((0, 0, 0, 0, 0), (SESSIONS, MESSAGES, SESSIONS, 1, 1)), counts
    return "none" if counts[0] == 0 else "all"


def kill_during_load(folder: Path, db: str, delay: float) -> bool:
    """Start the import, SIGKILL it `delay` s after the messages file begins loading; True if
    it was killed while still running."""
    process, master = start_import(folder, db)
    try:
        found = wait_for(master, "messages.csv · loading".encode(), process, timeout=20)
        assert found, "never saw the messages file in its load step"
        time.sleep(delay)
        still_running = process.poll() is None
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        os.close(master)
        if process.poll() is None:
            process.kill()
    return still_running


@pytest.mark.slow
def test_kill_during_load_duckdb(tmp_path: Path) -> None:
    folder = write_big_folder(tmp_path / "big")
    db = str(tmp_path / "kill.duckdb")
    killed = kill_during_load(folder, db, delay=0.3)
    assert killed, "the import finished before it could be killed midway"
    assert check_all_or_nothing(db) == "none", "killed before commit, yet the import is there"
    # a re-run completes
    with open_store(db) as store:
        result = run_import(store, [folder], Config())
        assert not result.rejects
    assert check_all_or_nothing(db) == "all"


@pytest.mark.slow
@pytest.mark.postgres
def test_kill_during_load_postgres(tmp_path: Path, pg_schema_url: str) -> None:
    folder = write_big_folder(tmp_path / "big")
    killed = kill_during_load(folder, pg_schema_url, delay=0.3)
    assert killed, "the import finished before it could be killed midway"
    # the server rolls back the dead client's transaction: nothing of it is visible
    assert check_all_or_nothing(pg_schema_url) == "none"
    with open_store(pg_schema_url) as store:
        result = run_import(store, [folder], Config())
        assert not result.rejects
    assert check_all_or_nothing(pg_schema_url) == "all"
