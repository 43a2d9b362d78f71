"""The timeline as a table for people: mm:ss.mmm times, named columns, no ``<NA>`` noise."""

from __future__ import annotations

import html
from typing import Any

import pandas as pd

from nemo_widgets.draft import Draft, to_dataframe

COLUMNS = {
    "track": "Track",
    "kind": "Kind",
    "what": "What",
    "start": "Start",
    "end": "End",
    "length": "Length",
    "volume": "Volume",
    "effects": "Effects",
}


def clock(value: Any) -> str:
    """A timedelta (or ms) as ``mm:ss.mmm`` (``h:mm:ss.mmm`` past an hour); "" when missing."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    ms = (
        round(value.total_seconds() * 1000)
        if isinstance(value, pd.Timedelta)
        else round(float(value))
    )
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h}:{m:02d}:{s:02d}.{ms:03d}" if h else f"{m:02d}:{s:02d}.{ms:03d}"


def _text(value: Any) -> str:
    return "" if value is None or pd.isna(value) else str(value)


def people_frame(draft: Draft | dict[str, Any] | None) -> pd.DataFrame:
    """One row per segment with readable values (strings; missing values are empty)."""
    df = to_dataframe(draft)
    if df.empty:
        return pd.DataFrame(columns=list(COLUMNS))
    what = df["label"].astype("string").fillna(df["text"].astype("string"))
    what = what.fillna(df["source"].astype("string"))
    out = pd.DataFrame(
        {
            "track": df["track"] + 1,
            "kind": df["kind"].astype(str),
            "what": [_text(v) for v in what],
            "start": [clock(v) for v in df["start"]],
            "end": [clock(v) for v in df["end"]],
            "length": [clock(v) for v in df["duration"]],
            "volume": ["" if pd.isna(v) else f"{v:.0f} %" for v in df["volume"]],
            "effects": [_text(v) for v in df["effects"]],
        }
    )
    return out


def people_html(draft: Draft | dict[str, Any] | None, max_rows: int = 200) -> str:
    """The table as HTML for the timeline panel (its container scrolls both ways)."""
    df = people_frame(draft)
    if df.empty:
        return ""
    shown = df.head(max_rows)
    head = "".join(f"<th>{COLUMNS[c]}</th>" for c in shown.columns)
    rows = "".join(
        "<tr>"
        + "".join(f'<td class="nemo-col-{c}">{html.escape(str(v))}</td>' for c, v in row.items())
        + "</tr>"
        for _, row in shown.iterrows()
    )
    more = (
        f"<caption>first {len(shown)} of {len(df)} segments</caption>"
        if len(df) > len(shown)
        else ""
    )
    return (
        f'<table class="nemo-segments">{more}<thead><tr>{head}</tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )
