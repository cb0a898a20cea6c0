"""Scheduled delivery: write the monthly reports to a folder (and e-mail them) once a month
has closed. ``cskpi schedule run`` (from cron) runs whatever is due.

When is a month closed?
    A monthly schedule is due for the previous month once that month has ended in the
    center's time zone and the schedule has not yet delivered it. When the schedule names a
    scorecard and the assessment cycle (``cskpi.cycle.service.get_period``) has a state for
    that scorecard and month, the month is closed only once ``approved`` or ``published``
    (looked up at run time); a month the cycle does not know falls back to the calendar.

E-mail goes through the ``[smtp]`` section of ``cskpi.toml`` (host, port, from, starttls,
user; the password from the environment variable ``CSKPI_SMTP_PASSWORD``, never the file).
"""

from __future__ import annotations

import importlib
import json
import os
import smtplib
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from cskpi.config import Config
from cskpi.i18n import t
from cskpi.reports import schema
from cskpi.reports.data import DIMENSIONS, LANGS, ReportData, ReportError, collect
from cskpi.store.base import Store

FORMATS = ("xlsx", "pdf", "html")
FREQUENCIES = ("monthly",)
CLOSED_STATES = ("approved", "published")
PASSWORD_ENV = "CSKPI_SMTP_PASSWORD"


@dataclass(frozen=True)
class Schedule:
    schedule_id: str
    frequency: str
    formats: tuple[str, ...]
    scorecard: str | None
    by: str
    lang: str
    folder: str
    email: tuple[str, ...]
    created_at: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.schedule_id,
            "frequency": self.frequency,
            "formats": ",".join(self.formats),
            "scorecard": self.scorecard,
            "by": self.by,
            "lang": self.lang,
            "folder": self.folder,
            "email": ",".join(self.email),
        }


@dataclass(frozen=True)
class Outcome:
    schedule_id: str
    period: str
    status: str  # ok | error | waiting
    files: tuple[str, ...] = ()
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.schedule_id,
            "period": self.period,
            "status": self.status,
            "files": "\n".join(self.files),
            "error": self.error,
        }


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 25
    sender: str = "cskpi@localhost"
    starttls: bool = False
    user: str | None = None
    password: str | None = None


def ensure_tables(store: Store) -> None:
    for statement in schema.DDL:
        store.execute(statement)


def add_schedule(
    store: Store,
    *,
    formats: list[str] | tuple[str, ...],
    folder: str | Path,
    scorecard: str | None = None,
    by: str = "group",
    lang: str = "zh_CN",
    email: list[str] | tuple[str, ...] = (),
    frequency: str = "monthly",
) -> Schedule:
    """Keep a new schedule and return it (its id is S1, S2, …)."""
    wrong = [f for f in formats if f not in FORMATS]
    if not formats or wrong:
        raise ReportError(
            "schedule.bad_format", formats=",".join(wrong) or "—", allowed=", ".join(FORMATS)
        )
    if frequency not in FREQUENCIES:
        raise ReportError("schedule.bad_frequency", frequency=frequency)
    if by not in DIMENSIONS:
        raise ReportError("report.bad_by", by=by, allowed=", ".join(DIMENSIONS))
    if lang not in LANGS:
        raise ReportError("report.bad_lang", lang=lang, allowed=", ".join(LANGS))
    ensure_tables(store)
    numbers = [
        int(r[0][1:])
        for r in store.fetchall("SELECT schedule_id FROM report_schedules")
        if str(r[0])[1:].isdigit()
    ]
    schedule = Schedule(
        schedule_id=f"S{max(numbers, default=0) + 1}",
        frequency=frequency,
        formats=tuple(dict.fromkeys(formats)),
        scorecard=scorecard,
        by=by,
        lang=lang,
        folder=str(Path(folder).resolve()),
        email=tuple(email),
        created_at=datetime.now(UTC).replace(tzinfo=None),
    )
    store.execute(
        'INSERT INTO report_schedules (schedule_id, frequency, formats, scorecard, "by", lang, '
        "folder, email, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            schedule.schedule_id,
            frequency,
            ",".join(schedule.formats),
            scorecard,
            by,
            lang,
            schedule.folder,
            ",".join(schedule.email),
            schedule.created_at,
        ),
    )
    return schedule


def list_schedules(store: Store) -> list[Schedule]:
    ensure_tables(store)
    rows = store.fetchall(
        'SELECT schedule_id, frequency, formats, scorecard, "by", lang, folder, email, '
        "created_at FROM report_schedules ORDER BY created_at, schedule_id"
    )
    return [
        Schedule(
            schedule_id=r[0],
            frequency=r[1],
            formats=tuple(r[2].split(",")),
            scorecard=r[3],
            by=r[4],
            lang=r[5],
            folder=r[6],
            email=tuple(e for e in (r[7] or "").split(",") if e),
            created_at=r[8],
        )
        for r in rows
    ]


def remove_schedule(store: Store, schedule_id: str) -> bool:
    ensure_tables(store)
    found = store.fetchall("SELECT 1 FROM report_schedules WHERE schedule_id = ?", (schedule_id,))
    store.execute("DELETE FROM report_schedules WHERE schedule_id = ?", (schedule_id,))
    store.execute("DELETE FROM report_runs WHERE schedule_id = ?", (schedule_id,))
    return bool(found)


def previous_month(now: datetime, tz: str) -> str:
    local = now.astimezone(ZoneInfo(tz)) if now.tzinfo else now
    first = date(local.year, local.month, 1)
    return f"{first - timedelta(days=1):%Y-%m}"


