"""The asynchronous client: the twin of :mod:`._client`, same method names, awaited.

Notebook widgets use it on the kernel's own event loop (no ``nest_asyncio``).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import httpx

from nemo_widgets.client._async_stream import AsyncRunStream, maybe_await
from nemo_widgets.client._base import (
    Balance,
    BaseClient,
    ExportResult,
    LocalUpload,
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
from nemo_widgets.client._batch import arun_batch
from nemo_widgets.client._errors import (
    APIConnectionError,
    APIError,
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
from nemo_widgets.draft import Draft, summary, to_dataframe

ProgressFn = Callable[[int, int], Any]
Callback = Callable[..., Any]


class AsyncNemoClient(BaseClient):
    """Async twin of :class:`~nemo_widgets.client.NemoClient`."""

    def __init__(
        self, base_url: str | None = None, *, http: httpx.AsyncClient | None = None, **kw: Any
    ) -> None:
        super().__init__(base_url, **kw)
        self._http = http or httpx.AsyncClient(
            base_url=self.base_url, timeout=self.settings.timeout, follow_redirects=True
        )
        self._lock = asyncio.Lock()

    async def _sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))

    async def aclose(self) -> None:
        await self._http.aclose()

    close = aclose

    async def __aenter__(self) -> AsyncNemoClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def _send_raw(self, method: str, path: str, **kw: Any) -> httpx.Response:
        try:
            return await self._http.request(method, path, **kw)
        except httpx.TimeoutException as e:
            raise APITimeoutError(
                f"{method} {path}: the server did not answer in time ({type(e).__name__})"
            ) from None
        except httpx.TransportError as e:
            raise APIConnectionError(f"cannot reach {self.base_url} ({type(e).__name__})") from None

    async def ensure_token(self) -> None:
        async with self._lock:
            if self._token:
                return
            cid = self.identity.client_id()
            cached = self.identity.cached_token(self.base_url, cid)
            if cached:
                self._token = cached
                return
            await self._new_anonymous_token(cid)

    async def _new_anonymous_token(self, client_id: str) -> None:
        waited = renewed_id = False
        while True:
            resp = await self._send_raw(
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
                await self._sleep(
                    max(self.settings.rate_limit_wait, retry_after(resp) or 0)
                    if self.settings.rate_limit_wait
                    else 0
                )
                waited = True
                continue
            self._token = self._token_data(data)
            self.identity.store_token(self.base_url, client_id, self._token)
            return

    async def _renew_token(self, failed: str | None) -> bool:
        if self._token_source == "given":
            return False
        async with self._lock:
            if self._token and self._token != failed:
                return True
            cid = self.identity.client_id()
            self.identity.store_token(self.base_url, cid, None)
            self._token = None
            await self._new_anonymous_token(cid)
        return True

    async def request(
        self,
        method: str,
        path: str,
        *,
        idempotent: bool | None = None,
        body: Callable[[], dict[str, Any]] | None = None,
        raw: bool = False,
        **kw: Any,
    ) -> Any:
        idempotent = method in ("GET", "HEAD") if idempotent is None else idempotent
        await self.ensure_token()
        attempt, renewed = 0, False
        while True:
            token = self._token
            args = {**kw, **(body() if body else {})}
            resp: httpx.Response | None = None
            try:
                resp = await self._send_raw(method, path, headers=self._auth_headers(), **args)
                return resp if raw and resp.is_success else parse_response(resp, path)
            except AuthError:
                if not renewed and await self._renew_token(token):
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
                await self._sleep(backoff(self.settings, attempt, retry_after(resp)))
                attempt += 1

    async def credits(self) -> Balance:
        d = await self.request("GET", self._route("credits"))
        return Balance(
            int(d.get("available", 0)),
            int(d.get("frozen", 0)),
            int(d.get("total", d.get("available", 0) + d.get("frozen", 0))),
        )

    async def create_session(
        self, *, language: str | None = None, task_name: str = "project"
    ) -> AsyncSession:
        from nemo_widgets.client._auth import detect_language

        d = await self.request(
            "POST",
            self._route("session"),
            json={"task_name": task_name, "language": language or detect_language()},
        )
        return AsyncSession(self, str(d["session_id"]), d.get("task_id"), language=language)

    def session(self, session_id: str) -> AsyncSession:
        return AsyncSession(self, str(session_id), None)

    async def render_status(self, render_id: str) -> RenderStatus:
        st = render_status(await self.request("GET", self._route("render_poll", rid=render_id)))
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

    async def cancel_render(self, render_id: str) -> RenderStatus:
        return render_status(
            await self.request("POST", self._route("render_cancel", rid=render_id))
        )

    async def download(
        self, url_or_id: str, dest: str | Path, *, on_progress: ProgressFn | None = None
    ) -> Path:
        await self.ensure_token()
        if url_or_id.startswith(("http://", "https://")):
            url, name = url_or_id, url_or_id.split("?")[0].rsplit("/", 1)[-1]
            headers = self._auth_headers() if url.startswith(self.base_url) else {}
        else:
            url, name = self._route("render_download", rid=url_or_id), f"{url_or_id}.mp4"
            headers = self._auth_headers()
        dest = resolve_dest(dest, name)
        tmp = dest.with_name(f".{dest.name}.part")
        try:
            async with self._http.stream("GET", url, headers=headers) as resp:
                if not resp.is_success:
                    await resp.aread()
                    parse_response(resp, "download")
                total = int(resp.headers.get("content-length") or 0)
                got = 0
                with open(tmp, "wb") as f:
                    async for chunk in resp.aiter_bytes(1 << 16):
                        f.write(chunk)
                        got += len(chunk)
                        await maybe_await(on_progress, got, total)
            os.replace(tmp, dest)
        except httpx.TransportError as e:
            raise APIConnectionError(f"the download broke off ({type(e).__name__})") from None
        finally:
            tmp.unlink(missing_ok=True)
        return dest

    batch = arun_batch


class _AsyncProgressStream:
    """An async byte stream of several files for multipart, with progress."""

    def __init__(
        self, f: IO[bytes], total: int, callback: ProgressFn | None, done_before: int, grand: int
    ) -> None:
        self.f, self.cb, self.done_before, self.grand = f, callback, done_before, grand
        self.sent = 0
        self._last = 0.0
        self._tasks: set[asyncio.Task[Any]] = set()

    def read(self, n: int = -1) -> bytes:
        chunk = self.f.read(n if n and n > 0 else 1 << 16)
        self.sent += len(chunk)
        now = time.monotonic()
        if self.cb is not None and (now - self._last > 0.1 or not chunk):
            self._last = now
            result = self.cb(self.done_before + self.sent, self.grand)
            if asyncio.iscoroutine(result):  # an async callback runs as a task, kept until done
                task = asyncio.get_running_loop().create_task(result)
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
        return chunk

    def __iter__(self) -> Any:
        while chunk := self.read(1 << 16):
            yield chunk


class AsyncSession:
    """Async twin of :class:`~nemo_widgets.client.Session`."""

    def __init__(
        self,
        client: AsyncNemoClient,
        session_id: str,
        task_id: str | None,
        language: str | None = None,
    ) -> None:
        self.client, self.id, self.task_id, self.language = client, session_id, task_id, language
        self._draft: dict[str, Any] | None = None
        self.notice: str | None = None

    def __repr__(self) -> str:
        return f"AsyncSession(id={self.id!r}, backend={self.client.backend!r})"

    async def _recover_session(self, err: SessionNotFound) -> SessionNotFound:
        new = await self.client.create_session(language=self.language)
        old, self.id, self.task_id, self._draft = self.id, new.id, new.task_id, None
        self.notice = (
            f"The session {old} was not found, so a new one was started: the old "
            "timeline is gone — upload your clips again."
        )
        return SessionNotFound(self.notice, new_session_id=self.id, code=1002, status=err.status)

    async def _call(self, method: str, name: str, **kw: Any) -> Any:
        try:
            return await self.client.request(method, self.client._route(name, sid=self.id), **kw)
        except SessionNotFound as e:
            raise await self._recover_session(e) from None

    async def cancel(self) -> bool:
        """Ask the service to stop this session's agent run. ``True`` when a run was stopped;
        ``False`` when none was running or the service cannot cancel runs (then the reply
        still arrives and the result lands)."""
        try:
            d = await self._call("POST", "run_cancel")
        except NemoError:
            return False
        return bool(isinstance(d, dict) and d.get("cancelled"))

    async def mask_preview(self, box: Any, time: float = 0.0) -> dict[str, Any] | None:
        """The mask a removal would use for ``box`` ([x0, y0, x1, y1], 0..1 of the picture)
        drawn at ``time`` s, on that frame, before anything runs: ``{"width", "height",
        "time", "label", "area", "mask_png"}`` (base64 PNG, white = filled). Costs nothing,
        changes nothing. ``None`` where the service has no such route (the hosted one)."""
        try:
            d = await self.client.request(
                "POST",
                self.client._route("mask_preview", sid=self.id),
                json={"box": [float(v) for v in box], "time": float(time)},
                idempotent=True,
            )
        except APIError as e:
            if getattr(e, "status", None) in (404, 405, 501) and not isinstance(e, SessionNotFound):
                return None  # no such route there; never taken for a lost session
            raise
        return d if isinstance(d, dict) and d.get("mask_png") else None

    async def state(self) -> dict[str, Any]:
        d = await self._call("GET", "state")
        state = d.get("state", d) if isinstance(d, dict) else {}
        self._draft = state.get("draft")
        return state

    async def draft(self) -> Draft:
        return draft_of(await self.state())

    async def timeline(self) -> Any:
        return to_dataframe(await self.draft())

    async def summary(self) -> str:
        return summary(await self.draft())

    async def upload(
        self,
        *sources: str | Path | IO[bytes],
        on_progress: ProgressFn | None = None,
        timeline: str | None = None,
    ) -> list[UploadedFile]:
        """``timeline`` (embedded engine): ``"empty"`` puts a video onto the timeline only when
        it has none yet (later uploads wait in the media bin), ``"never"``; default: always."""
        urls = [s for s in sources if isinstance(s, str) and s.startswith(("http://", "https://"))]
        local = [s for s in sources if s not in urls]
        out: list[UploadedFile] = []
        extra = {"params": {"timeline": timeline}} if timeline else {}
        if urls:
            d = await self._call(
                "POST",
                "upload",
                json={"urls": urls, "source_type": "url"},
                idempotent=False,
                **extra,
            )
            out += uploaded(d.get("files", []))
        if local:
            up = LocalUpload(local, _AsyncProgressStream, on_progress)
            try:
                d = await self._call("POST", "upload", body=up.body, idempotent=False, **extra)
            finally:
                up.close()
            out += uploaded(d.get("files", []))
            await maybe_await(on_progress, up.total, up.total)
        self._draft = None
        return out

    def send(
        self,
        message: str,
        *,
        state_delta: dict[str, Any] | None = None,
        on_still_working: Callback | None = None,
    ) -> AsyncRunStream:
        return AsyncRunStream(self, message, on_still_working, state_delta)

    async def say(self, message: str, **kw: Any) -> RunResult:
        return await self.send(message, **kw).until_done()

    async def ask(self, message: str, **kw: Any) -> Any:
        intent = route(message)
        if intent is None:
            return await self.say(message, **kw)
        if intent.kind == "export":
            return await self.export()
        if intent.kind == "credits":
            return await self.client.credits()
        if intent.kind == "status":
            return await self.summary()
        raise NemoError("to upload, call session.upload(path) or use the upload panel")

    async def submit_render(
        self, *, format: str = "mp4", quality: str = "high", draft: dict[str, Any] | None = None
    ) -> str:
        if draft is None:
            draft = (await self.state()).get("draft")
        for attempt in range(2):
            rid = new_render_id()
            try:
                await self.client.request(
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

    async def wait_render(
        self, render_id: str, *, on_progress: Callback | None = None, timeout: float | None = None
    ) -> RenderStatus:
        s = self.client.settings
        deadline = time.monotonic() + (timeout or s.render_timeout)
        interval = s.poll_initial
        try:
            while True:
                st = await self.client.render_status(render_id)
                await maybe_await(on_progress, st)
                if st.done:
                    break
                if time.monotonic() > deadline:
                    await self.client.cancel_render(render_id)
                    raise RunTimeout(
                        f"the export {render_id} took longer than "
                        f"{(timeout or s.render_timeout):.0f} s and was cancelled"
                    )
                await self.client._sleep(interval)
                interval = min(max(interval * 1.5, 0.05), s.poll_max)
        except asyncio.CancelledError:
            with contextlib.suppress(NemoError):
                await asyncio.shield(self.client.cancel_render(render_id))
            raise
        if st.status != "completed":
            raise RenderFailed(st.error or "no reason given", render_id=render_id, status=st.status)
        return st

    async def export(
        self,
        *,
        format: str = "mp4",
        quality: str = "high",
        download_to: str | Path | None = None,
        on_progress: Callback | None = None,
        on_download: ProgressFn | None = None,
        timeout: float | None = None,
    ) -> ExportResult:
        rid = await self.submit_render(format=format, quality=quality)
        st = await self.wait_render(rid, on_progress=on_progress, timeout=timeout)
        path = None
        if download_to is not None:
            dest = resolve_dest(download_to, f"{rid}.{format}")
            path = await self.client.download(rid, dest, on_progress=on_download)
        return ExportResult(rid, st.url or "", path, st.preview_url, st.duration, st.size, st)
