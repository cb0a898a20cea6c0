"""Validation: apply the contract's rules to a file's rows, vectorised in an in-memory DuckDB.

Input is one batch of a :class:`~cskpi.ingest.readers.RawFile` (text columns, or typed
Parquet columns).
Output is the rows in the store's types, ready to load, and one :class:`Reject` per broken
rule. Nothing is dropped: a row either comes out typed or is quarantined with its reason.

The SQL here is a fixed template filled with the contract's own column names (trusted); a
user's header names only ever appear quoted by :func:`quote`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from cskpi.ingest.contract import Column, Table

TRUE_WORDS = ("true", "t", "1", "yes", "y", "是", "真")
FALSE_WORDS = ("false", "f", "0", "no", "n", "否", "假")
STORE_TYPES = {
    "text": "VARCHAR",
    "enum": "VARCHAR",
    "bool": "BOOLEAN",
    "int": "BIGINT",
    "number": "DOUBLE",
    "decimal": "DECIMAL(18,4)",
    "timestamp": "TIMESTAMP",
    "date": "DATE",
    "time": "TIME",
}
ROW = "__row"


class MissingColumns(Exception):
    """The file lacks columns that every row needs (a whole-file error)."""

    def __init__(self, columns: list[str], found: list[str]) -> None:
        super().__init__(", ".join(columns))
        self.columns = columns
        self.found = found


@dataclass
class Reject:
    """One broken rule in one row: what the quarantine stores and `cskpi rejects` shows."""

    row: int  # position in the file's data, mapped to a line number by the reader
    column: str | None
    code: str
    value: str | None
    params: dict[str, object] = field(default_factory=dict)
    raw: str | None = None  # the whole row as JSON, so nothing is lost
    line: int | None = None


@dataclass
class Validated:
    table: Table
    rows: pa.Table  # contract columns in store types, `<ts>_local` twins, `extra`, `__row`
    rejects: list[Reject]
    present: list[str]  # contract columns the file had


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@cache
def _engine() -> duckdb.DuckDBPyConnection:
    """One in-memory DuckDB for validation; each file gets its own cursor (own session,
    time zone and registered inputs). Opening a new database per file cost ~50 ms."""
    return duckdb.connect()


def validate(batch: pa.Table, table: Table, tz: str, first_row: int = 0) -> Validated:
    """Type every value of one batch of a file's rows, check every rule that a row can break
    on its own, and split good rows from rejects. Rows are numbered from `first_row` (their
    position in the whole file). A key repeated across the file is the importer's check: it
    needs all of the file's rows (cskpi.ingest.importer)."""
    names = batch.column_names
    missing = [c.name for c in table.columns if c.required and c.name not in names]
    if missing:
        raise MissingColumns(missing, names)
    present = [c.name for c in table.columns if c.name in names]
    extras = [n for n in names if n not in table.column_names and n != ROW]

    con = _engine().cursor()  # a fresh session on a shared in-memory engine (cheap)
    try:
        # Text without an offset is local time of the center: the session time zone does that.
        con.execute(f"SET TimeZone = {literal(tz)}")
        numbers = pa.array(range(first_row, first_row + batch.num_rows), pa.int64())
        con.register("raw_input", batch.append_column(ROW, numbers))
        typed = con.sql(_typed_sql(table, batch.schema, extras)).to_arrow_table()
        rejects = _rejects(con, typed, table) if typed.num_rows else []
    finally:
        con.close()

    _attach_raw_rows(batch, rejects, first_row)
    error_columns = [n for n in typed.column_names if n.startswith("__err_")]
    rows = typed.drop_columns(error_columns)
    bad_rows = sorted({r.row for r in rejects})
    if bad_rows:
        rows = rows.filter(pc.invert(pc.is_in(rows[ROW], pa.array(bad_rows, pa.int64()))))
    rows = _with_all_columns(rows, table)
    return Validated(table, rows, rejects, present)


