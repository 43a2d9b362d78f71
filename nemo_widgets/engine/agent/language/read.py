"""Step 3: one clause → its steps (usually one), tried from the most specific family to the
most general: speech acts (undo, help, credits, export, status), both ends, fades,
unsupported effects, aspect, titles, music, removals, the background, then speed, volume,
split, trim and cut, and whole clips. None when the clause says nothing the planner knows."""

from __future__ import annotations

import re

from nemo_widgets.engine.agent.language import intents as it
from nemo_widgets.engine.agent.language import lexicon as lx
from nemo_widgets.engine.agent.language import sound
from nemo_widgets.engine.agent.language.acts import CREDITS, EXPORT, HELP, REDO, STATUS, UNDO
from nemo_widgets.engine.agent.language.intents import Step
from nemo_widgets.engine.agent.language.objects import NOUNS_EN, background, object_words
from nemo_widgets.engine.agent.language.removal import removal
from nemo_widgets.engine.agent.language.session import Session
from nemo_widgets.engine.agent.language.spans import both_ends, trim_cut
from nemo_widgets.engine.agent.language.speed import speed
from nemo_widgets.engine.agent.language.times import time_range, times
from nemo_widgets.engine.agent.language.titles import title, without_title_words

#: Steps that change nothing (answered in the reply, free of charge).
NO_CHANGE = ("export", "credits", "status", "help", "answer", "clarify", "decline")


_IN_BACKGROUND = re.compile(
    r"\b(?:"
    + "|".join(re.escape(n) for n in NOUNS_EN)
    + r")\b\s+(?:\w+\s+){0,2}(?:in|on|at)\s+(?:the\s+)?"
    r"(?:background|back)\b|背景(?:里|中|上)的"
)


#: "抠掉" with a thing named: that thing goes (抠像 / 把人抠出来 are the matte).
_CUT_OUT_THING = re.compile(r"抠(?:掉|走|除|没)(?=$|吧|了|\s)")
#: What is behind the subject, named as scenery: the background ("后面的街景模糊掉").
_SCENERY = re.compile(
    r"(?:后面|后边|背后|身后|远处)的?(?:街景|景色|风景|环境|建筑|街道|马路|城市|楼)|"
    r"(?<![a-z] )\b(?:the )?(?:scenery|street|buildings|city|landscape) behind (?:me|him|her|them|"
    r"us|the (?:person|people|guy|girl|man|woman|speaker))\b"
)


#: "…，只留音乐", "…, keep the music": the music stays as it is (no step of its own).
_KEEP_MUSIC = re.compile(
    r"(?:只|就)(?:留|要|保留)(?:背景)?音乐|(?:留着|保留)(?:背景)?音乐|音乐(?:留着|保留|不变|照旧)|"
    r"\b(?:but |and )?(?:keep|leave) (?:the )?(?:music|song|bgm)(?: (?:on|as it is|playing))?\b"
    r"(?!\s*[a-z])"
)


_NOT_THAT = re.compile(
    r"\s*\b(?:instead of|rather than)\s+(?:the |a |an |this |that |our |my )?[a-z' ]+$|"
    r"[，,]?\s*(?:而不是|不要再是|代替)[\u4e00-\u9fff]+$"
)


def understand_clause(
    c: str, s: Session, quotes: list[str], context: list[str]
) -> list[Step] | None:
    """One clause → steps (usually one), or None if it says nothing the planner knows."""
    c = halfway(c, s.total)
    steps = _clause(c, s, quotes, context)
    if steps:
        steps = _title_not_video(c, steps, s)
    return _whole_only(c, steps, s) if steps else steps


def _title_not_video(c: str, steps: list[Step], s: Session) -> list[Step]:
    """ "make the title fade in", "标题淡入", "speed up the title": a fade or a speed of the
    title alone is not there; done to the video it would change what was not asked."""
    if not lx.TITLE.search(without_title_words(c)) or _VIDEO_WORD.search(c) or lx.MUSIC.search(c):
        return steps
    out = []
    for st in steps:
        if st.tool in ("fade", "set_speed"):
            reason = s.in_their_language(
                c,
                "A title can't fade or change speed on its own here (only the whole video "
                "can), so nothing was changed.",
                "标题不能单独淡入淡出或变速（只能改整个视频），所以没有修改。",
            )
            st = Step("decline", {"reason": reason}, why="unsupported")
        out.append(st)
    return out


