"""A clip of three unnamed things the engine cannot tell apart by "the toy": a blue square on
the left, a yellow disc in the middle, a red triangle on the right, on a smooth gradient with
a little sensor noise. "remove the toy" gets a question with the three, numbered in that
order (left to right)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from nemo_widgets.synth import write_frames

W, H = 320, 180
SQUARE = (30, 110, 70, 150)  # x0, y0, x1, y1
DISC = (160, 130, 20)  # cx, cy, r
TRIANGLE = ((260, 100), (290, 150), (230, 150))


def three_things(path: Path, frames: int = 30) -> Path:
    rng = np.random.default_rng(3)
    yy, xx = np.mgrid[0:H, 0:W]
    base = np.stack(
        [xx * 60 // (W + 200) + 80, yy * 40 // H + 100, np.full_like(xx, 110)], axis=-1
    ).astype(np.float32)
    out = []
    for _ in range(frames):
        img = np.clip(base + rng.normal(0, 2, (H, W, 3)), 0, 255).astype(np.uint8)
        cv2.fillPoly(img, [np.array(TRIANGLE)], (225, 50, 40))
        x0, y0, x1, y1 = SQUARE
        img[y0:y1, x0:x1] = (40, 70, 200)
        cv2.circle(img, DISC[:2], DISC[2], (230, 220, 40), -1)
        out.append(img)
    return write_frames(path, out, pix_fmt="yuv444p", crf=12)


def shares(img: np.ndarray) -> dict[str, float]:
    """How much of each thing's own colour is left where it was (1: all there, 0: gone)."""
    r, g, b = (img[..., i].astype(int) for i in range(3))
    cx, cy, rad = DISC
    disc = np.zeros((H, W), bool)
    cv2.circle(disc.view(np.uint8), (cx, cy), rad - 3, 1, -1)
    tri = np.zeros((H, W), np.uint8)
    cv2.fillPoly(tri, [np.array(TRIANGLE)], 1)
    tri = cv2.erode(tri, np.ones((5, 5), np.uint8)).astype(bool)
    x0, y0, x1, y1 = SQUARE
    sq = np.zeros((H, W), bool)
    sq[y0 + 3 : y1 - 3, x0 + 3 : x1 - 3] = True
    yellow = (r > 180) & (g > 170) & (b < 110)
    red = (r > 170) & (g < 110) & (b < 100)
    blue = (b > 150) & (r < 100)
    return {
        "square": float(blue[sq].mean()),
        "disc": float(yellow[disc].mean()),
        "triangle": float(red[tri].mean()),
    }
