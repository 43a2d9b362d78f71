"""Trim and cut: which part of the video to keep or take out.

Removing a span that touches the start or the end is a trim (keep the rest); removing one in
the middle is a cut (the rest closes up)."""

from __future__ import annotations

import re

from nemo_widgets.engine.agent.language import lexicon as lx
from nemo_widgets.engine.agent.language.intents import Step
from nemo_widgets.engine.agent.language.session import Session
from nemo_widgets.engine.agent.language.times import (
    TIME,
    counted,
    has_unit,
    parse_time,
    time_range,
    times,
)

_REMOVING = re.compile(
    r"\b(?:cut|trim|chop|snip|shave|take|clip|lop)\s+(?:(?:it|this|that)\s+)?(?:off|out|away)\b|"
    r"\b(?:take|shave|knock|lop|chop)\s+(?:\d+(?:\.\d+)?\s*(?:s|secs?|seconds?)|a (?:second|sec))"
    r"\s+off\b|"
    # "take the part from 10 to 15 seconds out (of the video)"
    r"\b(?:take|cut|edit|chop|snip)\s+(?:the|that|this)\s+(?:part|bit|section|segment|portion)\b"
    r".{1,60}?\bout\b|"
    r"\b(?:remove|delete|drop|lose|get rid of|skip|ditch|throw away|cut off|trim off|chop off|"
    r"excise|edit out|splice out|kill|nix|axe|scrap|ripple delete|ripple-delete)\b|"
    r"剪掉|删掉|去掉|切掉|不要|删除|去除|裁掉|剪去|删了|去了|拿掉|拿走|弄掉|干掉|砍掉|扔掉|丢掉|"
    r"(?:剪|裁|切|砍)了(?!.*(?:(?<![\d秒])到|成|(?<![\d秒])至))|"  # "…剪了 12秒到18秒": a span's 到
    r"移除|清除|抹掉"
)
_KEEPING = re.compile(
    r"\bkeep\b|\bonly\b|\bjust\b|\bto\s+(?:the\s+|just\s+the\s+|only\s+the\s+)?(?:first|last|"
    r"opening|final)\b|"
    r"\b(?:trim|cut|shorten|crop|chop|reduce|clip)\s+(?:it|this|the (?:video|clip|whole thing)|"
    r"everything|"
    r"the footage)?\s*(?:down\s+)?to\b|\bmake (?:it|the video|the clip)\b.*\blong\b|保留|只要|"
    r"只留|截取|剩下(?!的)|只剩|就留|(?<![保停])留(?=前|后|最后|开头|结尾|中间|\s*\d)|"
    r"剪成|剪到|剪至|裁成|裁到|裁至|截成|截到|截至|缩短到|缩短为|只保留|留下|留着|"
    r"只(?:有|剩|留|用)(?=前|后|最后|开头|结尾|中间)"
)


#: "前面的都不要", "drop everything before": what comes before the span goes, the span stays.
BEFORE_GOES = re.compile(
    r"(?:前面|之前|前边)的?(?:都|全)?(?:不要|删|去掉|剪掉|切掉)|\b(?:everything|anything|all|the "
    r"(?:part|bit|stuff)) (?:before|until) (?:it|that|then)?\s*(?:goes|can go|is out)?\b|"
    r"\b(?:drop|remove|delete|cut|lose|ditch) (?:everything|anything|all|the (?:part|bit|stuff)) "
    r"before\b"
)


_BARE_FROM = re.compile(
    rf"(?:cut|chop|trim|snip|clip)(?: it| the video| the clip)?\s+(?:from|starting (?:at|from))\s+"
    rf"(?:the\s+)?(?:{TIME})(?:\s*mark)?|从\s*(?:{TIME})\s*(?:开始|那里|处)?\s*(?:剪|切|裁)(?:一下)?"
)


#: "make it 15 seconds long, keep the start": which part stays, said in the next clause —
#: a length by cutting, not by speed.
_KEEPS_AN_END = re.compile(
    r"\b(?:keep|from|start(?:ing)?(?: with)?|use) (?:only |just )?(?:the )?(?:start|begin\w*|"
    r"opening|intro|end|ending)\b|\bcut (?:off )?(?:the )?(?:end|rest|start|beginning)\b|"
    r"\b(?:by )?(?:cutting|trimming|chopping)\b|保留(?:开头|前面|结尾|后面)|(?:留|要)(?:开头|前面)|"
    r"(?:剪|裁|切)(?:掉|了)?(?:结尾|后面|开头|前面)"
)


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 3)


