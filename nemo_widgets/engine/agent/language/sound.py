"""Music and sound: add, replace or remove the music; volume (absolute and one step up or
down); mute and unmute."""

from __future__ import annotations

import re
from typing import Any

from nemo_widgets.engine.agent.language import lexicon as lx
from nemo_widgets.engine.agent.language.intents import Step
from nemo_widgets.engine.agent.language.session import Session

#: A song named with a dislike is the one that goes, never the one wanted.
_DISLIKED = re.compile(
    r"\b(?:boring|sleepy|bad|awful|terrible|cheesy|annoying|hate|sucks?|lame|dull|meh|cringe|"
    r"too (?:slow|sad|loud|quiet|sleepy|calm|fast|much|old|cheesy)|don'?t like|not (?:good|great|"
    r"right|fitting|working))\b|难听|不好听|不行|太吵|太土|好土|无聊|不喜欢|烦人|不搭|催眠|不合适|"
    r"太(?:慢|丧|闷|老|俗)"
)


def music(t: str, s: Session) -> Step | None:
    named = s.named(t, "audio")
    if not lx.MUSIC.search(t) and named is None:
        return None
    if (
        lx.MUSIC.search(t)
        and re.search(r"背景音乐|background (?:music|song|track)", t) is None
        and lx.BACKGROUND.search(t)
        and not re.search(r"\bmusic\b|音乐", t)
    ):
        return None
    others = [f for f in s.uploads("audio") if f.get("filename") != s.music]
    if lx.UNMUTE.search(t) and (s.music or not re.search(r"\b(?:put|add|play|throw)\b", t)):
        return Step("unmute", {"target": "music"})  # (no music yet: "put some music on" adds)
    if lx.MUTE.search(t):
        return Step("mute", {"target": "music"})
    if re.search(r"\bover the (?:music|song|bgm)\b|\bdrown|被(?:音乐|配乐)(?:盖|压)", t):
        return volume(t, s)
    level = _level(t)
    about_level = (
        level is not None
        or HALVE.search(t)
        or re.search(r"\bvolume\b|音量", t)
        or lx.LOUDER.search(t)
        or lx.QUIETER.search(t)
    )
    if level is not None and s.music and named is not None and named.get("filename") != s.music:
        # "replace the song with upbeat at 30%", "音乐换成upbeat 音量50%": the new song, at that
        # level (one placement: add_music replaces the music that is there)
        return Step("add_music", {"file": named["filename"], "volume": level})
    if about_level and (not re.search(r"\b(?:add|use|play|put)\b|加|添加|配上", t) or s.music):
        return volume(t, s, "music")
    if (
        re.search(r"^no (?:music|songs?|bgm)\b|不要(?:背景)?音乐|不要配乐|音乐不要", t)
        and not s.music
    ):
        return Step(
            "decline", {"what": "add_music"}, why="negated"
        )  # "no music please": none added
    if re.search(r"^no (?:music|songs?|bgm)\b|不要(?:背景)?音乐|不要配乐|音乐不要", t) or (
        lx.REMOVE.search(t) and not re.search(r"\b(?:instead|with)\b|换", t)
    ):
        return Step("remove_music")
    replace = re.search(
        r"\b(?:replace|swap|change|switch|different|another|other|instead|new)\b|换|替换|另一首|"
        r"别的",
        t,
    )
    swap_named = (
        s.music
        and named is not None
        and named.get("filename") != s.music
        and not re.search(r"\badd\b|加|添加", t)
        and not _DISLIKED.search(t)  # "…, the lofi one is far too sleepy": why it went
    )
    if (replace and (s.music or not re.search(r"\badd\b|加", t))) or swap_named:
        if named is not None and named.get("filename") == s.music:
            stem = re.escape(str(named["filename"]).rsplit(".", 1)[0].lower())
            if re.search(r"\b(?:another|other|different|new)\b|另|别的|其他", t) or not re.search(
                rf"(?:换成|改成|换为|改为|用|\bto|\bwith|\binto|\bfor|\buse)\s*(?:the\s+)?"
                rf"(?:song\s+)?{stem}",
                t,
            ):
                named = None  # "把lofi换成…", "replace lofi": the song that goes, not the new one
        if named is not None and named.get("filename") == s.music:
            # the song that plays, named: "换首歌，换成 upbeat" says once what the clause before
            # chose; alone, nothing to change: which song then?
            return Step("replace_music", {"file": s.music}, why="same")
        f = named or (others[-1] if others else None)
        if f is None:
            return Step("clarify", why="which_music")
        return Step("replace_music", {"file": f["filename"]}, why="named" if f is named else "any")
    adding = re.search(
        r"\b(?:add|use|play|put|throw|include|insert|give|need|want|slap|stick|set|lay|attach)\b|"
        r"加|添加|配上|配|放|用|来一首|来点",
        t,
    ) or re.fullmatch(
        r"(?:(?:some|a|the|nice|chill|happy|calm|background)\s+)*(?:music|song|bgm|soundtrack|"
        r"tune)s?"
        r"(?:\s+(?:in the background|behind it|under (?:it|this|that|the video)|on it|too))?|"
        r"(?:一些|一点)?(?:背景音乐|音乐|"
        r"配乐)",
        t,
    )
    if not adding and named is None:
        return None  # music mentioned, but nothing asked of it
    if not adding and (
        named.get("filename") == s.music
        or re.search(r"太|有点|好|真|\b(?:is|are|was|sounds?|feels?|too|so|kinda|really)\b", t)
    ):
        return None  # "这个lofi太丧了", "lofi is boring": a song named as it is, nothing asked
    if (
        named is None
        and re.search(r"\b(?:another|different|other)\b|另一首|别的|其他", t)
        and len(s.uploads("audio")) <= 1
    ):
        return Step("clarify", why="which_music")  # "add another song": not the one there is
    f = (
        named
        or (others[-1] if others else None)
        or (s.uploads("audio")[-1] if s.uploads("audio") else None)
    )
    if f is None:
        return Step("clarify", why="upload_music")
    if s.music and f.get("filename") == s.music and not named:
        return Step("clarify", why="which_music")
    args: dict[str, Any] = {"file": f["filename"]}
    if level is not None:
        args["volume"] = level
    if re.search(r"\bfade|淡入", t):
        args["fade"] = True
    return Step("add_music", args)