#: Edits that act on the whole video (or the whole track): a part of it named with them is
#: not theirs to take — done anyway, it would change what the user said to leave alone.
_WHOLE = {
    "set_speed": ("the speed", "速度"),
    "mute": ("muting", "静音"),
    "unmute": ("unmuting", "取消静音"),
    "set_volume": ("the volume", "音量"),
    "edit_title": ("a change to the title", "标题的修改"),
    "replace_background": ("the background", "背景"),
    "set_aspect": ("the aspect ratio", "画幅"),
    "remove_music": ("removing the music", "删除音乐"),
    "replace_music": ("changing the music", "换音乐"),
    "add_music": ("the music", "背景音乐"),
}
#: Edits of the whole project that no single clip takes (speed does: "speed up the 2nd clip").
_PER_PROJECT = ("mute", "unmute", "set_volume", "fade", "replace_background", "set_aspect")
#: A part of the video named by where it is, without times ("for the intro", "在结尾").
_VAGUE_PART = re.compile(
    r"\b(?:for|during|in|at|over|through) (?:the )?(?:intro|outro|opening|ending|end|beginning|"
    r"start|first part|last part|middle part|first few seconds|last few seconds|credits)\b|"
    r"(?:开头|结尾|片头|片尾|前面|后面|中间)(?:那段|部分|几秒|的时候)?(?:的)?(?:音乐|声音|背景|速度|标题)"
)
#: Cuts of the timeline: "trim the music to 10 seconds" is not the video's trim.
_TIMELINE = ("trim", "cut", "split")
_VIDEO_WORD = re.compile(
    r"\b(?:video|clip|footage|whole thing|everything|movie|vid)\b|视频|片段|片子|整个|画面"
)
_EXPLICIT_TIME = re.compile(
    r"\d:\d|\d\s*(?:s|secs?|seconds?|mins?|minutes?|秒|分钟)(?![a-z])|第\s*\d+\s*秒|"
    r"\b(?:first|last|final) (?:few )?(?:seconds?|\d)|(?:前|后|最后)\s*(?:几|\d)\s*秒"
)


