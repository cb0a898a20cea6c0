"""The Excel workbook: opened with openpyxl, its figures checked against the KPI and scoring
engines, and hostile text from imported data checked to stay inert."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest

from cskpi.config import load_config
from cskpi.metrics.catalog import info
from cskpi.metrics.engine import compute
from cskpi.reports import collect, render_workbook
from cskpi.reports.safe import neutralise, sheet_name
from cskpi.scoring import load_scorecard, score
from cskpi.scoring.store_inputs import StoreInputs
from cskpi.store.base import Store, open_store
from reports_month import MONTH, SCORECARD, build, hostile_texts


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    return build(tmp_path_factory.mktemp("month"))


@pytest.fixture(scope="module")
def store(db: str) -> Iterator[Store]:
    opened = open_store(db)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def books(store: Store, db: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The same month in Chinese (by team, with the scorecard) and English (by group)."""
    folder = tmp_path_factory.mktemp("books")
    config = load_config(db)
    zh = collect(store, config, MONTH, scorecard=SCORECARD, by="team", lang="zh_CN")
    en = collect(store, config, MONTH, scorecard=SCORECARD, by="group", lang="en")
    return {
        "zh": render_workbook(zh, folder / "zh.xlsx"),
        "en": render_workbook(en, folder / "en.xlsx"),
    }


@pytest.fixture(scope="module")
def zh(books: dict[str, Path]) -> openpyxl.Workbook:
    return openpyxl.load_workbook(books["zh"])


@pytest.fixture(scope="module")
def zh_values(books: dict[str, Path]) -> openpyxl.Workbook:
    return openpyxl.load_workbook(books["zh"], data_only=True)


@pytest.fixture(scope="module")
def en(books: dict[str, Path]) -> openpyxl.Workbook:
    return openpyxl.load_workbook(books["en"])


@pytest.fixture(scope="module")
def results(store: Store, db: str) -> list:
    card = load_scorecard(SCORECARD)
    return score(card, StoreInputs(store, load_config(db), card.name), MONTH)


def seconds(value: object) -> float:
    """A [m]:ss cell as seconds (openpyxl reads duration formats as timedelta)."""
    if isinstance(value, timedelta):
        return value.total_seconds()
    return float(value) * 86400  # type: ignore[arg-type]


def rows_by_key(ws, key_col: int, first: int) -> dict[str, tuple]:
    return {
        row[key_col - 1].value: row for row in ws.iter_rows(min_row=first) if row[key_col - 1].value
    }


def test_sheets_in_order(zh: openpyxl.Workbook, results: list) -> None:
    names = zh.sheetnames
    assert names[0] == "概览"
    assert names[1] == "排名与绩效工资"
    assert "售前一组" in names
    assert any(n.startswith("@SUM(B2)") for n in names)  # a team named by hostile data
    agent_sheets = [n for n in names if n[:1] == "A" and n[1:5].isdigit()]
    assert len(agent_sheets) == len(results) == 12
    assert "日数据-接待量" in names and "日数据-首次响应时间" in names


def test_headers_in_chinese_and_english(zh: openpyxl.Workbook, en: openpyxl.Workbook) -> None:
    assert [c.value for c in zh["概览"][4]][:4] == ["指标", "指标键", "类别", "本期数值"]
    assert [c.value for c in en["Overview"][4]][:4] == ["Metric", "Key", "Category", "Value"]
    assert en.sheetnames[1] == "Ranking and pay"
    assert [c.value for c in en["Ranking and pay"][3]][:3] == ["Rank", "Agent", "Name"]
    assert "Daily-Sessions handled" in en.sheetnames


def test_frozen_panes_filters_and_print_setup(zh: openpyxl.Workbook) -> None:
    overview = zh["概览"]
    assert overview.freeze_panes == "B5"
    assert overview.auto_filter.ref.startswith("A4:H")
    assert overview.page_setup.orientation == "landscape"
    assert overview.page_setup.paperSize == 9
    assert overview.print_title_rows == "$1:$4"
    ranking = zh["排名与绩效工资"]
    assert ranking.freeze_panes == "D4"
    assert ranking.auto_filter.ref.startswith("A3:")
    data = zh["日数据-接待量"]
    assert data.freeze_panes == "B2"
    assert data.auto_filter.ref == f"A1:{data.cell(1, data.max_column).column_letter}32"


def test_overview_figures_equal_the_engine(zh: openpyxl.Workbook, store: Store, db: str) -> None:
    center = compute(store, load_config(db), by=[], period=MONTH).iloc[0].to_dict()
    rows = rows_by_key(zh["概览"], 2, 5)
    checked = 0
    for key, value in center.items():
        if key == "period" or isinstance(value, list):
            continue
        cell = rows[key][3]
        if value is None or (isinstance(value, float) and math.isnan(value)):
            assert cell.value is None, key
            continue
        unit = "rate" if key.startswith("target_achievement") else info(key).unit
        shown = seconds(cell.value) if unit == "seconds" else cell.value
        # Durations come back from openpyxl rounded to the millisecond.
        assert shown == pytest.approx(float(value), rel=1e-9, abs=1e-3), key
        checked += 1
    assert checked > 40
    assert rows["first_response_time"][3].number_format == "[m]:ss"
    assert rows["reply_rate"][3].number_format == "0.0%"
    assert rows["sessions"][3].number_format == "#,##0"
    assert rows["sales_amount"][3].number_format == "#,##0.00"
    assert rows["message_ratio"][3].value.count(":") == 2


def test_overview_has_native_charts_and_colours(zh: openpyxl.Workbook) -> None:
    overview = zh["概览"]
    assert len(overview._charts) >= 4
    rules = overview.conditional_formatting
    assert sum(len(r.rules) for r in rules) >= 6


