"""Clauses that people run together without punctuation, and contrastive negation.

- Chinese typed with spaces for commas: "原声静音 音乐音量调到80%" is two steps; "标题换成黑色
  放中间" is one. A space splits a clause only when each piece reads as a step of its own and
  the whole does not already say the same steps (so a detail stays with its step).
- Contrastive negation: "不要删音乐 静音就好", "don't remove the music, just turn it down",
  "别动背景 把…去掉就行": the negated part is declined, the rest is done, and a rest without an
  object of its own ("静音就好", "just turn it down") is about the thing the negated part named.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from nemo_widgets.engine.agent.language import lexicon as lx
from nemo_widgets.engine.agent.language.acts import MESSED
from nemo_widgets.engine.agent.language.intents import Step

#: The edits that are about each thing a negated clause can name.
TOPIC_TOOLS = {
    "the music": ("set_volume", "mute", "unmute", "fade", "replace_music", "add_music"),
    "the title": ("edit_title", "remove_title"),
    "the original sound": ("set_volume", "mute", "unmute"),
    "the background": ("replace_background",),
}
#: "instead of removing the music, …", "rather than cutting, …", "与其删掉音乐，不如…": the
#: clause says what not to do.
INSTEAD = re.compile(r"^(?:instead of|rather than)\s+|^与其")
_CJK = re.compile(r"[\u4e00-\u9fff]")
#: "…就行", "…就好", "just …", "only …": the part that is wanted, after one that is not.
ONLY = re.compile(
    r"(?:就行|就好|就可以了?|就够了|就ok|即可)[了吧啊呀。！!]*$|^(?:just|only|simply)\b|^只(?:要|需要?)"
)
_TAIL = re.compile(r"\s*(?:就行|就好|就可以了?|就够了|就ok|即可)[了吧啊呀。！!]*$")


def strip_only(c: str) -> str:
    """ "静音就好" → "静音"; "just turn it down" → "turn it down"."""
    c = _TAIL.sub("", c)
    return re.sub(r"^(?:just|simply|only)\s+|^只(?:要|需要?)?(?=\S)", "", c).strip() or c


def _key(steps: list[Step] | None) -> list[tuple[str, object]]:
    return [(st.tool, st.args.get("target")) for st in steps or []]


def spaced(c: str, read: Callable[[str], list[Step] | None]) -> list[str]:
    """A Chinese clause with spaces → its pieces, when the spaces separate steps; an English
    negated clause run on into what is wanted ("don't cut it just speed it up") → the two."""
    if lx.NEGATION.search(c) and (
        m := re.search(r"^(?:\S+\s+){2,}?(?=(?:just|only|simply|but)\s+[a-z])", c)
    ):
        return [c[: m.end()].strip(), c[m.end() :].strip()]
    if not _CJK.search(c) or not re.search(r"\s", c.strip()):
        return [c]
    parts = [
        p  # "做成方的 还是竖的？": the other option stays with the first
        for p in re.split(
            r"(?<=[\u4e00-\u9fff%％])\s+(?=[\u4e00-\u9fff])(?!还是|或者|或是)", c.strip()
        )
        if p
    ]
    if len(parts) < 2:
        return [c]
    if len(parts) == 2 and (side := end_remark(parts[0])) and at_end(parts[1], side):
        return parts  # "开头太拖了 剪掉2秒"
    said = [
        p  # "刚才剪多了 恢复": the mistake is why, the other part is what to do
        for p in parts
        if not _COMPLAINT.fullmatch(p) and not (MESSED.search(p) and not _good(read(p)))
    ]
    if len(said) == 1 < len(parts):
        # "BGM删了吧 太吵": the complaint is why, the other part is what to do; "音乐太吵了
        # 删掉吧": and it names what the other part acts on
        thing = next((m[1] for p in parts if (m := _COMPLAINT.fullmatch(p)) and m[1]), "")
        tries = [(what, read(what)) for what in dict.fromkeys((thing + said[0], said[0]))]
        for what, r in tries:
            if _good(r):
                return [what]
        for what, r in tries:
            if r and r[0].tool == "clarify" and r[0].why != "unknown":
                return [what]  # the question what to do raises ("换一首": which one?)
    negated = [bool(lx.NEGATION.search(p)) for p in parts]
    if any(negated[:-1]) and not negated[-1]:
        return parts  # "不要删音乐 静音就好": declined, then done
    if len(parts) == 2 and negated == [False, True] and _good(read(parts[0])):
        return parts  # "音乐调小 原声不要动", "竖屏9:16 别裁掉": done, then what is not wanted
    if any(negated):
        return [c]
    parts = _grouped(parts, read)  # "背景虚化 加标题 新品": the title's words go with it
    if len(parts) < 2:
        return [c]
    readings = [read(p) for p in parts]
    if not all(
        r and all(st.tool not in ("clarify", "decline", "answer", "help") for st in r)
        for r in readings
    ):
        return [c]
    # "前五秒删了 改成竖屏 发抖音": a platform said after the shape asked for is where it goes
    said = [
        (p, r)
        for p, r in zip(parts, readings, strict=True)
        if not (
            all(st.tool == "set_aspect" and st.why == "purpose" for st in r)
            and any(st.tool == "set_aspect" and st.why != "purpose" for q in readings for st in q)
        )
    ]
    if len(said) < len(parts):
        parts, readings = [p for p, _ in said], [r for _, r in said]
        if len(parts) < 2:
            return parts
    pieces = [k for r in readings for k in _key(r)]
    steps = [(st.tool, sorted(st.args.items(), key=str)) for r in readings for st in r]
    if any(a == b for i, a in enumerate(steps) for b in steps[i + 1 :]) or pieces == _key(read(c)):
        return [c]  # the same step twice, or the whole says it already ("标题换成黑色 放中间")
    return parts


#: a loudness complaint said on its own, after or before what to do about it
_COMPLAINT = re.compile(
    r"(?:这首|这个|它)?(音乐|背景音乐|BGM|bgm|配乐)?(?:(?:太|好|有点)?(?:吵|响|大声)|(?:太|好|有点)"
    r"(?:小声|轻|小))(?:死)?了?[吧啊呀啦]*"
)


def _good(steps: list[Step] | None) -> bool:
    return bool(steps) and all(
        st.tool not in ("clarify", "decline", "answer", "help") for st in steps or []
    )


def _grouped(parts: list[str], read: Callable[[str], list[Step] | None]) -> list[str]:
    """Pieces that do not read as a step alone ("加标题" asks what it says, "新品" is no step)
    join the piece before them when together they read as one."""
    out = [parts[0]]
    for p in parts[1:]:
        if (not _good(read(out[-1])) or not _good(read(p))) and _good(read(f"{out[-1]} {p}")):
            out[-1] = f"{out[-1]} {p}"
        else:
            out.append(p)
    return out


def about(c: str, thing: tuple[str, str], zh: bool) -> str:
    """The wanted part names no thing of its own: it is about the one the negated part named
    ("静音就好" after "不要删音乐" → "音乐 静音"; "turn it down" → "turn the music down")."""
    from nemo_widgets.engine.agent.language.context import REFER, mentioned
    from nemo_widgets.engine.agent.language.objects import object_words

    if mentioned(c) is not None or object_words(c):
        return c
    name = thing[1] if zh else thing[0]
    again = re.sub(REFER, name, c)
    return again if again != c else f"{name} {c}" if not zh else f"{name}{c}"


def repeat_verb(c: str, before: str) -> str | None:
    """ "…and again at 20", "once more at 0:25", "再在20秒处来一次": the clause before's verb
    with this clause's details; None when the clause is not such a repeat."""
    if re.match(r"(?:fade|fading|淡)", before) and (
        d := re.match(
            r"^(?:and\s+|then\s+|also\s+)?(?:(in|out)\b(?!\s+(?:the|a|an|last|first|final|"
            r"middle)\b)|(淡入|淡出))",
            c,
        )
    ):
        # "fade in 1s at the start and out 1s at the end": the other direction, the same verb
        return f"fade {c[d.start(1) :]}" if d.group(1) else c
    m = re.match(r"^(?:and\s+)?(?:again|once more|one more time|also)\b[\s,]*(.+)$", c)
    if m is None:
        m = re.match(r"^(?:再|还)(?:在|到)?(.+?)(?:来一次|也一样|再来一次|一次)$", c)
        if m is None:
            return None
    verb = re.match(r"[a-z]+(?:\s+(?:up|down|out|off|in))?|[\u4e00-\u9fff]{2}", before)
    if verb is None or not re.search(r"\d", m.group(1)):
        return None
    return (
        f"{verb.group(0)} {m.group(1)}" if verb.group(0).isascii() else m.group(1) + verb.group(0)
    )