#: Half of the level now ("halve the music", "music at half", "音乐声音减半", "降一半"); "half
#: volume" and "调到一半" are the level 50 %.
HALVE = re.compile(
    r"\bhalve\b|\bhalf as loud\b|\b(?:cut|drop|reduce|bring|turn|lower|take)\b[^.]{0,30}?"
    r"\b(?:in|by) half\b|\bat half\b(?!\s*(?:volume|speed|the))|\bhalf (?:as much|of what it is)\b|"
    r"(?:音量|声音|音乐|配乐)?减半|(?:降|减|调低|降低|减少|减小|小)(?:了)?一半|降(?:低)?到(?:原来的)?一半"
)

_WORD_LEVEL = {
    "half": 0.5, "full": 1.0, "max": 1.0, "maximum": 1.0, "quarter": 0.25, "一半": 0.5,
    "最大": 1.0, "normal": 1.0, "original": 1.0,
}  # fmt: skip


def _level(t: str) -> float | None:
    m = re.search(r"(\d+(?:\.\d+)?)\s*(?:%|percent|pct)|百分之\s*(\d+)", t)
    if m:
        return round(float(m.group(1) or m.group(2)) / 100, 4)
    m = re.search(
        r"\b(half|full|max|maximum|quarter|normal|original)\s+volume\b|(?:音量|声音)(?:调到|调成|"
        r"变成|降到|减到|减小到|设为)?(一半|最大)|(?:开|调|拉|放)(?:到|成)(最大)(?:声|音量)?|"
        r"\b(?:all the way|to the max|to max|maxed|max(?:imum)? it)\b(?<!down)(?!\s*down)",
        t,
    )
    if m:
        return _WORD_LEVEL.get(m.group(1) or m.group(2) or m.group(3) or "max", 1.0)
    m = re.search(
        r"(?:音量|声音|音乐|配乐)(?:调到|调成|设为|设成|改成|改为|调为|到)\s*(\d{1,3})(?![\d.]|\s*(?:秒|分|倍|x\b|:))",
        t,
    )
    if m and int(m.group(1)) <= 100:
        return int(m.group(1)) / 100  # "音量调到三十" (30 of 100)
    if re.search(
        r"\b(?:volume|level|sound|audio)\b[^.\d]{0,30}?\b(?:to|at) (?:zero|0)\b(?![.:])", t
    ):
        return 0.0  # "volume of the clip to zero"
    m = re.search(
        r"\b(?:volume|level|music|song|bgm|sound|audio|voices?|down|up)\s+(?:to|at|of)?\s*"
        r"(0?\.\d+|1\.0|[01])\b"
        r"(?!\s*(?:s\b|sec|x\b|:|times))",
        t,
    )
    if m:
        return float(m.group(1))
    m = re.search(
        r"\b(?:volume|level|music|sound)\s+(?:to|at)\s+(\d{2,3})\b(?!\s*(?:s|sec|x|:))", t
    )
    if m and int(m.group(1)) <= 200:
        return int(m.group(1)) / 100
    # terse: "music 0.8", "volume 30", "bgm volume 0.5", "音乐 0.8", "音量 30"
    m = re.fullmatch(
        r"(?:the )?(?:(?:music|song|bgm|video|clip|original)\s+)?(?:volume|music|song|bgm|sound|"
        r"audio|level)\s*[:=]?\s*(0?\.\d+|1(?:\.0+)?|\d{1,3})|"
        r"(?:(?:背景)?(?:音乐|配乐|声音|原声)的?(?:音量)?|音量)\s*[:：]?\s*(0?\.\d+|1(?:\.0+)?|\d{1,3})",
        t.strip(),
    )
    if m and (v := m.group(1) or m.group(2)):
        x = float(v)
        if x > 100 or re.fullmatch(r"[2-9]", v):
            return None  # "music 2": 2 %, 2 of 10, twice as loud? ask
        return round(x if "." in v or v in ("0", "1") else x / 100, 4)
    return None


