"""Loading scorecards by template name or path; the public API surface."""

from __future__ import annotations

from pathlib import Path

import pytest

import cskpi.scoring as scoring
from cskpi.scoring import list_templates, load_scorecard, template_path


def test_load_by_name_and_by_path_agree() -> None:
    by_name = load_scorecard("service-plan")
    by_path = load_scorecard(template_path("service-plan"))
    assert by_name == by_path
    assert by_name.name == "service-plan"


def test_template_names_match_their_files() -> None:
    for name in list_templates():
        assert load_scorecard(name).name == name


def test_unknown_template_lists_the_known_ones() -> None:
    with pytest.raises(FileNotFoundError, match="presales-standard"):
        load_scorecard("no-such-card")


def test_labels_are_chinese_first() -> None:
    text = template_path("presales-standard").read_text(encoding="utf-8")
    assert "{zh: 执行力, en: Execution}" in text


def test_models_are_frozen() -> None:
    card = load_scorecard("general-kpi")
    with pytest.raises(ValueError):
        card.items[0].weight = 1  # type: ignore[misc]


def test_public_api() -> None:
    for name in (
        "load_scorecard",
        "list_templates",
        "check_scorecard",
        "score",
        "compare",
        "ScoringInputs",
        "FrameInputs",
        "AgentResult",
        "Finding",
    ):
        assert hasattr(scoring, name), name


def test_frame_inputs_satisfies_the_protocol(tmp_path: Path) -> None:
    from cskpi.scoring.testing import inputs

    assert isinstance(inputs([{"agent_id": "a"}]), scoring.ScoringInputs)


def test_new_scorecard_from_a_template_keeps_comments(tmp_path: Path) -> None:
    from cskpi.scoring import check_scorecard, new_scorecard_text

    text = new_scorecard_text("presales-standard", "shop-a-presales")
    assert text.count("name: shop-a-presales") == 1 and "决定/decision" in text
    path = tmp_path / "shop-a-presales.yaml"
    path.write_text(text, encoding="utf-8")
    assert check_scorecard(path) == []
    assert load_scorecard(path).name == "shop-a-presales"
    with pytest.raises(ValueError):
        new_scorecard_text("presales-standard", "bad name: x")


def test_describe_templates() -> None:
    from cskpi.scoring import describe_templates

    rows = describe_templates()
    assert [r["name"] for r in rows] == list_templates()
    assert rows[0]["title"]["zh"]
