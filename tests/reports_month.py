"""A small generated month for the report tests, with hostile text planted in imported data.

Agent names, a team, adjustment reasons and who entered them start with = + - @ tab or CR
(spreadsheet formula injection) or carry HTML. Built once per test module (a few seconds).
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from cskpi.config import load_config
from cskpi.demo.generator import generate
from cskpi.demo.writer import write_folder
from cskpi.ingest.importer import run_import
from cskpi.store.base import open_store

MONTH = "2026-10"
SCORECARD = "service-plan"  # grades, coefficients, pay, manual items
HOSTILE_NAMES = {
    "A0001": '=HYPERLINK("http://evil.example/x","点我")',
    "A0002": "+1+1",
    "A0003": "-2+3",
    "A0004": "@SUM(A1)",
    "A0005": "\t=1+2",
    "A0006": "\r=3+4",
    "A0007": '<img src=x onerror="alert(1)">王五',
}
HOSTILE_TEAM = "@SUM(B2)"  # A0008's team: a team sheet named from data
HOSTILE_REASONS = [
    '=HYPERLINK("http://evil.example/r")',
    "+SUM(1,2)",
    "-1-1",
    "@A1",
    "\t=2*2",
    "\r=5-1",
]
HOSTILE_ENTERED_BY = '=cmd|" /C calc"!A0'


def _replace(table: pa.Table, column: str, values: list) -> pa.Table:
    index = table.schema.get_field_index(column)
    return table.set_column(index, column, pa.array(values, table.schema.field(column).type))


def build(folder: Path) -> str:
    """Generate, plant hostile text, import; returns the DuckDB path (config beside it)."""
    tables = generate(MONTH, seed=1, agents=12, messages=100_000)
    agents = tables["agents"]
    ids = agents.column("agent_id").to_pylist()
    names = [
        HOSTILE_NAMES.get(a, n) for a, n in zip(ids, agents.column("name").to_pylist(), strict=True)
    ]
    teams = [
        HOSTILE_TEAM if a == "A0008" else t
        for a, t in zip(ids, agents.column("team").to_pylist(), strict=True)
    ]
    tables["agents"] = _replace(_replace(agents, "name", names), "team", teams)
    adjustments = tables["adjustments"]
    reasons = adjustments.column("reason").to_pylist()
    entered = adjustments.column("entered_by").to_pylist()
    for i, hostile in enumerate(HOSTILE_REASONS):
        reasons[i] = hostile
    entered[0] = HOSTILE_ENTERED_BY
    tables["adjustments"] = _replace(
        _replace(adjustments, "reason", reasons), "entered_by", entered
    )
    write_folder(tables, folder / "data", fmt="parquet")
    (folder / "cskpi.toml").write_text(
        'center = "测试客服中心"\ntimezone = "Asia/Shanghai"\n', "utf-8"
    )
    db = str(folder / "cskpi.duckdb")
    store = open_store(db)
    try:
        run_import(store, [folder / "data"], load_config(db))
    finally:
        store.close()
    return db


def hostile_texts() -> list[str]:
    return [*HOSTILE_NAMES.values(), HOSTILE_TEAM, *HOSTILE_REASONS, HOSTILE_ENTERED_BY]
