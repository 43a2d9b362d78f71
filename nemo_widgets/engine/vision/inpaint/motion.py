"""Shots and camera motion, the first thing the fill needs to know: where the cuts are
(:class:`CutDetector`), where each frame's hole is (:class:`Hole`), and how the camera moves
between frames (:class:`MotionTracker`: homographies from ORB features outside the hole,
sub-pixel refined by ECC; a static camera is kept exact)."""

from __future__ import annotations

import bisect
import functools
import itertools
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

from nemo_widgets.video_io import OrderedWorker

MaskFn = Callable[[int, np.ndarray], np.ndarray | None]  # (frame index, rgb) → bool mask or None


@dataclass
class Shot:
    start: int  # first frame index
    end: int  # one past the last
    static: bool = True
    #: Homography of each frame of the shot into the reference frame (full resolution).
    to_ref: dict[int, np.ndarray] = field(default_factory=dict)
    ref: int = 0


@dataclass
class Hole:
    """A frame's mask, stored as its bounding box and the crop inside it."""

    box: tuple[int, int, int, int]
    crop: np.ndarray

    @classmethod
    def of(cls, mask: np.ndarray) -> Hole | None:
        b = bbox(mask)
        return None if b is None else cls(b, mask[b[1] : b[3], b[0] : b[2]].copy())

    def full(self, h: int, w: int) -> np.ndarray:
        m = np.zeros((h, w), bool)
        x0, y0, x1, y1 = self.box
        m[y0:y1, x0:x1] = self.crop
        return m


class CutDetector:
    """Is this frame the first of a new shot? Fed thumbnails one at a time.

    Two signals: colour histogram distance and mean grey difference. On the street sample the
    five hard cuts score > 0.4 / > 45 and everything else < 0.15 / < 20 (pans and passing cars
    included).
    """

    def __init__(self) -> None:
        self.prev: tuple[np.ndarray, np.ndarray] | None = None

    def __call__(self, thumb: np.ndarray) -> bool:
        hsv = cv2.cvtColor(thumb, cv2.COLOR_RGB2HSV)
        hist = cv2.calcHist([hsv], [0, 1], None, [16, 8], [0, 180, 0, 256])
        cv2.normalize(hist, hist)
        gray = cv2.cvtColor(thumb, cv2.COLOR_RGB2GRAY).astype(np.int16)
        cut = False
        if self.prev is not None:
            hd = cv2.compareHist(self.prev[0], hist, cv2.HISTCMP_BHATTACHARYYA)
            mad = float(np.abs(gray - self.prev[1]).mean())
            cut = (hd > 0.3 and mad > 25) or hd > 0.6 or mad > 45
        self.prev = (hist, gray)
        return cut


def detect_cuts(small: list[np.ndarray]) -> list[int]:
    """Frame indices where a new shot starts."""
    is_cut = CutDetector()
    return [0] + [i for i, img in enumerate(small) if is_cut(img) and i > 0]