def period_state(store: Store, scorecard: str | None, period: str) -> str | None:
    """The assessment cycle's state of (scorecard, period), when the cycle is installed and
    knows the period; None otherwise (then the calendar decides)."""
    if scorecard is None:
        return None
    try:
        service = importlib.import_module("cskpi.cycle.service")
    except ImportError:
        return None
    getter: Callable[..., Any] | None = getattr(service, "get_period", None)
    if getter is None:
        return None
    from cskpi.scoring import load_scorecard

    row = getter(store, load_scorecard(scorecard).name, period)
    state = None if row is None else str(getattr(row.state, "value", row.state))
    return None if state in (None, "none") else state


def is_closed(store: Store, scorecard: str | None, period: str) -> bool:
    state = period_state(store, scorecard, period)
    return state is None or state in CLOSED_STATES


def due(store: Store, config: Config, now: datetime | None = None) -> list[tuple[Schedule, str]]:
    """(schedule, period) pairs to deliver now: the previous month, closed, not yet done."""
    now = now or datetime.now(UTC)
    period = previous_month(now, config.timezone)
    done = {
        r[0]
        for r in store.fetchall(
            "SELECT schedule_id FROM report_runs WHERE period = ? AND status = 'ok'", (period,)
        )
    }
    return [
        (s, period)
        for s in list_schedules(store)
        if s.schedule_id not in done and s.frequency == "monthly"
    ]


def run_due(
    store: Store, config: Config, now: datetime | None = None, smtp: SmtpSettings | None = None
) -> list[Outcome]:
    """Deliver everything due; a month the cycle has not approved yet waits for a later run."""
    outcomes = []
    smtp = smtp or smtp_settings(config)
    for schedule, period in due(store, config, now):
        if not is_closed(store, schedule.scorecard, period):
            state = period_state(store, schedule.scorecard, period)
            outcomes.append(
                Outcome(
                    schedule.schedule_id,
                    period,
                    "waiting",
                    error=t("schedule.not_closed", schedule.lang, period=period, state=state),
                )
            )
            continue
        try:
            files = deliver(store, config, schedule, period, smtp)
        except Exception as error:  # recorded and retried at the next run
            outcome = Outcome(
                schedule.schedule_id, period, "error", error=f"{type(error).__name__}: {error}"
            )
        else:
            outcome = Outcome(schedule.schedule_id, period, "ok", tuple(str(f) for f in files))
        _record(store, outcome)
        outcomes.append(outcome)
    return outcomes


def _record(store: Store, outcome: Outcome) -> None:
    with store.transaction():
        store.execute(
            "DELETE FROM report_runs WHERE schedule_id = ? AND period = ?",
            (outcome.schedule_id, outcome.period),
        )
        store.execute(
            "INSERT INTO report_runs (schedule_id, period, ran_at, status, files, error) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (
                outcome.schedule_id,
                outcome.period,
                datetime.now(UTC).replace(tzinfo=None),
                outcome.status,
                json.dumps(list(outcome.files), ensure_ascii=False),
                outcome.error,
            ),
        )


def report_files(data: ReportData, folder: Path, formats: tuple[str, ...]) -> list[Path]:
    """Write the report in each format to ``folder`` (one collection, the same numbers)."""
    from cskpi.reports.document import save_html, save_pdf
    from cskpi.reports.workbook import render_workbook

    writers = {"xlsx": render_workbook, "pdf": save_pdf, "html": save_html}
    stem = f"cskpi-{data.period.label}-{data.scorecard.name if data.scorecard else 'kpi'}"
    paths = []
    for fmt in formats:
        final = folder / f"{stem}.{fmt}"
        partial = folder / f".{stem}.{fmt}.partial"
        writers[fmt](data, partial)
        partial.replace(final)  # readers of the folder never see a half-written file
        paths.append(final)
    return paths


def deliver(
    store: Store, config: Config, schedule: Schedule, period: str, smtp: SmtpSettings | None
) -> list[Path]:
    folder = Path(schedule.folder) / period
    folder.mkdir(parents=True, exist_ok=True)
    data = collect(
        store, config, period, scorecard=schedule.scorecard, by=schedule.by, lang=schedule.lang
    )
    files = report_files(data, folder, schedule.formats)
    if schedule.email:
        if smtp is None:
            raise ReportError("schedule.no_smtp")
        subject = t("schedule.mail_subject", schedule.lang, center=config.center, period=period)
        body = t(
            "schedule.mail_body",
            schedule.lang,
            center=config.center,
            period=period,
            files="\n".join(f.name for f in files),
        )
        send_mail(smtp, list(schedule.email), subject, body, files)
    return files


def smtp_settings(config: Config) -> SmtpSettings | None:
    """The ``[smtp]`` section of cskpi.toml, or None when there is none."""
    if config.path is None or not Path(config.path).exists():
        return None
    section = tomllib.loads(Path(config.path).read_text("utf-8")).get("smtp")
    if not section or not section.get("host"):
        return None
    return SmtpSettings(
        host=str(section["host"]),
        port=int(section.get("port", 25)),
        sender=str(section.get("from", "cskpi@localhost")),
        starttls=bool(section.get("starttls", False)),
        user=section.get("user"),
        password=os.environ.get(PASSWORD_ENV),
    )


def send_mail(
    settings: SmtpSettings, to: list[str], subject: str, body: str, attachments: list[Path]
) -> None:
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message.set_content(body)
    types = {
        ".xlsx": ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ".pdf": ("application", "pdf"),
        ".html": ("text", "html"),
    }
    for path in attachments:
        maintype, subtype = types.get(path.suffix, ("application", "octet-stream"))
        message.add_attachment(
            path.read_bytes(), maintype=maintype, subtype=subtype, filename=path.name
        )
    with smtplib.SMTP(settings.host, settings.port, timeout=30) as client:
        if settings.starttls:
            client.starttls()
        if settings.user:
            client.login(settings.user, settings.password or "")
        client.send_message(message)
