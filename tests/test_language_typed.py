"""What people actually type: Traditional Chinese, English inside Chinese, typos of verbs,
chat shorthand, numbers as words, terse values and negations, run-on dictation, one verb for
several parts, remarks and refinements. Each family with its own paraphrases (not the blind
sets' sentences), and the readings that must never edit."""

from __future__ import annotations

import pytest

from nemo_widgets.engine.agent import plan
from nemo_widgets.engine.agent.language.clauses import split_clauses
from nemo_widgets.engine.agent.language.normalise import normalise

FILES = [
    {"filename": "street.mp4", "file_type": "video", "file_id": "f_1", "duration": 30},
    {"filename": "lofi.mp3", "file_type": "audio", "file_id": "f_2", "duration": 60},
    {"filename": "upbeat.mp3", "file_type": "audio", "file_id": "f_4", "duration": 20},
]
VIDEO = {"tt": 0, "sg": [{"id": "a", "s": 0, "du": 30000, "src": "f_1", "n": "street"}]}
MUSIC = {"tt": 1, "sg": [{"id": "m", "s": 0, "du": 30000, "src": "f_2", "v": 50, "n": "lofi"}]}
TITLE = {"tt": 7, "sg": [{"id": "t", "s": 0, "du": 3000, "tx": "Hello", "st": {"pos": "bottom"}}]}
META = {"width": 1280, "height": 720}
FULL = {"video_infos": FILES, "draft": {"t": [VIDEO, MUSIC, TITLE], "m": META}}
BARE = {"video_infos": FILES, "draft": {"t": [VIDEO], "m": META}}


def steps(text: str, state: dict) -> list[dict]:
    return plan(text, state).intents()


def check(text: str, state: dict, want: list[tuple[str, dict]]) -> None:
    got = steps(text, state)
    assert [s["tool"] for s in got] == [t for t, _ in want], (text, got)
    for g, (_, args) in zip(got, want, strict=True):
        for k, v in args.items():
            assert g.get(k) == pytest.approx(v) if isinstance(v, float) else g.get(k) == v, (
                text,
                k,
                got,
            )


