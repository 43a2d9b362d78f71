"""Families of phrasings that must generalise (each with paraphrases of our own, English and
Chinese): steps read on the timeline the steps before leave (undo included), a place in the
picture is not a time, a different amount off each end, a stated value beats a word's
default, spaces between Chinese steps, two sounds in one message, contrastive negation, and
"cut" with a vague extent asks."""

from __future__ import annotations

import pytest

from nemo_widgets.engine.agent import plan
from nemo_widgets.engine.agent.language.contrast import spaced, strip_only

FILES = [
    {"filename": "street.mp4", "file_type": "video", "file_id": "f_1", "duration": 30},
    {"filename": "lofi.mp3", "file_type": "audio", "file_id": "f_2", "duration": 60},
    {"filename": "beach.mp4", "file_type": "video", "file_id": "f_3", "duration": 12},
]
VIDEO = {"tt": 0, "sg": [{"id": "a", "s": 0, "du": 30000, "src": "f_1", "n": "street"}]}
SHORT = {"tt": 0, "sg": [{"id": "a", "s": 0, "du": 20000, "src": "f_1", "n": "street"}]}
MUSIC = {"tt": 1, "sg": [{"id": "m", "s": 0, "du": 30000, "src": "f_2", "v": 50, "n": "lofi"}]}
CLIP2 = {"tt": 0, "sg": [
    {"id": "a", "s": 0, "du": 30000, "src": "f_1", "n": "street"},
    {"id": "b", "s": 30000, "du": 12000, "src": "f_3", "n": "beach"},
]}  # fmt: skip
TITLE = {"tt": 7, "sg": [{"id": "t", "s": 0, "du": 3000, "tx": "Hello", "st": {"pos": "bottom"}}]}
META = {"width": 1280, "height": 720}
BARE = {"video_infos": FILES, "draft": {"t": [VIDEO], "m": META}}
FULL = {"video_infos": FILES, "draft": {"t": [VIDEO, MUSIC], "m": META}}
SONG = {"video_infos": FILES, "draft": {"t": [VIDEO], "m": META}}
SONGS = {
    "video_infos": [*FILES, {"filename": "upbeat.mp3", "file_type": "audio", "file_id": "f_4"}],
    "draft": {"t": [VIDEO, MUSIC], "m": META},
}
TWO = {"video_infos": FILES, "draft": {"t": [CLIP2], "m": META}}
TITLED = {"video_infos": FILES, "draft": {"t": [VIDEO, TITLE], "m": META}}
#: trimmed to 20 s; an undo brings back the 30 s draft (what the engine's history holds)
EDITED = {
    "video_infos": FILES,
    "draft": {"t": [SHORT], "m": META},
    "_undo": [{"t": [VIDEO], "m": META}],
}
EDIT_TOOLS = {
    "trim", "cut", "split", "set_speed", "fade", "add_title", "edit_title", "remove_title",
    "add_music", "replace_music", "remove_music", "set_volume", "mute", "unmute",
    "set_aspect", "remove_clip", "reorder", "add_clip", "undo", "redo",
}  # fmt: skip


def check(text: str, state: dict, want: list[tuple[str, dict]]) -> None:
    got = plan(text, state).intents()
    assert [s["tool"] for s in got] == [t for t, _ in want], (text, got)
    for g, (_, args) in zip(got, want, strict=True):
        for k, v in args.items():
            ok = g.get(k) == pytest.approx(v) if isinstance(v, float) else g.get(k) == v
            assert ok, (text, k, got)


