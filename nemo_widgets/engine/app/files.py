"""Files by signed URL (or the owner's token), and the OpenAPI description."""

from __future__ import annotations

import hmac
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response

from nemo_widgets.engine.app.core import (
    _engine,
)

_TYPES = {
    ".mp4": "video/mp4",
    ".mov": "video/quicktime",
    ".webm": "video/webm",
    ".mkv": "video/x-matroska",
    ".avi": "video/x-msvideo",
    ".jpg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".mp3": "audio/mpeg",
    ".wav": "audio/wav",
    ".m4a": "audio/mp4",
    ".aac": "audio/aac",
}


def _media_type(path: Path) -> str:
    return _TYPES.get(path.suffix.lower(), "application/octet-stream")


async def media(request: Request) -> Response:
    """Files by signed URL (browsers' <video> cannot send headers) or by the owner's token."""
    eng = _engine(request)
    file_id = request.path_params["file_id"]
    sig = request.query_params.get("sig")
    rec = await eng.read(eng.store.file, file_id)
    allowed = False
    if rec is not None:
        if sig is not None:
            allowed = hmac.compare_digest(sig, eng.sign(file_id, rec.user_id))
        else:
            allowed = (await eng.auth(request)).user_id == rec.user_id
    if rec is None or not allowed or not rec.path.exists():
        return JSONResponse({"code": 404, "message": "file not found"}, status_code=404)
    return FileResponse(
        rec.path,
        media_type=_media_type(rec.path),
        headers={
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )


async def openapi(request: Request) -> Response:
    """This engine's OpenAPI description (authenticated like every route)."""
    from nemo_widgets.engine.openapi import spec

    await _engine(request).auth(request)
    return JSONResponse(spec())