TYPED = [
    # Traditional Chinese reads as Simplified; a thing is named in the characters typed
    ("把背景換成白色", BARE, [("replace_background", {"mode": "color", "value": "white"})]),
    ("剪掉前三秒鐘", BARE, [("trim", {"start": 3.0, "end": None})]),
    ("音樂小聲一點", FULL, [("set_volume", {"target": "music", "relative": "down"})]),
    ("刪除背景裡的行人", BARE, [("remove_object", {"target": "背景裡的行人"})]),
    ("做成直式影片", BARE, [("set_aspect", {"ratio": "9:16"})]),
    ("匯出", BARE, [("export", {})]),
    # English words inside Chinese
    ("把 music 删掉", FULL, [("remove_music", {})]),
    ("加一个 title 叫 Summer", BARE, [("add_title", {"text": "Summer"})]),
    ("帮我 trim 到 8s", BARE, [("trim", {"start": 0.0, "end": 8.0})]),
    ("把原声 mute 掉", BARE, [("mute", {"target": "video"})]),
    ("背景用 backdrop 的颜色，换成黑色", BARE, [("replace_background", {"value": "black"})]),
    ("有哪些 functions", BARE, [("help", {})]),
    # typos of verbs: corrected when not an English word
    ("splitt at 0:05", BARE, [("split", {"at": 5.0})]),
    ("trimm to 8 seconds", BARE, [("trim", {"start": 0.0, "end": 8.0})]),
    ("spped it up 2x", BARE, [("set_speed", {"factor": 2.0})]),
    ("blurr the background", BARE, [("replace_background", {"mode": "blur"})]),
    ("make it verticle", BARE, [("set_aspect", {"ratio": "9:16"})]),
    ("remoev the bike", BARE, [("remove_object", {"target": "bike"})]),
    ("ad a title saying Paris", BARE, [("add_title", {"text": "Paris"})]),
    # shorthand
    ("rmv the dog", BARE, [("remove_object", {"target": "dog"})]),
    ("vol 40%", BARE, [("set_volume", {"target": "video", "level": 0.4})]),
    ("music vol 20%", FULL, [("set_volume", {"target": "music", "level": 0.2})]),
    # numbers as words
    ("keep from five to twelve seconds", BARE, [("trim", {"start": 5.0, "end": 12.0})]),
    ("music at thirty percent", FULL, [("set_volume", {"target": "music", "level": 0.3})]),
    ("make it one and a half times faster", BARE, [("set_speed", {"factor": 1.5})]),
    ("remove from ten to fifteen seconds", BARE, [("cut", {"start": 10.0, "end": 15.0})]),
    ("在第十二秒分割", BARE, [("split", {"at": 12.0})]),
    ("make it nine by sixteen", BARE, [("set_aspect", {"ratio": "9:16"})]),
    ("change it to sixteen nine", BARE, [("set_aspect", {"ratio": "16:9"})]),
    ("音量调到三十", BARE, [("set_volume", {"level": 0.3})]),
    ("cut the first second and the last second", BARE, [("trim", {}), ("trim", {})]),
    # terse values
    ("speed 1.5", BARE, [("set_speed", {"factor": 1.5})]),
    ("slow it down to 0.8", BARE, [("set_speed", {"factor": 0.8})]),
    ("music 0.4", FULL, [("set_volume", {"target": "music", "level": 0.4})]),
    ("volume 30", BARE, [("set_volume", {"target": "video", "level": 0.3})]),
    # wanting a thing gone is removing it; "no X" removes what the project holds
    ("I don't want the dog in the frame", BARE, [("remove_object", {"target": "dog"})]),
    ("我们不想要背景音乐", FULL, [("remove_music", {})]),
    ("no music please", FULL, [("remove_music", {})]),
    ("no captions", FULL, [("remove_title", {})]),
    # fades of the picture and the music together
    ("fade out the picture and the music", FULL, [("fade", {"target": "both"})]),
    ("everything should fade to black at the end, sound too", FULL, [("fade", {"target": "both"})]),
    ("fade the song out", FULL, [("fade", {"target": "audio"})]),
    # run-on dictation and one verb for several parts
    (
        "trim it to 12 seconds add a title saying hey make it square",
        BARE,
        [("trim", {"end": 12.0}), ("add_title", {"text": "hey"}), ("set_aspect", {"ratio": "1:1"})],
    ),
    (
        "mute the clip add upbeat.mp3",
        BARE,
        [("mute", {"target": "video"}), ("add_music", {"file": "upbeat.mp3"})],
    ),
    ("cut the first 2 seconds make it 2x faster", BARE, [("trim", {}), ("set_speed", {})]),
    (
        "- keep the first 20s\n- make it vertical\n- export",
        BARE,
        [("trim", {"end": 20.0}), ("set_aspect", {}), ("export", {})],
    ),
    (
        "剪掉前2秒、加速到2倍、再改成竖屏",
        BARE,
        [("trim", {}), ("set_speed", {}), ("set_aspect", {})],
    ),
    (
        "split at 10 and slow down the second clip",
        BARE,
        [("split", {}), ("set_speed", {"clip": 2})],
    ),
    ("add a title Hi, no wait, call it Hello", BARE, [("add_title", {"text": "Hello"})]),
    ("把字幕和配乐都删掉", FULL, [("remove_title", {}), ("remove_music", {})]),
    ("remove the title and the music", FULL, [("remove_title", {}), ("remove_music", {})]),
    # remarks, permissions and refinements
    ("make it vertical, it's fine if the sides get cut", BARE, [("set_aspect", {"fit": "fill"})]),
    ("honestly it was better before, undo", FULL, [("undo", {})]),
    ("I liked it more before", FULL, [("undo", {})]),
    (
        "there's a bike on the sidewalk, the red one near the pole, erase it",
        BARE,
        [("remove_object", {"target": "red bike on the sidewalk near the pole"})],
    ),
    ("would you mind muting the music", FULL, [("mute", {"target": "music"})]),
    ("how about making it square", BARE, [("set_aspect", {"ratio": "1:1"})]),
    ("make the video shorter, maybe 20 seconds", BARE, [("trim", {"end": 20.0})]),
    ("the title is too small", FULL, [("edit_title", {"size": "bigger"})]),
    # Chinese as typed: 快一倍 is 2x, a music step's fade is the music's, halves and versions
    ("播放速度快一倍", BARE, [("set_speed", {"factor": 2.0})]),
    ("把配乐调低，再淡出", FULL, [("set_volume", {}), ("fade", {"target": "audio"})]),
    ("音乐最后慢慢消失", FULL, [("fade", {"direction": "out", "target": "audio"})]),
    ("背景音乐声音调到一半", FULL, [("set_volume", {"target": "music", "level": 0.5})]),
    ("把这个视频分成两段", BARE, [("split", {"at": 15.0})]),
    ("恢复到之前的版本", FULL, [("undo", {})]),
    ("reduce the volume of the traffic noise", BARE, [("set_volume", {"target": "video"})]),
    ("i'd love some music under the video", BARE, [("add_music", {})]),
    ("改成慢镜头", BARE, [("set_speed", {"factor": 0.5})]),
    ("截到二十秒", BARE, [("trim", {"start": 0.0, "end": 20.0})]),
    ("剩下前十五秒就可以", BARE, [("trim", {"start": 0.0, "end": 15.0})]),
    ("刚刚那一步不要了", FULL, [("undo", {})]),
    ("undo undo undo", FULL, [("undo", {}), ("undo", {}), ("undo", {})]),
    ("snip the video in two at 9 seconds", BARE, [("split", {"at": 9.0})]),
    ("text at the top saying Good Luck", BARE, [("add_title", {"text": "Good Luck"})]),
    ("I can't hear the talking over the music", FULL, [("set_volume", {"relative": "down"})]),
    ("how do I blur the background?", BARE, [("help", {"about": "replace_background"})]),
    ("I would rather not have music", FULL, [("remove_music", {})]),
    ("make it 1920x1080", BARE, [("set_aspect", {"ratio": "16:9"})]),
    ("配乐别这么吵", FULL, [("set_volume", {"target": "music", "relative": "down"})]),
    ("把视频的声音去掉", BARE, [("mute", {"target": "video"})]),
    ("麻烦把那辆车去一下", BARE, [("remove_object", {"target": "车"})]),
    ("能不能把背景虚化吗？", BARE, [("replace_background", {"mode": "blur"})]),
    ("把 caption 放到 bottom", FULL, [("edit_title", {"position": "bottom"})]),
    ("字幕改成 yellow", FULL, [("edit_title", {"color": "yellow"})]),
    ("幫我把影片改成直的", BARE, [("set_aspect", {"ratio": "9:16"})]),
    ("make it start at 4s and end at 20s", BARE, [("trim", {"start": 4.0, "end": 20.0})]),
    ("turn off the original sound", BARE, [("mute", {"target": "video"})]),
    ("开头没用的3秒去掉", BARE, [("trim", {"start": 3.0, "end": None})]),
    ("留最后十秒就行", BARE, [("trim", {"start": 20.0, "end": None})]),
    ("把刚才撤销的再来一次", FULL, [("redo", {})]),
    ("你都会些什么", BARE, [("help", {})]),
    ("先这样吧", BARE, [("decline", {})]),
    ("break the video at 0:09", BARE, [("split", {"at": 9.0})]),
    ("remove the shaky part from 0:04 to 0:07", BARE, [("cut", {"start": 4.0, "end": 7.0})]),
    ("i'm confused", BARE, [("help", {})]),
    ("bring back what I undid", FULL, [("redo", {})]),
    ("set the volume of the clip to zero", BARE, [("set_volume", {"level": 0.0})]),
    ("turn it up", BARE, [("set_volume", {"target": "video", "relative": "up"})]),
]


