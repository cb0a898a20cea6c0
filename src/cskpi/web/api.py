"""The REST API under /api/: every figure the pages show, as JSON (OpenAPI at /docs).

Each handler resolves the user (token or cookie), asks the policy about the object it reads,
and returns plain data; the app masks personal data in every response (cskpi.web.app).
"""

from __future__ import annotations

import asyncio
import json
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from cskpi.ingest.importer import ImportError_, import_records
from cskpi.metrics.catalog import catalog
from cskpi.metrics.engine import MetricError
from cskpi.metrics.periods import PeriodError, parse_period
from cskpi.web import assess, auth
from cskpi.web.deps import (
    CurrentUser,
    Lang,
    Problem,
    Svc,
    agent_ref,
    group_ref,
    require,
    session_ref,
    team_ref,
    visible_agents,
    visible_groups,
    visible_teams,
)
from cskpi.web.masking import mask
from cskpi.web.policy import Action, Agent, can
from cskpi.web.routing import GuardedRoute
from cskpi.web.service import DRILL, RANK_KEYS, Service, figure, first_day

router = APIRouter(prefix="/api", route_class=GuardedRoute)

PeriodQuery = Annotated[
    str | None,
    Query(description="2026-10, 2026-W42, 2026-10-05, a..b; default: the latest month with data"),
]
DrillKind = Literal[tuple(DRILL)]  # type: ignore[valid-type]


def period_of(service: Service, text: str | None) -> Any:
    try:
        return service.period(text)
    except PeriodError:
        raise Problem(400, "web.error.bad_period", period=text) from None


# --- who am I, what is there ---------------------------------------------------------------


@router.get("/me", summary="The current user and what the role may do")
def me(user: CurrentUser) -> dict[str, Any]:
    return user.to_dict() | {
        "can": {
            a.value: can(user, a)
            for a in Action
            if a not in (Action.GROUP, Action.TEAM, Action.AGENT, Action.SESSION, Action.PAY)
        }
    }


@router.get("/periods", summary="Months with data, latest first")
def periods(user: CurrentUser, service: Svc) -> dict[str, Any]:
    return {"periods": service.periods()}


@router.get("/catalog", summary="Every metric: label, unit, direction, industry, range")
def metric_catalog(user: CurrentUser, lang: Lang) -> dict[str, Any]:
    return {
        "metrics": [
            {
                "key": m.key,
                "label": m.label(lang),
                "category": m.category,
                "unit": m.unit,
                "direction": m.direction,
                "industry": m.industry,
                "recommended": {"min": m.recommended_min, "max": m.recommended_max},
                "scope": list(m.scope),
            }
            for m in catalog().values()
        ]
    }


# --- figures ---------------------------------------------------------------------------------


@router.get("/overview", summary="整体运营: the center's KPIs, trend, queue by hour, advisory")
def overview(
    user: CurrentUser, service: Svc, lang: Lang, period: PeriodQuery = None
) -> dict[str, Any]:
    require(user, Action.CENTER)
    return service.overview(period_of(service, period), lang)


def _units(
    service: Service, level: str, names: list[str], period: Any, lang: str
) -> list[dict[str, Any]]:
    frame = service.figures([level], period.label)
    column = "group" if level == "group" else "team"
    rows = {r[column]: r for r in frame.to_dict("records")}
    return [
        {
            "name": n,
            "figures": [
                figure(k, rows.get(n, {}).get(k), lang)
                for k in RANK_KEYS
                if level in (catalog()[k].scope)
            ],
        }
        for n in names
    ]


@router.get("/groups", summary="工作组: the groups the user may see, with key figures")
def groups(
    user: CurrentUser, service: Svc, lang: Lang, period: PeriodQuery = None
) -> dict[str, Any]:
    p = period_of(service, period)
    return {
        "period": p.label,
        "groups": _units(service, "group", visible_groups(service, user), p, lang),
    }


@router.get("/groups/{group}", summary="One group: figures, trend, advisory, agents ranked")
def group_view(
    group: str,
    user: CurrentUser,
    service: Svc,
    lang: Lang,
    period: PeriodQuery = None,
    sort: str = "sessions",
) -> dict[str, Any]:
    require(user, Action.GROUP, group_ref(service, group))
    agents = [a for a in visible_agents(service, user) if a["group"] == group]
    return service.unit("group", group, period_of(service, period), agents, sort, lang)


