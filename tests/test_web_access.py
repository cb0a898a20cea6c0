"""The access matrix: every route × every role × own/other object.

Each route of the app must be listed in MATRIX with the roles that may use it; the test
fails for a route that is not (so a new route cannot ship without deciding who may call it).
Roles: A admin, H hr, S supervisor (of the own agent's group), G agent (the own agent),
"-" anonymous. A role not allowed gets 403 (API) or 403 page; anonymous gets 401 (API) or a
redirect to the login page (pages).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pytest
from starlette.routing import Mount

from web_app import MONTH, World, app, clients, live_batch, world  # noqa: F401

ROLES = {"A": "admin", "H": "hr", "S": "supervisor", "G": "agent"}
PUBLIC = "AHSG-"


@dataclass(frozen=True)
class Case:
    method: str
    route: str  # the route's path template, as in app.routes
    obj: str  # "own", "other" or "-" (no object)
    allowed: str  # letters of ROLES (and "-" for anonymous) that succeed
    url: str = ""  # template filled from the world; default: the route
    ok: int = 200
    body: Any = field(default=None, compare=False)
    page: bool = False
    redirect: str = ""  # roles sent elsewhere (303) instead of refused


def cases() -> list[Case]:
    out: list[Case] = []

    def both(
        method: str,
        route: str,
        own: str,
        other: str,
        url: str,
        ok: int = 200,
        body: Any = None,
        page: bool = False,
    ) -> None:
        for obj, allowed in (("own", own), ("other", other)):
            out.append(Case(method, route, obj, allowed, url, ok, body, page))

    def one(
        method: str,
        route: str,
        allowed: str,
        url: str = "",
        ok: int = 200,
        body: Any = None,
        page: bool = False,
        redirect: str = "",
    ) -> None:
        out.append(Case(method, route, "-", allowed, url or route, ok, body, page, redirect))

    p = f"period={MONTH}"
    # API
    one("GET", "/api/me", "AHSG")
    one("GET", "/api/periods", "AHSG")
    one("GET", "/api/catalog", "AHSG")
    one("GET", "/api/overview", "AHS", f"/api/overview?{p}")
    one("GET", "/api/groups", "AHSG", f"/api/groups?{p}")
    both("GET", "/api/groups/{group}", "AHS", "AH", "/api/groups/{group}?" + p)
    one("GET", "/api/teams", "AHSG", f"/api/teams?{p}")
    both("GET", "/api/teams/{team}", "AHS", "AH", "/api/teams/{team}?" + p)
    one("GET", "/api/agents", "AHSG", f"/api/agents?{p}")
    both("GET", "/api/agents/{agent_id}", "AHSG", "AH", "/api/agents/{agent}?" + p)
    both(
        "GET",
        "/api/agents/{agent_id}/sessions",
        "AHSG",
        "AH",
        "/api/agents/{agent}/sessions?kind=invalid&" + p,
    )
    both(
        "GET",
        "/api/agents/{agent_id}/scores",
        "AHSG",
        "AH",
        "/api/agents/{agent}/scores?scorecard=general-kpi&" + p,
    )
    both("GET", "/api/agents/{agent_id}/entries", "AHSG", "AH", "/api/agents/{agent}/entries?" + p)
    both(
        "POST",
        "/api/agents/{agent_id}/entries",
        "AHS",
        "AH",
        "/api/agents/{agent}/entries",
        201,
        {"kind": "praise", "reason": "客户点名表扬", "date": f"{MONTH}-15"},
    )
    both("GET", "/api/sessions/{session_id}", "AHSG", "AH", "/api/sessions/{session}")
    one("GET", "/api/scorecards", "AHSG")
    one("GET", "/api/scorecards/{name}", "AHS", "/api/scorecards/general-kpi")
    one("POST", "/api/scorecards/check", "AHS", body="yaml")
    one("POST", "/api/scorecards/preview", "AHS", body="yaml")
    one("GET", "/api/scores", "AHSG", f"/api/scores?scorecard=general-kpi&{p}")
    one(
        "GET",
        "/api/scores/compare",
        "AHSG",
        f"/api/scores/compare?scorecard=general-kpi&other=monthly-plan&{p}",
    )
    one("GET", "/api/cycle", "AHSG", f"/api/cycle?scorecard=general-kpi&{p}")
    one("GET", "/api/reports/{kind}", "AH", f"/api/reports/workbook?{p}")
    one("GET", "/api/live", "AHS")
    one("GET", "/api/live/stream", "AHS")
    one("POST", "/api/events", "A", body="events")
    one("GET", "/api/users", "A")
    one(
        "POST",
        "/api/users",
        "A",
        ok=201,
        body={"username": "new-user", "password": "pass-word-1", "role": "hr"},
    )
    one("DELETE", "/api/users/{username}", "A", "/api/users/{victim}")
    one("GET", "/api/tokens", "AHSG")
    one("POST", "/api/tokens", "AHSG", ok=201, body={"name": "script"})
    both("DELETE", "/api/tokens/{token_id}", "AHSG", "A", "/api/tokens/{token}")
    # pages
    one("GET", "/", "AHSG", ok=303, page=True)
    one("GET", "/login", PUBLIC, page=True)
    one("POST", "/login", PUBLIC, ok=401, body="login", page=True)
    one("POST", "/logout", PUBLIC, ok=303, page=True)
    one("GET", "/lang/{code}", PUBLIC, "/lang/en", ok=303, page=True)
    one("GET", "/overview", "AHS", page=True)
    one("GET", "/groups", "AHSG", page=True)
    one("GET", "/teams", "AHSG", page=True)
    both("GET", "/groups/{group}", "AHS", "AH", "/groups/{group}", page=True)
    both("GET", "/teams/{team}", "AHS", "AH", "/teams/{team}", page=True)
    one("GET", "/agents", "AHS", page=True, redirect="G")
    both(
        "GET",
        "/agents/{agent_id}",
        "AHSG",
        "AH",
        "/agents/{agent}?scorecard=general-kpi",
        page=True,
    )
    both("GET", "/agents/{agent_id}/sessions", "AHSG", "AH", "/agents/{agent}/sessions", page=True)
    both("GET", "/sessions/{session_id}", "AHSG", "AH", "/sessions/{session}", page=True)
    one("GET", "/assessment", "AHSG", "/assessment?scorecard=general-kpi", page=True)
    one("GET", "/live", "AHS", page=True)
    one("GET", "/scorecards", "AHS", page=True)
    one("GET", "/scorecards/{name}", "AHS", "/scorecards/general-kpi", page=True)
    one("GET", "/admin/users", "A", page=True)
    one("GET", "/docs", PUBLIC, page=True)
    one("GET", "/openapi.json", PUBLIC, page=True)
    one("GET", "/static", PUBLIC, "/static/app.css", page=True)
    return out


CASES = cases()


def app_routes(application: Any) -> set[tuple[str, str]]:
    """(method, path) of every route, including those of included routers (FastAPI ≥ 0.16x
    keeps an included router as one entry and resolves its routes lazily)."""
    found: set[tuple[str, str]] = set()

    def add(route: Any) -> None:
        if isinstance(route, Mount):
            found.add(("GET", route.path))
        elif hasattr(route, "effective_route_contexts"):
            for context in route.effective_route_contexts():
                add(context)
        elif hasattr(route, "routes") and not hasattr(route, "methods"):
            for child in route.routes:
                add(child)
        else:
            for method in getattr(route, "methods", None) or ():
                if method != "HEAD":
                    found.add((method, route.path))

    for route in application.routes:
        add(route)
    return found


def test_every_route_is_in_the_matrix(app: Any) -> None:  # noqa: F811
    listed = {(c.method, c.route) for c in CASES}
    missing = sorted(app_routes(app) - listed)
    assert not missing, f"routes without an access decision in MATRIX: {missing}"
    stale = sorted(listed - app_routes(app))
    assert not stale, f"MATRIX lists routes the app does not have: {stale}"


def _fill(case: Case, world: World, clients: dict, role: str) -> tuple[str, Any]:  # noqa: F811
    own = case.obj != "other"
    admin = clients["admin"]
    values = {
        "agent": world.own_agent if own else world.other_agent,
        "group": quote(world.own_group if own else world.other_group),
        "team": quote(world.own_team if own else world.other_team),
        "session": world.own_session if own else world.other_session,
    }
    if "{victim}" in case.url:
        admin.post(
            "/api/users", json={"username": "victim", "password": "victim-pass", "role": "hr"}
        )
        values["victim"] = "victim"
    if "{token}" in case.url:
        owner = clients[role] if own and role != "anonymous" else clients["agent_other"]
        values["token"] = owner.post("/api/tokens", json={"name": "t"}).json()["token_id"]
    url = case.url.format(**values)
    body = case.body
    if body == "yaml":
        text = admin.get("/api/scorecards/general-kpi").json()["yaml"]
        body = {"yaml": text, "period": MONTH}
    elif body == "events":
        body = live_batch(world.own_agent, world.own_group, f"acl-{role}")
    return url, body


@pytest.mark.parametrize("role", ["admin", "hr", "supervisor", "agent", "anonymous"])
@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.method} {c.url or c.route} {c.obj}")
def test_access(case: Case, role: str, world: World, clients: dict) -> None:  # noqa: F811
    letter = "-" if role == "anonymous" else next(k for k, v in ROLES.items() if v == role)
    client = clients[role]
    url, body = _fill(case, world, clients, role)
    if case.route == "/api/live/stream":
        with client.stream("GET", url) as response:
            status = response.status_code
    elif case.route == "/login" and case.method == "POST":
        status = client.post(
            url, data={"username": "nobody", "password": "wrong"}, follow_redirects=False
        ).status_code
    elif case.route == "/logout":
        status = client.post(url, follow_redirects=False).status_code
        if role != "anonymous":  # log back in for the next cases
            from web_app import login

            login(client, role)
    else:
        status = client.request(case.method, url, json=body, follow_redirects=False).status_code
    if letter in case.redirect:
        expected = 303
    elif letter in case.allowed:
        expected = case.ok
    elif role == "anonymous":
        expected = 303 if case.page else 401
    else:
        expected = 403
    assert status == expected, f"{role} {case.method} {url}: {status} != {expected}"
