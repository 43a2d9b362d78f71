"""Bad input, case by case: a correct result or a clear error naming the problem and the fix,
and the session still works afterwards."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from pathlib import Path

import av
import numpy as np
import pytest

from nemo_widgets.synth import make_clip
from nemo_widgets.testing.bad_media import CASES, REWOUND_FRAMES, long_header, rewound
from tests.conftest import Api

pytestmark = pytest.mark.slow


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


def _upload_and_render(api: Api, tmp_path: Path, name: str, *instructions: str) -> Path:
    make = dict((c[0], c[1]) for c in CASES)[name]
    sid = api.session()
    r = api.http.post(
        f"/api/upload-video/nemo_agent/me/{sid}",
        headers=api.headers,
        files=[("files", (name, make(tmp_path).read_bytes()))],
    )
    assert r.status_code == 200, r.text
    for text in instructions:
        api.say(sid, text)
    data = api.render(sid, "render_odd", quality="low")
    assert data["status"] == "completed", data
    out = tmp_path / "out.mp4"
    out.write_bytes(api.http.get(data["outputUrl"]).content)
    return out


@pytest.mark.parametrize(
    "name", ["phone ✓ 视频.mov", "odd.mp4", "ten.mp4", "vfr.mp4", "hevc vfr.mp4"]
)
def test_odd_sources_render_to_standard_output(api: Api, tmp_path: Path, name: str) -> None:
    out = _upload_and_render(api, tmp_path, name)
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


def test_timestamps_that_jump_back_keep_every_frame_in_order(api: Api, tmp_path: Path) -> None:
    sid = api.session()
    src = rewound(tmp_path / "joined.mkv")
    with av.open(str(src)) as c:  # the file really goes back in time
        pts = [f.pts for f in c.decode(video=0)]
    assert any(b < a for a, b in itertools.pairwise(pts))
    r = api.upload(sid, src)
    info = r.json()["data"]["files"][0]
    assert info["timestamps"] == "rebuilt" and info["duration"] == pytest.approx(2.0, abs=0.05)
    out = _upload_and_render(api, tmp_path, "joined.mkv")
    edges = []
    with av.open(str(out)) as c:
        for f in c.decode(video=0):
            row = f.to_ndarray(format="gray")[f.height // 2].astype(int)
            edges.append(int(np.argmax(row > 110)) / f.width)  # where the bar starts
    # Every source frame once, in order: the bar's edge steps forward by one frame's 6 px.
    assert len(edges) == REWOUND_FRAMES
    steps = np.diff(edges[: REWOUND_FRAMES - 4])
    assert np.all(steps > 0.5 * 6 / 320), steps


def test_hour_long_header_is_handled_within_limits(api: Api, tmp_path: Path) -> None:
    """A header claiming an hour is accepted (streaming keeps memory flat); its first seconds
    export at once; past the 4-hour limit it is refused before any decoding."""
    sid = api.session()
    r = api.upload(sid, long_header(tmp_path / "hour.mp4", 3600))
    assert r.json()["data"]["files"][0]["duration"] == pytest.approx(3600, abs=1)
    out = _upload_and_render(api, tmp_path, "hour.mp4", "keep only the first 2 seconds")
    with av.open(str(out)) as c:
        assert float(c.duration / av.time_base) == pytest.approx(2.0, abs=0.15)


@pytest.mark.parametrize(
    ("change", "expect"),
    [
        ({"du": -500}, "'du' must be a number of ms >= 0"),
        ({"du": 10**12}, "exports are limited to 4 h"),
        ({"s": 5 * 3600 * 1000}, "exports are limited to 4 h"),
        ({"du": float("inf")}, "'du' must be a number"),
        ({"in": float("nan")}, "'in' must be a number"),
        ({"sp": 0}, "speed 'sp'"),
        ({"v": 1e9}, "volume 'v'"),
        ({"du": "10"}, "'du' must be a number"),
        ({"src": "f_not_yours"}, "media that is not in this session: f_not_yours"),
    ],
    ids=[
        "negative",
        "days long",
        "starts after 5 h",
        "infinite",
        "NaN",
        "speed 0",
        "loud",
        "text",
        "unknown media",
    ],
)
def test_impossible_drafts_are_refused_before_rendering(
    api: Api, tmp_path: Path, change: dict, expect: str
) -> None:
    sid = api.session()
    api.upload(sid, make_clip(tmp_path / "c.mp4", seconds=1, width=160, height=120))
    draft = api.state(sid)["draft"]
    draft["t"][0]["sg"][0].update(change)
    body = json.dumps(
        {"id": "r1", "sessionId": sid, "draft": draft, "output": {"quality": "low"}}
    )  # Python's json writes NaN and Infinity, as careless clients do
    r = api.http.post(
        "/api/render/proxy/lambda",
        headers={**api.headers, "Content-Type": "application/json"},
        content=body,
    )
    assert r.status_code == 400 and expect in r.json()["error"], r.text
    # The session's own draft is untouched and still exports.
    r = api.http.post(
        "/api/render/proxy/lambda",
        headers=api.headers,
        json={"id": "r2", "sessionId": sid, "output": {"quality": "low"}},
    )
    assert r.status_code == 200
