"""An optional language-model planner over any OpenAI-compatible chat-completions endpoint
(OpenAI, vLLM, llama.cpp's server, Ollama): ``NEMO_LLM_BASE_URL``, ``NEMO_LLM_MODEL``,
``NEMO_LLM_API_KEY``, ``NEMO_LLM_TIMEOUT`` (seconds, default 20).

The model gets the instruction, the session's summary and the tools' JSON schemas; every call
it returns is checked against the same schemas. No endpoint, a timeout, an error or one
invalid call → None, and the built-in planner answers instead.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

import httpx

from nemo_widgets.draft import summary
from nemo_widgets.engine.agent.language.intents import Step
from nemo_widgets.engine.agent.tools import (
    NO_CHANGE_SCHEMAS,
    no_change_tools,
    openai_tools,
    validate,
)

SYSTEM = (
    "You are the planner of a video editor. Turn the user's instruction into tool calls, in "
    "order, one per edit. Never guess: if two readings are plausible or something essential "
    'is missing, call clarify. A negated request ("don\'t add music") calls decline. A '
    "question calls answer and changes nothing. Times are seconds. Volume levels are 0..1."
)


@dataclass(frozen=True)
class LLMConfig:
    base_url: str
    model: str
    api_key: str | None = None
    timeout: float = 20.0

    @classmethod
    def from_env(cls) -> LLMConfig | None:
        base = os.environ.get("NEMO_LLM_BASE_URL", "").strip()
        if not base:
            return None
        return cls(
            base.rstrip("/"),
            os.environ.get("NEMO_LLM_MODEL", "").strip() or "default",
            os.environ.get("NEMO_LLM_API_KEY") or None,
            float(os.environ.get("NEMO_LLM_TIMEOUT", "20") or 20),
        )


def _session_summary(state: dict[str, Any]) -> str:
    files = ", ".join(
        f"{f.get('filename')} ({f.get('file_type')}, {float(f.get('duration') or 0):.1f} s)"
        for f in state.get("video_infos", [])
    )
    return f"Uploaded files: {files or 'none'}. {summary(state.get('draft'))}."


def plan_with_model(
    cfg: LLMConfig, text: str, state: dict[str, Any]
) -> tuple[list[Step] | None, str]:
    """The model's plan as steps, or (None, why it could not be used)."""
    url = cfg.base_url + ("" if cfg.base_url.endswith("/chat/completions") else "/chat/completions")
    headers = {"Authorization": f"Bearer {cfg.api_key}"} if cfg.api_key else {}
    body = {
        "model": cfg.model,
        "messages": [
            {"role": "system", "content": SYSTEM},
            {"role": "system", "content": "Session: " + _session_summary(state)},
            {"role": "user", "content": text},
        ],
        "tools": openai_tools() + no_change_tools(),
        "tool_choice": "auto",
        "temperature": 0,
    }
    try:
        r = httpx.post(url, json=body, headers=headers, timeout=cfg.timeout)
        r.raise_for_status()
        msg = r.json()["choices"][0]["message"]
    except httpx.TimeoutException:
        return None, "timeout"
    except (httpx.HTTPError, ValueError, KeyError, IndexError, TypeError) as e:
        return None, f"error: {type(e).__name__}"
    calls = msg.get("tool_calls") or []
    if not calls:
        content = (msg.get("content") or "").strip()
        return ([Step("answer", {"text": content})], "") if content else (None, "empty answer")
    steps = []
    for c in calls:
        fn = c.get("function") or {}
        name = fn.get("name")
        try:
            args = fn.get("arguments") or {}
            args = json.loads(args) if isinstance(args, str) else args
        except ValueError:
            return None, f"invalid arguments for {name}"
        if name in NO_CHANGE_SCHEMAS:
            allowed = set(no_change_args(name))
            if not isinstance(args, dict) or set(args) - allowed:
                return None, f"invalid call {name}"
            steps.append(Step(name, args))
            continue
        if (err := validate(name, args)) is not None:
            return None, f"invalid call: {err}"
        steps.append(Step(name, args))
    return steps, ""


def no_change_args(name: str) -> list[str]:
    arg = NO_CHANGE_SCHEMAS[name].get("arg")
    return [arg] if arg else []
