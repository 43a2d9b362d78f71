"""The one way in: every decode of a video source goes through :class:`FrameReader`.

What it takes care of, so no caller has to:

- **display rotation** — phone clips are stored landscape with a rotation in their display
  matrix; pictures come out upright (``DecodedFrame.rgb``), in the size they are shown;
- **colour matrix and range** — the decoder tags each frame with its matrix (BT.601 / BT.709
  / BT.2020) and range (limited / full); the RGB conversion uses those tags (untagged frames
  are read as BT.601 limited, which is also what :class:`VideoWriter` writes);
- **variable frame rate and timestamps** — ``t`` is the frame's own presentation time in
  seconds from the start of the stream, forced forward where a muxer wrote timestamps that go
  back; with ``rebuilt_fps`` (the probe's ``timestamps == "rebuilt"``) frame *n* is at
  *n* / fps and seeking decodes from the start;
- **seeking** — ``start_s`` / :meth:`FrameReader.seek` jump to the keyframe before and decode
  forward; :meth:`FrameReader.at` gives the frame shown at a time, for renderers;
- **cancel checks** — ``check`` is called every ``check_every`` frames while iterating.

    with FrameReader(path, check=ctx.check) as src:
        first = src.peek()                   # upright size before the loop: first.rgb.shape
        for pkt in src.audio_packets():      # the sound as stored, for a VideoWriter
            out.copy(pkt)
        for f in src:                        # DecodedFrame: index, t, pts, frame, rgb
            out.write(work(f.rgb), clock(f.pts))

Decoding errors in the middle of a file end the frames (what was read stands); a file with
no decodable frame raises :class:`NoFrames`.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np

from nemo_widgets.video_io.pictures import rotate

#: Open tallies (see :func:`counting_decodes`): frames decoded, per source path.
_TALLIES: list[Counter[Path]] = []


@contextlib.contextmanager
def counting_decodes() -> Iterator[Counter[Path]]:
    """Count the frames every :class:`FrameReader` decodes inside the block, per source path
    (resolved): how many times a stage decodes its source, measured on the real decoder.

        with counting_decodes() as decoded:
            remove_object(src, out, target)
        passes = decoded[src.resolve()] / frames_in_src
    """
    tally: Counter[Path] = Counter()
    _TALLIES.append(tally)
    try:
        yield tally
    finally:
        _TALLIES.remove(tally)


class NoFrames(ValueError):
    """The source has no decodable video frame."""


class DecodedFrame:
    """One decoded frame: ``index`` (decode order from the start or the seek point), ``t``
    (seconds, forward-only), ``pts`` (the source timestamp, ``time_base`` units, may be
    None), ``frame`` (the PyAV frame) and ``rgb`` (upright RGB, converted on first use)."""

    __slots__ = ("_rgb", "frame", "index", "pts", "t")

    def __init__(self, index: int, t: float, frame: av.VideoFrame) -> None:
        self.index, self.t, self.frame, self.pts = index, t, frame, frame.pts
        self._rgb: np.ndarray | None = None

    @property
    def rotation(self) -> int:
        return int(getattr(self.frame, "rotation", 0) or 0) % 360

    @property
    def rgb(self) -> np.ndarray:
        if self._rgb is None:
            self._rgb = rotate(self.frame.to_ndarray(format="rgb24"), self.rotation)
        return self._rgb

    def lean(self) -> DecodedFrame:
        """This frame without its converted picture, to hold for later (converted again
        when used): a decoded frame is about half the memory of its RGB."""
        return DecodedFrame(self.index, self.t, self.frame)

    @property
    def size(self) -> tuple[int, int]:
        """``(width, height)`` upright, as shown (nothing converted)."""
        w, h = self.frame.width, self.frame.height
        return (h, w) if self.rotation in (90, 270) else (w, h)

    def scaled(self, width: int, height: int, interpolation: str | None = None) -> np.ndarray:
        """Upright RGB ``width`` × ``height`` (upright size), scaled while converting, so a
        small picture of a large frame costs no full-size RGB frame (previews);
        ``interpolation``: swscale's ("AREA" averages, as a thumbnail wants)."""
        if (width, height) == self.size:
            return self.rgb
        w, h = (height, width) if self.rotation in (90, 270) else (width, height)
        rgb = self.frame.to_ndarray(width=w, height=h, format="rgb24", interpolation=interpolation)
        return rotate(rgb, self.rotation)


