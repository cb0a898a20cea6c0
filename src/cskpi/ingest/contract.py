"""The data contract, loaded from ``contract.yaml``: tables, keys, columns and their rules.

The contract is data so that the importer, the store's DDL, the demo generator's tests and the
docs all read one definition.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml

COLUMN_TYPES = ("text", "enum", "bool", "int", "number", "decimal", "timestamp", "date", "time")


@dataclass(frozen=True)
class Column:
    """One column of a contract table and the rules a value must follow."""

    name: str
    type: str
    required: bool = False
    values: tuple[str, ...] = ()
    default: Any = None
    min: float | None = None
    max: float | None = None
    references: str | None = None
    # Timestamps also get a `<name>_local` twin (local wall time of the center) because
    # periods are cut in local time; messages.sent_at does not need one.
    local: bool = True


@dataclass(frozen=True)
class Table:
    """One contract table: its key columns, its columns in order, and its time-order rules."""

    name: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    # (later, earlier): `later` may not be before `earlier` when both are set.
    order: tuple[tuple[str, str], ...] = field(default=())

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def local_columns(self) -> tuple[str, ...]:
        """Timestamp columns that carry a local-time twin in the store."""
        return tuple(c.name for c in self.columns if c.type == "timestamp" and c.local)

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)


def _column(name: str, spec: dict[str, Any]) -> Column:
    if spec["type"] not in COLUMN_TYPES:
        raise ValueError(f"contract column {name}: unknown type {spec['type']!r}")
    return Column(
        name=name,
        type=spec["type"],
        required=bool(spec.get("required", False)),
        values=tuple(spec.get("values", ())),
        default=spec.get("default"),
        min=spec.get("min"),
        max=spec.get("max"),
        references=spec.get("references"),
        local=bool(spec.get("local", True)),
    )


@cache
def contract() -> dict[str, Table]:
    """All contract tables by name, in import order (messages after sessions)."""
    text = resources.files("cskpi.ingest").joinpath("contract.yaml").read_text("utf-8")
    tables: dict[str, Table] = {}
    for name, spec in yaml.safe_load(text)["tables"].items():
        tables[name] = Table(
            name=name,
            key=tuple(spec["key"]),
            columns=tuple(_column(c, s) for c, s in spec["columns"].items()),
            order=tuple(tuple(pair) for pair in spec.get("order", ())),  # type: ignore[misc]
        )
    return tables


def table_names() -> list[str]:
    return list(contract())
