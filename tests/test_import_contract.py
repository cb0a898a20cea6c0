"""Contract round trips: every table, every format, both backends, typed values read back.

The data is tests/fixtures/contract/*.csv (hand-written); the expected stored rows are in
tests/fixtures/contract_expected.py, worked out by hand.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import CONTRACT_FOLDER, all_tables, table_rows
from cskpi.config import Config
from cskpi.ingest.contract import contract
from cskpi.ingest.importer import run_import
from cskpi.store.base import Store, open_store
from fixtures.contract_expected import EXPECTED, EXPECTED_UTC
from fixtures.formats import FORMATS, write_folder


def _check_tables(store: Store, expected: dict[str, list[dict]]) -> None:
    """Every expected table equals the stored one; a failure lists each differing cell."""
    problems = []
    for table, rows in expected.items():
        stored = table_rows(store, table)
        if len(stored) != len(rows):
            problems.append(f"{table}: {len(stored)} rows stored, {len(rows)} expected")
            continue
        for got, want in zip(stored, rows, strict=True):
            for column in want:
                if got[column] != want[column]:
                    key = [want[k] for k in contract()[table].key]
                    problems.append(
                        f"{table} {key} {column}: stored {got[column]!r}, expected {want[column]!r}"
                    )
    assert not problems, "\n".join(problems)


def test_fixture_covers_every_contract_table() -> None:
    assert sorted(p.stem for p in CONTRACT_FOLDER.glob("*.csv")) == sorted(contract())
    assert sorted(EXPECTED) == sorted(contract())


# The validated rows reaching the store have the same Arrow types whatever the file format,
# so PostgreSQL gets the formats whose values arrive in different shapes (text, Excel cells,
# typed Parquet columns); DuckDB gets every format.
PG_FORMATS = ["csv-gb18030", "xlsx-typed", "parquet-typed"]


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_round_trip_every_table(duck: Store, tmp_path: Path, fmt: str) -> None:
    check_round_trip(duck, tmp_path, fmt)


@pytest.mark.postgres
@pytest.mark.parametrize("fmt", PG_FORMATS)
def test_round_trip_every_table_postgres(pg_store: Store, tmp_path: Path, fmt: str) -> None:
    check_round_trip(pg_store, tmp_path, fmt)


def check_round_trip(store: Store, tmp_path: Path, fmt: str) -> None:
    folder = write_folder(CONTRACT_FOLDER, tmp_path / fmt, fmt)
    result = run_import(store, [folder], Config())

    assert result.rejects == []
    assert not result.aborted
    assert result.import_id == 1
    for table, rows in EXPECTED.items():
        summary = result.summaries[table]
        assert (summary.files, summary.read, summary.inserted) == (1, len(rows), len(rows)), table
        assert (summary.updated, summary.unchanged, summary.rejected) == (0, 0, 0), table
    _check_tables(store, EXPECTED)


@pytest.mark.parametrize("fmt", ["csv-utf8", "parquet-typed", "xlsx-typed"])
def test_timezone_changes_reading_of_offsetless_times(duck: Store, tmp_path: Path, fmt: str):
    folder = write_folder(CONTRACT_FOLDER, tmp_path / fmt, fmt, tz="UTC")
    result = run_import(duck, [folder], Config(timezone="UTC"))
    assert result.rejects == []
    _check_tables(duck, EXPECTED_UTC)


def test_tz_option_on_the_command_line(tmp_path: Path) -> None:
    """`cskpi import --tz UTC` reads offset-less times as UTC (the CLI wires the option)."""
    from typer.testing import CliRunner

    from cskpi.cli import app

    db = str(tmp_path / "tz.duckdb")
    run = CliRunner().invoke(app, ["import", str(CONTRACT_FOLDER), "--db", db, "--tz", "UTC"])
    assert run.exit_code == 0, run.output
    with open_store(db) as store:
        _check_tables(store, EXPECTED_UTC)


def test_unknown_extra_columns_are_kept_in_extra(store: Store, tmp_path: Path) -> None:
    (tmp_path / "visits.csv").write_text(
        'Date,CHANNEL, visitors ,Source,备注\n2026-10-05,web,10,ads,"a,b"\n2026-10-06,web,11,,\n',
        "utf-8",
    )
    result = run_import(store, [tmp_path / "visits.csv"], Config())
    assert result.rejects == []
    rows = table_rows(store, "visits")
    # header names match case-insensitively and ignoring spaces; extras keep their name
    # (lower-cased, as every header is) and their value as text; empty is null
    assert [r["extra"] for r in rows] == [
        {"source": "ads", "备注": "a,b"},
        {"source": None, "备注": None},
    ]
    assert [r["visitors"] for r in rows] == [10, 11]


@pytest.mark.postgres
def test_same_rows_on_duckdb_and_postgres(tmp_path: Path, pg_schema_url: str) -> None:
    """The whole contract folder stored on both backends: every table holds the same rows,
    and so do the derived session facts."""
    dumps = {}
    for name, location in (("duckdb", str(tmp_path / "x.duckdb")), ("postgres", pg_schema_url)):
        with open_store(location) as store:
            result = run_import(store, [CONTRACT_FOLDER], Config())
            assert result.rejects == [], name
            dumps[name] = all_tables(store)
            dumps[name]["session_facts"] = store.arrow(
                "SELECT * FROM session_facts ORDER BY session_id"
            ).to_pylist()
    for table in dumps["duckdb"]:
        assert dumps["postgres"][table] == dumps["duckdb"][table], table
    assert dumps["duckdb"]["sessions"] == EXPECTED["sessions"]
    assert len(dumps["duckdb"]["session_facts"]) == 4


@pytest.mark.parametrize(
    ("tz", "utc", "local"),
    [
        ("Asia/Shanghai", datetime(2026, 10, 5, 1, 12, 33), datetime(2026, 10, 5, 9, 12, 33)),
        ("UTC", datetime(2026, 10, 5, 9, 12, 33), datetime(2026, 10, 5, 9, 12, 33)),
        ("Europe/Berlin", datetime(2026, 10, 5, 7, 12, 33), datetime(2026, 10, 5, 9, 12, 33)),
    ],
)
def test_naive_parquet_timestamps_are_local_time(
    duck: Store, tmp_path: Path, tz: str, utc: datetime, local: datetime
) -> None:
    """A Parquet timestamp without a time zone (what pandas writes for naive datetimes) is
    wall time of the center, exactly like text without an offset. (Berlin: CEST, UTC+2.)"""
    data = pa.table(
        {
            "session_id": ["S1"],
            "created_at": pa.array([datetime(2026, 10, 5, 9, 12, 33)], pa.timestamp("us")),
        }
    )
    pq.write_table(data, tmp_path / "sessions.parquet")
    result = run_import(duck, [tmp_path / "sessions.parquet"], Config(timezone=tz))
    assert result.rejects == []
    [row] = table_rows(duck, "sessions")
    assert (row["created_at"], row["created_at_local"]) == (utc, local)
