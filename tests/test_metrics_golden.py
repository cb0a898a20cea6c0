"""Golden cases (tests/golden_cases.py, every figure worked out by hand) through the real
engine: contract files → `run_import` → `compute`, on each backend of the `db` fixture.

The same cases also check the reference implementation (test_reference_metrics.py), so the
engine, the reference and the hand-worked numbers must all agree.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cskpi.config import Config, Thresholds
from cskpi.ingest.importer import run_import
from cskpi.metrics.engine import compute
from cskpi.metrics.periods import Period
from cskpi.store.base import open_store
from golden_cases import ALL_CASES

# The `db` fixture's spark variant runs here too (tests/conftest.py).
RUN_ON_SPARK = True

BY = {"agent": ["agent"], "group": ["group"], "center": []}
KEY_COLUMN = {"agent": "agent_id", "group": "group", "center": None}


def write_case(tables: dict[str, pd.DataFrame], folder: Path) -> None:
    """Each table as Parquet, keeping the tz-aware UTC timestamps and nullable types."""
    folder.mkdir()
    for name, frame in tables.items():
        table = pa.Table.from_pandas(frame, preserve_index=False)
        if table.num_columns:
            pq.write_table(table, folder / f"{name}.parquet")


def close_enough(actual: Any, expected: Any) -> bool:
    if expected is None:
        return actual is None or (isinstance(actual, float) and math.isnan(actual))
    if actual is None:
        return False
    if isinstance(expected, tuple | list):
        return isinstance(actual, list) and all(
            close_enough(a, e) for a, e in zip(actual, expected, strict=True))
    return math.isclose(float(actual), float(expected), rel_tol=1e-9, abs_tol=1e-9)


def period_label(expected: dict[str, Any]) -> str:
    """The case's period as users write it (targets name periods this way)."""
    start, end = expected["start"], expected["end"]
    if start.day == 1 and (end + pd.Timedelta(days=1)).day == 1 and start.month == end.month:
        return f"{start:%Y-%m}"
    return f"{start}..{end}"


@pytest.mark.parametrize("case_name", sorted(ALL_CASES))
def test_golden_case(case_name: str, db: str, tmp_path: Path) -> None:
    tables, expected = ALL_CASES[case_name]()
    folder = tmp_path / "case"
    write_case(tables, folder)
    thresholds = Thresholds(**(expected.get("thresholds") or {}))
    config = Config(timezone=expected["tz"], thresholds=thresholds)
    period = Period(expected["start"], expected["end"], period_label(expected))
    with open_store(db) as store:
        result = run_import(store, [folder], config, strict=True)
        assert not result.aborted, result.rejects
        problems = []
        for level, by_value in expected["by"].items():
            frame = compute(store, config, by=BY[level], period=period)
            column = KEY_COLUMN[level]
            rows = {(None if column is None else row[column]): row
                    for row in frame.to_dict(orient="records")}
            if level == "agent":
                assert set(rows) >= set(by_value), (level, sorted(rows, key=str))
            for value, metrics in by_value.items():
                row = rows.get(value, {})
                for key, want in metrics.items():
                    got = row.get(key)
                    if not close_enough(got, want):
                        problems.append(f"{level}={value} {key}: engine {got!r}, hand {want!r}")
            for key in expected.get("absent", {}).get(level, []):
                for value, row in rows.items():
                    if row.get(key) is not None:
                        problems.append(f"{level}={value} {key} should be null, got {row[key]}")
        assert not problems, "\n".join(problems)