def test_ranking_and_pay_equal_score_output(
    zh: openpyxl.Workbook, zh_values: openpyxl.Workbook, results: list
) -> None:
    ws = zh_values["排名与绩效工资"]
    header = [c.value for c in ws[3]]
    rows = rows_by_key(ws, 2, 4)
    total_col = header.index("总分")
    pay_col = header.index("绩效工资合计")
    for result in results:
        row = rows[result.agent_id]
        assert row[0].value == result.rank
        assert row[total_col].value == pytest.approx(round(result.total, 2))
        assert row[header.index("等级")].value == result.grade
        assert row[header.index("系数")].value == pytest.approx(result.coefficient)
        assert row[pay_col].value == pytest.approx(round(result.pay["total"], 2))
    sum_row = (
        rows["合计"]
        if "合计" in rows
        else next(r for r in ws.iter_rows(min_row=4) if r[0].value == "合计")
    )
    expected = round(sum(round(r.pay["total"], 2) for r in results), 2)
    assert sum_row[pay_col].value == pytest.approx(expected)  # the cached SUBTOTAL
    formula = zh["排名与绩效工资"].cell(sum_row[pay_col].row, pay_col + 1).value
    assert formula.startswith("=SUBTOTAL(109,")


def test_agent_sheet_explains_every_item(
    zh: openpyxl.Workbook, results: list, store: Store
) -> None:
    result = next(r for r in results if r.agent_id == "A0009")
    ws = next(zh[n] for n in zh.sheetnames if n.startswith("A0009"))
    cells = [[c.value for c in row] for row in ws.iter_rows()]
    header = next(
        i for i, r in enumerate(cells) if r[:4] == ["考核项目", "指标", "原始数值", "适用规则"]
    )
    items = cells[header + 1 : header + 1 + len(result.items)]
    for item, row in zip(result.items, items, strict=True):
        assert row[0] == item.label.zh
        assert row[3] == item.rule.zh
        assert row[6] == pytest.approx(item.points)
        assert row[5] == pytest.approx(item.weight)
    manual = next(i for i, r in enumerate(cells) if r[0] and str(r[0]).startswith("人工录入项"))
    assert cells[manual + 1][:6] == ["日期", "类型", "次数", "分值", "原因", "录入人"]
    stored = store.fetchall(
        "SELECT reason, entered_by FROM adjustments WHERE agent_id = 'A0009' "
        "AND date >= DATE '2026-10-01' AND date <= DATE '2026-10-31'"
    )
    shown = {(r[4], r[5]) for r in cells[manual + 2 : manual + 2 + len(stored)]}
    assert shown == {(neutralise(a), neutralise(b)) for a, b in stored}


def test_group_sheet_figures_equal_the_engine(en: openpyxl.Workbook, store: Store, db: str) -> None:
    groups = compute(store, load_config(db), by=["group"], period=MONTH)
    for record in groups.to_dict(orient="records"):
        ws = en[record["group"]]
        rows = {r[0].value: r for r in ws.iter_rows(min_row=5) if r[0].value}
        assert rows["Sessions handled"][1].value == record["sessions"]
        assert rows["Reply rate"][1].value == pytest.approx(record["reply_rate"])


def test_daily_data_sheet_equals_the_engine(zh: openpyxl.Workbook, store: Store, db: str) -> None:
    daily = compute(
        store,
        load_config(db),
        by=[],
        period=MONTH,
        grain="day",
        metrics=["sessions", "first_response_time"],
    )
    sessions = zh["日数据-接待量"]
    frt = zh["日数据-首次响应时间"]
    for i, record in enumerate(daily.to_dict(orient="records"), start=2):
        assert sessions.cell(i, 1).value.date().isoformat() == record["period"]
        assert sessions.cell(i, 2).value == record["sessions"]
        assert seconds(frt.cell(i, 2).value) == pytest.approx(
            record["first_response_time"], abs=1e-3
        )
    assert (
        sum(sessions.cell(i, 2).value for i in range(2, 33))
        == compute(store, load_config(db), by=[], period=MONTH, metrics=["sessions"])["sessions"][0]
    )


def test_no_formula_comes_from_data(books: dict[str, Path]) -> None:
    """Every formula in the workbook is one of our own totals; hostile text is neutralised."""
    hostile = [h for h in hostile_texts() if h[:1] in "=+-@\t\r"]
    for path in books.values():
        book = openpyxl.load_workbook(path)
        found: set[str] = set()
        for ws in book.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if cell.data_type == "f":
                        assert str(cell.value).startswith("=SUBTOTAL(109,"), (ws.title, cell)
                        continue
                    if not isinstance(cell.value, str):
                        continue
                    # openpyxl leaves Excel's escape of a carriage return undecoded.
                    value = cell.value.replace("_x000D_", "\r")
                    assert value not in hostile, (ws.title, cell.coordinate, value)
                    if value.startswith("'"):
                        found.add(value[1:])
                        assert cell.quotePrefix, (ws.title, cell.coordinate)
        assert set(hostile) <= found


def test_neutralise_and_sheet_names() -> None:
    for text in ("=1+1", "+1", "-1", "@A1", "\t=1", "\r=1"):
        assert neutralise(text) == "'" + text
    assert neutralise("售前一组") == "售前一组"
    assert neutralise(None) == ""
    taken: set[str] = set()
    assert sheet_name("a/b:c*d?[e]", taken) == "a_b_c_d__e_"
    assert sheet_name("A" * 40, taken) == "A" * 31
    assert sheet_name("a" * 40, taken) == "a" * 29 + "~2"
    assert sheet_name("'quoted'", taken) == "quoted"
