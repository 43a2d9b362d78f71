"""Timeline thumbnails: a small picture of each clip on the timeline.

Made by the kernel from the media (the same ≤480p proxy the players use, fetched from the
service by the kernel), kept per media and time in the project's cache folder, and offered to
the browser as media slots of the timeline panel, so they travel over the widget's comm like
everything else the Studio shows — never from the engine's address.
"""

from __future__ import annotations

import asyncio
import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nemo_widgets.client._base import uploaded
from nemo_widgets.draft import Draft
from nemo_widgets.draft.model import Segment
from nemo_widgets.widgets._media import make_thumb

if TYPE_CHECKING:
    from nemo_widgets.widgets._controller import Controller

log = logging.getLogger("nemo_widgets.widgets")
_SAFE = re.compile(r"[^A-Za-z0-9_-]+")
#: Thumbnails are taken this far into a segment (capped at half of it): a clip's very first
#: frame is often black or a fade.
LEAD_MS = 500


def at_ms(seg: Segment) -> int:
    """Where in its file a segment's thumbnail is taken (ms, to a tenth of a second)."""
    ms = (seg.in_point or 0) + min(LEAD_MS, max(0.0, seg.duration) / 2)
    return int(round(ms / 100) * 100)


def slot(seg: Segment) -> str:
    """The media slot of a segment's thumbnail: one per file and time."""
    return f"thumb-{_SAFE.sub('_', seg.source or '')[-40:]}-{at_ms(seg)}"


def wanted(draft: Draft) -> dict[str, tuple[str, float]]:
    """Slot → (file id, seconds into the file) for every sourced segment of a video track."""
    return {
        slot(seg): (seg.source, at_ms(seg) / 1000)
        for track in draft.tracks
        if track.kind == "video"
        for seg in track.segments
        if seg.source
    }


async def make(controller: Controller, name: str, source: str, at_s: float) -> Path | None:
    """The thumbnail file for ``source`` at ``at_s`` (made once, then read from the cache);
    ``None`` for what has no picture (audio, a file the service no longer has)."""
    files = [
        f
        for f in uploaded(controller.uploads)
        if f.raw.get("file_id") == source and f.file_type in ("video", "image")
    ]
    if not files:
        return None
    dest = controller.workdir / "thumbs" / f"{name}.jpg"
    if dest.exists():
        return dest
    try:
        path, _mime = await controller.preview_of(files[0])
    except Exception as e:  # a thumbnail is a nicety: the timeline stands without it
        log.warning("no thumbnail for %s: %s", files[0].filename, e)
        return None
    return await asyncio.to_thread(make_thumb, path, at_s, dest)


async def publish_missing(panel: Any, draft: Draft, making: set[str]) -> bool:
    """Make and publish (on ``panel``) the thumbnails ``draft`` needs that it lacks and that
    are not being made already (``making``); True when any was added."""
    added = False
    for name, (source, at_s) in wanted(draft).items():
        if name in panel.media or name in making:
            continue
        making.add(name)
        try:
            path = await make(panel.controller, name, source, at_s)
        finally:
            making.discard(name)
        if path is not None:
            panel.publish(name, path, "image/jpeg")
            added = True
    return added
