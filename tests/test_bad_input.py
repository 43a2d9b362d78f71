"""Bad input, case by case: a correct result or a clear error naming the problem and the fix,
and the session still works afterwards."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from nemo_widgets.synth import make_clip, make_image, make_tone
from tests.conftest import Api

pytestmark = pytest.mark.slow


def _mpeg2(path: Path) -> Path:
    with av.open(str(path), "w", format="mpeg") as c:
        s = c.add_stream("mpeg2video", rate=25)
        s.width, s.height, s.pix_fmt = 320, 240, "yuv420p"
        for i in range(10):
            f = av.VideoFrame.from_ndarray(np.full((240, 320, 3), 90, np.uint8), format="rgb24")
            f.pts = i
            for p in s.encode(f):
                c.mux(p)
        for p in s.encode(None):
            c.mux(p)
    return path


def _huge(path: Path) -> Path:
    """One frame of 8192x4352 — past 8K — so the header alone says it is too big."""
    with av.open(str(path), "w") as c:
        s = c.add_stream("libx264", rate=1, options={"preset": "ultrafast"})
        s.width, s.height, s.pix_fmt = 8192, 4352, "yuv420p"
        f = av.VideoFrame(8192, 4352, "yuv420p")
        f.pts, f.time_base = 0, Fraction(1, 1)
        for p in s.encode(f):
            c.mux(p)
        for p in s.encode(None):
            c.mux(p)
    return path


def _vfr(path: Path) -> Path:
    """Variable frame rate: frame durations of 20, 40 and 60 ms in turn."""
    with av.open(str(path), "w") as c:
        s = c.add_stream("libx264", rate=50, options={"preset": "ultrafast"})
        s.width, s.height, s.pix_fmt = 320, 240, "yuv420p"
        s.codec_context.time_base = Fraction(1, 1000)
        t = 0
        for i in range(40):
            img = np.zeros((240, 320, 3), np.uint8)
            img[:, (i * 8) % 320 :] = 200
            f = av.VideoFrame.from_ndarray(img, format="rgb24")
            f.pts, f.time_base = t, Fraction(1, 1000)
            for p in s.encode(f):
                c.mux(p)
            t += (20, 40, 60)[i % 3]
        for p in s.encode(None):
            c.mux(p)
    return path


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


CASES: list[tuple[str, Callable[[Path], Path], str | None]] = [
    # (upload name, how to make it, expected error text or None for success)
    ("empty.mp4", lambda d: _write(d / "e", b""), "empty"),
    ("notes.mp4", lambda d: _write(d / "n", b"just text\n" * 50), "text file"),
    (
        "cut.mp4",
        lambda d: _write(d / "c", make_clip(d / "cc.mp4").read_bytes()[:5000]),
        "incomplete or damaged",
    ),
    ("old.mpg", lambda d: _mpeg2(d / "old.mpg"), "supported formats"),
    ("huge.mp4", lambda d: _huge(d / "huge.mp4"), "larger than 8K"),
    ("phone ✓ 视频.mov", lambda d: make_clip(d / "u.mp4", rotation=90), None),
    ("../../../etc/passwd.mp4", lambda d: make_clip(d / "t.mp4"), None),
    ("odd.mp4", lambda d: make_clip(d / "o.mp4", width=321, height=181, pix_fmt="yuv444p"), None),
    ("ten.mp4", lambda d: make_clip(d / "x.mp4", pix_fmt="yuv420p10le"), None),
    ("vfr.mp4", lambda d: _vfr(d / "vfr.mp4"), None),
    ("voice.wav", lambda d: make_tone(d / "v.wav"), None),
    ("photo.png", lambda d: make_image(d / "p.png"), None),
]


@pytest.mark.parametrize(("name", "make", "error"), CASES, ids=[c[0] for c in CASES])
def test_upload_matrix(
    api: Api, tmp_path: Path, name: str, make: Callable[[Path], Path], error: str | None
) -> None:
    sid = api.session()
    src = make(tmp_path)
    r = api.http.post(
        f"/api/upload-video/nemo_agent/me/{sid}",
        headers=api.headers,
        files=[("files", (name, src.read_bytes()))],
    )
    body = r.json()
    if error is not None:
        assert r.status_code in (413, 415) and body["code"] in (4001, 4002), body
        assert error in body["message"], body["message"]
        assert api.state(sid)["video_infos"] == []
    else:
        assert r.status_code == 200, body
        f = body["data"]["files"][0]
        assert "/" not in f["filename"] and ".." not in f["filename"]
        stored = {p.name for p in (api.eng.data_dir / "files").iterdir()}
        assert all(n.startswith("f_") for n in stored)  # names never become paths
    # The session still works: a good clip uploads and an edit applies.
    api.upload(sid, make_clip(tmp_path / "good.mp4", seconds=2))
    reply = api.say(sid, "make it 1:1")[-1]["content"]["parts"][0]["text"]
    assert "1:1" in reply


@pytest.mark.parametrize("name", ["phone ✓ 视频.mov", "odd.mp4", "ten.mp4", "vfr.mp4"])
def test_odd_sources_render_to_standard_output(api: Api, tmp_path: Path, name: str) -> None:
    make = dict((c[0], c[1]) for c in CASES)[name]
    sid = api.session()
    api.http.post(
        f"/api/upload-video/nemo_agent/me/{sid}",
        headers=api.headers,
        files=[("files", (name, make(tmp_path).read_bytes()))],
    )
    r = api.http.post(
        "/api/render/proxy/lambda",
        headers=api.headers,
        json={"id": "render_odd", "sessionId": sid, "output": {"quality": "low"}},
    )
    assert r.status_code == 200
    import time

    for _ in range(300):
        data = api.http.get("/api/render/proxy/lambda/render_odd", headers=api.headers).json()[
            "data"
        ]
        if data["status"] in ("completed", "failed"):
            break
        time.sleep(0.1)
    assert data["status"] == "completed", data
    out = tmp_path / "out.mp4"
    out.write_bytes(api.http.get(data["outputUrl"]).content)
    with av.open(str(out)) as c:
        v = c.streams.video[0]
        assert v.codec_context.pix_fmt == "yuv420p" and v.width % 2 == 0 and v.height % 2 == 0
        assert c.duration and float(c.duration / av.time_base) > 0.5


@pytest.mark.parametrize(
    ("text", "expect"),
    [
        ("", "Please type an instruction"),
        ("   \n\t ", "Please type an instruction"),
        ("x" * 19_000, "I didn't understand"),
    ],
)
def test_odd_instructions(api: Api, text: str, expect: str) -> None:
    sid = api.session()
    assert expect in api.say(sid, text)[-1]["content"]["parts"][0]["text"]


def test_too_long_instruction_is_refused(api: Api) -> None:
    sid = api.session()
    body = {
        "app_name": "nemo_agent",
        "user_id": "me",
        "session_id": sid,
        "new_message": {"role": "user", "parts": [{"text": "y" * 30_000}]},
    }
    r = api.http.post("/run_sse", headers=api.headers, json=body)
    assert r.status_code == 400 and "too long" in r.json()["message"]
