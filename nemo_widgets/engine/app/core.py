"""The engine's core behind the routes: its configuration, the protocol's error and envelope
shapes, and :class:`Engine` (store, worker pool, agent, signed media URLs, renders, and the
store kept off the event loop)."""

from __future__ import annotations

import asyncio
import functools
import hashlib
import hmac
import json
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, TypeVar
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse

from nemo_widgets.engine.jobs import Cancelled, WorkerPool
from nemo_widgets.engine.media import MAX_UPLOAD_BYTES
from nemo_widgets.engine.store import Store, TokenInfo

log = logging.getLogger("nemo_widgets.engine")
T = TypeVar("T")

WEEK = 7 * 24 * 3600
REGISTER_URL = "https://nemovideo.com/register?bind={user_id}"
ATTRIBUTION = ("x-skill-source", "x-skill-version", "x-skill-platform")


@dataclass
class EngineConfig:
    data_dir: Path
    #: Credits every new anonymous user starts with (the hosted service gives 100).
    initial_credits: int = 100
    token_ttl: float = WEEK
    #: One anonymous token per client id within this window while the last one is valid.
    token_rate_window: float = WEEK
    workers: int = max(1, (os.cpu_count() or 2) - 1)
    heartbeat_s: float = 10.0
    max_upload_bytes: int = MAX_UPLOAD_BYTES
    url_timeout_s: float = 60.0
    allow_private_urls: bool = False
    #: Share (0–1) of edits that end with no reply text, as the hosted agent does ~30 %.
    silent_edit_rate: float = 0.0
    #: Fault injection for tests: abort every /run_sse response after this many events
    #: (the connection drops mid-body; the run itself goes on, as on a real network fault).
    fault_drop_sse_after: int | None = None
    #: Free disk space (MB) kept in hand where the engine keeps its data: an upload or render
    #: that would eat into it is refused with 507 and a message saying what to do.
    min_free_mb: int = 100
    #: Where heavy cores run: None for this machine, or a Dask scheduler address or
    #: ``distributed.Client`` (``--dask``; the ``NEMO_DASK_SCHEDULER`` variable when None).
    dask: Any = None
    extra: dict[str, Any] = field(default_factory=dict)


