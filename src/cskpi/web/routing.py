"""The route class of every API and page route: masking of personal data in ONE place.

Every JSON response is masked for every role but admin (cskpi.web.masking), after the
handler ran, so no handler can forget it. Pages mask their template context the same way
(cskpi.web.pages.render), and the live stream masks each snapshot it sends.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.routing import APIRoute

from cskpi.web.masking import mask
from cskpi.web.policy import Action, can


def needs_masking(request: Request) -> bool:
    user = getattr(request.state, "user", None)
    return user is None or not can(user, Action.UNMASKED)


class GuardedRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            response = await handler(request)
            content_type = response.headers.get("content-type", "")
            # FastAPI may answer a returned dict with a plain Response of JSON bytes, so the
            # content type decides, not the response class.
            if (
                content_type.startswith(("application/json", "application/problem+json"))
                and not isinstance(response, StreamingResponse)
                and needs_masking(request)
            ):
                data = mask(json.loads(response.body))
                headers = {
                    k: v
                    for k, v in response.headers.items()
                    if k.lower() not in ("content-length", "content-type")
                }
                return JSONResponse(
                    data,
                    status_code=response.status_code,
                    headers=headers,
                    media_type=content_type.split(";")[0],
                    background=response.background,
                )
            return response

        return route
