"""The draft model: parse and validate a draft, keep what it does not know, write it back.

The session state's ``draft`` uses short keys (see ``docs/draft.md``)::

    {"t": [{"tt": 0, "sg": [{"id": "s1", "s": 0, "du": 10000, "src": "f_1", "n": "city"}]}],
     "d": 10000, "m": {"title": "project", "width": 1920, "height": 1080}}

Keys this module does not know (e.g. from the hosted service) are kept, in their original
order, so ``Draft.parse(d).to_dict() == d`` and ``json.dumps`` of both is byte-identical.

Pure data: no HTTP, no widgets, no video. Every layer may import it.
"""

from __future__ import annotations

import copy
import json
import math
import reprlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

#: Track type codes of the protocol (``tt``) and the kind names we use for them.
KIND_NAMES: dict[int, str] = {0: "video", 1: "audio", 7: "text"}
KINDS = ("video", "audio", "text", "other")

# Segment keys (ours; documented in docs/draft.md) -> attribute names.
_SEG_KEYS: dict[str, str] = {
    "id": "id",
    "s": "start",
    "du": "duration",
    "src": "source",
    "in": "in_point",
    "sp": "speed",
    "kp": "keep_pitch",
    "v": "volume",
    "n": "label",
    "tx": "text",
    "st": "style",
    "fx": "effects",
    "tr": "transition",
    "fi": "fade_in",
    "fo": "fade_out",
    "m": "meta",
}
_TRACK_KEYS: dict[str, str] = {"tt": "type", "sg": "segments", "n": "name", "mu": "muted"}
_DRAFT_KEYS: dict[str, str] = {"t": "tracks", "d": "duration", "m": "meta"}


class DraftError(ValueError):
    """A draft that does not follow the schema; the message says where (track/segment)."""


_REPR = reprlib.Repr()  # keyword arguments need Python 3.12
_REPR.maxstring = _REPR.maxother = 60
_REPR.maxlist = _REPR.maxdict = 4
_REPR.maxlevel = 2


def _r(x: Any) -> str:
    """A short repr for error messages (these are built even when a check passes)."""
    return _REPR.repr(x)


def _track_shape(raw: Any, ti: int) -> tuple[int, list[Any]]:
    """A track is an object with an integer ``tt`` and a list ``sg`` (errors name the track)."""
    where = _where(ti)
    _check(isinstance(raw, Mapping), where, f"must be an object, got {type(raw).__name__}")
    tt = raw.get("tt", 0)
    _check(
        isinstance(tt, int) and not isinstance(tt, bool),
        where,
        f"track type 'tt' must be an integer (0 video, 1 audio, 7 text), got {_r(tt)}",
    )
    sg = raw.get("sg", [])
    _check(isinstance(sg, list), where, f"segments 'sg' must be a list, got {_r(sg)}")
    return tt, sg


def _is_num(x: Any) -> bool:
    """A finite number (JSON from Python may carry NaN and Infinity; a draft may not)."""
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def _where(ti: int | None = None, si: int | None = None) -> str:
    if ti is None:
        return "draft"
    if si is None:
        return f"track {ti + 1}"
    return f"track {ti + 1}, segment {si + 1}"


def _check(cond: bool, where: str, msg: str) -> None:
    if not cond:
        raise DraftError(f"{where}: {msg}")


@dataclass(slots=True)
class Effect:
    """An effect applied to a segment: ``{"k": kind, "p": params, "media": generated id}``."""

    kind: str
    params: dict[str, Any] = field(default_factory=dict)
    media: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    _order: tuple[str, ...] = ()

    def describe(self) -> str:
        return describe_effect(self.kind, self.params)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"k": self.kind}
        if self.params or "p" in self._order:
            out["p"] = self.params
        if self.media is not None:
            out["media"] = self.media
        out.update(self.extra)
        return _ordered(out, self._order)

    @classmethod
    def parse(cls, raw: Any, where: str) -> Effect:
        _check(isinstance(raw, Mapping), where, f"each effect must be an object, got {_r(raw)}")
        kind = raw.get("k")
        _check(isinstance(kind, str) and bool(kind), where, "effect needs a kind 'k' (a string)")
        params = raw.get("p", {})
        _check(isinstance(params, Mapping), where, "effect params 'p' must be an object")
        media = raw.get("media")
        _check(media is None or isinstance(media, str), where, "effect 'media' must be a string")
        extra = {k: v for k, v in raw.items() if k not in ("k", "p", "media")}
        return cls(kind, dict(params), media, extra, tuple(raw.keys()))


