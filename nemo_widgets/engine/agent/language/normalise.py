"""Step 1 of understanding: one canonical spelling of what was typed.

NFKC (full-width digits and punctuation become ASCII), lower case, quoted text set aside (a
title's words must not steer the plan), Chinese numerals as digits where they count something
(前十秒 → 前10秒), and English typos corrected against the words the grammar knows
("remvoe" → "remove") with :mod:`difflib`.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field

from nemo_widgets.engine.agent.language.rephrase import rephrased
from nemo_widgets.engine.agent.language.spelling import (
    frequency,
    is_word,
    mixed,
    number_words,
    regional,
    shorthand,
    simplified,
)

_QUOTE = re.compile(
    r"[\"“”]([^\"“”]+)[\"“”]|[「『]([^」』]+)[」』]|(?<![A-Za-z])['‘’]((?:[^'‘’]|(?<=[A-Za-z])['’](?=[a-z]))+)['‘’](?![A-Za-z])"
)


#: What the built-in planner reads of one message.
MAX_CHARS = 2000


def _words(text: str) -> list[str]:
    return text.split()


#: Words the grammar keys on: a typo of one of these is read as that word.
KEYWORDS = _words(
    """
track tracks soundtrack between until through ending
section portion piece segment original remove delete erase erasing removing deleting
eliminate disappear photoshop paint rid background backdrop blur blurry blurred bokeh
transparent replace change swap studio office beach screen green white black blue red yellow
purple orange pink grey gray trim keep shorten cut split seconds second minutes minute first
last middle beginning start end speed faster slower slow motion double half twice times
quicker quick fade title caption subtitle text heading bigger smaller larger font colour
color top bottom center centre music song soundtrack audio sound volume quieter louder
softer lower raise mute unmute silence undo redo revert export render download credits
balance status timeline help aspect ratio vertical horizontal portrait landscape square
widescreen instagram tiktok youtube shorts reels story people person pedestrian pedestrians
cyclist bicycle bike car cars truck van bus dog cat bird motorcycle motorbike tree sign pole
umbrella bottle everyone please video clip remove volume whole entire selected selection
object thing
"""
)
#: Common words never "corrected" into a keyword (like → bike, make → fade).
_KEEP = set(
    _words(
        """
