"""Routes over the parallel areas: the assessment cycle (cskpi.cycle: state, manual entries)
and reports (cskpi.reports: Excel workbook, PDF/HTML monthly report)."""

from __future__ import annotations

import datetime as dt
import tempfile
from datetime import date
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.background import BackgroundTask

from cskpi.web.api import PeriodQuery, period_of
from cskpi.web.deps import CurrentUser, Lang, Problem, Svc, agent_ref, require
from cskpi.web.policy import Action
from cskpi.web.routing import GuardedRoute

router = APIRouter(prefix="/api", route_class=GuardedRoute)
REPORTS = {
    "workbook": (".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "pdf": (".pdf", "application/pdf"),
    "html": (".html", "text/html"),
}


def _cycle() -> Any:
    import cskpi.cycle

    return cskpi.cycle


def _cycle_problem(error: Exception) -> Problem:
    code = getattr(error, "code", "web.error.bad_request")
    params = getattr(error, "params", {}) or {}
    return Problem(409 if "lock" in code else 422, code, **params)


@router.get("/cycle", summary="Assessment cycle state of a scorecard and period (cskpi.cycle)")
def cycle_status(
    user: CurrentUser,
    service: Svc,
    scorecard: str = "presales-standard",
    period: PeriodQuery = None,
) -> dict[str, Any]:
    require(user, Action.SCORES)
    p = period_of(service, period)
    with service.lock:
        try:
            rows = _cycle().status(service.store, scorecard, p.label)
        except _cycle().CycleError as error:
            raise _cycle_problem(error) from None
    return {"scorecard": scorecard, "period": p.label, "cycles": rows}


@router.get(
    "/agents/{agent_id}/entries",
    summary="Manual entries of an agent in a period (violations, praise, ratings)",
)
def entries(
    agent_id: str, user: CurrentUser, service: Svc, period: PeriodQuery = None
) -> dict[str, Any]:
    require(user, Action.AGENT, agent_ref(service, agent_id))
    p = period_of(service, period)
    with service.lock:
        rows = _cycle().list_entries(service.store, p.label, agent_id)
    return {
        "period": p.label,
        "entries": [
            {k: (v.isoformat() if isinstance(v, date) else v) for k, v in r.items()} for r in rows
        ],
    }


class NewEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: str = Field(min_length=1, max_length=100)
    reason: str = Field(min_length=1, max_length=2000)
    date: dt.date | None = None
    count: float = 1.0
    points: float | None = None
    scorecard: str | None = None


@router.post(
    "/agents/{agent_id}/entries",
    status_code=201,
    summary="Record a manual entry for an agent (supervisor of the agent's group)",
)
def add_entry(agent_id: str, body: NewEntry, user: CurrentUser, service: Svc) -> dict[str, Any]:
    require(user, Action.ENTRIES, agent_ref(service, agent_id))
    with service.lock:
        try:
            row = _cycle().add_entry(
                service.store,
                agent_id=agent_id,
                kind=body.kind,
                reason=body.reason,
                by=user.username,
                day=body.date,
                count=body.count,
                points=body.points,
                scorecard=body.scorecard,
            )
        except _cycle().CycleError as error:
            raise _cycle_problem(error) from None
    day = row.get("date")
    service.changed(day if isinstance(day, date) else None)  # scores read adjustments
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in row.items()}


@router.get(
    "/reports/{kind}",
    summary="Download the monthly report: workbook (xlsx), pdf, html",
    response_class=FileResponse,
)
def report(
    kind: Literal["workbook", "pdf", "html"],
    user: CurrentUser,
    service: Svc,
    lang: Lang,
    period: PeriodQuery = None,
    scorecard: str | None = None,
    by: Literal["group", "team"] = "group",
) -> FileResponse:
    require(user, Action.REPORTS)
    import cskpi.reports as reports

    p = period_of(service, period)
    suffix, media = REPORTS[kind]
    folder = Path(tempfile.mkdtemp(prefix="cskpi-report-"))
    path = folder / f"cskpi-{p.label}{suffix}"
    writer = {
        "workbook": reports.write_workbook,
        "pdf": reports.write_pdf,
        "html": reports.write_html,
    }[kind]
    with service.lock:
        try:
            writer(
                service.store, service.config, p.label, path, scorecard=scorecard, by=by, lang=lang
            )
        except reports.ReportError as error:
            raise Problem(
                422,
                getattr(error, "code", "web.error.bad_request"),
                **(getattr(error, "params", {}) or {}),
            ) from None
    return FileResponse(
        path, media_type=media, filename=path.name, background=BackgroundTask(_remove, folder)
    )


def _remove(folder: Path) -> None:
    for child in folder.iterdir():
        child.unlink()
    folder.rmdir()
