"""Today's matte, frozen: the baseline the benchmark scores every new matte against.

A verbatim copy of ``Matte``, ``colour_guided_coefficients`` and ``composite`` from
nemo_widgets/engine/vision/background.py at commit 3ca8c6b (before issue #23), kept here
ONLY as a baseline so that "today's matte" stays the same figure in every later run. The
segmentation model (``Segmenter``) and ``downscale`` are imported: they did not change.
Do not edit, do not import from the package.
"""

from __future__ import annotations

import cv2
import numpy as np

from nemo_widgets.engine.video_io import downscale
from nemo_widgets.engine.vision.background import Segmenter


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


class OldMatte:
    """Segmentation + temporal stability + guided upsampling → full-resolution alpha."""

    #: Longest side of the guided filter's working image: 1/4 of 720p; at 1080p it is 1/6.
    GUIDE_SIDE = 320

    def __init__(self, w: int, h: int, *, temporal: bool = True) -> None:
        self.w, self.h = w, h
        self.seg = Segmenter(landscape=w / h > 1.2)
        self.temporal = temporal
        self.prev: np.ndarray | None = None
        self.prev_gray: np.ndarray | None = None
        self.flow = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_ULTRAFAST)
        sw, sh = self.seg.w, self.seg.h
        # Guided filter at about 1/4 scale of the output (at least the model's size).
        scale = max(min(0.25, self.GUIDE_SIDE / max(w, h)), sw / w, sh / h)
        self.gw, self.gh = min(w, max(sw, round(w * scale))), min(h, max(sh, round(h * scale)))
        # A small radius: a larger one follows strong background edges next to the person
        # (a fence) into a halo; halving it cut alpha MAD by a quarter on real backgrounds.
        self.radius = max(1, round(4 * self.gw / 480))
        self.eps = 1e-3
        self._sum = np.ones((1, 3), np.float32)

    def _segment(self, small: np.ndarray) -> np.ndarray:
        """The model's mask, averaged with its mask of the mirrored frame: errors that depend
        on where things are (a post behind one ear) differ between the two and halve."""
        mirrored = self.seg(np.ascontiguousarray(small[:, ::-1]))
        return 0.5 * (self.seg(small) + mirrored[:, ::-1])

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
        mask = self._stabilise(self._segment(small), small)
        # A firmer curve: the model's output is soft far from the true edge.
        mask = np.clip((mask - 0.5) * 2.2 + 0.5, 0, 1).astype(np.float32)
        return self._guided(rgb, mask)

    def _guided(self, rgb: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Fast guided filter: coefficients at low resolution from the colour guide, applied
        to the full frame through its luma.

        The full-resolution detail is taken as grey (ΔI ≈ ΔY·(1, 1, 1)): the source's chroma
        is subsampled anyway (4:2:0), and one plane at full size costs a third of three.
        """
        guide = downscale(rgb, self.gw, self.gh).astype(np.float32)
        guide *= 1 / 255.0
        p = cv2.resize(mask, (self.gw, self.gh), interpolation=cv2.INTER_LINEAR)
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


def old_composite(
    rgb: np.ndarray, alpha: np.ndarray, background: np.ndarray, *, wrap: float = 0.3
) -> np.ndarray:
    """Person over background, with despill and light wrap, in OpenCV.

    Edge pixels (partial alpha) still carry some of the old background. They are pulled
    towards a target made at 1/4 scale — the colour of the person's interior nearby, with a
    little of the new background (light wrap) — inside the edge band's bounding box only;
    then one full-frame blend puts the person over the background.
    """
    h, w = alpha.shape
    sw, sh = max(1, w // 4), max(1, h // 4)
    a_s = cv2.resize(alpha, (sw, sh), interpolation=cv2.INTER_AREA)
    band = (a_s > 0.02) & (a_s < 0.98)
    fg = rgb
    if band.any():
        ys, xs = np.nonzero(band)
        pad = 3
        y0, y1 = max(0, ys.min() - pad), min(sh, ys.max() + pad + 1)
        x0, x1 = max(0, xs.min() - pad), min(sw, xs.max() + pad + 1)
        core = (a_s > 0.9).astype(np.float32)
        fg_s = downscale(rgb, sw, sh).astype(np.float32)
        bg_s = downscale(background, sw, sh).astype(np.float32)
        num = cv2.blur(fg_s * core[..., None], (9, 9))
        den = cv2.blur(core, (9, 9))[..., None]
        interior = np.where(den > 0.05, num / np.maximum(den, 1e-4), fg_s)
        target_s = interior * (1 - wrap) + cv2.blur(bg_s, (5, 5)) * wrap
        # Full-resolution region of interest; only its part of the target is scaled up.
        Y0, Y1, X0, X1 = y0 * h // sh, min(h, y1 * h // sh), x0 * w // sw, min(w, x1 * w // sw)
        target = cv2.resize(
            np.clip(target_s[y0:y1, x0:x1], 0, 255).astype(np.uint8),
            (X1 - X0, Y1 - Y0),
            interpolation=cv2.INTER_LINEAR,
        )
        a_roi = alpha[Y0:Y1, X0:X1]
        take = cv2.multiply(a_roi, cv2.subtract(1.0, a_roi), scale=4.0)
        fg = rgb.copy()
        fg[Y0:Y1, X0:X1] = cv2.blendLinear(rgb[Y0:Y1, X0:X1], target, cv2.subtract(1.0, take), take)
    return cv2.blendLinear(fg, background, alpha, cv2.subtract(1.0, alpha))
