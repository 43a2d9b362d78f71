"""The distinct things in a clip, named or not: what "remove the party hat" can point at.

No model here maps free words to regions (MODELS.md: no CLIP, OWL-ViT or Grounding DINO in any
registry package), so the engine proposes candidates without names and lets the words rank
them (:mod:`.wording`):

- **named objects** — NanoDet's COCO tracks (:func:`remove.scan`);
- **salient things** — U²-Net-p on whole keyframes and on overlapping tiles of one keyframe
  per shot (small things on a table stand out in a tile, not in the whole frame), components
  linked into tracks by overlap;
- **things moving differently from the camera** — keyframe pairs aligned by a homography
  (ORB + RANSAC); what still differs after the alignment moves on its own;
- **static overlays** — :mod:`.overlays` (logos, watermarks, burnt-in text).

Each candidate carries its keyframe boxes (its mask track: the removal's Masker makes the
silhouette from them), a colour name, its size, position and motion.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from nemo_widgets.engine.vision.overlays import Overlay, find_overlays
from nemo_widgets.engine.vision.remove import Box, Scan, Track, iou, scan
from nemo_widgets.engine.vision.scene_motion import components as _components
from nemo_widgets.engine.vision.scene_motion import moving_boxes, relative_speed
from nemo_widgets.video_io import FrameReader

_HUES = (
    ("red", 0, 9),
    ("orange", 9, 22),
    ("yellow", 22, 35),
    ("green", 35, 85),
    ("blue", 85, 130),
    ("purple", 130, 160),
    ("pink", 160, 172),
    ("red", 172, 181),
)


def colour_name(pixels: np.ndarray) -> str | None:
    """The colour people would call ``pixels`` (RGB, n×3)."""
    if pixels.size == 0:
        return None
    hsv = cv2.cvtColor(pixels.reshape(-1, 1, 3).astype(np.uint8), cv2.COLOR_RGB2HSV).reshape(-1, 3)
    h, s, v = (float(x) for x in np.median(hsv, axis=0))
    if v < 55:
        return "black"
    if s < 45:
        return "white" if v > 165 else "grey"
    if 8 <= h < 22 and v < 150:
        return "brown"
    for name, lo, hi in _HUES:
        if lo <= h < hi:
            return name
    return None


@dataclass
class Candidate:
    """One thing in the clip. ``boxes``: keyframe → box in video pixels."""

    kind: str  # object | salient | moving | overlay
    boxes: dict[int, Box]
    label: str | None = None  # COCO name, when the detector has one
    colour: str | None = None
    strength: float = 0.5  # how distinct it is (saliency, detector score, overlay score)
    moving: bool = False
    shot: int = 0
    overlay: Overlay | None = None
    track: Track | None = None
    id: str = ""
    shape: str = ""  # tall | wide | round | pointed | box
    sources: set[str] = field(default_factory=set)

    @property
    def first(self) -> int:
        return min(self.boxes)

    @property
    def last(self) -> int:
        return max(self.boxes)

    def box(self) -> Box:
        """The median box."""
        return tuple(np.median(np.array(list(self.boxes.values())), axis=0).tolist())  # type: ignore[return-value]

    def area(self, w: int, h: int) -> float:
        b = self.box()
        return (b[2] - b[0]) * (b[3] - b[1]) / max(1, w * h)

    def centre(self, w: int, h: int) -> tuple[float, float]:
        b = self.box()
        return (b[0] + b[2]) / 2 / w, (b[1] + b[3]) / 2 / h


@dataclass
class Proposal:
    candidates: list[Candidate]
    scan: Scan
    #: Per keyframe, the U²-Net saliency at working size (for outlines and surfaces).
    notes: dict[str, Any] = field(default_factory=dict)


Look = tuple[Box, float, str | None, str]  # box, strength, colour, shape


def _salient_boxes(sal_model: Any, rgb: np.ndarray, tiles: bool) -> list[Look]:
    """Salient components of a frame (and of its overlapping tiles): boxes in frame pixels
    with their mean saliency."""
    h, w = rgb.shape[:2]
    views = [(0, 0, w, h)]
    if tiles:
        tw, th = (3 * w) // 5, (3 * h) // 5
        for x0, y0 in itertools.product((0, w - tw), (0, h - th)):
            views.append((x0, y0, x0 + tw, y0 + th))
    out: list[Look] = []
    for x0, y0, x1, y1 in views:
        crop = rgb[y0:y1, x0:x1]
        sal = sal_model(crop)
        # Two levels: what stands out clearly (> 0.5), then what stands out less once the
        # clear things (and their surroundings) are taken away — a pale thing leaning on a
        # fence that the network found more salient.
        taken = np.zeros(sal.shape, np.uint8)
        for level in (0.5, 0.3):
            fg = (sal > level) & (taken == 0)
            fg = cv2.morphologyEx(fg.astype(np.uint8), cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
            taken |= cv2.dilate((sal > level).astype(np.uint8), np.ones((5, 5), np.uint8))
            for bx0, by0, bx1, by1, fill in _components(fg, 0.002, 0.35):
                # A component cut by a tile's edge is part of something larger: skipped.
                if tiles and (x0, y0, x1, y1) != (0, 0, w, h):
                    edge = (bx0 <= 1 and x0 > 0) or (by0 <= 1 and y0 > 0)
                    edge |= (bx1 >= crop.shape[1] - 1 and x1 < w) or (
                        by1 >= crop.shape[0] - 1 and y1 < h
                    )
                    if edge:
                        continue
                m = sal[by0:by1, bx0:bx1]
                fg_box = (m > level) & (fg[by0:by1, bx0:bx1] > 0)
                strength = float(m[fg_box].mean()) if fg_box.any() else level
                strength = min(1.0, strength / 0.5 * 0.5 + (0.2 if level < 0.5 else 0.0))
                # Its colour and shape from its own salient pixels.
                colour = colour_name(crop[by0:by1, bx0:bx1][fg_box])
                box = (bx0 + x0, by0 + y0, bx1 + x0, by1 + y0)
                out.append((box, strength * min(1.0, 0.4 + fill), colour, _shape(fg_box)))
    if not tiles:  # once per look: things that stand out by colour from what is around
        out += _contrast_boxes(rgb)
    # The same thing seen in several views: keep the strongest.
    out.sort(key=lambda look: -look[1])
    kept: list[Look] = []
    for look in out:
        if all(iou(look[0], k[0]) < 0.4 and not _inside(look[0], k[0]) for k in kept):
            kept.append(look)
    return kept


def _contrast_boxes(rgb: np.ndarray) -> list[Look]:
    """Compact regions whose colour differs strongly from their surroundings (a white cone
    on grey tarmac that the salient-object network rates low): LAB distance to a median
    filtered picture, components that are solid and small."""
    h, w = rgb.shape[:2]
    s = min(1.0, 240 / w)
    small = cv2.resize(rgb, (round(w * s), round(h * s)), interpolation=cv2.INTER_AREA)
    lab = cv2.cvtColor(small, cv2.COLOR_RGB2LAB).astype(np.float32)
    k = max(9, (round(small.shape[1] / 6) | 1))
    bg = cv2.cvtColor(cv2.medianBlur(small, min(k, 255)), cv2.COLOR_RGB2LAB).astype(np.float32)
    # Colour counts more than darkness (a dark fence bar, a shadow, differ in lightness); a
    # thing paler than its surroundings (a white cone, a rocket against the sky, a pale box
    # on grey tarmac) differs in lightness alone, and counts in full.
    diff = lab - bg
    diff[..., 0] *= np.where(diff[..., 0] > 0, 1.0, 0.4)
    d = np.linalg.norm(diff, axis=2)
    fg = (d > max(30.0, float(np.percentile(d, 97)))).astype(np.uint8)
    fg = cv2.morphologyEx(fg, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    out: list[Look] = []
    for bx0, by0, bx1, by1, fill in _components(fg, 0.002, 0.08):
        if fill < 0.45:
            continue  # thin or ragged: an edge, not a thing
        m = fg[by0:by1, bx0:bx1] > 0
        box = (bx0 / s, by0 / s, bx1 / s, by1 / s)
        colour = colour_name(small[by0:by1, bx0:bx1][m])
        strength = float(np.clip(d[by0:by1, bx0:bx1][m].mean() / 80, 0.3, 0.8))
        out.append((box, strength, colour, _shape(m)))
    return out


def _inside(a: Box, b: Box, share: float = 0.8) -> bool:
    """Whether most of ``a`` lies within ``b`` (or of ``b`` within ``a``)."""
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    sa = (a[2] - a[0]) * (a[3] - a[1])
    sb = (b[2] - b[0]) * (b[3] - b[1])
    return inter >= share * min(sa, sb)


def _link(
    found: dict[int, list[Look]], kind: str, shot_of: Callable[[int], int]
) -> list[Candidate]:
    """Per-keyframe boxes linked into candidates by overlap (never across a cut)."""
    out: list[Candidate] = []
    active: list[Candidate] = []
    for k in sorted(found):
        used: set[int] = set()
        for b, s, colour, shape in found[k]:
            best, best_o = None, 0.3
            for c in active:
                if id(c) in used or c.shot != shot_of(k):
                    continue
                last = c.boxes[c.last]
                o = max(iou(last, b), 0.5 if _inside(b, last, 0.8) else 0.0)
                if o > best_o:
                    best, best_o = c, o
            if best is None:
                best = Candidate(kind, {}, strength=0.0, shot=shot_of(k), sources={kind})
                out.append(best)
                active.append(best)
            used.add(id(best))
            best.boxes[k] = b
            if s >= best.strength:
                best.strength, best.colour, best.shape = s, colour, shape
        active = [c for c in active if c.last >= k - 3 * max(1, k // max(1, len(found)))]
    return out


def propose(
    src: Path,
    *,
    every_s: float = 0.5,
    check: Callable[[], None] = lambda: None,
    progress: Callable[[float], None] = lambda p: None,
) -> Proposal:
    """Every distinct thing in ``src``: named objects, salient and independently moving
    things, static overlays; duplicates merged (a named object keeps its name)."""
    from nemo_widgets.engine.vision.silhouette import silhouette_model

    sc = scan(src, None, every_s=every_s, check=check, progress=lambda p: progress(0.5 * p))
    w, h = sc.width, sc.height
    shot_of = lambda k: sum(c <= k for c in sc.cuts) - 1  # noqa: E731
    cands: list[Candidate] = []
    for t in sc.tracks:
        if max(t.scores) < 0.4:
            continue
        c = Candidate("object", dict(t.boxes), t.label, strength=float(max(t.scores)))
        c.track, c.shot, c.sources = t, t.shot, {"object"}
        cands.append(c)
    model = silhouette_model()
    keys = sc.keyframes
    # Whole-frame saliency on the middle keyframe of each shot (at most 8 shots), and on the
    # first and last of the longest shot; tiles on the longest shot's middle keyframe
    # (U²-Net-p costs ≈0.2 s a look on two cores; a montage must not cost a minute).
    shots = sorted({shot_of(k) for k in keys})
    by_len = sorted(shots, key=lambda s: -sum(shot_of(k) == s for k in keys))
    mids = {
        min(
            (k for k in keys if shot_of(k) == s), key=lambda k, s=s: abs(k - _mid(keys, shot_of, s))
        )
        for s in by_len[:8]
    }
    longest = by_len[0]
    tiled = {k for k in mids if shot_of(k) == longest}
    ends = set(_ends(keys, shot_of, longest)) | mids
    looks = sorted(ends | tiled)
    sal: dict[int, list[Look]] = {}
    mov: dict[int, list[Look]] = {}
    cams: dict[int, tuple[int, np.ndarray]] = {}  # keyframe → (previous keyframe, camera)
    scale = min(1.0, 480 / w)
    prev_small: tuple[int, np.ndarray] | None = None
    with FrameReader(src, check=check) as r:
        for f in r:
            i = f.index
            if i not in keys:
                continue
            rgb = f.rgb
            small = cv2.cvtColor(
                cv2.resize(rgb, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA),
                cv2.COLOR_RGB2GRAY,
            )
            if prev_small is not None and shot_of(prev_small[0]) == shot_of(i):
                boxes, hm = moving_boxes(prev_small[1], small)
                mov[i] = [(tuple(v / scale for v in b), 0.6, None, "") for b in boxes]  # type: ignore[misc]
                to_full = np.diag([scale, scale, 1.0])  # the camera in video pixels
                cams[i] = (prev_small[0], np.linalg.inv(to_full) @ hm @ to_full)
            prev_small = (i, small)
            if model is not None and i in looks:
                sal[i] = _salient_boxes(model, rgb, tiles=i in tiled)
            progress(50 + 35 * i / max(1, sc.frames))
    for c in _link(sal, "salient", shot_of):
        # Seen in one look only (a tile's detail, a flicker of texture): less distinct.
        c.strength *= 0.6 + 0.4 * min(1.0, len(c.boxes) / 3)
        cands.append(c)
    for c in _link(mov, "moving", shot_of):
        if len(c.boxes) >= 2:  # one look is noise
            c.moving = True
            cands.append(c)
    merged = _merge(cands, sc)
    ov = find_overlays(src, check=check)
    for o in ov.overlays:
        span = (o.first, o.last) if o.present.any() else (0, max(0, sc.frames - 1))
        c = Candidate("overlay", {k: tuple(map(float, o.box)) for k in span})  # type: ignore[misc]
        c.overlay, c.strength, c.sources = o, o.score, {"overlay"}
        c.colour = _overlay_colour(o)
        merged = [m for m in merged if not _inside(m.box(), c.box(), 0.6)]
        merged.append(c)
    _describe(src, merged, sc, check, cams)
    for n, c in enumerate(sorted(merged, key=lambda c: (c.first, c.box()[0]))):
        c.id = f"c{n + 1}"
    progress(100)
    return Proposal(merged, sc)


def _ends(keys: list[int], shot_of: Callable[[int], int], s: int) -> tuple[int, int]:
    ks = [k for k in keys if shot_of(k) == s]
    return ks[0], ks[-1]


def _mid(keys: list[int], shot_of: Callable[[int], int], s: int) -> float:
    ks = [k for k in keys if shot_of(k) == s]
    return (ks[0] + ks[-1]) / 2


def _overlay_colour(o: Overlay) -> str | None:
    return colour_name(np.array([o.colour], np.uint8))


def _merge(cands: list[Candidate], sc: Scan) -> list[Candidate]:
    """One candidate per thing: a salient or moving region over a named object joins it; a
    salient region that moves joins the moving one. Tiny or fleeting regions go."""
    order = {"object": 0, "moving": 1, "salient": 2}
    cands.sort(key=lambda c: (order[c.kind], -c.strength))
    out: list[Candidate] = []
    for c in cands:
        host = None
        for o in out:
            if o.shot != c.shot:
                continue
            for kc, ko in ((a, b) for a in c.boxes for b in o.boxes if abs(a - b) <= sc.fps):
                cb, ob = c.boxes[kc], o.boxes[ko]
                ca = (cb[2] - cb[0]) * (cb[3] - cb[1])
                oa = (ob[2] - ob[0]) * (ob[3] - ob[1])
                # Inside and about as large: the same thing; a small thing inside a large
                # box (a cup on a table the detector boxed with the bicycle) stays its own.
                same = 0.2 * max(ca, oa) <= min(ca, oa)
                if iou(cb, ob) > 0.35 or (same and _inside(cb, ob, 0.65)):
                    host = o
                    break
            if host is not None:
                break
        if host is None:
            out.append(c)
            continue
        host.sources |= c.sources
        host.moving = host.moving or c.moving
        if host.kind != "object":
            for k, b in c.boxes.items():
                host.boxes.setdefault(k, b)
    # A salient region seen once in a long shot, or covering most of the frame, is not a thing.
    area = sc.width * sc.height
    return [
        c
        for c in out
        if c.kind == "object"
        or (c.area(sc.width, sc.height) < 0.3 and c.area(sc.width, sc.height) * area > 150)
    ]


def _describe(
    src: Path,
    cands: list[Candidate],
    sc: Scan,
    check: Callable[[], None],
    cams: dict[int, tuple[int, np.ndarray]] | None = None,
) -> None:
    """Colour and shape of each candidate from its middle keyframe (GrabCut for those the
    saliency pass did not describe), and boxes grown to the whole thing: a salient part (the
    half of a hat on one side of a fence bar) grows over the pixels of its own colour next
    to it."""
    want: dict[int, list[Candidate]] = {}
    for c in cands:
        if c.kind == "overlay":
            continue
        ks = sorted(c.boxes)
        want.setdefault(ks[len(ks) // 2], []).append(c)
        if c.track is not None:
            # Against the scene, not the frame: in a handheld or panning shot a parked car
            # moves across the picture with everything else.
            rel = relative_speed(c.track.boxes, cams or {}, sc.fps)
            c.moving = c.moving or (c.track.speed(sc.fps) if rel is None else rel) > 0.15
    if not want:
        return
    with FrameReader(src, check=check) as r:
        for f in r:
            for c in want.get(f.index, []):
                x0, y0, x1, y1 = (int(v) for v in c.boxes[f.index])
                if c.kind != "object":
                    _grow(c, f.rgb, f.index)
                if c.colour is not None and c.kind != "object":
                    continue  # described by its own salient pixels
                mx, my = (x1 - x0) // 3, (y1 - y0) // 3  # background for GrabCut
                H, W = f.rgb.shape[:2]
                box = (max(0, x0 - mx), max(0, y0 - my), min(W, x1 + mx), min(H, y1 + my))
                inner = (x0 - box[0], y0 - box[1], x1 - box[0], y1 - box[1])
                m, crop = _figure(f.rgb, box, inner)
                if crop.size == 0:
                    continue
                c.colour = colour_name(crop[m])
                c.shape = _shape(m)
            if f.index >= max(want):
                break


def _grow(c: Candidate, rgb: np.ndarray, k: int, rounds: int = 4) -> None:
    """Grow ``c``'s boxes over the pixels next to it that have its colour (at keyframe
    ``k``); every keyframe's box grows by the same amount. A few rounds, half a box each."""
    start = dict(c.boxes)
    for _ in range(rounds):
        before = c.boxes[k]
        _grow_once(c, rgb, k)
        if c.boxes[k] == before:
            break
    a0, a1 = (
        (b[2] - b[0]) * (b[3] - b[1]) for b in (start[k], c.boxes[k])
    )  # a thing grows to its whole; a grey patch grows into the grey road: undone
    if a1 > 4 * a0:
        c.boxes = start


