"""FastAPI dependencies: the current user, the service, the language, and the checks every
route makes through :func:`cskpi.web.policy.can`. Errors are problem+json (RFC 9457)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request

from cskpi.i18n import t
from cskpi.web import auth
from cskpi.web.auth import User
from cskpi.web.policy import Action, Agent, Group, Object, Session, Team, can
from cskpi.web.service import Service

COOKIE = "cskpi_session"
LANG_COOKIE = "cskpi_lang"


class Problem(HTTPException):
    """An error answered as problem+json; `code` is a message id of the web catalog."""

    def __init__(self, status: int, code: str, **params: Any) -> None:
        super().__init__(status_code=status, detail=code)
        self.code = code
        self.params = params


class LoginRequired(Exception):
    """A page was opened without a session: the app redirects to the login page."""


def get_service(request: Request) -> Service:
    return request.app.state.service


def get_lang(request: Request) -> str:
    wanted = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE) or ""
    return "en" if wanted.lower().startswith("en") else "zh_CN"


def _resolve(request: Request) -> User | None:
    service = get_service(request)
    header = request.headers.get("authorization", "")
    with service.lock:
        if header.lower().startswith("bearer "):
            user = auth.user_of_token(service.store, header[7:].strip())
            if user is None:
                raise Problem(401, "web.error.bad_token")
            return user
        cookie = request.cookies.get(COOKIE)
        if cookie:
            username = auth.read_cookie(request.app.state.serializer, cookie)
            if username:
                return auth.get_user(service.store, username)
    return None


def current_user(request: Request) -> User:
    """The user of an API call (bearer token or session cookie); 401 without one."""
    user = _resolve(request)
    if user is None:
        raise Problem(401, "web.error.login_required")
    request.state.user = user
    return user


def page_user(request: Request) -> User:
    """The user of a page; without a session the browser goes to the login page."""
    try:
        user = _resolve(request)
    except Problem:
        user = None
    if user is None:
        raise LoginRequired
    request.state.user = user
    return user


CurrentUser = Annotated[User, Depends(current_user)]
PageUser = Annotated[User, Depends(page_user)]
Svc = Annotated[Service, Depends(get_service)]
Lang = Annotated[str, Depends(get_lang)]


def require(user: User, action: Action, obj: Object = None) -> None:
    """403 unless the policy allows it (404 is not used to hide objects: ids are not secret,
    the data behind them is)."""
    if not can(user, action, obj):
        raise Problem(403, "web.error.forbidden")


def agent_ref(service: Service, agent_id: str) -> Agent:
    return Agent(agent_id, service.agent(agent_id)["group"])


def team_ref(service: Service, team: str) -> Team:
    teams = service.teams()
    if team not in teams:
        raise Problem(404, "web.error.no_team", team=team)
    return Team(team, teams[team])


def group_ref(service: Service, group: str) -> Group:
    if group not in service.groups():
        raise Problem(404, "web.error.no_group", group=group)
    return Group(group)


def session_ref(service: Service, session_id: str) -> Session:
    agent_id, groups = service.session_owner(session_id)
    return Session(agent_id, groups)


def visible_agents(service: Service, user: User) -> list[dict[str, Any]]:
    """The agents whose figures the user may see (every list is narrowed by this)."""
    return [
        a for a in service.agents() if can(user, Action.AGENT, Agent(a["agent_id"], a["group"]))
    ]


def visible_groups(service: Service, user: User) -> list[str]:
    return [g for g in service.groups() if can(user, Action.GROUP, Group(g))]


def visible_teams(service: Service, user: User) -> list[str]:
    return [
        name
        for name, groups in service.teams().items()
        if can(user, Action.TEAM, Team(name, groups))
    ]


def problem_body(status: int, code: str, lang: str, **params: Any) -> dict[str, Any]:
    return {
        "type": f"https://cskpi.dev/problems/{code}",
        "title": t(f"web.status.{status}", lang),
        "status": status,
        "detail": t(code, lang, **params),
        "code": code,
    }
