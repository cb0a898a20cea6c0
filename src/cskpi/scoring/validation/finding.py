"""A validation finding: where (file, line, column, field path), how bad, what is allowed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cskpi.scoring.enums import Severity
from cskpi.scoring.yaml_loader import Path


def field_path(path: Path) -> str:
    """("items", 3, "rule", "bands", 1) → "items[3].rule.bands[1]"."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


@dataclass(frozen=True)
class Issue:
    """A rule's finding before it is placed in the file."""

    path: Path
    message_zh: str
    message_en: str
    allowed: str | None = None
    severity: Severity = Severity.ERROR


@dataclass(frozen=True)
class Finding:
    file: str
    line: int
    column: int
    field: str
    severity: Severity
    message_zh: str
    message_en: str
    allowed: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "field": self.field,
            "severity": self.severity.value,
            "message": {"zh": self.message_zh, "en": self.message_en},
            "allowed": self.allowed,
        }

    def __str__(self) -> str:
        allowed = f" (allowed: {self.allowed})" if self.allowed else ""
        return (
            f"{self.file}:{self.line}:{self.column}: {self.severity.value}: {self.field}: "
            f"{self.message_en} / {self.message_zh}{allowed}"
        )
