"""Titles: add one (its words, when and where), restyle it (colour, size, position), change
its words, remove it. "Make the title red" restyles; it never adds a title reading "red"."""

from __future__ import annotations

import re
from typing import Any

from nemo_widgets.engine.agent.language import lexicon as lx
from nemo_widgets.engine.agent.language.intents import Step, colour_in, shaded
from nemo_widgets.engine.agent.language.session import Session
from nemo_widgets.engine.agent.language.times import TIME, parse_time, time_range, times

#: When and for how long, said after a title's words ("title: Day 2 for 3 seconds").
_SLOTS_AFTER = re.compile(
    r"(?:\s+(?:at|from|for|starting at|until|till|to)\s+(?:the\s+)?(?:\d+:\d+(?:\.\d+)?|"
    r"\d+(?:\.\d+)?\s*(?:s|secs?|seconds?)\b)(?:\s*mark)?|"
    # "… for the first 3 seconds", "… during the last five secs"
    r"\s+(?:for|during|in|over)\s+(?:the\s+)?(?:first|last|final|opening)\s+"
    r"(?:\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten)\s*(?:s|secs?|seconds?)\b|"
    r"\s*(?:持续|在|从)\s*\d+(?:\.\d+)?\s*秒(?:钟|开始|处)?)+\s*$"
)


def _words_end(x: str) -> str:
    """A title's words without the sentence's own end: a full stop or one "!" closes the
    message ("add a title saying Happy Birthday!"), but "subscribe!!" is how it should read."""
    x = x.strip(" .")
    return x[:-1].rstrip() if re.search(r"(?<![!?！？])[!！]$", x) else x


def _not_the_old(words: str, titles: list[str]) -> str:
    """New words with the ones they replace said after them: "Hello Friends not just Hello",
    "Hello Friends, instead of Hello", "你好朋友 而不是你好" → the new words alone, when what
    follows "not" is a title's words now or a part of the new words (else "not" is in them:
    "I am not done")."""
    m = re.match(
        r"^(.+?)[,，;；]?\s*(?:\b(?:not|instead of|rather than)\b|而不是|不是|不要(?:只是)?)\s*"
        r"(?:just|only|simply|merely|只是|只有|仅仅是?)?\s*(.+)$",
        words,
        flags=re.IGNORECASE,
    )
    if not m:
        return words
    old = m.group(2).strip(" .!?,，。")
    olds = {t.casefold() for t in titles}
    if old.casefold() in olds or old.casefold() in m.group(1).casefold():
        return m.group(1).strip()
    return words


def _q(text: str, quotes: list[str]) -> str | None:
    """The first quoted text in the clause."""
    m = re.search(r"«(\d+)»", text)
    return quotes[int(m.group(1))] if m else None


#: Writing on a thing in the picture ("the text on the sign", "牌子上的字"): a thing, not our title.
_WRITING_ON = re.compile(
    r"\b(?:text|writing|words|lettering|letters|logo)\s+(?:on|in)\s+(?:the|a|an|that|this|his|her|"
    r"their|my)\s+(?!screen\b|video\b|clip\b|top\b|bottom\b|middle\b|cent(?:er|re)\b|frame\b|end\b|"
    r"start\b|beginning\b|corner\b|left\b|right\b|first\b|last\b|intro\b|outro\b)[a-z]+|"
    r"(?:牌子|招牌|衣服|墙|车|车身|杯子|屏幕里|海报|广告牌|路牌|横幅|T恤|帽子)上的?(?:字|文字|logo)"
)


#: A place off the centre line: titles go at the top, centre or bottom, centred across; a
#: corner or a side ("the top left corner", "to the right", "左上角", "右边") is declined
#: with where they can go, never moved to the nearest (that was a wrong edit: top, centred).
_CORNER = re.compile(
    r"\b(?:top|bottom|upper|lower)[- ]?(?:left|right)\b|\b(?:left|right)[- ](?:top|bottom|corner|"
    r"side|hand side|edge)\b|\bcorners?\b|\b(?:to|on|at|in) the (?:far )?(?:left|right)\b|"
    r"[左右][上下]角|[左右][上下]方|角落|(?:靠|在|到|放)?[左右](?:边|侧|面)"
)


