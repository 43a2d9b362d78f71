"""The background plate: what each shot shows behind its holes.

Pass 1 looks at every frame once: its hole (the mask), the shot it belongs to and the camera's
motion (:mod:`.motion`). Pass 2 takes at most ``max_samples`` frames per shot, warps them
into the shot's reference view and keeps, for every hole pixel, the median of the frames
where that scene point is visible (a moving object reveals what is behind it); what no frame
showed is synthesised (:mod:`.synthesis`). A static shot whose hole moves also keeps every
frame's region of interest (:class:`Stack`), so a frame is filled from the nearest frames in
time that saw the spot.
"""

from __future__ import annotations

import contextlib
import itertools
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from nemo_widgets.engine.vision.inpaint.flow import LocalFlow, remap
from nemo_widgets.engine.vision.inpaint.motion import (
    CutDetector,
    Hole,
    MaskFn,
    MotionTracker,
    Shot,
    shift,
    thumbnail,
)
from nemo_widgets.engine.vision.inpaint.stack import Stack
from nemo_widgets.engine.vision.inpaint.synthesis import synthesise
from nemo_widgets.video_io import FrameCache, FrameReader, Prefetch


@dataclass
class FillResult:
    frames: int
    shots: int
    static_shots: int
    filled_frames: int
    never_seen_pixels: int
    parallax_shots: int = 0
    #: Of the area the holes covered (in each shot's reference view), the share that no frame
    #: ever showed, so it had to be invented.
    invented_share: float = 0.0
    #: Where the time went: stage → (wall seconds, CPU seconds of the whole process).
    seconds: dict[str, tuple[float, float]] = field(default_factory=dict)


@contextlib.contextmanager
def timed(into: dict[str, tuple[float, float]], stage: str) -> Iterator[None]:
    """Add the wall and CPU seconds (every thread of the process) of the block to ``stage``."""
    t0, c0 = time.perf_counter(), time.process_time()
    try:
        yield
    finally:
        w, c = into.get(stage, (0.0, 0.0))
        into[stage] = (w + time.perf_counter() - t0, c + time.process_time() - c0)


@dataclass
class Analysis:
    width: int
    height: int
    frames: int
    holes: dict[int, Hole]
    shots: list[Shot]
    shot_of: dict[int, int]
    plates: dict[int, tuple[np.ndarray, tuple[int, int, int, int], np.ndarray]] = field(
        default_factory=dict
    )
    #: Shots whose camera moves with parallax: local flow on top of the homography.
    parallax: set[int] = field(default_factory=set)
    #: Static shots with a moving hole: every frame's region of interest (see Stack).
    stacks: dict[int, Stack] = field(default_factory=dict)

    @property
    def never_seen(self) -> int:
        return int(sum(m.sum() for _, _, m in self.plates.values()))

    #: Pixels the holes covered, per shot, in its reference view.
    hole_area: dict[int, int] = field(default_factory=dict)

    @property
    def invented_share(self) -> float:
        return self.never_seen / max(1, sum(self.hole_area.values()))


