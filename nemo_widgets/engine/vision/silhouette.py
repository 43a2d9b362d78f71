"""From a detector's box to the object's own pixels: a silhouette, not a box with a margin.

U²-Net-p (a salient-object network, 4.6 MB, see MODELS.md) on the box crop gives the
object's shape; people also get the person segmentation. The mask then takes in what belongs
to the object without being detected with it — the contact shadow on the ground beneath it,
the blur of its edge — and nothing of the box's corners (road, wall, a fence standing in
front is left to :func:`keep_occluders`).
"""

from __future__ import annotations

import threading
from typing import Any

import cv2
import numpy as np

_MEAN = np.array([0.485, 0.456, 0.406], np.float32)
_STD = np.array([0.229, 0.224, 0.225], np.float32)


class Silhouette:
    """U²-Net-p on onnxruntime: an RGB crop → saliency in [0, 1] at the crop's size."""

    _lock = threading.Lock()
    SIZE = 320

    def __init__(self, threads: int = 2) -> None:
        import onnxruntime as ort

        from nemo_widgets.engine.vision.models import model_path, ort_options

        with self._lock:
            path = model_path("u2netp")
        self.sess = ort.InferenceSession(
            str(path), ort_options(threads), providers=["CPUExecutionProvider"]
        )
        self.input = self.sess.get_inputs()[0].name

    def __call__(self, rgb: np.ndarray) -> np.ndarray:
        h, w = rgb.shape[:2]
        x = cv2.resize(rgb, (self.SIZE, self.SIZE), interpolation=cv2.INTER_AREA).astype(np.float32)
        x = (x / max(float(x.max()), 1.0) - _MEAN) / _STD
        out = self.sess.run(None, {self.input: x.transpose(2, 0, 1)[None]})[0][0, 0]
        lo, hi = float(out.min()), float(out.max())
        sal = (out - lo) / max(hi - lo, 1e-6)
        return cv2.resize(sal, (w, h), interpolation=cv2.INTER_LINEAR)


_shared: dict[str, Any] = {}


def silhouette_model() -> Silhouette | None:
    """One shared model, or None when it cannot be had (no network on first use)."""
    if "u2" not in _shared:
        try:
            _shared["u2"] = Silhouette()
        except Exception:  # the box (with GrabCut) stays the fallback
            _shared["u2"] = None
    return _shared["u2"]


