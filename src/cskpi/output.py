"""Printing results: `--format table|json|csv`, the same rows for every command.

JSON keys are the metric keys; undefined figures are `null`, never 0.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Sequence
from datetime import date, datetime, time
from decimal import Decimal
from enum import StrEnum
from typing import Any

from rich.console import Console
from rich.table import Table


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


def clean(value: Any) -> Any:
    """JSON-ready value: NaN and missing become None, decimals floats, dates ISO text."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    try:
        import pandas as pd

        if value is pd.NA or value is pd.NaT:
            return None
    except ImportError:  # pragma: no cover - pandas is a dependency
        pass
    if hasattr(value, "item"):  # numpy scalars
        return clean(value.item())
    return value


def emit(
    rows: Sequence[dict[str, Any]],
    fmt: OutputFormat,
    *,
    title: str | None = None,
    headers: dict[str, str] | None = None,
    console: Console | None = None,
) -> None:
    """Print rows; `headers` maps keys to display labels for the table format only."""
    console = console or Console()
    cleaned = [{k: clean(v) for k, v in row.items()} for row in rows]
    if fmt == OutputFormat.json:
        print(json.dumps(cleaned, ensure_ascii=False, indent=2))
        return
    columns = list(cleaned[0]) if cleaned else list(headers or {})
    if fmt == OutputFormat.csv:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(cleaned)
        print(buffer.getvalue(), end="")
        return
    table = Table(title=title, show_lines=False)
    for column in columns:
        table.add_column((headers or {}).get(column, column), overflow="fold")
    for row in cleaned:
        table.add_row(*["—" if row.get(c) is None else _cell(row.get(c)) for c in columns])
    console.print(table)


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1 else f"{value:,.2f}"
    return str(value)
