"""The `cskpi` command line: a thin layer over the library (ingest, store, metrics, scoring).

Exit codes: 0 success, 1 failure, 2 usage error. Every error says what to do next.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from cskpi import __version__
from cskpi.config import ConfigError, load_config, write_default_config
from cskpi.i18n import set_language, t
from cskpi.ingest.importer import ImportError_, ImportResult, run_import
from cskpi.output import OutputFormat, emit
from cskpi.store.base import Store, StoreError, open_store

app = typer.Typer(
    help=t("app.help"), no_args_is_help=True, add_completion=False, rich_markup_mode=None
)
err = Console(stderr=True)
out = Console()

DbOption = Annotated[str, typer.Option("--db", help=t("opt.db"), envvar="CSKPI_DB")]
FormatOption = Annotated[OutputFormat, typer.Option("--format", "-f", help=t("opt.format"))]
WarehouseOption = Annotated[
    str | None, typer.Option("--warehouse", help=t("opt.warehouse"), envvar="CSKPI_WAREHOUSE")
]


def fail(message: str, code: int = 1) -> NoReturn:
    err.print(f"[bold red]{t('error.prefix')}:[/] {message}", highlight=False)
    raise typer.Exit(code)


def version_callback(value: bool) -> None:
    if value:
        print(f"cskpi {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    lang: Annotated[
        str | None, typer.Option("--lang", help=t("opt.lang"), envvar="CSKPI_LANG")
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=version_callback, is_eager=True, help=t("opt.version")
        ),
    ] = False,
) -> None:
    try:
        set_language(lang)
    except ValueError:
        fail(f"--lang {lang}: zh-CN | en", 2)


def open_workspace(db: str, must_exist: bool = False, warehouse: str | None = None) -> Store:
    """Open the store; commands that only read say so when a DuckDB file is not there yet.
    `warehouse`: the Parquet folder or object-store URL of a spark:// store."""
    if must_exist and "://" not in db and not Path(db).exists():
        fail(t("store.missing", path=db))
    try:
        return open_store(db, warehouse=warehouse) if warehouse else open_store(db)
    except StoreError as error:
        fail(t(error.code, **error.params))


# --- import -------------------------------------------------------------------------------


@app.command("import", help=t("import.help"))
def import_command(
    paths: Annotated[list[Path], typer.Argument(help=t("import.opt.paths"))],
    db: DbOption = "cskpi.duckdb",
    table: Annotated[str | None, typer.Option("--table", help=t("import.opt.table"))] = None,
    strict: Annotated[bool, typer.Option("--strict", help=t("import.opt.strict"))] = False,
    tz: Annotated[str | None, typer.Option("--tz", help=t("import.opt.tz"))] = None,
    encoding: Annotated[
        str | None, typer.Option("--encoding", help=t("import.opt.encoding"))
    ] = None,
    fmt: FormatOption = OutputFormat.table,
    warehouse: WarehouseOption = None,
) -> None:
    try:
        config = load_config(db).with_timezone(tz)
    except ConfigError as error:
        fail(t(error.code, **error.params), 2)
    store = open_workspace(db, warehouse=warehouse)
    try:
        with _progress() as progress:
            tasks: dict[Path, int] = {}
            steps = ("read", "validate", "load")

            def note(table_name: str, path: Path, step: str) -> None:
                if path not in tasks:
                    tasks[path] = progress.add_task(path.name, total=len(steps))
                progress.update(
                    tasks[path],
                    completed=steps.index(step),
                    description=f"{path.name} · {t('import.step.' + step)}",
                )

            result = run_import(
                store, paths, config, table=table, strict=strict, encoding=encoding, progress=note
            )
            for task in tasks.values():
                progress.update(task, completed=len(steps))
    except ImportError_ as error:
        fail(t(error.code, **error.params), 2)
    finally:
        store.close()
    _print_import(result, db, fmt)
    if result.aborted or any(r.code.startswith("file.") for r in result.rejects):
        raise typer.Exit(1)


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )


