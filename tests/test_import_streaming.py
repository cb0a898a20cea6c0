"""Streaming import: a file goes through validation and staging in batches, and the outcome is
the same as reading it whole — every reject on its line, the first of a repeated key wins even
when the repeat is batches later, orphans and facts as before — while memory stays bounded."""

from __future__ import annotations

import gc
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import stored_rejects, table_rows
from cskpi.config import Config
from cskpi.ingest import readers
from cskpi.ingest.importer import ImportResult, run_import
from cskpi.store.base import DuckDBStore, Store

HEADER = "session_id,channel,created_at,accepted_at,ended_at,tags\n"


def where(result: ImportResult) -> list[tuple[str, int | None, str | None, str, object]]:
    found = [(Path(r.file).name, r.line, r.column, r.code, r.params.get("first_line"))
             for r in result.rejects]
    return sorted(found, key=lambda w: (w[0], w[1] or 0, w[2] or ""))


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Batches of 3 rows, CSV parsed 128 bytes at a time: every test file spans many."""
    monkeypatch.setattr(readers, "BATCH_ROWS", 3)
    monkeypatch.setattr(readers, "CSV_BLOCK_BYTES", 128)


def sessions_csv(path: Path) -> Path:
    lines = [HEADER]  # line 1
    for i in range(1, 21):  # S1..S20 on lines 2..21
        lines.append(f"S{i},web,2026-10-05T09:{i:02d}:00,,,t{i}\n")
    lines[8] = "S8,web,not-a-time,,,bad\n"  # line 9: bad timestamp
    lines[12] = "S3,web,2026-10-05T10:00:00,,,again\n"  # line 13: S3 again (first on line 4)
    lines[17] = "S17,web,2026-10-05T09:17:00\n"  # line 18: three fields, header has six
    lines[19] = "\n"  # line 20: blank (no S19)
    text = "".join(lines) + 'S21,web,2026-10-05T11:00:00,,,"multi\nline"\n'  # lines 22-23
    text += "S3,web,2026-10-05T12:00:00,,,third\n"  # line 24: S3 a third time
    path.write_text(text, encoding="utf-8")
    return path


EXPECTED_CSV = [
    ("sessions.csv", 9, "created_at", "value.timestamp", None),
    ("sessions.csv", 13, "session_id", "key.duplicate", 4),
    ("sessions.csv", 18, None, "row.column_count", None),
    ("sessions.csv", 24, "session_id", "key.duplicate", 4),
]


def test_csv_in_many_batches(store: Store, tmp_path: Path, small_batches: None) -> None:
    result = run_import(store, [sessions_csv(tmp_path / "sessions.csv")], Config())
    assert where(result) == EXPECTED_CSV
    rows = {r["session_id"]: r for r in table_rows(store, "sessions")}
    # S1..S21 but S8 and S17 (rejected), S12 (its line holds S3) and S19 (a blank line)
    assert sorted(rows, key=lambda s: int(s[1:])) == [
        f"S{i}" for i in range(1, 22) if i not in (8, 12, 17, 19)]
    assert rows["S3"]["tags"] == "t3"  # the first S3 won, not a later one
    assert rows["S21"]["tags"] == "multi\nline"
    summary = result.summaries["sessions"]
    # 21 records: lines 2-24 less the blank line 20, lines 22-23 being one record
    assert (summary.read, summary.inserted, summary.rejected) == (21, 17, 4)
    assert len(stored_rejects(store)) == 4


def test_batches_change_nothing(db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same files, whole and in batches of 3 rows: identical stores and quarantines."""
    from cskpi.store.base import open_store

    folder = tmp_path / "data"
    folder.mkdir()
    sessions_csv(folder / "sessions.csv")
    (folder / "messages.csv").write_text(
        "message_id,session_id,sender,source,sent_at,content\n"
        + "".join(
            f"M{i},S{1 + i % 5},{'customer' if i % 2 else 'agent'},"
            f"{'' if i % 2 else 'manual'},2026-10-05T09:{30 + i:02d}:00,m{i}\n"
            for i in range(1, 15))
        + "M15,S99,customer,,2026-10-05T09:59:00,orphan\n"  # line 16: no such session
        + "M3,S4,customer,,2026-10-05T09:33:00,again\n",  # line 17: M3 again
        encoding="utf-8",
    )

    def import_into(location: str) -> tuple[list, list, list, list]:
        store = open_store(location)
        try:
            result = run_import(store, [folder], Config())
            facts = store.arrow("SELECT * FROM session_facts ORDER BY session_id").to_pylist()
            return (where(result), table_rows(store, "sessions"), table_rows(store, "messages"),
                    facts)
        finally:
            store.close()

    whole = import_into(str(tmp_path / "whole.duckdb") if "://" not in db else db)
    if "://" in db:  # one PostgreSQL schema per test: empty it between the two imports
        store = open_store(db)
        for name in ("session_facts", "messages", "sessions", "cskpi_rejects", "cskpi_imports",
                     "cskpi_meta"):
            store.execute(f'DELETE FROM "{name}"')
        store.close()
    monkeypatch.setattr(readers, "BATCH_ROWS", 3)
    monkeypatch.setattr(readers, "CSV_BLOCK_BYTES", 128)
    batched = import_into(str(tmp_path / "batched.duckdb") if "://" not in db else db)
    assert batched == whole
    rejects = batched[0]
    assert ("messages.csv", 16, "session_id", "message.orphan_session", None) in rejects
    assert ("messages.csv", 17, "message_id", "key.duplicate", 4) in rejects


