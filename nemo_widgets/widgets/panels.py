"""The panels: upload, prompt (chat), export (with the inline player), timeline, box select.

Each works alone (it makes its own :class:`Controller`) or inside a Studio (they share one).
"""

from __future__ import annotations

import shutil
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import traitlets as t

from nemo_widgets.client import _constants as C
from nemo_widgets.client._base import check_name
from nemo_widgets.client._errors import FileTooLarge, UnsupportedFile
from nemo_widgets.client._intents import gui_actions
from nemo_widgets.draft import Draft, summary
from nemo_widgets.widgets import _picker, _preview, _thumbs
from nemo_widgets.widgets._base import Panel, esm
from nemo_widgets.widgets._controller import Controller
from nemo_widgets.widgets._output import PRESETS
from nemo_widgets.widgets._table import people_html

ACCEPT = ",".join(f".{e}" for e in (*C.VIDEO_EXTS, *C.IMAGE_EXTS, *C.AUDIO_EXTS))


class UploadPanel(Panel):
    """Drop or pick files in the browser; they travel in chunks (binary buffers, one ack per
    chunk) to the kernel, then stream to the service. Paths and URLs work too."""

    _esm = esm("upload")
    files = t.List(t.Dict()).tag(sync=True)
    progress = t.Float(0.0).tag(sync=True)
    stage = t.Unicode("").tag(sync=True)
    accept = t.Unicode(ACCEPT).tag(sync=True)
    max_bytes = t.Int(C.MAX_UPLOAD_BYTES).tag(sync=True)
    chunk_bytes = t.Int(4 * 1024 * 1024).tag(sync=True)

    def __init__(self, controller: Controller | None = None, **kw: Any) -> None:
        super().__init__(controller, **kw)
        self._incoming: dict[str, dict[str, Any]] = {}

    #: File ids on the timeline (the others wait in the media bin with an "Add" button).
    on_timeline = t.List(t.Unicode()).tag(sync=True)

    def bind(self, controller: Controller) -> None:
        controller.on("uploaded", self._uploaded)
        controller.on("cancelled", self._cancelled)
        controller.on(
            "state", lambda **k: setattr(self, "on_timeline", sorted(controller.on_timeline))
        )

    def on_add_to_timeline(self, msg: dict[str, Any], buffers: list[Any]) -> None:
        self.run(self.controller.add_to_timeline(str(msg.get("filename", ""))))

    def _cancelled(self, kind: str) -> None:
        if kind == "upload":
            self.busy, self.stage, self.progress = False, "", 0.0
            self.error = "Upload cancelled; nothing was added."

    def _uploaded(self, files: list[Any]) -> None:
        rows = [dict(f.raw, filename=f.filename) for f in files]
        self.files = [*self.files, *rows]

    # -- from code --------------------------------------------------------------------------
    def upload(self, *sources: str | Path) -> Any:
        """Upload server-side paths or URLs (as the panel would)."""
        return self.run(self._upload(*sources))

    async def _upload(self, *sources: Any) -> Any:
        self.busy, self.stage, self.progress = True, "uploading", 0.0
        try:
            return await self.controller.upload(*sources, on_progress=self._progress)
        finally:
            self.busy, self.stage = False, ""

    def _progress(self, done: int, total: int) -> None:
        if total:
            self.progress = round(done / total, 3)

    # -- from the browser: chunked transfer -----------------------------------------------------
    def on_upload_start(self, msg: dict[str, Any], buffers: list[Any]) -> None:
        uid, name, size = (
            str(msg.get("id") or uuid.uuid4()),
            str(msg.get("name", "")),
            int(msg.get("size") or 0),
        )
        try:
            check_name(name, size)
        except (UnsupportedFile, FileTooLarge) as e:
            self.send({"kind": "upload-error", "id": uid, "message": str(e)})
            return
        # A private folder, so the file keeps its own name on its way to the service.
        folder = Path(tempfile.mkdtemp(prefix="nemo-upload-"))
        path = folder / (Path(name).name or "upload")
        self._incoming[uid] = {
            "name": name,
            "size": size,
            "path": path,
            "fh": open(path, "wb"),  # noqa: SIM115 - closed at upload-end/cancel
            "received": 0,
        }
        self.busy, self.stage, self.progress = True, "sending", 0.0
        self.send({"kind": "upload-ack", "id": uid, "received": 0})

    def on_upload_chunk(self, msg: dict[str, Any], buffers: list[Any]) -> None:
        uid = str(msg.get("id"))
        up = self._incoming.get(uid)
        if up is None or not buffers:
            self.send({"kind": "upload-error", "id": uid, "message": "unknown upload"})
            return
        if int(msg.get("offset", -1)) != up["received"]:
            self.send(
                {
                    "kind": "upload-error",
                    "id": uid,
                    "message": "a chunk arrived out of order; upload the file again",
                }
            )
            self._drop(uid)
            return
        data = bytes(buffers[0])
        up["fh"].write(data)
        up["received"] += len(data)
        if up["size"]:
            self.progress = round(0.5 * up["received"] / up["size"], 3)
        self.send({"kind": "upload-ack", "id": uid, "received": up["received"]})

    def on_upload_end(self, msg: dict[str, Any], buffers: list[Any]) -> None:
        uid = str(msg.get("id"))
        up = self._incoming.pop(uid, None)
        if up is None:
            return
        up["fh"].close()
        if up["received"] != up["size"]:
            shutil.rmtree(up["path"].parent, ignore_errors=True)
            self.fail(
                ValueError(
                    f"{up['name']}: only {up['received']} of {up['size']} bytes "
                    "arrived; upload it again"
                )
            )
            return
        final = up["path"]

        async def send_on() -> None:
            self.stage = "uploading"
            try:
                files = await self.controller.upload(
                    final,
                    on_progress=lambda d, tot: setattr(
                        self, "progress", round(0.5 + 0.5 * d / max(tot, 1), 3)
                    ),
                )
                thumb = msg.get("thumbnail")
                if thumb:
                    ids = {f.raw.get("file_id") for f in files}
                    # New dicts: mutating the rows in place would leave an equal list and
                    # traitlets would not sync the change.
                    self.files = [
                        dict(r, thumbnail=thumb) if r.get("file_id") in ids else r
                        for r in self.files
                    ]
                self.send({"kind": "upload-done", "id": uid, "files": [f.raw for f in files]})
            finally:
                shutil.rmtree(final.parent, ignore_errors=True)
                self.busy, self.stage = False, ""

        self.run(send_on())

    def on_upload_cancel(self, msg: dict[str, Any], buffers: list[Any]) -> None:
        self._drop(str(msg.get("id")))
        self.busy, self.stage = False, ""

    def _drop(self, uid: str) -> None:
        up = self._incoming.pop(uid, None)
        if up is not None:
            up["fh"].close()
            shutil.rmtree(up["path"].parent, ignore_errors=True)

    def on_upload_path(self, msg: dict[str, Any], buffers: list[Any]) -> None:
        self.upload(str(msg.get("path", "")).strip())


