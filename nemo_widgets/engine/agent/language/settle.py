"""Step 5: the steps read clause by clause, settled as one plan — a reason another step
already acts on goes, a platform named as context is no aspect request, a question another
step answers goes, and the words come back in the characters they were typed in."""

from __future__ import annotations

import itertools
import re
from typing import Any

from nemo_widgets.engine.agent.language.intents import Step
from nemo_widgets.engine.agent.language.moods import ASKED, DROP_ALL
from nemo_widgets.engine.agent.language.read import NO_CHANGE
from nemo_widgets.engine.agent.language.spelling import as_typed


def settle(u: Any, clauses: list[str], remarks: list[Step], raw: str) -> None:
    """``u`` (an Understanding) with its steps settled, in place."""
    u.steps = _once(u.steps)
    if any(st.tool in ("set_volume", "mute") and st.why != "drowned" for st in u.steps):
        u.steps = [st for st in u.steps if st.why != "drowned"]  # the reason for that change
    u.steps = [
        Step("clarify", why="which_music")
        if st.why == "same" and st.tool == "replace_music"
        else st
        for st in u.steps
    ]  # "换成 lofi" while lofi plays: which song, then?
    aspect_fill(u, raw)
    if re.search(r"%|percent|音量|\bvolume\b", raw):  # "not 50%, put the music at 25": a level
        u.steps = [
            Step("set_volume", {"target": "music", "level": st.args["level"]})
            if st.why == "level_or_time"
            else st
            for st in u.steps
        ]
    _one_level(u)
    _one_undo(u, clauses, raw)
    if _music_goes(u.steps) and re.search(r"太|吵|\btoo\b|\bso\b", raw):
        # "lofi太吵了，换upbeat", "BGM删了吧 太吵", "get rid of the music, it's too loud": the
        # complaint is why the song goes (or falls silent), not one more volume change
        u.steps = [
            st
            for st in u.steps
            if not (
                st.tool == "set_volume"
                and st.args.get("relative") == "down"
                and (st.args.get("target") == "music" or not _VOICE.search(raw))
            )
        ]
    _one_fade(u, clauses)
    if any(st.tool not in NO_CHANGE for st in u.steps):
        u.steps = [st for st in u.steps if st.tool != "help"]  # "我是新手，帮我剪掉前5秒"
    helps = [st for st in u.steps if st.tool == "help"]
    u.steps = [
        st for st in u.steps if st.tool != "help" or st is helps[0]
    ]  # "i'm new, where do i start?"
    purpose = [st for st in u.steps if st.tool == "set_aspect" and st.why == "purpose"]
    if purpose and any(
        (st.tool not in NO_CHANGE or st.tool == "export") and st not in purpose for st in u.steps
    ):
        # the platform was context for another edit or the export ("导出吧，我要发视频号"), not
        # an aspect request: leave it, say so
        u.steps = [st for st in u.steps if st not in purpose]
        u.skipped += [
            Step("decline", {"what": "set_aspect", "ratio": st.args["ratio"]}, why="purpose")
            for st in purpose
        ]
    acts = [st for st in u.steps if st.tool not in ("decline",)]
    if acts and any(st.tool not in NO_CHANGE for st in acts):
        u.skipped += [st for st in u.steps if st.tool == "decline"]
        u.steps = [
            st
            for st in u.steps
            if st.tool != "clarify" or (st.why != "unknown" and not any(st is r for r in remarks))
        ]
        u.steps = [st for st in u.steps if st.tool != "decline"]
    elif len(u.steps) > 1:
        known = [st for st in u.steps if not (st.tool == "clarify" and st.why == "unknown")]
        keep = [st for st in known if st.tool not in ("decline", "clarify")] or known[:1]
        # "不要加音乐，直接导出": the export is the plan; the reply says what was not done
        u.skipped += [st for st in known if st.tool == "decline" and keep and st not in keep]
        u.steps = keep or u.steps[:1]
    if len(clauses) > 1 and DROP_ALL.fullmatch(clauses[-1].strip(" .!,")):
        u.steps = [Step("decline", why="cancel")]  # "I was going to ask you to trim it but nvm"
    if [st.why for st in u.steps] == ["unsupported"] and ASKED.search(raw):
        u.steps = [Step("answer", {"about": "unsupported"}, why=raw)]  # "can you add stickers?"
    if not u.steps:
        u.steps.append(Step("clarify", why="unknown"))
    for st in u.steps:  # things and words in the characters they were typed in
        for k in ("target", "text"):
            if isinstance(st.args.get(k), str):
                st.args[k] = as_typed(st.args[k], raw)


#: The background meant as the bars an aspect change leaves, not the scene behind someone.
_FILL = re.compile(
    r"\bfill|\bsides?\b|\bbars?\b|\bedges?\b|\bgaps?\b|\bempty\b|\btop and bottom\b|"
    r"填充|填满|两边|两侧|上下|左右|空白|黑边|"
    # "竖版 背景模糊那种", "vertical, the blurred background kind": a style of the frame
    r"那种|那样|样式|效果|\b(?:kind|style|type|version|look)\b"
)
_SUBJECT = re.compile(r"\bbehind (?:me|him|her|them|the)\b|\bperson\b|人物|人像|主体|人后面")


#: Words about how a picture fills a new frame: with them, "portrait mode" is the frame's shape.
_FRAME_FIT = re.compile(
    r"\bfill (?:the )?(?:frame|screen|whole screen)\b|\bno (?:black )?bars\b|\bwithout (?:black )?"
    r"bars\b|\bcrop (?:to fill|it|the sides)\b|\bfull ?screen\b|\bletterbox|\bedge to edge\b"
)


