"""Object removal, by the protocol of VIDEO-AI.md (ProPainter/E2FGVI, rebuilt on our data).

Ground truth: a real background (the registry street clip's static shot) seen by a static or
panning camera, or a pan with parallax (poles in front moving faster than the street behind
them; the camera path over the layers gives the exact flow), corrupted by a
Bézier-blob hole that is stationary or moving (≤ 3 px/frame, bouncing), object-size (3–10 % of
the frame) or large (box ≥ 1/3 of width and height). Every cell reports full-frame PSNR/SSIM,
hole-only PSNR, the warping error E_warp (MSE between frame t and frame t−1 warped by the true
flow, on [0,1] RGB, ×10⁻²) and s/frame — with per-frame OpenCV Telea in the same run. The fill
is scored on its own frames (before any output encode). Speed: end to end (decode → detect →
mask → fill → encode) on a 1080p and a 720p clip.
"""

from __future__ import annotations

import time
from pathlib import Path

import cv2
import numpy as np

from benchmarks._harness import MEDIA, Figure, main_for
from nemo_widgets.engine.vision.inpaint import analyse, filled_frames, inpaint_video
from nemo_widgets.samples import sample_path
from nemo_widgets.stills import frame
from nemo_widgets.synth import write_frames

W, H = 432, 240


def bezier_blob(rng: np.random.Generator, cx: float, cy: float, r: float) -> np.ndarray:
    """A closed random blob (cubic Bézier through jittered points on a circle)."""
    n = 8
    ang = np.sort(rng.uniform(0, 2 * np.pi, n))
    pts = np.stack(
        [
            cx + r * rng.uniform(0.6, 1.0, n) * np.cos(ang),
            cy + r * rng.uniform(0.6, 1.0, n) * np.sin(ang),
        ],
        1,
    )
    curve = []
    for i in range(n):
        p0, p1 = pts[i], pts[(i + 1) % n]
        c0 = p0 + (p1 - pts[i - 1]) / 6
        c1 = p1 - (pts[(i + 2) % n] - p0) / 6
        for t in np.linspace(0, 1, 12, endpoint=False):
            curve.append(
                (1 - t) ** 3 * p0 + 3 * (1 - t) ** 2 * t * c0 + 3 * (1 - t) * t**2 * c1 + t**3 * p1
            )
    return np.array(curve, np.int32)


