"""The store's tables: the contract tables (typed, with local-time twins and `extra`),
the import log and quarantine, and the derived per-leg facts.

DDL is written in DuckDB's dialect; :meth:`Store.execute` transpiles it for PostgreSQL.
"""

from __future__ import annotations

import importlib
import importlib.util

import pyarrow as pa

from cskpi.ingest.contract import contract
from cskpi.ingest.validate import STORE_TYPES

SCHEMA_VERSION = "1"

META_TABLES = {
    "cskpi_meta": '"key" VARCHAR PRIMARY KEY, "value" VARCHAR',
    "cskpi_imports": (
        "import_id BIGINT PRIMARY KEY, started_at TIMESTAMP, finished_at TIMESTAMP, "
        "files VARCHAR, summary VARCHAR, status VARCHAR"
    ),
    # The latest computed scorecard result per agent and period (cross-period rules read it).
    "score_results": (
        "scorecard VARCHAR, period VARCHAR, agent_id VARCHAR, total DOUBLE, grade VARCHAR, "
        "result VARCHAR, computed_at TIMESTAMP, PRIMARY KEY (scorecard, period, agent_id)"
    ),
    "cskpi_rejects": (
        'import_id BIGINT, file VARCHAR, "table" VARCHAR, line BIGINT, "column" VARCHAR, '
        "code VARCHAR, value VARCHAR, params VARCHAR, raw VARCHAR"
    ),
}

# One row per session leg, computed when the leg's data arrives (see cskpi.metrics.facts).
SESSION_FACTS = """
session_id VARCHAR PRIMARY KEY, agent_id VARCHAR, "group" VARCHAR, channel VARCHAR,
origin VARCHAR, customer_id VARCHAR, previous_session_id VARCHAR, conversation_id VARCHAR,
created_at TIMESTAMP, accepted_at TIMESTAMP, ended_at TIMESTAMP,
created_date DATE, created_hour INTEGER, accepted_date DATE,
is_accepted BOOLEAN, is_abandoned BOOLEAN, is_queued BOOLEAN,
queue_seconds DOUBLE, abandon_seconds DOUBLE, wait_seconds DOUBLE,
duration_seconds DOUBLE, acw_seconds DOUBLE, is_phone BOOLEAN,
transferred_out BOOLEAN, resolved BOOLEAN, agent_offline BOOLEAN, is_lead BOOLEAN,
customer_messages BIGINT, manual_messages BIGINT, system_messages BIGINT,
auto_messages BIGINT, kb_messages BIGINT,
has_messages BOOLEAN, is_valid BOOLEAN, is_invalid BOOLEAN,
first_response_seconds DOUBLE, response_seconds_sum DOUBLE, response_pairs BIGINT,
unanswered_turns BIGINT, is_fcr BOOLEAN, is_last_leg BOOLEAN, concurrent_legs BIGINT
"""


def fact_columns() -> dict[str, str]:
    """session_facts' columns and their types, in order."""
    parts = (part.split() for part in SESSION_FACTS.split(",") if part.strip())
    return {words[0].strip('"'): words[1] for words in parts}


# Tables with tens of millions of rows whose key the embedded store does not index. The
# import keeps their keys unique itself (repeats within a file are quarantined, a stored key
# is updated, not inserted again); DuckDB would hold an ART index over every key in memory
# and maintain it on every write (at 10 M messages: 0.6 GB and 6 s of a 30 s import), and no
# query reads through it. PostgreSQL keeps the primary key: its B-tree lives on disk and
# serves the lookups of small live imports.
UNKEYED_ON_DUCKDB = frozenset({"messages"})


def contract_ddl(dialect: str = "duckdb") -> list[str]:
    statements = []
    for table in contract().values():
        columns = []
        for column in table.columns:
            columns.append(f'"{column.name}" {STORE_TYPES[column.type]}')
            if column.type == "timestamp" and column.local:
                columns.append(f'"{column.name}_local" TIMESTAMP')
        columns.append("extra VARCHAR")
        if not (dialect == "duckdb" and table.name in UNKEYED_ON_DUCKDB):
            key = ", ".join(f'"{k}"' for k in table.key)
            columns.append(f"PRIMARY KEY ({key})")
        statements.append(f'CREATE TABLE IF NOT EXISTS "{table.name}" ({", ".join(columns)})')
    return statements


# Areas that keep tables of their own declare them as `DDL: list[str]` (DuckDB dialect,
# `CREATE TABLE IF NOT EXISTS ...`) in these modules.
AREA_SCHEMAS = ("cskpi.cycle.schema", "cskpi.web.schema", "cskpi.reports.schema")


def ddl(dialect: str = "duckdb") -> list[str]:
    statements = contract_ddl(dialect)
    statements += [f"CREATE TABLE IF NOT EXISTS {n} ({c})" for n, c in META_TABLES.items()]
    facts = " ".join(SESSION_FACTS.split())
    statements.append(f"CREATE TABLE IF NOT EXISTS session_facts ({facts})")
    for module_name in AREA_SCHEMAS:
        if importlib.util.find_spec(module_name) is not None:
            statements += importlib.import_module(module_name).DDL
    return statements


def arrow_to_sql_type(arrow_type: pa.DataType) -> str:
    """DuckDB-dialect SQL type for an Arrow type (used to create staging tables)."""
    if pa.types.is_boolean(arrow_type):
        return "BOOLEAN"
    if pa.types.is_integer(arrow_type):
        return "BIGINT"
    if pa.types.is_floating(arrow_type):
        return "DOUBLE"
    if pa.types.is_decimal(arrow_type):
        return f"DECIMAL({arrow_type.precision},{arrow_type.scale})"
    if pa.types.is_timestamp(arrow_type):
        return "TIMESTAMP"
    if pa.types.is_date(arrow_type):
        return "DATE"
    if pa.types.is_time(arrow_type):
        return "TIME"
    return "VARCHAR"