def title(t: str, s: Session, quotes: list[str]) -> Step | None:
    if _WRITING_ON.search(t):
        return None  # "remove the text on the sign": writing in the picture, an object
    quoted = _q(t, quotes)
    about = lx.TITLE.search(t)
    if not about and not (
        quoted
        and s.named(quoted) is None  # 'add "upbeat.mp3"' is a file, not words
        and re.search(
            r"\b(?:say|says|saying|reads?|reading|write|put|type|display|show|overlay|add|"
            r"insert|label|name|call|appear|appears|pop up|pops up|come up|comes up)\b|"
            r"写|打上|加上|加个|加一个|添加|放上|加\s*(?=«)|"
            r"显示",
            t,
        )
    ):
        return None
    said_is_title = quoted is not None and quoted.casefold() in {x.casefold() for x in s.titles}
    if lx.REMOVE.search(t) and (not quoted or said_is_title) and not re.search(r"\badd\b", t):
        return Step("remove_title")  # "get rid of that 'Hello' text": the title of those words
    if re.search(r"^no (?:titles?|captions?|text)\b|不要标题|不要字幕", t):
        # "no title": the one there goes; with none there, nothing is added
        return (
            Step("remove_title")
            if s.titles
            else Step("decline", {"what": "add_title"}, why="negated")
        )
    colour = colour_in(t)
    size = "bigger" if lx.BIGGER.search(t) else "smaller" if lx.SMALLER.search(t) else None
    if re.search(r"\btoo (?:small|tiny)\b|\bhard to read\b|\bcan'?t read\b|太小|看不清", t):
        size = "bigger"  # "the title is too small": what it should become
    elif re.search(r"\btoo (?:big|large|huge)\b|太大", t):
        size = "smaller"
    if m_size := re.search(
        r"(?:字号|字体大小|字的大小|\bfont ?size|\btext size|\bsize)\s*(?:调到|调成|改成|改为|设为|"
        r"设成|设置为|\bto|\bof|=|:)?\s*(\d{1,3})\s*(?:号|px|pt|points?)?(?!\s*(?:%|秒|s\b))",
        t,
    ):
        size = float(m_size.group(1))  # "标题字号调到48", "font size 48"
    pos = _position(t)
    if about and _CORNER.search(t):
        return Step("decline", why="title_place")  # a corner or a side: not a place titles have
    m = re.search(
        r"(?:text|title|caption|heading|wording)\s+(?:(?:should|must|needs? to|has to|ought to|"
        r"could|will|would|can)\s+(?:now\s+|instead\s+|actually\s+)?)?(?:to(?!\s+be\b)|into|"
        r"so it says|to say|to read|say|read|says|reads)(?:\s*[:：]\s*|\s+)(.+?)(?:\s+instead)?$|"
        r"(?:标题|字幕)(?:的)?(?:文字|内容|文案|名字)?(?:改成|改为|换成|就写|写成|写|应该是|应该叫|就叫|要叫)\s*(?![的了着]|什么|啥)"
        r"(.+?)(?:\s+(?=放|位置|颜色|字体|字号|居|移|挪|调|改成|换成|用|变)|$)",
        t,
    )
    new_text = quoted or _words_end(m.group(1) or m.group(2)) if m else quoted
    if new_text and not quoted:
        new_text = _not_the_old(new_text, s.titles)
        new_text = s.raw_case(re.sub(r"^(?:say|says|saying|read|reads|reading)\s+", "", new_text))
    strong_add = re.search(
        r"\b(?:add|insert|create|include|write|give it|slap on|stick)\b|添加|加上|加个|加一个|"
        r"写上|加",
        t,
    )
    weak_add = re.search(
        r"\b(?:put|place|need|want|show)\s+(?:a|an|another|new|some)\b|放一个|放个|"
        r"\b(?:put|place|show|display|overlay|pop)\s+(?:up\s+)?(?:the\s+)?(?:text|caption|words?|"
        r"heading)\b(?!\s+(?:to|up|down|higher|lower|at the|on the|in the))|"
        r"\b(?:put|place|show|display)\b.*\b(?:saying|that says|which says|that reads|with the "
        r"words)\b",
        t,
    )
    edit_words = re.search(
        r"\b(?:make|change|turn|move|set|rename|edit|update|fix|restyle|recolou?r)\b|改|换|移|调|"
        r"变",
        t,
    )
    labelled = re.match(
        r"^(?:title|caption|heading|text|subtitle|on-?screen text|text on (?:the )?screen|标题|"
        r"字幕)"
        r"[^:：]{0,20}[:：]\s*(\S.*)$",
        t,
    )
    says = re.search(
        r"\b(?:saying|that says|which says|that reads|reading|with the words)\s+(.+?)"
        r"(?:\s+(?:for|at|from|on|in|until)\s+(?:the\s+)?(?:\d|top|bottom|middle|cent|start|"
        r"beginning|end|screen|video|clip|(?:first|last|final|opening)\s+(?:\d|\w+\s+sec))|$)",
        t,
    )
    zh_says = re.search(r"(?:标题|字幕)(?:就|上)?写(?!上)", t) and not s.titles  # "标题写 你好"
    adding = (
        # "put 'Chapter 2' on screen at 12s": words of their own, not "the title" named
        (quoted and not about and not edit_words and s.named(quoted) is None)
        or strong_add
        or zh_says
        or (weak_add and not edit_words)
        or (not s.titles and (quoted or labelled or says) and not edit_words)
    )
    if adding and not (edit_words and s.titles and not strong_add):
        text = quoted or (
            s.raw_case(_words_end(_SLOTS_AFTER.sub("", labelled.group(1)))) if labelled else None
        )
        if text is None and says:
            text = s.raw_case(_words_end(says.group(1)))  # "title at the bottom saying Hi"
        if text is None:
            m2 = re.search(
                r"\b(?:title|caption|text|heading|subtitle)s?\b\s*(?:saying|that says|which says|"
                r"reading|called|named|titled|"
                r"that reads|with the words|of|:)?\s*(.+?)(?:\s+(?:for|at|from|on|in|to|until)\s+"
                r"(?:the\s+)?(?:\d|top|bottom|middle|cent|start|beginning|end|first|last|screen|"
                r"video|clip|frame|whole)|$)|"
                r"(?:标题|字幕|文字|一行字|一句话|一行话|一句(?=\s|[:：])|几个字|字(?!幕))\s*(?:叫做?|名为|名叫|为|是|写着|写上|写成|写|"
                r"显示|内容是|内容为)?[:：]?\s*(?![的了着吧吗呢])(.+?)"
                # … up to a space before the next instruction ("叫夏天 放在顶部")
                r"(?:持续|从|在|\s+(?=放|位置|颜色|字体|字号|居|移|挪|调|改成|换成|用|加|变)|$)",
                t,
            )
            cand = _words_end(m2.group(1) or m2.group(2) or "") if m2 else ""
            # "a title at 0:05 saying Hello": the words come after the time
            cand = re.sub(
                rf"^(?:at|from|starting at|on)\s+(?:{TIME})\s+(?:saying|that says|which says|"
                r"reading|that reads|with the words|:)\s*",
                "",
                cand,
            )
            if cand and not re.fullmatch(
                r"(?:(?:at|in|on|for|from|to|near|over|during|by)\s+(?:the\s+)?(?:very\s+)?(?:start|beginning|end|"
                r"top|bottom|middle|cent(?:er|re)|intro|outro|ending|opening|left|right)\b.*|"
                r"please|here|now|to it|on it|at the top|at the bottom|.*seconds?|"
                r"[吗嘛呢吧啊呀?？!！]+)",
                cand,
            ):
                text = s.raw_case(cand)
        if not text:
            return Step("clarify", why="title_text")
        if not quoted:
            text = _style_tail(text)[0]  # "a caption at the top saying Day 3 in yellow"
            beside = t.replace(text.lower(), " ")  # the style is said beside the words
            colour = colour_in(beside)  # "add a title saying Lady in Red": no colour
            pos = _position(beside)  # "…saying Top of the World": no place
        args: dict[str, Any] = {"text": text}
        rng = time_range(t, s.total)
        vals = times(re.sub(r"«\d+»", "", t))
        mfor = re.search(
            r"\b(?:for|lasting|duration(?: of)?|lasts?)\s*(?:about |around |roughly |like |maybe )?"
            r"(\d+(?:\.\d+)?)\s*(?:s|sec|secs|seconds?)?\b|"
            r"(?:持续|显示|停留|出现|保持|写|放|挂|留|停)(?:个|上)?(?:大概|大约|约)?\s*"
            r"(\d+(?:\.\d+)?)\s*秒|"
            # "…，两秒就行", "3秒就够了": how long, said as what is enough
            r"(?:^|[，,\s])(\d+(?:\.\d+)?)\s*秒(?:钟)?(?:就行|就好|就够了?|够了|即可)|"
            # "…, 5 seconds long": how long, said after
            r"\b(\d+(?:\.\d+)?)\s*(?:s|sec|secs|seconds?)\s+long\b",
            t,
        )
        if mfor and mfor.group(4) and not quoted:
            mfor = None  # "saying hi 4 seconds long": the words may be the title's own
        if rng and rng[2] == "first" and rng[1]:
            args["start"], args["duration"] = 0.0, rng[1]
        elif rng and rng[2] == "last" and s.total and rng[0] < s.total:
            # "over the last 3 seconds", "最后3秒显示": ends with the video
            args["start"], args["duration"] = rng[0], round(s.total - rng[0], 3)
        elif rng and rng[2] in ("range",) and rng[1] is not None:
            args["start"], args["duration"] = rng[0], round(rng[1] - rng[0], 3)
        else:
            if mfor:
                args["duration"] = float(next(g for g in mfor.groups() if g))
            elif m_len := re.search(
                r"\b(?:a|an)\s+(\d+(?:\.\d+)?)[\s-]*(?:s|sec|secs|second)\s+(?:long\s+)?"
                r"(?:title|caption|text|heading)",
                t,
            ):
                args["duration"] = float(m_len.group(1))  # "add a 5 second title saying hi"
            mat = re.search(
                r"\b(?:at|from|starting at|start at|starting from|starts at)\s*(?:the\s+)?"
                r"(\d+:\d+(?:\.\d+)?|\d+(?:\.\d+)?\s*(?:s|sec|seconds?)?)(?:\s*mark)?\b|"
                r"在\s*第?\s*(\d+(?:\.\d+)?)\s*秒|(?:从)\s*第?\s*(\d+(?:\.\d+)?)\s*秒(?:开始)|"
                # "10秒的时候加一行字": when, said before the verb
                r"(?:^|[，,\s])(\d+(?:\.\d+)?)\s*秒(?:的时候|时|处|那里|那儿)|"
                # "第5秒出来", "第3秒开始出现": when it comes in, by the second it is
                r"(?:^|[，,\s])第?\s*(\d+(?:\.\d+)?)\s*秒(?:钟)?(?:开始)?(?:出来|出现|进来|起)",
                t,
            )
            if mat:
                args["start"] = (
                    vals[0]
                    if vals and mat.group(1) is None
                    else _secs(next(g for g in mat.groups() if g))
                )
            elif re.search(r"\bat the end\b|结尾|片尾", t) and s.total:
                args["start"] = max(0.0, s.total - float(args.get("duration", 3)))
            elif re.search(
                r"\bat the (?:very )?(?:start|beginning)\b|\bin the beginning\b|开头|开始时|片头", t
            ):
                args["start"] = 0.0
        if pos:
            args["position"] = pos
        if colour:
            args["color"] = colour
        return Step("add_title", args)
    if new_text and not quoted and _not_words(new_text):
        new_text = None  # "change the title to red": a colour, not the words "red"
    elif (
        new_text
        and not quoted
        and re.match(r"[\u4e00-\u9fff]+\s", new_text.strip())
        and _not_words(re.split(r"\s+", new_text.strip())[0])
    ):
        new_text = None  # "标题改成白色 背景也是": a style, then another thing's
    if new_text and not quoted and re.fullmatch(rf"(?:the\s+)?(?:{TIME})(?:\s*mark)?", new_text):
        return Step("clarify", why="title_change")  # "move the title to 0:05": when, not words
    args = {}
    if new_text:
        args["text"] = new_text
        if not quoted and m is not None:
            # the style is what is said beside the words: "change the title to Big Red Day"
            # gives words only, no colour "red"
            beside = t[: m.start(m.lastindex or 1)] + " " + t[m.end(m.lastindex or 1) :]
            words, tail = _style_tail(new_text)
            if tail:  # "change the title to Top Gun in red": the words, then their colour
                args["text"], beside = words, beside + " " + tail
            colour = colour_in(beside)
            size = (
                size if (lx.BIGGER.search(beside) or lx.SMALLER.search(beside) or m_size) else None
            )
            pos = next((p for p, r in lx.POSITIONS if r.search(beside)), None)
    if colour and not (new_text and colour == new_text.lower()):
        args["color"] = shaded(colour, beside if new_text and not quoted and m is not None else t)
    if size:
        args["size"] = size
    if pos:
        args["position"] = pos
    if args:
        return Step("edit_title", args)
    if lx.CHANGE.search(t):
        return Step("clarify", why="title_change")
    return None


