"""Carrying a chosen object through the keyframes where the detector missed it.

A small or unusual object (a toy motorbike on a desk, a car half in shadow) is often detected
on a few keyframes only; the mask then covers it for half a second around those and the rest
of the clip keeps it. Here the object's own look at a keyframe where it was detected is
searched for on the next keyframe (normalised cross-correlation on small grey thumbnails,
within a window around where it should be), and a good match becomes its box there; chained
keyframe to keyframe, forward and back, never across a cut. A parked object in a handheld or
panning shot moves with the camera, a moving one with its own speed: both are followed the
same way, and a match that is not clearly the object (an occluder, the object gone) stops the
chain on that side, so nothing is invented where the object is not.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import cv2
import numpy as np

if TYPE_CHECKING:
    from nemo_widgets.engine.vision.remove import Box, Scan, Track

#: Longest side of the thumbnails the scan keeps per keyframe.
THUMB = 480
#: Normalised cross-correlation a carried box must reach.
MATCH = 0.55


def thumbnail_scale(width: int, height: int) -> float:
    return min(1.0, THUMB / max(width, height))


def grey_thumb(rgb: np.ndarray, scale: float) -> np.ndarray:
    h, w = rgb.shape[:2]
    small = (
        rgb
        if scale >= 1
        else cv2.resize(rgb, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
    )
    return cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)


def _find(prev: np.ndarray, box: Box, nxt: np.ndarray, shift: tuple[float, float], s: float):
    """Where ``box`` of ``prev`` (frame pixels) is in ``nxt``: (box, score) or None."""
    H, W = prev.shape
    x0, y0, x1, y1 = (v * s for v in box)
    x0, y0 = max(0, round(x0)), max(0, round(y0))
    x1, y1 = min(W, round(x1)), min(H, round(y1))
    tw, th = x1 - x0, y1 - y0
    if tw < 6 or th < 6:
        return None
    tpl = prev[y0:y1, x0:x1]
    if float(tpl.std()) < 4:  # a flat patch matches anything
        return None
    # Search a window of the object's size around where it should be.
    px, py = x0 + shift[0] * s, y0 + shift[1] * s
    r = max(tw, th) * 0.6 + 4
    sx0, sy0 = max(0, int(px - r)), max(0, int(py - r))
    sx1, sy1 = min(W, int(px + tw + r)), min(H, int(py + th + r))
    if sx1 - sx0 < tw or sy1 - sy0 < th:
        return None
    res = cv2.matchTemplate(nxt[sy0:sy1, sx0:sx1], tpl, cv2.TM_CCOEFF_NORMED)
    _, score, _, (mx, my) = cv2.minMaxLoc(res)
    if not np.isfinite(score):
        return None
    nx0, ny0 = (sx0 + mx) / s, (sy0 + my) / s
    w, h = box[2] - box[0], box[3] - box[1]
    return (nx0, ny0, nx0 + w, ny0 + h), float(score)


def carry(track: Track, scan: Scan, *, match: float = MATCH) -> int:
    """Add boxes to ``track`` on the keyframes of its shot where it was not detected but its
    look is found where it should be; returns how many were added."""
    thumbs = scan.thumbs
    if not thumbs or not track.boxes:
        return 0
    lo, hi = scan.shot_span(track.first)
    keys = [k for k in scan.keyframes if lo <= k < hi and k in thumbs]
    if not keys:
        return 0
    s = scan.thumb_scale
    added = 0
    for direction in (1, -1):
        order = keys if direction == 1 else keys[::-1]
        known = track.first if direction == -1 else track.last
        start = order.index(known) if known in order else None
        if start is None:
            continue
        prev_k = known
        velocity = (0.0, 0.0)  # px per frame, from the last two boxes on this side
        ks = sorted(track.boxes)
        pair = ks[-2:] if direction == 1 else ks[:2][::-1]
        if len(pair) == 2 and pair[0] != pair[1]:
            a, b = track.boxes[pair[0]], track.boxes[pair[1]]
            dt = pair[1] - pair[0]
            velocity = ((b[0] - a[0]) / dt, (b[1] - a[1]) / dt)
        for k in order[start + 1 :]:
            if k in track.boxes:
                prev_k = k
                continue
            dt = k - prev_k
            shift = (velocity[0] * dt, velocity[1] * dt)
            found = _find(thumbs[prev_k], track.boxes[prev_k], thumbs[k], shift, s)
            if found is None or found[1] < match:
                break
            box, _ = found
            old = track.boxes[prev_k]
            velocity = ((box[0] - old[0]) / dt, (box[1] - old[1]) / dt)
            track.boxes[k] = box
            track.carried.add(k)
            prev_k = k
            added += 1
    return added
