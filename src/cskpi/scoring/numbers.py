"""Numbers as a manager writes them: ``0.98``, ``98%`` or ``"98%"`` all mean 0.98.

Parsing is a fixed grammar (optional sign, digits, optional %); user text is never evaluated.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any

from pydantic import BeforeValidator, WithJsonSchema

_PERCENT = re.compile(r"^\s*([+-]?\d+(?:\.\d+)?)\s*%\s*$")


def parse_number(value: Any) -> Any:
    """Turn ``"60%"`` into 0.6; leave everything else for pydantic to judge."""
    if isinstance(value, str):
        match = _PERCENT.match(value)
        if match:
            return float(match.group(1)) / 100
    return value


Num = Annotated[
    float,
    BeforeValidator(parse_number),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number"},
                {"type": "string", "pattern": r"^\s*[+-]?\d+(\.\d+)?\s*%\s*$"},
            ]
        }
    ),
]


def is_missing(value: Any) -> bool:
    """True for None and NaN (the KPI engine's "undefined")."""
    if value is None:
        return True
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return True


def clean(value: Any) -> float | None:
    """A figure as float, or None when undefined."""
    return None if is_missing(value) else float(value)
