"""Periods: parse `2026-10`, `2026-W42`, `2026-10-05`, `2026-Q4`, `2026`, `a..b`, and split a
period into day, week or month rows. All dates are local dates of the center."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

GRAINS = ("day", "week", "month", "quarter", "year")


class PeriodError(ValueError):
    """A period the user typed cannot be read."""


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive
    label: str

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]

    def utc_bounds(self, tz: str) -> tuple[datetime, datetime]:
        """[start 00:00, end+1 00:00) local, as naive UTC datetimes (how the store keeps time)."""
        return local_day_start_utc(self.start, tz), local_day_start_utc(
            self.end + timedelta(days=1), tz)


def local_day_start_utc(day: date, tz: str) -> datetime:
    local = datetime.combine(day, time(0), tzinfo=ZoneInfo(tz))
    return local.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def month_end(year: int, month: int) -> date:
    first_next = date(year + month // 12, month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def parse_period(text: str) -> Period:
    """Read a period as users write it; raises PeriodError with the text when it cannot."""
    text = text.strip()
    try:
        if ".." in text:
            first, last = (parse_period(part) for part in text.split("..", 1))
            if last.end < first.start:
                raise PeriodError(text)
            return Period(first.start, last.end, text)
        if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text):
            day = date(int(m[1]), int(m[2]), int(m[3]))
            return Period(day, day, text)
        if m := re.fullmatch(r"(\d{4})-(\d{2})", text):
            year, month = int(m[1]), int(m[2])
            return Period(date(year, month, 1), month_end(year, month), text)
        if m := re.fullmatch(r"(\d{4})-W(\d{2})", text, re.IGNORECASE):
            start = date.fromisocalendar(int(m[1]), int(m[2]), 1)
            return Period(start, start + timedelta(days=6), f"{m[1]}-W{m[2]}")
        if m := re.fullmatch(r"(\d{4})-Q([1-4])", text, re.IGNORECASE):
            year, quarter = int(m[1]), int(m[2])
            return Period(date(year, 3 * quarter - 2, 1), month_end(year, 3 * quarter),
                          f"{year}-Q{quarter}")
        if m := re.fullmatch(r"(\d{4})-H([12])", text, re.IGNORECASE):
            year, half = int(m[1]), int(m[2])
            return Period(date(year, 6 * half - 5, 1), month_end(year, 6 * half),
                          f"{year}-H{half}")
        if m := re.fullmatch(r"(\d{4})", text):
            year = int(m[1])
            return Period(date(year, 1, 1), date(year, 12, 31), text)
    except ValueError as error:
        raise PeriodError(text) from error
    raise PeriodError(text)


def grain_label(day: date, grain: str | None, period: Period) -> str:
    """The row label of `day` when `period` is split by `grain` (None: the whole period)."""
    if grain is None:
        return period.label
    if grain == "day":
        return day.isoformat()
    if grain == "week":
        iso = day.isocalendar()
        return f"{iso.year}-W{iso.week:02d}"
    if grain == "month":
        return f"{day:%Y-%m}"
    if grain == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    if grain == "year":
        return str(day.year)
    raise PeriodError(grain)


def previous_periods(label: str, n: int) -> list[str]:
    """The n month/week/quarter labels before `label`, most recent first (for cross-period
    rules such as three consecutive months below 80)."""
    period = parse_period(label)
    out: list[str] = []
    current = period
    for _ in range(n):
        before = current.start - timedelta(days=1)
        if re.fullmatch(r"\d{4}-W\d{2}", current.label):
            iso = before.isocalendar()
            current = parse_period(f"{iso.year}-W{iso.week:02d}")
        elif re.fullmatch(r"\d{4}-Q\d", current.label):
            current = parse_period(f"{before.year}-Q{(before.month - 1) // 3 + 1}")
        elif re.fullmatch(r"\d{4}-\d{2}-\d{2}", current.label):
            current = parse_period(before.isoformat())
        else:
            current = parse_period(f"{before:%Y-%m}")
        out.append(current.label)
    return out
