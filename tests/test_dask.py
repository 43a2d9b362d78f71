"""Heavy jobs on a real Dask cluster (a LocalCluster with 2 worker processes): a render and a
vision job run on a worker, progress comes back, a worker SIGKILLed mid-job ends in a finished
or clearly failed job (never "processing"), and a scheduler that goes away fails the running
job with a reason while the engine keeps answering and loses nothing."""

from __future__ import annotations

import hashlib
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from nemo_widgets.engine import EngineHandle, start
from nemo_widgets.synth import make_clip
from tests.conftest import Api
from tests.test_background import _cut

distributed = pytest.importorskip("distributed")

pytestmark = pytest.mark.slow


def _cluster() -> distributed.LocalCluster:
    return distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",
        silence_logs=50,
    )


@pytest.fixture(scope="module")
def dask_client() -> Iterator[distributed.Client]:
    with _cluster() as cluster, distributed.Client(cluster) as client:
        yield client


@pytest.fixture()
def dask_engine(tmp_path: Path, dask_client: distributed.Client) -> Iterator[EngineHandle]:
    with start(tmp_path / "engine", credits=1000, dask=dask_client) as eng:
        yield eng


def _worker_pids(client: distributed.Client) -> dict[str, int]:
    return client.run(os.getpid)


def test_render_and_vision_run_on_workers(
    dask_engine: EngineHandle, dask_client: distributed.Client, tmp_path: Path
) -> None:
    offload = dask_engine.engine.pool.offload
    assert offload.name == "dask"
    workers = set(_worker_pids(dask_client))
    api = Api(dask_engine)
    sid = api.session()
    api.upload(sid, _cut(tmp_path / "talk.mp4", 1.0))
    reply = api.say(sid, "blur the background")[-1]["content"]["parts"][0]["text"]
    assert "background" in reply.lower() and "couldn't" not in reply, reply
    vision = [k for k in offload.ran_on if ":tool:" in k]
    assert vision and offload.ran_on[vision[-1]] in workers  # the matte ran on a worker
    rid = "dask_render"
    data = api.render(sid, rid, quality="low")
    assert data["status"] == "completed", data
    key = next(k for k in offload.ran_on if k.endswith(f":{rid}"))
    assert offload.ran_on[key] in workers  # the render ran on a worker
    assert api.http.get(data["outputUrl"]).content[4:8] == b"ftyp"
    api.close()


def _long_render(api: Api, sid: str, rid: str) -> None:
    r = api.http.post(
        "/api/render/proxy/lambda",
        headers=api.headers,
        json={"id": rid, "sessionId": sid, "output": {"quality": "high"}},
    )
    assert r.status_code == 200, r.text
    deadline = time.monotonic() + 60
    # Until it is really rendering on a worker: the progress past 5 % comes from the worker.
    while time.monotonic() < deadline:
        d = api.http.get(f"/api/render/proxy/lambda/{rid}", headers=api.headers).json()["data"]
        if d["status"] == "processing" and d["progress"] >= 8:
            return
        time.sleep(0.05)
    raise AssertionError(f"the render did not start: {d}")


def test_worker_killed_mid_render_is_retried_or_failed_never_stuck(
    dask_engine: EngineHandle, dask_client: distributed.Client, tmp_path: Path
) -> None:
    api = Api(dask_engine)
    sid = api.session()
    api.upload(sid, make_clip(tmp_path / "long.mp4", seconds=8, width=1280, height=720))
    _long_render(api, sid, "victim")
    busy = [w for w, keys in dask_client.processing().items() if keys]
    assert busy, "no worker is running the render"
    os.kill(_worker_pids(dask_client)[busy[0]], signal.SIGKILL)
    data = api.wait_render("victim", 180)
    print("after the kill:", data["status"], data.get("error"))
    if data["status"] == "failed":
        assert "died" in data["error"], data
    else:
        assert data["status"] == "completed", data  # re-run on the other worker
        assert api.http.get(data["outputUrl"]).content[4:8] == b"ftyp"
    api.close()


def test_cancel_reaches_the_worker(
    dask_engine: EngineHandle, dask_client: distributed.Client, tmp_path: Path
) -> None:
    api = Api(dask_engine)
    sid = api.session()
    api.upload(sid, make_clip(tmp_path / "long.mp4", seconds=8, width=1280, height=720))
    _long_render(api, sid, "stopme")
    t0 = time.monotonic()
    r = api.http.post("/api/render/proxy/lambda/stopme/cancel", headers=api.headers)
    assert r.status_code == 200, r.text
    data = api.wait_render("stopme", 60)
    assert data["status"] == "cancelled", data
    assert time.monotonic() - t0 < 15  # the worker stopped at its next check, not at the end
    deadline = time.monotonic() + 10
    while any(dask_client.processing().values()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(dask_client.processing().values())  # nothing left running on the cluster
    api.close()


def test_scheduler_gone_fails_the_job_and_keeps_the_engine(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "long.mp4", seconds=8, width=1280, height=720)
    digest = hashlib.sha256(clip.read_bytes()).hexdigest()
    cluster = _cluster()
    client = distributed.Client(cluster)
    try:
        with start(tmp_path / "engine", credits=1000, dask=client) as eng:
            api = Api(eng)
            sid = api.session()
            up = api.upload(sid, clip).json()["data"]["files"][0]
            _long_render(api, sid, "orphan")
            threading.Thread(target=cluster.close, daemon=True).start()
            data = api.wait_render("orphan", 120)
            assert data["status"] == "failed" and "went away" in data["error"], data
            # The engine keeps answering, and what it stored is intact.
            r = api.http.get("/api/credits/balance/simple", headers=api.headers)
            assert r.status_code == 200
            media = api.http.get(up["cdn_url"])
            assert hashlib.sha256(media.content).hexdigest() == digest
            api.close()
    finally:
        client.close()
        cluster.close()
