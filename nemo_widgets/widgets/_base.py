"""The base of every panel: front-end module, error area, tasks on the kernel's loop."""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections.abc import Awaitable
from pathlib import Path
from typing import Any

import anywidget
import traitlets as t

from nemo_widgets.widgets._controller import Controller, friendly, run_soon
from nemo_widgets.widgets._media import CHUNK, MediaStore

log = logging.getLogger("nemo_widgets.widgets")
STATIC = Path(__file__).resolve().parent.parent / "static"

_NOT_BUILT = """
export default { render({ el }) {
  el.innerHTML = '<div class="nemo-error">nemo-widgets: the front-end is not built. Run '
    + '<code>make</code> (or <code>npm --prefix js run build</code>) in the repository.</div>';
} };
"""


def esm(name: str) -> Path | str:
    """The built module ``static/<name>.js``, or a module that says how to build it."""
    path = STATIC / f"{name}.js"
    return path if path.exists() else _NOT_BUILT


def css() -> Path | str:
    path = STATIC / "widgets.css"
    return path if path.exists() else ""


class Panel(anywidget.AnyWidget):
    """A panel: renders what its controller emits, forwards what the user does."""

    _css = css()
    #: Shown under the widget: errors from callbacks and tasks, with what to do.
    error = t.Unicode("").tag(sync=True)
    busy = t.Bool(False).tag(sync=True)
    #: What the browser shows, by slot: ``{"id", "size", "mime", …}``; the bytes travel over
    #: this widget's comm on request (see ``_media.py``), never from the engine's address.
    media = t.Dict().tag(sync=True)
    #: The long job running on the controller ("upload", "run", "export" or ""): panels show
    #: a Cancel button while theirs runs.
    job = t.Unicode("").tag(sync=True)
    #: The same for every panel of one Studio: the front-ends use it to keep the timeline's
    #: playhead in step with the player.
    group = t.Unicode("").tag(sync=True)

    def __init__(self, controller: Controller | None = None, **kwargs: Any) -> None:
        unknown = set(kwargs) - set(self.class_trait_names())
        if unknown:
            raise TypeError(
                f"{type(self).__name__} got unknown arguments: {', '.join(sorted(unknown))}"
            )
        super().__init__(**kwargs)
        self.controller = controller or Controller()
        self.group = self.controller.id
        self._tasks: set[Any] = set()
        self._store = MediaStore()
        self.on_msg(self._on_front_end)
        self.controller.on("job", self._on_job_event)
        self.bind(self.controller)

    def _on_job_event(self, kind: str, running: bool) -> None:
        self.job = kind if running else ""

    def on_cancel(self, msg: dict[str, Any], buffers: list[Any]) -> None:
        """The Cancel button: stop the running job (see :meth:`Controller.cancel`)."""
        self.run(self.controller.cancel())

    def bind(self, controller: Controller) -> None:
        """Subscribe to the controller's events (subclasses)."""

    def run(self, coro: Awaitable[Any]) -> asyncio.Task[Any]:
        """Run work as a task on the kernel's event loop; errors appear under the widget."""
        self.error = ""
        return run_soon(coro, self.fail, self._tasks, self.controller.loop)

    def fail(self, err: BaseException) -> None:
        #: The full traceback of the last error, for debugging (the UI shows the message).
        self.last_traceback = "".join(traceback.format_exception(err))
        log.warning("%s: %s", type(self).__name__, self.last_traceback)
        self.error = friendly(err)
        self.busy = False
        self.controller.emit("error", error=err)

    def publish(
        self, slot: str, data: bytes | Path | None, mime: str = "video/mp4", **meta: Any
    ) -> None:
        """Offer ``data`` to the browser as ``slot`` (``None`` takes it away)."""
        old = self.media.get(slot)
        media = dict(self.media)
        if data is None:
            media.pop(slot, None)
        else:
            media[slot] = self._store.add(data, mime, **meta)
        if old:
            self._store.drop(old["id"])
        self.media = media

    def on_media_get(self, msg: dict[str, Any], buffers: list[Any]) -> None:
        mid, offset = str(msg.get("id")), int(msg.get("offset") or 0)
        try:
            data = self._store.read(mid, offset, CHUNK)
        except (KeyError, OSError) as e:
            message = "this media is gone; re-run the cell" if isinstance(e, KeyError) else str(e)
            self.send({"kind": "media-error", "id": mid, "offset": offset, "message": message})
            return
        self.send({"kind": "media-chunk", "id": mid, "offset": offset}, buffers=[data])

    def _on_front_end(self, _widget: Any, content: Any, buffers: list[Any]) -> None:
        if not isinstance(content, dict):
            return
        handler = getattr(self, f"on_{str(content.get('kind', '')).replace('-', '_')}", None)
        if handler is None:
            return
        try:
            handler(content, buffers)
        except Exception as e:
            self.fail(e)
