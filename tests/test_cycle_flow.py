"""The cycle end to end through the library, on DuckDB and PostgreSQL: frozen versions and
their diffs, locks on entries, four eyes, appeals, locked history for cross-month rules, the
audit chain, and re-imports that never reach an approved period."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cskpi.config import Config
from cskpi.cycle import appeals, audit, entries, service
from cskpi.cycle.errors import CycleError
from cskpi.cycle.settings import CycleSettings, load_settings
from cskpi.cycle.testing import PERIOD, add_agents, rate, run_to, write_card
from cskpi.cycle.versions import raw_results
from cskpi.scoring import load_scorecard, score
from cskpi.scoring.store_inputs import StoreInputs, save_results
from cskpi.store.base import Store

CONFIG = Config()


def _published(store: Store, tmp_path: Path) -> str:
    card = write_card(tmp_path)
    add_agents(store)
    rate(store, card, {"A1": 90, "A2": 70, "A3": 85})
    run_to(store, card, "published")
    return card


def test_recompute_after_approval_is_a_new_version_with_a_diff(
    store: Store, tmp_path: Path
) -> None:
    card = write_card(tmp_path)
    add_agents(store)
    rate(store, card, {"A1": 90, "A2": 70, "A3": 85})
    run_to(store, card, "approved")
    frozen = raw_results(store, "cycle-test", PERIOD, 1)

    # The lock refuses entries for the period...
    with pytest.raises(CycleError) as refused:
        rate(store, card, {"A2": 95})
    assert refused.value.code == "cycle.entry_locked"
    # ...and a reasoned recompute opens version 2 (the approved one stays frozen).
    done = service.compute(store, CONFIG, card, PERIOD, "boss", reason="late QA results")
    assert (done["version"], done["state"], done["new_version"]) == (2, "computed", True)
    rate(store, card, {"A2": 95})
    again = service.compute(store, CONFIG, card, PERIOD, "boss")
    assert (again["version"], again["new_version"]) == (2, False)  # drafts are replaced

    found = service.diff(store, card, PERIOD)
    assert (found["old"], found["new"]) == (1, 2)
    moved = {r["agent_id"]: r for r in found["rows"]}  # A2's points; everyone's rank
    row = moved["A2"]
    assert row["delta"] == 25.0 and (row["rank_old"], row["rank_new"]) == (3, 1)
    assert row["why"][0]["item"] == "m" and row["why"][0]["delta"] == 25.0
    assert (moved["A1"]["delta"], moved["A1"]["why"]) == (0.0, [])
    assert (moved["A1"]["rank_old"], moved["A1"]["rank_new"]) == (1, 2)
    assert raw_results(store, "cycle-test", PERIOD, 1) == frozen
    (status,) = service.status(store, card, PERIOD)
    assert (status["version"], status["locked_version"]) == (2, 1)
    # Until version 2 is approved, the locked version is what everyone reads.
    version, results = service.results(store, card, PERIOD)
    assert version == 1 and results["A2"]["total"] == 70.0


def test_four_eyes_when_a_reapproval_moves_pay_too_much(store: Store, tmp_path: Path) -> None:
    card = write_card(tmp_path)
    add_agents(store)
    rate(store, card, {"A1": 90, "A2": 70, "A3": 85})
    run_to(store, card, "approved")  # the first approval fixes pay: one approver suffices
    service.compute(store, CONFIG, card, PERIOD, "boss", reason="correction")
    rate(store, card, {"A2": 130})  # 600 more pay for A2 (10 per point)
    service.compute(store, CONFIG, card, PERIOD, "boss")
    service.review(store, card, PERIOD, "boss")
    settings = CycleSettings(four_eyes_pay_change=500)
    first = service.approve(store, card, PERIOD, "boss", settings)
    assert first["status"] == "awaiting_second" and first["pay_change"] == 600.0
    assert service.status(store, card, PERIOD)[0]["state"] == "under_review"
    with pytest.raises(CycleError) as same:
        service.approve(store, card, PERIOD, "boss", settings)
    assert same.value.code == "cycle.four_eyes_same"
    second = service.approve(store, card, PERIOD, "hr", settings)
    assert second["status"] == "approved" and second["first_approver"] == "boss"
    (version,) = [v for v in service.versions(store, "cycle-test", PERIOD) if v["version"] == 2]
    assert (version["first_approver"], version["approved_by"]) == ("boss", "hr")
    # Below the limit one approver is enough.
    service.compute(store, CONFIG, card, PERIOD, "boss", reason="small fix")
    rate(store, card, {"A2": 131})
    service.compute(store, CONFIG, card, PERIOD, "boss")
    service.review(store, card, PERIOD, "boss")
    assert service.approve(store, card, PERIOD, "boss", settings)["status"] == "approved"


def test_four_eyes_setting_is_read_from_the_workspace_config(tmp_path: Path) -> None:
    db = str(tmp_path / "cskpi.duckdb")
    assert load_settings(db).four_eyes_pay_change == 500.0
    (tmp_path / "cskpi.toml").write_text("[cycle]\nfour_eyes_pay_change = 50\n", "utf-8")
    assert load_settings(db).four_eyes_pay_change == 50.0
    (tmp_path / "cskpi.toml").write_text("[cycle]\nfour_eyes = 50\n", "utf-8")
    with pytest.raises(CycleError, match="config_key"):
        load_settings(db)


def test_appeal_upheld_makes_a_new_version_with_a_visible_diff(
    store: Store, tmp_path: Path
) -> None:
    card = _published(store, tmp_path)
    filed = appeals.file_appeal(store, card, PERIOD, "A2", "m", "I covered two extra shifts")
    assert filed["state"] == "filed" and filed["version"] == 1
    with pytest.raises(CycleError, match="no_item"):
        appeals.file_appeal(store, card, PERIOD, "A2", "nope", "x")
    with pytest.raises(CycleError, match="appeal_own"):
        appeals.decide_appeal(
            store, CONFIG, filed["appeal_id"], uphold=True, answer="ok", by="A2", points=80
        )
    done = appeals.decide_appeal(
        store,
        CONFIG,
        filed["appeal_id"],
        uphold=True,
        answer="Shifts confirmed",
        by="boss",
        points=80,
    )
    appeal = done["appeal"]
    assert (appeal["state"], appeal["new_version"], appeal["decided_by"]) == ("upheld", 2, "boss")
    (row,) = done["diff"]["rows"]  # 70 → 80 keeps A2 last: nobody else moves
    assert (row["agent_id"], row["total_old"], row["total_new"], row["delta"]) == (
        "A2",
        70.0,
        80.0,
        10.0,
    )
    assert row["pay_delta"] == 100.0
    (status,) = service.status(store, card, PERIOD)
    assert (status["state"], status["version"], status["locked_version"]) == ("under_review", 2, 1)
    # Deciding twice is refused; the agent sees the appeal and its answer.
    with pytest.raises(Exception, match="upheld"):
        appeals.decide_appeal(
            store, CONFIG, filed["appeal_id"], uphold=False, answer="no", by="boss"
        )
    (mine,) = appeals.list_appeals(store, agent_id="A2")
    assert mine["answer"] == "Shifts confirmed"
    # Agents keep seeing the published version until the new one is published.
    shown = service.results(store, card, PERIOD, agent_id="A2", published=True)
    assert (shown[0], shown[1]["A2"]["total"]) == (1, 70.0)
    service.approve(store, card, PERIOD, "boss")
    assert service.results(store, card, PERIOD, published=True)[0] == 1
    service.publish(store, card, PERIOD, "boss")
    shown = service.results(store, card, PERIOD, agent_id="A2", published=True)
    assert (shown[0], shown[1]["A2"]["total"]) == (2, 80.0)


def test_rejected_appeal_changes_nothing(store: Store, tmp_path: Path) -> None:
    card = _published(store, tmp_path)
    filed = appeals.file_appeal(store, card, PERIOD, "A3", "m", "too low")
    done = appeals.decide_appeal(
        store, CONFIG, filed["appeal_id"], uphold=False, answer="Score stands", by="boss"
    )
    assert done["appeal"]["state"] == "rejected" and "diff" not in done
    assert service.status(store, card, PERIOD)[0]["state"] == "published"


def test_upheld_appeal_can_void_a_mistaken_violation(store: Store, tmp_path: Path) -> None:
    text = (
        Path(write_card(tmp_path)).read_text("utf-8")
        + "penalties:\n  - {label: {zh: 违规, en: Violation}, kind: execution.rule,"
        " points: 5}\n"
    )
    card = write_card(tmp_path, text)
    add_agents(store)
    rate(store, card, {"A1": 90, "A2": 70, "A3": 85})
    wrong = entries.add_entry(
        store, agent_id="A1", kind="execution.rule", reason="rude", by="boss", period=PERIOD
    )
    run_to(store, card, "published")
    assert service.results(store, card, PERIOD)[1]["A1"]["total"] == 85.0
    filed = appeals.file_appeal(
        store, card, PERIOD, "A1", "penalty.execution.rule", "It was another agent"
    )
    done = appeals.decide_appeal(
        store,
        CONFIG,
        filed["appeal_id"],
        uphold=True,
        answer="Wrong agent",
        by="boss",
        void=[wrong["adjustment_id"]],
    )
    moved = {r["agent_id"]: r for r in done["diff"]["rows"]}
    assert moved["A1"]["delta"] == 5.0
    assert moved["A1"]["why"][0]["item"] == "penalty.execution.rule"


def test_entries_go_to_adjustments_and_the_audit_log(store: Store, tmp_path: Path) -> None:
    card = write_card(tmp_path)
    add_agents(store)
    service.open_period(store, card, PERIOD, "boss")
    made = entries.add_entry(
        store,
        agent_id="A1",
        kind="overtime",
        reason="Sunday cover",
        by="boss",
        period=PERIOD,
        day="2026-10-12",
        count=2,
    )
    own = entries.add_score(
        store, agent_id="A1", item="m", points=95, by="A1", own=True, period=PERIOD, scorecard=card
    )
    rate(store, card, {"A1": 88})
    listed = entries.list_entries(store, PERIOD, "A1")
    assert [e["kind"] for e in listed] == ["overtime", "self.m", "supervisor.m"]
    assert listed[0]["adjustment_id"] == made["adjustment_id"] and listed[0]["count"] == 2
    service.compute(store, CONFIG, card, PERIOD, "boss")
    result = service.results(store, card, PERIOD)[1]["A1"]
    assert result["items"][0]["points"] == 88.0 and result["items"][0]["self_score"] == 95.0
    logged = audit.rows(store, agent_id="A1")
    assert [r["action"] for r in logged] == ["entry.add"] * 3
    assert logged[1]["subject"] == own["adjustment_id"] and logged[1]["actor"] == "A1"
    assert json.loads(logged[0]["after_value"])["kind"] == "overtime"
    with pytest.raises(CycleError, match="unknown_kind"):
        entries.add_entry(store, agent_id="A1", kind="bogus", reason="x", by="boss")
    with pytest.raises(CycleError, match="not_manual"):
        entries.add_score(store, agent_id="A1", item="zz", points=1, by="b", scorecard=card)
    with pytest.raises(CycleError, match="date_outside"):
        entries.add_entry(
            store,
            agent_id="A1",
            kind="praise",
            reason="x",
            by="boss",
            period=PERIOD,
            day="2026-11-01",
        )


def test_cross_month_rules_read_only_locked_periods(store: Store, tmp_path: Path) -> None:
    card = write_card(tmp_path)
    add_agents(store, ("A1",))
    for month in ("2026-08", "2026-09"):
        rate(store, card, {"A1": 70}, month)
    # Saved-but-unapproved results (cskpi score) do not count once the cycle runs.
    inputs = StoreInputs(store, CONFIG, "cycle-test")
    for month in ("2026-08", "2026-09"):
        save_results(store, score(load_scorecard(card), inputs, month))
    run_to(store, card, "approved", "2026-08")
    run_to(store, card, "computed", "2026-09")  # computed, not locked
    rate(store, card, {"A1": 70}, PERIOD)
    run_to(store, card, "computed", PERIOD)
    result = service.results(store, card, PERIOD)[1]["A1"]
    assert result["warnings"] == []
    # Once September is locked, the rule sees three months and says which.
    service.review(store, card, "2026-09", "boss")
    service.approve(store, card, "2026-09", "boss")
    done = service.compute(store, CONFIG, card, PERIOD, "boss")
    assert done["history"] == {"2026-08": 1, "2026-09": 1}
    (warning,) = service.results(store, card, PERIOD)[1]["A1"]["warnings"]
    assert warning["kind"] == "elimination"
    assert warning["periods"] == ["2026-10", "2026-09", "2026-08"]
    (version,) = service.versions(store, "cycle-test", PERIOD)
    assert version["history"] == {"2026-08": 1, "2026-09": 1}


def test_audit_chain_verifies_and_names_the_first_tampered_row(
    store: Store, tmp_path: Path
) -> None:
    _published(store, tmp_path)
    verdict = audit.verify(store)
    assert verdict.ok and verdict.rows == 8  # 3 entries + open … publish
    actions = [r["action"] for r in audit.rows(store)]
    assert actions[-5:] == [
        "cycle.open",
        "cycle.compute",
        "cycle.review",
        "cycle.approve",
        "cycle.publish",
    ]
    store.execute("UPDATE cycle_audit SET actor = 'mallory' WHERE seq = 6")
    verdict = audit.verify(store)
    assert (verdict.ok, verdict.bad_seq, verdict.problem) == (False, 6, "hash")


def test_audit_detects_a_recomputed_row_and_a_removed_tail(store: Store, tmp_path: Path) -> None:
    _published(store, tmp_path)
    # Rewriting a row *and* its hash breaks the link of the next row.
    (row,) = [r for r in audit.rows(store) if r["seq"] == 4]
    row["reason"] = "forged"
    digest = audit.row_hash(row["prev_hash"], row)
    store.execute("UPDATE cycle_audit SET reason = 'forged', row_hash = ? WHERE seq = 4", (digest,))
    assert (audit.verify(store).bad_seq, audit.verify(store).problem) == (5, "link")


def test_audit_detects_a_deleted_last_row(store: Store, tmp_path: Path) -> None:
    _published(store, tmp_path)
    store.execute("DELETE FROM cycle_audit WHERE seq = 8")
    verdict = audit.verify(store)
    assert (verdict.ok, verdict.problem) == (False, "head")


def test_no_sales_rule_reads_the_locked_figures_of_earlier_months(
    store: Store, tmp_path: Path
) -> None:
    text = Path(write_card(tmp_path)).read_text("utf-8") + (
        "  no_sales_metric: sales_amount\n  no_sales_periods: 2\n"
    )
    card = write_card(tmp_path, text)
    add_agents(store, ("A1",))
    for month in ("2026-09", PERIOD):
        rate(store, card, {"A1": 90}, month)
    run_to(store, card, "approved", "2026-09")
    frozen = json.loads(
        store.fetchall("SELECT figures FROM cycle_results WHERE period = '2026-09'")[0][0]
    )
    assert "sales_amount" in frozen  # every metric the scorecard reads is frozen
    run_to(store, card, "computed", PERIOD)
    (warning,) = service.results(store, card, PERIOD)[1]["A1"]["warnings"]
    assert (warning["kind"], warning["periods"]) == ("no_sales", ["2026-10", "2026-09"])
    # What September's approval stood on is what counts, whatever the live data says now
    # (here: sales that a later re-import no longer has).
    store.execute(
        "UPDATE cycle_results SET figures = ? WHERE period = '2026-09'",
        (json.dumps({**frozen, "sales_amount": 100.0}),),
    )
    done = service.compute(store, CONFIG, card, PERIOD, "boss")
    assert done["history"] == {"2026-09": 1}
    assert service.results(store, card, PERIOD)[1]["A1"]["warnings"] == []


def test_history_shows_the_locked_version(store: Store, tmp_path: Path) -> None:
    from cskpi.scoring.store_inputs import history

    card = write_card(tmp_path)
    add_agents(store, ("A1",))
    rate(store, card, {"A1": 90})
    run_to(store, card, "approved")
    # `cskpi score` after the lock saves a different result; history keeps the approved one.
    service.compute(store, CONFIG, card, PERIOD, "boss", reason="what-if")
    rate(store, card, {"A1": 60})
    save_results(
        store, score(load_scorecard(card), StoreInputs(store, CONFIG, "cycle-test"), PERIOD)
    )
    (row,) = history(store, "A1")
    assert (row["scorecard"], row["period"], row["total"], row["pay"]) == (
        "cycle-test",
        PERIOD,
        90.0,
        900.0,
    )
