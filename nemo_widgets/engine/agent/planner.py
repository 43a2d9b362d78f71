"""Instruction → :class:`Plan`: the built-in planner (the language pipeline) or, when one is
configured, a language model whose calls are checked against the tools' schemas."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from nemo_widgets.engine.agent import llm
from nemo_widgets.engine.agent.language.intents import Step
from nemo_widgets.engine.agent.language.normalise import is_chinese
from nemo_widgets.engine.agent.language.plan import NO_CHANGE, understand
from nemo_widgets.engine.agent.tools import ALIASES, TOOLS, validate

log = logging.getLogger("nemo_widgets.engine")


@dataclass
class Call:
    name: str
    args: dict[str, Any]
    cost: int = 1


@dataclass
class Plan:
    calls: list[Call] = field(default_factory=list)  # the tool calls to run, in order
    reply: str | None = None  # set when the plan is only a reply (questions, help)
    steps: list[Step] = field(default_factory=list)  # every step, no-change ones included
    skipped: list[Step] = field(default_factory=list)  # negated clauses next to real edits
    zh: bool = False
    planner: str = "builtin"
    note: str = ""  # why the built-in planner answered although a model is configured

    @property
    def cost(self) -> int:
        return sum(c.cost for c in self.calls)

    def intents(self) -> list[dict[str, Any]]:
        """The plan as VOCAB calls: ``[{"tool": name, **args}]``."""
        return [{"tool": s.tool, **s.args} for s in self.steps]


#: Credits: a timeline edit; vision work (removal, background) on its first ``VISION_STEP_S``
#: seconds of clip, and then per further ``VISION_STEP_S``.
EDIT_CREDITS, VISION_CREDITS, VISION_STEP_S = 1, 5, 10


def vision_cost(state: dict[str, Any]) -> int:
    """Vision work costs by clip length: 5 credits, plus 1 for every 10 s over the first 10."""
    videos = [f for f in state.get("video_infos", []) if f.get("file_type") == "video"]
    seconds = float(videos[-1].get("duration") or 0) if videos else 0.0
    return VISION_CREDITS + max(0, int(seconds - VISION_STEP_S) // VISION_STEP_S)


def _cost(name: str, state: dict[str, Any]) -> int:
    t = TOOLS[name]
    if t.vision:
        return vision_cost(state)
    return EDIT_CREDITS if t.edits else 0


def from_steps(steps: list[Step], state: dict[str, Any], zh: bool) -> Plan:
    calls = []
    for st in steps:
        if st.tool in NO_CHANGE:
            continue
        name = ALIASES.get(st.tool, st.tool)
        args = {k: v for k, v in st.args.items() if v is not None or k == "end"}
        calls.append(Call(name, args, _cost(name, state)))
    return Plan(calls, steps=steps, zh=zh)


def builtin(text: str, state: dict[str, Any]) -> Plan:
    try:
        u = understand(text, state)
    except Exception:  # a bug in a rule must not cost the user the session: ask instead
        log.exception("the built-in planner failed on %r", text[:200])
        return Plan(steps=[Step("clarify", why="unknown")], zh=is_chinese(text))
    for st in u.steps:  # the built-in planner's calls obey the same schemas as a model's
        if st.tool not in NO_CHANGE and (err := validate(st.tool, st.args)) is not None:
            log.warning("built-in plan step does not fit its schema: %s", err)
    p = from_steps(u.steps, state, u.zh)
    p.skipped = u.skipped
    return p


def plan(text: str, state: dict[str, Any]) -> Plan:
    """Understand one instruction. Pure: reads the state, changes nothing."""
    from nemo_widgets.engine.agent.pick import pick_plan

    if (picked := pick_plan(text, state)) is not None:  # an answer to "which one?"
        return finish(picked, state)
    cfg = llm.LLMConfig.from_env()
    if cfg is None or not text.strip():
        return finish(builtin(text, state), state)
    steps, why = llm.plan_with_model(cfg, text, state)
    if steps is None:
        p = builtin(text, state)
        p.note = why
        return finish(p, state)
    p = from_steps(steps, state, is_chinese(text))
    p.planner = f"llm:{cfg.model}"
    return finish(p, state)


def _has_video(state: dict[str, Any]) -> bool:
    uploaded = any(f.get("file_type") == "video" for f in state.get("video_infos") or [])
    draft = state.get("draft") or {}
    on_timeline = any(t.get("tt") == 0 and t.get("sg") for t in draft.get("t") or [])
    return uploaded or on_timeline


def finish(p: Plan, state: dict[str, Any]) -> Plan:
    """Plans without tool calls are answered by text alone (the wire format of questions).
    An edit on a project with no video yet changes nothing and costs nothing: it says to
    upload one first (questions in the same message are still answered)."""
    if p.calls and not _has_video(state):
        from nemo_widgets.engine.agent.replies import tool_name

        asked = ("、" if p.zh else ", ").join(
            dict.fromkeys(tool_name(c.name, p.zh) for c in p.calls)
        )
        reason = (
            f"这个项目里还没有视频，所以没有做任何改动，也没有扣积分（{asked}）。请先上传视频，再说一遍。"
            if p.zh
            else f"There is no video in this project yet, so nothing was changed and no credits "
            f"were used ({asked}). Upload a video first, then ask again."
        )
        kept = [st for st in p.steps if st.tool in NO_CHANGE]
        # something essential is missing (the video): a question, not a refusal
        p.steps = [Step("clarify", {"question": reason}, why="no_video"), *kept]
        p.calls = []
    if not p.calls:
        from nemo_widgets.engine.agent.replies import no_change_reply

        p.reply = no_change_reply(p, state, None, None)
    return p
