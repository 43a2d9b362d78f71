"""A reply to the remove tool's question: "the second one", "第二个", "the white one".

When the last removal asked which of its numbered candidates was meant
(``state["candidates"]``), a short message that picks one becomes a ``remove_object`` call
with ``candidate`` set. Anything else goes to the planner as usual.
"""

from __future__ import annotations

import re
from typing import Any

_ORDINALS = {
    "first": 1,
    "1st": 1,
    "one": 1,
    "1": 1,
    "一": 1,
    "1号": 1,
    "second": 2,
    "2nd": 2,
    "two": 2,
    "2": 2,
    "二": 2,
    "两": 2,
    "third": 3,
    "3rd": 3,
    "three": 3,
    "3": 3,
    "三": 3,
}
_LEAD = (
    r"^(?:(?:ok|okay|yes|yeah|it's|it is|that's|that is|i mean|remove|delete|erase|take out|"
    r"get rid of|pick|choose|select|number|no\.?|#)\s*)*(?:the\s+)?"
)
_EN = re.compile(
    _LEAD + r"(first|1st|second|2nd|third|3rd|last|one|two|three|[123])"
    r"(?:\s+(?:one|thing|object|candidate))?(?:\s+please)?[.!]?$"
)
_ZH = re.compile(r"^(?:去掉|删掉|删除|选|就是|是)?\s*第?\s*([一二两三123])\s*(?:个|号)?(?:吧|。)?$")
_ZH_LAST = re.compile(r"^(?:去掉|删掉|选|就是|是)?\s*最后(?:一)?个(?:吧|。)?$")
_DESC = re.compile(
    _LEAD + r"(?:(?P<colour>[a-z]+)\s+one|one\s+(?:on|in)\s+the\s+"
    r"(?P<side>left|right|middle|centre|center|top|bottom)(?:\s+corner)?)[.!]?$"
)


def picked(text: str, items: list[dict[str, Any]]) -> int | None:
    """The candidate (1-based) that ``text`` picks among ``items``, or None."""
    low = text.strip().lower()
    n = len(items)
    if not n or len(low) > 60:
        return None
    m = _EN.match(low)
    if m:
        k = n if m.group(1) == "last" else _ORDINALS.get(m.group(1))
        return k if k is not None and 1 <= k <= n else None
    m = _ZH.match(low)
    if m:
        k = _ORDINALS.get(m.group(1))
        return k if k is not None and 1 <= k <= n else None
    if _ZH_LAST.match(low):
        return n
    m = _DESC.match(low)
    if m:
        colour, side = m.group("colour"), m.group("side")
        hits = [
            it["n"]
            for it in items
            if (colour and it.get("colour") == colour.replace("gray", "grey"))
            or (
                side
                and _side_of(it) == side.replace("center", "centre").replace("middle", "centre")
            )
        ]
        return hits[0] if len(hits) == 1 else None
    return None


def _side_of(item: dict[str, Any]) -> str:
    cx, cy = item.get("centre") or (0.5, 0.5)
    if cy < 0.3 and 0.25 < cx < 0.75:
        return "top"
    if cy > 0.7 and 0.25 < cx < 0.75:
        return "bottom"
    return "left" if cx < 1 / 3 else "right" if cx >= 2 / 3 else "centre"


#: "Both" / "all of them" after "which car?": every object of the class.
_ALL_PICK = re.compile(
    _LEAD + r"(?:both|all|all of them|them all|both of them|all (?:two|three|3)|every one"
    r"(?: of them)?)(?:\s+please)?[.!]?$"
    r"|^(?:都|全部|全都|两个都|三个都)(?:删掉|删了|去掉|删|要删)?(?:吧|。)?$"
)


_BURNT_IN = re.compile(
    r"^(?:please\s+)?(?:remove|delete|erase|get rid of|take out|hide)\s+(?:the\s+|that\s+)?"
    r"((?:\w+\s+)?(?:text|caption|captions|subtitles?|words|writing|lettering)\b.*?)[.!]?$"
)


def _has_title(state: dict[str, Any]) -> bool:
    d = state.get("draft") or {}
    return any(t.get("tt") == 7 and t.get("sg") for t in d.get("t") or [])


def pick_plan(text: str, state: dict[str, Any]) -> Any:
    """A plan that removes the picked candidate, or None when ``text`` picks none. Also:
    "remove the text in the corner" on a timeline without titles means text burnt into the
    picture (an overlay to remove), not a title."""
    from nemo_widgets.engine.agent.language.intents import Step
    from nemo_widgets.engine.agent.language.normalise import is_chinese
    from nemo_widgets.engine.agent.planner import from_steps

    pending = state.get("candidates") or {}
    if pending.get("named") and _ALL_PICK.match(text.strip().lower()):
        step = Step("remove_object", {"target": f"all {pending.get('words') or 'of them'}"})
        return from_steps([step], state, is_chinese(text))
    k = picked(text, pending.get("items") or [])
    if k is None:
        m = _BURNT_IN.match(text.strip().lower())
        if m and not _has_title(state):
            return from_steps([Step("remove_object", {"target": m.group(1)})], state, False)
        return None
    step = Step("remove_object", {"target": str(pending.get("words") or "it"), "candidate": k})
    return from_steps([step], state, is_chinese(text))