class ApiError(Exception):
    """A business error: protocol ``code`` plus the HTTP status that goes with it."""

    STATUS: ClassVar[dict[int, int]] = {
        1001: 401,
        1002: 404,
        2001: 403,
        4001: 415,
        4002: 413,
        507: 507,
        400: 400,
        429: 429,
    }

    def __init__(
        self,
        code: int,
        message: str,
        status: int | None = None,
        data: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.code, self.message = code, message
        self.status = status or self.STATUS.get(code, 400)
        self.data, self.headers = data, headers


def ok(data: dict[str, Any]) -> JSONResponse:
    return JSONResponse({"code": 0, "data": data})


def render_ok(data: dict[str, Any], status: int = 200) -> JSONResponse:
    return JSONResponse({"success": True, "data": data}, status_code=status)


def render_err(message: str, status: int, code: str | None = None) -> JSONResponse:
    body: dict[str, Any] = {"success": False, "error": message}
    if code:
        body["code"] = code
    return JSONResponse(body, status_code=status)


def _offload(config: EngineConfig) -> Any:
    """Where heavy cores run: a Dask cluster when one is named, else this process."""
    cluster = config.dask or os.environ.get("NEMO_DASK_SCHEDULER") or None
    if cluster is None:
        return None
    from nemo_widgets.engine.dask_jobs import DaskOffload

    offload = DaskOffload(cluster)
    log.info("heavy jobs go to the Dask scheduler at %s", offload.address)
    return offload


class Engine:
    """The engine's state: store, pool, agent. One per server."""

    def __init__(self, config: EngineConfig) -> None:
        from nemo_widgets.engine.agent import Agent

        self.config = config
        self.store = Store(config.data_dir, reserve_bytes=config.min_free_mb * 1024 * 1024)
        self.pool = WorkerPool(
            config.workers, guard=self.store.ensure_space, offload=_offload(config)
        )
        self.agent = Agent(self)
        # The store off the event loop, as datasette does: reads on a few threads of their own
        # (each on its own SQLite connection, WAL lets them run beside a write), writes from
        # request handlers one at a time on one thread. A slow fsync then delays only the
        # request that writes, never the loop that feeds every open SSE stream.
        self._reads = ThreadPoolExecutor(4, thread_name_prefix="nemo-read")
        self._writes = ThreadPoolExecutor(1, thread_name_prefix="nemo-write")
        #: Sessions with an agent run in progress (one at a time per session).
        self._active_runs: set[str] = set()
        #: Runs asked to stop (POST …/cancel): checked between steps; running jobs get their
        #: cancel flag set.
        self._cancelled_runs: set[str] = set()
        self._runs_lock = threading.Lock()
        self._recover()

    def run_cancelled(self, sid: str) -> bool:
        with self._runs_lock:
            return sid in self._cancelled_runs

    def cancel_run(self, sid: str, user_id: str) -> bool:
        """Stop the session's agent run: no further step starts, running work stops."""
        with self._runs_lock:
            if sid not in self._active_runs:
                return False
            self._cancelled_runs.add(sid)
        self.pool.cancel_prefix(f"{user_id}:tool:{sid}:")
        return True

    # -- restart recovery ------------------------------------------------------------------
    def _recover(self) -> None:
        """Jobs interrupted by a restart are resumed (renders) or failed with a reason."""
        for job in self.store.unfinished_jobs():
            if job["kind"] == "render":
                log.info("resuming render %s after restart", job["id"])
                self.store.update_job(job["id"], job["user_id"], status="pending", progress=0)
                self.start_render(job["id"], job["user_id"])
            else:
                self.store.update_job(
                    job["id"],
                    job["user_id"],
                    status="failed",
                    error="the engine restarted while this job ran; ask again",
                )
        for user_id, ref in self.store.open_reservations():
            job = self.store.job(ref, user_id)
            if job is None or job["status"] in ("failed", "cancelled"):
                self.store.settle(user_id, ref, consume=False)

    def close(self) -> None:
        self.pool.shutdown()
        self._reads.shutdown(wait=True)
        self._writes.shutdown(wait=True)
        self.store.close()

    async def read(self, fn: Callable[..., T], *args: Any, **kw: Any) -> T:
        """``fn(*args, **kw)`` (a store read) on a reader thread; awaited, never blocking."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._reads, functools.partial(fn, *args, **kw))

    async def write(self, fn: Callable[..., T], *args: Any, **kw: Any) -> T:
        """``fn(*args, **kw)`` (a store write) on the one writer thread, in order."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._writes, functools.partial(fn, *args, **kw))

    # -- auth ------------------------------------------------------------------------------
    async def auth(self, request: Request) -> TokenInfo:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(1001, "missing token: send Authorization: Bearer <token>")
        info = await self.read(self.store.lookup_token, token.strip())
        if info is None:
            raise ApiError(1001, "invalid token; get a new anonymous token")
        if info.expires < time.time():
            raise ApiError(1001, "token expired; get a new anonymous token with the same client id")
        return info

    async def session_of(self, sid: str, user_id: str) -> Any:
        row = await self.read(self.store.session, sid, user_id)
        if row is None:
            raise ApiError(
                1002, "session not found; create a new session (the old timeline is gone)"
            )
        return row

    # -- media URLs --------------------------------------------------------------------------
    def sign(self, file_id: str, user_id: str) -> str:
        msg = f"{file_id}:{user_id}".encode()
        return hmac.new(self.store.secret, msg, hashlib.sha256).hexdigest()[:32]

    #: Where this engine is reachable (set by the server once it listens).
    base_url: str = ""

    def media_url(self, request: Request | None, file_id: str, user_id: str, name: str) -> str:
        base = str(request.base_url).rstrip("/") if request is not None else self.base_url
        return f"{base}/media/{file_id}/{quote(name)}?sig={self.sign(file_id, user_id)}"

    # -- renders ------------------------------------------------------------------------------
    def start_render(self, job_id: str, user_id: str) -> None:
        from nemo_widgets.engine.render import render_job

        key = f"{user_id}:{job_id}"

        def progress(p: int) -> None:
            self.store.update_job(job_id, user_id, progress=max(5, p))

        def work(ctx: Any) -> None:
            job = self.store.job(job_id, user_id)
            if job is None or job["status"] == "cancelled":
                return
            self.store.update_job(job_id, user_id, status="processing")
            try:
                result = render_job(self, job, ctx)
            except Cancelled:
                self.store.update_job(
                    job_id,
                    user_id,
                    status="cancelled",
                    error="cancelled by the user",
                    completed=time.time(),
                )
            except Exception as e:
                full = self.store.disk_full(e)
                if full is not None:
                    reason = str(full)
                else:
                    log.exception("render %s failed", job_id)
                    reason = f"{type(e).__name__}: {e}"[:500]
                self.store.update_job(
                    job_id, user_id, status="failed", completed=time.time(), error=reason
                )
            else:
                self.store.update_job(
                    job_id,
                    user_id,
                    status="completed",
                    progress=100,
                    result=result,
                    completed=time.time(),
                )

        self.pool.submit(key, work, progress)


# -- request helpers (used by every route module) ------------------------------------------
def _engine(request: Request) -> Engine:
    return request.app.state.engine


async def _json(request: Request) -> dict[str, Any]:
    body = await request.body()
    if not body:
        return {}
    try:
        data = json.loads(body)
    except ValueError:
        raise ApiError(400, "the request body is not valid JSON") from None
    if not isinstance(data, dict):
        raise ApiError(400, "the request body must be a JSON object")
    return data


def _pick(body: dict[str, Any], snake: str, camel: str) -> Any:
    return body.get(snake, body.get(camel))


class RenderRouteError(Exception):
    """An error on a render route: answered in the ``{"success": false}`` envelope."""

    def __init__(self, message: str, status: int, code: str | None = None) -> None:
        super().__init__(message)
        self.message, self.status, self.code = message, status, code


def new_id() -> str:
    return uuid.uuid4().hex
