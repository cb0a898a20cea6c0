"""The cycle's library API: open, compute, review, approve, publish, status, diff.

Every state change runs in one transaction that locks the period row (PostgreSQL:
``SELECT … FOR UPDATE``), checks the move against :mod:`cskpi.cycle.states`, writes, bumps
``rev`` only if nobody else did (optimistic check, for backends without row locks) and appends
to the audit log. The actor (``by``) comes from the caller: ``--by`` in the CLI, the logged-in
user in the web app.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from typing import Any

from cskpi.config import Config
from cskpi.cycle import audit
from cskpi.cycle.db import ensure_tables, for_update, now
from cskpi.cycle.errors import CycleError
from cskpi.cycle.settings import CycleSettings
from cskpi.cycle.states import LOCKED, Action, State, allowed, next_state
from cskpi.cycle.versions import (
    agent_figures,
    diff_results,
    pay_total,
    read_results,
    resolve_scorecard,
    write_results,
)
from cskpi.metrics.periods import PeriodError, parse_period
from cskpi.scoring.walk import used_metrics
from cskpi.store.base import Store

# Grains a cycle can run on, as the scorecard's `period` names them, with the period text of
# each; the scorecard's own grain (月度 by default) is the one its cycle uses.
GRAINS = {
    "week": (re.compile(r"^\d{4}-W\d{2}$"), "YYYY-Www"),
    "month": (re.compile(r"^\d{4}-\d{2}$"), "YYYY-MM"),
    "quarter": (re.compile(r"^\d{4}-Q[1-4]$"), "YYYY-Qn"),
    "half_year": (re.compile(r"^\d{4}-H[12]$"), "YYYY-Hn"),
    "year": (re.compile(r"^\d{4}$"), "YYYY"),
}
EXAMPLES = ", ".join(example for _, example in GRAINS.values())


@dataclass(frozen=True)
class PeriodRow:
    scorecard: str
    period: str
    grain: str
    state: State
    version: int | None
    locked_version: int | None
    rev: int
    opened_at: str
    opened_by: str
    updated_at: str
    updated_by: str

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["state"] = self.state.value
        out["allowed"] = [a.value for a in allowed(self.state)]
        return out


_PERIOD_COLUMNS = (
    "scorecard",
    "period",
    "grain",
    "state",
    "version",
    "locked_version",
    "rev",
    "opened_at",
    "opened_by",
    "updated_at",
    "updated_by",
)


def grain_of(period: str) -> str:
    """The grain of a cycle period (a `Grain` value); CycleError for days and ranges."""
    try:
        label = parse_period(period).label
    except PeriodError:
        raise CycleError("cycle.bad_period", period=period, allowed=EXAMPLES) from None
    for grain, (pattern, _) in GRAINS.items():
        if pattern.match(label):
            return grain
    raise CycleError("cycle.bad_period", period=period, allowed=EXAMPLES)


def _label(period: str) -> str:
    grain_of(period)
    return parse_period(period).label


def _row(values: tuple[Any, ...]) -> PeriodRow:
    data = dict(zip(_PERIOD_COLUMNS, values, strict=True))
    data["state"] = State(data["state"])
    for key in ("version", "locked_version"):
        data[key] = None if data[key] is None else int(data[key])
    data["rev"] = int(data["rev"])
    return PeriodRow(**data)


def get_period(store: Store, scorecard: str, period: str, lock: bool = False) -> PeriodRow | None:
    """The period row (locked for update when ``lock``, inside a transaction)."""
    ensure_tables(store)
    statement = (
        f"SELECT {', '.join(_PERIOD_COLUMNS)} FROM cycle_periods WHERE scorecard = ? AND period = ?"
    )
    found = store.fetchall(for_update(store, statement) if lock else statement, (scorecard, period))
    return _row(found[0]) if found else None


def _require(store: Store, scorecard: str, period: str, action: Action) -> PeriodRow:
    """The locked period row, after checking ``action`` is legal in its state."""
    row = get_period(store, scorecard, period, lock=True)
    next_state(State.NONE if row is None else row.state, action)
    assert row is not None  # NONE allows only OPEN, which never comes here
    return row


def _move(store: Store, row: PeriodRow, state: State, by: str, **changes: Any) -> None:
    """Set the period's state (and columns), only if nobody changed it since it was read."""
    values = {"state": state.value, "updated_at": now(), "updated_by": by, **changes}
    assignments = ", ".join(f"{k} = ?" for k in values)
    count = store.execute(
        f"UPDATE cycle_periods SET {assignments}, rev = rev + 1 "
        "WHERE scorecard = ? AND period = ? AND rev = ?",
        (*values.values(), row.scorecard, row.period, row.rev),
    )
    if count == 0:
        raise CycleError("cycle.concurrent", scorecard=row.scorecard, period=row.period)


