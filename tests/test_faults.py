"""Faults the engine must survive: a real crash (SIGKILL) mid-render and mid-upload, and
hostile request bodies. Nothing accepted is lost; nothing half-written is served."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import time
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nemo_widgets.synth import make_clip
from nemo_widgets.testing import EngineProcess, login
from tests.conftest import Api

pytestmark = pytest.mark.slow


def test_killed_mid_render_resumes_and_keeps_uploads(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "long.mp4", seconds=12, width=1280, height=720)
    digest = hashlib.sha256(clip.read_bytes()).hexdigest()
    server = EngineProcess(tmp_path / "engine").start()
    try:
        http = httpx.Client(base_url=server.url, timeout=60)
        h, sid = login(http)
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
    server = EngineProcess(tmp_path / "engine").start()
    try:
        http = httpx.Client(base_url=server.url, timeout=60)
        h, sid = login(http)
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
