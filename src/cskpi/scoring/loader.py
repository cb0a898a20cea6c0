"""Shipped templates and loading a scorecard by name or path."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from cskpi.scoring.models.scorecard import Scorecard
from cskpi.scoring.validation.check import parse

TEMPLATE_DIR = Path(__file__).with_name("templates")
_NAME_LINE = re.compile(r"^name:.*$", re.MULTILINE)
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


class ScorecardError(ValueError):
    """The scorecard has errors; ``findings`` says where."""

    def __init__(self, findings: list) -> None:
        self.findings = findings
        super().__init__("\n".join(str(f) for f in findings))


def list_templates() -> list[str]:
    """Names of the shipped templates."""
    return sorted(path.stem for path in TEMPLATE_DIR.glob("*.yaml"))


def describe_templates() -> list[dict[str, Any]]:
    """Name, title and description of every shipped template (for ``scorecard list``)."""
    out = []
    for name in list_templates():
        card = load_scorecard(name)
        out.append(
            {
                "name": name,
                "title": card.title.model_dump(),
                "description": card.description.model_dump() if card.description else None,
                "items": [item.key for item in card.items],
            }
        )
    return out


def new_scorecard_text(template: str, name: str) -> str:
    """A template's YAML with its ``name`` replaced, comments kept (for ``scorecard new``)."""
    if not _SAFE_NAME.match(name):
        raise ValueError(f"scorecard names use letters, digits, '-', '_' and '.': {name!r}")
    path = template_path(template)
    if not path.exists():
        raise FileNotFoundError(f"no template {template!r}; templates: {list_templates()}")
    text = path.read_text(encoding="utf-8")
    return _NAME_LINE.sub(f"name: {name}", text, count=1)


def template_path(name: str) -> Path:
    return TEMPLATE_DIR / f"{name}.yaml"


def load_scorecard(name_or_path: str | Path) -> Scorecard:
    """A shipped template by name (``presales-standard``) or a scorecard file by path.

    Raises ScorecardError when the file does not parse into a scorecard (warnings and the
    semantic checks of ``check_scorecard`` do not stop loading).
    """
    candidate = Path(name_or_path)
    path = candidate if candidate.suffix in {".yaml", ".yml"} or candidate.exists() else None
    if path is None:
        path = template_path(str(name_or_path))
        if not path.exists():
            raise FileNotFoundError(
                f"no scorecard {name_or_path!r}; templates: {', '.join(list_templates())}"
            )
    card, _, findings = parse(path.read_text(encoding="utf-8"), str(path))
    if card is None:
        raise ScorecardError(findings)
    return card
