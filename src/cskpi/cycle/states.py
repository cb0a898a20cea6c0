"""The assessment cycle's state machine: one table of legal moves, nothing else.

A period of one scorecard moves open → computed → under_review → approved (locked) →
published. Computing again after approval starts a new version (the approved one stays
frozen). Manual entries are legal only while the period is not locked; appeals only once
agents can see their result (published). An appeal has its own small machine: filed →
upheld | rejected.
"""

from __future__ import annotations

from enum import StrEnum


class State(StrEnum):
    NONE = "none"  # no cycle for this scorecard and period yet
    OPEN = "open"
    COMPUTED = "computed"
    UNDER_REVIEW = "under_review"
    APPROVED = "approved"
    PUBLISHED = "published"


class Action(StrEnum):
    OPEN = "open"
    COMPUTE = "compute"
    REVIEW = "review"
    APPROVE = "approve"
    PUBLISH = "publish"
    ENTRY = "entry"  # a manual entry (adjustment, supervisor or self score) for the period
    APPEAL = "appeal"  # an agent contests an item of the published result


class AppealState(StrEnum):
    FILED = "filed"
    UPHELD = "upheld"
    REJECTED = "rejected"


class AppealAction(StrEnum):
    UPHOLD = "uphold"
    REJECT = "reject"


# (state, action) → the state after it. Anything not listed is refused.
TRANSITIONS: dict[tuple[State, Action], State] = {
    (State.NONE, Action.OPEN): State.OPEN,
    # Adjustments exist without any cycle (imported or entered); only a lock refuses them.
    (State.NONE, Action.ENTRY): State.NONE,
    (State.OPEN, Action.COMPUTE): State.COMPUTED,
    (State.OPEN, Action.ENTRY): State.OPEN,
    (State.COMPUTED, Action.COMPUTE): State.COMPUTED,
    (State.COMPUTED, Action.ENTRY): State.COMPUTED,
    (State.COMPUTED, Action.REVIEW): State.UNDER_REVIEW,
    (State.UNDER_REVIEW, Action.COMPUTE): State.COMPUTED,
    (State.UNDER_REVIEW, Action.ENTRY): State.UNDER_REVIEW,
    (State.UNDER_REVIEW, Action.APPROVE): State.APPROVED,
    # Recomputing a locked period makes a new version; the approved one stays frozen.
    (State.APPROVED, Action.COMPUTE): State.COMPUTED,
    (State.APPROVED, Action.PUBLISH): State.PUBLISHED,
    (State.PUBLISHED, Action.COMPUTE): State.COMPUTED,
    (State.PUBLISHED, Action.APPEAL): State.PUBLISHED,
}

APPEAL_TRANSITIONS: dict[tuple[AppealState, AppealAction], AppealState] = {
    (AppealState.FILED, AppealAction.UPHOLD): AppealState.UPHELD,
    (AppealState.FILED, AppealAction.REJECT): AppealState.REJECTED,
}

LOCKED = frozenset({State.APPROVED, State.PUBLISHED})


class TransitionError(Exception):
    """An illegal move; carries the state, the action and what the state allows."""

    def __init__(self, state: str, action: str, allowed: list[str]) -> None:
        super().__init__(f"{action} is not allowed in state {state}; allowed: {allowed}")
        self.state = state
        self.action = action
        self.allowed = allowed


def allowed(state: State) -> list[Action]:
    """The actions legal in ``state``, in the order of :class:`Action`."""
    return [a for a in Action if (state, a) in TRANSITIONS]


def next_state(state: State, action: Action) -> State:
    """The state after ``action``; TransitionError when the move is illegal."""
    try:
        return TRANSITIONS[(state, action)]
    except KeyError:
        raise TransitionError(state, action, [a.value for a in allowed(state)]) from None


def appeal_allowed(state: AppealState) -> list[AppealAction]:
    return [a for a in AppealAction if (state, a) in APPEAL_TRANSITIONS]


def next_appeal_state(state: AppealState, action: AppealAction) -> AppealState:
    try:
        return APPEAL_TRANSITIONS[(state, action)]
    except KeyError:
        raise TransitionError(state, action, [a.value for a in appeal_allowed(state)]) from None
