"""JSON Schema of the scorecard format, generated from the models.

``python -m cskpi.scoring.schema`` writes ``schema.json`` beside this module; editors use it
to check scorecard YAML (e.g. ``# yaml-language-server: $schema=…/schema.json``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from cskpi.scoring.models.scorecard import Scorecard

SCHEMA_FILE = Path(__file__).with_name("schema.json")


def scorecard_schema() -> dict[str, Any]:
    schema = Scorecard.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "cskpi scorecard (考核方案)"
    return schema


def render() -> str:
    return json.dumps(scorecard_schema(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0]) if args else SCHEMA_FILE
    target.write_text(render(), encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
