"""Step 3c: a removal verb — an object in the picture, or a span, a clip, the sound?

"remove the car" is an object; "remove the first 3 seconds" a span; "remove the second clip"
a clip; "remove the sound" mutes; "remove it" with nothing named asks."""

from __future__ import annotations

import re
from typing import Any

from nemo_widgets.engine.agent.language import lexicon as lx
from nemo_widgets.engine.agent.language.intents import Step, clips
from nemo_widgets.engine.agent.language.objects import (
    is_background_only,
    object_phrase,
    object_words,
)
from nemo_widgets.engine.agent.language.session import Session
from nemo_widgets.engine.agent.language.sound import volume
from nemo_widgets.engine.agent.language.spans import BEFORE_GOES, trim_cut
from nemo_widgets.engine.agent.language.times import time_range

#: "remove the red car but not the blue one", "…, but leave the blue one": one thing named
#: and another of its kind kept — the named one goes, the rest of the sentence only says what
#: stays. A set minus one ("the cars but not the blue one", "everyone except …") still asks:
#: there is no all-but removal.
_BUT_NOT = re.compile(
    r"^(?P<one>.+?)\s*,?\s*\b(?:but|and)\s+(?:not|leave|keep|don'?t (?:touch|remove))\s+"
    r"(?:the|that|this)\s+(?:[a-z]+\s+){0,3}(?:one|car|person|guy|man|woman|van|bike|truck)"
    r"(?:\s+(?:in|with|on|at)\s+(?:the\s+)?[a-z]+(?:\s+[a-z]+)?)?"
    r"(?:\s+(?:alone|there|as it is))?\s*[.!]?$"
)


def kept_other(t: str) -> str:
    """The removal without its "but not the blue one" when one specific thing is named."""
    m = _BUT_NOT.search(t)
    if m is None or not lx.REMOVE.search(m.group("one")):
        return t
    one = object_phrase(m.group("one"))
    if (
        not one
        or re.search(
            r"\b(?:all|every|each|both|everyone|everybody|everything|people|men|women)\b|s$", one
        )
        # "remove the van but not the white one": which van, then? only a van told apart
        # (the red car, the parked van) or of its own kind (the cyclist) loses its "but not"
        or not qualified(one, t[m.end("one") :])
    ):
        return t
    return m.group("one")


def _introduced(c: str) -> str | None:
    """ "there's a guy in a red jacket on the left can you remove him": the thing the clause
    introduced before the pronoun."""
    m = re.search(
        r"\bthere(?:'?s|'re| is| are|re)\s+(?:a|an|this|that|some|one|these|those)\s+(.+?)\s+"
        r"(?:can|could|would|will|please|pls|and|so|which|who|that|i want|i'd like)\b",
        c,
    )
    if m is None or not object_words(m.group(1)):
        return None
    return m.group(1)


def qualified(phrase: str, left_out: str = "") -> bool:
    """The object phrase tells its thing apart from others of its kind (a colour, parked or
    moving, a side, near or far) — or, with what is left out named, is a kind of its own
    ("the cyclist", not "the pedestrians")."""
    from nemo_widgets.engine.vision.labels import parse_target

    t = parse_target(phrase, phrase)
    if t.label and (t.motion or t.colour or t.side or t.depth):
        return True
    named, other = object_words(phrase), object_words(left_out)
    return bool(other and named and not set(named) & set(other) and not set(named) <= _GENERIC)


_EXCEPT = r"\b(?:except|but not|but|other than|apart from|besides|excluding)\b"
#: Kinds too broad to tell one thing from another on their own.
_GENERIC = {
    "person",
    "people",
    "persons",
    "man",
    "men",
    "woman",
    "women",
    "car",
    "cars",
    "thing",
    "things",
    "object",
    "objects",
    "vehicle",
    "vehicles",
    "everyone",
    "everything",
}


