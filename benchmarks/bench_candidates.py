"""Removing what the detector has no name for, measured end to end through ``/run_sse``.

Cases are built like the removal suite (``_real``): real clips (the registry street clip
``bikes``: its static shot, or its still panned like a moving camera; and, where present, the
suite's shared clips: a handheld desk, a static shelf, a handheld door) with exact truth, and
in them either a real thing cut from a real registry photo (scikit-image's rocket, model
shuttle, coin and logo, matplotlib's gift box; 11 of the 20 are outside the 80 COCO names, 2
are people) composited so that it belongs there (scale, colour match, contact shadow, blur,
noise, the camera's motion), or a static overlay (two real logos with their exact alpha, one
of them a semi-transparent watermark, and a burnt-in timestamp; one logo only in the last
60 % of the clip). The engine is asked in plain words; it either removes (scored over every
pixel the thing touched against the truth, beside per-frame Telea on the exact hole and the
untouched input), or asks (scored: is the right thing among the numbered candidates).
"""

from __future__ import annotations

import json
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from benchmarks._harness import MEDIA, Figure
from benchmarks._real import SHARED, composite, cutout, read_clip
from nemo_widgets.testing import Api

W, H = 320, 180


@dataclass
class Case:
    name: str
    instruction: str
    frames: list[np.ndarray]
    truth: list[np.ndarray]
    alpha: list[np.ndarray]  # the thing's coverage per frame (0..1)
    hole: list[np.ndarray]  # every pixel it touched per frame (its shadow too)
    named: bool  # a COCO name
    clip: str


def _street(n: int) -> list[np.ndarray]:
    """The static shot of the registry street clip: bikes behind a fence, cars passing."""
    from nemo_widgets.samples import sample_path

    frames = read_clip(sample_path("bikes"), 137, n)
    return [cv2.resize(f, (424, 180), interpolation=cv2.INTER_AREA)[:, 60:380] for f in frames]


def _street_pan(n: int) -> list[np.ndarray]:
    """A still of the street clip seen by a camera panning 5 px a frame."""
    from nemo_widgets.samples import sample_path
    from nemo_widgets.stills import frame

    still = np.asarray(frame(sample_path("bikes"), 6.5).convert("RGB"))
    still = cv2.resize(still, (560, 238), interpolation=cv2.INTER_AREA)
    return [np.ascontiguousarray(still[30 : 30 + H, 5 * i : 5 * i + W]) for i in range(n)]


#: Real clips of the removal suite (SHARED, never committed): file, size, frames, camera.
_SHARED_CLIPS = {
    "desk": ("imageio_realshort_handheld_320x240.mp4", None, "handheld"),
    "shelves": ("psychopy_testMovie_talkinghead_352x288.mp4", (16, 336), "static"),
    "door": ("pyfeat_single_face_man_door_640x360.mp4", (320, 180), "handheld"),
}


def clip(kind: str, n: int) -> tuple[list[np.ndarray], str, str]:
    """Frames, the camera and what the clip really is (a shared clip falls back to the
    street clip where it is absent, and says so)."""
    if kind == "street":
        return _street(n), "static", "street"
    if kind == "street pan":
        return _street_pan(n), "pan", "street pan"
    file, size, camera = _SHARED_CLIPS[kind]
    path = SHARED / "clips" / file
    if not path.exists():
        return (_street_pan(n), "pan", "street pan") if camera != "static" else (
            _street(n), "static", "street")  # fmt: skip
    frames = read_clip(path, 0, n)
    if size is not None and size[0] < size[1]:  # a crop of columns
        frames = [np.ascontiguousarray(f[:, size[0] : size[1]]) for f in frames]
    elif size is not None:
        frames = [cv2.resize(f, size, interpolation=cv2.INTER_AREA) for f in frames]
    return frames, camera, kind


def _thing(
    name: str, words: str, where: str, obj: str, foot: tuple[int, int], height: int,
    n: int, seed: int, named: bool = False,
) -> Case:  # fmt: skip
    """A real cut-out standing in a real clip (``_real.composite``: scale, colour match,
    contact shadow, blur, noise, riding on the camera)."""
    frames, camera, real = clip(where, n)
    c = composite(name, words, frames, cutout(obj, MEDIA), foot=foot, height=height,
                  camera=camera, seed=seed)  # fmt: skip
    holes = [c.changed(t) for t in range(len(frames))]
    return Case(name, words, c.frames, c.truth, c.alpha, holes, named, real)


