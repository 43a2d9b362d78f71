"""The embedded engine's HTTP API: the same routes and shapes as the hosted NemoVideo service.

See ``docs/architecture.md`` for the map and PROTOCOL.md for the wire format. Business routes
answer ``{"code", "data" | "message"}``; render routes ``{"success", "data" | "error"}``; errors
carry a 4xx status *and* the envelope.

The package follows a request: :mod:`.core` (configuration, envelopes, the :class:`Engine`),
then one module per group of routes — :mod:`.sessions`, :mod:`.upload`, :mod:`.renders`,
:mod:`.files` — and :mod:`.errors` for the exception handlers; :func:`create_app` wires them.
"""

from __future__ import annotations

import contextlib
import sqlite3
from typing import Any

from starlette.applications import Starlette
from starlette.routing import Route

from nemo_widgets.engine.app.core import (
    ATTRIBUTION,
    REGISTER_URL,
    WEEK,
    ApiError,
    Engine,
    EngineConfig,
    RenderRouteError,
    new_id,
    ok,
    render_err,
    render_ok,
)
from nemo_widgets.engine.app.errors import api_error, not_found, os_error, render_error
from nemo_widgets.engine.app.files import media, openapi
from nemo_widgets.engine.app.preview import mask_preview
from nemo_widgets.engine.app.renders import (
    render_cancel,
    render_download,
    render_poll,
    render_submit,
)
from nemo_widgets.engine.app.sessions import (
    anonymous_token,
    create_session,
    credits,
    run_cancel,
    run_sse,
    state,
)
from nemo_widgets.engine.app.upload import upload

__all__ = [
    "ATTRIBUTION",
    "REGISTER_URL",
    "WEEK",
    "ApiError",
    "Engine",
    "EngineConfig",
    "RenderRouteError",
    "create_app",
    "new_id",
    "ok",
    "render_err",
    "render_ok",
]


def create_app(config: EngineConfig) -> Starlette:
    engine = Engine(config)
    routes = [
        Route("/api/auth/anonymous-token", anonymous_token, methods=["POST"]),
        Route("/api/tasks/me/with-session/nemo_agent", create_session, methods=["POST"]),
        Route("/run_sse", run_sse, methods=["POST"]),
        Route("/api/run/nemo_agent/me/{sid}/cancel", run_cancel, methods=["POST"]),
        Route("/api/upload-video/nemo_agent/me/{sid}", upload, methods=["POST"]),
        Route("/api/mask-preview/nemo_agent/me/{sid}", mask_preview, methods=["POST"]),
        Route("/api/credits/balance/simple", credits, methods=["GET"]),
        Route("/api/state/nemo_agent/me/{sid}/latest", state, methods=["GET"]),
        Route("/api/render/proxy/lambda", render_submit, methods=["POST"]),
        Route("/api/render/proxy/lambda/{rid}", render_poll, methods=["GET"]),
        Route("/api/render/proxy/lambda/{rid}/cancel", render_cancel, methods=["POST"]),
        Route("/api/render/proxy/{rid}/download", render_download, methods=["GET"]),
        Route("/media/{file_id}/{name:path}", media, methods=["GET", "HEAD"]),
        Route("/media/{file_id}", media, methods=["GET", "HEAD"]),
        Route("/openapi.json", openapi, methods=["GET"]),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> Any:
        yield
        engine.close()

    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={
            ApiError: api_error,
            RenderRouteError: render_error,
            OSError: os_error,
            sqlite3.OperationalError: os_error,
            404: not_found,
            405: not_found,
        },
    )
    app.state.engine = engine
    return app
