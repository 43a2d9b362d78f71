"""The engine's agent: real phrasings → tool calls, draft changes and replies over SSE."""

from __future__ import annotations

from pathlib import Path

import pytest

from nemo_widgets.draft import Draft
from nemo_widgets.engine.agent import parse_time, plan
from nemo_widgets.engine.vision.labels import parse_target
from tests.conftest import Api

FILES = [
    {"filename": "clip.mp4", "file_type": "video", "file_id": "f_1", "duration": 30},
    {"filename": "lofi.mp3", "file_type": "audio", "file_id": "f_2", "duration": 60},
    {"filename": "beach.jpg", "file_type": "image", "file_id": "f_3"},
]
STATE = {
    "video_infos": FILES,
    "draft": {
        "t": [
            {
                "tt": 0,
                "sg": [
                    {"id": "a", "s": 0, "du": 30000, "src": "f_1", "n": "clip"},
                    {"id": "b", "s": 30000, "du": 10000, "src": "f_1", "n": "second"},
                ],
            }
        ]
    },
}

PHRASES = [
    # object removal (the seed's own examples first): the whole object phrase is the target
    (
        "remove the car parked in the background from the entire video",
        "remove_object",
        {"target": "car parked in the background"},
    ),
    (
        "erase the person walking on the left between 0:05 and 0:12",
        "remove_object",
        {"target": "person walking on the left"},
    ),
    ("把背景里的车去掉", "remove_object", {"target": "背景里的车"}),
    ("get rid of the red van", "remove_object", {"target": "red van"}),
    ("Please delete the dog.", "remove_object", {"target": "dog"}),
    # background
    (
        "replace my office background with a clean studio backdrop",
        "replace_background",
        {"mode": "preset", "value": "studio"},
    ),
    ("blur the background", "replace_background", {"mode": "blur"}),
    ("put me in front of beach.jpg", "replace_background", {"mode": "image", "value": "beach.jpg"}),
    ("make the background green", "replace_background", {"mode": "color", "value": "green"}),
    ("remove the background", "replace_background", {"mode": "transparent"}),
    ("把背景换成海滩", "replace_background", {"mode": "preset", "value": "beach"}),
    ("背景模糊", "replace_background", {"mode": "blur"}),
    # timeline edits
    ("keep 0:03 to 0:20", "trim", {"start": 3.0, "end": 20.0}),
    ("trim it to 0:03-0:20", "trim", {"start": 3.0, "end": 20.0}),
    ("cut out 0:05 to 0:08", "cut", {"start": 5.0, "end": 8.0}),
    ("cut the first 3 seconds", "trim", {"start": 3.0, "end": None}),
    ("remove the last 2 seconds", "trim", {"start": 0.0, "end": 38.0}),
    ("keep only the first 10 seconds", "trim", {"start": 0.0, "end": 10.0}),
    (
        "add the title 'Urban Dreams' for 3 seconds",
        "add_title",
        {"text": "Urban Dreams", "duration": 3.0},
    ),
    ('add a title "Hello" at the top', "add_title", {"text": "Hello", "position": "top"}),
    ("添加标题“城市之梦”", "add_title", {"text": "城市之梦"}),
    ("add lofi.mp3 as BGM at 35%", "add_music", {"file": "lofi.mp3", "volume": 0.35}),
    ("add some background music", "add_music", {"file": "lofi.mp3"}),
    ("mute the video", "mute", {"target": "video"}),
    ("set the music volume to 20%", "set_volume", {"target": "music", "level": 0.2}),
    ("静音", "mute", {"target": "all"}),
    ("make it 9:16", "set_aspect", {"ratio": "9:16", "fit": "fit"}),
    (
        "change the aspect ratio to 1:1 with blurred padding",
        "set_aspect",
        {"ratio": "1:1", "fit": "blur"},
    ),
    ("make it vertical and fill the frame", "set_aspect", {"ratio": "9:16", "fit": "fill"}),
    ("改成竖屏", "set_aspect", {"ratio": "9:16"}),
    ("speed it up 2x", "set_speed", {"factor": 2.0}),
    ("slow motion", "set_speed", {"factor": 0.5}),
    ("make the second clip 1.5x faster", "set_speed", {"factor": 1.5, "clip": 2}),
    ("move the second clip to the start", "reorder", {"clip": 2, "to": 1}),
    ("swap the clips", "reorder", {"clip": 2, "to": 1}),
    ("remove the second clip", "remove_clip", {"clip": 2}),
    ("delete clip 1", "remove_clip", {"clip": 1}),
    ("remove the music", "remove_music", {}),
    ("undo", "undo", {}),
    ("撤销", "undo", {}),
]


