"""Step 3 of a clause's reading, before its intent: its mood. A negated clause is declined (or,
"no music", says what goes); a question is answered and changes nothing; a remark (a complaint
that gives the reason for the step before, narration, a detail allowed "… is fine") adds no
step of its own."""

from __future__ import annotations

import re

from nemo_widgets.engine.agent.language import lexicon as lx
from nemo_widgets.engine.agent.language.acts import (
    HOW_TO,
    IF_Q,
    IF_Q_ZH,
    Q_START,
    capability,
    is_question,
)
from nemo_widgets.engine.agent.language.clauses import split_clauses
from nemo_widgets.engine.agent.language.context import VERB, imagine, mentioned, no_more
from nemo_widgets.engine.agent.language.intents import Step
from nemo_widgets.engine.agent.language.objects import object_words
from nemo_widgets.engine.agent.language.read import NO_CHANGE
from nemo_widgets.engine.agent.language.read import understand_clause as _understand
from nemo_widgets.engine.agent.language.session import Session
from nemo_widgets.engine.agent.language.spans import span_step
from nemo_widgets.engine.agent.language.times import time_range
from nemo_widgets.engine.agent.language.titles import _not_words, without_title_words

#: "(can you) tell me how long it is", "let me know what's on it": a question, asked as a request.
TELL_ME = re.compile(
    r"^(?:tell|show|explain(?: to)?|remind) me (?:again )?(?:how|what|which|whether|if|where|when|"
    r"the (?:length|duration|status)|"
    r"about)\b|^let me know\b"
)
_WANTS_GONE = re.compile(
    r"(?:请|我|我们)?(?:不要|不想要|不需要)|(?:i |we )?(?:do not|don't|dont) (?:think (?:we|i) )?"
    r"(?:want|need)|(?:i |we )?(?:no longer|don'?t really) (?:want|need)|"
    r"(?:but |and )?no\b|i(?:'?d| would)? (?:prefer|rather) not"
)
#: A relative clause or an aside after a part was named: narration, not a request.
NARRATION = re.compile(
    r"(?:where|when|in which|during which|which is where|that'?s where|that'?s when|where'?s|"
    r"because|cause|cuz|coz|since|as) (?:i|we|he|she|they|you|someone|somebody|the \w+|my \w+|"
    r"it|there)\b(?!.*\b(?:please|pls)\b)|"
    r"(?:那里|那儿|那段|那时候?|这里)?(?:我|我们|他|她|有人)(?:不小心)?(?:打了?个?喷嚏|咳嗽|说错|笑场|"
    r"卡住|忘词|口误|摔|晃)"
)


#: "blurry sides is fine", "两边模糊就行": a detail allowed after the request it belongs to.
PERMIT_AFTER = re.compile(
    r"(?:but |and |also )?(.+?)\s+(?:is|are|'s|would be|will be|works)?\s*(?:totally |also |"
    r"perfectly |completely |absolutely )?(?:fine|ok|okay|alright|all right|acceptable|good|no "
    r"problem|not a problem)(?: (?:with me|by me|too|though|for me))?|"
    r"(?:但是?)?(.+?)(?:也|都)?(?:就行|就好|也行|可以|没关系|没问题|无所谓)了?"
)


_SPAN_END = r"((?:to|till|until|through|and|-)\s*\d(?:[\d:.]*\d)?\s*(?:s|sec|secs|seconds?)?)"
#: "0:08 to 0:11 my phone rang", "12 to 16 s is where the bus went past": what happened in a
#: span named first; the span is what counts.
_NARRATED = re.compile(
    rf"{_SPAN_END}\s*,?\s+(?:is |was )?(?:where|when|that'?s where|that'?s when)?\s*"
    r"(?:i|someone|somebody|there|he|she|they|we|people|it|(?:my|a|an|the|some|this|that|our|his|"
    r"her)\s+\w+(?:\s+\w+)?)\s+"
    r"(?!(?:cut|trim|remove|delete|keep|drop|take|get|make|speed|slow|mute|fade|split|add)\b)"
    r"\w+(?:ed|ing|ght|ng|ew|ame|ent|as|ere|oke|ept|ost|ell|ipped)\b.*$|"
    r"(秒)(?:左右)?(?:那里|那儿|那段|这段|的时候|时)?(?:我|有人|手机|他|她|突然|旁边|镜头|画面|车|狗)"
    r"[^,，。剪删去切不]*?了$"
)


