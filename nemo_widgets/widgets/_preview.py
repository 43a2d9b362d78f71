"""The mask preview in "Draw a box around it": the mask the removal will use for the drawn box,
asked of the embedded engine (``session.mask_preview``) and shown over the frame as a
translucent overlay — a PNG the size of the clip, coloured where the fill goes, transparent
elsewhere — pulled over the widget's comm (media slot ``mask``). Against a service without
the route there is no preview and nothing else changes."""

from __future__ import annotations

import asyncio
import base64
import io
from typing import Any

import numpy as np

#: The overlay's colour and opacity where the removal will fill.
COLOUR = (0, 150, 255, 120)


def overlay_png(mask_png: str) -> tuple[bytes, float]:
    """A translucent RGBA PNG from the engine's mask (base64 PNG, white = filled), and the
    share of the picture it covers."""
    from PIL import Image

    mask = np.asarray(Image.open(io.BytesIO(base64.b64decode(mask_png))).convert("L")) > 127
    rgba = np.zeros((*mask.shape, 4), np.uint8)
    rgba[mask] = COLOUR
    out = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(out, format="PNG", optimize=True)
    return out.getvalue(), float(mask.mean())


async def show_mask(panel: Any, box: Any, time: float) -> None:
    """Ask for ``box``'s mask at ``time`` and publish it as ``panel``'s ``mask`` slot (with
    the box and time it is for, so the front-end never shows a mask for another box)."""
    box = [float(v) for v in box]
    panel.publish("mask", None)
    if len(box) != 4:
        return
    session = await panel.controller.ensure_connected()
    got = await session.mask_preview(box, time)
    if got is None:  # the hosted service: no preview
        return
    png, share = await asyncio.to_thread(overlay_png, got["mask_png"])
    panel.publish(
        "mask",
        png,
        "image/png",
        box=box,
        time=float(time),
        label=str(got.get("label") or "selection"),
        share=round(share, 4),
        width=int(got.get("width") or 0),
        height=int(got.get("height") or 0),
    )
