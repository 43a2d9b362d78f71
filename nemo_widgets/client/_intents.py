"""Intent routing before the network, and translation of GUI phrases in the agent's replies.

The hosted agent assumes a GUI ("click the Export button"); in a notebook those become
actions the UI can offer. Some requests need no agent at all ("export", "积分").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

IntentKind = Literal["export", "credits", "status", "upload"]

_RULES: list[tuple[IntentKind, re.Pattern[str]]] = [
    (
        "export",
        re.compile(
            r"^\s*(please\s+)?(export|download|render)(\s+(it|the video|my video|now|the result|"
            r"this|mp4|as mp4|the (final )?(cut|edit|file)))?\s*[.!]?\s*$|^\s*导出|^\s*下载"
            r"|^\s*send me the video\s*[.!]?\s*$",
            re.I,
        ),
    ),
    (
        "credits",
        re.compile(
            r"^\s*(how many |my |check( my)? |show( my)? )?(credits?|balance)(\s+left)?\s*\??\s*$"
            r"|积分|余额",
            re.I,
        ),
    ),
    (
        "status",
        re.compile(r"^\s*(status|show( the)? tracks|show( the)? timeline|状态)\s*[.!?]?\s*$", re.I),
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
