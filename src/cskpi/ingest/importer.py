"""The import: files → validated rows → one all-or-nothing transaction in the store.

Order of work:
1. plan: which file feeds which contract table (folder: `<table>.<ext>`), in contract order;
2. in ONE transaction, file by file: read and validate it batch by batch into a staging
   table (memory stays bounded whatever the file's size), quarantine keys repeated in the
   file and orphan messages, count inserted / updated / unchanged by key, upsert;
3. still in it: store every reject with its line, refresh the facts of the sessions touched,
   log the import. A crash anywhere, or --strict finding a problem, leaves the store as it
   was.
"""

from __future__ import annotations

import codecs
import functools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa

from cskpi.config import Config
from cskpi.ingest.contract import Table, contract
from cskpi.ingest.readers import FORMATS, FileError, RawFile, read_file
from cskpi.ingest.validate import ROW, MissingColumns, Reject, row_json, store_columns, validate
from cskpi.metrics.facts import refresh_facts
from cskpi.store.base import NATIVE, Store

Progress = Callable[[str, Path, str], None]  # (table, file, step)


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
    sources = [
        Source(table_, path, functools.partial(read_file, path, encoding))
        for table_, path in planned
    ]
    summaries = {t.name: TableSummary(t.name) for t, _ in planned}
    files = [str(p) for _, p in planned]
    return _load(store, sources, summaries, config, files, strict=strict, progress=progress)


@dataclass
class Source:
    """One file (or one table of records) to import, opened only when its turn comes."""

    table: Table
    path: Path
    open: Callable[[], RawFile]


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
    sources: list[Source] = []
    for name in sorted(records, key=order.index):
        rows = records[name]
        if not rows:
            continue
        path = Path(f"{source}:{name}")
        columns = list(dict.fromkeys(str(k) for row in rows for k in row))
        data = pa.table({c: pa.array([_text(row.get(c)) for row in rows], pa.string())
                         for c in columns})
        raw = RawFile.whole(path, "json", data, [], lambda positions: [p + 1 for p in positions])
        sources.append(Source(tables[name], path, _already_read(raw)))
    summaries = {s.table.name: TableSummary(s.table.name) for s in sources}
    return _load(store, sources, summaries, config, [str(s.path) for s in sources])


def _already_read(raw: RawFile) -> Callable[[], RawFile]:
    return lambda: raw


