"""Output size presets for an export: chosen, never silently the first clip's size."""

from __future__ import annotations

from typing import Any

#: Preset → what the export panel shows.
PRESETS = {
    "source": "Source (largest clip, up to 1080p)",
    "1080p": "1080p",
    "720p": "720p",
    "9:16": "9:16 (1080×1920)",
    "1:1": "1:1 (1080×1080)",
}
MAX_LONG, MAX_SHORT = 1920, 1080


def _even(x: float) -> int:
    return max(2, round(x / 2) * 2)


def _sources(draft: dict[str, Any], infos: list[dict[str, Any]]) -> list[tuple[int, int]]:
    """Display sizes of the videos the draft uses (all uploaded videos when it names none)."""
    by_id = {f.get("file_id"): f for f in infos if f.get("file_type") == "video"}
    used = {
        s.get("src") or s.get("source")
        for t in draft.get("t") or []
        for s in t.get("sg") or []
        if isinstance(s, dict)
    }
    picked = [f for fid, f in by_id.items() if fid in used] or list(by_id.values())
    out = []
    for f in picked:
        w, h = f.get("display_width", f.get("width")), f.get("display_height", f.get("height"))
        if w and h:
            out.append((int(w), int(h)))
    return out


def output_meta(preset: str, draft: dict[str, Any], infos: list[dict[str, Any]]) -> dict[str, Any]:
    """The draft ``m`` keys an export with ``preset`` sets (empty: leave the draft as it is)."""
    if preset not in PRESETS:
        raise ValueError(f"size must be one of {', '.join(PRESETS)}, not {preset!r}")
    meta = draft.get("m") or {}
    sizes = _sources(draft, infos)
    sw, sh = max(sizes, key=lambda s: s[0] * s[1]) if sizes else (1920, 1080)
    landscape = sw >= sh
    if preset == "source":
        if meta.get("aspect"):  # the user asked for a ratio ("make it 9:16"): keep it
            return {}
        scale = min(1.0, MAX_LONG / max(sw, sh), MAX_SHORT / min(sw, sh))
        return {"width": _even(sw * scale), "height": _even(sh * scale)}
    if preset in ("1080p", "720p"):
        short = 1080 if preset == "1080p" else 720
        long = short * 16 // 9
        w, h = (long, short) if landscape else (short, long)
        return {"width": w, "height": h, "upscale": True}
    if preset == "9:16":
        return {"width": 1080, "height": 1920, "aspect": "9:16", "upscale": True}
    return {"width": 1080, "height": 1080, "aspect": "1:1", "upscale": True}


def with_output(preset: str, draft: dict[str, Any], infos: list[dict[str, Any]]) -> dict[str, Any]:
    """A copy of ``draft`` set to render at ``preset``'s size."""
    changes = output_meta(preset, draft, infos)
    if not changes:
        return draft
    return {**draft, "m": {**(draft.get("m") or {}), **changes}}


def quick_preview(
    draft: dict[str, Any], infos: list[dict[str, Any]], short: int = 360
) -> dict[str, Any]:
    """A copy of ``draft`` set to render small (the short side at most ``short`` px), in the
    shape the export would have: for the quick preview of the timeline after each edit."""
    meta = draft.get("m") or {}
    w, h = meta.get("width"), meta.get("height")
    if not (w and h):
        aspect = str(meta.get("aspect") or "")
        if ":" in aspect:
            a, b = (float(x) for x in aspect.split(":", 1))
            w, h = 1000 * a / b, 1000
        else:
            size = output_meta("source", draft, infos)
            w, h = size.get("width", 1920), size.get("height", 1080)
    scale = min(1.0, short / max(1, min(w, h)))
    return {**draft, "m": {**meta, "width": _even(w * scale), "height": _even(h * scale)}}