about above across actually add added adds after again along also anyone anything around
back bake before begin begins behind below beside best better between big bigger bike bikes
black blue bottom boy bright brighter brown burn came car card cars center centre change
changed changes child children clean cleaner clip clips color colors colour colours come
comes completely cool corner could cut cute cuts dark darker dice does doing done down
download end ended ends entirely even ever everyone everything export face fast faster feel
feels file files fine first frame frames from front fully gave get gets girl give gives go
goes gone good got gray great green grey guy guys had half hard harder has hate have here
hide hides high higher hour hours how image images into just keep keeps kid kids lake large
larger last later least left less light lighter like likes line little long longer look
looks loud louder love loves low lower made make makes man many mark mean means men middle
might mine minute minutes moment moments more most move moved moves much music must mute
need needs new news next nice nine none nope note notes nothing now okay once only onto open
orange our over pack park parked part parts people person persons photo photos picture
pictures pink place play played plays please pretty previous pure purple put puts quarter
quick quickly quiet quieter race really render replace rice ride right road roads same save
saw scene scenes second seconds see seem seems sees set sets shall share short shorter shot
shots should show shown shows side sides sign signs size sizes slide slow slower small
smaller soft softer some someone something song songs sound sounds space start started
starts stop stops street streets stuff such sure swap swaps take takes text texts than thank
thanks that them then there these they thing things think third this those tile time times
title titles tone took top totally town tree trees trim trims turn turned turns twice ugly
under upload upper use used uses very video videos voice voices walk walking walks wall
walls want wants water well went what when where which while white who whole wholly why wide
will with within without woman women word work world would write wrote yard yellow you your
"""
    )
)
_VOCAB = sorted(set(KEYWORDS))

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6}
_CN_DIGITS |= {"七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100}
_CN_NUM = re.compile(r"[零〇一二两三四五六七八九十百]+")
# A Chinese numeral is a number (not 一下 / 一点 "a bit") when a unit follows or 前/后/第 leads.
_CN_AFTER = re.compile(
    r"\s*(秒|分钟|分(?=[\d零一二两三四五六七八九十半]|$)|倍|个?片段|个?视频|段|%|s\b|x\b)"
)
_CN_BEFORE = re.compile(r"(前|后|最后|第|到|至|剪|保留|截取|开头|结尾|末尾|百分之)\s*$")


def cn_number(s: str) -> int | None:
    """十 → 10, 二十五 → 25, 一百二 → 120, 三 → 3."""
    if not s or any(c not in _CN_DIGITS and c not in _CN_UNITS for c in s):
        return None
    total, cur = 0, 0
    for c in s:
        if c in _CN_DIGITS:
            cur = _CN_DIGITS[c]
        else:
            total += (cur or 1) * _CN_UNITS[c]
            cur = 0
    return total + cur


def _cn_numerals(t: str) -> str:
    out, last = [], 0
    for m in _CN_NUM.finditer(t):
        if t[m.end() : m.end() + 1] in ("半", "下", "点", "些", "样", "起", "直", "共", "定", "般"):
            continue  # 一半, 一下, 一点: words, not numbers
        if _CN_AFTER.match(t, m.end()) or _CN_BEFORE.search(t[: m.start()]):
            n = cn_number(m.group(0))
            if n is not None:
                out += [t[last : m.start()], str(n)]
                last = m.end()
    return "".join(out) + t[last:]


_EN_NUM = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "twenty-five": 25, "thirty": 30, "forty": 40, "forty-five": 45, "fifty": 50, "sixty": 60,
}  # fmt: skip
_EN_NUM_RX = re.compile(
    r"\b(" + "|".join(sorted(_EN_NUM, key=len, reverse=True)) + r")\b"
    r"(?=\s*(?:-\s*)?(?:s\b|secs?\b|seconds?\b|mins?\b|minutes?\b|times\b|x\b|percent\b|%))"
    r"|(?<=\bfirst )(" + "|".join(_EN_NUM) + r")\b|(?<=\blast )(" + "|".join(_EN_NUM) + r")\b"
)


def _en_numerals(t: str) -> str:
    t = re.sub(r"\b(one|two|three) and a half\b", lambda m: f"{_EN_NUM[m.group(1)]}.5", t)
    return _EN_NUM_RX.sub(lambda m: str(_EN_NUM[next(g for g in m.groups() if g)]), t)


def _fix_word(w: str, protect: set[str]) -> str:
    if len(w) < 4 or w in KEYWORDS or w in _KEEP or w in protect or not w.isalpha():
        return w
    if re.fullmatch(r"[a-z]*([a-z])\1[a-z]*", w):
        # a doubled letter ("cutt", "trimm", "mutte"): the keyword with it typed once
        for i in range(1, len(w)):
            if w[i] == w[i - 1] and (once := w[:i] + w[i + 1 :]) in KEYWORDS and not is_word(w):
                return once
    known = is_word(w)
    if known is not None:
        # With a dictionary: a real word is never "corrected"; a non-word one edit (two for
        # long words) from a word the grammar knows is that word ("splt", "speeed", "trimm").
        if known:
            return _swapped(w) or w
        return _nearest(w) or w
    if (w.endswith("s") and w[:-1] in KEYWORDS) or (w.endswith("es") and w[:-2] in KEYWORDS):
        return w  # a plural, not a typo
    if w.endswith(("ing", "ed")) and len(w) >= 6:
        return w  # inflected words ("moving", "parked") are left alone
    if w.endswith(("ed", "ing")) and (
        w.removesuffix("ed") in KEYWORDS
        or w.removesuffix("d") in KEYWORDS
        or w.removesuffix("ing") in KEYWORDS
        or w.removesuffix("ing") + "e" in KEYWORDS
    ):
        return w
    for hit in difflib.get_close_matches(w, _VOCAB, n=3, cutoff=0.75):
        # A typo keeps the first letter and is one edit away (two for long words).
        close = hit[0] == w[0] and _edits(w, hit) <= (1 if len(w) < 8 else 2)
        if close and (len(w) > 4 or sorted(hit) == sorted(w)):  # 4 letters: swaps only
            return hit
    return w


def _swapped(w: str) -> str | None:
    """A rare real word that is a keyword with two letters swapped ("spilt" for "split"):
    the keyword, when it is far more common."""
    for k in _VOCAB:
        if (
            len(k) == len(w)
            and k != w
            and sorted(k) == sorted(w)
            and _edits(w, k) == 1
            and frequency(k) >= 20 * max(1, frequency(w))
        ):
            return k
    return None


def _nearest(w: str) -> str | None:
    bound = 1 if len(w) < 8 else 2
    best: tuple[int, float, str] | None = None
    for k in _VOCAB:
        if abs(len(k) - len(w)) > bound or len(k) < 4:
            continue
        # the first letter is kept, or the first two are swapped ("rmeove")
        if k[0] != w[0] and not (k[:2] == w[1::-1] and k[2:3] == w[2:3]):
            continue
        d = _edits(w, k)
        if d <= bound:
            cand = (d, -difflib.SequenceMatcher(None, w, k).ratio(), k)
            best = cand if best is None or cand < best else best
    return best[2] if best else None


def _edits(a: str, b: str) -> int:
    """Damerau-Levenshtein distance (insert, delete, substitute, swap neighbours)."""
    d = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        d[i][0] = i
    for j in range(len(b) + 1):
        d[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[-1][-1]


@dataclass
class Norm:
    """The instruction, ready for the grammar."""

    raw: str  # as typed (NFKC), for file names and cases
    text: str  # normalised: lower case, numerals, typos, quotes as «0», «1»…
    quotes: list[str] = field(default_factory=list)
    zh: bool = False

    @property
    def asked(self) -> str:
        """As typed, in Simplified characters and mainland words: what a question is read from
        ("可以幫我變短一點嗎" asks as "可以帮我变短一点吗" does)."""
        return regional(simplified(self.raw)) if self.zh else self.raw


def is_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


_COMPARATIVE = {
    "fast": "faster", "slow": "slower", "loud": "louder", "quiet": "quieter", "big": "bigger",
    "small": "smaller", "short": "shorter", "long": "longer", "bright": "brighter",
    "dark": "darker", "high": "higher", "low": "lower",
}  # fmt: skip


#: "an office kind of background", "kinda faster": a hedge; "what kind of edits" is a question.
_HEDGE = re.compile(
    r"(?<!what )(?<!which )(?<!any )(?<!the )(?<!a )(?<!some )(?<!all )(?<!this )(?<!that )"
    r"\b(?:kind of|sort of|kinda|sorta)\b\s*"
)


_DO = {
    "removing": "remove", "cutting": "cut", "trimming": "trim", "deleting": "delete",
    "chopping": "chop", "taking": "take", "dropping": "drop", "getting": "get",
    "speeding": "speed", "slowing": "slow", "lowering": "lower", "muting": "mute",
}  # fmt: skip
#: "make it a bit shorter by removing the first 4 seconds": the means is the request.
_BY_DOING = re.compile(
    r"\bmake (?:it|the video|the clip|this|the whole thing)\b[^,.?!]{0,25}?\b(?:shorter|faster|"
    rf"slower|quieter)\s*,?\s+by ({'|'.join(_DO)})\b"
)


_SOUNDS_LIKE = {"for": 4, "fore": 4, "to": 2, "too": 2, "tree": 3, "won": 1}


def _terse(t: str) -> str:
    """What people type in a hurry or in a second language: "start=3.5 end=18" (from, to),
    "speed=1.25", "[00:04.5, 00:06.0]" (a span), "t=2s" (at), "more fast" (faster)."""
    num = r"(\d+(?::\d+)*(?:\.\d+)?\s*(?:s|sec|secs|seconds?)?)"
    t = re.sub(rf"\[\s*{num}\s*[,;]\s*{num}\s*\]", r"from \1 to \2", t)
    t = re.sub(rf"\b(?:start|from|begin|in)\s*[=:]\s*{num}", r"from \1", t)
    t = re.sub(rf"\b(?:end|to|stop|out)\s*[=:]\s*{num}", r"to \1", t)
    t = re.sub(rf"\b(?:t|at|time)\s*=\s*{num}", r"at \1", t)
    t = re.sub(r"\b(speed|volume)\s*=\s*(?=\d)", r"\1 to ", t)
    t = re.sub(r"\b(set (?:the )?(?:speed|volume)) (?=\d)", r"\1 to ", t)
    t = re.sub(r"\b(duration|ratio|aspect|size|text|title|color|colour)\s*=\s*", r"\1 ", t)
    return re.sub(
        r"\bmore (fast|slow|loud|quiet|big|small|short|long|bright|dark|high|low)\b",
        lambda m: _COMPARATIVE[m.group(1)],
        t,
    )


#: A time as people write it in a span: 0:02.5, 12, 12s, 12 seconds, 12秒
_AT = r"(\d+(?::\d+)*(?:\.\d+)?\s*(?:s|secs?|seconds?|秒钟?)?)"


def _labelled_span(t: str) -> str:
    """A span said by its two ends, each labelled: "start 0:02.5, end 0:27", "starting at 12
    seconds and ending at 15 seconds", "in: 0:03 out: 0:20", "开始在2秒 结束在20秒",
    "起点3秒，终点20秒" → "from … to …" (each end alone stays as it is: "start at 3 s" is not
    a span)."""
    t = re.sub(
        # labels, not verbs: "start 0:02.5, end 0:27", "starting at 12 s and ending at 15 s"
        # ("make it start at 4s and end at 20s" reads as it is)
        rf"\b(?:(?:starting|beginning)\s*(?:at|from|@|:)?|(?:start|begin)\s*[:@]?|in(?:\s*point)?\s*:)"
        rf"\s*{_AT}\s*[,;]?\s*(?:and\s+|then\s+)?(?:(?:ending|finishing|stopping)\s*(?:at|@|:)?|"
        rf"(?:end|finish|stop)\s*[:@]?|out(?:\s*point)?\s*:)\s*{_AT}",
        r"from \1 to \2",
        t,
    )
    return re.sub(
        rf"(?:起点|入点|开始(?=在|于|是|为|:))(?:在|于|是|为|:)?\s*(?:第)?{_AT}\s*[,，、;；]?\s*(?:然后)?"
        rf"(?:终点|出点|结束(?=在|于|是|为|:))(?:在|于|是|为|:)?\s*(?:第)?{_AT}",
        r"从\1到\2",
        t,
    )


#: Pictographs, dingbats and their joiners and variation selectors (not ✕, a times sign).
_EMOJI = re.compile(
    "[\U0001f000-\U0001faff\u2600-\u26ff\u2700-\u2714\u2716-\u27bf\u2b00-\u2bff\ufe0f\u200d]+"
)


#: Words put on the screen with no "title" said: "put Day 1 on screen for 3 seconds", "write
#: BEST DAY EVER across the screen", "put the words summer vibes at the top", "屏幕上打个字
#: 出发啦", "开头显示 第一天" — a title, its words quoted (what follows says when and where).
_ON_SCREEN = (
    (
        r"^(?:(?:please|pls|can you|could you)\s+)?"
        r"(?:put|write|show|display|type|stick|slap|add)\s+"
        r"(?:the words?\s+|the text\s+)?(\S.{0,60}?)\s+(?:up\s+)?(?:on(?:to)? (?:the )?screen|"
        r"across the (?:screen|video|frame)|on(?:to)? the (?:video|frame|footage))\b",
        r"add a title “\1”",
    ),
    (
        r"^(?:(?:please|pls|can you|could you)\s+)?(?:put|write|show|display|type|add)\s+"
        r"the words?\s+(\S.{0,60}?)(?=\s+(?:at|on|in|for|from|during|over)\b|\s*$)",
        r"add a title “\1”",
    ),
    (
        r"(?:屏幕|画面|视频)上(?:面)?(?:打|写|显示|加|放)(?:个|一行|几个|一句)?字\s*[:：]?\s+(\S.{0,40})$",
        r"加个标题“\1”",
    ),
    (r"^(开头|结尾|最后|开始|片头|片尾)?(?:显示|出现)\s+(\S.{0,40})$", r"\1加个标题“\2”"),
)


#: What is on the project already, not words to show: "put it on the screen", "显示 时间线"
_NOT_WORDS = re.compile(
    r"^(?:it|this|that|them|these|those|the|a|an|my|your|his|her|its|our|their|some|me)\b|"
    r"^(?:时间线|时长|进度|积分|状态|标题|字幕|音乐|视频|画面|它|这个|那个)"
)


def _on_screen(raw: str) -> str:
    for pat, rep in _ON_SCREEN:
        m = re.search(pat, raw, flags=re.IGNORECASE)
        if m is None:
            continue
        words = m.group(m.lastindex or 1)
        if _NOT_WORDS.search(words.lower()) and not re.match(r"[A-Z]{2,}\b|\S+ [A-Z]", words):
            return raw  # "put it on the screen"; "put THE END on screen", "The End" are words
        return raw[: m.start()] + m.expand(rep) + raw[m.end() :]
    return raw


#: A verb alone after an arrow: what to do with the thing before it.
_GONE_VERB = (
    r"(?:remove|delete|erase|gone|get rid of it|paint (?:it |them )?out|take (?:it |them )?out|"
    r"删掉|删除|去掉|移除|抹掉|擦掉|去除|消除)(?: (?:it|them|please|pls))?"
)


def normalise(text: str, protect: set[str] | None = None) -> Norm:
    # Instructions are short; bounded input keeps every rule fast (no pathological backtracking).
    raw = unicodedata.normalize("NFKC", (text or "")[:MAX_CHARS]).strip()
    raw = re.sub(r"(\d{6})\d+", r"\1", raw)
    raw = re.sub(r"(\S)\1{20,}", r"\1" * 20, raw)
    quotes: list[str] = []
    if not _QUOTE.search(raw):
        raw = _on_screen(raw)
    head = raw.split(":", 1)[0] if ":" in raw else ""
    if not _QUOTE.search(raw) and re.search(
        r"\b(?:add|put|insert|write|create|change|set|rename)\b|加|写|改|换|放", head, re.IGNORECASE
    ):
        # "加个标题：周末去哪儿", "add a title: see you soon": the words after the colon are the
        # title's, quoted (a question word in them asks nothing)
        raw = re.sub(
            r"((?:标题|字幕|\b(?:title|caption|subtitle|text))"
            # "add text at the beginning: …": where it goes, said before the colon
            r"(?:\s+(?:at|in|on)\s+the\s+(?:very\s+)?(?:beginning|start|end|top|bottom|middle|"
            r"center|centre))?"
            r"\s*(?:是|为|写|叫|改成|换成|改为|says?|reads?)?\s*:\s*)"
            # … up to when and for how long, said after the words ("title: Day 1 at 0:05 for 2s")
            r"(\S[^\n]*?)((?:\s+(?:at|from|for|starting at|until|till|to)\s+(?:the\s+)?"
            r"(?:\d+:\d+(?:\.\d+)?|\d+(?:\.\d+)?\s*(?:s|secs?|seconds?)\b)(?:\s*mark)?|"
            r"\s*(?:持续|在|从)\s*(?:第\s*)?\d+(?:\.\d+)?\s*秒(?:钟|开始|处)?)*)\s*$",
            r"\1“\2”\3",
            raw,
            flags=re.IGNORECASE,
        )

    # "Hello -> Hello World pls": words changed to other words (times are spans, not words)
    m = re.match(
        r"^\s*([^\"“”'«\n:]{1,40}?)\s*(?:->|→|=>|➡️?)\s*([^,，\n]+?)"
        r"(\s+(?:pls|please|thanks|thx))?(\s*[,，].*)?$",
        raw,
    )
    if m and re.fullmatch(_GONE_VERB, m[2].strip(" .!"), re.IGNORECASE):
        # "man with the red hat -> remove", "路人 → 删掉": the thing, then what to do with it
        raw = f"{m[2].strip(' .!')} {m[1].strip()}{m[4] or ''}"
    elif (
        m
        and re.search(r"[^\W\d_]", m[1])
        and re.search(r"[^\W\d_]", m[2])
        # "background -> white", "speed -> 2x": a setting and its value, read as they are
        and not re.fullmatch(
            r"(?i)(?:the\s+)?(?:background|bg|backdrop|speed|aspect|ratio|format|music|song|bgm|"
            r"volume|audio|sound|fade|背景|速度|比例|音乐|音量)",
            m[1].strip(),
        )
    ):
        raw = f"replace “{m[1].strip()}” with “{m[2].strip()}”{m[4] or ''}"

    def keep(m: re.Match[str]) -> str:
        quotes.append(next(g for g in m.groups() if g is not None).strip())
        return f" «{len(quotes) - 1}» "

    t = _QUOTE.sub(keep, raw)
    # Emoji are tone, not words ("remove it 🙏", "lol 👻"); quoted words keep theirs
    t = _EMOJI.sub(" ", t).strip()
    t = t.lower().replace("’", "'").replace("‘", "'")
    protect = {p.lower() for p in protect or set()}
    t = mixed(
        regional(simplified(t)), protect
    )  # 幫我把車刪掉 → 帮我把车删掉; 把 bgm 关掉 → 把音乐关掉
    t = shorthand(t)
    # "the girl on the bike - erase her", "the cones — can those go?": a dash between words
    # parts two clauses (between numbers it is a span, "5 - 10")
    t = re.sub(r"(?<=[a-z)'])\s+[-—–]+\s+(?=[a-z])|(?<=[a-z])\s*[—–]+\s*(?=[a-z])", ", ", t)
    t = re.sub(r"\bfade(in|out)\b", r"fade \1", t)
    t = re.sub(r"百分之\s*([零〇一二两三四五六七八九十百\d.]+)", r"\1%", t)
    # "前三分之一": a share of the video, not 3 minutes
    t = re.sub(
        r"([二两三四五])\s*分之\s*[一1]",
        lambda m: {"二": "一半", "两": "一半", "三": " third ", "四": " quarter ", "五": " fifth "}[
            m.group(1)
        ],
        t,
    )
    t = _cn_numerals(t)
    t = re.sub(r"(\d)\s*(?:×|✕)", r"\1x", t)
    t = re.sub(r"第\s*(\d+(?:\.\d+)?)\s*秒", r"\1秒", t)
    t = re.sub(r"\bpls\b|\bplz\b", "please", t)
    t = re.sub(r"\bhalf (?:a|of a) (second|sec)\b", r"0.5 \1", t)  # "half a second fade-in"
    t = re.sub(r"\bhalf[- ](second|sec)\b", r"0.5-\1", t)  # "a half-second fade in"
    t = re.sub(r"(\d+)\s*分(?:钟)?半(?:钟)?", r"\1分30秒", t)  # 两分半 = 2 min 30 s
    t = re.sub(r"(\d+)\s*秒(?:钟)?半", r"\1.5秒", t)  # 两秒半 = 2.5 s
    t = re.sub(r"(?<![\d一])半(?:个)?分钟", "30秒", t)  # 前半分钟 = the first 30 s, not half
    t = re.sub(r"\bhalf (?:a )?minute\b|\bhalf-minute\b", "30 seconds", t)
    # "the first quarter of a minute": 15 s, never a quarter of the video
    t = re.sub(r"\bthree[- ]quarters? of a minute\b", "45 seconds", t)
    t = re.sub(r"\b(?:a |one )?quarter(?: of)?(?: a)?[- ]minute\b", "15 seconds", t)
    t = re.sub(r"\bthru\b", "through", t)
    t = _terse(t)
    t = re.sub(
        r"\b(?:a )?couple(?: of)? (seconds?|secs?)\b", r"2 \1", t
    )  # "the first couple seconds"
    t = re.sub(r"\btwice as slow\b", "half speed", t)  # never "twice" = 2x faster
    # "quadruple speed", "fivefold": multiples past triple, as the factor they name
    t = re.sub(
        r"\b(?:(quadruple|fourfold|4-?fold)|(quintuple|fivefold|5-?fold))\b",
        lambda m: "4 times" if m[1] else "5 times",
        t,
    )
    t = re.sub(r"\b(\d+(?:\.\d+)?) times as slow\b", r"\1 times slower", t)
    # "the last for seconds", "first to secs": a number word typed as its sound-alike, where
    # only a number can stand (between first/last and a time unit)
    t = re.sub(
        r"\b(first|last|final|opening|next|another|extra)\s+(for|fore|to|too|tree|won)\s+"
        r"(?=(?:seconds?|secs?|sec|s)\b)",
        lambda m: f"{m.group(1)} {_SOUNDS_LIKE[m.group(2)]} ",
        t,
    )
    t = _BY_DOING.sub(lambda m: _DO[m.group(1)], t)  # "shorter by removing the first 4 s"
    t = re.sub(r"\b(?:u+m+|u+h+|e+r+m+|u+h+m+)\b,?\s*", "", t)  # fillers
    t = re.sub(_HEDGE, "", t)
    t = re.sub(
        r"\b(to|at|around|about|maybe|just|is|it's|be) like (?=\d)", r"\1 ", t
    )  # "to like 15%"
    t = re.sub(r"(?:^|(?<=[请你我]))将(?=\S)", "把", t)  # 请将画面中的车移除: 将 is a formal 把
    t = re.sub(r"直接(?=[抠删去剪加换改调做弄关静])", "", t)  # 背景直接抠掉
    # Colloquial "make it go" verbs as the plain one: 咔掉/咔嚓掉 (snip), 整掉/搞掉/剁掉/砍了/弄没
    # (get rid of), P走/P没 (retouch away), "帮我去一下" (take it off for me)
    t = re.sub(
        r"(?:咔嚓|咔|卡擦|搞|整|剁|砍|给弄)(?:掉|了(?=吧|$|\s|[,，。!！]))|(?:整|搞|弄)没(?:了)?",
        "去掉",
        t,
    )
    t = re.sub(
        r"抹除|擦除掉|清除掉|去除掉|挖掉|抠掉(?=这|那|[0-9一二三四五六七八九十]+秒)", "抹掉", t
    )
    t = re.sub(r"(?:音量)?(?:拉满|开满|调满|拉到最大|推到最大)", "开到最大", t)
    t = re.sub(r"生成(?:最终|最后)?的?(?:视频|成片)|出片|导出成片", "导出", t)
    t = re.sub(r"额度|余额", "积分", t)
    # "有啥不一样", "有何不同": asks the difference
    t = re.sub(r"有(?:啥|什么|何)(?:不一样|不同)|哪里不一样", "有什么区别", t)
    t = re.sub(r"啥样|咋样", "什么样", t)  # "导出以后是啥样的": a question, as 什么样
    t = re.sub(r"轻快|欢快", "活泼", t)  # "换成upbeat,轻快一点的": the music's mood, not its speed
    # "声音别太大 百分之二十": how loud at most, said with the level — the level (never +20 %)
    t = re.sub(
        r"(?:别|不要|不能|不用)(?:太|那么|这么)(?:大声|大|响|吵)(?:了)?"
        r"(?=[,，\s]*(?:就|调到|调成|到)?\s*\d+(?:\.\d+)?\s*%)",
        "音量",
        t,
    )
    t = re.sub(r"([pP])(?:走|没)", r"\1掉", t)
    t = re.sub(
        r"(?<!删)删(?=那|这|它|[一二两三四五六七八九十\d][辆个位条只]|[红白黑蓝绿黄灰银紫橙粉棕](?:色|车|的|衣))",
        "删掉",
        t,
    )  # "删那辆白色的"
    # "把小车扣掉": 扣 typed for its sound-alike 抠 (cut out) after what is cut out; 扣 of
    # credits (扣了多少积分, 会扣积分吗) stays
    t = re.sub(
        r"(?<=[\u4e00-\u9fff])(?<!积分)(?<!会)(?<!要)(?<!被)扣(?=掉|走|出去|了吧|一下)", "抠", t
    )
    t = re.sub(r"(?<=帮我|给我|帮忙)去(?:一下|下)(?!载)", "去掉", t)
    # The topic first, then its negation: "标题别删" = "别删标题", "背景不要换成图片" = "不要把背景
    # 换成图片", "车不用去掉" = "不用去掉车" (the negation leads, as the grammar reads it)
    t = re.sub(
        r"(^|[,，;；。\s])((?:背景音乐|背景|标题|字幕|音乐|配乐|原声|声音|比例|画幅|速度|车|人|路人)"
        r"(?:的颜色|的位置)?)(?:就|也|先)?(别|不要|不用|不必|无需|先别|千万别)"
        r"(删|去掉|去|换|改|动|剪|关|静音|调|裁|加)",
        lambda m: f"{m[1]}{m[3]}把{m[2]}{m[4]}",
        t,
    )
    # An editor's words: a timecode (HH:MM:SS:FF) is its seconds; "blade"/"razor" splits;
    # "top and tail" trims both ends, "off the head/tail" is off the start/end; -6 dB is down
    t = re.sub(
        r"\b(\d{1,2}):(\d{2}):(\d{2})[:;](\d{2})\b",
        lambda m: f"{int(m[1]) * 3600 + int(m[2]) * 60 + int(m[3]) + int(m[4]) / 25:g}s",
        t,
    )
    t = re.sub(r"\b(?:blade|razor)(?: it| the (?:clip|video))?\b", "split", t)
    t = re.sub(r"\btop and tail(?: it| the (?:clip|video))?\b\s*:?", "cut", t)
    t = re.sub(r"\b(off|from|at) the head\b", r"\1 the start", t)
    t = re.sub(r"\b(off|from|at) the tail\b", r"\1 the end", t)
    t = re.sub(r"(?:-|−|minus\s*)\d+(?:\.\d+)?\s*db\b", " down ", t)
    t = re.sub(r"(?:\+|plus\s*)\d+(?:\.\d+)?\s*db\b", " up ", t)
    t = re.sub(r"倍速(?:调成|调到|改成|设为|设成)\s*(\d+(?:\.\d+)?)(?!\s*倍)", r"调成\1倍速", t)
    # "object removal on the blue hatchback", "inpaint out the sign": the removal named as a job
    t = re.sub(r"\b(?:object removal|inpaint(?:ing)?(?: out)?)\s+(?:on|of|for)?\s*", "remove ", t)
    t = re.sub(r"\boutta\b", "out of", t)  # "get that bike dude outta there"
    t = re.sub(r"\s+\b(?:fr|ngl|tbh|lol|lmao|pls pls)\b(?=\s*$|\s*[,.!?])", "", t)
    t = rephrased(t)  # the request said another way (language/rephrase.py)
    t = re.sub(
        r"\b(?:at )?(?:1/2|half)[- ]?way(?: point| through)?\b", "halfway", t
    )  # "at 1/2 way"
    # words run together in a hurry: "getridof", "speedup", "slowdown"
    t = re.sub(r"\bget\s*rid\s*of(?=\s|$)|\bgetridof", "get rid of", t)
    t = re.sub(r"\b(speed|slow)(up|down)\b", r"\1 \2", t)
    t = re.sub(r"一(?:丢丢|丢|咪咪|咪|丁点|点点|滴滴|丢儿)", "一点", t)  # 小一丢丢: a little
    # "keep the music as it is and …", "leave the title the same": that thing is not touched
    t = re.sub(
        r"\b(?:keep|leave)\s+((?:the|my)\s+[a-z]+(?:\s+[a-z]+)?)\s+(?:exactly\s+)?"
        r"(?:as (?:it is|is|it was)|the same|unchanged|untouched|intact|how it is|"
        r"like it is|the way it is)\b",
        r"don't touch \1",
        t,
    )
    # "不是音乐 是原声 调小一点", "不是原声，是音乐，关掉": the thing named second is meant
    _things = r"音乐|配乐|背景音乐|原声|人声|标题|字幕|背景|视频|画面|开头|结尾"
    t = re.sub(
        rf"不是(?:说)?(?:{_things})\s*[，,、]?\s*(?:是|而是|我说的是)\s*({_things})[，,、]?\s*(?=\S)",
        r"\1",
        t,
    )
    t = re.sub(
        r"(?:^|(?<=[，,。\s]))(?:只|就|先)(?=去掉|删掉|删除|去除|移除|[pP]掉|抹掉|擦掉)", "", t
    )
    # "go back to regular speed": that speed, not an undo
    t = re.sub(
        r"\b(?:go|going|put it|set it|change it|switch) back to (?:the )?"
        r"(normal|regular|original|real)\s+(speed|pace)\b",
        r"\1 \2",
        t,
    )
    # "music way down, like almost silent": a low level, never a mute of everything
    t = re.sub(
        r"[,，]?\s*(?:like |so (?:it'?s |its )?|until (?:it'?s |its )?)?(?:almost|nearly|"
        r"practically|barely|just about|basically) (?:silent|muted?|inaudible|off|nothing|gone)\b",
        " to 10%",
        t,
    )
    t = re.sub(r"(?<=[车人们的个子])\s*去了吧", "去掉吧", t)  # "把车去了吧": one removal word
    t = re.sub(r"配(?:个|点|一个|一段|一首|首)(?:音)?乐|配(?:个|首|一首)歌", "配乐", t)  # "配个乐"
    t = re.sub(
        r"\b(?:don'?t|do not) forget to\b|\b(?:make sure|be sure) (?:to|you)\b|别忘了|记得", "", t
    )
    t = number_words(t, protect)
    t = _en_numerals(t)
    t = _labelled_span(t)
    t = re.sub(r"\b(first|last|final|opening)\s+(second|minute)\b", r"\1 1 \2", t)
    t = re.sub(r"\bu\b", "you", t)
    # "please you remove the man", "you delete first 2 second": a request, said as learned
    t = re.sub(
        r"(^|[,.;!?]\s*|\bplease\s+)you\s+(?=(?:delete|remove|cut|trim|make|add|change|put|speed|"
        r"slow|mute|split|fade|crop|blur|erase|take|keep|move|turn|set|help me)\b)",
        r"\1",
        t,
    )
    t = re.sub(r"\b(?:bloke|fella|chap)(s?)\b", r"man\1", t)  # British and casual: a man
    # "i'd like the video to not have that guy in it", "画面里不要有那辆车": a thing that goes
    t = re.sub(
        r"^(?:i'?d like|i want|i'?d prefer|i need|id like)\s+(?:the|this|my)\s+(?:video|clip|"
        r"footage|shot|picture)\s+(?:to\s+)?not\s+(?:to\s+)?(?:have|show|contain|include)\s+"
        r"(.+?)\s+(?:in it|in there)\b",
        r"remove \1",
        t,
    )
    t = re.sub(
        r"^(?:我想|希望)?(?:视频|画面)(?:里|中)?(?:面)?不要(?:再)?(?:有|出现)(.+)$", r"把\1去掉", t
    )
    # "标题不要了": the title is not wanted, it goes
    t = re.sub(
        # "字幕那个hello不要了", "标题那个你好不要了": the one with those words
        r"^(?:这个|那个)?(标题|字幕)((?:(?:这个|那个)\s*(?:[\u4e00-\u9fff]{1,8}?|«\d+»|[a-z0-9'\s]{1,30})|"
        r"\s*(?:«\d+»|[a-z0-9'\s]{1,30}))(?:的|那个|这个)?)?\s*(?:就|也)?不要了?吧?$",
        lambda m: f"把{(m.group(2) or '').strip()}{m.group(1)}删掉",
        t,
    )
    # "put a beach behind it", "can we have an office behind me": a new background
    t = re.sub(
        r"\b(?:put|use|have|place|stick|give (?:it|me))\s+(?:a |an |some |the )?"
        r"(?!(?:title|text|caption|music|song)\b)([a-z][a-z ]{1,30}?)\s+behind\s+(?:it|me|him|her|"
        r"them|us|the (?:person|people|guy|girl|man|woman|speaker))\b",
        r"replace the background with \1",
        t,
    )
    # "before the 4 second mark", "at the 0:12 mark": the mark is that time
    t = re.sub(r"\b(?:the\s+)?(\d+(?:\.\d+)?)[- ]?(?:s|secs?|seconds?)\s+mark\b", r"\1 seconds", t)
    t = re.sub(r"\b(?:the\s+)?(\d+:\d{2}(?:\.\d+)?)\s+mark\b", r"\1", t)
    t = re.sub(r"[a-z]+", lambda m: _fix_word(m.group(0), protect), t)
    t = re.sub(r"[ \t]+", " ", t).strip()
    return Norm(raw, t, quotes, is_chinese(raw))
