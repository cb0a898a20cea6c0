"""Session facts: one row per session leg, computed once when its data arrives.

Everything a metric needs from the message log is reduced here (response pairs, counts,
durations, flags), so metric queries never touch the message table again. The counts are a
plain GROUP BY; the response pairs need each session's messages in order, and that sort is
the expensive part. It runs only over the sessions an import touched.

Response pairs (metrics.md, General rules): order a session's messages by sent_at, then
message_id. A customer turn opens at a customer message when no turn is open and closes at the
next manual agent message (sender agent, source manual, canned or kb); response =
close - max(open, accepted_at). System, bot and auto messages never open or close a turn, so
only customer and manual messages go through the sort (and of them only the session, the two
sort keys and a 0/1 flag). Among them, an *opener* is a customer message whose previous one is
manual or none, a *closer* a manual message whose previous one is a customer message. Each
turn is one opener (its open time); the first manual message after it follows a customer
message, so it is a closer, the turn's close, and no opener comes between the two. So openers
and closers alternate, starting with an opener: a turn's close is the boundary right after its
opener (none: unanswered), and the first boundary opens the first customer turn.

Hence two windows, each one pass over a session on every backend: LAG over the customer and
manual messages finds the boundaries; LEAD over the boundaries pairs them, ordered by the
message's number from the first window (an integer sorts cheaper than sent_at + message_id).
A single window with a frame ending after the current row (MIN of the next manual message's
time) would do, but PostgreSQL and Spark recompute such a frame for every row: quadratic in
the session's length (32 k messages in one session: 23 s on PostgreSQL).

Same result as numbering turns by a running count of manual messages and grouping by
(session, turn), as this module did before: a group with customer messages opens at its first
one (an opener; the earliest sent_at, messages being sorted) and closes at its one manual
message (the next closer); the group holding the session's first customer message is the first
opener's.
"""

from __future__ import annotations

from cskpi.config import Thresholds
from cskpi.metrics.concurrency import refresh_concurrency
from cskpi.store.base import Store
from cskpi.store.schema import SESSION_FACTS

