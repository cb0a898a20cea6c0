"""Nothing of the cycle is undocumented: every command and option is in docs/cycle.md, and
every message the cycle can show exists in both catalogs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer

from cskpi.cycle.cli import appeal_app, audit_app, cycle_app, entry_app
from cskpi.i18n import catalog

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "cycle.md").read_text("utf-8")
SOURCES = "\n".join(p.read_text("utf-8") for p in (ROOT / "src/cskpi/cycle").glob("*.py"))
APPS = {"cycle": cycle_app, "entry": entry_app, "appeal": appeal_app, "audit": audit_app}


def _commands() -> list[tuple[str, str, list[str]]]:
    out = []
    for group, app in APPS.items():
        click_group = typer.main.get_group(app)
        for name, command in click_group.commands.items():
            options = [o for p in command.params for o in p.opts if o.startswith("--")]
            out.append((group, name, options))
    return out


@pytest.mark.parametrize(("group", "name", "options"), _commands())
def test_every_command_and_option_is_documented(group: str, name: str, options: list[str]):
    assert f"cskpi {group} {name}" in DOC
    for option in options:
        if option in ("--help", "--db", "--format"):
            continue
        assert option in DOC, f"{group} {name} {option}"


def test_every_message_exists_in_both_languages() -> None:
    keys = set(re.findall(r'"((?:cycle|entry|appeal|audit)\.[a-z_.]+)"', SOURCES))
    keys |= {
        f"cycle.state.{s}"
        for s in (
            "none",
            "open",
            "computed",
            "under_review",
            "approved",
            "published",
            "filed",
            "upheld",
            "rejected",
        )
    }
    keys |= {f"audit.bad.{p}" for p in ("hash", "link", "sequence", "head")}
    keys |= {f"cycle.grain.{g}" for g in ("week", "month", "quarter", "half_year", "year")}
    # Ids used in code that are not messages: audit actions and table names.
    keys = {
        k
        for k in keys
        if not k.startswith(
            (
                "cycle.open",
                "cycle.compute",
                "cycle.review",
                "cycle.approve",
                "cycle.publish",
                "entry.add",
                "entry.void",
                "appeal.file",
                "cycle.schema",
            )
        )
        or k.endswith(".help")
    }
    for language in ("zh_CN", "en"):
        missing = sorted(k for k in keys if k not in catalog(language))
        assert not missing, (language, missing)
