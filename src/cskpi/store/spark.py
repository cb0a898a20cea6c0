"""The store on Spark: contract tables as Parquet folders in a warehouse, read and written
through a SparkSession (local mode or a cluster).

Layout: ``<warehouse>/<table>/`` holds each table as Parquet. On open every table is
registered as a temp view (an empty, typed one when its folder does not exist yet), so the
DuckDB-dialect statements of the rest of cskpi run unchanged once SQLGlot has transpiled them.

Spark has no UPDATE and no multi-statement transactions on Parquet, so writes follow a
*rewrite* contract instead:

- inside a transaction, every INSERT / DELETE / UPDATE (and :meth:`upsert`, :meth:`update_from`)
  computes the table's new contents with a SELECT (e.g. existing rows anti-joined with the
  staged keys, union the staged rows), materialises it (``localCheckpoint``) and points the
  table's temp view at it; later statements of the same transaction read the new contents;
- on commit each changed table is written to a NEW folder ``<table>.new-<txn>/``; then a
  commit marker ``_commit-<txn>`` is written (the commit point); then each table is swapped
  in by rename (``<table>`` → ``<table>.old-<txn>``, ``<table>.new-<txn>`` → ``<table>``)
  and the old folders and the marker are removed;
- on rollback, or a crash before the marker exists, the old folders are untouched and the
  ``.new-`` leftovers are removed on the next open; a crash after the marker is rolled
  forward on the next open (the renames are redone), so an import is all or nothing.

Folders are handled through Hadoop's FileSystem API, so the warehouse can be a local folder,
HDFS or an object store URL (s3a://, gs://, abfs://) that the session is configured for.
One writer at a time: there is no lock between two processes importing into one warehouse.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pyarrow as pa
import pyarrow.compute as pc
import sqlglot
from sqlglot import exp
from sqlglot.tokens import TokenType

from cskpi.store import schema
from cskpi.store.base import NATIVE, Store, StoreError

# Spark 4.0 has no TIME type: a time of day is stored as TIMESTAMP_NTZ on 1970-01-01, and the
# column carries this metadata so that results read back as Arrow time64 again.
TIME_METADATA = {"cskpi_type": "time"}
COMMIT_MARKER = "_commit-"


def spark_master(url: str) -> str:
    """`spark://local` → `local[2]`; `spark://local[4]` → `local[4]`; else the URL as is."""
    host = urlsplit(url).netloc or url.removeprefix("spark://").split("?")[0]
    if host == "local" or host.startswith("local["):
        return "local[2]" if host == "local" else host
    return f"spark://{host}"


def parse_location(url: str, warehouse: str | None) -> tuple[str, str]:
    """(master, warehouse) from `spark://...[?warehouse=DIR]` and the --warehouse option."""
    query = parse_qs(urlsplit(url).query)
    folder = warehouse or (query.get("warehouse") or [None])[0]
    if not folder:
        raise StoreError("store.spark_warehouse", url=url)
    return spark_master(url.split("?")[0]), _warehouse_uri(folder)


def _warehouse_uri(folder: str) -> str:
    if "://" in folder or folder.startswith("file:"):
        return folder.rstrip("/")
    return Path(folder).expanduser().resolve().as_uri()


# --- SQL: placeholders, Spark fixes -----------------------------------------------------------


def _literal(value: Any) -> str:
    """A Python value as a DuckDB-dialect SQL literal (SQLGlot transpiles it)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | decimal.Decimal):
        return str(value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else f"CAST('{value}' AS DOUBLE)"
    if isinstance(value, dt.datetime):
        return f"CAST('{value.replace(tzinfo=None).isoformat(sep=' ')}' AS TIMESTAMP)"
    if isinstance(value, dt.date):
        return f"CAST('{value.isoformat()}' AS DATE)"
    return "'" + str(value).replace("'", "''") + "'"


def bind(statement: str, params: tuple[Any, ...]) -> str:
    """Replace the `?` placeholders of a DuckDB-dialect statement by literals, in order."""
    if not params:
        return statement
    tokens = sqlglot.Dialect.get_or_raise("duckdb").tokenize(statement)
    marks = [t for t in tokens if t.token_type == TokenType.PLACEHOLDER]
    if len(marks) != len(params):
        raise ValueError(f"{len(marks)} placeholders, {len(params)} parameters: {statement}")
    text = statement
    for token, value in reversed(list(zip(marks, params, strict=True))):
        text = text[: token.start] + _literal(value) + text[token.end + 1 :]
    return text


def _spark_fixes(node: exp.Expression) -> exp.Expression:
    """What Spark lacks, rewritten: EPOCH(ts) with fractions (Spark's UNIX_TIMESTAMP drops
    them) becomes microseconds since the epoch ÷ 10^6, as a DOUBLE like DuckDB's EPOCH."""
    if isinstance(node, exp.TimeToUnix):
        micros = exp.Anonymous(
            this="UNIX_MICROS",
            expressions=[exp.cast(node.this, exp.DataType.build("TIMESTAMPLTZ"))],
        )
        return exp.Div(
            this=exp.cast(micros, exp.DataType.build("DOUBLE")),
            expression=exp.Literal.number(1_000_000),
        )
    return node


def to_spark(tree: exp.Expression) -> str:
    return tree.copy().transform(_spark_fixes).sql(dialect="spark")


# --- types --------------------------------------------------------------------------------------


def _spark_type(kind: exp.DataType) -> tuple[Any, dict[str, str]]:
    from pyspark.sql import types as T

    t = kind.this
    D = exp.DataType.Type
    simple = {
        D.VARCHAR: T.StringType(), D.TEXT: T.StringType(), D.CHAR: T.StringType(),
        D.BIGINT: T.LongType(), D.INT: T.IntegerType(), D.SMALLINT: T.ShortType(),
        D.DOUBLE: T.DoubleType(), D.FLOAT: T.FloatType(), D.BOOLEAN: T.BooleanType(),
        D.DATE: T.DateType(), D.TIMESTAMP: T.TimestampNTZType(),
        D.TIMESTAMPNTZ: T.TimestampNTZType(),
    }  # fmt: skip
    if t in simple:
        return simple[t], {}
    if t == D.TIME:
        return T.TimestampNTZType(), TIME_METADATA
    if t == D.DECIMAL:
        p, s = (int(e.this.this) for e in kind.expressions) if kind.expressions else (18, 3)
        return T.DecimalType(p, s), {}
    raise ValueError(f"no Spark type for {kind.sql()}")


def struct_of(columns: list[exp.ColumnDef]) -> Any:
    from pyspark.sql import types as T

    fields = []
    for column in columns:
        kind, metadata = _spark_type(column.args["kind"])
        fields.append(T.StructField(column.name, kind, True, metadata))
    return T.StructType(fields)


def schema_tables() -> dict[str, Any]:
    """Every stored table (schema.ddl()) as a Spark StructType."""
    tables = {}
    for statement in schema.ddl():
        tree = sqlglot.parse_one(statement, read="duckdb")
        columns = [c for c in tree.this.expressions if isinstance(c, exp.ColumnDef)]
        tables[tree.this.this.name] = struct_of(columns)
    return tables


def conform(df: Any, target: Any) -> Any:
    """`df`'s columns, by position, cast to the target schema's names, types and metadata."""
    from pyspark.sql import functions as F

    if len(df.columns) != len(target.fields):
        raise ValueError(f"{len(df.columns)} columns for {len(target.fields)}: {df.columns}")
    df = df.toDF(*[f"_c{i}" for i in range(len(df.columns))])  # names may repeat
    columns = []
    for name, field in zip(df.columns, target.fields, strict=True):
        source = df.schema[name].dataType
        column = F.col(name)
        if source != field.dataType:
            column = column.cast(field.dataType)
        columns.append(column.alias(field.name, metadata=field.metadata))
    return df.select(*columns)


# --- the store ----------------------------------------------------------------------------------


class SparkStore(Store):
    dialect = "spark"

    def __init__(self, master: str, warehouse: str) -> None:
        super().__init__()
        try:
            from pyspark.sql import SparkSession
        except ImportError as error:
            raise StoreError("store.spark_missing", error=str(error)) from error
        self.location = f"{master} {warehouse}"
        self.master = master
        self.root = warehouse
        builder = (
            SparkSession.builder.master(master)
            .appName("cskpi")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.shuffle.partitions", "4")
        )
        try:
            # Its own session (temp views, conf) over the process's one SparkContext.
            self.spark = builder.getOrCreate().newSession()
        except Exception as error:  # the JVM could not start or reach the master
            raise StoreError("store.spark_connect", url=master, error=str(error)) from error
        self.spark.conf.set("spark.sql.session.timeZone", "UTC")
        # Checkpointing a union of checkpointed tables trips over Spark's constraint
        # propagation (NoSuchElementException: key not found); cskpi does not need it.
        self.spark.conf.set("spark.sql.constraintPropagation.enabled", "false")
        jvm = self.spark.sparkContext._jvm
        self._Path = jvm.org.apache.hadoop.fs.Path
        conf = self.spark.sparkContext._jsc.hadoopConfiguration()
        self._fs = self._Path(warehouse).getFileSystem(conf)
        if not self._fs.exists(self._path()):
            self._fs.mkdirs(self._path())
        self._schemas = schema_tables()
        self._pending: dict[str, Any] = {}  # table → new contents in this transaction
        self._temps: set[str] = set()
        self.recover()
        self.ensure_schema()

    # -- folders -------------------------------------------------------------------------------
    def _path(self, name: str = "") -> Any:
        return self._Path(f"{self.root}/{name}" if name else self.root)

    def _exists(self, name: str) -> bool:
        return bool(self._fs.exists(self._path(name)))

    def _rename(self, source: str, target: str) -> None:
        if not self._fs.rename(self._path(source), self._path(target)):
            raise StoreError("store.spark_rename", source=source, target=target)

    def _delete(self, name: str) -> None:
        self._fs.delete(self._path(name), True)

    def _names(self) -> list[str]:
        return sorted(str(s.getPath().getName()) for s in self._fs.listStatus(self._path()))

    def recover(self) -> None:
        """Finish a commit whose marker exists; drop the leftovers of any other."""
        names = self._names()
        for marker in [n for n in names if n.startswith(COMMIT_MARKER)]:
            if marker.endswith(".tmp"):
                self._delete(marker)
                continue
            txn = marker.removeprefix(COMMIT_MARKER)
            tables = json.loads(self._read_text(marker))
            for table in tables:
                if self._exists(f"{table}.new-{txn}"):
                    if self._exists(table):
                        self._rename(table, f"{table}.old-{txn}")
                    self._rename(f"{table}.new-{txn}", table)
                self._delete(f"{table}.old-{txn}")
            self._delete(marker)
        for name in self._names():
            if ".new-" in name or ".old-" in name:
                self._delete(name)

    def _read_text(self, name: str) -> str:
        stream = self._fs.open(self._path(name))
        try:
            reader = self.spark.sparkContext._jvm.java.io.BufferedReader(
                self.spark.sparkContext._jvm.java.io.InputStreamReader(stream, "UTF-8")
            )
            lines = []
            while (line := reader.readLine()) is not None:
                lines.append(line)
            return "\n".join(lines)
        finally:
            stream.close()

    def _write_text(self, name: str, text: str) -> None:
        temporary = name + ".tmp"
        stream = self._fs.create(self._path(temporary), True)
        try:
            stream.write(bytearray(text.encode("utf-8")))
        finally:
            stream.close()
        self._rename(temporary, name)

    # -- tables ----------------------------------------------------------------------------------
    def ensure_schema(self) -> None:
        for name, struct in self._schemas.items():
            self._register(name, struct)

    def _register(self, name: str, struct: Any) -> None:
        """Point the view `name` at its folder (typed to the schema) or at an empty table."""
        if self._exists(name):
            stored = self.spark.read.parquet(f"{self.root}/{name}")
            present = set(stored.columns)
            from pyspark.sql import functions as F

            # A column added to the schema later reads as null in older folders.
            stored = stored.select(
                *[
                    F.col(f"`{f.name}`") if f.name in present else F.lit(None).alias(f.name)
                    for f in struct.fields
                ]
            )
            df = conform(stored, struct)
        else:
            df = self.spark.createDataFrame([], struct)
        df.createOrReplaceTempView(name)

    def _struct(self, name: str) -> Any:
        return self.spark.table(f"`{name}`").schema

    def _df(self, tree: exp.Expression | str) -> Any:
        text = to_spark(tree) if isinstance(tree, exp.Expression) else self.sql(tree)
        return self.spark.sql(text)

    def _set(self, name: str, df: Any) -> None:
        """New contents of table `name`. Those of a contract table or the facts are computed
        now (localCheckpoint), so that later statements read them instead of recomputing a
        growing chain of rewrites; a temp table or a small log table (cskpi_meta, _imports,
        _rejects) stays a query over what it read. Either is a snapshot: checkpoints and
        committed folders never change (a commit renames folders only after writing all)."""
        if name in self._schemas and name not in schema.META_TABLES:
            df = df.localCheckpoint(eager=True)
        df.createOrReplaceTempView(name)
        if name in self._schemas:
            if not self._in_transaction:
                with self.transaction():
                    self._pending[name] = df
            else:
                self._pending[name] = df
        else:
            self._temps.add(name)

    def rewrite(self, table: str, select: str) -> None:
        """The rewrite contract: `table` now holds the rows of `select` (DuckDB dialect; it
        may read `table` itself), written to a new folder at commit."""
        self._set(table, conform(self._df(select), self._struct(table)))

    def upsert(
        self, table: str, stage: str, changed: str, key: list[str], columns: list[str]
    ) -> None:
        """Existing rows anti-joined with the staged keys, union all staged rows."""
        on = " AND ".join(f't."{k}" = s."{k}"' for k in key)
        names = ", ".join(f'"{c}"' for c in columns)
        kept = ", ".join(f't."{c}"' for c in columns)
        self.rewrite(
            table,
            f'SELECT {kept} FROM "{table}" t WHERE NOT EXISTS '
            f"(SELECT 1 FROM {stage} s WHERE {on}) "
            f"UNION ALL SELECT {names} FROM {stage}",
        )

    def update_from(self, table: str, source: str, key: list[str], columns: list[str]) -> None:
        on = " AND ".join(f't."{k}" = s."{k}"' for k in key)
        matched = f's."{key[0]}" IS NOT NULL'
        select = ", ".join(
            f'CASE WHEN {matched} THEN s."{f.name}" ELSE t."{f.name}" END AS "{f.name}"'
            if f.name in columns
            else f't."{f.name}"'
            for f in self._struct(table).fields
        )
        self.rewrite(table, f'SELECT {select} FROM "{table}" t LEFT JOIN {source} s ON {on}')

    # -- statements ------------------------------------------------------------------------------
    def sql(self, statement: str) -> str:
        if statement.startswith(NATIVE):
            return statement.removeprefix(NATIVE)
        return to_spark(sqlglot.parse_one(statement, read="duckdb"))

    def execute(self, statement: str, params: tuple[Any, ...] = ()) -> int:
        if statement.startswith(NATIVE):
            self.spark.sql(statement.removeprefix(NATIVE))
            return -1
        tree = sqlglot.parse_one(bind(statement, params), read="duckdb")
        if isinstance(tree, exp.Create):
            return self._create(tree)
        if isinstance(tree, exp.Drop):
            for table in tree.args.get("tables") or [tree.this]:
                self._drop(table.name, bool(tree.args.get("exists")))
            return -1
        if isinstance(tree, exp.Insert):
            return self._insert(tree)
        if isinstance(tree, exp.Delete):
            name = tree.this.name
            where = tree.args.get("where")
            condition = where.this.sql("duckdb") if where else "TRUE"
            self.rewrite(name, f'SELECT * FROM "{name}" WHERE NOT COALESCE(({condition}), FALSE)')
            return -1
        if isinstance(tree, exp.Update):
            return self._update(tree)
        self._df(tree).collect()
        return -1

    def _create(self, tree: exp.Create) -> int:
        name = tree.this.this.name if isinstance(tree.this, exp.Schema) else tree.this.name
        temporary = tree.find(exp.TemporaryProperty) is not None
        if not temporary:
            if name in self._schemas:  # the stored tables come from schema.py
                return -1
            raise StoreError("store.spark_statement", statement=tree.sql("duckdb")[:200])
        if tree.args.get("exists") and self._view_exists(name):
            return -1  # CREATE TEMP TABLE IF NOT EXISTS of a table that exists
        if isinstance(tree.this, exp.Schema):
            columns = [c for c in tree.this.expressions if isinstance(c, exp.ColumnDef)]
            df = self.spark.createDataFrame([], struct_of(columns))
        else:
            df = self._df(tree.expression)
        self._set(name, df)
        return -1

    def _drop(self, name: str, if_exists: bool) -> None:
        if name in self._schemas:
            raise StoreError("store.spark_statement", statement=f"DROP TABLE {name}")
        if not self._view_exists(name) and not if_exists:
            raise StoreError("store.spark_statement", statement=f"DROP TABLE {name}: absent")
        self.spark.catalog.dropTempView(name)
        self._temps.discard(name)

    def _view_exists(self, name: str) -> bool:
        return name in self._schemas or name in self._temps

    def _insert(self, tree: exp.Insert) -> int:
        target = tree.this
        name = target.this.name if isinstance(target, exp.Schema) else target.name
        struct = self._struct(name)
        source = tree.expression
        if isinstance(source, exp.Values):
            source = exp.select("*").from_(exp.Subquery(this=source, alias="v"))
        listed = (
            [i.name for i in target.expressions]
            if isinstance(target, exp.Schema)
            else [f.name for f in struct.fields]
        )
        rows = self._df(source)
        if len(rows.columns) != len(listed):
            raise ValueError(f"INSERT INTO {name}: {len(rows.columns)} values for {listed}")
        from pyspark.sql import functions as F

        rows = rows.toDF(*[f"_c{i}" for i in range(len(rows.columns))])
        by_name = dict(zip(listed, rows.columns, strict=True))
        aligned = rows.select(
            *[
                F.col(by_name[f.name]) if f.name in by_name else F.lit(None).alias(f"_n{i}")
                for i, f in enumerate(struct.fields)
            ]
        )
        self._set(name, self.spark.table(f"`{name}`").union(conform(aligned, struct)))
        return -1

    def _update(self, tree: exp.Update) -> int:
        if tree.args.get("from_") or tree.args.get("from"):
            raise StoreError(
                "store.spark_statement", statement="UPDATE ... FROM: use Store.update_from"
            )
        name = tree.this.name
        where = tree.args.get("where")
        condition = f"COALESCE(({where.this.sql('duckdb')}), FALSE)" if where else "TRUE"
        assigned = {e.this.name: e.expression.sql("duckdb") for e in tree.expressions}
        select = ", ".join(
            f'CASE WHEN {condition} THEN {assigned[f.name]} ELSE "{f.name}" END AS "{f.name}"'
            if f.name in assigned
            else f'"{f.name}"'
            for f in self._struct(name).fields
        )
        self.rewrite(name, f'SELECT {select} FROM "{name}"')
        return -1

    def columns_with_data(self, table: str, columns: list[str]) -> set[str]:
        # One scan (one Spark job) instead of one scalar subquery (job) per column.
        counts = ", ".join(f'COUNT("{c}") AS "{c}"' for c in columns)
        row = self.fetchall(f'SELECT {counts} FROM "{table}"')[0]
        return {c for c, n in zip(columns, row, strict=True) if n}

    def fetchall(self, statement: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in self._df(bind(statement, params)).collect()]

    def arrow(self, statement: str) -> pa.Table:
        df = self._df(statement)
        table = df.toArrow()
        for index, field in enumerate(df.schema.fields):
            column = table.column(index)
            if field.metadata.get("cskpi_type") == "time":
                micros = pc.cast(pc.cast(column, pa.timestamp("us")), pa.int64())
                column = pc.cast(micros, pa.time64("us"))
            elif pa.types.is_timestamp(column.type) and column.type.tz is not None:
                column = column.cast(pa.timestamp(column.type.unit))
            table = table.set_column(index, field.name, column)
        return table

    def load_temp(self, name: str, rows: pa.Table, *, large: bool = False) -> None:
        from pyspark.sql import types as T

        columns, fields = [], []
        for field, column in zip(rows.schema, rows.columns, strict=True):
            metadata: dict[str, str] = {}
            if pa.types.is_time(field.type):
                column = pc.cast(pc.cast(column, pa.time64("us")), pa.int64())
                column = pc.cast(column, pa.timestamp("us"))
                metadata = TIME_METADATA
            elif pa.types.is_timestamp(field.type):
                column = column.cast(pa.timestamp("us"))
            elif pa.types.is_dictionary(field.type):
                column = column.cast(field.type.value_type)
            columns.append(column)
            fields.append((field.name, metadata))
        table = pa.table(columns, names=[n for n, _ in fields])
        df = self.spark.createDataFrame(table) if table.num_rows else None
        if df is None:  # no rows: Spark cannot infer from Arrow, so type it from the schema
            df = self.spark.createDataFrame(
                [],
                T.StructType([T.StructField(f.name, _arrow_spark(f.type)) for f in table.schema]),
            )
        typed = []
        from pyspark.sql import functions as F

        for (column_name, metadata), field in zip(fields, df.schema.fields, strict=True):
            column = F.col(f"`{column_name}`")
            if isinstance(field.dataType, T.TimestampType):
                column = column.cast(T.TimestampNTZType())
            typed.append(column.alias(column_name, metadata=metadata))
        self._set(name, df.select(*typed))

    @contextmanager
    def transaction(self) -> Iterator[None]:
        if self._in_transaction:
            yield
            return
        self._in_transaction = True
        self._pending = {}
        try:
            yield
        except BaseException:
            self._rollback()
            raise
        else:
            self._commit()
        finally:
            self._in_transaction = False
            self._pending = {}

    def _rollback(self) -> None:
        for name in self._pending:
            self._register(name, self._schemas[name])

    def _commit(self) -> None:
        if not self._pending:
            return
        txn = f"{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"
        tables = sorted(self._pending)
        with ThreadPoolExecutor(max_workers=4) as pool:  # Spark runs the writes side by side
            list(
                pool.map(
                    lambda name: (
                        self._pending[name]
                        .write.mode("errorifexists")
                        .parquet(f"{self.root}/{name}.new-{txn}")
                    ),
                    tables,
                )
            )
        self._write_text(f"{COMMIT_MARKER}{txn}", json.dumps(tables))  # the commit point
        for name in tables:
            if self._exists(name):
                self._rename(name, f"{name}.old-{txn}")
            self._rename(f"{name}.new-{txn}", name)
        for name in tables:
            self._delete(f"{name}.old-{txn}")
        self._delete(f"{COMMIT_MARKER}{txn}")
        for name in tables:
            self._register(name, self._schemas[name])

    def ibis(self) -> Any:
        if self._ibis is None:
            import ibis

            self._ibis = ibis.pyspark.connect(self.spark)
        return self._ibis

    def table_exists(self, name: str) -> bool:
        return name in self._schemas or self._view_exists(name)

    def close(self) -> None:
        for name in [*self._schemas, *self._temps]:
            self.spark.catalog.dropTempView(name)
        self._temps.clear()


def _arrow_spark(arrow_type: pa.DataType) -> Any:
    from pyspark.sql import types as T

    return (
        _spark_type(exp.DataType.build(schema.arrow_to_sql_type(arrow_type)))[0]
        if not (pa.types.is_null(arrow_type))
        else T.StringType()
    )
