"""Step 1c of understanding: a request said another way, rewritten as the plain one —
what the thing should not be ("i want the man in red is not in video anymore" → remove),
in and out points (→ keep A to B), a trim said as its result ("so it's just the first
15 s" → keep), a removal named as a clean-up ("clean up the shot by removing …"), when a
thing was noticed ("still there after the trim": no edit), and chat words mid-message
("… lol remove it": a clause ends there). Lower-case text in, text out."""

from __future__ import annotations

import re


def rephrased(t: str) -> str:
    t = _told(t)
    # "i want the man in red is not in video anymore", "the van shouldn't be in the shot": a
    # thing wanted out of the picture, said as where it should not be
    _frame = r"(?:the |this |my |our )?(?:video|clip|shot|frame|footage|picture)(?: any ?more)?\b"
    t = re.sub(
        r"\b(?:i |we )?(?:want|need|would like|'d like)\s+((?:the|that|this|those|these) .+?)\s+"
        r"(?:is |are |to be |be )?(?:not|no more|no longer) (?:be )?(?:in|inside|on) " + _frame,
        r"remove \1",
        t,
    )
    t = re.sub(
        r"^((?:the|that|this|those|these) [a-z ]+?)\s+(?:should|must|can)(?:n't| not|not) be "
        r"(?:in|inside|on) " + _frame,
        r"remove \1",
        t,
    )
    # "put the upbeat song in the background": a song in the background is background music
    t = re.sub(
        r"\b(songs?|track|tune)"
        r"((?:\s+(?:playing|quietly|softly|on|at\s+\d+\s*(?:%|percent)(?:\s+volume)?))*)"
        r"\s+in the background\b",
        r"\1\2 as background music",
        t,
    )
    # "I want that the title say 'Our Bakery' and is on the top": where it goes, not a question
    t = re.sub(
        r"\b(title|caption|text|«\d+»)(.*?)\band (?:it )?(?:is|be|goes|sits|stays|appears|shows) "
        r"(?:on|at|in) (?:the )?(top|bottom|middle|cent(?:er|re))\b",
        r"\1\2and put it at the \3",
        t,
    )
    # "between second 4 and second 9", "from second 12": the second numbered N is N s
    t = re.sub(
        r"\b(from|to|and|between|at|until|till|after|before|on|through|thru|-)\s+second\s+"
        r"(\d+(?:\.\d+)?)\b(?!\s*(?:s\b|secs?\b|seconds?\b|%|x\b|clips?\b|videos?\b|times?\b))",
        r"\1 \2s",
        t,
    )
    # "remove the mute from the original audio", "cancel the mute on the music": unmute it
    t = re.sub(
        r"\b(?:remove|cancel|lift|drop|get rid of|take|turn|switch)\s+(?:off\s+)?"
        r"(?:the |that )?mute\b(?:\s+off)?(?:\s+(?:from|on|for|of)\b)?\s*",
        "unmute ",
        t,
    )
    # "in point 2.5s, out point 18s", "mark in at 3 s and mark out at 20 s": the span kept
    t = re.sub(
        r"\b(?:set (?:the )?)?(?:in[- ]?point|mark in)(?: (?:at|to|=|is))?:?\s*"
        r"(\d[\d:.]*\s*(?:s|secs?|seconds?)?)\s*(?:,|and|;)?\s*(?:set (?:the )?)?"
        r"(?:out[- ]?point|mark out)(?: (?:at|to|=|is))?:?\s*(\d[\d:.]*\s*(?:s|secs?|seconds?)?)",
        r"keep \1 to \2",
        t,
    )
    # "trim it so it's just the first 15 seconds": what stays, said as the result
    t = re.sub(
        r"\b(?:trim|cut|edit|shorten|crop)\s+(?:it|this|the (?:video|clip))?\s*(?:down\s+)?"
        r"so (?:that )?(?:it'?s|it is|its|there'?s|it'?ll be|it will be) (?:just|only) "
        r"(the (?:first|last|final) )",
        r"keep \1",
        t,
    )
    # "clean up the shot by removing the bin": the removal is the request
    t = re.sub(
        r"\b(?:clean|tidy|clear) up (?:the |this |my )?(?:shot|frame|video|clip|scene|picture|"
        r"background|street)\s+by\s+(?:removing|deleting|erasing|getting rid of|taking out)\b",
        "remove",
        t,
    )
    # "the cyclist is still there after the trim": when they noticed, no edit asked for
    t = re.sub(
        r"(\bstill (?:there|here|visible|showing|in (?:the )?(?:shot|video|frame|it)))\s+"
        r"(?:even\s+)?(?:after|since|despite) (?:the|your|my|that|this|our) [a-z]+\b",
        r"\1",
        t,
    )
    # "that van is so annoying lol remove it": a chat interjection mid-message ends a clause
    # (not a title's words: "put the text omg!! from 2s")
    t = re.sub(
        r"(?<!\btext)(?<!\btitle)(?<!\bcaption)(?<!\bsaying)(?<!\bsays)(?<!\bwrite)(?<!:)"
        r"\s+\b(?:lol|lmao|lmfao|rofl|haha+|omg|smh|ngl|tbh|ugh+)\b[,.!]*\s+(?=[a-z])",
        ", ",
        t,
    )
    return t