CASES = [
    # each step on the timeline the one before leaves: the undo gives the 30 s back
    ("undo it and cut the last 4 seconds instead", EDITED, [("undo", {}), ("trim", {"end": 26.0})]),
    (
        "go back, then keep only the last 10 seconds",
        EDITED,
        [("undo", {}), ("trim", {"start": 20.0})],
    ),
    ("撤销一下 然后剪掉最后5秒", EDITED, [("undo", {}), ("trim", {"end": 25.0})]),
    ("撤回，再把后面3秒去掉", EDITED, [("undo", {}), ("trim", {"end": 27.0})]),
    # a different amount off each end, in one clause
    ("前3秒后2秒都剪掉", BARE, [("trim", {"start": 3.0, "end": 28.0})]),
    ("掐头去尾，开头1秒结尾4秒不要", BARE, [("trim", {"start": 1.0, "end": 26.0})]),
    ("把前2秒和后5秒删了", BARE, [("trim", {"start": 2.0}), ("trim", {"start": 0.0, "end": 23.0})]),
    # a number said with the word beats the word's default
    ("slow motion please, maybe 0.3", BARE, [("set_speed", {"factor": 0.3})]),
    ("make it slo-mo, around 0.4", BARE, [("set_speed", {"factor": 0.4})]),
    ("speed it up, say 1.5", BARE, [("set_speed", {"factor": 1.5})]),
    ("慢动作 大概0.3", BARE, [("set_speed", {"factor": 0.3})]),
    # 原声 is the clip's own sound; two sounds in one message, each its own step
    (
        "原声关掉 音乐调到60%",
        FULL,
        [("mute", {"target": "video"}), ("set_volume", {"target": "music", "level": 0.6})],
    ),
    (
        "音乐调到30% 原声静音",
        FULL,
        [("set_volume", {"target": "music", "level": 0.3}), ("mute", {"target": "video"})],
    ),
    (
        "set the song to 0.5 and the original audio to 20%",
        FULL,
        [
            ("set_volume", {"target": "music", "level": 0.5}),
            ("set_volume", {"target": "video", "level": 0.2}),
        ],
    ),
    (
        "music at 0.3, clip sound at 90%",
        FULL,
        [
            ("set_volume", {"target": "music", "level": 0.3}),
            ("set_volume", {"target": "video", "level": 0.9}),
        ],
    ),
    # contrastive negation: the negated part is not done, the wanted part is
    ("不要删音乐 调小一点就好", FULL, [("set_volume", {"target": "music", "relative": "down"})]),
    ("别删配乐 静音就行", FULL, [("mute", {"target": "music"})]),
    ("don't delete the song, just mute it", FULL, [("mute", {"target": "music"})]),
    (
        "don't take the music out, just make it quieter",
        FULL,
        [("set_volume", {"target": "music", "relative": "down"})],
    ),
    ("别动背景 把那辆车去掉就行", BARE, [("remove_object", {})]),
    # a bare "cut" with a vague extent reads two ways: ask
    ("cut the middle bit", BARE, [("clarify", {})]),
    ("cut the middle section", BARE, [("clarify", {})]),
    # a middle with no length: how much of it? ask (the middle N seconds is a span)
    ("cut the middle part out", BARE, [("clarify", {})]),
    ("把中间那段删掉", BARE, [("clarify", {})]),
    ("把中间6秒删掉", BARE, [("cut", {"start": 12.0, "end": 18.0})]),
    # a typo that is a real word, where a command word goes
    ("spilt it at 12 seconds", BARE, [("split", {"at": 12.0})]),
    ("fad out at the end", BARE, [("fade", {"direction": "out"})]),
    ("make the tittle bigger", TITLED, [("edit_title", {"size": "bigger"})]),
    (
        "remove the sliver van on the right",
        BARE,
        [("remove_object", {"target": "silver van on the right"})],
    ),
    (
        "remove the guy in the red shirt",
        BARE,
        [("remove_object", {"target": "guy in the red shirt"})],
    ),
    # a clip named by what it shows or by its place
    ("把沙滩那段删掉", TWO, [("remove_clip", {"clip": 2})]),
    ("街上那段不要了", TWO, [("remove_clip", {"clip": 1})]),
    ("第二个视频不要了", TWO, [("remove_clip", {"clip": 2})]),
    ("两段视频调换一下顺序", TWO, [("reorder", {})]),
    ("change the order of the clips", TWO, [("reorder", {})]),
    ("第一个片段不要了", BARE, [("clarify", {})]),  # the only clip: never the whole video
    # times said the Chinese way, and "thru"
    ("片头三秒半剪掉", BARE, [("trim", {"start": 3.5})]),
    ("片尾2秒去掉", BARE, [("trim", {"end": 28.0})]),
    ("take out seconds 10 thru 12", BARE, [("cut", {"start": 10.0, "end": 12.0})]),
    ("remove seconds 4 through 6", BARE, [("cut", {"start": 4.0, "end": 6.0})]),
    # split: 拆成两段, and "again at" repeats the verb before
    ("在8秒那里拆成两段", BARE, [("split", {"at": 8.0})]),
    ("split at 5 s and again at 12", BARE, [("split", {"at": 5.0}), ("split", {"at": 12.0})]),
    (
        "split it at 0:04, then again at 0:09",
        BARE,
        [("split", {"at": 4.0}), ("split", {"at": 9.0})],
    ),
    # a capability asked, not an edit
    ("is it possible to blur the background without a tripod?", BARE, [("answer", {})]),
    ("加字幕可以吗？", BARE, [("answer", {})]),
    ("去水印能吗", BARE, [("answer", {})]),
    ("how does this thing work?", BARE, [("help", {})]),
    ("这个怎么用？", BARE, [("help", {})]),
    # a thing introduced, then a pronoun; a detail after a comma
    (
        "so there's a man in a blue coat near the tree can you erase him",
        BARE,
        [("remove_object", {"target": "man in a blue coat near the tree"})],
    ),
    (
        "take the bike out, the one on the left",
        BARE,
        [("remove_object", {"target": "bike on the left"})],
    ),
    # a title named by its own words
    ('change hello to "Goodbye"', TITLED, [("edit_title", {"text": "Goodbye"})]),
    ("make hello blue", TITLED, [("edit_title", {"color": "blue"})]),
    ("把hello移到顶部", TITLED, [("edit_title", {"position": "top"})]),
    # what is behind the subject, as scenery; a person cut out
    ("身后的风景虚化一下", BARE, [("replace_background", {"mode": "blur"})]),
    ("blur the buildings behind me", BARE, [("replace_background", {"mode": "blur"})]),
    ("把戴眼镜的大叔抠掉", BARE, [("remove_object", {"target": "戴眼镜的大叔"})]),
    ("抠像", BARE, [("replace_background", {"mode": "transparent"})]),
    # the negated part's thing is what "it" names next, when that reads as its edit
    (
        "no need to remove the song, lower it to 30%",
        FULL,
        [("set_volume", {"target": "music", "level": 0.3})],
    ),
    ("不要删掉音乐，把它调小", FULL, [("set_volume", {"target": "music", "relative": "down"})]),
    ("don't touch the music, trim it to 10 s", FULL, [("trim", {"start": 0.0, "end": 10.0})]),
    # a level said after "down to" / "up to"
    ("turn the music down to 0.2", FULL, [("set_volume", {"target": "music", "level": 0.2})]),
    # several steps typed with spaces, the same kind twice
    (
        "开头去掉1秒 结尾去掉2秒",
        BARE,
        [("trim", {"start": 1.0}), ("trim", {"start": 0.0, "end": 27.0})],
    ),
    # the middle N seconds: that long, centred
    ("视频中间的5秒删了", BARE, [("cut", {"start": 12.5, "end": 17.5})]),
    ("cut out the middle 6 seconds", BARE, [("cut", {"start": 12.0, "end": 18.0})]),
    ("keep the middle 10 seconds", BARE, [("trim", {"start": 10.0, "end": 20.0})]),
    ("把视频从中间分开", BARE, [("split", {"at": 15.0})]),
    # a clip named in a remark is what the next clause is about
    ("the beach part is boring, remove it", TWO, [("remove_clip", {"clip": 2})]),
    ("海边那段太无聊了，删掉", TWO, [("remove_clip", {"clip": 2})]),
    ("第二段太慢了，加快一点", TWO, [("set_speed", {"relative": 1.25, "clip": 2})]),
    ("the second clip is too slow, speed it up", TWO, [("set_speed", {"clip": 2})]),
    # a level for music that is not there yet, with a song uploaded: it goes on at that level
    ("music at 30%", SONG, [("add_music", {"file": "lofi.mp3", "volume": 0.3})]),
    ("put some music on", SONG, [("add_music", {"file": "lofi.mp3"})]),
    ("make it slo mo", BARE, [("set_speed", {"factor": 0.5})]),
    # a thing with a time after it is removed during that time, never trimmed away
    (
        "remove the car that shows up in the first 5 seconds",
        BARE,
        [("remove_object", {"target": "car", "start": 0.0, "end": 5.0})],
    ),
    (
        "delete the bus from 3s to 6s",
        BARE,
        [("remove_object", {"target": "bus", "start": 3.0, "end": 6.0})],
    ),
    ("remove the first 5 seconds", BARE, [("trim", {"start": 5.0})]),
    # "instead of X, Y" / "rather than X, Y": Y is done, X is not
    ("instead of removing the music, mute it", FULL, [("mute", {"target": "music"})]),
    (
        "rather than deleting the song, turn it down",
        FULL,
        [("set_volume", {"target": "music", "relative": "down"})],
    ),
    ("rather than cutting, speed it up", BARE, [("set_speed", {"factor": 2.0})]),
    # a volume change by a share is relative to the level now (0.5): "to" names a level
    ("music down 20%", FULL, [("set_volume", {"target": "music", "level": 0.4})]),
    ("lower the music by 50 percent", FULL, [("set_volume", {"target": "music", "level": 0.25})]),
    ("音乐调低20%", FULL, [("set_volume", {"target": "music", "level": 0.4})]),
    ("turn the music down to 20%", FULL, [("set_volume", {"target": "music", "level": 0.2})]),
    ("音乐调到20%", FULL, [("set_volume", {"target": "music", "level": 0.2})]),
    # "play it at 1.5", "turn off the street noise"
    ("play it at 1.5", BARE, [("set_speed", {"factor": 1.5})]),
    ("play the video at 0.5x", BARE, [("set_speed", {"factor": 0.5})]),
    ("turn off the street noise", FULL, [("mute", {"target": "video"})]),
    ("switch off the voices", FULL, [("mute", {"target": "video"})]),
    # "the rest goes" after a keep is what keeping means; after a removal it reads two ways
    ("保留前10秒，后面的不要", BARE, [("trim", {"start": 0.0, "end": 10.0})]),
    ("只要前10秒 后面都删了", BARE, [("trim", {"start": 0.0, "end": 10.0})]),
    ("keep 0:05 to 0:15, the rest can go", BARE, [("trim", {"start": 5.0, "end": 15.0})]),
    ("keep the first 8 seconds and delete the rest", BARE, [("trim", {"start": 0.0, "end": 8.0})]),
    ("剪掉前5秒 后面的不要", BARE, [("clarify", {})]),
    ("cut the first 5 seconds, delete the rest", BARE, [("clarify", {})]),
    # a negation run on into what is wanted, no comma
    ("don't cut it just speed it up", BARE, [("set_speed", {"factor": 2.0})]),
    (
        "don't remove the music just lower it",
        FULL,
        [("set_volume", {"target": "music", "relative": "down"})],
    ),
    ("do not add music only a title saying Hi", FULL, [("add_title", {"text": "Hi"})]),
    ("don't just cut it", BARE, [("decline", {})]),
    (
        "don't blur the background, remove the car instead",
        BARE,
        [("remove_object", {"target": "car"})],
    ),
    # several split points listed: each its own split, on the original times
    ("split at 10 and 20", BARE, [("split", {"at": 10.0}), ("split", {"at": 20.0})]),
    (
        "split at 5s, 10s and 15s",
        BARE,
        [("split", {"at": 5.0}), ("split", {"at": 10.0}), ("split", {"at": 15.0})],
    ),
    ("在5秒和15秒处分割", BARE, [("split", {"at": 5.0}), ("split", {"at": 15.0})]),
    ("在10秒、20秒处分割", BARE, [("split", {"at": 10.0}), ("split", {"at": 20.0})]),
    ("split at 10 and 40", BARE, [("decline", {})]),  # one point past the end: none, said
    ("split at 10s, 9:16", BARE, [("split", {"at": 10.0}), ("set_aspect", {"ratio": "9:16"})]),
    # a title's own words end where the next instruction starts after a space
    ("给视频加个标题叫夏天 放在顶部", BARE, [("add_title", {"text": "夏天", "position": "top"})]),
    ("加个标题叫夏天 颜色红色", BARE, [("add_title", {"text": "夏天", "color": "red"})]),
    ("加标题叫夏天 旅行", BARE, [("add_title", {"text": "夏天 旅行"})]),
    # a plural of a title word is not a title's words ("add subtitles" never adds "s")
    ("add subtitles", BARE, [("clarify", {})]),
    ("add captions", BARE, [("clarify", {})]),
    ("add subtitles Hello there", BARE, [("add_title", {"text": "Hello there"})]),
    # another song and a level in one clause: that song, at that level (one placement)
    (
        "replace the song with upbeat at 30%",
        SONGS,
        [("add_music", {"file": "upbeat.mp3", "volume": 0.3})],
    ),
    ("音乐换成upbeat 音量50%", SONGS, [("add_music", {"file": "upbeat.mp3", "volume": 0.5})]),
    ("upbeat at 30%", SONGS, [("add_music", {"file": "upbeat.mp3", "volume": 0.3})]),
    ("lofi at 30%", SONGS, [("set_volume", {"target": "music", "level": 0.3})]),
    # two things for one removal verb: each its own removal, as in English
    (
        "把左边的车和右边的人都去掉",
        BARE,
        [("remove_object", {"target": "左边的车"}), ("remove_object", {"target": "右边的人"})],
    ),
    (
        "把车和狗都删了",
        BARE,
        [("remove_object", {"target": "车"}), ("remove_object", {"target": "狗"})],
    ),
    (
        "remove the white van and the dog",
        BARE,
        [("remove_object", {"target": "white van"}), ("remove_object", {"target": "dog"})],
    ),
    # "don't X the A, only the B": X, for B only
    (
        "don't cut the first part, only the last 3 seconds",
        BARE,
        [("trim", {"start": 0.0, "end": 27.0})],
    ),
    ("不要剪开头 只剪掉最后3秒", BARE, [("trim", {"start": 0.0, "end": 27.0})]),
    ("don't remove the car, only the bike", BARE, [("remove_object", {"target": "bike"})]),
    # one end named in a remark, then a bare duration cut: from that end
    ("intro is too long, cut 3 seconds off it", BARE, [("trim", {"start": 3.0})]),
    ("the ending drags, trim 4 seconds", BARE, [("trim", {"start": 0.0, "end": 26.0})]),
    ("开头太拖了 剪掉2秒", BARE, [("trim", {"start": 2.0})]),
    ("结尾太长了，剪掉3秒", BARE, [("trim", {"start": 0.0, "end": 27.0})]),
    ("the intro is boring", BARE, [("clarify", {})]),
    # both ends of a keep said in Chinese
    ("从第3秒开始到第20秒结束", BARE, [("trim", {"start": 3.0, "end": 20.0})]),
    ("从5秒开始", BARE, [("trim", {"start": 5.0})]),
    # the title's words named as its words
    ("标题字改成欢迎", TITLED, [("edit_title", {"text": "欢迎"})]),
    ("标题字改成红色", TITLED, [("edit_title", {"color": "red"})]),
    # a question asked as a request: answered, nothing changed
    ("can you tell me how long it is", FULL, [("answer", {})]),
    ("tell me the length", FULL, [("answer", {})]),
]


