"""Object removal: from "remove the car parked in the background" to a clean clip.

1. find: NanoDet on keyframes (about two a second), detections linked into tracks by IoU
   within a shot; or the box the user drew, matched to a track (or held for its shot);
2. choose: the label, then the qualifiers — parked/still vs moving, left/right/centre,
   background (small, far) vs foreground, a colour, "all";
3. mask: the box with a margin (more below: shadows, feet), tightened by person segmentation
   for people and by GrabCut on a small crop for other objects, interpolated between
   keyframes;
4. fill: :mod:`inpaint` (the rest of the video first, synthesis last).
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from nemo_widgets.engine.video_io import FrameReader
from nemo_widgets.engine.vision.inpaint import (
    CutDetector,
    FillResult,
    Known,
    inpaint_video,
    thumbnail,
)
from nemo_widgets.engine.vision.labels import Target

Box = tuple[float, float, float, float]

_HUES = {
    "red": (0, 10),
    "orange": (10, 22),
    "yellow": (22, 35),
    "green": (35, 85),
    "blue": (85, 130),
    "purple": (130, 160),
    "pink": (160, 172),
}


@dataclass
class Track:
    label: str
    boxes: dict[int, Box] = field(default_factory=dict)  # keyframe → box (full resolution)
    scores: list[float] = field(default_factory=list)
    colours: list[np.ndarray] = field(default_factory=list)  # mean HSV inside, per keyframe
    shot: int = 0
    #: A parked object's box: the median of its keyframe boxes (set by the Masker), so one
    #: bad detection (merged with a neighbour, cut by a passer-by) does not move its mask.
    fixed: Box | None = None

    @property
    def first(self) -> int:
        return min(self.boxes)

    @property
    def last(self) -> int:
        return max(self.boxes)

    def area(self) -> float:
        return float(np.mean([(b[2] - b[0]) * (b[3] - b[1]) for b in self.boxes.values()]))

    def centre_x(self) -> float:
        return float(np.mean([(b[0] + b[2]) / 2 for b in self.boxes.values()]))

    def speed(self, fps: float) -> float:
        """How fast the object moves, per second, in box diagonals (0 for a parked car). Per
        pair of keyframes the least moved of each pair of box edges counts: a parked car
        half hidden behind a passer-by changes one edge of its box, not both."""
        ks = sorted(self.boxes)
        if len(ks) < 2:
            return 0.0
        moves = []
        for k0, k1 in itertools.pairwise(ks):
            a, b = self.boxes[k0], self.boxes[k1]
            dx = min(abs(b[0] - a[0]), abs(b[2] - a[2]))
            dy = min(abs(b[1] - a[1]), abs(b[3] - a[3]))
            diag = float(np.hypot(a[2] - a[0], a[3] - a[1])) or 1.0
            moves.append(float(np.hypot(dx, dy)) / diag / ((k1 - k0) / fps))
        return float(np.median(moves))

    def colour(self) -> str | None:
        if not self.colours:
            return None
        h, s, v = np.median(np.stack(self.colours), axis=0)
        if v < 60:
            return "black"
        if s < 40:
            return "white" if v > 170 else "grey"
        for name, (lo, hi) in _HUES.items():
            if lo <= h < hi:
                return name
        return "red"

    def box_at(self, i: int, hold: int) -> Box | None:
        """Interpolated between keyframes; held for ``hold`` frames past the ends."""
        ks = sorted(self.boxes)
        if i < ks[0] - hold or i > ks[-1] + hold:
            return None
        if self.fixed is not None:
            return self.fixed
        if len(ks) >= 2 and (i < ks[0] or i > ks[-1]):
            # Past the ends a moving object keeps moving (a walker does not wait for the
            # next keyframe); a parked one stays where it was.
            a, b = (ks[0], ks[1]) if i < ks[0] else (ks[-2], ks[-1])
            t = (i - a) / (b - a)
            pa, pb = self.boxes[a], self.boxes[b]
            moved = min(abs(pb[0] - pa[0]), abs(pb[2] - pa[2])) > 0.02 * (pa[2] - pa[0])
            if moved:
                return tuple(float(p + t * (q - p)) for p, q in zip(pa, pb, strict=True))  # type: ignore[return-value]
        if i <= ks[0]:
            return self.boxes[ks[0]]
        if i >= ks[-1]:
            return self.boxes[ks[-1]]
        j = int(np.searchsorted(ks, i))
        a, b = ks[j - 1], ks[j]
        t = (i - a) / (b - a)
        return tuple(
            float((1 - t) * p + t * q) for p, q in zip(self.boxes[a], self.boxes[b], strict=True)
        )  # type: ignore[return-value]


def iou(a: Box, b: Box) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def _fit(t: Track, i: int, box: Box) -> float:
    """How well a detection at frame ``i`` continues track ``t``: the IoU with where the track
    should be now (its last box moved on by its last velocity), or, for something walking or
    driving that moved more than its own width between keyframes, a score from the distance
    of the centres in box diagonals, when the size is about the same."""
    ks = sorted(t.boxes)
    last = t.boxes[ks[-1]]
    pred = last
    if len(ks) >= 2:
        a, k0 = t.boxes[ks[-2]], ks[-2]
        f = (i - ks[-1]) / max(1, ks[-1] - k0)
        pred = tuple(q + (q - p) * f for p, q in zip(a, last, strict=True))  # type: ignore[assignment]
    o = max(iou(last, box), iou(pred, box))
    area = (box[2] - box[0]) * (box[3] - box[1])
    la = (last[2] - last[0]) * (last[3] - last[1])
    if not 0.5 < area / max(la, 1e-6) < 2:
        return o
    diag = float(np.hypot(last[2] - last[0], last[3] - last[1])) or 1.0
    dist = min(
        float(np.hypot((b[0] + b[2] - box[0] - box[2]) / 2, (b[1] + b[3] - box[1] - box[3]) / 2))
        for b in (last, pred)
    )
    return max(o, 0.6 * (1 - dist / diag))


@dataclass
class Scan:
    """What one pass over the clip found."""

    tracks: list[Track]
    width: int
    height: int
    fps: float
    frames: int
    cuts: list[int]
    keyframes: list[int]

    def shot_span(self, frame: int) -> tuple[int, int]:
        """First frame and one past the last of the shot ``frame`` is in."""
        start = max((c for c in self.cuts if c <= frame), default=0)
        end = min((c for c in self.cuts if c > frame), default=self.frames)
        return start, end


def scan(
    src: Path,
    labels: set[str] | None,
    *,
    every_s: float = 0.5,
    check: Callable[[], None] = lambda: None,
    progress: Callable[[float], None] = lambda p: None,
) -> Scan:
    """Detect on keyframes and link detections into tracks (never across a cut)."""
    from nemo_widgets.engine.vision.detect import Detector

    det = Detector()
    frames = 0
    tracks: list[Track] = []
    active: list[Track] = []
    keyframes: list[int] = []
    with FrameReader(src, check=check, check_every=16) as c:
        fps = float(c.stream.average_rate or 25)
        total = (c.stream.frames or int(c.duration * fps)) if c.duration else 0
        if total and total < 4 * fps:  # a short clip: more looks, still cheap
            every_s = min(every_s, 0.25)
        step = max(1, round(fps * every_s))
        w = h = 0
        shot = 0
        is_cut = CutDetector()
        cuts = [0]
        for f in c:
            i, rgb = f.index, f.rgb
            h, w = rgb.shape[:2]
            frames = i + 1
            if is_cut(thumbnail(rgb)):
                cuts.append(i)
                shot += 1
                active = []
            if i % step:
                continue
            keyframes.append(i)
            hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)
            dets = det(rgb, labels=labels, threshold=0.3)
            used: set[int] = set()
            for d in dets:
                best, best_fit = None, 0.25
                for t in active:
                    if t.label != d.label or id(t) in used:
                        continue
                    o = _fit(t, i, d.box)
                    if o > best_fit:
                        best, best_fit = t, o
                if best is None:
                    best = Track(d.label, shot=shot)
                    tracks.append(best)
                    active.append(best)
                used.add(id(best))
                best.boxes[i] = d.box
                best.scores.append(d.score)
                x0, y0, x1, y1 = (int(v) for v in d.box)
                cx0, cy0 = x0 + (x1 - x0) // 4, y0 + (y1 - y0) // 4
                inner = hsv[
                    cy0 : max(cy0 + 1, y1 - (y1 - y0) // 4), cx0 : max(cx0 + 1, x1 - (x1 - x0) // 4)
                ]
                if inner.size:
                    best.colours.append(np.median(inner.reshape(-1, 3), axis=0).astype(np.float32))
            # Tracks not seen for two keyframes stop (a car that left does not come back).
            active = [t for t in active if i - t.last <= 2 * step]
            if total:
                progress(min(40.0, 40 * i / total))
    return Scan(_join(tracks, step), w, h, fps, frames, cuts, keyframes)


def _join(tracks: list[Track], step: int, gap: int = 4) -> list[Track]:
    """Tracks of one object broken by keyframes where the detector missed it (a motorbike
    behind a railing, a walker half hidden) joined again: same label and shot, the later one
    starting within ``gap`` keyframes of the earlier one's end, where the earlier one was
    heading."""
    out: list[Track] = []
    for t in sorted(tracks, key=lambda t: t.first):
        best, best_fit = None, 0.25
        for o in out:
            if o.label != t.label or o.shot != t.shot or not 0 < t.first - o.last <= gap * step:
                continue
            fit = _fit(o, t.first, t.boxes[t.first])
            if fit > best_fit:
                best, best_fit = o, fit
        if best is None:
            out.append(t)
            continue
        best.boxes.update(t.boxes)
        best.scores += t.scores
        best.colours += t.colours
    return out


#: Colours that people use for the same paint: a "grey" car may read as silver, white or
#: black in the shade; the qualifier then ranks lower, never excludes.
_NEAR = {
    "grey": {"white", "black"},
    "white": {"grey"},
    "black": {"grey"},
    "red": {"orange", "pink", "purple"},
    "orange": {"red", "yellow", "brown"},
    "yellow": {"orange"},
    "brown": {"orange", "red", "black"},
    "pink": {"red", "purple"},
    "purple": {"blue", "pink"},
    "blue": {"purple", "green"},
    "green": {"blue", "yellow"},
}


def rank(scan: Scan, target: Target) -> list[tuple[float, Track]]:
    """Every track of the label with how well it fits the words, best first.

    The qualifiers (parked/moving, left/right/centre, background/foreground, a colour) rank the
    candidates; they never eliminate one: a colour word can be wrong (a grey car in shade reads
    black, a car behind a fence reads green), and "the parked car" with one car in the shot
    means that car. Detector confidence and how long the track lasts weigh in, so a weak,
    fleeting box (bokeh, a reflection) loses to a steady object."""
    cands = [t for t in scan.tracks if target.label is None or t.label == target.label]
    if not cands:
        return []
    area = {id(t): t.area() / max(1, scan.width * scan.height) for t in cands}
    biggest, smallest = max(area.values()), min(area.values())
    out = []
    for t in cands:
        lo, hi = scan.shot_span(t.first)
        keys = [k for k in scan.keyframes if lo <= k < hi] or [t.first]
        conf = float(np.mean(sorted(t.scores)[-3:]))
        s = conf**2 * (0.3 + len(t.boxes) / len(keys)) * np.sqrt(area[id(t)])
        speed = t.speed(scan.fps)
        if target.motion == "still":
            s *= float(np.clip(1 - 3 * (speed - 0.15), 0.25, 1))
        elif target.motion == "moving":
            s *= float(np.clip(0.25 + 5 * speed, 0.25, 1))
        if target.side:
            third = scan.width / 3
            lo_x = {"left": 0.0, "centre": third, "right": 2 * third}[target.side]
            s *= 1.0 if lo_x <= t.centre_x() < lo_x + third else 0.3
        if target.colour:
            c = t.colour()
            s *= 1.0 if c == target.colour else 0.6 if c in _NEAR.get(target.colour, ()) else 0.3
        if target.depth == "background":
            s *= (smallest / area[id(t)]) ** 0.5
        elif target.depth == "foreground":
            s *= (area[id(t)] / biggest) ** 0.5
        out.append((float(s), t))
    return sorted(out, key=lambda x: -x[0])


def choose(scan: Scan, target: Target) -> list[Track]:
    """The tracks the words point at (the best one, or every plausible one for "all")."""
    ranked = rank(scan, target)
    if not ranked:
        return []
    if target.all:
        top = ranked[0][0]
        return [
            t
            for s, t in ranked
            if s >= 0.1 * top
            and (max(t.scores) >= 0.55 or (len(t.scores) >= 2 and np.median(t.scores) >= 0.42))
        ]
    return [ranked[0][1]]


def track_from_box(scan: Scan, box: Box, time_s: float) -> Track:
    """The track under a box the user drew at ``time_s`` (normalised 0..1 coordinates)."""
    x0, y0, x1, y1 = box
    px = (x0 * scan.width, y0 * scan.height, x1 * scan.width, y1 * scan.height)
    frame = round(time_s * scan.fps)
    best, best_iou = None, 0.2
    for t in scan.tracks:
        k = min(t.boxes, key=lambda k: abs(k - frame))
        if abs(k - frame) <= scan.fps and iou(t.boxes[k], px) > best_iou:
            best, best_iou = t, iou(t.boxes[k], px)
    if best is not None:
        return best
    # Not a detected object: hold the box for its whole shot.
    start, end = scan.shot_span(frame)
    t = Track("selection", {start: px, max(start, end - 1): px}, [1.0])
    return t


class Masker:
    """Per-frame masks for the chosen tracks."""

    def __init__(
        self,
        tracks: list[Track],
        scan: Scan,
        *,
        margin: float = 0.12,
        start_s: float = 0.0,
        end_s: float | None = None,
    ) -> None:
        self.tracks, self.scan, self.margin = tracks, scan, margin
        self.start = int(start_s * scan.fps)
        self.end = int(end_s * scan.fps) if end_s is not None else scan.frames
        self.hold = max(1, round(scan.fps * 0.5))
        #: Per track, the frames its mask covers beyond its keyframes.
        self.spans: dict[int, tuple[int, int]] = {}
        for t in tracks:
            lo, hi = scan.shot_span(t.first)
            self.spans[id(t)] = (t.first - self.hold, t.last + self.hold)
            if len(t.boxes) >= 3 and t.speed(scan.fps) <= 0.15:
                t.fixed = tuple(np.median(np.array(list(t.boxes.values())), axis=0).tolist())  # type: ignore[assignment]
                # Parked for most of its shot: parked for all of it (the detector loses a car
                # behind a fence or a passer-by now and then; a car that drove off would
                # have been seen moving).
                keys = [k for k in scan.keyframes if lo <= k < hi]
                if keys and len(t.boxes) >= 0.5 * len(keys):
                    self.spans[id(t)] = (lo, hi - 1)
        self._shape_cache: dict[tuple[int, int], np.ndarray] = {}
        self._segmenter: Any = None

    def _expand(self, b: Box) -> tuple[int, int, int, int]:
        w, h = b[2] - b[0], b[3] - b[1]
        m = self.margin
        return (
            max(0, int(b[0] - m * w)),
            max(0, int(b[1] - m * h)),
            min(self.scan.width, int(np.ceil(b[2] + m * w))),
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
        out = None
        for t, b, box in self._boxes(i):
            # A parked object keeps its shape: a few looks at it do (first, middle, last).
            looks = sorted(t.boxes)
            if t.speed(self.scan.fps) <= 0.15 and len(looks) > 3:
                looks = [looks[0], looks[len(looks) // 2], looks[-1]]
            key = (id(t), min(looks, key=lambda k: abs(k - i)))
            if key not in self._shape_cache:  # the shape is made on the nearest keyframe
                self._shape_cache[key] = self._shape(rgb, t, box, b)
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


def describe(t: Track, scan: Scan) -> str:
    """The object as the reply names it: "the grey car, parked on the right of the frame"."""
    third = scan.width / 3
    cx = t.centre_x()
    side = "on the left" if cx < third else "on the right" if cx >= 2 * third else "in the middle"
    label = t.label.replace("_", " ")
    colour = t.colour() if t.label not in ("selection", "person") else None
    if t.label == "person" and t.colour():
        label = f"person in {t.colour()}"
    what = " ".join(x for x in (colour, label) if x)
    still = t.speed(scan.fps) <= 0.15
    how = ("standing" if t.label == "person" else "parked") if still else "moving"
    return f"the {what}, {how} {side} of the frame"


@dataclass
class Removal:
    tracks: list[Track]
    fill: FillResult | None
    scan: Scan


def remove_object(
    src: Path,
    out: Path,
    target: Target,
    *,
    box: Box | None = None,
    box_time: float = 0.0,
    start_s: float = 0.0,
    end_s: float | None = None,
    quality: str = "high",
    check: Callable[[], None] = lambda: None,
    progress: Callable[[float], None] = lambda p: None,
) -> Removal:
    """Find what ``target`` (or ``box``) describes and remove it; ``fill`` is None when
    nothing matched (and no file is written)."""
    labels = None if box is not None or target.label is None else {target.label}
    sc = scan(src, labels, check=check, progress=progress)
    tracks = [track_from_box(sc, box, box_time)] if box is not None else choose(sc, target)
    if not tracks:
        return Removal([], None, sc)
    masker = Masker(tracks, sc, start_s=start_s, end_s=end_s)
    used: dict[str, np.ndarray] = {}

    def masks(i: int, rgb: np.ndarray) -> np.ndarray | None:
        m = masker(i, rgb)
        if m is not None and dump:
            used[str(i)] = np.packbits(m)
        return m

    # For measurement: the masks really used, saved where NEMO_REMOVE_MASKS points (.npz).
    dump = os.environ.get("NEMO_REMOVE_MASKS")
    fill = inpaint_video(
        src,
        out,
        masks,
        quality=quality,
        check=check,
        progress=lambda p: progress(40 + 0.6 * p),
        # The scan knows the shots and the masker where its masks can be: one analysis pass.
        known=Known(sc.cuts, sc.frames, masker.bound),
    )
    if dump:
        np.savez_compressed(dump, shape=np.array([sc.height, sc.width]), **used)
    return Removal(tracks, fill, sc)
