"""Instruction understanding: phrase families → plans, the zero-wrong-edit cases, multi-step
runs over SSE, replies, the tools' schemas and the optional language-model planner."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
import respx

from nemo_widgets.draft import Draft
from nemo_widgets.engine import edits
from nemo_widgets.engine.agent import plan
from nemo_widgets.engine.agent.language.normalise import normalise
from nemo_widgets.engine.agent.tools import TOOLS, openai_tools, validate
from tests.conftest import Api

FILES = [
    {"filename": "street.mp4", "file_type": "video", "file_id": "f_1", "duration": 30},
    {"filename": "lofi.mp3", "file_type": "audio", "file_id": "f_2", "duration": 60},
    {"filename": "upbeat.mp3", "file_type": "audio", "file_id": "f_4", "duration": 20},
    {"filename": "backdrop.jpg", "file_type": "image", "file_id": "f_3"},
]
VIDEO = {"tt": 0, "sg": [{"id": "a", "s": 0, "du": 30000, "src": "f_1", "n": "street"}]}
MUSIC = {"tt": 1, "sg": [{"id": "m", "s": 0, "du": 30000, "src": "f_2", "v": 50, "n": "lofi"}]}
TITLE = {"tt": 7, "sg": [{"id": "t", "s": 0, "du": 3000, "tx": "Hello", "st": {"pos": "bottom"}}]}
STATE = {"video_infos": FILES, "draft": {"t": [VIDEO, MUSIC, TITLE]}}


def steps(text: str, state: dict | None = None) -> list[dict]:
    return plan(text, state or STATE).intents()


def _first(text: str) -> dict:
    return steps(text)[0]


# -- families ----------------------------------------------------------------------------------
FAMILIES = [
    # objects: the whole phrase with its qualifiers, never the background
    (
        "the car in the background is distracting, remove it",
        "remove_object",
        {"target": "car in the background"},
    ),
    ("remove the car in the background", "remove_object", {"target": "car in the background"}),
    ("删除背景里的那辆车", "remove_object", {"target": "背景里的车"}),
    ("make the cyclist disappear", "remove_object", {"target": "cyclist"}),
    ("photoshop out the people on the left", "remove_object", {"target": "people on the left"}),
    ("remvoe the bike pls", "remove_object", {"target": "bike"}),
    ("帮我把路人P掉", "remove_object", {"target": "路人"}),
    # background
    ("bokeh", "replace_background", {"mode": "blur"}),
    ("green screen it", "replace_background", {"mode": "color", "value": "green"}),
    ("背景虚化", "replace_background", {"mode": "blur"}),
    (
        "use backdrop.jpg as my background",
        "replace_background",
        {"mode": "image", "value": "backdrop.jpg"},
    ),
    ("make the background transparent", "replace_background", {"mode": "transparent"}),
    # time
    ("trim to the first 5 seconds", "trim", {"start": 0, "end": 5}),
    ("cut the last 5 s", "trim", {"start": 0, "end": 25}),
    ("keep from 0:20 to the end", "trim", {"start": 20, "end": None}),
    ("截取前十秒", "trim", {"start": 0, "end": 10}),
    ("剪掉前5秒", "trim", {"start": 5, "end": None}),
    ("keep 1m20s to 1m25s"[:0] + "keep 0:03-0:20", "trim", {"start": 3, "end": 20}),
    ("remove 0:10 to 0:15", "cut", {"start": 10, "end": 15}),
    ("cut out the middle 10 seconds", "cut", {"start": 10, "end": 20}),
    ("split at 0:12", "split", {"at": 12}),
    # speed: words, factors, relative
    ("make it half speed", "set_speed", {"factor": 0.5}),
    ("make it 3 times faster", "set_speed", {"factor": 3}),
    ("a bit faster", "set_speed", {"relative": 1.25}),
    ("慢动作", "set_speed", {"factor": 0.5}),
    # fades
    ("fade out the music", "fade", {"direction": "out", "target": "audio"}),
    ("开头淡入", "fade", {"direction": "in"}),
    # titles: restyle never adds
    ("make the title red", "edit_title", {"color": "red"}),
    ("change the title to red", "edit_title", {"color": "red"}),
    ("move the title to the top", "edit_title", {"position": "top"}),
    ("标题放大一点", "edit_title", {"size": "bigger"}),
    ("remove the title", "remove_title", {}),
    # music and volume: relative is one step, never a reset
    ("make the music quieter", "set_volume", {"target": "music", "relative": "down"}),
    ("turn the music up a bit", "set_volume", {"target": "music", "relative": "up"}),
    ("音乐小声一点", "set_volume", {"target": "music", "relative": "down"}),
    ("use upbeat.mp3 instead", "replace_music", {"file": "upbeat.mp3"}),
    ("mute the music", "mute", {"target": "music"}),
    # aspect by platform
    ("YouTube Shorts", "set_aspect", {"ratio": "9:16"}),
    ("widescreen", "set_aspect", {"ratio": "16:9"}),
    ("做成抖音竖版", "set_aspect", {"ratio": "9:16"}),
    ("for an instagram post", "set_aspect", {"ratio": "1:1"}),
    # history
    ("revert the last change", "undo", {}),
    ("go back", "undo", {}),
    ("redo", "redo", {}),
]


# Conversation: a thing named in one clause is what "it" means in the next.
FAMILIES += [
    ("the title is hard to read, make it bigger", "edit_title", {"size": "bigger"}),
    ("标题太小了，放大一点", "edit_title", {"size": "bigger"}),
    ("the first 3 seconds are boring, cut them", "trim", {"start": 3, "end": None}),
    ("中间0:10到0:14那段不好看，删了", "cut", {"start": 10, "end": 14}),
    ("音乐不好听，删掉吧", "remove_music", {}),
    (
        "the people walking by are distracting. can they be removed?",
        "remove_object",
        {"target": "people walking by"},
    ),
    ("this feels too slow, can you speed it up a bit?", "set_speed", {"relative": 1.25}),
    ("car remove", "remove_object", {"target": "car"}),
    ("I don't need the title anymore", "remove_title", {}),
]


#: Families that once made a wrong edit (new phrasings, not the blind set's).
NEVER_WRONG = [
    ("trim the clip from 0:11 to the end", [("trim", {"start": 11.0, "end": None})]),
    ("从第六秒到结尾，前面的都删掉", [("trim", {"start": 6.0, "end": None})]),
    ("keep 1:10 to 1:20", [("decline", {})]),  # past the end of a 30 s clip
    ("if I go 1:1 will the edges be cut?", [("answer", {})]),
    ("16:9是啥意思", [("answer", {})]),
    ("如果做成竖屏，会不会变模糊？", [("answer", {})]),
    ("slo-mo, a third of the speed, 0.33x", [("set_speed", {"factor": 0.33})]),
    ("a 2 second fade out on both the picture and the sound", [("fade", {"target": "both"})]),
    ("请做成竖屏，上下的空白用模糊填充", [("set_aspect", {"ratio": "9:16", "fit": "blur"})]),
    ("撤销再重做", [("undo", {}), ("redo", {})]),
    ("the street noise is way too loud, lower it", [("set_volume", {"target": "video"})]),
    ("add the title 'Go', no music though", [("add_title", {"text": "Go"})]),
]


@pytest.mark.parametrize(("text", "want"), NEVER_WRONG)
def test_families_that_once_made_wrong_edits(text: str, want: list) -> None:
    got = steps(text, {**STATE, "draft": {**STATE["draft"], "m": {"width": 1280, "height": 720}}})
    assert [s["tool"] for s in got] == [t for t, _ in want], got
    for g, (_, args) in zip(got, want, strict=True):
        for k, v in args.items():
            assert g.get(k) == v, (k, got)


@pytest.mark.parametrize(("text", "tool", "args"), FAMILIES)
def test_phrase_families(text: str, tool: str, args: dict) -> None:
    got = steps(text)
    assert [s["tool"] for s in got] == [tool], got
    for k, v in args.items():
        assert got[0].get(k) == v, (k, got)


@pytest.mark.parametrize(
    ("text", "tool"),
    [
        ("what does 9:16 mean?", "answer"),
        ("9:16是什么意思？", "answer"),
        ("how long is the video?", "answer"),
        ("don't add any music", "decline"),
        ("please don't trim it to 10 seconds", "decline"),
        ("不要加音乐", "decline"),
        ("never mind", "decline"),
        ("remove it", "clarify"),
        ("make it shorter", "clarify"),
        ("add a title", "clarify"),
        ("change the background", "clarify"),
        ("how many credits do I have left?", "credits"),
        ("export it as mp4", "export"),
        ("what can you do?", "help"),
        ("make it faster or slower, whatever looks better", "clarify"),
        ("Don't make it vertical, I want it horizontal as it is", "decline"),
        ("will removing the car take long?", "answer"),
        ("去掉路人要多久？", "answer"),
    ],
)
def test_no_change_readings(text: str, tool: str) -> None:
    p = plan(text, STATE)
    assert not p.calls and [s["tool"] for s in p.intents()] == [tool] and p.cost == 0


def test_multi_step_plans_every_step_in_order() -> None:
    assert steps('trim to 10 s and add a title "Hi"') == [
        {"tool": "trim", "start": 0.0, "end": 10.0},
        {"tool": "add_title", "text": "Hi"},
    ]
    got = steps("keep 0:03-0:20, then make it 9:16, then cut the last 2 seconds")
    assert [s["tool"] for s in got] == ["trim", "set_aspect", "trim"]
    assert got[2]["end"] == pytest.approx(15.0)  # of the 17 s the first step leaves
    assert [s["tool"] for s in steps("剪掉前5秒，然后改成竖屏")] == ["trim", "set_aspect"]
    # a negated clause next to a real edit is skipped, and said so
    p = plan("don't add music, just trim to 15 seconds", STATE)
    assert [c.name for c in p.calls] == ["trim"] and p.skipped


def test_normalise_numerals_typos_and_quotes() -> None:
    n = normalise("截取前十秒 然后 一分二十秒")
    assert "前10秒" in n.text and "1分20秒" in n.text
    n = normalise('Remvoe the bike and add the title "Remove Me"')
    assert n.text.startswith("remove the bike") and n.quotes == ["Remove Me"]
    assert "moving" in normalise("erase the moving car").text  # an inflection, not a typo


def test_schemas_come_from_signatures_and_check_calls() -> None:
    trim = TOOLS["trim"].schema
    assert trim["properties"]["start"]["type"] == "number"
    assert trim["properties"]["end"]["type"] == ["number", "null"]
    aspect = TOOLS["set_aspect"].schema
    assert aspect["required"] == ["ratio"] and "9:16" in aspect["properties"]["ratio"]["enum"]
    assert validate("set_aspect", {"ratio": "9:16"}) is None
    assert validate("set_aspect", {"ratio": "7:3"}) is not None
    assert validate("trim", {"start": "soon"}) is not None
    assert validate("trim", {"begin": 1}) is not None
    assert validate("add_bgm", {"file": "a.mp3"}) is None  # the old name still works
    names = {t["function"]["name"] for t in openai_tools()}
    assert {"remove_object", "edit_title", "cut", "fade", "undo"} <= names


# -- pure edits --------------------------------------------------------------------------------
def _draft() -> Draft:
    return Draft.parse({"t": [VIDEO, MUSIC, TITLE]})


def test_cut_closes_up_and_split_keeps_length() -> None:
    d = _draft()
    edits.cut(d, 10, 15)
    segs = d.tracks[0].segments
    assert [(s.start, s.duration, s.in_point) for s in segs] == [
        (0, 10000, 0),
        (10000, 15000, 15000),
    ]
    assert d.tracks[1].segments[0].duration == 25000  # the music ends with the video
    d = _draft()
    edits.split(d, 12)
    assert [s.duration for s in d.tracks[0].segments] == [12000, 18000]
    with pytest.raises(edits.EditError):
        edits.cut(d, 0, 30)  # would remove everything


def test_relative_volume_is_one_step_and_title_restyle_keeps_one_title() -> None:
    d = _draft()
    edits.set_volume(d, "music", relative="down")
    assert 30 < d.tracks[1].segments[0].volume < 50
    edits.edit_title(d, color="red", size="bigger")
    titles = d.tracks[2].segments
    assert len(titles) == 1 and titles[0].text == "Hello" and titles[0].style["color"] == "red"
    assert titles[0].style["size"] > edits.DEFAULT_TITLE_SIZE


# -- over SSE: zero wrong edits, multi-step events, replies ----------------------------------------
def _texts(events: list[dict]) -> str:
    return " ".join(
        p["text"] for e in events for p in e.get("content", {}).get("parts", []) if "text" in p
    )


def _calls(events: list[dict]) -> list[str]:
    return [
        p["functionCall"]["name"]
        for e in events
        for p in e.get("content", {}).get("parts", [])
        if "functionCall" in p
    ]


def _credits(api: Api) -> int:
    return api.http.get("/api/credits/balance/simple", headers=api.headers).json()["data"][
        "available"
    ]


def test_questions_negations_and_objects_never_edit(api: Api, clip: Path) -> None:
    sid = api.session()
    api.upload(sid, clip)
    before, credits = api.state(sid)["draft"], _credits(api)
    for text in (
        "what does 9:16 mean?",
        "don't add any music",
        "please don't trim it to 1 second",
        "不要改比例",
    ):
        events = api.say(sid, text)
        assert not _calls(events), text
        assert api.state(sid)["draft"] == before and _credits(api) == credits, text
    assert "9:16" in _texts(api.say(sid, "what does 9:16 mean?"))
    events = api.say(sid, "the car in the background is distracting, remove it")
    assert _calls(events) == ["remove_object"]
    call = next(
        p["functionCall"] for e in events for p in e["content"]["parts"] if "functionCall" in p
    )
    assert call["args"]["target"] == "car in the background"


def test_multi_step_streams_each_call_then_one_reply(api: Api, clip: Path) -> None:
    sid = api.session()
    api.upload(sid, clip)
    events = api.say(sid, 'keep 0:01-0:03, then make it 9:16 and add a title "Hi"')
    kinds = [next(iter(e["content"]["parts"][0])) for e in events]
    assert kinds == ["functionCall", "functionResponse"] * 3 + ["text"]
    assert _calls(events) == ["trim", "set_aspect", "add_title"]
    reply = events[-1]["content"]["parts"][0]["text"]
    assert "Trimmed" in reply and "9:16" in reply and '"Hi"' in reply
    assert events[-1]["customMetadata"]["planner"] == "builtin"
    d = Draft.parse(api.state(sid)["draft"])
    assert d.meta["aspect"] == "9:16" and d.end == 2000 and d.tracks_of("text")
    # a step that fails is reported, the others still run
    events = api.say(sid, "split at 0:50 and mute the video")
    reply = events[-1]["content"]["parts"][0]["text"]
    assert "Muted" in reply and "Not done" in reply


def test_chinese_reply_is_chinese_only(api: Api, clip: Path, tone: Path) -> None:
    sid = api.session()
    api.upload(sid, clip, tone)
    for text in ("剪掉前1秒，然后改成竖屏", "加背景音乐", "音乐小声一点", "你能做什么？"):
        reply = _texts(api.say(sid, text))
        assert reply and not any(
            w in reply.lower() for w in ("that", "the ", "upload a video first")
        ), reply
    help_text = _texts(api.say(sid, "你能做什么？"))
    assert "clip.mp4" in help_text and "请先上传视频" not in help_text


def test_relative_volume_over_sse_is_one_step(api: Api, clip: Path, tone: Path) -> None:
    sid = api.session()
    api.upload(sid, clip, tone)
    api.say(sid, "add lofi.mp3 as background music at 50%")
    api.say(sid, "make the music quieter")
    vol = Draft.parse(api.state(sid)["draft"]).tracks_of("audio")[0].segments[0].volume
    assert 20 < vol < 50
    api.say(sid, "turn the music up a bit")
    vol2 = Draft.parse(api.state(sid)["draft"]).tracks_of("audio")[0].segments[0].volume
    assert vol < vol2 < 100
    api.say(sid, "undo")
    api.say(sid, "redo")
    assert Draft.parse(api.state(sid)["draft"]).tracks_of("audio")[0].segments[0].volume == vol2


# -- the optional language model -------------------------------------------------------------------
def _llm_reply(calls: list[tuple[str, dict]]) -> dict:
    tool_calls = [
        {"id": f"c{i}", "type": "function", "function": {"name": n, "arguments": json.dumps(a)}}
        for i, (n, a) in enumerate(calls)
    ]
    return {
        "choices": [{"message": {"role": "assistant", "content": None, "tool_calls": tool_calls}}]
    }


@pytest.fixture()
def llm_env(monkeypatch: pytest.MonkeyPatch) -> str:
    url = "http://llm.test/v1"
    monkeypatch.setenv("NEMO_LLM_BASE_URL", url)
    monkeypatch.setenv("NEMO_LLM_MODEL", "tiny")
    monkeypatch.setenv("NEMO_LLM_API_KEY", "sk-test")
    monkeypatch.setenv("NEMO_LLM_TIMEOUT", "2")
    return url


@respx.mock
def test_llm_calls_are_validated_and_used(llm_env: str) -> None:
    route = respx.post(f"{llm_env}/chat/completions").mock(
        return_value=httpx.Response(
            200,
            json=_llm_reply([("trim", {"start": 0, "end": 10}), ("set_aspect", {"ratio": "9:16"})]),
        )
    )
    p = plan("shorten it and go vertical", STATE)
    assert p.planner == "llm:tiny" and [c.name for c in p.calls] == ["trim", "set_aspect"]
    sent = json.loads(route.calls[0].request.content)
    assert route.calls[0].request.headers["authorization"] == "Bearer sk-test"
    assert {t["function"]["name"] for t in sent["tools"]} >= {"trim", "clarify", "answer"}
    assert "street.mp4" in json.dumps(sent["messages"])


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(200, json=_llm_reply([("set_aspect", {"ratio": "7:3"})])),  # not in the enum
        httpx.Response(200, json=_llm_reply([("delete_everything", {})])),  # no such tool
        httpx.Response(200, json={"nope": 1}),
        httpx.Response(500),
        httpx.TimeoutException("slow"),
    ],
)
@respx.mock
def test_llm_failures_fall_back_to_the_builtin_planner(llm_env: str, response: object) -> None:
    route = respx.post(f"{llm_env}/chat/completions")
    if isinstance(response, Exception):
        route.mock(side_effect=response)
    else:
        route.mock(return_value=response)
    p = plan("make it 9:16", STATE)
    assert p.planner == "builtin" and p.note
    assert [c.name for c in p.calls] == ["set_aspect"] and p.calls[0].args["ratio"] == "9:16"


def test_llm_planner_over_sse_says_which_planner_answered(
    api: Api, clip: Path, llm_env: str
) -> None:
    sid = api.session()
    api.upload(sid, clip)
    with respx.mock(assert_all_called=False) as mock:
        mock.route(host="127.0.0.1").pass_through()
        mock.post(f"{llm_env}/chat/completions").mock(
            return_value=httpx.Response(
                200, json=_llm_reply([("set_aspect", {"ratio": "1:1", "fit": "fill"})])
            )
        )
        events = api.say(sid, "instagram square please")
    assert _calls(events) == ["set_aspect"]
    assert "language model tiny" in events[-1]["content"]["parts"][0]["text"]
    assert events[-1]["customMetadata"]["planner"] == "llm:tiny"
    assert Draft.parse(api.state(sid)["draft"]).meta["aspect"] == "1:1"


def test_hostile_messages_are_fast_and_never_crash() -> None:
    """Long or odd input is read in bounded time; a failing rule asks instead of crashing."""
    import time

    for text in ("keep 0:0" + "1" * 5000, "0:" * 3000, "前" * 3000 + "5秒", "remove the " * 2000):
        t0 = time.perf_counter()
        p = plan(text, STATE)
        assert time.perf_counter() - t0 < 5 and p.intents()