@pytest.mark.parametrize(("text", "state", "want"), CASES, ids=[c[0] for c in CASES])
def test_families(text: str, state: dict, want: list[tuple[str, dict]]) -> None:
    check(text, state, want)


@pytest.mark.parametrize(
    "text",
    [
        "画面中间那个戴帽子的大叔 去掉",
        "把画面正中间站着的人删掉",
        "屏幕中间的那辆车去掉",
        "remove the man in the middle of the frame",
        "erase the dog in the middle of the street",
    ],
)
def test_a_place_in_the_picture_is_not_a_time(text: str) -> None:
    """Never a cut of the middle of the video: an object (or a question), nothing else."""
    got = plan(text, BARE).intents()
    assert not {g["tool"] for g in got} & EDIT_TOOLS, (text, got)


def test_real_words_are_not_respelled() -> None:
    from nemo_widgets.engine.agent.language.respell import command_typos

    for c in ("the red car", "remove the parked car", "make it redder", "moving truck"):
        assert command_typos(c) == c
    assert command_typos("spilt the clip") == "split the clip"
    assert command_typos("move the tittle") == "move the title"
    assert command_typos("split it in haf") == "split it in half"


def test_spaces_split_only_where_steps_are() -> None:
    from nemo_widgets.engine.agent.language.plan import _read
    from nemo_widgets.engine.agent.language.session import Session

    s = Session.of(FULL)

    def read(x: str):
        return _read(x, s, [], [])

    assert spaced("原声静音 音乐音量调到80%", read) == ["原声静音", "音乐音量调到80%"]
    assert spaced("标题换成黑色 放中间", read) == ["标题换成黑色 放中间"]
    assert spaced("不要删音乐 静音就好", read) == ["不要删音乐", "静音就好"]
    assert strip_only("静音就好") == "静音"
    assert strip_only("just turn it down") == "turn it down"