def _told(t: str) -> str:
    """The order said with "before", what already happened, and where a thing goes."""
    # "before you change the ratio to 1:1, get rid of the white van", "改成1:1之前，先把车去掉":
    # the step said second comes first
    t = re.sub(
        r"^(?:but |and |oh and )?before (?:you |u |we |i )(.+?),\s*(.+)$",
        # "before you export, add a title": the export is for later, when asked
        lambda m: (
            m[2]
            if re.match(r"(?:export|render|download|save|publish|post|upload|share)\b", m[1])
            else f"{m[2]}, then {m[1]}"
        ),
        t,
    )
    t = re.sub(
        r"^(?:在)?(?:导出|渲染|下载|发布|发出去)(?:视频|之)?(?:之前|以前|前)[,，]?\s*(?:先)?", "", t
    )
    t = re.sub(
        r"^(?:在)?((?:把|先)?[^\d,，]{0,12}?(?:改|换|加|剪|调|做成|转成)[^,，]{0,20}?)(?:之前|以前)"
        r"[,，]\s*(?:先)?(.+)$",
        r"\2,然后\1",
        t,
    )
    t = re.sub(
        r"^(?:我)?(?:是)?(?:第[一1]次用|新手|刚开始用|刚来)(?:这个)?(?:软件|工具)?[,，\s]+(?=教|带|怎么)",
        "",
        t,
    )
    # "oops i hit undo by mistake, redo pls", "不小心点了撤销": what happened, not a request
    t = re.sub(
        r"\b(?:i|we)\s+(?:accidentally\s+|just\s+|mistakenly\s+)?(?:hit|pressed|clicked|tapped|did)\s+"
        r"(?:the\s+)?(?:undo|redo)(?:\s+button)?(?:\s+by (?:mistake|accident)|\s+accidentally)?",
        "",
        t,
    )
    t = re.sub(r"(?:我)?不小心(?:点|按|摁)(?:了|到了|到)?(?:撤销|重做)(?:键|按钮)?", "", t)
    # "i want the blue car gone from the shot": where it goes from is the whole picture
    t = re.sub(
        r"\b(gone|removed|deleted|erased)\s+(?:from|out of|off)\s+(?:the |this |my )?"
        r"(?:shot|frame|video|clip|footage|picture|scene|image)\b",
        r"\1",
        t,
    )
    # "drop upbeat.mp3 in", "drop a song in there": a thing put in, not dropped out
    t = re.sub(
        r"\bdrop\s+(?:in\s+)?((?:\S+\.(?:mp3|m4a|wav|aac|ogg|flac))|(?:a|another|some|the other)\s+"
        r"(?:song|track|tune|beat|music))\s+(?:in|into|on|onto)\b(?:\s+(?:there|it|the video))?",
        r"add \1",
        t,
    )
    return t