def narrated(c: str) -> str:
    """The clause without what it tells happened in the span it names."""
    return _NARRATED.sub(lambda m: m.group(1) or m.group(2), c)


#: "…, i mean the first 3", "…, no wait 3x": the clause corrects the one before.
CORRECTS = re.compile(
    r"^(?:(?:no|nah|oh|oops|actually)[\s,]*)?(?:wait|i mean|i meant|sorry|make that|correction|"
    r"rather|no no|不对|不是|说错了|我是说|应该是|"
    # "…3:4……算了就1:1吧": never mind, this value then
    r"算了[,，]?(?:就|还是)(?=\s*[\d一二三四五六七八九十两]))[\s,，]*(?=\S)"
)


#: "…, is it the same as cutting?": the question before, asked again by comparison.
SAME_AS = re.compile(
    r"(?:is|does) (?:it|that|this) (?:the same|like|different|work the same)|(?:same|different) "
    r"(?:as|from|than)|(?:和|跟|与)?.{1,10}(?:一样吗|一样么|一样不|区别|不同|有什么不一样)"
)


#: "…, never mind" at the end of a message: nothing of it is wanted.
DROP_ALL = re.compile(
    r"(?:(?:but|actually|oh|ah|hmm|ok|okay|no|nah)[\s,]+)*(?:never ?mind|nvm|forget (?:it|that|"
    r"about it)|cancel (?:that|it|all that)|scratch that|ignore (?:that|all that))|"
    r"(?:算了|还是算了|不用了|当我没说)(?:吧)?"
)


#: Asked as a question (a yes/no one too): "can you add stickers?", "请问可以加贴纸吗".
ASKED = re.compile(
    r"[?？]\s*$|吗\s*[?？]?\s*$|^\s*(?:is it possible|are you able|do you support|does it "
    r"support|请问)|支不支持|支持.*吗",
    re.I,
)
_COST = re.compile(
    r"\bcost|\bprice|\bcharge|\bfree\b|\bpay\b|\b(?:use|uses|using|eat|eats|take|takes|burn|burns)"
    r" (?:up )?(?:any |my |a |some )?credits?\b|\bspend|\bconsume|\bdeduct|"
    r"多少钱|费用|花多少|要多少|消耗|扣多少|需要多少|"
    r"扣(?:几个?|多少个?)?(?:积分|点|钱)|(?:花|费|用|要)(?:几个?|多少个?)?(?:积分|点数|钱)|收费|要钱|花钱|免费|付费"
)
#: A quality or format an export cannot be told ("能导出4K吗", "can it export 60fps?"): asked
#: about, it is a question about the tool, not the export.
_SPEC = re.compile(
    r"(?<![a-z0-9])(?:[248]k|uhd|hdr|\d{3,4}p|\d{2,3}\s?fps|prores|h\.?26[45]|hevc|av1|gif|mov|"
    r"webm|mkv|lossless|bit ?rate)(?![a-z0-9])|\d{2,3}帧|(?:超清|高清|蓝光|无损|帧率|码率|分辨率)"
)
#: "导出的视频会有水印吗", "will the exported file have a watermark?": about what the export
#: gives, asked — not the export
_EXPORTED = re.compile(
    r"(?:导出|下载|渲染)(?:来|出来)?(?:的|后的?|之后的?|以后的?)\S{0,12}(?:吗|么|嘛|呢|？|\?)\s*$|"
    r"\b(?:exported|rendered|downloaded|final) (?:video|file|mp4|clip|version)\b|水印|\bwatermark"
)
_ASKS = re.compile(
    r"(?:what|which|how|why|when|where|would|will|does|is|should)\b|(?:请问)?(?:怎么|如何|为什么|"
    r"什么|会不会)|.*(?:什么|哪种|哪个|哪些|多少|多长|多久|多大|几)"
)


