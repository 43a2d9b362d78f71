"""Families of phrasing behind held-out set S's failures (/work/blind19; its first run: 88.7 %,
5 wrong edits), each tested with our own paraphrases, English and Chinese where it applies —
never the set's sentences."""

from __future__ import annotations

import pytest

from tests.test_language_families import BARE, EDITED, FULL, SONGS, TITLED, TWO, check

_WHICH = "clarify"
#: both songs uploaded, neither on the timeline
TWO_SONGS = {
    "video_infos": SONGS["video_infos"],
    "draft": {**SONGS["draft"], "t": SONGS["draft"]["t"][:1]},
}


@pytest.mark.parametrize(
    ("text", "state", "want"),
    [
        # the mute itself taken away is an unmute, whatever verb takes it
        ("原声的静音关掉吧", FULL, [("unmute", {"target": "video"})]),
        ("把音乐的静音去掉", FULL, [("unmute", {"target": "music"})]),
        ("静音取消", FULL, [("unmute", {"target": "all"})]),
        ("take the mute off the song", FULL, [("unmute", {"target": "music"})]),
        ("remove the mute from the street audio", FULL, [("unmute", {"target": "video"})]),
        ("turn off mute please", FULL, [("unmute", {"target": "all"})]),
        ("mute the song", FULL, [("mute", {"target": "music"})]),
        # "remind me …" asks; it changes nothing (least of all the title's words)
        ("remind me what the caption says", TITLED, [("answer", {})]),
        ("remind me how long the video is now", BARE, [("answer", {})]),
        # a second option offered after the first, even in a clause of its own: ask which
        ("make it vertical. or square? not sure", BARE, [(_WHICH, {})]),
        ("keep the first 12 seconds, or 20? dunno", BARE, [(_WHICH, {})]),
        ("0.5x speed or perhaps 0.8", BARE, [(_WHICH, {})]),
        ("put on lofi, or maybe upbeat", TWO_SONGS, [(_WHICH, {})]),
        ("改成横屏 还是方形？", BARE, [(_WHICH, {})]),
        # a time said before the thing, in Chinese: the thing goes during that time
        (
            "3秒到9秒中间那辆白车去掉",
            BARE,
            [("remove_object", {"target": "白车", "start": 3.0, "end": 9.0})],
        ),
        ("前6秒里那个行人P掉", BARE, [("remove_object", {"start": 0.0, "end": 6.0})]),
        ("3秒到9秒之间的删掉", BARE, [("cut", {"start": 3.0, "end": 9.0})]),
        # "can't hear X" after the other sound was called too loud is why, not a second step
        (
            "the song is much too loud, you can hardly hear the traffic",
            FULL,
            [("set_volume", {"target": "music", "relative": "down"})],
        ),
        (
            "the traffic noise is too loud, i can't hear the song",
            FULL,
            [("set_volume", {"target": "video", "relative": "down"})],
        ),
        # a clip already on the timeline, added once more
        ("add the street clip again", TWO_SONGS, [("add_clip", {"file": "street.mp4"})]),
        (
            "put a second copy of street.mp4 at the end",
            BARE,
            [("add_clip", {"file": "street.mp4"})],
        ),
        ("play the second clip twice", TWO, [("add_clip", {"file": "beach.mp4"})]),
        ("把海边那段再放一遍", TWO, [("add_clip", {"file": "beach.mp4"})]),
        ("第二段重复一次", TWO, [("add_clip", {"file": "beach.mp4"})]),
        ("make the second clip twice as fast", TWO, [("set_speed", {"factor": 2.0, "clip": 2})]),
        # subtitles made from speech and playing backwards are not there: declined
        ("can you generate captions for the talking", BARE, [("decline", {})]),
        ("自动加上中文字幕", BARE, [("decline", {})]),
        ("視頻倒著播放", BARE, [("decline", {})]),
        # what the last trim took, asked back; a mistake said beside a bare "restore"
        ("bring back the entire video please", EDITED, [("undo", {})]),
        ("give me back the full 30 s", EDITED, [("undo", {})]),
        ("剪坏了，还原一下", EDITED, [("undo", {})]),
        ("删多了 恢复吧", EDITED, [("undo", {})]),
        # "what can you do for me" with 帮我 inside is the help
        ("嗨 你可以帮我做些什么", BARE, [("help", {})]),
        # a request asked in Traditional characters is the request, as in Simplified
        ("可以幫我把影片變短一點嗎", BARE, [("clarify", {})]),
        # studio said in Chinese
        ("背景换成演播厅", BARE, [("replace_background", {"mode": "preset", "value": "studio"})]),
        ("用影棚的背景", BARE, [("replace_background", {"mode": "preset", "value": "studio"})]),
        # "second N" is N seconds
        ("cut out from second 7 to second 11", BARE, [("cut", {"start": 7.0, "end": 11.0})]),
        ("split it at second 20", BARE, [("split", {"at": 20.0})]),
        # "剪了" before a span's own 到 still takes the span out
        ("那段太无聊了剪了吧 9秒到14秒", BARE, [("cut", {"start": 9.0, "end": 14.0})]),
        # the shape an export is asked in is set first
        ("导出成方形的", BARE, [("set_aspect", {"ratio": "1:1"}), ("export", {})]),
        ("render it vertical please", BARE, [("set_aspect", {"ratio": "9:16"}), ("export", {})]),
        ("export in 4k", BARE, [("export", {})]),
        # what the exported file is like, asked: answered, not exported
        ("下载下来的视频会带水印吗", BARE, [("answer", {"about": "export"})]),
        ("is there a watermark on the exported file?", BARE, [("answer", {})]),
        ("可以导出吗", BARE, [("export", {})]),
        # a song "in the background" is background music, never the scene's background
        ("put the lofi track in the background", TWO_SONGS, [("add_music", {"file": "lofi.mp3"})]),
        # a clip said to go before or after another is a reorder, never a removal
        (
            "the beach clip should go before the street one",
            TWO,
            [("reorder", {"clip": 2, "to": 1})],
        ),
        ("海边那段应该在街道那段前面", TWO, [("reorder", {"clip": 2, "to": 1})]),
        ("the van should go", BARE, [("remove_object", {"target": "van"})]),
        # "it" after an edit of one clip is that clip
        (
            "make the beach clip faster, then move it to the start",
            TWO,
            [("set_speed", {"clip": 2}), ("reorder", {"clip": 2, "to": 1})],
        ),
        # 加 right before quoted words adds them as a title
        ("在顶部加“新品上市”", BARE, [("add_title", {"text": "新品上市", "position": "top"})]),
        # where the title goes, said as "and is on the top"
        (
            "I want the caption 'Sale' and it is at the bottom",
            BARE,
            [("add_title", {"position": "bottom"})],
        ),
        # a story first, then "so I'd like …": the request is done
        (
            "we shot this for a school project and my teacher will watch it, so i'd like "
            "a title that says 'Team Blue' for the first 2 seconds",
            BARE,
            [("add_title", {"text": "Team Blue", "start": 0.0, "duration": 2.0})],
        ),
    ],
)
def test_held_out_s_families(text: str, state: dict, want: list) -> None:
    check(text, state, want)
