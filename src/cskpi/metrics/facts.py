"""Session facts: one row per session leg, computed once when its data arrives.

Everything a metric needs from the message log is reduced here (response pairs, counts,
durations, flags), so metric queries never touch the message table again. The two window
functions (a running count of manual agent messages that numbers the customer turns, and the
rank of the first customer turn) are the expensive part and run only over the sessions an
import touched.

Response pairs (metrics.md, General rules): order a session's messages by sent_at, then
message_id. `turn` = number of manual agent messages before a message. All messages with the
same `turn` form one group; its customer messages open the turn (at the first of them) and the
group's only manual agent message (the (turn+1)-th) closes it. System, bot and auto messages
never open or close a turn. Response = close - max(open, accepted_at).

The first customer turn is the group holding the session's first customer message (a running
count of customer messages = 1 there): the same sort as the turn numbering, so no second
window over the turns is needed. Only 0/1 flags, not the sender and source strings, ride
through the sort.
"""

from __future__ import annotations

from cskpi.config import Thresholds
from cskpi.store.base import Store
from cskpi.store.schema import SESSION_FACTS

FACTS_SQL = """
WITH scoped_messages AS (
    SELECT m.session_id, m.message_id, m.sent_at,
           CASE WHEN m.sender = 'customer' THEN 1 ELSE 0 END AS is_customer,
           CASE WHEN m.sender = 'agent' AND m.source IN ('manual', 'canned', 'kb')
                THEN 1 ELSE 0 END AS is_manual,
           CASE WHEN m.sender IN ('system', 'bot') THEN 1 ELSE 0 END AS is_system,
           CASE WHEN m.sender = 'agent' AND m.source = 'auto' THEN 1 ELSE 0 END AS is_auto,
           CASE WHEN m.sender = 'agent' AND m.source IN ('canned', 'kb') THEN 1 ELSE 0 END
               AS is_kb
    FROM messages m {message_scope}
),
numbered AS (
    SELECT session_id, sent_at, is_customer, is_manual, is_system, is_auto, is_kb,
           SUM(is_manual) OVER (PARTITION BY session_id ORDER BY sent_at, message_id
                                ROWS UNBOUNDED PRECEDING) - is_manual AS turn,
           SUM(is_customer) OVER (PARTITION BY session_id ORDER BY sent_at, message_id
                                  ROWS UNBOUNDED PRECEDING) AS customers_so_far
    FROM scoped_messages
),
turns AS (
    SELECT session_id, turn,
           MIN(CASE WHEN is_customer = 1 THEN sent_at END) AS opened_at,
           MIN(CASE WHEN is_manual = 1 THEN sent_at END) AS closed_at,
           SUM(is_customer) AS customer_messages,
           SUM(is_manual) AS manual_messages,
           SUM(is_system) AS system_messages,
           SUM(is_auto) AS auto_messages,
           SUM(is_kb) AS kb_messages,
           MAX(CASE WHEN is_customer = 1 AND customers_so_far = 1 THEN 1 ELSE 0 END)
               AS first_customer_turn
    FROM numbered
    GROUP BY session_id, turn
),
pairs AS (
    SELECT t.*,
           CASE WHEN t.opened_at IS NOT NULL AND t.closed_at IS NOT NULL
                     AND s.accepted_at IS NOT NULL
                THEN GREATEST({span_response}, 0)
           END AS response_seconds
    FROM turns t JOIN sessions s ON s.session_id = t.session_id
),
per_session AS (
    SELECT session_id,
           SUM(customer_messages) AS customer_messages,
           SUM(manual_messages) AS manual_messages,
           SUM(system_messages) AS system_messages,
           SUM(auto_messages) AS auto_messages,
           SUM(kb_messages) AS kb_messages,
           MAX(CASE WHEN first_customer_turn = 1 THEN response_seconds END)
               AS first_response_seconds,
           SUM(response_seconds) AS response_seconds_sum,
           COUNT(response_seconds) AS response_pairs,
           SUM(CASE WHEN opened_at IS NOT NULL AND closed_at IS NULL THEN 1 ELSE 0 END)
               AS unanswered_turns
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
    (COALESCE(p.customer_messages, 0) > 0 AND COALESCE(p.manual_messages, 0) > 0
     AND (';' || REPLACE(COALESCE(s.tags, ''), ' ', '') || ';') LIKE {lead_pattern}) AS is_lead,
    COALESCE(p.customer_messages, 0) AS customer_messages,
    COALESCE(p.manual_messages, 0) AS manual_messages,
    COALESCE(p.system_messages, 0) AS system_messages,
    COALESCE(p.auto_messages, 0) AS auto_messages,
    COALESCE(p.kb_messages, 0) AS kb_messages,
    p.session_id IS NOT NULL AS has_messages,
    (COALESCE(p.customer_messages, 0) > 0 AND COALESCE(p.manual_messages, 0) > 0) AS is_valid,
    (p.session_id IS NOT NULL
     AND NOT (COALESCE(p.customer_messages, 0) > 0 AND COALESCE(p.manual_messages, 0) > 0))
        AS is_invalid,
    p.first_response_seconds, p.response_seconds_sum,
    COALESCE(p.response_pairs, 0) AS response_pairs,
    COALESCE(p.unanswered_turns, 0) AS unanswered_turns,
    CAST(NULL AS BOOLEAN) AS is_fcr, CAST(NULL AS BOOLEAN) AS is_last_leg
FROM sessions s LEFT JOIN per_session p ON p.session_id = s.session_id
{session_scope}
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
    then the conversation chains and first-contact resolution, which span sessions.
    With `business_hours` (["09:00", "22:00"]), response, queue and duration times count only
    the time inside those hours."""
    lead_pattern = _literal(f"%;{thresholds.lead_tag};%")
    if affected is None:
        message_scope = session_scope = ""
        # Facts of legs whose session is gone; every other row is overwritten below.
        store.execute(
            "DELETE FROM session_facts WHERE session_id NOT IN (SELECT session_id FROM sessions)"
        )
    else:
        message_scope = f"WHERE m.session_id IN (SELECT session_id FROM {affected})"
        session_scope = f"WHERE s.session_id IN (SELECT session_id FROM {affected})"
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
