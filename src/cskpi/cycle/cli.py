"""`cskpi cycle|entry|appeal|audit`: a thin layer over :mod:`cskpi.cycle`.

The CLI has no login: the actor is ``--by NAME`` (default: env ``CSKPI_USER``). Exit codes:
0 success, 1 refused or failed, 2 usage error. The library loads inside each command, so
registering these commands costs `cskpi`'s start-up nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import import_module
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console

from cskpi.config import ConfigError, load_config
from cskpi.cycle.errors import CycleError
from cskpi.cycle.settings import load_settings
from cskpi.cycle.states import TransitionError
from cskpi.i18n import language, t
from cskpi.output import OutputFormat, emit
from cskpi.store.base import Store, StoreError, open_store


class _Lazy:
    """A cycle module imported on first use (scoring's import is what makes it costly)."""

    def __init__(self, name: str) -> None:
        self._name = f"cskpi.cycle.{name}"

    def __getattr__(self, attr: str) -> Any:
        return getattr(import_module(self._name), attr)


service = _Lazy("service")
entries = _Lazy("entries")
appeals = _Lazy("appeals")
audit = _Lazy("audit")

err = Console(stderr=True)
out = Console()


def _app(help_key: str) -> typer.Typer:
    return typer.Typer(help=t(help_key), no_args_is_help=True, rich_markup_mode=None)


cycle_app = _app("cycle.help")
entry_app = _app("entry.help")
appeal_app = _app("appeal.help")
audit_app = _app("audit.help")

DbOption = Annotated[str, typer.Option("--db", help=t("opt.db"), envvar="CSKPI_DB")]
FormatOption = Annotated[OutputFormat, typer.Option("--format", "-f", help=t("opt.format"))]
ScorecardOption = Annotated[str, typer.Option("--scorecard", "-s", help=t("cycle.opt.scorecard"))]
PeriodOption = Annotated[str, typer.Option("--period", help=t("cycle.opt.period"))]
ByOption = Annotated[str | None, typer.Option("--by", help=t("cycle.opt.by"), envvar="CSKPI_USER")]
ReasonOption = Annotated[str | None, typer.Option("--reason", help=t("cycle.opt.reason"))]
AgentOption = Annotated[str, typer.Option("--agent", help=t("cycle.opt.agent"))]


def fail(message: str, code: int = 1) -> NoReturn:
    err.print(f"[bold red]{t('error.prefix')}:[/] {message}", highlight=False)
    raise typer.Exit(code)


def _state(value: str) -> str:
    return t(f"cycle.state.{value}")


def _grain(value: str) -> str:
    return t(f"cycle.grain.{value}")


def _message(error: Exception) -> str:
    if isinstance(error, TransitionError):
        allowed = ", ".join(error.allowed) or t("cycle.nothing_allowed")
        return t(
            "cycle.illegal",
            subject=getattr(error, "subject", ""),
            state=_state(str(error.state)),
            action=str(error.action),
            allowed=allowed,
        )
    if isinstance(error, CycleError):
        params = dict(error.params)
        for key, translate in (("state", _state), ("grain", _grain)):
            if key in params:
                params[key] = translate(str(params[key]))
        return t(error.code, **params)
    if isinstance(error, StoreError | ConfigError):
        return t(error.code, **error.params)
    raise error


@contextmanager
def workspace(db: str, must_exist: bool = False) -> Iterator[Store]:
    """The open store; every refusal of the library becomes a message and exit code 1."""
    if must_exist and "://" not in db and not Path(db).exists():
        fail(t("store.missing", path=db))
    try:
        store = open_store(db)
    except StoreError as error:
        fail(_message(error))
    try:
        yield store
    except (CycleError, TransitionError, ConfigError) as error:
        fail(_message(error))
    finally:
        store.close()


def _by(by: str | None) -> str:
    if not by or not by.strip():
        fail(t("cycle.no_actor"), 2)
    return by.strip()


def _subject(error: TransitionError, scorecard: str, period: str) -> TransitionError:
    error.subject = f"{scorecard} {period}"  # type: ignore[attr-defined]
    return error


@contextmanager
def _named(scorecard: str, period: str) -> Iterator[None]:
    """Name the period in a refused transition."""
    try:
        yield
    except TransitionError as error:
        raise _subject(error, scorecard, period) from None


# --- cycle ----------------------------------------------------------------------------------


@cycle_app.command("open", help=t("cycle.open.help"))
def open_command(
    scorecard: ScorecardOption,
    period: PeriodOption,
    by: ByOption = None,
    reason: ReasonOption = None,
    db: DbOption = "cskpi.duckdb",
) -> None:
    actor = _by(by)
    with workspace(db, must_exist=True) as store, _named(scorecard, period):
        row = service.open_period(store, scorecard, period, actor, reason)
    out.print(
        t("cycle.opened", scorecard=row.scorecard, period=row.period, grain=_grain(row.grain)),
        highlight=False,
    )


@cycle_app.command("compute", help=t("cycle.compute.help"))
def compute_command(
    scorecard: ScorecardOption,
    period: PeriodOption,
    by: ByOption = None,
    reason: ReasonOption = None,
    db: DbOption = "cskpi.duckdb",
) -> None:
    actor = _by(by)
    with workspace(db, must_exist=True) as store, _named(scorecard, period):
        done = service.compute(store, load_config(db), scorecard, period, actor, reason)
    out.print(
        t(
            "cycle.computed",
            scorecard=done["scorecard"],
            period=done["period"],
            version=done["version"],
            agents=done["agents"],
            state=_state(done["state"]),
        ),
        highlight=False,
    )
    if done["history"]:
        out.print(
            t(
                "cycle.history_used",
                periods=", ".join(f"{p} v{v}" for p, v in done["history"].items()),
            ),
            highlight=False,
        )
    if done["new_version"] and done["version"] > 1:
        out.print(
            t(
                "cycle.computed_new",
                version=done["version"],
                scorecard=done["scorecard"],
                period=done["period"],
            ),
            highlight=False,
        )


def _moved(row: Any) -> None:
    out.print(
        t(
            "cycle.moved",
            scorecard=row.scorecard,
            period=row.period,
            state=_state(row.state.value),
            version=row.version,
        ),
        highlight=False,
    )


@cycle_app.command("review", help=t("cycle.review.help"))
def review_command(
    scorecard: ScorecardOption,
    period: PeriodOption,
    by: ByOption = None,
    reason: ReasonOption = None,
    db: DbOption = "cskpi.duckdb",
) -> None:
    actor = _by(by)
    with workspace(db, must_exist=True) as store, _named(scorecard, period):
        row = service.review(store, scorecard, period, actor, reason)
    _moved(row)


@cycle_app.command("approve", help=t("cycle.approve.help"))
def approve_command(
    scorecard: ScorecardOption,
    period: PeriodOption,
    by: ByOption = None,
    reason: ReasonOption = None,
    db: DbOption = "cskpi.duckdb",
) -> None:
    actor = _by(by)
    with workspace(db, must_exist=True) as store, _named(scorecard, period):
        done = service.approve(store, scorecard, period, actor, load_settings(db), reason)
    if done["status"] == "awaiting_second":
        limit = load_settings(db).four_eyes_pay_change
        out.print(
            t(
                "cycle.awaiting_second",
                change=f"{done['pay_change']:.2f}",
                limit=f"{limit:g}",
                by=actor,
                scorecard=done["scorecard"],
                period=done["period"],
            ),
            highlight=False,
        )
        return
    out.print(
        t(
            "cycle.approved",
            scorecard=done["scorecard"],
            period=done["period"],
            version=done["version"],
            by=actor,
        ),
        highlight=False,
    )


@cycle_app.command("publish", help=t("cycle.publish.help"))
def publish_command(
    scorecard: ScorecardOption,
    period: PeriodOption,
    by: ByOption = None,
    reason: ReasonOption = None,
    db: DbOption = "cskpi.duckdb",
) -> None:
    actor = _by(by)
    with workspace(db, must_exist=True) as store, _named(scorecard, period):
        row = service.publish(store, scorecard, period, actor, reason)
    _moved(row)


@cycle_app.command("status", help=t("cycle.status.help"))
def status_command(
    scorecard: Annotated[
        str | None, typer.Option("--scorecard", "-s", help=t("cycle.opt.scorecard"))
    ] = None,
    period: Annotated[str | None, typer.Option("--period", help=t("cycle.opt.period"))] = None,
    db: DbOption = "cskpi.duckdb",
    fmt: FormatOption = OutputFormat.table,
) -> None:
    with workspace(db, must_exist=True) as store:
        rows = service.status(store, scorecard, period)
    if fmt == OutputFormat.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
        return
    if not rows:
        err.print(t("cycle.none"), highlight=False)
        return
    keys = (
        "scorecard",
        "period",
        "grain",
        "state",
        "version",
        "locked_version",
        "open_appeals",
        "allowed",
        "updated_by",
    )
    shown = [{k: r[k] for k in keys} for r in rows]
    for row in shown:
        if fmt == OutputFormat.table:
            row["state"] = _state(row["state"])
            row["grain"] = _grain(row["grain"])
        row["allowed"] = ", ".join(row["allowed"])
    emit(shown, fmt, headers={k: t(f"cycle.col.{k}") for k in keys}, console=out)


@cycle_app.command("diff", help=t("cycle.diff.help"))
def diff_command(
    scorecard: ScorecardOption,
    period: PeriodOption,
    old: Annotated[int | None, typer.Option("--old", help=t("cycle.opt.old"))] = None,
    new: Annotated[int | None, typer.Option("--new", help=t("cycle.opt.new"))] = None,
    everyone: Annotated[bool, typer.Option("--all", help=t("cycle.opt.all"))] = False,
    db: DbOption = "cskpi.duckdb",
    fmt: FormatOption = OutputFormat.table,
) -> None:
    with workspace(db, must_exist=True) as store:
        found = service.diff(store, scorecard, period, old, new, everyone)
    print_diff(found, fmt)


def print_diff(found: dict[str, Any], fmt: OutputFormat) -> None:
    if fmt == OutputFormat.json:
        print(json.dumps(found, ensure_ascii=False, indent=2, default=str))
        return
    lang = "en" if language() == "en" else "zh"
    rows = []
    for row in found["rows"]:
        why = "; ".join(
            f"{(w['label'] or {}).get(lang, w['item'])}: {_num(w['points_old'])} → "
            f"{_num(w['points_new'])}"
            for w in row["why"]
        )
        rows.append(
            {
                k: row[k]
                for k in (
                    "agent_id",
                    "total_old",
                    "total_new",
                    "delta",
                    "rank_old",
                    "rank_new",
                    "pay_old",
                    "pay_new",
                )
            }
            | {"why": why}
        )
    if fmt == OutputFormat.table:
        out.print(
            t(
                "cycle.diff_title",
                scorecard=found["scorecard"],
                period=found["period"],
                old=found["old"],
                new=found["new"],
            ),
            highlight=False,
        )
        if found["scorecard_changed"]:
            out.print(t("cycle.scorecard_changed"), highlight=False)
        if not rows:
            out.print(t("cycle.no_diff_rows"), highlight=False)
            return
    emit(
        rows, fmt, headers={k: t(f"cycle.col.{k}") for k in rows[0]} if rows else None, console=out
    )


def _num(value: Any) -> str:
    return "—" if value is None else f"{value:g}"


@cycle_app.command("results", help=t("cycle.results.help"))
def results_command(
    scorecard: ScorecardOption,
    period: PeriodOption,
    version: Annotated[int | None, typer.Option("--version", help=t("cycle.opt.version"))] = None,
    agent: Annotated[str | None, typer.Option("--agent", help=t("cycle.opt.agent"))] = None,
    published: Annotated[bool, typer.Option("--published", help=t("cycle.opt.published"))] = False,
    db: DbOption = "cskpi.duckdb",
    fmt: FormatOption = OutputFormat.table,
) -> None:
    with workspace(db, must_exist=True) as store:
        chosen, found = service.results(store, scorecard, period, version, agent, published)
        (row,) = service.status(store, scorecard, period)
    if fmt == OutputFormat.json:
        print(json.dumps(list(found.values()), ensure_ascii=False, indent=2))
        return
    lang = "en" if language() == "en" else "zh"
    rows = [
        {
            "agent_id": r["agent_id"],
            "total": r["total"],
            "grade": r["grade"],
            "rank": r["rank"],
            "pay": (r.get("pay") or {}).get("total"),
            "warnings": "; ".join(w["message"][lang] for w in r["warnings"]),
        }
        for r in sorted(found.values(), key=lambda r: (r["rank"] is None, r["rank"] or 0))
    ]
    (shown,) = [v for v in row["versions"] if v["version"] == chosen]
    title = t(
        "cycle.results_title",
        scorecard=row["scorecard"],
        period=row["period"],
        version=chosen,
        state=_state(service.version_state(shown)),
    )
    emit(
        rows,
        fmt,
        title=title,
        headers={k: t(f"cycle.col.{k}") for k in rows[0]} if rows else None,
        console=out,
    )


# --- entries --------------------------------------------------------------------------------


def _added(row: dict[str, Any]) -> None:
    points = "" if row["points"] is None else f" = {row['points']:g}"
    out.print(
        t(
            "entry.added",
            id=row["adjustment_id"],
            agent=row["agent_id"],
            kind=row["kind"],
            count=f"{row['count']:g}",
            points=points,
            date=row["date"],
        ),
        highlight=False,
    )


OptionalScorecard = Annotated[
    str | None, typer.Option("--scorecard", "-s", help=t("cycle.opt.scorecard"))
]
OptionalPeriod = Annotated[str | None, typer.Option("--period", help=t("cycle.opt.period"))]
DateOption = Annotated[str | None, typer.Option("--date", help=t("entry.opt.date"))]


@entry_app.command("add", help=t("entry.add.help"))
def entry_add(
    agent: AgentOption,
    kind: Annotated[str, typer.Option("--kind", help=t("entry.opt.kind"))],
    reason: Annotated[str, typer.Option("--reason", help=t("cycle.opt.reason"))],
    by: ByOption = None,
    period: OptionalPeriod = None,
    day: DateOption = None,
    count: Annotated[float, typer.Option("--count", help=t("entry.opt.count"))] = 1.0,
    points: Annotated[float | None, typer.Option("--points", help=t("entry.opt.points"))] = None,
    scorecard: OptionalScorecard = None,
    db: DbOption = "cskpi.duckdb",
) -> None:
    actor = _by(by)
    with workspace(db, must_exist=True) as store:
        row = entries.add_entry(
            store,
            agent_id=agent,
            kind=kind,
            reason=reason,
            by=actor,
            period=period,
            day=day,
            count=count,
            points=points,
            scorecard=scorecard,
        )
    _added(row)


def _score(
    own: bool,
    agent: str,
    item: str,
    points: float,
    by: str,
    reason: str | None,
    period: str | None,
    day: str | None,
    scorecard: str | None,
    db: str,
) -> None:
    with workspace(db, must_exist=True) as store:
        row = entries.add_score(
            store,
            agent_id=agent,
            item=item,
            points=points,
            by=by,
            own=own,
            reason=reason,
            period=period,
            day=day,
            scorecard=scorecard,
        )
    _added(row)


ItemOption = Annotated[str, typer.Option("--item", help=t("entry.opt.item"))]
PointsOption = Annotated[float, typer.Option("--points", help=t("entry.opt.points"))]


@entry_app.command("self", help=t("entry.self.help"))
def entry_self(
    agent: AgentOption,
    item: ItemOption,
    points: PointsOption,
    by: ByOption = None,
    reason: ReasonOption = None,
    period: OptionalPeriod = None,
    day: DateOption = None,
    scorecard: OptionalScorecard = None,
    db: DbOption = "cskpi.duckdb",
) -> None:
    # An agent assesses themselves: the actor defaults to the agent.
    _score(True, agent, item, points, (by or agent).strip(), reason, period, day, scorecard, db)


@entry_app.command("supervisor", help=t("entry.supervisor.help"))
def entry_supervisor(
    agent: AgentOption,
    item: ItemOption,
    points: PointsOption,
    by: ByOption = None,
    reason: ReasonOption = None,
    period: OptionalPeriod = None,
    day: DateOption = None,
    scorecard: OptionalScorecard = None,
    db: DbOption = "cskpi.duckdb",
) -> None:
    _score(False, agent, item, points, _by(by), reason, period, day, scorecard, db)


@entry_app.command("void", help=t("entry.void.help"))
def entry_void(
    adjustment_id: Annotated[str, typer.Argument(help=t("entry.opt.id"))],
    reason: Annotated[str, typer.Option("--reason", help=t("cycle.opt.reason"))],
    by: ByOption = None,
    db: DbOption = "cskpi.duckdb",
) -> None:
    actor = _by(by)
    with workspace(db, must_exist=True) as store:
        row = entries.void_entry(store, adjustment_id, reason, actor)
    out.print(
        t("entry.voided", id=adjustment_id, agent=row["agent_id"], kind=row["kind"]),
        highlight=False,
    )


@entry_app.command("list", help=t("entry.list.help"))
def entry_list(
    period: PeriodOption,
    agent: Annotated[str | None, typer.Option("--agent", help=t("cycle.opt.agent"))] = None,
    db: DbOption = "cskpi.duckdb",
    fmt: FormatOption = OutputFormat.table,
) -> None:
    with workspace(db, must_exist=True) as store:
        rows = entries.list_entries(store, period, agent)
    if not rows and fmt == OutputFormat.table:
        err.print(t("entry.none"), highlight=False)
        return
    emit(rows, fmt, console=out)


# --- appeals --------------------------------------------------------------------------------


@appeal_app.command("file", help=t("appeal.file.help"))
def appeal_file(
    scorecard: ScorecardOption,
    period: PeriodOption,
    agent: AgentOption,
    item: Annotated[str, typer.Option("--item", help=t("appeal.opt.item"))],
    reason: Annotated[str, typer.Option("--reason", help=t("cycle.opt.reason"))],
    by: ByOption = None,
    db: DbOption = "cskpi.duckdb",
) -> None:
    with workspace(db, must_exist=True) as store, _named(scorecard, period):
        appeal = appeals.file_appeal(store, scorecard, period, agent, item, reason, by)
    out.print(
        t(
            "appeal.filed",
            id=appeal["appeal_id"],
            agent=agent,
            item=item,
            version=appeal["version"],
        ),
        highlight=False,
    )


@appeal_app.command("decide", help=t("appeal.decide.help"))
def appeal_decide(
    appeal_id: Annotated[str, typer.Argument(help=t("appeal.opt.id"))],
    uphold: Annotated[bool, typer.Option("--uphold/--reject", help=t("appeal.opt.uphold"))],
    answer: Annotated[str, typer.Option("--answer", help=t("appeal.opt.answer"))],
    by: ByOption = None,
    points: Annotated[float | None, typer.Option("--points", help=t("appeal.opt.points"))] = None,
    void: Annotated[str | None, typer.Option("--void", help=t("appeal.opt.void"))] = None,
    db: DbOption = "cskpi.duckdb",
    fmt: FormatOption = OutputFormat.table,
) -> None:
    actor = _by(by)
    voided = [v.strip() for v in void.split(",") if v.strip()] if void else None
    with workspace(db, must_exist=True) as store:
        try:
            done = appeals.decide_appeal(
                store,
                load_config(db),
                appeal_id,
                uphold=uphold,
                answer=answer,
                by=actor,
                points=points,
                void=voided,
            )
        except TransitionError as error:
            raise _subject(error, appeal_id, "") from None
    if fmt == OutputFormat.json:
        print(json.dumps(done, ensure_ascii=False, indent=2, default=str))
        return
    appeal = done["appeal"]
    out.print(t("appeal.decided", id=appeal_id, state=_state(appeal["state"])), highlight=False)
    if "diff" in done:
        out.print(t("appeal.new_version", version=appeal["new_version"]), highlight=False)
        print_diff(done["diff"], fmt)


@appeal_app.command("list", help=t("appeal.list.help"))
def appeal_list(
    scorecard: OptionalScorecard = None,
    period: OptionalPeriod = None,
    agent: Annotated[str | None, typer.Option("--agent", help=t("cycle.opt.agent"))] = None,
    db: DbOption = "cskpi.duckdb",
    fmt: FormatOption = OutputFormat.table,
) -> None:
    with workspace(db, must_exist=True) as store:
        rows = appeals.list_appeals(store, scorecard, period, agent)
    if not rows and fmt == OutputFormat.table:
        err.print(t("appeal.none"), highlight=False)
        return
    if fmt == OutputFormat.table:
        rows = [{**r, "state": _state(r["state"])} for r in rows]
    emit(rows, fmt, console=out)


# --- audit ----------------------------------------------------------------------------------


@audit_app.command("verify", help=t("audit.verify.help"))
def audit_verify(db: DbOption = "cskpi.duckdb") -> None:
    with workspace(db, must_exist=True) as store:
        verdict = audit.verify(store)
    if not verdict.ok:
        fail(t(f"audit.bad.{verdict.problem}", seq=verdict.bad_seq))
    out.print(t("audit.ok", rows=verdict.rows), highlight=False)


@audit_app.command("log", help=t("audit.log.help"))
def audit_log(
    scorecard: OptionalScorecard = None,
    period: OptionalPeriod = None,
    agent: Annotated[str | None, typer.Option("--agent", help=t("cycle.opt.agent"))] = None,
    db: DbOption = "cskpi.duckdb",
    fmt: FormatOption = OutputFormat.table,
) -> None:
    with workspace(db, must_exist=True) as store:
        rows = audit.rows(store, scorecard, period, agent)
    if not rows and fmt == OutputFormat.table:
        err.print(t("audit.none"), highlight=False)
        return
    if fmt == OutputFormat.table:
        keys = tuple(c for c in audit.COLUMNS if c != "prev_hash")
        rows = [{k: r[k] for k in keys} for r in rows]
        emit(rows, fmt, headers={k: t(f"audit.col.{k}") for k in keys}, console=out)
        return
    emit(rows, fmt, console=out)
