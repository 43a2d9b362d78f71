"""Faults the engine must survive: a real crash (SIGKILL) mid-render and mid-upload, and
hostile request bodies. Nothing accepted is lost; nothing half-written is served."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nemo_widgets.synth import make_clip
from tests.conftest import ATTRIBUTION, Api

pytestmark = pytest.mark.slow


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`nemo-widgets serve` in its own process, so it can really be killed."""

    def __init__(self, data: Path) -> None:
        self.data, self.port = data, _port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> Server:
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "nemo_widgets",
                "serve",
                "--port",
                str(self.port),
                "--data-dir",
                str(self.data),
                "--credits",
                "1000",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(200):
            try:
                httpx.post(f"{self.url}/api/auth/anonymous-token", timeout=1)
                return self
            except httpx.TransportError:
                time.sleep(0.05)
        raise RuntimeError("the engine did not start")

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


def _login(http: httpx.Client) -> tuple[dict[str, str], str]:
    """A new anonymous user with one session: its headers and the session id."""
    r = http.post("/api/auth/anonymous-token", headers={"X-Client-Id": str(uuid.uuid4())})
    h = {"Authorization": f"Bearer {r.json()['data']['token']}", **ATTRIBUTION}
    r = http.post("/api/tasks/me/with-session/nemo_agent", headers=h, json={})
    return h, r.json()["data"]["session_id"]


def test_killed_mid_render_resumes_and_keeps_uploads(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "long.mp4", seconds=12, width=1280, height=720)
    digest = hashlib.sha256(clip.read_bytes()).hexdigest()
    server = Server(tmp_path / "engine").start()
    try:
        http = httpx.Client(base_url=server.url, timeout=60)
        h, sid = _login(http)
        up = http.post(
            f"/api/upload-video/nemo_agent/me/{sid}",
            headers=h,
            files={"files": ("long.mp4", clip.read_bytes())},
        ).json()["data"]["files"][0]
        http.post(
            "/api/render/proxy/lambda",
            headers=h,
            json={"id": "render_k", "sessionId": sid, "output": {"quality": "high"}},
        )
        for _ in range(200):  # wait until it is really rendering
            if (
                http.get("/api/render/proxy/lambda/render_k", headers=h).json()["data"]["progress"]
                > 10
            ):
                break
            time.sleep(0.05)
        server.kill()  # SIGKILL: no cleanup, no goodbye
        assert any((tmp_path / "engine" / "tmp").iterdir())  # a half-written render was there
        server.start()
        # The upload is intact, byte for byte.
        media = http.get(up["cdn_url"].replace(up["cdn_url"].split("/media")[0], server.url))
        assert hashlib.sha256(media.content).hexdigest() == digest
        # The render was resumed from scratch and completes; no half file was ever served.
        for _ in range(600):
            data = http.get("/api/render/proxy/lambda/render_k", headers=h).json()["data"]
            if data["status"] in ("completed", "failed"):
                break
            time.sleep(0.1)
        assert data["status"] == "completed", data
        out = http.get("/api/render/proxy/render_k/download", headers=h).content
        assert out[4:8] == b"ftyp" and len(out) > 10_000
        assert not list((tmp_path / "engine" / "tmp").iterdir())
    finally:
        server.stop()


def test_killed_mid_upload_leaves_nothing_half(tmp_path: Path) -> None:
    server = Server(tmp_path / "engine").start()
    try:
        http = httpx.Client(base_url=server.url, timeout=60)
        h, sid = _login(http)
        # Start a multipart upload by hand and stop halfway, then kill the server.
        boundary = "nemoboundary"
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
            f'filename="big.mp4"\r\nContent-Type: video/mp4\r\n\r\n'
        ).encode()
        with socket.create_connection(("127.0.0.1", server.port)) as s:
            req = (
                f"POST /api/upload-video/nemo_agent/me/{sid} HTTP/1.1\r\nHost: x\r\n"
                f"Authorization: {h['Authorization']}\r\n"
                f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
                f"Content-Length: {len(head) + 50_000_000}\r\n\r\n"
            ).encode()
            s.sendall(req + head + os.urandom(2_000_000))
            time.sleep(0.5)
            server.kill()
        server.start()
        state = http.get(f"/api/state/nemo_agent/me/{sid}/latest", headers=h).json()["data"][
            "state"
        ]
        assert state["video_infos"] == []  # nothing half-uploaded was registered
        assert not list((tmp_path / "engine" / "files").iterdir())
        assert not list((tmp_path / "engine" / "tmp").iterdir())  # cleaned at start
    finally:
        server.stop()


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
_keys = st.sampled_from(
    [
        "id",
        "sessionId",
        "session_id",
        "draft",
        "output",
        "new_message",
        "newMessage",
        "urls",
        "task_name",
        "language",
        "state_delta",
    ]
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=st.dictionaries(_keys, _json, max_size=5) | _json,
    route=st.sampled_from(
        [
            "/api/tasks/me/with-session/nemo_agent",
            "/run_sse",
            "/api/render/proxy/lambda",
            "/api/upload-video/nemo_agent/me/{sid}",
        ]
    ),
)
def test_hostile_bodies_get_4xx_never_5xx(api: Api, body: object, route: str) -> None:
    sid = getattr(api, "_fuzz_sid", None) or api.session()
    api._fuzz_sid = sid  # type: ignore[attr-defined]
    r = api.http.post(
        route.format(sid=sid),
        headers={**api.headers, "Content-Type": "application/json"},
        content=json.dumps(body).encode(),
    )
    assert r.status_code < 500, (route, body, r.text[:300])
    # And the engine still answers normally afterwards.
    assert api.http.get("/api/credits/balance/simple", headers=api.headers).status_code == 200