def removal_note(result: Any, box: dict[str, Any] | None) -> str:
    """What an object removal took away, and when, in words ("" when nothing was removed)."""
    notes = []
    for tr in result.tool_results:
        if tr.name != "remove_object" or not tr.ok:
            continue
        for o in tr.response.get("objects") or []:
            label = str(o.get("label") or "object")
            what = (
                f"what you boxed at {float(box.get('time') or 0):.1f} s"
                if label == "selection" and box
                else f"the {label.replace('_', ' ')}"
            )
            notes.append(f"{what} (gone from {o.get('from_s', 0):g} s to {o.get('to_s', 0):g} s)")
    return f"Removed: {'; '.join(notes)}." if notes else ""


class PromptPanel(_picker.PickerMixin, Panel):
    """A chat with the agent: the reply streams in, tool calls show as progress steps."""

    _esm = esm("prompt")
    messages = t.List(t.Dict()).tag(sync=True)
    status_line = t.Unicode("").tag(sync=True)
    placeholder = t.Unicode(
        'Tell the agent what to change, e.g. "replace my background with a clean studio backdrop"'
    ).tag(sync=True)

    def bind(self, controller: Controller) -> None:
        controller.on("message", self._message)
        controller.on("run_start", self._run_start)
        controller.on("text", self._text)
        controller.on("step", self._step)
        controller.on("still_working", self._still)
        controller.on("progress", self._progress)
        controller.on("cancelled", self._cancelled)
        controller.on("run_end", self._run_end)
        controller.on("export_start", lambda **k: setattr(self, "status_line", "Exporting…"))
        controller.on(
            "export_progress",
            lambda status: setattr(self, "status_line", f"⏳ Exporting… {status.progress} %"),
        )
        controller.on("export_done", lambda **k: setattr(self, "status_line", ""))

    def _update_last(self, **changes: Any) -> None:
        msgs = [dict(m) for m in self.messages]
        if msgs and msgs[-1].get("role") == "assistant":
            msgs[-1].update(changes)
        self.messages = msgs

    def _message(self, role: str, text: str) -> None:
        self.messages = [
            *self.messages,
            {
                "role": role,
                "text": text,
                "steps": [],
                "actions": [asdict(a) for a in gui_actions(text)] if role == "assistant" else [],
            },
        ]

    def _run_start(self, text: str) -> None:
        self.busy = True
        self.status_line = ""
        self.messages = [
            *_picker.closed_pickers(self.messages),
            {"role": "user", "text": text, "steps": []},
            {"role": "assistant", "text": "", "steps": [], "pending": True},
        ]

    def _text(self, delta: str) -> None:
        last = self.messages[-1] if self.messages else {}
        self._update_last(text=str(last.get("text", "")) + delta)

    def _step(self, id: str, name: str, label: str, status: str) -> None:
        last = self.messages[-1] if self.messages else {}
        steps = [dict(s) for s in last.get("steps", [])]
        for s in steps:
            if s["id"] == id:
                s["status"] = status
                break
        else:
            steps.append({"id": id, "name": name, "label": label, "status": status})
        self._update_last(steps=steps)

    def _progress(self, id: str, name: str, percent: float, **more: Any) -> None:
        last = self.messages[-1] if self.messages else {}
        steps = [dict(s) for s in last.get("steps", [])]
        for s in steps:
            if s["id"] == id:
                s["progress"] = {"percent": percent, **more}
                break
        else:
            return
        self._update_last(steps=steps)

    def _cancelled(self, kind: str) -> None:
        if kind != "run":
            return
        with self.hold_sync():  # the reply and the unlocked input in one update
            if self.messages and self.messages[-1].get("pending"):
                self._update_last(
                    pending=False,
                    text="Cancelled: the step that was running changed nothing.",
                    steps=_stopped(self.messages[-1].get("steps"), "cancelled"),
                )
            self.busy, self.status_line = False, ""

    def _still(self, seconds: float) -> None:
        self.status_line = f"⏳ Still working… ({seconds / 60:.0f} min)"

    def _run_end(self, result: Any) -> None:
        actions = [asdict(a) for a in result.actions]
        with self.hold_sync():
            self._update_last(
                note=removal_note(result, self.controller.sent_selection),
                text=result.text,
                pending=False,
                silent=result.silent,
                actions=actions,
                changes=result.changes,
            )
            self.busy, self.status_line = False, ""
        question = _picker.question_of(result)
        if question is not None and self.messages:
            self.run(self._show_picker(len(self.messages) - 1, question, result))

    def fail(self, err: BaseException) -> None:
        super().fail(err)
        self.status_line = ""
        if self.messages and self.messages[-1].get("pending"):
            steps = _stopped(self.messages[-1].get("steps"), "failed")
            self._update_last(pending=False, text="", error=self.error, steps=steps)

    # -- user input -------------------------------------------------------------------------------
    def say(self, text: str) -> Any:
        return self.run(self.controller.say(text))

    def on_send(self, msg: dict[str, Any], buffers: list[Any]) -> None:
        if self.busy:
            self.error = "A run is in progress; wait for it (sending again would duplicate work)."
            return
        self.say(str(msg.get("text", "")))

    def on_action(self, msg: dict[str, Any], buffers: list[Any]) -> None:
        kind = msg.get("action")
        if kind == "export":
            self.run(self.controller.export())
        elif kind in ("state", "summary"):
            self.run(self.controller.say("status"))