FACTS_SQL = """
WITH message_counts AS (
    SELECT session_id,
           SUM(CASE WHEN sender = 'customer' THEN 1 ELSE 0 END) AS customer_messages,
           SUM(CASE WHEN sender = 'agent' AND source IN ('manual', 'canned', 'kb')
                    THEN 1 ELSE 0 END) AS manual_messages,
           SUM(CASE WHEN sender IN ('system', 'bot') THEN 1 ELSE 0 END) AS system_messages,
           SUM(CASE WHEN sender = 'agent' AND source = 'auto' THEN 1 ELSE 0 END)
               AS auto_messages,
           SUM(CASE WHEN sender = 'agent' AND source IN ('canned', 'kb') THEN 1 ELSE 0 END)
               AS kb_messages
    FROM messages m
    WHERE {message_scope}
    GROUP BY session_id
),
turn_messages AS (
    SELECT m.session_id, m.message_id, m.sent_at,
           CASE WHEN m.sender = 'agent' THEN 1 ELSE 0 END AS is_manual
    FROM messages m
    WHERE {message_scope}
      AND (m.sender = 'customer'
           OR (m.sender = 'agent' AND m.source IN ('manual', 'canned', 'kb')))
),
numbered AS (
    SELECT session_id, sent_at, is_manual,
           LAG(is_manual) OVER (PARTITION BY session_id ORDER BY sent_at, message_id)
               AS previous_is_manual,
           ROW_NUMBER() OVER (PARTITION BY session_id ORDER BY sent_at, message_id)
               AS message_number
    FROM turn_messages
),
boundaries AS (
    -- the openers and closers; at an opener, next_at is the time of its closer
    SELECT session_id, sent_at, is_manual,
           LEAD(sent_at) OVER (PARTITION BY session_id ORDER BY message_number) AS next_at,
           ROW_NUMBER() OVER (PARTITION BY session_id ORDER BY message_number)
               AS boundary_number
    FROM numbered
    WHERE (is_manual = 0 AND COALESCE(previous_is_manual, 1) = 1)
       OR (is_manual = 1 AND previous_is_manual = 0)
),
turns AS (
    SELECT session_id, sent_at AS opened_at, next_at AS closed_at,
           CASE WHEN boundary_number = 1 THEN 1 ELSE 0 END AS is_first
    FROM boundaries
    WHERE is_manual = 0
),
pairs AS (
    SELECT t.session_id, t.closed_at, t.is_first,
           CASE WHEN t.closed_at IS NOT NULL AND s.accepted_at IS NOT NULL
                THEN GREATEST({span_response}, 0)
           END AS response_seconds
    FROM turns t JOIN sessions s ON s.session_id = t.session_id
),
responses AS (
    SELECT session_id,
           MAX(CASE WHEN is_first = 1 THEN response_seconds END) AS first_response_seconds,
           SUM(response_seconds) AS response_seconds_sum,
           COUNT(response_seconds) AS response_pairs,
           SUM(CASE WHEN closed_at IS NULL THEN 1 ELSE 0 END) AS unanswered_turns
    FROM pairs
    GROUP BY session_id
)
SELECT
    s.session_id, s.agent_id, s."group", s.channel, s.origin, s.customer_id,
    s.previous_session_id, s.session_id AS conversation_id,
    s.created_at, s.accepted_at, s.ended_at,
    CAST(s.created_at_local AS DATE) AS created_date,
    CAST(EXTRACT(HOUR FROM s.created_at_local) AS INTEGER) AS created_hour,
    CAST(s.accepted_at_local AS DATE) AS accepted_date,
    s.accepted_at IS NOT NULL AS is_accepted,
    (s.abandoned_at IS NOT NULL AND s.accepted_at IS NULL) AS is_abandoned,
    s.queued_at IS NOT NULL AS is_queued,
    CASE WHEN s.queued_at IS NOT NULL AND s.accepted_at IS NOT NULL
         THEN {span_queue} END AS queue_seconds,
    CASE WHEN s.abandoned_at IS NOT NULL AND s.accepted_at IS NULL
         THEN {span_abandon} END
        AS abandon_seconds,
    {span_wait}
        AS wait_seconds,
    CASE WHEN s.accepted_at IS NOT NULL AND s.ended_at IS NOT NULL
         THEN {span_duration} END AS duration_seconds,
    s.acw_seconds,
    s.channel = 'phone' AS is_phone,
    s.transferred_out, s.resolved, s.agent_offline,
    (COALESCE(c.customer_messages, 0) > 0 AND COALESCE(c.manual_messages, 0) > 0
     AND (';' || REPLACE(COALESCE(s.tags, ''), ' ', '') || ';') LIKE {lead_pattern}) AS is_lead,
    COALESCE(c.customer_messages, 0) AS customer_messages,
    COALESCE(c.manual_messages, 0) AS manual_messages,
    COALESCE(c.system_messages, 0) AS system_messages,
    COALESCE(c.auto_messages, 0) AS auto_messages,
    COALESCE(c.kb_messages, 0) AS kb_messages,
    c.session_id IS NOT NULL AS has_messages,
    (COALESCE(c.customer_messages, 0) > 0 AND COALESCE(c.manual_messages, 0) > 0) AS is_valid,
    (c.session_id IS NOT NULL
     AND NOT (COALESCE(c.customer_messages, 0) > 0 AND COALESCE(c.manual_messages, 0) > 0))
        AS is_invalid,
    r.first_response_seconds, r.response_seconds_sum,
    COALESCE(r.response_pairs, 0) AS response_pairs,
    COALESCE(r.unanswered_turns, 0) AS unanswered_turns,
    CAST(NULL AS BOOLEAN) AS is_fcr, CAST(NULL AS BOOLEAN) AS is_last_leg,
    CAST(NULL AS BIGINT) AS concurrent_legs
FROM sessions s
LEFT JOIN message_counts c ON c.session_id = s.session_id
LEFT JOIN responses r ON r.session_id = s.session_id
WHERE {session_scope}
"""

