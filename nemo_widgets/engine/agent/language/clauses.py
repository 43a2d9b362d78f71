"""Step 2 of understanding: one message → its clauses, each a step or a detail of one.

Split at punctuation and at the words that join steps ("and", "then", "然后", "再" …);
kept together where "and" joins two things of one step ("fade in and out", "between 3 and
5"). Two more splits for what people type without punctuation:

- run-on dictation: "add the song mute the street audio and make it 9:16" has three verbs,
  each starting a step; a verb that begins a new command after a finished one starts a new
  clause;
- one verb for several things: "删掉标题和音乐", "remove the title and the music" — each
  thing gets the verb (only for the project's own parts: the title, the music, the sound;
  "the car and the bike" stays one object phrase).
"""

from __future__ import annotations

import re

_PROTECT = [
    (
        r"\bbetween\s+(?:the\s+)?(\S+(?:\s*(?:s|secs?|seconds?|mins?|minutes?)\b)?(?:\s+mark)?)\s+"
        r"and\s+",
        r"between \1 & ",
    ),
    (r"\bfade (?:it )?in and (?:fade )?out\b", "fade in & fade out"),
    (r"\bin and out\b", "in & out"),
    (r"\bblack and white\b", "black & white"),
    (
        r"\b(picture|video|audio|sound|music|visuals?) and (?:the )?(picture|video|audio|sound|"
        r"music|visuals?)\b",
        r"\1 & \2",
    ),
    (r"\bup and down\b", "up & down"),
    (r"(开头|前面)和(结尾|后面|最后)", r"\1&&\2"),
    # "cut the first and last 2 seconds": one amount off both ends, one step
    (r"\b(first|start|beginning|opening) and (?:the )?(last|end|ending|final)\b", r"\1 & \2"),
]
_SPLIT = re.compile(
    r"\s*(?:;|\n+\s*(?:[-*•]\s+|\d+[.)]\s+)?|—|\s--\s|"
    # "…gone - it's the second car from the left": a dash before what describes it
    r"\s[-–]\s(?=(?:it'?s|its|it is|that'?s|thats|the one|i mean)\b)|"
    # "get rid of the last 10 seconds it's just nothing happening", "… because the bus goes
    # by": the reason, said after the request without a comma, is a clause of its own
    r"\s(?=(?:it'?s|its|it is|thats|that'?s) (?:just|so|too|really|kinda|kind of|a bit|"
    r"nothing|boring|useless|pointless|where|when|ruining|spoiling|distracting|annoying|"
    r"blocking|in the way)\b)|"
    r"\s(?=(?:because|cause|cuz|coz|since) (?:the|it|its|it'?s|that|thats|there|i|we|my|he|she|"
    r"they|nothing)\b)|"
    # "set the street sound to 10 % so the music carries it": what it is for
    r"\s(?=so (?:that )?(?:the|my|our|people|everyone) \w+)|"
    # "trim to 8 s - no, 9": a dash before a correction
    r"\s-\s(?=(?:no|nah|wait|sorry|actually|make (?:it|that))\b)|"
    r"\s\+\s|\.{2,}|…+|\.(?:\s+|$)|"
    # "add text subscribe!! from 25s": a "!" before the title's when and how long is its own
    r"(?<!!)!+(?:\s+(?!(?:from|for|at|until|till|on|in|to)\s+(?:\d|the\b))|$)|\?\s+|"
    r",\s*(?:and\s+)?then\b|\band then\b|\bthen\b|"
    r"\bafter that\b|\bafterwards\b|\balso\b|\bplus\b|\band also\b|,|\band\b|\bbut\b|"
    r"\bhowever\b|然后|接着|之后再|但是|不过|(?<=\S)\s+最后(?=导出|导|保存|下载|渲染|输出)|"
    r"并且|同时|另外(?![那这一的]?[首个张段部辆条位]|的|那|这)|还有(?!多少|几|多久|多长|吗|没有)|顺便|(?<=了)再|和(?=最后|前面|前|开头|结尾|后面|后\s*\d|末尾)|和(?=\s*\d+(?:\.\d+)?\s*秒?\s*(?:到|至|-|~)\s*\d)|再(?!(?:加|放|来)一(?:遍|次|个|份))(?=加|把|改|换|"
    r"调|剪|删|去|做|设|配|重做|恢复|导|保存|下载|渲染|输出)|，|；|。|！|"
    # "抖音版：竖屏、2倍速、最后导出": a list after a colon, each item a step
    r"(?<=[\u4e00-\u9fff])[：:](?=\S+、)|"
    r"和(?=把|加|改|换|调|剪|删|去)(?![^，,。?？]*?(?:有(?:什么|啥)?(?:区别|不同)|一样|哪个))|、(?=再|把|加|剪|删|去|改|换|调|做|设|静|导|变|放|撤|最后|\d|竖|横|方))\s*"
)
POLITE = re.compile(
    r"^(?:(?:hey|hi|ok|okay|so|now|alright|um+|hmm+|yo|oops|oh|ah|well|wait(?=[\s,]+\w)|first|next|finally|"
    r"lastly|actually|honestly|on second thought)\b[\s,]*)*(?:please\s+|pls\s+|kindly\s+)?"
    r"(?:(?:would|do) you mind\s+|(?:can|could|would|will)\s+(?:you|we)\s+(?:please\s+)?|"
    r"i\s+(?:want|need|would like|"
    r"'d like|d like)\s+"
    r"(?:you\s+)?to\s+|i\s+want\s+|i'?d\s+love\s+(?:to\s+|it if you\s+)?|i would love\s+(?:to\s+)?|"
    r"let'?s\s+|go ahead and\s+|try to\s+|is it possible (?:for you )?to\s+|"
    r"(?:would|will) it be possible (?:for you )?to\s+|"
    r"are you able to\s+|"
    r"i (?:was |am |'m )?wondering (?:if|whether) (?:you|u) (?:could|can|would|might)\s+"
    r"(?:possibly\s+|maybe\s+)?|"
    r"help me\s+|how about\s+|what about\s+|try\s+)?"
    r"(?:please\s+|just\s+(?!(?:the\s+)?(?:first|last|final|opening|beginning|end|middle|part|bit|section)\b|\d))?"
    r"(?:(?:like )?i (?:said|told you|already said|asked)\s*,?\s+)?"
    r"|^(?:请(?!问)|麻烦|帮我|帮忙|给我|能不能|能否|可以|可不可以|你能|我想|我要|我想要|"
    r"(?:先|最后|接着|然后)(?=[把加改换调剪删去做导设用放给帮将]))+"
)
#: Verbs that begin a command (imperative) when they follow a finished one.
_RUN_ON_VERBS = (
    r"add|mute|unmute|remove|delete|trim|cut|split|fade|make|change|turn|replace|crop|blur|"
    r"export|render|undo|redo|speed|slow|put|move|set|lower|raise|keep|use|apply|erase|"
    r"shorten|insert|swap|switch|get rid of|take out"
)
#: Words after which a verb is not a new command ("want to add", "the cut", "a fade").
_NOT_AFTER = re.compile(
    r"(?:to|and|or|then|you|i|we|me|please|pls|just|also|can|could|will|would|should|'ll|not|"
    r"don't|dont|do|did|let|lets|let's|the|a|an|of|with|without|no|it's|its|is|are|be|was|"
    r"this|that|my|your|a|for|into|as|by|at|on|in|some|any|quick|slight|soft|nice|smooth|"
    r"gentle|short|long|little|bit|hard|new|more|less|first|last|one|it|them|sure|who|which)$"
)
#: Verbs that are also nouns ("a 2 second fade in", "at 5 cut"): not after a number or unit.
_NOUNISH = re.compile(
    r"fade|cut|split|trim|speed|blur|crop|set|turn|change|use|keep|slow|move|switch|swap"
)
_UNIT = re.compile(r"seconds?|secs?|s|minutes?|mins?|[\d.:]+s?|\w+-second")
#: What follows a verb that starts a command: its object.
_OBJECT_START = re.compile(
    r"(?:the|it|this|that|them|all|everything|my|a|an|some|\d|music|songs?|bgm|titles?|text|"
    r"subtitles|captions?|background|sound|audio|volume)\b|"
    r"[\w-]+\.(?:mp3|wav|m4a|aac|ogg|flac|mp4|mov|webm|mkv|jpe?g|png|webp)\b|"
    r"(?:to|up|down|out|off|in) (?:the|it|this|that|them|my|\d)\b"
)


