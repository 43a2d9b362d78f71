"""The timeline "draft" as data: parse, validate, flatten to a DataFrame, summarise, diff.

The session state's ``draft`` uses short keys (see ``docs/draft.md``)::

    {"t": [{"tt": 0, "sg": [{"id": "s1", "s": 0, "du": 10000, "src": "f_1", "n": "city"}]}],
     "d": 10000, "m": {"title": "project", "width": 1920, "height": 1080}}

Keys this package does not know (e.g. from the hosted service) are kept, in their original
order, so ``Draft.parse(d).to_dict() == d`` and ``json.dumps`` of both is byte-identical.

Laid out along its flow: :mod:`.model` (parse, validate, write back), :mod:`.frame` (one
DataFrame row per segment, a notebook Styler), :mod:`.changes` (summary and diff), and
:mod:`.otio` (OpenTimelineIO interchange, with the ``otio`` extra).

Pure data: no HTTP, no widgets, no video. Every layer may import it.
"""

from __future__ import annotations

from nemo_widgets.draft.changes import diff, summary
from nemo_widgets.draft.frame import COLUMNS, style, timecode, to_dataframe
from nemo_widgets.draft.model import (
    KIND_NAMES,
    KINDS,
    Draft,
    DraftError,
    Effect,
    Segment,
    Track,
    clip_only,
    describe_effect,
    empty_draft,
)

__all__ = [
    "COLUMNS",
    "KINDS",
    "KIND_NAMES",
    "Draft",
    "DraftError",
    "Effect",
    "Segment",
    "Track",
    "clip_only",
    "describe_effect",
    "diff",
    "empty_draft",
    "style",
    "summary",
    "timecode",
    "to_dataframe",
]