def _grow_once(c: Candidate, rgb: np.ndarray, k: int) -> None:
    H, W = rgb.shape[:2]
    x0, y0, x1, y1 = (int(v) for v in c.boxes[k])
    bw, bh = x1 - x0, y1 - y0
    if bw < 3 or bh < 3:
        return
    wx0, wy0 = max(0, x0 - bw // 2), max(0, y0 - bh // 2)
    wx1, wy1 = min(W, x1 + bw // 2), min(H, y1 + bh // 2)
    lab = cv2.cvtColor(rgb[wy0:wy1, wx0:wx1], cv2.COLOR_RGB2LAB).astype(np.float32)
    core = lab[y0 - wy0 + bh // 4 : y1 - wy0 - bh // 4, x0 - wx0 + bw // 4 : x1 - wx0 - bw // 4]
    if core.size == 0:
        return
    ref = np.median(core.reshape(-1, 3), axis=0)
    like = (np.linalg.norm(lab - ref, axis=2) < 22).astype(np.uint8)
    like = cv2.morphologyEx(like, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    _, lab_, st, _ = cv2.connectedComponentsWithStats(like)
    inner = lab_[y0 - wy0 : y1 - wy0, x0 - wx0 : x1 - wx0]
    ids, counts = np.unique(inner[inner > 0], return_counts=True)
    if not ids.size:
        return
    best = int(ids[np.argmax(counts)])
    gx, gy, gw, gh = (int(v) for v in st[best, :4])
    touches = (gx == 0 and wx0 > 0) + (gy == 0 and wy0 > 0)
    touches += (gx + gw == wx1 - wx0 and wx1 < W) + (gy + gh == wy1 - wy0 and wy1 < H)
    if touches >= 3 or counts.max() < 0.25 * bw * bh:
        return  # it runs into the background: its colour is not its own
    nx0, ny0 = min(x0, gx + wx0), min(y0, gy + wy0)
    nx1, ny1 = max(x1, gx + gw + wx0), max(y1, gy + gh + wy0)
    d = (nx0 - x0, ny0 - y0, nx1 - x1, ny1 - y1)
    for key, b in list(c.boxes.items()):
        c.boxes[key] = (
            max(0.0, b[0] + d[0]),
            max(0.0, b[1] + d[1]),
            min(float(W), b[2] + d[2]),
            min(float(H), b[3] + d[3]),
        )


def _figure(
    rgb: np.ndarray, box: tuple[int, int, int, int], inner: tuple[int, int, int, int]
) -> tuple[np.ndarray, np.ndarray]:
    """The thing's pixels in ``box`` (no model): GrabCut on the small crop, started from
    ``inner`` (the thing's own box, in crop pixels); and the crop."""
    x0, y0, x1, y1 = box
    crop = rgb[y0:y1, x0:x1]
    if crop.size == 0 or min(crop.shape[:2]) < 8:
        return np.ones(crop.shape[:2], bool), crop
    s = min(1.0, 120 / max(crop.shape[:2]))
    small = cv2.resize(crop, (max(8, round(crop.shape[1] * s)), max(8, round(crop.shape[0] * s))))
    ix0, iy0, ix1, iy1 = (round(v * s) for v in inner)
    rect = (max(1, ix0), max(1, iy0), max(2, ix1 - ix0), max(2, iy1 - iy0))
    gc = np.zeros(small.shape[:2], np.uint8)
    try:
        cv2.setRNGSeed(0)
        cv2.grabCut(
            np.ascontiguousarray(small[..., ::-1]),
            gc,
            rect,
            np.zeros((1, 65)),
            np.zeros((1, 65)),
            3,
            cv2.GC_INIT_WITH_RECT,
        )
    except cv2.error:
        return np.ones(crop.shape[:2], bool), crop
    m = ((gc == cv2.GC_FGD) | (gc == cv2.GC_PR_FGD)).astype(np.uint8)
    n, lab, st, _ = cv2.connectedComponentsWithStats(m)
    if n <= 1:
        return np.ones(crop.shape[:2], bool), crop
    m = (lab == 1 + int(np.argmax(st[1:, cv2.CC_STAT_AREA]))).astype(np.uint8)
    m = cv2.resize(m, (crop.shape[1], crop.shape[0]), interpolation=cv2.INTER_NEAREST)
    return m > 0, crop


def _shape(m: np.ndarray) -> str:
    """A shape word from a silhouette: tall, wide, round, pointed (a cone, a hat) or box."""
    ys, xs = np.nonzero(m)
    if ys.size < 6:
        return ""
    m = m[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    h, w = m.shape
    if h > 1.8 * w:
        base = "tall"
    elif w > 1.8 * h:
        base = "wide"
    else:
        base = ""
    rows = m.any(axis=1)
    if rows.sum() >= 6:
        ys = np.flatnonzero(rows)
        top = m[ys[0] : ys[0] + max(1, len(ys) // 4)].sum(axis=1).mean()
        bottom = m[ys[-1] - max(1, len(ys) // 4) + 1 : ys[-1] + 1].sum(axis=1).mean()
        if bottom > 1.6 * max(top, 1):
            return "pointed"
    fill = m.mean()
    if base:
        return base
    return "round" if 0.6 < fill < 0.86 else "box" if fill >= 0.86 else ""