#: After these a title's own words follow ("a title saying cut the cake").
_WORDS_FOLLOW = re.compile(r"saying|says|say|reads?|reading|called|titled|named|text:|title:")
#: In a title's words, only a command about the video itself starts a new step
#: ("…saying hi make it vertical"); "…saying cut the cake" stays the title.
_EDIT_OBJECT = re.compile(
    r"(?:it|this|the (?:video|clip|music|song|title|text|background|sound|audio|volume|speed|"
    r"whole thing|first|last)|everything|\d)\b|(?:to|up|down|out|off|in) (?:it|the (?:video|"
    r"clip|music)|\d)\b"
)


def _run_on(part: str) -> list[str]:
    """ "add the song mute the street audio" → ["add the song", "mute the street audio"]."""
    if re.search(r"[\u4e00-\u9fff]|«\d+»", part) or len(part.split()) < 5:
        return [part]
    words = part.split()
    first = re.match(rf"(?:please\s+|pls\s+|now\s+|then\s+)*(?:{_RUN_ON_VERBS})\b", part)
    if not first:
        return [part]
    out, cur = [], [words[0]]
    words_follow = False  # after "saying", "called" …: a title's words, which may hold verbs
    for i in range(1, len(words)):
        w, prev = words[i], words[i - 1]
        rest = " ".join(words[i + 1 : i + 3])
        starts = (
            re.fullmatch(rf"(?:{_RUN_ON_VERBS})", w)
            and len(cur) >= 2
            and not _NOT_AFTER.fullmatch(prev)
            and not (_NOUNISH.fullmatch(w) and _UNIT.fullmatch(prev))
            and not prev.endswith(",")
            and (_EDIT_OBJECT if words_follow else _OBJECT_START).match(rest)
            and re.search(r"[a-z]", " ".join(cur[1:]))
        )
        if starts:
            out.append(" ".join(cur))
            cur = [w]
            words_follow = False
        else:
            cur.append(w)
            words_follow = words_follow or bool(_WORDS_FOLLOW.fullmatch(w))
    out.append(" ".join(cur))
    return out


