"""Words that name only a class ("remove the person") when the clip holds several: the engine
asks which, with a numbered still, and changes nothing; the pick removes that one only.

The clip is a static shot of a real photo (the registry's bus photo: three people)."""

from __future__ import annotations

from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from nemo_widgets.engine.vision.labels import parse_target
from nemo_widgets.engine.vision.remove import rivals, scan
from nemo_widgets.samples import sample_path
from nemo_widgets.synth import write_frames
from tests.conftest import Api

pytestmark = pytest.mark.slow
W, H = 400, 256


@pytest.fixture(scope="module")
def people(tmp_path_factory: pytest.TempPathFactory) -> Path:
    photo = cv2.cvtColor(cv2.imread(str(sample_path("bus_photo"))), cv2.COLOR_BGR2RGB)
    small = cv2.resize(photo, (405, 540), interpolation=cv2.INTER_AREA)[170 : 170 + H, :W]
    rng = np.random.default_rng(0)
    frames = [
        np.clip(small + rng.normal(0, 2, small.shape), 0, 255).astype(np.uint8) for _ in range(25)
    ]
    return write_frames(tmp_path_factory.mktemp("which") / "people.mp4", frames)


def _read(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as c:
        return [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]


def test_a_bare_class_with_several_objects_is_a_question_a_qualifier_decides(people) -> None:
    sc = scan(people, {"person"})
    assert len(rivals(sc, parse_target("the person", "the person"))) >= 2
    assert len(rivals(sc, parse_target("那个人", "那个人"))) >= 2
    assert rivals(sc, parse_target("the man on the left", "the man on the left")) == []
    assert rivals(sc, parse_target("all the people", "all the people")) == []


def test_which_person_is_asked_then_the_pick_removes_that_one_only(api: Api, people) -> None:
    sid = api.session()
    api.upload(sid, people)
    before = api.state(sid)["draft"]
    events = api.say(sid, "remove the person")
    reply = events[-1]["content"]["parts"][0]["text"]
    assert "nothing was changed yet" in reply and "1. " in reply and "2. " in reply, reply
    state = api.state(sid)
    assert state["draft"] == before  # a question changes nothing
    ask = state["generated_media"][-1]
    assert ask["kind"] == "candidates"
    items = ask["candidates"]
    assert 2 <= len(items) <= 3 and all(it["label"] == "person" for it in items)
    boxes = sorted((it["box"] for it in items), key=lambda b: b[0])
    assert boxes[0][2] <= boxes[1][0] + 10  # different people, side by side
    # Pick the one in the middle of the picture by its number.
    mid = min(items, key=lambda it: abs((it["box"][0] + it["box"][2]) / 2 - W / 2))
    n = {1: "first", 2: "second", 3: "third"}[mid["n"]]
    reply = api.say(sid, f"the {n} one")[-1]["content"]["parts"][0]["text"]
    assert reply.startswith("Removed the person"), reply
    state = api.state(sid)
    assert state.get("candidates") is None and state["draft"] != before
    gen = state["generated_media"][-1]
    assert gen["kind"] == "removed"
    out = people.parent / "out.mp4"
    out.write_bytes(api.http.get(gen["url"]).content)
    got, orig = _read(out)[12].astype(float), _read(people)[12].astype(float)
    x0, y0, x1, y1 = (int(v) for v in mid["box"])
    assert np.abs(got - orig)[y0:y1, x0:x1].mean() > 15  # that person is gone
    for it in items:
        if it is not mid:
            a0, b0, a1, b1 = (int(v) for v in it["box"])
            keep = np.ones((H, W), bool)
            keep[max(0, y0 - 8) : y1 + 8, max(0, x0 - 8) : x1 + 8] = False
            region = keep[b0:b1, a0:a1]
            diff = np.abs(got - orig)[b0:b1, a0:a1].mean(axis=2)[region]
            assert diff.mean() < 4, it  # the others stay


def test_the_question_is_asked_in_chinese_and_all_of_them_can_go(api: Api, people) -> None:
    sid = api.session()
    api.upload(sid, people)
    reply = api.say(sid, "把那个人删掉")[-1]["content"]["parts"][0]["text"]
    assert "暂未修改" in reply and "第一个" in reply, reply
    assert not any(w in reply for w in ("person", "the ", "nothing")), reply
    assert api.state(sid)["candidates"]["named"] is True
    reply = api.say(sid, "都删掉")[-1]["content"]["parts"][0]["text"]  # "all of them"
    assert reply.startswith("已从"), reply
    state = api.state(sid)
    assert state.get("candidates") is None
    gen = state["generated_media"][-1]
    assert gen["kind"] == "removed"
    out = people.parent / "out_all.mp4"
    out.write_bytes(api.http.get(gen["url"]).content)
    got, orig = _read(out)[12].astype(float), _read(people)[12].astype(float)
    for it in state["generated_media"][-2]["candidates"]:
        x0, y0, x1, y1 = (int(v) for v in it["box"])
        assert np.abs(got - orig)[y0:y1, x0:x1].mean() > 12, it  # every one of them is gone
