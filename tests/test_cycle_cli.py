"""A whole demo month through every state from the command line (the venv's `cskpi`), a
re-import after approval that changes nothing approved, an appeal whose new version shows
as a diff, and `cskpi audit verify` catching a hand-edited audit row."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from cskpi.config import load_config
from cskpi.cycle.versions import raw_results
from cskpi.demo.generator import generate
from cskpi.demo.writer import write_folder
from cskpi.ingest.importer import run_import
from cskpi.store.base import open_store

CSKPI = str(Path(sys.executable).with_name("cskpi"))
CARD, MONTH = "presales-standard", "2026-10"


def cskpi(*args: str, db: Path, ok: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CSKPI_LANG": "en", "COLUMNS": "200"}
    env.pop("CSKPI_USER", None)
    done = subprocess.run(
        [CSKPI, *args, "--db", str(db)], capture_output=True, text=True, env=env, timeout=120
    )
    if ok:
        assert done.returncode == 0, done.stdout + done.stderr
    return done


@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small generated month (and a different one with the same agents, for the
    re-import), imported into a DuckDB store."""
    folder = tmp_path_factory.mktemp("demo")
    write_folder(generate(MONTH, seed=3, agents=6, messages=3000), folder / "data")
    write_folder(generate(MONTH, seed=4, agents=6, messages=3000), folder / "changed")
    db = folder / "cskpi.duckdb"
    with open_store(db) as store:
        run_import(store, [folder / "data"], load_config(str(db)))
    return folder


@pytest.mark.slow
def test_a_demo_month_through_every_state(month: Path, tmp_path: Path) -> None:
    db = tmp_path / "cskpi.duckdb"
    shutil.copy(month / "cskpi.duckdb", db)
    s = ["-s", CARD, "--period", MONTH]

    refused = cskpi("cycle", "open", *s, db=db, ok=False)
    assert refused.returncode == 2 and "--by" in refused.stderr
    assert "opened" in cskpi("cycle", "open", *s, "--by", "lead", db=db).stdout.lower()
    wrong = cskpi("cycle", "approve", *s, "--by", "lead", db=db, ok=False)
    assert wrong.returncode == 1 and "open" in wrong.stderr and "compute, entry" in wrong.stderr

    agent = json.loads(
        cskpi("score", "-s", CARD, "--period", MONTH, "-f", "json", "--no-save", db=db).stdout
    )[0]["agent_id"]
    cskpi(
        "entry",
        "add",
        "--agent",
        agent,
        "--kind",
        "praise",
        "--reason",
        "customer letter",
        "--by",
        "lead",
        "--period",
        MONTH,
        db=db,
    )
    cskpi("cycle", "compute", *s, "--by", "lead", db=db)
    cskpi("cycle", "review", *s, "--by", "lead", db=db)
    assert "approved and locked" in cskpi("cycle", "approve", *s, "--by", "lead", db=db).stdout
    (row,) = json.loads(cskpi("cycle", "status", "-f", "json", db=db).stdout)
    assert (row["state"], row["locked_version"]) == ("approved", 1)
    locked = cskpi(
        "entry",
        "add",
        "--agent",
        agent,
        "--kind",
        "praise",
        "--reason",
        "late",
        "--by",
        "lead",
        "--period",
        MONTH,
        db=db,
        ok=False,
    )
    assert locked.returncode == 1 and "locked" in locked.stderr
    cskpi("cycle", "publish", *s, "--by", "lead", db=db)

    # Re-importing different data changes nothing approved.
    with open_store(db) as store:
        before = raw_results(store, CARD, MONTH, 1)
    cskpi("import", str(month / "changed"), db=db)
    with open_store(db) as store:
        assert raw_results(store, CARD, MONTH, 1) == before
    shown = json.loads(cskpi("cycle", "results", *s, "-f", "json", db=db).stdout)
    assert [r["agent_id"] for r in shown] == [r[0] for r in before]

    # The agent appeals an item; the upheld appeal makes version 2, shown as a diff.
    result = next(r for r in shown if r["agent_id"] == agent)
    item = result["items"][0]["key"]
    filed = cskpi(
        "appeal", "file", *s, "--agent", agent, "--item", item, "--reason", "unfair", db=db
    ).stdout
    appeal_id = filed.split()[1].rstrip(":")
    decided = cskpi(
        "appeal", "decide", appeal_id, "--uphold", "--answer", "re-checked", "--by", "lead", db=db
    ).stdout
    assert "version 2" in decided
    diff = json.loads(cskpi("cycle", "diff", *s, "-f", "json", db=db).stdout)
    assert (diff["old"], diff["new"]) == (1, 2)
    assert diff["rows"], "the re-imported month moves someone"
    assert all({"agent_id", "delta", "why"} <= set(r) for r in diff["rows"])
    appeals = json.loads(cskpi("appeal", "list", "--agent", agent, "-f", "json", db=db).stdout)
    assert appeals[0]["state"] == "upheld" and appeals[0]["new_version"] == 2
    cskpi("cycle", "approve", *s, "--by", "lead", db=db)
    cskpi("cycle", "publish", *s, "--by", "lead", db=db)
    (row,) = json.loads(cskpi("cycle", "status", "-f", "json", db=db).stdout)
    assert (row["state"], row["version"], row["locked_version"]) == ("published", 2, 2)

    # The audit log holds, until someone edits a row by hand.
    assert "intact" in cskpi("audit", "verify", db=db).stdout
    with duckdb.connect(str(db)) as con:
        con.execute("UPDATE cycle_audit SET reason = 'nothing to see' WHERE seq = 3")
    broken = cskpi("audit", "verify", db=db, ok=False)
    assert broken.returncode == 1 and "row 3" in broken.stderr
