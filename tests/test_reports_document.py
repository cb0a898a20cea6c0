"""The monthly report as HTML and PDF: its text and figures, hostile text kept inert, and the
first pages rendered to PNG (artifacts/report-pages/) for people to look at."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pypdf
import pytest

from cskpi.config import load_config
from cskpi.metrics.catalog import format_value
from cskpi.reports import ReportData, collect, save_html, save_pdf
from cskpi.reports.document import render_html
from cskpi.store.base import Store, open_store
from reports_month import MONTH, SCORECARD, build

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts" / "report-pages"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, str]]:
    db = build(tmp_path_factory.mktemp("month"))
    opened = open_store(db)
    yield opened, db
    opened.close()


@pytest.fixture(scope="module")
def data(store: tuple[Store, str]) -> ReportData:
    opened, db = store
    return collect(opened, load_config(db), MONTH, scorecard=SCORECARD, by="group")


@pytest.fixture(scope="module")
def pdf(data: ReportData, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_pdf(data, tmp_path_factory.mktemp("pdf") / "report.pdf")


def test_html_is_self_contained_and_escapes_data(data: ReportData, tmp_path: Path) -> None:
    path = save_html(data, tmp_path / "report.html")
    html = path.read_text("utf-8")
    assert "<script" not in html.lower()
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert '<img src=x onerror="alert(1)">' not in html
    assert "&lt;img src=x onerror=" in html
    assert html.count("<svg") >= 6  # four trends, the histogram, the units


def test_html_shows_findings_with_seed_actions(data: ReportData) -> None:
    html = render_html(data)
    assert data.findings, "the generated month has figures outside their range"
    finding = data.findings[0]
    assert finding.actions[0] in html
    assert "未达规范的指标与建议管理措施" in html


def test_pdf_pages_text_and_figures(pdf: Path, data: ReportData) -> None:
    reader = pypdf.PdfReader(pdf)
    assert len(reader.pages) >= 1 + len(data.results)  # a page per agent at least
    first = reader.pages[0].extract_text()
    assert "月度绩效报告" in first
    assert MONTH in first
    sessions = format_value("sessions", data.center_kpis["sessions"])
    assert sessions in first
    text = "\n".join(page.extract_text() for page in reader.pages)
    for result in data.results:
        assert result.agent_id in text
        assert f"{result.total:.2f}" in text
    assert "规范" in text and "排名与绩效工资" in text


def test_pdf_embeds_a_cjk_font(pdf: Path) -> None:
    if (
        shutil.which("fc-list") is None
        or "Noto Sans CJK" not in subprocess.run(["fc-list"], capture_output=True, text=True).stdout
    ):
        pytest.skip("fonts-noto-cjk is not installed; .ci/run installs it")
    page = pypdf.PdfReader(pdf).pages[0]
    fonts = {str(f.get_object()["/BaseFont"]) for f in page["/Resources"]["/Font"].values()}
    assert any("Noto-Sans-CJK-SC" in name for name in fonts), fonts


def test_pdf_first_pages_render_to_png(pdf: Path) -> None:
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed; .ci/run installs it")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("page-*.png"):
        old.unlink()
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "4", str(pdf), str(ARTIFACTS / "page")],
        check=True,
    )
    pages = sorted(ARTIFACTS.glob("page-*.png"))
    assert len(pages) == 4
    assert all(p.stat().st_size > 10_000 for p in pages)


def test_english_report(store: tuple[Store, str], tmp_path: Path) -> None:
    opened, db = store
    data = collect(opened, load_config(db), MONTH, by="team", lang="en")
    html = render_html(data)
    assert "monthly performance report" in html
    assert "Daily trends" in html
    assert "Ranking and pay" not in html  # no scorecard, no ranking
    assert "Norms not met and recommended management actions" in html
    assert "Easemob University" in html
