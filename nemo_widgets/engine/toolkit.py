"""What every agent tool gets and gives back: :class:`ToolContext` and :class:`ToolResult`.

Shared by the agent's timeline tools and the vision tools, so neither imports the other's
module (the vision tools used to import the agent, which imported them).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from nemo_widgets.draft import Draft


@dataclass
class ToolResult:
    message_en: str
    message_zh: str
    draft: dict[str, Any] | None = None
    state: dict[str, Any] = field(default_factory=dict)  # other state keys to set
    ok: bool = True
    data: dict[str, Any] = field(default_factory=dict)


class ToolContext:
    """What a tool sees: the session state, the engine's store and pool."""

    def __init__(
        self,
        engine: Any,
        user_id: str,
        session_id: str,
        state: dict[str, Any],
        on_progress: Callable[[int, int | None], None] | None = None,
    ) -> None:
        self.engine, self.user_id, self.session_id = engine, user_id, session_id
        self.state = state
        #: Told (percent, frames in the job or None) while heavy work runs.
        self.on_progress = on_progress
        #: Frames the heavy work goes through, when a tool knows (for "frame n of N").
        self.frames_total: int | None = None

    @property
    def draft(self) -> Draft:
        """A fresh copy of the session's draft (tools change it and hand it back)."""
        return Draft.parse(self.state.get("draft") or {})

    def uploads(self, kind: str | None = None) -> list[dict[str, Any]]:
        files = self.state.get("video_infos", [])
        return [f for f in files if kind is None or f.get("file_type") == kind]

    def run_heavy(self, fn: Callable[[Any], Any]) -> Any:
        """Run CPU-heavy work (a pure core: files in, files out) in the engine's bounded pool
        — on a Dask worker when the engine has a cluster — and wait for it."""
        key = f"{self.user_id}:tool:{self.session_id}:{uuid.uuid4().hex[:8]}"
        report = self.on_progress

        def progress(p: int) -> None:
            if report is not None:
                report(p, self.frames_total)

        return self.engine.pool.submit(key, lambda ctx: ctx.heavy(fn), progress).result()
