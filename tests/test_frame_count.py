"""Exports keep frame counts exactly: a whole clip comes back with as many frames as it went
in (a title or music on top changes nothing), a trimmed one with ``duration × fps``."""

from __future__ import annotations

from pathlib import Path

import av
import pytest

from nemo_widgets.synth import make_clip, make_tone
from tests.conftest import Api

pytestmark = pytest.mark.slow


def _frames(path: Path) -> int:
    with av.open(str(path)) as c:
        return sum(1 for _ in c.decode(video=0))


def _export(api: Api, sid: str, tmp_path: Path, rid: str) -> Path:
    data = api.render(sid, rid, quality="low")
    assert data["status"] == "completed", data
    out = tmp_path / f"{rid}.mp4"
    out.write_bytes(api.http.get(data["outputUrl"]).content)
    return out


@pytest.mark.parametrize(
    ("fps", "seconds", "sample_rate"), [(25, 4.0, 48_000), (30, 3.0, 44_100), (24, 2.5, 22_050)]
)
def test_whole_clip_keeps_its_frame_count(
    api: Api, tmp_path: Path, fps: int, seconds: float, sample_rate: int
) -> None:
    clip = make_clip(
        tmp_path / "c.mp4",
        seconds=seconds,
        width=160,
        height=120,
        fps=fps,
        sample_rate=sample_rate,
    )
    n = _frames(clip)
    assert n == round(seconds * fps)
    sid = api.session()
    up = api.upload(sid, clip, make_tone(tmp_path / "lofi.mp3", seconds=seconds + 2))
    assert up.status_code == 200, up.text
    assert api.state(sid)["draft"]["d"] == round(seconds * 1000)  # the pictures' span
    api.say(sid, "add the title 'Hi' for 2 seconds")
    api.say(sid, "add lofi.mp3 as background music at 30%")
    kinds = {t["tt"] for t in api.state(sid)["draft"]["t"]}
    assert {0, 1, 7} <= kinds, kinds  # video, music and a title are all on the timeline
    assert _frames(_export(api, sid, tmp_path, "whole")) == n


def test_trimmed_clip_has_duration_times_fps_frames(api: Api, tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "c.mp4", seconds=4, width=160, height=120, fps=25)
    sid = api.session()
    api.upload(sid, clip)
    api.say(sid, "keep 0:01 to 0:03")
    api.say(sid, "add the title 'Hi' for 1 second")
    assert api.state(sid)["draft"]["d"] == 2000
    assert _frames(_export(api, sid, tmp_path, "trimmed")) == 50
