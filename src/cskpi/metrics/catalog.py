"""The metric catalog (catalog.yaml): labels, units, directions, industry values and
recommended ranges, and how a figure compares with them."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml


@dataclass(frozen=True)
class MetricInfo:
    key: str
    label_zh: str
    label_en: str
    category: str
    unit: str
    direction: str
    industry: float | None
    recommended_min: float | None
    recommended_max: float | None
    description_zh: str
    description_en: str
    scope: tuple[str, ...]

    def label(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label_zh


@cache
def raw_catalog() -> dict[str, Any]:
    text = resources.files("cskpi.metrics").joinpath("catalog.yaml").read_text("utf-8")
    return yaml.safe_load(text)


@cache
def catalog() -> dict[str, MetricInfo]:
    out: dict[str, MetricInfo] = {}
    for entry in raw_catalog()["metrics"]:
        recommended = entry.get("recommended") or {}
        out[entry["key"]] = MetricInfo(
            key=entry["key"], label_zh=entry["label"]["zh"], label_en=entry["label"]["en"],
            category=entry["category"], unit=entry["unit"], direction=entry["direction"],
            industry=entry.get("industry"), recommended_min=recommended.get("min"),
            recommended_max=recommended.get("max"),
            description_zh=entry["description"]["zh"], description_en=entry["description"]["en"],
            scope=tuple(entry.get("scope", ())),
        )
    return out


def info(key: str) -> MetricInfo | None:
    """Catalog entry of a metric key (`target_achievement:x` shares target_achievement's)."""
    return catalog().get(key.split(":", 1)[0])


def judge(key: str, value: Any) -> str | None:
    """'good' inside the recommended range (or at least as good as the industry value),
    'warn' just outside it (within 10 %), 'bad' further out; None when nothing to compare."""
    meta = info(key)
    if meta is None or value is None or not isinstance(value, int | float):
        return None
    low, high = meta.recommended_min, meta.recommended_max
    if low is not None or high is not None:
        if (low is None or value >= low) and (high is None or value <= high):
            return "good"
        bound = low if low is not None and value < low else high
        assert bound is not None
        margin = abs(bound) * 0.1
        return "warn" if abs(value - bound) <= margin else "bad"
    if meta.industry is None or meta.direction == "neutral":
        return None
    better = value >= meta.industry if meta.direction == "higher" else value <= meta.industry
    return "good" if better else "warn"


def format_value(key: str, value: Any) -> str:
    """A figure for people: rates as %, seconds as s or m:ss, hours with one decimal."""
    if value is None:
        return "—"
    if isinstance(value, list):
        return ":".join(f"{v:.2f}".rstrip("0").rstrip(".") for v in value)
    meta = info(key)
    unit = "ratio" if key.startswith("target_achievement") else (meta.unit if meta else "")
    if unit in ("rate", "ratio") and key.startswith("target_achievement"):
        return f"{value:.1%}"
    if unit == "rate":
        return f"{value:.1%}"
    if unit == "seconds":
        return f"{value:.1f}s" if value < 120 else f"{int(value // 60)}:{int(value % 60):02d}"
    if unit in ("hours", "minutes", "score", "ratio", "days"):
        return f"{value:,.1f}"
    if unit == "money":
        return f"{value:,.2f}"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}"
