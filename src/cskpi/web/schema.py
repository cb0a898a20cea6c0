"""The web app's tables: accounts, API tokens, login attempts and the app's own settings.

DuckDB dialect (transpiled for PostgreSQL by the store). `cskpi.web.app` also runs these on
start, so an older store gains them without a separate migration step.
"""

from __future__ import annotations

DDL: list[str] = [
    "CREATE TABLE IF NOT EXISTS web_users (username VARCHAR PRIMARY KEY, "
    "password_hash VARCHAR NOT NULL, role VARCHAR NOT NULL, groups VARCHAR, agent_id VARCHAR, "
    "display_name VARCHAR, created_at TIMESTAMP, disabled BOOLEAN DEFAULT FALSE)",
    # Only a SHA-256 of each token is kept; the token itself is shown once, on creation.
    "CREATE TABLE IF NOT EXISTS web_tokens (token_id VARCHAR PRIMARY KEY, username VARCHAR, "
    "token_hash VARCHAR UNIQUE, name VARCHAR, created_at TIMESTAMP, last_used_at TIMESTAMP)",
    "CREATE TABLE IF NOT EXISTS web_login_attempts (username VARCHAR, ip VARCHAR, "
    "attempted_at TIMESTAMP, ok BOOLEAN)",
    'CREATE TABLE IF NOT EXISTS web_settings ("key" VARCHAR PRIMARY KEY, "value" VARCHAR)',
]
