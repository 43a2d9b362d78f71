"""The numbers a message gives (times, percentages, factors, ratios, fractions) and which of
them no argument of a plan explains — a number left over means the plan missed a step, bound
the number to the wrong slot, or kept a value the user corrected (see guard.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from nemo_widgets.engine.agent.language.context import imagine
from nemo_widgets.engine.agent.language.intents import Step
from nemo_widgets.engine.agent.language.read import NO_CHANGE
from nemo_widgets.engine.agent.language.session import Session
from nemo_widgets.engine.agent.language.times import parse_time

#: Aspect ratios people type; any other N:M is a clock time.
RATIOS = {"1:1", "9:16", "16:9", "4:5", "5:4", "3:4", "4:3", "21:9", "2:3", "3:2", "2:1", "1:2"}
_NUM = r"\d+(?:\.\d+)?"
_MENTION = re.compile(
    rf"(?P<ratio>(?<![\d:.])\d{{1,2}}\s*[:：]\s*\d{{1,2}}(?![\d:]|\.\d))"
    rf"|(?P<clock>(?<![\d.])(?:\d+:)?\d+:\d+(?:\.\d+)?)"
    rf"|(?P<minsec>{_NUM}\s*(?:m|mins?|minutes?|分钟|分)\s*{_NUM}\s*(?:s|secs?|seconds?|秒钟?)?)"
    rf"|(?P<time>{_NUM})\s*(?P<unit>ms|s|secs?|seconds?|秒钟?|mins?|minutes?|分钟)(?![a-z])"
    rf"|(?P<pct>{_NUM})\s*(?:%|percent\b|pct\b)|百分之\s*(?P<pct2>{_NUM})"
    rf"|(?P<factor>{_NUM})\s*(?:x|×|倍速?|times)(?![a-z\d])"
    rf"|(?P<frac>(?<![\d.])\d\s*/\s*\d(?![\d]))"
    rf"|(?P<bare>(?<![A-Za-z0-9_.#«第])\d+(?:\.\d+)?(?![\w.%»]|\s*(?:个|辆|人|只|位|条|段|张|首|次|号|帧|"
    rf"frames?|fps|px|db|k\b|p\b|people|cars?|persons?|things?|times|steps|clips?|songs?)))"
)
#: A bare number is about the edit only where it is placed like one: "to 12", "at 12",
#: "12 to 15", "no, 12", "就12吧".
_BARE_CONTEXT = re.compile(
    r"(?:\bto|\bat|\bfrom|\buntil|\btill|\bby|\bthan|\bof|到|至|在|就|成|为|调到|改成|->|→|[-–~—,，]|"
    r"\bno|\bnope|\bactually|\bwait|\bsorry|\bmean|\bmake (?:it|that)|\bspeed|\bvolume|\blevel)"
    r"\s*$"
)


@dataclass
class Mention:
    kind: str  # time, level, factor, ratio, fraction, bare
    value: float | str
    said: str
    end: str = ""  # the end of the video it is counted from: "first", "last" or ""
    at: int = -1  # where in the text


def mentions(text: str) -> list[Mention]:
    """The numbers a normalised message gives, each with what kind of value it is."""
    t = re.sub(r"«\d+»", " ", text)  # quoted words (a title's text) are no numbers of an edit
    t = re.sub(r"\b[\w-]+\.(?:mp4|mov|mp3|wav|m4a|jpg|jpeg|png|webp|gif)\b", " ", t)
    out: list[Mention] = []
    for m in _MENTION.finditer(t):
        said = m.group(0).strip()
        if m.group("ratio") is not None:
            r = re.sub(r"\s|：", lambda x: ":" if x.group(0) == "：" else "", m.group("ratio"))
            if r in RATIOS:
                out.append(Mention("ratio", r, said, at=m.start()))
                continue
            if (v := parse_time(r)) is not None:
                out.append(Mention("time", v, said, at=m.start()))
        elif m.group("clock") or m.group("minsec") or m.group("time"):
            if (v := parse_time(said)) is not None:
                out.append(Mention("time", v, said, at=m.start()))
        elif m.group("pct") is not None or m.group("pct2") is not None:
            out.append(
                Mention("level", float(m.group("pct") or m.group("pct2")) / 100, said, at=m.start())
            )
        elif m.group("factor") is not None:
            out.append(Mention("factor", float(m.group("factor")), said, at=m.start()))
        elif m.group("frac") is not None:
            a, b = (float(x) for x in m.group("frac").split("/"))
            if b:
                out.append(Mention("fraction", a / b, said, at=m.start()))
        elif m.group("bare") is not None and _BARE_CONTEXT.search(t[: m.start()]):
            out.append(Mention("bare", float(m.group("bare")), said, at=m.start()))
    return out


def close(a: float, b: float) -> bool:
    return abs(a - b) <= max(0.06, 0.02 * abs(b))


#: Arguments that are times on the timeline, and what a tool fills in when one is not given.
_TIMES = ("start", "end", "at", "duration")
_DEFAULTS = {"add_title": {"start": 0.0, "duration": 3.0}}


Value = tuple[str, float | str]  # (what it can be said as: t time, f fraction, n number, r ratio)


def _slots(steps: list[Step], state: dict[str, Any]) -> tuple[list[list[Value]], list[Value]]:
    """Per numeric argument of the plan's edits, the values it explains (its own first), and
    the values every mention may use (the lengths of the video before and after each edit)."""
    s = Session.of(state)
    slots: list[list[Value]] = []
    free: list[Value] = []
    for st in steps:
        if st.tool in NO_CHANGE:
            continue
        total = float(s.total or 0.0)
        free.append(("t", total))
        a = {**_DEFAULTS.get(st.tool, {}), **st.args}
        if "end" in a and a["end"] is None:
            a["end"] = total  # to the end
        nums = {k: float(a[k]) for k in _TIMES if isinstance(a.get(k), int | float)}
        for k, v in nums.items():
            c: list[Value] = [("t", v)]
            if total:
                # "the last 5 s" ends 5 s before the end; "halfway"
                c += [("t", total - v), ("f", v / total)]
            c += [("t", abs(v - o)) for j, o in nums.items() if j != k]  # a length
            c += [("t", v + o) for j, o in nums.items() if j != k]  # start + duration: the end
            slots.append(c)
        for k, v in a.items():
            if k in _TIMES or isinstance(v, bool):
                continue
            if isinstance(v, int | float):
                f = float(v)
                c = [("n", f), ("n", f * 100)]
                if k in ("level", "volume") and (now := float(s.music_volume or 0.0)):
                    # "down 20%": from the level now
                    c += [("n", abs(now - f)), ("n", abs(1 - f / now))]
                if f:
                    # a factor said as "50% faster", "快一倍", "half", or as the length it gives
                    c += [("n", 1 / f), ("n", abs(f - 1)), ("n", abs(1 / f - 1)), ("t", total / f)]
                slots.append(c)
            elif isinstance(v, str) and k == "ratio":
                slots.append([("r", v), *(("n", float(x)) for x in v.split(":") if x.isdigit())])
        imagine(s, st)
    free.append(("t", float(s.total or 0.0)))
    return slots, free


#: What each kind of mention can be explained by.
_AS = {"time": "t", "fraction": "f", "level": "n", "factor": "n", "ratio": "r", "bare": "tnf"}


def _fits(m: Mention, v: Value) -> bool:
    kind, x = v
    if kind not in _AS[m.kind]:
        return False
    if isinstance(x, str) or isinstance(m.value, str):
        return m.value == x
    if kind == "t":
        return close(m.value, x)  # seconds: within 0.06 s
    near = abs(m.value - x) <= max(0.005, 0.02 * abs(x))  # a level, a factor, a fraction
    return near or (m.kind == "bare" and kind == "n" and abs(m.value / 100 - x) <= 0.005)


#: After these, the numbers said before are taken back ("trim to 10 s — no, 12").
_CORRECTED = re.compile(
    r"\b(?:no|nah|nope|wait|actually|i mean|i meant|sorry|oops|make that|rather|correction|"
    r"instead|scratch that|or)\b|不对|不是|算了|说错了|我是说|应该是|哦不|改成|还是|或者"
)
#: A number said only to be refused ("not 2x, 1.5x", "不要10秒").
_REFUSED = re.compile(
    r"(?:\bnot|n'?t|\bno|\binstead of|\brather than|不是|不要|别|不用)\s*\S{0,8}$"
)
#: Edits that take no number of this kind: a time said with them says when a thing is seen.
_NO_NUMBERS = ("remove_object", "replace_background", "undo", "redo")


_FIRST = r"\b(?:first|opening|beginning|start|head)\b|开头|片头|前"
_LAST = r"\b(?:last|final|closing|ending|end|tail)\b|结尾|片尾|最后|后"


def loose_numbers(text: str, steps: list[Step], state: dict[str, Any]) -> list[Mention]:
    """The numbers of the message no argument of the plan explains. Each argument explains
    one mention (its own value) — "the first 2 s and the last 2 s" needs two — and any
    number of mentions through what follows from it (a length, the time left to the end)."""
    edits = [st for st in steps if st.tool not in NO_CHANGE]
    if not edits or all(st.tool in _NO_NUMBERS for st in edits):
        return []
    t = re.sub(r"«\d+»", " ", text)
    for st in edits:  # a title's words, typed without quotes ("SALE 50% OFF")
        if isinstance(words := st.args.get("text"), str) and words.strip():
            t = re.sub(re.escape(words.strip().lower()), " ", t)
    said = mentions(t)
    if not said:
        return []
    for m in said:
        before = t[max(0, m.at - 25) : m.at]
        ends = re.findall(rf"{_FIRST}|{_LAST}", before)
        m.end = ("first" if re.fullmatch(_FIRST, ends[-1]) else "last") if ends else ""
    last = max((m.end() for m in _CORRECTED.finditer(t)), default=-1)
    slots, free = _slots(steps, state)
    used = [False] * len(slots)
    loose = []
    seen: list[Mention] = []
    for m in said:
        if any(m.kind == o.kind and m.value == o.value and m.end == o.end for o in seen):
            continue  # "the first 2 s are shaky, cut the first 2 s": the same span said again
        seen.append(m)
        at = m.at
        direct = [i for i, c in enumerate(slots) if not used[i] and _fits(m, c[0])]
        if direct:
            used[direct[0]] = True
            continue
        if any(_fits(m, x) for c in slots for x in c[1:]) or any(_fits(m, x) for x in free):
            continue
        if 0 <= at < last or (at >= 0 and _REFUSED.search(t[:at])):
            continue  # corrected or refused: not asked for
        loose.append(m)
    return loose
