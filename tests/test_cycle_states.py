"""The cycle's state machine: every (state, action) pair, in the table and through the
library on DuckDB and PostgreSQL; illegal moves are refused naming the state and what it
allows."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from cskpi.config import Config
from cskpi.cycle import appeals, entries, service
from cskpi.cycle.cli import _message
from cskpi.cycle.errors import CycleError
from cskpi.cycle.states import (
    APPEAL_TRANSITIONS,
    TRANSITIONS,
    Action,
    AppealAction,
    AppealState,
    State,
    TransitionError,
    allowed,
    next_appeal_state,
    next_state,
)
from cskpi.cycle.testing import add_agents, rate, run_to, write_card
from cskpi.store.base import Store

PAIRS = [(s, a) for s in State for a in Action]


@pytest.mark.parametrize(("state", "action"), PAIRS, ids=[f"{s}-{a}" for s, a in PAIRS])
def test_every_pair_of_the_table(state: State, action: Action) -> None:
    if (state, action) in TRANSITIONS:
        assert next_state(state, action) == TRANSITIONS[(state, action)]
        return
    with pytest.raises(TransitionError) as refused:
        next_state(state, action)
    assert refused.value.state == state
    assert refused.value.allowed == [a.value for a in allowed(state)]
    assert state.value in str(refused.value) and action.value in str(refused.value)


def test_the_happy_path_is_the_issue_s() -> None:
    state = State.NONE
    for action in (Action.OPEN, Action.COMPUTE, Action.REVIEW, Action.APPROVE, Action.PUBLISH):
        state = next_state(state, action)
    assert state == State.PUBLISHED
    # Recomputing a locked period goes back to computed (a new version), never straight out.
    assert next_state(State.APPROVED, Action.COMPUTE) == State.COMPUTED
    assert next_state(State.PUBLISHED, Action.COMPUTE) == State.COMPUTED
    assert Action.ENTRY not in allowed(State.APPROVED)
    assert Action.ENTRY not in allowed(State.PUBLISHED)


@pytest.mark.parametrize("state", list(AppealState))
@pytest.mark.parametrize("action", list(AppealAction))
def test_every_appeal_pair(state: AppealState, action: AppealAction) -> None:
    if (state, action) in APPEAL_TRANSITIONS:
        assert next_appeal_state(state, action) == APPEAL_TRANSITIONS[(state, action)]
    else:
        with pytest.raises(TransitionError):
            next_appeal_state(state, action)


def test_refusal_message_names_state_and_allowed_actions_in_both_languages() -> None:
    from cskpi.i18n import set_language

    error = TransitionError(State.APPROVED, Action.REVIEW, ["compute", "publish"])
    error.subject = "presales-standard 2026-10"  # type: ignore[attr-defined]
    try:
        set_language("en")
        text = _message(error)
        assert "approved" in text and "review" in text and "compute, publish" in text
        set_language("zh-CN")
        text = _message(error)
        assert "已批准" in text and "compute, publish" in text
    finally:
        set_language(None)


# --- through the library, on every backend ----------------------------------------------------

MONTHS = [f"20{y}-{m:02d}" for y in (24, 25) for m in range(1, 13)]


def _do(store: Store, card: str, period: str, action: Action) -> Callable[[], object]:
    config = Config()
    return {
        Action.OPEN: lambda: service.open_period(store, card, period, "boss"),
        Action.COMPUTE: lambda: service.compute(store, config, card, period, "boss", "again"),
        Action.REVIEW: lambda: service.review(store, card, period, "boss"),
        Action.APPROVE: lambda: service.approve(store, card, period, "boss"),
        Action.PUBLISH: lambda: service.publish(store, card, period, "boss"),
        Action.ENTRY: lambda: entries.add_entry(
            store, agent_id="A1", kind="praise", reason="thanks", by="boss", period=period
        ),
        Action.APPEAL: lambda: appeals.file_appeal(store, card, period, "A1", "m", "too low"),
    }[action]


def _state(store: Store, card: str, period: str) -> State:
    rows = service.status(store, card, period)
    return State(rows[0]["state"]) if rows else State.NONE


def test_every_pair_through_the_library(store: Store, tmp_path: Path) -> None:
    card = write_card(tmp_path)
    add_agents(store)
    months = iter(MONTHS)
    for state in State:
        # Illegal actions, all on one period driven to `state`: refused, nothing changes.
        period = next(months)
        rate(store, card, {"A1": 90, "A2": 70}, period)
        run_to(store, card, state.value, period)
        for action in Action:
            if (state, action) in TRANSITIONS:
                continue
            with pytest.raises((TransitionError, CycleError)) as refused:
                _do(store, card, period, action)()
            error = refused.value
            if isinstance(error, TransitionError):
                assert error.state == state
                assert error.allowed == [a.value for a in allowed(state)]
            else:  # a manual entry into a locked period
                assert error.code == "cycle.entry_locked"
                assert error.params["state"] == state.value
                assert error.params["allowed"] == ", ".join(a.value for a in allowed(state))
            assert _state(store, card, period) == state
        # Legal actions, each on a fresh period driven to `state`: they land where the
        # table says.
        for action in Action:
            if (state, action) not in TRANSITIONS:
                continue
            period = next(months)
            rate(store, card, {"A1": 90, "A2": 70}, period)
            run_to(store, card, state.value, period)
            _do(store, card, period, action)()
            assert _state(store, card, period) == TRANSITIONS[(state, action)], (state, action)


def test_recompute_of_a_locked_period_needs_a_reason(store: Store, tmp_path: Path) -> None:
    card = write_card(tmp_path)
    add_agents(store)
    run_to(store, card, "approved")
    with pytest.raises(CycleError) as refused:
        service.compute(store, Config(), card, "2026-10", "boss")
    assert refused.value.code == "cycle.reason_required"


def test_no_actor_bad_periods_and_other_grains_are_refused(store: Store, tmp_path: Path) -> None:
    card = write_card(tmp_path)
    with pytest.raises(CycleError, match="no_actor"):
        service.open_period(store, card, "2026-10", " ")
    for period in ("2026-10-05", "2026-10-01..2026-10-15", "soon"):
        with pytest.raises(CycleError, match="bad_period"):
            service.open_period(store, card, period, "boss")
    # A monthly scorecard runs monthly cycles; other grains take a scorecard of that grain.
    with pytest.raises(CycleError) as refused:
        service.open_period(store, card, "2026-W42", "boss")
    assert refused.value.code == "cycle.wrong_grain"
    assert refused.value.params["example"] == "YYYY-MM"
    text = Path(card).read_text("utf-8")
    for period, grain in (
        ("2026-10", "month"),
        ("2026-W42", "week"),
        ("2026-Q4", "quarter"),
        ("2026-H1", "half_year"),
        ("2026", "year"),
    ):
        other = write_card(tmp_path, text.replace("period: month", f"period: {grain}"))
        assert service.open_period(store, other, period, "boss").grain == grain
