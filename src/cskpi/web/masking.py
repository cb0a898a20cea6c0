"""Masking of customers' personal data: the ONE place it happens.

Phone numbers, Chinese ID numbers and e-mail addresses inside any text are masked for every
role but admin. :func:`mask` walks any JSON-like value; the app applies it to every API
response body and every page's template context (cskpi.web.app), so a new route cannot forget.
"""

from __future__ import annotations

import re
from typing import Any

# 18-digit resident ID (last may be X) and the old 15-digit one.
_ID = re.compile(
    r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(?![0-9A-Za-z])"
    r"|(?<![0-9A-Za-z])(\d{6})\d{6}(\d{3})(?![0-9A-Za-z])"
)
# Mobile numbers (optionally +86), with optional separators, and landlines 0xx-xxxxxxx.
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?(1[3-9]\d)[- ]?\d{4}[- ]?(\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3})-?\d{3,4}(\d{4})(?!\d)")
_EMAIL = re.compile(r"([A-Za-z0-9])[A-Za-z0-9._%+-]*(@[A-Za-z0-9.-]+\.[A-Za-z]{2,})")


def mask_text(text: str) -> str:
    """`text` with personal data replaced by partly starred values (138****5678)."""
    if not any(c.isdigit() or c == "@" for c in text):
        return text
    text = _EMAIL.sub(lambda m: f"{m[1]}***{m[2]}", text)
    text = _ID.sub(lambda m: f"{m[1]}********{m[2]}" if m[1] else f"{m[3]}******{m[4]}", text)
    text = _MOBILE.sub(lambda m: f"{m[1]}****{m[2]}", text)
    return _LANDLINE.sub(lambda m: f"{m[1]}-****{m[2]}", text)


def mask(value: Any) -> Any:
    """Any JSON-like value with every string masked (keys are ours and kept)."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {k: mask(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask(v) for v in value]
    return value
