"""Period strings: ``2026-10`` (month), ``2026-W42``, ``2026-Q4``, ``2026-H1``, ``2026``,
``2026-10-05`` (day). Only what scoring needs: the previous period and the days inside."""

from __future__ import annotations

import re
from datetime import date, timedelta

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_HALF = re.compile(r"^(\d{4})-H([12])$")
_YEAR = re.compile(r"^(\d{4})$")
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def _months(start_year: int, start_month: int, count: int) -> tuple[date, date]:
    first = date(start_year, start_month, 1)
    month_index = start_year * 12 + start_month - 1 + count
    after = date(month_index // 12, month_index % 12 + 1, 1)
    return first, after - timedelta(days=1)


def bounds(period: str) -> tuple[date, date]:
    """First and last day of ``period``; ValueError when the string is not a period."""
    if m := _DAY.match(period):
        day = date(int(m[1]), int(m[2]), int(m[3]))
        return day, day
    if m := _MONTH.match(period):
        return _months(int(m[1]), int(m[2]), 1)
    if m := _WEEK.match(period):
        monday = date.fromisocalendar(int(m[1]), int(m[2]), 1)
        return monday, monday + timedelta(days=6)
    if m := _QUARTER.match(period):
        return _months(int(m[1]), 3 * int(m[2]) - 2, 3)
    if m := _HALF.match(period):
        return _months(int(m[1]), 6 * int(m[2]) - 5, 6)
    if m := _YEAR.match(period):
        return _months(int(m[1]), 1, 12)
    raise ValueError(f"not a period: {period!r}")


def days(period: str) -> list[str]:
    """ISO dates of every day in ``period``."""
    first, last = bounds(period)
    return [(first + timedelta(days=i)).isoformat() for i in range((last - first).days + 1)]


def previous(period: str) -> str:
    """The period of the same grain just before ``period``."""
    if m := _DAY.match(period):
        return (date(int(m[1]), int(m[2]), int(m[3])) - timedelta(days=1)).isoformat()
    if m := _MONTH.match(period):
        index = int(m[1]) * 12 + int(m[2]) - 2
        return f"{index // 12:04d}-{index % 12 + 1:02d}"
    if m := _WEEK.match(period):
        year, week, _ = (date.fromisocalendar(int(m[1]), int(m[2]), 1) - timedelta(7)).isocalendar()
        return f"{year:04d}-W{week:02d}"
    if m := _QUARTER.match(period):
        index = int(m[1]) * 4 + int(m[2]) - 2
        return f"{index // 4:04d}-Q{index % 4 + 1}"
    if m := _HALF.match(period):
        index = int(m[1]) * 2 + int(m[2]) - 2
        return f"{index // 2:04d}-H{index % 2 + 1}"
    if m := _YEAR.match(period):
        return f"{int(m[1]) - 1:04d}"
    raise ValueError(f"not a period: {period!r}")


def preceding(period: str, n: int) -> list[str]:
    """The ``n`` periods before ``period``, most recent first."""
    out: list[str] = []
    current = period
    for _ in range(n):
        current = previous(current)
        out.append(current)
    return out