def negation(
    c: str, s: Session, quotes: list[str], zh: bool, context: list[str]
) -> tuple[Step, tuple[str, str] | None, str]:
    """A negated clause → its step (a decline; what goes for "no music"; a question for "no
    cars"), what it was about, and the clause without its negation."""
    core = lx.NEGATION.sub("", c, count=1).strip()
    # "no more bgm pls its too much": the politeness and the reason after the thing
    core = re.sub(
        r"\s+(?:pls|please|plz|thanks|thx|(?:it'?s|it is|because|cause|cuz|since|as) \w+)\b.*$",
        "",
        core,
    )
    core = re.sub(r"\s+(?:any ?more|at all|now)$", "", core)  # "we don't need the music anymore"
    declined = mentioned(core)
    steps = _understand(core, s, quotes, context) if core else None
    wants_gone = _WANTS_GONE.match(c)
    neg_core = core
    if wants_gone:
        core = re.sub(r"^(?:want|need|have|see)\s+(?:to see\s+)?", "", core)
    # "no music" on a project with music: it goes; "no cars" is not enough to remove any
    gone = no_more(core, s, things=not c.startswith("no ")) if wants_gone else None
    if gone is None and c.startswith("no ") and object_words(core) and not VERB.search(core):
        # "no cars": most likely "remove the cars", but a removal costs: ask first
        q = (
            f"要把画面里的{core}去掉吗？说“去掉{core}”我就开始（现在没有改动）。"
            if zh
            else f"Remove the {core} from the picture? Say “remove the {core}” and I'll "
            "do it (no change yet)."
        )
        return Step("clarify", {"question": q}, why="remove_what"), declined, neg_core
    if gone is not None:
        return gone, declined, neg_core
    if steps and all(st.tool not in NO_CHANGE for st in steps):
        return Step("decline", {"what": steps[0].tool}, why="negated"), declined, neg_core
    return Step("decline", why="negated"), declined, neg_core


def corrected_words(c: str, s: Session, quotes: list[str], context: list[str]) -> str | None:
    """The words a correction gives a title ("…, no wait, make it Hello", "…, i mean Hello",
    "…, no wait, hello"); None when the clause says something else."""
    if q := re.search(r"«(\d+)»", c):
        return quotes[int(q.group(1))]
    m = re.fullmatch(
        r"(?:make it(?: say| read)?|change it to|call it|i mean|i meant|rather|"
        r"it should (?:be|say)|"
        r"should (?:be|say)|(?:改成|改为|换成|应该是|叫))\s*(.+)",
        c,
    )
    words = m.group(1) if m else c if _understand(c, s, quotes, context) is None else ""
    words = words.strip(" .!")
    if not words or len(words.split()) > 4 or _not_words(words):
        return None  # "…, no wait, make it red": a style, not the words
    return s.raw_case(words)


def if_question(text: str, raw: str, s: Session, quotes: list[str]) -> Step | None:
    """ "if I trim it to 10 s, does the music get shorter too?": a question about an edit,
    answered (about that edit), never done."""
    if not (IF_Q.search(text.lower()) or IF_Q_ZH.search(text)):
        return None
    first = split_clauses(text)[0]
    first = re.sub(
        r"^(?:(?:if|what if|suppose|supposing|say) (?:i|we|you)\s+|如果|假如|要是)", "", first
    )
    steps = _understand(first, s, quotes, [])
    return Step("answer", {"about": steps[0].tool if steps else None}, why=raw)