_STRONG_SOUND = re.compile(
    r"\bloud(?:er|ness)?\b|\bquiet(?:er)?\b|\bsoft(?:er)?\b|\bvolume\b|\bsound\b|\baudio\b|"
    r"\bturn (?:it |this |that )?(?:up|down)\b|\bcrank (?:it )?up\b|\bhear\b|\bcan'?t hear\b|"
    r"音量|声音|大声|小声|响"
)


#: "down to like 30 percent", "to about 20%": a hedge before the number leaves it a level
_HEDGE = r"(?:(?:like|about|around|maybe|roughly|approximately|say|just|only)\s+){1,2}"


def _by_percent(t: str) -> float | None:
    """ "down 20%", "lower it by 20 percent", "调低20%": a change by a share of the level now
    (a factor), not a level — "down to 20%", "调到20%" are levels."""
    if re.search(rf"\bto\s+(?:{_HEDGE})?\d|到\s*\d|为\s*\d|成\s*\d", t):
        return None
    if re.search(rf"\b{_HEDGE}\d+(?:\.\d+)?\s*(?:%|percent)", t) and not re.search(
        rf"\bby\s+(?:{_HEDGE})?\d", t
    ):
        return None  # "make it quieter like 25%", "down, about 30 percent": a level, said loosely
    m = re.search(
        r"\b(down|up|lower|reduce|decrease|increase|raise|quieter|louder|softer)\b(?:\s+\w+){0,3}?"
        rf"\s+(?:by\s+)?(?:{_HEDGE})?(\d+(?:\.\d+)?)\s*(?:%|percent)|"
        r"(降低|调低|减少|减小|小|低|提高|调高|增加|增大|大|高)了?\s*(\d+(?:\.\d+)?)\s*%",
        t,
    )
    if m is None:
        return None
    word, p = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
    down = word in ("down", "lower", "reduce", "decrease", "quieter", "softer") or word in (
        "降低", "调低", "减少", "减小", "小", "低",
    )  # fmt: skip
    return 1 - float(p) / 100 if down else 1 + float(p) / 100


#: "all the way down", "调到最小", "关到最低": no sound from it (muted, so unmute restores it)
_ALL_THE_WAY_DOWN = re.compile(
    r"\ball the way (?:down|off)\b|"
    r"\b(?:down|turn(?:ed)?(?: it)?) to (?:zero|0(?![.\d])|nothing|the minimum)\b|"
    r"(?:调|关|降|拉|开)(?:到|成)(?:最小|最低|零|0(?![.\d%]))(?:声)?"
)
_ALL_THE_WAY_UP = re.compile(
    r"\ball the way up\b|\b(?:to|at) (?:the )?max(?:imum)?(?: volume)?\b|"
    r"(?:调|开|加|拉)(?:到|成)(?:最大|最高|最响)(?:声)?"
)