def object_mask(
    crop: np.ndarray,
    inner: tuple[int, int, int, int],
    *,
    person: np.ndarray | None = None,
) -> np.ndarray | None:
    """The object's mask in ``crop`` (the detector's box with a margin around it; ``inner``
    is the box itself in crop pixels), or None when the silhouette is not believable (then
    the caller keeps the box). ``person``: a person segmentation of the crop to add."""
    model = silhouette_model()
    if model is None:
        return None
    h, w = crop.shape[:2]
    sal = model(crop)
    x0, y0, x1, y1 = inner
    inside = np.zeros((h, w), bool)
    inside[max(0, y0) : y1, max(0, x0) : x1] = True
    fg = sal > 0.35
    if person is not None:
        fg |= person
    # What the network calls salient outside the box belongs to something else, except for
    # a few pixels of blur at its edges.
    near = cv2.dilate(inside.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    first = _salient_object(fg & near, inside, (x0, y0, x1, y1))
    if first is not None:
        near |= _cut_sides(first, (x0, y0, x1, y1))
    fg &= near
    fg = _salient_object(fg, inside, (x0, y0, x1, y1))
    if fg is None:
        if person is not None:
            return None
        # Nothing believable (a fence in front draws the network's eye): the box itself,
        # a little wider (a box drawn on an object seen through a fence often falls short
        # of its nose and tail; what is left standing shows far more than a strip of road
        # filled in), from which keep_occluders then takes what stands in front.
        fg = np.zeros((h, w), bool)
        grow = (x1 - x0) // 8
        fg[max(0, y0) : y1, max(0, x0 - grow) : x1 + grow] = True
    elif person is None:
        # The middle of a vehicle's box is the vehicle, whatever the network saw (a fence bar
        # across it splits its saliency): the box's core joins the silhouette.
        mx, my = (x1 - x0) // 8, (y1 - y0) // 6
        fg[max(0, y0 + my) : y1 - my // 2, max(0, x0 + mx) : x1 - mx] = True
    return with_shadow(fg, inner, feet=person is not None)


def _cut_sides(fg: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """Where the detector's box cut the object off (a car behind a fence is often boxed in
    pieces): beyond a left or right side that the silhouette fills for much of its height,
    the crop out to its edge, in the box's rows, may join the silhouette."""
    h, w = fg.shape
    x0, y0, x1, y1 = max(0, box[0]), max(0, box[1]), min(w, box[2]), min(h, box[3])
    more = np.zeros((h, w), bool)
    if x1 - x0 < 4 or y1 - y0 < 4:
        return more
    for col, region in ((x0 + 1, np.s_[y0:y1, :x0]), (x1 - 2, np.s_[y0:y1, x1:])):
        if fg[y0:y1, col].mean() >= 0.35:
            more[region] = True
    return more


def _salient_object(
    fg: np.ndarray, inside: np.ndarray, box: tuple[int, int, int, int]
) -> np.ndarray | None:
    """The salient components the box is about (those over its middle), holes filled; None
    when they cover too little or nearly all of the box to be believed."""
    x0, y0, x1, y1 = box
    n, lab, stats, _ = cv2.connectedComponentsWithStats(fg.astype(np.uint8))
    if n <= 1:
        return None
    keep = np.zeros(n, bool)
    cy0, cy1 = y0 + (y1 - y0) // 4, y1 - (y1 - y0) // 4
    cx0, cx1 = x0 + (x1 - x0) // 4, x1 - (x1 - x0) // 4
    keep[np.unique(lab[max(0, cy0) : cy1, max(0, cx0) : cx1])] = True
    keep &= stats[:, cv2.CC_STAT_AREA] >= 0.02 * inside.sum()
    keep[0] = False
    fg = keep[lab]
    share = fg[inside].mean() if inside.any() else 0.0
    if not 0.12 < share < 0.995:
        return None
    # Holes inside the object (a window, the gap between a person's arm and body) go with it.
    cnts, _ = cv2.findContours(fg.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    solid = np.zeros(fg.shape, np.uint8)
    cv2.drawContours(solid, cnts, -1, 1, -1)
    return solid > 0


def with_shadow(
    fg: np.ndarray, inner: tuple[int, int, int, int], *, feet: bool = False
) -> np.ndarray:
    """The silhouette, its blurred edge and the contact shadow: the mask is carried a little
    downward (a shadow falls on the ground beneath an object) and grown by a few pixels.
    ``feet``: a person, who meets the ground with the feet alone — the shadow spreads from
    the silhouette's lowest rows, a little sideways, not from the box's lower quarter
    (carried down from there, the hips and hands swung out beside them widened a walker's
    mask over the legs by the width of the hips: ~3,000 px a frame more than the walker on
    the shelves cell, whose legs cross the talking head's moving shoulder)."""
    x0, y0, x1, y1 = inner
    bh = max(4, y1 - y0)
    down = max(2, int(0.1 * bh))
    side = max(2, int(0.12 * (x1 - x0)))
    grown = fg.astype(np.uint8)
    kernel = np.ones((down + 1, 2 * side + 1), np.uint8)
    low = grown.copy()
    top = y0 + (3 * bh) // 4  # the shadow spreads from where the object meets the ground
    rows = np.flatnonzero(grown.any(1))
    if feet and rows.size:
        top = max(top, int(rows[-1]) - down // 2)
        # Under the feet the shadow hardly spreads sideways (the edge growth below covers
        # it); a car's 12 % there widened the hole over the ground around a walker's feet.
        side = max(2, int(0.04 * (x1 - x0)))
        kernel = np.ones((down + 1, 2 * side + 1), np.uint8)
    low[:top] = 0
    shadow = cv2.dilate(low, kernel, anchor=(side, down))  # only downward, a little sideways
    edge = max(2, round(0.025 * max(bh, x1 - x0)))
    grown = cv2.dilate(grown | shadow, np.ones((2 * edge + 1,) * 2, np.uint8))
    return grown > 0


def keep_occluders(crop: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """``mask`` without what stands in front of the object: thin straight bars (a fence, a
    railing, a pole) that cross the whole mask and run on outside it on both sides. Bars are
    found as thin dark structures (black-hat) with straight lines through them; inside the
    mask, the pixels along a bar that have its colour (measured outside) stay in the picture.
    An object's own edges (a bumper, a roof line) end at its outline and are not taken."""
    h, w = mask.shape
    diag = float(np.hypot(h, w))
    grey = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY)
    k = max(7, int(0.1 * diag)) | 1
    hat = cv2.morphologyEx(grey, cv2.MORPH_BLACKHAT, np.ones((k, k), np.uint8))
    bars = (hat > max(18.0, float(np.percentile(hat, 85)))).astype(np.uint8)
    lines = cv2.HoughLinesP(
        bars, 1, np.pi / 180, threshold=max(20, int(0.15 * diag)),
        minLineLength=0.3 * diag, maxLineGap=0.04 * diag,
    )  # fmt: skip
    if lines is None:
        return mask
    lab = cv2.cvtColor(crop, cv2.COLOR_RGB2LAB).astype(np.float32)
    width = max(3, round(0.03 * diag))
    reach = max(4, int(0.03 * diag))
    keep = np.zeros((h, w), bool)
    segs = lines.reshape(-1, 4)
    segs = segs[np.argsort(-np.hypot(segs[:, 2] - segs[:, 0], segs[:, 3] - segs[:, 1]))][:24]
    for x0, y0, x1, y1 in segs:
        d = np.array([x1 - x0, y1 - y0], np.float64)
        d /= float(np.hypot(*d)) or 1.0
        ts = np.arange(-2 * diag, 2 * diag)
        px = np.round(x0 + ts * d[0]).astype(int)
        py = np.round(y0 + ts * d[1]).astype(int)
        ok = (px >= 0) & (px < w) & (py >= 0) & (py < h)
        px, py = px[ok], py[ok]
        inside = mask[py, px]
        if inside.sum() < reach:
            continue
        first, last = np.flatnonzero(inside)[[0, -1]]
        before = slice(max(0, first - reach), first)
        after = slice(last + 1, last + 1 + reach)
        on = bars[py, px] > 0
        if on[before].size < reach // 2 or on[after].size < reach // 2:
            continue  # the mask reaches the crop's edge there: nothing to see beyond it
        if on[before].mean() < 0.5 or on[after].mean() < 0.5:
            continue  # not a bar running on through the object
        # A rail or a fence runs on well beyond the object on both sides (as far as the
        # view shows); an edge of the object that happens to line up with something dark
        # beside it (a sill with the next car's bumper) does not.
        far = max(reach, int(0.25 * (last - first)))
        before_far = on[max(0, first - far) : first]
        after_far = on[last + 1 : last + 1 + far]
        if before_far.mean() < 0.5 or after_far.mean() < 0.5:
            continue
        ref = np.concatenate([lab[py[before], px[before]], lab[py[after], px[after]]])
        colour = np.median(ref, axis=0)
        spread = max(10.0, 2.5 * float(np.median(np.abs(ref - colour).sum(1))))
        line = lab[py[first:last], px[first:last]]
        if (np.abs(line - colour).sum(1) < spread).mean() < 0.4:
            continue  # inside, the line does not look like the bar: the object is in front
        if _like_its_sides(lab, mask, px[first:last], py[first:last], d, width, spread):
            continue  # an edge of the object itself (a black car's sill over a dark kerb)
        band = np.zeros((h, w), np.uint8)
        cv2.line(band, (int(px[0]), int(py[0])), (int(px[-1]), int(py[-1])), 1, width)
        on_band = (band > 0) & mask
        ys, xs = np.nonzero(on_band)
        near = np.abs(lab[ys, xs] - colour).sum(1) < spread
        keep[ys[near], xs[near]] = True
    keep = cv2.morphologyEx(keep.astype(np.uint8), cv2.MORPH_OPEN, np.ones((2, 2), np.uint8)) > 0
    return mask & ~keep


def _like_its_sides(
    lab: np.ndarray,
    mask: np.ndarray,
    px: np.ndarray,
    py: np.ndarray,
    d: np.ndarray,
    width: int,
    spread: float,
) -> bool:
    """Whether the line (``px``, ``py`` inside the mask, direction ``d``) has the colour of
    the object just beside it on both sides: then it is a line of the object (a dark sill on
    a dark car), not a bar in front of it, and taking it out would leave a stripe of the
    object standing."""
    h, w = mask.shape
    off = width + 2
    nx, ny = -d[1], d[0]
    line = lab[py, px]
    alike = []
    for sign in (1, -1):
        qx = np.round(px + sign * off * nx).astype(int)
        qy = np.round(py + sign * off * ny).astype(int)
        ok = (qx >= 0) & (qx < w) & (qy >= 0) & (qy < h)
        ok[ok] &= mask[qy[ok], qx[ok]]
        if ok.sum() < 0.3 * len(px):
            return False  # that side is not the object: the line may well be a bar
        alike.append(float((np.abs(line[ok] - lab[qy[ok], qx[ok]]).sum(1) < spread).mean()))
    return min(alike) > 0.6