#: "…, the rest goes", "后面的不要", "剩下的删掉": what a keep already says; no step of its own.
REST_GOES = re.compile(
    r"(?:and\s+)?(?:(?:delete|remove|drop|lose|cut|get rid of|throw away|trash|ditch|toss)\s+"
    r"(?:the\s+)?(?:rest|remainder|everything else)(?:\s+of it)?|(?:the\s+)?(?:rest|remainder|"
    r"everything else)\s+(?:can go|goes|is not needed|isn'?t needed))|"
    r"(?:后面|后边|剩下|剩余|其他|其余|别的|之后)(?:的)?(?:部分|内容)?(?:都|全|全部)?(?:不要了?|删掉?了?|"
    r"去掉|剪掉|扔掉|丢掉)(?:吧)?"
)
#: "the rest goes" said of everything but the part just named (not "后面的": after it only)
OTHERS_GO = re.compile(
    r"(?:其他|其余|别的|剩下|剩余)(?:的)?(?:部分|内容)?(?:都|全|全部)?(?:不要|删|去掉|剪掉|扔掉|丢掉)|"
    r"\b(?:the rest|the remainder|everything else)\b"
)
_KEEPS = re.compile(r"\b(?:keep|only)\b|保留|只要|只留|留下|截取")


def split_rest(c: str) -> tuple[str, bool]:
    """ "保留前10秒 后面的不要" → ("保留前10秒", True): the clause without a "the rest goes" tail,
    and whether it had one."""
    before = (  # "最后10秒 前面的不要": what comes before goes
        r"(?:前面|之前|前边)(?:的)?(?:部分|内容)?(?:都|全|全部)?(?:不要了?|删掉?了?|去掉|剪掉)(?:吧)?"
    )
    m = re.search(r"[\s,，]+(?:" + REST_GOES.pattern + "|" + before + r")\s*$", c)
    return (c[: m.start()].strip(), True) if m and m.start() > 0 else (c, False)