@dataclass(slots=True)
class Segment:
    """One segment of a track. Times are milliseconds on the timeline."""

    start: float = 0
    duration: float = 0
    id: str | None = None
    source: str | None = None
    in_point: float | None = None
    speed: float | None = None
    #: Whether a speed change keeps the sound's pitch (``None``: yes, the default); ``False``
    #: lets the pitch follow the speed (the "chipmunk" effect).
    keep_pitch: bool | None = None
    volume: float | None = None
    label: str | None = None
    text: str | None = None
    style: dict[str, Any] | None = None
    effects: list[Effect] | None = None
    transition: Any = None
    fade_in: float | None = None
    fade_out: float | None = None
    meta: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    _order: tuple[str, ...] = ()

    @property
    def end(self) -> float:
        return self.start + self.duration

    @classmethod
    def parse(cls, raw: Any, ti: int, si: int) -> Segment:
        where = _where(ti, si)
        _check(isinstance(raw, Mapping), where, f"must be an object, got {type(raw).__name__}")
        kw: dict[str, Any] = {}
        extra: dict[str, Any] = {}
        for key, value in raw.items():
            attr = _SEG_KEYS.get(key)
            if attr is None:
                extra[key] = value
            else:
                kw[attr] = value
        seg = cls(**kw, extra=extra, _order=tuple(raw.keys()))
        seg.validate(ti, si)
        return seg

    def validate(self, ti: int, si: int) -> None:
        where = _where(ti, si)
        _check(
            _is_num(self.start) and self.start >= 0,
            where,
            f"start 's' must be a number of ms >= 0, got {_r(self.start)}",
        )
        _check(
            _is_num(self.duration) and self.duration >= 0,
            where,
            f"duration 'du' must be a number of ms >= 0, got {_r(self.duration)}",
        )
        for name, key in (("in_point", "in"), ("fade_in", "fi"), ("fade_out", "fo")):
            v = getattr(self, name)
            _check(
                v is None or (_is_num(v) and v >= 0),
                where,
                f"'{key}' must be a number >= 0, got {_r(v)}",
            )
        _check(
            self.speed is None or (_is_num(self.speed) and 0 < self.speed <= 100),
            where,
            f"speed 'sp' must be a number in (0, 100], got {_r(self.speed)}",
        )
        _check(
            self.volume is None or (_is_num(self.volume) and 0 <= self.volume <= 1000),
            where,
            f"volume 'v' must be a percentage in [0, 1000], got {_r(self.volume)}",
        )
        _check(
            self.keep_pitch is None or isinstance(self.keep_pitch, bool),
            where,
            f"keep pitch 'kp' must be true or false, got {_r(self.keep_pitch)}",
        )
        for name, key in (("id", "id"), ("source", "src"), ("label", "n"), ("text", "tx")):
            v = getattr(self, name)
            _check(v is None or isinstance(v, str), where, f"'{key}' must be a string, got {_r(v)}")
        for name, key in (("style", "st"), ("meta", "m")):
            v = getattr(self, name)
            _check(v is None or isinstance(v, Mapping), where, f"'{key}' must be an object")
        if self.effects is not None:
            _check(isinstance(self.effects, list), where, "effects 'fx' must be a list")
            self.effects = [
                e if isinstance(e, Effect) else Effect.parse(e, where) for e in self.effects
            ]

    def to_dict(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for key, attr in _SEG_KEYS.items():
            v = getattr(self, attr)
            if attr in ("start", "duration"):
                values[key] = v
            elif v is not None:
                values[key] = [e.to_dict() for e in v] if attr == "effects" else v
        values.update(self.extra)
        return _ordered(values, self._order)


@dataclass(slots=True)
class Track:
    type: int = 0
    segments: list[Segment] = field(default_factory=list)
    name: str | None = None
    muted: bool | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    _order: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        return KIND_NAMES.get(self.type, "other")

    @property
    def start(self) -> float:
        return min((s.start for s in self.segments), default=0)

    @property
    def end(self) -> float:
        return max((s.end for s in self.segments), default=0)

    @classmethod
    def parse(cls, raw: Any, ti: int) -> Track:
        where = _where(ti)
        tt, sg = _track_shape(raw, ti)
        name = raw.get("n")
        _check(name is None or isinstance(name, str), where, "name 'n' must be a string")
        muted = raw.get("mu")
        _check(muted is None or isinstance(muted, bool), where, "'mu' must be true or false")
        extra = {k: v for k, v in raw.items() if k not in _TRACK_KEYS}
        segs = [Segment.parse(s, ti, si) for si, s in enumerate(sg)]
        return cls(tt, segs, name, muted, extra, tuple(raw.keys()))

    def to_dict(self) -> dict[str, Any]:
        values: dict[str, Any] = {"tt": self.type, "sg": [s.to_dict() for s in self.segments]}
        if self.name is not None:
            values["n"] = self.name
        if self.muted is not None:
            values["mu"] = self.muted
        values.update(self.extra)
        return _ordered(values, self._order)


@dataclass(slots=True)
class Draft:
    tracks: list[Track] = field(default_factory=list)
    duration: float | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    _order: tuple[str, ...] = ()
    _has_meta: bool = True

    @classmethod
    def parse(cls, raw: Any) -> Draft:
        """Parse and validate a draft dict (or JSON string); raise :class:`DraftError`."""
        if isinstance(raw, str | bytes):
            try:
                raw = json.loads(raw)
            except ValueError as e:
                raise DraftError(f"draft: not valid JSON ({e})") from None
        if raw is None:
            raw = {}
        _check(isinstance(raw, Mapping), "draft", f"must be an object, got {type(raw).__name__}")
        t = raw.get("t", [])
        _check(isinstance(t, list), "draft", f"tracks 't' must be a list, got {_r(t)}")
        d = raw.get("d")
        _check(
            d is None or (_is_num(d) and d >= 0),
            "draft",
            f"duration 'd' must be a number of ms >= 0, got {_r(d)}",
        )
        m = raw.get("m", {})
        _check(isinstance(m, Mapping), "draft", "metadata 'm' must be an object")
        extra = {k: v for k, v in raw.items() if k not in _DRAFT_KEYS}
        tracks = [Track.parse(tr, ti) for ti, tr in enumerate(t)]
        return cls(tracks, d, dict(m), extra, tuple(raw.keys()), "m" in raw)

    def to_dict(self) -> dict[str, Any]:
        values: dict[str, Any] = {"t": [tr.to_dict() for tr in self.tracks]}
        if self.duration is not None:
            values["d"] = self.duration
        if self.meta or self._has_meta:
            values["m"] = self.meta
        values.update(self.extra)
        return _ordered(values, self._order)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":"))

    def copy(self) -> Draft:
        return Draft.parse(copy.deepcopy(self.to_dict()))

    # -- convenience ---------------------------------------------------------------------
    @property
    def end(self) -> float:
        """The timeline's end in ms: the last segment end (or ``d`` when larger)."""
        last = max((tr.end for tr in self.tracks), default=0)
        return max(last, self.duration or 0)

    @property
    def exportable(self) -> bool:
        """The protocol's rule: the draft has tracks and one of them has segments."""
        return any(tr.segments for tr in self.tracks)

    def tracks_of(self, kind: str) -> list[Track]:
        return [tr for tr in self.tracks if tr.kind == kind]

    def recompute_duration(self) -> None:
        self.duration = max((tr.end for tr in self.tracks), default=0)

    def to_dataframe(self) -> pd.DataFrame:
        from nemo_widgets.draft.frame import to_dataframe

        return to_dataframe(self)

    def summary(self) -> str:
        from nemo_widgets.draft.changes import summary

        return summary(self)

    def to_otio(self, **kw: Any) -> Any:
        """This draft as an OpenTimelineIO timeline (the ``otio`` extra); see
        :func:`nemo_widgets.draft.otio.to_otio` for the options and what travels as metadata."""
        from nemo_widgets.draft.otio import to_otio

        return to_otio(self, **kw)

    @classmethod
    def from_otio(cls, timeline: Any) -> Draft:
        """A draft from a cuts-only OpenTimelineIO timeline (object, ``.otio`` path or JSON)."""
        from nemo_widgets.draft.otio import from_otio

        return from_otio(timeline)

    def _repr_html_(self) -> str:  # pragma: no cover - notebook display
        from nemo_widgets.draft.frame import _html_escape, style

        return f"<p>{_html_escape(self.summary())}</p>" + style(self).to_html()

    def __str__(self) -> str:
        return self.summary()


