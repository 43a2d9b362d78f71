"""Reliability report: the bad-input matrix and real crashes, as figures.

Bad inputs: every case of the test matrix (broken, odd and hostile files) is uploaded to a real
engine; each must end in a result or a clear 4xx naming the problem, and the session must work
afterwards. Faults: the engine (its own process) is SIGKILLed mid-render and mid-upload and
restarted; every file it had accepted is fetched again and compared by sha256, the interrupted
render must complete, and nothing half-written may be served or left behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import tempfile
import threading
import time
from pathlib import Path

import httpx

from benchmarks._harness import Figure, main_for
from nemo_widgets.engine import start
from nemo_widgets.synth import make_clip
from nemo_widgets.testing import Api, EngineProcess, login
from nemo_widgets.testing.bad_media import CASES


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _bad_inputs(folder: Path) -> list[Figure]:
    results = clear = unclear = broken_sessions = 0
    good = make_clip(folder / "good.mp4", seconds=1, width=320, height=240)
    with start(folder / "engine", credits=1000) as eng:
        api = Api(eng)
        for i, (name, make, expected) in enumerate(CASES):
            work = folder / f"case{i}"
            work.mkdir()
            sid = api.session()
            r = api.http.post(
                f"/api/upload-video/nemo_agent/me/{sid}",
                headers=api.headers,
                files=[("files", (name, make(work).read_bytes()))],
            )
            if r.status_code == 200:
                results += expected is None
                unclear += expected is not None  # should have been refused
            elif 400 <= r.status_code < 500 and len(r.json().get("message", "")) > 20:
                clear += 1
            else:
                unclear += 1
            ok = api.upload(sid, good).status_code == 200
            reply = api.say(sid, "make it 1:1")[-1]["content"]["parts"][0]["text"]
            broken_sessions += not (ok and "1:1" in reply)
        api.close()
    n = len(CASES)
    return [
        Figure(f"bad inputs: {n} files tried, answered with a correct result", results, "", None),
        Figure(f"bad inputs: {n} files tried, answered with a clear 4xx error", clear, "", None),
        Figure("bad inputs: unclear answers, 5xx or wrong acceptance", unclear, "", 0.0),
        Figure("bad inputs: sessions unusable afterwards", broken_sessions, "", 0.0),
    ]


def _wait_render(http: httpx.Client, h: dict[str, str], rid: str, limit: float = 120) -> dict:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        data = http.get(f"/api/render/proxy/lambda/{rid}", headers=h).json()["data"]
        if data["status"] in ("completed", "failed", "cancelled"):
            return data
        time.sleep(0.1)
    return data


def _faults(folder: Path) -> list[Figure]:
    clip = make_clip(folder / "long.mp4", seconds=10, width=1280, height=720)
    small = make_clip(folder / "small.mp4", seconds=2, width=320, height=240)
    server = EngineProcess(folder / "engine").start()
    kept: list[tuple[str, str]] = []  # (path on the server, sha256)
    served_half = resumed = 0
    try:
        http = httpx.Client(base_url=server.url, timeout=60)
        h, sid = login(http)
        for src in (clip, small):
            up = http.post(
                f"/api/upload-video/nemo_agent/me/{sid}",
                headers=h,
                files={"files": (src.name, src.read_bytes())},
            ).json()["data"]["files"][0]
            kept.append((up["cdn_url"].split(server.url)[-1], _sha(src.read_bytes())))
        http.post(
            "/api/render/proxy/lambda",
            headers=h,
            json={"id": "first", "sessionId": sid, "output": {"quality": "low"}},
        )
        done = _wait_render(http, h, "first")
        kept.append(
            (done["outputUrl"].split(server.url)[-1], _sha(http.get(done["outputUrl"]).content))
        )

        # Fault 1: SIGKILL while a render is writing.
        http.post(
            "/api/render/proxy/lambda",
            headers=h,
            json={"id": "killed", "sessionId": sid, "output": {"quality": "high"}},
        )
        while (
            http.get("/api/render/proxy/lambda/killed", headers=h).json()["data"]["progress"] < 15
        ):
            time.sleep(0.05)
        server.kill()
        server.start()
        before = http.get("/api/render/proxy/lambda/killed", headers=h).json()["data"]["status"]
        half = http.get("/api/render/proxy/killed/download", headers=h)
        served_half += half.status_code == 200 and before != "completed"
        data = _wait_render(http, h, "killed", 300)
        resumed += data["status"] == "completed"

        # Fault 2: SIGKILL while an upload streams in.
        def upload() -> None:
            def body():
                yield b'--b\r\nContent-Disposition: form-data; name="files"; '
                yield b'filename="x.mp4"\r\n\r\n'
                for _ in range(400):
                    yield b"\0" * 65536
                    time.sleep(0.002)
                yield b"\r\n--b--\r\n"

            with contextlib.suppress(httpx.HTTPError):
                httpx.post(
                    f"{server.url}/api/upload-video/nemo_agent/me/{sid}",
                    headers={**h, "Content-Type": "multipart/form-data; boundary=b"},
                    content=body(),
                    timeout=60,
                )

        t = threading.Thread(target=upload)
        t.start()
        time.sleep(0.4)
        server.kill()
        t.join()
        server.start()
        infos = http.get(f"/api/state/nemo_agent/me/{sid}/latest", headers=h).json()["data"][
            "state"
        ]["video_infos"]
        served_half += any(v["filename"] == "x.mp4" for v in infos)
        changed = sum(_sha(http.get(server.url + path).content) != sha for path, sha in kept)
        leftovers = len(list((folder / "engine" / "tmp").iterdir()))
        http.close()
    finally:
        server.stop()
    return [
        Figure("faults: SIGKILLs injected (mid-render, mid-upload), engine restarted", 2, "", None),
        Figure(
            f"faults: accepted files lost or changed (sha256, {len(kept)} checked)",
            changed,
            "",
            0.0,
        ),
        Figure(
            "faults: interrupted render resumed and completed",
            resumed,
            "",
            1.0,
            higher_is_better=True,
        ),
        Figure("faults: half-written uploads or renders served", served_half, "", 0.0),
        Figure("faults: half-written files left after restart", leftovers, "", 0.0),
    ]


def run(quick: bool) -> list[Figure]:
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "bad").mkdir()
        (Path(tmp) / "faults").mkdir()
        return _bad_inputs(Path(tmp) / "bad") + _faults(Path(tmp) / "faults")


if __name__ == "__main__":
    main_for(run)