def _whole_only(c: str, steps: list[Step], s: Session) -> list[Step]:
    """ "mute the music from 5 to 10 seconds", "从15秒开始加速", "blur the background for the
    first 5 seconds": the edit would change the whole video, the user named a part: say so,
    change nothing (a question is better than a wrong edit)."""
    ends = re.search(
        r"\b(?:fade (?:it )?out|fade-out)\b.*\blast (?:clip|video|segment|shot)\b|"
        r"\b(?:fade (?:it )?in|fade-in)\b.*\bfirst (?:clip|video|segment|shot)\b",
        c,
    )  # "fade out the last clip": the end of the project is the end of its last clip
    if (
        len(s.clips) > 1
        and not ends
        and any(st.tool in _PER_PROJECT for st in steps)
        and re.search(
            r"\b(?:first|second|third|last|1st|2nd|3rd)\s+(?:clip|video|segment|shot)\b|"
            r"\b(?:clip|segment)\s*#?\s*\d\b|第\s*[一二三四五12345]\s*(?:个|段)?\s*(?:片段|视频|段|镜头)",
            c,
        )
    ):
        # "mute the second clip", "第一个片段静音": the sound and the look are the project's,
        # one clip of several cannot take them alone
        reason = s.in_their_language(
            c,
            "Sound, fades and the picture's settings apply to the whole project, not to one "
            "clip of several, so nothing was changed.",
            "声音、淡入淡出和画面设置是整个项目的，不能只改其中一个片段，所以没有修改。",
        )
        return [
            Step("decline", {"reason": reason}, why="part_only") if st.tool in _PER_PROJECT else st
            for st in steps
        ]
    vague = _VAGUE_PART.search(c)
    if vague and s.total:
        # "remove the music for the intro", "mute it at the end": a part, without its times
        out = []
        for st in steps:
            if (
                st.tool in _WHOLE
                and st.tool != "add_music"
                and not (st.tool == "set_speed" and "clip" in st.args)
            ):
                st = Step("clarify", why="which_part")
            out.append(st)
        return out
    if not s.total or not _EXPLICIT_TIME.search(c):
        return steps
    span = time_range(c, s.total)
    if span is not None and span[2] == "middle":
        span = None
    if span is None and re.search(
        r"\b(?:at|from|starting(?: at| from)?|after|until|till)\s+(?:the\s+)?\d|从\s*\d|在\s*\d", c
    ):
        span = (0.0, None, "at")  # "add lofi starting at 10s": a time the edit cannot take
    out = []
    for st in steps:
        if (
            st.tool in _TIMELINE
            and (lx.MUSIC.search(c) or lx.TITLE.search(c))
            and not _VIDEO_WORD.search(c)
        ):
            # "trim the music to 10 seconds", "音乐从10秒开始": the span is the music's (or the
            # title's), never the video's; only the whole timeline is cut here
            reason = s.in_their_language(
                c,
                "The music and the title follow the whole video; they can't be trimmed or "
                "moved on their own here, so nothing was changed.",
                "音乐和标题跟着整个视频走，不能单独剪，所以没有修改。",
            )
            out.append(Step("decline", {"reason": reason}, why="part_only"))
            continue
        name = _WHOLE.get(st.tool)
        if span is None or name is None or (st.tool == "set_speed" and "clip" in st.args):
            out.append(st)
            continue
        reason = s.in_their_language(
            c,
            f"{name[0][0].upper() + name[0][1:]} applies to the whole video, not to a "
            "part of it, so nothing was changed.",
            f"{name[1]}只能改整个视频，不能只改其中一段，所以没有修改。",
        )
        if st.tool == "set_speed" and span[0] > 0:
            reason += s.in_their_language(
                c,
                f" To change one part, split first (e.g. “split at {span[0]:g}s”), then "
                "say “make clip 2 faster”.",
                f"要只改一段，先分割（如“在{span[0]:g}秒处分割”），再说“第2个片段加快”。",
            )
        out.append(Step("decline", {"reason": reason}, why="part_only"))
    return out


