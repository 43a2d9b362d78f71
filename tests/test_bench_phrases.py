"""The phrase benchmark's scorer judges outcomes: a plan spelled differently that leads to the
same timeline is right; a different edit stays a wrong edit."""

from __future__ import annotations

from typing import Any

from benchmarks.bench_phrases import outcome, score
from nemo_widgets.draft import Draft
from nemo_widgets.engine import edits

CLIP = {
    "file_id": "f_street",
    "filename": "street.mp4",
    "file_type": "video",
    "duration": 30.0,
    "width": 1280,
    "height": 720,
    "has_audio": True,
}
SONG = {
    "file_id": "f_lofi",
    "filename": "lofi.mp3",
    "file_type": "audio",
    "duration": 60.0,
    "has_audio": True,
}


def start_state(music: bool = False) -> dict[str, Any]:
    d = Draft.parse({})
    edits.add_clip(d, CLIP)
    if music:
        edits.add_music(d, SONG, 0.5)
    return {"draft": d.to_dict(), "video_infos": [CLIP, SONG]}


def judge(expect: list[dict], plan: list[dict], state: dict[str, Any]) -> tuple[bool, bool]:
    """Score ``plan`` as the engine would have run it (its outcome replayed here; the vision
    tools are not run by the benchmark either)."""
    after = outcome(state, plan) or state["draft"]
    changed = after != state["draft"]
    return score({"expect": expect}, plan, plan, changed, 30.0, state, after)


def test_cut_the_start_equals_trim_to_the_rest() -> None:
    st = start_state()
    want = [{"tool": "cut", "start": 0, "end": 3}]
    assert judge(want, [{"tool": "trim", "start": 3.0, "end": None}], st) == (True, False)


def test_chop_the_end_equals_trim_from_zero() -> None:
    st = start_state(music=True)
    want = [{"tool": "cut", "start": 25, "end": 30}]
    assert judge(want, [{"tool": "trim", "start": 0.0, "end": 25.0}], st) == (True, False)


def test_cut_the_start_after_an_undo_is_trim_to_the_rest() -> None:
    # an undo cannot be replayed here: the steps themselves are judged by what they leave
    st = start_state()
    want = [{"tool": "undo"}, {"tool": "cut", "start": 0, "end": 5}]
    got = [{"tool": "undo"}, {"tool": "trim", "start": 5.0, "end": None}]
    assert score({"expect": want}, got, got[1:], True, 30.0, st, st["draft"]) == (True, False)
    got = [{"tool": "undo"}, {"tool": "cut", "start": 25.0, "end": None}]
    want = [{"tool": "undo"}, {"tool": "trim", "start": 0, "end": 25}]
    assert score({"expect": want}, got, got[1:], True, 30.0, st, st["draft"]) == (True, False)


def test_after_an_undo_the_end_is_the_end_the_undo_brings_back() -> None:
    # "撤销 然后把最后5秒剪掉" on a timeline trimmed to 20 s: the undo brings back 30 s, so
    # cutting 25–30 and trimming to 0–25 are the same edit; trimming to 0–15 is not
    full = start_state()
    d = Draft.parse(full["draft"])
    edits.trim(d, 0.0, 20.0)
    edited = {**full, "draft": d.to_dict()}
    want = [{"tool": "undo"}, {"tool": "cut", "start": 25, "end": 30}]
    got = [{"tool": "undo"}, {"tool": "trim", "start": 0.0, "end": 25.0}]
    assert score({"expect": want}, got, got[1:], True, 20.0, edited, None, full) == (True, False)
    assert score({"expect": want}, got, got[1:], True, 20.0, edited, None) == (False, True)
    got = [{"tool": "undo"}, {"tool": "trim", "start": 0.0, "end": 15.0}]
    assert score({"expect": want}, got, got[1:], True, 20.0, edited, None, full) == (False, True)