def posts(bg: np.ndarray, width: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """A near layer for the parallax cell: poles rising from the bottom of the frame, textured
    from another part of the same real still (turned and darkened), and where they stand."""
    rng = np.random.default_rng(seed)
    tex = cv2.resize(np.rot90(bg).copy(), (width, H), interpolation=cv2.INTER_LINEAR)
    tex = (tex.astype(np.float32) * 0.7).astype(np.uint8)
    where = np.zeros((H, width), bool)
    x = 20
    while x < width:
        pw = int(rng.integers(12, 22))
        top = int(H * rng.uniform(0.15, 0.45))
        where[top:, x : x + pw] = True
        x += pw + int(rng.integers(55, 95))
    return tex, where


def make_cell(bg: np.ndarray, camera: str, motion: str, size: str, n: int, seed: int = 0):
    """Frames, ground truth, hole masks and the exact flow of one cell.

    The flow of frame t is a per-pixel integer shift ``dx`` (content at x came from x + dx in
    frame t−1) and where that holds (not just revealed from behind a nearer layer). Cameras:
    static; pan (2 px/frame); parallax — the pan over a far layer (2 px/frame) with poles in
    front of it moving 3 px/frame, so no single homography explains the frame.
    """
    rng = np.random.default_rng(seed)
    frames, truth, masks, flows = [], [], [], []
    r = (min(W, H) * 0.13) if size == "object" else (min(W, H) * 0.42)
    cx, cy, vx, vy = W * 0.45, H * 0.55, 2.5, 1.5
    blob = bezier_blob(rng, 0, 0, r)
    noise = rng.normal(0, 2.0, (n, H, W, 3))
    far, near = {"static": (0, 0), "pan": (2, 2), "parallax": (2, 3)}[camera]
    tex, where = posts(bg, W + 40 + near * n + 8) if camera == "parallax" else (None, None)
    prev_near = None
    for i in range(n):
        x0 = 40 + far * i
        base = bg[8 : 8 + H, x0 : x0 + W].astype(np.float32)
        is_near = np.zeros((H, W), bool)
        if tex is not None:
            nx = 40 + near * i
            is_near = where[:, nx : nx + W]
            base[is_near] = tex[:, nx : nx + W][is_near]
        base = np.clip(base + noise[i], 0, 255).astype(np.uint8)
        if motion == "moving":
            cx, cy = cx + vx, cy + vy
            if not r < cx < W - r:
                vx = -vx
            if not r < cy < H - r:
                vy = -vy
        m = np.zeros((H, W), np.uint8)
        cv2.fillPoly(m, [blob + np.array([int(cx), int(cy)])], 1)
        img = base.copy()
        img[m > 0] = rng.integers(0, 255, 3)
        frames.append(img)
        truth.append(base)
        masks.append(cv2.dilate(m, np.ones((5, 5), np.uint8)).astype(bool))
        dx = np.where(is_near, near, far).astype(np.int64)
        valid = np.ones((H, W), bool)
        if prev_near is not None:
            src = np.clip(np.arange(W)[None, :] + dx, 0, W - 1)
            came = np.take_along_axis(prev_near, src, axis=1)  # layer of the source pixel
            valid = (came == is_near) & (np.arange(W)[None, :] + dx < W)
        flows.append((dx, valid))
        prev_near = is_near
    return frames, truth, masks, flows


def write(path: Path, frames: list[np.ndarray]) -> Path:
    return write_frames(path, frames, pix_fmt="yuv444p", crf=8)


def psnr(a: np.ndarray, b: np.ndarray, m: np.ndarray | None = None) -> float:
    d = a.astype(np.float64) - b.astype(np.float64)
    d = d[m] if m is not None else d
    return float(10 * np.log10(255**2 / max((d**2).mean(), 1e-9)))


def ssim(a: np.ndarray, b: np.ndarray) -> float:
    return float(ssim_map(a, b).mean())


def ssim_map(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per-pixel SSIM of two RGB frames (grey, 11×11 Gaussian window, σ 1.5)."""
    a, b = (cv2.cvtColor(x, cv2.COLOR_RGB2GRAY).astype(np.float64) for x in (a, b))
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    mu_a, mu_b = cv2.GaussianBlur(a, (11, 11), 1.5), cv2.GaussianBlur(b, (11, 11), 1.5)
    va = cv2.GaussianBlur(a * a, (11, 11), 1.5) - mu_a**2
    vb = cv2.GaussianBlur(b * b, (11, 11), 1.5) - mu_b**2
    cov = cv2.GaussianBlur(a * b, (11, 11), 1.5) - mu_a * mu_b
    return ((2 * mu_a * mu_b + c1) * (2 * cov + c2)) / ((mu_a**2 + mu_b**2 + c1) * (va + vb + c2))


def warp_error(out: list[np.ndarray], flows: list[tuple[np.ndarray, np.ndarray]]) -> float:
    """MSE between frame t and frame t−1 moved by the true flow, on [0,1] RGB and the pixels
    that were not occluded, ×10⁻²."""
    vals = []
    cols = np.arange(W)[None, :]
    for t in range(1, len(out)):
        dx, valid = flows[t]
        src = np.clip(cols + dx, 0, W - 1)
        prev = np.take_along_axis(out[t - 1], src[..., None], axis=1).astype(np.float64) / 255
        cur = out[t].astype(np.float64) / 255
        vals.append(((cur - prev) ** 2)[valid].mean())
    return float(np.mean(vals) * 100)


def score(out, truth, masks, flows) -> dict[str, float]:
    return {
        "psnr": float(np.mean([psnr(o, t) for o, t in zip(out, truth, strict=True)])),
        "ssim": float(np.mean([ssim(o, t) for o, t in zip(out, truth, strict=True)])),
        "hole": float(np.mean([psnr(o, t, m) for o, t, m in zip(out, truth, masks, strict=True)])),
        "ewarp": warp_error(out, flows),
    }


def speed_clip(
    w: int, h: int, seconds: int, bg: np.ndarray, pan: bool = False
) -> tuple[Path, list[np.ndarray]]:
    """A clip with a magenta ellipse sweeping to and fro; ``pan``: the camera pans 1 px/frame
    and poles in front pass at 2 px/frame, so the moving camera also takes the local-flow
    (parallax) path."""
    dest = MEDIA / f"remove_speed_{h}p_{seconds}s{'_parallax' if pan else ''}.mp4"
    n = seconds * 25
    big = cv2.resize(bg, (w + 200 + (n if pan else 0), h), interpolation=cv2.INTER_CUBIC)
    if pan:  # the poles: where they stand, and their texture
        near = np.zeros((h, w + 200 + 2 * n), bool)
        for x in range(20, near.shape[1], w // 6):
            near[h // 3 :, x : x + w // 60] = True
        tex = (np.rot90(cv2.resize(bg, (h, near.shape[1]))) * 0.6).astype(np.uint8)
    masks = []
    frames = []
    for i in range(n):
        x = 60 + (i if pan else 0)
        img = big[:, x : x + w].copy()
        if pan:
            poles = near[:, 60 + 2 * i : 60 + 2 * i + w]
            img[poles] = tex[:, 60 + 2 * i : 60 + 2 * i + w][poles]
        m = np.zeros((h, w), np.uint8)
        cx = int(w * 0.3 + (w * 0.4) * (0.5 + 0.5 * np.sin(i / 40)))
        cv2.ellipse(m, (cx, int(h * 0.6)), (w // 14, h // 12), 0, 0, 360, 1, -1)
        img[m > 0] = (200, 40, 160)
        masks.append(cv2.dilate(m, np.ones((7, 7), np.uint8)).astype(bool))
        if not dest.exists():
            frames.append(img)
    if not dest.exists():
        MEDIA.mkdir(parents=True, exist_ok=True)
        write_frames(dest, frames)
    return dest, masks


def run(quick: bool) -> list[Figure]:
    MEDIA.mkdir(parents=True, exist_ok=True)
    still = np.asarray(frame(sample_path("bikes"), 6.5).convert("RGB"))
    bg = cv2.resize(still, (W + 200, H + 16), interpolation=cv2.INTER_AREA)
    n = 25 if quick else 50
    cells = [
        ("static", "moving", "object"),
        ("static", "moving", "large"),
        ("static", "stationary", "object"),
        ("pan", "moving", "object"),
        ("pan", "stationary", "object"),
        ("pan", "moving", "large"),
        ("parallax", "moving", "object"),
        ("parallax", "stationary", "object"),
    ]
    if quick:
        cells = [cells[0], cells[2], cells[3], cells[6]]
    figures = []
    for camera, motion, size in cells:
        frames, truth, masks, flows = make_cell(bg, camera, motion, size, n)
        src = write(MEDIA / f"cell_{camera}_{motion}_{size}.mp4", frames)
        t0 = time.perf_counter()
        an = analyse(src, lambda i, rgb, m=masks: m[i])
        ours = [rgb for _, _, rgb in filled_frames(src, an)]
        spf = (time.perf_counter() - t0) / n
        t0 = time.perf_counter()
        telea = [
            cv2.inpaint(f, m.astype(np.uint8) * 255, 3, cv2.INPAINT_TELEA)
            for f, m in zip(frames, masks, strict=True)
        ]
        tspf = (time.perf_counter() - t0) / n
        a, b = score(ours, truth, masks, flows), score(telea, truth, masks, flows)
        name = f"{camera}/{motion}/{size}"
        note = ""
        if camera == "parallax":  # what local flow adds to the homography
            plane = analyse(src, lambda i, rgb, m=masks: m[i], local_flow=False)
            flat = score([rgb for _, _, rgb in filled_frames(src, plane)], truth, masks, flows)
            note = f"homography alone {flat['hole']:.2f} dB, E_warp {flat['ewarp']:.4f}"
        # The targets: static camera + moving object-size hole ≥ 40 dB, panning
        # object-size ≥ 30 dB, never-seen ≥ Telea, E_warp ≤ 0.02 in every cell. A large hole
        # moving slowly is mostly never visible: reported, no target.
        target = {
            ("static", "moving", "object"): 40.0,
            ("pan", "moving", "object"): 30.0,
        }.get((camera, motion, size))
        if (camera, motion) == ("static", "stationary"):
            target = round(b["hole"], 2)  # never seen: at least as good as Telea
        figures += [
            Figure(
                f"remove {name}: hole PSNR",
                a["hole"],
                "dB",
                target,
                b["hole"],
                "Telea",
                higher_is_better=True,
                note=note,
            ),
            Figure(
                f"remove {name}: PSNR / SSIM",
                a["psnr"],
                "dB",
                None,
                b["psnr"],
                "Telea",
                higher_is_better=True,
                note=f"SSIM {a['ssim']:.4f} (Telea {b['ssim']:.4f})",
            ),
            Figure(
                f"remove {name}: E_warp ×10⁻²",
                a["ewarp"],
                "",
                0.02,
                b["ewarp"],
                "Telea",
            ),
            Figure(f"remove {name}: s/frame at {W}x{H}", spf, "s", None, tspf, "Telea"),
        ]
    # Speed end to end (inpaint_video: decode, motion, plate, fill, encode).
    seconds = 5 if quick else 30
    for (w, h), pan, limit in (
        ((1280, 720), False, 60.0),
        ((1920, 1080), False, 120.0),
        ((1920, 1080), True, 300.0),
    ):
        src, masks = speed_clip(w, h, seconds, still, pan)
        out = MEDIA / f"removed_{h}p.mp4"
        t0 = time.perf_counter()
        fill = inpaint_video(src, out, lambda i, rgb, m=masks: m[i])
        took = time.perf_counter() - t0
        camera = "moving (parallax)" if pan else "static"
        assert fill.parallax_shots == int(pan), fill  # the path the figure claims to time
        figures.append(
            Figure(
                f"remove end to end, {seconds}s {h}p {camera} camera",
                took,
                "s",
                limit * seconds / 30,
            )
        )
    figures.append(_cache_figure(still))
    return figures


def _cache_figure(bg: np.ndarray, reps: int = 3) -> Figure:
    """Removal's analysis input: the scan's frames kept in a FrameCache (written during the
    scan, read back memory-mapped) against decoding the source again, in CPU seconds
    (``time.process_time``: every thread of this process, whatever else the machine runs),
    on a 5 s 720p clip."""
    import statistics
    import tempfile

    from nemo_widgets.video_io import FrameCache, FrameReader

    src, _ = speed_clip(1280, 720, 5, bg)

    def touch(frames) -> int:  # what the analysis does first with a frame: its picture
        return sum(int(f.rgb[0, 0, 0]) for f in frames)

    decode, cached = [], []
    for _ in range(reps):
        t0 = time.process_time()
        with FrameReader(src, check_every=16) as r:
            touch(r)
        decode.append(time.process_time() - t0)
        with FrameReader(src) as r:
            kept = list(r)
        touch(kept)  # converted by the scan already
        with tempfile.TemporaryDirectory(dir=MEDIA) as d, FrameCache(d) as cache:
            t0 = time.process_time()
            for f in kept:
                cache.add(f)
            assert cache.finish()
            touch(cache.frames())
            cached.append(time.process_time() - t0)
        del kept
    return Figure(
        "remove: analysis input, 5s 720p (FrameCache write + read)",
        statistics.median(cached),
        "s CPU",
        None,
        statistics.median(decode),
        "decode again",
    )


if __name__ == "__main__":
    main_for(run)
