"""Writes contract tables to a folder as `<table>.<ext>` (csv, parquet, jsonl, xlsx).

Parquet keeps the Arrow types (UTC timestamps, date32, decimal). The text formats write
timestamps as ISO 8601 strings with the offset, in local time of the center's zone (taken
from the table metadata the generator sets, or `tz`), e.g. `2026-10-05T09:12:33+08:00`.
Empty optional values are empty CSV cells, JSON `null`s and blank XLSX cells.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from cskpi.demo.clock import local_iso_strings
from cskpi.demo.schema import TZ_METADATA_KEY

FORMATS: dict[str, str] = {"csv": "csv", "parquet": "parquet", "jsonl": "jsonl", "xlsx": "xlsx"}
XLSX_MAX_ROWS = 1_048_575  # one sheet, minus the header row


def _zone(table: pa.Table, tz: str | None) -> str:
    if tz:
        return tz
    meta = table.schema.metadata or {}
    return meta.get(TZ_METADATA_KEY, b"Asia/Shanghai").decode()


def as_text_columns(table: pa.Table, tz: str) -> pa.Table:
    """Timestamps → local ISO strings with offset; every other column unchanged."""
    cols = []
    for field, col in zip(table.schema, table.columns, strict=True):
        if pa.types.is_timestamp(field.type):
            arr = col.combine_chunks().cast(pa.timestamp("us", tz="UTC"))
            valid = arr.is_valid().to_numpy(zero_copy_only=False)
            micros = arr.cast(pa.int64()).fill_null(0).to_numpy()
            text = local_iso_strings(micros[valid] // 1_000_000, tz)
            full = pa.nulls(len(arr), pa.string())
            if valid.all():
                full = text
            elif valid.any():
                idx = np.full(len(arr), -1, dtype=np.int64)
                idx[valid] = np.arange(int(valid.sum()))
                full = text.take(pa.array(np.where(idx < 0, 0, idx), mask=idx < 0))
            cols.append(full)
        else:
            cols.append(col)
    names = table.schema.names
    return pa.table(dict(zip(names, cols, strict=True)))


def write_folder(
    tables: dict[str, pa.Table], folder: Path, fmt: str = "csv", *, tz: str | None = None
) -> list[Path]:
    """Writes each table to `folder/<table>.<ext>` and returns the paths written.

    Args:
        tables: table name → Arrow table (as from `generate`).
        folder: created if missing.
        fmt: csv (UTF-8 with header), parquet, jsonl or xlsx (one sheet; at most ~1 M rows).
        tz: zone for local timestamps in text formats; default the tables' own metadata.
    """
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {sorted(FORMATS)}, got {fmt!r}")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for name, table in tables.items():
        path = folder / f"{name}.{FORMATS[fmt]}"
        if fmt == "parquet":
            pq.write_table(table, path, compression="zstd")
        elif fmt == "csv":
            pacsv.write_csv(as_text_columns(table, _zone(table, tz)), path)
        elif fmt == "jsonl":
            _write_jsonl(as_text_columns(table, _zone(table, tz)), path)
        else:
            _write_xlsx(as_text_columns(table, _zone(table, tz)), path, name)
        paths.append(path)
    return paths


def _write_jsonl(table: pa.Table, path: Path) -> None:
    # DuckDB streams newline-delimited JSON in C++; dates become "YYYY-MM-DD", money numbers.
    import duckdb  # imported here so that `cskpi.demo` stays light to import

    con = duckdb.connect()
    try:
        con.register("t", table)
        target = path.as_posix().replace("'", "''")
        con.execute(f"COPY t TO '{target}' (FORMAT JSON)")
    finally:
        con.close()


def _write_xlsx(table: pa.Table, path: Path, sheet: str) -> None:
    import xlsxwriter  # only needed for this format

    if table.num_rows > XLSX_MAX_ROWS:
        raise ValueError(
            f"{sheet}: {table.num_rows} rows do not fit one XLSX sheet; use csv or parquet"
        )
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    try:
        ws = book.add_worksheet(sheet[:31])
        ws.write_row(0, 0, table.schema.names)
        columns = []
        for field, col in zip(table.schema, table.columns, strict=True):
            if pa.types.is_date(field.type):
                col = col.cast(pa.string())
            elif pa.types.is_decimal(field.type):
                col = col.cast(pa.float64())
            columns.append(col.to_pylist())
        for r, row in enumerate(zip(*columns, strict=True), start=1):
            for c, value in enumerate(row):
                if value is not None:
                    ws.write(r, c, value)
    finally:
        book.close()
