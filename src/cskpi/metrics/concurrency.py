"""Concurrency, per leg: how many of its agent's legs are open at the moment it is accepted.

peak_concurrency (metrics.md) is "most legs open at once (accepted_at ≤ t < ended_at)". The
number of legs open only rises when a leg is accepted, so the most at once among the legs
of a period is the highest of these per-leg counts: the metric is then a plain `max` over the
period's legs, and a month's peak is the highest of its days' peaks. Computing the count once,
when legs arrive, keeps the window over every leg's start and end out of every metric query.

A leg counts every leg of the same agent open at that moment, also one accepted the day
(or month) before and still open: that is what the agent was handling. Legs without an agent
or without ended_at take no part (their count is null).
"""

from __future__ import annotations

from cskpi.store.base import Store

# Open legs at instant t = legs started at or before t − legs ended at or before t (a leg
# ending at t is no longer open at t). A RANGE frame over `at` sums exactly the events up to
# and including t, so legs accepted at the same instant all get the same count.
CONCURRENCY_SQL = """
WITH legs AS (
    SELECT session_id, agent_id, accepted_at, ended_at FROM session_facts
    WHERE is_accepted AND agent_id IS NOT NULL AND ended_at IS NOT NULL {agent_scope}
),
events AS (
    SELECT session_id, agent_id, accepted_at AS event_at, 1 AS step FROM legs
    UNION ALL
    SELECT session_id, agent_id, ended_at AS event_at, -1 AS step FROM legs
),
counted AS (
    SELECT session_id, step,
           SUM(step) OVER (PARTITION BY agent_id ORDER BY event_at
                           RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS open_legs
    FROM events
)
SELECT f.session_id, c.open_legs AS concurrent_legs
FROM session_facts f
LEFT JOIN counted c ON c.session_id = f.session_id AND c.step = 1
{leg_scope}
"""


def refresh_concurrency(store: Store, agents: str | None = None) -> None:
    """Recount `concurrent_legs` for every leg of the agents listed in temp table `agents`
    (column agent_id: a leg that arrives or changes changes the counts of its agent's other
    legs), for every leg when `agents` is None. A leg that takes no part keeps the null the
    facts gave it: whether it takes part depends on its own session row only, so it is one
    of the legs just refreshed."""
    if agents is None:
        agent_scope = leg_scope = ""
    else:
        agent_scope = f"AND agent_id IN (SELECT agent_id FROM {agents})"
        leg_scope = f"WHERE f.agent_id IN (SELECT agent_id FROM {agents})"
    store.execute("DROP TABLE IF EXISTS _concurrency")
    # The counts come out of the window in agent and time order; joined back to session_facts
    # they come in the table's own order, and DuckDB updates rows in that order ~25× faster
    # (at 10 M messages 0.06 s instead of 1.5 s).
    store.execute("CREATE TEMP TABLE _concurrency AS "
                  + CONCURRENCY_SQL.format(agent_scope=agent_scope, leg_scope=leg_scope))
    store.update_from("session_facts", "_concurrency", ["session_id"], ["concurrent_legs"])
    store.execute("DROP TABLE _concurrency")
