"""Render, stage 3 — the sound: each clip's own audio in sync, BGM tracks at their volume with
fades and loops, speed changes that keep the pitch (FFmpeg's ``atempo``), mixed down to
48 kHz stereo one block at a time."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np

from nemo_widgets.draft import Draft, Segment
from nemo_widgets.video_io import SAMPLE_RATE

_SAMPLE_TB = Fraction(1, SAMPLE_RATE)


# -- audio ----------------------------------------------------------------------------------
def _gain(offset: int, m: int, n: int, volume: float, fi: int, fo: int) -> np.ndarray | float:
    """Gain for samples ``offset .. offset + m`` of an ``n``-sample segment: its volume with
    linear fade-in over the first ``fi`` samples and fade-out over the last ``fo``."""
    if not fi and not fo:
        return volume
    i = np.arange(offset, offset + m, dtype=np.float32)
    env = np.full(m, volume, np.float32)
    if fi:
        k = min(fi, n)
        env *= np.clip(i / max(1, k - 1), 0.0, 1.0)
    if fo:
        k = min(fo, n)
        env *= np.clip((n - 1 - i) / max(1, k - 1), 0.0, 1.0)
    return env


class AudioReader:
    """One source's sound from ``start_s`` on, read forward as 48 kHz stereo float32, a few
    frames at a time; ``loop`` starts again at ``start_s`` at the end (background music)."""

    def __init__(self, path: Path, start_s: float, loop: bool) -> None:
        self.path, self.start_s, self.loop = path, start_s, loop
        self.buf = np.zeros((2, 0), np.float32)
        self.container: Any = None
        self.done = False
        self._open()

    def _open(self) -> None:
        self.close()
        try:
            self.container = av.open(str(self.path))
        except av.FFmpegError:
            self.done = True
            return
        if not self.container.streams.audio:
            self.done = True
            return
        stream = self.container.streams.audio[0]
        self.resampler = av.AudioResampler(format="fltp", layout="stereo", rate=SAMPLE_RATE)
        self.tb = float(stream.time_base or Fraction(1, SAMPLE_RATE))
        self.t0 = float(stream.start_time or 0) * self.tb
        if self.start_s > 0.5:
            self.container.seek(
                int((self.start_s + self.t0) / self.tb), stream=stream, backward=True
            )
        self.frames = self.container.decode(stream)
        self.skip: int | None = None  # samples before start_s still to drop
        self.produced = 0

    def _pull(self) -> bool:
        try:
            frame = next(self.frames)
        except (StopIteration, av.FFmpegError):
            return False
        if self.skip is None:
            first_t = (float(frame.pts) * self.tb - self.t0) if frame.pts is not None else 0.0
            self.skip = round((self.start_s - first_t) * SAMPLE_RATE)
            if self.skip < 0:  # the stream starts after the requested point: silence first
                self.buf = np.zeros((2, -self.skip), np.float32)
                self.skip = 0
        for out in self.resampler.resample(frame):
            arr = out.to_ndarray()
            if self.skip:
                drop = min(self.skip, arr.shape[1])
                arr, self.skip = arr[:, drop:], self.skip - drop
            self.buf = np.concatenate([self.buf, arr], axis=1) if self.buf.size else arr
            self.produced += arr.shape[1]
        return True

    def read(self, n: int) -> np.ndarray:
        """The next ``n`` samples ``(2, n)``; silence after the end unless looping."""
        while self.buf.shape[1] < n and not self.done:
            if not self._pull():
                if self.loop and self.produced > 0:
                    self._open()
                else:
                    self.done = True
        out, self.buf = self.buf[:, :n], self.buf[:, n:]
        if out.shape[1] < n:
            out = np.pad(out, ((0, 0), (0, n - out.shape[1])))
        return out

    def close(self) -> None:
        if self.container is not None:
            with contextlib.suppress(Exception):
                self.container.close()
            self.container = None


def tempo_chain(speed: float) -> list[float]:
    """``speed`` as a product of factors in atempo's best range [0.5, 2] (3 = 2 × 1.5)."""
    out: list[float] = []
    while speed > 2.0:
        out.append(2.0)
        speed /= 2.0
    while speed < 0.5:
        out.append(0.5)
        speed /= 0.5
    out.append(speed)
    return out


class Tempo:
    """Plays 48 kHz stereo faster or slower and keeps its pitch: FFmpeg's ``atempo`` (WSOLA)
    in a PyAV filter graph, chained for factors outside 0.5–2. Reads its input from an
    :class:`AudioReader` as needed (silence after the end), so any length can be asked."""

    CHUNK = 4096

    def __init__(self, speed: float) -> None:
        import av.filter

        self.graph = av.filter.Graph()
        self.src = self.graph.add_abuffer(
            format="fltp", sample_rate=SAMPLE_RATE, layout="stereo", time_base=_SAMPLE_TB
        )
        last = self.src
        for factor in tempo_chain(speed):
            node = self.graph.add("atempo", f"{factor:.9f}")
            last.link_to(node)
            last = node
        fmt = self.graph.add(
            "aformat", f"sample_fmts=fltp:channel_layouts=stereo:sample_rates={SAMPLE_RATE}"
        )
        last.link_to(fmt)
        self.sink = self.graph.add("abuffersink")
        fmt.link_to(self.sink)
        self.graph.configure()
        self.buf = np.zeros((2, 0), np.float32)
        self.pts = 0

    def read(self, reader: AudioReader, n: int) -> np.ndarray:
        """The next ``n`` output samples ``(2, n)``."""
        parts = [self.buf]
        have = self.buf.shape[1]
        while have < n:
            chunk = np.ascontiguousarray(reader.read(self.CHUNK))
            frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="stereo")
            frame.sample_rate, frame.pts, frame.time_base = SAMPLE_RATE, self.pts, _SAMPLE_TB
            self.pts += chunk.shape[1]
            self.src.push(frame)
            while True:
                try:
                    out = self.sink.pull()
                except (av.BlockingIOError, av.EOFError):
                    break
                arr = out.to_ndarray()
                parts.append(arr)
                have += arr.shape[1]
        joined = np.concatenate(parts, axis=1) if len(parts) > 1 else parts[0]
        self.buf = joined[:, n:]
        return joined[:, :n]


