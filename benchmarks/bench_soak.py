"""Soak: the engine (its own process, loopback) serves users for 10 minutes (1 with --quick) —
each a new anonymous user who uploads, edits twice, exports, downloads and polls — while its
resident memory and open file descriptors are sampled. After a warm-up, neither may grow.
Every upload and export is checked by sha256 when made and again at the end."""

from __future__ import annotations

import asyncio
import hashlib
import os
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from benchmarks._harness import Figure, engine_process, main_for
from nemo_widgets.client import AsyncNemoClient, Settings
from nemo_widgets.synth import make_clip

WORKERS = 3


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def _worker(
    k: int,
    url: str,
    clip: Path,
    folder: Path,
    until: float,
    lat: list[float],
    kept: list[tuple[str, str]],
    cycles: list[int],
) -> None:
    clip_sha = _sha(clip.read_bytes())
    n = 0
    while time.monotonic() < until:
        os.environ["NEMO_CONFIG_DIR"] = str(folder / f"cfg{k}_{n}")  # a new user each cycle
        settings = Settings(rate_limit_wait=0, poll_initial=0.2)
        async with AsyncNemoClient(url, settings=settings) as c:
            s = await c.create_session()
            up = (await s.upload(clip))[0]
            assert up.raw.get("hash") == clip_sha, "the engine stored different bytes"
            kept.append((up.url, clip_sha))
            await s.say(f"add the title 'Soak {k}.{n}' for 1 second")
            await s.say("make it 1:1")
            for call in (s.state, c.credits, s.state):
                t = time.perf_counter()
                await call()
                lat.append(time.perf_counter() - t)
            result = await s.export(quality="low", download_to=folder / f"out{k}.mp4")
            kept.append((result.url, _sha(Path(result.path).read_bytes())))
        n += 1
    cycles.append(n)


def run(quick: bool) -> list[Figure]:
    seconds = 60 if quick else 600
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        clip = make_clip(folder / "clip.mp4", seconds=3, width=640, height=360)
        with engine_process(folder) as (url, proc):
            samples: list[tuple[float, float, int]] = []
            lat: list[float] = []
            kept: list[tuple[str, str]] = []
            cycles: list[int] = []

            async def main() -> None:
                t0 = time.monotonic()
                until = t0 + seconds
                jobs = [
                    _worker(k, url, clip, folder, until, lat, kept, cycles) for k in range(WORKERS)
                ]
                workers = asyncio.gather(*jobs)
                while not workers.done():
                    samples.append((time.monotonic() - t0, _rss_mb(proc.pid), _fds(proc.pid)))
                    await asyncio.sleep(2.0)
                await workers

            asyncio.run(main())
            samples.append((seconds, _rss_mb(proc.pid), _fds(proc.pid)))
            with httpx.Client(timeout=60) as http:
                changed = sum(_sha(http.get(u).content) != sha for u, sha in kept)
            leftovers = len(list((folder / "engine" / "tmp").iterdir()))
    # Warm-up: the first fifth (models, caches, SQLite pages); then compare the second fifth
    # with the last fifth.
    fifth = max(1, len(samples) // 5)
    early = samples[fifth : 2 * fifth] or samples[:1]
    late = samples[-fifth:]
    rss_growth = statistics.median(s[1] for s in late) - statistics.median(s[1] for s in early)
    fd_growth = max(s[2] for s in late) - max(s[2] for s in early)
    lat_ms = sorted(x * 1000 for x in lat)
    p95 = lat_ms[int(0.95 * (len(lat_ms) - 1))]
    label = f"soak {seconds // 60} min, {WORKERS} users at a time"
    return [
        Figure(
            f"{label}: engine RSS growth after warm-up "
            f"(from {statistics.median(s[1] for s in early):.0f} MB, "
            f"peak {max(s[1] for s in samples):.0f} MB)",
            rss_growth,
            "MB",
            25.0,
        ),
        Figure(f"{label}: open files growth after warm-up", fd_growth, "fds", 2.0),
        Figure(
            f"{label}: state/credits p95", p95, "ms", 200.0, statistics.median(lat_ms), "median"
        ),
        Figure(f"{label}: cycles (upload, 2 edits, export)", float(sum(cycles)), "", None),
        Figure(f"{label}: files changed or lost (sha256, {len(kept)} checked)", changed, "", 0.0),
        Figure(f"{label}: half-written files left in tmp/", leftovers, "", 0.0),
    ]


if __name__ == "__main__":
    main_for(run)