#: Set D's wrong-edit families, each with paraphrases of our own (English and Chinese).
REASONS = [
    # a complaint that one sound covers the other is the reason for the change said with it;
    # alone, the loud one goes down one step (never the covered one's rival up)
    (
        "原声大一点，说话都被BGM盖住了",
        SONGS,
        [("set_volume", {"target": "video", "relative": "up"})],
    ),
    (
        "说话都被音乐盖住了，原声调大",
        SONGS,
        [("set_volume", {"target": "video", "relative": "up"})],
    ),
    (
        "turn my voice up, the music is drowning it out",
        FULL,
        [("set_volume", {"target": "video", "relative": "up"})],
    ),
    (
        "I can't hear my voice over the music",
        FULL,
        [("set_volume", {"target": "music", "relative": "down"})],
    ),
    ("背景音乐把人声盖住了", FULL, [("set_volume", {"target": "music", "relative": "down"})]),
    # one request restated in two clauses runs once; the song that plays named alone: ask
    ("换首歌，换成 upbeat", SONGS, [("replace_music", {"file": "upbeat.mp3"})]),
    ("change the song, use upbeat.mp3", SONGS, [("replace_music", {"file": "upbeat.mp3"})]),
    ("把lofi换成另外一首", SONGS, [("replace_music", {"file": "upbeat.mp3"})]),
    ("换成 lofi", SONGS, [("clarify", {})]),
    # narration is not a command; a vague span restated exactly is one span
    (
        "There's a bit in the middle, from 10 to 14 seconds, where I sneezed. Take that out pls",
        BARE,
        [("cut", {"start": 10.0, "end": 14.0})],
    ),
    ("from 12 to 15 seconds, where the dog barks, remove that", BARE, [("cut", {"start": 12.0})]),
    ("10秒到14秒那里我打了个喷嚏，剪掉", BARE, [("cut", {"start": 10.0, "end": 14.0})]),
    # "just" before a removal stresses it; it keeps nothing
    (
        "so um from twenty seconds to twenty five seconds just take that out",
        BARE,
        [("cut", {"start": 20.0, "end": 25.0})],
    ),
    ("from 5 to 10 just get rid of it", BARE, [("cut", {"start": 5.0, "end": 10.0})]),
    ("just keep 0:20 to 0:25", BARE, [("trim", {"start": 20.0, "end": 25.0})]),
    # typos of in/out after "fade"; a word one edit from neither, or "on", is not guessed
    ("fade inn the audio", FULL, [("fade", {"direction": "in", "target": "audio"})]),
    ("fade ni", BARE, [("fade", {"direction": "in"})]),
    ("fade the music otu", FULL, [("fade", {"direction": "out"})]),
    ("fade on", BARE, [("clarify", {})]),
    ("set fade duration=2", BARE, [("clarify", {})]),
    # "… is fine": a detail of the step before; blurred sides crop nothing either
    (
        "make it vertical for tiktok but dont crop anything, blurry sides is fine",
        BARE,
        [("set_aspect", {"ratio": "9:16", "fit": "blur"})],
    ),
    ("竖屏，不要裁切，两边模糊就行", BARE, [("set_aspect", {"ratio": "9:16", "fit": "blur"})]),
    ("make it 9:16, cropping is fine", BARE, [("set_aspect", {"ratio": "9:16", "fit": "fill"})]),
    ("add a title hello, the font is fine", BARE, [("add_title", {"text": "hello"})]),
    # "it" could be the title: ask; with no title, cut down or sped up to fit: ask too
    ("make it 5 seconds", TITLED, [("clarify", {})]),
    ("make it 5 seconds", BARE, [("clarify", {})]),
    # "long" says no more: two readings still (two held-out sets' writers both asked)
    ("make it 5 seconds long", BARE, [("clarify", {})]),
    ("make the video 15 seconds long", BARE, [("clarify", {})]),
    ("make it 15 seconds long by cutting the end", BARE, [("trim", {"start": 0.0, "end": 15.0})]),
    # 请问 asks
    ("请问导出的视频是什么格式？", BARE, [("answer", {})]),
]