# A conversation is a chain of legs joined by transfer; its id is the first leg's id.
# Each pass moves every leg's id one link up the chain (the legs whose id differs from their
# parent's take the parent's); chains are short. The pass is a SELECT and the write a
# Store.update_from, so every backend (Spark too) runs the same SQL.
CONVERSATION_PASS = """
SELECT child.session_id, parent.conversation_id
FROM session_facts child JOIN session_facts parent
  ON child.previous_session_id = parent.session_id
WHERE child.conversation_id <> parent.conversation_id
"""

# First-contact resolution (metrics.md). Decisions (docs/decisions.md):
# - only conversations whose first leg is inbound count (a callback is the agent's follow-up);
# - the last leg is the accepted leg with the latest accepted_at; the window runs from its
#   ended_at (accepted_at when empty) for `window` seconds, start excluded, end included;
# - the customer "came back" when, inside the window, another conversation of the customer
#   starts with an inbound leg, or any callback leg outside this conversation is created.
FCR_SQL = """
WITH last_legs AS (
    SELECT session_id, conversation_id, customer_id, finished_at FROM (
        SELECT session_id, conversation_id, customer_id,
               COALESCE(ended_at, accepted_at) AS finished_at,
               ROW_NUMBER() OVER (PARTITION BY conversation_id
                                  ORDER BY accepted_at DESC, session_id DESC) AS rank
        FROM session_facts WHERE is_accepted) ranked
    WHERE rank = 1
),
conversations AS (
    SELECT f.conversation_id, MIN(f.customer_id) AS customer_id,
           MAX(CASE WHEN f.session_id = f.conversation_id THEN f.origin END) AS root_origin
    FROM session_facts f GROUP BY f.conversation_id
),
returns AS (
    -- what a customer did that counts as coming back: a new inbound conversation's first leg,
    -- or any callback leg
    SELECT customer_id, conversation_id, created_at FROM session_facts
    WHERE customer_id IS NOT NULL AND (
        (session_id = conversation_id AND origin = 'inbound') OR origin = 'callback')
),
came_back AS (
    SELECT DISTINCT l.conversation_id
    FROM last_legs l JOIN conversations c ON c.conversation_id = l.conversation_id
    JOIN returns r ON r.customer_id = c.customer_id
     AND r.conversation_id <> l.conversation_id
     AND r.created_at > l.finished_at
     AND r.created_at <= l.finished_at + INTERVAL {window_seconds} SECOND
)
SELECT f.session_id,
       l.session_id IS NOT NULL AS is_last_leg,
       CASE WHEN l.session_id IS NOT NULL AND c.customer_id IS NOT NULL
                 AND c.root_origin = 'inbound'
            THEN b.conversation_id IS NULL END AS is_fcr
FROM session_facts f
JOIN conversations c ON c.conversation_id = f.conversation_id
LEFT JOIN last_legs l ON l.session_id = f.session_id
LEFT JOIN came_back b ON b.conversation_id = f.conversation_id
"""


# The columns of session_facts, in order (the SELECT above yields them under these names).
FACT_COLUMNS = [part.split()[0].strip('"') for part in SESSION_FACTS.split(",") if part.strip()]


# The spans measured in seconds: (later, earlier) of each timed fact.
SPANS = {
    "span_response": ("t.closed_at", "GREATEST(t.opened_at, s.accepted_at)"),
    "span_queue": ("s.accepted_at", "s.queued_at"),
    "span_abandon": ("s.abandoned_at", "COALESCE(s.queued_at, s.created_at)"),
    "span_wait": ("COALESCE(s.accepted_at, s.abandoned_at)", "COALESCE(s.queued_at, s.created_at)"),
    "span_duration": ("s.ended_at", "s.accepted_at"),
}


def _seconds_of(time_of_day: str) -> int:
    hours, minutes = (int(part) for part in time_of_day.split(":")[:2])
    return hours * 3600 + minutes * 60


