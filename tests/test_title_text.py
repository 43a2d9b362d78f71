"""A title reads as the user typed it: numbers the normaliser turned into digits for the time
rules (第一 → 第1) come back as typed, with the user's case."""

from __future__ import annotations

import pytest

from nemo_widgets.engine.agent import plan
from tests.test_language_heldout import BARE, TITLED


@pytest.mark.parametrize(
    ("text", "state", "tool", "want"),
    [
        ("开头加个标题 写 我的第一个vlog", BARE, "add_title", "我的第一个vlog"),
        ("加标题：第三天 大理", BARE, "add_title", "第三天 大理"),
        ("标题改成 第二集", TITLED, "edit_title", "第二集"),
        ("在第5秒加标题 第十天", BARE, "add_title", "第十天"),
        ("add a title saying Day Two in Paris", BARE, "add_title", "Day Two in Paris"),
        ("add the title NEW ARRIVALS 2026", BARE, "add_title", "NEW ARRIVALS 2026"),
    ],
)
def test_title_words_are_the_users_own(text: str, state: dict, tool: str, want: str) -> None:
    steps = plan(text, state).intents()
    got = next(s for s in steps if s["tool"] == tool)
    assert got["text"] == want, steps
