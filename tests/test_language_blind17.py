"""Families of phrasing behind held-out set Q's failures (its first run: 93.7 %, 5 wrong edits),
each tested with our own paraphrases, English and Chinese where it applies — never the set's
sentences."""

from __future__ import annotations

import numpy as np
import pytest

from nemo_widgets.engine.agent import plan
from tests.test_language_families import BARE, EDITED, FULL, SONGS, TITLED, check


@pytest.mark.parametrize(
    ("text", "state", "want"),
    [
        # 半分钟 is 30 s, never "half" of the video (that was 0–15 s kept)
        ("只要开头半分钟", BARE, [("trim", {"start": 0.0, "end": 30.0})]),
        ("keep the first half minute", BARE, [("trim", {"start": 0.0, "end": 30.0})]),
        ("只要前半段", BARE, [("trim", {"start": 0.0, "end": 15.0})]),
        # a span said by its two labelled ends
        ("trim, start 0:04.5, end 0:21", BARE, [("trim", {"start": 4.5, "end": 21.0})]),
        (
            "cut out the bit starting at five seconds and ending at nine seconds",
            BARE,
            [("cut", {"start": 5.0, "end": 9.0})],
        ),
        ("剪掉 起点6秒 终点11秒", BARE, [("cut", {"start": 6.0, "end": 11.0})]),
        ("保留 开始在3秒，结束在18秒", BARE, [("trim", {"start": 3.0, "end": 18.0})]),
        # the same edit said twice in other words is done once
        ("开头三秒不要了，从3秒开始", BARE, [("trim", {"start": 3.0, "end": None})]),
        # the title's new words with the old ones they replace said after "not"
        (
            "the title should read Hello World, not Hello",
            TITLED,
            [("edit_title", {"text": "Hello World"})],
        ),
        (
            "make the text say Big Sale instead of Hello",
            TITLED,
            [("edit_title", {"text": "Big Sale"})],
        ),
        ("标题改成你好世界 不是你好", TITLED, [("edit_title", {"text": "你好世界"})]),
        # …but "not" inside the words stays in them
        (
            "change the title to We Are Not Done",
            TITLED,
            [("edit_title", {"text": "We Are Not Done"})],
        ),
        # "用另外那首 X": the other song, not "also"
        ("这首不好听，用另外那首upbeat换掉", SONGS, [("replace_music", {"file": "upbeat.mp3"})]),
        (
            "剪掉前3秒，另外把音乐关了",
            FULL,
            [("trim", {"start": 3.0}), ("mute", {"target": "music"})],
        ),
        # a file added to the timeline is music, not a question about the timeline
        (
            "把upbeat.mp3拖到时间线上",
            SONGS | {"draft": BARE["draft"]},
            [("add_music", {"file": "upbeat.mp3"})],
        ),
        ("看一下时间线", FULL, [("status", {})]),
        # the loud one named first, then "it" set to a level
        (
            "the music is drowning out my voice, put it at 20%",
            FULL,
            [("set_volume", {"target": "music", "level": 0.2})],
        ),
        (
            "背景音乐把说话声盖住了，把它调到百分之十",
            FULL,
            [("set_volume", {"target": "music", "level": 0.1})],
        ),
        ("set the music to like 30%", FULL, [("set_volume", {"target": "music", "level": 0.3})]),
        # 扣 typed for 抠 after the thing cut out; 扣 of credits stays
        ("把那个路人扣掉", BARE, [("remove_object", {"target": "路人"})]),
        ("导出要扣积分吗", BARE, [("answer", {})]),
        # a bare 删 with which one said: removed
        ("别删黑车，删那辆红的", BARE, [("remove_object", {})]),
        ("删白色那辆车", BARE, [("remove_object", {})]),
        # a preset said without its name: the default studio
        (
            "背景换成你们默认的那个",
            BARE,
            [("replace_background", {"mode": "preset", "value": "studio"})],
        ),
        (
            "use the built-in background",
            BARE,
            [("replace_background", {"mode": "preset", "value": "studio"})],
        ),
        # 啥样 asks, like 什么样
        ("换成透明背景以后导出是啥样", BARE, [("answer", {})]),
        # a video still to come, asked about
        ("我下次要上传的片子有十分钟 行吗", BARE, [("answer", {})]),
        ("the next video i upload is 8 minutes long, would that be ok?", BARE, [("answer", {})]),
    ],
)
def test_held_out_q_families(text: str, state: dict, want: list) -> None:
    check(text, state, want)


