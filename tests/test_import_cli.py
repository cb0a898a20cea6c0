"""The `cskpi import` and `cskpi rejects` commands: exit codes, JSON output, reject listing.

Exit codes (cli.py): 0 success (row rejects included), 1 a file-level error or a --strict
abort, 2 a usage error.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import CONTRACT_FOLDER, count
from cskpi.cli import app
from cskpi.ingest.contract import contract
from cskpi.store.base import open_store

SUMMARY_KEYS = ["table", "read", "inserted", "updated", "unchanged", "rejected"]


def cskpi(*args: str):
    result = CliRunner().invoke(app, list(args), env={"CSKPI_LANG": "en", "COLUMNS": "250"})
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def folder_with_problems(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "sessions.csv").write_text(
        "session_id,channel,created_at\n"
        "S1,web,2026-10-05T09:00:00\n"
        "S2,fax,2026-10-05T09:00:00\n"  # line 3: unknown channel
        ",web,2026-10-05T09:00:00\n",  # line 4: missing key
        "utf-8",
    )
    (folder / "messages.csv").write_text(
        "message_id,session_id,sender,sent_at\n"
        "M1,S1,customer,2026-10-05T09:00:01\n"
        "M2,S7,customer,2026-10-05T09:00:02\n",  # line 3: orphan
        "utf-8",
    )
    return folder


def test_json_summary_and_exit_0(db: str) -> None:
    run = cskpi("import", str(CONTRACT_FOLDER), "--db", db, "--format", "json")
    assert run.exit_code == 0, run.output
    out = json.loads(run.stdout)
    assert sorted(out) == ["aborted", "import_id", "rejects", "tables"]
    assert out["import_id"] == 1 and out["aborted"] is False and out["rejects"] == []
    assert [t["table"] for t in out["tables"]] == list(contract())
    for row in out["tables"]:
        assert list(row) == SUMMARY_KEYS
    sessions = next(t for t in out["tables"] if t["table"] == "sessions")
    assert sessions == {
        "table": "sessions",
        "read": 4,
        "inserted": 4,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
    }
    again = json.loads(cskpi("import", str(CONTRACT_FOLDER), "--db", db, "-f", "json").stdout)
    assert again["import_id"] == 2
    assert all(t["inserted"] == t["updated"] == 0 for t in again["tables"])


def test_row_rejects_exit_0_and_rejects_listing(db: str, tmp_path: Path) -> None:
    folder = folder_with_problems(tmp_path)
    run = cskpi("import", str(folder), "--db", db, "--format", "json")
    assert run.exit_code == 0, run.output
    out = json.loads(run.stdout)
    assert sorted(
        (Path(r["file"]).name, r["line"], r["column"], r["code"]) for r in out["rejects"]
    ) == [
        ("messages.csv", 3, "session_id", "message.orphan_session"),
        ("sessions.csv", 3, "channel", "value.enum"),
        ("sessions.csv", 4, "session_id", "value.missing"),
    ]

    listing = cskpi("rejects", "--db", db, "--format", "json")
    assert listing.exit_code == 0, listing.output
    rows = json.loads(listing.stdout)
    assert sorted((Path(r["file"]).name, r["line"], r["column"], r["code"]) for r in rows) == [
        ("messages.csv", 3, "session_id", "message.orphan_session"),
        ("sessions.csv", 3, "channel", "value.enum"),
        ("sessions.csv", 4, "session_id", "value.missing"),
    ]
    for r in rows:
        assert {"import_id", "file", "table", "line", "column", "code", "value", "reason"} <= set(r)
        assert r["import_id"] == 1
        # the reason is a sentence, not the message id, and names the offending value
        assert r["reason"] and r["reason"] != r["code"] and "{" not in r["reason"]
    by_code = {r["code"]: r for r in rows}
    assert "fax" in by_code["value.enum"]["reason"]
    assert "S7" in by_code["message.orphan_session"]["reason"]

    table = cskpi("rejects", "--db", db)
    assert table.exit_code == 0
    assert "sessions.csv" in table.stdout


def test_file_level_error_exit_1(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "sessions.csv").write_bytes(b"")
    (folder / "agents.csv").write_text("agent_id\nA1\n", "utf-8")
    db = str(tmp_path / "x.duckdb")
    run = cskpi("import", str(folder), "--db", db, "--format", "json")
    assert run.exit_code == 1
    out = json.loads(run.stdout)
    assert [(Path(r["file"]).name, r["line"], r["code"]) for r in out["rejects"]] == [
        ("sessions.csv", 1, "file.empty")
    ]
    with open_store(db) as store:
        assert count(store, "agents") == 1  # the other file still imported
    # the table output says so too, on stderr, and still exits 1
    run = cskpi("import", str(folder), "--db", db)
    assert run.exit_code == 1
    assert "sessions.csv" in run.stderr


def test_strict_abort_exit_1(tmp_path: Path) -> None:
    folder = folder_with_problems(tmp_path)
    db = str(tmp_path / "x.duckdb")
    run = cskpi("import", str(folder), "--db", db, "--strict", "--format", "json")
    assert run.exit_code == 1
    out = json.loads(run.stdout)
    assert out["aborted"] is True and out["import_id"] is None
    assert len(out["rejects"]) == 2  # found before loading: the orphan check never ran
    with open_store(db) as store:
        assert count(store, "sessions") == 0 and count(store, "messages") == 0
    run = cskpi("import", str(folder), "--db", db, "--strict")
    assert run.exit_code == 1


@pytest.mark.parametrize(
    "args",
    [
        ["--table", "nope"],
        ["--tz", "Mars/Olympus"],
        ["--format", "xml"],
        ["--encoding", "no-such-codec"],
    ],
    ids=["unknown-table", "unknown-tz", "unknown-format", "unknown-encoding"],
)
def test_usage_errors_exit_2(tmp_path: Path, args: list[str]) -> None:
    db = str(tmp_path / "x.duckdb")
    run = cskpi("import", str(CONTRACT_FOLDER / "sessions.csv"), "--db", db, *args)
    assert run.exit_code == 2, run.output
    assert "Traceback" not in run.output


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    run = cskpi("import", str(tmp_path / "nothing.csv"), "--db", str(tmp_path / "x.duckdb"))
    assert run.exit_code == 2
    run = cskpi("import", "--db", str(tmp_path / "x.duckdb"))  # no path at all
    assert run.exit_code == 2


def test_file_name_that_is_no_table_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "calls.csv").write_text("a\n1\n", "utf-8")
    run = cskpi("import", str(tmp_path / "calls.csv"), "--db", str(tmp_path / "x.duckdb"))
    assert run.exit_code == 2
    run = cskpi(
        "import",
        str(tmp_path / "calls.csv"),
        "--db",
        str(tmp_path / "x.duckdb"),
        "--table",
        "visits",
    )
    assert run.exit_code == 1  # now it is a visits file lacking its required columns


def test_rejects_defaults_to_the_latest_import(tmp_path: Path) -> None:
    db = str(tmp_path / "x.duckdb")
    folder = folder_with_problems(tmp_path)
    cskpi("import", str(folder), "--db", db)
    cskpi("import", str(CONTRACT_FOLDER), "--db", db)  # clean
    rows = json.loads(cskpi("rejects", "--db", db, "--format", "json").stdout)
    assert rows == []


def test_console_script_runs(tmp_path: Path) -> None:
    """The installed `cskpi` script (what users run) imports and exits 0."""
    script = Path(sys.executable).parent / "cskpi"
    done = subprocess.run(
        [
            str(script),
            "import",
            str(CONTRACT_FOLDER),
            "--db",
            str(tmp_path / "x.duckdb"),
            "-f",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env={"CSKPI_LANG": "en", "PATH": str(script.parent)},
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["import_id"] == 1
