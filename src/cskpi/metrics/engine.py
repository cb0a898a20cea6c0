"""The metric engine: metrics.md's figures for any dimensions and period, on any backend.

1. Each metric names its measures (formulas.yaml); each measure belongs to a source
   (sources.py) that yields row-level facts as an Ibis table.
2. Each needed source is grouped by the requested dimensions and period rows, on the backend.
3. The small grouped results are joined and every metric is computed from summed numerators
   and denominators (never an average of averages). Undefined figures are null.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from importlib import resources
from typing import Any

import ibis
import numpy as np
import pandas as pd
import pyarrow as pa
import yaml

from cskpi.config import Config
from cskpi.ingest.contract import contract
from cskpi.metrics.periods import Period, grain_label, local_day_start_utc, parse_period
from cskpi.metrics.sources import SOURCES, Context, Measure, Source
from cskpi.store.base import Store

# Dimension names users type → output columns.
DIMENSIONS = {"agent": "agent_id", "group": "group", "team": "team", "role": "role",
              "channel": "channel", "origin": "origin", "center": None}


class MetricError(ValueError):
    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class Formula:
    key: str
    kind: str  # measure | ratio | triple
    measures: tuple[str, ...]
    scale: float = 1.0


@cache
def formulas() -> dict[str, Formula]:
    text = resources.files("cskpi.metrics").joinpath("formulas.yaml").read_text("utf-8")
    out: dict[str, Formula] = {}
    for key, spec in yaml.safe_load(text).items():
        kind = next(k for k in ("measure", "ratio", "triple") if k in spec)
        measures = (spec[kind],) if kind == "measure" else tuple(spec[kind])
        scale = float(spec.get("scale", 1.0)) / float(spec.get("divide", 1.0))
        out[key] = Formula(key, kind, measures, scale)
    return out


def metric_keys() -> list[str]:
    return list(formulas())


def dimension_columns(by: list[str]) -> list[str]:
    columns = []
    for name in by:
        if name not in DIMENSIONS:
            raise MetricError("metrics.unknown_dimension", dimension=name,
                              allowed=", ".join(DIMENSIONS))
        if DIMENSIONS[name]:
            columns.append(DIMENSIONS[name])
    return columns


def compute(store: Store, config: Config, *, by: list[str], period: str | Period,
            grain: str | None = None, metrics: list[str] | None = None) -> pd.DataFrame:
    """One row per dimension value and period row; columns: dimensions, `period`, metrics."""
    period = parse_period(period) if isinstance(period, str) else period
    keys = metrics or metric_keys()
    unknown = [k for k in keys if k not in formulas()]
    if unknown:
        raise MetricError("metrics.unknown_metric", metric=", ".join(unknown))
    dims = dimension_columns(by)
    needed: dict[str, list[Measure]] = {}
    for key in keys:
        for ref in formulas()[key].measures:
            source_name, measure_name = ref.split(".")
            measure = next(m for m in SOURCES[source_name].measures if m.name == measure_name)
            needed.setdefault(source_name, [])
            if measure not in needed[source_name]:
                needed[source_name].append(measure)

    con = store.ibis()
    start, end = period.utc_bounds(config.timezone)
    ctx = Context(con=con, start=start, end=end, calendar=_calendar(period, grain, config),
                  thresholds=config.thresholds,
                  presence=_presence(store, needed))
    frames: list[pd.DataFrame] = []
    available: set[str] = set()
    for source_name, measures in needed.items():
        source = SOURCES[source_name]
        usable = [m for m in measures if all(ctx.has_data(t, c) for t, c in m.requires)]
        if not set(dims) <= source.dims or not usable:
            continue
        frames.append(_aggregate(ctx, source, usable, dims))
        available |= {f"{source_name}.{m.name}" for m in usable}

    labels = list(dict.fromkeys(grain_label(d, grain, period) for d in period.days))
    merged = _merge(frames, [*dims, "label"], labels)
    result = pd.DataFrame({d: merged[d] for d in dims})
    result["period"] = merged["label"]
    maxima = {f"{name}.{m.name}" for name, source in SOURCES.items() for m in source.measures
              if m.agg == "max"}
    for key in keys:
        result[key] = _evaluate(formulas()[key], merged, available, maxima)
    result = _target_achievement(store, config, result, by, keys)
    return result.sort_values([*dims, "period"], na_position="last",
                              ignore_index=True) if len(result) else result


def _calendar(period: Period, grain: str | None, config: Config) -> Any:
    days = period.days
    table = pa.table({
        "day": pa.array(days, pa.date32()),
        "label": pa.array([grain_label(d, grain, period) for d in days], pa.string()),
        "day_start": pa.array([local_day_start_utc(d, config.timezone) for d in days],
                              pa.timestamp("us")),
        "day_end": pa.array([local_day_start_utc(d + timedelta(days=1), config.timezone)
                             for d in days], pa.timestamp("us")),
    })
    return ibis.memtable(table)


def _presence(store: Store, needed: dict[str, list[Measure]]) -> dict[tuple[str, str], bool]:
    """Which input columns hold any data (an absent or empty column makes its metrics null)."""
    wanted: dict[str, set[str]] = {}
    for measures in needed.values():
        for m in measures:
            for table, column in m.requires:
                wanted.setdefault(table, set()).add(column)
    for source_name in needed:  # the tables every source reads
        for table, column in _base_requirements(source_name):
            wanted.setdefault(table, set()).add(column)
    presence: dict[tuple[str, str], bool] = {}
    supplied = {key.removeprefix("supplied:") for (key,) in store.fetchall(
        "SELECT \"key\" FROM cskpi_meta WHERE \"key\" LIKE 'supplied:%'")}
    for table, columns in wanted.items():
        # A table's key column: was the table ever supplied, even as a file with no rows?
        key_columns = {c for c in columns if c in contract()[table].key}
        for column in key_columns:
            presence[(table, column)] = table in supplied
        columns = columns - key_columns
        if not columns:
            continue
        with_data = store.columns_with_data(table, sorted(columns))
        for column in columns:
            presence[(table, column)] = column in with_data
    return presence


def _base_requirements(source_name: str) -> list[tuple[str, str]]:
    return [("agent_states", "state")] if source_name == "worked" else []


def _aggregate(ctx: Context, source: Source, measures: list[Measure],
               dims: list[str]) -> pd.DataFrame:
    rows = source.build(ctx)
    if not source.labelled:
        calendar = ctx.calendar.select("day", "label")
        rows = rows.join(calendar, rows.day == calendar.day)
    aggregates = {}
    for m in measures:
        column = rows[m.column]
        where = rows[m.where] if m.where else None
        if m.agg == "sum":
            aggregates[f"{source.name}.{m.name}"] = column.sum(where=where)
        elif m.agg == "nunique":
            aggregates[f"{source.name}.{m.name}"] = column.nunique(where=where)
        elif m.agg == "max":
            aggregates[f"{source.name}.{m.name}"] = column.max(where=where)
        else:  # pragma: no cover - the Measure table is fixed
            raise ValueError(m.agg)
    grouped = rows.group_by([*dims, "label"]).aggregate(**aggregates)
    frame = ctx.con.execute(grouped)
    for name in aggregates:
        frame[name] = pd.to_numeric(frame[name], errors="coerce").astype("float64")
    return frame


def _merge(frames: list[pd.DataFrame], keys: list[str], labels: list[str]) -> pd.DataFrame:
    """Outer-join the grouped sources on their keys. The center (no dimension) always has a
    row for each period row, with zero counts when nothing happened."""
    merged = pd.DataFrame({k: pd.Series(dtype="object") for k in keys})
    if keys == ["label"]:
        merged = pd.DataFrame({"label": pd.Series(labels, dtype="object")})
    for frame in frames:
        frame = frame.astype({k: "object" for k in keys})
        merged = merged.merge(frame, on=keys, how="outer")
    return merged


def _evaluate(formula: Formula, merged: pd.DataFrame, available: set[str],
              maxima: set[str]) -> pd.Series:
    if not all(m in available for m in formula.measures):
        return pd.Series([None] * len(merged), index=merged.index, dtype="object")
    # A row present through another source has none of this source's facts: zero of them
    # (but the highest of no values is undefined, not 0).
    values = [merged[m].to_numpy(dtype="float64") if m in maxima
              else merged[m].fillna(0.0).to_numpy(dtype="float64") for m in formula.measures]
    if formula.kind == "measure":
        result = values[0] * formula.scale
    elif formula.kind == "ratio":
        numerator, denominator = values
        with np.errstate(divide="ignore", invalid="ignore"):
            result = np.where(denominator > 0, numerator / denominator * formula.scale, np.nan)
    else:  # triple a:b:c scaled so that c = 1
        a, b, c = values
        with np.errstate(divide="ignore", invalid="ignore"):
            triples = [[x / z, y / z, 1.0] if z > 0 else None for x, y, z in zip(a, b, c,
                                                                                  strict=True)]
        return pd.Series(triples, index=merged.index, dtype="object")
    series = pd.Series(result, index=merged.index, dtype="float64")
    as_objects = series.astype("object").where(series.notna(), None)
    if formula.kind == "measure" and _is_count(formula.key):
        # Counts print as whole numbers (sessions: 12, not 12.0).
        return as_objects.map(lambda v: int(v) if v is not None and float(v).is_integer() else v)
    return as_objects


def _is_count(key: str) -> bool:
    from cskpi.metrics.catalog import info

    meta = info(key)
    return meta is not None and meta.unit in ("count", "days")


def _target_achievement(store: Store, config: Config, result: pd.DataFrame, by: list[str],
                        keys: list[str]) -> pd.DataFrame:
    """`target_achievement:<metric>` = actual ÷ target for each targets row that names the
    row's dimension value (agent:<id>, team:<t>, group:<g>, center) and exact period label."""
    if len(by) > 1 or (by and by[0] not in ("agent", "team", "group", "center")):
        return result
    rows = store.fetchall("SELECT scope, period, metric, target FROM targets")
    if not rows or not len(result):
        return result
    dim = by[0] if by else "center"
    targets = pd.DataFrame(rows, columns=["scope", "period", "metric", "target"])
    targets["target"] = pd.to_numeric(targets["target"], errors="coerce")
    # Each result row's scope, spelled as in the targets table.
    scope = (pd.Series("center", index=result.index) if dim == "center"
             else f"{dim}:" + result[DIMENSIONS[dim]].astype(str))
    for metric in sorted(set(targets["metric"]) & set(keys)):
        wanted = targets[targets["metric"] == metric].drop_duplicates(
            ["scope", "period"], keep="last").set_index(["scope", "period"])["target"]
        target = pd.Series(
            wanted.reindex(pd.MultiIndex.from_arrays([scope, result["period"]])).to_numpy(),
            index=result.index, dtype="float64")
        actual = pd.to_numeric(result[metric].where(
            ~result[metric].map(lambda v: isinstance(v, list))), errors="coerce")
        ratio = (actual / target).where((target != 0) & target.notna() & actual.notna())
        result[f"target_achievement:{metric}"] = ratio.astype("object").where(ratio.notna(), None)
    return result


def compute_arrow(store: Store, config: Config, **kwargs: Any) -> pa.Table:
    """The same as :func:`compute`, as an Arrow table (for notebooks and other tools)."""
    return pa.Table.from_pandas(compute(store, config, **kwargs), preserve_index=False)