def trim_cut(t: str, s: Session) -> Step | None:
    if counted(t) and not has_unit(t):
        return None  # "trim the video to 2 clips", "剪成2段": a count of things, not seconds
    m = re.search(
        rf"\btrim\s+(?:off\s+|away\s+)?(?:everything|all|anything|the (?:part|bit|stuff|rest)|"
        rf"whatever(?: comes)?)\s+(?:that comes\s+|which comes\s+)?(?:after|past|beyond)\s+"
        rf"(?:the\s+)?({TIME})",
        t,
    )
    if m and (v := parse_time(m.group(1))) is not None and 0 < v < (s.total or 1e9):
        # "trim everything after 10 s": what is named goes, as "trim everything before 4 s"
        return Step("trim", {"start": 0.0, "end": v})
    trimish = lx.TRIM_WORD.search(t) or _KEEPING.search(t) or _REMOVING.search(t)
    m = re.search(
        rf"\b(?:start|begin)s?\s+(?:the (?:video|clip)\s+|it\s+)?(?:at|from)\s+({TIME})|"
        rf"从\s*({TIME})\s*开始",
        t,
    )
    if m and (v := parse_time(m.group(1) or m.group(2))) is not None:
        if s.total and v >= s.total - 0.05:
            return out_of_range(v, None, s)
        if m.group(2) and re.match(r"\s*(?:往后|向后)?(?:切|剪|删|砍|去掉|不要)", t[m.end() :]):
            # "从第8秒开始切": where the cut starts — a split there, or all after it gone?
            if re.search(r"后面|之后|以后|到结尾|到最后|剩下", t[m.end() :]):
                return Step("trim", {"start": 0.0, "end": v})  # "从8秒开始 后面的都剪掉"
            return Step("clarify", {"at": v}, why="cut_or_split")
        rest = t[m.end() :]
        e = re.search(rf"到\s*({TIME})\s*(?:结束|为止|停)?(?!\s*(?:到|-))", rest)
        w = parse_time(e.group(1)) if e else None
        # "从第十五秒开始到结尾都删了", "从3秒开始到8秒都不要": the span named goes
        gone = (
            m.group(2)
            and _REMOVING.search(rest)
            and not (_KEEPING.search(rest) or BEFORE_GOES.search(rest) or "留" in rest)
        )
        if w is not None and w > v:
            # "从第3秒开始到第20秒结束": both ends said, the start first
            if s.total and w > s.total + 0.05:
                return out_of_range(v, w, s)
            if gone:
                return span_step(v, w, "range", s.total, keep=False)
            return Step("trim", {"start": v, "end": w})
        if gone and re.search(r"到(?:结尾|最后|结束|末尾|片尾)|之后|以后|后面", rest):
            return Step("trim", {"start": 0.0, "end": v})
        return Step("trim", {"start": v, "end": None}, why="starts_at")
    m = re.search(
        rf"\b(?:end|stop|finish)s?\s+(?:the (?:video|clip)\s+|it\s+)?(?:at|after)\s+({TIME})|"
        rf"到\s*({TIME})\s*(?:就)?\s*(?:结束|为止|停)",
        t,
    )
    if m and (v := parse_time(m.group(1) or m.group(2))) is not None:
        return Step("trim", {"start": 0.0, "end": v}, why="ends_at")
    rng = time_range(t, s.total)
    if rng is None:
        m = re.search(
            rf"\b(?:to|down to|at most|under|into)\s+({TIME})\b|\bmake (?:it|the video|the clip|"
            rf"this)\s+"
            rf"(?:only\s+|just\s+)?(\d+(?:\.\d+)?\s*(?:s|secs?|seconds?|mins?|"
            rf"minutes?)\b)(?!\s*(?:shorter|longer|less|more|faster|slower|off|out))(?:\s*long)?|"
            rf"(?:剪成|剪到|剪至|剪短到|缩短到|缩短为|缩到|压缩到|截取|截到|截成|裁到|保留|只要)\s*({TIME})",
            t,
        )
        if (
            m
            and m.group(2)
            and s.titles
            and re.match(r"make (?:it|this)\b", m.group(0))
            and not re.search(r"\b(?:trim|cut|shorten|shorter|video|clip|whole)\b", t)
        ):
            return Step(
                "clarify", why="length_which"
            )  # "make it 5 seconds": the video, or the title?
        if (
            m
            and m.group(2)
            and not re.search(
                r"\b(?:trim\w*|cut\w*|shorten\w*|shorter|keep|begin\w*|start|first|last|end|"
                r"beginning)\b",
                t,
            )
            # how may be said in the clause after ("…, just keep the beginning")
            and not _KEEPS_AN_END.search(s.raw.lower())
        ):
            # "make it 15 s", "make the video 20 seconds long": cut down, or sped up to fit?
            return Step("clarify", why="length_how")
        if m and (trimish or m.group(2)):
            v = parse_time(next(g for g in m.groups() if g))
            if v and s.total and v > s.total + 0.05:
                return out_of_range(0.0, v, s)  # "trim to 45 s" of a 30 s video: not possible
            if v:
                return Step("trim", {"start": 0.0, "end": v})
        m = re.search(
            rf"\b(?:should|must|needs? to|has to|can)\s+(?:only |just )?be\s+(?:shorter than |"
            rf"under |less than |no longer than |at most )?({TIME})|"
            rf"({TIME})\s*(?:max|maximum|at most|tops|or less|or shorter)\b|"
            rf"\b(?:at most|max(?:imum)?|no (?:more|longer) than|under)\s+({TIME})",
            t,
        )
        if m and (v := parse_time(next(g for g in m.groups() if g))):
            return Step("trim", {"start": 0.0, "end": v})
        m = re.search(
            r"\b(?:shorter|shorten(?: it)?|cut (?:it )?down)\b\W{0,3}(?:\w+\W+){0,2}?"
            r"(?:like|about|around|roughly|maybe|to|at)\s+(\d+(?:\.\d+)?\s*(?:s|secs?|seconds?|"
            r"mins?|minutes?)\b)",
            t,
        )
        if m and (v := parse_time(m.group(1))):
            if s.total and v > s.total + 0.05:
                return out_of_range(0.0, v, s)
            return Step("trim", {"start": 0.0, "end": v})  # "make it shorter, like 15 sec"
        if trimish and re.search(r"\b(?:trim|shorten|cut|crop)\b|剪|缩短|\bshorter\b", t):
            if times(t) and re.search(r"\bcut\b", t) and not re.search(r"\bat\b", t):
                return Step("clarify", why="trim_which")
            return Step("clarify", why="trim_which")
        if re.search(r"\bshorter\b|短一点|短一些|短点", t):
            return Step("clarify", why="trim_which")
        return None
    a, b, how = rng
    if not trimish and how not in ("first", "last"):
        return None
    if how == "from" and _BARE_FROM.fullmatch(t.strip(" .!。")):
        # "cut from 10s", "从10秒剪": the part after goes, or the video starts there? ask
        return Step("clarify", why="trim_which")
    if how == "middle" and _bare_cut(t):
        return Step("clarify", why="trim_which")  # "cut the middle part": out, or down to it?
    if s.total and (a >= s.total - 0.05 or (b is not None and b > s.total + 0.05)):
        return out_of_range(a, b, s)
    # "把8秒到10秒切掉 其他都留着", "cut 8 to 10, keep the rest": the rest staying is the removal
    said_keep = re.sub(
        r"(?:其他|其余|剩下|别的)的?(?:部分|内容)?(?:都|全)?(?:留着|保留|不动|留下|不变)|"
        r"\b(?:keep|leave) (?:the rest|everything else|the remainder)\b|"
        r"\b(?:the rest|everything else) (?:stays|can stay)\b",
        "",
        t,
    )
    keep = bool(_KEEPING.search(said_keep)) and not re.search(
        r"\b(?:cut|trim|chop|snip|take|clip|lop)\s+(?:(?:it|this|that|them|those)\s+)?"
        r"(?:off|out|away)\b|\b(?:just|only|simply)\s+(?:remove|delete|drop|lose|get rid of|"
        r"skip|ditch|throw (?:it |that )?away)\b|剪掉|删掉|去掉|不要",
        t,
    )  # "just take that out": "just" stresses the removal, it keeps nothing
    if how == "middle" and not keep and vague_middle(t):
        # "中间那段删了", "delete the middle part": how much of the middle? ask, never guess
        return Step("clarify", why="trim_which")
    if how in ("from", "range") and (
        # "trim it from 0:20 to the end": trim keeps the span it names (cut takes it out)
        (re.search(r"\btrim\b(?!\s+(?:off|out|away))", t) and not _REMOVING.search(t))
        # "从第八秒到结尾，前面的都不要", "from 0:08 on, drop everything before": the rest goes
        or BEFORE_GOES.search(t)
        # "0:05到0:12以外的都剪掉", "cut everything outside 5-12 s": what is outside goes
        or _OUTSIDE.search(t)
    ):
        keep = True
    if keep or (
        not _REMOVING.search(t) and how in ("range", "middle") and not re.search(r"\bcut\b", t)
    ):
        return Step("trim", {"start": _r(a), "end": _r(b)})
    if not trimish and how in ("first", "last"):
        return None
    return span_step(a, b, how, s.total, keep=False)