def _stopped(steps: Any, status: str) -> list[dict[str, Any]]:
    """The steps of a run that ended early: the running ones marked ``status``, no progress."""
    return [
        {k: v for k, v in dict(st, status=status).items() if k != "progress"}
        if st.get("status") == "running"
        else dict(st)
        for st in steps or []
    ]


def progress_detail(percent: float, elapsed: float, frames: int | None) -> str:
    """ "frame 120 of 250 · 0:12 left" from the percentage and the pace so far."""
    parts = []
    if frames:
        parts.append(f"frame {round(frames * percent / 100)} of {frames}")
    if 2 <= percent < 100:
        left = elapsed * (100 - percent) / percent
        parts.append(f"{int(left // 60)}:{int(left % 60):02d} left")
    return " · ".join(parts)


class ExportPanel(Panel):
    """Format and quality, a progress bar from the render job, then the preview proxy playing
    inline, a download button, before/after. Every byte the browser shows comes through the
    kernel (``media`` slots ``preview``, ``before``, ``download``), never from the engine's
    address, so it works with a remote kernel (Colab, JupyterHub, SSH)."""

    _esm = esm("export")
    format = t.Enum(["mp4", "webm"], "mp4").tag(sync=True)
    quality = t.Enum(["high", "medium", "low"], "high").tag(sync=True)
    #: Output size: never silently the first clip's (see ``_output.PRESETS``).
    size = t.Enum(list(PRESETS), "source").tag(sync=True)
    sizes = t.Dict(PRESETS).tag(sync=True)
    progress = t.Int(0).tag(sync=True)
    status = t.Unicode("").tag(sync=True)
    #: "frame 120 of 250 · 0:12 left" while rendering.
    detail = t.Unicode("").tag(sync=True)
    saved_path = t.Unicode("").tag(sync=True)
    save_to = t.Unicode("out").tag(sync=True)
    #: The timeline changed after the export shown here: it no longer matches.
    stale = t.Bool(False).tag(sync=True)
    #: Kernel-side only: the service's URL of the full export, and the local preview proxy.
    download_url = t.Unicode("")
    preview_path = t.Unicode("")

    def bind(self, controller: Controller) -> None:
        controller.on("export_start", self._start)
        controller.on("export_progress", self._progress)
        controller.on("export_done", self._done)
        controller.on("uploaded", self._source)
        controller.on("cancelled", self._cancelled)
        controller.on("state", self._state)

    def _state(self, state: dict[str, Any], changes: list[str]) -> None:
        if self.controller.last_export is not None:
            self.stale = state.get("draft") != self.controller.last_export_draft

    def _cancelled(self, kind: str) -> None:
        if kind == "export":
            self.busy, self.progress, self.status = False, 0, "cancelled"

    def _source(self, files: list[Any]) -> None:
        videos = [f for f in files if f.file_type == "video" and f.url]
        if videos:
            self.run(self._publish_source(videos[-1]))

    async def _publish_source(self, file: Any) -> None:
        path, mime = await self.controller.preview_of(file)
        if not self._has_before_edit:
            self.publish("before", path, mime, name=file.filename, label=f"Source: {file.filename}")

    _has_before_edit = False

    def _start(self, format: str, quality: str) -> None:
        self.busy, self.progress, self.status, self.detail = True, 0, "pending", ""
        self._t0 = time.monotonic()
        fps = max((f.get("fps") or 0 for f in self.controller.uploads), default=0) or 25
        self._frames = round(self.controller.draft.end / 1000 * fps) or None

    def _progress(self, status: Any) -> None:
        self.progress, self.status = int(status.progress), status.status
        self.detail = progress_detail(
            status.progress,
            time.monotonic() - getattr(self, "_t0", time.monotonic()),
            getattr(self, "_frames", None),
        )

    def _done(self, result: Any, preview: Path | None, before: Path | None = None) -> None:
        if before is not None:
            self._has_before_edit = True
            self.publish("before", before, "video/mp4", label="Before the last edit")
        self.busy, self.progress, self.status, self.detail = False, 100, "completed", ""
        self.stale = self.controller.state.get("draft") != self.controller.last_export_draft
        self.download_url = result.url
        self.saved_path = str(result.path or "")
        self.preview_path = str(preview or "")
        self.publish("preview", preview, "video/mp4")
        if result.path is not None and Path(result.path).exists():
            self._offer_download(Path(result.path))
        else:
            self.run(self._fetch_download(result))

    def _offer_download(self, path: Path) -> None:
        mime = "video/webm" if path.suffix.lower() == ".webm" else "video/mp4"
        self.publish("download", path, mime, name=path.name)

    async def _fetch_download(self, result: Any) -> None:
        session = await self.controller.ensure_connected()
        folder = self.controller.workdir / "exports"
        folder.mkdir(parents=True, exist_ok=True)
        if not result.url:
            return
        path = await session.client.download(self.controller._local(result.url), folder)
        self._offer_download(Path(path))

    def export(self, **kw: Any) -> Any:
        kw.setdefault("format", self.format)
        kw.setdefault("quality", self.quality)
        kw.setdefault("size", self.size)
        kw.setdefault("download_to", self.save_to or None)
        return self.run(self.controller.export(**kw))

    def on_export(self, msg: dict[str, Any], buffers: list[Any]) -> None:
        fmt = msg.get("format", self.format)
        if fmt in ("mp4", "webm"):
            self.format = fmt
        self.export(format=self.format)


