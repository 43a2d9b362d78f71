"""Time expressions: 0:03, 1:02.5, 3s, 3 秒, 1分20秒, 1m20s, 2 minutes, and the ranges they
make ("from 0:20 to the end", "the first 5 seconds", "前10秒", "the middle part")."""

from __future__ import annotations

import re

_UNIT_S = r"(?:s|secs?|seconds?|秒钟?|sek)"
_UNIT_M = r"(?:m|mins?|minutes?|分钟|分)"
#: One time: clock, minutes+seconds, or a number with an optional unit.
TIME = (
    rf"(?:\d+:)?\d+:\d+(?:\.\d+)?"
    rf"|\d+(?:\.\d+)?\s*{_UNIT_M}\s*\d+(?:\.\d+)?\s*{_UNIT_S}?"
    rf"|\d+(?:\.\d+)?\s*(?:ms|{_UNIT_M}(?![a-z])|{_UNIT_S}(?![a-z]))?"
    r"|half a minute|a minute"
)
_TIME_RE = re.compile(TIME)
_END = r"(?:the )?(?:end|finish)|结尾|最后|末尾|结束"


def parse_time(text: str) -> float | None:
    """Seconds from ``0:05``, ``1:02.5``, ``00:01:05``, ``5s``, ``5 seconds``, ``5秒``,
    ``1分20秒``, ``1m20s``, ``2 minutes``, ``250ms``; None if it is not a time."""
    t = text.strip().lower()
    m = re.fullmatch(r"(?:(\d+):)?(\d+):(\d+(?:\.\d+)?)", t)
    if m:
        h, mi, s = m.groups()
        return int(h or 0) * 3600 + int(mi) * 60 + float(s)
    m = re.fullmatch(rf"(\d+(?:\.\d+)?)\s*{_UNIT_M}\s*(\d+(?:\.\d+)?)\s*{_UNIT_S}?", t)
    if m:
        return float(m.group(1)) * 60 + float(m.group(2))
    if t == "half a minute":
        return 30.0
    if t == "a minute":
        return 60.0
    m = re.fullmatch(rf"(\d+(?:\.\d+)?)\s*(ms|{_UNIT_M}|{_UNIT_S})?", t)
    if m:
        v, unit = float(m.group(1)), m.group(2) or "s"
        if unit == "ms":
            return v / 1000
        if re.fullmatch(_UNIT_M, unit):
            return v * 60
        return v
    return None


def has_unit(text: str) -> bool:
    return bool(re.search(rf":|\d\s*(?:ms|{_UNIT_M}|{_UNIT_S})(?![a-z])|minute", text))


def times(text: str) -> list[float]:
    """Every time in the text, in order (bare numbers count as seconds)."""
    out = []
    for m in _TIME_RE.finditer(text):
        # "9:16" is a ratio, "2x" a factor, "50%" a level: not times.
        after = text[m.end() : m.end() + 2]
        if re.fullmatch(r"\d+:\d+", m.group(0)) and m.group(0) in RATIOS:
            continue
        if re.match(r"\s*(x|%|倍|percent|times)", after) or re.match(r"\s*x\b", after):
            continue
        if not has_unit(m.group(0)) and _COUNTED.match(text, m.end()):
            continue  # "trim the video to 2 clips": a count of things, not seconds
        v = parse_time(m.group(0))
        if v is not None:
            out.append(v)
    return out


#: A bare number that counts things ("2 clips", "3 people", "两个片段") is not a time.
_COUNTED = re.compile(
    r"\s*(?:(?:equal|even|equally long|same[- ]sized?|separate|smaller|short|little|different)\s+)?"
    r"(?:clips?|parts?|pieces?|people|persons?|guys?|cars?|segments?|sections?|scenes?|shots?|"
    r"songs?|tracks?|titles?|captions?|frames? per|fps|px|pixels?|steps?|changes?|edits?|versions?|"
    r"files?|videos?|halves|things?|objects?|layers?|words?|lines?|colou?rs?)\b|"
    r"\s*(?:个|段|首|条|张|人|辆|次|步|行|遍)"
)


def counted(text: str) -> bool:
    """A bare number in the text counts things ("2 clips", "3个人")."""
    return any(
        _COUNTED.match(text, m.end()) for m in re.finditer(r"(?<![\d.:])\d+(?:\.\d+)?", text)
    )


RATIOS = ("9:16", "16:9", "1:1", "4:5", "4:3", "3:4", "5:4", "21:9", "2:1")

_RANGE = re.compile(
    rf"(?:from|between|从)?\s*({TIME})\s*(?:剪|截|保留|留)?\s*(?:to|-|–|—|~|and|until|till|"
    rf"through|到|至)\s*"
    rf"({TIME}|{_END})"
)


#: "the middle" as a place in the picture (with a thing there), not the middle of the video.
_FRAME_PLACE = re.compile(
    r"(?:画面|屏幕|镜头|图像|视频里|画面里)(?:的)?(?:正)?中(?:间|央)|"
    r"中(?:间|央)(?:的|那个|那位|那辆|这个|站着的|有个|有一个)(?!部分|那段|一段|内容|片段|几秒|\d)|"
    r"\bmiddle of the (?:frame|picture|shot|screen|image|road|street|scene|crowd|sidewalk|field)\b"
)


