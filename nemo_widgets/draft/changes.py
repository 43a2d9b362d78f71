"""What a draft says and what changed: a one-line summary and a readable diff."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nemo_widgets.draft.model import (
    Draft,
    Segment,
    Track,
    _as_draft,
)

_SUMMARY_LABEL = {"video": "Video", "audio": "BGM", "text": "Title", "other": "Track"}


# -- summary and diff ----------------------------------------------------------------------
def _secs(ms: float) -> str:
    s = ms / 1000
    return f"{s:.0f}" if abs(s - round(s)) < 0.05 else f"{s:.1f}"


def _track_summary(tr: Track) -> str:
    kind = tr.kind
    head = _SUMMARY_LABEL[kind]
    if not tr.segments:
        return f"{head}: (empty)"
    if kind == "text":
        names = [f'"{s.text}"' if s.text is not None else (s.label or "text") for s in tr.segments]
    else:
        names = [s.label or s.source or "untitled" for s in tr.segments]
    shown = ", ".join(names[:3]) + (f" +{len(names) - 3} more" if len(names) > 3 else "")
    span = f"{_secs(tr.start)}-{_secs(tr.end)}s"
    if kind == "audio":
        vols = {s.volume if s.volume is not None else 100 for s in tr.segments}
        if tr.muted:
            span += ", muted"
        elif len(vols) == 1:
            span += f", {_secs(next(iter(vols)) * 1000)}%"
    return f"{head}: {shown} ({span})"


def summary(draft: Draft | Mapping[str, Any] | None) -> str:
    """One line, e.g. ``Timeline (3 tracks): 1. Video: city timelapse (0-10s) 2. BGM: …``."""
    d = _as_draft(draft)
    n = len(d.tracks)
    if not n:
        return "Timeline (0 tracks): empty"
    parts = " ".join(f"{i}. {_track_summary(tr)}" for i, tr in enumerate(d.tracks, 1))
    return f"Timeline ({n} track{'s' if n != 1 else ''}): {parts}"


def _seg_name(tr: Track, s: Segment) -> str:
    if tr.kind == "text" and s.text is not None:
        return f'title "{s.text}"'
    return s.label or s.source or "segment"


def _span(s: Segment) -> str:
    return f"{_secs(s.start)}-{_secs(s.end)}s"


def _match_segments(
    old: list[Segment], new: list[Segment]
) -> list[tuple[Segment | None, Segment | None]]:
    """Pair segments by id when they have one (ids may repeat), else by position."""
    by_id: dict[str, list[Segment]] = {}
    for s in old:
        if s.id:
            by_id.setdefault(s.id, []).append(s)
    used: set[int] = set()
    pairs: list[tuple[Segment | None, Segment | None]] = []
    for i, s in enumerate(new):
        o: Segment | None = None
        if s.id and by_id.get(s.id):
            o = by_id[s.id].pop(0)
        elif not s.id and i < len(old) and not old[i].id and id(old[i]) not in used:
            o = old[i]
        if o is not None:
            used.add(id(o))
        pairs.append((o, s))
    pairs.extend((o, None) for o in old if id(o) not in used)
    return pairs


def _match_tracks(old: list[Track], new: list[Track]) -> list[tuple[Track | None, Track | None]]:
    """Pair tracks of the same kind in order (the n-th video track with the n-th video track)."""
    pairs: list[tuple[Track | None, Track | None]] = []
    by_kind: dict[str, list[Track]] = {}
    for tr in old:
        by_kind.setdefault(tr.kind, []).append(tr)
    for tr in new:
        pool = by_kind.get(tr.kind) or []
        pairs.append((pool.pop(0) if pool else None, tr))
    pairs.extend((tr, None) for pool in by_kind.values() for tr in pool)
    return pairs


def _diff_segment(tr: Track, o: Segment, s: Segment) -> list[str]:
    out: list[str] = []
    name = _seg_name(tr, s)
    if (o.start, o.duration) != (s.start, s.duration) or o.in_point != s.in_point:
        verb = (
            "trimmed"
            if s.duration < o.duration
            else "moved"
            if s.duration == o.duration
            else "extended"
        )
        out.append(f"{name}: {verb} from {_span(o)} to {_span(s)}")
    if o.volume != s.volume:
        ov = 100 if o.volume is None else o.volume
        nv = 100 if s.volume is None else s.volume
        if ov != nv:
            out.append(
                f"{name}: volume {_secs(ov * 1000)}% → {_secs(nv * 1000)}%"
                + (" (muted)" if nv == 0 else "")
            )
    if o.speed != s.speed:
        out.append(f"{name}: speed {o.speed or 1:g}× → {s.speed or 1:g}×")
    if (o.keep_pitch is not False) != (s.keep_pitch is not False):
        out.append(
            f"{name}: " + ("pitch kept" if s.keep_pitch is not False else "pitch follows speed")
        )
    if o.text != s.text and tr.kind == "text":
        out.append(f'title text changed from "{o.text}" to "{s.text}"')
    if o.label != s.label and tr.kind != "text":
        out.append(f"renamed {o.label or 'segment'} to {s.label or 'segment'}")
    old_fx = [e.to_dict() for e in o.effects or []]
    new_fx = [e.to_dict() for e in s.effects or []]
    for e in s.effects or []:
        if e.to_dict() not in old_fx:
            out.append(f"{name}: applied {e.describe()}")
    for e in o.effects or []:
        if e.to_dict() not in new_fx:
            out.append(f"{name}: removed {e.describe()}")
    if o.style != s.style and tr.kind == "text":
        out.append(f"{name}: style changed")
    return out


def diff(old: Draft | Mapping[str, Any] | None, new: Draft | Mapping[str, Any] | None) -> list[str]:
    """Human-readable changes from ``old`` to ``new`` (empty list when nothing changed)."""
    a, b = _as_draft(old), _as_draft(new)
    changes: list[str] = []
    for to, tn in _match_tracks(a.tracks, b.tracks):
        if to is None and tn is not None:
            changes.append(f"added {_track_summary(tn)}")
            continue
        if tn is None and to is not None:
            changes.append(f"removed {_track_summary(to)}")
            continue
        assert to is not None and tn is not None
        if to.muted != tn.muted:
            changes.append(f"{_SUMMARY_LABEL[tn.kind]} track {'muted' if tn.muted else 'unmuted'}")
        for so, sn in _match_segments(to.segments, tn.segments):
            if so is None and sn is not None:
                changes.append(
                    f"added {_seg_name(tn, sn)} to {_SUMMARY_LABEL[tn.kind]} ({_span(sn)})"
                )
            elif sn is None and so is not None:
                changes.append(f"removed {_seg_name(to, so)} from {_SUMMARY_LABEL[to.kind]}")
            elif so is not None and sn is not None:
                changes.extend(_diff_segment(tn, so, sn))
        if [s.id for s in to.segments if s.id] != [s.id for s in tn.segments if s.id] and {
            s.id for s in to.segments
        } == {s.id for s in tn.segments}:
            changes.append(f"reordered {_SUMMARY_LABEL[tn.kind]} segments")
    old_size = (a.meta.get("width"), a.meta.get("height"))
    new_size = (b.meta.get("width"), b.meta.get("height"))
    if old_size != new_size and None not in old_size and None not in new_size:
        changes.append(f"canvas {old_size[0]}x{old_size[1]} → {new_size[0]}x{new_size[1]}")
    for key, name in (("aspect", "aspect ratio"), ("fit", "fit")):
        if a.meta.get(key) != b.meta.get(key) and b.meta.get(key) is not None:
            changes.append(f"{name} → {b.meta[key]}")
    if round(a.end) != round(b.end) and not changes:
        changes.append(f"duration {_secs(a.end)}s → {_secs(b.end)}s")
    return changes