def volume(t: str, s: Session, target: str | None = None) -> Step | None:
    """Volume and mute; ``target`` when the clause already named it (the music family)."""
    if target is None:
        if lx.VIDEO_SOUND.search(t):
            target = "video"
        elif lx.MUSIC.search(t):
            target = "music"
    if (
        target is None
        and re.search(r"\b(?:video|clip|footage|original)\b|视频|原声", t)
        and (lx.MUTE.search(t) or lx.UNMUTE.search(t) or lx.SOUND.search(t))
    ):
        target = "video"
    if lx.UNMUTE.search(t):
        return Step("unmute", {"target": target or "all"})
    if target is not None and re.search(r"\b(?:turn|switch|shut|cut) (?:it |them )?off\b", t):
        return Step("mute", {"target": target})  # "turn off the street noise"
    if lx.MUTE.search(t) or re.search(
        r"\b(?:remove|kill|cut|turn off) (?:the |all )?(?:sound|audio)\b|去掉声音|关掉声音|"
        r"关闭声音",
        t,
    ):
        return Step("mute", {"target": target or "all"})
    if target is not None and _ALL_THE_WAY_DOWN.search(t):
        return Step("mute", {"target": target})  # "music all the way down", "音乐调到最小"
    if target is not None and _ALL_THE_WAY_UP.search(t):
        return Step("set_volume", {"target": target, "level": 1.0})  # "原声开到最大"
    if (
        s.music
        and re.search(
            r"\bover the (?:music|song|bgm)\b|\bdrown|\b(?:music|song|bgm) (?:covers|is louder "
            r"than|drowns)|(?:音乐|配乐|背景音乐)(?:盖过|压过|盖住|太吵)|被(?:音乐|配乐)(?:盖|压)",
            t,
        )
        and _level(t) is None  # "down to 20 percent, it's drowning my voice": the level said
    ):
        # "the voice is hard to hear over the music": the music goes down, not up
        return Step("set_volume", {"target": "music", "relative": "down"})
    level = _level(t)
    up, down = lx.LOUDER.search(t), lx.QUIETER.search(t)
    halve = HALVE.search(t)
    if target is None and not _STRONG_SOUND.search(t):
        return None
    if target is not None and not (
        up or down or halve or level is not None or _STRONG_SOUND.search(t)
    ):
        return None
    if (
        target is None
        and s.music
        and s.total
        and re.search(r"\b(?:it|this|that|them)\b|它|这个", t)
        and not re.search(r"\b(?:volume|sound|audio)\b|音量|声音", t)
    ):
        # "turn it down" with music on the timeline: "it" is the music or the clip's own
        # sound, nothing says which: ask (a clause before that names it has set the target)
        return Step("clarify", why="which_sound")
    if target is None and s.music and s.total:
        # "声音大一点", "a bit louder", "volume 50" with music on the timeline: the music or
        # the clip's own sound? two readings: ask
        return Step("clarify", why="which_sound")
    tgt = target or ("music" if s.music else "video")
    cur = s.music_volume if tgt == "music" else 1.0
    if halve:
        level = round(cur / 2, 3)  # "音乐声音减半", "cut the music in half": half of what it is
    elif re.search(r"\bdouble the (?:volume|sound)\b|\btwice as loud\b|音量加倍", t):
        level = round(min(cur * 2, 4.0), 3)
    if level is not None and (by := _by_percent(t)) is not None:
        level = round(min(max(cur * by, 0.0), 4.0), 3)  # "music down 20%": 20 % less than now
    if (
        level is not None
        and tgt == "music"
        and not s.music
        and s.uploads("audio")
        and not re.search(r"\b(?:set|change|adjust|lower|raise|turn|reduce)\b|调|设", t)
    ):
        # "music at 30%" with no music on the timeline but a song uploaded: it goes on, there
        return Step("add_music", {"file": s.uploads("audio")[-1]["filename"], "volume": level})
    if (
        level is not None
        and tgt == "music"
        and (at := re.search(r"\b(?:music|song|bgm|track)\s+at\s+(\d{1,2})\b(?![\d.%:])", t))
        and s.total
        and int(at.group(1)) < s.total
        and not re.search(r"%|percent|\bvolume\b|\blevel\b|\bloud|\bquiet|音量", t)
    ):
        return Step(
            "clarify", {"level": level}, why="level_or_time"
        )  # "put the music at 10": 10 % or from 0:10?
    if level is not None:
        return Step("set_volume", {"target": tgt, "level": level})
    if up and not down:
        return Step("set_volume", {"target": tgt, "relative": "up"})
    if down:
        return Step("set_volume", {"target": tgt, "relative": "down"})
    return Step("clarify", why="volume_level")