def _typed_sql(table: Table, schema: pa.Schema, extras: list[str]) -> str:
    """One SELECT that yields each contract column typed plus an error code per column."""
    selects: list[str] = [ROW]
    errors: list[str] = []
    for column in table.columns:
        if column.name not in schema.names:
            # An absent optional column: its default, or a typed null.
            selects.append(
                f"CAST({_default_sql(column)} AS {STORE_TYPES[column.type]}) AS "
                f"{quote(column.name)}"
            )
            if column.type == "timestamp" and column.local:
                selects.append(f"CAST(NULL AS TIMESTAMP) AS {quote(column.name + '_local')}")
            continue
        is_text = pa.types.is_string(schema.field(column.name).type) or pa.types.is_large_string(
            schema.field(column.name).type
        )
        value, error = _column_sql(column, is_text)
        selects.append(f"{value} AS {quote(column.name)}")
        errors.append(f"{error} AS {quote('__err_' + column.name)}")
        if column.type == "timestamp" and column.local:
            source = (
                quote(column.name) if not is_text else f"NULLIF(TRIM({quote(column.name)}), '')"
            )
            selects.append(
                f"CAST(TRY_CAST({source} AS TIMESTAMPTZ) AS TIMESTAMP) AS "
                f"{quote(column.name + '_local')}"
            )
    if extras:
        # An empty cell is null in every format (CSV has no null, JSON and Parquet do).
        pairs = ", ".join(f"{literal(n)}, NULLIF(CAST({quote(n)} AS VARCHAR), '')" for n in extras)
        selects.append(f"CAST(json_object({pairs}) AS VARCHAR) AS extra")
    else:
        selects.append("CAST(NULL AS VARCHAR) AS extra")
    return f"SELECT {', '.join(selects + errors)} FROM raw_input"


def _column_sql(column: Column, is_text: bool) -> tuple[str, str]:
    """(typed value expression, error-code expression) for one column."""
    name = quote(column.name)
    if is_text:
        text = f"NULLIF(TRIM({name}), '')"
        empty = f"({text} IS NULL)"
    else:
        text = f"CAST({name} AS VARCHAR)"
        empty = f"({name} IS NULL)"
    kind = column.type
    if kind == "text":
        value = text if is_text else f"CAST({name} AS VARCHAR)"
    elif kind == "enum":
        words = ", ".join(literal(v) for v in column.values)
        lowered = f"LOWER({text})"
        value = f"CASE WHEN {lowered} IN ({words}) THEN {lowered} END"
    elif kind == "bool":
        if is_text:
            true_words = ", ".join(literal(w) for w in TRUE_WORDS)
            false_words = ", ".join(literal(w) for w in FALSE_WORDS)
            value = (
                f"CASE WHEN LOWER({text}) IN ({true_words}) THEN TRUE "
                f"WHEN LOWER({text}) IN ({false_words}) THEN FALSE END"
            )
        else:
            value = f"TRY_CAST({name} AS BOOLEAN)"
    elif kind == "int":
        source = text if is_text else name
        as_double = f"TRY_CAST({source} AS DOUBLE)"
        # A whole number only (`2.5` is a reject, `3.0` and `1e3` are fine); exact beyond 2^53
        # when written as an integer; beyond BIGINT (`1e20`) a reject, not an error that
        # stops the import (TRY_CAST, never CAST).
        value = (
            f"CASE WHEN {as_double} = FLOOR({as_double}) THEN "
            f"COALESCE(TRY_CAST({source} AS BIGINT), TRY_CAST({as_double} AS BIGINT)) END"
        )
    elif kind == "number":
        as_double = f"TRY_CAST({text if is_text else name} AS DOUBLE)"
        # `inf` and `nan` parse as DOUBLE but are no figure a metric can use.
        value = f"CASE WHEN isfinite({as_double}) THEN {as_double} END"
    elif kind == "timestamp":
        source = text if is_text else name
        value = f"CAST(TRY_CAST({source} AS TIMESTAMPTZ) AT TIME ZONE 'UTC' AS TIMESTAMP)"
    else:
        value = f"TRY_CAST({text if is_text else name} AS {STORE_TYPES[kind]})"

    if column.default is not None:
        typed_value = f"CASE WHEN {empty} THEN {_default_sql(column)} ELSE {value} END"
    else:
        typed_value = value

    checks = []
    if column.required and column.default is None:
        checks.append(f"WHEN {empty} THEN 'value.missing'")
    checks.append(f"WHEN NOT {empty} AND ({value}) IS NULL THEN 'value.{kind}'")
    if kind == "text":
        # A NUL character: DuckDB would keep it, PostgreSQL cannot store it in text at all.
        checks.append(f"WHEN strpos({text}, chr(0)) > 0 THEN 'value.text'")
    if column.min is not None:
        checks.append(f"WHEN ({value}) < {column.min} THEN 'value.range'")
    if column.max is not None:
        checks.append(f"WHEN ({value}) > {column.max} THEN 'value.range'")
    return f"CAST({typed_value} AS {STORE_TYPES[kind]})", f"CASE {' '.join(checks)} END"


