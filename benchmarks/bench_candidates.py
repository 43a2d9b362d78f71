"""Removing what the detector has no name for, measured end to end through ``/run_sse``.

Cases: a real background (the registry street clip ``bikes``: a static shot from the clip
itself, or its still panned like a moving camera) with, composited with exact alpha, either a
thing outside the 80 COCO names (cone, box, disc, poster: shaded shapes, since no registry
photo holds such objects) or a real person cut from a registry photo (the removal suite's
cut-out), or a static overlay (opaque logo, semi-transparent watermark, burnt-in timestamp).
The engine is asked in plain words; it either removes (scored on the object's pixels against
the truth, beside the untouched input), or asks (scored: is the right thing among the
numbered candidates).
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
from nemo_widgets.testing import Api

W, H = 320, 180


@dataclass
class Case:
    name: str
    instruction: str
    frames: list[np.ndarray]
    truth: list[np.ndarray]
    alpha: np.ndarray  # where the thing is (frame coordinates, fixed in frame)
    named: bool  # a COCO name


def _street() -> np.ndarray:
    from nemo_widgets.samples import sample_path
    from nemo_widgets.stills import frame

    still = np.asarray(frame(sample_path("bikes"), 6.5).convert("RGB"))
    return cv2.resize(still, (560, 238), interpolation=cv2.INTER_AREA)


def _shape(kind: str, size: int) -> np.ndarray:
    a = np.zeros((size, size), np.uint8)
    s = size - 1
    if kind == "cone":
        cv2.fillPoly(a, [np.array([[s // 2, 0], [s * 3 // 4, s], [s // 4, s]])], 255)
    elif kind == "disc":
        cv2.circle(a, (s // 2, s // 2), s // 2, 255, -1)
    elif kind == "poster":
        a[s // 8 : s, s // 5 : s * 4 // 5] = 255
    else:  # box
        a[s // 3 :, s // 8 : s * 7 // 8] = 255
    return cv2.GaussianBlur(a.astype(np.float32) / 255, (0, 0), 0.7)


_RGB = {
    "white": (235, 235, 230),
    "blue": (40, 70, 200),
    "red": (210, 40, 35),
    "yellow": (235, 200, 40),
    "green": (40, 160, 60),
    "orange": (240, 130, 30),
}


def _thing_case(
    name: str,
    words: str,
    street: np.ndarray,
    kind: str,
    colour: str,
    at: tuple[int, int],
    size: int,
    pan: bool,
    n: int,
    seed: int,
) -> Case:
    rng = np.random.default_rng(seed)
    a0 = _shape(kind, size)
    x, y = at
    alpha = np.zeros((H, W), np.float32)
    alpha[y : y + size, x : x + size] = a0
    col = np.array(_RGB[colour], np.float32)
    shade = np.linspace(0.8, 1.1, W)[None, :, None]
    frames, truth = [], []
    for i in range(n):
        ox = 5 * i if pan else 100
        base = street[30 : 30 + H, ox : ox + W].astype(np.float32)
        base = np.clip(base + rng.normal(0, 2, base.shape), 0, 255)
        img = base * (1 - alpha[..., None]) + np.clip(col * shade, 0, 255) * alpha[..., None]
        truth.append(base.astype(np.uint8))
        frames.append(np.clip(img + 0.5, 0, 255).astype(np.uint8))
    return Case(name, words, frames, truth, alpha, False)


def _overlay_case(name: str, words: str, street: np.ndarray, kind: str, n: int, seed: int) -> Case:
    rng = np.random.default_rng(seed)
    c8 = np.zeros((H, W, 3), np.uint8)
    a8 = np.zeros((H, W), np.uint8)
    opacity = 1.0
    if kind == "logo":
        a8[10:34, 12:66] = 255
        c8[10:34, 12:66] = (250, 250, 250)
        cv2.putText(c8, "NEWS", (15, 29), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (30, 30, 160), 2)
    elif kind == "watermark":
        cv2.putText(a8, "PREVIEW", (90, 100), cv2.FONT_HERSHEY_DUPLEX, 1.0, 255, 2)
        c8[:] = 255
        opacity = 0.45
    else:  # timestamp, bottom right
        cv2.putText(a8, "2026-11-30 10:42", (170, 168), cv2.FONT_HERSHEY_SIMPLEX, 0.45, 255, 1)
        c8[:] = (255, 220, 40)
    alpha = cv2.GaussianBlur(a8.astype(np.float32) / 255, (0, 0), 0.6) * opacity
    col = c8.astype(np.float32)
    frames, truth = [], []
    for i in range(n):
        base = street[20 : 20 + H, 5 * i : 5 * i + W].astype(np.float32)
        base = np.clip(base + rng.normal(0, 2, base.shape), 0, 255)
        img = base * (1 - alpha[..., None]) + col * alpha[..., None]
        truth.append(base.astype(np.uint8))
        frames.append(np.clip(img + 0.5, 0, 255).astype(np.uint8))
    return Case(name, words, frames, truth, alpha, False)


def _person_case(name: str, words: str, street: np.ndarray, n: int, seed: int) -> Case:
    from benchmarks._real import cutout

    rgba = cutout("man_beige", MEDIA)
    h = 110
    s = h / rgba.shape[0]
    small = cv2.resize(rgba, (max(2, round(rgba.shape[1] * s)), h), interpolation=cv2.INTER_AREA)
    alpha = np.zeros((H, W), np.float32)
    col = np.zeros((H, W, 3), np.float32)
    x, y = 200, 60
    ww = small.shape[1]
    alpha[y : y + h, x : x + ww] = small[..., 3] / 255
    col[y : y + h, x : x + ww] = small[..., :3]
    rng = np.random.default_rng(seed)
    frames, truth = [], []
    for _ in range(n):
        base = street[30 : 30 + H, 100 : 100 + W].astype(np.float32)
        base = np.clip(base + rng.normal(0, 2, base.shape), 0, 255)
        img = base * (1 - alpha[..., None]) + col * alpha[..., None]
        truth.append(base.astype(np.uint8))
        frames.append(np.clip(img + 0.5, 0, 255).astype(np.uint8))
    return Case(name, words, frames, truth, alpha, True)


def cases(quick: bool) -> list[Case]:
    st = _street()
    n = 16 if quick else 30
    out = [
        _overlay_case("logo", "remove the logo in the corner", st, "logo", n, 1),
        _overlay_case("watermark", "remove the watermark", st, "watermark", n, 2),
        _thing_case(
            "cone",
            "remove the white cone-shaped thing on the right",
            st,
            "cone",
            "white",
            (240, 100),
            48,
            False,
            n,
            3,
        ),
        _thing_case(
            "party hat", "remove the party hat", st, "cone", "red", (60, 110), 44, False, n, 4
        ),
    ]
    if quick:  # a smoke test (CI runs it): an overlay, a see-through one, a nameless thing
        return [out[0], out[1], out[3]]
    out += [
        _overlay_case("timestamp", "remove the timestamp", st, "timestamp", n, 5),
        _overlay_case("logo zh", "去掉台标", st, "logo", n, 6),
        _overlay_case("watermark zh", "去掉水印", st, "watermark", n, 7),
        _overlay_case(
            "text corner", "remove the text in the bottom right corner", st, "timestamp", n, 8
        ),
        _thing_case(
            "blue box",
            "remove the blue box on the left",
            st,
            "box",
            "blue",
            (30, 110),
            50,
            False,
            n,
            9,
        ),
        _thing_case(
            "bin", "remove the green bin", st, "box", "green", (200, 100), 56, False, n, 10
        ),
        _thing_case(
            "ball", "remove the yellow ball", st, "disc", "yellow", (140, 120), 40, False, n, 11
        ),
        _thing_case(
            "sign", "remove the sign on the right", st, "poster", "red", (250, 40), 50, False, n, 12
        ),
        _thing_case(
            "poster", "remove the orange poster", st, "poster", "orange", (40, 30), 56, False, n, 13
        ),
        _thing_case(
            "thing left",
            "remove that thing on the left",
            st,
            "disc",
            "white",
            (30, 100),
            44,
            False,
            n,
            14,
        ),
        _thing_case(
            "cone pan",
            "remove the white cone on the right",
            st,
            "cone",
            "white",
            (240, 100),
            48,
            True,
            n,
            15,
        ),
        _thing_case("box pan", "remove the red box", st, "box", "red", (120, 100), 50, True, n, 16),
        _thing_case(
            "hat table",
            "remove the party hat on the table",
            st,
            "cone",
            "orange",
            (180, 120),
            40,
            False,
            n,
            17,
        ),
        _thing_case(
            "small thing",
            "remove the small blue thing",
            st,
            "disc",
            "blue",
            (100, 140),
            30,
            False,
            n,
            18,
        ),
        _person_case("person", "remove the person", st, n, 19),
        _person_case("man zh", "去掉那个人", st, n, 20),
    ]
    return out


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


def _psnr(out: list[np.ndarray], truth: list[np.ndarray], m: np.ndarray) -> float:
    v = []
    for o, t in zip(out, truth, strict=False):
        d = (o.astype(float) - t.astype(float))[m]
        v.append(10 * np.log10(255**2 / max(float((d**2).mean()), 1e-6)))
    return float(np.median(v))


def _hit(item: dict, m: np.ndarray) -> bool:
    """Whether a candidate's box is the thing: it covers most of the thing's pixels and the
    thing is a fair share of it."""
    x0, y0, x1, y1 = (int(v) for v in item["box"])
    if x1 <= x0 or y1 <= y0 or not m.any():
        return False
    inside = m[max(0, y0) : y1, max(0, x0) : x1]
    return bool(inside.sum() >= 0.5 * m.sum() and inside.sum() >= 0.05 * inside.size)


def _right_thing(out: list[np.ndarray], c: Case, region: np.ndarray) -> tuple[bool, bool]:
    """Whether the removal took the asked-for thing (most of it changed, however well the
    hole was filled; a wrong thing leaves it as it was), and whether it spilled (less than
    60 % of what changed lies on or next to it: a mask much larger than the thing)."""
    near = cv2.dilate(region.astype(np.uint8), np.ones((25, 25), np.uint8)) > 0
    changed = (
        np.mean(
            [
                np.abs(o.astype(int) - f.astype(int)).max(axis=2) > 25
                for o, f in zip(out, c.frames, strict=False)
            ],
            axis=0,
        )
        > 0.5
    )
    if not changed.any():
        return False, False
    took = bool(changed[c.alpha > 0.3].mean() >= 0.3)
    return took, bool((changed & near).sum() < 0.6 * changed.sum())


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
            region = c.alpha > 0.05
            base = _psnr(c.frames, c.truth, region)
            row = {"case": c.name, "named": c.named, "s": took, "input": base, "reply": reply[:120]}
            if gen.get("kind") == "removed":
                out = MEDIA / "cand_out.mp4"
                out.write_bytes(api.http.get(gen["url"], headers=api.headers).content)
                frames = _frames(out)
                got = _psnr(frames, c.truth, region)
                right, spill = _right_thing(frames, c, region)
                row |= {"outcome": "removed" if right else "wrong", "psnr": got, "spill": spill}
            elif gen.get("kind") == "candidates":
                ok = any(_hit(it, region) for it in gen["candidates"])
                row["outcome"] = "asked right" if ok else "asked wrong"
                row["offered"] = [[round(v) for v in it["box"]] for it in gen["candidates"]]
            else:
                row["outcome"] = "nothing"
            rows.append(row)
            print(
                json.dumps(
                    {k: (round(v, 2) if isinstance(v, float) else v) for k, v in row.items()}
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
        out.append(
            Figure(
                "nameless: hole PSNR of the removed things (median)",
                float(np.median([r["psnr"] for r in removed])),
                "dB",
                None,
                float(np.median([r["input"] for r in removed])),
                "untouched input",
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
