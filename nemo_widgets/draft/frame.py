"""The draft as data: one DataFrame row per segment, and a Styler for notebooks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from nemo_widgets.draft.model import (
    KINDS,
    Draft,
    DraftError,
    Effect,
    Segment,
    _check,
    _r,
    _track_shape,
    _where,
    describe_effect,
)

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


def _html_escape(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
