"""The Studio: every panel on one client and one session, plus connection status and credits.

>>> from nemo_widgets import Studio
>>> studio = Studio()              # doctest: +SKIP  (shows the panels in a notebook)
>>> await studio.upload("clip.mp4")                                  # doctest: +SKIP
>>> await studio.say("replace my background with a clean studio backdrop")  # doctest: +SKIP
>>> await studio.export()                                            # doctest: +SKIP
>>> studio.timeline                                                  # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import Any

import ipywidgets as w
import traitlets as t

from nemo_widgets.client import AsyncNemoClient, InsufficientCredits
from nemo_widgets.widgets._bars import Bars
from nemo_widgets.widgets._base import Panel, esm
from nemo_widgets.widgets._controller import Controller, run_soon
from nemo_widgets.widgets._project import Project
from nemo_widgets.widgets._table import people_frame
from nemo_widgets.widgets.panels import (
    BoxSelect,
    ExportPanel,
    PromptPanel,
    TimelinePanel,
    UploadPanel,
)


class StatusBar(Panel):
    """ "Connecting…" → "Ready! (embedded engine)", credits, and the registration link on 2001."""

    _esm = esm("status")
    status = t.Unicode("Connecting…").tag(sync=True)
    ok = t.Bool(allow_none=True, default_value=None).tag(sync=True)
    credits = t.Dict().tag(sync=True)
    register_url = t.Unicode("").tag(sync=True)
    #: The project's name, for "re-run the cell" advice when the kernel stops answering.
    project = t.Unicode("").tag(sync=True)
    #: Seconds without an answer to the front-end's heartbeat before the status turns red.
    heartbeat_s = t.Float(12.0).tag(sync=True)

    def bind(self, controller: Controller) -> None:
        controller.on("status", self._status)
        controller.on(
            "credits",
            lambda balance: setattr(
                self,
                "credits",
                {"available": balance.available, "frozen": balance.frozen, "total": balance.total},
            ),
        )

    def _status(self, status: str, ok: bool | None) -> None:
        self.status, self.ok = status, ok

    def on_ping(self, msg: dict[str, Any], buffers: list[Any]) -> None:
        """The front-end's heartbeat: answer, and check the service now and then."""
        self.send({"kind": "pong", "t": msg.get("t")})
        if self.controller.session is not None:
            run_soon(self.controller.check_health(), self.fail, self._tasks, self.controller.loop)

    def show_error(self, error: BaseException) -> None:
        err = error
        if isinstance(err, InsufficientCredits) and err.bind_url:
            self.register_url = err.bind_url


class Studio(w.VBox):
    """Upload, prompt, timeline, export and box selection on one client/session.

    Work runs as tasks on the kernel's event loop: the methods below return a task you can
    ``await`` in a cell (or ignore: the panels show progress). Outside a notebook they run to
    completion.
    """

    def __init__(
        self,
        client: AsyncNemoClient | None = None,
        *,
        backend: str = "auto",
        language: str | None = None,
        project: str | Project | None = None,
        progress_bars: bool = True,
        quick_previews: bool = True,
        **kwargs: Any,
    ) -> None:
        """``project``: a name; the project's session, uploads, timeline and last export
        persist in the user's data folder and come back when the cell runs again (after a
        kernel restart too). By default one project per notebook (its file name). With an
        explicit ``client`` nothing persists unless ``project`` is given.
        ``quick_previews``: after each edit the timeline panel plays a quick low-resolution
        render of the timeline (embedded engine only; renders there cost no credits)."""
        #: Calls made in code (``await studio.say(…)``) show ``tqdm.auto`` progress bars.
        self.progress_bars = progress_bars
        if isinstance(project, Project):
            self.project: Project | None = project
        else:
            self.project = Project(project) if client is None or project else None
        self.controller = Controller(
            client, backend=backend, language=language, project=self.project
        )
        c = self.controller
        c.quick_previews = quick_previews
        self.status_bar = StatusBar(c, project=self.project.name if self.project else "")
        self.upload_panel = UploadPanel(c)
        self.prompt = PromptPanel(c)
        self.timeline_panel = TimelinePanel(c)
        self.export_panel = ExportPanel(c)
        self.box = BoxSelect(c)
        super().__init__(
            [
                self.status_bar,
                self.upload_panel,
                self.prompt,
                self.timeline_panel,
                self.box,
                self.export_panel,
            ],
            **kwargs,
        )
        self.add_class("nemo-studio")
        self._loop: asyncio.AbstractEventLoop | None = None
        self._start()

    def _surface_error(self, change: dict[str, Any]) -> None:
        if change["new"] and "register" in change["new"]:
            self.status_bar.register_url = (
                self.controller.balance and ""
            ) or self.status_bar.register_url

    def _start(self) -> None:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return  # connected lazily by the first call outside a notebook
        self.status_bar.run(self.controller.ensure_connected())

    def _call(self, coro: Any, *, bars: bool = False) -> Any:
        if bars:
            coro = self._with_bars(coro)
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            # Outside a kernel: one private loop for the Studio's lifetime (the client's
            # connections belong to it).
            if self._loop is None:
                self._loop = asyncio.new_event_loop()
            task = self._loop.create_task(coro)
            try:
                return self._loop.run_until_complete(task)
            except KeyboardInterrupt:
                # Ctrl+C: cancel the job (on the service too), then let the interrupt through.
                task.cancel()
                with contextlib.suppress(BaseException):
                    self._loop.run_until_complete(task)
                raise
        return asyncio.ensure_future(coro)

    async def _with_bars(self, coro: Any) -> Any:
        with Bars(self.controller, enabled=self.progress_bars):
            try:
                return await coro
            except asyncio.CancelledError:
                # The kernel was interrupted (■): the job was stopped on the service too.
                print("Cancelled: the job stopped and nothing half-done was kept.")
                raise

    # -- headless use mirrors the UI -----------------------------------------------------------
    def upload(self, *sources: str | Path) -> Any:
        return self._call(self.upload_panel._upload(*sources), bars=True)

    def say(self, text: str) -> Any:
        return self._call(self.controller.say(text), bars=True)

    def export(self, **kw: Any) -> Any:
        kw.setdefault("download_to", self.export_panel.save_to or None)
        return self._call(self.controller.export(**kw), bars=True)

    def add_to_timeline(self, filename: str) -> Any:
        """Put an uploaded clip from the media bin at the end of the timeline."""
        return self._call(self.controller.add_to_timeline(filename))

    def cancel(self) -> Any:
        """Stop the running upload, AI step or export (as the Cancel button does): the job
        stops on the service, nothing half-done lands, the chat unlocks."""
        return self._call(self.controller.cancel())

    def refresh(self) -> Any:
        return self._call(self.controller.refresh())

    @property
    def timeline(self) -> Any:
        """The timeline for people: one row per segment, times as mm:ss.mmm, no ``<NA>``
        (``timeline_data`` has the typed values: timedeltas, numbers)."""
        return people_frame(self.controller.draft)

    @property
    def timeline_data(self) -> Any:
        """The draft as a typed DataFrame (timedeltas, nullable strings), for computing."""
        return self.controller.timeline

    @property
    def summary(self) -> str:
        return self.controller.draft.summary()

    def close(self) -> None:
        for child in self.children:
            child.close()
        super().close()
