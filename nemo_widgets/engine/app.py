"""The embedded engine's HTTP API: the same routes and shapes as the hosted NemoVideo service.

See ``docs/architecture.md`` for the map and PROTOCOL.md for the wire format. Business routes
answer ``{"code", "data" | "message"}``; render routes ``{"success", "data" | "error"}``; errors
carry a 4xx status *and* the envelope.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import os
import re
import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from nemo_widgets.draft import Draft, DraftError
from nemo_widgets.engine import events as ev
from nemo_widgets.engine.agent import add_clip_to_draft
from nemo_widgets.engine.jobs import Cancelled, WorkerPool
from nemo_widgets.engine.media import MAX_UPLOAD_BYTES, MediaError, ext_for, probe
from nemo_widgets.engine.store import CreditsExhausted, Store, TokenInfo
from nemo_widgets.engine.uploads import BadRequest, fetch_url, receive_multipart

log = logging.getLogger("nemo_widgets.engine")

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


class Engine:
    """The engine's state: store, pool, agent. One per server."""

    def __init__(self, config: EngineConfig) -> None:
        from nemo_widgets.engine.agent import Agent

        self.config = config
        self.store = Store(config.data_dir, reserve_bytes=config.min_free_mb * 1024 * 1024)
        self.pool = WorkerPool(config.workers, guard=self.store.ensure_space)
        self.agent = Agent(self)
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
        self.store.close()

    # -- auth ------------------------------------------------------------------------------
    def auth(self, request: Request) -> TokenInfo:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(1001, "missing token: send Authorization: Bearer <token>")
        info = self.store.lookup_token(token.strip())
        if info is None:
            raise ApiError(1001, "invalid token; get a new anonymous token")
        if info.expires < time.time():
            raise ApiError(1001, "token expired; get a new anonymous token with the same client id")
        return info

    def session_of(self, sid: str, user_id: str) -> Any:
        row = self.store.session(sid, user_id)
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


# -- routes -------------------------------------------------------------------------------
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


async def anonymous_token(request: Request) -> Response:
    eng = _engine(request)
    client_id = request.headers.get("x-client-id", "").strip()
    if not client_id or len(client_id) > 128:
        raise ApiError(400, "missing X-Client-Id header (a UUID that identifies this client)")
    last = eng.store.last_token_issued(client_id)
    now = time.time()
    if last and now - last[0] < eng.config.token_rate_window and last[1] > now:
        wait = int(min(last[1], last[0] + eng.config.token_rate_window) - now) + 1
        raise ApiError(
            429,
            "one anonymous token per client id per 7 days; reuse the token you have",
            headers={"Retry-After": str(min(wait, 30))},
        )
    token, user_id, expires, credits = eng.store.issue_token(
        client_id, eng.config.token_ttl, eng.config.initial_credits
    )
    return ok(
        {
            "token": token,
            "user_id": user_id,
            "credits": credits,
            "expires_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(expires)),
        }
    )


async def create_session(request: Request) -> Response:
    eng = _engine(request)
    who = eng.auth(request)
    body = await _json(request)
    language, task_name = body.get("language", "en"), body.get("task_name", "project")
    if not isinstance(language, str) or not isinstance(task_name, str):
        raise ApiError(400, "language and task_name must be strings")
    language, task_name = language or "en", task_name or "project"
    sid, task_id = eng.store.create_session(who.user_id, language[:16], task_name[:200])
    return ok({"task_id": task_id, "session_id": sid, "user_id": who.user_id})


def _pick(body: dict[str, Any], snake: str, camel: str) -> Any:
    return body.get(snake, body.get(camel))