def _said_which(c: str, raw: str = "") -> str | None:
    """ "remove the parked cars but not the one driving past", "remove the cyclist but not
    the pedestrians": the things asked for, when a qualifier of their own (parked, a colour, a
    side) or a kind of their own leaves the others out; None for "everything except …" (no
    all-but removal)."""
    head = re.split(_EXCEPT, c)[0]
    phrase = object_phrase(head.strip(" ,"))
    if not phrase or not object_words(phrase) or re.search(r"\b(?:all|every|everyone)\b", phrase):
        return None
    rest = re.split(_EXCEPT, raw or c, maxsplit=1)
    return phrase if qualified(phrase, rest[1] if len(rest) > 1 else "") else None


#: a time said before the thing, in Chinese: "5秒到12秒之间那个…", "前5秒里的…", "第3秒的…"
_ZH_TIME_FIRST = re.compile(
    r"(?:从)?(?:第|前|后|最后)?\s*[\d:.]+\s*(?:秒|s)?(?:\s*(?:到|至|-|~|—)\s*(?:第)?\s*[\d:.]+\s*(?:秒|s)?)?"
    r"\s*(?:之间|中间|期间|之内|以内|里面|里|内|中|的时候|那段|这段)?的?\s*(?:那个|这个|那辆|这辆|那位|那只|那)?"
)


def _thing_at_a_time(c: str, phrase: str) -> Step | None:
    """An object named first, with a time after it, and a verb for things (not for spans):
    the object goes, during that time — never a trim."""
    at = re.search(r"\d", phrase)
    head = phrase[: at.start()] if at else phrase
    if not object_words(head) and (after := _ZH_TIME_FIRST.match(phrase)):
        head = phrase = phrase[after.end() :]  # "5秒到12秒之间那个骑车的人": the thing, then
    if not object_words(head) or re.search(r"\b(?:cut|trim|chop|shorten)\b|剪|截", c):
        return None
    if re.fullmatch(r"(?:the\s+)?(?:first|last|final|opening)\s*", head.strip()):
        return None
    args: dict[str, Any] = {"target": re.sub(r"\s+(?:that|which|who)\s.*$", "", phrase)}
    rng = time_range(c, 10**6)
    if rng and rng[2] in ("range", "from", "before", "first"):
        args["start"], args["end"] = rng[0], rng[1]
    return Step("remove_object", args)