class TimelinePanel(Panel):
    """The draft as tracks of segments (drawn in the browser, a thumbnail on each clip) and
    as the DataFrame table. Thumbnails are made by the kernel (see ``_thumbs.py``) and sent
    over the comm as media slots ``thumb-…``."""

    _esm = esm("timeline")
    tracks = t.List(t.Dict()).tag(sync=True)
    duration_ms = t.Float(0).tag(sync=True)
    summary = t.Unicode("").tag(sync=True)
    table_html = t.Unicode("").tag(sync=True)
    changes = t.List(t.Unicode()).tag(sync=True)
    #: Quick previews will come (embedded engine, turned on): the panel keeps their place from
    #: the first clip on, so a preview arriving never moves the panels below it (a box being
    #: drawn in the box select, say).
    quick = t.Bool(False).tag(sync=True)

    def bind(self, controller: Controller) -> None:
        self._making: set[str] = set()  # thumbnails being made
        controller.on("state", self._state)
        controller.on("timeline_preview", self._quick_preview)

    def _quick_preview(self, path: Path, draft: Any) -> None:
        """The quick low-resolution render of the timeline after an edit (``timeline`` slot)."""
        self.publish("timeline", path, "video/mp4", label="Quick preview (low quality)")

    def _state(self, state: dict[str, Any], changes: list[str]) -> None:
        client = self.controller.client
        self.quick = bool(
            self.controller.quick_previews and client is not None and client.backend != "hosted"
        )
        self.show(state.get("draft"), changes)
        if self.controller.session is not None:
            self.run(self._thumbnails())

    async def _thumbnails(self) -> None:
        if await _thumbs.publish_missing(self, self.controller.draft, self._making):
            self.show(self.controller.draft)

    def show(self, draft: Any, changes: list[str] | None = None) -> None:
        d = draft if isinstance(draft, Draft) else Draft.parse(draft or {})
        with self.hold_sync():  # lanes, summary and table in one update: never one without
            self._show(d, changes)  # the other (the browser once drew two lanes, one summed)

    def _show(self, d: Draft, changes: list[str] | None) -> None:
        self.tracks = [
            {
                "kind": tr.kind,
                "name": tr.name or "",
                "muted": bool(tr.muted),
                "segments": [
                    {
                        "start": s.start,
                        "end": s.end,
                        "label": s.label or s.text or s.source or "",
                        "volume": s.volume,
                        "effects": [e.describe() for e in s.effects or []],
                        "thumb": _thumbs.slot(s) if _thumbs.slot(s) in self.media else "",
                    }
                    for s in tr.segments
                ],
            }
            for tr in d.tracks
        ]
        self.duration_ms = float(d.end)
        self.summary = summary(d)
        self.table_html = people_html(d) if d.exportable else ""
        if changes is not None:
            self.changes = changes


