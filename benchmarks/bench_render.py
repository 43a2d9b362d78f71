"""Export speed: a 30-second 1080p draft (one clip + BGM + title), target ≤ 45 s by default.

The source is the registry webcam sample (400x300, real footage) upscaled to 1920x1080 once and
cached: the picture is soft, but decode, composite and encode costs per frame are real. The
encoder floor in the same run decodes the source and encodes it with the same settings and
nothing else; the ratio shows what compositing, titles, audio and the preview add.
"""

from __future__ import annotations

import time
from fractions import Fraction
from pathlib import Path

import av

from benchmarks._harness import Figure, main_for
from nemo_widgets.draft import Draft
from nemo_widgets.engine.media import probe
from nemo_widgets.engine.render import QUALITY, render
from nemo_widgets.samples import sample_path
from nemo_widgets.synth import make_tone

MEDIA = Path("out/bench-media")


def source_1080p(seconds: int) -> Path:
    dest = MEDIA / f"webcam_1080p_{seconds}s.mp4"
    if dest.exists():
        return dest
    MEDIA.mkdir(parents=True, exist_ok=True)
    src = sample_path("webcam")
    tmp = dest.with_suffix(".part.mp4")
    with av.open(str(src)) as inp, av.open(str(tmp), "w") as out:
        vin = inp.streams.video[0]
        vout = out.add_stream("libx264", rate=25, options={"preset": "ultrafast", "crf": "16"})
        vout.width, vout.height, vout.pix_fmt = 1920, 1080, "yuv420p"
        for n, frame in enumerate(inp.decode(vin)):
            if n >= seconds * 25:
                break
            f = frame.reformat(1920, 1080, format="yuv420p", interpolation="BICUBIC")
            f.pts = n
            for p in vout.encode(f):
                out.mux(p)
        for p in vout.encode(None):
            out.mux(p)
    tmp.rename(dest)
    return dest


def encoder_floor(src: Path, quality: str) -> float:
    """Decode + encode only (same encoder settings), seconds."""
    t0 = time.perf_counter()
    with av.open(str(src)) as inp, av.open("/dev/null", "w", format="mp4") as out:
        vout = out.add_stream("libx264", rate=25, options=dict(QUALITY["mp4"][quality]))
        vout.width, vout.height, vout.pix_fmt = 1920, 1080, "yuv420p"
        vout.codec_context.time_base = Fraction(1, 25)
        vin = inp.streams.video[0]
        vin.thread_type = "AUTO"
        for i, frame in enumerate(inp.decode(vin)):
            frame.pts = i
            frame.time_base = Fraction(1, 25)
            for p in vout.encode(frame):
                out.mux(p)
        for p in vout.encode(None):
            out.mux(p)
    return time.perf_counter() - t0


def run(quick: bool) -> list[Figure]:
    seconds = 10 if quick else 30
    src = source_1080p(seconds)
    bgm = make_tone(MEDIA / "bgm.m4a", seconds=seconds + 2, tone_hz=220)
    files = {"clip": src, "bgm": bgm}
    infos = {k: probe(p) for k, p in files.items()}
    draft = Draft.parse(
        {
            "t": [
                {"tt": 0, "sg": [{"s": 0, "du": seconds * 1000, "src": "clip"}]},
                {"tt": 1, "sg": [{"s": 0, "du": seconds * 1000, "src": "bgm", "v": 35}]},
                {"tt": 7, "sg": [{"s": 0, "du": 3000, "tx": "Urban Dreams"}]},
            ],
            "m": {"width": 1920, "height": 1080},
        }
    )
    frames = seconds * 25
    figures = []
    for quality in ("high", "medium", "low") if not quick else ("high",):
        out = MEDIA / f"render_{quality}.mp4"
        t0 = time.perf_counter()
        render(
            draft,
            lambda r: (files[r], infos[r]),
            out,
            quality=quality,
            preview=MEDIA / "preview.mp4",
        )
        took = time.perf_counter() - t0
        floor = encoder_floor(src, quality)
        if quality == "high":
            figures.append(
                Figure(
                    f"export {seconds}s 1080p draft, quality high (default)",
                    took,
                    "s",
                    45.0 * seconds / 30,
                    floor,
                    "decode+encode floor",
                )
            )
        figures.append(
            Figure(
                f"export fps 1080p, quality {quality} (+preview)",
                frames / took,
                "fps",
                None,
                frames / floor,
                "decode+encode floor",
                higher_is_better=True,
            )
        )
    return figures


if __name__ == "__main__":
    main_for(run)
