"""Reports managers use: the Excel workbook, the monthly HTML/PDF report, scheduled delivery.

Public API (the CLI and the web app call these)::

    write_workbook(store, config, period, path, scorecard=None, by="group", lang="zh_CN")
    write_html(store, config, period, path, scorecard=None, by="group", lang="zh_CN")
    write_pdf(store, config, period, path, scorecard=None, by="group", lang="zh_CN")

Each returns the path written. ``collect`` + ``render_workbook`` / ``save_html`` /
``save_pdf`` write several formats from one computation.
"""

from cskpi.reports.data import ReportData, ReportError, collect
from cskpi.reports.document import save_html, save_pdf, write_html, write_pdf
from cskpi.reports.workbook import render_workbook, write_workbook

__all__ = [
    "ReportData",
    "ReportError",
    "collect",
    "render_workbook",
    "save_html",
    "save_pdf",
    "write_html",
    "write_pdf",
    "write_workbook",
]
