"""Families from the ninth held-out round, each with our own paraphrases (English and Chinese),
and the safeguards that keep unseen phrasings from becoming wrong edits: a part of the video
named with an edit of the whole video, a span said of the music or the title, a number that
counts things, a time given as a title's words — each asks or declines and changes nothing."""

from __future__ import annotations

import pytest

from nemo_widgets.engine.agent import plan
from tests.test_language_families import BARE, EDIT_TOOLS, FULL, SONGS, TITLED, TWO, check

FAMILIES = [
    # the halfway point is a time: half of the 30 s video
    ("split the clip halfway", BARE, [("split", {"at": 15.0})]),
    ("split it right at the halfway mark", BARE, [("split", {"at": 15.0})]),
    ("cut the video into two at the midpoint", BARE, [("split", {"at": 15.0})]),
    ("trim off everything after the halfway point", BARE, [("trim", {"start": 0.0, "end": 15.0})]),
    ("drop everything before the midpoint", BARE, [("trim", {"start": 15.0, "end": None})]),
    ("在视频一半的地方切开", BARE, [("split", {"at": 15.0})]),
    ("在正中间的地方剪一刀", BARE, [("split", {"at": 15.0})]),
    ("一半以后的都不要了", BARE, [("trim", {"start": 0.0, "end": 15.0})]),
    # "render" with a title word and a style word restyles; alone it exports
    ("Kindly render the caption in a smaller font size.", TITLED, [("edit_title", {"size": "smaller"})]),
    ("render the text in yellow", TITLED, [("edit_title", {"color": "yellow"})]),
    ("render it now please", TITLED, [("export", {})]),
    # what the title should say
    ("the title should say Grandma's 80th instead", TITLED, [("edit_title", {"text": "Grandma's 80th"})]),
    ("title should read Happy Days", TITLED, [("edit_title", {"text": "Happy Days"})]),
    ("the title should be red", TITLED, [("edit_title", {"color": "red"})]),
    ("change the title to Top Gun in red", TITLED, [("edit_title", {"text": "Top Gun", "color": "red"})]),
    ("change the title to Big Red Day", TITLED, [("edit_title", {"text": "Big Red Day"})]),
    # a title's words as typed: a question word or a numeral in them asks nothing
    ("标题改成 周末去哪儿", TITLED, [("edit_title", {"text": "周末去哪儿"})]),
    ("标题改成 大理旅行", TITLED, [("edit_title", {"text": "大理旅行"})]),
    ("标题改成 谁是卧底 放在顶部", TITLED, [("edit_title", {"text": "谁是卧底", "position": "top"})]),
    ("加个标题 写 你吃了吗", BARE, [("add_title", {"text": "你吃了吗"})]),
    ("开头加个标题 写 我的第一个vlog", BARE, [("add_title", {"text": "我的第一个vlog"})]),
    ("change the title to Where Are We Going", TITLED, [("edit_title", {"text": "Where Are We Going"})]),
    ("标题是什么", TITLED, [("answer", {})]),
    ("标题应该是什么", TITLED, [("answer", {})]),
    ("标题应该是 毕业快乐", TITLED, [("edit_title", {"text": "毕业快乐"})]),
    ("title should say: We did it", TITLED, [("edit_title", {"text": "We did it"})]),
    ("标题改成白色 背景也是", TITLED, [("edit_title", {"color": "white"})]),
    ("加个标题会不会挡住画面", BARE, [("answer", {})]),
    # a line of words, with when and for how long
    ("在第5秒加一行字 显示 好吃到哭 持续3秒", BARE, [("add_title", {"text": "好吃到哭", "start": 5.0, "duration": 3.0})]),
    ("在8秒的时候加一句话 显示 再见", BARE, [("add_title", {"text": "再见", "start": 8.0})]),
    ("add title: Day 1 at 0:05 for 2s", BARE, [("add_title", {"text": "Day 1", "start": 5.0, "duration": 2.0})]),
    ("title: Day 2 for 3 seconds", BARE, [("add_title", {"text": "Day 2", "duration": 3.0})]),
    ("在第5秒加一行字", BARE, [("clarify", {})]),
    # a comparison is no second step
    ("背景改成蓝色吧 像绿幕那种纯色", BARE, [("replace_background", {"mode": "color", "value": "blue"})]),
    ("make the background blue, like a green screen", BARE, [("replace_background", {"value": "blue"})]),
    ("turn the background white, kind of like a studio", BARE, [("replace_background", {"value": "white"})]),
    ("can we get this in slow mo, like quarter speed", BARE, [("set_speed", {"factor": 0.25})]),
    # half of the music's level now (50 %): relative; "half volume" is the level
    ("音乐声音减半", FULL, [("set_volume", {"target": "music", "level": 0.25})]),
    ("halve the music volume", FULL, [("set_volume", {"target": "music", "level": 0.25})]),
    ("music at half", FULL, [("set_volume", {"target": "music", "level": 0.25})]),
    ("cut the music volume in half", FULL, [("set_volume", {"target": "music", "level": 0.25})]),
    ("音乐降一半", FULL, [("set_volume", {"target": "music", "level": 0.25})]),
    ("set the music to half volume", FULL, [("set_volume", {"target": "music", "level": 0.5})]),
    # a level said loosely is a level; "by" is a change
    ("make the music quieter like 25%", FULL, [("set_volume", {"target": "music", "level": 0.25})]),
    ("turn the music down to around 15%", FULL, [("set_volume", {"target": "music", "level": 0.15})]),
    ("lower the music by about 20%", FULL, [("set_volume", {"target": "music", "level": 0.4})]),
    ("音乐小一点 大概20%", FULL, [("set_volume", {"target": "music", "level": 0.2})]),
    (
        "replace the music with the upbeat one and make it quieter like 25%",
        SONGS,
        [("replace_music", {"file": "upbeat.mp3"}), ("set_volume", {"target": "music", "level": 0.25})],
    ),
    # a number word typed as its sound-alike, where only a number fits
    ("delete the last for seconds", BARE, [("trim", {"start": 0.0, "end": 26.0})]),
    ("cut off the first for seconds", BARE, [("trim", {"start": 4.0})]),
    # the part wanted, said as a span
    ("I only want the part between seven seconds and twenty seconds", BARE, [("trim", {"start": 7.0, "end": 20.0})]),
    ("从第3秒到第12秒 其他的都不要", BARE, [("trim", {"start": 3.0, "end": 12.0})]),
    ("take out everything between 10 seconds and 14 seconds", BARE, [("cut", {"start": 10.0, "end": 14.0})]),
    ("don't add music, just trim to 15 seconds", BARE, [("trim", {"start": 0.0, "end": 15.0})]),
    ("音乐不用换 音量小点", FULL, [("set_volume", {"target": "music", "relative": "down"})]),
    # a share of the video, both ends, two spans
    ("remove the first quarter", BARE, [("trim", {"start": 7.5, "end": None})]),
    ("剪掉前三分之一", BARE, [("trim", {"start": 10.0, "end": None})]),
    ("头尾各去掉2秒", BARE, [("trim", {"start": 2.0}), ("trim", {"start": 0.0, "end": 26.0})]),
    ("删掉5到8秒和12到15秒", BARE, [("cut", {"start": 5.0, "end": 8.0}), ("cut", {})]),
    ("lose the first couple seconds", BARE, [("trim", {"start": 2.0, "end": None})]),
    ("trim everything after 10 s", BARE, [("trim", {"start": 0.0, "end": 10.0})]),
    ("trim everything before 10s", BARE, [("trim", {"start": 10.0, "end": None})]),
    ("make it twice as slow", BARE, [("set_speed", {"factor": 0.5})]),
    # a style said beside the words, never from inside them
    ("add a caption at the top saying Day 3 in yellow", BARE, [("add_title", {"text": "Day 3", "position": "top", "color": "yellow"})]),
    ("add a title saying Lady in Red", BARE, [("add_title", {"text": "Lady in Red"})]),
    ("add a title saying Top of the World", BARE, [("add_title", {"text": "Top of the World"})]),
    ("加个标题 写 红色高跟鞋", BARE, [("add_title", {"text": "红色高跟鞋"})]),
    ("fade out the last clip", TWO, [("fade", {"direction": "out"})]),
    ("speed up the first clip", TWO, [("set_speed", {"clip": 1})]),
    # a level, never a removal; writing in the picture is a thing; the place a title goes to
    ("the traffic is really loud, drop it to about 20 percent", BARE, [("set_volume", {"target": "video", "level": 0.2})]),
    ("remove the text on the sign", TITLED, [("remove_object", {"target": "text on the sign"})]),
    ("去掉牌子上的字", TITLED, [("remove_object", {"target": "牌子上的字"})]),
    ("move the text on the top to the bottom", TITLED, [("edit_title", {"position": "bottom"})]),
    ("把标题从顶部移到底部", TITLED, [("edit_title", {"position": "bottom"})]),
    ("put 'Chapter 2' on screen at 12s for 4 seconds", TITLED, [("add_title", {"text": "Chapter 2", "start": 12.0, "duration": 4.0})]),
]  # fmt: skip


