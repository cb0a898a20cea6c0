"""Tests of the demo data generator: contract shape, consistency, realism, formats."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from cskpi.demo import vocab
from cskpi.demo.generator import generate, write_contract_folder, write_folder
from cskpi.demo.schema import CONTRACT_SCHEMAS, ENUMS

NULL = np.iinfo(np.int64).min
TS_US = pa.timestamp("us", tz="UTC")


@pytest.fixture(scope="module")
def month() -> dict[str, pa.Table]:
    return generate("2026-10", seed=7, agents=40, messages=200_000)


def _ts(table: pa.Table, col: str) -> np.ndarray:
    """A timestamp column as int64 microseconds, NULL for missing."""
    return table[col].cast(pa.int64()).fill_null(NULL).to_numpy()


def test_contract_columns_and_types(month: dict[str, pa.Table]) -> None:
    assert set(month) == set(CONTRACT_SCHEMAS)
    for name, schema in CONTRACT_SCHEMAS.items():
        assert month[name].schema.remove_metadata().equals(schema), name
        assert month[name].num_rows > 0, name


def test_enum_values_allowed(month: dict[str, pa.Table]) -> None:
    for (table, col), allowed in ENUMS.items():
        seen = set(pc.unique(month[table][col]).drop_null().to_pylist())
        assert seen <= allowed, (table, col, seen - allowed)


def test_deterministic_by_seed() -> None:
    a = generate(seed=3, messages=30_000)
    b = generate(seed=3, messages=30_000)
    c = generate(seed=4, messages=30_000)
    for name in a:
        assert a[name].equals(b[name]), name
    assert not a["messages"].equals(c["messages"])
    sink_a, sink_b = io.BytesIO(), io.BytesIO()
    pq.write_table(a["sessions"], sink_a)
    pq.write_table(b["sessions"], sink_b)
    assert sink_a.getvalue() == sink_b.getvalue()


def test_keys_unique(month: dict[str, pa.Table]) -> None:
    for table, col in [
        ("agents", "agent_id"),
        ("sessions", "session_id"),
        ("messages", "message_id"),
        ("ratings", "session_id"),
        ("orders", "order_id"),
        ("qa_reviews", "review_id"),
        ("adjustments", "adjustment_id"),
    ]:
        assert len(pc.unique(month[table][col])) == month[table].num_rows, table
    att = month["attendance"].group_by(["agent_id", "date"]).aggregate([])
    assert att.num_rows == month["attendance"].num_rows
    st = month["agent_states"].group_by(["agent_id", "started_at"]).aggregate([])
    assert st.num_rows == month["agent_states"].num_rows


def test_session_time_order(month: dict[str, pa.Table]) -> None:
    s = month["sessions"]
    created, queued = _ts(s, "created_at"), _ts(s, "queued_at")
    accepted, ended, abandoned = _ts(s, "accepted_at"), _ts(s, "ended_at"), _ts(s, "abandoned_at")
    assert (created != NULL).all() and (ended != NULL).all()
    q = queued != NULL
    assert (queued[q] >= created[q]).all()
    a = accepted != NULL
    assert (accepted[a] >= created[a]).all()
    assert (accepted[a & q] >= queued[a & q]).all()
    assert (ended[a] >= accepted[a]).all()
    ab = abandoned != NULL
    assert not (ab & a).any()
    assert (ended[ab] == abandoned[ab]).all()
    # Abandoned requests have no agent; accepted ones do.
    assert s["agent_id"].is_null().to_numpy(zero_copy_only=False)[ab].all()
    assert not s["agent_id"].is_null().to_numpy(zero_copy_only=False)[a].any()


def test_messages_inside_their_session(month: dict[str, pa.Table]) -> None:
    s, m = month["sessions"], month["messages"]
    idx = pc.index_in(m["session_id"], value_set=s["session_id"]).to_numpy(zero_copy_only=False)
    assert not np.isnan(idx.astype(float)).any()
    idx = idx.astype(np.int64)
    sent = _ts(m, "sent_at")
    assert (sent >= _ts(s, "created_at")[idx]).all()
    assert (sent <= _ts(s, "ended_at")[idx]).all()
    # Message ids follow time inside a session.
    same = idx[1:] == idx[:-1]
    assert (sent[1:][same] >= sent[:-1][same]).all()
    agent_msg = pc.equal(m["sender"], "agent").to_numpy(zero_copy_only=False)
    assert not m["agent_id"].is_null().to_numpy(zero_copy_only=False)[agent_msg].any()
    # Some customers write while still queued, before accepted_at.
    cust = pc.equal(m["sender"], "customer").to_numpy(zero_copy_only=False)
    acc = _ts(s, "accepted_at")[idx]
    assert (cust & (acc != NULL) & (sent < acc)).sum() > 0


def test_transfers_and_chains(month: dict[str, pa.Table]) -> None:
    s = month["sessions"]
    prev = s["previous_session_id"]
    has_prev = prev.is_valid().to_numpy(zero_copy_only=False)
    assert has_prev.sum() > 0
    pos = pc.index_in(prev, value_set=s["session_id"]).to_numpy(zero_copy_only=False)
    pos = np.asarray(pos[has_prev], dtype=np.int64)
    out = s["transferred_out"].to_numpy(zero_copy_only=False)
    assert out[pos].all()
    assert out.sum() == has_prev.sum()  # every transfer has its next leg
    agents = np.array(s["agent_id"].to_pylist(), dtype=object)
    assert (agents[pos] != agents[has_prev]).all()
    assert (_ts(s, "created_at")[has_prev] == _ts(s, "ended_at")[pos]).all()
    # A chain of three legs: the previous leg itself has a previous leg.
    assert has_prev[pos].any()
    rate = out.sum() / s["accepted_at"].is_valid().to_numpy(zero_copy_only=False).sum()
    assert 0.01 < rate < 0.06


def test_realism_features(month: dict[str, pa.Table]) -> None:
    s, m, ag = month["sessions"], month["messages"], month["agents"]
    n = s.num_rows
    origin = pc.value_counts(s["origin"]).to_pylist()
    share = {d["values"]: d["counts"] / n for d in origin}
    assert 0.04 < share["callback"] < 0.12
    abandoned = s["abandoned_at"].is_valid().to_numpy(zero_copy_only=False).mean()
    assert 0.03 < abandoned < 0.08
    with_msgs = set(pc.unique(m["session_id"]).to_pylist())
    phone = s.filter(pc.equal(s["channel"], "phone"))["session_id"].to_pylist()
    assert phone and not (set(phone) & with_msgs)
    assert set(pc.unique(m["source"]).drop_null().to_pylist()) == {"manual", "canned", "kb", "auto"}
    assert set(pc.unique(m["sender"]).to_pylist()) == {"customer", "agent", "system", "bot"}
    tags = s["tags"].drop_null().to_pylist()
    assert any(t.split(";")[0] == "lead" for t in tags) and any("退换货" in t for t in tags)
    assert pc.sum(s["agent_offline"]).as_py() > 0
    assert 1 <= ag["left_on"].drop_null().__len__() <= 3
    assert pc.sum(pc.match_substring_regex(m["content"], r"1[358]\d{9}")).as_py() > 0
    assert pc.sum(pc.match_substring(m["content"], "@")).as_py() > 0
    # Repeat customers exist.
    assert len(pc.unique(s["customer_id"])) < n * 0.95
    # Invalid legs of both kinds and unanswered callbacks.
    senders = m.group_by("session_id").aggregate([("sender", "distinct")])
    kinds = [set(x) for x in senders["sender_distinct"].to_pylist()]
    assert any("customer" in k and "agent" not in k for k in kinds)
    assert any("agent" in k and "customer" not in k for k in kinds)


def test_side_tables(month: dict[str, pa.Table]) -> None:
    o, r, q = month["orders"], month["ratings"], month["qa_reviews"]
    assert pc.sum(o["fake"]).as_py() > 0
    assert o["refunded_amount"].null_count < o.num_rows
    assert 0 < o["paid_at"].null_count < o.num_rows * 0.2
    assert 0 < o["agent_id"].null_count < o.num_rows
    assert o["deposit_amount"].null_count < o.num_rows
    ses_customers = set(month["sessions"]["customer_id"].to_pylist())
    assert any(c not in ses_customers for c in o["customer_id"].to_pylist())  # silent orders
    sids = set(month["sessions"]["session_id"].to_pylist())
    assert set(r["session_id"].to_pylist()) <= sids and set(q["session_id"].to_pylist()) <= sids
    stars = r["stars"].drop_null().to_numpy()
    assert stars.min() >= 1 and stars.max() <= 5 and stars.mean() > 4.2
    # About 60 % of invitations get a rating.
    assert 0.25 < r["stars"].null_count / r.num_rows < 0.6
    scores = q["score"].to_numpy()
    assert scores.min() >= 85 and (scores < 97).any() and (scores >= 97).mean() > 0.5
    kinds = set(month["adjustments"]["kind"].to_pylist())
    assert {"praise", "supervisor", "execution.rule"} <= kinds
    t = month["targets"]
    assert {"sales_amount", "leads", "callbacks", "aov"} <= set(t["metric"].to_pylist())
    assert any(x.startswith("group:") for x in t["scope"].to_pylist())
    att = month["attendance"]
    assert set(att["leave"].to_pylist()) >= {"none"}
    states = set(month["agent_states"]["state"].to_pylist())
    assert states == {"idle", "busy", "away", "offline"}


def test_messages_scaling() -> None:
    tables = generate(seed=1, messages=200_000)
    assert 180_000 <= tables["messages"].num_rows <= 220_000
    assert tables["agents"].num_rows == 40


@pytest.mark.parametrize("fmt", ["csv", "parquet", "jsonl", "xlsx"])
def test_write_folder_round_trip(tmp_path: Path, fmt: str) -> None:
    tables = generate(seed=2, agents=6, messages=2_000)
    small = {k: v.slice(0, 300) for k, v in tables.items()}
    paths = write_folder(small, tmp_path, fmt)
    assert sorted(p.name for p in paths) == sorted(f"{k}.{fmt}" for k in small)
    for name, table in small.items():
        path = tmp_path / f"{name}.{fmt}"
        if fmt == "parquet":
            assert pq.read_table(path).equals(table)
            continue
        if fmt == "csv":
            back = pacsv.read_csv(
                path,
                convert_options=pacsv.ConvertOptions(
                    column_types=dict.fromkeys(table.schema.names, pa.string())
                ),
            )
            header = path.read_bytes().split(b"\n", 1)[0].decode("utf-8")
            assert header.replace('"', "").split(",") == table.schema.names
            cols = back.column_names
            rows = back.num_rows
        elif fmt == "jsonl":
            lines = path.read_text(encoding="utf-8").splitlines()
            recs = [json.loads(x) for x in lines]
            cols = list(recs[0]) if recs else table.schema.names
            rows = len(recs)
        else:
            from python_calamine import CalamineWorkbook

            data = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
            cols, rows = data[0], len(data) - 1
        assert cols == table.schema.names, name
        assert rows == table.num_rows, name
    if fmt in ("csv", "jsonl"):
        text = (tmp_path / f"sessions.{fmt}").read_text(encoding="utf-8")
        assert "+08:00" in text and "T" in text


def test_write_contract_folder(tmp_path: Path) -> None:
    paths = write_contract_folder(tmp_path, seed=5, fmt="csv", agents=5, messages=3_000)
    assert len(paths) == len(CONTRACT_SCHEMAS)
    sessions = pacsv.read_csv(tmp_path / "sessions.csv")
    assert sessions.num_rows > 0


def _col(table: pa.Table, name: str) -> np.ndarray:
    return np.array(table[name].to_pylist(), dtype=object)


def test_foreign_keys_and_side_table_order(month: dict[str, pa.Table]) -> None:
    agents = set(month["agents"]["agent_id"].to_pylist())
    for table in ("sessions", "messages", "agent_states", "orders", "qa_reviews", "attendance"):
        assert set(month[table]["agent_id"].drop_null().to_pylist()) <= agents, table
    assert set(month["adjustments"]["agent_id"].to_pylist()) <= agents
    scopes = [x for x in month["targets"]["scope"].to_pylist() if x.startswith("agent:")]
    assert {x.removeprefix("agent:") for x in scopes} <= agents

    s, m = month["sessions"], month["messages"]
    pos = pc.index_in(m["session_id"], value_set=s["session_id"]).to_numpy(zero_copy_only=False)
    agent_msg = pc.equal(m["sender"], "agent").to_numpy(zero_copy_only=False)
    assert (_col(m, "agent_id")[agent_msg] == _col(s, "agent_id")[pos[agent_msg]]).all()
    # Only agent and bot messages carry a source.
    src_set = m.filter(pc.is_valid(m["source"]))["sender"].unique().to_pylist()
    assert set(src_set) <= {"agent", "bot"}

    o = month["orders"]
    created, paid, refunded = _ts(o, "created_at"), _ts(o, "paid_at"), _ts(o, "refunded_at")
    assert (paid[paid != NULL] >= created[paid != NULL]).all()
    assert (refunded[refunded != NULL] >= paid[refunded != NULL]).all()
    assert (paid[refunded != NULL] != NULL).all()
    amount = o["amount"].cast(pa.float64()).to_numpy()
    ref = o["refunded_amount"].cast(pa.float64()).to_numpy(zero_copy_only=False)
    dep = o["deposit_amount"].cast(pa.float64()).to_numpy(zero_copy_only=False)
    assert (ref[~np.isnan(ref)] <= amount[~np.isnan(ref)]).all()
    assert (dep[~np.isnan(dep)] < amount[~np.isnan(dep)]).all()
    assert set(o["items"].to_pylist()) <= {1, 2, 3, 4}

    ended = dict(zip(s["session_id"].to_pylist(), _ts(s, "ended_at"), strict=True))
    sess_agent = dict(zip(s["session_id"].to_pylist(), s["agent_id"].to_pylist(), strict=True))
    r = month["ratings"]
    for sid, at in zip(r["session_id"].to_pylist(), _ts(r, "rated_at"), strict=True):
        assert at == NULL or at >= ended[sid]
    q = month["qa_reviews"]
    for sid, agent, at in zip(
        q["session_id"].to_pylist(), q["agent_id"].to_pylist(), _ts(q, "reviewed_at"), strict=True
    ):
        assert at >= ended[sid] and agent == sess_agent[sid]


def test_states_attendance_and_turnover(month: dict[str, pa.Table]) -> None:
    st = month["agent_states"]
    agent = _col(st, "agent_id")
    start, end = _ts(st, "started_at"), _ts(st, "ended_at")
    closed = end != NULL
    assert (end[closed] > start[closed]).all()
    same = agent[1:] == agent[:-1]
    # Sorted by agent then start; each state ends where the next begins (no overlaps).
    assert (start[1:][same] >= start[:-1][same]).all()
    assert (end[:-1][same] == start[1:][same]).all()
    assert (~closed).sum() == len(set(agent))  # one open offline spell per agent

    att = month["attendance"]
    cin, cout = _ts(att, "clock_in"), _ts(att, "clock_out")
    worked = cin != NULL
    assert (cout[worked] > cin[worked]).all()
    leave = _col(att, "leave")
    assert set(leave) >= {"none", "personal"} and (cin[leave != "none"] == NULL).all()
    assert att["leave_days"].to_numpy().sum() > 0

    ag = month["agents"]
    left = {
        a: d
        for a, d in zip(ag["agent_id"].to_pylist(), ag["left_on"].to_pylist(), strict=True)
        if d is not None
    }
    s = month["sessions"].filter(pc.is_valid(month["sessions"]["accepted_at"]))
    days = pc.cast(pc.local_timestamp(s["accepted_at"]), pa.date32()).to_pylist()
    for a, d in zip(s["agent_id"].to_pylist(), days, strict=True):
        assert a not in left or d < left[a]


def test_agent_offline_requests_arrive_while_the_agent_is_offline(
    month: dict[str, pa.Table],
) -> None:
    s = month["sessions"].filter(month["sessions"]["agent_offline"])
    assert s.num_rows > 0
    assert s["queued_at"].null_count == s.num_rows
    st = month["agent_states"]
    spells: dict[str, list[tuple[int, int, str]]] = {}
    for agent, state, start, end in zip(
        st["agent_id"].to_pylist(),
        st["state"].to_pylist(),
        _ts(st, "started_at"),
        _ts(st, "ended_at"),
        strict=True,
    ):
        spells.setdefault(agent, []).append((int(start), int(end), state))
    for agent, created, accepted in zip(
        s["agent_id"].to_pylist(), _ts(s, "created_at"), _ts(s, "accepted_at"), strict=True
    ):
        assert accepted > created
        state_at = [
            x[2] for x in spells[agent] if x[0] <= created and (x[1] == NULL or created < x[1])
        ]
        # Before the first login of the month there is no state row at all.
        assert state_at in ([], ["offline"])
        state_acc = [
            x[2] for x in spells[agent] if x[0] <= accepted and (x[1] == NULL or accepted < x[1])
        ]
        assert state_acc and state_acc[0] != "offline"


def test_legs_are_accepted_while_the_agent_is_logged_in(month: dict[str, pa.Table]) -> None:
    st = month["agent_states"]
    ids = {a: i for i, a in enumerate(month["agents"]["agent_id"].to_pylist())}
    big = 10**10
    st_agent = np.array([ids[a] for a in st["agent_id"].to_pylist()])
    st_key = st_agent * big + _ts(st, "started_at") // 1_000_000
    st_end = _ts(st, "ended_at")
    assert (np.diff(st_key) > 0).all()  # sorted by agent, then start
    s = month["sessions"].filter(pc.is_valid(month["sessions"]["accepted_at"]))
    agent = np.array([ids[a] for a in s["agent_id"].to_pylist()])
    accepted = _ts(s, "accepted_at")
    spell = np.searchsorted(st_key, agent * big + accepted // 1_000_000, side="right") - 1
    inside = (st_agent[spell] == agent) & ((st_end[spell] == NULL) | (accepted < st_end[spell]))
    offline = np.array(st["state"].to_pylist())[spell] == "offline"
    logged_in = inside & ~offline
    assert logged_in.mean() > 0.999


def test_arrival_peaks_and_skill_spread(month: dict[str, pa.Table]) -> None:
    s = month["sessions"]
    hours = pc.hour(pc.cast(s["created_at"], pa.timestamp("us", tz="Asia/Shanghai")))
    counts = np.bincount(hours.to_numpy(), minlength=24)
    assert counts[10] > 1.5 * counts[15] and counts[20] > 1.5 * counts[15]
    assert counts[3] < counts[10] / 50
    q = month["qa_reviews"].group_by("agent_id").aggregate([("score", "mean")])
    spread = q["score_mean"].to_numpy()
    assert spread.max() - spread.min() > 2
    per_agent = (
        s.filter(pc.is_valid(s["agent_id"]))
        .group_by("agent_id")
        .aggregate([("session_id", "count")])
    )
    n = per_agent["session_id_count"].to_numpy()
    assert n.max() > 1.5 * n.min()


def test_csv_timestamps_are_local_with_offset_and_parse_back(tmp_path: Path) -> None:
    tables = generate(seed=9, agents=5, messages=5_000, tz="Europe/Berlin")
    write_folder({"sessions": tables["sessions"]}, tmp_path, "csv")
    text = (tmp_path / "sessions.csv").read_text(encoding="utf-8")
    # October 2026 crosses the end of summer time in Berlin.
    assert "+02:00" in text and "+01:00" in text
    back = pacsv.read_csv(
        tmp_path / "sessions.csv",
        convert_options=pacsv.ConvertOptions(
            column_types={
                "created_at": pa.timestamp("s", tz="UTC"),
                "ended_at": pa.timestamp("s", tz="UTC"),
            }
        ),
    )
    for col in ("created_at", "ended_at"):
        assert back[col].cast(TS_US).equals(tables["sessions"][col])


def test_csv_bytes_identical_for_same_seed(tmp_path: Path) -> None:
    a = write_contract_folder(tmp_path / "a", seed=11, agents=4, messages=2_000)
    b = write_contract_folder(tmp_path / "b", seed=11, agents=4, messages=2_000)
    for pa_, pb in zip(a, b, strict=True):
        assert pa_.read_bytes() == pb.read_bytes(), pa_.name


def test_bad_arguments() -> None:
    with pytest.raises(ValueError):
        generate("2026/10")
    with pytest.raises(ValueError):
        write_folder({}, Path("."), "xml")


# --- what the scorecards read: manual scores, their kinds, targets -------------------------


def _adjustments(month: dict[str, pa.Table]) -> list[dict]:
    return month["adjustments"].to_pylist()


def test_every_manual_item_has_supervisor_and_self_scores(month: dict[str, pa.Table]) -> None:
    from cskpi.demo.needs import template_needs

    rows = _adjustments(month)
    agents = month["agents"].to_pylist()
    roles = {a["agent_id"]: a["role"] for a in agents}
    needs = template_needs()
    assert needs.manual  # the shipped templates have manual items
    for need in needs.manual:
        wanted = {a for a, r in roles.items() if vocab.ROLES.index(r) in need.groups}
        sup = {r["agent_id"]: r for r in rows if r["kind"] == need.kind}
        own = {r["agent_id"]: r for r in rows if r["kind"] == need.self_kind}
        assert set(sup) == wanted == set(own), need.kind
        for r in (*sup.values(), *own.values()):
            assert 0 <= r["points"] <= need.scale and r["count"] is None, r
            assert r["reason"] and need.label in r["reason"]
        assert all(r["entered_by"].endswith("（主管）") for r in sup.values())
        assert all(not r["entered_by"].endswith("（主管）") for r in own.values())
        # Self scores run a little above the supervisor's; both follow skill.
        diff = np.mean([own[a]["points"] - sup[a]["points"] for a in wanted])
        assert 0 < diff < 0.15 * need.scale, need.kind
        assert len({r["points"] for r in sup.values()}) > 1, need.kind


def test_every_kind_a_template_reads_is_in_the_month(month: dict[str, pa.Table]) -> None:
    from cskpi.scoring import list_templates, load_scorecard
    from cskpi.scoring.walk import kind_refs

    kinds = set(month["adjustments"]["kind"].to_pylist())
    for name in list_templates():
        card = load_scorecard(name)
        read = {kind for _, kind in kind_refs(card)} | set(card.adjustment_kinds)
        read |= {
            f"{prefix}.{item.key}"
            for item in card.items
            if item.rule.type == "manual"
            for prefix in ("supervisor", "self")
        }
        assert read <= kinds, (name, sorted(read - kinds))
    for r in _adjustments(month):
        assert r["reason"] and r["entered_by"], r
        assert (r["count"] is None) != (r["points"] is None), r


def test_scorecard_kinds_are_plausible(month: dict[str, pa.Table]) -> None:
    rows = _adjustments(month)
    team = {a["agent_id"]: a["team"] for a in month["agents"].to_pylist()}
    role = {a["agent_id"]: a["role"] for a in month["agents"].to_pylist()}
    traffic = [r for r in rows if r["kind"] == "figure.traffic"]
    assert len(traffic) == month["agents"].num_rows  # the store's figure, for every operator
    per_team: dict[str, set[float]] = {}
    for r in traffic:
        assert 0.85 <= r["points"] <= 1.15
        per_team.setdefault(team[r["agent_id"]], set()).add(r["points"])
    assert all(len(v) == 1 for v in per_team.values())
    errors = [r for r in rows if r["kind"] == "aftersales.error"]
    assert errors and {role[r["agent_id"]] for r in errors} == {"aftersales"}
    deposit = [r for r in rows if r["kind"] == "deposit.shortfall"]
    assert deposit and all(100 <= r["points"] <= 800 for r in deposit)
    small = sum(r["count"] for r in rows if r["kind"] == "new_customer.small")
    large = sum(r["count"] for r in rows if r["kind"] == "new_customer.large")
    assert small > large > 0


def test_attendance_kinds_match_the_attendance_table(month: dict[str, pa.Table]) -> None:
    rows = _adjustments(month)
    personal = {
        (a["agent_id"], a["date"])
        for a in month["attendance"].to_pylist()
        if a["leave"] == "personal"
    }
    entered = {(r["agent_id"], r["date"]) for r in rows if r["kind"] == "attendance.personal_leave"}
    assert personal and entered == personal
    short = [r for r in rows if r["kind"] == "attendance.short_day"]
    assert short and {r["reason"] for r in short} <= set(
        vocab.ADJUSTMENT_REASONS["attendance.short_day"]
    )


def test_targets_at_every_scope(month: dict[str, pa.Table]) -> None:
    from cskpi.demo.needs import template_needs

    t = month["targets"].to_pylist()
    by = {(r["scope"], r["metric"]): r["target"] for r in t}
    teams = set(month["agents"]["team"].to_pylist())
    agents = month["agents"].to_pylist()
    for metric in template_needs().target_metrics:
        scopes = {s for s, m in by if m == metric}
        assert "center" in scopes, metric
        assert any(s.startswith("group:") for s in scopes), metric
        assert any(s.startswith("team:") for s in scopes), metric
    for team in teams:
        for metric in ("sales_amount", "inquiry_conversion", "aov"):
            assert (f"team:{team}", metric) in by, (team, metric)
    for metric in ("inquiry_conversion", "resolution_rate"):
        rates = [v for (s, m), v in by.items() if m == metric]
        assert rates and all(0 < v < 1 for v in rates), metric
    # A pooled count's target is the sum of its agents' targets (the scope's own figure).
    for team in teams:
        members = [a["agent_id"] for a in agents if a["team"] == team]
        total = sum(by[(f"agent:{a}", "callbacks")] for a in members)
        assert by[(f"team:{team}", "callbacks")] == pytest.approx(total)
    assert all((f"agent:{a['agent_id']}", "sessions") in by for a in agents)


def test_a_new_scorecard_gets_demo_data_without_code() -> None:
    from cskpi.scoring.testing import scorecard

    card = scorecard(
        """