class FrameReader:
    """Frames of the first video stream of ``path``, decoded forward (see the module)."""

    def __init__(
        self,
        path: str | Path,
        *,
        start_s: float = 0.0,
        rebuilt_fps: float | None = None,
        check: Callable[[], None] | None = None,
        check_every: int = 8,
        threads: str | None = "AUTO",
    ) -> None:
        self.path = Path(path)
        self.container: Any = av.open(str(path))
        try:
            if not self.container.streams.video:
                raise NoFrames("the file has no video stream")
            self.stream = self.container.streams.video[0]
            if threads:
                self.stream.thread_type = threads
        except BaseException:
            self.container.close()
            raise
        self.time_base: Fraction = self.stream.time_base or Fraction(1, 90000)
        self.tb = float(self.time_base)
        #: The stream's start, subtracted from every timestamp.
        self.offset = float(self.stream.start_time or 0) * self.tb
        self.rate: Fraction = (
            self.stream.average_rate or self.stream.guessed_rate or Fraction(rebuilt_fps or 25)
        )
        c = self.container
        self.duration = float(c.duration / av.time_base) if c.duration else 0.0
        #: Frames expected (from the header, or duration × rate); a hint for progress only.
        self.frames_hint = max(1, self.stream.frames or int(self.duration * float(self.rate)))
        self.audio = c.streams.audio[0] if c.streams.audio else None
        self.rebuilt_fps = rebuilt_fps
        self.check, self.check_every = check, max(1, check_every)
        if start_s > 0.5 and rebuilt_fps is None:
            self._seek_to(start_s)
        self._reset()

    def _seek_to(self, t: float) -> None:
        self.container.seek(int((t + self.offset) / self.tb), stream=self.stream, backward=True)

    def _reset(self) -> None:
        self.index = 0
        self.last_t = -1.0
        self.done = False
        self.pending: DecodedFrame | None = None
        self.current: DecodedFrame | None = None
        self._decoded = self.container.decode(self.stream)

    def seek(self, t: float) -> None:
        """Go to the keyframe at or before ``t`` seconds (to the start for rebuilt timestamps,
        whose frames are numbered from the first); frames decode forward from there."""
        if t > 0.5 and self.rebuilt_fps is None:
            self._seek_to(t)
        else:
            self.container.seek(0)
        self._reset()

    def audio_packets(self) -> Iterator[Any]:
        """The first audio stream's packets from the start of the file, as stored (for a
        :class:`VideoWriter` with ``copy_audio=reader.audio``); none without audio. Frames
        start again from the first afterwards, whatever was decoded or peeked before."""
        if self.audio is None:
            return
        self.container.seek(0)
        try:
            yield from self.container.demux(self.audio)
        finally:
            self.seek(0)

    def _time(self, frame: av.VideoFrame) -> float:
        if self.rebuilt_fps:
            return self.index / self.rebuilt_fps
        if frame.pts is None:
            return self.last_t + 1e-3
        return float(frame.pts) * self.tb - self.offset

    def _next(self) -> DecodedFrame | None:
        if self.pending is not None:
            f, self.pending = self.pending, None
            return f
        if self.done:
            return None
        if self.check is not None and self.index % self.check_every == 0:
            self.check()
        try:
            frame = next(self._decoded)
        except (StopIteration, av.FFmpegError):
            self.done = True
            return None
        t = self._time(frame)
        # Timestamps that go back: the frame is treated as the next one.
        t = max(t, self.last_t + 1e-6) if self.index else t
        self.last_t = t
        self.index += 1
        for tally in _TALLIES:
            tally[self.path.resolve()] += 1  # only while counting
        return DecodedFrame(self.index - 1, t, frame)

    def peek(self) -> DecodedFrame:
        """The next frame without taking it (iteration starts with it)."""
        if self.pending is None:
            self.pending = self._next()
        if self.pending is None:
            raise NoFrames("the video has no decodable frame")
        return self.pending

    def __iter__(self) -> Iterator[DecodedFrame]:
        while (f := self._next()) is not None:
            yield f

    def at(self, t: float) -> DecodedFrame | None:
        """The last frame shown at or before ``t`` seconds (the first frame if none is); None
        when the source has no decodable frame. Times must not go back between calls."""
        while True:
            f = self._next()
            if f is None:
                break
            if f.t <= t + 1e-4 or self.current is None:
                self.current = f
                if f.t > t + 1e-4:
                    break
            else:
                self.pending = f
                break
        return self.current

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.container.close()

    def __enter__(self) -> FrameReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Prefetch:
    """A decoder thread in front of a consumer: the frames of ``frames`` (a
    :class:`FrameReader`, or any iterator of decoded frames) decoded, and with ``rgb`` also
    converted, on a thread of their own, at most ``depth`` ahead, handed over in order. PyAV
    lets go of the GIL while it decodes and converts, so on two cores the decode of frame
    n + 1 runs beside the work on frame n (and an encoder thread beside both): the pass takes
    about as long as its slowest stage, not the sum. An error on the thread (a cancel check,
    a broken file) is raised by the consumer's loop; leaving the loop early (``close``, or a
    ``with`` block) stops the thread.

        with FrameReader(src) as r, Prefetch(r) as frames:
            for f in frames:                 # f.rgb already converted
                ...
    """

    _END = object()

    def __init__(self, frames: Any, depth: int = 3, *, rgb: bool = True) -> None:
        self._frames, self._rgb = frames, rgb
        self._q: queue.Queue[Any] = queue.Queue(max(1, depth))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="nemo-decoder", daemon=True)
        self._thread.start()

    def _put(self, item: Any) -> bool:
        while not self._stop.is_set():
            try:
                self._q.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def _run(self) -> None:
        try:
            for f in self._frames:
                if self._rgb:
                    f.rgb  # noqa: B018 - converted here, on this thread
                if not self._put(f):
                    return
            self._put(self._END)
        except BaseException as e:  # raised again by the consumer
            self._put(e)

    def __iter__(self) -> Iterator[Any]:
        try:
            while (item := self._q.get()) is not self._END:
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            self.close()

    def close(self) -> None:
        """Stop the thread (frames not taken yet are dropped)."""
        self._stop.set()
        if self._thread is not threading.current_thread():
            self._thread.join()

    def __enter__(self) -> Prefetch:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
