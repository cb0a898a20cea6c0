"""The REST API, endpoint by endpoint: figures equal the engines', drill-downs add up, scores
explain themselves, events are idempotent, personal data is masked, errors are problem+json."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from cskpi.config import load_config
from cskpi.metrics.catalog import format_value
from cskpi.metrics.engine import compute
from cskpi.scoring import load_scorecard, score
from cskpi.scoring.store_inputs import StoreInputs
from cskpi.web.masking import mask_text
from web_app import (  # noqa: F401
    MONTH,
    PASSWORDS,
    World,
    app,
    clients,
    live_batch,
    world,
)

P = f"period={MONTH}"


def store_of(application: Any) -> Any:
    return application.state.service.store


def engine(application: Any, by: list[str], metrics: list[str] | None = None) -> Any:
    service = application.state.service
    with service.lock:
        return compute(service.store, load_config(service.db), by=by, period=MONTH, metrics=metrics)


def test_me_and_periods(clients: dict[str, TestClient], world: World) -> None:  # noqa: F811
    me = clients["agent"].get("/api/me").json()
    assert me["role"] == "agent" and me["agent_id"] == world.own_agent
    assert me["can"]["users.manage"] is False
    assert MONTH in clients["admin"].get("/api/periods").json()["periods"]
    keys = {m["key"] for m in clients["agent"].get("/api/catalog").json()["metrics"]}
    assert {"first_response_time", "reply_rate", "abandon_rate"} <= keys


def test_overview_matches_the_engine(app: Any, clients: dict) -> None:  # noqa: F811
    data = clients["hr"].get(f"/api/overview?{P}").json()
    frame = engine(app, [])
    row = frame.iloc[0].to_dict()
    by_key = {k["key"]: k for k in data["kpis"]}
    for key in ("sessions", "first_response_time", "reply_rate", "abandon_rate", "queue_rate"):
        assert by_key[key]["display"] == format_value(key, row[key]), key
        assert by_key[key]["value"] == pytest.approx(row[key])
    assert len(data["trend"]["days"]) == 31
    sessions = next(s for s in data["trend"]["series"] if s["key"] == "sessions")
    assert sum(v or 0 for v in sessions["values"]) == row["sessions"]
    assert sum(data["hourly"]["requests"]) > 0 and len(data["hourly"]["hours"]) == 24
    for advice in data["advisory"]:
        assert advice["judge"] in ("warn", "bad") and advice["actions"], advice
        assert 1 <= advice["norm"] <= 22


def test_overview_in_english(clients: dict) -> None:  # noqa: F811
    data = clients["hr"].get(f"/api/overview?{P}&lang=en").json()
    assert next(k for k in data["kpis"] if k["key"] == "sessions")["label"] == "Sessions handled"


def test_group_and_team_views(app: Any, clients: dict, world: World) -> None:  # noqa: F811
    frame = engine(app, ["group"], ["sessions", "reply_rate"])
    row = frame[frame["group"] == world.own_group].iloc[0]
    data = clients["supervisor"].get(f"/api/groups/{quote(world.own_group)}?{P}").json()
    sessions = next(k for k in data["kpis"] if k["key"] == "sessions")
    assert sessions["value"] == row["sessions"]
    assert data["agents"] and all(a["group"] == world.own_group for a in data["agents"])
    assert [a["rank"] for a in data["agents"]] == list(range(1, len(data["agents"]) + 1))
    team = clients["hr"].get(f"/api/teams/{quote(world.own_team)}?{P}").json()
    assert team["level"] == "team" and team["agents"]
    listed = clients["supervisor"].get(f"/api/groups?{P}").json()["groups"]
    assert [g["name"] for g in listed] == [world.own_group]


def test_lists_are_narrowed_to_what_the_role_may_see(clients: dict, world: World) -> None:  # noqa: F811
    agents = clients["agent"].get(f"/api/agents?{P}").json()["agents"]
    assert [a["agent_id"] for a in agents] == [world.own_agent]
    sup = clients["supervisor"].get(f"/api/agents?{P}").json()["agents"]
    assert sup and {a["group"] for a in sup} == {world.own_group}
    rows = clients["agent"].get(f"/api/scores?scorecard=general-kpi&{P}").json()["rows"]
    assert [r["agent_id"] for r in rows] == [world.own_agent]
    compare = (
        clients["agent"]
        .get(f"/api/scores/compare?scorecard=general-kpi&other=monthly-plan&{P}")
        .json()["rows"]
    )
    assert [r["agent_id"] for r in compare] == [world.own_agent]
    # a filter for another group gives nothing, not someone else's rows
    other = (
        clients["supervisor"]
        .get(f"/api/scores?scorecard=general-kpi&{P}&group={quote(world.other_group)}")
        .json()
    )
    assert other["rows"] == []


def test_agent_figures_and_drill_down_add_up(app: Any, clients: dict, world: World) -> None:  # noqa: F811
    frame = engine(app, ["agent"], ["sessions", "valid_sessions", "invalid_rate"])
    row = frame[frame["agent_id"] == world.own_agent].iloc[0]
    data = clients["agent"].get(f"/api/agents/{world.own_agent}?{P}").json()
    by_key = {k["key"]: k for k in data["kpis"]}
    assert by_key["sessions"]["value"] == row["sessions"]
    base = f"/api/agents/{world.own_agent}/sessions?{P}&limit=5"
    assert clients["agent"].get(base + "&kind=all").json()["total"] == row["sessions"]
    assert clients["agent"].get(base + "&kind=valid").json()["total"] == row["valid_sessions"]
    invalid = clients["agent"].get(base + "&kind=invalid").json()
    with app.state.service.lock:
        (with_messages,) = store_of(app).fetchall(
            "SELECT COUNT(*) FROM session_facts WHERE agent_id = ? AND is_accepted AND "
            "has_messages AND accepted_date BETWEEN DATE '2026-10-01' AND DATE '2026-10-31'",
            (world.own_agent,),
        )[0]
    assert invalid["total"] / with_messages == pytest.approx(row["invalid_rate"])
    for s in invalid["sessions"]:
        assert {"invalid_no_customer", "invalid_no_agent"} & set(s["reasons"]), s
        assert set(s) >= {"created_at", "accepted_at", "messages", "response_pairs"}
    assert by_key["invalid_rate"]["drill"] == "invalid"


def test_session_detail_has_messages(clients: dict, world: World) -> None:  # noqa: F811
    data = clients["agent"].get(f"/api/sessions/{world.own_session}").json()
    assert data["session_id"] == world.own_session and data["message_log"]
    assert data["agent_id"] == world.own_agent


def test_agent_scores_explain_every_item(app: Any, clients: dict, world: World) -> None:  # noqa: F811
    data = (
        clients["hr"].get(f"/api/agents/{world.own_agent}/scores?scorecard=general-kpi&{P}").json()
    )
    result = data["result"]
    service = app.state.service
    with service.lock:
        expected = score(
            load_scorecard("general-kpi"),
            StoreInputs(service.store, service.config, "general-kpi"),
            MONTH,
            [world.own_agent],
        )[0]
    assert result["total"] == round(expected.total, 2)
    assert all("rule" in i and "points" in i for i in result["items"])
    assert "pay" in result  # hr sees pay
    sup = (
        clients["supervisor"]
        .get(f"/api/agents/{world.own_agent}/scores?scorecard=general-kpi&{P}")
        .json()["result"]
    )
    assert "pay" not in sup  # a supervisor does not
    own = (
        clients["agent"]
        .get(f"/api/agents/{world.own_agent}/scores?scorecard=general-kpi&{P}")
        .json()["result"]
    )
    assert "pay" in own  # an agent sees their own pay


def test_scores_ranking_and_compare(clients: dict) -> None:  # noqa: F811
    data = clients["hr"].get(f"/api/scores?scorecard=general-kpi&{P}").json()
    assert data["rows"] and all("pay" in r and "grade" in r for r in data["rows"])
    sup = clients["supervisor"].get(f"/api/scores?scorecard=general-kpi&{P}").json()
    assert all("pay" not in r for r in sup["rows"])
    compare = (
        clients["hr"]
        .get(f"/api/scores/compare?scorecard=general-kpi&other=monthly-plan&{P}")
        .json()
    )
    assert compare["rows"] and {"total_a", "total_b", "delta", "rank_move"} <= set(
        compare["rows"][0]
    )


def test_scorecard_editor(clients: dict) -> None:  # noqa: F811
    client = clients["supervisor"]
    card = client.get("/api/scorecards/presales-standard").json()
    assert card["yaml"].startswith("#") or "name:" in card["yaml"]
    assert client.post("/api/scorecards/check", json={"yaml": card["yaml"]}).json()["valid"]
    broken = card["yaml"].replace("weight:", "wieght:", 1)
    found = client.post("/api/scorecards/check", json={"yaml": broken}).json()
    assert not found["valid"] and found["findings"][0]["line"] > 1
    preview = client.post(
        "/api/scorecards/preview", json={"yaml": card["yaml"], "period": MONTH}
    ).json()
    assert preview["results"] and all("total" in r for r in preview["results"])
    bad = client.post("/api/scorecards/preview", json={"yaml": broken, "period": MONTH})
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
    assert bad.json()["findings"]


def test_problems_are_problem_json(clients: dict) -> None:  # noqa: F811
    for client, url, status in (
        (clients["anonymous"], "/api/me", 401),
        (clients["agent"], "/api/overview", 403),
        (clients["admin"], "/api/agents/NOPE", 404),
        (clients["admin"], "/api/overview?period=last-tuesday", 400),
        (clients["admin"], "/api/agents/x/sessions?kind=bogus", 422),
    ):
        response = client.get(url)
        assert response.status_code == status, url
        assert response.headers["content-type"].startswith("application/problem+json"), url
        body = response.json()
        assert body["status"] == status and body["detail"] and body["title"], body


def test_tokens_for_scripts(app: Any, clients: dict) -> None:  # noqa: F811
    made = clients["hr"].post("/api/tokens", json={"name": "nightly"}).json()
    script = TestClient(app)
    headers = {"Authorization": f"Bearer {made['token']}"}
    assert script.get("/api/me", headers=headers).json()["role"] == "hr"
    assert script.get("/api/users", headers=headers).status_code == 403
    bad = script.get("/api/me", headers={"Authorization": "Bearer cskpi_nope"})
    assert bad.status_code == 401
    assert clients["hr"].delete(f"/api/tokens/{made['token_id']}").status_code == 200
    assert script.get("/api/me", headers=headers).status_code == 401


def test_forged_cookie_is_refused(app: Any) -> None:  # noqa: F811
    client = TestClient(app)
    client.cookies.set("cskpi_session", "eyJ1IjoiYWRtaW4ifQ.forged.signature")
    assert client.get("/api/me").status_code == 401


def test_users_api(clients: dict) -> None:  # noqa: F811
    admin = clients["admin"]
    made = admin.post(
        "/api/users",
        json={
            "username": "sup2",
            "password": "sup2-pass-1",
            "role": "supervisor",
            "groups": ["售后"],
        },
    )
    assert made.status_code == 201 and made.json()["groups"] == ["售后"]
    names = [u["username"] for u in admin.get("/api/users").json()["users"]]
    assert "sup2" in names and all("password" not in json.dumps(u) for u in names)
    no_group = admin.post(
        "/api/users", json={"username": "sup3", "password": "sup3-pass-1", "role": "supervisor"}
    )
    assert no_group.status_code == 422
    assert admin.delete("/api/users/sup2").status_code == 200
    assert admin.delete("/api/users/admin").status_code == 422


def test_login_is_rate_limited(app: Any) -> None:  # noqa: F811
    client = TestClient(app)
    for _ in range(5):
        wrong = client.post(
            "/login", data={"username": "hr", "password": "nope"}, follow_redirects=False
        )
        assert wrong.status_code == 401
    locked = client.post(
        "/login", data={"username": "hr", "password": PASSWORDS["hr"]}, follow_redirects=False
    )
    assert locked.status_code == 429
    with app.state.service.lock:  # let the other tests log in as hr again
        store_of(app).execute("DELETE FROM web_login_attempts WHERE username = 'hr'")


def test_masking_helpers() -> None:
    text = (
        "电话 13812345678 / +86 139-1234-5678, 座机 021-62345678, "
        "身份证 11010119900307123X, a.b@example.cn"
    )
    masked = mask_text(text)
    for secret in ("13812345678", "1234-5678", "62345678", "19900307", "a.b@example.cn"):
        assert secret not in masked, secret
    assert "138****5678" in masked and "a***@example.cn" in masked
    assert (
        mask_text("S00010350 2026-10-05 11:05:06 订单 88")
        == "S00010350 2026-10-05 11:05:06 订单 88"
    )


def test_events_live_and_masking(app: Any, clients: dict, world: World) -> None:  # noqa: F811
    admin = clients["admin"]
    before = admin.get("/api/live").json()
    batch = live_batch(world.own_agent, world.own_group, "evt")
    first = admin.post("/api/events", json=batch)
    assert first.status_code == 200, first.text
    tables = first.json()["tables"]
    assert tables["sessions"]["inserted"] == 2 and tables["messages"]["inserted"] == 2
    again = admin.post("/api/events", json=batch).json()["tables"]
    assert again["sessions"]["inserted"] == 0 and again["sessions"]["unchanged"] == 2
    assert again["messages"]["unchanged"] == 2
    live = admin.get("/api/live").json()
    assert live["queue"]["waiting"] == before["queue"]["waiting"] + 1
    assert live["queue"]["longest_wait_seconds"] >= 170
    assert live["today"]["accepted"] >= 1 and live["today"]["first_response_time"] is not None
    mine = next(a for a in live["agents"] if a["agent_id"] == world.own_agent)
    assert mine["state"] == "busy" and mine["open_sessions"] >= 1
    # the supervisor of the group sees it too; the message content is masked for them
    assert clients["supervisor"].get("/api/live").json()["queue"]["waiting"] >= 1
    raw = json.dumps(admin.get("/api/sessions/evt-open").json(), ensure_ascii=False)
    assert "13812345678" in raw and "zhang.san@example.com" in raw
    for role in ("agent", "supervisor", "hr"):
        body = clients[role].get("/api/sessions/evt-open")
        assert body.status_code == 200, role
        text = body.text.encode().decode("unicode_escape") if "\\u" in body.text else body.text
        assert "13812345678" not in text and "zhang.san@example.com" not in text, role
        assert "110101199003071234" not in text, role
        assert "138****5678" in text, role
        page = clients[role].get("/sessions/evt-open").text
        assert "13812345678" not in page and "138****5678" in page, role
    assert clients["agent_other"].get("/api/sessions/evt-open").status_code == 403


def test_events_all_bad_is_422(clients: dict) -> None:  # noqa: F811
    bad = clients["admin"].post(
        "/api/events",
        json={
            "sessions": [
                {"session_id": "x1", "channel": "carrier-pigeon", "created_at": "not a time"}
            ]
        },
    )
    assert bad.status_code == 422
    body = bad.json()
    assert body["code"] == "web.error.events_rejected" and body["rejects"]
    assert {r["column"] for r in body["rejects"]} & {"channel", "created_at"}
    partial = (
        clients["admin"]
        .post(
            "/api/events",
            json={
                "sessions": [
                    {"session_id": "ok-1", "created_at": "2026-10-05T10:00:00"},
                    {"session_id": "bad-1", "created_at": "garbage"},
                ]
            },
        )
        .json()
    )
    assert partial["rejected"] == 1 and partial["tables"]["sessions"]["inserted"] == 1
    empty = clients["admin"].post("/api/events", json={})
    assert empty.status_code == 422
    unknown = clients["admin"].post("/api/events", json={"orders": []})
    assert unknown.status_code == 422


def test_live_stream_pushes_on_events(app: Any, clients: dict, world: World) -> None:  # noqa: F811
    import threading

    got: list[dict[str, Any]] = []
    ready = threading.Event()

    def listen() -> None:
        with clients["hr"].stream("GET", "/api/live/stream") as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            for line in response.iter_lines():
                if line.startswith("data: "):
                    got.append(json.loads(line[6:]))
                    ready.set()
                    if len(got) >= 2:
                        return

    thread = threading.Thread(target=listen, daemon=True)
    thread.start()
    assert ready.wait(30)
    version = got[0]["version"]
    batch = live_batch(world.own_agent, world.own_group, "sse")
    assert clients["admin"].post("/api/events", json=batch).status_code == 200
    thread.join(30)
    assert len(got) == 2 and got[1]["version"] > version


def test_manual_entries(app: Any, clients: dict, world: World) -> None:  # noqa: F811
    url = f"/api/agents/{world.own_agent}/entries"
    made = clients["supervisor"].post(
        url, json={"kind": "praise", "reason": "客户来信表扬", "date": f"{MONTH}-20"}
    )
    assert made.status_code == 201, made.text
    assert made.json()["entered_by"] == "supervisor"
    listed = clients["agent"].get(f"{url}?{P}").json()["entries"]
    assert any(e["reason"] == "客户来信表扬" for e in listed)
    unknown = clients["supervisor"].post(url, json={"kind": "nonsense", "reason": "x"})
    assert unknown.status_code == 422


def test_reports_download(clients: dict) -> None:  # noqa: F811
    response = clients["hr"].get(f"/api/reports/workbook?{P}&scorecard=general-kpi")
    assert response.status_code == 200, response.text[:500]
    assert response.content[:2] == b"PK"  # an xlsx is a zip


def test_cycle_state(clients: dict) -> None:  # noqa: F811
    data = clients["hr"].get(f"/api/cycle?scorecard=general-kpi&{P}").json()
    assert data["period"] == MONTH and isinstance(data["cycles"], list)


def test_openapi_documents_every_api_route(app: Any) -> None:  # noqa: F811
    schema = TestClient(app).get("/openapi.json").json()
    paths = set(schema["paths"])
    assert {
        "/api/overview",
        "/api/events",
        "/api/live",
        "/api/scores",
        "/api/agents/{agent_id}/sessions",
    } <= paths
    docs = TestClient(app).get("/docs").text
    assert "/static/vendor/swagger-ui-bundle" in docs and "cdn" not in docs.lower()


def test_events_of_today_keep_last_months_figures_cached(
    app: Any,  # noqa: F811
    clients: dict,  # noqa: F811
    world: World,  # noqa: F811
) -> None:
    service = app.state.service
    clients["hr"].get(f"/api/overview?{P}")
    cached = [k for k in service._cache if k[0] == "figures" and k[1][1] == MONTH]
    assert cached
    batch = live_batch(world.own_agent, world.own_group, "cache")
    assert clients["admin"].post("/api/events", json=batch).status_code == 200
    assert all(k in service._cache for k in cached)  # October is over: nothing to redo
    assert not [k for k in service._cache if k[0] in ("periods", "agents")]
