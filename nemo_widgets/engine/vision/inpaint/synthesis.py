"""Pixels no frame ever showed: exemplar synthesis (PatchMatch) on the low frequencies of
frequency-selective reconstruction, once per shot on its plate."""

from __future__ import annotations

import cv2
import numpy as np

from nemo_widgets.engine.vision.inpaint.flow import push_pull
from nemo_widgets.engine.vision.inpaint.motion import bbox


def bars_in_front(img: np.ndarray, hole: np.ndarray) -> np.ndarray:
    """Thin dark structures (a fence's bars, a pole) among the known pixels around ``hole``:
    they stand in front of the surface, so they neither shape the fill nor are copied into it
    (a fence copied into the hole reads as streaks, and averaged into it as a dark blob)."""
    grey = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
    k = max(7, min(img.shape[:2]) // 12) | 1
    hat = cv2.morphologyEx(grey, cv2.MORPH_BLACKHAT, np.ones((k, k), np.uint8))
    known = ~hole
    if not known.any():
        return np.zeros_like(hole)
    bars = (hat > max(25.0, float(np.percentile(hat[known], 90)))) & known
    bars = cv2.dilate(bars.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    bars &= known
    return bars if bars.mean() < 0.4 else np.zeros_like(hole)


def synthesise(plate: np.ndarray, missing: np.ndarray, budget: int = 250_000) -> np.ndarray:
    """Fill pixels no frame ever showed, once per shot, so every frame gets the same fill (no
    flicker). Exemplar synthesis (PatchMatch, PyPatchMatch) copies real texture from around
    the hole — asphalt stays grainy, bricks stay bricks — while frequency-selective
    reconstruction (opencv-contrib's xphoto, FSR) runs edges and shading on into the hole; the
    fill keeps PatchMatch's detail on FSR's low frequencies, so a kerb continues where the
    structure says and the surface keeps its grain. Work is on a crop around the hole (the
    sources: the same surfaces nearby), at a scale that keeps it under ``budget`` pixels.

    The hole's pixels carry no picture (the plate has zeros there): before anything is
    resized or filtered they are pre-filled smoothly from the surface around them, so nothing
    bleeds black into the known ring the fill grows from. Thin dark bars in front of the
    surface (a fence) are treated as unknown for the low frequencies and never copied.
    Without xphoto: Navier-Stokes diffusion for the low frequencies; without PyPatchMatch:
    those alone."""
    if not missing.any():
        return plate
    h, w = missing.shape
    x0, y0, x1, y1 = bbox(missing)  # type: ignore[misc]
    pad = max(16, (x1 - x0 + y1 - y0) // 3)
    x0, y0, x1, y1 = max(0, x0 - pad), max(0, y0 - pad), min(w, x1 + pad), min(h, y1 + pad)
    crop = np.ascontiguousarray(plate[y0:y1, x0:x1])
    hole = missing[y0:y1, x0:x1]
    if hole.all():
        return plate
    guess = np.clip(push_pull(crop, ~hole) + 0.5, 0, 255).astype(np.uint8)
    bars = bars_in_front(guess, hole)
    surface = ~hole & ~bars
    clean = np.clip(push_pull(crop, surface) + 0.5, 0, 255).astype(np.uint8)
    clean[~hole] = crop[~hole]  # the bars stay for PatchMatch (masked out as sources there)
    smooth_in = np.where(bars[..., None], np.clip(push_pull(crop, surface) + 0.5, 0, 255), clean)
    smooth_in = smooth_in.astype(np.uint8)
    scale = min(1.0, float(np.sqrt(budget / hole.size)))
    small, gap, fixed, surf = clean, hole, bars, surface
    if scale < 1:
        size = (max(8, round(crop.shape[1] * scale)), max(8, round(crop.shape[0] * scale)))
        small = cv2.resize(clean, size, interpolation=cv2.INTER_AREA)
        smooth_in = cv2.resize(smooth_in, size, interpolation=cv2.INTER_AREA)
        gap = cv2.resize(hole.astype(np.float32), size, interpolation=cv2.INTER_AREA) > 0
        fixed = cv2.resize(bars.astype(np.float32), size, interpolation=cv2.INTER_AREA) > 0
        surf = cv2.resize(surface.astype(np.float32), size, interpolation=cv2.INTER_AREA) > 0.99
        fixed &= ~gap
    # Only FSR's low frequencies are kept: it runs at half the scale (4× fewer pixels).
    half = (max(8, small.shape[1] // 2), max(8, small.shape[0] // 2))
    lo_img = cv2.resize(smooth_in, half, interpolation=cv2.INTER_AREA)
    lo_known = cv2.resize(surf.astype(np.float32), half, interpolation=cv2.INTER_AREA) > 0.99
    lo_known = lo_known.astype(np.uint8) * 255
    if hasattr(cv2, "xphoto") and lo_known.any():
        smooth = np.zeros_like(lo_img)
        cv2.xphoto.inpaint(lo_img, lo_known, smooth, cv2.xphoto.INPAINT_FSR_FAST)
    else:
        smooth = cv2.inpaint(lo_img, 255 - lo_known, 3, cv2.INPAINT_NS)
    smooth = cv2.resize(smooth, (small.shape[1], small.shape[0]), interpolation=cv2.INTER_CUBIC)
    fill = smooth
    try:
        import patchmatch

        patchmatch.set_random_seed(0)
        g8 = gap.astype(np.uint8) * 255
        if fixed.any():
            detail = patchmatch.inpaint(small, g8, global_mask=fixed.astype(np.uint8) * 255,
                                        patch_size=3)  # fmt: skip
        else:
            detail = patchmatch.inpaint(small, g8, patch_size=3)
        sigma = max(1.0, 2.0 * scale)
        low = cv2.GaussianBlur(detail.astype(np.float32), (0, 0), sigma)
        base = cv2.GaussianBlur(smooth.astype(np.float32), (0, 0), sigma)
        fill = np.clip(detail.astype(np.float32) - low + base + 0.5, 0, 255).astype(np.uint8)
    except (ImportError, OSError):  # PyPatchMatch missing or its library unloadable
        pass
    if scale < 1:
        fill = cv2.resize(fill, (crop.shape[1], crop.shape[0]), interpolation=cv2.INTER_CUBIC)
    out = plate.copy()
    out[y0:y1, x0:x1][hole] = fill[hole]
    return out
