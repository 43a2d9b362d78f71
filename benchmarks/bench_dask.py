"""Many clips: N short clips × (background replacement + export) through ``client.batch``,
on the engine's local pool and with its heavy jobs on a 2-worker Dask LocalCluster, both on
this machine. Prints both throughputs and their ratio. On 2 cores the cluster has no more CPU
than the pool — the figure shows the overhead and the parallelism, not a bigger machine."""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from benchmarks._harness import Figure, main_for, upscaled_webcam
from nemo_widgets.client import NemoClient, Settings
from nemo_widgets.engine import start

INSTRUCTION = "blur the background"


def _clips(folder: Path, n: int, seconds: int) -> list[Path]:
    src = upscaled_webcam(seconds, 640, 480)
    out = []
    for i in range(n):
        dst = folder / f"clip{i:02d}.mp4"
        shutil.copy(src, dst)
        out.append(dst)
    return out


def _batch(url: str, clips: list[Path], out: Path, concurrency: int) -> tuple[float, int]:
    with NemoClient(url, settings=Settings(rate_limit_wait=0, poll_initial=0.1)) as client:
        t0 = time.perf_counter()
        df = client.batch(
            clips,
            INSTRUCTION,
            download_to=out,
            quality="medium",
            concurrency=concurrency,
            progress=False,
        )
        wall = time.perf_counter() - t0
    failed = int(df.error.notna().sum())
    if failed:
        raise RuntimeError(f"{failed} clip(s) failed: {df.error.dropna().iloc[0]}")
    return wall, len(df)


def run(quick: bool) -> list[Figure]:
    try:
        import distributed
    except ImportError:
        return [Figure("many clips on Dask", float("nan"), "", error="pip install distributed")]
    n, seconds = (4, 1) if quick else (12, 2)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        clips = _clips(root, n, seconds)
        with start(root / "local", credits=10**6) as eng:
            local_s, _ = _batch(eng.base_url, clips, root / "out-local", concurrency=4)
        with (
            distributed.LocalCluster(
                n_workers=2,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",
                silence_logs=50,
            ) as cluster,
            distributed.Client(cluster) as dc,
            start(root / "dask", credits=10**6, dask=dc) as eng,
        ):
            dask_s, _ = _batch(eng.base_url, clips, root / "out-dask", concurrency=4)
    local = n / local_s * 60
    dask = n / dask_s * 60
    what = f"{n} clips × {seconds} s 640x480, {INSTRUCTION} + export"
    return [
        Figure(f"many clips, local pool: {what}", local, "clips/min", higher_is_better=True),
        Figure(
            "many clips, 2-worker Dask LocalCluster (same 2 cores)",
            dask,
            "clips/min",
            baseline=local,
            baseline_name="local pool",
            higher_is_better=True,
            note=f"wall {local_s:.1f} s local, {dask_s:.1f} s Dask; ratio {dask / local:.2f}",
        ),
    ]


if __name__ == "__main__":
    main_for(run)
