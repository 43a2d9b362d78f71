"""Export speed: a 30-second 1080p draft (one clip + BGM + title), target ≤ 45 s by default.

The source is the registry webcam sample (400x300, real footage) upscaled to 1920x1080 once and
cached: the picture is soft, but decode, composite and encode costs per frame are real. The
encoder floor in the same run decodes the source and encodes it with the same settings and
nothing else; the ratio shows what compositing, titles, audio and the preview add.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path

import av

from benchmarks._harness import MEDIA, Figure, main_for, upscaled_webcam
from nemo_widgets.draft import Draft
from nemo_widgets.engine.media import probe
from nemo_widgets.engine.render import QUALITY, render
from nemo_widgets.synth import make_clip, make_tone


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


_LONG = """
import json, sys
from pathlib import Path
from nemo_widgets.draft import Draft
from nemo_widgets.engine.media import probe
from nemo_widgets.engine.render import render
clip, bgm, out, ms = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4])
files = {"clip": clip, "bgm": bgm}
infos = {k: probe(p) for k, p in files.items()}
draft = Draft.parse({"t": [
    {"tt": 0, "sg": [{"s": 0, "du": ms, "src": "clip"}]},
    {"tt": 1, "sg": [{"s": 0, "du": ms, "src": "bgm", "v": 35}]}],
    "m": {"width": 320, "height": 240, "fps": 10}})
def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1]) / 1024
before = status("VmRSS:")
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")  # reset the peak (VmHWM) to the current RSS
render(draft, lambda r: (files[r], infos[r]), out, quality="low")
print(json.dumps({"growth_mb": status("VmHWM:") - before}))
"""


def long_timeline_memory(quick: bool) -> Figure:
    """Peak memory of exporting a long timeline (clip sound + looping BGM), in a fresh
    process: the sound is mixed block by block, so it must not grow with the length."""
    minutes = 2 if quick else 10
    clip = MEDIA / f"long_{minutes}min.mp4"
    if not clip.exists():
        make_clip(clip, seconds=minutes * 60, width=320, height=240, fps=10)
    bgm = make_tone(MEDIA / "bgm_short.m4a", seconds=20, tone_hz=330)  # loops
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            _LONG,
            str(clip),
            str(bgm),
            str(MEDIA / "long_out.mp4"),
            str(minutes * 60_000),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    growth = json.loads(proc.stdout.strip().splitlines()[-1])["growth_mb"]
    whole = 2 * 48_000 * minutes * 60 * 4 / 2**20 * 2  # mix + one decoded source, float32
    return Figure(
        f"export {minutes}-min timeline (clip + looping BGM): peak memory growth",
        growth,
        "MB",
        64.0,
        whole,
        "whole-timeline audio in RAM (old design, computed)",
    )


def run(quick: bool) -> list[Figure]:
    seconds = 10 if quick else 30
    src = upscaled_webcam(seconds, 1920, 1080)
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
    figures.append(long_timeline_memory(quick))
    return figures


if __name__ == "__main__":
    main_for(run)