def _ordered(values: dict[str, Any], order: Iterable[str]) -> dict[str, Any]:
    """``values`` with keys in the original ``order`` first, then new keys."""
    out = {k: values[k] for k in order if k in values}
    for k, v in values.items():
        if k not in out:
            out[k] = v
    return out


def clip_only(
    draft: Draft | Mapping[str, Any], source: str, size: tuple[int, int] | None = None
) -> dict[str, Any]:
    """The draft cut down to one clip: its video segments moved to start at 0, and the other
    tracks (titles, music) trimmed to the same span. ``size`` sets that clip's own canvas
    (unless the draft asked for an aspect ratio). For one render per clip."""
    d = _as_draft(draft).copy()
    video = next((t for t in d.tracks if t.kind == "video"), None)
    keep = [s for s in (video.segments if video else []) if s.source == source]
    if video is None or not keep:
        raise DraftError(f"draft: no video segment shows {source!r}")
    start = min(s.start for s in keep)
    end = max(s.end for s in keep)
    video.segments = keep
    for tr in d.tracks:
        if tr is not video:
            tr.segments = [s for s in tr.segments if s.start < end and s.end > start]
        for s in tr.segments:
            s_end = min(s.end, end)
            s.start = max(s.start, start)
            s.duration = s_end - s.start
            s.start -= start
    if size is not None and not d.meta.get("aspect"):
        d.meta["width"], d.meta["height"] = size
    d.recompute_duration()
    return d.to_dict()


def empty_draft(width: int = 1920, height: int = 1080, title: str = "project") -> dict[str, Any]:
    return {"t": [], "d": 0, "m": {"title": title, "width": width, "height": height}}


def _as_draft(d: Draft | Mapping[str, Any] | None) -> Draft:
    return d if isinstance(d, Draft) else Draft.parse(d or {})


def describe_effect(kind: str, params: Mapping[str, Any] | None) -> str:
    """``remove object (car)``, ``replace background (studio backdrop)``."""
    p = params if isinstance(params, Mapping) else {}
    what = p.get("target") or p.get("background") or p.get("label")
    name = kind.replace("_", " ")
    return f"{name} ({what})" if what else name
