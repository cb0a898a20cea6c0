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
        bool, typer.Option("--version", callback=version_callback, is_eager=True)
    ] = False,
) -> None:
    try:
        set_language(lang)
    except ValueError:
        fail(f"--lang {lang}: zh-CN | en", 2)


def open_workspace(db: str, must_exist: bool = False) -> Store:
    """Open the store; commands that only read say so when a DuckDB file is not there yet."""
    if must_exist and "://" not in db and not Path(db).exists():
        fail(t("store.missing", path=db))
    try:
        return open_store(db)
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
) -> None:
    try:
        config = load_config(db).with_timezone(tz)
    except ConfigError as error:
        fail(t(error.code, **error.params), 2)
    store = open_workspace(db)
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
            (latest,) = store.fetchall("SELECT MAX(import_id) FROM cskpi_rejects")[0]
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
    store = open_workspace(db, must_exist=True)
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
    out.print(f"  cskpi rejects --db {db}")


def _demo_stages() -> list:  # type: ignore[type-arg]
    """Later stages (metrics, scores, reports, web) register themselves here as they land."""
    return []


def run() -> None:  # pragma: no cover - console entry point wrapper
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
