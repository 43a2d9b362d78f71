"""Object removal: from "remove the car parked in the background" to a clean clip.

1. find: NanoDet on keyframes (about two a second; a class the user named is looked for
   harder, by its own score and a mirrored look), detections linked into tracks by IoU
   within a shot; or the box the user drew, matched to a track (or held for its shot); the
   chosen object is then carried (:mod:`carry`) through keyframes where it was missed;
2. choose: the label, then the qualifiers — parked/still vs moving, left/right/centre,
   background (small, far) vs foreground, a colour, "all";
3. mask (:mod:`masks`): the box with a margin (more below: shadows, feet), tightened by the
   object's silhouette (person segmentation for people, GrabCut on a small crop as a
   fallback), interpolated between keyframes;
4. fill: :mod:`inpaint` (the rest of the video first, synthesis last).
"""

from __future__ import annotations

import collections
import itertools
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from nemo_widgets.engine.vision.carry import carry, grey_thumb, thumbnail_scale
from nemo_widgets.engine.vision.inpaint import (
    CutDetector,
    FillResult,
    Known,
    inpaint_video,
    thumbnail,
)
from nemo_widgets.engine.vision.inpaint.plate import timed
from nemo_widgets.engine.vision.labels import NEAR_COLOURS, Target
from nemo_widgets.engine.vision.masks import Masker
from nemo_widgets.engine.vision.scene_motion import camera_motion, relative_speed
from nemo_widgets.video_io import CACHE_BYTES, FrameCache, FrameReader

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
    #: Keyframes whose box was carried from a neighbour (:mod:`carry`), not detected.
    carried: set[int] = field(default_factory=set)

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
    #: Small grey keyframes (scaled by ``thumb_scale``) to follow a chosen object with.
    thumbs: dict[int, np.ndarray] = field(default_factory=dict)

    @property
    def thumb_scale(self) -> float:
        return thumbnail_scale(self.width, self.height)

    def scene_speed(self, t: Track) -> float:
        """How fast ``t`` moves against the scene (:meth:`Track.speed` with the camera's own
        motion between its keyframes taken out, measured on the keyframes' thumbnails away
        from the thing itself): a parked motorbike in a handheld shot crosses the frame with
        the camera, and is still parked. :meth:`Track.speed` where the camera's path is not
        known."""
        ks = sorted(t.boxes)
        if not all(k in self.thumbs for k in ks):
            return t.speed(self.fps)
        s = self.thumb_scale
        to_thumb = np.diag([s, s, 1.0])

        def away(k: int) -> np.ndarray:
            m = np.full(self.thumbs[k].shape, 255, np.uint8)
            x0, y0, x1, y1 = (round(v * s) for v in t.boxes[k])
            m[max(0, y0 - 2) : y1 + 2, max(0, x0 - 2) : x1 + 2] = 0
            return m

        cameras = {}
        for a, b in itertools.pairwise(ks):
            hm = camera_motion(self.thumbs[a], self.thumbs[b], (away(a), away(b)))
            cameras[b] = (a, np.linalg.inv(to_thumb) @ hm @ to_thumb)
        rel = relative_speed(t.boxes, cameras, self.fps)
        return t.speed(self.fps) if rel is None else rel

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
    cache: FrameCache | None = None,
) -> Scan:
    """Detect on keyframes and link detections into tracks (never across a cut); every
    decoded frame also goes to ``cache`` (kept for the analysis, which then decodes
    nothing)."""
    from nemo_widgets.engine.vision.detect import Detector

    det = Detector()
    frames = 0
    tracks: list[Track] = []
    active: list[Track] = []
    keyframes: list[int] = []
    thumbs: dict[int, np.ndarray] = {}
    # Detection runs on a thread of its own (onnxruntime lets go of the GIL), a few keyframes
    # behind the decode; its results are linked into tracks in frame order, with the cuts
    # found in between, so the tracks are what a loop doing both in turn would make.
    events: collections.deque = collections.deque()  # ("cut",) or (frame, shot, future)
    pool = ThreadPoolExecutor(1, thread_name_prefix="nemo-detect")

    def look(f: Any, w: int, h: int) -> tuple[np.ndarray, np.ndarray, list]:
        rgb = f.rgb
        return (
            grey_thumb(rgb, thumbnail_scale(w, h)),
            cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV),
            _detect(det, rgb, labels),
        )

    def link(i: int, shot: int, hsv: np.ndarray, dets: list) -> None:
        nonlocal active
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

    def settle(ahead: int) -> None:
        """Link what was detected, in order, until at most ``ahead`` keyframes wait."""
        nonlocal active
        while events and (len(events) > ahead or events[0][0] == "cut"):
            ev = events.popleft()
            if ev[0] == "cut":
                active = []
                continue
            i, shot_i, fut = ev
            thumbs[i], hsv, dets = fut.result()
            link(i, shot_i, hsv, dets)

    try:
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
            kept = cache is not None
            for f in c:
                i = f.index
                w, h = f.size
                frames = i + 1
                if cache is not None and kept:
                    if i == 0 and total:  # a clip too long to keep is decoded again instead
                        cache.expect(total, w * h * 3)
                    cache.add(f)
                    kept = cache.whole
                # A clip too long to keep: only its keyframes are converted whole, and the
                # cut detector's thumbnails are scaled while converting.
                small = thumbnail(f.rgb) if kept else _thumb(f, w, h)
                if is_cut(small):
                    cuts.append(i)
                    shot += 1
                    events.append(("cut",))
                if i % step:
                    continue
                keyframes.append(i)
                events.append((i, shot, pool.submit(look, f, w, h)))
                settle(ahead=2)
                if total:
                    progress(min(40.0, 40 * i / total))
        settle(ahead=0)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return Scan(_join(tracks, step), w, h, fps, frames, cuts, keyframes, thumbs)