class MotionTracker:
    """Frame-to-frame homographies (frame i → i-1), estimated while frames stream past, from
    ORB features outside the hole, at up to ``width`` pixels (full resolution matrices). A
    frame whose keypoints sit where the previous frame's did (see :data:`STILL_SHARE`) is
    still: identity, its keypoints neither described nor matched (on a tripod shot a fifth
    of the cost); the next frame that moves gets the previous descriptors made then.

    The ECC refinement (the costliest step) only matters in a shot whose camera moves, which
    is known when the shot ends (:meth:`fill`): until then the frames wait for it (their
    small grey pictures held, up to ``pending_bytes``), and are refined then — or dropped,
    unrefined, when the shot turns out static (its frames all map by the identity; on a
    tripod shot a good share of frames shows a sub-pixel shimmer over the threshold). Past the
    budget the oldest waiting frame is refined at once, so the matrices are the same either
    way.

    ``background=True``: :meth:`add` hands the frame to a thread of its own (OpenCV lets go
    of the GIL), so the features and matching of frame i overlap the decode of frame i + 1;
    :meth:`fill` waits for it, and :meth:`close` (or ``with``) ends it."""

    def __init__(
        self, width: int = 960, pending_bytes: int = 256 << 20, *, background: bool = False
    ) -> None:
        self.width = width
        self._worker = OrderedWorker(8, "nemo-motion") if background else None
        self._pool = ThreadPoolExecutor(2, "nemo-features") if background else None
        self._local = threading.local()
        self.pending_bytes = pending_bytes
        #: Frame → (grey, previous grey, feature estimate, mask, scale), waiting for ECC.
        self.pending: dict[int, tuple] = {}
        self._held: dict[int, int] = {}  # id → bytes of the pictures the waiting frames hold
        self._refs: dict[int, int] = {}  # id → how many waiting frames hold that picture
        self._last_keep: tuple[np.ndarray, np.ndarray] | None = None  # (hole, its mask)
        self.orb = cv2.ORB_create(1000)
        self.matcher = cv2.BFMatcher(cv2.NORM_HAMMING, crossCheck=True)
        #: The previous frame's keypoints, their descriptors (None until a match needs
        #: them) and their places (see :func:`_places`).
        self.prev: tuple | None = None
        self.prev_gray: np.ndarray | None = None
        self.rel: dict[int, np.ndarray] = {}
        self.moves: dict[int, float] = {}
        #: Frames found still by their keypoints alone (no descriptors, no matching).
        self.still: set[int] = set()
        self._was_still = False
        #: The shots ahead, when known (see :meth:`expect`), each shot's still frames so
        #: far (by its first frame), and the frames not looked at.
        self._shots: list[tuple[int, int]] = []
        self._stills: dict[int, int] = {}
        self.skipped: set[int] = set()

    def expect(self, cuts: list[int], frames: int) -> None:
        """The shots to come (``cuts``: their first frames; ``frames`` in all), as a scan that
        read the clip found them. A shot more than half of whose frames (after its first)
        moved less than :data:`STILL_MOVE` (found still, or matched) is static whatever the
        others show — the median of its frames' moves is under it (see :meth:`fill`) — and
        all its frames map to its reference by the identity: the frames after that are not
        looked at (on a tripod shot, about half the cost), except its last one, which the
        next shot's first is compared with."""
        bounds = sorted({0, *(c for c in cuts if 0 < c < frames)})
        self._shots = [(a, b) for a, b in itertools.pairwise([*bounds, frames]) if b > a]

    def _shot_of(self, i: int) -> tuple[int, int] | None:
        k = bisect.bisect_right(self._shots, (i, float("inf"))) - 1
        return self._shots[k] if k >= 0 and i < self._shots[k][1] else None

    def add(self, i: int, rgb: np.ndarray, hole: np.ndarray | None) -> None:
        """Frame ``i`` (``hole``: its mask, or None); neither array may change after."""
        shot = self._shot_of(i) if self._shots else None
        if (
            shot is not None
            and shot[0] < i < shot[1] - 1
            and self._stills.get(shot[0], 0) > (shot[1] - shot[0] - 1) / 2
        ):
            self.skipped.add(i)  # in a shot already known static (see expect)
            return
        if self._worker is None:
            self._add(i, rgb, hole)
            return
        # The features of a frame need no other frame: found on a pool of threads, a few
        # frames at once; what compares a frame with the one before runs in order.
        h, w = rgb.shape[:2]
        scale = min(1.0, self.width / w)
        keep = self._keep((int(w * scale), int(h * scale)), hole)
        job = self._pool.submit(self._pool_features, rgb, keep)
        self._worker.submit(functools.partial(self._add, i, rgb, hole, _Found(job, keep)))

    def wait(self) -> None:
        """Until every frame added so far is done (raising what went wrong on the thread)."""
        if self._worker is not None:
            self._worker.drain()

    def close(self) -> None:
        if self._worker is not None:
            worker, self._worker = self._worker, None
            try:
                worker.close()
            finally:
                self._end_pool()

    def _end_pool(self) -> None:
        if self._pool is not None:
            pool, self._pool = self._pool, None
            pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> MotionTracker:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if exc_type is None:
            self.close()
        elif self._worker is not None:
            worker, self._worker = self._worker, None
            worker.join()  # the error already raised wins
            self._end_pool()

    def _keep(self, size: tuple[int, int], hole: np.ndarray | None) -> np.ndarray | None:
        """Where features may be found in a grey picture of ``size`` (w, h): away from the
        hole (None: everywhere)."""
        last = self._last_keep
        if hole is None:
            return None
        if last is not None and (last[0] is hole or np.array_equal(last[0], hole)):
            return last[1]  # a parked object's hole: the same mask, held once for all frames
        m = cv2.resize(hole.astype(np.uint8), size, interpolation=cv2.INTER_NEAREST)
        keep = np.where(cv2.dilate(m, np.ones((9, 9), np.uint8)) > 0, 0, 255).astype(np.uint8)
        self._last_keep = (hole, keep)
        return keep

    def _features(self, rgb: np.ndarray, keep: np.ndarray | None, orb: Any = None) -> tuple:
        """The grey picture the features are found in, its scale, and its keypoints (no
        descriptors yet) with their places: what needs no other frame."""
        h, w = rgb.shape[:2]
        scale = min(1.0, self.width / w)
        gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
        if scale < 1:
            gray = cv2.resize(gray, (int(w * scale), int(h * scale)), interpolation=cv2.INTER_AREA)
        kp = (orb or self.orb).detect(gray, keep)
        return gray, scale, kp, _places(kp)

    def _pool_features(self, rgb: np.ndarray, keep: np.ndarray | None) -> tuple:
        """:meth:`_features` on a pool thread, with that thread's own ORB (same settings)."""
        orb = getattr(self._local, "orb", None)
        if orb is None:
            orb = self._local.orb = cv2.ORB_create(1000)
        return self._features(rgb, keep, orb)

    def _add(self, i: int, rgb: np.ndarray, hole: np.ndarray | None, found: Any = None) -> None:
        """Frame ``i`` after frame i − 1 (``found``: its features, or a future of them)."""
        if found is None:
            h, w = rgb.shape[:2]
            scale = min(1.0, self.width / w)
            keep = self._keep((int(w * scale), int(h * scale)), hole)
            found = (self._features(rgb, keep), keep)
        elif not isinstance(found, tuple):
            found = found.result()
        (gray, scale, kp, places), keep = found
        des = None
        # Hysteresis: a still camera stays still down to a lower share (sensor noise moves
        # some keypoints); from a moving one it takes the full share.
        share = STILL_SHARE if self._was_still else MOVED_SHARE
        if self.prev is not None and _still(places, self.prev[2], share):
            # A tripod's frame: most keypoints found again at the very same place (to the
            # quarter pixel, same pyramid level), which is what a match would have said
            # (its median move is 0) at a fifth of the cost. The previous frame's
            # descriptors are made later if a frame that moves needs them.
            self.moves[i], self.rel[i] = 0.0, np.eye(3)
            self.still.add(i)
            self._was_still = True
        elif self.prev is not None:
            pkp, pdes, _ = self.prev
            if pdes is None and len(pkp):
                assert self.prev_gray is not None
                pkp, pdes = self.orb.compute(self.prev_gray, pkp)
            if len(kp):
                kp, des = self.orb.compute(gray, kp)
            hmat = np.eye(3)
            if des is not None and pdes is not None and len(kp) >= 8 and len(pkp) >= 8:
                matches = self.matcher.match(des, pdes)
                if len(matches) >= 8:
                    a = np.float32([kp[m.queryIdx].pt for m in matches])
                    b = np.float32([pkp[m.trainIdx].pt for m in matches])
                    self.moves[i] = float(np.median(np.linalg.norm(a - b, axis=1))) / scale
                    est, inl = cv2.findHomography(a, b, cv2.RANSAC, 1.5)
                    if est is not None and inl is not None and inl.sum() >= 8:
                        if self.moves[i] >= 0.35:  # a static camera needs no refinement
                            assert self.prev_gray is not None
                            self.pending[i] = (gray, self.prev_gray, est, keep, scale)
                            self._hold(+1, gray, self.prev_gray, keep)
                        hmat = _full(est, scale)
            self.rel[i] = hmat
            self._was_still = self.moves.get(i, 0.0) < 0.35
            while self.pending and sum(self._held.values()) > self.pending_bytes:
                self._settle(min(self.pending))
        shot = self._shot_of(i) if self._shots else None
        if shot is not None and shot[0] < i and self.moves.get(i, STILL_MOVE) < STILL_MOVE:
            self._stills[shot[0]] = self._stills.get(shot[0], 0) + 1
        self.prev = (kp, des, places)
        self.prev_gray = gray

    def _settle(self, i: int) -> None:
        """Refine the waiting frame ``i`` now."""
        gray, prev, est, keep, scale = self._drop(i)
        self.rel[i] = _full(self._refine(gray, prev, est, keep), scale)

    def _drop(self, i: int) -> tuple:
        item = self.pending.pop(i)
        self._hold(-1, *item[0:2], item[3])
        return item

    def _hold(self, by: int, *pictures: np.ndarray | None) -> None:
        """Count the pictures a waiting frame holds (shared ones once) in or out."""
        for a in pictures:
            if a is not None:
                n = self._refs.get(id(a), 0) + by
                if n:
                    self._refs[id(a)], self._held[id(a)] = n, a.nbytes
                else:
                    self._refs.pop(id(a), None)
                    self._held.pop(id(a), None)

    def _refine(
        self, gray: np.ndarray, prev: np.ndarray, est: np.ndarray, keep: np.ndarray | None
    ) -> np.ndarray:
        """Sub-pixel accuracy: ECC (intensity alignment) starting from the feature estimate.
        ORB keypoints are only pixel-accurate, which costs several dB on a pan."""
        warp = est.astype(np.float32)
        try:
            _, warp = cv2.findTransformECC(
                gray,
                prev,
                warp,
                cv2.MOTION_HOMOGRAPHY,
                (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 30, 1e-5),
                keep,
                3,
            )
        except cv2.error:
            return est
        # Keep the refinement only when it stays close to the feature estimate.
        corners = np.float32(
            [[0, 0], [gray.shape[1], 0], [0, gray.shape[0]], [gray.shape[1], gray.shape[0]]]
        ).reshape(-1, 1, 2)
        moved = np.abs(
            cv2.perspectiveTransform(corners, warp.astype(np.float64))
            - cv2.perspectiveTransform(corners, est)
        ).max()
        return warp.astype(np.float64) if moved < 3 else est

    def fill(self, shot: Shot, used: bool = True) -> None:
        """``shot.to_ref`` and ``shot.static`` from the frame-to-frame homographies;
        ``used=False``: nothing will be warped by them (the shot has no hole), so the frames
        waiting for ECC are let go unrefined."""
        self.wait()
        eye = np.eye(3)
        shot.ref = shot.start + (shot.end - shot.start) // 2
        moves = [self.moves[i] for i in range(shot.start + 1, shot.end) if i in self.moves]
        shot.static = not moves or float(np.median(moves)) < STILL_MOVE
        for i in [i for i in self.pending if shot.start <= i < shot.end]:
            if shot.static or i == shot.start or not used:  # identity, across the cut, unused
                self._drop(i)
            else:
                self._settle(i)
        chain = {shot.ref: eye}
        for i in range(shot.ref + 1, shot.end):  # i → ref through i-1
            chain[i] = chain[i - 1] @ self.rel.get(i, eye)
        for i in range(shot.ref - 1, shot.start - 1, -1):  # i → ref through i+1
            chain[i] = chain[i + 1] @ np.linalg.inv(self.rel.get(i + 1, eye))
        for i in range(shot.start, shot.end):
            shot.to_ref[i] = eye if shot.static else chain[i]


