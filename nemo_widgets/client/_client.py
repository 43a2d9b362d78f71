"""The synchronous client. :mod:`._async_client` is its twin with the same method names."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import httpx

from nemo_widgets.client._base import (
    Balance,
    BaseClient,
    ExportResult,
    LocalUpload,
    ProgressReader,
    RenderStatus,
    RunResult,
    UploadedFile,
    backoff,
    draft_of,
    new_render_id,
    parse_response,
    render_status,
    resolve_dest,
    retry_after,
    uploaded,
)
from nemo_widgets.client._batch import run_batch
from nemo_widgets.client._errors import (
    APIConnectionError,
    APITimeoutError,
    AuthError,
    DuplicateRenderId,
    MissingClientId,
    NemoError,
    RateLimited,
    RenderFailed,
    RunTimeout,
    ServerError,
    SessionNotFound,
)
from nemo_widgets.client._intents import route
from nemo_widgets.client._stream import RunStream
from nemo_widgets.draft import Draft, summary, to_dataframe

ProgressFn = Callable[[int, int], None]

_TRANSPORT_ERRORS = (httpx.TransportError,)


class NemoClient(BaseClient):
    """Talks to the hosted NemoVideo service or the embedded engine (same API).

    >>> client = NemoClient("http://127.0.0.1:8765")          # doctest: +SKIP
    >>> session = client.create_session()                      # doctest: +SKIP
    >>> session.upload("clip.mp4")                             # doctest: +SKIP
    >>> print(session.say("add the title 'Hello' for 3 seconds").text)  # doctest: +SKIP
    >>> session.export(download_to="out/")                     # doctest: +SKIP
    """

    def __init__(
        self, base_url: str | None = None, *, http: httpx.Client | None = None, **kw: Any
    ) -> None:
        super().__init__(base_url, **kw)
        self._http = http or httpx.Client(
            base_url=self.base_url, timeout=self.settings.timeout, follow_redirects=True
        )
        self._lock = threading.Lock()

    # -- plumbing ----------------------------------------------------------------------------
    def _sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> NemoClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _send_raw(self, method: str, path: str, **kw: Any) -> httpx.Response:
        try:
            return self._http.request(method, path, **kw)
        except httpx.TimeoutException as e:
            raise APITimeoutError(
                f"{method} {path}: the server did not answer in time ({type(e).__name__})"
            ) from None
        except _TRANSPORT_ERRORS as e:
            raise APIConnectionError(f"cannot reach {self.base_url} ({type(e).__name__})") from None

    def ensure_token(self) -> None:
        with self._lock:
            if self._token:
                return
            cid = self.identity.client_id()
            cached = self.identity.cached_token(self.base_url, cid)
            if cached:
                self._token = cached
                return
            self._new_anonymous_token(cid)

    def _new_anonymous_token(self, client_id: str) -> None:
        """400 → a new client id, retried; 429 → wait, retry once, then :class:`RateLimited`."""
        waited = renewed_id = False
        while True:
            resp = self._send_raw(
                "POST", self._route("token"), headers={**self._headers, "X-Client-Id": client_id}
            )
            try:
                data = parse_response(resp, self._route("token"))
            except MissingClientId:
                if renewed_id:
                    raise
                client_id, renewed_id = self.identity.new_client_id(), True
                continue
            except RateLimited:
                if waited:
                    raise
                self._sleep(
                    max(self.settings.rate_limit_wait, retry_after(resp) or 0)
                    if self.settings.rate_limit_wait
                    else 0
                )
                waited = True
                continue
            self._token = self._token_data(data)
            self.identity.store_token(self.base_url, client_id, self._token)
            return

    def _renew_token(self, failed: str | None) -> bool:
        """After 1001: a new anonymous token for the same client id. False if not ours."""
        if self._token_source == "given":
            return False
        with self._lock:
            if self._token and self._token != failed:
                return True  # another thread already renewed it
            cid = self.identity.client_id()
            self.identity.store_token(self.base_url, cid, None)
            self._token = None
            self._new_anonymous_token(cid)
        return True

    def request(
        self,
        method: str,
        path: str,
        *,
        idempotent: bool | None = None,
        body: Callable[[], dict[str, Any]] | None = None,
        raw: bool = False,
        **kw: Any,
    ) -> Any:
        """One API call with the protocol's recovery rules. ``body`` builds fresh request
        arguments per attempt (uploads re-open their files)."""
        idempotent = method in ("GET", "HEAD") if idempotent is None else idempotent
        self.ensure_token()
        attempt, renewed = 0, False
        while True:
            token = self._token
            args = {**kw, **(body() if body else {})}
            resp: httpx.Response | None = None
            try:
                resp = self._send_raw(method, path, headers=self._auth_headers(), **args)
                return resp if raw and resp.is_success else parse_response(resp, path)
            except AuthError:
                if not renewed and self._renew_token(token):
                    renewed = True
                    continue
                if self._token_source == "given":
                    raise AuthError(
                        "the token is invalid or expired (NEMO_TOKEN or the one passed "
                        "in); get a new one",
                        code=1001,
                    ) from None
                raise
            except (APIConnectionError, ServerError, RateLimited):
                if not idempotent or attempt >= self.settings.max_retries:
                    raise
                self._sleep(backoff(self.settings, attempt, retry_after(resp)))
                attempt += 1

    # -- API -----------------------------------------------------------------------------------
    def credits(self) -> Balance:
        d = self.request("GET", self._route("credits"))
        return Balance(
            int(d.get("available", 0)),
            int(d.get("frozen", 0)),
            int(d.get("total", d.get("available", 0) + d.get("frozen", 0))),
        )

    def create_session(self, *, language: str | None = None, task_name: str = "project") -> Session:
        from nemo_widgets.client._auth import detect_language

        d = self.request(
            "POST",
            self._route("session"),
            json={"task_name": task_name, "language": language or detect_language()},
        )
        return Session(self, str(d["session_id"]), d.get("task_id"), language=language)

    def session(self, session_id: str) -> Session:
        """Attach to an existing session."""
        return Session(self, str(session_id), None)

    def render_status(self, render_id: str) -> RenderStatus:
        body = self.request("GET", self._route("render_poll", rid=render_id))
        st = render_status(body)
        return (
            st
            if st.id
            else RenderStatus(
                render_id,
                st.status,
                st.progress,
                st.url,
                st.preview_url,
                st.error,
                st.duration,
                st.size,
                st.raw,
            )
        )

    def cancel_render(self, render_id: str) -> RenderStatus:
        return render_status(self.request("POST", self._route("render_cancel", rid=render_id)))

    def download(
        self, url_or_id: str, dest: str | Path, *, on_progress: ProgressFn | None = None
    ) -> Path:
        """Stream a file to ``dest`` (a file or folder) via a temp file + rename."""
        self.ensure_token()
        if url_or_id.startswith(("http://", "https://")):
            url, name = url_or_id, url_or_id.split("?")[0].rsplit("/", 1)[-1]
            headers = self._auth_headers() if url.startswith(self.base_url) else {}
        else:
            url, name = self._route("render_download", rid=url_or_id), f"{url_or_id}.mp4"
            headers = self._auth_headers()
        dest = resolve_dest(dest, name)
        tmp = dest.with_name(f".{dest.name}.part")
        try:
            with self._http.stream("GET", url, headers=headers) as resp:
                if not resp.is_success:
                    resp.read()
                    parse_response(resp, "download")
                total = int(resp.headers.get("content-length") or 0)
                got = 0
                with open(tmp, "wb") as f:
                    for chunk in resp.iter_bytes(1 << 16):
                        f.write(chunk)
                        got += len(chunk)
                        if on_progress:
                            on_progress(got, total)
            os.replace(tmp, dest)
        except httpx.TransportError as e:
            raise APIConnectionError(f"the download broke off ({type(e).__name__})") from None
        finally:
            tmp.unlink(missing_ok=True)
        return dest

    batch = run_batch


class Session:
    """One editing session: uploads, the agent, the state, exports."""

    def __init__(
        self, client: NemoClient, session_id: str, task_id: str | None, language: str | None = None
    ) -> None:
        self.client, self.id, self.task_id, self.language = client, session_id, task_id, language
        self._draft: dict[str, Any] | None = None
        #: Set when the server lost the session and a new one replaced it.
        self.notice: str | None = None

    def __repr__(self) -> str:
        return f"Session(id={self.id!r}, backend={self.client.backend!r})"

    def _recover_session(self, err: SessionNotFound) -> SessionNotFound:
        new = self.client.create_session(language=self.language)
        old, self.id, self.task_id, self._draft = self.id, new.id, new.task_id, None
        self.notice = (
            f"The session {old} was not found, so a new one was started: the old "
            "timeline is gone — upload your clips again."
        )
        return SessionNotFound(self.notice, new_session_id=self.id, code=1002, status=err.status)

    def _call(self, method: str, name: str, **kw: Any) -> Any:
        try:
            return self.client.request(method, self.client._route(name, sid=self.id), **kw)
        except SessionNotFound as e:
            raise self._recover_session(e) from None

    # -- state ---------------------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        d = self._call("GET", "state")
        state = d.get("state", d) if isinstance(d, dict) else {}
        self._draft = state.get("draft")
        return state

    def draft(self) -> Draft:
        return draft_of(self.state())

    @property
    def timeline(self) -> Any:
        """The draft as a pandas DataFrame (one row per segment)."""
        return to_dataframe(self.draft())

    def summary(self) -> str:
        return summary(self.draft())

    @property
    def exportable(self) -> bool:
        return self.draft().exportable

    # -- upload --------------------------------------------------------------------------------
    def upload(
        self, *sources: str | Path | IO[bytes], on_progress: ProgressFn | None = None
    ) -> list[UploadedFile]:
        """Upload paths, open binary files or http(s) URLs; checked locally first; streamed."""
        urls = [s for s in sources if isinstance(s, str) and s.startswith(("http://", "https://"))]
        local = [s for s in sources if s not in urls]
        out: list[UploadedFile] = []
        if urls:
            d = self._call(
                "POST", "upload", json={"urls": urls, "source_type": "url"}, idempotent=False
            )
            out += uploaded(d.get("files", []))
        if local:
            up = LocalUpload(local, ProgressReader, on_progress)
            try:
                d = self._call("POST", "upload", body=up.body, idempotent=False)
            finally:
                up.close()
            out += uploaded(d.get("files", []))
            if on_progress:
                on_progress(up.total, up.total)
        self._draft = None
        return out

    # -- the agent -----------------------------------------------------------------------------
    def send(
        self,
        message: str,
        *,
        state_delta: dict[str, Any] | None = None,
        on_still_working: Callable[[float], None] | None = None,
    ) -> RunStream:
        """Start an agent run; iterate the returned stream for typed events."""
        return RunStream(self, message, on_still_working, state_delta)

    def say(self, message: str, **kw: Any) -> RunResult:
        """Send and wait: the reply text (or, for a silent edit, a summary of the changes)."""
        return self.send(message, **kw).until_done()

    def ask(self, message: str, **kw: Any) -> Any:
        """Like :meth:`say`, but "export", "credits", "status" act directly without the agent."""
        intent = route(message)
        if intent is None:
            return self.say(message, **kw)
        if intent.kind == "export":
            return self.export()
        if intent.kind == "credits":
            return self.client.credits()
        if intent.kind == "status":
            return self.summary()
        raise NemoError("to upload, call session.upload(path) or use the upload panel")

    # -- export --------------------------------------------------------------------------------
    def submit_render(
        self, *, format: str = "mp4", quality: str = "high", draft: dict[str, Any] | None = None
    ) -> str:
        """Submit a render with a fresh ``render_<ts>`` id (once more with a new id on a
        duplicate); returns the id."""
        if draft is None:
            draft = self.state().get("draft")
        for attempt in range(2):
            rid = new_render_id()
            try:
                self.client.request(
                    "POST",
                    self.client._route("render"),
                    idempotent=False,
                    json={
                        "id": rid,
                        "sessionId": self.id,
                        "draft": draft,
                        "output": {"format": format, "quality": quality},
                    },
                )
                return rid
            except DuplicateRenderId:
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def wait_render(
        self,
        render_id: str,
        *,
        on_progress: Callable[[RenderStatus], None] | None = None,
        timeout: float | None = None,
    ) -> RenderStatus:
        """Poll with backoff until the render ends; cancels it on timeout or Ctrl-C."""
        s = self.client.settings
        deadline = time.monotonic() + (timeout or s.render_timeout)
        interval = s.poll_initial
        try:
            while True:
                st = self.client.render_status(render_id)
                if on_progress:
                    on_progress(st)
                if st.done:
                    break
                if time.monotonic() > deadline:
                    self.client.cancel_render(render_id)
                    raise RunTimeout(
                        f"the export {render_id} took longer than "
                        f"{(timeout or s.render_timeout):.0f} s and was cancelled"
                    )
                self.client._sleep(interval)
                interval = min(max(interval * 1.5, 0.05), s.poll_max)
        except KeyboardInterrupt:
            with contextlib.suppress(NemoError):
                self.client.cancel_render(render_id)
            raise
        if st.status != "completed":
            raise RenderFailed(st.error or "no reason given", render_id=render_id, status=st.status)
        return st

    def export(
        self,
        *,
        format: str = "mp4",
        quality: str = "high",
        download_to: str | Path | None = None,
        on_progress: Callable[[RenderStatus], None] | None = None,
        on_download: ProgressFn | None = None,
        timeout: float | None = None,
    ) -> ExportResult:
        """Render the timeline; optionally download it. The finished URL is always returned."""
        rid = self.submit_render(format=format, quality=quality)
        st = self.wait_render(rid, on_progress=on_progress, timeout=timeout)
        path = None
        if download_to is not None:
            dest = resolve_dest(download_to, f"{rid}.{format}")
            path = self.client.download(rid, dest, on_progress=on_download)
        return ExportResult(rid, st.url or "", path, st.preview_url, st.duration, st.size, st)
