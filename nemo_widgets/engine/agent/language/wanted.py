"""Step 2b: one clause, made ready to read — what it says without its politeness, what it
wants after a negated clause before it, and a span said with "the rest goes".

- "…, thanks" is politeness; "a title saying Thanks" is the title's words.
- After "don't cut the first part": "only the last 3 seconds" takes the verb said before;
  after "don't remove the music": "just lower it" is about the music.
- "前5秒 后面的不要", "5到20秒 其他都删了": no verb, so the span named is what stays;
  "剪掉前5秒 后面的不要": the start goes and the rest too? two readings, so ask.
"""

from __future__ import annotations

import re

from nemo_widgets.engine.agent.language.clauses import POLITE, imperative
from nemo_widgets.engine.agent.language.context import VERB
from nemo_widgets.engine.agent.language.contrast import ONLY, TOPIC_TOOLS, strip_only
from nemo_widgets.engine.agent.language.contrast import about as about_thing
from nemo_widgets.engine.agent.language.intents import Step
from nemo_widgets.engine.agent.language.normalise import Norm
from nemo_widgets.engine.agent.language.objects import object_words
from nemo_widgets.engine.agent.language.read import understand_clause as _understand
from nemo_widgets.engine.agent.language.session import Session
from nemo_widgets.engine.agent.language.spans import span_step
from nemo_widgets.engine.agent.language.times import time_range

_WORDS_OF = re.compile(
    r"\b(?:saying|says|say|reads?|reading|called|named|text|title)\s+(?:thanks|thank you|thx|"
    r"please)$"
)


#: What a removal is for ("…, I want an empty street", "…，想要空无一人的街道"): the result
#: described, no step of its own.
PURPOSE = re.compile(
    r"^(?:(?:so |and )?(?:i|we) (?:just )?(?:want|need|'d like|would like)|so (?:that )?(?:it'?s|"
    r"there'?s|we (?:get|have)|i (?:get|have))|for)\s+(?:an? |the |it )?(?:(?:totally|completely|"
    r"nice|clean|clear|empty|deserted|quiet|people-free|car-free|uncluttered|tidy)\b[\s,]*)+"
    r"(?:[a-z]+\s*){0,2}$|"
    r"^(?:我|我们)?(?:想要|要|希望|想)(?:一个|个)?(?:空无一人|空荡荡|干净|干干净净|清爽|没人|没有人|"
    r"清净)"
)

#: A clause said after a removal that gives its reason in a sentence of its own: "…, it
#: covers my shop sign", "…, they're in the way", "…, 客户看房不想看到别人的车".
REASON_AFTER = re.compile(
    r"^(?:it|he|she|they|this|that)(?:'s|'re| is| are)?\s+"
    r"(?!(?:too|also|as well|the|one|a|an|on|in|at|near|next|behind|parked)\b)"
    r"(?!.*\b(?:remove|delete|erase|get rid|take (?:out|away)|cut|trim|add|make)\b)\w+|"
    r"^(?:客户|顾客|观众|粉丝|别人|大家|他们|她们|买家|老板)\S*?(?:不想|不希望|不喜欢|不爱)"
)
#: Only urging ("导出 快点", "hurry"): said beside another request, it asks for no speed.
URGING = re.compile(
    r"(?:快点|快一点|快些|赶紧|赶快|麻溜点?|快快|hurry(?: up)?|quickly|asap)[\s!！。.~～]*"
)


def cleaned(clause: str) -> str:
    """The clause without the politeness around it ("please", "…, thanks", "也")."""
    c = imperative(POLITE.sub("", clause).strip(" ,"))
    c = re.sub(r"(?<=[\u4e00-\u9fff])也(?=[关删去加调剪换改放静开拿弄淡])", "", c)  # 原声也关掉
    if not _WORDS_OF.search(c):
        # "…, thanks" — not the words of "a title saying Thanks"
        c = re.sub(r"\s*(?:please|pls|thanks|thank you|thx|for me)\s*$", "", c).strip(" ,") or c
    return c


def after_negation(
    c: str,
    clause: str,
    before: tuple[str, tuple[str, str] | None],
    s: Session,
    norm: Norm,
    context: list[str],
) -> str:
    """The clause after a negated one, with what the negated one said that it leaves out.
    ``before`` is the negated clause without its negation and the thing it named."""
    neg_core, declined = before
    only = bool(ONLY.search(c) or ONLY.search(clause.strip()))
    if (
        neg_core
        and only
        and not VERB.search(strip_only(c))
        and (time_range(strip_only(c), s.total) is not None or object_words(strip_only(c)))
    ):
        # "don't cut the first part, only the last 3 seconds": the verb said before, for
        # this part only
        verb = re.match(r"(?:[a-z]+(?: off| out| away)?|[\u4e00-\u9fff]{1,2})", neg_core)
        return f"{verb.group(0)} {strip_only(c)}" if verb is not None else c
    if declined is not None and only:
        alone = _understand(strip_only(c), s, norm.quotes, context)
        if alone and (
            all(
                st.tool in ("trim", "cut", "split", "set_aspect", "add_title", "undo")
                for st in alone
            )
            # "no fade on the music, just fade the picture out": a thing of its own named
            or re.search(r"\b(?:picture|video|visuals?|image|footage|screen)\b|画面|视频|图像", c)
        ):
            return strip_only(c)  # "don't add music, just trim to 15 seconds": the video's trim
        return about_thing(
            strip_only(c), declined, norm.zh
        )  # "don't remove the music, just lower it"
    if neg_core and only:
        return strip_only(c)  # "别删车 只删人就行": what is wanted, said with its own thing
    if declined is not None and re.search(
        r"\b(?:it|them)\b|它|^(?:改|换|调|变|移|放|挪|关|静音|淡|开|音量|声音|小声|大声)|"
        # "标题别删，把颜色改成黄色": the colour, place or size of the thing just named
        r"^把?(?:它的)?(?:颜色|位置|大小|字体|字号|音量)|"
        r"^(?:(?:change|make|set|turn) )?(?:the |its )?(?:colou?r|position|size|font)\b|"
        r"^(?:(?:the )?volume|quieter|louder|softer)\b",
        c,
    ):
        # "no need to remove the song, lower it to 30%": "it" is the song — when that reads
        # as an edit of the song ("don't add music, make it 9:16": "it" is the video)
        # ("don't touch the title, trim it to 10 s": "it" is the video; it reads without it)
        alone = _understand(c, s, norm.quotes, context)
        again = about_thing(c, declined, norm.zh)
        more = _understand(again, s, norm.quotes, context) if again != c else None
        topic = TOPIC_TOOLS.get(declined[0], ())
        if (
            (
                not alone
                or all(st.tool == "clarify" for st in alone)
                or all(st.tool in topic for st in alone)
            )
            and more
            and all(st.tool in topic for st in more)
        ):
            return again
    return c


def span_and_rest(c: str, s: Session, norm: Norm, context: list[str]) -> Step | None:
    """A clause that named a span and said "the rest goes" (its tail already taken off):
    the span kept when no verb was said, else a question; None when it names no span."""
    span = time_range(c, s.total)
    if span is None:
        return None
    if VERB.search(c) or span[2] == "middle":
        return Step("clarify", why="trim_which")
    alone = _understand(c, s, norm.quotes, context)  # "从8秒开始到20秒" reads as a whole
    if alone and alone[0].tool == "trim":
        return alone[0]
    return span_step(*span, s.total, keep=True)