def _load(
    store: Store,
    sources: list[Source],
    summaries: dict[str, TableSummary],
    config: Config,
    files: list[str],
    *,
    strict: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Read, validate and write every source in ONE transaction: each file is validated batch
    by batch into a staging table (so a file of any size streams through bounded memory),
    checked for keys repeated across the file, and upserted by key; then the quarantine, the
    facts of the touched sessions and the import log. Any exception, --strict finding a
    problem included, rolls all of it back."""
    quarantined: list[Quarantined] = []
    note = progress or (lambda *_: None)
    try:
        with store.transaction():
            import_id = _begin(store)
            store.execute("DROP TABLE IF EXISTS _affected")
            store.execute("CREATE TEMP TABLE _affected (session_id VARCHAR)")
            supplied: set[str] = set()
            for source in sources:
                name = source.table.name
                summary = summaries[name]
                summary.files += 1
                line_of = _stage(store, source, config.timezone, summary, quarantined, note)
                if strict and quarantined:
                    raise StrictAbort
                if line_of is None:
                    continue  # the whole file was rejected
                note(name, source.path, "load")
                orphans = _upsert(store, source.table, summary)
                for (_, session_id, raw), line in zip(
                    orphans, line_of([row for row, _, _ in orphans]), strict=True
                ):
                    quarantined.append(Quarantined(
                        str(source.path), name, line, "session_id", "message.orphan_session",
                        session_id, {}, raw))
                summary.rejected += len(orphans)
                if strict and orphans:
                    raise StrictAbort
                supplied.add(name)
            _store_rejects(store, import_id, quarantined)
            _mark_supplied(store, supplied)
            if supplied & {"sessions", "messages"}:
                refresh_facts(store, config.thresholds, "_affected", config.business_hours)
            _finish(store, import_id, files, summaries)
    except StrictAbort:
        return ImportResult(None, summaries, quarantined, aborted=True)
    return ImportResult(import_id, summaries, quarantined)


def _stage(
    store: Store,
    source: Source,
    tz: str,
    summary: TableSummary,
    quarantined: list[Quarantined],
    note: Progress,
) -> Callable[[list[int]], list[int]] | None:
    """Validate one source batch by batch into temp table `_stage`, then quarantine the
    repeats of a key; returns the row → line mapper, or None when the whole file is rejected
    (nothing of it is staged then)."""
    table, path = source.table, source.path
    rejects: list[Reject] = []
    rows = 0
    note(table.name, path, "read")
    try:
        raw = source.open()
        for batch in raw.batches:
            note(table.name, path, "validate")
            validated = validate(batch, table, tz, first_row=rows)
            rows += batch.num_rows
            if rows == batch.num_rows:
                store.load_temp("_stage", validated.rows, large=True)
            else:
                store.append_temp("_stage", validated.rows)
            rejects += validated.rejects
    except FileError as error:
        store.execute("DROP TABLE IF EXISTS _stage")
        quarantined.append(Quarantined(
            str(path), table.name, error.line, None, error.code, None, dict(error.params)))
        return None
    except MissingColumns as error:
        store.execute("DROP TABLE IF EXISTS _stage")
        quarantined.append(Quarantined(
            str(path), table.name, 1, error.columns[0], "file.missing_column",
            params={"columns": ", ".join(error.columns), "found": ", ".join(error.found)}))
        return None
    rejects += _repeated_keys(store, table)
    for problem in raw.problems:
        quarantined.append(Quarantined(str(path), table.name, problem.line, None, problem.code,
                                       None, problem.params, problem.raw))
    summary.read += rows + len(raw.problems)
    summary.rejected += len(raw.problems) + len({r.row for r in rejects})
    numbered = sorted({r.row for r in rejects}
                      | {int(str(r.params["first_row"])) for r in rejects
                         if "first_row" in r.params})
    line_by_row = dict(zip(numbered, raw.line_of(numbered), strict=True))
    for reject in rejects:
        if "first_row" in reject.params:
            reject.params = {"first_line": line_by_row[int(str(reject.params["first_row"]))]}
        quarantined.append(_quarantined(reject, path, table.name, line_by_row[reject.row]))
    return raw.line_of


def _repeated_keys(store: Store, table: Table) -> list[Reject]:
    """The same key twice in one file: the first occurrence wins, later ones are quarantined
    (and leave the stage). Only the keys that repeat go through the window."""
    keys = ", ".join(f'"{k}"' for k in table.key)
    staged_keys = ", ".join(f's."{k}"' for k in table.key)
    same = " AND ".join(f's."{k}" = d."{k}"' for k in table.key)
    store.execute("DROP TABLE IF EXISTS _repeats")
    store.execute(
        f"CREATE TEMP TABLE _repeats AS SELECT {ROW}, first_row FROM ("
        f"SELECT s.{ROW}, MIN(s.{ROW}) OVER (PARTITION BY {staged_keys}) AS first_row "
        f"FROM _stage s JOIN (SELECT {keys} FROM _stage GROUP BY {keys} "
        f"HAVING COUNT(*) > 1) d ON {same}) w WHERE {ROW} <> first_row"
    )
    repeats = _staged_rows(store, table, "_repeats", "first_row")
    store.execute(f"DELETE FROM _stage WHERE {ROW} IN (SELECT {ROW} FROM _repeats)")
    store.execute("DROP TABLE _repeats")
    return [Reject(row, table.key[0], "key.duplicate", None, {"first_row": first}, raw=raw)
            for row, first, raw in repeats]


def _staged_rows(
    store: Store, table: Table, listed: str, column: str
) -> list[tuple[int, object, str]]:
    """(row, `column` of temp table `listed`, the staged row as JSON) for each row number in
    `listed`, in row order: the quarantine keeps the whole row, so nothing is lost."""
    twins = {c.name + "_local" for c in table.columns if c.type == "timestamp" and c.local}
    found = store.arrow(
        f'SELECT l.{ROW} AS "__listed_row", l."{column}" AS "__listed_value", s.* '
        f"FROM {listed} l JOIN _stage s ON s.{ROW} = l.{ROW} ORDER BY l.{ROW}"
    ).to_pylist()
    return [
        (int(record["__listed_row"]), record["__listed_value"],
         row_json({k: v for k, v in record.items()
                   if not k.startswith("__") and k not in twins}))
        for record in found
    ]


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


def _upsert(store: Store, table: Table, summary: TableSummary) -> list[tuple[int, str, str]]:
    """Write the staged rows by key; returns orphan messages as (row, session_id, row JSON)."""
    name = f'"{table.name}"'
    orphans: list[tuple[int, str, str]] = []
    if table.name == "messages":
        store.execute("DROP TABLE IF EXISTS _orphans")
        store.execute(
            f"CREATE TEMP TABLE _orphans AS SELECT {ROW}, session_id FROM _stage "
            "WHERE session_id NOT IN (SELECT session_id FROM sessions)"
        )
        orphans = [(row, str(session_id), raw) for row, session_id, raw
                   in _staged_rows(store, table, "_orphans", "session_id")]
        if orphans:
            store.execute(f"DELETE FROM _stage WHERE {ROW} IN (SELECT {ROW} FROM _orphans)")
        store.execute("DROP TABLE _orphans")
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
    if table.name in ("sessions", "messages"):
        # The sessions whose facts change: those of new and changed rows (a message moved to
        # another session changes its old session too). Each once: a message file names its
        # session millions of times.
        moved = ("" if table.name == "sessions" else
                 f" UNION SELECT t.session_id FROM {name} t JOIN _changed s ON {keys}")
        store.execute(
            "INSERT INTO _affected SELECT session_id FROM _stage s WHERE NOT EXISTS "
            f"(SELECT 1 FROM {name} t WHERE {keys}) "
            f"UNION SELECT session_id FROM _changed{moved}"
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
