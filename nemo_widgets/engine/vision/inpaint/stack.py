"""Every frame's region of interest of a static shot whose hole moves (a walker, a passing
car): each frame is filled from the nearest frames in time that saw the spot, so what passes
behind the object is there. A camera that creeps (held by hand, read as still frame to frame)
is followed: the frames are moved onto the middle one first (:func:`drift`)."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import cv2
import numpy as np


@dataclass
class Stack:
    """Every frame's region of interest of a static shot, and for each frame and pixel the
    nearest frame at or before it, and at or after it, where that pixel was clear of the
    hole (−1 / len when none)."""

    start: int
    frames: np.ndarray  # (n, h, w, 3) uint8
    last: np.ndarray  # (n, h, w) int32
    after: np.ndarray
    #: Per frame, its picture against the middle frame's (2×3, middle → frame; None: the
    #: camera held still): frames, last and after are then in the middle frame's view.
    drift: np.ndarray | None = None

    @classmethod
    def of(cls, start: int, frames: list[np.ndarray], valid: list[np.ndarray]) -> Stack:
        """The stack of a shot starting at frame ``start``: each frame's region (``frames``)
        and where it was clear of the hole (``valid``)."""
        shifts = drift(frames, valid)
        if shifts is not None:  # a hand held still drifts: each frame onto the middle one
            for j, d in enumerate(shifts):  # in place: one frame's copy at a time
                frames[j] = moved(frames[j], d)
                valid[j] = moved(valid[j].astype(np.uint8), d, cv2.INTER_NEAREST, 0) > 0
        ok = np.stack(valid)
        idx = np.arange(len(frames), dtype=np.int32)[:, None, None]
        last = np.maximum.accumulate(np.where(ok, idx, -1), axis=0)
        after = np.minimum.accumulate(np.where(ok, idx, len(frames))[::-1], axis=0)[::-1]
        return cls(start, np.stack(frames), last, after, shifts)

    def plate(
        self, i: int, base: np.ndarray, disagree: float = 100.0, agree: float = 15.0
    ) -> np.ndarray:
        """``base`` (the shot's plate) with each pixel that changed replaced by what the
        nearest frames in time saw there, weighted by nearness; pixels never clear, or where
        the nearest frames agree with it, keep ``base``. Where the nearest frame before and
        the one after differ by over ``disagree`` (sum of absolute RGB differences) and one
        of them is within ``agree`` of ``base``, that one alone (street motorbike cell, engine's
        hole: 21.0 → 21.7 dB; exact hole 23.4 → 24.0; door +0.1 to +0.2; shelves ±0.0 on the
        engine's hole, −0.3 on the exact one)."""
        j = i - self.start
        n = len(self.frames)
        a, b = self.last[j], self.after[j]
        has_a, has_b = a >= 0, b < n
        ys, xs = np.indices(a.shape)
        va = self.frames[np.clip(a, 0, n - 1), ys, xs].astype(np.float32)
        vb = self.frames[np.clip(b, 0, n - 1), ys, xs].astype(np.float32)
        wa = np.where(has_a, 1.0 / (1 + j - a), 0.0)[..., None]
        wb = np.where(has_b, 1.0 / (1 + b - j), 0.0)[..., None]
        plate = base.astype(np.float32)
        # Where the frame before and the frame after disagree and one of them agrees with the
        # shot's median, that one alone: the other saw something passing (traffic, or a
        # remnant of the object its mask missed), which a blend would smear in. Where both
        # differ from the median, the background itself changed: the blend.
        ref = plate if self.drift is None else moved(plate, self.drift[j])
        ea = np.abs(va - ref).sum(2, keepdims=True)
        eb = np.abs(vb - ref).sum(2, keepdims=True)
        split = (np.abs(va - vb).sum(2, keepdims=True) > disagree) & (np.minimum(ea, eb) < agree)
        split &= (wa > 0) & (wb > 0)
        wa = np.where(split & (ea > eb), 0.0, wa)
        wb = np.where(split & (eb >= ea), 0.0, wb)
        tot = wa + wb
        near = (va * wa + vb * wb) / np.maximum(tot, 1e-6)
        # Where the nearest frames agree with the shot's median, the median (many samples,
        # less noise); where they differ, something passed there: what they saw.
        if self.drift is not None:  # back into frame i's own view
            d = self.drift[j]
            near = moved(near, d, cv2.INTER_CUBIC, None, into=True)
            tot = moved(tot, d, cv2.INTER_NEAREST, 0, into=True)[..., None]
        same = np.abs(near - plate).sum(2, keepdims=True) < 24
        out = np.where((tot > 0) & ~same, near, plate)
        return np.clip(out + 0.5, 0, 255).astype(np.uint8)


def moved(
    img: np.ndarray,
    warp: np.ndarray,
    interpolation: int = cv2.INTER_CUBIC,
    border: int | None = None,
    *,
    into: bool = False,
) -> np.ndarray:
    """``img`` seen through ``warp`` (2×3, middle frame → this frame, as ECC finds it):
    out(x) = img(warp·x), the frame in the middle frame's view; ``into``: the other way,
    out(warp·x) = img(x). ``border`` None replicates the edge, else fills with that value."""
    mode = cv2.BORDER_REPLICATE if border is None else cv2.BORDER_CONSTANT
    flags = interpolation | (0 if into else cv2.WARP_INVERSE_MAP)
    size = (img.shape[1], img.shape[0])
    return cv2.warpAffine(img, warp, size, flags=flags, borderMode=mode, borderValue=border or 0)


def drift(
    frames: list[np.ndarray],
    valid: list[np.ndarray],
    least: float = 1.0,
    better: float = 0.5,
) -> np.ndarray | None:
    """Where each frame's picture sits against the middle frame's (n 2×3 warps, middle →
    frame, translation only), by ECC on the parts clear of the hole, chained outward from
    the middle; None
    when it never strays ``least`` pixels (a tripod: the stack stays exact), or when moving
    the frames by it does not bring them closer to the middle one by ``better`` grey levels
    (mean absolute difference, over the frames). A camera that creeps a quarter pixel a
    frame reads as still frame to frame, yet ends many pixels off."""
    n = len(frames)
    if n < 3:
        return None
    grey = [cv2.cvtColor(f, cv2.COLOR_RGB2GRAY) for f in frames]
    mid = n // 2
    # Translation only: affine follows the walker and the traffic as much as the camera
    # (on the street cell 2 dB worse).
    motion = cv2.MOTION_TRANSLATION
    drift = np.repeat(np.eye(2, 3, dtype=np.float32)[None], n, axis=0)
    crit = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 30, 1e-4)
    for order in (range(mid + 1, n), range(mid - 1, -1, -1)):
        for j in order:
            warp = drift[j - 1 if j > mid else j + 1].copy()
            mask = (valid[j] & valid[mid]).astype(np.uint8)
            with contextlib.suppress(cv2.error):  # no convergence: the neighbour's estimate
                _, warp = cv2.findTransformECC(grey[mid], grey[j], warp, motion, crit, mask, 5)
            drift[j] = warp
    corners = np.float32([[0, 0, 1], [grey[0].shape[1], grey[0].shape[0], 1]])
    off = np.abs(corners @ drift.transpose(0, 2, 1) - corners[:, :2]).max()
    if off < least:
        return None
    # Kept only when it lines the frames up better than leaving them be (someone moving in
    # the view, a talking head, pulls ECC off a tripod by a pixel or two).
    gain = []
    for j in range(n):
        m = valid[j] & valid[mid]
        if j != mid and m.sum() > 100:
            back = moved(grey[j], drift[j], cv2.INTER_LINEAR)
            gain.append(
                float(np.mean(cv2.absdiff(grey[j], grey[mid])[m]))
                - float(np.mean(cv2.absdiff(back, grey[mid])[m]))
            )
    if not gain or np.mean(gain) < better:
        return None
    return drift
