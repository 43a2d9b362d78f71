"""The engine's work modules import without the server's dependencies (uvicorn, Starlette)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

_BLOCK = """
import importlib.abc, sys
BLOCKED = {"uvicorn", "starlette", "fastapi", "multipart", "python_multipart", "httpx"}
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"blocked for this test: {name}")
        return None
sys.meta_path.insert(0, Block())
"""


def _run(code: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(_BLOCK) + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )


@pytest.mark.parametrize(
    "module",
    [
        "nemo_widgets.engine.vision.inpaint",
        "nemo_widgets.engine.vision.remove",
        "nemo_widgets.engine.vision.background",
        "nemo_widgets.engine.video_io",
        "nemo_widgets.engine.render",
        "nemo_widgets.engine.media",
    ],
)
def test_work_modules_import_without_the_server(module: str) -> None:
    r = _run(
        f"""
        import importlib, sys
        importlib.import_module({module!r})
        assert "uvicorn" not in sys.modules and "starlette" not in sys.modules
        print("ok")
        """
    )
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr


def test_the_server_is_imported_on_first_use() -> None:
    r = _run(
        """
        import nemo_widgets.engine as engine
        try:
            engine.start
        except ImportError as e:
            print("refused:", e)
        """
    )
    assert r.returncode == 0 and "refused: blocked for this test: uvicorn" in r.stdout, r.stderr
