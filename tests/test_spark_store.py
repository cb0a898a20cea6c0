"""The Spark store (cskpi.store.spark) against DuckDB on the same contract folder: the same
stored rows, facts, rejects and import counts; an idempotent re-import; the same `cskpi
metrics` output; and the all-or-nothing commit of the Parquet warehouse.

One local Spark for the whole run (the `spark_session` fixture of conftest.py); the contract
folder is imported once per backend (module-scoped), as each Spark import costs seconds.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import CONTRACT_FOLDER, all_tables, stored_rejects
from cskpi.config import Config
from cskpi.ingest.importer import ImportResult, run_import
from cskpi.store.base import Store, StoreError, open_store

pytestmark = pytest.mark.spark

CSKPI = Path(sys.executable).parent / "cskpi"


def _summary(result: ImportResult) -> dict[str, dict[str, int]]:
    return {name: vars(s) for name, s in result.summaries.items()}


def _facts(store: Store) -> list[dict[str, Any]]:
    return store.arrow("SELECT * FROM session_facts ORDER BY session_id").to_pylist()


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-9)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


class Imported:
    """The contract folder imported twice into one backend, with what each step saw."""

    def __init__(self, location: str, folder: Path) -> None:
        self.location = location
        with open_store(location) as store:
            self.first = run_import(store, [folder], Config())
            self.tables = all_tables(store)
            self.facts = _facts(store)
            self.rejects = stored_rejects(store)
            self.second = run_import(store, [folder], Config())
            self.tables_after = all_tables(store)
            self.facts_after = _facts(store)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # The same path for both backends: rejects store the file path.
    target = tmp_path_factory.mktemp("contract") / "contract"
    shutil.copytree(CONTRACT_FOLDER, target)
    return target


@pytest.fixture(scope="module")
def on_duckdb(folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Imported:
    return Imported(str(tmp_path_factory.mktemp("duck") / "cskpi.duckdb"), folder)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("spark") / "warehouse"


@pytest.fixture(scope="module")
def on_spark(spark_session: Any, folder: Path, warehouse: Path) -> Imported:
    return Imported(f"spark://local?warehouse={warehouse}", folder)


def test_same_stored_rows(on_duckdb: Imported, on_spark: Imported) -> None:
    assert _summary(on_spark.first) == _summary(on_duckdb.first)
    for table, rows in on_duckdb.tables.items():
        assert _same(on_spark.tables[table], rows), table
    assert _same(on_spark.facts, on_duckdb.facts)
    assert on_spark.rejects == on_duckdb.rejects
    assert [r.code for r in on_spark.first.rejects] == [r.code for r in on_duckdb.first.rejects]


def test_reimport_is_idempotent(on_duckdb: Imported, on_spark: Imported) -> None:
    second = _summary(on_spark.second)
    assert second == _summary(on_duckdb.second)
    assert all(s["inserted"] == 0 and s["updated"] == 0 for s in second.values())
    assert sum(s["unchanged"] for s in second.values()) > 0
    assert _same(on_spark.tables_after, on_spark.tables)
    assert _same(on_spark.facts_after, on_spark.facts)
    assert on_spark.second.import_id == on_spark.first.import_id + 1


def test_warehouse_layout(on_spark: Imported, warehouse: Path) -> None:
    names = sorted(p.name for p in warehouse.iterdir())
    assert "sessions" in names and "session_facts" in names
    assert not [n for n in names if ".new-" in n or ".old-" in n or n.startswith("_commit")]


def _cli(*args: str, cwd: Path) -> str:
    env = {**os.environ, "CSKPI_LANG": "en"}
    env.pop("CSKPI_DB", None)
    env.pop("CSKPI_WAREHOUSE", None)
    done = subprocess.run(
        [str(CSKPI), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_cli_metrics_same_as_duckdb(
    on_duckdb: Imported, on_spark: Imported, warehouse: Path, tmp_path: Path
) -> None:
    query = ("metrics", "--by", "agent", "--period", "2026-10", "--format", "json")
    duck = json.loads(_cli(*query, "--db", on_duckdb.location, cwd=tmp_path))
    spark = json.loads(
        _cli(*query, "--db", "spark://local", "--warehouse", str(warehouse), cwd=tmp_path)
    )
    assert duck, "the contract folder yields agent rows"
    assert _same(spark, duck)


def test_cli_needs_a_warehouse(tmp_path: Path) -> None:
    env = {**os.environ, "CSKPI_LANG": "en"}
    env.pop("CSKPI_WAREHOUSE", None)
    done = subprocess.run(
        [str(CSKPI), "metrics", "--db", "spark://local", "--period", "2026-10"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 1
    assert "--warehouse" in done.stderr


# --- atomic commit ------------------------------------------------------------------------------


@pytest.fixture
def spark_store(spark_session: Any, tmp_path: Path) -> Iterator[Store]:
    store = open_store("spark://local", warehouse=str(tmp_path / "wh"))
    try:
        yield store
    finally:
        store.close()


def _meta(store: Store) -> list[tuple[Any, ...]]:
    return sorted(store.fetchall('SELECT "key", "value" FROM cskpi_meta'))


def test_rollback_leaves_the_old_folders(spark_store: Store, tmp_path: Path) -> None:
    spark_store.execute("INSERT INTO cskpi_meta VALUES ('a', '1')")
    with pytest.raises(RuntimeError), spark_store.transaction():
        spark_store.execute("DELETE FROM cskpi_meta")
        spark_store.execute("INSERT INTO cskpi_meta VALUES (?, ?)", ("b", "2"))
        assert _meta(spark_store) == [("b", "2")]
        raise RuntimeError("boom")
    assert _meta(spark_store) == [("a", "1")]
    assert sorted(p.name for p in (tmp_path / "wh").iterdir()) == ["cskpi_meta"]


def _crash_on_rename(store: Store, monkeypatch: pytest.MonkeyPatch, nth: int) -> None:
    calls = {"n": 0}
    rename = store._rename  # type: ignore[attr-defined]

    def failing(source: str, target: str) -> None:
        calls["n"] += 1
        if calls["n"] == nth:
            raise KeyboardInterrupt("crash")  # like a kill: no cleanup runs
        rename(source, target)

    monkeypatch.setattr(store, "_rename", failing)


def test_crash_before_the_commit_point(
    spark_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spark_store.execute("INSERT INTO cskpi_meta VALUES ('a', '1')")
    _crash_on_rename(spark_store, monkeypatch, 1)  # the marker's rename: not committed
    with pytest.raises(KeyboardInterrupt), spark_store.transaction():
        spark_store.execute("INSERT INTO cskpi_meta VALUES ('b', '2')")
    monkeypatch.undo()
    assert any(".new-" in p.name for p in (tmp_path / "wh").iterdir())
    with open_store("spark://local", warehouse=str(tmp_path / "wh")) as reopened:
        assert _meta(reopened) == [("a", "1")]
    assert sorted(p.name for p in (tmp_path / "wh").iterdir()) == ["cskpi_meta"]


def test_crash_after_the_commit_point(
    spark_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spark_store.execute("INSERT INTO cskpi_meta VALUES ('a', '1')")
    with spark_store.transaction():  # a second table, so that the commit swaps two folders
        spark_store.execute("INSERT INTO cskpi_imports (import_id, status) VALUES (1, 'x')")
    _crash_on_rename(spark_store, monkeypatch, 3)  # marker, first table out, then crash
    with pytest.raises(KeyboardInterrupt), spark_store.transaction():
        spark_store.execute("INSERT INTO cskpi_meta VALUES ('b', '2')")
        spark_store.execute("UPDATE cskpi_imports SET status = ? WHERE import_id = 1", ("y",))
    monkeypatch.undo()
    with open_store("spark://local", warehouse=str(tmp_path / "wh")) as reopened:
        assert _meta(reopened) == [("a", "1"), ("b", "2")]
        assert reopened.fetchall("SELECT status FROM cskpi_imports") == [("y",)]
    assert sorted(p.name for p in (tmp_path / "wh").iterdir()) == ["cskpi_imports", "cskpi_meta"]


def test_spark_needs_a_warehouse() -> None:
    with pytest.raises(StoreError) as error:
        open_store("spark://local")
    assert error.value.code == "store.spark_warehouse"