@router.get("/teams", summary="业务团队: the teams the user may see, with key figures")
def teams(
    user: CurrentUser, service: Svc, lang: Lang, period: PeriodQuery = None
) -> dict[str, Any]:
    p = period_of(service, period)
    return {
        "period": p.label,
        "teams": _units(service, "team", visible_teams(service, user), p, lang),
    }


@router.get("/teams/{team}", summary="One team: figures, trend, advisory, agents ranked")
def team_view(
    team: str,
    user: CurrentUser,
    service: Svc,
    lang: Lang,
    period: PeriodQuery = None,
    sort: str = "sessions",
) -> dict[str, Any]:
    require(user, Action.TEAM, team_ref(service, team))
    agents = [a for a in visible_agents(service, user) if a["team"] == team]
    return service.unit("team", team, period_of(service, period), agents, sort, lang)


@router.get("/agents", summary="客服: the agents the user may see, ranked by a figure")
def agents(
    user: CurrentUser, service: Svc, lang: Lang, period: PeriodQuery = None, sort: str = "sessions"
) -> dict[str, Any]:
    p = period_of(service, period)
    return {
        "period": p.label,
        "sort": sort,
        "agents": service.ranking(p, visible_agents(service, user), sort, lang),
    }


@router.get("/agents/{agent_id}", summary="One agent: figures, trend by day, advisory")
def agent_view(
    agent_id: str, user: CurrentUser, service: Svc, lang: Lang, period: PeriodQuery = None
) -> dict[str, Any]:
    require(user, Action.AGENT, agent_ref(service, agent_id))
    return service.agent_figures(agent_id, period_of(service, period), lang)