def _clause(c: str, s: Session, quotes: list[str], context: list[str]) -> list[Step] | None:
    if lx.CANCEL.search(c):
        return [Step("decline", why="cancel")]
    c = _RENDER_STYLE.sub("make", c) if _restyles(c) else c
    if REDO.search(c):
        return [Step("redo")]
    if re.search(
        r"\b(?:undo|revert|reset|roll ?back)\s+(?:all|everything|every (?:change|edit))\b|"
        r"\bstart (?:over|from scratch)\b(?!\s+(?:\d|about|around|roughly|a |half|one|two|three))|"
        r"撤销所有|全部撤销|撤销全部|全部还原|从头再来|重新开始|恢复到?原始|"
        r"回到(?:最开始|最初|原始|原版)|还原到?(?:最初|原始|原版)|"
        r"\b(?:back to|restore) the original(?: video| version)?\b(?! speed)",
        c,
    ):
        return [Step("clarify", why="undo_all")]  # how many steps is "everything"? ask
    if UNDO.search(c) and not re.search(
        r"\bback to (?:normal|the original) speed\b|\b(?:music|sound|title) back\b", c
    ):
        n = 1
        m = re.search(
            r"\b(2|3|4|5|two|three|twice|thrice)\b(?!\s*(?:s\b|secs?\b|seconds?\b|%|percent))|"
            r"(两|三|四|五|2|3|4|5)(?:步|次)",
            c,
        )  # "bring back the first 5 seconds you cut": one undo, not five
        if m:
            n = {
                "two": 2,
                "twice": 2,
                "three": 3,
                "thrice": 3,
                "两": 2,
                "三": 3,
                "四": 4,
                "五": 5,
            }.get(m.group(1) or m.group(2)) or int(m.group(1) or m.group(2))
        n = max(n, len(re.findall(r"\bundo\b|撤销", c)))  # "undo undo"
        return [Step("undo")] * n
    said = without_title_words(c)  # "change the title to Where Are We Going": no status asked
    if HELP.search(said):
        return [Step("help")]
    if CREDITS.search(said):
        return [Step("credits")]
    if STATUS.search(said) and not re.search(r"\b(?:add|remove|trim|cut)\b", c):
        return [Step("status")]
    if EXPORT.search(said) and not re.search(r"\bexport(?:ed)? (?:settings|format)\b", c):
        shape = it.aspect(
            re.sub(r"\b(?:export|render|save|download)\b|导出|渲染|下载|保存", " ", c), s
        )
        if shape is not None and shape.tool == "set_aspect" and shape.why != "purpose":
            return [
                shape,
                Step("export"),
            ]  # "export it as vertical", "导出成竖屏的": the shape, then
        return [Step("export")]
    if (ends := both_ends(c, s.total)) is not None:
        return ends
    if (f := it.fade(c, s)) is not None:
        return f
    if lx.UNSUPPORTED.search(c) and (not lx.TITLE.search(c) or lx.AUTO_SUBS.search(c)):
        return [Step("decline", why="unsupported")]
    for fam in (it.aspect,):
        if (st := fam(c, s)) is not None:
            return [st]
    if (st := title(_title_by_text(c, s, quotes), s, quotes)) is not None:
        return [st]
    if (rest := _KEEP_MUSIC.sub("", c).strip(" ,，")) != c.strip(" ,，") and rest:
        c = rest  # "原声关掉 只留音乐": what stays says nothing to do; the rest does
    if re.fullmatch(
        r"(?:(?:i want |keep )?(?:just|only) (?:the )?(?:music|song|bgm)(?: (?:on|playing))?|"
        r"只要(?:背景)?音乐|只留(?:背景)?音乐|只保留(?:背景)?音乐)",
        c,
    ):
        # "…, just the music": the clip's own sound goes, the music stays
        return [
            Step("mute", {"target": "video"}) if s.music else Step("clarify", why="which_music")
        ]
    if (st := sound.music(c, s)) is not None:
        return [st]
    c = re.sub(r"\b((?:sound|audio|noise)s?) (?:from|in|of|on) (?:it|this|that)\b", r"\1", c)
    if lx.REMOVE.search(c) or _CUT_OUT_THING.search(c):
        # "把穿红衣服的小姐姐抠掉": a person cut out of the picture is a removal, not a matte
        st = removal(_CUT_OUT_THING.sub("删掉", c), s, context)
        if st is not None:
            return _each_thing(st)
    if lx.PADDING.search(c) and re.search(r"\bblur(?:red|ry)?\b|模糊|虚化", c):
        # "上下用模糊背景填充", "blur the bars": the aspect's padding, not the scene's background
        if s.aspect:
            return [Step("set_aspect", {"ratio": s.aspect, "fit": "blur"})]
        return [Step("clarify", why="which_ratio")]
    if _IN_BACKGROUND.search(c):
        return None  # "the car in the background" names a thing, not the background
    # "a beach instead of the street": the scene that goes is no second choice
    bg = background(_SCENERY.sub("背景", _NOT_THAT.sub("", c)), s.files, bool(s.music))
    if bg is not None:
        return [Step(bg[0], bg[1]) if bg[0] != "clarify" else Step("clarify", why=bg[1]["why"])]
    for fam in (speed, sound.volume, it.split, trim_cut, it.clips):
        if (st := fam(c, s)) is not None:
            if st.tool == "split" and s.total and not 0 < st.args["at"] < s.total - 0.05:
                return [_split_outside(st.args["at"], s)]  # "split at 1:05" of a 30 s video
            if st.tool == "split" and (more := _split_points(c, s)) is not None:
                return more
            return [st]
    return None


