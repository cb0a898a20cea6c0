"""Append messages to both .po catalogs: `python scripts/add_messages.py messages.json`.

The JSON maps message ids to [zh_CN text, English text]. Existing ids are replaced.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

LOCALE = Path(__file__).resolve().parent.parent / "src" / "cskpi" / "locale"


def main(path: str) -> None:
    messages: dict[str, list[str]] = json.loads(Path(path).read_text("utf-8"))
    for index, language in enumerate(("zh_CN", "en")):
        po_path = LOCALE / language / "LC_MESSAGES" / "cskpi.po"
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=language)
        for key, texts in messages.items():
            if key in catalog:
                catalog[key].string = texts[index]
            else:
                catalog.add(key, texts[index])
        with po_path.open("wb") as handle:
            write_po(handle, catalog, width=0, omit_header=False, sort_output=False)


if __name__ == "__main__":
    main(sys.argv[1])