@pytest.mark.parametrize(("text", "state", "want"), TYPED)
def test_typed_families(text: str, state: dict, want: list) -> None:
    check(text, state, want)


#: Readings that must change nothing: terse negations, negations with a reason, a pronoun
#: with two sounds it could mean, a time past the end.
NO_EDIT = [
    ("no fades", BARE, "decline"),
    ("no titles please", BARE, "decline"),
    ("no music pls", BARE, "decline"),
    ("no speed change", BARE, "decline"),
    ("nothing else", BARE, "decline"),
    ("that's it, thanks", BARE, "decline"),
    ("I didn't ask you to cut it", BARE, "decline"),
    ("没让你删标题", FULL, "decline"),
    ("I don't want the car removed", BARE, "decline"),
    ("please don't blur the dog, it's part of the story", BARE, "decline"),
    ("no cars", BARE, "clarify"),  # likely "remove them", but a removal costs: asked
    ("turn it down", FULL, "clarify"),  # the music or the clip's own sound?
    ("make it louder", FULL, "clarify"),
    ("split at 2 minutes", BARE, "decline"),
    ("trim it to 45 seconds", BARE, "decline"),
    ("is it possible to remove a person?", BARE, "answer"),
    ("add a cross-fade between the clips", BARE, "decline"),
    ("tell the story better", BARE, "clarify"),  # a story, not an Instagram story
    ("音乐现在有多大声？", FULL, "answer"),
    ("去掉路人要扣多少积分", BARE, "answer"),
    ("generate captions automatically", BARE, "decline"),
    ("undo all my changes", FULL, "clarify"),  # how many steps is "all"?
    ("make sure not to crop it", BARE, "decline"),
    ("blur the faces", BARE, "decline"),  # not the background: not something done here
    ("给车牌打码", BARE, "decline"),
    # praise and statements are not requests
    ("wow the background looks so much better", FULL, "decline"),
    ("the title is fine at the bottom", FULL, "decline"),
    ("the music is nice", FULL, "decline"),
    ("I filmed this in Tokyo", BARE, "clarify"),
    ("make it 10 seconds shorter", BARE, "clarify"),  # by 10 s, from which end? asked
    ("缩短5秒", BARE, "clarify"),
    ("千万别改比例", BARE, "decline"),
    ("不是让你删标题", FULL, "decline"),
    ("remove everyone except the woman in red", BARE, "clarify"),  # no "all but" removal
    ("除了那个小孩，其他人都去掉", BARE, "clarify"),
]