def _median(vals: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Per-pixel median of the valid samples: ``vals`` (S, M, 3), ``valid`` (S, M) → (M, 3),
    NaN where no sample is valid. Sort-based: np.nanmedian takes a slow masked-array path
    when S is small. Only the pixels some sample saw are sorted (behind a parked car, most
    are none)."""
    k = valid.sum(axis=0)
    med = np.full(vals.shape[1:], np.nan, np.float32)
    cols = np.flatnonzero(k)
    if cols.size:
        v = np.where(valid[:, cols, None], vals[:, cols], np.float32(np.inf))
        v.sort(axis=0)
        mid = (k[cols] - 1) // 2
        med[cols] = np.take_along_axis(v, mid[None, :, None], axis=0)[0]
    return med


def feather_for(w: int, h: int) -> int:
    return max(3, (w + h) // 400)


def _roi(
    boxes: list[tuple[int, int, int, int]], w: int, h: int, pad: int
) -> tuple[int, int, int, int]:
    x0 = max(0, min(b[0] for b in boxes) - pad)
    y0 = max(0, min(b[1] for b in boxes) - pad)
    x1 = min(w, max(b[2] for b in boxes) + pad)
    y1 = min(h, max(b[3] for b in boxes) + pad)
    return x0, y0, x1, y1


Box = tuple[int, int, int, int]


@dataclass
class Known:
    """What a scan that already read the clip knows, so the analysis needs one pass, not two:
    ``cuts`` (the first frame of each shot, found by :class:`CutDetector` on the same
    pictures), ``frames`` (how many there are) and ``bounds(i)``, a box that holds frame
    ``i``'s hole (None where it has none). The pass then keeps what the plates need — each
    shot's sample frames, and for a shot whose camera may be still, every frame's region
    inside the bounds — and builds each shot's plate as the shot ends."""

    cuts: list[int]
    frames: int
    bounds: Callable[[int], Box | None]


def analyse(
    src: Path,
    masks: MaskFn,
    *,
    check: Callable[[], None] = lambda: None,
    progress: Callable[[float], None] = lambda p: None,
    motion_width: int = 960,
    max_samples: int = 40,
    local_flow: bool = True,
    stack_bytes: int = 300 << 20,
    known: Known | None = None,
    cache: FrameCache | None = None,
) -> Analysis:
    """Passes 1 and 2: holes, shots, camera motion, then the background plate of each shot
    (one pass when ``known`` says where the shots and the holes are). ``local_flow=False``
    keeps to homographies even where the scene shows parallax (for comparison). ``cache``:
    the source's frames as an earlier pass decoded them (a whole :class:`FrameCache`), read
    instead of decoding ``src`` again. The camera's motion is found on a thread of its own,
    beside the decode and the masks."""
    with MotionTracker(motion_width, background=True) as motion:
        return _analyse(
            src, masks, motion, check, progress, max_samples, local_flow, stack_bytes, known, cache
        )


def _analyse(
    src: Path,
    masks: MaskFn,
    motion: MotionTracker,
    check: Callable[[], None],
    progress: Callable[[float], None],
    max_samples: int,
    local_flow: bool,
    stack_bytes: int,
    known: Known | None,
    cache: FrameCache | None,
) -> Analysis:
    plates = _Plates(max_samples, stack_bytes, local_flow)
    holes: dict[int, Hole] = {}
    is_cut = CutDetector() if known is None else None
    keep = _Keep(known, plates) if known is not None else None
    if known is not None:
        motion.expect(known.cuts, known.frames)
    found = [0]
    w = h = n = 0
    last: tuple[Any, Hole | None] = (None, None)
    with _frames(src, cache, check) as frames:
        for f in frames:
            i, rgb = f.index, f.rgb
            h, w = rgb.shape[:2]
            if is_cut is not None and is_cut(thumbnail(rgb)) and i > 0:
                found.append(i)
            m = masks(i, rgb)
            # The same mask as the frame before's (a parked object's): the same hole.
            if m is None or m is not last[0]:
                last = (m, Hole.of(m.astype(bool)) if m is not None else None)
            hole = last[1]
            if hole is not None:
                holes[i] = hole
            motion.add(i, rgb, m)
            if keep is not None:
                keep.add(f, holes, motion)
            if i % 8 == 0:
                progress(min(24.0, i / 10))
            n = i + 1
    if known is not None:
        found = sorted({0, *(c for c in known.cuts if 0 < c < n)})
        if keep is not None and not keep.held(n):  # then a second pass builds the plates
            keep, plates = None, _Plates(max_samples, stack_bytes, local_flow)
    cuts = [*found, n]
    shots = [Shot(a, b) for a, b in itertools.pairwise(cuts) if b > a]
    for shot in shots:
        motion.fill(shot, used=any(i in holes for i in range(shot.start, shot.end)))
    shot_of = {i: k for k, s in enumerate(shots) for i in range(s.start, s.end)}
    an = Analysis(w, h, n, holes, shots, shot_of)
    if keep is not None:  # the plates were built as each shot ended
        plates.into(an)
        progress(50)
        return an
    progress(25)
    # Pass 2: the samples (and stacks) of every shot, from a second decode.
    for k, shot in enumerate(shots):
        plates.start(k, shot, holes, w, h)
    with _frames(src, cache, check) as frames:
        for f in frames:
            i = f.index
            k = shot_of.get(i)
            if k is not None and plates.wants(k, i):
                plates.add(k, i, f.rgb)
                progress(25 + 25 * (i + 1) / max(1, n))
    for k in list(plates.rois):
        plates.finish(k)
    plates.into(an)
    progress(50)
    return an


@contextlib.contextmanager
def _frames(
    src: Path, cache: FrameCache | None, check: Callable[[], None]
) -> Iterator[Iterable[Any]]:
    """The source's frames: from ``cache`` when it holds them all, else decoded."""
    if cache is not None and cache.whole:
        yield cache.frames(check)
        return
    # Decoded (and converted) on a thread of its own, ahead of the masks and the motion.
    with FrameReader(src, check=check, check_every=16) as reader, Prefetch(reader) as frames:
        yield frames


class _Plates:
    """Each shot's plate from its frames: the region of interest in the reference view, at
    most ``max_samples`` frames warped into it (their per-pixel median is the plate), and
    for a static shot whose hole moves, every frame's region (a :class:`Stack`)."""

    def __init__(self, max_samples: int, stack_bytes: int, local_flow: bool) -> None:
        self.max_samples, self.stack_bytes, self.local_flow = max_samples, stack_bytes, local_flow
        self.flow = LocalFlow()
        self.rois: dict[int, Box] = {}
        self.shots: dict[int, Shot] = {}
        self.holes: dict[int, Hole] = {}
        self.size = (0, 0)
        self.step: dict[int, int] = {}
        self.samples: dict[int, list[Sample]] = {}
        self.stacks: dict[int, tuple[list[np.ndarray], list[np.ndarray]]] = {}
        self.plates: dict[int, tuple[np.ndarray, Box, np.ndarray]] = {}
        self.done_stacks: dict[int, Stack] = {}
        self.hole_area: dict[int, int] = {}
        self.parallax: set[int] = set()

    def step_of(self, shot: Shot) -> int:
        return max(1, (shot.end - shot.start) // self.max_samples)

    def start(self, k: int, shot: Shot, holes: dict[int, Hole], w: int, h: int) -> None:
        """Get ready for shot ``k`` (its homographies known): its region of interest in the
        reference view, and whether it keeps a stack."""
        self.holes, self.size = holes, (w, h)
        pad = max(16, w // 40)
        boxes = []
        for i in range(shot.start, shot.end):
            if i in holes:
                x0, y0, x1, y1 = holes[i].box
                corners = np.float32([[x0, y0], [x1, y0], [x0, y1], [x1, y1]]).reshape(-1, 1, 2)
                ref = cv2.perspectiveTransform(corners, shot.to_ref[i]).reshape(-1, 2)
                boxes.append(
                    (
                        int(ref[:, 0].min()),
                        int(ref[:, 1].min()),
                        int(np.ceil(ref[:, 0].max())),
                        int(np.ceil(ref[:, 1].max())),
                    )
                )
        if not boxes:
            return
        roi = self.rois[k] = _roi(boxes, w, h, pad)
        self.shots[k] = shot
        self.samples[k] = []
        self.step[k] = self.step_of(shot)
        # A static shot whose hole moves (a walker, a passing car) keeps every frame's region
        # of interest, within a memory budget: each frame is then filled from the nearest
        # frames in time that saw the spot, so what passes behind the object (traffic,
        # people) is there.
        inside = [holes[i] for i in range(shot.start, shot.end) if i in holes]
        if not shot.static:
            return
        x0, y0, x1, y1 = roi
        union = np.zeros((y1 - y0, x1 - x0), bool)
        for hl in inside:
            union |= hl.full(h, w)[y0:y1, x0:x1]
        moves = union.sum() > 1.3 * np.mean([hl.crop.sum() for hl in inside])
        if moves and (shot.end - shot.start) * union.size * 4 <= self.stack_bytes:
            self.stacks[k] = ([], [])

    def wants(self, k: int, i: int) -> bool:
        """Whether frame ``i`` of shot ``k`` is a sample or goes on a stack."""
        return k in self.stacks or (k in self.rois and not (i - self.shots[k].start) % self.step[k])

    def add(self, k: int, i: int, rgb: np.ndarray | None, crop: np.ndarray | None = None) -> None:
        """Frame ``i`` of shot ``k`` (``crop``: its stack region, when cut out already;
        ``rgb`` None: not a sample, the crop is all that is needed)."""
        w, h = self.size
        holes = self.holes
        feather = feather_for(w, h)
        x0, y0, x1, y1 = self.rois[k]
        if k in self.stacks:
            away = np.ones((y1 - y0, x1 - x0), bool)
            if i in holes:  # clear of the object and the blur around it
                near = holes[i].full(h, w)[y0:y1, x0:x1].astype(np.uint8)
                away = cv2.dilate(near, np.ones((2 * feather + 1,) * 2, np.uint8)) == 0
            if crop is None:
                assert rgb is not None
                crop = rgb[y0:y1, x0:x1].copy()
            self.stacks[k][0].append(crop)
            self.stacks[k][1].append(away)
        shot = self.shots[k]
        if rgb is None or (i - shot.start) % self.step[k]:
            return
        hmat = shift(shot.to_ref[i], -x0, -y0)  # frame i → the ROI of the reference
        size = (x1 - x0, y1 - y0)
        crop = cv2.warpPerspective(
            rgb, hmat, size, flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_CONSTANT
        )
        seen = cv2.warpPerspective(np.ones((h, w), np.uint8), hmat, size, flags=cv2.INTER_NEAREST)
        hole = holes[i].full(h, w).astype(np.uint8) if i in holes else np.zeros((h, w), np.uint8)
        raw = cv2.warpPerspective(hole, hmat, size, flags=cv2.INTER_NEAREST)
        halo = cv2.dilate(raw, np.ones((3, 3), np.uint8))  # clear of the object's halo
        band = cv2.dilate(raw, np.ones((4 * feather + 3,) * 2, np.uint8)) > 0
        self.samples[k].append((crop, (seen > 0) & (halo == 0), (seen > 0) & (raw == 0), band))

    def finish(self, k: int) -> None:
        """Shot ``k``'s plate (and stack) from what was added."""
        items = self.samples.pop(k)
        if self.local_flow and not self.shots[k].static:
            items, moved = _align(items, self.flow)
            if moved:
                self.parallax.add(k)
        crops = np.stack([c for c, _, _, _ in items])
        need = np.logical_or.reduce([n for _, _, _, n in items])
        self.hole_area[k] = int((np.logical_or.reduce([~v for _, _, v, _ in items]) & need).sum())
        idx = np.flatnonzero(need)
        vals = crops.reshape(len(items), -1, 3)[:, idx].astype(np.float32)
        plate = crops[len(items) // 2].copy()
        flat = plate.reshape(-1, 3)
        missing = np.zeros(need.shape, bool)
        med = _median(vals, np.stack([c.reshape(-1)[idx] for _, c, _, _ in items]))
        # Where no clear view was had, the loose ones: only halo pixels were visible there.
        alone = np.flatnonzero(np.isnan(med[:, 0]))
        loose = np.stack([v.reshape(-1)[idx[alone]] for _, _, v, _ in items])
        med[alone] = _median(vals[:, alone], loose)
        gone = np.isnan(med[:, 0])
        flat[idx] = np.nan_to_num(med).astype(np.uint8)
        missing.reshape(-1)[idx[gone]] = True
        self.plates[k] = (synthesise(plate, missing), self.rois[k], missing)
        if k in self.stacks:
            frames, valid = self.stacks.pop(k)
            self.done_stacks[k] = Stack.of(self.shots[k].start, frames, valid)

    def into(self, an: Analysis) -> None:
        an.plates, an.stacks = self.plates, self.done_stacks
        an.hole_area, an.parallax = self.hole_area, self.parallax


def _within(a: Box, b: Box) -> bool:
    return a[0] >= b[0] and a[1] >= b[1] and a[2] <= b[2] and a[3] <= b[3]


class _Keep:
    """One pass instead of two (see :class:`Known`): while pass 1 decodes, hold each shot's
    sample frames (as decoded, before conversion) and, where the camera may be still, every
    frame's region inside the shot's bounds; build the shot's plate when it ends."""

    def __init__(self, known: Known, plates: _Plates) -> None:
        self.known, self.plates = known, plates
        cuts = sorted({0, *(c for c in known.cuts if 0 < c < known.frames)})
        self.shots = [Shot(a, b) for a, b in itertools.pairwise([*cuts, known.frames]) if b > a]
        self.k = 0
        self.frames: list[Any] = []  # DecodedFrame or CachedFrame
        self.bound: Box | None = None
        self.crops: list[np.ndarray] | None = None
        self.ok = True

    def _open(self, shot: Shot, w: int, h: int) -> None:
        boxes = [b for i in range(shot.start, shot.end) if (b := self.known.bounds(i))]
        self.bound = _roi(boxes, w, h, max(16, w // 40)) if boxes else None
        self.crops = None
        if self.bound is not None:
            x0, y0, x1, y1 = self.bound
            # What a stack of the real region would cost, at most (the hole is inside).
            if (shot.end - shot.start) * (x1 - x0) * (y1 - y0) * 3 <= self.plates.stack_bytes:
                self.crops = []

    def add(self, f: Any, holes: dict[int, Hole], motion: MotionTracker) -> None:
        if not self.ok or self.k >= len(self.shots):
            self.ok = False
            return
        shot, i = self.shots[self.k], f.index
        h, w = f.rgb.shape[:2]
        if i == shot.start:
            self._open(shot, w, h)
        if self.bound is not None:
            if not (i - shot.start) % self.plates.step_of(shot):
                self.frames.append(f.lean())  # rgb again when needed
            if self.crops is not None:
                x0, y0, x1, y1 = self.bound
                self.crops.append(f.rgb[y0:y1, x0:x1].copy())
        if i + 1 == shot.end:
            self._close(shot, holes, motion, w, h)
            self.k += 1

    def _close(
        self, shot: Shot, holes: dict[int, Hole], motion: MotionTracker, w: int, h: int
    ) -> None:
        # Sample frames by index, each converted to RGB when its turn comes and let go after.
        samples = {f.index: f for f in self.frames}
        crops, bound = self.crops, self.bound
        self.frames, self.crops = [], None
        if not any(i in holes for i in range(shot.start, shot.end)):
            motion.fill(shot, used=False)  # lets go what the motion held for it
            return
        if bound is None:
            self.ok = False  # holes where no bounds were said: a second pass instead
            return
        k = self.k
        motion.fill(shot)
        plates = self.plates
        plates.start(k, shot, holes, w, h)
        if k in plates.stacks and (crops is None or not _within(plates.rois[k], bound)):
            self.ok = False  # the stack was not kept (over budget, or outside the bounds)
            return
        bx0, by0 = bound[0], bound[1]
        x0, y0, x1, y1 = plates.rois.get(k, bound)
        for j, i in enumerate(range(shot.start, shot.end)):
            crop = None
            if k in plates.stacks and crops is not None:
                crop = crops[j][y0 - by0 : y1 - by0, x0 - bx0 : x1 - bx0].copy()
            if plates.wants(k, i):
                sample = samples.pop(i, None)
                plates.add(k, i, sample.rgb if sample is not None else None, crop)
        if k in plates.rois:
            plates.finish(k)

    def held(self, n: int) -> bool:
        """Whether every shot's plate was built in the pass (else a second pass does it)."""
        return self.ok and self.k == len(self.shots) and n == self.known.frames


Sample = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # crop, valid, loosely valid, need


def _align(items: list[Sample], flow: LocalFlow, planar: float = 0.5) -> tuple[list[Sample], bool]:
    """Samples already in the reference view by homography, moved onto the middle one by local
    flow where the scene is not a plane (parallax); a pixel one view hides from the other
    (inconsistent flow) is no longer valid. Returns the samples unchanged when the largest
    residual motion (95th percentile, median over samples) is under ``planar`` pixels."""
    mid = len(items) // 2
    base, _, base_loose, _ = items[mid]
    flows: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    residual = []
    for j, (crop, _, loose, _) in enumerate(items):
        if j != mid:
            f, ok = flows[j] = flow(base, crop, ~base_loose, ~loose)
            mag = np.linalg.norm(f, axis=2)[ok & base_loose & loose]
            residual.append(float(np.percentile(mag, 95)) if mag.size else 0.0)
    if not residual or np.median(residual) < planar:
        return items, False
    out = list(items)
    for j, (f, ok) in flows.items():
        crop, valid, loose, need = items[j]
        out[j] = (
            remap(crop, f),
            (remap(valid.astype(np.uint8), f, cv2.INTER_NEAREST) > 0) & ok,
            (remap(loose.astype(np.uint8), f, cv2.INTER_NEAREST) > 0) & ok,
            need,
        )
    return out, True
