"""Shared fixtures: a real engine on loopback, generated media. No network, no mocks."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from nemo_widgets.engine import EngineHandle, start
from nemo_widgets.synth import make_clip, make_tone

ATTRIBUTION = {
    "X-Skill-Source": "objectremover-video",
    "X-Skill-Version": "test",
    "X-Skill-Platform": "unknown",
}


@pytest.fixture(autouse=True)
def _close_http_clients(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every httpx.Client a test opens is closed when the test ends."""
    made: list[httpx.Client] = []
    original = httpx.Client.__init__

    def init(self: httpx.Client, *args: object, **kw: object) -> None:
        original(self, *args, **kw)  # type: ignore[arg-type]
        made.append(self)

    monkeypatch.setattr(httpx.Client, "__init__", init)
    yield
    for client in made:
        client.close()


@pytest.fixture()
def isolated_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No saved token, client id or server from the machine running the tests."""
    monkeypatch.setenv("NEMO_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("NEMO_DATA_DIR", str(tmp_path / "data"))  # Studio projects
    for name in ("NEMO_TOKEN", "NEMO_CLIENT_ID", "NEMO_BASE_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="session")
def clip(media_dir: Path) -> Path:
    """4 s, 640x360, 25 fps, H.264 + AAC stereo 440 Hz."""
    return make_clip(media_dir / "clip.mp4", seconds=4, width=640, height=360)


@pytest.fixture(scope="session")
def tone(media_dir: Path) -> Path:
    return make_tone(media_dir / "lofi.mp3", seconds=3, tone_hz=220)


@pytest.fixture()
def engine(tmp_path: Path) -> Iterator[EngineHandle]:
    """A fresh engine with the hosted service's 100 starting credits."""
    with start(tmp_path / "engine", credits=100, heartbeat_s=0.5) as eng:
        yield eng


class Api:
    """Raw HTTP against the engine, as the documented curl calls do (no client library)."""

    def __init__(self, eng: EngineHandle) -> None:
        self.eng = eng
        self.http = httpx.Client(base_url=eng.base_url, timeout=120)
        self.client_id = str(uuid.uuid4())
        r = self.http.post("/api/auth/anonymous-token", headers={"X-Client-Id": self.client_id})
        r.raise_for_status()
        self.token = r.json()["data"]["token"]
        self.user_id = r.json()["data"]["user_id"]
        self.headers = {"Authorization": f"Bearer {self.token}", **ATTRIBUTION}

    def session(self) -> str:
        r = self.http.post(
            "/api/tasks/me/with-session/nemo_agent",
            headers=self.headers,
            json={"task_name": "project", "language": "en"},
        )
        r.raise_for_status()
        return r.json()["data"]["session_id"]

    def upload(self, sid: str, *paths: Path) -> httpx.Response:
        files = [("files", (p.name, p.read_bytes())) for p in paths]
        return self.http.post(
            f"/api/upload-video/nemo_agent/me/{sid}", headers=self.headers, files=files
        )

    def state(self, sid: str) -> dict:
        r = self.http.get(f"/api/state/nemo_agent/me/{sid}/latest", headers=self.headers)
        r.raise_for_status()
        return r.json()["data"]["state"]

    def say(self, sid: str, text: str) -> list[dict]:
        import json

        body = {
            "app_name": "nemo_agent",
            "user_id": "me",
            "session_id": sid,
            "new_message": {"role": "user", "parts": [{"text": text}]},
        }
        out = []
        with self.http.stream("POST", "/run_sse", headers=self.headers, json=body) as r:
            assert r.status_code == 200, r.read()
            for line in r.iter_lines():
                if line.startswith("data:"):
                    out.append(json.loads(line[5:]))
        return out

    def wait_render(self, rid: str, timeout: float = 60) -> dict:
        """Poll a render until it ends; its ``data``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            r = self.http.get(f"/api/render/proxy/lambda/{rid}", headers=self.headers)
            data = r.json()["data"]
            if data["status"] in ("completed", "failed", "cancelled"):
                return data
            time.sleep(0.1)
        raise AssertionError("render did not finish")

    def render(self, sid: str, rid: str, timeout: float = 60, **output: object) -> dict:
        """Submit the session's draft for export and wait for the end; its ``data``."""
        r = self.http.post(
            "/api/render/proxy/lambda",
            headers=self.headers,
            json={"id": rid, "sessionId": sid, "output": output},
        )
        assert r.status_code == 200, r.text
        return self.wait_render(rid, timeout)

    def close(self) -> None:
        self.http.close()


@pytest.fixture()
def api(engine: EngineHandle) -> Iterator[Api]:
    a = Api(engine)
    yield a
    a.close()