def removal(c: str, s: Session, context: list[str]) -> Step | None:
    if re.search(r"\b(?:volume|level|loudness)\b|音量", c) and (st := volume(c, s)) is not None:
        return st  # "drop the volume of the street noise": quieter, not a thing removed
    if re.search(r"\bto\s+(?:\w+\s+){0,2}\d+(?:\.\d+)?\s*(?:%|percent)|到\s*\d+\s*%", c):
        # "drop it to about 20 percent": a level, never a thing removed
        return volume(c, s) or Step("clarify", why="volume_level")
    if re.search(
        r"\b(?:except|but not|other than|apart from|besides|excluding)\b|除了|以外|之外",
        f"{c} {kept_other(s.raw.lower())}",
    ) and (object_words(c) or re.search(r"其他|其余|别的|\b(?:everyone|everything|all|rest)\b", c)):
        kept = _said_which(c, s.raw.lower())
        if kept is not None:
            # "remove the parked cars but not the one driving past": the qualifier already
            # says which; what is kept only agrees with it
            return Step("remove_object", {"target": kept})
        zh = bool(re.search(r"[\u4e00-\u9fff]", c))
        q = (
            "“除了……都去掉”还做不到：请直接说要去掉哪一个，例如“去掉左边的男人”（现在没有改动）。"
            if zh
            else "I can't remove everything except one thing: say which one to remove, e.g. "
            "“remove the man on the left” (no change yet)."
        )
        return Step("clarify", {"question": q}, why="remove_what")
    phrase = object_phrase(c)
    if phrase and re.search(r"\s(?:instead|too|as well|also|then|now)$", phrase):
        phrase = re.sub(r"(?:\s+(?:instead|too|as well|also|then|now))+$", "", phrase)
    if phrase and re.search(r"[\u4e00-\u9fff]", phrase):
        # "…的路人全部删掉", "…人影也去掉": how many / "too" is not part of the thing
        phrase = re.sub(r"(?:也|都|全部|全都|统统|通通|一起|吧)+$", "", phrase) or phrase
    if phrase:  # "the portion which is from 0:16 until 0:19": the relative clause's start
        phrase = re.sub(r"\s+(?:which|that|who)(?:\s+(?:is|are|was|goes|runs))?$", "", phrase)
    if phrase and re.search(r"«\d+»", phrase):
        return None
    if phrase and (one := re.fullmatch(r"(.*\S)\s+one", phrase)) and not lx.PRONOUN.match(phrase):
        # "no, not the white car — the grey one": "one" is the thing named before
        nouns = object_words(" ".join(context) + " " + c[: c.find(phrase)]) or [
            w for w in object_words(s.raw.lower()) if w not in phrase
        ]
        if nouns:
            phrase = f"{one.group(1)} {nouns[-1]}"
    if phrase is None or lx.PRONOUN.match(phrase):
        if context:
            return Step("remove_object", {"target": _person(context[-1])})
        if (thing := _introduced(c)) is not None:
            return Step("remove_object", {"target": thing})
        if s.selection:
            return Step("remove_object", {"target": "this"})
        if lx.BACKGROUND.search(c):
            return None
        if trim_cut(c, s) is not None and time_range(c, s.total):
            return trim_cut(c, s)
        return Step("clarify", why="remove_what")
    if lx.VIDEO_SOUND.fullmatch(re.sub(r"^(?:the|all|any|this|that)\s+", "", phrase)):
        return Step(
            "mute", {"target": "video"}
        )  # "去掉原声", "视频的声音去掉", "remove the voices"
    if is_background_only(phrase):
        return None  # the background family handles it
    if re.fullmatch(
        r"(?:the |all the |all )?(?:rest|remainder|everything else|other parts?)(?: of it)?|"
        r"(?:剩下|剩余|其他|其余|别的|后面|后边)的?(?:部分|内容)?",
        phrase,
    ):
        # "…, delete everything else", "剩下的都删掉": the part named before stays; alone, ask
        return Step("clarify", why="trim_which")
    if BEFORE_GOES.search(c) or re.fullmatch(
        r"(?:everything|anything|all|the (?:part|bit|stuff)) (?:before|until)(?: (?:it|that))?|"
        r"(?:之前|前面|前边)的?",
        phrase,
    ):
        # "…, drop everything before": a span, said with the clause before (never an object)
        return trim_cut(c, s) or Step("clarify", why="trim_which")
    if re.fullmatch(
        r"第?\s*[一二三四五六七八九十\d]+\s*(?:个)?段|最后(?:一|1)?\s*(?:个)?段", phrase
    ):
        # "把第二段删掉", "删掉最后一段": a clip by its number, never seconds or an object
        st = clips(c, s)
        return st if st is not None and len(s.clips) > 1 else Step("clarify", why="which_clip")
    explicit = re.search(
        r"\d+\s*(?:s|sec|secs|seconds?|mins?|minutes?)\b|秒|\d:\d|^\d+(?:\.\d+)?$|"
        r"\b(?:seconds?|secs?)\s+\d",
        phrase,
    )
    vague = time_range(phrase, s.total) or re.search(
        r"^(?:the )?(?:end|ending|beginning|start|intro|outro|rest|remainder|opening)$|开头|结尾|"
        r"中间",
        phrase,
    )
    if explicit and (thing := _thing_at_a_time(c, phrase)) is not None:
        return thing  # "remove the car that shows up in the first 5 seconds": the car, then
    if explicit or (vague and not object_words(phrase)):
        return trim_cut(c, s) or Step("clarify", why="trim_which")
    part = re.fullmatch(
        r"(?:the )?(?:[a-z]+\s+){0,3}?(?:part|section|bit|portion|piece|segment|clip part|"
        r"moment|stretch)s?",
        phrase,
    ) and not object_words(phrase)
    if part or re.fullmatch(r"这段|那段|这部分|那部分", phrase):
        # "take out the boring bit from 0:15 to 0:18": a span of time, never a thing
        span = trim_cut(c, s) if time_range(c, s.total) else None
        if span is not None:
            return span
        if part and not lx.CLIP.search(phrase):
            return Step("clarify", why="trim_which")
    if lx.CLIP.search(phrase) and not object_words(phrase):
        st = clips(c, s)
        return st or Step("clarify", why="which_clip")
    if re.fullmatch(r"(?:the |all |any )?(?:sound|audio|noise|volume)", phrase) or phrase in (
        "声音",
        "音频",
    ):
        return Step("mute", {"target": "video" if not s.music else "all"})
    if re.fullmatch(r"(?:everything|all|anything|stuff|something|things?)", phrase):
        if time_range(c, s.total) is not None:
            return trim_cut(c, s) or Step("clarify", why="trim_which")  # "from 10s on delete all"
        return Step("clarify", why="remove_what")
    if not object_words(phrase) and re.search(
        r"\d|%|\b(?:seconds?|secs?|minutes?|first|last|final|half|quarter|third|beginning|ending|"
        r"percent|times?)\b|[秒头尾前后半各倍]",
        phrase,
    ):
        # "头尾各", "last for seconds": what is left is words about time or amount, no thing
        return Step("clarify", why="remove_what")
    args: dict[str, Any] = {"target": _person(phrase)}
    rng = time_range(c, s.total)
    if rng and rng[2] in ("range", "from", "before"):
        args["start"], args["end"] = rng[0], rng[1]
    return Step("remove_object", args)