#: Where a title's own words begin: "标题改成 X", "字幕写 X", "加一行字 显示 X", "title: X",
#: "change the title to X", "a caption saying X". What follows is the user's text, as typed.
_WORDS_START = re.compile(
    r"(?:标题|字幕|文字|文案|一行字|字)(?:的)?(?:文字|内容|文案)?\s*(?:改成|改为|换成|写成|就写|写上|写|"
    r"叫做|叫|显示|为|应该是|应该叫|就叫|要叫)\s*(?![的了着啥]|什么)|"
    r"(?:加|添加|加上|放)(?:一行|个|一个|一句|几个)?(?:字|文字|标题|字幕)(?:\s*(?:写|显示|内容是|叫)\s*|\s+)|"
    r"\b(?:titles?|captions?|text|heading)\b[^:：]{0,12}[:：]\s*|"
    r"\b(?:titles?|captions?|text|heading|wording)\s+(?:(?:should|must|needs? to|has to)\s+)?"
    r"(?:to|into|to say|to read|say|says|read|reads|saying|that says|reading|called)\s+|"
    r"\b(?:saying|that says|which says|that reads|with the words)\s+"
)


def without_title_words(c: str) -> str:
    """The clause with a title's own words set aside: "标题改成 周末去哪儿" asks nothing, it
    names the words (a question word inside them is the user's text, not a question)."""
    m = _WORDS_START.search(c)
    if m is None or not c[m.end() :].strip():
        return c
    if re.match(r"\s*(?:(.)不\1|可不可以|会不会|能不能|是不是|要不要|好不好|行不行)", c[m.end() :]):
        return c  # "加个标题会不会挡住画面": asks
    return c[: m.end()] + "«words»"


