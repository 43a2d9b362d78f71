"""Step 3b (speed): "2x", "half speed", "slow motion", "慢一半", "a bit faster" → set_speed,
absolute (``factor``) or relative to what it is now (``relative``); a part of one clip, a
length reached by speed, a song's tempo."""

from __future__ import annotations

import re

from nemo_widgets.engine.agent.language import lexicon as lx
from nemo_widgets.engine.agent.language.intents import Step, clip_ref
from nemo_widgets.engine.agent.language.session import Session
from nemo_widgets.engine.agent.language.times import parse_time

#: A time with a unit or a clock, in a larger pattern (TIME alone also takes a bare number).
_T = (
    r"(?:(?:\d+:)?\d+:\d+(?:\.\d+)?|"
    r"\d+(?:\.\d+)?\s*(?:s|secs?|seconds?|mins?|minutes?|秒钟?|分钟?)(?![a-z]))"
)

_FACTOR_WORDS = {
    "half": 0.5, "double": 2.0, "twice": 2.0, "triple": 3.0, "thrice": 3.0, "quarter": 0.25,
    "normal": 1.0, "regular": 1.0, "original": 1.0, "real": 1.0, "一半": 0.5, "reset": 1.0,
    "default": 1.0,
}  # fmt: skip
_NUM_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "ten": 10, "one and a half": 1.5}


