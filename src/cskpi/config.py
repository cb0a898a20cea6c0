"""The workspace config: `cskpi.toml` beside the database (or in the current folder).

Every key is optional; the defaults are the ones metrics.md names.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

CONFIG_NAME = "cskpi.toml"


@dataclass(frozen=True)
class Thresholds:
    """Windows and thresholds named in metrics.md."""

    queue_threshold_seconds: float = 60.0
    fcr_window_hours: float = 24.0
    attribution_window_hours: float = 48.0
    qa_pass_mark: float = 97.0
    lead_tag: str = "lead"
    late_grace_minutes: float = 0.0
    rating_participation_low: float = 0.5


@dataclass(frozen=True)
class Config:
    center: str = "cskpi"
    timezone: str = "Asia/Shanghai"
    currency: str = "CNY"
    # Optional business hours, e.g. ["09:00", "22:00"]; off by default.
    business_hours: tuple[str, str] | None = None
    thresholds: Thresholds = field(default_factory=Thresholds)
    path: Path | None = None

    def with_timezone(self, tz: str | None) -> Config:
        return self if tz is None else replace(self, timezone=check_timezone(tz))


class ConfigError(Exception):
    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ConfigError("config.timezone", timezone=name) from error
    return name


def check_business_hours(hours: object, path: Path) -> None:
    """["HH:MM", "HH:MM"], opening before closing (the same hours every day)."""
    import re

    ok = (isinstance(hours, list) and len(hours) == 2
          and all(isinstance(h, str) and re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", h)
                  for h in hours) and hours[0] < hours[1])
    if not ok:
        raise ConfigError("config.business_hours", path=str(path), value=str(hours))


def config_path(db: str) -> Path:
    """`cskpi.toml` beside a DuckDB file; in the current folder for a server URL."""
    if "://" in db:
        return Path.cwd() / CONFIG_NAME
    return Path(db).resolve().parent / CONFIG_NAME


def load_config(db: str) -> Config:
    path = config_path(db)
    if not path.exists():
        return Config(path=path)
    try:
        data: dict[str, Any] = tomllib.loads(path.read_text("utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError("config.parse", path=str(path), error=str(error)) from error
    known = {f.name for f in fields(Thresholds)}
    thresholds = data.get("thresholds", {})
    unknown = set(thresholds) - known
    if unknown:
        raise ConfigError(
            "config.unknown_key",
            path=str(path),
            key=", ".join(sorted(unknown)),
            allowed=", ".join(sorted(known)),
        )
    hours = data.get("business_hours")
    if hours is not None:
        check_business_hours(hours, path)
    return Config(
        center=str(data.get("center", Config.center)),
        timezone=check_timezone(str(data.get("timezone", Config.timezone))),
        currency=str(data.get("currency", Config.currency)),
        business_hours=tuple(hours) if hours else None,  # type: ignore[arg-type]
        thresholds=Thresholds(**thresholds),
        path=path,
    )


def write_default_config(path: Path, center: str = "cskpi") -> None:
    """A commented config a user can edit; written by `cskpi demo` and `cskpi init`."""
    t = Thresholds()
    path.write_text(
        f'''# cskpi workspace config. Every key is optional.
center = "{center}"
timezone = "Asia/Shanghai"   # timestamps without an offset are read in this zone
currency = "CNY"
# business_hours = ["09:00", "22:00"]   # count response/queue times only inside these hours

[thresholds]
queue_threshold_seconds = {t.queue_threshold_seconds:g}   # queue_rate counts waits longer than this
fcr_window_hours = {t.fcr_window_hours:g}           # first-contact resolution window
attribution_window_hours = {t.attribution_window_hours:g}   # order credited to a consultation
qa_pass_mark = {t.qa_pass_mark:g}
lead_tag = "{t.lead_tag}"
late_grace_minutes = {t.late_grace_minutes:g}
rating_participation_low = {t.rating_participation_low:g}
''',
        "utf-8",
    )
