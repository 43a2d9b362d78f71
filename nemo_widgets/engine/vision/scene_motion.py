"""How things move against the scene, not the frame: in a handheld or panning shot every
thing crosses the picture with the camera. The camera's motion between two keyframes is a
homography (ORB + RANSAC); what still differs after it, and matches nowhere close by, moved on
its own."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

import cv2
import numpy as np

if TYPE_CHECKING:
    from nemo_widgets.engine.vision.remove import Box


def components(
    mask: np.ndarray, min_area: float, max_area: float
) -> list[tuple[int, int, int, int, float]]:
    """Connected parts of ``mask`` within an area range (shares of the frame): their boxes
    (x0, y0, x1, y1) and how much of the box each fills."""
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8))
    total = mask.shape[0] * mask.shape[1]
    out = []
    for c in range(1, n):
        x, y, bw, bh, a = (int(v) for v in stats[c])
        if min_area * total <= a <= max_area * total and bw * bh <= 0.5 * total:
            out.append((x, y, x + bw, y + bh, a / max(1, bw * bh)))
    return out


def moving_boxes(prev: np.ndarray, cur: np.ndarray) -> tuple[list[Box], np.ndarray]:
    """Regions of ``cur`` (grey, small) that moved differently from the camera since ``prev``,
    and the camera's homography (``prev`` → ``cur``)."""
    hmat = camera_motion(prev, cur)
    h, w = cur.shape
    warped = cv2.warpPerspective(prev, hmat, (w, h), borderMode=cv2.BORDER_REPLICATE)
    valid = cv2.warpPerspective(np.ones_like(prev), hmat, (w, h)) > 0
    diff = cv2.absdiff(cv2.GaussianBlur(warped, (5, 5), 0), cv2.GaussianBlur(cur, (5, 5), 0))
    thr = max(25.0, float(np.percentile(diff[valid], 98)) if valid.any() else 25.0)
    moved = ((diff > thr) & valid).astype(np.uint8)
    moved = cv2.morphologyEx(moved, cv2.MORPH_CLOSE, np.ones((7, 7), np.uint8))
    moved = cv2.morphologyEx(moved, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    boxes = [b[:4] for b in components(moved, 0.003, 0.3)]
    return [b for b in boxes if _moved_on_its_own(warped, cur, b)], hmat


def camera_motion(
    prev: np.ndarray,
    cur: np.ndarray,
    masks: tuple[np.ndarray, np.ndarray] | tuple[None, None] = (None, None),
) -> np.ndarray:
    """The camera's homography from ``prev`` to ``cur`` (grey, small; ORB + RANSAC), the
    identity where too little matches. ``masks`` (uint8, non-zero where features may be
    taken): keep a big moving thing's own features out (a walker filling a third of the
    frame otherwise reads as the camera panning)."""
    orb = cv2.ORB_create(800)
    ka, da = orb.detectAndCompute(prev, masks[0])
    kb, db = orb.detectAndCompute(cur, masks[1])
    hmat = np.eye(3)
    if da is not None and db is not None and len(ka) >= 12 and len(kb) >= 12:
        m = cv2.BFMatcher(cv2.NORM_HAMMING, crossCheck=True).match(da, db)
        if len(m) >= 12:
            a = np.float32([ka[x.queryIdx].pt for x in m])
            b = np.float32([kb[x.trainIdx].pt for x in m])
            est, _ = cv2.findHomography(a, b, cv2.RANSAC, 3.0)
            if est is not None:
                hmat = est
    return hmat


def _moved_on_its_own(warped: np.ndarray, cur: np.ndarray, box: tuple, reach: int = 8) -> bool:
    """Whether what is in ``box`` of ``cur`` really moved against the camera-aligned
    ``warped``: its best match nearby lies ≥ 2.5 px away, or nothing nearby matches (it
    changed shape). A still thing with strong edges leaves a residue of a pixel or so where
    the camera's alignment is not exact (a handheld shot): that is not motion."""
    x0, y0, x1, y1 = (int(v) for v in box)
    h, w = cur.shape
    tpl = cur[y0:y1, x0:x1]
    sx0, sy0 = max(0, x0 - reach), max(0, y0 - reach)
    area = warped[sy0 : min(h, y1 + reach), sx0 : min(w, x1 + reach)]
    if (
        tpl.size < 16
        or float(tpl.std()) < 3
        or area.shape[0] < tpl.shape[0]
        or area.shape[1] < tpl.shape[1]
    ):
        return True
    res = cv2.matchTemplate(area, tpl, cv2.TM_SQDIFF_NORMED)
    lo, _, loc, _ = cv2.minMaxLoc(res)
    shift = np.hypot(loc[0] + sx0 - x0, loc[1] + sy0 - y0)
    return bool(shift >= 2.5 or lo > 0.15)


def relative_speed(
    boxes: dict[int, Box], cams: dict[int, tuple[int, np.ndarray]], fps: float
) -> float | None:
    """How fast a thing moves against the scene, per second, in box diagonals: per pair of
    its keyframes, how far its box is from where the camera's motion alone would have taken
    it (the least moved of each pair of edges, as :meth:`Track.speed`). None where the
    camera's path between its keyframes is unknown."""
    ks = sorted(boxes)
    if len(ks) < 2:
        return 0.0
    moves = []
    for k0, k1 in itertools.pairwise(ks):
        hm, k = np.eye(3), k1
        while k > k0:  # chain the camera back from k1 to k0
            step = cams.get(k)
            if step is None:
                return None
            hm, k = hm @ step[1], step[0]
        if k != k0:
            return None
        a, b = boxes[k0], boxes[k1]
        pts = np.float32([[[a[0], a[1]], [a[2], a[3]]]])
        (p0, p1) = cv2.perspectiveTransform(pts, hm)[0]
        dx = min(abs(b[0] - p0[0]), abs(b[2] - p1[0]))
        dy = min(abs(b[1] - p0[1]), abs(b[3] - p1[1]))
        diag = float(np.hypot(a[2] - a[0], a[3] - a[1])) or 1.0
        moves.append(np.hypot(dx, dy) / diag / max(1e-6, (k1 - k0) / fps))
    return float(np.median(moves))