async def run_sse(request: Request) -> Response:
    eng = _engine(request)
    who = eng.auth(request)
    body = await _json(request)
    sid = _pick(body, "session_id", "sessionId")
    if not isinstance(sid, str) or eng.store.session(sid, who.user_id) is None:
        return JSONResponse(
            {
                "code": 1002,
                "message": "session not found; create a new session",
                "detail": f"Session not found: {sid}",
            },
            status_code=404,
        )
    msg = _pick(body, "new_message", "newMessage") or {}
    parts = msg.get("parts") if isinstance(msg, dict) else None
    if not isinstance(parts, list):
        raise ApiError(400, 'new_message must be {"role": "user", "parts": [{"text": …}]}')
    text = "".join(p.get("text") or "" for p in parts if isinstance(p, dict))
    if len(text) > 20_000:
        raise ApiError(400, "the message is too long (over 20,000 characters)")
    extra_state = _pick(body, "state_delta", "stateDelta")
    with eng._runs_lock:  # claim the session atomically: one run at a time
        if sid in eng._active_runs:
            raise ApiError(
                409,
                "a run is already in progress for this session; wait for it "
                "(re-sending duplicates work)",
                status=409,
            )
        eng._active_runs.add(sid)
        eng._cancelled_runs.discard(sid)
    try:
        the_plan, reservation = _plan_and_reserve(eng, who, sid, text)
    except BaseException:
        with eng._runs_lock:
            eng._active_runs.discard(sid)
        raise

    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()

    def emit(event: dict[str, Any] | None) -> None:
        if event is not None and event.get("type") != "progress":  # progress is not history
            eng.store.add_event(sid, event)
        loop.call_soon_threadsafe(queue.put_nowait, event)

    def run() -> None:
        try:
            eng.agent.run(
                who,
                sid,
                text,
                emit,
                state_delta=extra_state,
                the_plan=the_plan,
                reservation=reservation,
            )
        except Exception as e:
            log.exception("agent run failed")
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(queue.put_nowait, {"error": f"{type(e).__name__}: {e}"})
        finally:
            # Free the session *before* the stream ends, so a client that sends its next
            # message the moment this reply closes is not refused.
            with eng._runs_lock:
                eng._active_runs.discard(sid)
                eng._cancelled_runs.discard(sid)
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(queue.put_nowait, None)

    # The run lives in its own thread: a client that disconnects does not stop it, and its
    # result still lands in the session state.
    thread = threading.Thread(target=run, name=f"agent-{sid[-6:]}", daemon=True)
    thread.start()

    async def stream() -> Any:
        sent = 0
        while True:
            try:
                item = await asyncio.wait_for(queue.get(), timeout=eng.config.heartbeat_s)
            except TimeoutError:
                yield b": heartbeat\n\n"
                continue
            if item is None:
                return
            if (
                eng.config.fault_drop_sse_after is not None
                and sent >= eng.config.fault_drop_sse_after
            ):
                raise ConnectionAbortedError("fault injection: stream dropped")
            sent += 1
            yield ev.sse(item)

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


async def run_cancel(request: Request) -> Response:
    """Stop the session's agent run (an extension of the embedded engine; see docs/remote.md)."""
    eng = _engine(request)
    who = eng.auth(request)
    sid = request.path_params["sid"]
    eng.session_of(sid, who.user_id)
    return ok({"cancelled": eng.cancel_run(sid, who.user_id)})


def _plan_and_reserve(eng: Engine, who: TokenInfo, sid: str, text: str) -> tuple[Any, str | None]:
    """Understand the message and reserve its credits (2001 before any work starts)."""
    the_plan = eng.agent.plan(sid, text)
    reservation = None
    if the_plan.cost:
        reservation = "run_" + uuid.uuid4().hex[:16]
        try:
            eng.store.reserve(who.user_id, the_plan.cost, reservation)
        except CreditsExhausted as e:
            raise ApiError(
                2001,
                f"not enough credits: this needs {e.needed}, {e.available} left. "
                f"Register to get more: {REGISTER_URL.format(user_id=who.user_id)}",
                data={
                    "bind_url": REGISTER_URL.format(user_id=who.user_id),
                    "needed": e.needed,
                    "available": e.available,
                },
            ) from None
    return the_plan, reservation