@pytest.mark.parametrize(("text", "state", "want"), REASONS, ids=[c[0] for c in REASONS])
def test_reasons_remarks_and_restatements(text: str, state: dict, want: list) -> None:
    check(text, state, want)


#: How strangers type: terse keys, a second language's grammar, chat, titles timed in words.
TYPED = [
    # cancelling, said chattily; restoring is an undo
    ("nah forget it", BARE, [("decline", {})]),
    ("算了算了 不弄了", BARE, [("decline", {})]),
    ("暂时不需要调整速度，谢谢。", BARE, [("decline", {})]),
    ("No need to make it vertical, is ok like this.", BARE, [("decline", {})]),
    ("算了，还是恢复原来的长度吧", EDITED, [("undo", {})]),
    ("恢复原样", EDITED, [("undo", {})]),
    # "the sound from it" is the sound; 也 between a thing and its verb
    ("slow it down to 0.5 and remove the sound from it", BARE, [("set_speed", {}), ("mute", {})]),
    ("把音乐删了，原声也关掉", FULL, [("remove_music", {}), ("mute", {"target": "video"})]),
    # key=value, [a, b], "more fast", a typo of "between"
    ("trim start=3.5 end=18", BARE, [("trim", {"start": 3.5, "end": 18.0})]),
    ("set speed=1.25", BARE, [("set_speed", {"factor": 1.25})]),
    ("Remove segment [00:04.5, 00:06.0]", BARE, [("cut", {"start": 4.5, "end": 6.0})]),
    ("cut out the bit betwen 0:18 and 0:21", BARE, [("cut", {"start": 18.0, "end": 21.0})]),
    ("Make the video more fast, two times.", BARE, [("set_speed", {"factor": 2.0})]),
    # a title's time and length in words; quotes with an apostrophe inside
    ('Add a title "v2.1" at t=2s, duration 4s.', BARE, [("add_title", {"start": 2.0})]),
    (
        "I'd love the words 'Grandpa's 80th' to appear at the very beginning, for about 5 seconds",
        BARE,
        [("add_title", {"text": "Grandpa's 80th", "start": 0.0, "duration": 5.0})],
    ),
    ("在第5秒加一行字“出发啦”，显示两秒", BARE, [("add_title", {"start": 5.0, "duration": 2.0})]),
    ("标题字号调到48", TITLED, [("edit_title", {"size": 48.0})]),
    ("字放大一点，挪到画面中间", TITLED, [("edit_title", {"size": "bigger"})]),
    # a span named with what happened there; a remark's question is dropped when a step is asked
    (
        "ok so around 0:08 to 0:11 my phone rang, can you get rid of that bit",
        BARE,
        [("cut", {"start": 8.0, "end": 11.0})],
    ),
    (
        "from 12 to 16 seconds is where the bus went past and it's super loud. cut it out please",
        BARE,
        [("cut", {"start": 12.0, "end": 16.0})],
    ),
    ("10秒到13秒那里有人挡镜头了，删掉", BARE, [("cut", {"start": 10.0, "end": 13.0})]),
    ("remove the 2 people crossing", BARE, [("remove_object", {"target": "2 people crossing"})]),
    ("原声再大一点 BGM把说话声盖住了", FULL, [("set_volume", {"target": "video"})]),
    # an unsupported thing asked about is answered; asked for, declined
    ("can you add stickers?", BARE, [("answer", {})]),
    ("请问可以加贴纸吗", BARE, [("answer", {})]),
    ("can you make the whole thing black and white", BARE, [("decline", {})]),
    ("请问最多能导出多长的视频？", BARE, [("answer", {})]),
    ("抖音竖屏 裁掉两边没关系", BARE, [("set_aspect", {"ratio": "9:16", "fit": "fill"})]),
]


