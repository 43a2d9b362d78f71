"""Routes of a conversation: anonymous tokens, sessions, credits, the session state, and
``/run_sse`` (the agent's run streamed as server-sent events, with heartbeats)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from nemo_widgets.engine import events as ev
from nemo_widgets.engine.app.core import (
    REGISTER_URL,
    ApiError,
    Engine,
    _engine,
    _json,
    _pick,
    log,
    ok,
)
from nemo_widgets.engine.store import CreditsExhausted, TokenInfo


async def anonymous_token(request: Request) -> Response:
    eng = _engine(request)
    client_id = request.headers.get("x-client-id", "").strip()
    if not client_id or len(client_id) > 128:
        raise ApiError(400, "missing X-Client-Id header (a UUID that identifies this client)")
    last = await eng.read(eng.store.last_token_issued, client_id)
    now = time.time()
    if last and now - last[0] < eng.config.token_rate_window and last[1] > now:
        wait = int(min(last[1], last[0] + eng.config.token_rate_window) - now) + 1
        raise ApiError(
            429,
            "one anonymous token per client id per 7 days; reuse the token you have",
            headers={"Retry-After": str(min(wait, 30))},
        )
    token, user_id, expires, credits = await eng.write(
        eng.store.issue_token, client_id, eng.config.token_ttl, eng.config.initial_credits
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
    who = await eng.auth(request)
    body = await _json(request)
    language, task_name = body.get("language", "en"), body.get("task_name", "project")
    if not isinstance(language, str) or not isinstance(task_name, str):
        raise ApiError(400, "language and task_name must be strings")
    language, task_name = language or "en", task_name or "project"
    sid, task_id = await eng.write(
        eng.store.create_session, who.user_id, language[:16], task_name[:200]
    )
    return ok({"task_id": task_id, "session_id": sid, "user_id": who.user_id})


async def run_sse(request: Request) -> Response:
    eng = _engine(request)
    who = await eng.auth(request)
    body = await _json(request)
    sid = _pick(body, "session_id", "sessionId")
    if not isinstance(sid, str) or await eng.read(eng.store.session, sid, who.user_id) is None:
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
        the_plan, reservation = await eng.write(_plan_and_reserve, eng, who, sid, text, extra_state)
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
    who = await eng.auth(request)
    sid = request.path_params["sid"]
    await eng.session_of(sid, who.user_id)
    return ok({"cancelled": eng.cancel_run(sid, who.user_id)})


def _plan_and_reserve(
    eng: Engine, who: TokenInfo, sid: str, text: str, state_delta: Any = None
) -> tuple[Any, str | None]:
    """Understand the message (with the state it brings, e.g. a selection) and reserve its
    credits (2001 before any work starts)."""
    the_plan = eng.agent.plan(sid, text, state_delta if isinstance(state_delta, dict) else None)
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


async def credits(request: Request) -> Response:
    eng = _engine(request)
    who = await eng.auth(request)
    return ok(await eng.read(eng.store.balance, who.user_id))


async def state(request: Request) -> Response:
    eng = _engine(request)
    who = await eng.auth(request)
    row = await eng.session_of(request.path_params["sid"], who.user_id)
    return ok(
        {
            "session_id": row["session_id"],
            "task_id": row["task_id"],
            "state": json.loads(row["state"]),
        }
    )