def _overlay(
    name: str, words: str, where: str, obj: str | None, at: tuple[int, int], width: int,
    n: int, seed: int, opacity: float = 1.0, first: float = 0.0,
) -> Case:  # fmt: skip
    """A static overlay burnt into a real clip: a real logo (exact alpha) or, with ``obj``
    None, a timestamp; fixed in the frame, from ``first`` (a share of the clip) on."""
    frames, _, real = clip(where, n)
    h, w = frames[0].shape[:2]
    rng = np.random.default_rng(seed)
    a = np.zeros((h, w), np.float32)
    col = np.zeros((h, w, 3), np.float32)
    x, y = at
    if obj is None:
        a8 = np.zeros((h, w), np.uint8)
        cv2.putText(a8, "2026-11-30 10:42", (x, y), cv2.FONT_HERSHEY_SIMPLEX, 0.45, 255, 1)
        a = cv2.GaussianBlur(a8.astype(np.float32) / 255, (0, 0), 0.6)
        col[:] = (255, 220, 40)
    else:
        rgba = cutout(obj, MEDIA)
        s = width / rgba.shape[1]
        small = cv2.resize(rgba, (width, max(2, round(rgba.shape[0] * s))), cv2.INTER_AREA)
        sh, sw = min(small.shape[0], h - y), min(small.shape[1], w - x)
        a[y : y + sh, x : x + sw] = small[:sh, :sw, 3] / 255
        col[y : y + sh, x : x + sw] = small[:sh, :sw, :3]
    a *= opacity
    out, truth, alpha = [], [], []
    for i, f in enumerate(frames):
        on = a if i >= first * len(frames) else np.zeros_like(a)
        base = np.clip(f.astype(np.float32) + rng.normal(0, 1.5, f.shape), 0, 255)
        img = base * (1 - on[..., None]) + col * on[..., None]
        truth.append(f)
        out.append(np.clip(img + 0.5, 0, 255).astype(np.uint8))
        alpha.append(on)
    return Case(name, words, out, truth, alpha, [x > 0.02 for x in alpha], False, real)


def cases(quick: bool) -> list[Case]:
    """20 cases: 7 static overlays (2 real logos, a timestamp), 11 real things outside the
    COCO names (gift box, rocket, model shuttle, coin, a badge), 2 real people."""
    n = 16 if quick else 30
    if quick:  # a smoke test (CI runs it): an overlay, a see-through one, a nameless thing
        return [
            _overlay("logo", "remove the logo in the corner", "street pan", "sk_logo",
                     (8, 8), 40, n, 1),
            _overlay("watermark", "remove the watermark", "street pan", "mpl_logo",
                     (60, 70), 200, n, 2, opacity=0.45),
            _thing("gift", "remove the blue gift box", "street", "gift", (60, 174), 42, n, 3),
        ]  # fmt: skip
    return [
        _overlay("logo", "remove the logo in the corner", "street pan", "sk_logo",
                 (8, 8), 40, n, 1),
        _overlay("watermark", "remove the watermark", "street pan", "mpl_logo",
                 (60, 70), 200, n, 2, opacity=0.45),
        _overlay("logo zh", "去掉台标", "desk", "sk_logo", (270, 10), 40, n, 4),
        _overlay("watermark zh", "去掉水印", "door", "mpl_logo", (70, 120), 180, n, 5,
                 opacity=0.4),
        _overlay("timestamp", "remove the timestamp", "street pan", None, (170, 168), 0, n, 6),
        _overlay("text corner", "remove the text in the bottom right corner", "desk", None,
                 (170, 228), 0, n, 7),
        _overlay("logo late", "remove the logo", "street pan", "mpl_logo", (228, 8), 84, n, 8,
                 first=0.4),
        _thing("gift", "remove the blue gift box", "street", "gift", (60, 174), 42, n, 3),
        _thing("present table", "remove the present on the table", "desk", "gift",
               (250, 205), 50, n, 9),
        _thing("rocket", "remove the white rocket on the right", "street", "rocket",
               (272, 176), 110, n, 10),
        _thing("tall white", "remove the tall white thing", "street pan", "rocket",
               (280, 176), 100, n, 11),
        _thing("shuttle shelf", "remove the white thing on the left", "shelves", "shuttle",
               (40, 152), 80, n, 12),
        _thing("coin desk", "remove the round grey thing", "desk", "coin", (150, 205), 30, n, 13),
        _thing("badge door", "remove the round sign on the door", "door", "sk_logo",
               (235, 110), 44, n, 14),
        _thing("box pan", "remove the blue box", "street pan", "gift",
               (240, 172), 46, n, 15),
        _thing("thing left", "remove that thing on the left", "street", "shuttle",
               (45, 176), 70, n, 16),
        _thing("small grey", "remove the small grey thing", "street", "coin", (170, 174), 22,
               n, 17),
        _thing("gift shelf", "remove the gift on the shelf", "shelves", "gift", (292, 218), 40,
               n, 18),
        _thing("person", "remove the person", "street", "man_beige", (220, 178), 115, n, 19,
               named=True),
        _thing("man zh", "去掉那个人", "street pan", "man_beige", (200, 178), 110, n, 20,
               named=True),
    ]  # fmt: skip