@pytest.mark.parametrize(("text", "state", "want"), TYPED, ids=[c[0] for c in TYPED])
def test_what_strangers_type(text: str, state: dict, want: list) -> None:
    check(text, state, want)


#: Round two: what else a stranger types (each a family, each with a paraphrase).
MORE = [
    # a correction said in the clause itself replaces the step before
    ("cut the first 5 s, i mean the first 3", BARE, [("trim", {"start": 3.0})]),
    ("剪掉前5秒，不对 前3秒", BARE, [("trim", {"start": 3.0})]),
    ("add title hi, no wait, hello", BARE, [("add_title", {"text": "hello"})]),
    ("add title hi, no wait, make it red", BARE, [("add_title", {"text": "hi", "color": "red"})]),
    # a vague part, then the exact one
    ("chop off the last bit, the final 3 secs", BARE, [("trim", {"start": 0.0, "end": 27.0})]),
    # volume to the top; the contrast's verb alone in Chinese
    ("音乐开到最大", FULL, [("set_volume", {"target": "music", "level": 1.0})]),
    ("music all the way up", FULL, [("set_volume", {"target": "music", "level": 1.0})]),
    ("标题别删，改成“夏天”", TITLED, [("edit_title", {"text": "夏天"})]),
    ("音乐别删，调小一点", FULL, [("set_volume", {"target": "music", "relative": "down"})]),
    # fillers and hedges; 将 and 直接; 劈; help asked with an English word inside
    (
        "so um the background, make it kind of like a beach background",
        BARE,
        [("replace_background", {"mode": "preset", "value": "beach"})],
    ),
    ("what kind of edits can you make?", BARE, [("help", {})]),
    ("背景直接抠掉，弄成透明的", BARE, [("replace_background", {"mode": "transparent"})]),
    ("请将画面中停放的车辆移除。", BARE, [("remove_object", {"target": "停放的车辆"})]),
    ("从中间一刀劈开", BARE, [("split", {"at": 15.0})]),
    ("有啥 command 能用", BARE, [("help", {})]),
    # one question asked twice by comparison
    ("wait what does mute do, is it the same as removing the music", FULL, [("answer", {})]),
    ("拆分是什么意思？和剪掉一样吗", BARE, [("answer", {})]),
]


@pytest.mark.parametrize(("text", "state", "want"), MORE, ids=[c[0] for c in MORE])
def test_corrections_hedges_and_second_tries(text: str, state: dict, want: list) -> None:
    check(text, state, want)


#: Round three: the means said as the request, "we don't need X anymore", a length reached by
#: speed, "start over 2 seconds" is a time.
MEANS = [
    (
        "Would it be possible for you to please make the video a little bit shorter by removing "
        "the first four seconds? Thanks a lot!",
        BARE,
        [("trim", {"start": 4.0})],
    ),
    ("I don't think we need the music anymore", FULL, [("remove_music", {})]),
    ("we don't need the music anymore", FULL, [("remove_music", {})]),
    ("放慢一点，让整个视频变成一分钟那么长", BARE, [("set_speed", {"factor": 0.5})]),
    ("加快一点，让视频变成15秒", BARE, [("set_speed", {"factor": 2.0})]),
    ("speed it up so the video is 15 seconds long", BARE, [("set_speed", {"factor": 2.0})]),
    ("slow it down so it lasts 10 seconds", BARE, [("clarify", {})]),
    ("fade in at the start, over about two seconds", BARE, [("fade", {"duration": 2.0})]),
    ("start over", BARE, [("clarify", {})]),
]


