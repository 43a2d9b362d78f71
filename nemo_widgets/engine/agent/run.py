"""The run loop: a plan's calls run in order, each streamed as an ADK ``functionCall`` event
and its ``functionResponse`` (with ``actions.stateDelta``), then one reply in the user's
language saying what was done, and what was not and why."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from typing import Any

from nemo_widgets.draft import diff
from nemo_widgets.engine import events as ev
from nemo_widgets.engine.agent import planner, replies
from nemo_widgets.engine.agent.language import spelling
from nemo_widgets.engine.agent.planner import Plan
from nemo_widgets.engine.agent.tools import ALIASES, TOOLS
from nemo_widgets.engine.jobs import Cancelled
from nemo_widgets.engine.toolkit import ToolContext, ToolResult


class History:
    """Undo uses the store's history; redo keeps what was undone (in memory, per session)."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self._redo: dict[str, list[Any]] = {}
        self._lock = threading.Lock()

    def edited(self, session_id: str) -> None:
        with self._lock:
            self._redo.pop(session_id, None)

    def undo(self, ctx: ToolContext) -> ToolResult:
        store = self.engine.store
        prev = store.pop_history(ctx.session_id)
        if prev is None:
            return ToolResult("There is nothing to undo.", "没有可以撤销的操作。", ok=False)
        cur = ctx.state.get("draft")
        with self._lock:
            self._redo.setdefault(ctx.session_id, []).append(cur)
        changes = diff(cur, prev)
        what = "; ".join(changes) if changes else "the last edit"
        return ToolResult(f"Undid {what}.", "已撤销上一步。", prev)

    def redo(self, ctx: ToolContext) -> ToolResult:
        with self._lock:
            stack = self._redo.get(ctx.session_id) or []
            nxt = stack.pop() if stack else None
        if nxt is None:
            return ToolResult("There is nothing to redo.", "没有可以重做的操作。", ok=False)
        self.engine.store.push_history(ctx.session_id, ctx.state.get("draft"))
        return ToolResult("Redid the last undone edit.", "已重做。", nxt)