@router.get(
    "/agents/{agent_id}/sessions",
    summary="Drill-down: the sessions behind a figure, with why each counted",
)
def agent_sessions(
    agent_id: str,
    user: CurrentUser,
    service: Svc,
    period: PeriodQuery = None,
    kind: DrillKind = "all",
    day: date | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    require(user, Action.AGENT, agent_ref(service, agent_id))
    return service.sessions(agent_id, period_of(service, period), kind, day, limit, offset)


@router.get(
    "/agents/{agent_id}/scores",
    summary="An agent's scorecard result, item by item, with the rule that applied",
)
def agent_scores(
    agent_id: str,
    user: CurrentUser,
    service: Svc,
    period: PeriodQuery = None,
    scorecard: str | None = None,
) -> dict[str, Any]:
    ref = agent_ref(service, agent_id)
    require(user, Action.AGENT, ref)
    p = period_of(service, period)
    agent = service.agent(agent_id)
    name = scorecard or assess.default_card(agent)
    found = [r for r in assess.results(service, name, p.label) if r.agent_id == agent_id]
    return {
        "period": p.label,
        "scorecard": name,
        "result": assess.result_dict(found[0], agent, can(user, Action.PAY, ref))
        if found
        else None,
    }


@router.get("/sessions/{session_id}", summary="One session with its messages (masked)")
def session_view(session_id: str, user: CurrentUser, service: Svc) -> dict[str, Any]:
    require(user, Action.SESSION, session_ref(service, session_id))
    return service.session_detail(session_id)


# --- assessment ------------------------------------------------------------------------------


@router.get("/scorecards", summary="Shipped scorecards")
def scorecards(user: CurrentUser, service: Svc) -> dict[str, Any]:
    return {"scorecards": assess.scorecards(service)}


@router.get("/scorecards/{name}", summary="A scorecard's YAML and findings")
def scorecard_view(name: str, user: CurrentUser) -> dict[str, Any]:
    require(user, Action.SCORECARD)
    text = assess.card_text(name)
    return {"name": name, "yaml": text, "findings": assess.check(text)}


class ScorecardText(BaseModel):
    model_config = ConfigDict(extra="forbid")
    yaml: str = Field(max_length=200_000)
    period: str | None = None


@router.post("/scorecards/check", summary="Validate scorecard YAML (line-numbered findings)")
def scorecard_check(body: ScorecardText, user: CurrentUser) -> dict[str, Any]:
    require(user, Action.SCORECARD)
    findings = assess.check(body.yaml)
    return {"valid": not any(f["severity"] == "error" for f in findings), "findings": findings}


@router.post("/scorecards/preview", summary="Score a period with edited YAML (nothing saved)")
def scorecard_preview(body: ScorecardText, user: CurrentUser, service: Svc) -> dict[str, Any]:
    require(user, Action.SCORECARD)
    p = period_of(service, body.period)
    found, findings = assess.preview(service, body.yaml, p.label)
    if found is None:
        raise Problem(422, "web.error.bad_scorecard", findings=findings)
    return {"period": p.label, "findings": findings, "results": _ranking_rows(service, user, found)}


def _ranking_rows(service: Service, user: Any, results: list) -> list[dict[str, Any]]:  # type: ignore
    agents = {a["agent_id"]: a for a in service.agents()}
    rows = []
    for r in results:
        agent = agents.get(r.agent_id)
        ref = Agent(r.agent_id, agent["group"] if agent else None)
        if can(user, Action.AGENT, ref):
            rows.append(assess.ranking_row(r, agent, can(user, Action.PAY, ref)))
    return sorted(rows, key=lambda r: (r["rank"] is None, r["rank"] or 0, r["agent_id"]))


@router.get("/scores", summary="考核: ranking with grade and pay for a scorecard and period")
def scores(
    user: CurrentUser,
    service: Svc,
    scorecard: str = "presales-standard",
    period: PeriodQuery = None,
    group: str | None = None,
    team: str | None = None,
) -> dict[str, Any]:
    require(user, Action.SCORES)
    p = period_of(service, period)
    rows = _ranking_rows(service, user, assess.results(service, scorecard, p.label))
    rows = [
        r
        for r in rows
        if (group is None or r["group"] == group) and (team is None or r["team"] == team)
    ]
    return {"scorecard": scorecard, "period": p.label, "rows": rows}


@router.get("/scores/compare", summary="What-if: totals and ranks under two scorecards")
def scores_compare(
    user: CurrentUser, service: Svc, scorecard: str, other: str, period: PeriodQuery = None
) -> dict[str, Any]:
    require(user, Action.SCORES)
    p = period_of(service, period)
    agents = {a["agent_id"]: a for a in service.agents()}
    rows = [
        r
        for r in assess.what_if(service, scorecard, other, p.label)
        if can(
            user, Action.AGENT, Agent(r["agent_id"], (agents.get(r["agent_id"]) or {}).get("group"))
        )
    ]
    for r in rows:
        r["name"] = (agents.get(r["agent_id"]) or {}).get("name")
    return {"scorecard": scorecard, "other": other, "period": p.label, "rows": rows}


# --- live ------------------------------------------------------------------------------------


REFRESH_SECONDS = 15.0


def _live_groups(user: Any) -> tuple[str, ...] | None:
    return None if user.role in ("admin", "hr") else tuple(sorted(user.groups))


@router.get("/live", summary="实时监控: queue, agents by state, today's FRT/ART, concurrency")
def live(user: CurrentUser, service: Svc) -> dict[str, Any]:
    require(user, Action.LIVE)
    with service.lock:
        return service.live(_live_groups(user))


@router.get(
    "/live/stream",
    summary="The live snapshot as server-sent events (on every change)",
    response_class=StreamingResponse,
)
async def live_stream(request: Request, user: CurrentUser, service: Svc) -> StreamingResponse:
    require(user, Action.LIVE)
    groups = _live_groups(user)
    loop = asyncio.get_running_loop()
    wake: asyncio.Queue[int] = asyncio.Queue()

    def listener(version: int) -> None:
        loop.call_soon_threadsafe(wake.put_nowait, version)

    def snapshot() -> str:
        with service.lock:
            data = service.live(groups)
        return json.dumps(mask(data), ensure_ascii=False, default=str)

    async def events() -> Any:
        service.listeners.append(listener)
        try:
            yield "retry: 2000\n\n"
            data = await run_in_threadpool(snapshot)
            yield f"event: live\ndata: {data}\n\n"
            idle = 0.0
            while not await request.is_disconnected():
                try:
                    await asyncio.wait_for(wake.get(), timeout=1.0)
                except TimeoutError:
                    idle += 1.0
                    if idle < REFRESH_SECONDS:
                        continue  # refresh anyway now and then: waits grow with the clock
                idle = 0.0
                data = await run_in_threadpool(snapshot)
                yield f"event: live\ndata: {data}\n\n"
        finally:
            service.listeners.remove(listener)

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


class EventBatch(BaseModel):
    """Contract records (data-contract.md), batched; each table is upserted by its key."""

    model_config = ConfigDict(extra="forbid")
    sessions: list[dict[str, Any]] = Field(default_factory=list, max_length=50_000)
    messages: list[dict[str, Any]] = Field(default_factory=list, max_length=200_000)
    agent_states: list[dict[str, Any]] = Field(default_factory=list, max_length=50_000)


@router.post("/events", summary="Push live events: sessions, messages, agent states (idempotent)")
def post_events(batch: EventBatch, user: CurrentUser, service: Svc) -> dict[str, Any]:
    require(user, Action.EVENTS)
    records = {k: v for k, v in batch.model_dump().items() if v}
    if not records:
        raise Problem(422, "web.error.no_events")
    with service.lock:
        try:
            result = import_records(service.store, records, service.config, source="api")
        except ImportError_ as error:
            raise Problem(422, "web.error.events_rejected", count=0, detail=error.code) from None
    tables = {
        name: {k: v for k, v in vars(s).items() if k not in ("table", "files")}
        for name, s in result.summaries.items()
    }
    rejects = [
        {"table": r.table, "record": r.line, "column": r.column, "code": r.code, "value": r.value}
        for r in result.rejects[:200]
    ]
    accepted = sum(s.inserted + s.updated + s.unchanged for s in result.summaries.values())
    if accepted == 0:
        raise Problem(422, "web.error.events_rejected", count=result.rejected_rows, rejects=rejects)
    service.changed(first_day(records, service.config.timezone))
    return {
        "import_id": result.import_id,
        "tables": tables,
        "rejected": result.rejected_rows,
        "rejects": rejects,
    }


# --- accounts --------------------------------------------------------------------------------


class NewUser(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=8, max_length=256)
    role: Literal["admin", "hr", "supervisor", "agent"]
    groups: list[str] = Field(default_factory=list)
    agent_id: str | None = None
    display_name: str | None = None


@router.get("/users", summary="Accounts (admin)")
def users(user: CurrentUser, service: Svc) -> dict[str, Any]:
    require(user, Action.USERS)
    with service.lock:
        return {"users": [u.to_dict() for u in auth.list_users(service.store)]}


@router.post("/users", status_code=201, summary="Create or replace an account (admin)")
def create_user(body: NewUser, user: CurrentUser, service: Svc) -> dict[str, Any]:
    require(user, Action.USERS)
    with service.lock:
        try:
            created = auth.add_user(
                service.store,
                body.username,
                body.password,
                body.role,
                body.groups,
                body.agent_id,
                body.display_name,
            )
        except auth.AuthError as error:
            raise Problem(422, error.code, **error.params) from None
    return created.to_dict()


@router.delete("/users/{username}", summary="Remove an account and its tokens (admin)")
def delete_user(username: str, user: CurrentUser, service: Svc) -> dict[str, Any]:
    require(user, Action.USERS)
    if username == user.username:
        raise Problem(422, "web.error.self_delete")
    with service.lock:
        if not auth.remove_user(service.store, username):
            raise Problem(404, "web.error.no_user", user=username)
    return {"deleted": username}


class NewToken(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field("", max_length=100)


@router.get("/tokens", summary="API tokens of the current user (admin: all)")
def tokens(user: CurrentUser, service: Svc) -> dict[str, Any]:
    require(user, Action.TOKENS)
    with service.lock:
        owner = None if can(user, Action.USERS) else user.username
        return {"tokens": auth.list_tokens(service.store, owner)}


@router.post(
    "/tokens",
    status_code=201,
    summary="A new API token for scripts (shown once; send as `Authorization: Bearer`)",
)
def create_token(body: NewToken, user: CurrentUser, service: Svc) -> dict[str, Any]:
    require(user, Action.TOKENS)
    with service.lock:
        token_id, token = auth.create_token(service.store, user.username, body.name)
    return {"token_id": token_id, "token": token, "name": body.name}


@router.delete("/tokens/{token_id}", summary="Revoke an API token")
def delete_token(token_id: str, user: CurrentUser, service: Svc) -> dict[str, Any]:
    require(user, Action.TOKENS)
    with service.lock:
        owner = auth.token_owner(service.store, token_id)
        if owner is None:
            raise Problem(404, "web.error.no_token", token=token_id)
        if owner != user.username and not can(user, Action.USERS):
            raise Problem(403, "web.error.forbidden")
        auth.delete_token(service.store, token_id)
    return {"deleted": token_id}


def metric_errors() -> tuple[type[Exception], ...]:
    return (MetricError, PeriodError)


__all__ = ["parse_period", "router"]
