"""check_scorecard: findings carry file, line, column, field path and what is allowed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cskpi.scoring import ScorecardError, check_scorecard, check_text, load_scorecard
from cskpi.scoring.schema import SCHEMA_FILE, render

GOOD = """\
name: ok
title: {zh: 好, en: ok}
items:
  - key: conversion
    label: {zh: 转化, en: conversion}
    metric: inquiry_conversion
    weight: 60
    unit: percent
    rule:
      type: tiers
      bands:
        - {ge: 60%, score: 100}
        - {lt: 60%, score: 0}
  - key: response
    label: {zh: 响应, en: response}
    metric: avg_response_time
    weight: 40
    rule:
      type: tiers
      direction: lower
      bands:
        - {le: 15, score: 100}
        - {gt: 15, score: 0}
"""


def findings(text: str) -> list[tuple[int, str, str]]:
    return [(f.line, f.field, f.severity.value) for f in check_text(text, "card.yaml")]


def test_good_scorecard_has_no_findings(tmp_path: Path) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text(GOOD, encoding="utf-8")
    assert check_scorecard(path) == []


def test_unknown_metric_key_with_line() -> None:
    text = GOOD.replace("metric: inquiry_conversion", "metric: inquiry_convertion")
    (finding,) = check_text(text, "card.yaml")
    assert (finding.file, finding.line, finding.column) == ("card.yaml", 6, 5)
    assert finding.field == "items[0].metric"
    assert "inquiry_convertion" in finding.message_en and "指标" in finding.message_zh
    assert finding.allowed and "metric_keys.txt" in finding.allowed


def test_weights_not_summing_to_100() -> None:
    assert findings(GOOD.replace("weight: 40", "weight: 30")) == [(3, "items", "error")]


def test_overlapping_and_gapped_tiers() -> None:
    overlap = GOOD.replace("{lt: 60%, score: 0}", "{le: 60%, score: 0}")
    assert findings(overlap) == [(12, "items[0].rule.bands[0]", "error")]
    gap = GOOD.replace("{gt: 15, score: 0}", "{gt: 16, score: 0}")
    (finding,) = check_text(gap, "card.yaml")
    assert (finding.line, finding.field) == (23, "items[1].rule.bands[1]")
    assert "gap" in finding.message_en


def test_band_table_must_cover_every_figure() -> None:
    text = GOOD.replace("- {lt: 60%, score: 0}", "- {ge: 30%, lt: 60%, score: 0}")
    (finding,) = check_text(text, "card.yaml")
    assert finding.message_en == "no band below 30%"


def test_wrong_direction() -> None:
    text = GOOD.replace("direction: lower", "direction: higher")
    (finding,) = check_text(text, "card.yaml")
    assert (finding.line, finding.field) == (23, "items[1].rule.bands[1]")
    assert "direction" in finding.message_en


def test_missing_parameter_of_a_kind() -> None:
    text = GOOD.replace(
        """    rule:
      type: tiers
      direction: lower
      bands:
        - {le: 15, score: 100}
        - {gt: 15, score: 0}
""",
        """    rule:
      type: gated_linear
      gate: 85%
      factor: 40
""",
    )
    (finding,) = check_text(text, "card.yaml")
    assert (finding.line, finding.field) == (18, "items[1].rule.target")
    assert finding.message_en == "missing required parameter"
    assert "target" in (finding.allowed or "")


def test_bonus_without_either_parameter_set() -> None:
    text = GOOD + "bonus:\n  - key: b\n    label: {zh: b, en: b}\n    rule: {type: bonus}\n"
    (finding,) = check_text(text, "card.yaml")
    assert (finding.line, finding.field) == (27, "bonus[0].rule")


def test_unknown_rule_type_lists_the_allowed_kinds() -> None:
    (finding,) = check_text(
        GOOD.replace("type: tiers\n      direction", "type: tier\n      direction"), "c.yaml"
    )
    assert finding.field == "items[1].rule.type" and finding.line == 19
    assert "gated_linear" in (finding.allowed or "")


def test_unknown_field_lists_allowed_fields() -> None:
    (finding,) = check_text(
        GOOD.replace("    weight: 60\n", "    weight: 60\n    wieght: 1\n"), "c.yaml"
    )
    assert (finding.line, finding.field) == (8, "items[0].wieght")
    assert "weight" in (finding.allowed or "")


def test_unknown_adjustment_kind_is_a_warning_unless_declared() -> None:
    extra = """bonus:
  - key: b
    label: {zh: b, en: b}
    rule: {type: bonus, kind: kudos, points_each: 1}
"""
    assert findings(GOOD + extra) == [(27, "bonus[0].rule.kind", "warning")]
    assert findings(GOOD + "adjustment_kinds: [kudos]\n" + extra) == []


def test_yaml_syntax_error_has_a_line() -> None:
    (finding,) = check_text(GOOD.replace("weight: 60", "weight: [60"), "c.yaml")
    assert finding.line >= 7 and "YAML" in finding.message_en


def test_duplicate_yaml_key() -> None:
    assert (3, "items", "error") not in findings(GOOD)
    text = GOOD.replace("    weight: 60\n", "    weight: 60\n    weight: 60\n")
    assert (8, "items[0].weight", "error") in findings(text)


def test_load_scorecard_refuses_broken_files(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(GOOD.replace("weight: 60", "weight: lots"), encoding="utf-8")
    with pytest.raises(ScorecardError) as error:
        load_scorecard(path)
    assert error.value.findings[0].line == 7


def test_schema_json_is_generated_from_the_models() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == render(), (
        "run: python -m cskpi.scoring.schema"
    )
    schema = json.loads(render())
    rule_kinds = {
        name
        for name, definition in schema["$defs"].items()
        if name.endswith("Rule") and "type" in definition.get("properties", {})
    }
    assert len(rule_kinds) == 8


def test_metric_keys_match_metrics_md() -> None:
    from cskpi.scoring.metric_keys import metric_keys

    spec = Path(__file__).resolve().parents[2] / "shared" / "spec" / "metrics.md"
    if not spec.exists():
        pytest.skip("shared spec not beside the project")
    text = spec.read_text(encoding="utf-8")
    for key in metric_keys():
        base, _, split = key.rpartition("_")
        is_split = split in {"inbound", "callback"} and f"`_{split}`" in text
        per_day = key.endswith("_per_day") and "per worked day" in text
        assert key in text or (is_split and base in text) or per_day, key


def test_metric_keys_match_the_kpi_catalog() -> None:
    catalog = pytest.importorskip("cskpi.metrics.catalog")
    from cskpi.scoring.metric_keys import metric_keys

    assert set(metric_keys()) == set(catalog.catalog())