@pytest.mark.parametrize(("text", "state", "tool"), NO_EDIT)
def test_readings_that_never_edit(text: str, state: dict, tool: str) -> None:
    p = plan(text, state)
    assert not p.calls and p.cost == 0, (text, p.intents())
    assert [s["tool"] for s in p.intents()] == [tool], (text, p.intents())


def test_spelling_steps() -> None:
    # real words are never "corrected"; non-words one edit from a verb are
    n = normalise("the parked car keeps moving, it fades")
    assert n.text == "the parked car keeps moving, it fades"
    assert normalise("splt it and remvoe the bike").text == "split it and remove the bike"
    # a rare real word that is a common verb with two letters swapped is that verb
    assert normalise("spilt at 5").text == "split at 5"
    # numbers as words, ordinals kept
    assert normalise("the first second, twenty five percent").text == (
        "the first 1 second, 25 percent"
    )
    assert "1.25" in normalise("one point two five times").text
    # Traditional → Simplified, English verbs inside Chinese → Chinese, file names kept
    assert normalise("幫我把車刪掉").text == "帮我把车删掉"
    assert normalise("背景换成backdrop.jpg").text == "背景换成backdrop.jpg"
    assert normalise("把 bgm 关掉").text == "把音乐关掉"
    # the title's own words stay as typed
    assert normalise("加个标题叫 Music Time").text.endswith("music time")


def test_run_on_and_each_part_clauses() -> None:
    assert split_clauses("add the song mute the street audio and make it 9:16") == [
        "add the song",
        "mute the street audio",
        "make it 9:16",
    ]
    # nouns that are verbs stay nouns after a number ("a 2 second fade in")
    assert split_clauses("add a 2 second fade in") == ["add a 2 second fade in"]
    assert split_clauses("make the music fade out") == ["make the music fade out"]
    assert split_clauses("删掉标题和音乐") == ["删掉标题", "删掉音乐"]
    # two objects stay one removal phrase family (not the project's parts)
    assert split_clauses("把车和人删掉") == ["把车和人删掉"]


def test_file_names_stay_as_uploaded() -> None:
    files = [
        {"filename": "street.mp4", "file_type": "video", "file_id": "f_1", "duration": 30},
        {"filename": "twenty.mp3", "file_type": "audio", "file_id": "f_2", "duration": 60},
        {"filename": "海灘.jpg", "file_type": "image", "file_id": "f_3"},
    ]
    state = {"video_infos": files, "draft": {"t": [VIDEO]}}
    # a number word that is a file's name is the file, not a number
    check("add twenty.mp3 at twenty percent", state, [("add_music", {"file": "twenty.mp3"})])
    # a Traditional file name is found from either script, and named as uploaded
    want = [("replace_background", {"mode": "image", "value": "海灘.jpg"})]
    check("背景換成海灘.jpg", state, want)
    check("use 海灘.jpg as the background", state, want)


def test_a_clip_number_inside_chinese() -> None:
    files = [
        {"filename": "street.mp4", "file_type": "video", "file_id": "f_1", "duration": 30},
        {"filename": "beach.mp4", "file_type": "video", "file_id": "f_5", "duration": 12},
    ]
    two = {
        "tt": 0,
        "sg": [
            {"id": "a", "s": 0, "du": 30000, "src": "f_1"},
            {"id": "b", "s": 30000, "du": 12000, "src": "f_5"},
        ],
    }
    state = {"video_infos": files, "draft": {"t": [two]}}
    check("把 clip 2 删掉", state, [("remove_clip", {"clip": 2})])
    check("clip 2 加速两倍", state, [("set_speed", {"clip": 2, "factor": 2.0})])
