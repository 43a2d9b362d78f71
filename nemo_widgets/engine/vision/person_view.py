"""The matte's close view of the person: MediaPipe's general (256×256) model run on a square
crop around the people the whole-frame mask found, its mask put back at the guide's
resolution and averaged into the upsampled whole-frame mask.

Why: the whole frame goes through the model squashed into 256×144 (or 256×256), so a
talking head's outline is judged from a few dozen model pixels, in one framing. The crop
(the people's box, a little inside it, widened to a square) shows them larger and framed
differently; its edge errors differ from the whole frame's and average out. It is put back
at the guide's size, not the model's, so the finer view is not thrown away again. Measured on
the benchmark's RVM reference (six real shots, 100 frames each), see ``Matte._close_view``.
"""

from __future__ import annotations

from typing import Protocol

import cv2
import numpy as np

from nemo_widgets.video_io import downscale


class Model(Protocol):
    w: int
    h: int

    def __call__(self, rgb_small: np.ndarray) -> np.ndarray: ...


def square_box(
    mask: np.ndarray, frame_w: int, frame_h: int, margin: float, aspect: float
) -> tuple[int, int, int, int] | None:
    """(x0, y0, x1, y1) in frame pixels: the box of ``mask > 0.5`` (scaled to the frame),
    grown by ``margin`` × its size on each side (negative: cut in), then widened along its
    short side to the model's ``aspect`` (w / h), shifted to lie in the frame and cut by
    it where it is larger. None when the mask holds nobody."""
    sh, sw = mask.shape
    ys, xs = np.nonzero(mask > 0.5)
    if len(ys) < 10:
        return None
    x0, x1 = xs.min() / sw * frame_w, (xs.max() + 1) / sw * frame_w
    y0, y1 = ys.min() / sh * frame_h, (ys.max() + 1) / sh * frame_h
    bw, bh = x1 - x0, y1 - y0
    x0, x1, y0, y1 = x0 - margin * bw, x1 + margin * bw, y0 - margin * bh, y1 + margin * bh
    cw, ch = x1 - x0, y1 - y0
    if cw / ch < aspect:
        d = (ch * aspect - cw) / 2
        x0, x1 = x0 - d, x1 + d
    else:
        d = (cw / aspect - ch) / 2
        y0, y1 = y0 - d, y1 + d

    def fit(a: float, b: float, size: int) -> tuple[int, int]:
        n = b - a
        if n >= size:
            return 0, size
        a = min(max(0.0, a), size - n)
        return round(a), min(size, round(a + n))

    (x0i, x1i), (y0i, y1i) = fit(x0, x1, frame_w), fit(y0, y1, frame_h)
    if x1i - x0i < 2 or y1i - y0i < 2:
        return None
    return x0i, y0i, x1i, y1i


def close_view(
    model: Model,
    src: np.ndarray,
    mask: np.ndarray,
    p: np.ndarray,
    *,
    margin: float,
    weight: float,
    mirror: bool,
) -> np.ndarray:
    """``p`` (the whole-frame mask upsampled to the guide's size) with the model's view of
    the square crop around the people averaged in (``weight``) where the crop covers it.
    ``mask`` is the whole-frame mask at the model's size (it gives the box), ``src`` the
    frame (or its half-size copy: only proportions matter). ``mirror``: the view is also
    seen mirrored and the two averaged.

    The view may move the edge, not invent people: where ``p`` has nobody within about a
    model pixel, it adds at most half of what is there."""
    fh, fw = src.shape[:2]
    box = square_box(mask, fw, fh, margin, model.w / model.h)
    if box is None:
        return p
    x0, y0, x1, y1 = box
    crop = downscale(np.ascontiguousarray(src[y0:y1, x0:x1]), model.w, model.h)
    view = model(crop)
    if mirror:
        view = 0.5 * (view + model(np.ascontiguousarray(crop[:, ::-1]))[:, ::-1])
    gh, gw = p.shape
    # The view's pixels → the guide's pixels (pixel centres aligned).
    kx, ky = (x1 - x0) / fw * gw / model.w, (y1 - y0) / fh * gh / model.h
    m = np.float32([[kx, 0, x0 / fw * gw + 0.5 * kx - 0.5], [0, ky, y0 / fh * gh + 0.5 * ky - 0.5]])
    covered = cv2.warpAffine(np.ones_like(view), m, (gw, gh), flags=cv2.INTER_LINEAR)
    placed = cv2.warpAffine(view, m, (gw, gh), flags=cv2.INTER_LINEAR)
    out = p + weight * covered * (placed - p)
    k = max(3, 2 * round(gw / mask.shape[1]) + 1)
    near = cv2.dilate(p, np.ones((k, k), np.uint8))
    return np.minimum(out, 0.5 * (p + near)).astype(np.float32)
