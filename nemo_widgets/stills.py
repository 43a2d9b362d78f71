"""Still frames for notebooks and docs: a frame at a time, and before/after side by side.

Needs the engine extra (PyAV, Pillow).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from nemo_widgets.video_io import FrameReader


def frame(path: str | Path, t: float) -> Image.Image:
    """The frame shown at ``t`` seconds (display orientation: a phone clip comes out upright)."""
    with FrameReader(path, start_s=max(0.0, t - 0.5)) as reader:
        best = reader.at(t)
        if best is None:
            raise ValueError(f"{path} has no frame at {t} s")
        return Image.fromarray(best.rgb)


def before_after(
    before: str | Path,
    after: str | Path,
    t: float,
    *,
    height: int = 270,
    labels: tuple[str, str] = ("before", "after"),
    t_after: float | None = None,
) -> Image.Image:
    """Two frames side by side, labelled: ``before`` at ``t``, ``after`` at ``t_after`` (the
    same moment unless the edit moved it, e.g. after a trim)."""
    imgs = []
    times = (t, t if t_after is None else t_after)
    for path, label, when in zip((before, after), labels, times, strict=True):
        im = frame(path, when)
        im = im.resize((max(1, round(im.width * height / im.height)), height))
        draw = ImageDraw.Draw(im)
        font = ImageFont.load_default(size=max(12, height // 14))
        draw.text((8, 6), label, fill="white", font=font, stroke_width=2, stroke_fill="black")
        imgs.append(np.asarray(im.convert("RGB")))
    gap = np.full((height, 6, 3), 255, np.uint8)
    return Image.fromarray(np.hstack([imgs[0], gap, imgs[1]]))
