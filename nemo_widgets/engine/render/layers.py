"""Render, stage 2 — the layers of a picture: each segment's source read by time and placed on
the canvas (fit / fill / blurred padding), crossfades, and titles drawn once with Pillow and
blended per frame with a fade."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from nemo_widgets.draft import Segment
from nemo_widgets.engine.render.plan import Canvas, RenderError
from nemo_widgets.video_io import FrameReader


class Placer:
    """Puts a source frame of one size onto the canvas (fit, fill or blurred padding)."""

    def __init__(self, sw: int, sh: int, canvas: Canvas) -> None:
        cw, ch = canvas.width, canvas.height
        self.same = (sw, sh) == (cw, ch)
        self.mode = canvas.fit
        self.cw, self.ch = cw, ch
        s = max(cw / sw, ch / sh) if self.mode == "fill" else min(cw / sw, ch / sh)
        self.w, self.h = max(1, round(sw * s)), max(1, round(sh * s))
        self.x, self.y = (cw - self.w) // 2, (ch - self.h) // 2
        self.interp = cv2.INTER_AREA if s < 1 else cv2.INTER_LINEAR

    def __call__(self, img: np.ndarray) -> np.ndarray:
        if self.same:
            return img
        scaled = cv2.resize(img, (self.w, self.h), interpolation=self.interp)
        if self.mode == "fill":
            x0, y0 = -self.x, -self.y
            return np.ascontiguousarray(scaled[y0 : y0 + self.ch, x0 : x0 + self.cw])
        if self.mode == "blur":
            small = cv2.resize(
                img, (max(1, self.cw // 8), max(1, self.ch // 8)), interpolation=cv2.INTER_AREA
            )
            small = cv2.GaussianBlur(small, (0, 0), 3)
            out = cv2.resize(small, (self.cw, self.ch), interpolation=cv2.INTER_LINEAR)
            out = cv2.convertScaleAbs(out, alpha=0.7)
        else:
            out = np.zeros((self.ch, self.cw, 3), np.uint8)
        out[self.y : self.y + self.h, self.x : self.x + self.w] = scaled
        return out


class VideoReader:
    """Frames of one segment's source, by source time, placed on the canvas."""

    def __init__(
        self, path: Path, canvas: Canvas, start_s: float, rebuilt_fps: float | None = None
    ) -> None:
        #: Timestamps the probe found out of order: frame n is shown at n / fps, and seeking
        #: (which needs trustworthy timestamps) is replaced by decoding from the start.
        self.source = FrameReader(path, start_s=start_s, rebuilt_fps=rebuilt_fps)
        self.canvas = canvas
        self.placer: Placer | None = None
        self.shown: Any = None
        self.placed: np.ndarray | None = None

    def at(self, t: float) -> np.ndarray:
        """The last frame shown at or before source time ``t`` (the first frame if none)."""
        f = self.source.at(t)
        if f is None:
            raise RenderError("the source has no decodable video frames")
        if f is not self.shown:
            img = f.rgb
            if self.placer is None:
                self.placer = Placer(img.shape[1], img.shape[0], self.canvas)
            self.shown, self.placed = f, self.placer(img)
        assert self.placed is not None
        return self.placed

    def close(self) -> None:
        self.source.close()


class ImageReader:
    def __init__(self, path: Path, canvas: Canvas) -> None:
        from PIL import Image

        with Image.open(path) as im:
            img = np.asarray(im.convert("RGB"))
        self.frame = Placer(img.shape[1], img.shape[0], canvas)(img)

    def at(self, t: float) -> np.ndarray:
        return self.frame

    def close(self) -> None:
        pass


# -- titles ---------------------------------------------------------------------------------
_CJK_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)


def _has_cjk(text: str) -> bool:
    return any(
        "\u2e80" <= ch <= "\u9fff" or "\uac00" <= ch <= "\ud7af" or "\u3040" <= ch <= "\u30ff"
        for ch in text
    )


def _font(size: int, text: str) -> tuple[Any, str | None]:
    from PIL import ImageFont

    if _has_cjk(text):
        for path in _CJK_FONTS:
            if os.path.exists(path):
                return ImageFont.truetype(path, size), None
        warning = (
            "no CJK font is installed, so Chinese/Japanese/Korean characters may show as "
            "boxes; install fonts-noto-cjk"
        )
        return ImageFont.load_default(size=size), warning
    return ImageFont.load_default(size=size), None


def _colour(value: Any, default: tuple[int, int, int]) -> tuple[int, int, int]:
    """A CSS colour ("red", "#ff0000", "darkblue"), also as people write it: "dark blue",
    "light pink" (the named shade if CSS has one, else the colour darkened or lightened)."""
    if not isinstance(value, str):
        return default
    v = value.strip().lower()
    if (rgb := _css(v) or _css(v.replace(" ", ""))) is not None:
        return rgb
    shade, _, base = v.partition(" ")
    if shade not in ("dark", "deep", "light", "pale", "bright") or (rgb := _css(base)) is None:
        return default
    if shade in ("dark", "deep"):
        return (round(rgb[0] * 0.55), round(rgb[1] * 0.55), round(rgb[2] * 0.55))
    return (round(rgb[0] + (255 - rgb[0]) * 0.5), round(rgb[1] + (255 - rgb[1]) * 0.5),
            round(rgb[2] + (255 - rgb[2]) * 0.5))  # fmt: skip