@pytest.mark.parametrize(("text", "state", "want"), MEANS, ids=[c[0] for c in MEANS])
def test_means_and_lengths(text: str, state: dict, want: list) -> None:
    check(text, state, want)


#: Round four: hedged negation, a message cancelled at its end, "just the first N s", one
#: restyle said in two clauses.
HEDGED = [
    ("maybe don't make it vertical after all", BARE, [("decline", {})]),
    ("I was going to ask you to trim it but nvm", BARE, [("decline", {})]),
    ("cut the first 5 s, never mind", BARE, [("decline", {})]),
    ("trim to 10 s, that's it", BARE, [("trim", {"end": 10.0})]),
    ("just the first 10 seconds please", BARE, [("trim", {"start": 0.0, "end": 10.0})]),
    ("just cut the first 5 seconds", BARE, [("trim", {"start": 5.0})]),
    ("标题改成白色的，放底部", TITLED, [("edit_title", {"color": "white", "position": "bottom"})]),
]


@pytest.mark.parametrize(("text", "state", "want"), HEDGED, ids=[c[0] for c in HEDGED])
def test_hedges_and_late_cancels(text: str, state: dict, want: list) -> None:
    check(text, state, want)


@pytest.mark.parametrize(
    ("text", "state", "want"),
    [
        # what stays, said in the same clause as what goes: never the one that stays
        ("原声关了吧 只留音乐", FULL, [("mute", {"target": "video"})]),
        ("mute the clip's sound but keep the music", FULL, [("mute", {"target": "video"})]),
        ("add music but keep it quiet", SONGS, [("add_music", {})]),
        ("现在有几个片段", TWO, [("answer", {})]),
    ],
)
def test_what_stays_and_how_many(text: str, state: dict, want: list) -> None:
    check(text, state, want)