#: Share of a frame's keypoints found again at the very same place (to the quarter pixel, on
#: the same pyramid level) in the previous frame from which the camera is taken as still
#: without matching. Half of them there (``MOVED_SHARE``, after a frame that moved) means the
#: match's median move would be 0 (see ``moves``); a camera already still stays still down to
#: ``STILL_SHARE`` (sensor noise and passers-by move some). Measured at 960 px on real clips
#: (a tripod street at 1080p, a time-lapse, talking heads, handheld ones): frames a match
#: finds moving share at most 0.42, still ones 0.33–0.9; under the mark they are matched, as
#: before. A still frame's map is the identity where the match's would have been a
#: near-identity estimate (a fifth of a pixel on a handheld clip).
STILL_SHARE = 0.4
MOVED_SHARE = 0.5
#: A shot whose frames' median move (pixels, full resolution) is under this is static.
STILL_MOVE = 0.35


class _Found:
    """A frame's features being found on the pool, with the mask they were found in."""

    def __init__(self, job: Future, keep: np.ndarray | None) -> None:
        self.job, self.keep = job, keep

    def result(self) -> tuple:
        return self.job.result(), self.keep


def _places(kp: tuple) -> np.ndarray:
    """Keypoints as whole numbers: place (to a quarter pixel) and pyramid level."""
    if not kp:
        return np.zeros(0, np.int64)
    a = np.array([(p.pt[0], p.pt[1], p.octave) for p in kp], np.float64)
    x, y = np.round(a[:, 0] * 4).astype(np.int64), np.round(a[:, 1] * 4).astype(np.int64)
    return (y * (1 << 20) + x) * 64 + a[:, 2].astype(np.int64)