def _default_sql(column: Column) -> str:
    if column.default is None:
        return "NULL"
    if isinstance(column.default, bool):
        return "TRUE" if column.default else "FALSE"
    if isinstance(column.default, str):
        return literal(column.default)
    return str(column.default)


def _rejects(con: duckdb.DuckDBPyConnection, typed: pa.Table, table: Table) -> list[Reject]:
    """Collect every broken rule of single rows: per-column errors, time order."""
    con.register("typed_rows", typed)
    found: list[Reject] = []

    # 1. values that break their column's rule (one query for all columns)
    checked = [c for c in table.columns if "__err_" + c.name in typed.column_names]
    parts = [
        f"SELECT {i} AS k, t.{ROW}, t.{quote('__err_' + c.name)} AS code, "
        f"CAST(r.{quote(c.name)} AS VARCHAR) AS value "
        f"FROM typed_rows t JOIN raw_input r USING ({ROW}) "
        f"WHERE t.{quote('__err_' + c.name)} IS NOT NULL"
        for i, c in enumerate(checked)
    ]
    if parts:
        for k, row, code, value in con.sql(
            " UNION ALL ".join(parts) + f" ORDER BY k, {ROW}"
        ).fetchall():
            column = checked[k]
            found.append(Reject(row, column.name, code, visible(value), _params(column, code)))
    # 2. times out of order (end before start)
    for later, earlier in table.order:
        if later in typed.column_names and earlier in typed.column_names:
            for row, late, early in con.sql(
                f"SELECT {ROW}, CAST({quote(later)} AS VARCHAR), CAST({quote(earlier)} AS VARCHAR) "
                f"FROM typed_rows WHERE {quote(later)} < {quote(earlier)} ORDER BY {ROW}"
            ).fetchall():
                found.append(
                    Reject(
                        row,
                        later,
                        "value.order",
                        late,
                        {"earlier": earlier, "earlier_value": early},
                    )
                )
    return found


def _attach_raw_rows(data: pa.Table, rejects: list[Reject], first_row: int) -> None:
    """Keep each rejected row whole (as JSON) in the quarantine, so nothing is lost."""
    rows = sorted({r.row for r in rejects})
    if not rows:
        return
    positions = pa.array([row - first_row for row in rows], pa.int64())
    as_json = {
        row: row_json(values)
        for row, values in zip(rows, data.take(positions).to_pylist(), strict=True)
    }
    for reject in rejects:
        reject.raw = as_json[reject.row]


def _params(column: Column, code: str) -> dict[str, object]:
    if code == "value.enum":
        return {"allowed": ", ".join(column.values)}
    if code == "value.range":
        return {"min": column.min, "max": column.max}
    return {"type": column.type}


def _with_all_columns(rows: pa.Table, table: Table) -> pa.Table:
    """The store's column order (the SELECT already typed every column, absent ones too)."""
    return rows.select([ROW, *store_columns(table)])


def store_columns(table: Table) -> list[str]:
    """The stored columns of a contract table, in order."""
    names: list[str] = []
    for column in table.columns:
        names.append(column.name)
        if column.type == "timestamp" and column.local:
            names.append(column.name + "_local")
    return [*names, "extra"]


def visible(text: str | None) -> str | None:
    """Quarantined text without NUL characters (PostgreSQL text cannot hold them)."""
    return None if text is None else text.replace("\x00", "\\x00")


def row_json(values: dict[str, object]) -> str:
    return json.dumps(values, ensure_ascii=False, default=str)
