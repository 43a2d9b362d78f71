"""Typed events of an agent run, decoded from ADK event JSON (or the gateway's extras).

One SSE ``data:`` payload can hold several parts and a state delta; :func:`decode` turns it into
a list of small frozen events. Accepted: ADK events (camelCase or snake_case), ``{"type": …}``
objects, empty payloads and ``{"type": "heartbeat"}`` (heartbeats), ``{"error": …}`` frames and
``errorCode`` events (errors).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from nemo_widgets.client._errors import AgentRunError


@dataclass(frozen=True, slots=True)
class Event:
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class TextDelta(Event):
    text: str = ""
    partial: bool = False
    final: bool = False


@dataclass(frozen=True, slots=True)
class ToolCall(Event):
    id: str = ""
    name: str = ""
    args: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ToolResult(Event):
    id: str = ""
    name: str = ""
    response: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.response.get("status", "success") != "error"


@dataclass(frozen=True, slots=True)
class StateChange(Event):
    delta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Heartbeat(Event):
    pass


@dataclass(frozen=True, slots=True)
class Progress(Event):
    """How far a tool's work is: percent, frames done of total (when known), time left."""

    id: str = ""
    name: str = ""
    percent: float = 0.0
    frames: int | None = None
    total_frames: int | None = None
    eta_s: float | None = None


@dataclass(frozen=True, slots=True)
class ErrorEvent(Event):
    code: str | None = None
    message: str = ""


def _get(d: dict[str, Any], camel: str, snake: str) -> Any:
    return d.get(camel, d.get(snake))


def decode(data: str) -> list[Event]:
    """Events in one SSE ``data`` payload. Raises :class:`AgentRunError` for error frames."""
    data = data.strip()
    if not data:
        return [Heartbeat()]
    try:
        obj = json.loads(data)
    except ValueError:
        return [Heartbeat(raw={"unparsed": data[:200]})]
    if not isinstance(obj, dict):
        return [Heartbeat(raw={"unparsed": data[:200]})]
    if "error" in obj and "content" not in obj:
        err = obj["error"]
        msg = err.get("message", str(err)) if isinstance(err, dict) else str(err)
        raise AgentRunError(msg, code=obj.get("code"))
    kind = obj.get("type")
    if kind in ("heartbeat", "ping", "keepalive"):
        return [Heartbeat(raw=obj)]
    if kind is not None and "content" not in obj:
        return _decode_typed(obj)
    out: list[Event] = []
    code = _get(obj, "errorCode", "error_code")
    if code:
        out.append(
            ErrorEvent(obj, str(code), str(_get(obj, "errorMessage", "error_message") or ""))
        )
    content = obj.get("content") or {}
    partial = bool(obj.get("partial"))
    final = bool(_get(obj, "turnComplete", "turn_complete"))
    for part in content.get("parts") or []:
        if not isinstance(part, dict):
            continue
        if part.get("text") is not None and not part.get("thought"):
            out.append(TextDelta(obj, part["text"], partial, final))
        fc = _get(part, "functionCall", "function_call")
        if fc:
            out.append(
                ToolCall(obj, fc.get("id") or "", fc.get("name") or "", fc.get("args") or {})
            )
        fr = _get(part, "functionResponse", "function_response")
        if fr:
            out.append(
                ToolResult(obj, fr.get("id") or "", fr.get("name") or "", fr.get("response") or {})
            )
    actions = obj.get("actions") or {}
    delta = _get(actions, "stateDelta", "state_delta")
    if delta:
        out.append(StateChange(obj, delta))
    return out


def _decode_typed(obj: dict[str, Any]) -> list[Event]:
    """Gateway-style ``{"type": …}`` objects."""
    kind = obj["type"]
    if kind in ("text", "text_delta", "message", "delta"):
        return [
            TextDelta(
                obj,
                str(obj.get("text") or obj.get("delta") or obj.get("content") or ""),
                bool(obj.get("partial", kind != "message")),
                kind == "message",
            )
        ]
    if kind in ("tool_call", "function_call"):
        return [
            ToolCall(obj, str(obj.get("id", "")), str(obj.get("name", "")), obj.get("args") or {})
        ]
    if kind in ("tool_result", "function_response"):
        return [
            ToolResult(
                obj, str(obj.get("id", "")), str(obj.get("name", "")), obj.get("response") or {}
            )
        ]
    if kind in ("state", "state_delta", "state_change"):
        return [StateChange(obj, obj.get("delta") or obj.get("state") or {})]
    if kind == "progress":
        return [
            Progress(
                obj,
                str(obj.get("id", "")),
                str(obj.get("name", "")),
                float(obj.get("progress") or 0),
                obj.get("frames"),
                obj.get("total_frames"),
                obj.get("eta_s"),
            )
        ]
    if kind == "error":
        raise AgentRunError(str(obj.get("message", obj)), code=obj.get("code"))
    return [Heartbeat(raw=obj)]


class Assembler:
    """Accumulates a run: the text the user should see, tool calls, the merged state delta."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self._partial_seen = False
        self.tool_calls: list[ToolCall] = []
        self.tool_results: list[ToolResult] = []
        self.state_delta: dict[str, Any] = {}
        self.errors: list[ErrorEvent] = []

    def feed(self, event: Event) -> str | None:
        """Record ``event``; return the text to show now (for ``text_stream``), if any."""
        if isinstance(event, TextDelta):
            if event.partial:
                self._partial_seen = True
                return event.text
            # A non-partial text after partial chunks repeats them in full (ADK streaming).
            repeated = self._partial_seen
            self._partial_seen = False
            self.parts.append(event.text)
            return None if repeated else event.text
        if isinstance(event, ToolCall):
            self.tool_calls.append(event)
        elif isinstance(event, ToolResult):
            self.tool_results.append(event)
        elif isinstance(event, StateChange):
            self.state_delta.update(event.delta)
        elif isinstance(event, ErrorEvent):
            self.errors.append(event)
        return None

    @property
    def text(self) -> str:
        return "".join(self.parts).strip()