def time_range(text: str, total: float) -> tuple[float, float | None, str] | None:
    """The span the text names, as (start, end or None = to the end, how), or None.

    ``how`` is "first", "last", "range", "from" (to the end), "before" or "middle"."""
    # "结尾多余的2秒", "开头没用的3秒": a word about the span, not part of it
    t = re.sub(
        r"(?<=开头|结尾|末尾|前面|后面|最后|开始)(?:那|这)?(?:多余|没用|无聊|多出来|空白|黑屏|废|难看|不要)的?",
        "",
        text,
    )
    m = re.search(
        rf"(?:the |最)?(?:first|opening|beginning|start|前面|前|开头|片头|"
        rf"开始)\s*(?:的|那|这)?\s*(?:by\s+)?({TIME})"
        rf"|({TIME})\s*(?:of the (?:beginning|start|head)|(?:from|off) the (?:start|beginning|"
        rf"front|head|top)|"
        rf"at the "
        rf"(?:beginning|start))",
        t,
    )
    if m and (v := parse_time(m.group(1) or m.group(2))) is not None:
        return 0.0, v, "first"
    m = re.search(rf"(开头|前面|开始|片头)的?(?:去掉|剪掉|删掉|删除|切掉|剪去|不要)\s*({TIME})", t)
    if m and (v := parse_time(m.group(2))) is not None:
        return 0.0, v, "first"
    m = re.search(
        rf"(结尾|最后|末尾|后面|片尾)的?(?:去掉|剪掉|删掉|删除|切掉|剪去|不要)\s*({TIME})", t
    )
    if m and (v := parse_time(m.group(2))) is not None:
        return max(0.0, total - v), None, "last"
    m = re.search(
        rf"(?:the )?(?:last|final|ending|end|最后面|最后|后面|后|结尾|片尾|"
        rf"末尾)\s*(?:的|那|这)?\s*(?:by\s+)?({TIME})"
        rf"|({TIME})\s*(?:of the (?:end|tail)|(?:from|off) the (?:end|tail|back)|at the end)",
        t,
    )
    if m and (v := parse_time(m.group(1) or m.group(2))) is not None:
        return max(0.0, total - v), None, "last"
    m = _RANGE.search(t)
    if m:
        a = parse_time(m.group(1))
        b = None if re.fullmatch(_END, m.group(2)) else parse_time(m.group(2))
        if a is not None and (b is None or b > a):
            return a, b, "range" if b is not None else "from"
    m = re.search(
        rf"(?:after|past|beyond|from|从)\s*(?:the\s+)?({TIME})(?:\s*-?\s*second)?(?:\s*(?:mark|"
        rf"point))?"
        rf"|({TIME})\s*(?:之后|以后|后|onwards)",
        t,
    )
    if m and (v := parse_time(m.group(1) or m.group(2))) is not None:
        return v, None, "from"
    m = re.search(rf"(?:before|up to|until|till)\s*({TIME})|({TIME})\s*(?:之前|以前)", t)
    if m and (v := parse_time(m.group(1) or m.group(2))) is not None:
        return 0.0, v, "before"
    m = re.search(
        r"\b(?:the )?(first|opening|last|final) (quarter|third|fifth)\b|"
        r"(前|后|最后)\s*(quarter|third|fifth)",
        t,
    )
    if m and total:
        share = {"quarter": 4, "third": 3, "fifth": 5}[m.group(2) or m.group(4)]
        if share >= 2:
            part = round(total / share, 2)  # "the first quarter", "前三分之一"
            if (m.group(1) or m.group(3)) in ("first", "opening", "前"):
                return 0.0, part, "first"
            return round(total - part, 2), None, "last"
    if re.search(r"\b(?:first|1st|opening|beginning) half\b|前半(?:段|部分)?|前一半", t):
        return 0.0, round(total / 2, 2), "first"
    if re.search(r"\b(?:second|2nd|last|latter|back|final) half\b|后半(?:段|部分)?|后一半", t):
        return round(total / 2, 2), None, "last"
    if _FRAME_PLACE.search(t):
        return None  # "画面中间那个戴帽子的大叔": a place in the picture, not a part of the video
    m = re.search(rf"\bthe middle\s+({TIME})|中间(?:的)?\s*({TIME})(?!\s*(?:到|至|-|~))", t)
    if m and (v := parse_time(m.group(1) or m.group(2))) and total and v < total:
        # "the middle 5 seconds", "中间的5秒": that long, centred
        return round((total - v) / 2, 2), round((total + v) / 2, 2), "middle"
    if re.search(r"\bmiddle (?:part|section|bit|third)|\bthe middle\b|中间(?:部分|那段|一段)?", t):
        return round(total / 3, 2), round(2 * total / 3, 2), "middle"
    return None