def speed(t: str, s: Session) -> Step | None:
    if not re.search(
        r"\bspeed|\bfaster\b|\bslower\b|\bslow\b|\bslow[- ]?mo|\bslo[- ]?mo\b|\bslow motion\b|"
        r"\bslow (?:it )?down\b|"
        r"\bfast[- ]?forward\b|\btime ?lapse\b|\bquicker\b|\bquickly\b|\bpace\b|"
        r"\bplay(?:back)?\b.*\b(?:fast|slow)|\bplay (?:it |this |the (?:video|clip) )?at \d|"
        r"\b\d+(?:\.\d+)?\s*x\b|\bx\s*\d|\b(?:half|double|normal|twice|three times|2 times|"
        r"3 times) (?:speed|as fast)\b|"
        r"倍速|加速|减速|慢动作|快进|快一点|慢一点|快点|慢点|放慢|加快|变快|变慢|\d倍|速度|慢放|"
        r"快放|原速|正常速度|慢镜头|慢速|"
        # "慢一半", "再慢一倍", "快两倍": a bare 快/慢 with how much is the speed too
        r"(?:慢|快)(?:了)?\s*(?:一半|\d+(?:\.\d+)?\s*倍|一些|些)",
        t,
    ):
        return None
    if (lx.MUSIC.search(t) or s.named(t, "audio")) and not re.search(
        r"\bspeed|速度|倍速|\bvideo\b|\bclip\b|视频|画面", t
    ):
        return None  # "this lofi song is way too slow": the song's tempo, not the video's speed
    clip = clip_ref(t, s)
    extra = {"clip": clip} if clip is not None and len(s.clips) > 1 else {}
    long = re.search(
        rf"(?:变成|变为|成|到|有)\s*({_T})\s*(?:那么|这么)?长?|\b(?:so (?:that )?)?(?:it|the "
        rf"video|the clip|the whole thing) (?:is|lasts|becomes|ends up|will be|'s)\s*"
        rf"(?:about |around )?({_T})\s*long\b|\b(?:lasts?|to last)\s+(?:about |around )?({_T})",
        t,
    )
    if long and s.total and not extra and (v := parse_time(next(g for g in long.groups() if g))):
        # "放慢一点，让整个视频变成一分钟那么长": the speed that gives that length
        f = round(s.total / v, 3)
        slow = re.search(r"\bslow|慢", t) is not None
        if slow != (f < 1) or f == 1:
            return Step("clarify", why="which_speed")  # "slow it down so it lasts 10 s"?
        return Step("set_speed", {"factor": f})
    if clip is None and re.search(
        r"\b(?:first|second|last|final|other|latter|1st|2nd) half\b|"
        rf"\b(?:the )?(?:first|last|final) (?:{_T}|few seconds|part|bit)|"
        rf"\bfrom\s+{_T}\s+(?:to|until|till)\b|\bbetween\s+{_T}\s+(?:and|&)\b|"
        rf"(?:前|后)(?:半|一半|半段|半部分)|(?:前|后|最后|开头)\s*{_T}|{_T}\s*(?:到|至)\s*{_T}|"
        # "slow down the end", "结尾放慢一点": a part too, named by where it is
        r"\b(?:at|near|towards?|in|during) the (?:end|ending|start|beginning|intro|outro|"
        r"opening)\b|"
        r"\bthe (?:end|ending|intro|outro|opening|beginning)\b|^(?:结尾|开头|片头|片尾|最后|末尾)|"
        r"\b(?:the |in the )middle(?: (?:part|bit|section|portion|stretch))?\b|中间",
        t,
    ):
        # "speed up the second half": speed is per clip; a part of one would be a wrong edit
        reason = s.in_their_language(
            t,
            "Speed changes apply to whole clips. Split first (e.g. “split at 0:15”), then "
            "say “make clip 2 faster”.",
            "速度只能按整个片段改。先在那一秒分割（如“在15秒处分割”），再说“第2个片段加快”。",
        )
        return Step("decline", {"reason": reason}, why="part_speed")
    if re.search(r"(?:快|加快|加速|提速)了?\s*1\s*倍", t):
        return Step("set_speed", {"factor": 2.0, **extra})  # 快一倍: one more of itself, 2x
    if re.search(r"(?:慢|放慢|减速)了?\s*1\s*倍", t):
        return Step("set_speed", {"factor": 0.5, **extra})
    if re.search(r"快了?\s*一半", t):
        return Step("clarify", why="which_speed")  # "快一半": 1.5x, or half the time?
    if re.search(r"(?:慢|快)了?\s*(?:一)?些", t) and not re.search(r"\d|一半|一倍", t):
        # "慢些", "快些": a little, never a reset
        return Step("set_speed", {"relative": 0.8 if "慢" in t else 1.25, **extra})
    if re.search(r"\btoo slow\b|\bdrags\b|太慢", t):
        return Step("set_speed", {"relative": 1.25, **extra})
    if re.search(r"\btoo fast\b|\btoo quick\b|太快", t):
        return Step("set_speed", {"relative": 0.8, **extra})
    slower = re.search(r"\bslow|慢|减速", t)
    if slower and re.search(
        r"\bspeed (?:it |this |the (?:video|clip) )?up\b|\bfaster\b|加速|快(?:一)?点|快些", t
    ):
        slower = None  # "speed it up 1.5x its so slow": the complaint agrees with the ask
    m = re.search(r"(\d+(?:\.\d+)?)\s*(?:x\b|times\b|倍)|\bx\s*(\d+(?:\.\d+)?)", t)
    mw = re.search(r"\b(two|three|four|five|ten) times\b", t)
    mp = re.search(r"(\d+(?:\.\d+)?)\s*(?:%|percent)", t)
    mabs = re.search(
        r"(\d+(?:\.\d+)?)\s*(?:%|percent)\s*(?:speed|速度|的速度)|"
        r"速度(?:调到|调成|设为|设成|变成|改成|是)?\s*(\d+)\s*%|"
        # "speed to 75%", "slow it down to 50 percent", "play at 80%": a level of normal speed
        r"(?:\bto|\bat|=|调到|调成|设为|设成|变成|改成|降到|放慢到|减到)\s*(?:(?:like|about|around|maybe)\s+)?"
        r"(\d+(?:\.\d+)?)\s*(?:%|percent)",
        t,
    )
    if mabs:
        f = float(next(g for g in mabs.groups() if g)) / 100
        return Step("set_speed", {"factor": f, **extra})
    mto = re.search(
        r"\bspeed\s+(?:to|of|at|=)\s*(\d+(?:\.\d+)?)(?![\d.])(?!\s*(?:%|percent|s\b|sec|seconds?|"
        r"mins?|minutes?|:))|速度(?:调到|调成|设为|设成|改成|改为)\s*(\d+(?:\.\d+)?)(?![\d.])"
        r"(?!\s*(?:%|秒|分))",
        t,
    )
    if mto and 0.1 <= (f := float(mto.group(1) or mto.group(2))) <= 8:
        return Step("set_speed", {"factor": f, **extra})
    # "slow it down to 0.75", "speed it up to 1.5", "speed 2", "playback speed 1.5": a bare
    # number after the speed words is the factor
    mto = re.search(
        r"\b(?:slow|speed)\s+(?:it\s+|this\s+|the (?:video|clip)\s+)?(?:down|up)\s+to\s+"
        r"(\d+(?:\.\d+)?)(?![\d.])(?!\s*(?:%|percent|s\b|sec|seconds?|mins?|minutes?|:|x\b))|"
        r"^(?:playback\s+)?speed\s*[:=]?\s*(\d+(?:\.\d+)?)\s*x?$|"
        r"\bplay (?:it |this |the (?:video|clip) )?at (\d*\.?\d+)\s*x?(?:\s+speed)?$|"
        # "play it back at 0.75 speed", "set it to 0.75 speed": the factor said before "speed"
        r"(?:\bat|\bto|^)\s*(\d*\.?\d+)\s*x?\s+(?:playback\s+)?speed\b(?!\s+(?:up|it))",
        t,
    )
    if mto and 0.1 <= (f := float(next(g for g in mto.groups() if g))) <= 8:
        return Step("set_speed", {"factor": f, **extra})
    if re.search(r"\bhalve\b|\bhalved\b|速度减半|(?:再|又)?慢一半|慢一倍", t):
        return Step("set_speed", {"relative": 0.5, **extra})  # "halve the speed": of what it is
    if mp:
        p = float(mp.group(1)) / 100
        return Step("set_speed", {"relative": round(1 - p if slower else 1 + p, 4), **extra})
    if m is None:
        m = re.search(r"\bfactor of (\d+(?:\.\d+)?)()", t)  # "by a factor of 2": 2x
    if not (m or mw) and re.search(
        r"\bby \d+(?:\.\d+)?\b(?!\s*(?:%|percent|s\b|secs?\b|seconds?\b|x\b))", t
    ):
        return Step("clarify", why="which_speed")  # "speed it up by 3": 3x, or 3 s shorter?
    if m or mw:
        f = float(m.group(1) or m.group(2)) if m else float(_NUM_WORDS[mw.group(1)])
        if slower and f > 1:
            f = 1 / f
        return Step("set_speed", {"factor": round(f, 4), **extra})
    mw = re.search(
        r"\b(half|double|twice|triple|thrice|quarter|normal|regular|original|real|reset|default)\b|"
        r"一半|减半|"
        r"正常|"
        r"原速",
        t,
    )
    if mw:
        w = (
            mw.group(1)
            or {"一半": "half", "减半": "half", "正常": "normal", "原速": "normal"}[mw.group(0)]
        )
        if (
            _FACTOR_WORDS[w] == 1.0 == s.speed
            and not extra
            and re.search(r"\b(?:keep|stay|leave|remain)\b|保持|维持", t)
            and not re.search(r"\b(?:back|reset|restore)\b|恢复|改回|调回|变回", t)
        ):
            return Step("decline", why="already")  # "保持原速" at normal speed: it is
        return Step("set_speed", {"factor": _FACTOR_WORDS[w], **extra})
    if (
        f := _stated_factor(t, bool(slower or re.search(r"slo[- ]?mo|慢动作|慢放|慢镜头", t)))
    ) is not None:
        return Step("set_speed", {"factor": f, **extra})  # "slow motion, like 0.25": the value
    if re.search(r"\bslow[- ]?mo|\bslo[- ]?mo\b|\bslow motion\b|慢动作|慢放|慢镜头", t):
        return Step("set_speed", {"factor": 0.5, **extra}, why="implied")
    if lx.A_BIT.search(t) or re.search(r"\bmore\b|\bless\b|\bagain\b|再", t):
        return Step("set_speed", {"relative": 0.8 if slower else 1.25, **extra})
    if re.search(
        r"\bfaster\b|\bspeed (?:it |this |the \w+ )?up\b|\bquicker\b|\bfast[- ]?forward\b|加速|"
        r"快进|加快|"
        r"变快|\btime ?lapse\b",
        t,
    ):
        return Step("set_speed", {"factor": 2.0, **extra}, why="implied")
    if slower:
        return Step("set_speed", {"factor": 0.5, **extra})
    return Step("clarify", why="which_speed")


def _stated_factor(t: str, slower: bool) -> float | None:
    """A number the speed words leave bare ("slow motion, like 0.25", "faster, say 1.5"): it
    beats the word's default when it goes the same way."""
    m = re.search(
        r"(?:\blike|\bsay|\bmaybe|\babout|\baround|\bat|\bto|\bof|比如|大概|差不多|左右|到)\s*"
        r"(\d*\.\d+|\d)(?![\d.:])(?!\s*(?:s\b|sec|seconds?|mins?|minutes?|秒|分|%|percent))",
        t,
    )
    if m is None:
        return None
    f = float(m.group(1))
    if (slower and 0.05 <= f < 1) or (not slower and 1 < f <= 8):
        return f
    return None