@pytest.mark.parametrize(("text", "state", "want"), FAMILIES, ids=[c[0] for c in FAMILIES])
def test_families(text: str, state: dict, want: list) -> None:
    check(text, state, want)


#: Phrasings that would change the timeline wrongly if read by their loudest word: each
#: must change nothing (a decline or a question).
NO_EDIT = [
    # a part of the video, with an edit that acts on all of it
    ("speed up from 10s to 15s", BARE),
    ("从15秒开始加速", BARE),
    ("从一半开始加速", BARE),
    ("after 10 seconds make it faster", BARE),
    ("10秒之后放慢", BARE),
    ("mute the music from 5 to 10 seconds", FULL),
    ("5秒到10秒把音乐静音", FULL),
    ("turn the music down in the last 5 seconds", FULL),
    ("最后3秒音乐小声一点", FULL),
    ("make the title red after 5 seconds", TITLED),
    ("blur the background for the first 5 seconds", BARE),
    ("前5秒背景虚化", BARE),
    # a span said of the music or the title is not the video's
    ("trim the music to 10 seconds", FULL),
    ("music only in the first 10 seconds", FULL),
    ("only keep the first 10 seconds of the music", FULL),
    ("音乐从10秒开始", FULL),
    ("add lofi starting at 10s", BARE),
    # a number that counts things is not seconds
    ("trim the video to 2 clips", BARE),
    ("keep 2 people", BARE),
    # a time given as the title's words
    ("move the title to 0:05", TITLED),
    ("shorten the title to 2 seconds", TITLED),
    # a fade or speed of the title alone; the original asked for: how far back?
    ("make the title fade in", TITLED),
    ("标题淡入", TITLED),
    ("回到最开始", TITLED),
    ("go back to the original", TITLED),
    # a removal with only time or amount left, a bare small number as a level
    ("头尾各", BARE),
    ("从第8秒开始切", BARE),
    ("music 2", FULL),
    # a thing said to be there during a span, then "remove it": the thing, or the seconds?
    ("there's a dog from 3 to 6 seconds, get rid of it", BARE),
    ("3秒到6秒有只狗 删了", BARE),
    # one clip of several with an edit of the whole project
    ("mute the second clip", TWO),
    ("第一个片段静音", TWO),
    ("fade in the last clip", TWO),
    # a part named by what happens in it, never the whole video or a thing in the picture
    ("add slow motion to the part where he jumps", BARE),
    ("他跳起来的那段慢放", BARE),
    ("get rid of the black frames at the end", BARE),
    # a part named by where it is, without times, with an edit of all of it
    ("remove the music for the intro", FULL),
    ("mute the music at the end", FULL),
    ("开头的音乐去掉", FULL),
    # a place or a time is not a title's words
    ("add a title at the start", BARE),
    # a question word inside words that ask
    ("标题改成什么好？", TITLED),
    ("字幕写的什么", TITLED),
]


@pytest.mark.parametrize(("text", "state"), NO_EDIT, ids=[c[0] for c in NO_EDIT])
def test_no_wrong_edit(text: str, state: dict) -> None:
    p = plan(text, state)
    assert not p.calls, (text, p.intents())
    assert not [s for s in p.intents() if s["tool"] in EDIT_TOOLS], (text, p.intents())
    assert p.reply, text  # it says why, in the user's language


def test_a_part_named_is_said_in_the_users_language() -> None:
    en = plan("mute the music from 5 to 10 seconds", FULL).reply or ""
    zh = plan("5秒到10秒把音乐静音", FULL).reply or ""
    assert "whole video" in en and "nothing was changed" in en
    assert "整个视频" in zh and not any(w in zh for w in ("the ", "video"))


def test_split_where_a_number_counts_pieces() -> None:
    check("剪成2段", BARE, [("split", {"at": 15.0})])
