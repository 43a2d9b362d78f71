"""``POST /api/mask-preview/nemo_agent/me/{sid}``: the mask a drawn box will give, before
anything runs (an extension of the embedded engine; the hosted service has no such route).

Body: ``{"box": [x0, y0, x1, y1] (0..1 of the picture), "time": seconds}``. Answers the mask on
the boxed frame as a PNG (base64, white where the removal will fill), the frame's size, time,
and what the box matched ("selection" when no detected object). Costs nothing, changes
nothing: the clip is the one a removal would use (the latest on the timeline, as it shows
now)."""

from __future__ import annotations

import asyncio
import base64
import json

import cv2
import numpy as np
from starlette.requests import Request
from starlette.responses import Response

from nemo_widgets.engine.app.core import ApiError, _engine, _json, ok


async def mask_preview(request: Request) -> Response:
    from nemo_widgets.engine.toolkit import ToolContext
    from nemo_widgets.engine.vision.preview import box_mask
    from nemo_widgets.engine.vision.tools import _current_media, _target_clip

    eng = _engine(request)
    who = await eng.auth(request)
    sid = request.path_params["sid"]
    row = await eng.session_of(sid, who.user_id)
    body = await _json(request)
    box = body.get("box")
    try:
        time_s = float(body.get("time") or 0)
        if not (isinstance(box, list) and len(box) == 4):
            raise ValueError
        box_t = tuple(float(v) for v in box)
    except (TypeError, ValueError):
        raise ApiError(
            400, "'box' must be [x0, y0, x1, y1] in fractions of the picture, 'time' seconds"
        ) from None
    ctx = ToolContext(eng, who.user_id, sid, json.loads(row["state"]))
    clip = _target_clip(ctx, {})
    src = _current_media(ctx, clip) if clip is not None else None
    if src is None:
        raise ApiError(400, "upload a video first")
    try:
        res = await asyncio.to_thread(box_mask, src, box_t, time_s)  # type: ignore[arg-type]
    except ValueError as e:
        raise ApiError(400, str(e)) from None
    _, png = cv2.imencode(".png", res.mask.astype(np.uint8) * 255)
    h, w = res.mask.shape
    return ok(
        {
            "file_id": clip["file_id"],
            "width": w,
            "height": h,
            "frame": res.frame,
            "time": round(res.time_s, 3),
            "label": res.label,
            "area": round(float(res.mask.mean()), 4),
            "mask_png": base64.b64encode(png.tobytes()).decode("ascii"),
        }
    )
