"""Media the browser shows, served through the kernel.

On Colab, JupyterHub or behind an SSH tunnel the kernel (and the engine beside it) runs on
another machine: the browser reaches the Jupyter server's origin and nothing else, so a
``<video src="http://127.0.0.1:…">`` pointing at the engine shows nothing. Every panel instead
publishes a small descriptor (``{"id", "size", "mime"}``) in its ``media`` trait; the front-end
pulls the bytes over the widget's own comm in acknowledged chunks (each well under the Jupyter
server's 10 MiB message limit) and plays them from a ``blob:`` URL.

What the browser previews is a proxy: H.264, the short side at most 480 px, no audio
(:func:`make_proxy`), so a 1080p upload does not cross the websocket in full.
"""

from __future__ import annotations

import logging
import shutil
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger("nemo_widgets.widgets")

#: Bytes per chunk the front-end asks for (one comm message each).
CHUNK = 2 * 1024 * 1024
#: The previews' short side, in pixels.
PREVIEW_SIDE = 480


@dataclass
class Item:
    data: bytes | Path
    mime: str

    @property
    def size(self) -> int:
        return len(self.data) if isinstance(self.data, bytes) else self.data.stat().st_size

    def read(self, offset: int, length: int) -> bytes:
        if isinstance(self.data, bytes):
            return self.data[offset : offset + length]
        with open(self.data, "rb") as f:
            f.seek(offset)
            return f.read(length)


class MediaStore:
    """The bytes a panel offers the browser, by id (thread-safe: comm handlers may run on a
    subshell's thread)."""

    def __init__(self) -> None:
        self._items: dict[str, Item] = {}
        self._lock = threading.Lock()

    def add(self, data: bytes | Path, mime: str, **meta: Any) -> dict[str, Any]:
        item = Item(data, mime)
        mid = uuid.uuid4().hex[:16]
        with self._lock:
            self._items[mid] = item
        return {"id": mid, "size": item.size, "mime": mime, **meta}

    def drop(self, mid: str) -> None:
        with self._lock:
            self._items.pop(mid, None)

    def read(self, mid: str, offset: int, length: int = CHUNK) -> bytes:
        with self._lock:
            item = self._items.get(mid)
        if item is None:
            raise KeyError(mid)
        return item.read(max(0, offset), max(0, min(length, CHUNK)))


def _even(x: float) -> int:
    return max(2, round(x / 2) * 2)


def make_proxy(src: Path, dest: Path, side: int = PREVIEW_SIDE) -> tuple[Path, str]:
    """A browser-friendly preview of ``src``: H.264 MP4, the short side ≤ ``side`` px, the
    source's frame times kept (a time picked on the preview is a time in the source).

    Without PyAV (a kernel with only the client installed) the source itself is served.
    Returns the path and its MIME type.
    """
    try:
        import av
    except ImportError:  # pragma: no cover - the engine extra brings PyAV
        return src, _mime(src)
    try:
        with av.open(str(src)) as inp:
            if not inp.streams.video:
                return src, _mime(src)
            vs = inp.streams.video[0]
            vs.thread_type = "AUTO"
            w, h = vs.codec_context.width, vs.codec_context.height
            small = min(w, h) <= side and vs.codec_context.name == "h264"
            if small and src.suffix.lower() in (".mp4", ".m4v", ".mov"):
                return src, "video/mp4"
            scale = min(1.0, side / max(1, min(w, h)))
            ow, oh = _even(w * scale), _even(h * scale)
            tmp = dest.with_name(f".{dest.name}.part")
            with av.open(str(tmp), "w", format="mp4", options={"movflags": "+faststart"}) as out:
                os_ = out.add_stream("libx264", rate=vs.average_rate or 25)
                os_.width, os_.height, os_.pix_fmt = ow, oh, "yuv420p"
                os_.time_base = vs.time_base
                os_.options = {"preset": "ultrafast", "crf": "27", "tune": "fastdecode"}
                for frame in inp.decode(vs):
                    out_frame = frame.reformat(width=ow, height=oh, format="yuv420p")
                    out_frame.pts, out_frame.time_base = frame.pts, frame.time_base
                    for packet in os_.encode(out_frame):
                        out.mux(packet)
                for packet in os_.encode():
                    out.mux(packet)
            tmp.replace(dest)
            return dest, "video/mp4"
    except Exception as e:  # a preview must never break the edit: serve the source
        log.warning("no preview proxy for %s (%s); serving the file itself", src, e)
        return src, _mime(src)


def _mime(path: Path) -> str:
    ext = path.suffix.lower().lstrip(".")
    video = {"mp4": "video/mp4", "m4v": "video/mp4", "mov": "video/mp4", "webm": "video/webm"}
    if ext in video:
        return video[ext]
    if ext in ("jpg", "jpeg", "png", "gif", "webp"):
        return f"image/{'jpeg' if ext == 'jpg' else ext}"
    return "application/octet-stream"


def remove_tree(path: Path | None) -> None:
    if path is not None:
        shutil.rmtree(path, ignore_errors=True)


#: Timeline thumbnails: this many pixels high (the lane is 36 CSS px; 2× for sharp screens).
THUMB_HEIGHT = 72


def make_thumb(src: Path, at_s: float, dest: Path, height: int = THUMB_HEIGHT) -> Path | None:
    """A small JPEG of ``src`` (a video, or an image) at ``at_s`` seconds, ``height`` px high,
    written to ``dest`` (kept: the next call with the same ``dest`` reads nothing). ``None``
    when there is no picture to take (no PyAV/Pillow, audio only, an unreadable file)."""
    if dest.exists():
        return dest
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover - the engine extra brings Pillow and PyAV
        return None
    try:
        if _mime(src).startswith("image/"):
            with Image.open(src) as im:
                picture = im.convert("RGB")
        else:
            picture = _frame_at(src, at_s)
        if picture is None:
            return None
        width = max(1, round(picture.width * height / max(1, picture.height)))
        small = picture.resize((width, height), Image.Resampling.BILINEAR)
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(f".{dest.name}.part")
        small.save(tmp, "JPEG", quality=80)
        tmp.replace(dest)
        return dest
    except Exception as e:  # a thumbnail must never break the timeline
        log.warning("no thumbnail for %s at %.2f s (%s)", src, at_s, e)
        return None


def _frame_at(src: Path, at_s: float) -> Any:
    """The first frame at or after ``at_s`` (the last one when the clip is shorter)."""
    import av

    with av.open(str(src)) as inp:
        if not inp.streams.video:
            return None
        vs = inp.streams.video[0]
        if at_s > 0 and vs.time_base:
            inp.seek(int(at_s / vs.time_base), stream=vs, backward=True)
        last = None
        for frame in inp.decode(vs):
            last = frame
            if frame.time is None or frame.time >= at_s - 1e-3:
                break
        return last.to_image() if last is not None else None