def keeps(c: str) -> bool:
    return bool(_KEEPS.search(c))


_SPLIT_VERB = re.compile(
    r"\bsplit\b|\bcut (?:it |the video |the clip )?at\b|分割|切开|拆分|切一刀|剪开|分开"
)
_POINT = re.compile(
    r"(?:and\s+|和|跟|与)?(?:at\s+|在)?\s*(?:\d+:)?\d+(?:\.\d+)?\s*(?:s|secs?|seconds?|秒)?"
    r"(?:\s*(?:处|的地方|那里))?"
)


def join_points(clauses: list[str]) -> list[str]:
    """ "split at 5s, 10s and 15s", "在5秒和15秒处分割": the points a split lists, split apart at
    the commas and "and"s, go back into the split's clause (each becomes its own split)."""
    out: list[str] = []
    for c in clauses:
        if re.search(r"\b(?:9:16|16:9|1:1|4:5|4:3|3:4|21:9)\b", c):
            out.append(c)  # a ratio, not a point
        elif out and _POINT.fullmatch(c.strip()) and _SPLIT_VERB.search(out[-1]):
            out[-1] = f"{out[-1]} and {c.strip()}"
        elif out and _POINT.fullmatch(out[-1].strip()) and _SPLIT_VERB.search(c):
            out[-1] = f"{out[-1].strip()}和{c.strip()}"
        elif out and re.match(r"(?:or|还是|或者)\b", c.strip()):
            out[-1] = f"{out[-1]} {c.strip()}"  # "make it square. or vertical?": the other option
        elif out and (m := _ONLY_SPAN.match(c.strip())) and not _CUTS.search(out[-1]):
            # "2x speed but just for the first 5 seconds", "blur the background, but only from
            # 5 to 10 s": the span limits the edit before it (never a trim of its own)
            out[-1] = f"{out[-1]} {c.strip()[m.end('only') :].strip()}"
        else:
            out.append(c)
    return out


#: a clause that only limits the one before to a span: "(but) only for the first 5 seconds"
_ONLY_SPAN = re.compile(
    r"(?P<only>(?:but\s+)?(?:only|just))\s+(?=(?:for\s+|in\s+|during\s+|over\s+|on\s+)?(?:the\s+)?"
    r"(?:first|last|final|opening|closing|end|ending|beginning|start|middle|intro|outro|from\s|"
    r"between\s|\d))"
)
#: the edits whose own words are spans
_CUTS = re.compile(r"\b(?:trim|cut|keep|chop|split|shorten|crop|delete|remove|lose|drop)\b")


_OPINION = (
    r"(?:is |are |feels |seems )?(?:too long|way too long|boring|slow|drags?|dragging|too slow)"
)
_END_REMARK = re.compile(
    rf"^(?:the\s+)?(?P<first>intro|beginning|start|opening)\s+{_OPINION}|"
    rf"^(?:the\s+)?(?P<last>ending|outro|end)\s+{_OPINION}|"
    r"^(?P<zfirst>开头|片头|前面|开场)(?:部分|那段)?(?:有点|太|很|好)?(?:长|拖|无聊|慢)了?|"
    r"^(?P<zlast>结尾|片尾|后面|最后)(?:部分|那段)?(?:有点|太|很|好)?(?:长|拖|无聊|慢)了?"
)
_BARE_CUT = re.compile(
    r"^(?P<verb>(?:cut|trim|chop|take|shave|lose|drop|remove)(?:\s+(?:off|out))?|剪掉|剪|去掉|删掉|砍掉)\s*"
    r"(?P<dur>\d+(?:\.\d+)?\s*(?:s|secs?|seconds?|秒))(?:\s+(?:off|from)(?:\s+(?:it|that|there))?)?$"
)


def end_remark(c: str) -> str | None:
    """ "the intro is too long", "开头太拖了": which end of the video the next clause cuts."""
    m = _END_REMARK.match(c.strip())
    if m is None:
        return None
    return "first" if (m.group("first") or m.group("zfirst")) else "last"


def at_end(c: str, side: str) -> str | None:
    """ "cut 3 seconds off it" after "the intro is too long" → "cut the first 3 seconds"."""
    m = _BARE_CUT.match(c.strip())
    if m is None:
        return None
    zh = bool(_CJK.search(m.group("verb")))
    where = ("前" if side == "first" else "最后") if zh else f"the {side} "
    return f"{m.group('verb')}{where}{m.group('dur')}" if zh else f"cut {where}{m.group('dur')}"
