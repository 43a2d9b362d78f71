"""The Studio's brain: one client, one session, and the operations the panels offer.

Plain async Python, no widget code (the panels only render what it emits). Every operation
runs on the kernel's own event loop; operations that change the session run one at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import tempfile
import time
import uuid
import weakref
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from nemo_widgets.client import (
    AsyncNemoClient,
    AsyncSession,
    AuthError,
    Balance,
    ExportResult,
    NemoError,
    Progress,
    RenderStatus,
    RunResult,
    SessionNotFound,
    TextDelta,
    ToolCall,
    ToolResult,
    UploadedFile,
    route,
)
from nemo_widgets.client._base import resolve_dest, uploaded
from nemo_widgets.draft import Draft, diff, summary, to_dataframe
from nemo_widgets.widgets import _media
from nemo_widgets.widgets._output import quick_preview, with_output
from nemo_widgets.widgets._project import Project, already_uploaded
from nemo_widgets.widgets._util import STEP_LABELS, _already_text, friendly, run_soon

__all__ = ["STEP_LABELS", "Controller", "friendly", "run_soon"]

log = logging.getLogger("nemo_widgets.widgets")
Listener = Callable[..., Any]


class Controller:
    """Owns the client and the session; panels subscribe with :meth:`on`."""

    def __init__(
        self,
        client: AsyncNemoClient | None = None,
        *,
        backend: str = "auto",
        language: str | None = None,
        still_working_after: float | None = None,
        project: Project | None = None,
    ) -> None:
        self.client = client
        self.id = uuid.uuid4().hex[:12]
        #: Where the session id, token, last export and previews persist (None: nowhere).
        self.project = project
        self.backend = backend
        self.language = language
        self.session: AsyncSession | None = None
        self.state: dict[str, Any] = {}
        self.balance: Balance | None = None
        self.status = "Connecting…"
        self.busy = False
        self.last_export: ExportResult | None = None
        #: A box the user drew (BoxSelect): sent with the next instruction, then cleared.
        self.selection: dict[str, Any] | None = None
        #: Where uploaded videos go: "empty" (the first onto an empty timeline, later ones
        #: wait in the media bin until added), "always", "never".
        self.placement = "empty"
        #: The last box that went to the service (for naming what a removal took away).
        self.sent_selection: dict[str, Any] | None = None
        self.still_working_after = still_working_after
        self._listeners: dict[str, list[Listener]] = defaultdict(list)
        #: The loop all of this controller's work runs on: the kernel's main loop when made in
        #: a cell. Comm messages may arrive on another thread and loop (ipykernel 7 handles
        #: widget messages in a subshell); panels hop back here (see ``run_soon``).
        try:
            self.loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            self.loop = None
        self._op_lock: asyncio.Lock | None = None
        self._connecting: asyncio.Task[None] | None = None
        self._workdir: Path | None = None
        self._restored = False
        self._healthy, self._health_at = True, 0.0
        #: The draft the last export was made from (to tell when it is out of date).
        self.last_export_draft: Any = None
        #: The draft before the last edit: the "before" of before/after.
        self.before_edit: Any = None
        #: The long job running now: {"kind": "upload" | "run" | "export", "task": …}.
        self.job: dict[str, Any] | None = None
        self._previews: dict[str, asyncio.Future[Path]] = {}
        #: After each edit, a quick low-resolution render of the timeline (embedded engine
        #: only: renders there cost no credits). The Studio turns it on.
        self.quick_previews = False
        self._quick: asyncio.Task[None] | None = None

    # -- files the kernel keeps for the browser -------------------------------------------------
    @property
    def workdir(self) -> Path:
        """Where previews and downloads for the browser live (removed with the controller)."""
        if self._workdir is None:
            if self.project is not None:
                self._workdir = self.project.cache
            else:
                self._workdir = Path(tempfile.mkdtemp(prefix="nemo-studio-"))
                weakref.finalize(self, _media.remove_tree, self._workdir)
        return self._workdir

    def _local(self, url: str) -> str:
        """A loopback URL recorded by an earlier run of the embedded engine (another port)
        pointed at the engine running now."""
        if self.client is None or not url:
            return url
        old, new = urlsplit(url), urlsplit(self.client.base_url)
        loop = ("127.0.0.1", "localhost", "::1")
        if old.hostname in loop and new.hostname in loop and old.netloc != new.netloc:
            return urlunsplit((new.scheme, new.netloc, old.path, old.query, old.fragment))
        return url

    async def preview_of(self, file: UploadedFile) -> tuple[Path, str]:
        """A ≤480p proxy of an uploaded file, fetched from the service by the kernel (the
        browser never talks to the service's address)."""
        key = str(file.raw.get("file_id") or file.url)
        if key not in self._previews:

            async def make() -> tuple[Path, str]:
                session = await self.ensure_connected()
                folder = self.workdir / "sources" / (key[-24:] or "x")
                folder.mkdir(parents=True, exist_ok=True)
                src = await session.client.download(
                    self._local(file.url or ""), folder / file.filename
                )
                return await asyncio.to_thread(
                    _media.make_proxy, src, folder / f"preview-{Path(file.filename).stem}.mp4"
                )

            self._previews[key] = asyncio.ensure_future(make())
        try:
            return await asyncio.shield(self._previews[key])
        except BaseException:
            self._previews.pop(key, None)
            raise

    # -- events ---------------------------------------------------------------------------------
    def on(self, event: str, fn: Listener) -> Listener:
        self._listeners[event].append(fn)
        return fn

    def off(self, event: str, fn: Listener) -> None:
        with contextlib.suppress(ValueError):
            self._listeners[event].remove(fn)

    def emit(self, event: str, **data: Any) -> None:
        for fn in list(self._listeners[event]):
            try:
                fn(**data)
            except Exception:  # a panel's bug must not break the operation
                log.exception("listener for %s failed", event)

    # -- connection ------------------------------------------------------------------------------
    @property
    def lock(self) -> asyncio.Lock:
        if self._op_lock is None:
            self._op_lock = asyncio.Lock()
        return self._op_lock

    async def ensure_connected(self) -> AsyncSession:
        if self.loop is None:
            self.loop = asyncio.get_running_loop()
        if self.session is not None:
            return self.session
        if self._connecting is None:
            self._connecting = asyncio.ensure_future(self._connect())
        await asyncio.shield(self._connecting)
        assert self.session is not None
        return self.session

    async def _connect(self) -> None:
        self.status = "Connecting…"
        self.emit("status", status=self.status, ok=None)
        try:
            if self.client is None:
                self.client = await asyncio.to_thread(self._make_client)
            if self.still_working_after is not None:
                self.client.settings.still_working_after = self.still_working_after
            self.session, notice = await self._open_session()
            project = f" · project “{self.project.name}”" if self.project else ""
            self.status = f"Ready! ({self.client.backend}){project}"
            self.emit("status", status=self.status, ok=True)
            await self.refresh()
            self._restore()
            if notice:
                self.emit("message", role="assistant", text=notice)
        except BaseException as e:
            self._connecting = None
            self.status = f"Could not connect: {friendly(e)}"
            self.emit("status", status=self.status, ok=False)
            raise

    def _make_client(self) -> AsyncNemoClient:
        from nemo_widgets.backend import local_engine, resolve

        if resolve(self.backend) == "hosted":  # type: ignore[arg-type]
            return AsyncNemoClient()
        if self.project is None:
            return AsyncNemoClient(local_engine().base_url, token=None)
        eng = self.project.engine()
        # The engine's port changes with every start; the project keeps the token.
        return AsyncNemoClient(eng.base_url, token=self.project.load().get("token"))

    async def _open_session(self) -> tuple[AsyncSession, str | None]:
        """The project's session when it still exists, else a new one (and why)."""
        assert self.client is not None
        saved = self.project.load() if self.project is not None else {}
        notice = None
        if saved.get("session_id"):
            session = self.client.session(saved["session_id"])
            try:
                await session.state()
            except SessionNotFound:  # the client started a new session in its place
                notice = (
                    f"Project “{self.project.name}”: its session was gone, so a new one was "
                    "started — upload your clips again."
                    if self.project
                    else None
                )
            except AuthError:  # a token from another engine: start afresh
                self.client._token = None
                session = await self.client.create_session(language=self.language)
        else:
            session = await self.client.create_session(language=self.language)
        if self.project is not None:
            self.project.save(session_id=session.id, token=self.client._token)
        return session, notice

    def _restore(self) -> None:
        """After a restart: show the session's uploads and the last export again."""
        infos = self.uploads
        if infos and not self._restored:
            self._restored = True
            self.emit("uploaded", files=uploaded(infos))
            last = self.project.load().get("last_export") if self.project else None
            if isinstance(last, dict):
                path = Path(last["path"]) if last.get("path") else None
                preview = Path(last["preview"]) if last.get("preview") else None
                res = ExportResult(
                    last.get("id", ""),
                    last.get("url", ""),
                    path if path and path.exists() else None,
                    None,
                    last.get("duration"),
                    last.get("size"),
                )
                self.last_export = res
                self.last_export_draft = last.get("draft")
                self.emit(
                    "export_done",
                    result=res,
                    preview=preview if preview and preview.exists() else None,
                )

    async def refresh(self) -> None:
        """Read the state and the credits; tell the panels."""
        session = await self.ensure_connected()
        old = self.state.get("draft")
        self.state = await session.state()
        self._note_edit(old, self.state.get("draft"))
        self.emit("state", state=self.state, changes=diff(old, self.state.get("draft")))
        with contextlib.suppress(NemoError):
            self.balance = await session.client.credits()
            self.emit("credits", balance=self.balance)

    def _note_edit(self, old: Any, new: Any) -> None:
        """Remember the timeline as it was before the last edit (for before/after), and
        start a quick preview of the new one."""
        if old is not None and new is not None and old != new:
            self.before_edit = old
            self._start_quick_preview(new)

    def _start_quick_preview(self, draft: Any) -> None:
        client = self.client
        if not self.quick_previews or client is None or client.backend == "hosted":
            return
        if self._quick is not None and not self._quick.done():
            self._quick.cancel()  # an older timeline: its render is cancelled on the way out
        try:
            self._quick = asyncio.ensure_future(self._quick_preview(draft))
        except RuntimeError:  # no running loop (a call outside a notebook has ended)
            self._quick = None

    async def _quick_preview(self, draft: Any) -> None:
        """Render the timeline small and low, for the timeline panel's player."""
        await asyncio.sleep(0.3)  # edits in a row: only the last one is rendered
        session = self.session
        if session is None or not Draft.parse(draft).exportable:
            return
        try:
            rid = await session.submit_render(
                quality="low", draft=quick_preview(draft, self.uploads)
            )
            st = await session.wait_render(rid)
            folder = self.workdir / "timeline"
            folder.mkdir(parents=True, exist_ok=True)
            path = await session.client.download(st.preview_url or rid, folder / f"{rid}.mp4")
        except NemoError as e:  # a nicety: the edit stands without it
            log.warning("no quick preview of the timeline: %s", e)
            return
        for old in folder.glob("*.mp4"):  # only the latest is kept
            if old != path:
                old.unlink(missing_ok=True)
        self.emit("timeline_preview", path=path, draft=draft)

    @property
    def draft(self) -> Draft:
        return Draft.parse(self.state.get("draft") or {})

    @property
    def timeline(self) -> Any:
        return to_dataframe(self.draft)

    @property
    def uploads(self) -> list[dict[str, Any]]:
        """The session's uploaded files (the service's probe of each)."""
        return [f for f in self.state.get("video_infos") or [] if isinstance(f, dict)]

    # -- operations ------------------------------------------------------------------------------
    async def upload(
        self, *sources: Any, on_progress: Callable[[int, int], Any] | None = None
    ) -> list[UploadedFile]:
        session = await self.ensure_connected()

        def progress(done: int, total: int) -> Any:
            self.emit("upload_progress", done=done, total=total)
            return on_progress(done, total) if on_progress is not None else None

        if self.project is not None and sources:
            found = await asyncio.to_thread(already_uploaded, self.uploads, sources)
            known = uploaded(found) if found is not None else None
            if known is not None:
                # Re-running a notebook on a project that remembers: same file, same name —
                # use the upload it already has instead of adding the clip a second time.
                self.emit("message", role="assistant", text=_already_text(known))
                return known
        async with self.lock, self._job("upload"):
            files = await session.upload(*sources, on_progress=progress, timeline=self.placement)
        self.emit("uploaded", files=files)
        await self.refresh()
        return files

    async def add_to_timeline(self, filename: str) -> Any:
        """Put an uploaded clip from the media bin at the end of the timeline."""
        if not any(f.get("filename") == filename for f in self.uploads):
            raise ValueError(f"{filename} is not among this project's uploads")
        return await self.say(f"add the clip {filename} to the timeline")

    @property
    def on_timeline(self) -> set[str]:
        """File ids the timeline uses."""
        return {s.source for t in self.draft.tracks for s in t.segments if s.source}

    async def say(self, text: str) -> Any:
        """One message from the user: a direct action, or an agent run streamed to the panels."""
        text = (text or "").strip()
        if not text:
            raise ValueError("type an instruction first")
        intent = route(text)
        if intent is not None and intent.kind != "upload":
            self.emit("message", role="user", text=text)
            if intent.kind == "export":
                return await self.export()
            if intent.kind == "credits":
                await self.refresh()
                b = self.balance
                reply = (
                    f"Credits: {b.available} available, {b.frozen} reserved."
                    if b
                    else "Credits are not available right now."
                )
            else:
                await self.refresh()
                reply = summary(self.state.get("draft"))
            self.emit("message", role="assistant", text=reply)
            return reply
        if intent is not None:  # upload
            self.emit("message", role="user", text=text)
            reply = "Use the upload panel (drop files or pick them), or studio.upload(path)."
            self.emit("message", role="assistant", text=reply)
            return reply
        return await self._run(text)

    async def _run(self, text: str) -> RunResult:
        session = await self.ensure_connected()
        async with self.lock, self._job("run"):
            self.busy = True
            self.emit("run_start", text=text)
            last_flush = 0.0
            pending = ""
            try:
                delta = {"selection": self.selection} if self.selection else None
                if self.selection:
                    self.sent_selection = self.selection
                self.selection = None
                stream = session.send(
                    text,
                    state_delta=delta,
                    on_still_working=lambda s: self.emit("still_working", seconds=s),
                )
                async for event in stream:
                    if isinstance(event, ToolCall):
                        self.emit(
                            "step",
                            id=event.id,
                            name=event.name,
                            label=STEP_LABELS.get(event.name, event.name.replace("_", " ")),
                            status="running",
                        )
                    elif isinstance(event, ToolResult):
                        self.emit(
                            "step",
                            id=event.id,
                            name=event.name,
                            label=STEP_LABELS.get(event.name, event.name),
                            status="done" if event.ok else "failed",
                        )
                    elif isinstance(event, Progress):
                        self.emit(
                            "progress",
                            id=event.id,
                            name=event.name,
                            percent=event.percent,
                            frames=event.frames,
                            total_frames=event.total_frames,
                            eta_s=event.eta_s,
                        )
                    elif isinstance(event, TextDelta) and stream._last_text:
                        pending += stream._last_text
                        now = time.monotonic()
                        if now - last_flush > 0.1:  # ≤ 10 updates a second
                            self.emit("text", delta=pending)
                            pending, last_flush = "", now
                if pending:
                    self.emit("text", delta=pending)
                result = await stream.until_done()
            except (asyncio.CancelledError, KeyboardInterrupt):
                # Interrupted (the kernel's ■, or cancel() when the service cannot stop runs):
                # stop the work on the service too, then let the interruption through.
                # (The panels hear "cancelled" from _job, once the job is over.)
                with contextlib.suppress(Exception):
                    await asyncio.shield(session.cancel())
                raise
            finally:
                self.busy = False
        self._note_edit(self.state.get("draft"), result.draft)
        self.state = (
            {**self.state, "draft": result.draft} if result.draft is not None else self.state
        )
        self.emit("run_end", result=result)
        await self.refresh()
        return result

    async def export(
        self,
        *,
        format: str = "mp4",
        quality: str = "high",
        download_to: str | Path | None = None,
        size: str = "source",
    ) -> ExportResult:
        """Render the timeline. ``size``: ``source`` (the largest clip, capped at 1080p — or the
        ratio asked for in the chat), ``1080p``, ``720p``, ``9:16`` (1080×1920) or ``1:1``."""
        session = await self.ensure_connected()
        state = await session.state()
        draft = state.get("draft") or {}
        if not Draft.parse(draft).exportable:
            raise ValueError("the timeline is empty: upload a clip first, then export")
        draft = with_output(size, draft, state.get("video_infos") or [])
        async with self.lock, self._job("export"):
            self.busy = True
            self.emit("export_start", format=format, quality=quality)
            last = [-1]

            def progress(st: RenderStatus) -> None:
                if st.progress != last[0]:
                    last[0] = st.progress
                    self.emit("export_progress", status=st)

            try:
                rid = await session.submit_render(format=format, quality=quality, draft=draft)
                st = await session.wait_render(rid, on_progress=progress)
                path = None
                if download_to is not None:
                    dest = resolve_dest(download_to, f"{rid}.{format}")
                    path = await session.client.download(rid, dest)
                res = ExportResult(
                    rid, st.url or "", path, st.preview_url, st.duration, st.size, st
                )
                preview = None
                if res.preview_url:
                    # The small proxy travels to the browser over the comm (the full file only
                    # when the user asks for it).
                    folder = self.workdir / "exports"
                    folder.mkdir(parents=True, exist_ok=True)
                    preview = await session.client.download(
                        res.preview_url, folder / f"preview-{res.id}.mp4"
                    )
                # Cancelled: the client cancels the render job on the way out (wait_render).
                before = await self._render_before(session, draft, size, state, res.id)
            finally:
                self.busy = False
        self.last_export = res
        self.last_export_draft = self.state.get("draft")
        if self.project is not None:
            self.project.save(
                last_export={
                    "id": res.id,
                    "url": res.url,
                    "path": str(Path(res.path).resolve()) if res.path else None,
                    "preview": str(preview) if preview else None,
                    "duration": res.duration,
                    "size": res.size,
                    "draft": self.last_export_draft,
                }
            )
        self.emit("export_done", result=res, preview=preview, before=before)
        return res

    async def _render_before(
        self, session: AsyncSession, draft: Any, size: str, state: dict[str, Any], rid: str
    ) -> Path | None:
        """A quick low-quality render of the timeline as it was before the last edit, for
        before/after (the embedded engine only: renders there cost no credits)."""
        old = self.before_edit
        if (
            old is None
            or old == state.get("draft")
            or not Draft.parse(old).exportable
            or session.client.backend == "hosted"
        ):
            return None
        try:
            brid = await session.submit_render(
                quality="low", draft=with_output(size, old, state.get("video_infos") or [])
            )
            st = await session.wait_render(brid)
            folder = self.workdir / "exports"
            return await session.client.download(
                st.preview_url or brid, folder / f"before-{rid}.mp4"
            )
        except NemoError as e:  # before/after is a nicety: the export stands
            log.warning("no before view: %s", e)
            return None

    async def check_health(self) -> bool:
        """Is the service still answering? (At most every 10 s; the status bar turns red
        with what to do when it is not, and back when it answers again.)"""
        now = time.monotonic()
        if self.session is None or self.client is None or now - self._health_at < 10:
            return self._healthy
        self._health_at = now
        try:
            await asyncio.wait_for(self.client.credits(), 8)
            ok = True
        except Exception:
            ok = False
        if ok != self._healthy:
            self._healthy = ok
            if ok:
                self.status = f"Ready! ({self.client.backend})"
            else:
                self.status = (
                    f"The {self.client.backend} is not answering. Re-run the cell that made "
                    "the Studio"
                    + (f" (project “{self.project.name}” comes back)." if self.project else ".")
                )
            self.emit("status", status=self.status, ok=ok)
        return ok

    # -- the running job: cancel --------------------------------------------------------------
    @contextlib.asynccontextmanager
    async def _job(self, kind: str) -> Any:
        self.job = {"kind": kind, "task": asyncio.current_task()}
        self.emit("job", kind=kind, running=True)
        cancelled = False
        try:
            yield
        except (asyncio.CancelledError, KeyboardInterrupt):
            cancelled = True
            raise
        finally:
            self.job = None
            self.emit("job", kind=kind, running=False)
            # Only with the job over (its Cancel buttons gone) is it announced as cancelled,
            # which unlocks the chat: announced first, the browser could show an unlocked
            # chat beside a live Cancel button (the job's end was still on its way).
            if cancelled:
                self.emit("cancelled", kind=kind)

    async def cancel(self) -> bool:
        """Stop the long job that is running (an upload, an AI step, an export).

        An agent run is stopped on the service (the step that was running changes nothing;
        the reply says so). Where the service cannot stop runs, or for uploads and exports, the
        waiting task is cancelled; an export's render job is cancelled with it. Returns
        ``False`` when nothing was running.
        """
        job = self.job
        if job is None:
            return False
        if job["kind"] == "run" and self.session is not None and await self.session.cancel():
            return True
        task = job.get("task")
        if task is not None and not task.done():
            task.cancel()
        return True

    async def credits(self) -> Balance:
        session = await self.ensure_connected()
        self.balance = await session.client.credits()
        self.emit("credits", balance=self.balance)
        return self.balance

    async def close(self) -> None:
        if self.client is not None:
            await self.client.aclose()
