"""Item floors and caps."""

from __future__ import annotations


def limit(score: float, floor: float | None, cap: float | None) -> float:
    if floor is not None:
        score = max(score, floor)
    if cap is not None:
        score = min(score, cap)
    return score