def ask(api: Api, clip: Path, text: str) -> tuple[str, dict]:
    """A fresh session with ``clip``, one instruction: the reply and the state after it."""
    sid = api.session()
    api.upload(sid, clip).raise_for_status()
    texts = [
        p["text"]
        for e in api.say(sid, text)
        for p in (e.get("content") or {}).get("parts") or []
        if p.get("text")
    ]
    return (texts[-1] if texts else ""), api.state(sid)


def _frames(path: Path) -> list[np.ndarray]:
    import av

    with av.open(str(path)) as c:
        return [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]


def _psnr(out: list[np.ndarray], truth: list[np.ndarray], holes: list[np.ndarray]) -> float:
    v = []
    for o, t, m in zip(out, truth, holes, strict=False):
        if not m.any():
            continue
        d = (o.astype(float) - t.astype(float))[m]
        v.append(10 * np.log10(255**2 / max(float((d**2).mean()), 1e-6)))
    return float(np.median(v)) if v else float("nan")


def _telea(c: Case) -> list[np.ndarray]:
    """Per-frame OpenCV Telea given the exact hole (a hair wider), the removal suite's
    baseline."""
    k = np.ones((5, 5), np.uint8)
    return [
        cv2.inpaint(f, cv2.dilate(m.astype(np.uint8), k) * 255, 3, cv2.INPAINT_TELEA)
        for f, m in zip(c.frames, c.hole, strict=True)
    ]


def _hit(item: dict, masks: list[np.ndarray]) -> bool:
    """Whether a candidate's box is the thing: in some frame (the camera moves it), it covers
    most of the thing's pixels and the thing is a fair share of it."""
    x0, y0, x1, y1 = (int(v) for v in item["box"])
    if x1 <= x0 or y1 <= y0:
        return False
    for m in masks:
        inside = m[max(0, y0) : y1, max(0, x0) : x1]
        if m.any() and inside.sum() >= 0.5 * m.sum() and inside.sum() >= 0.05 * inside.size:
            return True
    return False


def _right_thing(out: list[np.ndarray], c: Case) -> tuple[bool, bool]:
    """Whether the removal took the asked-for thing (most of it changed, however well the
    hole was filled; a wrong thing leaves it as it was), and whether it spilled (less than
    60 % of what changed lies on or next to it: a mask much larger than the thing)."""
    k = np.ones((25, 25), np.uint8)
    took, changed_all, near_all = [], 0, 0
    for o, f, a in zip(out, c.frames, c.alpha, strict=False):
        changed = np.abs(o.astype(int) - f.astype(int)).max(axis=2) > 25
        on = a > 0.3
        if on.any():
            took.append(changed[on].mean())
        near = cv2.dilate(on.astype(np.uint8), k) > 0
        changed_all += int(changed.sum())
        near_all += int((changed & near).sum())
    if not changed_all or not took:
        return False, False
    return bool(np.median(took) >= 0.3), bool(near_all < 0.6 * changed_all)


