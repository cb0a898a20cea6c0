"""Two supervisors approving the same period at once on PostgreSQL: exactly one wins, the
other is refused with a clear message (the period row is locked; `rev` is the backstop)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from cskpi.cycle import audit, service
from cskpi.cycle.cli import _message
from cskpi.cycle.errors import CycleError
from cskpi.cycle.states import TransitionError
from cskpi.cycle.testing import PERIOD, add_agents, rate, run_to, write_card
from cskpi.store.base import open_store

pytestmark = pytest.mark.postgres


@pytest.mark.parametrize("attempt", range(3))
def test_two_approvers_at_once_exactly_one_wins(
    pg_schema_url: str, tmp_path: Path, attempt: int
) -> None:
    card = write_card(tmp_path)
    with open_store(pg_schema_url) as setup:
        add_agents(setup)
        rate(setup, card, {"A1": 90, "A2": 70})
        run_to(setup, card, "under_review")
    stores = [open_store(pg_schema_url), open_store(pg_schema_url)]
    start = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def approve(store, who: str) -> None:  # type: ignore[no-untyped-def]
        start.wait()
        try:
            outcomes[who] = service.approve(store, card, PERIOD, who)
        except (TransitionError, CycleError) as error:
            outcomes[who] = error

    threads = [
        threading.Thread(target=approve, args=(s, who))
        for s, who in zip(stores, ("alice", "bob"), strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for store in stores:
        store.close()

    won = [who for who, o in outcomes.items() if isinstance(o, dict)]
    lost = [o for o in outcomes.values() if not isinstance(o, dict)]
    assert len(won) == 1 and len(lost) == 1, outcomes
    (refusal,) = lost
    # The loser waited on the row lock, then saw the period approved: refused, saying so.
    if isinstance(refusal, TransitionError):
        assert (refusal.state, refusal.action) == ("approved", "approve")
        assert refusal.allowed == ["compute", "publish"]
    else:  # the optimistic `rev` check (no row lock taken)
        assert isinstance(refusal, CycleError) and refusal.code == "cycle.concurrent"
    assert _message(refusal)  # type: ignore[arg-type]
    with open_store(pg_schema_url) as check:
        (row,) = service.status(check, card, PERIOD)
        assert (row["state"], row["locked_version"], row["updated_by"]) == ("approved", 1, won[0])
        approvals = [r for r in audit.rows(check) if r["action"] == "cycle.approve"]
        assert [r["actor"] for r in approvals] == won
        assert audit.verify(check).ok


def test_concurrent_entries_keep_the_audit_chain_whole(pg_schema_url: str, tmp_path: Path) -> None:
    from cskpi.cycle import entries

    with open_store(pg_schema_url) as setup:
        add_agents(setup)
        audit.append(setup, actor="boss", action="test")
    stores = [open_store(pg_schema_url) for _ in range(4)]
    start = threading.Barrier(len(stores))

    def write(store, n: int) -> None:  # type: ignore[no-untyped-def]
        start.wait()
        for i in range(5):
            entries.add_entry(
                store, agent_id="A1", kind="praise", reason=f"{n}-{i}", by=f"s{n}", period=PERIOD
            )

    threads = [threading.Thread(target=write, args=(s, n)) for n, s in enumerate(stores)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for store in stores:
        store.close()
    with open_store(pg_schema_url) as check:
        verdict = audit.verify(check)
        assert verdict.ok and verdict.rows == 21