_LOUD_MUSIC = r"(?:the |that |this )?(?:music|song|bgm|background music|track|beat|soundtrack)"
_QUIET_VOICE = (
    r"(?:the |my |his |her |their |our )?(?:voices?|talking|speech|speaking|dialog(?:ue)?|words|"
    r"narration|voice ?over|vocals|original (?:audio|sound)|(?:clip|video)'?s? (?:audio|sound)|"
    r"(?:what|anything) (?:i|we|he|she|they|people) (?:say|said|are saying|is saying)|me|us|him|"
    r"her|them)"
)
_NOISE = (
    r"(?:the )?(?:street |traffic |wind |city |crowd |background |car |engine |ambient |road )?"
    r"(?:noise|sounds?)"
)
_NOISE_SAID = (
    rf"(?:{_NOISE}|(?:the )?(?:wind|traffic|street|crowd|ambience|background noise|cars?|"
    r"people talking))"
)
#: "is too loud compared to", "is way louder than", "'s so loud next to": one sound over another.
_LOUDER = (
    r"(?:is|are|'s|gets?|get) (?:\w+ ){0,2}(?:louder than|loud (?:compared (?:to|with)|next to|"
    r"relative to|against|over|vs\.?|versus))"
)
#: "the music drowns out my voice", "说话都被BGM盖住了": the loud one and the one it covers.
_COVERS = [
    (
        "music",
        re.compile(
            rf"\b{_LOUD_MUSIC} (?:(?:is |keeps |kinda |totally |completely |really )?"
            rf"(?:drown(?:s|ing)?|cover(?:s|ing)?|bur(?:ies|ying)|overpower(?:s|ing)?|"
            rf"swallow(?:s|ing)?|drowns? out)|is (?:way |much |a lot )?louder than)\b|"
            rf"\b{_LOUD_MUSIC} {_LOUDER} (?:{_QUIET_VOICE}|{_NOISE_SAID})\b|"
            # "…, it's drowning out my voice": "it", said after the music was named
            rf"\b(?:it'?s|its|it is|it|it keeps) (?:kinda |totally |completely |really )?"
            rf"(?:drown(?:s|ing)?|cover(?:s|ing)?|bur(?:ies|ying)|overpower(?:s|ing)?)(?: out)? "
            rf"{_QUIET_VOICE}\b|"
            rf"\b{_QUIET_VOICE} (?:is|are|gets?|got) (?:\w+ )?(?:drowned|covered|buried|"
            rf"overpowered|lost)(?: out)? (?:by|under|in) {_LOUD_MUSIC}\b|"
            rf"\b(?:can'?t|cannot|can not|barely|hardly|could not|couldn'?t) (?:\w+ )?hear "
            rf"{_QUIET_VOICE} (?:over|above|under|through|because of|with|for) {_LOUD_MUSIC}\b|"
            r"被(?:背景)?(?:音乐|配乐|歌|bgm)(?:给)?(?:盖|压|淹|遮)|"
            r"(?:背景)?(?:音乐|配乐|歌|bgm)(?:声)?(?:都|全|完全|把人声|把说话声?|把原声)?"
            r"(?:盖过|压过|盖住|压住|淹没|遮住|比人声大|比说话声?大|比原声大)|"
            r"(?:音乐|配乐|歌|bgm)(?:太)?(?:吵|响)(?:了)?[,，]?(?:得|的)?(?:都|我)?听不(?:清|见|到)"
        ),
    ),
    (
        "video",
        re.compile(
            rf"\b{_NOISE} (?:(?:is |keeps )?(?:drown(?:s|ing)?|cover(?:s|ing)?|bur(?:ies|ying)|"
            rf"overpower(?:s|ing)?|drowns? out)|is (?:way |much )?louder than) {_LOUD_MUSIC}\b|"
            rf"\b(?:{_NOISE_SAID}|{_QUIET_VOICE}) {_LOUDER} {_LOUD_MUSIC}\b|"
            r"(?:音乐|配乐|歌|bgm)(?:都|全)?被(?:原声|噪音|杂音|环境音|风声|车声)(?:给)?(?:盖|压|淹|遮)|"
            r"(?:原声|噪音|杂音|环境音|风声|车声)(?:把)?(?:音乐|配乐|歌|bgm)?(?:都)?(?:盖过|压过|盖住|压住)"
        ),
    ),
]


def drowned(t: str) -> tuple[str, re.Match[str]] | None:
    """A complaint that one sound covers the other → the loud one ("music" or "video"): the
    reason for a volume change. Said with the change ("原声大一点，说话都被BGM盖住了") it adds
    nothing; said alone, the loud one goes down one step."""
    for loud, pattern in _COVERS:
        if (m := pattern.search(t)) is not None:
            return loud, m
    return None
