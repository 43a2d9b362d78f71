"""The fill: each frame with its shot's plate, in its own view, inside its hole.

The plate (:mod:`.plate`) is warped into the frame by the shot's homography (and, with
parallax, moved by local flow and blended with the previous filled frame, so the fill does
not flicker), gain-matched to the frame's exposure around the hole and feathered in. Frames
come through :class:`~nemo_widgets.video_io.FrameReader` and go out through
:class:`~nemo_widgets.video_io.VideoWriter` with the source's audio packets and
timestamps.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np

from nemo_widgets.engine.vision.inpaint.flow import LocalFlow, remap
from nemo_widgets.engine.vision.inpaint.motion import Hole, MaskFn, shift
from nemo_widgets.engine.vision.inpaint.plate import (
    Analysis,
    FillResult,
    Known,
    analyse,
    feather_for,
    timed,
)
from nemo_widgets.video_io import (
    ForwardClock,
    FrameCache,
    FrameReader,
    OrderedWorker,
    Prefetch,
    VideoWriter,
)


def filled_frames(
    src: Path | Iterable[Any], an: Analysis
) -> Iterator[tuple[int, av.VideoFrame, np.ndarray]]:
    """Pass 3: each frame (index, the decoded or cached frame itself, filled RGB) with the
    plate, in its own view, inside its hole (``src``: a path, or the frames of a reader
    already open at the first frame, or of a :class:`FrameCache`)."""
    if isinstance(src, str | Path):
        with FrameReader(src) as frames:
            yield from filled_frames(frames, an)
        return
    flow = LocalFlow() if an.parallax else None
    carried: Carried | None = None  # what the previous frame passes on (parallax shots only)
    memo: dict = {}  # the last hole's mask, ring and alpha (a parked object's repeat)
    for f in src:
        i, rgb = f.index, f.rgb
        k = an.shot_of.get(i)
        passed = None
        if i in an.holes and k in an.plates:
            to_ref = an.shots[k].to_ref
            local = flow if k in an.parallax else None
            prior = None
            if local is not None and carried is not None and an.shot_of.get(i - 1) == k:
                prior = (carried, np.linalg.inv(to_ref[i]) @ to_ref[i - 1])
            plate = an.plates[k]
            if k in an.stacks:
                plate = (an.stacks[k].plate(i, plate[0]), *plate[1:])
            rgb, passed = _composite(
                rgb,
                an.holes[i],
                plate,
                to_ref[i],
                local,
                prior,
                memo=memo,
                robust=k in an.stacks,
                inplace=True,  # the frame's own picture, used for nothing else
            )
        carried = passed
        yield i, f, rgb


def inpaint_video(
    src: Path,
    out: Path,
    masks: MaskFn,
    *,
    quality: str = "high",
    max_samples: int = 40,
    progress: Callable[[float], None] = lambda p: None,
    check: Callable[[], None] = lambda: None,
    known: Known | None = None,
    cache: FrameCache | None = None,
) -> FillResult:
    """Remove what ``masks(i, rgb)`` marks (True = remove) from every frame of ``src``; the
    original audio is copied and every frame keeps its timestamp. ``known``: what a scan
    already found (shots, where the holes are): the analysis then decodes once (see
    :class:`~nemo_widgets.engine.vision.inpaint.plate.Known`), and the source is decoded
    twice in all; with ``cache`` (the frames a scan decoded, kept whole) the analysis and
    the fill read those instead, and the source is not decoded here at all."""
    seconds: dict[str, tuple[float, float]] = {}
    with timed(seconds, "analysis (masks, motion, plates)"):
        an = analyse(
            src,
            masks,
            check=check,
            progress=progress,
            max_samples=max_samples,
            known=known,
            cache=cache,
        )
    with timed(seconds, "fill and encode"):
        filled = _fill(src, out, an, quality, progress, check, cache)
    return FillResult(
        an.frames,
        len(an.shots),
        sum(s.static for s in an.shots),
        filled,
        an.never_seen,
        len(an.parallax),
        round(an.invented_share, 3),
        seconds,
    )


def _fill(
    src: Path,
    out: Path,
    an: Analysis,
    quality: str,
    progress: Callable[[float], None],
    check: Callable[[], None],
    cache: FrameCache | None = None,
) -> int:
    """Pass 3: decode (or read ``cache``, when it holds the whole clip), fill and encode;
    how many frames had a hole."""
    w, h, n = an.width, an.height, an.frames
    filled = 0
    with (
        FrameReader(src, check=check) as inp,
        VideoWriter(
            out,
            w - w % 2,
            h - h % 2,
            inp.rate,
            quality=quality,
            time_base=inp.time_base,
            copy_audio=inp.audio,
        ) as writer,
    ):
        for packet in inp.audio_packets():
            writer.copy(packet)
        clock = ForwardClock(inp.rate, inp.time_base)
        # Decoding (and the conversion to RGB) runs on a thread of its own ahead of the fill,
        # encoding on another behind it: a pipeline, as long as its slowest stage.
        encoder = OrderedWorker()
        try:
            # The frames a scan kept are read back rather than decoded a second time.
            source: Any = (
                contextlib.nullcontext(cache.frames(check))
                if cache is not None and cache.whole
                else Prefetch(inp)
            )
            with source as frames:
                for i, f, rgb in filled_frames(frames, an):
                    filled += i in an.holes
                    picture = rgb[: h - h % 2, : w - w % 2]
                    encoder.submit(functools.partial(writer.write, picture, clock(f.pts)))
                    progress(50 + 49 * (i + 1) / max(1, n))
            encoder.close()
        finally:
            encoder.join()
    return filled


@dataclass
class Carried:
    """The last filled frame of a parallax shot and, per pixel, how many frames ago what it
    shows inside the hole was last seen for real (0 outside the hole)."""

    rgb: np.ndarray
    age: np.ndarray


def _composite(
    rgb: np.ndarray,
    hole: Hole,
    plate_info: tuple,
    to_ref: np.ndarray,
    flow: LocalFlow | None = None,
    prior: tuple[Carried, np.ndarray] | None = None,
    tau: float = 6.0,
    keep: float = 0.5,
    memo: dict | None = None,
    robust: bool = False,
    inplace: bool = False,
) -> tuple[np.ndarray, Carried | None]:
    """The frame with its hole filled from the plate, and (with ``flow``, for parallax) what
    the next frame carries on. With parallax the plate is moved onto the frame by local flow;
    ``prior`` (the previous filled frame and the homography from this frame to it) is carried
    onto this frame the same way and blended in — weight exp(−age/τ), at least ``keep`` — so
    what was seen one frame ago wins over the plate's longer reach, and the fill does not
    flicker as the per-frame flow changes. ``memo``: what the mask alone decides (its ring
    and feathered alpha), kept from the last call for a hole that has not changed.
    ``robust``: the gain is the per-pixel ratio's median on the ring, not the ratio of its
    means — for a moving hole, whose ring the plate shows from other moments (someone
    passing beside it would tilt a mean). ``inplace``: the hole is filled in ``rgb`` itself
    (only the region around it is written), not in a copy of the whole frame."""
    plate, (x0, y0, _x1, _y1), _missing = plate_info
    h, w = rgb.shape[:2]
    feather = feather_for(w, h)
    hb = hole.box
    # With parallax the plate is moved onto this frame by local flow, which needs context
    # around the hole to see how the scene there moves.
    margin = 2 * feather + (max(16, min(w, h) // 8) if flow else 0)
    bx0, by0 = max(0, hb[0] - margin), max(0, hb[1] - margin)
    bx1, by1 = min(w, hb[2] + margin), min(h, hb[3] + margin)
    # Plate (reference ROI coordinates) → this frame's region around the hole.
    frame_from_ref = np.linalg.inv(shift(to_ref, -x0, -y0))
    local = shift(frame_from_ref, -bx0, -by0)
    size = (bx1 - bx0, by1 - by0)
    fill = _warp(plate, local, size)
    region = rgb[by0:by1, bx0:bx1]
    key = (hb, bx0, by0, bx1, by1, feather, hole.crop.tobytes())
    if memo is not None and memo.get("key") == key:
        m, ring, alpha = memo["m"], memo["ring"], memo["alpha"]
    else:
        m = np.zeros((by1 - by0, bx1 - bx0), np.uint8)
        m[hb[1] - by0 : hb[3] - by0, hb[0] - bx0 : hb[2] - bx0] = hole.crop
        ring = (cv2.dilate(m, np.ones((2 * feather + 1,) * 2, np.uint8)) > 0) & (m == 0)
        alpha = cv2.GaussianBlur(
            cv2.dilate(m, np.ones((feather, feather), np.uint8)).astype(np.float32),
            (0, 0),
            feather / 2,
        )
        alpha = np.maximum(alpha, m.astype(np.float32))
        ring = np.flatnonzero(ring)  # as flat indices: gathered faster than by a mask
        if memo is not None:
            memo.update(key=key, m=m, ring=ring, alpha=alpha)
    age = None
    if flow is not None:
        f, _ = flow(region, fill, m > 0, check=False)
        fill = remap(fill, f)
        age = np.zeros(m.shape, np.float32)
        if prior is not None:
            last, from_last = prior
            onto = shift(from_last, -bx0, -by0)
            back = cv2.warpPerspective(
                last.rgb, onto, size, flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE
            )
            last_age = cv2.warpPerspective(
                last.age, onto, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
            )
            f, _ = flow(region, back, m > 0, check=False)
            back, last_age = remap(back, f), remap(last_age, f, cv2.INTER_NEAREST)
            age = np.where(m > 0, last_age + 1, 0).astype(np.float32)
            wt = np.maximum(np.exp(-age / tau), keep)[..., None] * (m > 0)[..., None]
            fill = (back * wt + fill * (1 - wt)).astype(np.uint8)
        else:
            age = np.where(m > 0, 1e3, 0).astype(np.float32)
    # Gain match: the plate's exposure to this frame's, on a ring just outside the hole.
    if ring.size > 20:
        if robust:
            ratio = (_ring_values(region, ring) + 1) / (_ring_values(fill, ring) + 1)
            gain = np.median(ratio, axis=0)
        else:
            gain = (_ring_mean(region, ring) + 1) / (_ring_mean(fill, ring) + 1)
        fill = _scaled(fill, np.clip(gain, 0.8, 1.25))
    blended = cv2.blendLinear(fill, region, alpha, 1 - alpha)
    out = rgb if inplace else rgb.copy()
    out[by0:by1, bx0:bx1] = blended
    if age is None:
        return out, None
    full_age = np.zeros((h, w), np.float32)
    full_age[by0:by1, bx0:bx1] = age
    return out, Carried(out, full_age)


def _warp(plate: np.ndarray, hmat: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """``plate`` warped by ``hmat`` (plate → output) to ``size`` (cubic, border replicated);
    a whole-pixel shift that stays inside the plate — every frame of a static shot — is the
    same pixels cut out, without the warp."""
    t = hmat / hmat[2, 2]
    tx, ty = -t[0, 2], -t[1, 2]
    w, h = size
    if (
        np.allclose(t[:2, :2], np.eye(2), rtol=0, atol=1e-9)
        and np.allclose(t[2, :2], 0, rtol=0, atol=1e-12)
        and abs(tx - round(tx)) < 1e-6
        and abs(ty - round(ty)) < 1e-6
    ):
        x, y = round(tx), round(ty)
        if x >= 0 and y >= 0 and x + w <= plate.shape[1] and y + h <= plate.shape[0]:
            return plate[y : y + h, x : x + w].copy()
    return cv2.warpPerspective(
        plate, hmat, size, flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE
    )


def _scaled(img: np.ndarray, gain: np.ndarray) -> np.ndarray:
    """``img`` (uint8 RGB) times a gain per channel, clipped and cut to uint8 — by a lookup
    table of the same float32 products (the same pixels as multiplying every one)."""
    lut = np.clip(np.arange(256, dtype=np.float32)[:, None] * gain[None, :], 0, 255)
    return cv2.LUT(np.ascontiguousarray(img), lut.astype(np.uint8).reshape(256, 1, 3))


def _ring_values(img: np.ndarray, ring: np.ndarray) -> np.ndarray:
    """The colours (float32, one row per pixel) of ``img`` at the flat pixel indices ``ring``."""
    return np.take(img.reshape(-1, 3), ring, axis=0).astype(np.float32)


def _ring_mean(img: np.ndarray, ring: np.ndarray) -> np.ndarray:
    """The mean colour (float32) of ``img`` at the flat pixel indices ``ring``."""
    return _ring_values(img, ring).mean(0)