def aspect_fill(u: Any, raw: str) -> None:
    """An aspect change and a blurred background in one message: "转成9:16，背景模糊填充",
    "vertical, blur the sides to fill" — the aspect's blurred fill, not a new background; and
    "portrait mode" next to a vertical platform is the vertical frame, not a bokeh."""
    aspect = next((st for st in u.steps if st.tool == "set_aspect"), None)
    blur = [
        st for st in u.steps if st.tool == "replace_background" and st.args.get("mode") == "blur"
    ]
    low = raw.lower()
    if (
        aspect is None
        and len(blur) == 1
        and re.search(r"\bportrait mode\b", low)
        and _FRAME_FIT.search(low)
        and not _SUBJECT.search(low)
    ):
        # "portrait mode pls, fill the frame no black bars": the frame's shape, filled
        at = u.steps.index(blur[0])
        u.steps[at] = Step("set_aspect", {"ratio": "9:16", "fit": "fill"})
        return
    if aspect is None or not blur:
        return
    if re.search(r"\bportrait mode\b|人像模式", low) and aspect.args.get("ratio") == "9:16":
        u.steps = [st for st in u.steps if st not in blur]
        aspect.why = ""  # "portrait mode pls, its for youtube shorts": asked, not context
        return
    if _FILL.search(low) and not _SUBJECT.search(low):
        u.steps = [st for st in u.steps if st not in blur]
        aspect.args["fit"] = "blur"
        aspect.why = ""


def _one_level(u: Any) -> None:
    """ "way too loud, bring it down to like 30 percent": a nudge and then the level it goes to,
    on the same thing — the level is the request, the nudge only its complaint."""
    keep: list[Step] = []
    for i, st in enumerate(u.steps):
        nxt = u.steps[i + 1] if i + 1 < len(u.steps) else None
        if (
            nxt is not None
            and st.tool == nxt.tool
            and st.tool in ("set_volume", "set_speed")
            and "relative" in st.args
            and "relative" not in nxt.args
            and st.args.get("target") == nxt.args.get("target")
        ):
            continue
        keep.append(st)
    u.steps = keep


_COUNTED = re.compile(
    r"\b(?:two|three|twice|thrice|again|both|\d+)\b|[两二三俩再\d]|又", re.IGNORECASE
)
_UNWANTED = re.compile(
    r"不要了|不要|不想要|错了|\bdidn'?t mean\b|\bdon'?t want\b|\bmistake\b|\bwrong\b|"
    r"\boops\b|\bmy bad\b",
    re.IGNORECASE,
)


def _one_undo(u: Any, clauses: list[str], raw: str) -> None:
    """ "刚才那步不要了，撤回": the step not wanted and the undo that takes it back are one undo,
    said twice — unless a count says more ("撤销两步", "undo twice")."""
    if (
        any(st.tool == "undo" for st in u.steps)
        and all(st.tool in ("undo", "clarify") for st in u.steps)
        and (_UNWANTED.search(raw) or re.search(r"错", raw))
    ):
        # "I didn't mean to trim it, put it back", "剪错了 恢复成剪之前的样子": the mistake is
        # why the undo is asked, not a request of its own
        u.steps = [st for st in u.steps if st.tool == "undo"]
    undos = [st for st in u.steps if st.tool == "undo"]
    if (
        len(undos) > 1
        and len(undos) == len(u.steps)
        and len(clauses) > 1
        and _UNWANTED.search(raw)
        and not _COUNTED.search(raw)
    ):
        u.steps = undos[:1]


def _music_goes(steps: list[Step]) -> bool:
    """The music is removed, replaced or silenced by one of ``steps``."""
    return any(
        st.tool in ("replace_music", "remove_music")
        or (st.tool == "mute" and st.args.get("target") in ("music", "all"))
        for st in steps
    )


#: the clip's own sound, named
_VOICE = re.compile(
    r"原声|人声|说话|环境声|噪音|\b(?:voice|voices|talking|speech|original (?:sound|audio)|noise|"
    r"video'?s? (?:sound|audio))\b"
)


#: a clause that only says "fade out" / "淡出", with nothing of what or how long
_BARE_FADE = re.compile(
    r"(?:(?:then\s+|and\s+)?fade\s+(?:it\s+|that\s+)?(?:out|in)|(?:然后|再)?(?:淡出|淡入|渐隐|渐显))"
    r"[吧了一下]*"
)


def _one_fade(u: Any, clauses: list[str]) -> None:
    """ "声音最后慢慢变小 淡出": the bare "fade out" names the fade the clause before described
    (the sound's), not a second one of picture and sound."""
    fades = [st for st in u.steps if st.tool == "fade"]
    if (
        len(fades) != 2
        or len(clauses) != 2
        or fades[0].args.get("direction") != fades[1].args.get("direction")
    ):
        return
    if not _BARE_FADE.fullmatch(clauses[1].strip(" .!,。！，").lower()):
        return
    first, bare = fades
    if bare.args.get("target") == "both" and first.args.get("target") != "both":
        u.steps = [st for st in u.steps if st is not bare]


def _once(steps: list[Step]) -> list[Step]:
    """A no-change answer asked twice in a row given once: "where are we at with the project,
    what have i got so far" (one status); "i'm new to this, what do i do" (the help answers
    it)."""
    return steps[:1] + [
        st
        for last, st in itertools.pairwise(steps)
        if not (
            (
                st.tool in ("status", "credits", "help", "export")
                and (st.tool, st.args) == (last.tool, last.args)
            )
            or (st.tool, last.tool, st.args.get("about")) == ("answer", "help", None)
        )
    ]