def span_sql(later: str, earlier: str, business_hours: tuple[str, str] | None) -> str:
    """Seconds from `earlier` to `later`; with business hours, only the seconds inside them.

    Business seconds have a closed form: B(x) = whole local days before x × H + the part of
    x's own day inside [open, close], with H = close − open; the span is B(later) − B(earlier).
    Local time is the session's own UTC offset (created_at_local − created_at), so a span is
    cut at the center's midnight, DST included.
    """
    if business_hours is None:
        return f"(EPOCH({later}) - EPOCH({earlier}))"
    opening, closing = (_seconds_of(t) for t in business_hours)
    hours = closing - opening

    def business_seconds(moment: str) -> str:
        local = f"(EPOCH({moment}) + EPOCH(s.created_at_local) - EPOCH(s.created_at))"
        day = f"FLOOR({local} / 86400)"
        return (f"({day} * {hours} + LEAST(GREATEST({local} - {day} * 86400 - {opening}, 0), "
                f"{hours}))")

    return f"({business_seconds(later)} - {business_seconds(earlier)})"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def refresh_facts(store: Store, thresholds: Thresholds, affected: str | None,
                  business_hours: tuple[str, str] | None = None) -> None:
    """Recompute facts for the sessions listed in temp table `affected` (all when None),
    then the conversation chains, first-contact resolution and concurrency, which span
    sessions. With `business_hours` (["09:00", "22:00"]), response, queue and duration times
    count only the time inside those hours."""
    lead_pattern = _literal(f"%;{thresholds.lead_tag};%")
    if affected is None:
        message_scope = session_scope = "TRUE"
        # Facts of legs whose session is gone; every other row is overwritten below.
        store.execute(
            "DELETE FROM session_facts WHERE session_id NOT IN (SELECT session_id FROM sessions)"
        )
    else:
        message_scope = f"m.session_id IN (SELECT session_id FROM {affected})"
        session_scope = f"s.session_id IN (SELECT session_id FROM {affected})"
    if affected is not None:
        # The agents whose legs' concurrency may change: those of the affected legs before
        # and after this refresh (a leg may have moved to another agent).
        store.execute("DROP TABLE IF EXISTS _affected_agents")
        store.execute(
            "CREATE TEMP TABLE _affected_agents AS SELECT DISTINCT agent_id FROM session_facts "
            f"WHERE session_id IN (SELECT session_id FROM {affected}) AND agent_id IS NOT NULL"
        )
    # Overwrite by key rather than DELETE + INSERT: on DuckDB every row deleted from the keyed
    # table costs ~30 µs of index maintenance at commit (26 s of CPU for 830 k legs), an
    # update of its other columns well under 1 µs. Every affected session has a row here.
    store.execute("DROP TABLE IF EXISTS _facts")
    store.execute(
        "CREATE TEMP TABLE _facts AS "
        + FACTS_SQL.format(
            message_scope=message_scope, session_scope=session_scope, lead_pattern=lead_pattern,
            **{name: span_sql(later, earlier, business_hours)
               for name, (later, earlier) in SPANS.items()},
        )
    )
    store.upsert("session_facts", "_facts", "_facts", ["session_id"], FACT_COLUMNS)
    if affected is not None:
        store.execute(
            "INSERT INTO _affected_agents SELECT DISTINCT agent_id FROM _facts "
            "WHERE agent_id IS NOT NULL"
        )
    store.execute("DROP TABLE _facts")
    for _ in range(100):  # a chain longer than 100 transfers is not a conversation
        store.execute("DROP TABLE IF EXISTS _chain_pass")
        store.execute("CREATE TEMP TABLE _chain_pass AS " + CONVERSATION_PASS)
        (moved,) = store.fetchall("SELECT COUNT(*) FROM _chain_pass")[0]
        if not moved:
            break
        store.update_from("session_facts", "_chain_pass", ["session_id"], ["conversation_id"])
    store.execute("DROP TABLE IF EXISTS _chain_pass")
    store.execute("DROP TABLE IF EXISTS _fcr")
    store.execute(
        "CREATE TEMP TABLE _fcr AS "
        + FCR_SQL.format(window_seconds=int(thresholds.fcr_window_hours * 3600))
    )
    store.update_from("session_facts", "_fcr", ["session_id"], ["is_fcr", "is_last_leg"])
    store.execute("DROP TABLE _fcr")
    if affected is None:
        refresh_concurrency(store)
    else:
        refresh_concurrency(store, "_affected_agents")
        store.execute("DROP TABLE _affected_agents")