def question(
    c: str, clause: str, raw: str, s: Session, quotes: list[str], context: list[str]
) -> list[Step] | None:
    """A question → what answers it (a status or credits look-up, help, or an answer that
    changes nothing); None when the clause is not a question."""
    c_asks = c
    if not re.search(r"[?？]\s*$", clause):
        c_asks = without_title_words(c)  # "标题改成 周末去哪儿": the words, not a question
        if re.search(r"[吗呢]\s*$", c) and not re.search(r"(?:写|叫|显示|[:：])\s+\S", c):
            c_asks = c  # "标题写什么好呢" asks; "加个标题 写 你吃了吗" gives the words
    if not (
        is_question(raw if c_asks == c else c_asks, c_asks)
        or (clause.endswith("?") and Q_START.search(c))
        or capability(clause)
        or TELL_ME.match(c)
        or (
            _SPEC.search(c)
            and re.search(r"\bexport|导出|输出", c)
            and re.search(
                r"[吗么?？]\s*$|^(?:can|could|does|do|will|is)\b|^(?:能不能|可不可以|支持)", c
            )
        )
    ):
        return None
    steps = _understand(c, s, quotes, context)
    if (
        steps
        and steps[0].tool in ("status", "credits", "help", "export")
        and not _COST.search(c)
        and not (
            steps[0].tool == "export" and (_ASKS.match(c) or _SPEC.search(c) or _EXPORTED.search(c))
        )
    ):
        return steps
    about = steps[0].tool if steps else None
    if HOW_TO.match(c) and about not in (None, "credits", "status", "answer"):
        return [Step("help", {"about": about})]  # "how do I remove an object?"
    return [Step("answer", {"about": None if about == "clarify" else about}, why=c)]


def swap(steps: list[Step], old: list[Step], new: list[Step]) -> None:
    """The steps of a clause read again, in their place (a decline may have come after)."""
    at = next((i for i, st in enumerate(steps) if old and st is old[0]), len(steps) - len(old))
    steps[at : at + len(old)] = new


def same_but_fit(old: list[Step], new: list[Step] | None) -> bool:
    """The same steps, with only how they fit (or what they lacked) said: "…, blurry sides
    is fine" may change the fit, never a title's words."""
    return (
        bool(new)
        and new != old
        and [x.tool for x in new or []] == [x.tool for x in old]
        and all(
            a.args.get(k) == v or k == "fit"
            for a, b in zip(old, new or [], strict=True)
            for k, v in b.args.items()
            if k in a.args
        )
    )


def overlap(a: tuple, b: tuple) -> bool:
    """Two spans (start, end or None for the end) that share some time."""
    inf = float("inf")
    return a[0] < (b[1] if b[1] is not None else inf) and b[0] < (a[1] if a[1] is not None else inf)


def earlier_spans(texts: list[str], s: Session, keep: bool, out: list[Step]) -> Step | None:
    """Spans named before the verb, each read again on what the one before leaves."""
    last = None
    for text in texts:
        span = time_range(text, s.total)
        if span is None:
            continue
        last = span_step(*span, s.total, keep=keep)
        out.append(last)
        imagine(s, last)
    texts.clear()
    return last


#: A part of the video named by a judgement, not by its times: "the boring part", "无聊的那段".
JUDGED_PART = re.compile(
    r"\b(?:boring|dull|slow|draggy|bad|good|best|cool|funny|awkward|interesting|exciting|fun|"
    r"nice|ugly|weird|shaky|dark|sad|important|key|main|useless|pointless|cringe|cringey|"
    r"unnecessary|extra|annoying|epic|highlight|action)\s+(?:part|bit|section|segment|moment|"
    r"scene|stretch|portion|stuff)s?\b|\b(?:highlights?|the good stuff|the boring stuff)\b|"
    r"(?:无聊|没意思|拖沓|拖|精彩|好看|难看|不好看|有趣|搞笑|尴尬|重要|关键|没用|多余|废|卡|"
    r"抖|晃|没劲|啰嗦|冗长|高光|好玩)的?(?:部分|那段|那几段|地方|片段|镜头|一段|那一段|段落|画面)"
)
#: A removal's "thing" that is a part of the video ("the shaky bit at the start").
_PART_NOUN = re.compile(
    r"^(?:\w+\s+){0,2}(?:part|bit|section|segment|moment|scene|portion|stretch|pause|silence|"
    r"frame|black screen)s?"
    r"\b|(?:部分|那段|片段|一段|镜头|停顿)$"
)
#: Silence as a part to take out: "trim the awkward silence", "把没声音的地方剪掉".
_SILENT_PART = re.compile(
    r"\b(?:trim|cut|remove|delete|drop|skip|chop)\b.*\b(?:silence|silent|pauses?|dead air)\b|"
    r"(?:剪|删|去)掉?.*(?:静音|没声音|空白|停顿)|(?:静音|没声音|空白|停顿)的?(?:部分|地方|段)"
)
#: The steps that need a part of the video told by its times.
#: A part named by what happens in it ("the part where he jumps", "他跳起来的那段").
_CONTENT_PART = re.compile(
    r"\b(?:part|bit|section|segment|moment|scene|shot)s?\s+(?:where|when|in which|with|that "
    r"shows|showing)\b|(?<!开头)(?<!结尾)(?<!一半)(?<!中间)(?<!最后)(?<!开始)(?<!结束)"
    r"(?<=[\u4e00-\u9fff]{2})的(?:那段|那一段|那部分|那几秒|镜头)"
)
_SPAN_TOOLS = ("trim", "cut", "split", "set_speed", "fade", "remove_clip")