@pytest.mark.parametrize(("text", "tool", "args"), PHRASES)
def test_phrase_table(text: str, tool: str, args: dict) -> None:
    p = plan(text, STATE)
    assert p.reply is None, p.reply
    assert [c.name for c in p.calls] == [tool]
    got = p.calls[0].args
    for k, v in args.items():
        assert got.get(k) == v, (k, got)


@pytest.mark.parametrize(
    ("text", "expect"),
    [
        ("what's on the timeline?", "Timeline (1 track): 1. Video: clip, second (0-40s)"),
        ("how long is it?", "40.0 s"),
        ("时长多长？", "40.0 秒"),
        ("", "Please type an instruction"),
        ("make me a sandwich", "I didn't understand"),
    ],
)
def test_questions_and_help(text: str, expect: str) -> None:
    p = plan(text, STATE)
    assert not p.calls and expect in (p.reply or "")


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("0:05", 5.0),
        ("1:02.5", 62.5),
        ("00:01:05", 65.0),
        ("5s", 5.0),
        ("5 seconds", 5.0),
        ("5秒", 5.0),
        ("250ms", 0.25),
        ("2 minutes", 120.0),
        ("soon", None),
    ],
)
def test_times(text: str, seconds: float | None) -> None:
    assert parse_time(text) == seconds


def _parts(events: list[dict]) -> list[str]:
    return [next(iter(e["content"]["parts"][0])) for e in events if "content" in e]


def test_edits_over_sse_change_the_draft(api: Api, clip: Path, tone: Path) -> None:
    sid = api.session()
    api.upload(sid, clip, tone)
    events = api.say(sid, "keep 0:01 to 0:03")
    assert _parts(events) == ["functionCall", "functionResponse", "text"]
    d = Draft.parse(api.state(sid)["draft"])
    seg = d.tracks[0].segments[0]
    assert (seg.start, seg.duration, seg.in_point) == (0, 2000, 1000)
    api.say(sid, "add lofi.mp3 as BGM at 35%")
    api.say(sid, "add the title 'Urban Dreams' for 1 second")
    d = Draft.parse(api.state(sid)["draft"])
    assert d.summary() == (
        "Timeline (3 tracks): 1. Video: clip (0-2s) 2. BGM: lofi (0-2s, 35%) "
        '3. Title: "Urban Dreams" (0-1s)'
    )
    ev = api.say(sid, "undo")
    assert "Undid" in ev[-1]["content"]["parts"][0]["text"]
    assert len(Draft.parse(api.state(sid)["draft"]).tracks) == 2


def test_impossible_requests_get_a_helpful_reply(api: Api, clip: Path) -> None:
    sid = api.session()
    reply = api.say(sid, "keep 0:01 to 0:03")[-1]["content"]["parts"][0]["text"]
    assert "upload a video first" in reply.lower()  # nothing on the timeline yet
    api.upload(sid, clip)
    before = api.state(sid)["draft"]
    events = api.say(sid, "keep 0:50 to 0:60")
    # past the end: declined with the reason before any call (no clamped edit, no credit)
    assert "functionCall" not in _parts(events)
    assert "outside" in events[-1]["content"]["parts"][0]["text"]
    assert api.state(sid)["draft"] == before  # never a silent no-op, never invented success
    reply = api.say(sid, "add music")[-1]["content"]["parts"][0]["text"]
    assert "Upload an audio file" in reply


def test_chinese_instruction_gets_a_chinese_reply(api: Api, clip: Path) -> None:
    sid = api.session()
    api.upload(sid, clip)
    text = api.say(sid, "改成竖屏")[-1]["content"]["parts"][0]["text"]
    assert "画幅" in text


