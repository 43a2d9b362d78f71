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

        from nemo_widgets.engine.vision.models import model_path

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.log_severity_level = 3
        with self._lock:
            path = model_path("u2netp")
        self.sess = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
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
    fg &= near
    n, lab, stats, _ = cv2.connectedComponentsWithStats(fg.astype(np.uint8))
    if n <= 1:
        return None
    # The object is the salient part the box is about: components overlapping its middle.
    keep = np.zeros(n, bool)
    cy0, cy1 = y0 + (y1 - y0) // 4, y1 - (y1 - y0) // 4
    cx0, cx1 = x0 + (x1 - x0) // 4, x1 - (x1 - x0) // 4
    mid = np.unique(lab[max(0, cy0) : cy1, max(0, cx0) : cx1])
    big = stats[:, cv2.CC_STAT_AREA] >= 0.02 * inside.sum()
    keep[mid] = True
    keep &= big
    keep[0] = False
    fg = keep[lab]
    share = fg[inside].mean() if inside.any() else 0.0
    if not 0.12 < share < 0.995:
        return None
    # Holes inside the object (a window, the gap between a person's arm and body) go with it.
    cnts, _ = cv2.findContours(fg.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    solid = np.zeros((h, w), np.uint8)
    cv2.drawContours(solid, cnts, -1, 1, -1)
    fg = solid > 0
    if person is None:
        # The middle of a vehicle's box is the vehicle, whatever the network saw (a fence bar
        # across it splits its saliency): the box's core joins the silhouette.
        mx, my = (x1 - x0) // 8, (y1 - y0) // 6
        fg[max(0, y0 + my) : y1 - my // 2, max(0, x0 + mx) : x1 - mx] = True
    return with_shadow(fg, inner)


def with_shadow(fg: np.ndarray, inner: tuple[int, int, int, int]) -> np.ndarray:
    """The silhouette, its blurred edge and the contact shadow: the mask is carried a little
    downward (a shadow falls on the ground beneath an object) and grown by a few pixels."""
    x0, y0, x1, y1 = inner
    bh = max(4, y1 - y0)
    down = max(2, int(0.1 * bh))
    side = max(2, int(0.12 * (x1 - x0)))
    grown = fg.astype(np.uint8)
    kernel = np.ones((down + 1, 2 * side + 1), np.uint8)
    low = grown.copy()
    low[: y0 + (3 * bh) // 4] = 0  # the shadow spreads from where the object meets the ground
    shadow = cv2.dilate(low, kernel, anchor=(side, down))  # only downward, a little sideways
    edge = max(2, round(0.025 * max(bh, x1 - x0)))
    grown = cv2.dilate(grown | shadow, np.ones((2 * edge + 1,) * 2, np.uint8))
    return grown > 0