def judged_part(c: str, steps: list[Step] | None) -> list[Step] | None:
    """ "speed up the boring part", "把无聊的部分加速": which part is a judgement only the
    user can make — ask for its times instead of guessing one (None when this is not that)."""
    if not steps:
        return None
    if any(
        st.tool == "remove_object"
        and isinstance(st.args.get("target"), str)
        and _PART_NOUN.search(st.args["target"])
        for st in steps
    ) or (any(st.tool == "mute" for st in steps) and _SILENT_PART.search(c)):
        # "remove the shaky bit at the start": a part of the video, not a thing in the
        # picture; "trim the awkward silence at the end": a part too, not a mute
        return [Step("clarify", why="which_part")]
    if (
        _CONTENT_PART.search(c)
        and not re.search(r"\d", c)
        and any(st.tool in _SPAN_TOOLS for st in steps)
    ):
        # "add slow motion to the part where he jumps": a part named by what happens in it
        return [Step("clarify", why="which_part")]
    if not JUDGED_PART.search(c) or re.search(r"\d", c) or time_range(c, 30.0):
        return None
    if not any(st.tool in _SPAN_TOOLS for st in steps):
        return None
    return [Step("clarify", why="which_part")]


#: A clause that only compares ("like a green screen", "像绿幕那种纯色", "跟证件照一样"): what the
#: step before should look like, never a step of its own (a number in it is a value: "like 1.5x").
LIKE = re.compile(
    r"^(?:(?:kind of|sort of|kinda|just|something|maybe|a bit|more) )?(?:like|similar to|same as|"
    r"as in|the way|as if)\b|^(?:就|有点|就是)?(?:像|类似|好像|仿佛)|"
    r"^(?:跟|和|同)\S{1,12}(?:一样|似的|那样|差不多)"
)


#: "there's a dog …", "有只狗": a thing said to be there (not an event, as "someone sneezes").
THERE_IS = re.compile(r"\bthere(?:'s| is| are| was|s)\b|有(?:一)?(?:只|个|辆|条|位|台|群|头|匹)")


def compares(c: str, steps: list[Step], s: Session, quotes: list[str], context: list) -> bool:
    """A comparison after a step that already says what it wants: read alone it would be the
    same edit again with another value ("blue, like a green screen" is no second, green
    background); after a vague or implied value it is the value ("slow mo, like quarter speed",
    "one of your presets, like an office")."""
    if (
        not steps
        or not LIKE.search(c)
        or re.search(r"\d|%|\b(?:half|quarter|third|double|twice)\b", c)
    ):
        return False
    last = steps[-1]
    if last.tool in NO_CHANGE or last.why == "implied":
        return False
    if any(
        isinstance(v, str) and re.search(r"\b(?:one|some|any|your|presets?|something)\b", v)
        for v in last.args.values()
    ):
        return False
    again = _understand(c, s, quotes, context)
    return not again or again[0].tool == last.tool  # "…, kind of like a studio": a remark
