"""The reports area's tables: scheduled deliveries and what each has delivered.

DuckDB-dialect DDL; the store runs it at open (``cskpi.<area>.schema.DDL``) and
:func:`cskpi.reports.schedule.ensure_tables` runs it again before use (it is idempotent),
so schedules work on a store opened before this area existed.
"""

DDL: list[str] = [
    "CREATE TABLE IF NOT EXISTS report_schedules ("
    "schedule_id VARCHAR PRIMARY KEY, frequency VARCHAR, formats VARCHAR, scorecard VARCHAR, "
    '"by" VARCHAR, lang VARCHAR, folder VARCHAR, email VARCHAR, created_at TIMESTAMP)',
    "CREATE TABLE IF NOT EXISTS report_runs ("
    "schedule_id VARCHAR, period VARCHAR, ran_at TIMESTAMP, status VARCHAR, files VARCHAR, "
    "error VARCHAR, PRIMARY KEY (schedule_id, period))",
]
