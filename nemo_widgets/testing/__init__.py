"""Helpers that the test suite and the benchmarks share: raw HTTP against an engine (as the
documented curl calls do, no client library) and an engine in a process of its own, so that it
can really be killed. Media for the bad-input matrix is in :mod:`nemo_widgets.testing.bad_media`.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from nemo_widgets.engine import EngineHandle

#: The attribution headers the hosted service asks every client to send.
ATTRIBUTION = {
    "X-Skill-Source": "objectremover-video",
    "X-Skill-Version": "test",
    "X-Skill-Platform": "unknown",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def login(http: httpx.Client) -> tuple[dict[str, str], str]:
    """A new anonymous user with one session: its headers and the session id."""
    r = http.post("/api/auth/anonymous-token", headers={"X-Client-Id": str(uuid.uuid4())})
    r.raise_for_status()
    h = {"Authorization": f"Bearer {r.json()['data']['token']}", **ATTRIBUTION}
    r = http.post("/api/tasks/me/with-session/nemo_agent", headers=h, json={})
    r.raise_for_status()
    return h, r.json()["data"]["session_id"]


class Api:
    """Raw HTTP against an engine (an :class:`EngineHandle` or a base URL)."""

    def __init__(self, eng: EngineHandle | str, timeout: float = 120) -> None:
        self.eng = eng
        base = eng if isinstance(eng, str) else eng.base_url
        self.http = httpx.Client(base_url=base, timeout=timeout)
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

    def state(self, sid: str) -> dict[str, Any]:
        r = self.http.get(f"/api/state/nemo_agent/me/{sid}/latest", headers=self.headers)
        r.raise_for_status()
        return r.json()["data"]["state"]

    def say(self, sid: str, text: str) -> list[dict[str, Any]]:
        """Send one message to ``/run_sse``; every event of the run, in order."""
        body = {
            "app_name": "nemo_agent",
            "user_id": "me",
            "session_id": sid,
            "new_message": {"role": "user", "parts": [{"text": text}]},
        }
        out = []
        with self.http.stream("POST", "/run_sse", headers=self.headers, json=body) as r:
            if r.status_code != 200:
                raise AssertionError(f"/run_sse answered {r.status_code}: {r.read()!r}")
            for line in r.iter_lines():
                if line.startswith("data:"):
                    out.append(json.loads(line[5:]))
        return out

    def wait_render(self, rid: str, timeout: float = 60) -> dict[str, Any]:
        """Poll a render until it ends; its ``data``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            r = self.http.get(f"/api/render/proxy/lambda/{rid}", headers=self.headers)
            data = r.json()["data"]
            if data["status"] in ("completed", "failed", "cancelled"):
                return data
            time.sleep(0.1)
        raise AssertionError(f"render {rid} did not finish in {timeout:g} s")

    def render(self, sid: str, rid: str, timeout: float = 60, **output: object) -> dict[str, Any]:
        """Submit the session's draft for export and wait for the end; its ``data``."""
        r = self.http.post(
            "/api/render/proxy/lambda",
            headers=self.headers,
            json={"id": rid, "sessionId": sid, "output": output},
        )
        if r.status_code != 200:
            raise AssertionError(f"render submit answered {r.status_code}: {r.text}")
        return self.wait_render(rid, timeout)

    def close(self) -> None:
        self.http.close()


class EngineProcess:
    """``nemo-widgets serve`` in its own process (its memory and CPU are its own, and it can
    be SIGKILLed and started again on the same port and data dir)."""

    def __init__(self, data: Path, *, credits: int | None = 1000, config: Path | None = None):
        self.data, self.credits, self.port = data, credits, free_port()
        self.config = config
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 20) -> EngineProcess:
        cmd = [sys.executable, "-m", "nemo_widgets", "serve", "--port", str(self.port)]
        cmd += ["--data-dir", str(self.data)]
        if self.credits is not None:
            cmd += ["--credits", str(self.credits)]
        env = dict(os.environ)
        if self.config is not None:
            env["NEMO_CONFIG_DIR"] = str(self.config)
        self.proc = subprocess.Popen(
            cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the engine exited with status {self.proc.returncode}")
            try:
                httpx.post(f"{self.url}/api/auth/anonymous-token", timeout=1)
                return self
            except httpx.TransportError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"the engine did not answer within {timeout:g} s")

    def kill(self) -> None:
        """SIGKILL: no cleanup, no goodbye."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)

    def __enter__(self) -> EngineProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
