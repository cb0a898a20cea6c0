"""Add messages to both catalogs of one area:
`python scripts/add_messages.py messages.json [--domain web]`.

The JSON maps message ids to [zh_CN text, English text]. Existing ids are replaced. Each area
(cskpi = CLI and import, web, reports, cycle) keeps its own .po file per language, so two
people adding messages to different areas never overwrite each other.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

LOCALE = Path(__file__).resolve().parent.parent / "src" / "cskpi" / "locale"


def main(path: str, domain: str = "cskpi") -> None:
    messages: dict[str, list[str]] = json.loads(Path(path).read_text("utf-8"))
    for index, language in enumerate(("zh_CN", "en")):
        po_path = LOCALE / language / "LC_MESSAGES" / f"{domain}.po"
        if po_path.exists():
            with po_path.open("rb") as handle:
                catalog = read_po(handle, locale=language)
        else:
            catalog = Catalog(locale=language, project=f"cskpi-{domain}")
        for key, texts in messages.items():
            if key in catalog:
                catalog[key].string = texts[index]
            else:
                catalog.add(key, texts[index])
        with po_path.open("wb") as handle:
            write_po(handle, catalog, width=0, omit_header=False, sort_output=False)


if __name__ == "__main__":
    arguments = sys.argv[1:]
    domain = "cskpi"
    if "--domain" in arguments:
        at = arguments.index("--domain")
        domain = arguments[at + 1]
        del arguments[at:at + 2]
    main(arguments[0], domain)
