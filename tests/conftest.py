"""Shared fixtures: a real engine on loopback, generated media. No network, no mocks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from nemo_widgets.engine import EngineHandle, start
from nemo_widgets.synth import make_clip, make_tone
from nemo_widgets.testing import ATTRIBUTION, Api

__all__ = ["ATTRIBUTION", "Api"]


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


@pytest.fixture()
def api(engine: EngineHandle) -> Iterator[Api]:
    a = Api(engine)
    yield a
    a.close()
