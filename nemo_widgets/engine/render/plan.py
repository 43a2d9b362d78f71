"""Render, stage 1 — the plan: which media the timeline uses, whether it is all there and
within the limits, and the canvas (size, rate, fit) it is drawn on."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from nemo_widgets.draft import Draft, Segment
from nemo_widgets.engine.media import MAX_DURATION_S

MAX_LONG, MAX_SHORT = 1920, 1080
PREVIEW_SHORT = 480


class RenderError(RuntimeError):
    pass


def _even(x: float) -> int:
    return max(2, round(x / 2) * 2)


@dataclass
class Canvas:
    width: int
    height: int
    fps: Fraction
    fit: str = "fit"  # fit | fill | blur


def plan_canvas(draft: Draft, sources: dict[str, dict[str, Any]]) -> Canvas:
    """Canvas size and rate: what the draft's ``m`` asks, capped at 1080×1920 either way, and
    never so large that the biggest source would be enlarged on it, unless ``m.upscale``."""
    m = draft.meta
    videos = [i for i in sources.values() if i.get("width")]
    src_w = max((i.get("display_width", i["width"]) for i in videos), default=1280)
    src_h = max((i.get("display_height", i["height"]) for i in videos), default=720)
    w = float(m.get("width") or src_w)
    h = float(m.get("height") or src_h)
    fit = m.get("fit", "fit")
    fit = fit if fit in ("fit", "fill", "blur") else "fit"
    scale = min(1.0, MAX_LONG / max(w, h), MAX_SHORT / min(w, h))
    if videos and not m.get("upscale"):
        # The factor the source would be scaled by on the full canvas; keep it <= 1.
        on_canvas = max(w / src_w, h / src_h) if fit == "fill" else min(w / src_w, h / src_h)
        scale = min(scale, 1.0 / on_canvas) if on_canvas > 1 else scale
    fps_val = m.get("fps") or next((i.get("fps") for i in videos if i.get("fps")), 30)
    fps = Fraction(fps_val).limit_denominator(1001)
    if not 1 <= fps <= 120:
        fps = Fraction(30)
    return Canvas(_even(w * scale), _even(h * scale), fps, fit)


def segment_source(seg: Segment) -> str | None:
    """The media a segment shows: the last applied effect's generated media, else its source."""
    for fx in reversed(seg.effects or []):
        if fx.media:
            return fx.media
    return seg.source


def media_resolver(
    store: Any, user_id: str, state: dict[str, Any]
) -> Callable[[str], tuple[Path, dict[str, Any]] | None]:
    """Segment source → (path, probe info) among this user's files, by file id or by the name
    shown in the session (uploads and generated media); None when it does not exist."""
    by_name = {v.get("filename"): v.get("file_id") for v in state.get("video_infos", [])}
    by_name.update({g.get("name"): g.get("file_id") for g in state.get("generated_media", [])})

    def resolve(ref: str) -> tuple[Path, dict[str, Any]] | None:
        rec = store.file(ref, user_id) or store.file(by_name.get(ref) or "", user_id)
        if rec is None or not rec.path.exists():
            return None
        return rec.path, rec.info

    return resolve


def media_refs(draft: Draft) -> set[str]:
    """Every media reference the timeline uses (sources and the media effects put in)."""
    refs = {r for tr in draft.tracks for sg in tr.segments for r in (sg.source, segment_source(sg))}
    return {r for r in refs if r is not None}


def missing_media(draft: Draft, resolve: Callable[[str], Any]) -> list[str]:
    """The sources the timeline uses that cannot be found."""
    return sorted(r for r in media_refs(draft) if resolve(r) is None)


def check_length(draft: Draft) -> None:
    """Refuse timelines past the engine's limit before anything is allocated for them."""
    if draft.end > MAX_DURATION_S * 1000:
        raise RenderError(
            f"the timeline lasts {draft.end / 3_600_000:.1f} h; exports are limited to "
            f"{MAX_DURATION_S // 3600} h — trim it or fix the segment times"
        )
