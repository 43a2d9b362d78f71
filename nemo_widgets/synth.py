"""Synthetic media with known content, for tests, benchmarks and demos (needs the engine extra).

Every clip is deterministic: a gradient background, a moving square whose position is a known
function of time, an optional solid-colour corner patch, and a sine tone whose frequency is
known — so tests can measure pixels, sync and levels exactly.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np


def make_clip(
    path: str | Path,
    *,
    seconds: float = 2.0,
    width: int = 320,
    height: int = 240,
    fps: int = 25,
    audio: bool = True,
    tone_hz: float = 440.0,
    channels: int = 2,
    codec: str = "libx264",
    pix_fmt: str = "yuv420p",
    colour: tuple[int, int, int] | None = None,
    rotation: int = 0,
    sample_rate: int = 48_000,
) -> Path:
    """Write a test clip. ``colour`` fills the whole frame (for pixel checks) when given."""
    path = Path(path)
    fmt = "mp4" if path.suffix in (".mp4", ".mov", ".m4v") else None
    n = max(1, round(seconds * fps))
    with av.open(str(path), "w", format=fmt) as c:
        vs = c.add_stream(codec, rate=fps)
        vs.width, vs.height, vs.pix_fmt = width, height, pix_fmt
        if codec == "libx264":
            vs.options = {"preset": "ultrafast", "crf": "18"}
        a_s = _aac_stream(c, channels, sample_rate) if audio else None
        yy, xx = np.mgrid[0:height, 0:width]
        base = np.stack(
            [
                (xx * 255 // max(1, width - 1)),
                (yy * 255 // max(1, height - 1)),
                np.full_like(xx, 96),
            ],
            axis=-1,
        ).astype(np.uint8)
        for i in range(n):
            if colour is not None:
                img = np.empty((height, width, 3), np.uint8)
                img[:] = colour
            else:
                img = base.copy()
                s = max(8, height // 6)
                x = int((width - s) * (0.5 + 0.5 * np.sin(i / fps * 2.0)))
                y = (height - s) // 2
                img[y : y + s, x : x + s] = (255, 255, 255)
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            frame.pts = i
            for pkt in vs.encode(frame):
                c.mux(pkt)
        for pkt in vs.encode(None):
            c.mux(pkt)
        if a_s is not None:
            t = np.arange(int(seconds * sample_rate)) / sample_rate
            tone = (0.3 * np.sin(2 * np.pi * tone_hz * t)).astype(np.float32)
            _encode_audio(c, a_s, np.tile(tone, (channels, 1)), sample_rate)
    if rotation:
        set_display_rotation(path, rotation, height)
    return path


def _aac_stream(c: Any, channels: int, sample_rate: int) -> Any:
    s = c.add_stream("aac", rate=sample_rate)
    s.layout = {1: "mono", 2: "stereo", 6: "5.1"}[channels]
    return s


def _encode_audio(c: Any, stream: Any, data: np.ndarray, sample_rate: int) -> None:
    """Encode float samples (channels, n) in [-1, 1] into ``stream`` (the last frame padded
    with silence) and flush it."""
    fs = stream.codec_context.frame_size or 1024
    for s0 in range(0, data.shape[1], fs):
        chunk = np.ascontiguousarray(data[:, s0 : s0 + fs], dtype=np.float32)
        if chunk.shape[1] < fs:
            chunk = np.pad(chunk, ((0, 0), (0, fs - chunk.shape[1])))
        af = av.AudioFrame.from_ndarray(chunk, format="fltp", layout=stream.layout.name)
        af.sample_rate = sample_rate
        af.pts = s0
        for pkt in stream.encode(af):
            c.mux(pkt)
    for pkt in stream.encode(None):
        c.mux(pkt)


def set_display_rotation(path: Path, degrees: int, height: int, width: int | None = None) -> None:
    """Write a clockwise display rotation (90, 180 or 270) into the first track header, as
    phones do. The stored frames stay as they are; players (and FFmpeg) show them rotated.
    """
    import struct

    one, minus_one = 0x00010000, 0xFFFF0000
    w = width or 0
    matrices = {  # a b u / c d v / x y w of the tkhd display matrix (16.16, w 2.30)
        90: (0, one, 0, minus_one, 0, 0, height << 16, 0, 0x40000000),
        180: (minus_one, 0, 0, 0, minus_one, 0, w << 16, height << 16, 0x40000000),
        270: (0, minus_one, 0, one, 0, 0, 0, w << 16, 0x40000000),
    }
    if degrees % 360 not in matrices:
        raise ValueError("only 90°, 180° and 270° clockwise are supported here")
    data = bytearray(Path(path).read_bytes())
    i = data.find(b"tkhd")
    if i < 0:
        raise ValueError("no tkhd box")
    version = data[i + 4]
    matrix_at = i + 4 + 4 + (28 if version == 0 else 40) + 8
    struct.pack_into(">9I", data, matrix_at, *matrices[degrees % 360])
    Path(path).write_bytes(bytes(data))


def write_frames(
    path: str | Path,
    frames: list[np.ndarray] | Any,
    *,
    fps: int = 25,
    pix_fmt: str = "yuv420p",
    crf: int = 18,
    audio: np.ndarray | None = None,
    sample_rate: int = 48_000,
) -> Path:
    """Encode RGB frames (H.264, ultrafast) — for tests and benchmarks with exact content —
    and, given ``audio`` (float samples, (channels, n)), an AAC track that starts with them."""
    path = Path(path)
    with av.open(str(path), "w") as c:
        s = a_s = None
        for i, f in enumerate(frames):
            if s is None:
                s = c.add_stream(
                    "libx264", rate=fps, options={"preset": "ultrafast", "crf": str(crf)}
                )
                s.width, s.height, s.pix_fmt = f.shape[1], f.shape[0], pix_fmt
                if audio is not None:
                    a_s = _aac_stream(c, audio.shape[0], sample_rate)
            vf = av.VideoFrame.from_ndarray(np.ascontiguousarray(f), format="rgb24")
            vf.pts, vf.time_base = i, Fraction(1, fps)
            for p in s.encode(vf):
                c.mux(p)
        if s is not None:
            for p in s.encode(None):
                c.mux(p)
        if a_s is not None and audio is not None:
            _encode_audio(c, a_s, audio, sample_rate)
    return path


def make_tone(
    path: str | Path,
    *,
    seconds: float = 3.0,
    tone_hz: float = 220.0,
    amplitude: float = 0.5,
    sample_rate: int = 44_100,
    channels: int = 2,
) -> Path:
    """An audio-only file (``.wav``, ``.m4a`` or ``.mp3`` by suffix) with a pure tone."""
    path = Path(path)
    codec = {".wav": "pcm_s16le", ".m4a": "aac", ".mp3": "libmp3lame"}.get(path.suffix, "aac")
    fmt = {".wav": "wav", ".m4a": "mp4", ".mp3": "mp3"}.get(path.suffix)
    layout = {1: "mono", 2: "stereo"}[channels]
    with av.open(str(path), "w", format=fmt) as c:
        s = c.add_stream(codec, rate=sample_rate)
        s.layout = layout
        fs = s.codec_context.frame_size or 1024
        conv = av.AudioResampler(
            format=s.codec_context.format.name, layout=layout, rate=sample_rate
        )
        total = int(seconds * sample_rate)
        t = np.arange(total) / sample_rate
        tone = (amplitude * np.sin(2 * np.pi * tone_hz * t)).astype(np.float32)
        for s0 in range(0, total, fs):
            chunk = np.ascontiguousarray(np.tile(tone[s0 : s0 + fs], (channels, 1)))
            src = av.AudioFrame.from_ndarray(chunk, format="fltp", layout=layout)
            src.sample_rate = sample_rate
            src.pts = s0
            for af in conv.resample(src):
                for pkt in s.encode(af):
                    c.mux(pkt)
        for pkt in s.encode(None):
            c.mux(pkt)
    return path


def make_image(
    path: str | Path,
    width: int = 640,
    height: int = 360,
    colour: tuple[int, int, int] = (30, 120, 200),
) -> Path:
    from PIL import Image

    path = Path(path)
    Image.new("RGB", (width, height), colour).save(path)
    return path


def frame_at(path: str | Path, t: float) -> np.ndarray:
    """The RGB frame shown at time ``t`` seconds (for pixel checks)."""
    with av.open(str(path)) as c:
        s = c.streams.video[0]
        tb = float(s.time_base or Fraction(1, 90000))
        best = None
        for f in c.decode(s):
            ft = float(f.pts) * tb - float(s.start_time or 0) * tb
            if ft <= t + 1e-3 or best is None:
                best = f.to_ndarray(format="rgb24")
            if ft > t:
                break
        assert best is not None
        return best


def audio_of(path: str | Path, rate: int = 48_000) -> np.ndarray:
    """All audio of a file as ``(2, n)`` float32 stereo at ``rate``."""
    with av.open(str(path)) as c:
        if not c.streams.audio:
            return np.zeros((2, 0), np.float32)
        r = av.AudioResampler(format="fltp", layout="stereo", rate=rate)
        parts = [o.to_ndarray() for f in c.decode(c.streams.audio[0]) for o in r.resample(f)]
        parts += [o.to_ndarray() for o in r.resample(None)]
        return np.concatenate(parts, axis=1) if parts else np.zeros((2, 0), np.float32)
