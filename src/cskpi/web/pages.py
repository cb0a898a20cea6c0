"""Server-rendered pages. Each page has a JSON twin under /api/ with the same figures (linked
from the page), and is built from the same service calls."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from cskpi import __version__
from cskpi.i18n import t
from cskpi.web import api, assess, auth, charts, extras
from cskpi.web.auth import User
from cskpi.web.deps import (
    COOKIE,
    LANG_COOKIE,
    Lang,
    PageUser,
    Problem,
    Svc,
    agent_ref,
    get_lang,
    group_ref,
    require,
    session_ref,
    team_ref,
    visible_agents,
)
from cskpi.web.masking import mask
from cskpi.web.policy import Action, can
from cskpi.web.routing import GuardedRoute, needs_masking
from cskpi.web.service import DRILL, RANK_KEYS, TREND_KEYS, Service

router = APIRouter(route_class=GuardedRoute, include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))
ECHARTS = "vendor/echarts-5.6.0.min.js"
# Inline, so the package data (yaml, po, html, css, js, …) need not list .svg.
FAVICON = "data:image/svg+xml," + quote(
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">'
    '<rect width="32" height="32" rx="6" fill="#1f6feb"/>'
    '<path d="M7 23V9h3v6l5-6h4l-6 7 6 7h-4l-5-6v6z" fill="#fff"/>'
    '<rect x="21" y="15" width="4" height="8" fill="#fff"/></svg>'
)
ENTRY_KINDS = (
    "praise",
    "overtime",
    "suggestion",
    "execution.rule",
    "execution.attitude",
    "execution.neglect",
    "execution.complaint",
    "teamwork.shift",
    "teamwork.handover",
    "report.late",
)


def nav(user: User) -> list[tuple[str, str, str]]:
    """(key, path, message id) of the main menu entries the user may open."""
    items = []
    if can(user, Action.CENTER):
        items.append(("overview", "/overview", "web.nav.overview"))
    if user.role != "agent":
        items += [("groups", "/groups", "web.nav.groups"), ("teams", "/teams", "web.nav.teams")]
    items.append(
        (
            "agents",
            "/agents" if user.role != "agent" else f"/agents/{user.agent_id}",
            "web.nav.agents",
        )
    )
    items.append(("assessment", "/assessment", "web.nav.assessment"))
    if can(user, Action.LIVE):
        items.append(("live", "/live", "web.nav.live"))
    if can(user, Action.SCORECARD):
        items.append(("scorecards", "/scorecards", "web.nav.scorecards"))
    if can(user, Action.USERS):
        items.append(("users", "/admin/users", "web.nav.users"))
    return items


def render(
    request: Request, name: str, lang: str, context: dict[str, Any], status: int = 200
) -> HTMLResponse:
    """A page; its data is masked for every role but admin (the same mask as the API)."""
    user: User | None = getattr(request.state, "user", None)
    data = mask(context) if needs_masking(request) else context
    service: Service = request.app.state.service
    query = dict(request.query_params)
    query.pop("lang", None)
    base = {
        "request": request,
        "user": user,
        "lang": lang,
        "version": __version__,
        "_": lambda key, **params: t(key, lang, **params),
        "nav": nav(user) if user else [],
        "favicon": FAVICON,
        "echarts": ECHARTS,
        "center": service.config.center,
        "path": request.url.path,
        "other_lang": "en" if lang != "en" else "zh_CN",
        "here": request.url.path + ("?" + urlencode(query) if query else ""),
        "q": quote,
    }
    return templates.TemplateResponse(request, name, base | data, status_code=status)


def _period(service: Service, text: str | None) -> Any:
    return api.period_of(service, text)


@router.get("/", response_class=RedirectResponse)
def home(user: PageUser) -> RedirectResponse:
    if can(user, Action.CENTER):
        return RedirectResponse("/overview", 303)
    return RedirectResponse(f"/agents/{user.agent_id}", 303)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, lang: Lang, next: str = "/") -> HTMLResponse:
    return render(request, "login.html", lang, {"next": next, "error": None})


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    service: Svc,
    lang: Lang,
    username: str = Form(...),
    password: str = Form(...),
    next: str = Form("/"),
) -> Response:
    ip = request.client.host if request.client else "?"
    error = None
    with service.lock:
        try:
            user = auth.authenticate(service.store, username, password, ip)
        except auth.AuthError as locked:
            user, error = None, t(locked.code, lang, **locked.params)
    if user is None:
        return render(
            request,
            "login.html",
            lang,
            {"next": next, "error": error or t("web.login.failed", lang)},
            status=429 if error else 401,
        )
    target = next if next.startswith("/") and not next.startswith("//") else "/"
    response = RedirectResponse(target, 303)
    response.set_cookie(
        COOKIE,
        auth.make_cookie(request.app.state.serializer, user),
        max_age=auth.SESSION_MAX_AGE,
        httponly=True,
        samesite="lax",
    )
    return response


@router.post("/logout", response_class=RedirectResponse)
def logout() -> RedirectResponse:
    response = RedirectResponse("/login", 303)
    response.delete_cookie(COOKIE)
    return response


@router.get("/lang/{code}", response_class=RedirectResponse)
def switch_language(code: str, next: str = "/") -> RedirectResponse:
    target = next if next.startswith("/") and not next.startswith("//") else "/"
    response = RedirectResponse(target, 303)
    response.set_cookie(
        LANG_COOKIE, "en" if code.startswith("en") else "zh_CN", max_age=365 * 86400, samesite="lax"
    )
    return response


# --- figures -------------------------------------------------------------------------------


@router.get("/overview", response_class=HTMLResponse)
def overview_page(
    request: Request, user: PageUser, service: Svc, lang: Lang, period: str | None = None
) -> HTMLResponse:
    require(user, Action.CENTER)
    data = service.overview(_period(service, period), lang)
    return render(
        request,
        "overview.html",
        lang,
        {
            "data": data,
            "periods": service.periods(),
            "api": f"/api/overview?period={data['period']}",
            "trend_chart": charts.trend(data["trend"], TREND_KEYS[:3], lang),
            "rate_chart": charts.trend(
                data["trend"], ("sessions", "reply_rate", "abandon_rate"), lang
            ),
            "hourly_chart": charts.hourly(data["hourly"], lang),
            "active": "overview",
        },
    )


@router.get("/groups", response_class=HTMLResponse)
def groups_page(
    request: Request, user: PageUser, service: Svc, lang: Lang, period: str | None = None
) -> HTMLResponse:
    data = api.groups(user, service, lang, period)
    return render(
        request,
        "units.html",
        lang,
        {
            "data": data,
            "units": data["groups"],
            "level": "group",
            "units_chart": charts.units(data["groups"], lang) if data["groups"] else None,
            "periods": service.periods(),
            "api": f"/api/groups?period={data['period']}",
            "active": "groups",
        },
    )


@router.get("/teams", response_class=HTMLResponse)
def teams_page(
    request: Request, user: PageUser, service: Svc, lang: Lang, period: str | None = None
) -> HTMLResponse:
    data = api.teams(user, service, lang, period)
    return render(
        request,
        "units.html",
        lang,
        {
            "data": data,
            "units": data["teams"],
            "level": "team",
            "units_chart": charts.units(data["teams"], lang) if data["teams"] else None,
            "periods": service.periods(),
            "api": f"/api/teams?period={data['period']}",
            "active": "teams",
        },
    )


def _unit_page(
    request: Request,
    user: User,
    service: Service,
    lang: str,
    level: str,
    name: str,
    period: str | None,
    sort: str,
) -> HTMLResponse:
    data = (api.group_view if level == "group" else api.team_view)(
        name, user, service, lang, period, sort
    )
    return render(
        request,
        "unit.html",
        lang,
        {
            "data": data,
            "periods": service.periods(),
            "api": f"/api/{level}s/{quote(name)}?period={data['period']}",
            "trend_chart": charts.trend(data["trend"], TREND_KEYS[:3], lang),
            "hourly_chart": charts.hourly(data["hourly"], lang) if data["hourly"] else None,
            "rank_keys": RANK_KEYS,
            "active": f"{level}s",
        },
    )


@router.get("/groups/{group}", response_class=HTMLResponse)
def group_page(
    group: str,
    request: Request,
    user: PageUser,
    service: Svc,
    lang: Lang,
    period: str | None = None,
    sort: str = "sessions",
) -> HTMLResponse:
    require(user, Action.GROUP, group_ref(service, group))
    return _unit_page(request, user, service, lang, "group", group, period, sort)


@router.get("/teams/{team}", response_class=HTMLResponse)
def team_page(
    team: str,
    request: Request,
    user: PageUser,
    service: Svc,
    lang: Lang,
    period: str | None = None,
    sort: str = "sessions",
) -> HTMLResponse:
    require(user, Action.TEAM, team_ref(service, team))
    return _unit_page(request, user, service, lang, "team", team, period, sort)


@router.get("/agents", response_class=HTMLResponse)
def agents_page(
    request: Request,
    user: PageUser,
    service: Svc,
    lang: Lang,
    period: str | None = None,
    sort: str = "sessions",
) -> Response:
    if user.role == "agent":
        return RedirectResponse(f"/agents/{user.agent_id}", 303)
    data = api.agents(user, service, lang, period, sort)
    return render(
        request,
        "agents.html",
        lang,
        {
            "data": data,
            "periods": service.periods(),
            "rank_keys": RANK_KEYS,
            "api": f"/api/agents?period={data['period']}&sort={sort}",
            "active": "agents",
        },
    )


@router.get("/agents/{agent_id}", response_class=HTMLResponse)
def agent_page(
    agent_id: str,
    request: Request,
    user: PageUser,
    service: Svc,
    lang: Lang,
    period: str | None = None,
    scorecard: str | None = None,
) -> HTMLResponse:
    ref = agent_ref(service, agent_id)
    require(user, Action.AGENT, ref)
    p = _period(service, period)
    data = service.agent_figures(agent_id, p, lang)
    scores = api.agent_scores(agent_id, user, service, p.label, scorecard)
    result = scores["result"]
    return render(
        request,
        "agent.html",
        lang,
        {
            "data": data,
            "scores": scores,
            "periods": service.periods(),
            "scorecards": assess.scorecards(service),
            "adjustments": extras.entries(agent_id, user, service, p.label)["entries"],
            "can_enter": can(user, Action.ENTRIES, ref),
            "kinds": ENTRY_KINDS,
            "api": f"/api/agents/{quote(agent_id)}?period={p.label}",
            "trend_chart": charts.trend(data["trend"], TREND_KEYS[:3], lang),
            "score_chart": charts.score_items(result, lang) if result and result["items"] else None,
            "show_pay": can(user, Action.PAY, ref),
            "active": "agents",
            "extras": request.app.state.extras,
        },
    )


@router.get("/agents/{agent_id}/sessions", response_class=HTMLResponse)
def sessions_page(
    agent_id: str,
    request: Request,
    user: PageUser,
    service: Svc,
    lang: Lang,
    period: str | None = None,
    kind: str = "all",
    day: date | None = None,
    offset: int = 0,
) -> HTMLResponse:
    require(user, Action.AGENT, agent_ref(service, agent_id))
    if kind not in DRILL:
        raise Problem(400, "web.error.bad_kind", kind=kind, allowed=", ".join(DRILL))
    p = _period(service, period)
    data = service.sessions(agent_id, p, kind, day, 50, max(offset, 0))
    query = f"period={p.label}&kind={kind}" + (f"&day={day}" if day else "")
    return render(
        request,
        "sessions.html",
        lang,
        {
            "data": data,
            "agent": service.agent(agent_id),
            "kinds": list(DRILL),
            "api": f"/api/agents/{quote(agent_id)}/sessions?{query}",
            "query": query,
            "active": "agents",
        },
    )


@router.get("/sessions/{session_id}", response_class=HTMLResponse)
def session_page(
    session_id: str, request: Request, user: PageUser, service: Svc, lang: Lang
) -> HTMLResponse:
    require(user, Action.SESSION, session_ref(service, session_id))
    data = service.session_detail(session_id)
    return render(
        request,
        "session.html",
        lang,
        {"data": data, "api": f"/api/sessions/{quote(session_id)}", "active": "agents"},
    )


# --- assessment ----------------------------------------------------------------------------


@router.get("/assessment", response_class=HTMLResponse)
def assessment_page(
    request: Request,
    user: PageUser,
    service: Svc,
    lang: Lang,
    scorecard: str = "presales-standard",
    period: str | None = None,
    group: str | None = None,
    team: str | None = None,
    other: str | None = None,
) -> HTMLResponse:
    data = api.scores(user, service, scorecard, period, group or None, team or None)
    compare = api.scores_compare(user, service, scorecard, other, data["period"]) if other else None
    visible = visible_agents(service, user)
    try:
        cycles = extras.cycle_status(user, service, scorecard, data["period"])["cycles"]
    except Problem:
        cycles = []
    return render(
        request,
        "assessment.html",
        lang,
        {
            "cycle": cycles[0] if cycles else None,
            "can_reports": can(user, Action.REPORTS),
            "data": data,
            "compare": compare,
            "other": other,
            "periods": service.periods(),
            "scorecards": assess.scorecards(service),
            "group": group,
            "team": team,
            "groups": sorted({a["group"] for a in visible if a["group"]}),
            "teams": sorted({a["team"] for a in visible if a["team"]}),
            "show_pay": any("pay" in r for r in data["rows"]) or user.role in ("admin", "hr"),
            "api": f"/api/scores?scorecard={scorecard}&period={data['period']}",
            "active": "assessment",
            "extras": request.app.state.extras,
        },
    )


@router.get("/live", response_class=HTMLResponse)
def live_page(request: Request, user: PageUser, service: Svc, lang: Lang) -> HTMLResponse:
    data = api.live(user, service)
    return render(
        request,
        "live.html",
        lang,
        {
            "data": data,
            "api": "/api/live",
            "active": "live",
            "state_chart": charts.states(data["states"], lang),
            "state_names": {k: t(f"web.state.{k}", lang) for k in data["states"]},
        },
    )


@router.get("/scorecards", response_class=HTMLResponse)
def scorecards_page(request: Request, user: PageUser, service: Svc, lang: Lang) -> HTMLResponse:
    require(user, Action.SCORECARD)
    return render(
        request,
        "scorecards.html",
        lang,
        {"cards": assess.scorecards(service), "api": "/api/scorecards", "active": "scorecards"},
    )


@router.get("/scorecards/{name}", response_class=HTMLResponse)
def scorecard_page(
    name: str, request: Request, user: PageUser, service: Svc, lang: Lang
) -> HTMLResponse:
    data = api.scorecard_view(name, user)
    return render(
        request,
        "scorecard.html",
        lang,
        {
            "data": data,
            "periods": service.periods(),
            "api": f"/api/scorecards/{quote(name)}",
            "active": "scorecards",
        },
    )


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, user: PageUser, service: Svc, lang: Lang) -> HTMLResponse:
    data = api.users(user, service)
    return render(
        request,
        "users.html",
        lang,
        {"data": data, "groups": service.groups(), "api": "/api/users", "active": "users"},
    )


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    lang = get_lang(request)
    return render(
        request,
        "error.html",
        lang,
        {"status": status, "message": message, "title": t(f"web.status.{status}", lang)},
        status=status,
    )