@pytest.mark.parametrize(
    "text",
    [
        "put the title in the top right corner",
        "move the hello text to the left",
        "标题放到右下角",
        "字幕挪到左边",
    ],
)
def test_a_title_corner_is_declined_with_where_titles_can_go(text: str) -> None:
    got = plan(text, TITLED)
    assert [s["tool"] for s in got.intents()] == ["decline"], got.intents()
    assert not got.calls
    assert ("top" in got.reply and "bottom" in got.reply) or (
        "顶部" in got.reply and "底部" in got.reply
    )


@pytest.mark.parametrize(
    ("text", "pos"),
    [
        ("put the title at the top", "top"),
        ("标题放到中间", "center"),
        ("change the title to Right Now", None),
    ],
)
def test_a_title_place_on_the_centre_line_is_still_moved(text: str, pos: str | None) -> None:
    got = plan(text, TITLED).intents()
    assert [s["tool"] for s in got] == ["edit_title"], got
    assert got[0].get("position") == pos


@pytest.mark.parametrize(
    ("text", "state", "want"),
    [
        # families behind held-out set R's failures (its first run: 92.7 %, 4 wrong edits)
        # a quarter of a minute is 15 s, never a quarter of the video
        ("keep just the first quarter of a minute", BARE, [("trim", {"start": 0.0, "end": 15.0})]),
        ("keep the first quarter", BARE, [("trim", {"start": 0.0, "end": 7.5})]),
        # a bare fade says neither in nor out: ask
        ("add some fading", BARE, [("clarify", {})]),
        ("fade the music", FULL, [("fade", {"direction": "out", "target": "audio"})]),
        ("fade it in", BARE, [("fade", {"direction": "in"})]),
        # a song named with a dislike is the one that goes, never the one wanted
        (
            "switch the music to upbeat.mp3, lofi is way too sad for this",
            SONGS,
            [("replace_music", {"file": "upbeat.mp3"})],
        ),
        ("用upbeat吧，lofi太闷了", SONGS, [("replace_music", {"file": "upbeat.mp3"})]),
        # a file dropped in is added
        (
            "drop upbeat.mp3 in at 30%",
            SONGS | {"draft": BARE["draft"]},
            [("add_music", {"file": "upbeat.mp3", "volume": 0.3})],
        ),
        ("drop the music", FULL, [("remove_music", {})]),
        # sound-alike typos of the words the grammar keys on; 撤 for a thing that goes
        ("背景虚话", BARE, [("replace_background", {"mode": "blur"})]),
        ("标提改成蓝色", TITLED, [("edit_title", {"color": "blue"})]),
        ("在5秒分隔开", BARE, [("split", {"at": 5.0})]),
        ("把音乐撤了", FULL, [("remove_music", {})]),
        ("撤销", EDITED, [("undo", {})]),
        # gone "from the shot" is gone
        (
            "i need the red bike gone from the frame",
            BARE,
            [("remove_object", {"target": "red bike"})],
        ),
        # an undo that happened, told: not asked for again
        ("i accidentally hit undo, redo it", EDITED, [("redo", {})]),
        # the title named by its words, quoted, goes
        ("delete the 'Hello' caption", TITLED, [("remove_title", {})]),
        # said twice in one message: one status
        ("status? what's on my timeline?", FULL, [("status", {})]),
        # the step said second comes first ("before you …"); an export said so waits
        (
            "before you make it 9:16, mute the music",
            FULL,
            [("mute", {}), ("set_aspect", {"ratio": "9:16"})],
        ),
        ("改成竖屏之前，先把音乐关了", FULL, [("mute", {}), ("set_aspect", {"ratio": "9:16"})]),
        ("before you export, trim it to 10 s", BARE, [("trim", {"start": 0.0, "end": 10.0})]),
        ("导出前先加个标题“你好”", BARE, [("add_title", {"text": "你好"})]),
        # new here: the help
        ("新手 教教我", BARE, [("help", {})]),
        ("i'm new to this, what do i do", BARE, [("help", {})]),
    ],
)
def test_held_out_r_families(text: str, state: dict, want: list) -> None:
    check(text, state, want)


