"""ADK event JSON, as ``adk api_server`` sends it: camelCase keys, null fields omitted."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

AUTHOR = "nemo_agent"


def new_invocation_id() -> str:
    return "e-" + str(uuid.uuid4())


def _event(
    invocation_id: str,
    content: dict[str, Any] | None = None,
    *,
    state_delta: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    ev: dict[str, Any] = {}
    if content is not None:
        ev["content"] = content
    ev.update(
        invocationId=invocation_id,
        author=AUTHOR,
        actions={"stateDelta": state_delta or {}, "artifactDelta": {}},
    )
    ev.update({k: v for k, v in extra.items() if v is not None})
    ev["id"] = str(uuid.uuid4())
    ev["timestamp"] = time.time()
    return ev


def text_event(
    inv: str, text: str, *, partial: bool | None = None, turn_complete: bool | None = None
) -> dict[str, Any]:
    return _event(
        inv,
        {"role": "model", "parts": [{"text": text}]},
        partial=partial,
        turnComplete=turn_complete,
    )


def call_event(inv: str, call_id: str, name: str, args: dict[str, Any]) -> dict[str, Any]:
    part = {"functionCall": {"id": call_id, "name": name, "args": args}}
    return _event(inv, {"role": "model", "parts": [part]}, longRunningToolIds=[])


def response_event(
    inv: str,
    call_id: str,
    name: str,
    response: dict[str, Any],
    state_delta: dict[str, Any] | None = None,
) -> dict[str, Any]:
    part = {"functionResponse": {"id": call_id, "name": name, "response": response}}
    return _event(inv, {"role": "user", "parts": [part]}, state_delta=state_delta)


def error_event(inv: str, code: str, message: str) -> dict[str, Any]:
    return _event(inv, errorCode=code, errorMessage=message)


def new_call_id() -> str:
    return "adk-" + str(uuid.uuid4())


def sse(event: dict[str, Any]) -> bytes:
    """One SSE frame: ``data: <compact JSON>`` and a blank line."""
    return (
        b"data: " + json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode() + b"\n\n"
    )
