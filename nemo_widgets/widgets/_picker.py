"""The candidate picker: when a removal asks which unnamed thing was meant, the reply carries a
still with numbered outlines (``generated_media`` of kind ``candidates``). The chat shows that
still with each outline clickable; a click sends the same words the user could type ("the
second one"), so the pick goes through the normal run path (reply, progress, cancel, undo).

The still travels over the widget's comm like every other picture, never from the engine's
address."""

from __future__ import annotations

import uuid
from typing import Any

from nemo_widgets.widgets._util import friendly

ORDINALS = {1: "first", 2: "second", 3: "third"}
ORDINALS_ZH = {1: "第一个", 2: "第二个", 3: "第三个"}


def question_of(result: Any) -> dict[str, Any] | None:
    """The removal's question in a run result: ``{"still", "candidates"}``, or None."""
    for tr in reversed(result.tool_results):
        resp = tr.response or {}
        if tr.name == "remove_object" and resp.get("question") and resp.get("candidates"):
            return {"still": str(resp.get("still") or ""), "candidates": resp["candidates"]}
    return None


def still_entry(state_sources: list[dict[str, Any]], file_id: str) -> dict[str, Any] | None:
    """The ``generated_media`` entry of the still ``file_id`` in the first state that has it."""
    for state in state_sources:
        for g in (state or {}).get("generated_media") or []:
            if isinstance(g, dict) and g.get("file_id") == file_id:
                return g
    return None


def picker_of(question: dict[str, Any], entry: dict[str, Any] | None) -> dict[str, Any]:
    """What the front-end draws: the picture's size in video pixels and, per candidate, its
    number, description, box and outline (video pixels)."""
    items = [
        {
            "n": int(it["n"]),
            "description": str(it.get("description") or f"candidate {it['n']}"),
            "box": [int(v) for v in it.get("box") or []],
            "outline": [[int(x), int(y)] for x, y in it.get("outline") or []],
        }
        for it in question["candidates"]
        if isinstance(it, dict) and "n" in it
    ]
    entry = entry or {}
    return {
        "width": int(entry.get("width") or 0),
        "height": int(entry.get("height") or 0),
        "time_s": float(entry.get("time_s") or 0),
        "candidates": items,
        "answered": None,
        "closed": False,
    }


def pick_text(n: int, asked: str = "") -> str:
    """The message a click on candidate ``n`` sends: what the user could type, in the
    language of the request that was asked about (``asked``: a Chinese chat gets 第二个, not
    "the second one")."""
    if n not in ORDINALS:
        raise ValueError(f"there is no candidate {n}")
    if any("\u4e00" <= ch <= "\u9fff" for ch in asked):
        return ORDINALS_ZH[n]
    return f"the {ORDINALS[n]} one"


def closed_pickers(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The messages with every open candidate picker closed: a newer message answers it."""
    return [
        dict(m, picker=dict(m["picker"], closed=True))
        if m.get("picker") and not m["picker"].get("closed")
        else m
        for m in messages
    ]


class PickerMixin:
    """The PromptPanel's picker: attach it to the question's reply, take the click."""

    messages: Any
    busy: Any
    error: Any
    controller: Any

    async def _show_picker(self, index: int, question: dict[str, Any], result: Any) -> None:
        """Attach the candidate picker to the reply at ``index``: the still comes through the
        kernel (a media slot of this widget); without it the list still shows."""
        c = self.controller
        fid = question["still"]
        entry = still_entry([result.state_delta, c.state], fid)
        if entry is None:
            await c.refresh()
            entry = still_entry([c.state], fid)
        picker = picker_of(question, entry)
        picker["id"] = uuid.uuid4().hex[:12]
        if entry is not None and entry.get("url"):
            try:
                session = await c.ensure_connected()
                folder = c.workdir / "stills"
                folder.mkdir(parents=True, exist_ok=True)
                path = await session.client.download(
                    c._local(str(entry["url"])), folder / f"{fid}.png"
                )
                slot = f"still-{picker['id']}"
                self.publish(slot, path, "image/png", name=path.name)
                picker["slot"] = slot
            except Exception as e:  # the list still works without the picture
                picker["still_error"] = friendly(e)
        if len(self.messages) > index + 1:  # another message came first: it answered
            picker["closed"] = True
        self._update_at(index, picker=picker)

    def _update_at(self, index: int, **changes: Any) -> None:
        msgs = [dict(m) for m in self.messages]
        if 0 <= index < len(msgs):
            msgs[index].update(changes)
            self.messages = msgs

    def on_pick(self, msg: dict[str, Any], buffers: list[Any]) -> None:
        """A click on candidate ``n`` of the picker in message ``index``: say what the user
        could type ("the second one"), through the normal run path."""
        index, n = int(msg.get("index", -1)), int(msg.get("n", 0))
        picker = (
            self.messages[index].get("picker") if 0 <= index < len(self.messages) else None
        ) or {}
        if not picker or picker.get("closed"):
            self.error = "That question was already answered; ask again to get new candidates."
            return
        if self.busy or self.controller.job:
            self.error = "A run is in progress; wait for it (sending again would duplicate work)."
            return
        if n not in {it["n"] for it in picker.get("candidates") or []}:
            self.error = f"There is no candidate {n}."
            return
        self._update_at(index, picker=dict(picker, answered=n, closed=True))
        asked = next(
            (str(m.get("text") or "") for m in self.messages[index::-1] if m.get("role") == "user"),
            "",
        )
        self.say(pick_text(n, asked))