@pytest.mark.parametrize(
    ("text", "state", "want"),
    [
        # families behind held-out set P's wrong edits (80.0 %, 10 → 82.7 %, 2)
        # what an edit would do to something, asked: never the edit
        ("does 3x speed ruin the sound?", FULL, [("answer", {})]),
        ("will cutting the middle mess up the music", FULL, [("answer", {})]),
        # "轻快" is the music's mood, not a speed
        ("换一首欢快一点的 upbeat", SONGS, [("replace_music", {"file": "upbeat.mp3"})]),
        # 裁满: filled by cropping
        ("改成9:16 裁满", BARE, [("set_aspect", {"ratio": "9:16", "fit": "fill"})]),
        # "keep the speed" at normal speed: nothing to do; "back to normal" still sets it
        ("保持原速就行", FULL, [("decline", {})]),
        ("恢复原速", FULL, [("set_speed", {"factor": 1.0})]),
        # a shade said with the colour, in English inside Chinese too
        ("标题颜色改成dark green", TITLED, [("edit_title", {"color": "dark green"})]),
        ("标题改成浅蓝色", TITLED, [("edit_title", {"color": "light blue"})]),
        ("把标题改成深圳之旅", TITLED, [("edit_title", {"text": "深圳之旅"})]),
        # a blurred fill said with a new shape is the shape's fill, not a background
        ("比例改成4:5,用blur背景填充", BARE, [("set_aspect", {"ratio": "4:5", "fit": "blur"})]),
        # "not too loud" said with the level is the level
        (
            "加上upbeat 音量不要太大 百分之十五",
            SONGS | {"draft": BARE["draft"]},
            [("add_music", {"file": "upbeat.mp3", "volume": 0.15})],
        ),
        # "cut" with a span in a Chinese sentence: the span goes
        ("cut 3到6秒 后面的接上", BARE, [("cut", {"start": 3.0, "end": 6.0})]),
    ],
)
def test_held_out_p_families(text: str, state: dict, want: list) -> None:
    check(text, state, want)


@pytest.mark.parametrize(
    ("colour", "want"),
    [
        ("dark blue", (0, 0, 139)),
        ("darkblue", (0, 0, 139)),
        ("light red", (255, 128, 128)),
        ("nonsense", (255, 255, 255)),
    ],
)
def test_a_title_in_a_shade_is_drawn_in_it(colour: str, want: tuple[int, int, int]) -> None:
    from fractions import Fraction

    from nemo_widgets.draft.model import Segment
    from nemo_widgets.engine.render.layers import build_title
    from nemo_widgets.engine.render.plan import Canvas

    seg = Segment(start=0, duration=1000, text="HELLO", style={"color": colour, "size": 120})
    t = build_title(seg, Canvas(640, 360, Fraction(25)), [])
    solid = t.rgba[..., 3] == 255
    inner = solid & (t.rgba[..., :3].astype(int).sum(-1) > 0)  # the glyphs, not their outline
    rgb = np.median(t.rgba[inner][:, :3], axis=0)
    assert np.abs(rgb - np.array(want)).max() <= 3, (colour, rgb)