#: "the halfway point", "halfway through", "the midpoint", "一半的地方": the middle of the video
#: as a time ("split it halfway", "trim off everything after the halfway point").
_HALFWAY = re.compile(
    r"(?P<pre>\b(?:at|after|past|from|before|until|till|to|through|by)\s+)?"
    r"(?:\b(?:the\s+)?(?:half-?\s?way|mid-?\s?point)(?:\s+(?:point|mark|through|in))?"
    r"(?:\s+(?:of|in|through)\s+(?:the|this|my)\s+(?:video|clip|footage))?\b|"
    r"\bin the (?:very )?middle of the (?:video|clip|footage)\b)"
    r"|(?<!画面)(?<!屏幕)(?<!画面的)(?:视频|片子)?的?(?:一半|正中间|中间)的?(?:地方|位置|处|那里|时间点|时候)"
    r"|(?<![前后])一半(?=之后|以后|之前|以前|开始)"
)


def halfway(c: str, total: float) -> str:
    """ "split the clip halfway" → "split the clip at 15s" on a 30 s video."""
    if not total:
        return c

    def sub(m: re.Match[str]) -> str:
        v = f"{round(total / 2, 2):g}"
        if m.group(0) == "一半":
            return f"{v}秒"  # "一半之后" → "15秒之后"
        if re.search(r"[\u4e00-\u9fff]", m.group(0)):
            return f"{v}秒处"
        return f"{m.group('pre') or 'at '}{v}s"

    return _HALFWAY.sub(sub, c)


#: "render the caption smaller", "make the caption render in a smaller font": a restyle when a
#: title word and a style word are both there (the verb of drawing it, not of exporting).
_RENDER_STYLE = re.compile(r"\brender(?:ed|s)?\b")
_STYLE = re.compile(
    r"\b(?:smaller|bigger|larger|font|size|bold|italic|colou?r|red|white|black|yellow|blue|"
    r"green|top|bottom|cent(?:er|re)|left|right)\b|字号|字体|颜色|大一点|小一点"
)


def _restyles(c: str) -> bool:
    return bool(_RENDER_STYLE.search(c) and lx.TITLE.search(c) and _STYLE.search(c))


def _each_thing(st: Step) -> list[Step]:
    """ "把左边的车和右边的人都去掉": two things, each its own removal (as "… and …" in English)."""
    target = st.args.get("target")
    if st.tool != "remove_object" or not isinstance(target, str):
        return [st]
    parts = [p for p in re.split(r"和|跟|以及|还有|、", target) if p]
    if len(parts) < 2 or not all(object_words(p) for p in parts):
        return [st]
    return [Step("remove_object", {**st.args, "target": p}) for p in parts]


def _title_by_text(c: str, s: Session, quotes: list[str] | None = None) -> str:
    """ "change hello to "Slow Down" in yellow", "把那个Hello删了", "replace 'Hello' with
    'Hola'": a title named by its own words is the title."""
    # "标题字改成欢迎", "标题内容换成…": the title's words are the title
    c = re.sub(r"(标题|字幕)的?(?:字|文字|内容|文案)(?=改|换|变|写)", r"\1", c)
    if lx.TITLE.search(c):
        return c
    if not re.search(
        r"\b(?:change|rename|edit|make|move|turn|put|set|replace|swap)\b|改|换|移|放|调", c
    ) and not lx.REMOVE.search(c):
        return c
    for i, q in enumerate(quotes or []):
        if any(q.strip().lower() == x.strip().lower() for x in s.titles):
            name = "标题" if re.search(r"[\u4e00-\u9fff]", c) else "the title"
            return c.replace(f"«{i}»", name, 1)
    for text in s.titles:
        words = text.strip().lower()
        m = re.search(rf"(?<![a-z0-9]){re.escape(words)}(?![a-z0-9])", c) if words else None
        if m is not None and len(words) >= 2:
            name = "标题" if re.search(r"[\u4e00-\u9fff]", c) else "the title"
            return c[: m.start()] + name + c[m.end() :]
    return c