async def upload(request: Request) -> Response:
    eng = _engine(request)
    who = eng.auth(request)
    sid = request.path_params["sid"]
    eng.session_of(sid, who.user_id)
    # Where uploaded videos go: "always" onto the timeline (the default), "empty" only onto an
    # empty timeline (later ones wait in the media bin), "never".
    placement = request.query_params.get("timeline", "always")
    if placement not in ("always", "empty", "never"):
        raise ApiError(400, "timeline must be always, empty or never")
    limit = eng.config.max_upload_bytes
    declared = int(request.headers.get("content-length") or 0)
    ctype = request.headers.get("content-type", "")
    received = []
    try:
        if ctype.startswith("application/json"):
            body = await _json(request)
            urls = body.get("urls")
            if not isinstance(urls, list) or not urls or not all(isinstance(u, str) for u in urls):
                raise ApiError(400, 'send {"urls": ["https://…"]} with at least one URL')
            for url in urls[:20]:
                received.append(
                    await fetch_url(
                        url,
                        eng.store.tmp_path(),
                        limit=limit,
                        timeout=eng.config.url_timeout_s,
                        allow_private=eng.config.allow_private_urls,
                        guard=eng.store.ensure_space,
                    )
                )
        else:
            # A body over the limit plus multipart overhead is refused before reading it.
            if declared > limit + 1024 * 1024 * 8:
                raise MediaError(
                    f"the upload is larger than {limit // (1024 * 1024)} MB; compress or trim it",
                    code=4002,
                )
            eng.store.ensure_space(declared)
            files, _ = await receive_multipart(
                request.stream(), ctype, eng.store.tmp_path, limit, guard=eng.store.ensure_space
            )
            received = files
        if not received:
            raise ApiError(400, "no files in the upload: send multipart field 'files'")
        infos = []
        for rec in received:
            infos.append(await run_in_threadpool(probe, rec.path))
    except MediaError as e:
        for rec in received:
            rec.path.unlink(missing_ok=True)
        raise ApiError(e.code, str(e)) from None
    except BadRequest as e:
        for rec in received:
            rec.path.unlink(missing_ok=True)
        raise ApiError(400, str(e)) from None
    except BaseException:
        for rec in received:
            rec.path.unlink(missing_ok=True)
        raise
    out = []
    for rec, info in zip(received, infos, strict=True):
        stored = eng.store.add_file(
            rec.path,
            user_id=who.user_id,
            session_id=sid,
            filename=rec.filename,
            kind=info["file_type"],
            info=info,
            sha256=rec.sha256,
            ext=ext_for(info),
        )
        entry = {
            "filename": rec.filename,
            "file_id": stored.file_id,
            "file_type": info["file_type"],
            "cdn_url": eng.media_url(request, stored.file_id, who.user_id, rec.filename),
            "hash": rec.sha256,
            **{k: v for k, v in info.items() if k != "file_type"},
        }
        out.append(entry)

    def apply(state: dict[str, Any]) -> None:
        state.setdefault("video_infos", []).extend(out)
        # Videos go straight onto the timeline, one after the other, so that an upload is
        # exportable at once; images and audio wait for an instruction (backdrop, BGM).
        videos = [f for f in out if f["file_type"] == "video"]
        d = Draft.parse(state.get("draft") or {})
        if placement == "never" or (
            placement == "empty" and any(t.kind == "video" and t.segments for t in d.tracks)
        ):
            videos = []
        elif placement == "empty":
            videos = videos[:1]
        if videos:
            for f in videos:
                add_clip_to_draft(d, f)
            state["draft"] = d.to_dict()

    eng.store.update_state(sid, apply)
    return ok({"files": out, "session_state_applied": True})


async def credits(request: Request) -> Response:
    eng = _engine(request)
    who = eng.auth(request)
    return ok(eng.store.balance(who.user_id))


async def state(request: Request) -> Response:
    eng = _engine(request)
    who = eng.auth(request)
    row = eng.session_of(request.path_params["sid"], who.user_id)
    return ok(
        {
            "session_id": row["session_id"],
            "task_id": row["task_id"],
            "state": json.loads(row["state"]),
        }
    )