_STYLE_WORDS = re.compile(
    r"\b(?:top|bottom|cent(?:er|re)|middle|left|right|bigger|smaller|larger|big|small|size|"
    r"bold|font|colou?r|the|a|in|at|on|to|of|be|more|much|bit|little|position|side|corner|"
    r"upper|lower|text|please|instead)\b|顶部|底部|顶端|底端|上方|下方|上面|下面|中间|中央|居中|"
    r"正中|左边|右边|左上角|右上角|左下角|右下角|大一点|小一点|大一些|小一些|大点|小点|放大|缩小|"
    r"变大|变小|更大|更小|^大$|^小$|颜色|色|字体|字号|的|一点|点|些|吧|了|大一号|小一号|调大|调小"
)


def _not_words(x: str) -> bool:
    """An unquoted "new text" that is really a style: a colour, a place, a size — said with
    nothing else ("change the title to red", "标题改成红色"; "大理旅行" is words)."""
    if len(x) > 24:
        return False
    rest = lx._COLOUR_RX.sub(" ", re.sub(r"(?:深|浅)(?=色?[红蓝绿黄紫灰棕粉橙])", "", x.lower()))
    return not re.sub(r"[^\w\u4e00-\u9fff]+", "", _STYLE_WORDS.sub(" ", rest))


