"""The reference implementation against hand-worked golden cases (tests/golden_cases.py)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from golden_cases import ALL_CASES, OCT, Case, frame, local
from reference_metrics import DEFAULT_THRESHOLDS, METRICS, reference_metrics


def _approx(expected: Any) -> Any:
    if expected is None:
        return None
    if isinstance(expected, (list, tuple)):
        return pytest.approx(list(expected), rel=1e-9)
    return pytest.approx(float(expected), rel=1e-9, abs=1e-12)


def check_case(case: Case) -> None:
    """Run every `by` of a golden case and compare the listed figures (shared helper)."""
    tables, expected = case
    for by, per_key in expected["by"].items():
        result = reference_metrics(
            tables,
            by=by,
            start=expected["start"],
            end=expected["end"],
            tz=expected["tz"],
            thresholds=expected["thresholds"],
        )
        assert set(result) == set(per_key), f"by={by}: dimension values"
        for key, figures in per_key.items():
            for metric, want in figures.items():
                got = result[key][metric]
                where = f"by={by} key={key!r} metric={metric}"
                if want is None:
                    assert got is None, f"{where}: expected null, got {got!r}"
                else:
                    assert got is not None, f"{where}: expected {want!r}, got null"
                    assert got == _approx(want), where
        for metric in expected.get("absent", {}).get(by, []):
            for key in result:
                assert metric not in result[key], f"{metric} must not be reported by {by}"


@pytest.mark.parametrize("name", sorted(ALL_CASES))
def test_golden_case(name: str) -> None:
    check_case(ALL_CASES[name]())


def test_every_metric_has_a_value_slot() -> None:
    """Center output carries every registered metric (value or None), nothing else."""
    tables, expected = ALL_CASES["response_pairs"]()
    result = reference_metrics(tables, by="center", start=expected["start"], end=expected["end"])
    assert set(result[None]) == {name for name, *_ in METRICS}


def test_queue_threshold_is_configurable() -> None:
    """queue_threshold_seconds = 100: S4 (120 s) still queues, S7 (90 s) no longer -> 1/7."""
    tables, expected = ALL_CASES["response_pairs"]()
    result = reference_metrics(
        tables,
        by="center",
        start=expected["start"],
        end=expected["end"],
        thresholds={"queue_threshold_seconds": 100},
    )
    assert result[None]["queue_rate"] == pytest.approx(1 / 7)


def test_equal_timestamps_order_by_message_id() -> None:
    """Messages at the same instant are ordered by message_id.

    X1: customer 'a' and agent 'b' both at 10:00:00 -> 'a' opens, 'b' closes -> 0 s.
    X2: agent 'a' then customer 'b' at 10:00:00 -> the agent message comes first and closes
        nothing; the customer turn stays open -> unanswered, no response pair at all.
    """
    t = "2026-10-12 10:00:00"
    sessions = frame(
        [
            {
                "session_id": sid,
                "agent_id": "A1",
                "group": "g",
                "created_at": t,
                "accepted_at": t,
                "ended_at": "2026-10-12 10:05:00",
            }
            for sid in ("X1", "X2")
        ]
    )
    messages = frame(
        [
            {"message_id": "a", "session_id": "X1", "sender": "customer", "sent_at": t},
            {"message_id": "b", "session_id": "X1", "sender": "agent", "sent_at": t},
            {"message_id": "a2", "session_id": "X2", "sender": "agent", "sent_at": t},
            {"message_id": "b2", "session_id": "X2", "sender": "customer", "sent_at": t},
        ]
    )
    result = reference_metrics(
        {"sessions": sessions, "messages": messages}, start=OCT["start"], end=OCT["end"]
    )
    assert result["A1"]["avg_response_time"] == 0.0
    assert result["A1"]["first_response_time"] == 0.0
    assert result["A1"]["valid_sessions"] == 2  # both have both sides
    assert result["A1"]["reply_rate"] == 1.0


def test_ratios_roll_up_as_sums_not_means() -> None:
    """Agent A1 answers 1 pair in 10 s, A2 three pairs in 30 s each. The center's
    avg_response_time is (10 + 3 × 30) / 4 = 25, not the mean of agent means (20)."""
    t0 = "2026-10-12 10:00:00"
    sessions = frame(
        [
            {
                "session_id": "Y1",
                "agent_id": "A1",
                "group": "g",
                "created_at": t0,
                "accepted_at": t0,
                "ended_at": "2026-10-12 10:10:00",
            },
            {
                "session_id": "Y2",
                "agent_id": "A2",
                "group": "g",
                "created_at": t0,
                "accepted_at": t0,
                "ended_at": "2026-10-12 10:10:00",
            },
        ]
    )
    rows = [
        {"message_id": "y1c", "session_id": "Y1", "sender": "customer", "sent_at": t0},
        {
            "message_id": "y1a",
            "session_id": "Y1",
            "sender": "agent",
            "sent_at": "2026-10-12 10:00:10",
        },
    ]
    for i, minute in enumerate(("01", "02", "03")):
        rows.append(
            {
                "message_id": f"y2c{i}",
                "session_id": "Y2",
                "sender": "customer",
                "sent_at": f"2026-10-12 10:{minute}:00",
            }
        )
        rows.append(
            {
                "message_id": f"y2a{i}",
                "session_id": "Y2",
                "sender": "agent",
                "sent_at": f"2026-10-12 10:{minute}:30",
            }
        )
    tables = {"sessions": sessions, "messages": frame(rows)}
    by_agent = reference_metrics(tables, start=OCT["start"], end=OCT["end"])
    center = reference_metrics(tables, by="center", start=OCT["start"], end=OCT["end"])
    assert by_agent["A1"]["avg_response_time"] == 10
    assert by_agent["A2"]["avg_response_time"] == 30
    assert center[None]["avg_response_time"] == 25


def test_entirely_empty_optional_column_counts_as_absent() -> None:
    """A transferred_out column that is empty everywhere is 'not exported': null, not 0."""
    tables, expected = ALL_CASES["no_messages_table"]()
    sessions = tables["sessions"].copy()
    sessions["transferred_out"] = pd.array([pd.NA], dtype="boolean")
    result = reference_metrics({"sessions": sessions}, start=expected["start"], end=expected["end"])
    assert result["A1"]["transfer_rate"] is None
    sessions["transferred_out"] = pd.array([False], dtype="boolean")
    result = reference_metrics({"sessions": sessions}, start=expected["start"], end=expected["end"])
    assert result["A1"]["transfer_rate"] == 0.0


def test_group_dimension_uses_the_session_group() -> None:
    """A1 belongs to 售前 in agents, but a leg routed to VIP counts for VIP."""
    t = "2026-10-12 10:00:00"
    sessions = frame(
        [
            {
                "session_id": "G1",
                "agent_id": "A1",
                "group": "VIP",
                "created_at": t,
                "accepted_at": t,
                "ended_at": "2026-10-12 10:01:00",
            }
        ]
    )
    agents = frame([{"agent_id": "A1", "group": "售前"}])
    result = reference_metrics(
        {"sessions": sessions, "agents": agents}, by="group", start=OCT["start"], end=OCT["end"]
    )
    assert result["VIP"]["sessions"] == 1
    assert "售前" not in result


def test_local_helper_is_shanghai() -> None:
    assert local("2026-10-31 23:30:00") == pd.Timestamp("2026-10-31 15:30:00", tz="UTC")
    assert local("2026-11-01 00:10:00") == pd.Timestamp("2026-10-31 16:10:00", tz="UTC")


def test_bad_arguments() -> None:
    with pytest.raises(ValueError):
        reference_metrics({}, by="team", start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 31))
    with pytest.raises(ValueError):
        reference_metrics({}, start=dt.date(2026, 10, 2), end=dt.date(2026, 10, 1))


def test_default_thresholds_match_the_brief() -> None:
    assert DEFAULT_THRESHOLDS == {
        "queue_threshold_seconds": 60,
        "fcr_window_hours": 24,
        "attribution_window_hours": 48,
        "qa_pass_mark": 97,
        "lead_tag": "lead",
        "late_grace_minutes": 0,
        "rating_participation_low": 0.5,
    }


# ------------------------------------------------------------------------------------------
# The catalog and the advice data
# ------------------------------------------------------------------------------------------

METRICS_DIR = Path(__file__).resolve().parents[1] / "src" / "cskpi" / "metrics"
SPEC = Path("/work/shared/spec/metrics.md")


def _catalog() -> dict[str, Any]:
    return yaml.safe_load((METRICS_DIR / "catalog.yaml").read_text(encoding="utf-8"))


def _advice() -> dict[str, Any]:
    return yaml.safe_load((METRICS_DIR / "advice.yaml").read_text(encoding="utf-8"))


def test_catalog_lists_every_reference_metric_once() -> None:
    keys = [m["key"] for m in _catalog()["metrics"]]
    assert len(keys) == len(set(keys))
    assert set(keys) == {name for name, *_ in METRICS} | {"target_achievement"}


def test_catalog_entries_are_complete() -> None:
    catalog = _catalog()
    for m in catalog["metrics"]:
        where = m["key"]
        assert m["category"] in catalog["categories"], where
        assert m["unit"] in catalog["units"], where
        assert m["direction"] in {"higher", "lower", "neutral"}, where
        assert m["rollup"] in {"sum", "ratio", "max", "distinct"}, where
        for field in ("label", "description"):
            assert set(m[field]) == {"zh", "en"}, where
            assert all(isinstance(v, str) and v for v in m[field].values()), where
        assert set(m["recommended"]) == {"min", "max"}, where
        low, high = m["recommended"]["min"], m["recommended"]["max"]
        if low is not None and high is not None:
            assert low <= high, where
        if m["unit"] == "rate":  # rates are fractions 0..1
            for v in (m["industry"], low, high):
                assert v is None or 0 <= v <= 1, where
        assert m["source"] and all(isinstance(s, str) for s in m["source"]), where
        assert m["scope"] and set(m["scope"]) <= set(catalog["dimensions"]), where


def test_catalog_scope_matches_the_reference_dimensions() -> None:
    """Where the reference omits a metric for a dimension, the catalog scope omits it too."""
    scope = {m["key"]: set(m["scope"]) for m in _catalog()["metrics"]}
    for name, _fn, _kind, dims in METRICS:
        assert dims <= scope[name] | {"center"}, name
        assert ("agent" in dims) == ("agent" in scope[name]), name


def test_catalog_thresholds_are_the_reference_defaults() -> None:
    thresholds = _catalog()["thresholds"]
    assert {k: v["default"] for k, v in thresholds.items()} == DEFAULT_THRESHOLDS


@pytest.mark.skipif(not SPEC.exists(), reason="spec/metrics.md not available")
def test_catalog_covers_every_key_of_the_spec() -> None:
    keys: set[str] = {"invalid_rate_inbound", "invalid_rate_callback"}  # "`_inbound` splits"
    for line in SPEC.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.split("|")]
        is_key = len(cells) > 2 and re.fullmatch(r"[a-z_]+(\s*[,/]\s*[a-z_]+)*", cells[1])
        if is_key and cells[1] != "key":
            keys.update(re.split(r"\s*[,/]\s*", cells[1]))
    catalog = {m["key"] for m in _catalog()["metrics"]}
    assert keys - catalog == set()
    assert len(keys) >= 50


def test_advice_covers_the_22_norms() -> None:
    advice = _advice()
    catalog = {m["key"] for m in _catalog()["metrics"]}
    norms = advice["norms"]
    assert [n["norm"] for n in norms] == list(range(1, 23))
    for n in norms:
        assert n["key"] is None or n["key"] in catalog, n["norm"]
        assert set(n.get("related", [])) <= catalog, n["norm"]
        for field in ("name", "benchmark", "data_source"):
            assert set(n[field]) == {"zh", "en"}, (n["norm"], field)
        assert n["actions"] and set(n["actions"]) <= {"always", "too_high", "too_low"}
        for actions in n["actions"].values():
            for action in actions:
                assert set(action) == {"zh", "en"}, n["norm"]
                assert all(isinstance(v, str) and v for v in action.values()), n["norm"]


# ------------------------------------------------------------------------------------------
# Smoke test on the synthetic month: invariants that hold for any data
# ------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_reference_on_the_demo_month_keeps_invariants() -> None:
    generator = pytest.importorskip("cskpi.demo.generator")
    tables = {k: v.to_pandas() for k, v in generator.generate("2026-10", seed=7, agents=3).items()}
    period = {"start": dt.date(2026, 10, 1), "end": dt.date(2026, 10, 31)}
    by_agent = reference_metrics(tables, by="agent", **period)
    center = reference_metrics(tables, by="center", **period)[None]
    # counts and amounts add up from agents to the center
    for name in ("sessions", "valid_sessions", "callbacks", "leads", "online_hours"):
        total = sum(row[name] or 0 for row in by_agent.values())
        assert total == pytest.approx(center[name]), name
    # every rate is a fraction
    rates = {m["key"] for m in _catalog()["metrics"] if m["unit"] == "rate"}
    for row in [*by_agent.values(), center]:
        for name in rates & set(row):
            value = row[name]
            assert value is None or 0 <= value <= 1, (name, value)
    assert center["sessions"] > 0
    assert center["avg_response_time"] is not None and center["avg_response_time"] >= 0
