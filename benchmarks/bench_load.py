"""Engine latency under load: 20 sessions upload, edit and render at once on 2 cores, while
state and credits calls are timed (target p95 < 200 ms). The engine runs in its own process,
on loopback, as `nemo-widgets serve`; the load is bounded in count and time."""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks._harness import Figure, engine_process, main_for
from nemo_widgets.client import AsyncNemoClient, Settings
from nemo_widgets.synth import make_clip


async def _user(
    url: str, clip: Path, cfg: Path, lat: list[float], stop: asyncio.Event, renders: list[float]
) -> None:
    os.environ["NEMO_CONFIG_DIR"] = str(cfg)
    async with AsyncNemoClient(url, settings=Settings(rate_limit_wait=0, poll_initial=0.2)) as c:
        s = await c.create_session()
        await s.upload(clip)
        await s.say("add the title 'Load' for 1 second")
        t0 = time.perf_counter()
        render = asyncio.ensure_future(s.export(quality="low"))
        while not stop.is_set() and not render.done():
            for call in (s.state, c.credits):
                t = time.perf_counter()
                await call()
                lat.append(time.perf_counter() - t)
            await asyncio.sleep(0.2)
        await render
        renders.append(time.perf_counter() - t0)


def run(quick: bool) -> list[Figure]:
    users = 8 if quick else 20
    with tempfile.TemporaryDirectory() as tmp:
        clip = make_clip(Path(tmp) / "clip.mp4", seconds=4, width=640, height=360)
        with engine_process(Path(tmp)) as (url, _server):
            lat: list[float] = []
            renders: list[float] = []

            async def main() -> None:
                stop = asyncio.Event()
                tasks = [
                    _user(url, clip, Path(tmp) / f"cfg{i}", lat, stop, renders)
                    for i in range(users)
                ]
                try:
                    await asyncio.wait_for(asyncio.gather(*tasks), timeout=600)
                finally:
                    stop.set()

            t0 = time.perf_counter()
            asyncio.run(main())
            wall = time.perf_counter() - t0
    lat_ms = sorted(x * 1000 for x in lat)
    p95 = lat_ms[int(0.95 * (len(lat_ms) - 1))]
    return [
        Figure(
            f"engine state/credits p95 latency, {users} sessions rendering",
            p95,
            "ms",
            200.0,
            statistics.median(lat_ms),
            "median",
        ),
        Figure(
            f"{users} sessions: upload + edit + render, wall time",
            wall,
            "s",
            None,
            statistics.median(renders),
            "median render",
        ),
    ]


if __name__ == "__main__":
    main_for(run)
