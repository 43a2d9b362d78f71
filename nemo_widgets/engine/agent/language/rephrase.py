"""Step 1c of understanding: a request said another way, rewritten as the plain one —
what the thing should not be ("i want the man in red is not in video anymore" → remove),
in and out points (→ keep A to B), a trim said as its result ("so it's just the first
15 s" → keep), a removal named as a clean-up ("clean up the shot by removing …"), when a
thing was noticed ("still there after the trim": no edit), and chat words mid-message
("… lol remove it": a clause ends there). Lower-case text in, text out."""

from __future__ import annotations

import re


def rephrased(t: str) -> str:
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
