"""The app factory: `create_app(db)` → FastAPI app serving the pages, /api/ and /docs."""

from __future__ import annotations

import importlib
import importlib.util
import threading
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from cskpi import __version__
from cskpi.config import load_config
from cskpi.metrics.engine import MetricError
from cskpi.metrics.periods import PeriodError
from cskpi.store.base import Store, open_store
from cskpi.web import api, auth, extras, pages, schema
from cskpi.web.deps import LoginRequired, Problem, get_lang, problem_body
from cskpi.web.service import NotFound, Service

STATIC = Path(__file__).with_name("static")
SWAGGER = ("/static/vendor/swagger-ui-bundle-5.17.14.js", "/static/vendor/swagger-ui-5.17.14.css")


def ensure_tables(store: Store) -> None:
    with store.transaction():
        for statement in schema.DDL:
            store.execute(statement)


def optional_modules() -> dict[str, bool]:
    """Which parallel areas are installed (their pages light up when they are)."""
    return {
        name: importlib.util.find_spec(f"cskpi.{name}") is not None
        and bool(getattr(importlib.import_module(f"cskpi.{name}"), "__all__", None))
        for name in ("cycle", "reports")
    }


def create_app(db: str, *, store: Store | None = None, warm: bool = False) -> FastAPI:
    """The web app over the store at `db` (opened here unless given). `warm` computes the
    latest month's overview in the background so the first visitor does not wait."""
    store = store or open_store(db)
    ensure_tables(store)
    service = Service(store, load_config(db), db)
    app = FastAPI(
        title="cskpi",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        description="在线客服绩效考核系统 REST API. Authenticate with the session cookie of "
        "the web login or `Authorization: Bearer <token>` (POST /api/tokens). "
        "Errors are application/problem+json.",
    )
    app.state.service = service
    with service.lock:
        app.state.serializer = auth.cookie_serializer(auth.secret_key(store))
    app.state.extras = optional_modules()
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(api.router)
    app.include_router(extras.router)
    app.include_router(pages.router)

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="cskpi API",
            swagger_js_url=SWAGGER[0],
            swagger_css_url=SWAGGER[1],
            swagger_favicon_url=pages.FAVICON,
        )

    _handlers(app)
    if warm:
        threading.Thread(target=_warm, args=(service,), daemon=True).start()
    return app


def _warm(service: Service) -> None:
    try:
        period = service.period(None)
        service.overview(period, "zh_CN")
        service.figures(["agent"], period.label)
        service.figures(["group"], period.label)
        service.figures(["team"], period.label)
        from cskpi.web import assess

        assess.results(service, "presales-standard", period.label)
    except Exception:  # pragma: no cover - warming is best effort
        pass


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"


def _problem(request: Request, status: int, code: str, **params: Any) -> Response:
    lang = get_lang(request)
    message_params = {k: (len(v) if isinstance(v, list) else v) for k, v in params.items()}
    if not _is_api(request):
        if status == 401:
            return RedirectResponse(f"/login?next={request.url.path}", 303)
        from cskpi.i18n import t

        return pages.error_page(request, status, t(code, lang, **message_params))
    body = problem_body(status, code, lang, **message_params)
    body |= {k: v for k, v in params.items() if isinstance(v, list)}
    from cskpi.web.masking import mask
    from cskpi.web.routing import needs_masking

    if needs_masking(request):
        body = mask(body)
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


def _handlers(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def on_problem(request: Request, error: Problem) -> Response:
        return _problem(request, error.status_code, error.code, **error.params)

    @app.exception_handler(LoginRequired)
    async def on_login(request: Request, error: LoginRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        from urllib.parse import quote

        return RedirectResponse(f"/login?next={quote(target)}", 303)

    @app.exception_handler(NotFound)
    async def on_not_found(request: Request, error: NotFound) -> Response:
        return _problem(request, 404, error.code, **error.params)

    @app.exception_handler(PeriodError)
    async def on_period(request: Request, error: PeriodError) -> Response:
        return _problem(request, 400, "web.error.bad_period", period=str(error))

    @app.exception_handler(MetricError)
    async def on_metric(request: Request, error: MetricError) -> Response:
        return _problem(
            request,
            400,
            "web.error.bad_request",
            detail=", ".join(f"{k}={v}" for k, v in error.params.items()),
        )

    @app.exception_handler(RequestValidationError)
    async def on_invalid(request: Request, error: RequestValidationError) -> Response:
        errors = [
            {"loc": [str(p) for p in e.get("loc", ())], "msg": e.get("msg"), "type": e.get("type")}
            for e in error.errors()
        ]
        first = errors[0] if errors else {"loc": [], "msg": ""}
        return _problem(
            request,
            422,
            "web.error.invalid",
            where=".".join(first["loc"]),
            why=first["msg"],
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def on_http(request: Request, error: StarletteHTTPException) -> Response:
        code = {404: "web.error.not_found", 405: "web.error.method"}.get(
            error.status_code, "web.error.bad_request"
        )
        return _problem(request, error.status_code, code, detail=str(error.detail))