def _thumb(f, w: int, h: int) -> np.ndarray:
    """The cut detector's thumbnail (as :func:`thumbnail` makes it) scaled by swscale while
    converting: no full-size RGB frame (a tenth of the cost at 1080p; within a grey level
    or two of the OpenCV one on average, far under what a cut changes)."""
    return f.scaled(64, max(2, 64 * h // w), "AREA")


def _detect(det, rgb: np.ndarray, labels: set[str] | None) -> list:
    """The keyframe's detections. When the user named the class, it is looked for harder:
    that class's own score counts (not only where it beats every other class) down to 0.2,
    and a keyframe without a sure one is looked at mirrored too — a toy motorbike or a car
    in shadow scores 0.2–0.35 where a clear one scores 0.6."""
    if labels is None:
        return det(rgb, threshold=0.3)
    dets = det(rgb, labels=labels, threshold=0.2)
    if not any(d.score >= 0.3 for d in dets):
        dets = det(rgb, labels=labels, threshold=0.2, mirror=True)
    # A faint box mostly inside a surer one of the same class is a piece of that object
    # (half a walker), not another: left in, it would start a track of its own.
    return [
        d
        for d in dets
        if d.score >= 0.3
        or not any(
            o.score > d.score and o.label == d.label and _inside(d.box, o.box) > 0.5 for o in dets
        )
    ]


def _inside(a: Box, b: Box) -> float:
    """How much of box ``a`` lies inside box ``b``."""
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    area = (a[2] - a[0]) * (a[3] - a[1])
    return ix * iy / area if area > 0 else 0.0


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


def rank(scan: Scan, target: Target) -> list[tuple[float, Track]]:
    """Every track of the label with how well it fits the words, best first.

    The qualifiers (parked/moving, left/right/centre, background/foreground, a colour) rank the
    candidates; they never eliminate one: a colour word can be wrong (a grey car in shade reads
    black, a car behind a fence reads green), and "the parked car" with one car in the shot
    means that car. Detector confidence and how long the track lasts weigh in, so a weak,
    fleeting box (bokeh, a reflection) loses to a steady object."""
    # A named class is looked for down to 0.2 (see _detect), but such faint boxes only
    # extend or confirm an object seen surely once: alone they are not one (a "bus" at
    # 0.2 in a street of cars).
    cands = [
        t
        for t in scan.tracks
        if (target.label is None or t.label == target.label) and max(t.scores, default=1) >= 0.3
    ]
    if not cands:
        return []
    area = {id(t): t.area() / max(1, scan.width * scan.height) for t in cands}
    biggest, smallest = max(area.values()), min(area.values())
    speeds = {id(t): t.speed(scan.fps) for t in cands}
    fastest = max(speeds.values())
    out = []
    for t in cands:
        lo, hi = scan.shot_span(t.first)
        keys = [k for k in scan.keyframes if lo <= k < hi] or [t.first]
        conf = float(np.mean(sorted(t.scores)[-3:]))
        s = conf**2 * (0.3 + len(t.boxes) / len(keys)) * np.sqrt(area[id(t)])
        speed = speeds[id(t)]
        if target.motion == "still":
            s *= float(np.clip(1 - 3 * (speed - 0.15), 0.25, 1))
        elif target.motion == "moving":
            # Against the fastest candidate too: a loose box that jitters on a parked thing
            # (a bicycle behind a fence) reads as a little moving, the rider passing by as
            # much more.
            rel = speed / fastest if fastest > 0 else 0.0
            s *= float(np.clip(0.25 + 5 * speed, 0.25, 1)) * float(np.clip(rel, 0.25, 1))
        if target.side:
            third = scan.width / 3
            lo_x = {"left": 0.0, "centre": third, "right": 2 * third}[target.side]
            s *= 1.0 if lo_x <= t.centre_x() < lo_x + third else 0.3
        if target.colour:
            c = t.colour()
            near = c in NEAR_COLOURS.get(target.colour, ())
            s *= 1.0 if c == target.colour else 0.6 if near else 0.3
        if target.depth == "background":
            s *= (smallest / area[id(t)]) ** 0.5
        elif target.depth == "foreground":
            s *= (area[id(t)] / biggest) ** 0.5
        out.append((float(s), t))
    return sorted(out, key=lambda x: -x[0])


def counted(scan: Scan, target: Target) -> list[Track] | None:
    """ "the second car from the left": the clear objects of the class, counted from that
    side; None when the words count nothing (or count with no side to count from)."""
    if not target.ordinal or target.side not in ("left", "right"):
        return None
    clear = [
        t
        for t in scan.tracks
        if (target.label is None or t.label == target.label)
        and (
            max(t.scores, default=0) >= 0.55 or (len(t.scores) >= 2 and np.median(t.scores) >= 0.42)
        )
    ]
    clear.sort(key=lambda t: t.centre_x(), reverse=target.side == "right")
    return [clear[target.ordinal - 1]] if len(clear) >= target.ordinal else []


def choose(scan: Scan, target: Target) -> list[Track]:
    """The tracks the words point at (the best one, or every plausible one for "all"; the
    n-th from a side when the words count)."""
    if (nth := counted(scan, target)) is not None:
        return nth
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


def rivals(scan: Scan, target: Target) -> list[Track]:
    """The objects that fit words naming only a class ("remove the car", "删掉那个人") about as
    well as the best one: the best first, then up to two more; empty when the choice is clear.

    With two cars in the shot and nothing said of which, removing one is a guess, and a wrong
    removal is worse than a question. A rival must be a clear object itself (seen in two
    keyframes or more, a confident box at least once). A qualifier (a colour, a side, parked or
    moving, in the background) lets the ranking decide unless two still fit it nearly alike;
    "all" never asks."""
    if target.all or counted(scan, target) is not None:
        return []
    ranked = rank(scan, target)
    if len(ranked) < 2:
        return []
    if target.ordinal:
        # "the second car" with no side to count from: second in what order? ask
        return [t for _, t in ranked[:3]]
    qualified = any((target.colour, target.motion, target.depth, target.side))
    near = ranked[0][0] * (0.8 if qualified else 0.4)
    close = [t for s, t in ranked[1:] if s >= near and max(t.scores) >= 0.4 and len(t.boxes) >= 2]
    return [ranked[0][1], *close[:2]] if close else []


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
    still = scan.scene_speed(t) <= 0.15
    how = ("standing" if t.label == "person" else "parked") if still else "moving"
    return f"the {what}, {how} {side} of the frame"


@dataclass
class Removal:
    tracks: list[Track]
    fill: FillResult | None
    scan: Scan
    #: Where the time went: stage → (wall seconds, CPU seconds of the whole process).
    seconds: dict[str, tuple[float, float]] = field(default_factory=dict)
    #: When the words fit several objects equally (see :func:`rivals`): those, and nothing
    #: was removed; the tool asks which one.
    ask: list[Track] = field(default_factory=list)


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
    cache_bytes: int = CACHE_BYTES,
) -> Removal:
    """Find what ``target`` (or ``box``) describes and remove it; ``fill`` is None when
    nothing matched, or when the words fit several objects alike (``ask``): then no file is
    written.

    The source is decoded once: the frames the scan decodes are kept (up to ``cache_bytes``
    of raw RGB, in a file beside ``out``, deleted after) and read back by the analysis and
    the fill. A clip too long to keep is decoded again by each (three passes, each with its
    decoder on a thread of its own, beside the work)."""
    # A drawn box (or a pick) with a name looks for that class under it; a bare box, for any.
    labels = None if target.label is None else {target.label}
    cache = FrameCache(out.parent, cache_bytes)
    seconds: dict[str, tuple[float, float]] = {}
    try:
        with timed(seconds, "scan (decode, cuts, detection)"):
            sc = scan(src, labels, check=check, progress=progress, cache=cache)
            cache.finish()
        if box is None and (several := rivals(sc, target)):
            return Removal([], None, sc, seconds, ask=several)
        tracks = [track_from_box(sc, box, box_time)] if box is not None else choose(sc, target)
        if not tracks:
            return Removal([], None, sc, seconds)
        if box is None:
            for t in tracks:  # through the keyframes where the detector missed it
                carry(t, sc)
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
            cache=cache,
        )
        if dump:
            np.savez_compressed(dump, shape=np.array([sc.height, sc.width]), **used)
        return Removal(tracks, fill, sc, {**seconds, **fill.seconds})
    finally:
        cache.close()
