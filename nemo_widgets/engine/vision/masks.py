"""Per-frame masks for the tracks removal chose (step 3 of :mod:`remove`): each track's box,
interpolated between keyframes and held past its ends (never across a cut), with a margin
for shadows and feet, tightened to the object's silhouette — U²-Net-p (plus person
segmentation for people) or GrabCut, made on a few looks at it and reused."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np

if TYPE_CHECKING:
    from nemo_widgets.engine.vision.remove import Box, Scan, Track


class Masker:
    """Per-frame masks for the chosen tracks."""

    def __init__(
        self,
        tracks: list[Track],
        scan: Scan,
        *,
        margin: float = 0.12,
        grow: float = 0.045,
        start_s: float = 0.0,
        end_s: float | None = None,
    ) -> None:
        self.tracks, self.scan, self.margin = tracks, scan, margin
        #: How much a moving object's shape is grown (of its box's longer side).
        self.grow = grow
        self.start = int(start_s * scan.fps)
        self.end = int(end_s * scan.fps) if end_s is not None else scan.frames
        self.hold = max(1, round(scan.fps * 0.5))
        #: Per track, the frames its mask covers beyond its keyframes.
        self.spans: dict[int, tuple[int, int]] = {}
        #: Per track, how fast it moves (its boxes are final here: once, not per frame).
        self._speed = {id(t): t.speed(scan.fps) for t in tracks}
        for t in tracks:
            lo, hi = scan.shot_span(t.first)
            self.spans[id(t)] = (t.first - self.hold, t.last + self.hold)
            if len(t.boxes) >= 3 and self._speed[id(t)] <= 0.15:
                t.fixed = tuple(np.median(np.array(list(t.boxes.values())), axis=0).tolist())  # type: ignore[assignment]
                # Parked for most of its shot: parked for all of it (the detector loses a car
                # behind a fence or a passer-by now and then; a car that drove off would
                # have been seen moving).
                keys = [k for k in scan.keyframes if lo <= k < hi]
                if keys and len(t.boxes) >= 0.5 * len(keys):
                    self.spans[id(t)] = (lo, hi - 1)
        self._shape_cache: dict[tuple[int, int], np.ndarray] = {}
        self._segmenter: Any = None
        #: The last mask made, with what it was made of (see :meth:`__call__`).
        self._last: tuple[tuple, np.ndarray] | None = None

    def _expand(self, b: Box) -> tuple[int, int, int, int]:
        w, h = b[2] - b[0], b[3] - b[1]
        m = self.margin
        # Wider than high: a detector's box often cuts a vehicle's nose or tail off (the
        # silhouette reaches out there only where it was cut, see silhouette._cut_sides).
        mx = 2 * m
        return (
            max(0, int(b[0] - mx * w)),
            max(0, int(b[1] - m * h)),
            min(self.scan.width, int(np.ceil(b[2] + mx * w))),
            min(self.scan.height, int(np.ceil(b[3] + (m + 0.1) * h))),
        )  # shadow / feet

    def _person(self, crop: np.ndarray) -> np.ndarray | None:
        try:
            from nemo_widgets.engine.vision.background import Segmenter

            if self._segmenter is None:
                self._segmenter = Segmenter(landscape=False)
            seg = self._segmenter
            m = seg(cv2.resize(crop, (seg.w, seg.h), interpolation=cv2.INTER_AREA))
            return cv2.resize(m, (crop.shape[1], crop.shape[0])) > 0.5
        except Exception:
            return None

    def _in_front(
        self, rgb: np.ndarray, box: tuple[int, int, int, int], mask: np.ndarray
    ) -> np.ndarray:
        """``mask`` (inside ``box``) less the bars standing in front of the object, seen in a
        wider view (a bar must run on outside the object on both sides)."""
        from nemo_widgets.engine.vision.silhouette import keep_occluders

        x0, y0, x1, y1 = box
        H, W = rgb.shape[:2]
        px, py = (x1 - x0) // 2, (y1 - y0) // 2
        cx0, cy0, cx1, cy1 = max(0, x0 - px), max(0, y0 - py), min(W, x1 + px), min(H, y1 + py)
        wide = np.zeros((cy1 - cy0, cx1 - cx0), bool)
        wide[y0 - cy0 : y1 - cy0, x0 - cx0 : x1 - cx0] = mask
        kept = keep_occluders(rgb[cy0:cy1, cx0:cx1], wide)
        return kept[y0 - cy0 : y1 - cy0, x0 - cx0 : x1 - cx0]

    def _shape(
        self, rgb: np.ndarray, t: Track, box: tuple[int, int, int, int], raw: Box
    ) -> np.ndarray:
        """The object's mask inside ``box`` (``raw``: the detector's box): its silhouette
        (U²-Net-p, plus person segmentation for people) with its shadow; GrabCut or the box
        itself when no silhouette is believable."""
        x0, y0, x1, y1 = box
        crop = rgb[y0:y1, x0:x1]
        if crop.size == 0:
            return np.ones((max(1, y1 - y0), max(1, x1 - x0)), bool)
        if t.label != "selection":
            from nemo_widgets.engine.vision.silhouette import object_mask

            inner = (
                int(raw[0]) - x0,
                int(raw[1]) - y0,
                int(np.ceil(raw[2])) - x0,
                int(np.ceil(raw[3])) - y0,
            )
            person = self._person(crop) if t.label == "person" else None
            sil = object_mask(crop, inner, person=person)
            if sil is not None:
                return self._in_front(rgb, box, sil)
        scale = min(1.0, 160 / max(crop.shape[:2]))
        small = cv2.resize(
            crop,
            (max(8, int(crop.shape[1] * scale)), max(8, int(crop.shape[0] * scale))),
            interpolation=cv2.INTER_AREA,
        )
        sh, sw = small.shape[:2]
        mask = None
        if t.label == "person":
            try:
                from nemo_widgets.engine.vision.background import Segmenter

                if self._segmenter is None:
                    self._segmenter = Segmenter(landscape=False)
                seg = self._segmenter
                m = seg(cv2.resize(small, (seg.w, seg.h), interpolation=cv2.INTER_LINEAR))
                mask = cv2.resize(m, (sw, sh)) > 0.3
            except Exception:  # the box is a safe fallback
                mask = None
        elif t.label != "selection":
            gc = np.zeros((sh, sw), np.uint8)
            rect = (
                max(1, int(sw * 0.06)),
                max(1, int(sh * 0.06)),
                max(2, int(sw * 0.88)),
                max(2, int(sh * 0.85)),
            )
            try:
                bgd, fgd = np.zeros((1, 65)), np.zeros((1, 65))
                cv2.grabCut(
                    cv2.cvtColor(small, cv2.COLOR_RGB2BGR),
                    gc,
                    rect,
                    bgd,
                    fgd,
                    3,
                    cv2.GC_INIT_WITH_RECT,
                )
                mask = (gc == cv2.GC_FGD) | (gc == cv2.GC_PR_FGD)
            except cv2.error:
                mask = None
        if mask is None or not 0.15 < mask.mean() < 0.97:
            return np.ones((y1 - y0, x1 - x0), bool)
        mask = cv2.dilate(mask.astype(np.uint8), np.ones((5, 5), np.uint8), iterations=2)
        return cv2.resize(mask, (x1 - x0, y1 - y0), interpolation=cv2.INTER_NEAREST) > 0

    def _boxes(self, i: int) -> Iterator[tuple[Track, Box, tuple[int, int, int, int]]]:
        """Each track's box at frame ``i``: as detected (interpolated) and with the margin."""
        if not self.start <= i < self.end:
            return
        for t in self.tracks:
            lo, hi = self.scan.shot_span(t.first)
            a, z = self.spans[id(t)]
            # Held past its keyframes, but never across a cut.
            b = t.box_at(i, max(self.hold, t.first - a, z - t.last)) if lo <= i < hi else None
            if b is not None:
                yield t, b, self._expand(b)

    def bound(self, i: int) -> tuple[int, int, int, int] | None:
        """A box that holds frame ``i``'s mask (None: no mask), known before the frame is
        decoded."""
        boxes = [box for _, _, box in self._boxes(i)]
        if not boxes:
            return None
        return (
            min(b[0] for b in boxes),
            min(b[1] for b in boxes),
            max(b[2] for b in boxes),
            max(b[3] for b in boxes),
        )

    def __call__(self, i: int, rgb: np.ndarray) -> np.ndarray | None:
        """Frame ``i``'s mask (None: nothing to remove there). A frame whose mask is made of
        the same shapes in the same boxes as the frame before's (a parked object, frame
        after frame) gets the very same array back, made once: it must not be changed."""
        items = []
        for t, b, box in self._boxes(i):
            # A parked object keeps its shape: a few looks at it do (first, middle, last).
            looks = sorted(t.boxes)
            if self._speed[id(t)] <= 0.15 and len(looks) > 3:
                looks = [looks[0], looks[len(looks) // 2], looks[-1]]
            items.append((t, b, box, (id(t), min(looks, key=lambda k: abs(k - i)))))
        sig = tuple((key, box) for _, _, box, key in items)
        if items and self._last is not None and self._last[0] == sig:
            return self._last[1]
        out = self._draw(items, rgb)
        self._last = (sig, out) if out is not None else None
        return out

    def _draw(self, items: list, rgb: np.ndarray) -> np.ndarray | None:
        out = None
        for t, b, box, key in items:
            speed = self._speed[id(t)]
            if key not in self._shape_cache:  # the shape is made on the nearest keyframe
                shape = self._shape(rgb, t, box, b)
                if speed > 0.3:
                    # Clearly moving (a handheld camera alone moves a parked object's box by
                    # up to about a quarter of its size a second): its shape changes between
                    # looks (a walker's legs, a rider's wheels) and what is behind it is seen
                    # in other frames, so a generous edge costs little and a remnant left
                    # standing shows. Around a parked one every extra pixel is invented.
                    # (4.5 %, not 3 %: between looks the box lags a walker, and a strip of
                    # him was left on the door cell; 2 dB there, 0.4 dB lost on shelves.)
                    r = max(1, round(self.grow * max(shape.shape)))
                    shape = (
                        cv2.dilate(shape.astype(np.uint8), np.ones((2 * r + 1,) * 2, np.uint8)) > 0
                    )
                self._shape_cache[key] = shape
            shape = self._shape_cache[key]
            x0, y0, x1, y1 = box
            if out is None:
                out = np.zeros((self.scan.height, self.scan.width), bool)
            out[y0:y1, x0:x1] |= (
                cv2.resize(
                    shape.astype(np.uint8), (x1 - x0, y1 - y0), interpolation=cv2.INTER_NEAREST
                )
                > 0
            )
        return out
