"""Step 3b: one clause → one intent with its slots (a :class:`Step`), or None.

The families are tried from the most specific to the most general; each returns a Step or
None. Word families live in :mod:`.lexicon`, times in :mod:`.times`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from nemo_widgets.engine.agent.language import lexicon as lx
from nemo_widgets.engine.agent.language.normalise import _edits
from nemo_widgets.engine.agent.language.objects import object_phrase, object_words
from nemo_widgets.engine.agent.language.session import Session
from nemo_widgets.engine.agent.language.times import (
    RATIOS,
    TIME,
    has_unit,
    parse_time,
    times,
)


@dataclass
class Step:
    tool: str
    args: dict[str, Any] = field(default_factory=dict)
    why: str = ""  # for no-change steps: what to say (a key for the replies)


_ORD = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "1st": 1, "2nd": 2,
    "3rd": 3, "4th": 4, "5th": 5, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "1": 1,
    "2": 2, "3": 3, "4": 4, "5": 5,
}  # fmt: skip


def clip_ref(t: str, s: Session) -> int | None:
    """1-based number of the clip the text names first ("the second clip", "clip 2",
    "第二个片段", "beach.mp4", "the beach clip", "the last clip")."""
    found: list[tuple[int, int]] = []
    for m in re.finditer(
        r"\b(first|second|third|fourth|fifth|1st|2nd|3rd|4th|5th|last)\s+(?:clip|video|segment|"
        r"shot|part|one)\b",
        t,
    ):
        found.append((m.start(), len(s.clips) if m.group(1) == "last" else _ORD[m.group(1)]))
    for m in re.finditer(
        r"\b(?:clip|video|segment|shot)\s*#?\s*(\d)\b|第\s*([一二三四五12345])\s*(?:个|段)?\s*"
        r"(?:片段|视频|段|镜头)",
        t,
    ):
        found.append((m.start(), _ORD[m.group(1) or m.group(2)]))
    for m in re.finditer(r"最后(?:一|1)?(?:个|段)(?:片段|视频)?", t):
        found.append((m.start(), len(s.clips)))
    for i, name in enumerate(s.clips, 1):
        stem = re.escape(name.lower().rsplit(".", 1)[0])
        m = re.search(rf"{re.escape(name.lower())}|(?<![a-z0-9]){stem}(?![a-z0-9])", t)
        if m:
            found.append((m.start(), i))
        elif len(s.clips) > 1 and (m := _shows(t, name)) is not None:
            found.append((m.start(), i))  # "把海边那段删了": beach.mp4 by what it shows
    return min(found)[1] if found else None


#: What a clip shows, in Chinese, for the English words of its file name ("海边那段" is
#: beach.mp4): a clip is named by its content as often as by its name.
_SCENES = {
    "beach": "海边|海滩|沙滩|海岸", "sea": "海边|大海|海上", "ocean": "海边|大海|海洋",
    "street": "街上|街道|街景|街头|马路|路上", "road": "马路|公路|路上", "city": "城市|市区",
    "park": "公园", "mountain": "山上|山里|爬山|山景", "snow": "雪", "forest": "森林|树林",
    "night": "夜景|晚上|夜里", "sunset": "日落|夕阳|黄昏", "party": "派对|聚会",
    "food": "美食|吃饭", "dog": "狗", "cat": "猫", "car": "车里|开车", "lake": "湖边|湖",
    "river": "河边", "office": "办公室", "kitchen": "厨房", "wedding": "婚礼",
    "interview": "采访", "intro": "开场|片头", "outro": "结尾|片尾",
}  # fmt: skip


def _shows(t: str, name: str) -> re.Match[str] | None:
    words = re.findall(r"[a-z]+", name.lower().rsplit(".", 1)[0])
    zh = "|".join(_SCENES[w] for w in words if w in _SCENES)
    return re.search(rf"(?:{zh})(?:的|那|这)", t) if zh else None


# -- families ------------------------------------------------------------------------------------
def fade(t: str, s: Session) -> list[Step] | None:
    if not re.search(
        r"\bfades?\b|\bfading\b|\bfaded\b|淡入|淡出|渐入|渐出|渐强|渐弱|渐隐|渐显|"
        r"(?:渐渐|慢慢|逐渐)(?:地)?(?:消失|变小|变弱|变暗|变黑|黑下去|暗下去|出现|变大|变亮|亮起来)|"
        r"\b(?:slowly |gradually )?(?:go|goes|going|get|gets) (?:dark|black)\b",
        t,
    ):
        return None
    if re.search(r"\bcross[- ]?fad|交叉淡|叠化", t):
        return None  # a transition between clips: not a fade of the whole (unsupported)
    if re.match(r"(?:but |and )?no (?:more )?(?:fades?|fading|fade[- ](?:in|out)s?)\b", t):
        return [Step("decline", {"what": "fade"}, why="negated")]  # "no fade": none added
    t = _fade_typo(t)
    dirs = []
    if re.search(
        r"\bfade[sd]?\s*(?:it |the \w+ )?in\b|\bfade-in\b|淡入|渐入|渐强|渐显|\bat the (?:start|"
        r"beginning)\b|开头|"
        r"\bfrom black\b|\b(?:start|begin|open)(?:s|ing)?\b|\bbeginning\b|\bintro\b|\bends\b",
        t,
    ):
        dirs.append("in")
    if re.search(
        r"\bout\b|\baway\b|淡出|渐出|渐弱|渐隐|消失|变小|变弱|变暗|变黑|黑下去|暗下去|"
        r"\bat the end\b|结尾|\b(?:go|goes|get|gets|turn|turns) (?:dark|black)\b|"
        r"\bin and out\b|\bto black\b|\bending\b|"
        r"\b(?:close|closing|outro|finish)\b|\bends\b",
        t,
    ):
        dirs.append("out")
    if not dirs and re.search(
        r"\bfade (?:duration|length|time)\b|\b(?:duration|length) of the fade\b|"
        r"渐变时[长间]|淡化时[长间]",
        t,
    ):
        return [Step("clarify", why="fade_which")]  # "set fade duration=2": in, or out?
    if not dirs and re.search(r"\bfade[sd]? (?:on|un)\b", t):
        return [Step("clarify", why="fade_which")]  # "fade on": a typo of "in", or on what?
    if not dirs and re.search(r"\bboth\b|两头|首尾", t):
        dirs = ["in", "out"]
    elif not dirs and not lx.MUSIC.search(t):
        return [Step("clarify", why="fade_which")]  # "fade it": in at the start, or out?
    elif not dirs:
        dirs = ["out"]  # "fade the music": the music fades as it ends
    # "fade everything out, video and music": the music is one of the things, not the only one
    music_only = bool(lx.MUSIC.search(t)) and not re.search(
        r"\b(?:video|picture|image|visuals?|everything|all|both|whole thing)\b|画面|视频|全部|都", t
    )
    target = (
        "audio"
        if music_only
        or re.search(r"\b(?:audio|sound|voices?|talking|speech)\b|声音|音频|原声|原音|人声|说话", t)
        else None
    )
    if target is None and lx.MUSIC.search(t):
        target = "both"  # "fade everything out, video and music"
    if (
        target == "audio"
        and not music_only
        and re.search(
            r"\b(?:picture|image|video|visuals?|everything|whole thing|to black|from black)\b|画面|"
            r"图像|全部|" + _BLACK,
            t,
        )
    ):
        target = "both"  # "fade in on both picture and sound"
    if target is None:
        target = (
            "video"
            if re.search(
                r"\b(?:picture|image|video|visuals?|to black|from black|dark|darkness|black)\b|"
                r"画面|变黑|黑下去|亮起来|变亮|变暗|" + _BLACK,
                t,
            )
            else "both"
        )
    args: dict[str, Any] = {"target": target}
    vals = times(t)
    if vals:
        args["duration"] = vals[0]
    steps = []
    for d in dirs:
        a = {"direction": d, **args}
        if music_only:
            a["music_only"] = True
        steps.append(Step("fade", a))
    return steps


#: A black screen said in Chinese (黑场, 黑屏, 黑幕, 全黑): a fade to or from it is the picture's.
_BLACK = r"黑场|黑屏|黑幕|全黑|黑色画面|黑画面"

#: Short words after "fade" that are words, not typos of "in" or "out".
_NOT_A_TYPO = {"is", "it", "if", "on", "an", "un", "at", "to", "of", "so", "up", "as", "our", "or"}


def _fade_typo(t: str) -> str:
    """'fade inn', 'fade ni', 'fade otu' → 'fade in' / 'fade out'; one edit from one of them
    only (a word one edit from both is left alone, and then reads as no direction)."""

    def fix(m: re.Match[str]) -> str:
        w = m.group(2)
        if w in ("in", "out") or w in _NOT_A_TYPO:
            return m.group(0)
        near = [d for d in ("in", "out") if w[0] in d[:2] and _edits(w, d) == 1]
        return m.group(1) + near[0] if len(near) == 1 else m.group(0)

    return re.sub(r"(\bfade[sd]?[ -](?:it |them |the \w+ )?)([a-z]{2,4})\b", fix, t)


def colour_in(t: str) -> str | None:
    return lx.colour_in(re.sub(r"\bgreen ?screen\b", "", t))


def shaded(colour: str, t: str, anywhere: bool = False) -> str:
    """ "dark blue", "浅蓝": the shade said with the colour is part of it. ``anywhere``: a
    Chinese shade word anywhere in ``t`` counts (a background's "深一点的蓝色"); else only
    right before a colour word (a title's words may hold 淡 of 淡入)."""
    zh = r"(深|浅|淡|亮)" if anywhere else r"(深|浅)(?=色?[红蓝绿黄紫灰棕粉橙])"
    shade = re.search(
        # "dark blue", and "dark 蓝色" (English typed in a Chinese sentence)
        rf"(?<![a-z])(dark|light|pale|deep|bright)\s*(?:{re.escape(colour)}\b|(?=[红蓝绿黄紫灰棕粉橙]))|{zh}",
        t,
    )
    if not shade:
        return colour
    word = shade.group(1) or {"深": "dark", "浅": "light", "淡": "light", "亮": "light"}[shade[2]]
    word = {"pale": "light", "bright": "light", "deep": "dark"}.get(word, word)
    return f"{word} {colour}"


_KEEP_SHAPE = re.compile(
    r"\b(?:keep|leave|stay)\s+(?:it\s+|the (?:video|clip|frame)\s+|this\s+)?(?:in\s+)?(?:as\s+)?"
    r"(landscape|horizontal|widescreen|16:9|vertical|portrait|9:16|square|1:1)\b|"
    r"(?:保持|还是|就用|维持|继续用?)(?:成|为|是)?(横屏|横版|横的|横向|竖屏|竖版|竖的|竖向|方形|方的)"
)
_SHAPES = {
    "landscape": "landscape", "horizontal": "landscape", "widescreen": "landscape",
    "16:9": "landscape", "横屏": "landscape", "横版": "landscape", "vertical": "portrait",
    "portrait": "portrait", "9:16": "portrait", "竖屏": "portrait", "竖版": "portrait",
    "square": "square", "1:1": "square", "方形": "square", "横的": "landscape",
    "横向": "landscape", "竖的": "portrait", "竖向": "portrait", "方的": "square",
}  # fmt: skip


#: A change other than the frame's shape, said as a comparative ("shorter", "快一点").
_ANOTHER_CHANGE = re.compile(
    r"\b(?:shorter|longer|faster|slower|quicker|louder|quieter|brighter|darker|snappier|"
    r"tighter)\b|(?:短|长|快|慢|亮|暗)(?:一点|一些|点)"
)
#: The shape itself named (not only the platform it is for).
_SHAPE_SAID = re.compile(
    r"\b(?:vertical|portrait|horizontal|landscape|square|widescreen|aspect|ratio|format|"
    r"resize|crop)\b|\d\s*[:：/x比]\s*\d|竖|横|方形|比例|画幅|尺寸"
)


def aspect(t: str, s: Session) -> Step | None:
    m = _KEEP_SHAPE.search(t)
    if m and s.shape is not None and _SHAPES[m.group(1) or m.group(2)] == s.shape:
        return Step("decline", why="already")  # "no, keep it landscape": it is; nothing to do
    ratio = None
    m = re.search(r"(?<![\d:])(\d{1,2})\s*(?:[:：/x比]|\s*by\s*)\s*(\d{1,2})(?![\d:])", t)
    spoken = re.search(
        r"(?<![\d:.])(9 16|16 9|1 1|4 5)(?=\s*(?:ratio|aspect|format|frame|please|$))", t
    )
    res = re.search(r"\b(\d{3,4})\s*[x×*]\s*(\d{3,4})\b", t)
    if res and (g := math.gcd(int(res.group(1)), int(res.group(2)))):
        shape = f"{int(res.group(1)) // g}:{int(res.group(2)) // g}"  # "1080x1920" → 9:16
        ratio = shape if shape in ("9:16", "16:9", "1:1", "4:5") else None
    if ratio is not None:
        pass
    elif m and f"{m.group(1)}:{m.group(2)}" in RATIOS:
        ratio = f"{m.group(1)}:{m.group(2)}"
    elif spoken and not re.search(r"\b(?:from|between|keep|trim|cut)\b", t):
        ratio = spoken.group(1).replace(" ", ":")  # "make it nine sixteen"
    elif lx.PORTRAIT_45.search(t):
        ratio = "4:5"
    elif lx.SQUARE.search(t):
        ratio = "1:1"
    elif re.search(r"\binstagram\b|\binsta\b|\big\b|\bins\b", t) and not lx.PORTRAIT.search(t):
        # Instagram alone is three shapes (Reels and Stories 9:16, a post 1:1 or 4:5): ask
        return Step("clarify", why="which_instagram")
    elif lx.PORTRAIT.search(t):
        ratio = "9:16"
    elif lx.LANDSCAPE.search(t):
        ratio = "16:9"
    if ratio is None:
        if re.search(r"\baspect\b|\bratio\b|画幅|比例|尺寸", t):
            return Step("clarify", why="which_ratio")
        return None
    if _ANOTHER_CHANGE.search(t) and not _SHAPE_SAID.search(t):
        return None  # "make it shorter for tiktok": the platform is why, the change is the length
    fit = "fit"
    if re.search(r"\bblur(?:red|ry|ring)?\b|模糊|虚化|糊", t) and not re.search(
        r"\b(?:without|no|don'?t|do not|not) (?:any )?blur|不要模糊|别模糊|不模糊", t
    ):
        fit = "blur"  # "don't crop, blurry sides": blurred bars crop nothing either
    elif re.search(
        r"\b(?:without|no|don'?t|do not|not) (?:any )?(?:crop|cropping|cutting)|"
        r"不(?:要)?裁|别裁|不剪裁",
        t,
    ):
        fit = "fit"  # "without cropping": bars, never a crop
    elif re.search(
        r"\bfill\b|\bcrop|\bzoom\b|\bno (?:black )?bars\b|\bfull ?screen\b|\bcover\b|裁剪|填满|"
        r"铺满|裁满|裁切|裁掉|裁一点|切掉两边|(?:两边|边上|左右)(?:可以)?(?:裁|切|剪)",
        t,
    ) or (
        re.search(r"\b(?:sides|edges) (?:get |are |being )?(?:cut|cropped|lost)\b", t)
        and not re.search(r"\b(?:without|don'?t|not|no|never)\b", t)
    ):
        fit = "fill"
    purpose = bool(
        re.search(
            r"^发|要发|发到|发在|准备发|用来发|是发|拿去发|想发|打算发|计划发|会发|发\S{1,5}用|是(?:个|一个)?\S{0,6}(?:用的|预告|视频)|"
            r"\b(?:it'?s|its|this is|this'?s|it is|that'?s|thats)\b|\bfor (?:my |the |a |our )?\w+|"
            r"\bgoing (?:on|to)\b|\b(?:teaser|trailer|promo|post|upload)\b",
            t,
        )
        and not re.search(
            r"\b(?:make|turn|change|switch|convert|set|crop|resize|reformat|format|aspect|ratio|"
            r"vertical|horizontal|portrait|landscape|square|widescreen)\b|改|做成|弄成|变成|换成|调成|"
            r"比例|画幅|竖屏|竖版|横屏|横版|方形|\d\s*[:：]\s*\d",
            t,
        )
    )
    if purpose and lx.REMOVE.search(t) and object_words(t):
        return None  # "本来想发小红书 结果左边停了辆车 能帮我P掉吗": why; the removal is asked
    # "这个要发小红书，…": the platform only says where it goes — an aspect change only when
    # nothing else is asked (see plan.understand)
    return Step("set_aspect", {"ratio": ratio, "fit": fit}, why="purpose" if purpose else "")


def split(t: str, s: Session) -> Step | None:
    if not re.search(
        r"\bsplit\b|\bdivide\b|\bcut (?:it |the video |the clip )?(?:in|into) (?:two|half|2)\b|"
        r"\b(?:break|chop|slice|separate) (?:it |the video |the clip |this )?(?:up )?(?:in|into) "
        r"(?:two|2|half|halves)\b|"
        r"\b(?:cut|chop|slice|snip|break|divide|separate) (?:it |the video |the clip |this )?"
        r"(?:in two |into two )?at\b|"
        r"\binto two (?:clips|parts|pieces)\b|\b(?:cut|split|edit) (?:point|mark)s?\b|"
        r"\b(?:cut|chop|slice|break|divide|separate)\b.*\binto \d+ (?:\w+ )?(?:parts?|pieces?|"
        r"clips?|segments?|sections?|bits?|chunks?|halves)\b|"
        r"分割|分割点|切点|断点|剪辑点|"
        r"拆分|切开|切成|一分为二|劈(?:成|开)|分成(?:两|2)|剪成(?:两|2)(?:段|个|半|部分)|拆成(?:两|2)|[切剪][一1]刀|切一下|剪开|分开|剪断|切断|"
        r"断开",
        t,
    ):
        return None
    pieces = re.search(
        r"\b(?:in|into)\s+(\d+)\s+(?:(?:equal|even|same[- ]size|equally long)\s+)?(?:parts?|"
        r"pieces?|clips?|segments?|sections?|bits?|chunks?)\b|"
        r"(?:分|切|剪|拆|截)成\s*(\d+)\s*(?:段|份|部分|个片段|块|截)",
        t,
    )
    if re.search(
        r"\binto\s+\d+(?:\.\d+)?[- ]?(?:s|secs?|seconds?)[- ](?:long )?(?:parts?|pieces?|clips?|"
        r"chunks?|segments?|bits?)\b|\bevery\s+\d+(?:\.\d+)?\s*(?:s|secs?|seconds?)\b|每\s*\d+\s*秒",
        t,
    ):
        return Step("clarify", why="split_where")  # "into 5 second pieces": many splits, ask
    if pieces and not has_unit(t):
        # "split into three equal parts", "切成三段": a count of pieces, never "at 3 s"
        if int(pieces.group(1) or pieces.group(2)) == 2 and s.total:
            return Step("split", {"at": round(s.total / 2, 2)}, why="implied")
        return Step("clarify", why="split_where")
    m = re.search(rf"\b(?:at|from)\s+(?:the\s+)?({TIME})|在\s*({TIME})|({TIME})\s*(?:处|的地方)", t)
    at = parse_time(m.group(1) or m.group(2) or m.group(3)) if m else None
    vals = [v for v in times(t) if v > 2 or has_unit(t)] if at is None else [at]
    if vals and _cut_at_only(t):
        # "cut at 10 seconds", "chop the video at 12 s": split there, or cut off what follows?
        return Step("clarify", {"at": vals[0]}, why="cut_or_split")
    if vals:
        return Step("split", {"at": vals[0]})
    if (
        re.search(
            r"\bhalf\b|\bmiddle\b|\bin two\b|\binto two\b|\b2 (?:parts|pieces)\b|中间|一半|两段|"
            r"两半|一分为二|[2两]\s*(?:段|半|部分|个片段)",
            t,
        )
        and s.total
    ):
        return Step("split", {"at": round(s.total / 2, 2)}, why="implied")
    return Step("clarify", why="split_where")


_CUT_AT = re.compile(
    r"\b(?:cut|chop|snip|slice)\b(?! (?:it |the video |the clip |this )?(?:in|into) )"
    r"(?: (?:it|the video|the clip|this|the footage|everything))? (?:right )?at\b"
)
_TWO_PIECES = re.compile(
    r"\b(?:a|one) (?:cut|split|break)\b|\b(?:two|2) (?:clips|parts|pieces|halves|bits)\b|"
    r"\b(?:in|into) (?:two|2|half|halves)\b|\b(?:split|divide|separate)\b|"
    r"\b(?:do not|don't|dont|without) (?:delete|delet|remove|lose|drop|cut)\w* anything\b"
)


def _cut_at_only(t: str) -> bool:
    """ "cut at 10 s" with nothing else that says how: the verb for a point in time reads as
    "split there" and as "cut off what follows" alike, so a careful editor asks. "a cut at",
    "in two", "into two parts", "split" say it is a split."""
    return bool(_CUT_AT.search(t)) and not _TWO_PIECES.search(t)


def _other_ref(text: str) -> str:
    return re.sub(r"\b(?:the|one)\b", " ", text).strip()


#: the same clip once more: "again", "another copy", "plays twice", "再加一遍", "重复一次"
_AGAIN = re.compile(
    r"\bagain\b|\banother (?:copy|time)\b|\b(?:a )?second copy\b|\btwice\b|"
    r"\bone more time\b|\bduplicate\b|再(?:加|放|来|放上)?一(?:遍|次|个|份)|重复|播两(?:遍|次)|两遍"
)


def clips(t: str, s: Session) -> Step | None:
    """Remove, reorder or add whole clips."""
    n = clip_ref(t, s)
    if (
        re.search(
            r"\b(?:swap|switch|reverse the order|flip the order)\b.*\b(?:clips|videos|order)\b|"
            r"交换|互换|换个位置|换一下位置|换位置|调换|对调|顺序反过来|颠倒顺序|反过来|"
            r"换(?:一下|个)?顺序|顺序(?:换|调|反)|"
            r"\b(?:change|swap|switch|flip|reverse) the order\b",
            t,
        )
        and len(s.clips) == 2
    ):
        return Step("reorder", {"clip": 2, "to": 1})
    if _AGAIN.search(t) and (
        lx.ADD.search(t) or re.search(r"\b(?:duplicate|repeat|play)\b|再(?:加|放|来|放上)|重复", t)
    ):
        # "add the beach clip again at the end", "street.mp4再加一遍": a clip already there, twice
        by_name = s.named(t, "video")
        name = by_name.get("filename") if by_name is not None else None
        if name not in s.clips and n is not None and 1 <= n <= len(s.clips):
            name = s.clips[n - 1]  # "the second clip", "海边那段"
        if name in s.clips and any(x.get("filename") == name for x in s.uploads("video")):
            return Step("add_clip", {"file": name})
    if n is not None and re.search(
        r"\b(?:move|put|place|drag|reorder|bring)\b|\b(?:play|go|come|appear)s?\s+(?:first|last)\b|"
        # "the beach clip should come before the street one", "beach should be first"
        r"\b(?:go|come|play|be|appear|sit)s?\s+(?:before|after|in front of|behind|first|last)\b|"
        r"移到|放到|挪到|放在|调到|(?:应该|要|得)?(?:在|排在)\S+?(?:前面|后面|之前|之后)",
        t,
    ):
        to = None
        if re.search(
            r"\b(?:start|beginning|front)\b|\bfirst\b(?!\s+(?:clip|video|one|segment|shot))|开头|"
            r"最前|前面|"
            r"第一(?!个|段)",
            t,
        ):
            to = 1
        if re.search(
            r"\b(?:the end|back)\b|\blast\b(?!\s+(?:clip|video|one|segment|shot))|结尾|"
            r"末尾|后面|"
            r"最后(?!一个|一段|个|段)",
            t,
        ):
            to = len(s.clips)
        m = re.search(
            r"\b(before|after|in front of|behind)\s+(.+)$|"
            r"(?:放到|放在|排在|在)(.+?)(前面|后面|之前|之后)",
            t,
        )
        other = clip_ref(_other_ref(m.group(2) or m.group(3)), s) if m else None
        if m and other is not None and other != n:
            after = (m.group(1) or m.group(4)) in ("after", "behind", "后面", "之后")
            to = other + 1 if after else other
            to = to - 1 if n < to else to
            to = max(1, min(to, len(s.clips)))
        if to is None:
            return Step("clarify", why="reorder_where")
        return Step("reorder", {"clip": n, "to": to})
    gone = lx.REMOVE.search(t) or (
        len(s.clips) > 1 and re.search(r"(?:不要|不想要|不需要|用不着)了", t)
    )
    if n is not None and gone and lx.CLIP.search(t) and not object_words(t):
        return Step("remove_clip", {"clip": n})
    videos = [
        f for f in s.uploads("video") + s.uploads("image") if f.get("filename") not in s.clips
    ]
    f = s.named(t, "video") or s.named(t, "image")
    if (
        lx.ADD.search(t)
        and (re.search(r"\b(?:clip|video|footage|it|timeline)\b|视频|片段|时间[线轴]", t) or f)
        and not lx.BACKGROUND.search(t.replace(f["filename"].lower(), " ") if f else t)
    ):
        f = (
            f
            if f is not None and f.get("filename") not in s.clips
            else (videos[-1] if videos else None)
        )
        if f is not None and re.search(r"\b(?:add|append|insert|put|include)\b|加|添加|插入", t):
            if f.get("file_type") == "image" and not re.search(
                r"\b(?:clip|video|footage|timeline|end|start|beginning|after|before|slide)\b|"
                r"视频|片段|时间[线轴]|结尾|开头|后面|前面|之后|之前",
                t,
            ):
                # "add it", "add backdrop.jpg": a picture as a clip, or as the background? ask
                return Step("clarify", why="add_what")
            return Step("add_clip", {"file": f["filename"]})
    return None


__all__ = [
    "Step",
    "aspect",
    "clip_ref",
    "clips",
    "fade",
    "has_unit",
    "object_phrase",
    "split",
]
