"""User-facing text from message catalogs (gettext .po files read with Babel).

Every message has a stable id (``import.summary``); the catalogs give its zh_CN and English
text. The language is ``--lang``, else ``CSKPI_LANG``, else the locale of ``LC_ALL``/``LANG``
when it is English, else Chinese (zh-CN first).
"""

from __future__ import annotations

import os
from functools import cache
from importlib import resources

from babel.messages.pofile import read_po

LANGUAGES = ("zh_CN", "en")
_current: list[str] = []


def detect_language() -> str:
    for variable in ("CSKPI_LANG", "LC_ALL", "LANG"):
        value = os.environ.get(variable, "")
        if value:
            if variable == "CSKPI_LANG":
                return normalise(value)
            return "en" if value.lower().startswith("en") else "zh_CN"
    return "zh_CN"


def normalise(language: str) -> str:
    lowered = language.replace("-", "_").lower()
    if lowered.startswith("en"):
        return "en"
    if lowered.startswith("zh"):
        return "zh_CN"
    raise ValueError(language)


def set_language(language: str | None) -> None:
    _current[:] = [normalise(language) if language else detect_language()]


def language() -> str:
    if not _current:
        set_language(None)
    return _current[0]


@cache
def catalog(lang: str) -> dict[str, str]:
    """All messages of a language: every .po file (one per area: cskpi, web, reports, …)."""
    folder = resources.files("cskpi").joinpath("locale", lang, "LC_MESSAGES")
    messages: dict[str, str] = {}
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        if not path.name.endswith(".po"):
            continue
        with path.open("rb") as handle:
            parsed = read_po(handle)
        messages |= {str(m.id): str(m.string) for m in parsed if m.id and m.string}
    return messages


def t(key: str, lang: str | None = None, **params: object) -> str:
    """The message `key` in the current language, formatted with `params`.

    A key missing from a catalog falls back to the other language and then to the key itself,
    so a missing translation shows up as visible text instead of a crash.
    """
    lang = lang or language()
    text = catalog(lang).get(key) or catalog("en").get(key) or key
    try:
        return text.format(**params)
    except (KeyError, IndexError):
        return text