class BoxSelect(Panel):
    """Draw a box around what to remove on a frame of a clip; sent with the next instruction.

    The box is normalised to the *picture* (the video's own pixels), not to the player: the
    front-end maps the pointer through the element's letterboxing (``object-fit: contain``),
    so ``box`` times the clip's size is the rectangle in video pixels the engine uses.
    """

    _esm = esm("box")
    box = t.List(t.Float(), default_value=[]).tag(sync=True)
    time = t.Float(0.0).tag(sync=True)
    #: The clip the box refers to: its name and size in pixels (for the box in pixels).
    clip = t.Dict().tag(sync=True)

    def __init__(self, controller: Controller | None = None, **kw: Any) -> None:
        super().__init__(controller, **kw)
        self._callbacks: list[Callable[[list[float], float], Any]] = []

    def bind(self, controller: Controller) -> None:
        controller.on("uploaded", self._source)

    def _source(self, files: list[Any]) -> None:
        videos = [f for f in files if f.file_type == "video" and f.url]
        if videos:
            self.run(self._publish_source(videos[-1]))

    async def _publish_source(self, file: Any) -> None:
        path, mime = await self.controller.preview_of(file)
        self.clip = {"name": file.filename, "width": file.width, "height": file.height}
        self.publish("source", path, mime, name=file.filename)

    def on_submit(self, fn: Callable[[list[float], float], Any]) -> Callable[..., Any]:
        """Register ``fn(box, time)``; returns ``fn`` so it works as a decorator."""
        self._callbacks.append(fn)
        return fn

    @property
    def box_pixels(self) -> tuple[int, int, int, int] | None:
        """The box in the clip's pixels (x0, y0, x1, y1), as the engine will use it."""
        w, h = self.clip.get("width"), self.clip.get("height")
        if len(self.box) != 4 or not w or not h:
            return None
        x0, y0, x1, y1 = self.box
        return (round(x0 * w), round(y0 * h), round(x1 * w), round(y1 * h))

    def on_box(self, msg: dict[str, Any], buffers: list[Any]) -> None:
        self.select(msg.get("box", []), float(msg.get("time", 0.0)))

    def on_preview(self, msg: dict[str, Any], buffers: list[Any]) -> None:
        """A box was drawn: show the mask the removal will use, before it runs."""
        self.run(_preview.show_mask(self, msg.get("box", []), float(msg.get("time", 0.0))))

    def select(self, box: Any, time: float = 0.0) -> None:
        """Use ``box`` ([x0, y0, x1, y1] in 0..1 of the picture) at ``time`` seconds for the
        next instruction ("remove this"), as drawing it does (for front-ends that cannot
        play the clip, e.g. VS Code's)."""
        box = [float(x) for x in box]
        if (
            len(box) != 4
            or not all(0 <= x <= 1 for x in box)
            or box[2] <= box[0]
            or box[3] <= box[1]
        ):
            raise ValueError("draw a box inside the frame (drag from one corner to the other)")
        self.box, self.time = box, float(time)
        self.controller.selection = {"box": box, "time": self.time}
        for fn in self._callbacks:
            fn(box, self.time)
