"""The plan checked against the whole message (language/guard.py): a number no step uses, a
thing asked for that no step does, the opposite of a span's fate, an edit taken back in the
same breath — each becomes one question (or nothing), never a wrong or partial edit. The
sentences are our own paraphrases."""

from __future__ import annotations

import pytest

from nemo_widgets.engine.agent import plan
from nemo_widgets.engine.agent.language import guard
from nemo_widgets.engine.agent.language.guard import (
    kept_as_is,
    left_out,
    loose_numbers,
    mentions,
    opposite_span,
    taken_back,
)
from nemo_widgets.engine.agent.language.intents import Step
from tests.test_language_families import BARE, EDIT_TOOLS, FULL, TITLED, check


def _kinds(text: str) -> list[tuple[str, float | str]]:
    return [(m.kind, m.value) for m in mentions(text)]


def test_mentions_read_each_kind_of_number() -> None:
    assert _kinds("trim to 0:12.5 then 3 seconds more") == [("time", 12.5), ("time", 3.0)]
    assert _kinds("music at 35 percent, 2x speed, make it 4:5") == [
        ("level", 0.35),
        ("factor", 2.0),
        ("ratio", "4:5"),
    ]
    assert _kinds("split at the 1/3 mark") == [("fraction", pytest.approx(1 / 3))]
    assert _kinds("1分20秒") == [("time", 80.0)]
    # numbers that count things, name a file or are a title's words are no values of an edit
    assert _kinds("remove the 2 people, it's 1080p, «0» on clip2.mp4") == []
    # a bare number is a value only where it stands like one
    assert _kinds("trim to 10, no, 12") == [("bare", 10.0), ("bare", 12.0)]


def _step(tool: str, **args: object) -> Step:
    return Step(tool, dict(args))


@pytest.mark.parametrize(
    ("text", "steps", "loose"),
    [
        # each value used: nothing left
        ("keep 0:05 to 0:15", [_step("trim", start=5.0, end=15.0)], []),
        # "the last 4 s" is 4 s before the end; both ends given
        ("lose the first 4 s and the last 4 s", [_step("trim", start=4.0, end=26.0)], []),
        # one argument explains one mention: the second 4 s is not done
        ("lose the first 4 s and the last 4 s", [_step("trim", start=4.0, end=None)], ["4 s"]),
        # the count of pieces is no time, but the time given must be the split's
        ("split it at 12 s into two pieces", [_step("split", at=15.0)], ["12 s"]),
        # a percentage said as a level, a factor said as the length it gives
        ("music to 35 percent", [_step("set_volume", target="music", level=0.35)], []),
        ("squeeze it into 15 seconds by speeding up", [_step("set_speed", factor=2.0)], []),
        ("make it 50% faster", [_step("set_speed", relative=1.5)], []),
        ("title Hi from 2 s to 6 s", [_step("add_title", text="hi", start=2.0, duration=4.0)], []),
        # a value said and then corrected, or refused, is not asked for
        ("trim to 9 s, wait, 11", [_step("trim", start=0.0, end=11.0)], []),
        ("not 3x, 2.5x", [_step("set_speed", factor=2.5)], []),
        # a value said after a correction that the plan did not take: ask
        ("trim to 9 s, wait, 11", [_step("trim", start=0.0, end=9.0)], ["11"]),
        ("make it 16:9, hmm, or rather 4:5", [_step("set_aspect", ratio="16:9")], ["4:5"]),
    ],
)
def test_loose_numbers(text: str, steps: list[Step], loose: list[str]) -> None:
    assert [m.said for m in loose_numbers(text, steps, BARE)] == loose


def test_a_time_said_with_a_removal_says_when_the_thing_is_seen() -> None:
    steps = [_step("remove_object", target="man in the blue cap")]
    assert loose_numbers("the man in the blue cap around 0:07, erase him", steps, BARE) == []


@pytest.mark.parametrize(
    ("text", "state"),
    [
        ("shorten it to 7 seconds, ugh no, 9", BARE),
        ("cut it at 12 seconds, into 2 pieces", BARE),
        ("drop the opening 3 secs plus the closing 3 secs", BARE),
        ("剪到8秒，嗯不对，9秒", BARE),
        ("make it 3x, hmm scratch that, 2.5x", BARE),
    ],
)
def test_never_the_wrong_value(text: str, state: dict) -> None:
    """Either the value meant, or a question — never a value the message took back or a
    step done with half of what was said."""
    got = plan(text, state).intents()
    edits = [g for g in got if g["tool"] in EDIT_TOOLS]
    bad = {"end": 7.0, "at": 15.0, "factor": 3.0}
    assert not any(g.get(k) == v for g in edits for k, v in bad.items()), (text, got)
    if not edits:
        assert got and got[0]["tool"] == "clarify", (text, got)
    elif text.startswith("drop"):
        assert edits == [{"tool": "trim", "start": 3.0, "end": 27.0}], got


