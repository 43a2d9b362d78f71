"""The timeline "draft" as data: parse, validate, flatten to a DataFrame, summarise, diff.

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
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "COLUMNS",
    "KIND_NAMES",
    "Draft",
    "DraftError",
    "Effect",
    "Segment",
    "Track",
    "clip_only",
    "diff",
    "empty_draft",
    "summary",
    "timecode",
    "to_dataframe",
]

#: Track type codes of the protocol (``tt``) and the kind names we use for them.
KIND_NAMES: dict[int, str] = {0: "video", 1: "audio", 7: "text"}
KINDS = ("video", "audio", "text", "other")
_SUMMARY_LABEL = {"video": "Video", "audio": "BGM", "text": "Title", "other": "Track"}

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

#: Column order of :func:`to_dataframe` (metadata columns ``m.*`` follow these).
COLUMNS: tuple[str, ...] = (
    "track",
    "kind",
    "tt",
    "segment",
    "start",
    "end",
    "duration",
    "source",
    "label",
    "volume",
    "text",
    "effects",
)


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
        return to_dataframe(self)

    def summary(self) -> str:
        return summary(self)

    def _repr_html_(self) -> str:  # pragma: no cover - notebook display
        return f"<p>{_html_escape(summary(self))}</p>" + style(self).to_html()

    def __str__(self) -> str:
        return summary(self)


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


# -- DataFrame ---------------------------------------------------------------------------
_DTYPES: dict[str, Any] = {
    "track": "int64",
    "kind": pd.CategoricalDtype(list(KINDS)),
    "tt": "int64",
    "segment": "int64",
    "start": "timedelta64[ns]",
    "end": "timedelta64[ns]",
    "duration": "timedelta64[ns]",
    "source": "string",
    "label": "string",
    "volume": "float64",
    "text": "string",
    "effects": "string",
}


def to_dataframe(draft: Draft | Mapping[str, Any] | None) -> pd.DataFrame:
    """One row per segment, in the fixed :data:`COLUMNS` order, then ``m.*`` metadata columns.

    The segments go into pandas in one call (``pd.DataFrame`` on the list of segment dicts);
    every column after that is vectorised; effects and metadata are flattened only on the rows
    that have them. A dict is validated on the way (timing columns vectorised), so a bad draft
    raises :class:`DraftError` naming the track and segment.
    """
    if isinstance(draft, Draft):
        tracks = [{"tt": tr.type, "sg": tr.segments} for tr in draft.tracks]
    else:
        tracks = _raw_tracks(draft)
    lens = np.fromiter((len(tr["sg"]) for tr in tracks), dtype=np.int64, count=len(tracks))
    n = int(lens.sum())
    if n == 0:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in _DTYPES.items()})
    segs = [sg for tr in tracks for sg in tr["sg"]]
    flat = _columns_of(segs) if isinstance(draft, Draft) else pd.DataFrame(segs)
    track = np.repeat(np.arange(len(tracks), dtype=np.int64), lens)
    starts = np.cumsum(lens) - lens
    segment = np.arange(n, dtype=np.int64) - np.repeat(starts, lens)
    tt = np.repeat(
        np.fromiter((tr["tt"] for tr in tracks), dtype=np.int64, count=len(tracks)), lens
    )

    def col(name: str) -> pd.Series:
        return flat[name] if name in flat else pd.Series(None, index=flat.index, dtype=object)

    start = _numeric(col("s"), "s", track, segment, default=0.0, required=True)
    dur = _numeric(col("du"), "du", track, segment, default=0.0, required=True)
    vol = _numeric(col("v"), "v", track, segment, default=np.nan, required=False)
    out = pd.DataFrame(
        {
            "track": track,
            "kind": pd.Categorical.from_codes(_kind_codes(tt), categories=list(KINDS)),
            "tt": tt,
            "segment": segment,
            "start": pd.to_timedelta(start, unit="ms"),
            "end": pd.to_timedelta(start + dur, unit="ms"),
            "duration": pd.to_timedelta(dur, unit="ms"),
            "source": col("src").astype("string"),
            "label": col("n").astype("string"),
            # Audio and video default to 100 %; text has no volume.
            "volume": np.where(np.isnan(vol) & (tt != 7), 100.0, vol),
            "text": col("tx").astype("string"),
            "effects": _effects_column(col("fx")),
        }
    )
    meta = col("m")
    present = meta.notna().to_numpy()
    rows = meta.index[present][
        _where_true(meta[present], lambda m: isinstance(m, dict) and bool(m))
    ]
    if len(rows):
        m = pd.json_normalize(list(meta[rows])).set_axis(rows)
        m.columns = [f"m.{c}" for c in m.columns]
        out = out.join(m.reindex(columns=sorted(m.columns)))
    return out.astype(_DTYPES)


def _columns_of(segs: list[Segment]) -> pd.DataFrame:
    """The columns the DataFrame reads, straight from parsed segments (no dicts per row)."""
    return pd.DataFrame(
        {
            "s": [sg.start for sg in segs],
            "du": [sg.duration for sg in segs],
            "src": [sg.source for sg in segs],
            "n": [sg.label for sg in segs],
            "v": [sg.volume for sg in segs],
            "tx": [sg.text for sg in segs],
            "fx": [[e.to_dict() for e in sg.effects] if sg.effects else None for sg in segs],
            "m": [sg.meta for sg in segs],
        }
    )


_KIND_CODE = {0: 0, 1: 1, 7: 2}


def _kind_codes(tt: np.ndarray) -> np.ndarray:
    codes = np.full(tt.shape, 3, dtype=np.int8)
    for code_tt, code in _KIND_CODE.items():
        codes[tt == code_tt] = code
    return codes


def _raw_tracks(draft: Mapping[str, Any] | str | bytes | None) -> list[dict[str, Any]]:
    """Structural checks of a raw draft (cheap: per track, not per segment)."""
    if isinstance(draft, str | bytes):
        return _raw_tracks(Draft.parse(draft).to_dict())
    raw = draft or {}
    _check(isinstance(raw, Mapping), "draft", f"must be an object, got {type(raw).__name__}")
    tracks = raw.get("t", [])
    _check(isinstance(tracks, list), "draft", f"tracks 't' must be a list, got {_r(tracks)}")
    out = []
    for ti, tr in enumerate(tracks):
        tt, sg = _track_shape(tr, ti)
        if not all(type(x) is dict for x in sg):  # fast path; ABC check only when needed
            bad = next((i for i, x in enumerate(sg) if not isinstance(x, Mapping)), None)
            _check(bad is None, _where(ti, bad), "must be an object")
        out.append({"tt": tt, "sg": sg})
    return out


def _numeric(
    values: pd.Series,
    key: str,
    track: np.ndarray,
    segment: np.ndarray,
    *,
    default: float,
    required: bool,
) -> np.ndarray:
    """A float column; a wrong type or a negative number raises naming the segment."""
    if values.dtype == bool:
        is_bool = np.ones(len(values), dtype=bool)
    elif values.dtype == object:
        is_bool = _where_true(values, lambda v: isinstance(v, bool))
    else:
        is_bool = np.zeros(len(values), dtype=bool)
    num = pd.to_numeric(values.where(~is_bool), errors="coerce").to_numpy(
        dtype=np.float64, na_value=np.nan
    )
    bad = (np.isnan(num) & values.notna().to_numpy()) | is_bool
    bad |= num < 0
    if bad.any():
        i = int(np.argmax(bad))
        raise DraftError(
            f"{_where(int(track[i]), int(segment[i]))}: '{key}' must be a number "
            f">= 0, got {_r(values.iloc[i])}"
        )
    return np.where(np.isnan(num), default, num) if required or not np.isnan(default) else num


def _where_true(values: pd.Series, test: Any) -> np.ndarray:
    """A boolean mask of ``test(value)`` (object columns hold mixed types)."""
    return np.fromiter((test(v) for v in values.to_numpy()), dtype=bool, count=len(values))


def _effects_column(fx: pd.Series) -> pd.Series:
    out = pd.Series(pd.NA, index=fx.index, dtype="string")
    present = fx.notna().to_numpy()
    if present.any():
        texts = [_effects_text(v) for v in fx.to_numpy()[present]]
        out[present] = pd.array(texts, dtype="string")
    return out


def _effects_text(fx: Any) -> str | None:
    if not isinstance(fx, list) or not fx:
        return None
    return ", ".join(_describe_effect(e) for e in fx)


def describe_effect(kind: str, params: Mapping[str, Any] | None) -> str:
    """``remove object (car)``, ``replace background (studio backdrop)``."""
    p = params if isinstance(params, Mapping) else {}
    what = p.get("target") or p.get("background") or p.get("label")
    name = kind.replace("_", " ")
    return f"{name} ({what})" if what else name


def _describe_effect(e: Any) -> str:
    if not isinstance(e, dict) or not isinstance(e.get("k"), str):
        return Effect.parse(e, "effect").describe()
    return describe_effect(e["k"], e.get("p"))


_KIND_COLOURS = {"video": "#4f7cff", "audio": "#2fb386", "text": "#e0a526", "other": "#999999"}


def timecode(td: pd.Timedelta) -> str:
    if pd.isna(td):
        return ""
    ms = int(td / pd.Timedelta(milliseconds=1))
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, ms = divmod(rem, 1000)
    return f"{h:d}:{m:02d}:{s:02d}.{ms:03d}" if h else f"{m:02d}:{s:02d}.{ms:03d}"


def style(draft: Draft | Mapping[str, Any] | None, max_rows: int | None = None):
    """A pandas Styler for notebooks: timecodes, a duration bar, a colour per track kind.

    Rows are capped so the rendered cells stay below ``styler.render.max_elements``.
    """
    df = to_dataframe(draft)
    limit = pd.get_option("styler.render.max_elements")
    cap = max(1, limit // max(1, len(df.columns)) - 1)
    max_rows = min(max_rows or cap, cap)
    shown = df.head(max_rows)
    secs = shown["duration"].dt.total_seconds()
    styler = shown.assign(seconds=secs).style
    styler = styler.format({c: timecode for c in ("start", "end", "duration")}, na_rep="")
    styler = styler.format({"seconds": "{:.1f}s", "volume": "{:.0f}%"}, na_rep="")
    if len(shown):
        styler = styler.bar(subset=["seconds"], color="#9db4ff", vmin=0)
    styler = styler.map(
        lambda k: f"color: white; background-color: {_KIND_COLOURS.get(str(k), '#999')}",
        subset=["kind"],
    )
    styler = styler.hide(axis="index")
    if len(df) > len(shown):
        styler = styler.set_caption(f"first {len(shown)} of {len(df)} segments")
    return styler


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


def _html_escape(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
