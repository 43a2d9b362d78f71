"""The figures, the table and the JSON that ``make bench`` prints and writes."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av

from nemo_widgets.samples import sample_path
from nemo_widgets.testing import EngineProcess

#: Generated benchmark media, kept between runs (never committed).
MEDIA = Path("out/bench-media")


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    target: float | None = None
    baseline: float | None = None
    baseline_name: str = ""
    higher_is_better: bool = False
    note: str = ""
    #: Set when the benchmark could not measure this figure: why (the value is then NaN).
    error: str = ""

    @property
    def ratio(self) -> float | None:
        """How many times better than the baseline (>1 is better)."""
        if self.error or not self.baseline or not self.value:
            return None
        return self.value / self.baseline if self.higher_is_better else self.baseline / self.value

    @property
    def verdict(self) -> str:
        if self.error:
            return "FAILED"
        if self.target is None:
            return "info"
        ok = self.value >= self.target if self.higher_is_better else self.value <= self.target
        return "pass" if ok else "short"


def median_time(fn: Callable[[], Any], repeat: int = 7, warmup: int = 1) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def upscaled_webcam(seconds: int, w: int, h: int) -> Path:
    """The first ``seconds`` of the registry webcam clip scaled to w×h (bicubic), made once:
    soft content, but the per-frame cost of real footage at that size."""
    dest = MEDIA / f"webcam_{h}p_{seconds}s.mp4"
    if dest.exists():
        return dest
    MEDIA.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_suffix(".part.mp4")
    with av.open(str(sample_path("webcam"))) as inp, av.open(str(tmp), "w") as out:
        v = out.add_stream("libx264", rate=25, options={"preset": "ultrafast", "crf": "16"})
        v.width, v.height, v.pix_fmt = w, h, "yuv420p"
        for i, f in enumerate(inp.decode(video=0)):
            if i >= seconds * 25:
                break
            g = f.reformat(w, h, format="yuv420p", interpolation="BICUBIC")
            g.pts, g.time_base = i, Fraction(1, 25)
            for p in v.encode(g):
                out.mux(p)
        for p in v.encode(None):
            out.mux(p)
    tmp.rename(dest)
    return dest


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def table(figures: list[Figure]) -> str:
    rows = [("figure", "value", "target", "baseline", "ratio", "")]
    for f in figures:
        op = "≥" if f.higher_is_better else "≤"
        rows.append(
            (
                f.name,
                "—" if f.error else f"{f.value:.4g} {f.unit}",
                f"{op} {f.target:g} {f.unit}" if f.target is not None else "",
                f"{f.baseline:.4g} {f.unit} ({f.baseline_name})" if f.baseline is not None else "",
                f"{f.ratio:.1f}×" if f.ratio is not None else "",
                f.verdict,
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    notes = [f"  {f.name}: {f.note}" for f in figures if f.note]
    notes += [f"  {f.name}: FAILED — {f.error}" for f in figures if f.error]
    return "\n".join(lines + (["", "notes:", *notes] if notes else []))


def failed(module: str, error: BaseException) -> Figure:
    """The row a benchmark module that crashed leaves in the table: what and why."""
    where = ""
    tb = error.__traceback__
    while tb is not None:  # the innermost frame in our own code says where it broke
        code = tb.tb_frame.f_code
        if "site-packages" not in code.co_filename:
            where = f" ({Path(code.co_filename).name}:{tb.tb_lineno} in {code.co_name})"
        tb = tb.tb_next
    why = f"{type(error).__name__}: {error}".strip().splitlines()[0][:300]
    return Figure(f"{module}: did not finish", float("nan"), "", error=why + where)


def write_json(figures: list[Figure], path: Path, quick: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "machine": machine(),
        "quick": quick,
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "figures": [
            {
                **asdict(f),
                "value": None if f.error else f.value,
                "ratio": f.ratio,
                "verdict": f.verdict,
            }
            for f in figures
        ],
    }
    path.write_text(json.dumps(data, indent=2))


@contextlib.contextmanager
def engine_process(folder: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``nemo-widgets serve`` in its own process (so its memory and CPU are its own), on a
    free loopback port with a data dir under ``folder``; yields (base URL, process)."""
    with EngineProcess(folder / "engine", credits=None, config=folder / "server-cfg") as server:
        assert server.proc is not None
        yield server.url, server.proc


def main_for(run: Callable[[bool], list[Figure]]) -> None:
    """``python -m benchmarks.bench_x [--quick]``."""

    figures = run("--quick" in sys.argv)
    print(table(figures))
