"""Metric keys a scorecard may name, read from ``metric_keys.txt`` (one key per line).

The file mirrors spec/metrics.md until the KPI catalog can be read directly; point
``CSKPI_METRIC_KEYS`` at another file to replace it.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

DEFAULT_FILE = Path(__file__).with_name("metric_keys.txt")


@cache
def metric_keys(path: str | None = None) -> frozenset[str]:
    source = Path(path or os.environ.get("CSKPI_METRIC_KEYS") or DEFAULT_FILE)
    lines = source.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))
