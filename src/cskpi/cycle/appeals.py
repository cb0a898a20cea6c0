"""Appeals: an agent contests an item of their published result with a reason; the
supervisor answers with a decision. An upheld appeal applies its correction (a new supervisor
score for the item, or mistaken entries voided), recomputes the period into a new version and
puts it under review, so the diff shows what changed; the agent sees all of it."""

from __future__ import annotations

import uuid
from typing import Any

from cskpi.config import Config
from cskpi.cycle import audit, service
from cskpi.cycle.db import ensure_tables, for_update, now
from cskpi.cycle.entries import add_score, void_entry
from cskpi.cycle.errors import CycleError
from cskpi.cycle.states import Action, AppealAction, AppealState, next_appeal_state
from cskpi.cycle.versions import read_results, resolve_scorecard
from cskpi.store.base import Store

COLUMNS = (
    "appeal_id",
    "scorecard",
    "period",
    "version",
    "agent_id",
    "item",
    "reason",
    "filed_by",
    "filed_at",
    "state",
    "answer",
    "decided_by",
    "decided_at",
    "new_version",
)


def file_appeal(
    store: Store,
    scorecard: str,
    period: str,
    agent_id: str,
    item: str,
    reason: str,
    by: str | None = None,
) -> dict[str, Any]:
    """An agent contests ``item`` of their published result (``by`` defaults to the agent)."""
    by = (by or agent_id).strip()
    if not reason or not reason.strip():
        raise CycleError("cycle.reason_missing")
    name = resolve_scorecard(scorecard).card.name
    ensure_tables(store)
    with store.transaction():
        row = service._require(store, name, service._label(period), Action.APPEAL)
        assert row.locked_version is not None
        result = read_results(store, name, row.period, row.locked_version, agent_id).get(agent_id)
        if result is None:
            raise CycleError("cycle.no_result", agent=agent_id, scorecard=name, period=row.period)
        items = [i["key"] for i in (*result["items"], *result["bonus_items"])]
        if item not in items:
            raise CycleError("cycle.no_item", item=item, allowed=", ".join(items))
        appeal = {
            "appeal_id": f"AP-{uuid.uuid4().hex[:8]}",
            "scorecard": name,
            "period": row.period,
            "version": row.locked_version,
            "agent_id": agent_id,
            "item": item,
            "reason": reason.strip(),
            "filed_by": by,
            "filed_at": now(),
            "state": AppealState.FILED.value,
            "answer": None,
            "decided_by": None,
            "decided_at": None,
            "new_version": None,
        }
        store.execute(
            f"INSERT INTO cycle_appeals ({', '.join(COLUMNS)}) VALUES "
            f"({', '.join('?' for _ in COLUMNS)})",
            tuple(appeal.values()),
        )
        audit.append(
            store,
            actor=by,
            action="appeal.file",
            scorecard=name,
            period=row.period,
            agent_id=agent_id,
            subject=appeal["appeal_id"],
            after={"item": item, "version": row.locked_version, "state": AppealState.FILED.value},
            reason=reason.strip(),
        )
    return appeal


def get_appeal(store: Store, appeal_id: str, lock: bool = False) -> dict[str, Any]:
    ensure_tables(store)
    statement = f"SELECT {', '.join(COLUMNS)} FROM cycle_appeals WHERE appeal_id = ?"
    found = store.fetchall(for_update(store, statement) if lock else statement, (appeal_id,))
    if not found:
        raise CycleError("cycle.no_appeal", id=appeal_id)
    return dict(zip(COLUMNS, found[0], strict=True))


def list_appeals(
    store: Store,
    scorecard: str | None = None,
    period: str | None = None,
    agent_id: str | None = None,
) -> list[dict[str, Any]]:
    ensure_tables(store)
    where, params = [], []
    name = None if scorecard is None else resolve_scorecard(scorecard).card.name
    for column, value in (("scorecard", name), ("period", period), ("agent_id", agent_id)):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    clause = f" WHERE {' AND '.join(where)}" if where else ""
    found = store.fetchall(
        f"SELECT {', '.join(COLUMNS)} FROM cycle_appeals{clause} ORDER BY filed_at, appeal_id",
        tuple(params),
    )
    return [dict(zip(COLUMNS, r, strict=True)) for r in found]


def decide_appeal(
    store: Store,
    config: Config,
    appeal_id: str,
    *,
    uphold: bool,
    answer: str,
    by: str,
    points: float | None = None,
    void: list[str] | None = None,
) -> dict[str, Any]:
    """Answer an appeal. Upheld: apply the correction (``points``: the supervisor's new score
    for a manual item; ``void``: adjustment ids to remove), recompute into a new version and
    put it under review. Returns the appeal and, when upheld, the diff."""
    by = service._actor(by)
    if not answer or not answer.strip():
        raise CycleError("cycle.answer_missing")
    with store.transaction():
        appeal = get_appeal(store, appeal_id, lock=True)
        action = AppealAction.UPHOLD if uphold else AppealAction.REJECT
        state = next_appeal_state(AppealState(appeal["state"]), action)
        if by == appeal["filed_by"] or by == appeal["agent_id"]:
            raise CycleError("cycle.appeal_own", id=appeal_id, by=by)
        if not uphold and (points is not None or void):
            raise CycleError("cycle.reject_with_correction", id=appeal_id)
        name, period = appeal["scorecard"], appeal["period"]
        new_version = None
        changes: dict[str, Any] = {}
        if uphold:
            if points is not None:
                entry = add_score(
                    store,
                    agent_id=appeal["agent_id"],
                    item=appeal["item"],
                    points=points,
                    by=by,
                    reason=f"{appeal_id}: {answer.strip()}",
                    period=period,
                    scorecard=_source(store, name, period),
                    appeal_id=appeal_id,
                )
                changes["entry"] = entry["adjustment_id"]
            for adjustment_id in void or []:
                void_entry(
                    store, adjustment_id, f"{appeal_id}: {answer.strip()}", by, appeal_id=appeal_id
                )
            changes["voided"] = list(void or [])
            source = _source(store, name, period)
            computed = service.compute(
                store, config, source, period, by, reason=f"{appeal_id}: {answer.strip()}"
            )
            service.review(store, source, period, by, reason=appeal_id)
            new_version = computed["version"]
        stamp = now()
        store.execute(
            "UPDATE cycle_appeals SET state = ?, answer = ?, decided_by = ?, "
            "decided_at = ?, new_version = ? WHERE appeal_id = ?",
            (state.value, answer.strip(), by, stamp, new_version, appeal_id),
        )
        audit.append(
            store,
            actor=by,
            action=f"appeal.{action.value}",
            scorecard=name,
            period=period,
            agent_id=appeal["agent_id"],
            subject=appeal_id,
            before={"state": appeal["state"]},
            after={"state": state.value, "new_version": new_version, **changes},
            reason=answer.strip(),
        )
        decided = get_appeal(store, appeal_id)
    out: dict[str, Any] = {"appeal": decided}
    if new_version is not None:
        out["diff"] = service.diff(
            store, _source(store, name, period), period, old=appeal["version"], new=new_version
        )
    return out


def _source(store: Store, scorecard: str, period: str) -> str:
    """The scorecard source (template name or file) the period was last computed with."""
    found = store.fetchall(
        "SELECT scorecard_source FROM cycle_versions WHERE scorecard = ? "
        "AND period = ? ORDER BY version DESC LIMIT 1",
        (scorecard, period),
    )
    return str(found[0][0]) if found else scorecard
