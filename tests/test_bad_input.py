"""Bad input, case by case: a correct result or a clear error naming the problem and the fix,
and the session still works afterwards."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterable
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from nemo_widgets.synth import make_clip, make_image, make_tone
from tests.conftest import Api

pytestmark = pytest.mark.slow


def _encode(
    path: Path,
    frames: Iterable[tuple[np.ndarray | av.VideoFrame, int]],
    *,
    codec: str = "libx264",
    rate: int = 25,
    size: tuple[int, int] = (320, 240),
    time_base: Fraction | None = None,
    options: dict[str, str] | None = None,
    fmt: str | None = None,
    container_options: dict[str, str] | None = None,
) -> Path:
    """Encode (picture, pts) pairs as given — timestamps, gaps and all — into ``path``."""
    with av.open(str(path), "w", format=fmt, options=container_options or {}) as c:
        s = c.add_stream(codec, rate=rate, options=options or {})
        s.width, s.height, s.pix_fmt = *size, "yuv420p"
        if time_base is not None:
            s.codec_context.time_base = time_base
        for img, pts in frames:
            f = img if isinstance(img, av.VideoFrame) else av.VideoFrame.from_ndarray(img, "rgb24")
            f.pts = pts
            if time_base is not None:
                f.time_base = time_base
            for p in s.encode(f):
                c.mux(p)
        for p in s.encode(None):
            c.mux(p)
    return path


def _bar(x: int) -> np.ndarray:
    """A 320x240 picture, bright from column ``x`` on."""
    img = np.zeros((240, 320, 3), np.uint8)
    img[:, x:] = 220
    return img


FAST = {"preset": "ultrafast"}


def _mpeg2(path: Path) -> Path:
    grey = np.full((240, 320, 3), 90, np.uint8)
    return _encode(path, ((grey, i) for i in range(10)), codec="mpeg2video", fmt="mpeg")


def _huge(path: Path) -> Path:
    """One frame of 8192x4352 — past 8K — so the header alone says it is too big."""
    frame = av.VideoFrame(8192, 4352, "yuv420p")
    return _encode(
        path, [(frame, 0)], rate=1, size=(8192, 4352), time_base=Fraction(1, 1), options=FAST
    )


def _vfr(path: Path, codec: str = "libx264", n: int = 40, step: int = 8, **options: str) -> Path:
    """Variable frame rate: frame durations of 20, 40 and 60 ms in turn."""
    starts = itertools.accumulate((0, *((20, 40, 60)[i % 3] for i in range(n - 1))))
    frames = ((_bar((i * step) % 320), t) for i, t in enumerate(starts))
    return _encode(
        path, frames, codec=codec, rate=50, time_base=Fraction(1, 1000), options=FAST | options
    )


def _hevc_vfr(path: Path) -> Path:
    """HEVC (a phone's default) with frame durations of 20, 40 and 60 ms in turn."""
    return _vfr(path, "libx265", n=30, step=10, **{"x265-params": "log-level=none"})


REWOUND_FRAMES = 50


def _rewound(path: Path) -> Path:
    """A Matroska file whose timestamps jump back 0.88 s at its third cluster (what joining
    two recordings without re-muxing gives): frame i shows a bar starting at x = 6 i, so the
    order of frames in the output can be read back from the pixels."""
    plain = _encode(
        path.with_suffix(".plain.mkv"),
        ((_bar(i * 6), i) for i in range(REWOUND_FRAMES)),
        options=FAST | {"bf": "0"},
        fmt="matroska",
        container_options={"cluster_time_limit": "400", "write_crc32": "0"},
    )
    data = bytearray(plain.read_bytes())
    clusters = []
    at = data.find(b"\x1f\x43\xb6\x75")
    while at >= 0:
        clusters.append(at)
        at = data.find(b"\x1f\x43\xb6\x75", at + 1)
    assert len(clusters) >= 3
    p = clusters[2] + 4
    p += 1 + [bool(data[p] & (0x80 >> k)) for k in range(8)].index(True)  # the size's length
    assert data[p] == 0xE7  # the cluster's Timecode element
    n = data[p + 1] & 0x7F
    data[p + 2 : p + 2 + n] = bytes(n)  # back to 0 ms
    path.write_bytes(bytes(data))
    return path


def _long_header(path: Path, seconds: int) -> Path:
    """Two frames, the second ``seconds`` after the first: the header says it lasts that long."""
    frames = [
        (np.full((240, 320, 3), 60 + 100 * i, np.uint8), t)
        for i, t in enumerate((0, seconds * 1000))
    ]
    return _encode(path, frames, time_base=Fraction(1, 1000), options=FAST)


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
    ("hevc vfr.mp4", lambda d: _hevc_vfr(d / "hevc.mp4"), None),
    ("joined.mkv", lambda d: _rewound(d / "joined.mkv"), None),
    ("hour.mp4", lambda d: _long_header(d / "hour.mp4", 3600), None),
    ("five hours.mp4", lambda d: _long_header(d / "5h.mp4", 5 * 3600), "more than the 4 h limit"),
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
    src = _rewound(tmp_path / "joined.mkv")
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
    r = api.upload(sid, _long_header(tmp_path / "hour.mp4", 3600))
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
