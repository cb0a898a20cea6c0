"""The engine against the independent reference implementation (tests/reference_metrics.py,
plain Python written for clarity) on a generated month of a few hundred thousand messages."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest

from cskpi.config import Config
from cskpi.demo.generator import generate, write_folder
from cskpi.ingest.importer import run_import
from cskpi.metrics.engine import compute
from cskpi.store.base import open_store
from reference_metrics import reference_metrics

MONTH = "2026-10"
START, END = dt.date(2026, 10, 1), dt.date(2026, 10, 31)


def as_reference_input(tables: dict[str, pa.Table]) -> dict[str, pd.DataFrame]:
    """Generated Arrow tables as the reference expects: pandas, tz-aware UTC timestamps."""
    frames = {}
    for name, table in tables.items():
        frame = table.to_pandas()
        for column, dtype in frame.dtypes.items():
            if isinstance(dtype, pd.DatetimeTZDtype):
                frame[column] = frame[column].dt.tz_convert("UTC")
        frames[name] = frame
    return frames


def same(a: Any, b: Any) -> bool:
    if a is None or b is None or (isinstance(a, float) and math.isnan(a)):
        return (a is None or (isinstance(a, float) and math.isnan(a))) and (
            b is None or (isinstance(b, float) and math.isnan(b)))
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, pa.Table], Path]:
    tables = generate(MONTH, seed=7, agents=40, messages=300_000)
    folder = tmp_path_factory.mktemp("generated") / "data"
    write_folder(tables, folder, fmt="parquet")
    store_path = folder.parent / "cskpi.duckdb"
    with open_store(str(store_path)) as store:
        result = run_import(store, [folder], Config(), strict=True)
        assert not result.aborted, result.rejects[:5]
    return tables, store_path


@pytest.mark.slow
@pytest.mark.parametrize("by", ["agent", "group", "center"])
def test_engine_equals_reference(generated: tuple[dict[str, pa.Table], Path], by: str) -> None:
    tables, store_path = generated
    expected = reference_metrics(as_reference_input(tables), by=by, start=START, end=END)
    with open_store(str(store_path)) as store:
        frame = compute(store, Config(), by=[] if by == "center" else [by], period=MONTH)
    column = {"agent": "agent_id", "group": "group", "center": None}[by]
    rows = {(None if column is None else r[column]): r for r in frame.to_dict(orient="records")}
    assert set(rows) == set(expected), (sorted(map(str, rows)), sorted(map(str, expected)))
    mismatches = []
    for key, metrics in expected.items():
        for metric, want in metrics.items():
            got = rows[key].get(metric)
            if not same(got, want):
                mismatches.append(f"{by}={key} {metric}: engine {got!r} reference {want!r}")
    assert not mismatches, f"{len(mismatches)} mismatches:\n" + "\n".join(mismatches[:40])