FORMATS = ("mp4", "webm")
#: Render ids are chosen by the caller and end up in file names: a safe alphabet only.
RENDER_ID = re.compile(r"[A-Za-z0-9_.\-]{1,100}")
QUALITIES = ("high", "medium", "low")


async def render_submit(request: Request) -> Response:
    eng = _engine(request)
    who = _render_auth(eng, request)
    missing = [h for h in ATTRIBUTION if not request.headers.get(h)]
    if missing:
        return render_err(
            "export is blocked for this client: register or upgrade to unlock "
            f"export (missing headers: {', '.join(missing)})",
            402,
        )
    try:
        body = await _json(request)
    except ApiError as e:
        return render_err(e.message, 400)
    job_id = body.get("id")
    sid = _pick(body, "session_id", "sessionId")
    output = body.get("output") or {}
    if not isinstance(job_id, str) or not RENDER_ID.fullmatch(job_id):
        return render_err(
            "'id' must be 1–100 letters, digits, '_', '-' or '.', such as render_<timestamp>", 400
        )
    if not isinstance(output, dict):
        return render_err("'output' must be an object", 400)
    fmt = output.get("format", "mp4")
    quality = output.get("quality", "high")
    if fmt not in FORMATS:
        return render_err(f"unsupported format {fmt!r}; choose one of: {', '.join(FORMATS)}", 400)
    if quality not in QUALITIES:
        return render_err(
            f"unknown quality {quality!r}; choose one of: {', '.join(QUALITIES)}", 400
        )
    if not isinstance(sid, str) or eng.store.session(sid, who.user_id) is None:
        return render_err("session not found", 404, "1002")
    state = eng.store.state(sid)
    draft = body.get("draft")
    if draft is None:
        draft = state.get("draft")
    try:
        parsed = Draft.parse(draft)
    except DraftError as e:
        return render_err(f"the draft is invalid: {e}", 400)
    if not parsed.exportable:
        return render_err("nothing to export: the timeline has no segments yet", 400)
    from nemo_widgets.engine.render import RenderError, check_length, media_resolver, missing_media

    try:
        check_length(parsed)
    except RenderError as e:
        return render_err(str(e), 400)
    missing = missing_media(parsed, media_resolver(eng.store, who.user_id, state))
    if missing:
        return render_err(
            f"the timeline uses media that is not in this session: {', '.join(missing[:5])}; "
            "upload it again or remove those segments",
            400,
        )
    params = {
        "draft": parsed.to_dict(),
        "format": fmt,
        "quality": quality,
        "preview": output.get("preview", True),
    }
    if not eng.store.create_job(job_id, who.user_id, sid, "render", params):
        return render_err(
            f"a render with id {job_id!r} already exists; use a new id", 409, "duplicate_id"
        )
    eng.start_render(job_id, who.user_id)
    return render_ok({"id": job_id, "status": "pending", "progress": 5})


class RenderRouteError(Exception):
    """An error on a render route: answered in the ``{"success": false}`` envelope."""

    def __init__(self, message: str, status: int, code: str | None = None) -> None:
        super().__init__(message)
        self.message, self.status, self.code = message, status, code


def _render_auth(eng: Engine, request: Request) -> TokenInfo:
    try:
        return eng.auth(request)
    except ApiError as e:
        raise RenderRouteError(e.message, e.status, str(e.code)) from None


async def render_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RenderRouteError)
    return render_err(exc.message, exc.status, exc.code)


def _render_view(eng: Engine, request: Request, job: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": job["id"],
        "status": job["status"],
        "progress": job["progress"],
        "createdAt": int(job["created"] * 1000),
    }
    if job["completed"]:
        data["completedAt"] = int(job["completed"] * 1000)
    if job["error"]:
        data["error"] = job["error"]
    res = job["result"]
    if job["status"] == "completed" and res:
        url = eng.media_url(request, res["file_id"], job["user_id"], res["filename"])
        data["outputUrl"] = url
        data["output"] = {
            "url": url,
            "duration": res.get("duration"),
            "size": res.get("size"),
            "width": res.get("width"),
            "height": res.get("height"),
            "format": res.get("format"),
        }
        if res.get("preview_id"):
            data["previewUrl"] = eng.media_url(
                request, res["preview_id"], job["user_id"], res.get("preview_name", "preview.mp4")
            )
    return data


