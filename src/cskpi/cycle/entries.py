"""Manual entries during a period: adjustments (violations, praise, out-of-hours work,
adopted suggestions, teamwork faults), supervisor scores and agents' self-assessment.

They go into the contract's ``adjustments`` table, so scoring reads them like imported ones,
and into the audit log. A date inside a locked (approved or published) period of any
scorecard is refused: every scorecard reads the same adjustments, and a locked period must not
change underneath its approval. Corrections an upheld appeal makes are the one exception.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from cskpi.cycle import audit
from cskpi.cycle.db import canonical, ensure_tables, for_share
from cskpi.cycle.errors import CycleError
from cskpi.cycle.states import Action, State, next_state
from cskpi.cycle.versions import resolve_scorecard
from cskpi.metrics.periods import PeriodError, parse_period
from cskpi.scoring.adjustment_kinds import STANDARD_KINDS, is_known
from cskpi.scoring.models.rules import CompositeRule, ManualRule
from cskpi.scoring.rules.manual import kinds as manual_kinds
from cskpi.scoring.walk import kind_refs
from cskpi.store.base import Store

COLUMNS = ("adjustment_id", "agent_id", "date", "kind", "count", "points", "reason", "entered_by")
QUOTED = ", ".join(f'"{c}"' for c in COLUMNS)


def new_id() -> str:
    """Entry ids sort by the time they were made (scoring's "latest score" tie-break)."""
    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")
    return f"cycle-{stamp}-{uuid.uuid4().hex[:6]}"


def _day(value: str | date) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CycleError("cycle.bad_date", date=value) from None


def entry_date(period: str | None, day: str | date | None) -> date:
    """The entry's date: given, else today when inside ``period``, else the period's end."""
    if day is not None:
        chosen = _day(day)
        if period is not None:
            bounds = _bounds(period)
            if not bounds.start <= chosen <= bounds.end:
                raise CycleError("cycle.date_outside", date=chosen.isoformat(), period=period)
        return chosen
    if period is None:
        return datetime.now(UTC).date()
    bounds = _bounds(period)
    today = datetime.now(UTC).date()
    return today if bounds.start <= today <= bounds.end else bounds.end


def _bounds(period: str):  # type: ignore[no-untyped-def]
    try:
        return parse_period(period)
    except PeriodError:
        raise CycleError(
            "cycle.bad_period", period=period, allowed="YYYY-MM, YYYY-Www, YYYY-Qn, YYYY-Hn, YYYY"
        ) from None


def check_unlocked(store: Store, day: date) -> None:
    """Refuse a date inside a locked period of any scorecard (the state machine says why).

    Called inside the entry's transaction: the period rows stay share-locked until it commits,
    so an approval cannot slip in between this check and the entry."""
    ensure_tables(store)
    statement = "SELECT scorecard, period, state FROM cycle_periods ORDER BY scorecard, period"
    for scorecard, period, state in store.fetchall(for_share(store, statement)):
        bounds = parse_period(str(period))
        if bounds.start <= day <= bounds.end:
            try:
                next_state(State(state), Action.ENTRY)
            except Exception as error:
                raise CycleError(
                    "cycle.entry_locked",
                    scorecard=scorecard,
                    period=period,
                    state=state,
                    date=day.isoformat(),
                    allowed=", ".join(getattr(error, "allowed", [])),
                ) from error


def declared_kinds(scorecard: str | None) -> tuple[str, ...]:
    if scorecard is None:
        return ()
    card = resolve_scorecard(scorecard).card
    return tuple(kind for _, kind in kind_refs(card))


def add_entry(
    store: Store,
    *,
    agent_id: str,
    kind: str,
    reason: str,
    by: str,
    period: str | None = None,
    day: str | date | None = None,
    count: float = 1.0,
    points: float | None = None,
    scorecard: str | None = None,
    appeal_id: str | None = None,
) -> dict[str, Any]:
    """Record one adjustment; returns the stored row (with its ``adjustment_id``)."""
    if not by or not by.strip():
        raise CycleError("cycle.no_actor")
    if not reason or not reason.strip():
        raise CycleError("cycle.reason_missing")
    if not agent_id:
        raise CycleError("cycle.no_agent")
    if not is_known(kind, declared_kinds(scorecard)):
        raise CycleError(
            "cycle.unknown_kind",
            kind=kind,
            allowed=", ".join(sorted(STANDARD_KINDS)) + ", supervisor.ITEM, self.ITEM",
        )
    if count < 0:
        raise CycleError("cycle.bad_count", count=count)
    day_ = entry_date(period, day)
    ensure_tables(store)
    row = {
        "adjustment_id": new_id(),
        "agent_id": agent_id,
        "date": day_,
        "kind": kind,
        "count": float(count),
        "points": None if points is None else float(points),
        "reason": reason.strip(),
        "entered_by": by.strip(),
    }
    extra = {"source": "cycle", "scorecard": scorecard, "period": period, "appeal": appeal_id}
    with store.transaction():
        if appeal_id is None:
            check_unlocked(store, day_)
        marks = ", ".join("?" for _ in (*COLUMNS, "extra"))
        store.execute(
            f"INSERT INTO adjustments ({QUOTED}, extra) VALUES ({marks})",
            (*(row[c] for c in COLUMNS), canonical({k: v for k, v in extra.items() if v})),
        )
        audit.append(
            store,
            actor=by.strip(),
            action="entry.add",
            scorecard=_name(scorecard),
            period=period,
            agent_id=agent_id,
            subject=row["adjustment_id"],
            after=_jsonable(row),
            reason=reason.strip(),
        )
    return row


def _name(scorecard: str | None) -> str | None:
    return None if scorecard is None else resolve_scorecard(scorecard).card.name


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in row.items()}


