"""Local wall-clock time <-> UTC for one month, vectorised.

The generator draws arrivals and shifts in local time (that is where the 10:00 and 20:00
peaks live) and adds durations in UTC, so orderings never depend on a DST jump. Offsets come
from `zoneinfo`, looked up once per hour, so converting millions of values is one `take`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

HOUR = 3600
DAY = 86400
EPOCH_DAY0 = datetime(1970, 1, 1)


class MonthClock:
    """Converts naive local seconds of one month (± a few days) to UTC epoch seconds.

    Naive local seconds are seconds since 1970-01-01 00:00 *as read on the local clock*.
    """

    margin_hours = 24 * 10

    def __init__(self, year: int, month: int, tz: str) -> None:
        self.tz = tz
        zone = ZoneInfo(tz)
        start = datetime(year, month, 1)
        nxt = datetime(year + month // 12, month % 12 + 1, 1)
        self.days = (nxt - start).days
        self.local0 = int((start - EPOCH_DAY0).total_seconds())
        self.first_day = (start - EPOCH_DAY0).days
        hours = np.arange(-self.margin_hours, (self.days + 20) * 24 + self.margin_hours)
        self._offsets = np.array(
            [
                int(
                    (start + timedelta(hours=int(h)))
                    .replace(tzinfo=zone)
                    .utcoffset()
                    .total_seconds()
                )
                for h in hours
            ],
            dtype=np.int64,
        )
        self.start_utc = int(self.to_utc(np.array([self.local0]))[0])
        utc_hours = self.start_utc + (hours * HOUR)
        self._utc_offsets = np.array(
            [
                int(
                    datetime.fromtimestamp(int(t), UTC).astimezone(zone).utcoffset().total_seconds()
                )
                for t in utc_hours
            ],
            dtype=np.int64,
        )
        self.end_utc = int(self.to_utc(np.array([self.local0 + self.days * DAY]))[0])

    def to_utc(self, local: np.ndarray) -> np.ndarray:
        """UTC epoch seconds of naive local seconds (offset of the local hour)."""
        idx = (local - self.local0) // HOUR + self.margin_hours
        idx = np.clip(idx, 0, len(self._offsets) - 1)
        return local - self._offsets[idx]

    def to_local(self, utc: np.ndarray) -> np.ndarray:
        """Naive local seconds of UTC epoch seconds."""
        idx = (utc - self.start_utc) // HOUR + self.margin_hours
        idx = np.clip(idx, 0, len(self._utc_offsets) - 1)
        return utc + self._utc_offsets[idx]

    def local_day(self, utc: np.ndarray) -> np.ndarray:
        """Day index in the month (0 = the 1st) of UTC epoch seconds, on the local calendar."""
        return (self.to_local(utc) - self.local0) // DAY


def local_iso_strings(utc_seconds: np.ndarray, tz: str) -> pa.Array:
    """ISO 8601 strings with offset, in local time of `tz`, e.g. `2026-10-05T09:12:33+08:00`.

    Built from three small lookup tables (day, time of day, offset) joined element-wise:
    ten times faster than `strftime` on tens of millions of values.
    """
    zone = ZoneInfo(tz)
    if len(utc_seconds) == 0:
        return pa.array([], pa.string())
    lo_h = int(utc_seconds.min()) // HOUR
    hi_h = int(utc_seconds.max()) // HOUR
    hours = np.arange(lo_h, hi_h + 1)
    offs = np.array(
        [
            int(
                datetime.fromtimestamp(int(h) * HOUR, UTC)
                .astimezone(zone)
                .utcoffset()
                .total_seconds()
            )
            for h in hours
        ],
        dtype=np.int64,
    )
    off = offs[utc_seconds // HOUR - lo_h]
    local = utc_seconds + off
    day = local // DAY
    d0 = int(day.min())
    ndays = int(day.max()) - d0 + 1
    day_str = pa.array(
        [(EPOCH_DAY0 + timedelta(days=d0 + i)).strftime("%Y-%m-%dT") for i in range(ndays)]
    )
    tod_str = _times_of_day()
    uniq, inv = np.unique(off, return_inverse=True)
    off_str = pa.array([_offset_text(int(o)) for o in uniq])
    return pc.binary_join_element_wise(
        day_str.take(pa.array(day - d0)),
        tod_str.take(pa.array(local - day * DAY)),
        off_str.take(pa.array(inv.astype(np.int32))),
        "",
    )


@cache
def _times_of_day() -> pa.Array:
    """`HH:MM:SS` for every second of a day (86 400 strings, built once)."""
    sod = np.arange(DAY)
    hh = pc.utf8_lpad(pc.cast(pa.array(sod // 3600), pa.string()), 2, "0")
    mm = pc.utf8_lpad(pc.cast(pa.array(sod // 60 % 60), pa.string()), 2, "0")
    ss = pc.utf8_lpad(pc.cast(pa.array(sod % 60), pa.string()), 2, "0")
    return pc.binary_join_element_wise(hh, mm, ss, ":")


def _offset_text(seconds: int) -> str:
    sign = "+" if seconds >= 0 else "-"
    minutes = abs(seconds) // 60
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"