def _person(phrase: str) -> str:
    """ "骑车的" → "骑车的人", "穿红衣服的男的" → "穿红衣服的男人": a thing named by what it
    does, or 男的/女的, is a person, named as one."""
    if not re.search(r"[\u4e00-\u9fff]", phrase):
        return phrase
    phrase = re.sub(r"(男|女)的$", r"\1人", phrase)
    acts = re.search(r"[骑穿戴走跑站坐拿抱牵推打背遛开]", phrase)
    return phrase + "人" if phrase.endswith("的") and acts else phrase


#: Colour words people use for a thing, beyond the detector's own (they read as said).
_HUES = (
    r"red|blue|green|yellow|white|black|grey|gray|silver|orange|brown|purple|pink|maroon|navy|"
    r"beige|teal|burgundy|cream|gold|golden|tan|olive|khaki|turquoise|violet|magenta|crimson|"
    r"dark \w+|light \w+"
)
_RECOLOUR = re.compile(
    r"(?:(?:actually|well|no|oh|hmm+|wait|sorry|oops)[\s,]+)*"
    r"(?:it'?s|its|it is|that'?s|thats|they'?re|they are|the colou?r is)\s+"
    r"(?:(?:actually|really|more|kind of|kinda|sort of|more like|more of|closer to|a bit)\s+)*"
    rf"(?:an?\s+)?(?P<hue>{_HUES})(?:\s+(?:one|colou?r|actually|really))?"
    rf"(?:\s*,?\s*(?:than|not|rather than|instead of)\s+(?:{_HUES}))?"
)


def recoloured(clause: str, thing: str) -> str | None:
    """ "remove the red car, actually it's more maroon than red": the thing named before in
    the colour now said; None when the clause says no new colour of it. The bare phrase that
    may follow ("… the maroon car") then names the same thing again."""
    c = clause.strip(" .!…").lower()
    m = _RECOLOUR.fullmatch(c)
    if m is None:
        words = re.sub(r"^(?:the|that|this)\s+", "", c).split()
        if len(words) >= 2 and set(words) <= set(thing.lower().split()):
            return thing  # "…, the maroon car": said again, nothing new
        return None
    hue = m.group("hue")
    old = re.search(rf"\b(?:{_HUES})\b", thing)
    if old is not None:
        return (thing[: old.start()] + hue + thing[old.end() :]).strip()
    return f"{hue} {thing}"