async def render_poll(request: Request) -> Response:
    eng = _engine(request)
    who = _render_auth(eng, request)
    job = eng.store.job(request.path_params["rid"], who.user_id)
    if job is None or job["kind"] != "render":
        return render_err("render not found", 404)
    return render_ok(_render_view(eng, request, job))


async def render_cancel(request: Request) -> Response:
    eng = _engine(request)
    who = _render_auth(eng, request)
    rid = request.path_params["rid"]
    job = eng.store.job(rid, who.user_id)
    if job is None or job["kind"] != "render":
        return render_err("render not found", 404)
    if job["status"] in ("completed", "failed", "cancelled"):
        return render_err(f"the render is already {job['status']}", 409)
    eng.store.update_job(
        rid, who.user_id, status="cancelled", error="cancelled by the user", completed=time.time()
    )
    eng.pool.cancel(f"{who.user_id}:{rid}")
    return render_ok(_render_view(eng, request, eng.store.job(rid, who.user_id) or job))


async def render_download(request: Request) -> Response:
    eng = _engine(request)
    who = _render_auth(eng, request)
    job = eng.store.job(request.path_params["rid"], who.user_id)
    if job is None or job["kind"] != "render":
        return render_err("render not found", 404)
    if job["status"] != "completed" or not job["result"]:
        return render_err(f"the render is {job['status']}, not completed", 409)
    rec = eng.store.file(job["result"]["file_id"], who.user_id)
    if rec is None or not rec.path.exists():
        return render_err("the rendered file is missing", 410)
    return FileResponse(rec.path, filename=rec.filename, media_type=_media_type(rec.path))


_TYPES = {
    ".mp4": "video/mp4",
    ".mov": "video/quicktime",
    ".webm": "video/webm",
    ".mkv": "video/x-matroska",
    ".avi": "video/x-msvideo",
    ".jpg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".mp3": "audio/mpeg",
    ".wav": "audio/wav",
    ".m4a": "audio/mp4",
    ".aac": "audio/aac",
}


def _media_type(path: Path) -> str:
    return _TYPES.get(path.suffix.lower(), "application/octet-stream")


async def media(request: Request) -> Response:
    """Files by signed URL (browsers' <video> cannot send headers) or by the owner's token."""
    eng = _engine(request)
    file_id = request.path_params["file_id"]
    sig = request.query_params.get("sig")
    rec = eng.store.file(file_id)
    allowed = False
    if rec is not None:
        if sig is not None:
            allowed = hmac.compare_digest(sig, eng.sign(file_id, rec.user_id))
        else:
            allowed = eng.auth(request).user_id == rec.user_id
    if rec is None or not allowed or not rec.path.exists():
        return JSONResponse({"code": 404, "message": "file not found"}, status_code=404)
    return FileResponse(
        rec.path,
        media_type=_media_type(rec.path),
        headers={
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )


async def openapi(request: Request) -> Response:
    """This engine's OpenAPI description (authenticated like every route)."""
    from nemo_widgets.engine.openapi import spec

    _engine(request).auth(request)
    return JSONResponse(spec())


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


def create_app(config: EngineConfig) -> Starlette:
    engine = Engine(config)
    routes = [
        Route("/api/auth/anonymous-token", anonymous_token, methods=["POST"]),
        Route("/api/tasks/me/with-session/nemo_agent", create_session, methods=["POST"]),
        Route("/run_sse", run_sse, methods=["POST"]),
        Route("/api/run/nemo_agent/me/{sid}/cancel", run_cancel, methods=["POST"]),
        Route("/api/upload-video/nemo_agent/me/{sid}", upload, methods=["POST"]),
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


def new_id() -> str:
    return uuid.uuid4().hex