name: tidy-desk
title: {zh: 桌面整洁, en: Tidy desk}
applies_to: {roles: [vip]}
adjustment_kinds: [desk.mess]
items:
  - key: tidy
    label: {zh: 桌面整洁度, en: Tidiness}
    weight: 60
    scale: 20
    rule: {type: manual}
  - key: mess
    label: {zh: 乱放物品, en: Mess}
    weight: 40
    rule: {type: deductions, lines: [{label: {zh: 乱放物品, en: Mess}, kind: desk.mess, points: 5}]}
"""
    )
    tables = generate(seed=2, agents=6, messages=3_000, scorecards=[card])
    rows = tables["adjustments"].to_pylist()
    vip = {a["agent_id"] for a in tables["agents"].to_pylist() if a["role"] == "vip"}
    tidy = [r for r in rows if r["kind"] == "supervisor.tidy"]
    assert {r["agent_id"] for r in tidy} == vip
    assert all(0 <= r["points"] <= 20 for r in tidy)
    assert any(r["kind"] == "self.tidy" for r in rows)
    mess = [r for r in rows if r["kind"] == "desk.mess"]
    assert mess and {r["agent_id"] for r in mess} <= vip
    assert all(r["reason"] == "乱放物品" for r in mess)
    # Kinds of the shipped templates are not generated when only this card is asked for.
    assert not any(r["kind"].startswith("supervisor.compliance") for r in rows)