class Agent:
    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.history = History(engine)
        self._rng = random.Random()
        # the planner's dictionaries load beside the server's start, not on the first message
        threading.Thread(target=spelling.warm, name="nemo-warm", daemon=True).start()

    def plan(self, session_id: str, text: str, state_delta: dict[str, Any] | None = None) -> Plan:
        """The plan for ``text`` in the session's state (plus what the message brings)."""
        state = {**self.engine.store.state(session_id), **(state_delta or {})}
        # what an undo would bring back, so "undo that and trim the last 5 s" reads the
        # second step on the undone timeline (planner-only key, never stored)
        state["_undo"] = self.engine.store.peek_history(session_id)
        return planner.plan(text, state)

    def run(
        self,
        who: Any,
        session_id: str,
        text: str,
        emit: Callable[[dict[str, Any] | None], None],
        *,
        state_delta: dict[str, Any] | None = None,
        the_plan: Plan | None = None,
        reservation: str | None = None,
    ) -> None:
        store = self.engine.store
        inv = ev.new_invocation_id()
        if state_delta:
            store.update_state(session_id, lambda s: s.update(state_delta))
        p = the_plan or self.plan(session_id, text)
        zh = p.zh
        meta = {"planner": p.planner, "plan": p.intents()}
        consumed = False
        done: list[str] = []
        failed: list[str] = []
        try:
            if not p.calls:
                reply = replies.no_change_reply(
                    p, store.state(session_id), self.engine, who.user_id
                )
                emit(self._text(inv, reply + self._planner_note(p, zh), meta))
                return
            any_change = False
            for call in p.calls:
                if self.engine.run_cancelled(session_id):
                    raise Cancelled()
                result, changed = self._call(inv, who, session_id, call.name, call.args, emit)
                any_change = any_change or changed
                msg = result.message_zh if zh else result.message_en
                (done if result.ok else failed).append(msg)
                # a credit pays for a change: a question back ("which one?") costs nothing
                consumed = consumed or (result.ok and changed)
            state = store.state(session_id)
            extra = [
                replies.step_reply(st, state, zh, self.engine, who.user_id)
                for st in p.steps
                if st.tool in ("answer", "clarify", "export", "status", "credits", "help")
            ]
            text_out = _compose(done, failed, p, extra, zh)
            silent = (
                any_change
                and self.engine.config.silent_edit_rate > 0
                and self._rng.random() < self.engine.config.silent_edit_rate
            )
            if not silent:
                emit(self._text(inv, text_out + self._planner_note(p, zh), meta))
        except Cancelled:
            before = " ".join(done) if p.calls and done else ""
            stopped = (
                "已取消，正在进行的步骤没有改动任何内容。"
                if zh
                else "Cancelled: the step that was running changed nothing."
            )
            if before:
                stopped += f" 之前已完成：{before}" if zh else f" Done before: {before}"
            emit(self._text(inv, stopped, meta))
        finally:
            if reservation:
                store.settle(who.user_id, reservation, consume=consumed)

    def _call(
        self,
        inv: str,
        who: Any,
        session_id: str,
        name: str,
        args: dict[str, Any],
        emit: Callable[[dict[str, Any] | None], None],
    ) -> tuple[ToolResult, bool]:
        store = self.engine.store
        call_id = ev.new_call_id()
        emit(ev.call_event(inv, call_id, name, args))
        state = store.state(session_id)
        ctx = ToolContext(
            self.engine,
            who.user_id,
            session_id,
            state,
            on_progress=_progress_reporter(emit, call_id, name),
        )
        tool = TOOLS[ALIASES.get(name, name)]
        skip = self.engine.config.extra.get("skip_tools") or ()
        try:
            if name in skip:
                result = ToolResult(
                    f"{name} was planned but not run (this engine skips it).",
                    f"已计划{replies.tool_name(tool.name, True)}，但本引擎跳过了执行。",
                    ok=False,
                    data={"skipped": True},
                )
            else:
                result = tool.fn(ctx, **args)
        except TypeError as e:  # arguments that do not fit the signature
            result = ToolResult(f"I could not run {name}: {e}.", f"无法执行 {name}。", ok=False)
        except Exception as e:
            full = store.disk_full(e)
            if full is None:
                raise
            result = ToolResult(
                f"I could not finish: {full}.", f"磁盘空间不足，无法完成：{full}", ok=False
            )
        delta: dict[str, Any] = dict(result.state)
        if result.draft is not None:
            delta["draft"] = result.draft
        changed = False
        if delta:
            old_draft = state.get("draft")
            changed = result.draft is not None and result.draft != old_draft
            if name not in ("undo", "redo") and changed:  # a question back is not an edit
                store.push_history(session_id, old_draft)
                self.history.edited(session_id)
            store.update_state(session_id, lambda s, d=delta: s.update(d))
        response = {
            "status": "success" if result.ok else "error",
            "message": result.message_en,
            **result.data,
        }
        emit(ev.response_event(inv, call_id, name, response, delta or None))
        return result, changed

    @staticmethod
    def _text(inv: str, text: str, meta: dict[str, Any]) -> dict[str, Any]:
        e = ev.text_event(inv, text, turn_complete=True)
        e["customMetadata"] = meta
        return e

    @staticmethod
    def _planner_note(p: Plan, zh: bool) -> str:
        if p.planner.startswith("llm:"):
            m = p.planner[4:]
            return f"（由语言模型 {m} 规划）" if zh else f" (Planned by the language model {m}.)"
        if p.note:
            return (
                f"（语言模型不可用：{p.note}，由内置规划器完成）"
                if zh
                else f" (The language model was not usable — {p.note} — so the built-in planner "
                f"answered.)"
            )
        return ""


def _compose(done: list[str], failed: list[str], p: Plan, extra: list[str], zh: bool) -> str:
    parts = list(done)
    if failed:
        if done:
            parts.append(("没有完成：" if zh else "Not done: ") + " ".join(failed))
        else:
            parts += failed
    parts += replies.not_done(p, zh)
    parts += [e for e in extra if e]
    sep = "" if zh else " "
    return sep.join(x.strip() for x in parts if x)


def _progress_reporter(
    emit: Callable[[dict[str, Any] | None], None], call_id: str, name: str
) -> Callable[[int, int | None], None]:
    """Progress of a tool's heavy work as ``{"type": "progress"}`` events: percent, frames
    done of total (when the tool knows them) and the time left, estimated from the pace."""
    t0 = time.monotonic()

    def report(percent: int, frames: int | None) -> None:
        took = time.monotonic() - t0
        eta = took * (100 - percent) / percent if percent >= 2 else None
        emit(
            {
                "type": "progress",
                "id": call_id,
                "name": name,
                "progress": percent,
                "frames": round(frames * percent / 100) if frames else None,
                "total_frames": frames,
                "eta_s": round(eta, 1) if eta is not None else None,
                "elapsed_s": round(took, 1),
            }
        )

    return report