def test_parquet_in_batches(store: Store, tmp_path: Path, small_batches: None) -> None:
    ids = ["P1", "P2", "P3", "P4", "P5", "P6", "P7", "P2", "P9", "P10"]
    data = pa.table({
        "session_id": ids,
        "created_at": pa.array([f"2026-10-05T09:{i:02d}:00" for i in range(10)]),
        "channel": ["web"] * 10,
    })
    pq.write_table(data, tmp_path / "sessions.parquet", row_group_size=4)
    result = run_import(store, [tmp_path / "sessions.parquet"], Config())
    # row 7 (0-based) repeats row 1: Parquet rows are numbered from 1
    assert where(result) == [("sessions.parquet", 8, "session_id", "key.duplicate", 2)]
    stored = {r["session_id"]: r["created_at"].minute for r in table_rows(store, "sessions")}
    assert stored["P2"] == 1  # the first P2, created at 09:01 local
    assert len(stored) == 9
    assert '"P2"' in (result.rejects[0].raw or "")  # the repeated row is kept whole


def test_unclosed_quote_in_the_last_batch(duck: Store, tmp_path: Path,
                                          small_batches: None) -> None:
    text = HEADER + "".join(f"S{i},web,2026-10-05T09:{i:02d}:00,,,\n" for i in range(1, 11))
    text += 'S11,web,2026-10-05T10:00:00,,,"never closed\nS12,web,2026-10-05T10:01:00,,,\n'
    (tmp_path / "sessions.csv").write_text(text, encoding="utf-8")
    result = run_import(duck, [tmp_path / "sessions.csv"], Config())
    assert where(result) == [("sessions.csv", 12, None, "row.unclosed_quote", None)]
    assert len(table_rows(duck, "sessions")) == 10


def test_a_bad_file_mid_import_stages_nothing(duck: Store, tmp_path: Path,
                                              small_batches: None) -> None:
    """A blank header over data found in a later batch rejects the whole file, batches already
    staged included; the other files of the import still load."""
    text = "session_id,channel,,created_at\n" + "".join(
        f"S{i},web,,2026-10-05T09:{i:02d}:00\n" for i in range(1, 10))
    text += "S10,web,oops,2026-10-05T09:10:00\n"
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "sessions.csv").write_text(text, encoding="utf-8")
    (folder / "agents.csv").write_text("agent_id,name\nA1,one\n", encoding="utf-8")
    result = run_import(duck, [folder], Config())
    assert [(Path(r.file).name, r.code) for r in result.rejects] == [
        ("sessions.csv", "file.blank_header")]
    assert table_rows(duck, "sessions") == []
    assert [r["agent_id"] for r in table_rows(duck, "agents")] == ["A1"]


def test_staged_batches_are_not_held_in_memory(tmp_path: Path) -> None:
    """DuckDB keeps an Arrow table registered with the connection alive until the transaction
    ends; staging goes through a relation instead, so each batch is freed once copied."""
    store = DuckDBStore(tmp_path / "s.duckdb")
    batch_bytes = 40_000_000
    gc.collect()
    before = pa.total_allocated_bytes()
    with store.transaction():
        for i in range(4):
            rows = pa.table({"text": pa.array(["x" * 1000] * (batch_bytes // 1000))})
            if i == 0:
                store.load_temp("_big", rows)
            else:
                store.append_temp("_big", rows)
            del rows
        gc.collect()
        held = pa.total_allocated_bytes() - before
        (count,) = store.fetchall("SELECT COUNT(*) FROM _big")[0]
    store.close()
    assert count == 4 * (batch_bytes // 1000)
    assert held < batch_bytes  # not the 160 MB of all four batches