def _actor(by: str | None) -> str:
    if not by or not by.strip():
        raise CycleError("cycle.no_actor")
    return by.strip()


# --- transitions ----------------------------------------------------------------------------


def open_period(
    store: Store, scorecard: str, period: str, by: str, reason: str | None = None
) -> PeriodRow:
    """Open a period of a scorecard (month by default: the period's text gives the grain)."""
    by = _actor(by)
    card = resolve_scorecard(scorecard).card
    name, label = card.name, _label(period)
    if grain_of(label) != card.period.value:
        _, example = GRAINS[card.period.value]
        raise CycleError(
            "cycle.wrong_grain",
            scorecard=name,
            grain=card.period.value,
            period=label,
            example=example,
        )
    ensure_tables(store)
    with store.transaction():
        row = get_period(store, name, label, lock=True)
        next_state(State.NONE if row is None else row.state, Action.OPEN)
        stamp = now()
        store.execute(
            f"INSERT INTO cycle_periods ({', '.join(_PERIOD_COLUMNS)}) "
            "VALUES (?, ?, ?, ?, NULL, NULL, 0, ?, ?, ?, ?)",
            (name, label, grain_of(label), State.OPEN.value, stamp, by, stamp, by),
        )
        audit.append(
            store,
            actor=by,
            action="cycle.open",
            scorecard=name,
            period=label,
            before={"state": State.NONE.value},
            after={"state": State.OPEN.value},
            reason=reason,
        )
        opened = get_period(store, name, label)
    assert opened is not None
    return opened


def compute(
    store: Store, config: Config, scorecard: str, period: str, by: str, reason: str | None = None
) -> dict[str, Any]:
    """Score the period into its draft version (a new version when the period is locked:
    the approved one stays frozen and the diff shows what the new one changes)."""
    from cskpi.scoring import score
    from cskpi.scoring.store_inputs import StoreInputs

    by = _actor(by)
    source = resolve_scorecard(scorecard)
    name, label = source.card.name, _label(period)
    ensure_tables(store)
    with store.transaction():
        row = _require(store, name, label, Action.COMPUTE)
        if row.state in LOCKED and not (reason or "").strip():
            raise CycleError(
                "cycle.reason_required", scorecard=name, period=label, state=row.state.value
            )
        draft = row.version is not None and row.version != row.locked_version
        version = row.version if draft else (row.version or 0) + 1
        assert version is not None
        inputs = StoreInputs(store, config, name)
        inputs.scored_period = label
        results = score(source.card, inputs, label)
        # The figures the scores stand on (cached: the engine just read them), frozen with
        # them so cross-period rules of later months read what was approved.
        metrics = used_metrics(source.card)
        frozen = agent_figures(inputs.figures(["agent"], label, metrics), metrics)
        write_results(store, name, label, version, results, frozen)
        history = json.dumps(dict(sorted(inputs.locked_periods_read.items())))
        store.execute(
            "DELETE FROM cycle_versions WHERE scorecard = ? AND period = ? AND version = ?",
            (name, label, version),
        )
        store.execute(
            "INSERT INTO cycle_versions (scorecard, period, version, status, computed_at, "
            "computed_by, reason, scorecard_source, scorecard_hash, history) "
            "VALUES (?, ?, ?, 'draft', ?, ?, ?, ?, ?, ?)",
            (name, label, version, now(), by, reason, source.source, source.digest, history),
        )
        state = next_state(row.state, Action.COMPUTE)
        _move(store, row, state, by, version=version)
        audit.append(
            store,
            actor=by,
            action="cycle.compute",
            scorecard=name,
            period=label,
            before={"state": row.state.value, "version": row.version},
            after={
                "state": state.value,
                "version": version,
                "agents": len(results),
                "scorecard_hash": source.digest,
                "history": inputs.locked_periods_read,
            },
            reason=reason,
        )
    return {
        "scorecard": name,
        "period": label,
        "version": version,
        "state": state.value,
        "agents": len(results),
        "new_version": not draft,
        "history": inputs.locked_periods_read,
    }


def review(
    store: Store, scorecard: str, period: str, by: str, reason: str | None = None
) -> PeriodRow:
    """Put the computed version under review (calibration; entries still allowed)."""
    return _simple(store, scorecard, period, by, Action.REVIEW, reason)


def publish(
    store: Store, scorecard: str, period: str, by: str, reason: str | None = None
) -> PeriodRow:
    """Show the approved version to agents (appeals open)."""
    return _simple(store, scorecard, period, by, Action.PUBLISH, reason)


