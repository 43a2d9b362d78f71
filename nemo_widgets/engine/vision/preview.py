"""The mask a drawn box will give, on the boxed frame only, before anything runs.

Removal with a box (:func:`remove.remove_object`) scans the clip, takes the detected track the
box overlaps (IoU > 0.2 near the boxed frame) or else holds the box itself for its shot
(:func:`remove.track_from_box`), then the :class:`masks.Masker` widens it by its margin and
tightens it to the silhouette (U²-Net-p on the crop) for a detected object. Here the same
steps run on one frame: the detector on the boxed frame, the same match, the same Masker —
a fraction of a second instead of a scan of the clip. No credits, nothing stored."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

Box = tuple[float, float, float, float]


@dataclass
class BoxMask:
    mask: np.ndarray  # bool, the frame's size
    frame: int
    time_s: float
    label: str  # the detected object it matched, or "selection" (the box itself)


def box_mask(src: Path, box: Box, time_s: float) -> BoxMask:
    """The removal's mask for ``box`` (normalised 0..1) drawn at ``time_s`` in ``src``."""
    from nemo_widgets.engine.vision.detect import Detector
    from nemo_widgets.engine.vision.masks import Masker
    from nemo_widgets.engine.vision.remove import Scan, Track, track_from_box
    from nemo_widgets.video_io import FrameReader

    x0, y0, x1, y1 = (float(v) for v in box)
    if not (0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1):
        raise ValueError("the box must be [x0, y0, x1, y1] with 0 ≤ x0 < x1 ≤ 1, 0 ≤ y0 < y1 ≤ 1")
    rgb = None
    with FrameReader(src) as r:
        fps = float(r.stream.average_rate or 25)
        want = max(0, round(time_s * fps))
        for f in r:
            rgb, index, t = f.rgb, f.index, f.t
            if f.index >= want:
                break
    if rgb is None:
        raise ValueError("the clip has no frames")
    h, w = rgb.shape[:2]
    tracks = [Track(d.label, {index: d.box}, [d.score]) for d in Detector()(rgb, threshold=0.3)]
    # One frame, one shot: the same match as the run's (its scan sees more frames).
    sc = Scan(tracks, w, h, fps, index + 1, [0], [index])
    track = track_from_box(sc, (x0, y0, x1, y1), index / fps)
    mask = Masker([track], sc)(index, rgb)
    if mask is None:
        mask = np.zeros((h, w), bool)
    return BoxMask(mask, index, float(t), track.label)