def _position(t: str) -> str | None:
    """Where the title goes: the place after "to" when two are named ("move the text on the
    top to the bottom", "从顶部移到底部")."""
    to = list(re.finditer(r"\b(?:to|into|towards?|onto)\b|移到|放到|挪到|放在|移至|到", t))
    if to:
        after = t[to[-1].end() :]
        if (p := next((p for p, r in lx.POSITIONS if r.search(after)), None)) is not None:
            return p
    return next((p for p, r in lx.POSITIONS if r.search(t)), None)


def _style_tail(text: str) -> tuple[str, str]:
    """ "Top Gun in red" → ("Top Gun", "in red"), "小王的生日 红色" → ("小王的生日", "红色"): a
    style said after the words, joined by in / and / a comma (or a space in Chinese)."""
    m = re.search(
        r"(?:\s*,\s*|\s+(?:in|and(?: make it| put it| move it)?)\s+|(?<=[\u4e00-\u9fff])\s+)"
        r"(?P<tail>[^,]{1,24})$",
        text,
    )
    if m is None or not m.start():
        return text, ""
    tail = m.group("tail")
    if re.search(r"[A-Z]", tail):
        return text, ""  # "Lady in Red": capitals as typed say the words go on
    styled = lx.colour_in(tail.lower()) or lx.BIGGER.search(tail) or lx.SMALLER.search(tail)
    styled = styled or any(r.search(tail.lower()) for _, r in lx.POSITIONS)
    if not styled or not _not_words(tail):
        return text, ""
    return text[: m.start()], tail


def _secs(x: str) -> float:
    return parse_time(x) or 0.0