def _simple(
    store: Store, scorecard: str, period: str, by: str, action: Action, reason: str | None
) -> PeriodRow:
    by = _actor(by)
    name, label = resolve_scorecard(scorecard).card.name, _label(period)
    ensure_tables(store)
    with store.transaction():
        row = _require(store, name, label, action)
        state = next_state(row.state, action)
        _move(store, row, state, by)
        if action == Action.PUBLISH:
            store.execute(
                "UPDATE cycle_versions SET published_by = ?, published_at = ? "
                "WHERE scorecard = ? AND period = ? AND version = ?",
                (by, now(), name, label, row.version),
            )
        audit.append(
            store,
            actor=by,
            action=f"cycle.{action.value}",
            scorecard=name,
            period=label,
            before={"state": row.state.value, "version": row.version},
            after={"state": state.value, "version": row.version},
            reason=reason,
        )
        moved = get_period(store, name, label)
    assert moved is not None
    return moved


def approve(
    store: Store,
    scorecard: str,
    period: str,
    by: str,
    settings: CycleSettings | None = None,
    reason: str | None = None,
) -> dict[str, Any]:
    """Approve and lock the version under review.

    When a re-approval moves any agent's pay by more than ``four_eyes_pay_change`` against
    the previous approved version, the first approval is recorded and a second, different
    approver completes it (``status`` = ``awaiting_second`` until then).
    """
    by = _actor(by)
    settings = settings or CycleSettings()
    name, label = resolve_scorecard(scorecard).card.name, _label(period)
    ensure_tables(store)
    with store.transaction():
        row = _require(store, name, label, Action.APPROVE)
        assert row.version is not None
        change = _pay_change(store, row)
        limit = settings.four_eyes_pay_change
        needs_two = limit is not None and change is not None and change > limit
        ((first,),) = store.fetchall(
            "SELECT first_approver FROM cycle_versions WHERE scorecard = ? AND period = ? "
            "AND version = ?",
            (name, label, row.version),
        )
        base = {
            "scorecard": name,
            "period": label,
            "version": row.version,
            "pay_change": change,
            "four_eyes": needs_two,
        }
        if needs_two and first is None:
            store.execute(
                "UPDATE cycle_versions SET first_approver = ? WHERE scorecard = ? "
                "AND period = ? AND version = ?",
                (by, name, label, row.version),
            )
            _move(store, row, row.state, by)
            audit.append(
                store,
                actor=by,
                action="cycle.approve_first",
                scorecard=name,
                period=label,
                before={"state": row.state.value, "version": row.version},
                after={
                    "state": row.state.value,
                    "version": row.version,
                    "first_approver": by,
                    "pay_change": change,
                    "limit": limit,
                },
                reason=reason,
            )
            return {
                **base,
                "status": "awaiting_second",
                "state": row.state.value,
                "first_approver": by,
            }
        if needs_two and first == by:
            raise CycleError(
                "cycle.four_eyes_same",
                scorecard=name,
                period=label,
                by=by,
                change=f"{change:.2f}",
                limit=f"{limit:g}",
            )
        stamp = now()
        store.execute(
            "UPDATE cycle_versions SET status = 'approved', approved_by = ?, "
            "approved_at = ? WHERE scorecard = ? AND period = ? AND version = ?",
            (by, stamp, name, label, row.version),
        )
        state = next_state(row.state, Action.APPROVE)
        _move(store, row, state, by, locked_version=row.version)
        audit.append(
            store,
            actor=by,
            action="cycle.approve",
            scorecard=name,
            period=label,
            before={
                "state": row.state.value,
                "version": row.version,
                "locked_version": row.locked_version,
            },
            after={
                "state": state.value,
                "version": row.version,
                "locked_version": row.version,
                "pay_change": change,
                "first_approver": first if needs_two else None,
            },
            reason=reason,
        )
    return {
        **base,
        "status": "approved",
        "state": state.value,
        "first_approver": first if needs_two else None,
        "approved_by": by,
    }


def _pay_change(store: Store, row: PeriodRow) -> float | None:
    """Largest change of one agent's pay against the previous approved version (None on the
    first approval: nothing was fixed before)."""
    if row.locked_version is None or row.version is None:
        return None
    old = read_results(store, row.scorecard, row.period, row.locked_version)
    new = read_results(store, row.scorecard, row.period, row.version)
    changes = [abs(pay_total(new.get(a)) - pay_total(old.get(a))) for a in old.keys() | new]
    return round(max(changes, default=0.0), 2)


# --- reading --------------------------------------------------------------------------------


