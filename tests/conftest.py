"""Shared fixtures for the import tests: a store on DuckDB and on PostgreSQL, and helpers.

The PostgreSQL store is real (the server on 127.0.0.1:5432, database `test`); every test gets a
fresh schema, dropped afterwards. If the server cannot be reached the postgres tests are skipped
with the reason (on the development machine and in CI it runs).
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cskpi.ingest.contract import contract
from cskpi.ingest.validate import store_columns
from cskpi.store.base import Store, open_store

FIXTURES = Path(__file__).parent / "fixtures"
CONTRACT_FOLDER = FIXTURES / "contract"
PG_HOST = os.environ.get("CSKPI_TEST_PG", "127.0.0.1:5432/test")
PG_USERS = ("postgres", "root")


def _find_pg_base() -> tuple[str | None, str]:
    """The first server URL that accepts a connection, or (None, why not)."""
    try:
        import psycopg
    except ImportError as error:  # pragma: no cover - psycopg is a dependency
        return None, f"psycopg not importable: {error}"
    reasons = []
    for user in PG_USERS:
        url = f"postgresql://{user}@{PG_HOST}"
        try:
            with psycopg.connect(url, connect_timeout=3) as con:
                con.execute("SELECT 1")
            return url, ""
        except Exception as error:
            reasons.append(f"{url}: {str(error).strip()}")
    return None, "PostgreSQL unreachable (" + "; ".join(reasons) + ")"


_PG_BASE: tuple[str | None, str] | None = None


def pg_base() -> str:
    """The base URL of the test server; skips the calling test when the server is down."""
    global _PG_BASE
    if _PG_BASE is None:
        _PG_BASE = _find_pg_base()
    url, reason = _PG_BASE
    if url is None:
        pytest.skip(reason)
    return url


@pytest.fixture
def pg_schema_url() -> Iterator[str]:
    """A store URL on a fresh PostgreSQL schema (dropped afterwards)."""
    import psycopg

    base = pg_base()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as con:
        con.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"{base}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(base, autocommit=True) as con:
            con.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


@pytest.fixture(scope="session")
def spark_session() -> Iterator[Any]:
    """One local Spark (one JVM) for the whole run; every SparkStore opens its own session
    (temp views, conf) over it. Skips when pyspark or Java is missing."""
    pytest.importorskip("pyspark")
    if not shutil.which("java") and not os.environ.get("JAVA_HOME"):
        pytest.skip("Spark needs Java (java on PATH or JAVA_HOME)")
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("cskpi-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.driver.memory", "1g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The `spark` variant of `db` runs only in modules that set RUN_ON_SPARK = True (a Spark
    import costs seconds, not milliseconds); the others' spark variants are deselected."""
    keep, drop = [], []
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        module = getattr(item, "module", None)
        if params.get("db") == "spark" and not getattr(module, "RUN_ON_SPARK", False):
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(
    params=[
        "duckdb",
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("spark", marks=pytest.mark.spark),
    ]
)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A store location: a DuckDB file in tmp_path, a URL on a fresh PostgreSQL schema, or
    `spark://local?warehouse=DIR` (Parquet folders in tmp_path, on the shared local Spark)."""
    if request.param == "duckdb":
        return str(tmp_path / "cskpi.duckdb")
    if request.param == "spark":
        request.getfixturevalue("spark_session")
        return f"spark://local?warehouse={tmp_path / 'warehouse'}"
    return request.getfixturevalue("pg_schema_url")


@pytest.fixture
def store(db: str) -> Iterator[Store]:
    """An open store on `db` (closed afterwards)."""
    opened = open_store(db)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def duck(tmp_path: Path) -> Iterator[Store]:
    """A DuckDB store only: for behaviour decided before the store is touched (reading and
    validating files), where a second backend would add time and no information."""
    opened = open_store(tmp_path / "duck.duckdb")
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def pg_store(pg_schema_url: str) -> Iterator[Store]:
    """A PostgreSQL store only (tests using it carry @pytest.mark.postgres)."""
    opened = open_store(pg_schema_url)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def contract_folder(tmp_path: Path) -> Path:
    """A writable copy of the hand-written contract folder (tests/fixtures/contract)."""
    target = tmp_path / "contract"
    shutil.copytree(CONTRACT_FOLDER, target)
    return target


# --- helpers (imported by the test modules) -------------------------------------------------


def order_by(table: str) -> str:
    return ", ".join(f'"{k}"' for k in contract()[table].key)


def table_rows(store: Store, table: str) -> list[dict[str, Any]]:
    """A contract table's stored rows, ordered by key, `extra` parsed from JSON."""
    columns = ", ".join(f'"{c}"' for c in store_columns(contract()[table]))
    rows = store.arrow(f'SELECT {columns} FROM "{table}" ORDER BY {order_by(table)}').to_pylist()
    for row in rows:
        row["extra"] = json.loads(row["extra"]) if row["extra"] is not None else None
    return rows


def all_tables(store: Store) -> dict[str, list[dict[str, Any]]]:
    return {name: table_rows(store, name) for name in contract()}


def count(store: Store, table: str, where: str = "") -> int:
    (n,) = store.fetchall(f'SELECT COUNT(*) FROM "{table}" {where}')[0]
    return int(n)


def stored_rejects(store: Store) -> list[dict[str, Any]]:
    rows = store.fetchall(
        'SELECT import_id, file, "table", line, "column", code, value, params, raw '
        'FROM cskpi_rejects ORDER BY import_id, file, line, "column"'
    )
    names = ("import_id", "file", "table", "line", "column", "code", "value", "params", "raw")
    return [dict(zip(names, r, strict=True)) for r in rows]
