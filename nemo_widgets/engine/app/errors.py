"""Exception handlers: every error answers in the envelope of its route."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from nemo_widgets.engine.app.core import (
    ApiError,
    RenderRouteError,
    _engine,
    log,
    render_err,
)


async def render_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RenderRouteError)
    return render_err(exc.message, exc.status, exc.code)


async def api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    body: dict[str, Any] = {"code": exc.code, "message": exc.message}
    if exc.data:
        body["data"] = exc.data
    return JSONResponse(body, status_code=exc.status, headers=exc.headers)


async def os_error(request: Request, exc: Exception) -> Response:
    """A write that failed for want of space becomes 507 with what to do; anything else is a
    plain 500 (the details go to the log, not to the client)."""
    full = _engine(request).store.disk_full(exc)
    if full is None:
        log.error("request failed: %s", exc, exc_info=exc)
        status, message = 500, "the engine had an internal error; try again"
    else:
        status, message = 507, str(full)
    if request.url.path.startswith("/api/render/"):
        return render_err(message, status, "disk_full" if full is not None else None)
    return JSONResponse({"code": status, "message": message}, status_code=status)


async def not_found(request: Request, exc: Exception) -> Response:
    status = getattr(exc, "status_code", 404)
    return JSONResponse(
        {"code": status, "message": getattr(exc, "detail", "not found")},
        status_code=status,
        headers=getattr(exc, "headers", None),  # 405 keeps its Allow header (RFC 9110)
    )