def manual_kind(scorecard: str | None, item: str, own: bool) -> str:
    """The adjustment kind holding a manual item's supervisor (or self) score; with a
    scorecard, the item must be one of its manual items."""
    if scorecard is None:
        return f"{'self' if own else 'supervisor'}.{item}"
    card = resolve_scorecard(scorecard).card
    found: dict[str, tuple[str, str]] = {}
    for entry in card.items:
        if isinstance(entry.rule, ManualRule):
            found[entry.key] = manual_kinds(entry.rule, entry.key)
        elif isinstance(entry.rule, CompositeRule):
            for sub in entry.rule.items:
                if isinstance(sub.rule, ManualRule):
                    found[sub.key] = manual_kinds(sub.rule, sub.key)
    if item not in found:
        raise CycleError(
            "cycle.not_manual", item=item, scorecard=card.name, allowed=", ".join(found) or "—"
        )
    return found[item][1 if own else 0]


def add_score(
    store: Store,
    *,
    agent_id: str,
    item: str,
    points: float,
    by: str,
    own: bool = False,
    reason: str | None = None,
    period: str | None = None,
    day: str | date | None = None,
    scorecard: str | None = None,
    appeal_id: str | None = None,
) -> dict[str, Any]:
    """A supervisor's score for a manual item, or (``own``) the agent's self-assessment; the
    latest one counts, and the result shows both side by side."""
    kind = manual_kind(scorecard, item, own)
    default = f"{'self-assessment' if own else 'supervisor score'} {item}"
    return add_entry(
        store,
        agent_id=agent_id,
        kind=kind,
        reason=reason or default,
        by=by,
        period=period,
        day=day,
        count=1.0,
        points=points,
        scorecard=scorecard,
        appeal_id=appeal_id,
    )


def void_entry(
    store: Store, adjustment_id: str, reason: str, by: str, appeal_id: str | None = None
) -> dict[str, Any]:
    """Remove a mistaken adjustment (the audit keeps what it was)."""
    if not by or not by.strip():
        raise CycleError("cycle.no_actor")
    if not reason or not reason.strip():
        raise CycleError("cycle.reason_missing")
    ensure_tables(store)
    with store.transaction():
        found = store.fetchall(
            f"SELECT {QUOTED} FROM adjustments WHERE adjustment_id = ?", (adjustment_id,)
        )
        if not found:
            raise CycleError("cycle.no_entry", id=adjustment_id)
        row = dict(zip(COLUMNS, found[0], strict=True))
        if appeal_id is None:
            check_unlocked(store, _day(row["date"]))
        store.execute("DELETE FROM adjustments WHERE adjustment_id = ?", (adjustment_id,))
        audit.append(
            store,
            actor=by.strip(),
            action="entry.void",
            agent_id=row["agent_id"],
            subject=adjustment_id,
            before=_jsonable(row),
            reason=reason.strip(),
        )
    return row


def list_entries(store: Store, period: str, agent_id: str | None = None) -> list[dict[str, Any]]:
    """Every adjustment dated inside ``period`` (imported or entered), oldest first."""
    bounds = _bounds(period)
    extra, params = "", [bounds.start, bounds.end]
    if agent_id is not None:
        extra = " AND agent_id = ?"
        params.append(agent_id)
    found = store.fetchall(
        f"SELECT {QUOTED} FROM adjustments "
        f"WHERE date >= ? AND date <= ?{extra} ORDER BY date, adjustment_id",
        tuple(params),
    )
    return [dict(zip(COLUMNS, r, strict=True)) for r in found]
