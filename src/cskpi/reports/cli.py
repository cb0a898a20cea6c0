"""`cskpi report` and `cskpi schedule`: thin commands over cskpi.reports.

Registered by ``cskpi.cli`` with :func:`register`; the library modules never import this one.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from cskpi.i18n import language, t
from cskpi.output import OutputFormat, emit

schedule_app = typer.Typer(help=t("schedule.help"), no_args_is_help=True, rich_markup_mode=None)


def _lang(lang: str | None) -> str:
    if lang is None:
        return language()
    return "en" if lang.lower().startswith("en") else "zh_CN"


def report_command(
    period: Annotated[str, typer.Option("--period", help=t("report.opt.period"))],
    db: Annotated[str, typer.Option("--db", help=t("opt.db"), envvar="CSKPI_DB")] = "cskpi.duckdb",
    scorecard: Annotated[
        str | None, typer.Option("--scorecard", "-s", help=t("report.opt.scorecard"))
    ] = None,
    by: Annotated[str, typer.Option("--by", help=t("report.opt.by"))] = "group",
    xlsx: Annotated[Path | None, typer.Option("--xlsx", help=t("report.opt.xlsx"))] = None,
    pdf: Annotated[Path | None, typer.Option("--pdf", help=t("report.opt.pdf"))] = None,
    html: Annotated[Path | None, typer.Option("--html", help=t("report.opt.html"))] = None,
    report_lang: Annotated[
        str | None, typer.Option("--report-lang", help=t("report.opt.lang"))
    ] = None,
) -> None:
    from cskpi.cli import err, fail, open_workspace, out
    from cskpi.config import ConfigError, load_config
    from cskpi.metrics.engine import MetricError
    from cskpi.metrics.periods import PeriodError, parse_period
    from cskpi.reports.data import ReportError, collect
    from cskpi.reports.document import save_html, save_pdf
    from cskpi.reports.workbook import render_workbook

    if not (xlsx or pdf or html):
        fail(t("report.no_output"), 2)
    try:
        parsed = parse_period(period)
    except PeriodError:
        fail(t("usage.bad_period", period=period), 2)
    try:
        config = load_config(db)
    except ConfigError as error:
        fail(t(error.code, **error.params), 2)
    if scorecard is not None:
        from cskpi.cli import _load_card

        _load_card(scorecard)  # a clear message for an unknown or broken scorecard
    store = open_workspace(db, must_exist=True)
    try:
        err.print(t("report.collecting", period=parsed.label), highlight=False)
        data = collect(store, config, parsed, scorecard=scorecard, by=by, lang=_lang(report_lang))
    except (ReportError, MetricError) as error:
        fail(t(error.code, **error.params), 2)
    finally:
        store.close()
    for path, writer in ((xlsx, render_workbook), (html, save_html), (pdf, save_pdf)):
        if path is not None:
            writer(data, path)
            out.print(t("report.written", path=str(path)), highlight=False)


@schedule_app.command("add", help=t("schedule.add.help"))
def schedule_add(
    to: Annotated[Path, typer.Option("--to", help=t("schedule.opt.to"))],
    monthly: Annotated[bool, typer.Option("--monthly", help=t("schedule.opt.monthly"))] = True,
    report: Annotated[str, typer.Option("--report", help=t("schedule.opt.report"))] = "xlsx,pdf",
    scorecard: Annotated[
        str | None, typer.Option("--scorecard", "-s", help=t("report.opt.scorecard"))
    ] = None,
    by: Annotated[str, typer.Option("--by", help=t("report.opt.by"))] = "group",
    email: Annotated[str | None, typer.Option("--email", help=t("schedule.opt.email"))] = None,
    report_lang: Annotated[
        str | None, typer.Option("--report-lang", help=t("report.opt.lang"))
    ] = None,
    db: Annotated[str, typer.Option("--db", help=t("opt.db"), envvar="CSKPI_DB")] = "cskpi.duckdb",
) -> None:
    from cskpi.cli import fail, open_workspace, out
    from cskpi.reports.data import ReportError
    from cskpi.reports.schedule import add_schedule

    if not monthly:
        fail(t("schedule.bad_frequency", frequency="--no-monthly"), 2)
    if scorecard is not None:
        from cskpi.cli import _load_card

        _load_card(scorecard)
    store = open_workspace(db, must_exist=True)
    try:
        schedule = add_schedule(
            store,
            formats=[f.strip() for f in report.split(",") if f.strip()],
            folder=to,
            scorecard=scorecard,
            by=by,
            lang=_lang(report_lang),
            email=[e.strip() for e in (email or "").split(",") if e.strip()],
        )
    except ReportError as error:
        fail(t(error.code, **error.params), 2)
    finally:
        store.close()
    out.print(
        t(
            "schedule.added",
            id=schedule.schedule_id,
            folder=schedule.folder,
            formats=",".join(schedule.formats),
        ),
        highlight=False,
    )


@schedule_app.command("list", help=t("schedule.list.help"))
def schedule_list(
    db: Annotated[str, typer.Option("--db", help=t("opt.db"), envvar="CSKPI_DB")] = "cskpi.duckdb",
    fmt: Annotated[
        OutputFormat, typer.Option("--format", "-f", help=t("opt.format"))
    ] = OutputFormat.table,
) -> None:
    from cskpi.cli import open_workspace, out
    from cskpi.reports.schedule import list_schedules

    store = open_workspace(db, must_exist=True)
    try:
        rows = [s.to_dict() for s in list_schedules(store)]
    finally:
        store.close()
    if not rows and fmt == OutputFormat.table:
        out.print(t("schedule.none"))
        return
    emit(
        rows,
        fmt,
        headers={k: t(f"schedule.col.{k}") for k in rows[0]} if rows else None,
        console=out,
    )


@schedule_app.command("remove", help=t("schedule.remove.help"))
def schedule_remove(
    schedule_id: Annotated[str, typer.Argument(help=t("schedule.opt.id"))],
    db: Annotated[str, typer.Option("--db", help=t("opt.db"), envvar="CSKPI_DB")] = "cskpi.duckdb",
) -> None:
    from cskpi.cli import fail, open_workspace, out
    from cskpi.reports.schedule import remove_schedule

    store = open_workspace(db, must_exist=True)
    try:
        found = remove_schedule(store, schedule_id)
    finally:
        store.close()
    if not found:
        fail(t("schedule.unknown", id=schedule_id))
    out.print(t("schedule.removed", id=schedule_id))


@schedule_app.command("run", help=t("schedule.run.help"))
def schedule_run(
    db: Annotated[str, typer.Option("--db", help=t("opt.db"), envvar="CSKPI_DB")] = "cskpi.duckdb",
    now: Annotated[str | None, typer.Option("--now", help=t("schedule.opt.now"))] = None,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", "-f", help=t("opt.format"))
    ] = OutputFormat.table,
) -> None:
    from cskpi.cli import fail, open_workspace, out
    from cskpi.config import ConfigError, load_config
    from cskpi.reports.schedule import run_due

    try:
        config = load_config(db)
    except ConfigError as error:
        fail(t(error.code, **error.params), 2)
    moment = None
    if now is not None:
        try:
            moment = datetime.fromisoformat(now)
        except ValueError:
            fail(t("schedule.bad_now", now=now), 2)
    store = open_workspace(db, must_exist=True)
    try:
        outcomes = run_due(store, config, moment)
    finally:
        store.close()
    rows = [o.to_dict() for o in outcomes]
    if not rows and fmt == OutputFormat.table:
        out.print(t("schedule.nothing_due"))
        return
    emit(
        rows,
        fmt,
        headers={k: t(f"schedule.col.{k}") for k in rows[0]} if rows else None,
        console=out,
    )
    if any(o.status == "error" for o in outcomes):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add `report` and `schedule` to the main command line."""
    app.command("report", help=t("report.help"))(report_command)
    app.add_typer(schedule_app, name="schedule")
