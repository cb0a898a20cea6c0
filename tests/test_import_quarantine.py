"""Quarantine: every broken rule is rejected with its file, line, column and code; the good
rows of the same file still import; whole-file problems name the file and line."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import count, stored_rejects, table_rows
from cskpi.config import Config
from cskpi.ingest.importer import ImportResult, run_import
from cskpi.store.base import Store

SESSIONS_HEADER = "session_id,channel,created_at,accepted_at,ended_at,tags\n"


def where(result: ImportResult) -> list[tuple[str, int | None, str | None, str]]:
    """(file name, line, column, code) of every reject, by file and line."""
    found = [(Path(r.file).name, r.line, r.column, r.code) for r in result.rejects]
    return sorted(found, key=lambda w: (w[0], w[1] or 0, w[2] or ""))


def write(path: Path, text: str | bytes) -> Path:
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_bytes(text.encode("utf-8"))
    return path


def session_ids(store: Store) -> list[str]:
    return [r["session_id"] for r in table_rows(store, "sessions")]


def test_row_rejects_with_exact_lines(store: Store, tmp_path: Path) -> None:
    """One file with every row-level problem, a quoted newline and blank lines: each reject
    names its physical line (the line where the record starts)."""
    csv_file = write(
        tmp_path / "sessions.csv",
        SESSIONS_HEADER  # line 1
        + 'G1,web,2026-10-05T09:00:00,2026-10-05T09:01:00,2026-10-05T09:05:00,"多行\n'  # 2
        + '标签"\n'  # 3 (same record)
        + "\n"  # 4 blank
        + ",web,2026-10-05T09:00:00,,,\n"  # 5 missing key
        + "B2,web,2026-13-45 25:00:00,,,\n"  # 6 bad timestamp
        + "B3,web,2026-10-05T09:00:00,2026-10-05T09:10:00,2026-10-05T09:05:00,\n"  # 7 end<start
        + "B4,fax,2026-10-05T09:00:00,,,\n"  # 8 unknown enum
        + "\n"  # 9 blank
        + 'G2,app,2026-10-05T10:00:00,,,"a ""quoted"" tag"\n'  # 10
        + "G1,web,2026-10-05T11:00:00,,,dup\n"  # 11 duplicate of line 2
        + "B5,web,2026-10-05T09:00:00,,\n"  # 12 five fields, header has six
        + "G3,email,2026-10-05T12:00:00,,,\n"  # 13
        + "B6,web,not-a-time,,,\n",  # 14 after the skipped row: line still right
    )
    result = run_import(store, [csv_file], Config())

    assert where(result) == [
        ("sessions.csv", 5, "session_id", "value.missing"),
        ("sessions.csv", 6, "created_at", "value.timestamp"),
        ("sessions.csv", 7, "ended_at", "value.order"),
        ("sessions.csv", 8, "channel", "value.enum"),
        ("sessions.csv", 11, "session_id", "key.duplicate"),
        ("sessions.csv", 12, None, "row.column_count"),
        ("sessions.csv", 14, "created_at", "value.timestamp"),
    ]
    by_line = {r.line: r for r in result.rejects}
    assert by_line[6].value == "2026-13-45 25:00:00"
    assert by_line[8].value == "fax"
    assert by_line[8].params["allowed"] == "web, app, wechat, weibo, email, phone, other"
    assert by_line[7].params["earlier"] == "accepted_at"
    assert by_line[11].params == {"first_line": 2}
    assert by_line[12].params == {"expected": 6, "actual": 5}
    assert by_line[12].raw == "B5,web,2026-10-05T09:00:00,,"
    assert json.loads(by_line[6].raw)["session_id"] == "B2"  # the whole row is kept

    # the good rows imported; the first G1 won over its duplicate
    rows = table_rows(store, "sessions")
    assert [r["session_id"] for r in rows] == ["G1", "G2", "G3"]
    assert rows[0]["tags"] == "多行\n标签"
    assert rows[1]["tags"] == 'a "quoted" tag'
    summary = result.summaries["sessions"]
    assert (summary.read, summary.inserted, summary.rejected) == (10, 3, 7)

    # the quarantine in the store says the same
    stored = [
        (Path(r["file"]).name, r["line"], r["column"], r["code"]) for r in stored_rejects(store)
    ]
    assert sorted(stored, key=lambda w: (w[1], w[2] or "")) == where(result)
    assert {r["import_id"] for r in stored_rejects(store)} == {result.import_id}


def test_orphan_message_is_quarantined(store: Store, tmp_path: Path) -> None:
    write(tmp_path / "sessions.csv", SESSIONS_HEADER + "S1,web,2026-10-05T09:00:00,,,\n")
    write(
        tmp_path / "messages.csv",
        "message_id,session_id,sender,sent_at,content\n"
        'M1,S1,customer,2026-10-05T09:00:05,"两行\n内容"\n'  # lines 2-3
        "M2,S9,customer,2026-10-05T09:00:06,孤儿\n"  # line 4: S9 does not exist
        "\n"
        "M3,S1,agent,2026-10-05T09:00:07,ok\n",  # line 6
    )
    result = run_import(store, [tmp_path], Config())
    assert where(result) == [("messages.csv", 4, "session_id", "message.orphan_session")]
    assert result.rejects[0].value == "S9"
    assert json.loads(result.rejects[0].raw or "{}")["message_id"] == "M2"
    assert [r["message_id"] for r in table_rows(store, "messages")] == ["M1", "M3"]
    summary = result.summaries["messages"]
    assert (summary.read, summary.inserted, summary.rejected) == (3, 2, 1)
    [stored] = stored_rejects(store)
    assert (stored["line"], stored["column"], stored["code"], stored["value"]) == (
        4,
        "session_id",
        "message.orphan_session",
        "S9",
    )


def test_message_may_refer_to_a_session_imported_earlier(store: Store, tmp_path: Path) -> None:
    write(tmp_path / "sessions.csv", SESSIONS_HEADER + "S1,web,2026-10-05T09:00:00,,,\n")
    run_import(store, [tmp_path / "sessions.csv"], Config())
    later = write(
        tmp_path / "m.csv",
        "message_id,session_id,sender,sent_at\nM1,S1,customer,2026-10-05T09:00:05\n",
    )
    result = run_import(store, [later], Config(), table="messages")
    assert result.rejects == []
    assert count(store, "messages") == 1


@pytest.mark.parametrize(
    ("content", "line"),
    [
        # 0xFF is invalid in UTF-8 and in GB18030
        (b"session_id,channel,created_at\nS1,web,2026-10-05T09:00:00\nS2,w\xffb,2026-10-05\n", 3),
        # GB18030 Chinese on line 2 (not UTF-8), the bad byte on line 4: line 4 is named
        (
            "session_id,channel,created_at,tags\nS1,web,2026-10-05T09:00:00,售前\n".encode(
                "gb18030"
            )
            + b"S2,web,2026-10-05T09:00:00,x\nS3,web,2026-10-05T09:00:00,\xff\n",
            4,
        ),
        # UTF-16 (Excel's "Unicode text"): not a supported encoding
        ("session_id,channel,created_at\nS1,web,2026-10-05T09:00:00\n".encode("utf-16"), 1),
    ],
    ids=["invalid-in-both", "gb18030-bad-byte", "utf-16"],
)
def test_wrong_encoding_is_a_file_reject(
    duck: Store, tmp_path: Path, content: bytes, line: int
) -> None:
    write(tmp_path / "sessions.csv", content)
    write(tmp_path / "agents.csv", "agent_id,name\nA1,王\n")  # another file still imports
    result = run_import(duck, [tmp_path], Config())
    assert where(result) == [("sessions.csv", line, None, "file.encoding")]
    assert count(duck, "sessions") == 0
    assert count(duck, "agents") == 1


def test_forced_wrong_encoding_is_a_file_reject_not_a_crash(duck: Store, tmp_path: Path):
    content = "session_id,channel,created_at,tags\nS1,web,2026-10-05T09:00:00,售前\n"
    write(tmp_path / "sessions.csv", content.encode("gb18030"))
    result = run_import(duck, [tmp_path / "sessions.csv"], Config(), encoding="utf-8")
    assert where(result) == [("sessions.csv", 2, None, "file.encoding")]
    assert count(duck, "sessions") == 0


def test_forced_encoding_reads_the_file(duck: Store, tmp_path: Path) -> None:
    content = "session_id,channel,created_at,tags\nS1,web,2026-10-05T09:00:00,售前\n"
    write(tmp_path / "sessions.csv", content.encode("gb18030"))
    result = run_import(duck, [tmp_path / "sessions.csv"], Config(), encoding="gb18030")
    assert result.rejects == []
    assert table_rows(duck, "sessions")[0]["tags"] == "售前"


@pytest.mark.parametrize("name", ["sessions.csv", "sessions.jsonl", "sessions.xlsx"])
def test_empty_file_is_a_file_reject(duck: Store, tmp_path: Path, name: str) -> None:
    write(tmp_path / name, b"")
    result = run_import(duck, [tmp_path / name], Config())
    assert where(result) == [(name, 1, None, "file.empty")]
    assert count(duck, "sessions") == 0


@pytest.mark.parametrize(
    "text", [SESSIONS_HEADER, SESSIONS_HEADER.strip(), SESSIONS_HEADER + "\n\n"]
)
def test_header_only_imports_nothing_without_error(duck: Store, tmp_path: Path, text: str):
    result = run_import(duck, [write(tmp_path / "sessions.csv", text)], Config())
    assert result.rejects == []
    assert not result.aborted
    summary = result.summaries["sessions"]
    assert (summary.read, summary.inserted, summary.rejected) == (0, 0, 0)
    assert count(duck, "sessions") == 0


def test_header_only_xlsx_and_empty_parquet(duck: Store, tmp_path: Path) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(tmp_path / "sessions.xlsx"))
    sheet = book.add_worksheet("sessions")
    for c, name in enumerate(["session_id", "channel", "created_at"]):
        sheet.write_string(0, c, name)
    book.close()
    schema = pa.schema([("agent_id", pa.string()), ("name", pa.string())])
    pq.write_table(schema.empty_table(), tmp_path / "agents.parquet")
    result = run_import(duck, [tmp_path], Config())
    assert result.rejects == []
    assert result.summaries["sessions"].read == 0
    assert result.summaries["agents"].read == 0


def test_bad_json_lines(duck: Store, tmp_path: Path) -> None:
    write(tmp_path / "sessions.csv", SESSIONS_HEADER + "S1,web,2026-10-05T09:00:00,,,\n")
    write(
        tmp_path / "messages.jsonl",
        '{"message_id": "M1", "session_id": "S1", "sender": "customer", '
        '"sent_at": "2026-10-05T09:00:05"}\n'  # 1
        '{"message_id": "M2", "session_id": \n'  # 2 broken JSON
        "\n"  # 3 blank
        '["M3", "S1"]\n'  # 4 valid JSON, not an object
        '{"message_id": "M4", "session_id": "S1", "sender": "robot", '
        '"sent_at": "2026-10-05T09:00:06"}\n'  # 5 unknown enum
        '{"message_id": "M5", "session_id": "S1", "sender": "agent", '
        '"sent_at": "2026-10-05T09:00:07", "content": "好的"}\n',  # 6
    )
    result = run_import(duck, [tmp_path], Config())
    assert where(result) == [
        ("messages.jsonl", 2, None, "row.json"),
        ("messages.jsonl", 4, None, "row.json_object"),
        ("messages.jsonl", 5, "sender", "value.enum"),
    ]
    assert [r["message_id"] for r in table_rows(duck, "messages")] == ["M1", "M5"]
    assert result.summaries["messages"].rejected == 3


def test_missing_required_column_in_header(duck: Store, tmp_path: Path) -> None:
    write(tmp_path / "sessions.csv", "session_id,channel\nS1,web\n")
    write(tmp_path / "agents.csv", "agent_id\nA1\n")
    result = run_import(duck, [tmp_path], Config())
    assert where(result) == [("sessions.csv", 1, "created_at", "file.missing_column")]
    assert count(duck, "sessions") == 0
    assert count(duck, "agents") == 1


def test_out_of_range_value(duck: Store, tmp_path: Path) -> None:
    write(tmp_path / "ratings.csv", "session_id,stars\nS1,5\nS2,6\nS3,0\nS4,four\nS5,2.5\n")
    result = run_import(duck, [tmp_path / "ratings.csv"], Config())
    assert where(result) == [
        ("ratings.csv", 3, "stars", "value.range"),
        ("ratings.csv", 4, "stars", "value.range"),
        ("ratings.csv", 5, "stars", "value.int"),
        ("ratings.csv", 6, "stars", "value.int"),
    ]
    assert [r["session_id"] for r in table_rows(duck, "ratings")] == ["S1"]


def test_xlsx_rejects_name_the_sheet_row(duck: Store, tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "sessions"
    sheet.append(["session_id", "channel", "created_at"])  # row 1
    sheet.append(["S1", "web", "2026-10-05T09:00:00"])  # row 2
    sheet.append([])  # row 3 empty
    sheet.append(["S2", "fax", "2026-10-05T09:00:00"])  # row 4
    sheet.append(["S3", "web", "yesterday"])  # row 5
    book.save(tmp_path / "sessions.xlsx")
    result = run_import(duck, [tmp_path / "sessions.xlsx"], Config())
    assert where(result) == [
        ("sessions.xlsx", 4, "channel", "value.enum"),
        ("sessions.xlsx", 5, "created_at", "value.timestamp"),
    ]
    assert session_ids(duck) == ["S1"]


def test_parquet_rejects_name_the_row_number(duck: Store, tmp_path: Path) -> None:
    data = pa.table(
        {
            "session_id": ["S1", None, "S3"],
            "channel": ["web", "web", "web"],
            "created_at": pa.array(
                [1_790_000_000_000_000, 1_790_000_000_000_000, None], pa.timestamp("us", "UTC")
            ),
        }
    )
    pq.write_table(data, tmp_path / "sessions.parquet")
    result = run_import(duck, [tmp_path / "sessions.parquet"], Config())
    assert where(result) == [
        ("sessions.parquet", 2, "session_id", "value.missing"),
        ("sessions.parquet", 3, "created_at", "value.missing"),
    ]
    assert session_ids(duck) == ["S1"]


def test_duplicate_composite_key(store: Store, tmp_path: Path) -> None:
    write(
        tmp_path / "agent_states.csv",
        "agent_id,state,started_at\n"
        "A1,idle,2026-10-05T09:00:00\n"  # 2
        "A1,busy,2026-10-05T09:00:00+08:00\n"  # 3: the same instant, so the same key
        "A1,busy,2026-10-05T09:00:01\n",  # 4
    )
    result = run_import(store, [tmp_path / "agent_states.csv"], Config())
    assert where(result) == [("agent_states.csv", 3, "agent_id", "key.duplicate")]
    assert result.rejects[0].params == {"first_line": 2}
    assert [r["state"] for r in table_rows(store, "agent_states")] == ["idle", "busy"]


def test_crlf_lines_and_trailing_blank_columns(duck: Store, tmp_path: Path) -> None:
    """A Windows/Excel export: CRLF line ends, a quoted CRLF inside a value, and every line
    ending in empty columns with blank header cells."""
    csv_file = write(
        tmp_path / "sessions.csv",
        "session_id,channel,created_at,tags,,\r\n"  # 1
        'S1,web,2026-10-05T09:00:00,"a\r\nb",,\r\n'  # 2-3
        "S2,fax,2026-10-05T09:00:00,,,\r\n"  # 4
        "\r\n"  # 5
        "S3,web,2026-10-05T09:00:00,, ,\r\n",  # 6
    )
    result = run_import(duck, [csv_file], Config())
    assert where(result) == [("sessions.csv", 4, "channel", "value.enum")]
    rows = table_rows(duck, "sessions")
    assert [r["session_id"] for r in rows] == ["S1", "S3"]
    assert rows[0]["tags"] == "a\r\nb"
    assert rows[0]["extra"] is None  # the blank columns are not extras


def test_blank_header_over_data_is_a_file_reject(duck: Store, tmp_path: Path) -> None:
    csv_file = write(tmp_path / "sessions.csv", "session_id,,created_at\nS1,x,2026-10-05\n")
    result = run_import(duck, [csv_file], Config())
    assert where(result) == [("sessions.csv", 1, None, "file.blank_header")]
    assert result.rejects[0].params == {"column": 2}


def test_duplicate_header_is_a_file_reject(duck: Store, tmp_path: Path) -> None:
    csv_file = write(tmp_path / "sessions.csv", "session_id,Channel,channel,created_at\n")
    result = run_import(duck, [csv_file], Config())
    assert where(result) == [("sessions.csv", 1, None, "file.duplicate_header")]
    assert result.rejects[0].params == {"columns": "channel"}


def test_tsv_file(duck: Store, tmp_path: Path) -> None:
    tsv = write(
        tmp_path / "sessions.tsv",
        "session_id\tchannel\tcreated_at\ttags\n"
        "S1\tweb\t2026-10-05T09:00:00\ta,b\n"
        "S2\tweb\tnope\t\n",
    )
    result = run_import(duck, [tsv], Config())
    assert where(result) == [("sessions.tsv", 3, "created_at", "value.timestamp")]
    assert table_rows(duck, "sessions")[0]["tags"] == "a,b"


def test_nul_character_in_text_is_rejected_on_every_backend(store: Store, tmp_path: Path):
    """PostgreSQL cannot store U+0000 in text (the whole import used to fail there)."""
    csv_file = write(
        tmp_path / "sessions.csv",
        b"session_id,created_at,tags\nS1,2026-10-05T09:00:00,a\x00b\nS2,2026-10-05T09:00:00,ok\n",
    )
    result = run_import(store, [csv_file], Config())
    assert where(result) == [("sessions.csv", 2, "tags", "value.text")]
    assert result.rejects[0].value == "a\\x00b"
    assert session_ids(store) == ["S2"]
    assert [r["value"] for r in stored_rejects(store)] == ["a\\x00b"]


def test_duplicate_key_in_an_otherwise_clean_file(duck: Store, tmp_path: Path) -> None:
    """No other bad row in the file (the duplicate check once matched nothing then, and the
    store's primary key aborted the whole import)."""
    csv_file = write(
        tmp_path / "agents.csv",
        "agent_id,name\nA1,first\nA2,other\nA1,second\nA1,third\n",
    )
    result = run_import(duck, [csv_file], Config())
    assert where(result) == [
        ("agents.csv", 4, "agent_id", "key.duplicate"),
        ("agents.csv", 5, "agent_id", "key.duplicate"),
    ]
    assert [r.params for r in result.rejects] == [{"first_line": 2}, {"first_line": 2}]
    assert [r["name"] for r in table_rows(duck, "agents")] == ["first", "other"]


def test_numbers_out_of_type_are_rejects_not_crashes(duck: Store, tmp_path: Path) -> None:
    """`1e20` in an int column once stopped the whole import (CAST, not TRY_CAST); `inf` and
    `nan` parse as DOUBLE but are no figure; `2.5` is no int; big integers stay exact."""
    write(
        tmp_path / "agents.csv",
        "agent_id,max_concurrency\n"
        "A1,1e20\n"  # 2: beyond BIGINT
        "A2,5\n"
        "A3,inf\n"  # 4
        "A4,9007199254740993\n"  # 2^53 + 1: exact, not rounded through DOUBLE
        "A5,3.0\n"
        "A6,2.5\n"  # 7
        "A7, 1e3 \n",
    )
    write(tmp_path / "qa_reviews.csv", "review_id,score\nR1,inf\nR2,NaN\nR3,97.5\nR4,-Infinity\n")
    result = run_import(duck, [tmp_path], Config())
    assert where(result) == [
        ("agents.csv", 2, "max_concurrency", "value.int"),
        ("agents.csv", 4, "max_concurrency", "value.int"),
        ("agents.csv", 7, "max_concurrency", "value.int"),
        ("qa_reviews.csv", 2, "score", "value.number"),
        ("qa_reviews.csv", 3, "score", "value.number"),
        ("qa_reviews.csv", 5, "score", "value.number"),
    ]
    assert [(r["agent_id"], r["max_concurrency"]) for r in table_rows(duck, "agents")] == [
        ("A2", 5),
        ("A4", 9007199254740993),
        ("A5", 3),
        ("A7", 1000),
    ]
    assert [r["score"] for r in table_rows(duck, "qa_reviews")] == [97.5]


def test_unclosed_quote_is_a_reject_not_silent_loss(duck: Store, tmp_path: Path) -> None:
    """A value that opens a quote and never closes it swallows every later line: the row is
    quarantined at the line where it starts instead of S3 vanishing inside S2's tags."""
    csv_file = write(
        tmp_path / "sessions.csv",
        "session_id,created_at,tags\n"
        "S1,2026-10-05T09:00:00,ok\n"
        'S2,2026-10-05T09:00:00,"broken\n'  # 3
        "S3,2026-10-05T09:00:00,ok\n",
    )
    result = run_import(duck, [csv_file], Config())
    assert where(result) == [("sessions.csv", 3, None, "row.unclosed_quote")]
    assert session_ids(duck) == ["S1"]
    # a legitimate multi-line last value is no problem
    write(csv_file, 'session_id,created_at,tags\nS4,2026-10-05T09:00:00,"a ""b""\nc"\n')
    result = run_import(duck, [csv_file], Config())
    assert result.rejects == []
    assert table_rows(duck, "sessions")[-1]["tags"] == 'a "b"\nc'


def test_xlsx_table_right_of_column_a_and_values_under_no_header(
    duck: Store, tmp_path: Path
) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "sessions"
    for cell, value in {
        "B3": "session_id",
        "C3": "channel",
        "D3": "created_at",
        "B4": "S1",
        "C4": "web",
        "D4": "2026-10-05T09:00:00",
        "B6": "S2",
        "C6": "fax",
        "D6": "2026-10-05T09:00:00",
    }.items():
        sheet[cell] = value
    book.save(tmp_path / "sessions.xlsx")
    result = run_import(duck, [tmp_path / "sessions.xlsx"], Config())
    assert where(result) == [("sessions.xlsx", 6, "channel", "value.enum")]
    assert session_ids(duck) == ["S1"]

    # a value in a column without a header would be lost: the file is refused instead
    sheet["F5"] = "stray"
    book.save(tmp_path / "sessions.xlsx")
    result = run_import(duck, [tmp_path / "sessions.xlsx"], Config())
    assert where(result) == [("sessions.xlsx", 3, None, "file.blank_header")]
    assert result.rejects[0].params == {"column": 6}


def test_xlsx_duplicate_header(duck: Store, tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["session_id", "created_at", "Created_At"])
    book.active.append(["S1", "2026-10-05T09:00:00", "2026-10-05T09:00:00"])
    book.save(tmp_path / "sessions.xlsx")
    result = run_import(duck, [tmp_path / "sessions.xlsx"], Config())
    assert where(result) == [("sessions.xlsx", 1, None, "file.duplicate_header")]
