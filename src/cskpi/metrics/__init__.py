"""KPI engine: every metric of metrics.md, for any dimensions and period, on any backend.

For notebooks::

    import cskpi.metrics
    frame = cskpi.metrics.metrics("cskpi.duckdb", by="agent", period="2026-10")
    table = cskpi.metrics.metrics("cskpi.duckdb", by="group", period="2026-Q4",
                                  grain="month", arrow=True)
"""

from __future__ import annotations

from typing import Any


def metrics(db: str = "cskpi.duckdb", *, by: str | list[str] = "agent", period: str,
            grain: str | None = None, keys: list[str] | None = None,
            arrow: bool = False) -> Any:
    """The same figures as `cskpi metrics --format json`, as a pandas DataFrame (or an Arrow
    table with ``arrow=True``)."""
    import pyarrow as pa

    from cskpi.config import load_config
    from cskpi.metrics.engine import compute
    from cskpi.store.base import open_store

    dims = [d.strip() for d in by.split(",")] if isinstance(by, str) else list(by)
    dims = [d for d in dims if d and d != "center"]
    with open_store(db) as store:
        frame = compute(store, load_config(db), by=dims, period=period, grain=grain,
                        metrics=keys)
    return pa.Table.from_pandas(frame, preserve_index=False) if arrow else frame


__all__ = ["metrics"]
