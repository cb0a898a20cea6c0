"""The import: files → validated rows → one all-or-nothing transaction in the store.

Order of work:
1. plan: which file feeds which contract table (folder: `<table>.<ext>`), in contract order;
2. read and validate every file outside the transaction (nothing is written yet);
3. in ONE transaction: stage each file's good rows, quarantine orphans, count inserted /
   updated / unchanged by key, upsert, store every reject with its line, refresh the facts of
   the sessions touched, log the import. A crash anywhere leaves the store as it was.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa

from cskpi.config import Config
from cskpi.ingest.contract import Table, contract
from cskpi.ingest.readers import FORMATS, FileError, RawFile, read_file
from cskpi.ingest.validate import ROW, MissingColumns, Reject, Validated, store_columns, validate
from cskpi.metrics.facts import refresh_facts
from cskpi.store.base import NATIVE, Store

Progress = Callable[[str, Path, str], None]  # (table, file, step)
# A validated file: its rows, where they came from, and row position -> line number.
Load = tuple[Validated, Path, Callable[[list[int]], list[int]]]


class ImportError_(Exception):
    """A usage problem with the import itself (nothing was written)."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass
class Quarantined:
    """A reject as stored: where it came from and why."""

    file: str
    table: str
    line: int | None
    column: str | None
    code: str
    value: str | None = None
    params: dict[str, object] = field(default_factory=dict)
    raw: str | None = None


@dataclass
class TableSummary:
    table: str
    files: int = 0
    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0  # rows (a row with two broken rules counts once)


@dataclass
class ImportResult:
    import_id: int | None
    summaries: dict[str, TableSummary]
    rejects: list[Quarantined]
    aborted: bool = False  # --strict found problems, or nothing could be imported

    @property
    def rejected_rows(self) -> int:
        return sum(s.rejected for s in self.summaries.values())


class StrictAbort(Exception):
    """Raised inside the transaction so that --strict rolls everything back."""


def plan_files(paths: list[Path], table: str | None = None) -> list[tuple[Table, Path]]:
    """Which file feeds which table, in contract order (sessions before messages)."""
    tables = contract()
    if table is not None and table not in tables:
        raise ImportError_("import.unknown_table", table=table, allowed=", ".join(tables))
    planned: list[tuple[Table, Path]] = []
    for path in paths:
        if path.is_dir():
            found = [
                p
                for p in sorted(path.iterdir())
                if p.suffix.lower() in FORMATS and p.stem.lower() in tables
            ]
            if not found:
                raise ImportError_(
                    "import.empty_folder", folder=str(path), tables=", ".join(tables)
                )
            planned += [(tables[p.stem.lower()], p) for p in found]
        elif not path.exists():
            raise ImportError_("import.not_found", path=str(path))
        else:
            name = table or path.stem.lower()
            if name not in tables:
                raise ImportError_(
                    "import.table_of_file", path=str(path), allowed=", ".join(tables)
                )
            planned.append((tables[name], path))
    order = list(tables)
    return sorted(planned, key=lambda pair: order.index(pair[0].name))


