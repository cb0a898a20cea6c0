"""The Excel workbook managers and HR use (XlsxWriter).

Sheets, in order: overview (center KPIs against industry value and recommended range,
coloured, with native charts), ranking and pay, one sheet per group or team, one per agent
(the scorecard item by item and the manual entries behind it), and one data sheet per metric
by day. Headers are Chinese or English; every table has frozen panes, filters, number formats
(seconds as m:ss, rates as %) and a print setup (A4, fitted to the page width, header rows
repeated, page numbers).

Text from imported data (names, groups, reasons, who entered them) goes through
:func:`cskpi.reports.safe.neutralise` and ``write_string`` only: see that module for why.
The only formulas in a workbook are the SUBTOTAL totals this module writes itself.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from cskpi.config import Config
from cskpi.i18n import t
from cskpi.metrics.catalog import info, judge
from cskpi.metrics.periods import Period
from cskpi.reports.data import AGENT_COLUMNS, ReportData, collect
from cskpi.reports.safe import neutralise, sheet_name
from cskpi.store.base import Store

NUMBER_FORMATS = {
    "seconds": "[m]:ss",
    "rate": "0.0%",
    "count": "#,##0",
    "days": "#,##0",
    "money": "#,##0.00",
    "hours": "#,##0.0",
    "minutes": "#,##0.0",
    "score": "0.0",
    "ratio": "0.00",
}
SECONDS_PER_DAY = 86400.0
VERDICT_COLOURS = {
    "good": ("#C6EFCE", "#006100"),
    "warn": ("#FFEB9C", "#9C5700"),
    "bad": ("#FFC7CE", "#9C0006"),
}


def write_workbook(
    store: Store,
    config: Config,
    period: str | Period,
    path: str | Path,
    scorecard: str | None = None,
    by: str = "group",
    lang: str = "zh_CN",
) -> Path:
    """Write the monthly workbook for ``period`` to ``path`` and return the path.

    Args:
        store: an open store.
        config: the workspace config (center name, time zone, thresholds).
        period: a period as users type it (``2026-10``) or a parsed Period.
        path: the .xlsx file to write (replaced if it exists).
        scorecard: a template name or scorecard file; without one the workbook has the KPI
            sheets only (no ranking, pay or scorecard pages).
        by: ``group`` or ``team``: one sheet per value.
        lang: ``zh_CN`` (Chinese headers) or ``en``.
    """
    data = collect(store, config, period, scorecard=scorecard, by=by, lang=lang)
    return render_workbook(data, path)


def unit_of(key: str) -> str:
    if key.startswith("target_achievement"):
        return "rate"
    meta = info(key)
    return meta.unit if meta else ""


def excel_number(key: str, value: Any) -> Any:
    """A figure as the workbook stores it: seconds as a fraction of a day (Excel's time)."""
    if value is None or isinstance(value, list):
        return value
    return float(value) / SECONDS_PER_DAY if unit_of(key) == "seconds" else float(value)


def ratio_text(value: list[float]) -> str:
    return ":".join(f"{v:.2f}".rstrip("0").rstrip(".") for v in value)


class _Book:
    """The workbook being written, with its shared formats."""

    def __init__(self, data: ReportData, path: Path) -> None:
        self.data = data
        self.lang = data.lang
        self.book = xlsxwriter.Workbook(
            str(path),
            {
                # Never turn a string into a formula, URL or number behind our back.
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
                "default_date_format": "yyyy-mm-dd",
            },
        )
        font = "Microsoft YaHei" if data.zh else "Calibri"
        self.book.formats[0].set_font_name(font)
        self.book.set_properties(
            {
                "title": t("report.title", self.lang, center=data.center, period=data.period.label),
                "author": "cskpi",
                "comments": t("report.generated_by", self.lang),
            }
        )
        self._cache: dict[tuple[tuple[str, Any], ...], Format] = {}
        self.taken: set[str] = set()

    def fmt(self, **props: Any) -> Format:
        props.setdefault("font_name", self.book.formats[0].font_name)
        key = tuple(sorted(props.items()))
        if key not in self._cache:
            self._cache[key] = self.book.add_format(props)
        return self._cache[key]

    @property
    def header(self) -> Format:
        return self.fmt(bold=True, bg_color="#DDEBF7", border=1, text_wrap=True, valign="top")

    @property
    def title(self) -> Format:
        return self.fmt(bold=True, font_size=14)

    @property
    def data_text(self) -> Format:
        # Excel's "quote prefix": an edited cell stays text (see cskpi.reports.safe).
        return self.fmt(quote_prefix=True)

    def number_format(self, key: str, **extra: Any) -> Format:
        pattern = NUMBER_FORMATS.get(unit_of(key), "#,##0.00")
        return self.fmt(num_format=pattern, **extra)

    def t(self, key: str, **params: Any) -> str:
        return t(key, self.lang, **params)

    # -- cells -----------------------------------------------------------------------------
    def data_string(
        self, ws: Worksheet, row: int, col: int, value: Any, fmt: Format | None = None
    ) -> None:
        """Text that came from imported data: always a string, never a formula."""
        if value is None or value == "":
            ws.write_blank(row, col, None, fmt)
            return
        ws.write_string(row, col, neutralise(value), fmt or self.data_text)

    def figure(
        self, ws: Worksheet, row: int, col: int, key: str, value: Any, fmt: Format | None = None
    ) -> None:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            ws.write_blank(row, col, None, fmt)
        elif isinstance(value, list):
            ws.write_string(row, col, ratio_text(value), fmt)
        else:
            ws.write_number(row, col, excel_number(key, value), fmt or self.number_format(key))

    def plain_number(
        self, ws: Worksheet, row: int, col: int, value: Any, pattern: str = "#,##0.00"
    ) -> None:
        if value is None:
            ws.write_blank(row, col, None)
        else:
            ws.write_number(row, col, float(value), self.fmt(num_format=pattern))

    def headers(self, ws: Worksheet, row: int, col: int, labels: list[str]) -> None:
        for offset, label in enumerate(labels):
            ws.write_string(row, col + offset, label, self.header)

    def verdict_colours(
        self, ws: Worksheet, first: int, last: int, value_col: int, verdict_col: int
    ) -> None:
        """Native conditional formats: the value and verdict cells coloured by the verdict."""
        letter = xlsxwriter.utility.xl_col_to_name(verdict_col)
        for verdict, (fill, font) in VERDICT_COLOURS.items():
            label = self.t(f"report.verdict.{verdict}").replace('"', '""')
            style = self.book.add_format({"bg_color": fill, "font_color": font})
            for col in (value_col, verdict_col):
                ws.conditional_format(
                    first,
                    col,
                    last,
                    col,
                    {
                        "type": "formula",
                        "criteria": f'=${letter}{first + 1}="{label}"',
                        "format": style,
                    },
                )

    def print_setup(self, ws: Worksheet, header_row: int, landscape: bool = True) -> None:
        if landscape:
            ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(0, header_row)
        ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
        center = self.data.center.replace("&", "&&")
        ws.set_header(f"&L{center}&R{self.data.period.label}")
        ws.set_footer("&Ccskpi · &P / &N")

    def new_sheet(self, name: str) -> tuple[Worksheet, str]:
        unique = sheet_name(name, self.taken)
        return self.book.add_worksheet(unique), unique


def render_workbook(data: ReportData, path: str | Path) -> Path:
    """Write a workbook from already collected report data."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    book = _Book(data, path)
    # Names first: the overview charts point at the data sheets written last.
    overview_name = book.t("report.sheet.overview")
    book.taken.add(overview_name)
    data_sheets = _data_sheet_names(book)
    ws_overview = book.book.add_worksheet(overview_name)
    if data.scorecard is not None:
        _ranking_sheet(book)
    for unit in data.units:
        _unit_sheet(book, unit)
    for agent_id in data.report_agents:
        _agent_sheet(book, agent_id)
    for key, name in data_sheets.items():
        _data_sheet(book, key, name)
    _overview_sheet(book, ws_overview, data_sheets)
    book.book.close()
    return path


# --- overview -------------------------------------------------------------------------------


def _kpi_row_labels(book: _Book) -> list[str]:
    return [
        book.t(f"report.col.{k}")
        for k in (
            "metric",
            "key",
            "category",
            "value",
            "industry",
            "recommended_min",
            "recommended_max",
            "verdict",
        )
    ]


def _overview_sheet(book: _Book, ws: Worksheet, data_sheets: dict[str, str]) -> None:
    data = book.data
    ws.write_string(
        0, 0, book.t("report.title", center=data.center, period=data.period.label), book.title
    )
    subtitle = book.t(
        "report.subtitle",
        start=data.period.start.isoformat(),
        end=data.period.end.isoformat(),
        generated=f"{data.generated_at:%Y-%m-%d %H:%M} UTC",
    )
    if data.scorecard is not None:
        subtitle += " · " + book.t(
            "report.scorecard_line", name=data.scorecard.name, title=data.text(data.scorecard.title)
        )
    ws.write_string(1, 0, subtitle)
    top = 3
    book.headers(ws, top, 0, _kpi_row_labels(book))
    row = top + 1
    for key in data.metrics:
        meta = info(key)
        value = data.center_kpis.get(key)
        ws.write_string(row, 0, data.label(key))
        ws.write_string(row, 1, key)
        ws.write_string(row, 2, book.t(f"report.category.{meta.category}") if meta else "")
        book.figure(ws, row, 3, key, value)
        if meta is not None:
            book.figure(ws, row, 4, key, meta.industry)
            book.figure(ws, row, 5, key, meta.recommended_min)
            book.figure(ws, row, 6, key, meta.recommended_max)
        verdict = judge(key, value)
        ws.write_string(row, 7, book.t(f"report.verdict.{verdict}") if verdict else "")
        row += 1
    last = row - 1
    book.verdict_colours(ws, top + 1, last, 3, 7)
    ws.freeze_panes(top + 1, 1)
    ws.autofilter(top, 0, last, 7)
    ws.set_column(0, 0, 26)
    ws.set_column(1, 1, 24)
    ws.set_column(2, 2, 10)
    ws.set_column(3, 6, 12)
    ws.set_column(7, 7, 12)
    ws.write_string(last + 2, 0, book.t("report.legend"))
    book.print_setup(ws, top)
    _overview_charts(book, ws, data_sheets, top)


def _overview_charts(book: _Book, ws: Worksheet, data_sheets: dict[str, str], top: int) -> None:
    days = len(book.data.period.days)
    anchor = top
    for group in (
        ("sessions",),
        ("first_response_time", "avg_response_time"),
        ("satisfaction_score",),
        ("reply_rate", "connection_rate"),
    ):
        present = [k for k in group if k in data_sheets]
        if not present:
            continue
        chart = book.book.add_chart({"type": "line"})
        for key in present:
            chart.add_series(
                {
                    "name": book.data.label(key),
                    "categories": [data_sheets[key], 1, 0, days, 0],
                    "values": [data_sheets[key], 1, 1, days, 1],
                    "marker": {"type": "circle", "size": 3},
                }
            )
        title = " / ".join(book.data.label(k) for k in present)
        chart.set_title(
            {"name": book.t("report.chart.daily", metric=title), "name_font": {"size": 11}}
        )
        chart.set_x_axis({"date_axis": True, "num_format": "mm-dd", "num_font": {"rotation": -45}})
        chart.set_y_axis({"num_format": NUMBER_FORMATS.get(unit_of(present[0]), "General")})
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": 620, "height": 280})
        ws.insert_chart(anchor, 9, chart)
        anchor += 15
    if "sessions" in book.data.unit_kpis.get(next(iter(book.data.unit_kpis), ""), {}):
        chart = book.book.add_chart({"type": "column"})
        sheet = book.t("report.sheet.overview")
        # The units' sessions are written to hidden helper cells beside the charts.
        col = 20
        ws.write_string(top, col, book.t(f"report.dim.{book.data.by}"), book.header)
        ws.write_string(top, col + 1, book.data.label("sessions"), book.header)
        for i, unit in enumerate(book.data.units, start=1):
            book.data_string(ws, top + i, col, unit)
            book.figure(ws, top + i, col + 1, "sessions", book.data.unit_kpis[unit].get("sessions"))
        n = len(book.data.units)
        chart.add_series(
            {
                "name": book.data.label("sessions"),
                "categories": [sheet, top + 1, col, top + n, col],
                "values": [sheet, top + 1, col + 1, top + n, col + 1],
            }
        )
        chart.set_title(
            {
                "name": book.t(
                    "report.chart.by_unit",
                    dim=book.t(f"report.dim.{book.data.by}"),
                    metric=book.data.label("sessions"),
                ),
                "name_font": {"size": 11},
            }
        )
        chart.set_legend({"none": True})
        chart.set_size({"width": 620, "height": 280})
        ws.insert_chart(anchor, 9, chart)


# --- ranking and pay ------------------------------------------------------------------------


def _ranking_sheet(book: _Book) -> None:
    data = book.data
    ws, _ = book.new_sheet(book.t("report.sheet.ranking"))
    card = data.scorecard
    assert card is not None
    ws.write_string(
        0,
        0,
        book.t(
            "report.ranking_title",
            period=data.period.label,
            title=data.text(card.title),
            name=card.name,
        ),
        book.title,
    )
    pay_keys = data.pay_keys
    columns = [
        "rank",
        "agent_id",
        "name",
        "group",
        "team",
        "base",
        "bonus",
        "total",
        "grade",
        "grade_label",
        "coefficient",
    ]
    labels = [book.t(f"report.col.{c}") for c in columns]
    labels += [_pay_label(book, k) for k in pay_keys]
    labels.append(book.t("report.col.warnings"))
    top = 2
    book.headers(ws, top, 0, labels)
    row = top + 1
    for result in data.ranked:
        agent = data.agents.get(result.agent_id, {})
        book.plain_number(ws, row, 0, result.rank, "0")
        book.data_string(ws, row, 1, result.agent_id)
        book.data_string(ws, row, 2, agent.get("name"))
        book.data_string(ws, row, 3, agent.get("group"))
        book.data_string(ws, row, 4, agent.get("team"))
        book.plain_number(ws, row, 5, round(result.base, 2))
        book.plain_number(ws, row, 6, round(result.bonus, 2))
        book.plain_number(ws, row, 7, round(result.total, 2))
        ws.write_string(row, 8, result.grade or "")
        ws.write_string(row, 9, data.grade_label(result.grade))
        book.plain_number(ws, row, 10, result.coefficient, "0.00")
        for offset, key in enumerate(pay_keys):
            amount = (result.pay or {}).get(key)
            book.plain_number(ws, row, 11 + offset, None if amount is None else round(amount, 2))
        ws.write_string(
            row, 11 + len(pay_keys), "; ".join(data.text(w.message) for w in result.warnings)
        )
        row += 1
    last = row - 1
    if pay_keys and last > top:
        # Totals the filter respects: SUBTOTAL(109) sums visible rows only.
        ws.write_string(row, 0, book.t("report.col.sum"), book.fmt(bold=True))
        bold_money = book.fmt(bold=True, num_format="#,##0.00", top=1)
        for offset, key in enumerate(pay_keys):
            col = 11 + offset
            total = sum(round((r.pay or {}).get(key) or 0.0, 2) for r in data.results)
            cells = xlsxwriter.utility.xl_range(top + 1, col, last, col)
            ws.write_formula(row, col, f"=SUBTOTAL(109,{cells})", bold_money, round(total, 2))
    ws.freeze_panes(top + 1, 3)
    ws.autofilter(top, 0, max(last, top), len(labels) - 1)
    ws.set_column(0, 0, 6)
    ws.set_column(1, 4, 11)
    ws.set_column(5, 10 + len(pay_keys), 10)
    ws.set_column(11 + len(pay_keys), 11 + len(pay_keys), 40)
    book.print_setup(ws, top)


def _pay_label(book: _Book, key: str) -> str:
    label = book.t(f"report.pay.{key}")
    return key if label == f"report.pay.{key}" else label


# --- one sheet per group or team ------------------------------------------------------------


def _unit_sheet(book: _Book, unit: str) -> None:
    data = book.data
    ws, _ = book.new_sheet(unit)
    dim = book.t(f"report.dim.{data.by}")
    ws.write_string(
        0, 0, book.t("report.unit_title", dim=dim, period=data.period.label), book.title
    )
    book.data_string(ws, 1, 0, unit, book.fmt(bold=True, quote_prefix=True))
    top = 3
    labels = [
        book.t(f"report.col.{k}")
        for k in ("metric", "unit_value", "center_value", "industry", "verdict")
    ]
    book.headers(ws, top, 0, labels)
    kpis = data.unit_kpis[unit]
    row = top + 1
    for key in data.metrics:
        meta = info(key)
        value = kpis.get(key)
        ws.write_string(row, 0, data.label(key))
        book.figure(ws, row, 1, key, value)
        book.figure(ws, row, 2, key, data.center_kpis.get(key))
        book.figure(ws, row, 3, key, meta.industry if meta else None)
        verdict = judge(key, value)
        ws.write_string(row, 4, book.t(f"report.verdict.{verdict}") if verdict else "")
        row += 1
    book.verdict_colours(ws, top + 1, row - 1, 1, 4)
    # Agents of the unit, side by side with the unit's figures.
    left = 6
    scored = {r.agent_id: r for r in data.results}
    agent_labels = [book.t("report.col.agent_id"), book.t("report.col.name")]
    agent_labels += [data.label(k) for k in AGENT_COLUMNS]
    if scored:
        agent_labels += [
            book.t("report.col.total"),
            book.t("report.col.grade"),
            book.t("report.col.rank"),
        ]
    book.headers(ws, top, left, agent_labels)
    members = data.agents_of(unit)
    for i, agent_id in enumerate(members, start=1):
        r = top + i
        book.data_string(ws, r, left, agent_id)
        book.data_string(ws, r, left + 1, data.agents.get(agent_id, {}).get("name"))
        for j, key in enumerate(AGENT_COLUMNS):
            book.figure(ws, r, left + 2 + j, key, data.agent_kpis[agent_id].get(key))
        if scored and agent_id in scored:
            result = scored[agent_id]
            c = left + 2 + len(AGENT_COLUMNS)
            book.plain_number(ws, r, c, round(result.total, 2))
            ws.write_string(r, c + 1, result.grade or "")
            book.plain_number(ws, r, c + 2, result.rank, "0")
    ws.freeze_panes(top + 1, 1)
    ws.autofilter(top, left, top + max(len(members), 1), left + len(agent_labels) - 1)
    ws.set_column(0, 0, 26)
    ws.set_column(1, 4, 12)
    ws.set_column(5, 5, 2)
    ws.set_column(left, left + len(agent_labels) - 1, 11)
    book.print_setup(ws, top)


# --- one sheet per agent --------------------------------------------------------------------


def _agent_sheet(book: _Book, agent_id: str) -> None:
    data = book.data
    agent = data.agents.get(agent_id, {})
    name = agent.get("name")
    ws, _ = book.new_sheet(f"{agent_id} {name}" if name else agent_id)
    bold = book.fmt(bold=True)
    ws.write_string(0, 0, book.t("report.agent_title", period=data.period.label), book.title)
    book.data_string(ws, 0, 3, agent_id, book.fmt(bold=True, font_size=14, quote_prefix=True))
    book.data_string(ws, 0, 4, name, book.fmt(bold=True, font_size=14, quote_prefix=True))
    row = 1
    for i, field in enumerate(("group", "team", "role", "level")):
        ws.write_string(row, 2 * i, book.t(f"report.col.{field}"), bold)
        book.data_string(ws, row, 2 * i + 1, agent.get(field))
    row = 3
    result = next((r for r in data.results if r.agent_id == agent_id), None)
    if result is not None:
        assert data.scorecard is not None
        summary = [
            ("base", round(result.base, 2)),
            ("bonus", round(result.bonus, 2)),
            ("total", round(result.total, 2)),
            ("grade", result.grade),
            ("coefficient", result.coefficient),
            ("pay", (result.pay or {}).get("total")),
            ("rank", result.rank),
        ]
        book.headers(ws, row, 0, [book.t(f"report.col.{k}") for k, _ in summary])
        for col, (key, value) in enumerate(summary):
            if key == "grade":
                text = f"{value} {data.grade_label(value)}".strip() if value else ""
                ws.write_string(row + 1, col, text)
            elif value is None:
                ws.write_blank(row + 1, col, None)
            else:
                pattern = "0" if key == "rank" else "#,##0.00"
                book.plain_number(ws, row + 1, col, round(float(value), 2), pattern)
        row += 3
        ws.write_string(
            row,
            0,
            book.t(
                "report.items_title",
                name=data.scorecard.name,
                title=data.text(data.scorecard.title),
            ),
            bold,
        )
        row += 1
        item_top = row
        book.headers(
            ws,
            row,
            0,
            [
                book.t(f"report.col.{k}")
                for k in ("item", "metric", "raw", "rule", "score", "weight", "points", "missing")
            ],
        )
        row += 1
        for kind, items in (("item", result.items), ("bonus_item", result.bonus_items)):
            for item in items:
                label = data.text(item.label)
                if kind == "bonus_item":
                    label = book.t("report.bonus_prefix", label=label)
                ws.write_string(row, 0, label)
                ws.write_string(row, 1, data.label(item.metric) if item.metric else "")
                if item.metric:
                    book.figure(ws, row, 2, item.metric, item.value)
                else:
                    book.plain_number(ws, row, 2, item.value, "#,##0.##")
                ws.write_string(row, 3, data.text(item.rule), book.fmt(text_wrap=True))
                book.plain_number(ws, row, 4, item.score)
                book.plain_number(ws, row, 5, item.weight, "0.##")
                book.plain_number(ws, row, 6, item.points)
                ws.write_string(row, 7, "✗" if item.missing else "")
                row += 1
        ws.write_string(row, 0, book.t("report.col.base_total"), bold)
        book.plain_number(ws, row, 6, round(result.base, 2))
        row += 1
        for warning in result.warnings:
            ws.write_string(row, 0, book.t("report.warning"), bold)
            ws.write_string(row, 1, data.text(warning.message))
            row += 1
        row += 1
        ws.write_string(row, 0, book.t("report.manual_title"), bold)
        row += 1
        book.headers(
            ws,
            row,
            0,
            [
                book.t(f"report.col.{k}")
                for k in ("date", "kind", "count", "adj_points", "reason", "entered_by")
            ],
        )
        row += 1
        entries = data.adjustments.get(agent_id, [])
        for entry in entries:
            if isinstance(entry["date"], date | datetime):
                ws.write_datetime(row, 0, entry["date"], book.fmt(num_format="yyyy-mm-dd"))
            else:
                book.data_string(ws, row, 0, entry["date"])
            book.data_string(ws, row, 1, entry["kind"])
            book.plain_number(ws, row, 2, entry["count"], "#,##0.##")
            book.plain_number(ws, row, 3, entry["points"], "#,##0.##")
            book.data_string(ws, row, 4, entry["reason"])
            book.data_string(ws, row, 5, entry["entered_by"])
            row += 1
        if not entries:
            ws.write_string(row, 0, book.t("report.no_manual"))
            row += 1
        row += 1
        freeze = item_top + 1
    else:
        freeze = row
    # The agent's figures against the center's.
    ws.write_string(row, 0, book.t("report.agent_kpis"), bold)
    row += 1
    book.headers(
        ws,
        row,
        0,
        [
            book.t(f"report.col.{k}")
            for k in ("metric", "agent_value", "center_value", "industry", "verdict")
        ],
    )
    first = row + 1
    kpis = data.agent_kpis.get(agent_id, {})
    for key in data.metrics:
        if key.startswith("target_achievement") and kpis.get(key) is None:
            continue
        row += 1
        meta = info(key)
        value = kpis.get(key)
        ws.write_string(row, 0, data.label(key))
        book.figure(ws, row, 1, key, value)
        book.figure(ws, row, 2, key, data.center_kpis.get(key))
        book.figure(ws, row, 3, key, meta.industry if meta else None)
        verdict = judge(key, value)
        ws.write_string(row, 4, book.t(f"report.verdict.{verdict}") if verdict else "")
    book.verdict_colours(ws, first, row, 1, 4)
    ws.freeze_panes(freeze, 0)
    ws.set_column(0, 0, 24)
    ws.set_column(1, 2, 14)
    ws.set_column(3, 3, 46)
    ws.set_column(4, 7, 10)
    book.print_setup(ws, 0, landscape=False)


# --- data sheets: one per metric, by day ----------------------------------------------------


def _data_sheet_names(book: _Book) -> dict[str, str]:
    """Metric → data sheet name, for the metrics with at least one daily figure."""
    names = {}
    for key in book.data.metrics:
        if key.startswith("target_achievement"):
            continue
        if all(value is None for value in book.data.series(key).values()):
            continue
        names[key] = sheet_name(
            book.t("report.sheet.data", metric=book.data.label(key)), book.taken
        )
    return names


def _data_sheet(book: _Book, key: str, name: str) -> None:
    data = book.data
    ws = book.book.add_worksheet(name)
    units = data.units
    labels = [book.t("report.col.date"), book.t("report.col.center")]
    book.headers(ws, 0, 0, labels)
    for i, unit in enumerate(units):
        book.data_string(
            ws,
            0,
            2 + i,
            unit,
            book.fmt(
                bold=True,
                bg_color="#DDEBF7",
                border=1,
                text_wrap=True,
                valign="top",
                quote_prefix=True,
            ),
        )
    by_unit = data.unit_series(key)
    date_format = book.fmt(num_format="yyyy-mm-dd")
    fmt = book.number_format(key)
    values = data.series(key)
    for row, day in enumerate(data.period.days, start=1):
        ws.write_datetime(row, 0, datetime.combine(day, datetime.min.time()), date_format)
        label = day.isoformat()
        book.figure(ws, row, 1, key, values.get(label), fmt)
        for i, unit in enumerate(units):
            book.figure(ws, row, 2 + i, key, by_unit.get((unit, label)), fmt)
    last = len(data.period.days)
    ws.write_string(last + 2, 0, data.label(key) + f" ({key})")
    ws.freeze_panes(1, 1)
    ws.autofilter(0, 0, last, 1 + len(units))
    ws.set_column(0, 0, 12)
    ws.set_column(1, 1 + len(units), 12)
    book.print_setup(ws, 0, landscape=False)
