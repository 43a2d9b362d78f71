"""The fill alone on real footage: the cells of ``bench_remove_real`` with the exact hole.

End-to-end figures mix the mask's misses into the fill's. Here the engine's
:func:`~nemo_widgets.engine.vision.inpaint.inpaint_video` is called directly on the same real
composited cells (``bench_remove_real.build``), given the truth footprint (the object and its
visible shadow, dilated a little as a mask would be) as the hole. Per cell and as medians: hole
PSNR, SSIM, texture ratio and E_warp beside per-frame Telea on the same hole and the untouched
input, all scored as ``bench_remove_real.score`` scores them. ``NEMO_REAL_CELLS=street,desk``
runs only the cells whose name contains one of the words.

``NEMO_FILL_HOLE=engine`` gives the fill the masks the engine itself used in the last
``bench_remove_real`` run (kept as ``real_masks_<cell>.npz``) instead, and ``union`` both: the
gap between ``exact`` and ``engine`` is what the mask costs, the rest of end to end (choice,
shot split, encode) is the gap between ``engine`` here and ``bench_remove_real``. Each cell
also prints what the hole took beyond the footprint (more than 3 px off it) and missed of it.
"""

from __future__ import annotations

import os
import time

import cv2
import numpy as np

from benchmarks._harness import MEDIA, Figure, main_for
from benchmarks._real import SHARED
from benchmarks.bench_remove_real import CELLS, Cell, _frames, build, score
from benchmarks.bench_remove_real import figures as remove_figures
from nemo_widgets.engine.vision.inpaint import inpaint_video
from nemo_widgets.synth import write_frames

#: How far the exact hole is widened (pixels), as a mask fitted to the object would be.
GROW = 2
#: Which hole the fill is given: exact, engine or union (see the module's docstring).
HOLE = os.environ.get("NEMO_FILL_HOLE", "exact")


def exact_hole(fp: np.ndarray, grow: int = GROW) -> np.ndarray:
    k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * grow + 1, 2 * grow + 1))
    return cv2.dilate(fp.astype(np.uint8), k) > 0


def engine_masks(cell: Cell, n: int) -> dict[int, np.ndarray] | None:
    """The masks ``bench_remove_real`` kept for ``cell`` (None when it has not run it)."""
    dump = MEDIA / f"real_masks_{cell.name.split(':')[0]}_{cell.obj}.npz"
    if not dump.exists():
        return None
    z = np.load(dump)
    hh, ww = z["shape"]
    return {
        int(k): np.unpackbits(z[k])[: hh * ww].reshape(hh, ww) > 0
        for k in z.files
        if k != "shape" and int(k) < n
    }


def run(quick: bool) -> list[Figure]:
    MEDIA.mkdir(parents=True, exist_ok=True)
    cells = [c for c in CELLS if c.clip == "bikes" or (SHARED / "clips" / c.clip).exists()]
    if quick:
        cells = [c for c in cells if c.name.startswith("street: car")]
    if words := [w for w in os.environ.get("NEMO_REAL_CELLS", "").split(",") if w]:
        cells = [c for c in cells if any(w in c.name for w in words)]
    rows: list[tuple[Cell, dict[str, float], float]] = []
    for cell in cells:
        case = build(cell, quick)
        n = len(case.frames)
        src = MEDIA / f"fill_{cell.name.split(':')[0]}_{cell.obj}_{n}.mp4"
        write_frames(src, case.frames, crf=12)
        holes = {t: exact_hole(case.footprint(t)) for t in range(n)}
        if HOLE in ("engine", "union"):
            used = engine_masks(cell, n)
            if used is None:
                print(f"{cell.name}: no engine masks kept (run bench_remove_real first)")
                continue
            empty = np.zeros_like(holes[0])
            holes = {
                t: used.get(t, empty) | (holes[t] if HOLE == "union" else empty) for t in range(n)
            }
        near = [cv2.dilate(case.footprint(t).astype(np.uint8), np.ones((7, 7), np.uint8)) > 0
                for t in range(n)]  # fmt: skip
        extra = np.mean([(holes[t] & ~near[t]).sum() for t in range(n)])
        missed = np.mean([(case.footprint(t) & ~holes[t]).sum() for t in range(n)])
        area = np.mean([case.footprint(t).sum() for t in range(n)])
        print(
            f"{cell.name}: {HOLE} hole, per frame {extra:.0f} px beyond the footprint, "
            f"{missed:.0f} px of it missed (footprint {area:.0f} px)"
        )
        dest = MEDIA / "fill_out.mp4"
        t0 = time.perf_counter()
        inpaint_video(src, dest, lambda i, rgb, hs=holes: hs.get(i))
        took = time.perf_counter() - t0
        out = _frames(dest)[:n]
        r = score(case, out, holes)
        rows.append((cell, r, took))
        print(
            f"{cell.name:40s} psnr {r['psnr']:6.2f} (telea {r['psnr_telea']:6.2f} input "
            f"{r['psnr_input']:6.2f}) ssim {r['ssim']:.3f} tex {r['texture']:.2f} "
            f"(telea {r['texture_telea']:.2f}) ewarp {r['ewarp']:.4f} {took:.1f}s",
            flush=True,
        )
    return figures(rows)


def figures(rows: list[tuple[Cell, dict[str, float], float]]) -> list[Figure]:
    return remove_figures([(c, r, None, took) for c, r, took in rows], label=f"fill, {HOLE} hole")


if __name__ == "__main__":
    main_for(run)