def test_a_loose_number_asks_in_the_users_language() -> None:
    en = plan("shorten it to 7 seconds, ugh no, 9 and a bit", BARE)
    zh = plan("剪到8秒，嗯，9秒半吧还是", BARE)
    for p in (en, zh):
        assert not p.calls or all(c.name == "trim" for c in p.calls)
    q = plan("split it at 12 seconds into 2 pieces", BARE)
    if not q.calls:
        assert "Nothing was changed" in (q.reply or "")


@pytest.mark.parametrize(
    ("text", "steps", "missed"),
    [
        # a removal asked for, and only the platform (context) became a step
        ("shot it downstairs for tiktok, the grey van is ugly, erase it", [_step("set_aspect", ratio="9:16")], ["remove"]),
        ("make it vertical and slow it down", [_step("set_aspect", ratio="9:16")], ["speed"]),
        ("trim to 10 s, then fade out", [_step("trim", start=0.0, end=10.0)], ["fade"]),
        ("加个标题 然后改成竖屏", [_step("add_title", text="hi")], ["aspect"]),
        # what stays as it is asks for nothing; a title's own words ask for nothing
        ("trim to 10 s but leave the music alone", [_step("trim", start=0.0, end=10.0)], []),
        ("不要加音乐，改成竖屏", [_step("set_aspect", ratio="9:16")], []),
        ("add a title Music Monday", [_step("add_title", text="music monday")], []),
        ("cut 5 to 8 s out", [_step("cut", start=5.0, end=8.0)], []),
        # a question already asked, or an undo (it can be about anything): nothing more
        ("remove the van and speed up the dull bit", [_step("remove_object", target="van"), Step("clarify", why="which_part")], []),
    ],
)  # fmt: skip
def test_left_out(text: str, steps: list[Step], missed: list[str]) -> None:
    assert left_out(text, steps) == missed


@pytest.mark.parametrize(
    ("text", "step", "opposite"),
    [
        ("从第18秒到最后都不要了", _step("trim", start=18.0, end=None), True),
        ("get rid of the final 6 seconds, nothing happens", _step("trim", start=24.0, end=None), True),
        ("get rid of the final 6 seconds, nothing happens", _step("trim", start=0.0, end=24.0), False),
        ("从第18秒开始留到结尾", _step("trim", start=18.0, end=None), False),
        # what goes is the rest: the span named stays
        ("从第18秒到最后，前面的都不要了", _step("trim", start=18.0, end=None), False),
        ("只要0:05到0:15", _step("cut", start=5.0, end=15.0), True),
        ("把12秒到14秒删掉，别的都保留", _step("cut", start=12.0, end=14.0), False),
        ("take 0:04 to 0:09 out", _step("cut", start=4.0, end=9.0), False),
    ],
)  # fmt: skip
def test_opposite_span(text: str, step: Step, opposite: bool) -> None:
    assert opposite_span(text, [step], BARE) is opposite


def test_an_edit_taken_back_in_the_same_message_is_not_done() -> None:
    steps = [_step("set_speed", factor=3.0), Step("undo"), _step("set_speed", factor=2.5)]
    assert [(s.tool, s.args) for s in taken_back(steps)] == [("set_speed", {"factor": 2.5})]
    alone = [Step("undo"), _step("trim", start=0.0, end=10.0)]
    assert taken_back(alone) == alone  # the undo of earlier work stays
    check("make it 3x, scratch that, 2.5x", BARE, [("set_speed", {"factor": 2.5})])


def test_the_guard_keeps_plain_plans() -> None:
    check("keep 0:05 to 0:15", BARE, [("trim", {"start": 5.0, "end": 15.0})])
    check("music at 35 percent", FULL, [("set_volume", {"level": 0.35})])
    # two trims, each on what the one before leaves: every number used
    both = plan("cut the first 4 s and the last 4 s", BARE).intents()
    assert [g["tool"] for g in both] in (["trim"], ["trim", "trim"]), both
    check("change the title to Top 10 Tips", TITLED, [("edit_title", {"text": "Top 10 Tips"})])


@pytest.mark.parametrize(
    ("text", "steps", "missed"),
    [
        # a space between Chinese words ends a clause; 特别 ("very") is no 别 ("don't")
        ("上周拍的 想发抖音 右边那辆白车特别碍眼 帮我抹掉", [_step("set_aspect", ratio="9:16")], ["remove"]),
        ("make it shorter, vertical for reels", [_step("set_aspect", ratio="9:16")], ["length"]),
        ("slow down that dull section", [_step("set_speed", factor=0.5)], ["part"]),
        ("slow down the middle bit", [_step("set_speed", factor=0.5)], ["part"]),
        # a bit is an amount; a step with its own span says which part
        ("make the music a bit louder", [_step("set_volume", target="music", relative="up")], []),
        ("cut that boring section, 0:04 to 0:08", [_step("cut", start=4.0, end=8.0)], []),
        ("we no longer need the music", [_step("remove_music")], []),
    ],
)  # fmt: skip
def test_left_out_more(text: str, steps: list[Step], missed: list[str]) -> None:
    assert left_out(text, steps) == missed


