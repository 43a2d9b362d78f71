"""The one way out: every video file the engine writes goes through :class:`VideoWriter`.

It holds the encoder settings (H.264 High / yuv420p with ``+faststart`` MP4, or VP9 WebM, and
VP9 with alpha for transparent output), the RGB → yuv420p conversion, the audio encoder
(AAC / Opus, 48 kHz stereo) or a copy of the source's audio packets, and timestamps that only
go forward. Pictures in, packets muxed; ``close()`` flushes, ``abort()`` (or leaving a ``with``
block on an error) closes without flushing.

    with VideoWriter(out, w, h, rate, time_base=src_tb, copy_audio=src_audio) as out_v:
        for pkt in src.demux(src_audio):
            out_v.copy(pkt)
        for f in frames:
            out_v.write(f.rgb, f.pts)          # pts in ``time_base`` units
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np

from nemo_widgets.video_io.pictures import yuv_frame

#: Output audio: 48 kHz stereo.
SAMPLE_RATE = 48_000

#: ``quality`` → encoder settings (documented in docs/architecture.md).
QUALITY: dict[str, dict[str, dict[str, str]]] = {
    "mp4": {
        "high": {"preset": "veryfast", "crf": "20", "profile": "high"},
        "medium": {"preset": "superfast", "crf": "23", "profile": "high"},
        # ultrafast with CABAC and 8x8 transforms back on: still High profile, nearly as fast.
        "low": {
            "preset": "ultrafast",
            "crf": "28",
            "profile": "high",
            "x264-params": "cabac=1:8x8dct=1",
        },
    },
    "webm": {
        "high": {"crf": "31", "b": "0", "deadline": "realtime", "cpu-used": "8", "row-mt": "1"},
        "medium": {"crf": "36", "b": "0", "deadline": "realtime", "cpu-used": "8", "row-mt": "1"},
        "low": {"crf": "42", "b": "0", "deadline": "realtime", "cpu-used": "8", "row-mt": "1"},
    },
}
#: The browser previews' H.264 (``VideoWriter(..., options=PREVIEW)``): fast to make and to
#: decode; not a render quality.
PREVIEW = {"preset": "ultrafast", "crf": "27", "tune": "fastdecode"}
AUDIO_BITRATE = {"high": 192_000, "medium": 128_000, "low": 96_000}
#: VP9 with an alpha plane (``yuva420p``): transparent output for compositing elsewhere.
ALPHA_WEBM = {"crf": "32", "b": "0", "deadline": "realtime", "cpu-used": "8", "auto-alt-ref": "0"}
_CODECS = {"mp4": ("libx264", "aac"), "webm": ("libvpx-vp9", "libopus")}


class ForwardClock:
    """Output timestamps that only go forward: a frame keeps its source timestamp unless that
    is missing or not after the last one written, and then goes one nominal frame later.
    Muxers refuse timestamps that go back, which joined or badly muxed sources have."""

    def __init__(self, rate: Fraction | float, time_base: Fraction) -> None:
        self.step = max(1, round(1 / (float(rate or 25) * float(time_base))))
        self.last: int | None = None

    def __call__(self, pts: int | None) -> int:
        if pts is None or (self.last is not None and pts <= self.last):
            pts = 0 if self.last is None else self.last + self.step
        self.last = pts
        return pts


class OrderedWorker:
    """Runs the jobs it is given on one thread of its own, in order: the encoder and muxer of
    a frame pipeline, so that encoding frame n overlaps the work on frame n + 1 (PyAV and
    libx264 release the GIL). At most ``depth`` jobs wait, which bounds the memory held.

    The first error a job raises is raised again by ``submit`` or ``close``; the jobs after it
    are dropped. ``join`` (in a ``finally``) waits for the thread without raising, so the
    containers it writes can be closed after it.
    """

    def __init__(self, depth: int = 4, name: str = "nemo-writer") -> None:
        self._jobs: queue.Queue[Callable[[], None] | None] = queue.Queue(depth)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            if self._error is None:
                try:
                    job()
                except BaseException as e:  # handed to the submitting thread
                    self._error = e

    def submit(self, job: Callable[[], None]) -> None:
        if self._error is not None:
            raise self._error
        self._jobs.put(job)

    def drain(self) -> None:
        """Wait until every job submitted so far has run; raise the first error a job raised."""
        done = threading.Event()
        self.submit(done.set)
        while not done.wait(0.05):
            if self._error is not None or not self._thread.is_alive():
                break
        if self._error is not None:
            raise self._error

    def join(self) -> None:
        if self._thread.is_alive():
            self._jobs.put(None)
            self._thread.join()

    def close(self) -> None:
        self.join()
        if self._error is not None:
            raise self._error


class CopiedStream:
    """A stream of ``container`` made from ``template`` that packets are copied into as they
    are, except any whose decode timestamp goes back (a muxer would refuse them)."""

    def __init__(self, container: Any, template: Any) -> None:
        self.container = container
        self.stream = container.add_stream_from_template(template)
        self.last: int | None = None

    def mux(self, packet: Any) -> None:
        if packet.dts is None or (self.last is not None and packet.dts < self.last):
            return
        self.last = packet.dts
        packet.stream = self.stream
        self.container.mux(packet)


class VideoWriter:
    """One output file: a video stream and, optionally, an audio stream (encoded from
    samples, or copied from a source stream).

    ``rate`` is the nominal frame rate; ``time_base`` the unit of the ``pts`` given to
    :meth:`write` (default ``1 / rate``: frame numbers). ``fmt`` is ``mp4`` or ``webm``;
    ``alpha=True`` writes VP9 ``yuva420p`` WebM from RGBA pictures. ``audio=True`` adds an
    AAC (MP4) or Opus (WebM) 48 kHz stereo stream fed by :meth:`write_audio`;
    ``copy_audio`` (a source audio stream) adds a stream fed by :meth:`copy`. ``options``
    (encoder options, e.g. :data:`PREVIEW`) replace ``QUALITY[fmt][quality]``. Width and
    height must be even.
    """

    def __init__(
        self,
        path: str | Path,
        width: int,
        height: int,
        rate: Fraction | float,
        *,
        fmt: str = "mp4",
        quality: str = "high",
        time_base: Fraction | None = None,
        threads: int | None = None,
        audio: bool = False,
        copy_audio: Any = None,
        alpha: bool = False,
        options: dict[str, str] | None = None,
    ) -> None:
        if fmt not in _CODECS:
            raise ValueError(f"unsupported format {fmt!r}; choose one of: {', '.join(_CODECS)}")
        if alpha and fmt != "webm":
            raise ValueError("transparent output (alpha) is VP9 WebM only")
        if width % 2 or height % 2:
            raise ValueError(f"yuv420p needs an even width and height, got {width}x{height}")
        rate = rate if isinstance(rate, Fraction) else Fraction(rate).limit_denominator(1001)
        self.time_base = time_base or Fraction(1, 1) / rate
        self.alpha = alpha
        opts = {"movflags": "+faststart"} if fmt == "mp4" else {}
        self.container = av.open(str(path), "w", format=fmt, options=opts)
        try:
            vcodec, acodec = _CODECS[fmt]
            opts_v = options or (ALPHA_WEBM if alpha else QUALITY[fmt][quality])
            self.stream = self.container.add_stream(vcodec, rate=rate, options=dict(opts_v))
            self.stream.width, self.stream.height = width, height
            self.stream.pix_fmt = "yuva420p" if alpha else "yuv420p"
            cc = self.stream.codec_context
            if not alpha:
                # Say what yuv_frame writes (BT.601, limited range), so that players do not
                # guess BT.709 for HD pictures.
                cc.colorspace, cc.color_range = 6, 1  # SMPTE 170M, MPEG (limited)
                cc.color_primaries, cc.color_trc = 6, 6
            if threads:
                cc.thread_count = threads
            cc.time_base = self.time_base
            self.audio: Any = None
            self.audio_frame_size = 0
            if audio:
                self.audio = self.container.add_stream(acodec, rate=SAMPLE_RATE)
                self.audio.layout = "stereo"
                self.audio.bit_rate = AUDIO_BITRATE[quality]
                self.audio_frame_size = self.audio.codec_context.frame_size or 960
                self._resampler = av.AudioResampler(
                    format=self.audio.codec_context.format.name, layout="stereo", rate=SAMPLE_RATE
                )
            self._copied = CopiedStream(self.container, copy_audio) if copy_audio else None
        except BaseException:
            self.container.close()
            raise
        self._video_done = False
        self.closed = False
        self.frames = 0

    @property
    def width(self) -> int:
        return self.stream.width

    @property
    def height(self) -> int:
        return self.stream.height

    def write(self, picture: np.ndarray, pts: int) -> None:
        """Encode one RGB picture (RGBA when ``alpha``) shown at ``pts`` (``time_base`` units)."""
        if self.alpha:
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(picture), format="rgba")
        else:
            frame = yuv_frame(picture)
        frame.pts, frame.time_base = pts, self.time_base
        for pkt in self.stream.encode(frame):
            self.container.mux(pkt)
        self.frames += 1

    def write_audio(self, samples: np.ndarray, pts: int) -> None:
        """Encode ``(2, n)`` float32 samples starting at sample ``pts`` (48 kHz)."""
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(samples, np.float32), format="fltp", layout="stereo"
        )
        frame.sample_rate, frame.pts = SAMPLE_RATE, pts
        for converted in self._resampler.resample(frame):
            for pkt in self.audio.encode(converted):
                self.container.mux(pkt)

    def copy(self, packet: Any) -> None:
        """Copy a packet of the ``copy_audio`` stream as it is."""
        if self._copied is None:
            raise RuntimeError("this writer was opened without copy_audio")
        self._copied.mux(packet)

    def finish_video(self) -> None:
        """Flush the video encoder (audio may still be written after)."""
        if not self._video_done:
            self._video_done = True
            for pkt in self.stream.encode(None):
                self.container.mux(pkt)

    def close(self) -> None:
        """Flush the encoders and finish the file."""
        if self.closed:
            return
        try:
            self.finish_video()
            if self.audio is not None:
                for pkt in self.audio.encode(None):
                    self.container.mux(pkt)
        finally:
            self.closed = True
            self.container.close()

    def abort(self) -> None:
        """Close without flushing (after an error; the file is left incomplete)."""
        if not self.closed:
            self.closed = True
            with contextlib.suppress(Exception):
                self.container.close()

    def __enter__(self) -> VideoWriter:
        return self

    def __exit__(self, exc_type: Any, *exc: object) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()