def _print_import(result: ImportResult, db: str, fmt: OutputFormat) -> None:
    rows = [
        {
            "table": s.table,
            "read": s.read,
            "inserted": s.inserted,
            "updated": s.updated,
            "unchanged": s.unchanged,
            "rejected": s.rejected,
        }
        for s in result.summaries.values()
    ]
    if fmt == OutputFormat.json:
        print(
            json.dumps(
                {
                    "import_id": result.import_id,
                    "aborted": result.aborted,
                    "tables": rows,
                    "rejects": [_reject_row(r) for r in result.rejects],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    headers = {k: t("import.summary." + k) for k in rows[0]} if rows else None
    emit(
        rows,
        fmt,
        title=t("import.summary.title", import_id=result.import_id or "—"),
        headers=headers,
        console=out,
    )
    if fmt != OutputFormat.table:
        return
    if result.aborted:
        _print_rejects([_reject_row(r) for r in result.rejects], OutputFormat.table, err)
        fail(t("import.strict_aborted", count=len(result.rejects)))
    if result.rejects:
        _print_rejects([_reject_row(r) for r in result.rejects[:20]], OutputFormat.table, err)
        err.print(
            t("import.rejects_hint", count=result.rejected_rows or len(result.rejects), db=db),
            highlight=False,
        )
    else:
        out.print(t("import.done"))


def _reject_row(r: object) -> dict[str, object]:
    params = dict(getattr(r, "params", {}) or {})
    return {
        "file": r.file,
        "table": r.table,
        "line": r.line,  # type: ignore[attr-defined]
        "column": r.column,
        "code": r.code,  # type: ignore[attr-defined]
        "value": r.value,  # type: ignore[attr-defined]
        "reason": t(r.code, value=r.value, column=r.column, **params),
    }  # type: ignore


def _print_rejects(rows: list[dict[str, object]], fmt: OutputFormat, console: Console) -> None:
    headers = {
        "file": t("rejects.file"),
        "table": t("rejects.table"),
        "line": t("rejects.line"),
        "column": t("rejects.column"),
        "reason": t("rejects.reason"),
    }
    shown = [{k: r[k] for k in ("file", "table", "line", "column", "reason")} for r in rows]
    emit(shown if fmt == OutputFormat.table else rows, fmt, headers=headers, console=console)


@app.command("rejects", help=t("rejects.help"))
def rejects_command(
    db: DbOption = "cskpi.duckdb",
    import_id: Annotated[
        int | None, typer.Option("--import", help=t("rejects.opt.import_id"))
    ] = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    store = open_workspace(db, must_exist=True)
    try:
        if import_id is None:
            # The latest import, even a clean one: old rejects of an earlier import are not
            # this import's problem (`--import 0` lists them all).
            (latest,) = store.fetchall("SELECT MAX(import_id) FROM cskpi_imports")[0]
            import_id = latest or 0
        where = "" if import_id == 0 else f"WHERE import_id = {int(import_id)}"
        rows = store.fetchall(
            f'SELECT import_id, file, "table", line, "column", code, value, params FROM '
            f"cskpi_rejects {where} ORDER BY import_id, file, line"
        )
    finally:
        store.close()
    if not rows:
        if fmt == OutputFormat.json:
            print("[]")
        else:
            out.print(t("rejects.none"))
        return
    shown = []
    for import_, file, table, line, column, code, value, params in rows:
        extra = json.loads(params or "{}")
        shown.append(
            {
                "import_id": import_,
                "file": file,
                "table": table,
                "line": line,
                "column": column,
                "code": code,
                "value": value,
                "reason": t(code, value=value, column=column, **extra),
            }
        )
    if fmt == OutputFormat.table:
        _print_rejects(shown, fmt, out)
    else:
        emit(shown, fmt, console=out)


# --- metrics ------------------------------------------------------------------------------

@app.command("metrics", help=t("metrics.help"))
def metrics_command(
    db: DbOption = "cskpi.duckdb",
    by: Annotated[str, typer.Option("--by", help=t("metrics.opt.by"))] = "center",
    period: Annotated[str | None, typer.Option("--period", help=t("metrics.opt.period"))] = None,
    grain: Annotated[str | None, typer.Option("--grain", help=t("metrics.opt.grain"))] = None,
    metrics: Annotated[str | None, typer.Option("--metrics", help=t("metrics.opt.metrics"))] = None,
    list_metrics: Annotated[bool, typer.Option("--list", help=t("metrics.opt.list"))] = False,
    fmt: FormatOption = OutputFormat.table,
    warehouse: WarehouseOption = None,
) -> None:
    from cskpi.metrics.catalog import catalog
    from cskpi.metrics.engine import MetricError, compute
    from cskpi.metrics.periods import GRAINS, PeriodError, parse_period

    if list_metrics:
        _print_catalog(fmt)
        return
    if period is None:
        fail(t("usage.bad_period", period="(none)"), 2)
    if grain is not None and grain not in GRAINS:
        fail(t("metrics.bad_grain", grain=grain), 2)
    try:
        parsed = parse_period(period)
    except PeriodError:
        fail(t("usage.bad_period", period=period), 2)
    dims = [d.strip() for d in by.split(",") if d.strip()]
    keys = [k.strip() for k in metrics.split(",")] if metrics else None
    try:
        config = load_config(db)
    except ConfigError as error:
        fail(t(error.code, **error.params), 2)
    store = open_workspace(db, must_exist=True, warehouse=warehouse)
    try:
        frame = compute(store, config, by=dims, period=parsed, grain=grain, metrics=keys)
    except MetricError as error:
        fail(t(error.code, **error.params), 2)
    finally:
        store.close()
    rows = frame.to_dict(orient="records")
    if fmt == OutputFormat.json:
        emit(rows, fmt)
        return
    if fmt == OutputFormat.csv:
        emit([{k: json.dumps(v) if isinstance(v, list) else v for k, v in r.items()}
              for r in rows], fmt)
        return
    if not rows:
        err.print(t("metrics.no_rows", db=db))
        return
    _print_metric_table(frame, catalog())


def _print_catalog(fmt: OutputFormat) -> None:
    from cskpi.i18n import language
    from cskpi.metrics.catalog import catalog

    lang = language()
    rows = [{"key": m.key, "metric": m.label(lang), "unit": m.unit, "direction": m.direction,
             "industry": m.industry,
             "recommended": _range_text(m.recommended_min, m.recommended_max)}
            for m in catalog().values()]
    headers = {k: t(f"metrics.col.{k}") for k in rows[0]}
    emit(rows, fmt, headers=headers, console=out)


def _range_text(low: float | None, high: float | None) -> str | None:
    if low is None and high is None:
        return None
    if low is None:
        return f"≤ {high:g}"
    if high is None:
        return f"≥ {low:g}"
    return f"{low:g}–{high:g}"


def _print_metric_table(frame: object, meta: dict) -> None:  # type: ignore[type-arg]
    """Metrics as rows, result rows as columns (8 per table), each figure coloured against
    its recommended range."""
    import pandas as pd
    from rich.table import Table

    from cskpi.i18n import language
    from cskpi.metrics.catalog import format_value, info, judge

    assert isinstance(frame, pd.DataFrame)
    lang = language()
    dims = [c for c in frame.columns if c in ("agent_id", "group", "team", "role", "channel",
                                               "origin")]
    keys = [c for c in frame.columns if c not in (*dims, "period")]
    colours = {"good": "green", "warn": "yellow", "bad": "red"}
    records = frame.to_dict(orient="records")
    for first in range(0, len(records), 8):
        chunk = records[first:first + 8]
        table = Table(show_lines=False)
        table.add_column(t("metrics.col.metric"))
        table.add_column(t("metrics.col.industry"), justify="right")
        table.add_column(t("metrics.col.recommended"), justify="right")
        for record in chunk:
            name = " / ".join(str(record[d]) for d in dims) or t("app.center", lang)
            table.add_column(f"{name}\n{record['period']}", justify="right")
        for key in keys:
            m = info(key)
            label = m.label(lang) if m else key
            industry = format_value(key, m.industry) if m and m.industry is not None else ""
            recommended = ""
            if m and (m.recommended_min is not None or m.recommended_max is not None):
                low = format_value(key, m.recommended_min) if m.recommended_min is not None \
                    else None
                high = format_value(key, m.recommended_max) if m.recommended_max is not None \
                    else None
                recommended = f"≥ {low}" if high is None else f"≤ {high}" if low is None \
                    else f"{low}–{high}"
            cells = []
            for record in chunk:
                value = record[key]
                value = None if isinstance(value, float) and pd.isna(value) else value
                verdict = judge(key, value)
                text = format_value(key, value)
                cells.append(f"[{colours[verdict]}]{text}[/]" if verdict else text)
            table.add_row(f"{label} [dim]{key}[/]", industry, recommended, *cells)
        out.print(table)
    out.print(f"[dim]{t('metrics.legend')}[/]")


# --- scorecards and scores ----------------------------------------------------------------

scorecard_app = typer.Typer(help=t("scorecard.help"), no_args_is_help=True,
                            rich_markup_mode=None)
app.add_typer(scorecard_app, name="scorecard")


def _finding_rows(findings: list) -> list[dict[str, object]]:  # type: ignore[type-arg]
    from cskpi.i18n import language

    lang = language()
    return [{"file": f.file, "line": f.line, "column": f.column, "field": f.field,
             "severity": f.severity.value,
             "message": f.message_en if lang == "en" else f.message_zh,
             "allowed": f.allowed} for f in findings]


@scorecard_app.command("list", help=t("scorecard.list.help"))
def scorecard_list(fmt: FormatOption = OutputFormat.table) -> None:
    from cskpi.i18n import language
    from cskpi.scoring.loader import describe_templates

    lang = "en" if language() == "en" else "zh"
    rows = [{"name": d["name"], "title": d["title"][lang],
             "items": ", ".join(d["items"])} for d in describe_templates()]
    emit(rows, fmt, headers={"name": t("scorecard.col.name"), "title": t("scorecard.col.title"),
                             "items": t("scorecard.col.items")}, console=out)


@scorecard_app.command("check", help=t("scorecard.check.help"))
def scorecard_check(
    file: Annotated[Path, typer.Argument(help=t("scorecard.opt.file"))],
    fmt: FormatOption = OutputFormat.table,
) -> None:
    from cskpi.scoring.validation import check_scorecard

    if not file.exists():
        fail(t("import.not_found", path=str(file)), 2)
    findings = check_scorecard(file)
    rows = _finding_rows(findings)
    if fmt != OutputFormat.table:
        emit(rows, fmt)
    elif rows:
        for row in rows:
            allowed = f"（{t('scorecard.allowed')}：{row['allowed']}）" if row["allowed"] else ""
            out.print(f"{row['file']}:{row['line']}:{row['column']}: {row['severity']}: "
                      f"{row['field']}: {row['message']}{allowed}", highlight=False)
    else:
        out.print(t("scorecard.check.ok", file=str(file)))
    if any(f.severity.value == "error" for f in findings):
        raise typer.Exit(1)


@scorecard_app.command("new", help=t("scorecard.new.help"))
def scorecard_new(
    name: Annotated[str, typer.Argument(help=t("scorecard.opt.name"))],
    template: Annotated[str, typer.Option("--from", help=t("scorecard.opt.from"))],
    output: Annotated[Path | None, typer.Option("--out", help=t("scorecard.opt.out"))] = None,
) -> None:
    from cskpi.scoring.loader import list_templates, new_scorecard_text

    if template not in list_templates():
        fail(t("scorecard.unknown_template", template=template,
               allowed=", ".join(list_templates())), 2)
    try:
        text = new_scorecard_text(template, name)
    except ValueError as error:
        fail(str(error), 2)
    target = output or Path(f"{name}.yaml")
    if target.exists():
        fail(t("scorecard.exists", path=str(target)))
    target.write_text(text, "utf-8")
    out.print(t("scorecard.new.done", path=str(target), template=template))


def _load_card(name: str):  # type: ignore[no-untyped-def]
    from cskpi.scoring.loader import ScorecardError, load_scorecard

    try:
        return load_scorecard(name)
    except ScorecardError as error:
        for row in _finding_rows(error.findings):
            err.print(f"{row['file']}:{row['line']}:{row['column']}: {row['message']}",
                      highlight=False)
        fail(t("score.bad_scorecard", name=name))
    except FileNotFoundError:
        from cskpi.scoring.loader import list_templates

        fail(t("score.no_scorecard", name=name, allowed=", ".join(list_templates())), 2)


def run_scores(store: Store, db: str, scorecard: str, period: str,
               agents: list[str] | None = None, save: bool = True) -> list:  # type: ignore
    """Score a period with a scorecard (by name or file) and keep the results."""
    from cskpi.scoring import score
    from cskpi.scoring.store_inputs import StoreInputs, save_results

    card = _load_card(scorecard)
    inputs = StoreInputs(store, load_config(db), card.name)
    results = score(card, inputs, period, agents)
    if save:
        save_results(store, results)
    return results


@app.command("score", help=t("score.help"))
def score_command(
    scorecard: Annotated[str, typer.Option("--scorecard", "-s", help=t("score.opt.scorecard"))],
    period: Annotated[str, typer.Option("--period", help=t("metrics.opt.period"))],
    db: DbOption = "cskpi.duckdb",
    agents: Annotated[str | None, typer.Option("--agents", help=t("score.opt.agents"))] = None,
    compare_with: Annotated[str | None, typer.Option("--compare",
                                                     help=t("score.opt.compare"))] = None,
    save: Annotated[bool, typer.Option("--save/--no-save", help=t("score.opt.save"))] = True,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    from cskpi.metrics.periods import PeriodError, parse_period
    from cskpi.scoring import compare

    try:
        label = parse_period(period).label
    except PeriodError:
        fail(t("usage.bad_period", period=period), 2)
    wanted = [a.strip() for a in agents.split(",")] if agents else None
    store = open_workspace(db, must_exist=True)
    try:
        results = run_scores(store, db, scorecard, label, wanted, save)
        other = run_scores(store, db, compare_with, label, wanted, False) if compare_with \
            else None
    finally:
        store.close()
    if other is not None:
        rows = compare(results, other)
        emit(rows, fmt, headers={k: t(f"score.col.{k}") for k in rows[0]} if rows else None,
             console=out)
        return
    if fmt == OutputFormat.json:
        emit([r.to_dict() for r in results], fmt)
        return
    if not results:
        err.print(t("score.nobody", scorecard=scorecard))
        return
    _print_scores(results, fmt, detailed=bool(wanted))


def _print_scores(results: list, fmt: OutputFormat, detailed: bool) -> None:  # type: ignore
    from cskpi.i18n import language

    lang = "en" if language() == "en" else "zh"
    ordered = sorted(results, key=lambda r: (r.rank is None, r.rank or 0, r.agent_id))
    rows = [{"rank": r.rank, "agent_id": r.agent_id, "base": round(r.base, 2),
             "bonus": round(r.bonus, 2), "total": round(r.total, 2), "grade": r.grade,
             "coefficient": r.coefficient,
             "pay": None if not r.pay else r.pay.get("total"),
             "warnings": "; ".join(w.message.model_dump()[lang] for w in r.warnings)}
            for r in ordered]
    emit(rows, fmt, headers={k: t(f"score.col.{k}") for k in rows[0]}, console=out)
    if not detailed or fmt != OutputFormat.table:
        return
    for r in ordered:
        items = [{"key": i.key, "label": i.label.model_dump()[lang],
                  "value": i.value, "rule": i.rule.model_dump()[lang],
                  "score": None if i.score is None else round(i.score, 2),
                  "weight": i.weight, "points": None if i.points is None else round(i.points, 2),
                  "missing": "✗" if i.missing else ""}
                 for i in (*r.items, *r.bonus_items)]
        emit(items, fmt, title=f"{r.agent_id} · {r.scorecard} · {r.period}",
             headers={k: t(f"score.item.{k}") for k in items[0]} if items else None,
             console=out)


@app.command("history", help=t("history.help"))
def history_command(
    agent: Annotated[str, typer.Argument(help=t("history.opt.agent"))],
    db: DbOption = "cskpi.duckdb",
    fmt: FormatOption = OutputFormat.table,
) -> None:
    from cskpi.scoring.store_inputs import history

    store = open_workspace(db, must_exist=True)
    try:
        rows = history(store, agent)
    finally:
        store.close()
    if not rows:
        if fmt == OutputFormat.json:
            print("[]")
        else:
            err.print(t("history.none", agent=agent))
        return
    shown = [{**r, "warnings": ", ".join(r["warnings"])} for r in rows] \
        if fmt != OutputFormat.json else rows
    emit(shown, fmt, headers={k: t(f"history.col.{k}") for k in shown[0]}, console=out)


# --- demo ---------------------------------------------------------------------------------


@app.command("demo", help=t("demo.help"))
def demo_command(
    folder: Annotated[Path, typer.Option("--folder", help=t("demo.opt.folder"))] = Path("demo"),
    month: Annotated[str, typer.Option("--month", help=t("demo.opt.month"))] = "2026-10",
    seed: Annotated[int, typer.Option("--seed", help=t("demo.opt.seed"))] = 0,
    agents: Annotated[int, typer.Option("--agents", help=t("demo.opt.agents"))] = 40,
) -> None:
    from cskpi.demo.generator import generate, write_folder

    folder.mkdir(parents=True, exist_ok=True)
    data_folder = folder / "data"
    db = str(folder / "cskpi.duckdb")
    config_file = folder / "cskpi.toml"
    if not config_file.exists():
        write_default_config(config_file, center="演示客服中心")
    err.print(t("demo.generating", month=month, seed=seed), highlight=False)
    write_folder(generate(month, seed=seed, agents=agents), data_folder, fmt="csv")
    err.print(t("demo.written", folder=data_folder), highlight=False)
    store = open_workspace(db)
    try:
        result = run_import(store, [data_folder], load_config(db))
    finally:
        store.close()
    _print_import(result, db, OutputFormat.table)
    for stage in _demo_stages():
        stage(db, month)
    out.print(t("demo.next"))
    for line in (f"cskpi metrics --db {db} --by agent --period {month}",
                 f"cskpi score --db {db} --scorecard presales-standard --period {month}",
                 f"cskpi score --db {db} -s presales-standard --period {month} --agents A0001",
                 f"cskpi history A0001 --db {db}",
                 f"cskpi rejects --db {db}"):
        out.print(f"  {line}", highlight=False)
    out.print(t("web.demo.open", db=db), highlight=False)


def _demo_stages() -> list:  # type: ignore[type-arg]
    """The stages after the import, in order; each prints what it made and where."""
    return [_demo_metrics, _demo_scores, _demo_report]


def _demo_report(db: str, month: str) -> None:
    """The month's report for the presales scorecard, as a workbook and a PDF."""
    from cskpi.i18n import language
    from cskpi.reports.data import collect
    from cskpi.reports.document import save_pdf
    from cskpi.reports.workbook import render_workbook

    folder = Path(db).parent / "reports"
    store = open_workspace(db)
    try:
        data = collect(store, load_config(db), month, scorecard="presales-standard",
                       lang=language())
    finally:
        store.close()
    workbook = render_workbook(data, folder / f"{month}.xlsx")
    pdf = save_pdf(data, folder / f"{month}.pdf")
    out.print(t("demo.report", workbook=str(workbook), pdf=str(pdf)), highlight=False)


def _demo_metrics(db: str, month: str) -> None:
    from cskpi.metrics.catalog import catalog
    from cskpi.metrics.engine import compute

    store = open_workspace(db)
    try:
        frame = compute(store, load_config(db), by=["group"], period=month,
                        metrics=["sessions", "first_response_time", "avg_response_time",
                                 "reply_rate", "connection_rate", "abandon_rate",
                                 "transfer_rate", "fcr_rate", "satisfaction_score",
                                 "inquiry_conversion", "sales_amount"])
    finally:
        store.close()
    out.print(t("demo.metrics_title", month=month))
    _print_metric_table(frame, catalog())
    out.print(t("demo.metrics_more", db=db, month=month))


def _demo_scores(db: str, month: str) -> None:
    from cskpi.scoring.loader import list_templates

    store = open_workspace(db)
    try:
        for name in list_templates():
            results = run_scores(store, db, name, month)
            best = max(results, key=lambda r: r.total, default=None)
            out.print(t("demo.scored", scorecard=name, agents=len(results),
                        best=best.agent_id if best else "—",
                        total=f"{best.total:.1f}" if best else "—"))
    finally:
        store.close()
    out.print(t("demo.scores_more", db=db, month=month))


# --- the assessment cycle (cskpi.cycle.cli) -------------------------------------------------
from cskpi.cycle.cli import appeal_app, audit_app, cycle_app, entry_app  # noqa: E402

app.add_typer(cycle_app, name="cycle")
app.add_typer(entry_app, name="entry")
app.add_typer(appeal_app, name="appeal")
app.add_typer(audit_app, name="audit")

# --- the web app (cskpi.web.cli) -------------------------------------------------------------
from cskpi.web.cli import serve, user_app  # noqa: E402

app.command("serve", help=t("web.serve.help"))(serve)
app.add_typer(user_app, name="user")

# --- reports (cskpi.reports.cli) ---------------------------------------------------------------
from cskpi.reports.cli import register as register_reports  # noqa: E402

register_reports(app)


def run() -> None:  # pragma: no cover - console entry point wrapper
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