@dataclass
class _Voice:
    path: Path
    start: int  # first sample on the timeline
    n: int  # length in samples
    in_s: float
    volume: float
    speed: float
    fi: int
    fo: int
    loop: bool
    keep_pitch: bool = True
    reader: AudioReader | None = None
    tempo: Tempo | None = None


class AudioMix:
    """The timeline's sound, mixed one block (1 s) at a time as the video is encoded: memory
    stays flat however long the timeline. Blocks are made in order; the last few are kept so
    that two outputs (export and preview) can read the same stretch."""

    BLOCK = SAMPLE_RATE
    KEEP = 3

    def __init__(
        self, draft: Draft, total_s: float, resolve_audio: Callable[[Segment], Path | None]
    ) -> None:
        self.n_total = round(total_s * SAMPLE_RATE)
        self.voices: list[_Voice] = []
        for tr in draft.tracks:
            if tr.kind not in ("video", "audio") or tr.muted:
                continue
            for seg in tr.segments:
                vol = (100.0 if seg.volume is None else float(seg.volume)) / 100.0
                path = resolve_audio(seg) if vol > 0 and seg.duration > 0 else None
                if path is None:
                    continue
                start = round(seg.start / 1000.0 * SAMPLE_RATE)
                n = min(round(seg.duration / 1000.0 * SAMPLE_RATE), self.n_total - start)
                if n <= 0:
                    continue
                self.voices.append(
                    _Voice(
                        path,
                        start,
                        n,
                        (seg.in_point or 0) / 1000.0,
                        vol,
                        float(seg.speed or 1.0),
                        int((seg.fade_in or 0) / 1000 * SAMPLE_RATE),
                        int((seg.fade_out or 0) / 1000 * SAMPLE_RATE),
                        tr.kind == "audio",
                        seg.keep_pitch is not False,
                    )
                )
        self.blocks: dict[int, np.ndarray] = {}
        self.next_block = 0

    def _make(self, k: int) -> np.ndarray:
        a = k * self.BLOCK
        b = min(a + self.BLOCK, self.n_total)
        mix = np.zeros((2, max(0, b - a)), np.float32)
        for v in self.voices:
            lo, hi = max(a, v.start), min(b, v.start + v.n)
            if lo >= hi:
                continue
            if v.reader is None:
                v.reader = AudioReader(v.path, v.in_s, v.loop)
            m = hi - lo
            if v.speed != 1.0 and v.keep_pitch:
                if v.tempo is None:
                    v.tempo = Tempo(v.speed)
                src = v.tempo.read(v.reader, m)
            elif v.speed != 1.0:
                # The chipmunk effect (``kp: false``): resampled, so the pitch follows the speed.
                src = v.reader.read(max(1, math.ceil(m * v.speed)))
                x = np.linspace(0, src.shape[1] - 1, m)
                idx = np.arange(src.shape[1])
                src = np.stack([np.interp(x, idx, ch) for ch in src]).astype(np.float32)
            else:
                src = v.reader.read(m)
            mix[:, lo - a : hi - a] += src * _gain(lo - v.start, m, v.n, v.volume, v.fi, v.fo)
            if hi == v.start + v.n:
                v.reader.close()
                v.tempo = None
        # A soft limiter: no hard clipping when clip sound and BGM add up.
        if mix.size and float(np.abs(mix).max()) > 1.0:
            np.tanh(mix, out=mix)
        return mix

    def _block(self, k: int) -> np.ndarray:
        while self.next_block <= k:
            self.blocks[self.next_block] = self._make(self.next_block)
            self.blocks.pop(self.next_block - self.KEEP, None)
            self.next_block += 1
        if k not in self.blocks:
            raise RuntimeError(f"audio block {k} was already released")
        return self.blocks[k]

    def window(self, s: int, e: int) -> np.ndarray:
        """Samples ``s .. e`` of the mix as ``(2, e - s)`` (silence past the end)."""
        out = np.zeros((2, e - s), np.float32)
        pos = s
        while pos < min(e, self.n_total):
            k = pos // self.BLOCK
            block = self._block(k)
            a = pos - k * self.BLOCK
            take = min(block.shape[1] - a, e - pos)
            out[:, pos - s : pos - s + take] = block[:, a : a + take]
            pos += take
        return out

    def close(self) -> None:
        for v in self.voices:
            if v.reader is not None:
                v.reader.close()