def _split_points(c: str, s: Session) -> list[Step] | None:
    """ "split at 10 and 20", "在5秒和15秒处分割": a list of points, each its own split (a
    split keeps every time where it was, so each is read on the original timeline)."""
    if not re.search(r"\d\s*(?:s|sec|seconds?|秒)?\s*(?:,|，|、|and|&|和|跟|与)\s*(?:at\s+)?\d", c):
        return None
    points = sorted({round(v, 3) for v in times(c)})
    if len(points) < 2 or len(points) > 10:
        return None
    if any(not 0 < p < s.total - 0.05 for p in points):
        return [_split_outside(next(p for p in points if not 0 < p < s.total - 0.05), s)]
    return [Step("split", {"at": p}) for p in points]


def _split_outside(at: float, s: Session) -> Step:
    """A split past the end: say so, change nothing."""
    reason = s.in_their_language(
        "",
        f"The video is only {s.total:.1f} s long, so there is no {at:g} s to split at; "
        "nothing was changed.",
        f"视频只有 {s.total:.1f} 秒，没有第 {at:g} 秒可以分割，所以没有修改。",
    )
    return Step("decline", {"reason": reason}, why="out_of_range")


#: "…还是…好", "which is better", "should I …": asking for advice between two readings.
_ADVICE = re.compile(
    r"(?:好|比较好|更好|合适|更合适|好看|好些|好一点)(?:呢|啊|吗|些)?\s*[?？]?$|哪个好|哪种好|"
    r"\b(?:better|best|nicer|recommend(?:ed)?|should i|should we|would you)\b"
)


def read(c: str, s: Session, quotes: list[str], context: list[str]) -> list[Step] | None:
    return alternatives(c, s, quotes, context) or understand_clause(c, s, quotes, context)


def _last_number(said: str, other: str) -> str:
    """ "keep the first 12 seconds" with "20?" → "keep the first 20 seconds"; "" when the
    other option is not a bare number."""
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*[?？]?", other.strip())
    nums = list(re.finditer(r"\d+(?:\.\d+)?", said))
    if not m or not nums:
        return ""
    last = nums[-1]
    return f"{said[: last.start()]}{m[1]}{said[last.end() :]}"


def alternatives(c: str, s: Session, quotes: list[str], context: list[str]) -> list[Step] | None:
    """ "faster or slower", "9:16 or 1:1?": two readings of one kind → ask which."""
    parts = re.split(r"\s+or\s+|还是|或者|或是", c, maxsplit=1)
    if len(parts) != 2 or not parts[0] or not parts[1]:
        return None
    a = understand_clause(parts[0], s, quotes, context)
    # "half speed or maybe 0.75", "lofi, or perhaps upbeat": the hedge is not the option
    other = re.sub(
        r"^(?:maybe|perhaps|possibly|probably|even|like|要不|也许|可能|大概)\s*", "", parts[1]
    )
    other = re.sub(  # "…or 20? dunno": the doubt after it is not part of the option
        r"\s*[?？]?\s*(?:dunno|idk|hmm+|not sure|i guess|i think|whatever|lol|不确定|不知道)"
        r"[?？.!]*$",
        "",
        other,
    )
    b = next(
        (
            r
            for x in (
                other,
                # "keep the first 12 seconds or 20": the other number in the first one's place
                _last_number(parts[0], other),
                re.sub(r"\S+$", other, parts[0]),
                f"{other} {parts[0].split()[-1]}",
            )
            if x
            if (r := understand_clause(x, s, quotes, context))
        ),
        None,
    )
    if a and b and a[0].tool == b[0].tool and a[0].args != b[0].args and a[0].tool not in NO_CHANGE:
        if _ADVICE.search(c):
            # "小红书发竖屏还是横屏好", "is 9:16 or 1:1 better for reels?": advice asked, not an
            # edit — answered, nothing changed
            return [Step("answer", {"about": a[0].tool}, why=c)]
        return [
            Step("clarify", {"about": a[0].tool, "options": [a[0].args, b[0].args]}, why="which_of")
        ]
    return None
