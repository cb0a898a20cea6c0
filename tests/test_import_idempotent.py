"""Re-imports change nothing; a changed row updates exactly that row; --strict writes nothing."""

from __future__ import annotations

from pathlib import Path

from conftest import all_tables, count, stored_rejects, table_rows
from cskpi.config import Config
from cskpi.ingest.importer import run_import
from cskpi.store.base import Store
from fixtures.contract_expected import EXPECTED


def facts(store: Store) -> list[dict]:
    return store.arrow("SELECT * FROM session_facts ORDER BY session_id").to_pylist()


def test_second_import_changes_nothing(store: Store, contract_folder: Path) -> None:
    first = run_import(store, [contract_folder], Config())
    assert first.rejects == []
    before, facts_before = all_tables(store), facts(store)

    second = run_import(store, [contract_folder], Config())
    assert second.rejects == []
    assert second.import_id == first.import_id + 1
    for table, rows in EXPECTED.items():
        s = second.summaries[table]
        assert (s.read, s.inserted, s.updated, s.unchanged, s.rejected) == (
            len(rows),
            0,
            0,
            len(rows),
            0,
        ), table
    assert all_tables(store) == before
    assert facts(store) == facts_before
    assert count(store, "cskpi_imports", "WHERE status = 'done'") == 2


def test_changed_row_updates_exactly_that_row(store: Store, contract_folder: Path) -> None:
    run_import(store, [contract_folder], Config())
    before = all_tables(store)

    sessions = contract_folder / "sessions.csv"
    text = sessions.read_text("utf-8")
    # S4: acw_seconds 0 -> 12.5 and resolved empty -> true
    start = "S4,app,inbound,C2,A1,售后,2026-10-05T09:40:00,,2026-10-05T09:41:00,"
    old = start + "2026-10-05T09:50:00,,0,S2,0,,,,"
    new = start + "2026-10-05T09:50:00,,0,S2,12.5,true,,,"
    assert old in text
    sessions.write_text(text.replace(old, new), "utf-8")

    result = run_import(store, [contract_folder], Config())
    s = result.summaries["sessions"]
    assert (s.inserted, s.updated, s.unchanged) == (0, 1, 3)
    for table in EXPECTED:
        if table != "sessions":
            t = result.summaries[table]
            assert (t.inserted, t.updated) == (0, 0), table
    after = all_tables(store)
    assert after["sessions"][:3] == before["sessions"][:3]
    assert after["sessions"][3] == {**before["sessions"][3], "acw_seconds": 12.5, "resolved": True}
    for table in EXPECTED:
        if table != "sessions":
            assert after[table] == before[table], table
    [fact] = store.arrow(
        "SELECT acw_seconds, resolved FROM session_facts WHERE session_id = 'S4'"
    ).to_pylist()
    assert fact == {"acw_seconds": 12.5, "resolved": True}


def test_new_row_and_changed_key_time(store: Store, tmp_path: Path) -> None:
    """A key that includes a timestamp: the same instant written with an offset is the same
    row (unchanged); a new instant is a new row."""
    states = tmp_path / "agent_states.csv"
    states.write_text("agent_id,state,started_at\nA1,idle,2026-10-05T09:00:00\n", "utf-8")
    run_import(store, [states], Config())
    states.write_text(
        "agent_id,state,started_at\nA1,idle,2026-10-05T01:00:00Z\nA1,busy,2026-10-05T09:30:00\n",
        "utf-8",
    )
    result = run_import(store, [states], Config())
    s = result.summaries["agent_states"]
    assert (s.inserted, s.updated, s.unchanged) == (1, 0, 1)
    assert [r["state"] for r in table_rows(store, "agent_states")] == ["idle", "busy"]


# --- --strict -----------------------------------------------------------------------------


def test_strict_aborts_with_nothing_written(store: Store, contract_folder: Path) -> None:
    with (contract_folder / "visits.csv").open("a", encoding="utf-8") as handle:
        handle.write("2026-10-07,fax,3\n")  # line 5: unknown channel
    result = run_import(store, [contract_folder], Config(), strict=True)
    assert result.aborted
    assert result.import_id is None
    assert [(Path(r.file).name, r.line, r.column, r.code) for r in result.rejects] == [
        ("visits.csv", 5, "channel", "value.enum")
    ]
    for table in EXPECTED:
        assert count(store, table) == 0, table
    assert count(store, "session_facts") == 0
    assert count(store, "cskpi_imports") == 0
    assert stored_rejects(store) == []


def test_strict_abort_keeps_earlier_data_unchanged(store: Store, contract_folder: Path) -> None:
    run_import(store, [contract_folder], Config())
    before, facts_before = all_tables(store), facts(store)

    text = (contract_folder / "sessions.csv").read_text("utf-8")
    (contract_folder / "sessions.csv").write_text(
        text.replace(",lead;价格,", ",changed,") + "S5,web,,,,,,,,,,,,,,,,\n", "utf-8"
    )
    result = run_import(store, [contract_folder], Config(), strict=True)
    assert result.aborted
    assert [(r.line, r.column, r.code) for r in result.rejects] == [
        (6, "created_at", "value.missing")
    ]
    assert all_tables(store) == before
    assert facts(store) == facts_before
    assert count(store, "cskpi_imports") == 1


def test_strict_orphan_rolls_back_the_sessions_of_the_same_import(
    store: Store, tmp_path: Path
) -> None:
    """An orphan message is found only inside the load transaction: --strict must roll back
    the sessions already loaded by that import."""
    (tmp_path / "sessions.csv").write_text(
        "session_id,created_at\nS1,2026-10-05T09:00:00\n", "utf-8"
    )
    (tmp_path / "messages.csv").write_text(
        "message_id,session_id,sender,sent_at\n"
        "M1,S1,customer,2026-10-05T09:00:01\n"
        "M2,S2,customer,2026-10-05T09:00:02\n",
        "utf-8",
    )
    result = run_import(store, [tmp_path], Config(), strict=True)
    assert result.aborted
    assert [(Path(r.file).name, r.line, r.code) for r in result.rejects] == [
        ("messages.csv", 3, "message.orphan_session")
    ]
    assert count(store, "sessions") == 0
    assert count(store, "messages") == 0
    assert count(store, "session_facts") == 0
    assert count(store, "cskpi_imports") == 0

    # without --strict the same folder imports its good rows
    result = run_import(store, [tmp_path], Config())
    assert not result.aborted
    assert (count(store, "sessions"), count(store, "messages")) == (1, 1)


def test_strict_file_level_error_aborts(store: Store, contract_folder: Path) -> None:
    (contract_folder / "targets.csv").write_bytes(b"")
    result = run_import(store, [contract_folder], Config(), strict=True)
    assert result.aborted
    assert [(Path(r.file).name, r.code) for r in result.rejects] == [("targets.csv", "file.empty")]
    assert count(store, "sessions") == 0
