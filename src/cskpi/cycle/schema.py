"""The cycle's tables (DuckDB dialect; transpiled for PostgreSQL by the store).

- cycle_periods: one row per (scorecard, period): its state, current and locked version, and
  ``rev``, bumped by every state change (the optimistic check behind concurrent approvals);
- cycle_versions: one row per computed version: who computed it and why, the scorecard file's
  content hash, the locked periods cross-month rules read, the approvals;
- cycle_results: each version's result per agent (``AgentResult.to_dict`` as JSON) and the
  figures it was scored on (every metric the scorecard reads). Rows of an approved version are
  never updated or deleted: re-imports cannot reach them;
- cycle_appeals: appeals and their decisions;
- cycle_audit (+ cycle_audit_head): the append-only, hash-chained log. The head row is locked
  by every append, so two writers can never take the same sequence number.
"""

from __future__ import annotations

DDL: list[str] = [
    """CREATE TABLE IF NOT EXISTS cycle_periods (
        scorecard VARCHAR, period VARCHAR, grain VARCHAR, state VARCHAR,
        version BIGINT, locked_version BIGINT, rev BIGINT,
        opened_at VARCHAR, opened_by VARCHAR, updated_at VARCHAR, updated_by VARCHAR,
        PRIMARY KEY (scorecard, period))""",
    """CREATE TABLE IF NOT EXISTS cycle_versions (
        scorecard VARCHAR, period VARCHAR, version BIGINT, status VARCHAR,
        computed_at VARCHAR, computed_by VARCHAR, reason VARCHAR,
        scorecard_source VARCHAR, scorecard_hash VARCHAR, history VARCHAR,
        first_approver VARCHAR, approved_by VARCHAR, approved_at VARCHAR,
        published_by VARCHAR, published_at VARCHAR,
        PRIMARY KEY (scorecard, period, version))""",
    """CREATE TABLE IF NOT EXISTS cycle_results (
        scorecard VARCHAR, period VARCHAR, version BIGINT, agent_id VARCHAR,
        total DOUBLE, grade VARCHAR, pay DOUBLE, "rank" BIGINT, result VARCHAR,
        figures VARCHAR,
        PRIMARY KEY (scorecard, period, version, agent_id))""",
    """CREATE TABLE IF NOT EXISTS cycle_appeals (
        appeal_id VARCHAR PRIMARY KEY, scorecard VARCHAR, period VARCHAR, version BIGINT,
        agent_id VARCHAR, item VARCHAR, reason VARCHAR, filed_by VARCHAR, filed_at VARCHAR,
        state VARCHAR, answer VARCHAR, decided_by VARCHAR, decided_at VARCHAR,
        new_version BIGINT)""",
    """CREATE TABLE IF NOT EXISTS cycle_audit (
        seq BIGINT PRIMARY KEY, at_utc VARCHAR, actor VARCHAR, action VARCHAR,
        scorecard VARCHAR, period VARCHAR, agent_id VARCHAR, subject VARCHAR,
        before_value VARCHAR, after_value VARCHAR, reason VARCHAR,
        prev_hash VARCHAR, row_hash VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS cycle_audit_head (
        id BIGINT PRIMARY KEY, seq BIGINT, row_hash VARCHAR)""",
]

TABLES = ("cycle_periods", "cycle_versions", "cycle_results", "cycle_appeals", "cycle_audit")