@pytest.mark.parametrize(
    ("text", "state", "steps", "kept"),
    [
        ("原声调大，背景音乐保持原样", FULL, [_step("set_volume", target="music", relative="up")], ["music"]),
        ("no fading on the song, just fade the picture out", FULL, [_step("fade", direction="out", target="both")], ["music"]),
        ("leave the caption alone; top position please", TITLED, [_step("edit_title", position="top")], ["title"]),
        # the thing said to stay is not touched; "keep it at 40%" says how it should be
        ("原声调大，背景音乐保持原样", FULL, [_step("set_volume", target="video", relative="up")], []),
        ("keep the song at 40%", FULL, [_step("set_volume", target="music", level=0.4)], []),
        ("keep the music but turn it down", FULL, [_step("set_volume", target="music", relative="down")], []),
        ("I don't need the title anymore", TITLED, [_step("remove_title")], []),
    ],
)  # fmt: skip
def test_kept_as_is(text: str, state: dict, steps: list[Step], kept: list[str]) -> None:
    assert kept_as_is(text, steps, state) == kept


@pytest.mark.parametrize(
    "text",
    [
        "can it do a time-lapse?",
        "does this app support slow motion",
        "这个工具能把背景换掉吗？",
        "能做倒放吗",
    ],
)
def test_a_question_about_the_tool_changes_nothing(text: str) -> None:
    p = plan(text, BARE)
    assert not p.calls, (text, p.intents())
    assert p.reply


@pytest.mark.parametrize(
    "text",
    [
        "can you slow it down to half speed?",
        "能帮我把速度调成2倍吗",
        "can it be a little quicker",
    ],
)
def test_a_polite_request_is_still_done(text: str) -> None:
    assert [c.name for c in plan(text, BARE).calls] == ["set_speed"], text


def test_one_setting_given_two_values_asks() -> None:
    steps = [_step("set_aspect", ratio="9:16"), _step("set_aspect", ratio="1:1")]
    assert guard.check(steps, "make it 9:16 and 1:1", BARE, False, [])[0].tool == "clarify"
    steps = [_step("trim", start=2.0, end=None), _step("trim", start=0.0, end=26.0)]
    assert guard.check(steps, "cut the first 2 s and the last 2 s", BARE, False, []) == steps


@pytest.mark.parametrize(
    ("text", "target", "way", "against"),
    [
        ("配乐太小声了 再大点", "music", "down", True),
        ("the song is way too quiet, a touch more", "music", "down", True),
        ("原声太吵了，小一点", "video", "up", True),
        ("配乐太小声了 再大点", "music", "up", False),
        # two sounds, the one over the other is the loud one
        ("I can't hear myself talking over the music", "music", "down", False),
        ("the voice is too quiet, turn the music down", "music", "down", False),
    ],
)
def test_a_level_against_the_complaint(text: str, target: str, way: str, against: bool) -> None:
    steps = [_step("set_volume", target=target, relative=way)]
    assert guard.against_complaint(text, steps) is against


def test_a_thing_named_in_what_the_edit_is_for_is_not_its_target() -> None:
    music = [_step("set_volume", target="music", level=0.15)]
    video = [_step("set_volume", target="video", level=0.15)]
    text = "bring the street noise down to 15 percent so the song stands out"
    assert kept_as_is(text, music, FULL) == ["music"]
    assert kept_as_is(text, video, FULL) == []


@pytest.mark.parametrize(
    ("text", "step", "negated"),
    [
        ("配乐别静音 调小一点就好", _step("mute", target="music"), ["mute"]),
        ("please do not trim it down to 12 seconds", _step("trim", start=0.0, end=12.0), ["trim"]),
        ("别剪了，加个标题", _step("trim", start=0.0, end=10.0), ["trim"]),
        # the same verb asked for elsewhere, or for another thing, or of another sound
        ("don't mute the song, mute the street noise", _step("mute", target="video"), []),
        ("原声别静音，把音乐静音", _step("mute", target="music"), []),
        ("don't remove the van, only the scooter", _step("remove_object", target="scooter"), []),
        ("no need to add music, add a title Hey", _step("add_title", text="hey"), []),
    ],
)
def test_negated_done(text: str, step: Step, negated: list[str]) -> None:
    assert guard.negated_done(text, [step]) == negated


def test_a_trim_that_keeps_the_rest_of_what_was_to_be_kept_asks() -> None:
    assert opposite_span("先裁到前12秒", [_step("trim", start=12.0, end=None)], BARE)
    assert not opposite_span("先裁到前12秒", [_step("trim", start=0.0, end=12.0)], BARE)
    assert opposite_span("把4.5秒到7秒之间的部分剪了", [_step("trim", start=4.5, end=7.0)], BARE)


def test_the_same_span_said_twice_is_one_mention() -> None:
    steps = [_step("trim", start=3.0, end=None)]
    assert (
        loose_numbers("the first 3 seconds are blurry, cut the first 3 seconds", steps, BARE) == []
    )
    assert [m.said for m in loose_numbers("cut the first 3 s and the last 3 s", steps, BARE)] == [
        "3 s"
    ]
