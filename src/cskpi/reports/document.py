"""The monthly report as a document: HTML (Jinja2, inline SVG charts) and PDF (WeasyPrint).

The PDF is the HTML rendered by WeasyPrint with a URL fetcher that refuses every URL: the
report is self-contained (inline CSS and SVG, no JavaScript), so nothing is fetched from the
network even if imported text carries a link. Chinese text needs a CJK font on the machine:
`fonts-noto-cjk` (Debian), installed by `.ci/run`; see docs/reports.md.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from cskpi.config import Config
from cskpi.i18n import t
from cskpi.metrics.catalog import format_value, info, judge
from cskpi.metrics.periods import Period
from cskpi.reports import charts
from cskpi.reports.data import AGENT_COLUMNS, BUCKET_SECONDS, BUCKETS, ReportData, collect
from cskpi.store.base import Store

# Headline cards at the top of the report.
HEADLINE = (
    "sessions",
    "first_response_time",
    "avg_response_time",
    "reply_rate",
    "satisfaction_score",
    "connection_rate",
    "fcr_rate",
    "sales_amount",
)
TRENDS = (
    ("sessions",),
    ("first_response_time", "avg_response_time"),
    ("satisfaction_score",),
    ("reply_rate", "connection_rate"),
)


def write_html(
    store: Store,
    config: Config,
    period: str | Period,
    path: str | Path,
    scorecard: str | None = None,
    by: str = "group",
    lang: str = "zh_CN",
) -> Path:
    """Write the monthly report as one self-contained HTML file (same arguments as
    :func:`cskpi.reports.workbook.write_workbook`)."""
    data = collect(store, config, period, scorecard=scorecard, by=by, lang=lang)
    return save_html(data, path)


def write_pdf(
    store: Store,
    config: Config,
    period: str | Period,
    path: str | Path,
    scorecard: str | None = None,
    by: str = "group",
    lang: str = "zh_CN",
) -> Path:
    """Write the monthly report as a PDF (the HTML report rendered by WeasyPrint)."""
    data = collect(store, config, period, scorecard=scorecard, by=by, lang=lang)
    return save_pdf(data, path)


def save_html(data: ReportData, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(data), "utf-8")
    return path


def save_pdf(data: ReportData, path: str | Path) -> Path:
    import weasyprint

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    document = weasyprint.HTML(
        string=render_html(data, for_print=True), base_url=None, url_fetcher=_no_fetch
    )
    document.write_pdf(str(path))
    return path


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """Refuse every URL: the report is self-contained, and data must never reach out."""
    raise ValueError(f"cskpi reports fetch nothing: {url[:80]}")


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("cskpi.reports", "templates"),
        autoescape=True,
        extensions=["jinja2.ext.do"],
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    return env


def render_html(data: ReportData, for_print: bool = False) -> str:
    """The report's HTML (every text from data escaped by Jinja2's autoescape)."""
    env = _environment()
    css = env.loader.get_source(env, "report.css")[0]  # type: ignore[union-attr]
    return env.get_template("report.html").render(
        d=data,
        css=css,
        for_print=for_print,
        charts=_charts(data),
        headline=[k for k in HEADLINE if k in data.metrics],
        agent_columns=[k for k in AGENT_COLUMNS if k in data.metrics],
        categories=_categories(data),
        lang_attr="en" if data.lang == "en" else "zh-CN",
        sep=": " if data.lang == "en" else "：",
        T=lambda key, **params: t(key, data.lang, **params),
        fv=_format,
        verdict=judge,
        rng=_range,
        pay_label=lambda k: _pay_label(k, data.lang),
        number=_number,
        meta=info,
    )


def _format(key: str | None, value: Any) -> str:
    if key is None:
        return _number(value)
    return format_value(key, value)


def _number(value: Any, digits: int = 2) -> str:
    if value is None:
        return "—"
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.{digits}f}"


def _range(key: str) -> str:
    meta = info(key)
    if meta is None or (meta.recommended_min is None and meta.recommended_max is None):
        return ""
    low = None if meta.recommended_min is None else format_value(key, meta.recommended_min)
    high = None if meta.recommended_max is None else format_value(key, meta.recommended_max)
    if low is None:
        return f"≤ {high}"
    if high is None:
        return f"≥ {low}"
    return f"{low}–{high}"


def _pay_label(key: str, lang: str) -> str:
    label = t(f"report.pay.{key}", lang)
    return key if label == f"report.pay.{key}" else label


def _categories(data: ReportData) -> list[tuple[str, list[str]]]:
    groups: dict[str, list[str]] = {}
    for key in data.metrics:
        meta = info(key)
        groups.setdefault(meta.category if meta else "other", []).append(key)
    return list(groups.items())


def _charts(data: ReportData) -> dict[str, Any]:
    days = [day.isoformat() for day in data.period.days]
    labels = [day[5:] for day in days]
    trends = []
    for keys in TRENDS:
        present = [k for k in keys if k in data.metrics]
        if not present:
            continue
        series = [
            (data.label(k), [_plain(data.series(k).get(day)) for day in days]) for k in present
        ]
        title = t(
            "report.chart.daily", data.lang, metric=" / ".join(data.label(k) for k in present)
        )
        unit_key = present[0]
        meta = info(unit_key)
        from_zero = meta is None or meta.unit not in ("rate", "score")
        trends.append(
            charts.line_chart(
                title, labels, series, lambda v, k=unit_key: _axis(k, v), zero=from_zero
            )
        )
    bucket_labels = [
        f"{s}–{s + BUCKET_SECONDS}" if s < BUCKETS * BUCKET_SECONDS else f"≥{s}"
        for s, _ in data.histogram
    ]
    total = sum(n for _, n in data.histogram) or 1
    histogram = charts.bar_chart(
        t("report.chart.histogram", data.lang),
        [(label, n / total) for label, (_, n) in zip(bucket_labels, data.histogram, strict=True)],
        lambda v: f"{v:.0%}",
        x_title=t("report.chart.histogram_x", data.lang),
    )
    units = charts.bar_chart(
        t(
            "report.chart.by_unit",
            data.lang,
            dim=t(f"report.dim.{data.by}", data.lang),
            metric=data.label("sessions"),
        ),
        [(u, _plain(data.unit_kpis[u].get("sessions"))) for u in data.units],
        lambda v: f"{v:,.0f}",
        colour=charts.PALETTE[2],
    )
    return {
        "trends": trends,
        "histogram": histogram,
        "units": units,
        "histogram_total": sum(n for _, n in data.histogram),
    }


def _plain(value: Any) -> float | None:
    return None if value is None or isinstance(value, list) else float(value)


def _axis(key: str, value: float) -> str:
    meta = info(key)
    unit = meta.unit if meta else ""
    if unit == "rate":
        return f"{value:.0%}" if value * 100 == int(value * 100) else f"{value:.1%}"
    if unit == "seconds":
        return f"{value:g}s"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