def test_cut_from_the_middle_is_not_a_trim() -> None:
    st = start_state()
    want = [{"tool": "undo"}, {"tool": "cut", "start": 0, "end": 5}]
    got = [{"tool": "undo"}, {"tool": "trim", "start": 0.0, "end": 5.0}]
    assert score({"expect": want}, got, got[1:], True, 30.0, st, st["draft"]) == (False, True)
    got = [{"tool": "undo"}, {"tool": "cut", "start": 5.0, "end": 10.0}]
    assert score({"expect": want}, got, got[1:], True, 30.0, st, st["draft"]) == (False, True)


def test_a_different_span_is_a_wrong_edit() -> None:
    st = start_state()
    want = [{"tool": "trim", "start": 20, "end": None}]
    right, wrong = judge(want, [{"tool": "trim", "start": 0.0, "end": 20.0}], st)
    assert (right, wrong) == (False, True)


def test_a_span_off_by_more_than_the_tolerance_is_wrong() -> None:
    st = start_state()
    want = [{"tool": "cut", "start": 0, "end": 3}]
    right, wrong = judge(want, [{"tool": "trim", "start": 3.5, "end": None}], st)
    assert (right, wrong) == (False, True)


def test_two_speed_steps_ending_at_the_same_speed_match_one() -> None:
    st = start_state()
    want = [{"tool": "set_speed", "factor": 0.25}]
    plan = [{"tool": "set_speed", "factor": 0.5}, {"tool": "set_speed", "factor": 0.25}]
    assert judge(want, plan, st) == (True, False)
    plan = [{"tool": "set_speed", "factor": 0.5}]
    assert judge(want, plan, st) == (False, True)


def test_volume_target_matters() -> None:
    st = start_state(music=True)
    want = [{"tool": "set_volume", "target": "video", "relative": "down"}]
    plan = [*want, {"tool": "set_volume", "target": "music", "relative": "down"}]
    assert judge(want, plan, st) == (False, True)


def test_a_no_change_expectation_is_never_replayed_into_right() -> None:
    st = start_state()
    want = [{"tool": "decline"}]
    assert judge(want, [{"tool": "trim", "start": 0, "end": 10}], st) == (False, True)


def test_status_and_answer_are_the_same_for_a_question() -> None:
    st = start_state()
    assert judge([{"tool": "status"}], [{"tool": "answer", "about": None}], st) == (True, False)
    assert judge([{"tool": "answer"}], [{"tool": "status"}], st) == (True, False)
    assert judge([{"tool": "answer"}], [{"tool": "help"}], st)[0] is False
    # "how do I remove an object?": the help on that edit is its answer, and the other way
    how = {"tool": "help", "about": "remove_object"}
    assert judge([{"tool": "answer"}], [how], st) == (True, False)
    assert judge([{"tool": "help"}], [{"tool": "answer", "about": "remove_object"}], st)[0]


def test_chinese_object_matches_english_target_by_noun_and_qualifiers() -> None:
    st = start_state()

    def obj(want: str, got: str) -> bool:
        return judge(
            [{"tool": "remove_object", "target": want}],
            [{"tool": "remove_object", "target": got}],
            st,
        )[0]

    assert obj("car", "车")
    assert obj("black parked car", "路边停着的黑色轿车")
    assert obj("walking pedestrian on the right", "画面右边走路的行人")
    assert obj("cyclist", "骑自行车的人")
    assert obj("bicycle", "单车")
    assert not obj("car", "行人")
    assert not obj("white car on the left", "右边白色的车")
    assert not obj("grey car", "红色的车")


def test_a_decline_beside_other_steps_may_be_said_rather_than_planned() -> None:
    st = start_state()
    want = [{"tool": "decline"}, {"tool": "export"}]
    assert judge(want, [{"tool": "export"}], st) == (True, False)
    assert judge(want, [{"tool": "decline"}, {"tool": "export"}], st) == (True, False)
    assert judge(want, [{"tool": "status"}], st)[0] is False
    # a decline alone is still owed: nothing else would show the "no" was understood
    assert judge([{"tool": "decline"}], [{"tool": "answer"}], st)[0] is False
