"""One store interface over DuckDB (embedded, the default), PostgreSQL and Spark.

The rest of cskpi writes SQL once, in DuckDB's dialect, and reads through Ibis; this module
transpiles statements with SQLGlot where the backend is PostgreSQL (cskpi.store.spark: Spark),
so no caller ever branches on the backend. Writes by key go through :meth:`Store.upsert` and
:meth:`Store.update_from`: UPDATE statements here, a rewrite of the table on Spark.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import sqlglot

from cskpi.store import schema

# A statement starting with this marker is already in the backend's own dialect.
NATIVE = "/*native*/ "


class StoreError(Exception):
    """The store cannot be opened or used; the message says what to do."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def open_store(db: str | Path, warehouse: str | None = None) -> Store:
    """Open (and create or migrate) the store named by a file path, a postgresql:// URL or a
    spark:// master (`spark://local` or `spark://HOST:PORT`) with a `warehouse` folder or
    object-store URL holding the tables as Parquet (also `spark://local?warehouse=DIR`)."""
    text = str(db)
    if text.startswith(("postgresql://", "postgres://")):
        return PostgresStore(text)
    if text.startswith("spark://"):
        from cskpi.store.spark import SparkStore, parse_location

        return SparkStore(*parse_location(text, warehouse))
    if "://" in text:
        raise StoreError("store.unknown_url", url=text)
    return DuckDBStore(Path(text))


