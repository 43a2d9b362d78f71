"""OpenTimelineIO interchange (the ``otio`` extra: ``pip install "nemo-widgets[otio]"``).

A draft goes out as an OTIO timeline that Resolve, Premiere or Kdenlive can open through
OTIO's adapters, and a cuts-only OTIO timeline comes in as a draft.

What OTIO carries natively: tracks (video ``tt 0`` and audio ``tt 1`` as OTIO video / audio
tracks), each segment as a clip — its label as the clip name, its source as the media
reference (``name`` = the file id; ``target_url`` where ``media_url`` gives one), its in-point
and duration as the clip's source range, gaps between segments as OTIO gaps, speed as a
``LinearTimeWarp`` effect, and a crossfade as an ``SMPTE_Dissolve`` transition at the cut
(the outgoing clip runs ``du`` past it).

What OTIO cannot carry travels as metadata under ``metadata["nemo"]``, which other tools keep
but ignore: titles (text tracks become video tracks of clips with a ``nemo.title``
generator reference), volume, fades, AI effects (``fx``, with the generated media the
renderer uses), ``keep pitch``, segment ids and free metadata, the draft's ``m`` (canvas,
aspect, fit) and every key this package does not know. ``from_otio(to_otio(d))`` gives ``d``
back exactly; times edited in another tool win over the exact times kept in the metadata.

Import accepts cuts-only timelines: tracks of clips and gaps (plus the dissolves and time
warps written above). Anything else — nested stacks or tracks, other effects or transitions,
markers — is refused, and the error names each refused item and where it is.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nemo_widgets.draft.model import Draft, DraftError, Segment

__all__ = ["export_otio", "from_otio", "to_otio"]

_TITLE = "nemo.title"


def _otio() -> Any:
    try:
        import opentimelineio
    except ImportError:
        raise ImportError(
            'OpenTimelineIO interchange needs the otio extra: pip install "nemo-widgets[otio]"'
        ) from None
    return opentimelineio


# -- export -------------------------------------------------------------------------------
def to_otio(
    draft: Draft | dict[str, Any],
    *,
    media_url: Callable[[str], str | None] | None = None,
    rate: float | None = None,
) -> Any:
    """``draft`` as an ``opentimelineio.schema.Timeline``. ``media_url(src)`` may give the
    URL or path of each source (e.g. local downloads) for the tools that open it; ``rate``
    is the timeline's frame rate (default: the draft's ``m.fps``, else 30)."""
    otio = _otio()
    d = draft if isinstance(draft, Draft) else Draft.parse(draft)
    rate = float(rate or d.meta.get("fps") or 30)

    def rt(ms: float) -> Any:
        return otio.opentime.RationalTime(ms * rate / 1000.0, rate)

    def rng(start_ms: float, du_ms: float) -> Any:
        return otio.opentime.TimeRange(rt(start_ms), rt(du_ms))

    tl = otio.schema.Timeline(name=str(d.meta.get("title") or "nemo-widgets draft"))
    raw = d.to_dict()
    top = {k: v for k, v in raw.items() if k != "t"}
    tl.metadata["nemo"] = {"draft": _dump(top), "keys": list(raw.keys()), "version": 1}
    for ti, (tr, tr_raw) in enumerate(zip(d.tracks, raw["t"], strict=True)):
        kind = otio.schema.TrackKind.Audio if tr.kind == "audio" else otio.schema.TrackKind.Video
        track = otio.schema.Track(name=tr.name or tr.kind, kind=kind)
        track.metadata["nemo"] = {
            "track": _dump({k: v for k, v in tr_raw.items() if k != "sg"}),
            "keys": list(tr_raw.keys()),
        }
        order = sorted(range(len(tr.segments)), key=lambda i: (tr.segments[i].start, i))
        pos = 0.0
        for k, si in enumerate(order):
            seg, seg_raw = tr.segments[si], tr_raw["sg"][si]
            nxt = tr.segments[order[k + 1]] if k + 1 < len(order) else None
            if seg.start > pos + 1e-6:
                track.append(otio.schema.Gap(source_range=rng(0, seg.start - pos)))
            elif seg.start < pos - 1e-6:
                raise DraftError(
                    f"track {ti + 1}, segment {si + 1}: it overlaps the segment before it "
                    "without a crossfade, which OTIO's sequential tracks cannot hold"
                )
            # A crossfade into the next segment: this one is cut where the next starts and
            # runs on under the dissolve (the transition's out_offset).
            overlap = 0.0
            if nxt is not None and nxt.start < seg.end - 1e-6:
                overlap = _crossfade_ms(nxt)
                if abs(seg.end - nxt.start - overlap) > 1e-3:
                    raise DraftError(
                        f"track {ti + 1}, segment {order[k + 1] + 1}: it overlaps the one "
                        f"before by {seg.end - nxt.start:g} ms, but its crossfade lasts "
                        f"{overlap:g} ms; OTIO needs the two to match"
                    )
            shown = seg.duration - overlap
            track.append(_clip(otio, seg, seg_raw, si, rng(seg.in_point or 0, shown), media_url))
            if overlap:
                track.append(
                    otio.schema.Transition(
                        name="crossfade",
                        transition_type=otio.schema.TransitionTypes.SMPTE_Dissolve,
                        in_offset=rt(0),
                        out_offset=rt(overlap),
                    )
                )
            pos = seg.start + shown
        tl.tracks.append(track)
    return tl


def _crossfade_ms(seg: Segment) -> float:
    tr = seg.transition
    if isinstance(tr, dict) and tr.get("k", "crossfade") in ("crossfade", "fade"):
        return float(tr.get("du", 500))
    if isinstance(tr, int | float) and not isinstance(tr, bool):
        return float(tr)
    return 0.0


def _clip(
    otio: Any,
    seg: Segment,
    raw: dict[str, Any],
    index: int,
    source_range: Any,
    media_url: Callable[[str], str | None] | None,
) -> Any:
    nemo = {
        "index": index,
        "keys": list(raw.keys()),
        "ms": {k: raw[k] for k in ("s", "du", "in") if k in raw},
        "named": "n" in raw,
        "segment": _dump({k: v for k, v in raw.items() if k not in ("s", "du", "in", "n", "src")}),
    }
    if seg.text is not None and seg.source is None:
        ref = otio.schema.GeneratorReference(
            name="title",
            generator_kind=_TITLE,
            parameters={"text": seg.text, "style": copy.deepcopy(seg.style or {})},
        )
    elif seg.source is not None:
        url = media_url(seg.source) if media_url else None
        ref = (
            otio.schema.ExternalReference(target_url=url) if url else otio.schema.MissingReference()
        )
        ref.name = seg.source
    else:
        ref = otio.schema.MissingReference()
    clip = otio.schema.Clip(
        name=seg.label or seg.text or seg.source or "segment",
        media_reference=ref,
        source_range=source_range,
    )
    if seg.speed is not None and seg.speed != 1:
        clip.effects.append(otio.schema.LinearTimeWarp(name="speed", time_scalar=seg.speed))
    if seg.effects:
        # What was applied, in words, for people reading the timeline elsewhere; the effects
        # themselves (and the generated media the renderer uses) are in the metadata.
        clip.metadata["nemo_effects"] = [fx.describe() for fx in seg.effects]
    clip.metadata["nemo"] = nemo
    return clip


def export_otio(
    draft: Draft | dict[str, Any],
    path: str | os.PathLike[str],
    *,
    media_url: Callable[[str], str | None] | None = None,
    rate: float | None = None,
) -> Path:
    """Write ``draft`` as an ``.otio`` file (OTIO's JSON); its path."""
    path = Path(path)
    to_otio(draft, media_url=media_url, rate=rate).to_json_file(str(path))
    return path


# -- import -------------------------------------------------------------------------------
def from_otio(timeline: Any) -> Draft:
    """A draft from an OTIO timeline (an ``opentimelineio`` object, a ``.otio`` path or its
    JSON text); :class:`DraftError` naming every item it refuses."""
    otio = _otio()
    if isinstance(timeline, os.PathLike) or (
        isinstance(timeline, str) and not timeline.lstrip().startswith("{")
    ):
        timeline = otio.adapters.read_from_file(str(timeline))
    elif isinstance(timeline, str):
        timeline = otio.adapters.read_from_string(timeline, "otio_json")
    if not isinstance(timeline, otio.schema.Timeline):
        raise DraftError(f"draft: expected an OTIO Timeline, got {type(timeline).__name__}")
    refused: list[str] = []
    tracks: list[dict[str, Any]] = []
    for ti, track in enumerate(timeline.tracks):
        where = f"track {ti + 1} ({track.name or 'unnamed'})"
        if not isinstance(track, otio.schema.Track):
            refused.append(f"{where}: a nested {type(track).__name__}")
            continue
        if track.kind not in (otio.schema.TrackKind.Video, otio.schema.TrackKind.Audio):
            refused.append(f"{where}: track kind {track.kind!r}")
            continue
        if track.markers:
            refused.append(f"{where}: {len(track.markers)} marker(s)")
        tracks.append(_track_in(otio, track, where, refused))
    for m in getattr(timeline.tracks, "markers", []) or []:
        refused.append(f"timeline: marker {m.name!r}")
    if refused:
        raise DraftError(
            "draft: this OTIO timeline is not cuts-only; refused: " + "; ".join(refused)
        )
    nemo = dict(timeline.metadata.get("nemo") or {})
    top = _load(nemo.get("draft"))
    raw: dict[str, Any] = {"t": tracks}
    if not nemo:
        raw["m"] = {"title": timeline.name} if timeline.name else {}
    for key, value in top.items():
        raw[key] = value
    end = max((sg["s"] + sg["du"] for tr in tracks for sg in tr["sg"]), default=0)
    if "d" in raw and isinstance(raw["d"], int | float) and raw["d"] < end:
        raw["d"] = end  # edited elsewhere to run longer: keep d >= the last segment end
    raw = _ordered(raw, nemo.get("keys") or [])
    return Draft.parse(raw)


def _track_in(otio: Any, track: Any, where: str, refused: list[str]) -> dict[str, Any]:
    nemo = dict(track.metadata.get("nemo") or {})
    head = _load(nemo.get("track"))
    if "tt" not in head:
        head = {"tt": 1 if track.kind == otio.schema.TrackKind.Audio else 0}
        if track.name:
            head["n"] = track.name
    segs: list[tuple[int, dict[str, Any]]] = []
    pos = 0.0
    last: dict[str, Any] | None = None
    fade_in: float | None = None  # a dissolve's length, for the clip after it
    for ii, item in enumerate(track):
        at = f"{where}, item {ii + 1} ({getattr(item, 'name', '') or type(item).__name__})"
        if isinstance(item, otio.schema.Gap):
            pos += _ms(item.duration())
            last = None
        elif isinstance(item, otio.schema.Transition):
            if item.transition_type != otio.schema.TransitionTypes.SMPTE_Dissolve:
                refused.append(f"{at}: transition {item.transition_type!r}")
            elif last is None or _ms(item.in_offset) != 0:
                refused.append(f"{at}: a dissolve that starts before the cut")
            else:
                fade_in = _ms(item.out_offset)
                last["du"] = _keep(last.pop("_du") + fade_in, last.get("_exact_du"))
        elif isinstance(item, otio.schema.Clip):
            seg = _clip_in(otio, item, at, refused, pos)
            if fade_in is not None and "tr" not in seg:
                seg["tr"] = {"k": "crossfade", "du": _keep(fade_in, None)}
            fade_in = None
            pos += seg["_du"]
            segs.append((seg.pop("_index"), seg))
            last = seg
        else:
            refused.append(f"{at}: a nested {type(item).__name__}")
    out: list[dict[str, Any]] = []
    for _, seg in sorted(segs, key=lambda p: p[0]):
        exact = seg.pop("_exact_du", None)
        if "_du" in seg:
            seg["du"] = _keep(seg.pop("_du"), exact)
        out.append(_ordered(seg, seg.pop("_keys")))
    raw = {**head, "sg": out}
    return _ordered(raw, nemo.get("keys") or ["tt", "sg"])


def _clip_in(otio: Any, clip: Any, at: str, refused: list[str], pos: float) -> dict[str, Any]:
    nemo = dict(clip.metadata.get("nemo") or {})
    ms = _plain(nemo.get("ms") or {})
    seg: dict[str, Any] = _load(nemo.get("segment"))
    warped = False
    for fx in clip.effects:
        if type(fx) is otio.schema.LinearTimeWarp:  # not its subclass FreezeFrame
            warped = True
            if "sp" not in seg or abs(float(seg["sp"]) - fx.time_scalar) > 1e-9:
                seg["sp"] = fx.time_scalar
        else:
            refused.append(f"{at}: effect {fx.name or type(fx).__name__!r}")
    if not warped and seg.get("sp") not in (None, 1):
        del seg["sp"]  # the speed change was taken off elsewhere
    if clip.markers:
        refused.append(f"{at}: {len(clip.markers)} marker(s)")
    sr = clip.source_range or clip.trimmed_range()
    ref = clip.media_reference
    seg["s"] = _keep(pos, ms.get("s"))
    if isinstance(ref, otio.schema.GeneratorReference):
        if ref.generator_kind != _TITLE:
            refused.append(f"{at}: generator {ref.generator_kind!r}")
        seg.setdefault("tx", str(ref.parameters.get("text", "")))
    else:
        src = ref.name or (
            os.path.basename(str(ref.target_url))
            if isinstance(ref, otio.schema.ExternalReference)
            else None
        )
        if src:
            seg["src"] = src
        seg["in"] = _keep(_ms(sr.start_time), ms.get("in"))
        if "in" not in ms and seg["in"] == 0 and nemo:
            del seg["in"]
    seg["_du"] = _ms(sr.duration)
    seg["_exact_du"] = ms.get("du")
    default_name = (seg.get("tx") if "tx" in seg else seg.get("src")) or "segment"
    if clip.name and (not nemo or nemo.get("named") or clip.name != default_name):
        seg["n"] = clip.name
    seg["_index"] = nemo.get("index", 10**9 + pos)
    seg["_keys"] = nemo.get("keys") or ["s", "du", "src", "in", "n"]
    return seg


def _ms(t: Any) -> float:
    return float(t.value) * 1000.0 / float(t.rate)


def _keep(value: float, exact: Any) -> Any:
    """The exact number kept in the metadata when OTIO still says the same (within 1 µs),
    else OTIO's (to the µs; an int when whole)."""
    if isinstance(exact, int | float) and abs(float(exact) - value) < 1e-3:
        return exact
    value = round(value, 3)
    return int(value) if value.is_integer() else value


def _dump(x: dict[str, Any]) -> str:
    """Metadata as JSON text: OTIO's dictionaries sort their keys, the text keeps the order."""
    return json.dumps(x, ensure_ascii=False, separators=(",", ":"))


def _load(text: Any) -> dict[str, Any]:
    if not isinstance(text, str) or not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _plain(x: Any) -> Any:
    """OTIO's metadata containers as plain dicts and lists."""
    if hasattr(x, "items"):
        return {str(k): _plain(v) for k, v in x.items()}
    if isinstance(x, list | tuple) or (hasattr(x, "__iter__") and not isinstance(x, str | bytes)):
        return [_plain(v) for v in x]
    return x


def _ordered(values: dict[str, Any], order: list[str]) -> dict[str, Any]:
    out = {k: values[k] for k in order if k in values}
    out.update({k: v for k, v in values.items() if k not in out})
    return out