def status(
    store: Store, scorecard: str | None = None, period: str | None = None
) -> list[dict[str, Any]]:
    """Every cycle (or one scorecard's, or one period's): state, versions, what may follow."""
    ensure_tables(store)
    where, params = [], []
    if scorecard is not None:
        where.append("scorecard = ?")
        params.append(resolve_scorecard(scorecard).card.name)
    if period is not None:
        where.append("period = ?")
        params.append(_label(period))
    clause = f" WHERE {' AND '.join(where)}" if where else ""
    found = store.fetchall(
        f"SELECT {', '.join(_PERIOD_COLUMNS)} FROM cycle_periods{clause} "
        "ORDER BY scorecard, period",
        tuple(params),
    )
    out = []
    for values in found:
        row = _row(values)
        (appeals,) = store.fetchall(
            "SELECT COUNT(*) FROM cycle_appeals WHERE scorecard = ? AND period = ? "
            "AND state = 'filed'",
            (row.scorecard, row.period),
        )[0]
        data = row.to_dict()
        data["open_appeals"] = int(appeals)
        data["versions"] = versions(store, row.scorecard, row.period)
        out.append(data)
    return out


def versions(store: Store, scorecard: str, period: str) -> list[dict[str, Any]]:
    names = (
        "version",
        "status",
        "computed_at",
        "computed_by",
        "reason",
        "scorecard_source",
        "scorecard_hash",
        "history",
        "first_approver",
        "approved_by",
        "approved_at",
        "published_by",
        "published_at",
    )
    found = store.fetchall(
        f"SELECT {', '.join(names)} FROM cycle_versions WHERE scorecard = ? "
        "AND period = ? ORDER BY version",
        (scorecard, period),
    )
    out = []
    for values in found:
        data = dict(zip(names, values, strict=True))
        data["version"] = int(data["version"])
        data["history"] = json.loads(data["history"] or "{}")
        out.append(data)
    return out


def results(
    store: Store,
    scorecard: str,
    period: str,
    version: int | None = None,
    agent_id: str | None = None,
    published: bool = False,
) -> tuple[int, dict[str, dict[str, Any]]]:
    """A version's frozen results: ``version``, else the locked version, else the draft; with
    ``published``, the latest version agents were shown (what an agent may see)."""
    name, label = resolve_scorecard(scorecard).card.name, _label(period)
    row = get_period(store, name, label)
    if row is None:
        raise CycleError("cycle.no_cycle", scorecard=name, period=label)
    known = versions(store, name, label)
    if published:
        shown = [v["version"] for v in known if v["published_at"]]
        if not shown:
            raise CycleError("cycle.not_published", scorecard=name, period=label)
        version = version if version in shown else shown[-1]
    chosen = version or row.locked_version or row.version
    if chosen is None:
        raise CycleError("cycle.not_computed", scorecard=name, period=label)
    if chosen not in {v["version"] for v in known}:
        raise CycleError(
            "cycle.no_version",
            scorecard=name,
            period=label,
            version=chosen,
            allowed=", ".join(str(v["version"]) for v in known) or "—",
        )
    return chosen, read_results(store, name, label, chosen, agent_id)


def version_state(version: dict[str, Any]) -> str:
    """Where a version got to: computed (a draft), approved or published."""
    if version.get("published_at"):
        return State.PUBLISHED.value
    return State.APPROVED.value if version.get("status") == "approved" else State.COMPUTED.value


def diff(
    store: Store,
    scorecard: str,
    period: str,
    old: int | None = None,
    new: int | None = None,
    everyone: bool = False,
) -> dict[str, Any]:
    """What a version changes against another (default: the newest version against the
    approved one before it): who moves, by how many points, and the items why."""
    name, label = resolve_scorecard(scorecard).card.name, _label(period)
    row = get_period(store, name, label)
    if row is None:
        raise CycleError("cycle.no_cycle", scorecard=name, period=label)
    new = new or row.version
    if new is None:
        raise CycleError("cycle.not_computed", scorecard=name, period=label)
    if old is None:
        approved = [
            v["version"]
            for v in versions(store, name, label)
            if v["status"] == "approved" and v["version"] < new
        ]
        old = approved[-1] if approved else new - 1
    known = {v["version"]: v for v in versions(store, name, label)}
    for wanted in (old, new):
        if wanted not in known:
            raise CycleError(
                "cycle.no_version",
                scorecard=name,
                period=label,
                version=wanted,
                allowed=", ".join(str(v) for v in known) or "—",
            )
    rows = diff_results(
        read_results(store, name, label, old), read_results(store, name, label, new), everyone
    )
    return {
        "scorecard": name,
        "period": label,
        "old": old,
        "new": new,
        "scorecard_changed": known[old]["scorecard_hash"] != known[new]["scorecard_hash"],
        "rows": rows,
    }
