"""Versions of a period's results: freezing them, reading them, and the diff between two.

A version's rows are written once when computed; while the version is a draft a recompute
replaces them, and once approved nothing touches them again.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cskpi.cycle.db import canonical, ensure_tables
from cskpi.cycle.errors import CycleError
from cskpi.scoring.loader import list_templates, load_scorecard, template_path
from cskpi.scoring.models.scorecard import Scorecard
from cskpi.scoring.results import AgentResult
from cskpi.store.base import Store


@dataclass(frozen=True)
class ScorecardSource:
    """A scorecard with the file it came from and that file's content hash (its version)."""

    card: Scorecard
    source: str
    digest: str


def resolve_scorecard(name_or_path: str) -> ScorecardSource:
    """Load a template by name or a scorecard file by path, with its content hash."""
    candidate = Path(name_or_path)
    is_file = candidate.suffix in {".yaml", ".yml"} or candidate.exists()
    path = candidate if is_file else template_path(name_or_path)
    try:
        card = load_scorecard(name_or_path)
    except FileNotFoundError:
        raise CycleError(
            "cycle.no_scorecard", name=name_or_path, allowed=", ".join(list_templates())
        ) from None
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return ScorecardSource(card, str(path) if is_file else name_or_path, digest)


def write_results(
    store: Store,
    scorecard: str,
    period: str,
    version: int,
    results: list[AgentResult],
    figures: dict[str, dict[str, float | None]] | None = None,
) -> None:
    """Store a version's results and the figures they were scored on (replacing a draft's
    earlier rows)."""
    store.execute(
        "DELETE FROM cycle_results WHERE scorecard = ? AND period = ? AND version = ?",
        (scorecard, period, version),
    )
    for result in results:
        data = result.to_dict()
        pay = (data.get("pay") or {}).get("total")
        store.execute(
            "INSERT INTO cycle_results (scorecard, period, version, agent_id, total, grade, pay, "
            '"rank", result, figures) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
            (
                scorecard,
                period,
                version,
                result.agent_id,
                data["total"],
                result.grade,
                None if pay is None else float(pay),
                result.rank,
                canonical(data),
                canonical((figures or {}).get(result.agent_id, {})),
            ),
        )


def agent_figures(frame: Any, metrics: list[str]) -> dict[str, dict[str, float | None]]:
    """Per agent, the scorecard's metrics from a figures frame (undefined → None)."""
    out: dict[str, dict[str, float | None]] = {}
    for row in frame.to_dict("records"):
        values = {}
        for metric in metrics:
            value = row.get(metric)
            values[metric] = None if value is None or value != value else float(value)
        out[str(row["agent_id"])] = values
    return out


def read_results(
    store: Store, scorecard: str, period: str, version: int, agent_id: str | None = None
) -> dict[str, dict[str, Any]]:
    """A version's results by agent: the frozen ``to_dict`` JSON."""
    ensure_tables(store)
    extra, params = "", [scorecard, period, version]
    if agent_id is not None:
        extra = " AND agent_id = ?"
        params.append(agent_id)
    rows = store.fetchall(
        "SELECT agent_id, result FROM cycle_results WHERE scorecard = ? AND period = ? "
        f"AND version = ?{extra} ORDER BY agent_id",
        tuple(params),
    )
    return {str(a): json.loads(r) for a, r in rows}


def raw_results(store: Store, scorecard: str, period: str, version: int) -> list[tuple]:
    """A version's stored rows exactly as kept (for byte-for-byte comparisons)."""
    return store.fetchall(
        'SELECT agent_id, total, grade, pay, "rank", result, figures FROM cycle_results '
        "WHERE scorecard = ? AND period = ? AND version = ? ORDER BY agent_id",
        (scorecard, period, version),
    )


def pay_total(result: dict[str, Any] | None) -> float:
    return float(((result or {}).get("pay") or {}).get("total") or 0.0)


def _items(result: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    if not result:
        return {}
    return {i["key"]: i for i in (*result.get("items", []), *result.get("bonus_items", []))}


def _why(old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Items whose points changed, with the rule text that now applies."""
    a, b = _items(old), _items(new)
    out = []
    for key in [*a, *(k for k in b if k not in a)]:
        pa, pb = (a.get(key) or {}).get("points"), (b.get(key) or {}).get("points")
        if pa == pb:
            continue
        item = b.get(key) or a.get(key) or {}
        out.append(
            {
                "item": key,
                "label": item.get("label"),
                "points_old": pa,
                "points_new": pb,
                "delta": None if pa is None or pb is None else round(pb - pa, 2),
                "value_old": (a.get(key) or {}).get("value"),
                "value_new": (b.get(key) or {}).get("value"),
                "rule": (b.get(key) or {}).get("rule"),
            }
        )
    return out


def diff_results(
    old: dict[str, dict[str, Any]], new: dict[str, dict[str, Any]], everyone: bool = False
) -> list[dict[str, Any]]:
    """Per agent: who moves, by how many points, and why (the items whose points changed)."""
    rows = []
    for agent_id in sorted(old.keys() | new.keys()):
        a, b = old.get(agent_id), new.get(agent_id)
        total_a = None if a is None else a.get("total")
        total_b = None if b is None else b.get("total")
        why = _why(a, b)
        pay_a, pay_b = pay_total(a), pay_total(b)
        moved = (
            total_a != total_b
            or why
            or pay_a != pay_b
            or (a or {}).get("rank") != (b or {}).get("rank")
        )
        if not moved and not everyone:
            continue
        rows.append(
            {
                "agent_id": agent_id,
                "total_old": total_a,
                "total_new": total_b,
                "delta": None
                if total_a is None or total_b is None
                else round(total_b - total_a, 2),
                "rank_old": None if a is None else a.get("rank"),
                "rank_new": None if b is None else b.get("rank"),
                "grade_old": None if a is None else a.get("grade"),
                "grade_new": None if b is None else b.get("grade"),
                "pay_old": None if a is None else pay_a,
                "pay_new": None if b is None else pay_b,
                "pay_delta": round(pay_b - pay_a, 2),
                "why": why,
            }
        )
    return rows
