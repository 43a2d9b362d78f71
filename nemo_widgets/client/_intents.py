"""Intent routing before the network, and translation of GUI phrases in the agent's replies.

The hosted agent assumes a GUI ("click the Export button"); in a notebook those become
actions the UI can offer. Some requests need no agent at all ("export", "积分").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

IntentKind = Literal["export", "credits", "status", "upload"]

_PLEASE = r"(?:please\s+|pls\s+|can you\s+|could you\s+|now\s+|ok\s+|okay\s+)*"
_THANKS = r"(?:\s*,?\s*(?:please|pls|now|for me|thanks|thank you))*\s*[.!?]*\s*"
_RULES: list[tuple[IntentKind, re.Pattern[str]]] = [
    (
        "export",
        re.compile(
            rf"^\s*{_PLEASE}(?:export|download|render|save|output)"
            r"(?:\s+(?:it|the video|my video|now|the result|this|the (?:final )?(?:cut|edit|file|"
            r"video)))?"
            r"(?:\s+(?:as|in|to)\s+(?:an?\s+)?(?:mp4|webm|mov|video|file)(?:\s+file)?|\s+mp4)?"
            rf"{_THANKS}$"
            r"|^\s*(?:请)?(?:帮我)?(?:导出|下载|渲染)(?:视频|一下|吧|成\s*mp4)?\s*[。！!]?\s*$"
            r"|^\s*send me the video\s*[.!]?\s*$",
            re.I,
        ),
    ),
    (
        "credits",
        re.compile(
            r"^\s*(?:how many |my |check(?: my)? |show(?: me)?(?: my)? |what(?:'s| is) my )?"
            r"(?:credits?|balance)(?:\s+(?:do i have\s+)?(?:left|remaining))?\s*\??\s*$"
            r"|^\s*how many credits(?: do i have| have i got| are)?(?: left| remaining)?\s*\??\s*$"
            r"|^\s*(?:我)?(?:还)?(?:有|剩)?(?:多少)?(?:积分|余额)(?:还有多少|多少|还剩多少)?\s*[?？]?\s*$",
            re.I,
        ),
    ),
    (
        "status",
        re.compile(
            rf"^\s*{_PLEASE}(?:what(?:'s|s| is) the )?status{_THANKS}$"
            rf"|^\s*{_PLEASE}(?:show|list)(?: me)?(?: the| my)? (?:tracks|timeline){_THANKS}$"
            r"|^\s*what(?:'s| is) on (?:the|my) timeline\s*\??\s*$"
            r"|^\s*(?:状态|当前状态|时间线上有什么)\s*[?？]?\s*$",
            re.I,
        ),
    ),
    ("upload", re.compile(r"^\s*(upload|上传)(\s+.*)?$", re.I)),
]


@dataclass(frozen=True, slots=True)
class Intent:
    kind: IntentKind
    text: str


def route(text: str) -> Intent | None:
    """The direct action for ``text``, or None when it is an edit for the agent."""
    for kind, rx in _RULES:
        if rx.search(text):
            return Intent(kind, text)
    return None


ActionKind = Literal["export", "state", "edit", "summary"]


@dataclass(frozen=True, slots=True)
class Action:
    """Something a GUI-minded reply asked the user to do, that the UI can do for them."""

    kind: ActionKind
    label: str
    phrase: str


_GUI: list[tuple[ActionKind, str, re.Pattern[str]]] = [
    (
        "export",
        "Export",
        re.compile(
            r"(click|press|tap|hit|use)\s+(on\s+)?(the\s+)?[\"'“]?"
            r"(export|download|render)[\"'”]?(\s+button)?|export button"
            r"|点击导出|导出按钮",
            re.I,
        ),
    ),
    (
        "summary",
        "Show timeline",
        re.compile(
            r"preview (it )?in the timeline|check the timeline"
            r"|在时间线(中|上)预览",
            re.I,
        ),
    ),
    ("state", "Refresh", re.compile(r"open the (\w+ )?panel|open the editor|打开面板", re.I)),
    ("edit", "Describe the change", re.compile(r"\bdrag\b|drop it|拖动|拖拽", re.I)),
]


def gui_actions(text: str) -> list[Action]:
    """The actions a reply refers to, in order, without repeats."""
    found: list[tuple[int, Action]] = []
    seen: set[str] = set()
    for kind, label, rx in _GUI:
        m = rx.search(text or "")
        if m and kind not in seen:
            seen.add(kind)
            found.append((m.start(), Action(kind, label, m.group(0))))
    return [a for _, a in sorted(found, key=lambda x: x[0])]