def run_import(
    store: Store,
    paths: list[Path],
    config: Config,
    *,
    table: str | None = None,
    strict: bool = False,
    encoding: str | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    planned = plan_files(paths, table)
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise ImportError_("import.unknown_encoding", encoding=encoding) from None
    summaries = {t.name: TableSummary(t.name) for t, _ in planned}
    quarantined: list[Quarantined] = []
    loads: list[Load] = []

    for table_, path in planned:
        note = progress or (lambda *_: None)
        note(table_.name, path, "read")
        summary = summaries[table_.name]
        summary.files += 1
        try:
            raw = read_file(path, encoding)
            for problem in raw.problems:
                quarantined.append(
                    Quarantined(
                        str(path),
                        table_.name,
                        problem.line,
                        None,
                        problem.code,
                        None,
                        problem.params,
                        problem.raw,
                    )
                )
            summary.read += raw.data.num_rows + len(raw.problems)
            summary.rejected += len(raw.problems)
            note(table_.name, path, "validate")
            validated = validate(raw, table_, config.timezone)
        except FileError as error:
            quarantined.append(
                Quarantined(
                    str(path), table_.name, error.line, None, error.code, None, dict(error.params)
                )
            )
            continue
        except MissingColumns as error:
            quarantined.append(
                Quarantined(
                    str(path),
                    table_.name,
                    1,
                    error.columns[0],
                    "file.missing_column",
                    params={"columns": ", ".join(error.columns), "found": ", ".join(error.found)},
                )
            )
            continue
        rows = sorted(
            {r.row for r in validated.rejects}
            | {int(r.params["first_row"]) for r in validated.rejects if "first_row" in r.params}
        )
        line_by_row = dict(zip(rows, raw.line_of(rows), strict=True))
        for reject in validated.rejects:
            if "first_row" in reject.params:
                reject.params = {"first_line": line_by_row[int(reject.params["first_row"])]}
            quarantined.append(_quarantined(reject, path, table_.name, line_by_row[reject.row]))
        summary.rejected += len({r.row for r in validated.rejects})
        loads.append((validated, path, raw.line_of))

    if strict and quarantined:
        return ImportResult(None, summaries, quarantined, aborted=True)
    files = [str(p) for _, p in planned]
    return load_validated(store, loads, summaries, quarantined, config, files,
                          strict=strict, progress=progress)



def load_validated(
    store: Store,
    loads: list[Load],
    summaries: dict[str, TableSummary],
    quarantined: list[Quarantined],
    config: Config,
    files: list[str],
    *,
    strict: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Step 3 of the import: write already validated rows in ONE transaction (upsert by key,
    quarantine, facts of the touched sessions, import log). The file import and the HTTP
    events endpoint (cskpi.web) both end here."""
    try:
        with store.transaction():
            import_id = _begin(store)
            touched_sessions = False
            store.execute("DROP TABLE IF EXISTS _affected")
            store.execute("CREATE TEMP TABLE _affected (session_id VARCHAR)")
            for validated, path, line_of in loads:
                (progress or (lambda *_: None))(validated.table.name, path, "load")
                orphans = _upsert(store, validated, summaries[validated.table.name])
                if orphans:
                    lines = line_of([row for row, _ in orphans])
                    for (row, session_id), line in zip(orphans, lines, strict=True):
                        quarantined.append(
                            Quarantined(
                                str(path),
                                validated.table.name,
                                line,
                                "session_id",
                                "message.orphan_session",
                                session_id,
                                {},
                                _raw_of(validated, row),
                            )
                        )
                    summaries[validated.table.name].rejected += len(orphans)
                    if strict:
                        raise StrictAbort
                touched_sessions |= validated.table.name in ("sessions", "messages")
            _store_rejects(store, import_id, quarantined)
            _mark_supplied(store, {v.table.name for v, _, _ in loads})
            if touched_sessions:
                refresh_facts(store, config.thresholds, "_affected", config.business_hours)
            _finish(store, import_id, files, summaries)
    except StrictAbort:
        return ImportResult(None, summaries, quarantined, aborted=True)
    return ImportResult(import_id, summaries, quarantined)


def import_records(
    store: Store, records: dict[str, list[dict[str, object]]], config: Config, source: str
) -> ImportResult:
    """Import records given as JSON-like dicts per contract table (the HTTP events API):
    the same validation, upsert by key, quarantine and facts refresh as a file import.
    A record's "line" is its 1-based position in its table's list."""
    tables = contract()
    unknown = [name for name in records if name not in tables]
    if unknown:
        raise ImportError_("import.unknown_table", table=", ".join(unknown),
                           allowed=", ".join(tables))
    order = list(tables)
    summaries: dict[str, TableSummary] = {}
    quarantined: list[Quarantined] = []
    loads: list[Load] = []
    for name in sorted(records, key=order.index):
        rows = records[name]
        if not rows:
            continue
        table_ = tables[name]
        summary = summaries[name] = TableSummary(name, files=1, read=len(rows))
        path = Path(f"{source}:{name}")
        columns = list(dict.fromkeys(str(k) for row in rows for k in row))
        data = pa.table({c: pa.array([_text(row.get(c)) for row in rows], pa.string())
                         for c in columns})
        raw = RawFile(path, "json", data, [], lambda positions: [p + 1 for p in positions])
        try:
            validated = validate(raw, table_, config.timezone)
        except MissingColumns as error:
            quarantined.append(Quarantined(
                str(path), name, 1, error.columns[0], "file.missing_column",
                params={"columns": ", ".join(error.columns), "found": ", ".join(error.found)}))
            summary.rejected += len(rows)
            continue
        for reject in validated.rejects:
            if "first_row" in reject.params:
                reject.params = {"first_line": int(str(reject.params["first_row"])) + 1}
            quarantined.append(_quarantined(reject, path, name, reject.row + 1))
        summary.rejected += len({r.row for r in validated.rejects})
        loads.append((validated, path, raw.line_of))
    return load_validated(store, loads, summaries, quarantined, config,
                          [f"{source}:{name}" for name in summaries])


def _text(value: object) -> str | None:
    """A JSON value as the text a CSV cell would hold (validation types it)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _quarantined(reject: Reject, path: Path, table: str, line: int) -> Quarantined:
    return Quarantined(
        str(path), table, line, reject.column, reject.code, reject.value, reject.params, reject.raw
    )


def _raw_of(validated: Validated, row: int) -> str | None:
    rows = (
        validated.rows.filter(validated.rows[ROW].to_numpy() == row).drop_columns([ROW]).to_pylist()
    )
    return json.dumps(rows[0], ensure_ascii=False, default=str) if rows else None


def _begin(store: Store) -> int:
    if store.dialect == "postgres":
        # Two imports at once on a server: the second waits instead of racing for ids.
        store.execute(NATIVE + "LOCK TABLE cskpi_imports IN EXCLUSIVE MODE")
    (last,) = store.fetchall("SELECT COALESCE(MAX(import_id), 0) FROM cskpi_imports")[0]
    import_id = int(last) + 1
    store.execute(
        "INSERT INTO cskpi_imports (import_id, started_at, status) VALUES (?, ?, ?)",
        (import_id, datetime.now(UTC).replace(tzinfo=None), "running"),
    )
    return import_id


def _default_message_agents(store: Store) -> None:
    """The contract: an agent message's agent_id defaults to its session's agent. Filled in
    the stage, before the comparison, so a re-import of the same file stays unchanged."""
    store.execute("DROP TABLE IF EXISTS _message_agents")
    store.execute(
        "CREATE TEMP TABLE _message_agents AS SELECT m.message_id, s.agent_id FROM _stage m "
        "JOIN sessions s ON s.session_id = m.session_id "
        "WHERE m.agent_id IS NULL AND m.sender = 'agent' AND s.agent_id IS NOT NULL"
    )
    store.update_from("_stage", "_message_agents", ["message_id"], ["agent_id"])
    store.execute("DROP TABLE _message_agents")


def _upsert(store: Store, validated: Validated, summary: TableSummary) -> list[tuple[int, str]]:
    """Load one file's good rows by key; returns orphan messages as (row, session_id)."""
    table = validated.table
    name = f'"{table.name}"'
    store.load_temp("_stage", validated.rows)
    orphans: list[tuple[int, str]] = []
    if table.name == "messages":
        orphans = [
            (int(r), str(s))
            for r, s in store.fetchall(
                f"SELECT {ROW}, session_id FROM _stage WHERE session_id NOT IN "
                f"(SELECT session_id FROM sessions) ORDER BY {ROW}"
            )
        ]
        if orphans:
            store.execute(
                "DELETE FROM _stage WHERE session_id NOT IN (SELECT session_id FROM sessions)"
            )
        _default_message_agents(store)
    columns = store_columns(table)
    keys = " AND ".join(f't."{k}" = s."{k}"' for k in table.key)
    differs = " OR ".join(
        f't."{c}" IS DISTINCT FROM s."{c}"' for c in columns if c not in table.key
    )
    store.execute("DROP TABLE IF EXISTS _changed")
    store.execute(
        f"CREATE TEMP TABLE _changed AS SELECT s.* FROM _stage s JOIN {name} t "
        f"ON {keys} WHERE {differs}"
    )
    # One query for the three counts (keys are unique in the table and in the stage).
    found = f't."{table.key[0]}" IS NOT NULL'
    staged, existing, updated = store.fetchall(
        f"SELECT COUNT(*), COALESCE(SUM(CASE WHEN {found} THEN 1 ELSE 0 END), 0), "
        f"COALESCE(SUM(CASE WHEN {found} AND ({differs}) THEN 1 ELSE 0 END), 0) "
        f"FROM _stage s LEFT JOIN {name} t ON {keys}"
    )[0]
    if table.name == "sessions":
        store.execute(
            "INSERT INTO _affected SELECT session_id FROM _stage s WHERE NOT EXISTS "
            f"(SELECT 1 FROM {name} t WHERE {keys})"
        )
        store.execute("INSERT INTO _affected SELECT session_id FROM _changed")
    elif table.name == "messages":
        store.execute(
            "INSERT INTO _affected SELECT session_id FROM _stage s WHERE NOT EXISTS "
            f"(SELECT 1 FROM {name} t WHERE {keys})"
        )
        store.execute("INSERT INTO _affected SELECT session_id FROM _changed")
        # A message moved to another session changes its old session too.
        store.execute(
            f"INSERT INTO _affected SELECT t.session_id FROM {name} t JOIN _changed s ON {keys}"
        )
    # UPDATE by key + INSERT of new keys; on Spark a rewrite of the table (see Store.upsert).
    store.upsert(table.name, "_stage", "_changed", list(table.key), columns)
    summary.inserted += int(staged) - int(existing)
    summary.updated += int(updated)
    summary.unchanged += int(existing) - int(updated)
    store.execute("DROP TABLE _changed")
    store.execute("DROP TABLE _stage")
    return orphans


def _mark_supplied(store: Store, tables: set[str]) -> None:
    """Remember which tables were ever supplied: an imported file with no rows still tells
    that the export has that table (its figures are then 0, not "unknown")."""
    for name in sorted(tables):
        store.execute('DELETE FROM cskpi_meta WHERE "key" = ?', (f"supplied:{name}",))
        store.execute('INSERT INTO cskpi_meta ("key", "value") VALUES (?, ?)',
                      (f"supplied:{name}", "1"))


REJECT_COLUMNS = pa.schema(
    [("import_id", pa.int64()), ("file", pa.string()), ("table", pa.string()),
     ("line", pa.int64()), ("column", pa.string()), ("code", pa.string()),
     ("value", pa.string()), ("params", pa.string()), ("raw", pa.string())]
)  # fmt: skip


def _store_rejects(store: Store, import_id: int, rejects: list[Quarantined]) -> None:
    """All rejects in one statement (one staged table, not one INSERT per reject)."""
    if not rejects:
        return
    rows = pa.Table.from_pylist(
        [
            {
                "import_id": import_id,
                "file": r.file,
                "table": r.table,
                "line": r.line,
                "column": r.column,
                "code": r.code,
                "value": None if r.value is None else str(r.value),
                "params": json.dumps(r.params, ensure_ascii=False, default=str),
                "raw": r.raw,
            }
            for r in rejects
        ],
        schema=REJECT_COLUMNS,
    )
    store.load_temp("_rejects", rows)
    names = ", ".join(f'"{n}"' for n in REJECT_COLUMNS.names)
    store.execute(f"INSERT INTO cskpi_rejects ({names}) SELECT {names} FROM _rejects")
    store.execute("DROP TABLE _rejects")


def _finish(
    store: Store,
    import_id: int,
    files: list[str],
    summaries: dict[str, TableSummary],
) -> None:
    summary = {name: vars(s) for name, s in summaries.items()}
    store.execute(
        "UPDATE cskpi_imports SET finished_at = ?, files = ?, summary = ?, status = ? "
        "WHERE import_id = ?",
        (
            datetime.now(UTC).replace(tzinfo=None),
            json.dumps(files, ensure_ascii=False),
            json.dumps(summary, ensure_ascii=False),
            "done",
            import_id,
        ),
    )
