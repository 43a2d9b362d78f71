"""An asynchronous agent run as it happens (:class:`AsyncRunStream`), the twin of
:mod:`._stream`."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, Any

import httpx
from httpx_sse import EventSource

from nemo_widgets.client import _constants as C
from nemo_widgets.client._base import RunResult, finish_run, needs_state, parse_response, run_body
from nemo_widgets.client._errors import (
    APIConnectionError,
    APITimeoutError,
    AuthError,
    RunTimeout,
    ServerError,
    SessionNotFound,
)
from nemo_widgets.client._events import Assembler, Event, Heartbeat, StateChange, decode

if TYPE_CHECKING:
    from nemo_widgets.client._async_client import AsyncSession

Callback = Callable[..., Any]


async def maybe_await(fn: Callback | None, *args: Any) -> None:
    """Callbacks may be plain functions or coroutines (as in fal-client)."""
    if fn is None:
        return
    result = fn(*args)
    if isinstance(result, Awaitable):
        await result


class AsyncRunStream:
    """Async twin of :class:`~nemo_widgets.client.RunStream`: ``async for event in stream``."""

    def __init__(
        self,
        session: AsyncSession,
        message: str,
        on_still_working: Callback | None = None,
        state_delta: dict[str, Any] | None = None,
    ) -> None:
        self.session, self.message = session, message
        self.state_delta = state_delta
        self.on_still_working = on_still_working
        self.assembler = Assembler()
        self._iter: AsyncIterator[Event] | None = None
        self._result: RunResult | None = None
        self._before: dict[str, Any] | None = None
        self._last_text: str | None = None
        self.dropped = False
        self.drop_reason: str | None = None

    def __aiter__(self) -> AsyncIterator[Event]:
        if self._iter is None:
            self._iter = self._events()
        return self._iter

    @property
    async def text_stream(self) -> AsyncIterator[str]:
        async for _ in self:
            if self._last_text:
                yield self._last_text

    def _body(self) -> dict[str, Any]:
        return run_body(self.session.id, self.message, self.state_delta)

    async def _watch(self, last: list[float], resp_holder: dict[str, Any]) -> None:
        s = self.session.client.settings
        start = time.monotonic()
        while True:
            await asyncio.sleep(min(1.0, s.still_working_after / 4, s.run_timeout / 4))
            now = time.monotonic()
            if now - start >= s.run_timeout:
                resp_holder["expired"] = True
                r = resp_holder.get("r")
                if r is not None:
                    await r.aclose()
                return
            if now - last[0] >= s.still_working_after:
                last[0] = now
                with contextlib.suppress(Exception):
                    await maybe_await(self.on_still_working, now - start)

    async def _events(self) -> AsyncIterator[Event]:
        client = self.session.client
        if self.session._draft is None:
            await self.session.state()
        self._before = self.session._draft
        await client.ensure_token()
        renewed = False
        while True:
            token = client._token
            try:
                cm = client._http.stream(
                    "POST",
                    client._route("run"),
                    json=self._body(),
                    headers={**client._auth_headers(), "Accept": "text/event-stream"},
                    timeout=httpx.Timeout(client.settings.run_timeout, connect=C.CONNECT_TIMEOUT),
                )
                resp = await cm.__aenter__()
            except httpx.TimeoutException as e:
                raise APITimeoutError(f"the agent did not answer ({type(e).__name__})") from None
            except httpx.TransportError as e:
                raise APIConnectionError(
                    f"cannot reach {client.base_url} ({type(e).__name__})"
                ) from None
            if resp.is_success:
                break
            await resp.aread()
            await cm.__aexit__(None, None, None)
            try:
                parse_response(resp, "/run_sse")
            except AuthError:
                if not renewed and await client._renew_token(token):
                    renewed = True
                    continue
                raise
            except SessionNotFound as e:
                raise await self.session._recover_session(e) from None
            raise APIConnectionError(f"unexpected answer {resp.status_code} from the agent")
        holder: dict[str, Any] = {"r": resp}
        last = [time.monotonic()]
        dog = asyncio.ensure_future(self._watch(last, holder))
        limit = f"{client.settings.run_timeout / 60:.0f}-minute"
        try:
            try:
                async for sse in EventSource(resp).aiter_sse():
                    for event in decode(sse.data):
                        if not isinstance(event, Heartbeat):
                            last[0] = time.monotonic()
                        self._last_text = self.assembler.feed(event)
                        yield event
            except (httpx.TransportError, httpx.StreamError) as e:
                if holder.get("expired"):
                    raise RunTimeout(f"the agent run passed its {limit} limit") from None
                self.dropped, self.drop_reason = True, type(e).__name__
                async for event in self._recover():
                    yield event
            if holder.get("expired"):
                raise RunTimeout(f"the agent run passed its {limit} limit")
        finally:
            dog.cancel()
            await cm.__aexit__(None, None, None)

    async def _recover(self) -> AsyncIterator[Event]:
        client = self.session.client
        deadline = time.monotonic() + client.settings.recover_timeout
        interval = max(client.settings.poll_initial, 0.05)
        while time.monotonic() < deadline:
            try:
                state = await self.session.state()
            except (APIConnectionError, ServerError):
                state = None
            if state is not None and state.get("draft") != self._before:
                event = StateChange({"recovered": True}, {"draft": state.get("draft")})
                self.assembler.feed(event)
                yield event
                return
            await client._sleep(interval)
            interval = min(interval * 1.5, client.settings.poll_max)

    async def until_done(self) -> RunResult:
        if self._result is not None:
            return self._result
        async for _ in self:
            pass
        a = self.assembler
        if a.errors and not a.text:
            self._result = finish_run(a, self._before, None, self.dropped)  # raises
        after = a.state_delta.get("draft")
        if needs_state(a, self.dropped):
            after = (await self.session.state()).get("draft")
        elif after is not None:
            self.session._draft = after
        self._result = finish_run(a, self._before, after, self.dropped)
        return self._result

    @property
    async def final_text(self) -> str:
        return (await self.until_done()).text
