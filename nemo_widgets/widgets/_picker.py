"""The candidate picker: when a removal asks which unnamed thing was meant, the reply carries a
still with numbered outlines (``generated_media`` of kind ``candidates``). The chat shows that
still with each outline clickable; a click sends the same words the user could type ("the
second one"), so the pick goes through the normal run path (reply, progress, cancel, undo).

The still travels over the widget's comm like every other picture, never from the engine's
address."""

from __future__ import annotations

from typing import Any

ORDINALS = {1: "first", 2: "second", 3: "third"}


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


def pick_text(n: int) -> str:
    """The message a click on candidate ``n`` sends: what the user could type."""
    if n not in ORDINALS:
        raise ValueError(f"there is no candidate {n}")
    return f"the {ORDINALS[n]} one"