def _still(places: np.ndarray, prev: np.ndarray, share: float = STILL_SHARE) -> bool:
    """Whether at least ``share`` of a frame's keypoints are at the same places in the
    previous frame (too few keypoints to say: no)."""
    if len(places) < 32 or len(prev) < 32:
        return False
    return int(np.isin(places, prev).sum()) >= share * len(places)


def _full(est: np.ndarray, scale: float) -> np.ndarray:
    """A homography found at ``scale`` as one at full resolution."""
    s, s_inv = np.diag([scale, scale, 1.0]), np.diag([1 / scale, 1 / scale, 1.0])
    return s_inv @ est @ s  # full → small, homography, small → full


def bbox(mask: np.ndarray) -> tuple[int, int, int, int] | None:
    """The bounding box (x0, y0, x1, y1) of a mask's True pixels; None for an empty mask."""
    x, y, w, h = cv2.boundingRect(mask.astype(np.uint8))
    return None if w == 0 or h == 0 else (x, y, x + w, y + h)


def shift(h: np.ndarray, dx: float, dy: float) -> np.ndarray:
    """Homography ``h`` followed by a translation by (dx, dy)."""
    t = np.array([[1, 0, dx], [0, 1, dy], [0, 0, 1]], np.float64)
    return t @ h


def thumbnail(rgb: np.ndarray) -> np.ndarray:
    """The 64-pixel-wide picture :class:`CutDetector` compares."""
    h, w = rgb.shape[:2]
    return cv2.resize(rgb, (64, max(2, 64 * h // w)), interpolation=cv2.INTER_AREA)