def run(quick: bool) -> list[Figure]:
    from nemo_widgets.engine import start
    from nemo_widgets.synth import write_frames

    MEDIA.mkdir(parents=True, exist_ok=True)
    rows = []
    with tempfile.TemporaryDirectory() as tmp, start(Path(tmp), credits=10**6) as eng:
        api = Api(eng, timeout=600)
        for c in cases(quick):
            name = c.name.replace(" ", "_")
            src = write_frames(MEDIA / f"cand_{name}.mp4", c.frames, pix_fmt="yuv444p", crf=12)
            t0 = time.perf_counter()
            reply, state = ask(api, src, c.instruction)
            took = time.perf_counter() - t0
            gen = (state.get("generated_media") or [{}])[-1]
            thing = [a > 0.3 for a in c.alpha[:: max(1, len(c.alpha) // 10)]]
            row = {"case": c.name, "named": c.named, "clip": c.clip, "s": took,
                   "reply": reply[:120]}  # fmt: skip
            if gen.get("kind") == "removed":
                out = MEDIA / f"cand_{name}_out.mp4"
                out.write_bytes(api.http.get(gen["url"], headers=api.headers).content)
                frames = _frames(out)
                right, spill = _right_thing(frames, c)
                row |= {
                    "outcome": "removed" if right else "wrong",
                    "psnr": _psnr(frames, c.truth, c.hole),
                    "telea": _psnr(_telea(c), c.truth, c.hole),
                    "input": _psnr(c.frames, c.truth, c.hole),
                    "spill": spill,
                }
            elif gen.get("kind") == "candidates":
                ok = any(_hit(it, thing) for it in gen["candidates"])
                row["outcome"] = "asked right" if ok else "asked wrong"
                row["offered"] = [[round(v) for v in it["box"]] for it in gen["candidates"]]
            else:
                row["outcome"] = "nothing"
            rows.append(row)
            print(
                json.dumps(
                    {k: (round(v, 2) if isinstance(v, float) else v) for k, v in row.items()},
                    ensure_ascii=False,
                ),
                flush=True,
            )
        api.http.close()
    return figures(rows)


def figures(rows: list[dict]) -> list[Figure]:
    n = len(rows)
    share = lambda k: 100 * sum(r["outcome"] == k for r in rows) / max(1, n)  # noqa: E731
    removed = [r for r in rows if r["outcome"] == "removed"]
    unnamed = sum(not r["named"] for r in rows)
    out = [
        Figure(
            f"nameless ({n} cases, {unnamed} outside COCO): removed outright and correctly",
            share("removed"),
            "%",
            None,
            None,
            "",
            True,
        ),
        Figure(
            "nameless: answered with a question whose candidates include the right one",
            share("asked right"),
            "%",
            None,
            None,
            "",
            True,
        ),
        Figure(
            "nameless: wrong removals",
            float(sum(r["outcome"] == "wrong" for r in rows)),
            "cases",
            0.0,
        ),
        Figure(
            "nameless: neither (question without the right one, or nothing found)",
            share("asked wrong") + share("nothing"),
            "%",
            None,
        ),
    ]
    out.append(
        Figure(
            "nameless: right removals whose mask spilled well beyond the thing",
            float(sum(bool(r.get("spill")) for r in removed)),
            "cases",
        )
    )
    if removed:
        for base, label in (("telea", "per-frame Telea on the exact hole"),
                            ("input", "untouched input")):  # fmt: skip
            out.append(
                Figure(
                    "nameless: hole PSNR of the removed things (median)",
                    float(np.median([r["psnr"] for r in removed])),
                    "dB",
                    None,
                    float(np.median([r[base] for r in removed])),
                    label,
                    True,
                )
            )
    out.append(
        Figure(
            "nameless: seconds per case (median, 320x180)",
            float(np.median([r["s"] for r in rows])) if rows else 0.0,
            "s",
        )
    )
    return out


if __name__ == "__main__":
    from benchmarks._harness import main_for

    main_for(run)
