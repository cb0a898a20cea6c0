"""Text from imported data, made safe for spreadsheets (CSV/formula injection).

A name or reason such as ``=HYPERLINK("http://evil","click")`` must stay text. The workbook
never writes data with ``worksheet.write()`` (which turns a leading ``=`` into a formula): every
data cell goes through ``write_string`` with the workbook option ``strings_to_formulas`` off,
so the XLSX file holds a string, never a formula. That alone is not enough: Excel and
LibreOffice re-parse a cell when a user edits it (F2, Enter) and a CSV export writes the raw
text, which the next program may run. So, as OWASP recommends, a text starting with
``= + - @``, tab or carriage return is also prefixed with a single quote ``'``, and the cell
carries Excel's own "quote prefix" style (what typing a leading ``'`` in Excel does), so an
edit keeps it text as well.
"""

from __future__ import annotations

from typing import Any

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
SHEET_FORBIDDEN = set("[]:*?/\\")


def dangerous(text: str) -> bool:
    return text.startswith(TRIGGERS)


def neutralise(value: Any) -> str:
    """The text of ``value``, prefixed with ``'`` when a spreadsheet could run it."""
    text = "" if value is None else str(value)
    return "'" + text if dangerous(text) else text


def sheet_name(text: str, taken: set[str], limit: int = 31) -> str:
    """A valid, unique worksheet name: no ``[]:*?/\\``, no leading/trailing apostrophe, at most
    31 characters, unique ignoring case (Excel's rules). Adds the name to ``taken``."""
    cleaned = "".join("_" if c in SHEET_FORBIDDEN or ord(c) < 32 else c for c in text)
    cleaned = cleaned.strip().strip("'") or "_"
    if cleaned.lower() == "history":  # reserved by Excel
        cleaned = "_history"
    name = cleaned[:limit]
    counter = 2
    while name.lower() in {t.lower() for t in taken}:
        suffix = f"~{counter}"
        name = cleaned[: limit - len(suffix)] + suffix
        counter += 1
    taken.add(name)
    return name