#: Round five (a stranger's set E): context is not a request, a stated value wins over an
#: implied one, a part named by a judgement or a middle with no length asks, the clip's own
#: sound, object typos, wishes said negatively, undo by what comes back, questions about the
#: tool — each family in paraphrases of our own.
STRANGERS = [
    # a complaint about the song that goes is its reason; a part named by where it is
    ("lofi太吵了，换upbeat", SONGS, [("replace_music", {"file": "upbeat.mp3"})]),
    ("the music is too loud, change it to upbeat", SONGS, [("replace_music", {})]),
    ("slow down the end", BARE, [("decline", {})]),
    ("结尾放慢一点", BARE, [("decline", {})]),
    ("我是新手，帮我剪掉前5秒", BARE, [("trim", {"start": 5.0})]),
    ("hi, i'm new here. where do i start?", BARE, [("help", {})]),  # one help, said once
    # a part of the video is no thing in the picture, silence no mute; "by 3" reads two ways
    ("remove the shaky bit at the start", BARE, [("clarify", {})]),
    ("trim the awkward silence at the end", BARE, [("clarify", {})]),
    ("把没声音的地方剪掉", BARE, [("clarify", {})]),
    ("speed it up by 3", BARE, [("clarify", {})]),
    ("slow down by a factor of 4", BARE, [("set_speed", {"factor": 0.25})]),
    (
        "trim it to the first 12 seconds, it's a reels teaser",
        BARE,
        [("trim", {"start": 0.0, "end": 12.0})],
    ),
    ("cut the first 3 seconds, its for my tiktok", BARE, [("trim", {"start": 3.0})]),
    ("剪到前10秒，这是个抖音预告", BARE, [("trim", {"start": 0.0, "end": 10.0})]),
    (
        "portrait mode please, it's going on youtube shorts",
        BARE,
        [("set_aspect", {"ratio": "9:16"})],
    ),
    ("split at 8s, into two parts", BARE, [("split", {"at": 8.0})]),
    ("在第12秒切开 分成两段", BARE, [("split", {"at": 12.0})]),
    ("speed it up 4 times, like a timelapse", BARE, [("set_speed", {"factor": 4.0})]),
    ("make it 3x faster, fast forward style", BARE, [("set_speed", {"factor": 3.0})]),
    ("加速3倍，快进的感觉", BARE, [("set_speed", {"factor": 3.0})]),
    (
        "the lofi track is too sad, swap it for upbeat",
        SONGS,
        [("replace_music", {"file": "upbeat.mp3"})],
    ),
    ("lofi听腻了 换upbeat吧", SONGS, [("replace_music", {"file": "upbeat.mp3"})]),
    (
        "this lofi song is way too slow, use upbeat instead",
        SONGS,
        [("replace_music", {"file": "upbeat.mp3"})],
    ),
    (
        "make it vertical and blur the sides",
        BARE,
        [("set_aspect", {"ratio": "9:16", "fit": "blur"})],
    ),
    ("9:16, blur the background to fill", BARE, [("set_aspect", {"ratio": "9:16", "fit": "blur"})]),
    ("改成竖屏 两边虚化填充", BARE, [("set_aspect", {"ratio": "9:16", "fit": "blur"})]),
    ("speed up the dull section", BARE, [("clarify", {})]),
    ("slow down the best moment", BARE, [("clarify", {})]),
    ("把无聊的部分加速", BARE, [("clarify", {})]),
    (
        "remove the car and speed up the boring part",
        BARE,
        [("remove_object", {"target": "car"}), ("clarify", {})],
    ),
    ("delete the middle part", BARE, [("clarify", {})]),
    ("中间那段不好看，删了", BARE, [("clarify", {})]),
    ("remove the middle 6 seconds", BARE, [("cut", {"start": 12.0, "end": 18.0})]),
    ("a bit louder", FULL, [("clarify", {})]),
    ("声音小点", FULL, [("clarify", {})]),
    ("声音大一点", BARE, [("set_volume", {"target": "video", "relative": "up"})]),
    ("给原声加个淡出", FULL, [("fade", {"direction": "out", "target": "audio"})]),
    ("fade in the voice", BARE, [("fade", {"direction": "in", "target": "audio"})]),
    (
        "fade in at the start and out at the end",
        BARE,
        [("fade", {"direction": "in"}), ("fade", {"direction": "out"})],
    ),
    (
        "fade out 2 seconds and in 1 at the beginning",
        BARE,
        [
            ("fade", {"direction": "out", "duration": 2.0}),
            ("fade", {"direction": "in", "duration": 1.0}),
        ],
    ),
    (
        "fade everything out, video and music, in the last three seconds",
        FULL,
        [("fade", {"direction": "out", "duration": 3.0})],
    ),
    (
        "remove the pedestrain on the left",
        BARE,
        [("remove_object", {"target": "pedestrian on the left"})],
    ),
    ("erase the umbrela", BARE, [("remove_object", {"target": "umbrella"})]),
    ("delete hte bycicle", BARE, [("remove_object", {"target": "bicycle"})]),
    ("get rid of the motorcyle", BARE, [("remove_object", {"target": "motorcycle"})]),
    ("背景弄糊一点", BARE, [("replace_background", {"mode": "blur"})]),
    ("背景太杂了 糊掉吧", BARE, [("replace_background", {"mode": "blur"})]),
    ("i dont want any background music anymore", FULL, [("remove_music", {})]),
    ("we no longer need the music", FULL, [("remove_music", {})]),
    ("i no longer want it vertical", BARE, [("decline", {})]),
    ("we don't need the backing track anymore, get rid of it", FULL, [("remove_music", {})]),
    ("no need to erase the bike, it's fine", BARE, [("decline", {})]),
    ("no need to remove the person, leave him", BARE, [("decline", {})]),
    ("ok im done, send me the mp4", BARE, [("export", {})]),
    ("搞定了，把成片给我", BARE, [("export", {})]),
    ("what does the project look like now", BARE, [("status", {})]),
    ("show me the current state of the timeline", BARE, [("status", {})]),
    ("put back what you just cut", EDITED, [("undo", {})]),
    ("把刚才剪掉的那段找回来", EDITED, [("undo", {})]),
    ("回到剪之前", EDITED, [("undo", {})]),
    ("oops wrong trim, revert it", EDITED, [("undo", {})]),
    ("剪错了，撤回", EDITED, [("undo", {})]),
    ("bring back the first 5 seconds you cut", EDITED, [("undo", {})]),
    ("I want the original length back", EDITED, [("undo", {})]),
    ("does undo cost credits?", BARE, [("answer", {})]),
    ("send it over as mp4", BARE, [("export", {})]),
    ("recap what we did", BARE, [("status", {})]),
    ("is there a max length for a video?", BARE, [("answer", {})]),
    ("can a clip be longer than 2 minutes?", BARE, [("answer", {})]),
    ("分割和剪切有什么区别", BARE, [("answer", {})]),
    ("导出收费吗", BARE, [("answer", {})]),
    ("is exporting free?", BARE, [("answer", {})]),
    ("第一次用，不会用", BARE, [("help", {})]),
    ("tutorial please", BARE, [("help", {})]),
    ("有教程吗", BARE, [("help", {})]),
    # Instagram alone is three shapes: ask; a post, a story or a shape said is an edit
    ("make it for instagram", BARE, [("clarify", {})]),
    ("can u make it fit insta", BARE, [("clarify", {})]),
    ("改成适合发ins的", BARE, [("clarify", {})]),
    ("instagram post please", BARE, [("set_aspect", {"ratio": "1:1"})]),
    ("for my insta story", BARE, [("set_aspect", {"ratio": "9:16"})]),
    ("make it vertical for instagram", BARE, [("set_aspect", {"ratio": "9:16"})]),
    # a platform said as where the export goes is no aspect change
    ("导出吧，我要发视频号", BARE, [("export", {})]),
    ("export it, it's for tiktok", BARE, [("export", {})]),
    ("render it please, going on reels", BARE, [("export", {})]),
    ("做成抖音竖版", BARE, [("set_aspect", {"ratio": "9:16"})]),
]


@pytest.mark.parametrize(("text", "state", "want"), STRANGERS, ids=[c[0] for c in STRANGERS])
def test_what_a_stranger_means(text: str, state: dict, want: list) -> None:
    check(text, state, want)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("导出要扣积分吗", "导出不扣积分"),
        ("does it cost anything to export?", "Exporting costs no credits"),
        ("视频最长能做到1分20秒吗", "4 小时"),
        ("can a video be longer than 2 minutes?", "4 hours"),
        ("剪切和修剪有啥区别", "修剪是保留"),
        ("what's the difference between split and cut", "Splitting cuts the video"),
    ],
)
def test_questions_about_the_tool_are_answered(text: str, words: str) -> None:
    p = plan(text, BARE)
    assert [s["tool"] for s in p.intents()] == ["answer"], (text, p.intents())
    assert words in p.reply, (text, p.reply)
