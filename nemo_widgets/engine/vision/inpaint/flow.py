"""Local motion that a homography leaves unexplained (parallax): dense optical flow,
completed inside holes by :func:`push_pull`, and :func:`remap` to move pictures along it."""

from __future__ import annotations

import functools

import cv2
import numpy as np


def push_pull(field: np.ndarray, known: np.ndarray) -> np.ndarray:
    """``field`` (H, W, C) with the values where ``known`` is False replaced by a smooth
    interpolation of the known ones (normalised convolution over a pyramid, no overshoot)."""
    w = known.astype(np.float32)
    f = field.astype(np.float32) * w[..., None]
    levels = [(f, w)]
    while w.min() <= 0 and min(w.shape) > 2:
        f, w = cv2.pyrDown(f), cv2.pyrDown(w)
        levels.append((f.reshape(*w.shape, -1), w))
    f, w = levels[-1]
    est = f / np.maximum(w, 1e-6)[..., None]
    for f, w in reversed(levels[:-1]):
        up = cv2.resize(est, (w.shape[1], w.shape[0]), interpolation=cv2.INTER_LINEAR)
        a = w[..., None]
        est = f / np.maximum(a, 1e-6) * a + up.reshape(f.shape) * (1 - a)
    return np.where(known[..., None], field, est).astype(np.float32)


class LocalFlow:
    """What a homography leaves unexplained — parallax — as dense optical flow: OpenCV DIS on
    grey at up to ``size`` pixels, completed inside the holes from around them, with a
    forward-backward consistency check that finds what one view hides (occlusion)."""

    def __init__(self, size: int = 540) -> None:
        self.size = size
        self.dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)

    def _grey(self, rgb: np.ndarray, scale: float) -> np.ndarray:
        g = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
        if scale < 1:
            g = cv2.resize(
                g,
                (round(g.shape[1] * scale), round(g.shape[0] * scale)),
                interpolation=cv2.INTER_AREA,
            )
        return g

    def __call__(
        self,
        a: np.ndarray,
        b: np.ndarray,
        unknown_a: np.ndarray,
        unknown_b: np.ndarray | None = None,
        check: bool = True,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Flow a → b (full resolution: pixel x of ``a`` shows what b has at x + flow) and where
        it is trustworthy (consistent both ways; True inside ``unknown_a``, where it was
        completed). ``unknown_*`` are pixels whose content is not the scene (holes)."""
        h, w = a.shape[:2]
        scale = min(1.0, self.size / max(h, w))
        ga, gb = self._grey(a, scale), self._grey(b, scale)
        sh = (ga.shape[1], ga.shape[0])

        def small(m: np.ndarray) -> np.ndarray:
            m = cv2.resize(m.astype(np.uint8), sh, interpolation=cv2.INTER_NEAREST)
            return cv2.dilate(m, np.ones((5, 5), np.uint8)) > 0

        ua = small(unknown_a)
        fwd = push_pull(self.dis.calc(ga, gb, None), ~ua)
        ok = np.ones(ua.shape, bool)
        if check:
            ub = small(unknown_b) if unknown_b is not None else np.zeros_like(ua)
            bwd = push_pull(self.dis.calc(gb, ga, None), ~ub)
            back = remap(bwd, fwd, cv2.INTER_LINEAR, cv2.BORDER_CONSTANT)
            err = np.linalg.norm(fwd + back, axis=2)
            ok = (err < 0.75 + 0.05 * np.linalg.norm(fwd, axis=2)) | ua
        if scale < 1:
            fwd = cv2.resize(fwd, (w, h), interpolation=cv2.INTER_LINEAR) / scale
            ok = cv2.resize(ok.astype(np.uint8), (w, h), interpolation=cv2.INTER_NEAREST) > 0
        return fwd, ok


@functools.lru_cache(maxsize=8)
def _grid(h: int, w: int) -> tuple[np.ndarray, np.ndarray]:
    """Pixel coordinates (x, y) of an h×w image, shared: flows of the same region size come
    once per frame."""
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    xs.flags.writeable = ys.flags.writeable = False
    return xs, ys


def remap(
    img: np.ndarray,
    flow: np.ndarray,
    interpolation: int = cv2.INTER_CUBIC,
    border: int = cv2.BORDER_REPLICATE,
) -> np.ndarray:
    """``img`` seen from the view the flow starts in."""
    xs, ys = _grid(*flow.shape[:2])
    return cv2.remap(img, xs + flow[..., 0], ys + flow[..., 1], interpolation, borderMode=border)