#: A span whose outside is meant: "…以外/之外的都剪掉", "everything outside 0:05–0:12".
_OUTSIDE = re.compile(
    r"(?:\d|秒|分钟?)\s*(?:以外|之外|外面|外边)|\boutside(?: of)?\b|"
    r"\b(?:everything|all|anything) (?:but|except|apart from|other than|besides)\b(?=.*\d)"
)


def vague_middle(t: str) -> bool:
    """ "the middle part", "中间那段": a middle with no length or times given."""
    return (
        time_range(t, 30.0) is not None
        and time_range(t, 30.0)[2] == "middle"
        and not times(t)
        and not re.search(r"\d", t)
    )


def _bare_cut(t: str) -> bool:
    """ "cut the middle part": "cut" alone, with an extent the text does not give, reads both
    ways (take it out / cut down to it); "cut the middle part out", "删掉中间那段" do not."""
    return bool(
        re.search(r"\bcut\b", t)
        and not re.search(
            r"\b(?:out|away|remove|delete|drop|get rid|take|lose|skip|keep)\b|\d|剪掉|删|去掉|不要",
            t,
        )
    )


def out_of_range(a: float, b: float | None, s: Session) -> Step:
    """A span past the end of the video: say so and change nothing (never a clamped edit)."""
    end = "the end" if b is None else f"{b:g} s"
    end_zh = "结尾" if b is None else f"{b:g} 秒"
    reason = s.in_their_language(
        "",
        f"The video is only {s.total:.1f} s long, so {a:g} s to {end} is outside it; "
        "nothing was changed. Which part of it do you mean?",
        f"视频只有 {s.total:.1f} 秒，{a:g} 秒到{end_zh}超出了视频长度，所以没有修改。"
        "你指的是哪一段？",
    )
    return Step("decline", {"reason": reason}, why="out_of_range")