def _css(name: str) -> tuple[int, int, int] | None:
    from PIL import ImageColor

    try:
        return ImageColor.getrgb(name)[:3] if name else None
    except ValueError:
        return None


@dataclass
class Title:
    seg: Segment
    rgba: np.ndarray  # premultiplied-ready RGBA, uint8
    x: int
    y: int


def build_title(seg: Segment, canvas: Canvas, warnings: list[str]) -> Title:
    from PIL import Image, ImageDraw

    st = dict(seg.style or {})
    text = seg.text or ""
    size = st.get("size")
    px = (
        int(size * canvas.height)
        if isinstance(size, float) and size < 1
        else int(size or canvas.height * 0.08)
    )
    px = max(8, min(px, canvas.height // 2))
    font, warn = _font(px, text)
    if warn and warn not in warnings:
        warnings.append(warn)
    colour = _colour(st.get("color"), (255, 255, 255))
    probe = ImageDraw.Draw(Image.new("RGBA", (1, 1)))
    max_w = canvas.width * 0.9

    def measure(t: str, f: Any) -> tuple[int, int, tuple[int, int, int, int]]:
        b = probe.multiline_textbbox(
            (0, 0), t, font=f, align="center", stroke_width=max(1, int(f.size) // 20)
        )
        ib = (math.floor(b[0]), math.floor(b[1]), math.ceil(b[2]), math.ceil(b[3]))
        return ib[2] - ib[0], ib[3] - ib[1], ib

    tw, th, box = measure(text, font)
    if tw > max_w and " " in text.strip() and "\n" not in text:
        # Wrap into two balanced lines before shrinking the type.
        words = text.split()
        best = min(
            range(1, len(words)),
            key=lambda k: abs(len(" ".join(words[:k])) - len(" ".join(words[k:]))),
        )
        text = " ".join(words[:best]) + "\n" + " ".join(words[best:])
        tw, th, box = measure(text, font)
    if tw > max_w:
        px = max(8, int(px * max_w / tw))
        font, _ = _font(px, text)
        tw, th, box = measure(text, font)
    pad = px // 3
    img = Image.new(
        "RGBA", (min(tw + 2 * pad, canvas.width), min(th + 2 * pad, canvas.height)), (0, 0, 0, 0)
    )
    draw = ImageDraw.Draw(img)
    bg = st.get("bg")
    if bg:
        draw.rounded_rectangle(
            (0, 0, img.width - 1, img.height - 1), radius=pad, fill=(*_colour(bg, (0, 0, 0)), 160)
        )
    draw.multiline_text(
        (pad - box[0], pad - box[1]),
        text,
        font=font,
        fill=(*colour, 255),
        align="center",
        stroke_width=max(1, px // 20),
        stroke_fill=(0, 0, 0, 200),
    )
    arr = np.asarray(img)
    pos = st.get("pos", "center")
    margin = int(canvas.height * 0.06)
    x = (canvas.width - arr.shape[1]) // 2
    if isinstance(pos, list | tuple) and len(pos) == 2:
        x = int(float(pos[0]) * canvas.width - arr.shape[1] / 2)
        y = int(float(pos[1]) * canvas.height - arr.shape[0] / 2)
    elif pos == "top":
        y = margin
    elif pos == "bottom":
        y = canvas.height - arr.shape[0] - margin
    else:
        y = (canvas.height - arr.shape[0]) // 2
    x = max(0, min(x, canvas.width - arr.shape[1]))
    y = max(0, min(y, canvas.height - arr.shape[0]))
    return Title(seg, arr, x, y)


def picture_fade(frame: np.ndarray, t_ms: float, end_ms: float, meta: dict) -> np.ndarray:
    """The draft's fade from and to black (``m.fade_in`` / ``m.fade_out``, in ms)."""
    fi, fo = float(meta.get("fade_in") or 0), float(meta.get("fade_out") or 0)
    k = 1.0
    if fi > 0 and t_ms < fi:
        k = t_ms / fi
    if fo > 0 and end_ms - t_ms < fo:
        k = min(k, max(0.0, end_ms - t_ms) / fo)
    return frame if k >= 1.0 else cv2.convertScaleAbs(frame, alpha=max(0.0, k))


def _fade(seg: Segment, t_ms: float, default_ms: float) -> float:
    fi = seg.fade_in if seg.fade_in is not None else default_ms
    fo = seg.fade_out if seg.fade_out is not None else default_ms
    a = 1.0
    if fi > 0:
        a = min(a, (t_ms - seg.start) / fi)
    if fo > 0:
        a = min(a, (seg.end - t_ms) / fo)
    return max(0.0, min(1.0, a))


def blend_title(frame: np.ndarray, title: Title, alpha: float) -> None:
    h, w = title.rgba.shape[:2]
    roi = frame[title.y : title.y + h, title.x : title.x + w]
    a = title.rgba[..., 3:4].astype(np.float32) * (alpha / 255.0)
    roi[:] = (roi * (1 - a) + title.rgba[..., :3] * a).astype(np.uint8)


def _transition_ms(seg: Segment) -> float:
    tr = seg.transition
    if isinstance(tr, dict) and tr.get("k", "crossfade") in ("crossfade", "fade"):
        return float(tr.get("du", 500))
    if isinstance(tr, int | float):
        return float(tr)
    return 0.0
