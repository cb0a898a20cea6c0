"""The store: one interface over an embedded DuckDB file or a PostgreSQL database."""

from cskpi.store.base import Store, open_store

__all__ = ["Store", "open_store"]