def span_step(a: float, b: float | None, how: str, total: float, keep: bool) -> Step:
    """Keep or remove a span: removing one that touches an end is a trim, else a cut."""
    if keep:
        return Step("trim", {"start": _r(a), "end": _r(b)})
    end = b if b is not None else total
    if how == "first" or (how in ("range", "before") and a <= 0):
        return Step("trim", {"start": _r(end), "end": None})
    if how in ("last", "from") or (total and end >= total - 0.05):
        return Step("trim", {"start": 0.0, "end": _r(a)})
    return Step("cut", {"start": _r(a), "end": _r(b)})


def both_ends(t: str, total: float) -> list[Step] | None:
    """ "去掉开头和结尾各2秒", "cut 2 s off both ends": two trims, the second on what the first
    leaves."""
    if (two := _two_ends(t, total)) is not None:
        return two
    m = re.search(
        rf"(?:开头和?结尾|首尾|头尾|两头|两端|前后)(?:都)?各?(?:剪掉|去掉|删掉|切掉|剪|去|删)?\s*({TIME})|"
        rf"\b(?:first and (?:the )?last|start and end|"
        rf"beginning and "
        rf"end|both ends|each end)\b\D{{0,12}}?({TIME})|({TIME})\s*(?:from|off|at) (?:both|"
        rf"each) ends?",
        t,
    )
    if not m or not (_REMOVING.search(t) or lx.TRIM_WORD.search(t)):
        return None
    v = parse_time(next(g for g in m.groups() if g))
    if not v or total <= 2 * v:
        return None
    return [
        Step("trim", {"start": v, "end": None}),
        Step("trim", {"start": 0.0, "end": _r(total - 2 * v)}),
    ]


def _two_ends(t: str, total: float) -> list[Step] | None:
    """ "掐头去尾 前2秒后3秒都剪了", "cut the first 2 and the last 3 seconds": a different
    amount off each end, in one clause → one trim keeping what is between."""
    m = re.search(
        rf"(?:前|开头|片头|头)\s*({TIME})\s*(?:的)?\s*(?:和|跟|与|以及|、|，|,|&&)?\s*"
        rf"(?:后|最后|结尾|片尾|尾)\s*({TIME})|"
        rf"\bfirst\s+({TIME})\s*(?:and|&|,)\s*(?:the\s+)?last\s+({TIME})",
        t,
    )
    if not m or not (_REMOVING.search(t) or lx.TRIM_WORD.search(t) or "掐头" in t):
        return None
    a, b = (parse_time(g) for g in (m.groups()[:2] if m.group(1) else m.groups()[2:]))
    if a is None or b is None or not total or a + b >= total - 0.05:
        return None
    return [Step("trim", {"start": _r(a), "end": _r(total - b)})]
