"""A synchronous agent run as it happens (:class:`RunStream`), with the watchdog that says
"still working" and enforces the run's deadline. :mod:`._async_stream` is its twin."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
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
    from nemo_widgets.client._client import Session


class _Watchdog:
    """Fires "still working" after silence and enforces the run's overall deadline."""

    def __init__(
        self,
        settings: Any,
        callback: Callable[[float], None] | None,
        on_deadline: Callable[[], None],
    ) -> None:
        self.settings, self.callback, self.on_deadline = settings, callback, on_deadline
        self.start = self.last = time.monotonic()
        self.expired = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="nemo-run-watchdog")
        self._thread.start()

    def touch(self) -> None:
        self.last = time.monotonic()

    def _run(self) -> None:
        s = self.settings
        while not self._stop.wait(min(1.0, s.still_working_after / 4, s.run_timeout / 4)):
            now = time.monotonic()
            if now - self.start >= s.run_timeout:
                self.expired = True
                self.on_deadline()
                return
            if now - self.last >= s.still_working_after:
                self.last = now
                if self.callback is not None:
                    with contextlib.suppress(Exception):
                        self.callback(now - self.start)

    def stop(self) -> None:
        self._stop.set()


class RunStream:
    """An agent run as it happens: iterate for typed events, or use :attr:`text_stream`,
    :meth:`until_done` and :attr:`final_text`. The message is sent once, never re-sent."""

    def __init__(
        self,
        session: Session,
        message: str,
        on_still_working: Callable[[float], None] | None = None,
        state_delta: dict[str, Any] | None = None,
    ) -> None:
        self.session, self.message = session, message
        self.state_delta = state_delta
        self.on_still_working = on_still_working
        self.assembler = Assembler()
        self._iter: Iterator[Event] | None = None
        self._result: RunResult | None = None
        self._before: dict[str, Any] | None = None
        self.dropped = False
        self.drop_reason: str | None = None

    def __iter__(self) -> Iterator[Event]:
        if self._iter is None:
            self._iter = self._events()
        return self._iter

    @property
    def text_stream(self) -> Iterator[str]:
        """The reply text as it arrives (tool calls and heartbeats are left out)."""
        for _ in self:
            if self._last_text:
                yield self._last_text

    _last_text: str | None = None

    def _body(self) -> dict[str, Any]:
        return run_body(self.session.id, self.message, self.state_delta)

    def _events(self) -> Iterator[Event]:
        client = self.session.client
        if self.session._draft is None:
            self.session.state()
        self._before = self.session._draft
        client.ensure_token()
        resp_holder: dict[str, httpx.Response] = {}

        def deadline() -> None:
            r = resp_holder.get("r")
            if r is not None:
                with contextlib.suppress(Exception):
                    r.close()

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
                resp = cm.__enter__()
            except httpx.TimeoutException as e:
                raise APITimeoutError(f"the agent did not answer ({type(e).__name__})") from None
            except httpx.TransportError as e:
                raise APIConnectionError(
                    f"cannot reach {client.base_url} ({type(e).__name__})"
                ) from None
            if resp.is_success:
                break
            resp.read()
            cm.__exit__(None, None, None)
            try:
                parse_response(resp, "/run_sse")
            except AuthError:
                if not renewed and client._renew_token(token):
                    renewed = True
                    continue
                raise
            except SessionNotFound as e:
                raise self.session._recover_session(e) from None
            raise APIConnectionError(f"unexpected answer {resp.status_code} from the agent")
        resp_holder["r"] = resp
        dog = _Watchdog(client.settings, self.on_still_working, deadline)
        try:
            try:
                for sse in EventSource(resp).iter_sse():
                    for event in decode(sse.data):
                        if not isinstance(event, Heartbeat):
                            dog.touch()
                        self._last_text = self.assembler.feed(event)
                        yield event
            except (httpx.TransportError, httpx.StreamError) as e:
                if dog.expired:
                    raise RunTimeout(
                        f"the agent run passed its "
                        f"{client.settings.run_timeout / 60:.0f}-minute limit"
                    ) from None
                # The stream dropped: never re-send; the run goes on server-side, so read the
                # session state until the edit lands.
                self.dropped = True
                self.drop_reason = type(e).__name__
                yield from self._recover()
            if dog.expired:
                raise RunTimeout(
                    f"the agent run passed its {client.settings.run_timeout / 60:.0f}-minute limit"
                )
        finally:
            dog.stop()
            cm.__exit__(None, None, None)

    def _recover(self) -> Iterator[Event]:
        client = self.session.client
        deadline = time.monotonic() + client.settings.recover_timeout
        interval = max(client.settings.poll_initial, 0.05)
        while time.monotonic() < deadline:
            try:
                state = self.session.state()
            except (APIConnectionError, ServerError):
                state = None
            if state is not None and state.get("draft") != self._before:
                event = StateChange({"recovered": True}, {"draft": state.get("draft")})
                self.assembler.feed(event)
                yield event
                return
            client._sleep(interval)
            interval = min(interval * 1.5, client.settings.poll_max)

    def until_done(self) -> RunResult:
        if self._result is not None:
            return self._result
        for _ in self:
            pass
        a = self.assembler
        if a.errors and not a.text:
            self._result = finish_run(a, self._before, None, self.dropped)  # raises
        after = a.state_delta.get("draft")
        if needs_state(a, self.dropped):
            after = (self.session.state()).get("draft")
        elif after is not None:
            self.session._draft = after
        self._result = finish_run(a, self._before, after, self.dropped)
        return self._result

    @property
    def final_text(self) -> str:
        return self.until_done().text