class Store:
    """What every backend offers: statements, Arrow results, temp loads, transactions, Ibis."""

    dialect: str = "duckdb"
    location: str

    def __init__(self) -> None:
        self._ibis: Any = None
        self._in_transaction = False

    # -- statements ----------------------------------------------------------------------
    def sql(self, statement: str) -> str:
        """A DuckDB-dialect statement in this backend's dialect."""
        if self.dialect == "duckdb" or statement.startswith(NATIVE):
            return statement.removeprefix(NATIVE)
        return sqlglot.transpile(statement, read="duckdb", write=self.dialect)[0]

    def execute(self, statement: str, params: tuple[Any, ...] = ()) -> int:
        """Run one statement; returns the affected row count where the backend knows it."""
        raise NotImplementedError

    def fetchall(self, statement: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def arrow(self, statement: str) -> pa.Table:
        raise NotImplementedError

    def load_temp(self, name: str, rows: pa.Table, *, large: bool = False) -> None:
        """Create temp table `name` holding `rows` (dropped first if it exists). `large`: more
        rows will follow (:meth:`append_temp`) and may not fit in memory."""
        raise NotImplementedError

    def append_temp(self, name: str, rows: pa.Table) -> None:
        """Add `rows` to temp table `name` (made by :meth:`load_temp`, same columns)."""
        self.load_temp("_cskpi_batch", rows)
        self.execute(f'INSERT INTO "{name}" SELECT * FROM _cskpi_batch')
        self.execute("DROP TABLE _cskpi_batch")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All or nothing: commits on success, rolls back on any exception."""
        raise NotImplementedError
        yield

    def ibis(self) -> Any:
        """The Ibis backend that reads this store (metrics are Ibis expressions)."""
        raise NotImplementedError

    def table_exists(self, name: str) -> bool:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def columns_with_data(self, table: str, columns: list[str]) -> set[str]:
        """Which of `columns` of `table` hold at least one non-null value."""
        # EXISTS-style probes: stop at the first non-null value instead of counting all.
        probes = ", ".join(
            f'(SELECT 1 FROM "{table}" WHERE "{c}" IS NOT NULL LIMIT 1) AS "{c}"' for c in columns
        )
        row = self.fetchall(f"SELECT {probes}")[0]
        return {c for c, value in zip(columns, row, strict=True) if value is not None}

    # -- writes by key (Spark overrides both with a rewrite of the whole table) --------------
    def upsert(
        self, table: str, stage: str, changed: str, key: list[str], columns: list[str]
    ) -> None:
        """Make `table` hold the rows of temp table `stage` by key: the rows of `changed` (the
        staged rows whose values differ from the stored ones) update, new keys insert."""
        self.update_from(table, changed, key, [c for c in columns if c not in key])
        keys = " AND ".join(f't."{k}" = s."{k}"' for k in key)
        column_list = ", ".join(f'"{c}"' for c in columns)
        select_list = ", ".join(f's."{c}"' for c in columns)
        self.execute(
            f'INSERT INTO "{table}" ({column_list}) SELECT {select_list} FROM {stage} s '
            f'WHERE NOT EXISTS (SELECT 1 FROM "{table}" t WHERE {keys})'
        )

    def update_from(self, table: str, source: str, key: list[str], columns: list[str]) -> None:
        """Set `columns` of the rows of `table` from the row of `source` with the same key
        (`source` holds each key at most once)."""
        assignments = ", ".join(f'"{c}" = s."{c}"' for c in columns)
        where = " AND ".join(f'"{table}"."{k}" = s."{k}"' for k in key)
        self.execute(f'UPDATE "{table}" SET {assignments} FROM {source} s WHERE {where}')

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def ensure_schema(self) -> None:
        with self.transaction():
            for statement in schema.ddl(self.dialect):
                self.execute(statement)
            self._add_fact_columns()

    def _add_fact_columns(self) -> None:
        """A store made by an earlier cskpi lacks the facts' newer columns: add them and
        compute them from the facts already there."""
        have = {name for (name,) in self.fetchall(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = 'session_facts' AND table_schema = current_schema()")}
        missing = {n: t for n, t in schema.fact_columns().items() if n not in have}
        for name, sql_type in missing.items():
            self.execute(f'ALTER TABLE session_facts ADD COLUMN "{name}" {sql_type}')
        if "concurrent_legs" in missing:
            from cskpi.metrics.concurrency import refresh_concurrency

            refresh_concurrency(self)


# What the embedded store may hold in memory before DuckDB spills to disk (beside the file).
# DuckDB's own default is 80 % of the machine; cskpi's work (a month's import, the facts
# window over its messages) runs well within this, and a laptop or a shared server keeps the
# rest. CSKPI_MEMORY_LIMIT changes it ("8GB", "50%"... anything DuckDB's memory_limit takes).
DEFAULT_MEMORY_LIMIT = "3GB"


class DuckDBStore(Store):
    dialect = "duckdb"

    def __init__(self, path: Path) -> None:
        import duckdb

        super().__init__()
        self.location = str(path)
        if path.parent and not path.parent.exists():
            raise StoreError("store.no_folder", path=str(path.parent))
        try:
            self.con = duckdb.connect(str(path))
        except duckdb.IOException as error:
            raise StoreError("store.locked", path=str(path), error=str(error)) from error
        limit = os.environ.get("CSKPI_MEMORY_LIMIT", DEFAULT_MEMORY_LIMIT)
        try:
            self.con.execute(f"SET memory_limit = '{limit.replace(chr(39), '')}'")
        except duckdb.Error as error:
            self.con.close()
            raise StoreError("store.memory_limit", value=limit, error=str(error)) from error
        self.con.execute("SET TimeZone = 'UTC'")
        self.ensure_schema()

    def execute(self, statement: str, params: tuple[Any, ...] = ()) -> int:
        result = self.con.execute(statement, params).fetchall()
        # DuckDB reports affected rows of DML as a one-row result.
        if result and len(result) == 1 and len(result[0]) == 1 and isinstance(result[0][0], int):
            return int(result[0][0])
        return -1

    def fetchall(self, statement: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        return self.con.execute(statement, params).fetchall()

    def arrow(self, statement: str) -> pa.Table:
        return self.con.sql(statement).to_arrow_table()

    # Arrow goes in through a relation, not con.register(): a registered table stays referenced
    # until the transaction ends, so an import staged in batches would hold every batch.
    # A large one is an ordinary table inside the caller's transaction (which drops it): DuckDB
    # writes big appends to an ordinary table out to the file as they come, while a temp
    # table stays in memory up to the memory limit (10 M messages: 1.1 GB).
    def load_temp(self, name: str, rows: pa.Table, *, large: bool = False) -> None:
        kind = "TABLE" if large else "TEMP TABLE"
        self.con.execute(f'DROP TABLE IF EXISTS "{name}"')
        self.con.from_arrow(rows).query(
            "_cskpi_load", f'CREATE {kind} "{name}" AS SELECT * FROM _cskpi_load'
        )

    def append_temp(self, name: str, rows: pa.Table) -> None:
        self.con.from_arrow(rows).query(
            "_cskpi_load", f'INSERT INTO "{name}" SELECT * FROM _cskpi_load'
        )

    @contextmanager
    def transaction(self) -> Iterator[None]:
        if self._in_transaction:
            yield
            return
        self.con.execute("BEGIN TRANSACTION")
        self._in_transaction = True
        try:
            yield
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        else:
            self.con.execute("COMMIT")
        finally:
            self._in_transaction = False

    def ibis(self) -> Any:
        if self._ibis is None:
            import ibis

            self._ibis = ibis.duckdb.from_connection(self.con)
        return self._ibis

    def table_exists(self, name: str) -> bool:
        return bool(
            self.fetchall("SELECT 1 FROM information_schema.tables WHERE table_name = ?", (name,))
        )

    def close(self) -> None:
        self.con.close()


class PostgresStore(Store):
    dialect = "postgres"

    def __init__(self, url: str) -> None:
        import psycopg

        super().__init__()
        self.location = url
        try:
            self.con = psycopg.connect(url, autocommit=True)
        except psycopg.OperationalError as error:
            raise StoreError("store.connect", url=url, error=str(error).strip()) from error
        # No server-side prepared statements: the same text (say, a read of temp table _stage)
        # names tables of other shapes from one import to the next.
        self.con.prepare_threshold = None
        self.con.execute("SET TIME ZONE 'UTC'")
        self.ensure_schema()

    def _cursor_execute(self, statement: str, params: tuple[Any, ...]) -> Any:
        # Statements use DuckDB's `?` placeholders; SQLGlot writes them as psycopg's %s, so
        # every other % (LIKE patterns) must be doubled first.
        text = self.sql(statement.replace("%", "%%"))
        if not params:
            text = text.replace("%%", "%")
        return self.con.execute(text, params or None)  # type: ignore[arg-type]

    def execute(self, statement: str, params: tuple[Any, ...] = ()) -> int:
        return self._cursor_execute(statement, params).rowcount

    def fetchall(self, statement: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        return self._cursor_execute(statement, params).fetchall()

    def arrow(self, statement: str) -> pa.Table:
        cursor = self._cursor_execute(statement, ())
        names = [d.name for d in cursor.description]
        rows = cursor.fetchall()
        return pa.table({n: pa.array([r[i] for r in rows]) for i, n in enumerate(names)})

    def load_temp(self, name: str, rows: pa.Table, *, large: bool = False) -> None:
        from cskpi.store.schema import arrow_to_sql_type

        columns = ", ".join(f'"{f.name}" {arrow_to_sql_type(f.type)}' for f in rows.schema)
        self.execute(f'DROP TABLE IF EXISTS "{name}"')
        self.execute(f'CREATE TEMP TABLE "{name}" ({columns})')
        self.append_temp(name, rows)

    def append_temp(self, name: str, rows: pa.Table) -> None:
        buffer = io.BytesIO()
        # Arrow writes nulls as empty unquoted fields and empty strings as "": exactly how
        # PostgreSQL's CSV COPY tells NULL from ''.
        pacsv.write_csv(
            rows, buffer, pacsv.WriteOptions(include_header=True, quoting_style="needed")
        )
        with (
            self.con.cursor() as cursor,
            cursor.copy(f'COPY "{name}" FROM STDIN WITH (FORMAT csv, HEADER true)') as copy,
        ):
            copy.write(buffer.getvalue())

    @contextmanager
    def transaction(self) -> Iterator[None]:
        if self._in_transaction:
            yield
            return
        self._in_transaction = True
        try:
            with self.con.transaction():
                yield
        finally:
            self._in_transaction = False

    def ibis(self) -> Any:
        if self._ibis is None:
            import ibis

            self._ibis = ibis.postgres.from_connection(self.con)
        return self._ibis

    def table_exists(self, name: str) -> bool:
        return bool(
            self.fetchall(
                "SELECT 1 FROM information_schema.tables WHERE table_name = ? "
                "AND table_schema = current_schema()",
                (name,),
            )
        )

    def close(self) -> None:
        self.con.close()