_PARTS_ZH = r"(?:背景音乐|音乐|配乐|标题|字幕|文字|原声|声音)"
_PARTS_EN = (
    r"(?:the |my )?(?:background music|music|song|bgm|title|titles|text|captions?|"
    r"subtitles?|original sound|original audio|sound|audio)"
)


def _each(part: str) -> list[str]:
    """One verb for several of the project's parts → one clause each."""
    m = re.fullmatch(rf"(.*?)({_PARTS_ZH})(?:和|与|跟|及|以及|、)({_PARTS_ZH})(都|全)?(.*)", part)
    if m and (m.group(1) or m.group(5)):
        pre, a, b, _, post = m.groups()
        return [f"{pre}{a}{post}", f"{pre}{b}{post}"]
    m = re.fullmatch(rf"(.*?\b)({_PARTS_EN}) and ({_PARTS_EN})(\b.*)", part)
    if m and m.group(1).strip():
        pre, a, b, post = m.groups()
        return [f"{pre}{a}{post}".strip(), f"{pre}{b}{post}".strip()]
    return [part]


_GERUND = {
    "muting": "mute", "unmuting": "unmute", "removing": "remove", "deleting": "delete",
    "adding": "add", "making": "make", "cutting": "cut", "trimming": "trim",
    "changing": "change", "putting": "put", "fading": "fade", "blurring": "blur",
    "speeding": "speed", "slowing": "slow", "splitting": "split", "moving": "move",
    "lowering": "lower", "raising": "raise", "erasing": "erase", "replacing": "replace",
    "turning": "turn", "shortening": "shorten", "cropping": "crop", "exporting": "export",
}  # fmt: skip
_GERUND_RX = re.compile(r"^(" + "|".join(_GERUND) + r")\b")


def imperative(c: str) -> str:
    """ "(would you mind) muting the music" → "mute the music"."""
    return _GERUND_RX.sub(lambda m: _GERUND[m.group(1)], c)


def split_clauses(t: str) -> list[str]:
    t = re.sub(r"^\s*(?:[-*•]|\d+[.)])\s+", "", t)  # a list: "- cut the first 2 s\n- …"
    for a, b in _PROTECT:
        t = re.sub(a, b, t)
    t = _each_first(t)
    parts = [p.strip(" ,.")[:300] for p in _SPLIT.split(t)]
    parts = [q for p in parts if p and p.strip(" ,.") for q in _run_on(p)]
    return [p.replace(" & ", " and ").replace("&&", "和") for p in parts]


def _each_first(t: str) -> str:
    """Applies :func:`_each` to each sentence before the split at "and" / 和 cuts it."""
    out = []
    for piece in re.split(r"([,，;；。.!！?？]\s*|\s+then\s+|然后|再)", t):
        parts = _each(piece)
        out.append("；".join(parts) if len(parts) > 1 else piece)
    return "".join(out)
