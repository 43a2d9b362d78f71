"""Every notebook runs top to bottom, headless (nbclient), against the embedded engine, and
what it produced is checked: the files exist, play, and have the right size and duration."""

from __future__ import annotations

import ast
import json
import os
from pathlib import Path

import av
import nbformat
import pytest
from nbclient import NotebookClient

# Each notebook is a whole workflow (several renders, vision on real clips): minutes, not seconds.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]
NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def run(name: str, cwd: Path) -> tuple[dict, str]:
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), (
        f"{name} is committed with outputs"
    )
    NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}
    ).execute()
    check_outputs(name, nb)
    text = "\n".join(
        o.get("text", "")
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
        if o.get("name") == "stdout"
    )
    line = next(ln for ln in text.splitlines() if ln.startswith("RESULT "))
    payload = line[len("RESULT ") :]
    try:
        result = json.loads(payload)
    except ValueError:
        result = ast.literal_eval(payload)
    return result, text


def check_outputs(name: str, nb: object) -> None:
    """What a newcomer reads: no library noise in error-styled stderr boxes, no walls of
    protocol JSON or signed URLs as a cell's result."""
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for o in cell.outputs:
            if o.get("name") == "stderr":
                raise AssertionError(f"{name}: stderr output {o.get('text', '')[:300]!r}")
            data = o.get("data", {})
            plain = data.get("text/plain", "")
            if o.get("output_type") == "execute_result" and len(data) == 1:
                assert len(plain) < 1500, f"{name}: a wall of text as a result: {plain[:200]}"
            for text in (plain, o.get("text", "")):
                assert "sig=" not in text and '"sg"' not in text, f"{name}: {text[:300]}"


def facts(path: str | Path) -> tuple[int, int, float, str]:
    with av.open(str(path)) as c:
        v = c.streams.video[0]
        return v.width, v.height, float(c.duration / av.time_base), v.codec_context.name


@pytest.fixture()
def cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("NEMO_CONFIG_DIR", str(tmp_path / "cfg"))
    monkeypatch.setenv("NEMO_DATA_DIR", str(tmp_path / "data"))  # a fresh Studio project
    monkeypatch.delenv("NEMO_TOKEN", raising=False)
    monkeypatch.delenv("NEMO_BASE_URL", raising=False)
    return tmp_path


def test_quickstart(cwd: Path) -> None:
    result, _ = run("quickstart.ipynb", cwd)
    w, h, duration, codec = facts(cwd / result["path"])
    assert (w, h, codec) == (400, 300, "h264") and abs(duration - 30.6) < 0.3


def test_background_replacement(cwd: Path) -> None:
    result, text = run("background_replacement.ipynb", cwd)
    for key in ("studio", "blur", "photo", "transparent"):
        w, h, duration, codec = facts(cwd / result[key])
        assert (w, h, codec) == (400, 300, "h264") and abs(duration - 6.0) < 0.2, key
    assert facts(cwd / result["alpha"])[3] == "vp9"
    assert text.count("Replaced the background") == 4


def test_batch(cwd: Path) -> None:
    rows = run("batch.ipynb", cwd)[0]
    files = ["bikes.mp4", "webcam_talkinghead.mp4", "no-such-clip.mp4", "webcam_talkinghead.mp4"]
    assert [r["file"] for r in rows] == files
    assert "no such file" in rows[2]["error"] and rows[2]["output"] is None
    bikes, webcam, _, vertical = (facts(cwd / r["output"]) if r["output"] else None for r in rows)
    assert bikes[:2] == (640, 272) and abs(bikes[2] - 10.0) < 0.2
    assert webcam[:2] == (400, 300) and abs(webcam[2] - 30.6) < 0.3
    assert vertical[1] > vertical[0] and abs(vertical[2] - 3.0) < 0.2  # both steps, in order


def test_client_api(cwd: Path) -> None:
    result, text = run("client_api.ipynb", cwd)
    assert "UnsupportedFile" in text and "nmv_usr_" in text and "I didn't understand" in text
    w, h, _, _ = facts(cwd / result["path"])
    assert h > w  # 9:16
    assert os.path.getsize(cwd / result["path"]) == result["size"]


def test_object_removal(cwd: Path) -> None:
    result, text = run("object_removal.ipynb", cwd)
    assert "Removed the parked car in the background" in text
    assert "Removed the person" in text and "didn't find" in text
    for key in ("car", "person", "export"):
        w, h, duration, codec = facts(cwd / result[key])
        assert (w, h, codec) == (640, 272, "h264") and abs(duration - 10.0) < 0.2, key