def test_removing_an_unknown_thing_offers_the_box(api: Api, clip: Path) -> None:
    sid = api.session()
    api.upload(sid, clip)
    before = api.state(sid)["draft"]
    text = api.say(sid, "remove the lamp")[-1]["content"]["parts"][0]["text"]
    assert "draw a box" in text and "lamp" in text
    assert api.state(sid)["draft"] == before


@pytest.mark.parametrize(
    ("text", "expect"),
    [
        (
            "remove the car parked in the background from the entire video",
            {"label": "car", "motion": "still", "depth": "background"},
        ),
        (
            "erase the person walking on the left between 0:05 and 0:12",
            {"label": "person", "motion": "moving", "side": "left", "start": 5.0, "end": 12.0},
        ),
        ("把背景里的车去掉", {"label": "car", "depth": "background"}),
        ("把左边走路的人去掉", {"label": "person", "motion": "moving", "side": "left"}),
        ("get rid of the red van", {"label": "truck", "colour": "red"}),
        ("remove all the people", {"label": "person", "all": True}),
        ("delete the motorbike in the middle", {"label": "motorcycle", "side": "centre"}),
        ("remove the pedestrian in the foreground", {"label": "person", "depth": "foreground"}),
        ("erase the puppy", {"label": "dog"}),
    ],
)
def test_object_qualifiers(text: str, expect: dict) -> None:
    """The plan passes the whole object phrase; the vision side reads its qualifiers."""
    args = plan(text, STATE).calls[0].args
    phrase = args["target"]
    got = parse_target(phrase, phrase).to_args() | args
    for k, v in expect.items():
        assert got.get(k) == v, (k, got)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("make it 9:16", "no video in this project yet"),
        ("add the title 'Hi' and make it 1:1", "no video in this project yet"),
        ("把背景虚化", "还没有视频"),
        ("what does 9:16 mean?", "vertical"),
    ],
)
def test_an_empty_project_costs_nothing_and_changes_nothing(api: Api, text: str, says: str) -> None:
    sid = api.session()

    def balance() -> int:
        r = api.http.get("/api/credits/balance/simple", headers=api.headers)
        return r.json()["data"]["available"]

    before, draft = balance(), api.state(sid)["draft"]
    events = api.say(sid, text)
    assert says in events[-1]["content"]["parts"][0]["text"]
    assert not any(
        p.get("functionCall") for e in events for p in e.get("content", {}).get("parts", [])
    )
    assert balance() == before and api.state(sid)["draft"] == draft


def test_the_planners_dictionaries_load_at_engine_start_not_on_the_first_message(
    tmp_path: Path,
) -> None:
    """Simplified/Traditional, numbers-as-words and the English word list (≈ 0.6 s) are
    loaded on a thread while the engine starts, so the first message is not the slow one."""
    import time

    from nemo_widgets.engine import start
    from nemo_widgets.engine.agent.language import spelling

    loaders = (spelling._speller, spelling._zhconv, spelling._alpha2digit)
    for f in loaders:
        f.cache_clear()
    with start(tmp_path / "engine"):
        deadline = time.monotonic() + 30
        while any(f.cache_info().currsize == 0 for f in loaders) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [f.cache_info().currsize for f in loaders] == [1, 1, 1]


def test_a_negated_step_beside_an_export_is_said_in_the_reply(api: Api, clip: Path) -> None:
    sid = api.session()
    api.upload(sid, clip)
    before = api.state(sid)["draft"]
    events = api.say(sid, "不要加音乐，直接导出")
    text = events[-1]["content"]["parts"][0]["text"]
    assert "没有做" in text, text  # the music not added is said, not silently dropped
    assert api.state(sid)["draft"] == before


def test_a_question_about_the_exported_file_is_answered_not_exported(api: Api, clip: Path) -> None:
    sid = api.session()
    api.upload(sid, clip)
    for text, word in (
        ("導出的影片會有浮水印嗎？", "水印"),
        ("will the exported mp4 have a watermark?", "watermark"),
    ):
        events = api.say(sid, text)
        assert "functionCall" not in _parts(events)
        reply = events[-1]["content"]["parts"][0]["text"]
        assert word in reply and ("没有水印" in reply or "no watermark" in reply), reply
