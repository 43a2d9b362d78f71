"""The bad-input matrix: broken, odd and hostile files, made on the spot. Each case is
(upload name, how to make it, the error text expected, or None when it must be accepted)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from nemo_widgets.synth import make_clip, make_image, make_tone


def encode(
    path: Path,
    frames: Iterable[tuple[np.ndarray | av.VideoFrame, int]],
    *,
    codec: str = "libx264",
    rate: int = 25,
    size: tuple[int, int] = (320, 240),
    time_base: Fraction | None = None,
    options: dict[str, str] | None = None,
    fmt: str | None = None,
    container_options: dict[str, str] | None = None,
) -> Path:
    """Encode (picture, pts) pairs as given — timestamps, gaps and all — into ``path``."""
    with av.open(str(path), "w", format=fmt, options=container_options or {}) as c:
        s = c.add_stream(codec, rate=rate, options=options or {})
        s.width, s.height, s.pix_fmt = *size, "yuv420p"
        if time_base is not None:
            s.codec_context.time_base = time_base
        for img, pts in frames:
            f = img if isinstance(img, av.VideoFrame) else av.VideoFrame.from_ndarray(img, "rgb24")
            f.pts = pts
            if time_base is not None:
                f.time_base = time_base
            for p in s.encode(f):
                c.mux(p)
        for p in s.encode(None):
            c.mux(p)
    return path


def bar(x: int) -> np.ndarray:
    """A 320x240 picture, bright from column ``x`` on."""
    img = np.zeros((240, 320, 3), np.uint8)
    img[:, x:] = 220
    return img


FAST = {"preset": "ultrafast"}


def mpeg2(path: Path) -> Path:
    grey = np.full((240, 320, 3), 90, np.uint8)
    return encode(path, ((grey, i) for i in range(10)), codec="mpeg2video", fmt="mpeg")


def huge(path: Path) -> Path:
    """One frame of 8192x4352 — past 8K — so the header alone says it is too big."""
    frame = av.VideoFrame(8192, 4352, "yuv420p")
    return encode(
        path, [(frame, 0)], rate=1, size=(8192, 4352), time_base=Fraction(1, 1), options=FAST
    )


def vfr(path: Path, codec: str = "libx264", n: int = 40, step: int = 8, **options: str) -> Path:
    """Variable frame rate: frame durations of 20, 40 and 60 ms in turn."""
    starts = itertools.accumulate((0, *((20, 40, 60)[i % 3] for i in range(n - 1))))
    frames = ((bar((i * step) % 320), t) for i, t in enumerate(starts))
    return encode(
        path, frames, codec=codec, rate=50, time_base=Fraction(1, 1000), options=FAST | options
    )


def _hevcvfr(path: Path) -> Path:
    """HEVC (a phone's default) with frame durations of 20, 40 and 60 ms in turn."""
    return vfr(path, "libx265", n=30, step=10, **{"x265-params": "log-level=none"})


REWOUND_FRAMES = 50


def rewound(path: Path) -> Path:
    """A Matroska file whose timestamps jump back 0.88 s at its third cluster (what joining
    two recordings without re-muxing gives): frame i shows a bar starting at x = 6 i, so the
    order of frames in the output can be read back from the pixels."""
    plain = encode(
        path.with_suffix(".plain.mkv"),
        ((bar(i * 6), i) for i in range(REWOUND_FRAMES)),
        options=FAST | {"bf": "0"},
        fmt="matroska",
        container_options={"cluster_time_limit": "400", "write_crc32": "0"},
    )
    data = bytearray(plain.read_bytes())
    clusters = []
    at = data.find(b"\x1f\x43\xb6\x75")
    while at >= 0:
        clusters.append(at)
        at = data.find(b"\x1f\x43\xb6\x75", at + 1)
    assert len(clusters) >= 3
    p = clusters[2] + 4
    p += 1 + [bool(data[p] & (0x80 >> k)) for k in range(8)].index(True)  # the size's length
    assert data[p] == 0xE7  # the cluster's Timecode element
    n = data[p + 1] & 0x7F
    data[p + 2 : p + 2 + n] = bytes(n)  # back to 0 ms
    path.write_bytes(bytes(data))
    return path


def long_header(path: Path, seconds: int) -> Path:
    """Two frames, the second ``seconds`` after the first: the header says it lasts that long."""
    frames = [
        (np.full((240, 320, 3), 60 + 100 * i, np.uint8), t)
        for i, t in enumerate((0, seconds * 1000))
    ]
    return encode(path, frames, time_base=Fraction(1, 1000), options=FAST)


def write_bytes(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


CASES: list[tuple[str, Callable[[Path], Path], str | None]] = [
    # (upload name, how to make it, expected error text or None for success)
    ("empty.mp4", lambda d: write_bytes(d / "e", b""), "empty"),
    ("notes.mp4", lambda d: write_bytes(d / "n", b"just text\n" * 50), "text file"),
    (
        "cut.mp4",
        lambda d: write_bytes(d / "c", make_clip(d / "cc.mp4").read_bytes()[:5000]),
        "incomplete or damaged",
    ),
    ("old.mpg", lambda d: mpeg2(d / "old.mpg"), "supported formats"),
    ("huge.mp4", lambda d: huge(d / "huge.mp4"), "larger than 8K"),
    ("phone ✓ 视频.mov", lambda d: make_clip(d / "u.mp4", rotation=90), None),
    ("../../../etc/passwd.mp4", lambda d: make_clip(d / "t.mp4"), None),
    ("odd.mp4", lambda d: make_clip(d / "o.mp4", width=321, height=181, pix_fmt="yuv444p"), None),
    ("ten.mp4", lambda d: make_clip(d / "x.mp4", pix_fmt="yuv420p10le"), None),
    ("vfr.mp4", lambda d: vfr(d / "vfr.mp4"), None),
    ("hevc vfr.mp4", lambda d: _hevcvfr(d / "hevc.mp4"), None),
    ("joined.mkv", lambda d: rewound(d / "joined.mkv"), None),
    ("hour.mp4", lambda d: long_header(d / "hour.mp4", 3600), None),
    ("five hours.mp4", lambda d: long_header(d / "5h.mp4", 5 * 3600), "more than the 4 h limit"),
    ("voice.wav", lambda d: make_tone(d / "v.wav"), None),
    ("photo.png", lambda d: make_image(d / "p.png"), None),
]
