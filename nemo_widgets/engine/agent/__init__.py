"""The engine's agent: what people type → a plan of typed tool calls, run and streamed as
ADK events.

The layout follows the flow:

- :mod:`.language` — normalise → clauses → intent and slots → plan (the built-in planner,
  offline, English and Chinese);
- :mod:`.tools` — each tool a typed function; its JSON schema comes from its signature and
  is shared by every planner (:mod:`.llm`, an optional OpenAI-compatible model, uses it too);
- :mod:`.planner` — picks the planner and prices the plan;
- :mod:`.run` — the run loop that streams ``functionCall`` / ``functionResponse`` events and
  one reply (:mod:`.replies`).
"""

from __future__ import annotations

from nemo_widgets.engine.agent.language.normalise import is_chinese
from nemo_widgets.engine.agent.language.times import parse_time
from nemo_widgets.engine.agent.planner import Call, Plan, plan
from nemo_widgets.engine.agent.run import Agent
from nemo_widgets.engine.agent.tools import TOOLS
from nemo_widgets.engine.toolkit import ToolContext, ToolResult

__all__ = [
    "TOOLS",
    "Agent",
    "Call",
    "Plan",
    "ToolContext",
    "ToolResult",
    "is_chinese",
    "parse_time",
    "plan",
]
