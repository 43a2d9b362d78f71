"""Render routes (the ``{"success"}`` envelope): submit, poll, cancel, download."""

from __future__ import annotations

import re
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, Response

from nemo_widgets.draft import Draft, DraftError
from nemo_widgets.engine.app.core import (
    ATTRIBUTION,
    ApiError,
    Engine,
    RenderRouteError,
    _engine,
    _json,
    _pick,
    render_err,
    render_ok,
)
from nemo_widgets.engine.app.files import _media_type
from nemo_widgets.engine.store import TokenInfo

FORMATS = ("mp4", "webm")
#: Render ids are chosen by the caller and end up in file names: a safe alphabet only.
RENDER_ID = re.compile(r"[A-Za-z0-9_.\-]{1,100}")
QUALITIES = ("high", "medium", "low")


async def render_submit(request: Request) -> Response:
    eng = _engine(request)
    who = await _render_auth(eng, request)
    missing = [h for h in ATTRIBUTION if not request.headers.get(h)]
    if missing:
        return render_err(
            "export is blocked for this client: register or upgrade to unlock "
            f"export (missing headers: {', '.join(missing)})",
            402,
        )
    try:
        body = await _json(request)
    except ApiError as e:
        return render_err(e.message, 400)
    job_id = body.get("id")
    sid = _pick(body, "session_id", "sessionId")
    output = body.get("output") or {}
    if not isinstance(job_id, str) or not RENDER_ID.fullmatch(job_id):
        return render_err(
            "'id' must be 1–100 letters, digits, '_', '-' or '.', such as render_<timestamp>", 400
        )
    if not isinstance(output, dict):
        return render_err("'output' must be an object", 400)
    fmt = output.get("format", "mp4")
    quality = output.get("quality", "high")
    if fmt not in FORMATS:
        return render_err(f"unsupported format {fmt!r}; choose one of: {', '.join(FORMATS)}", 400)
    if quality not in QUALITIES:
        return render_err(
            f"unknown quality {quality!r}; choose one of: {', '.join(QUALITIES)}", 400
        )
    if not isinstance(sid, str) or await eng.read(eng.store.session, sid, who.user_id) is None:
        return render_err("session not found", 404, "1002")
    state = await eng.read(eng.store.state, sid)
    draft = body.get("draft")
    if draft is None:
        draft = state.get("draft")
    try:
        parsed = Draft.parse(draft)
    except DraftError as e:
        return render_err(f"the draft is invalid: {e}", 400)
    if not parsed.exportable:
        return render_err("nothing to export: the timeline has no segments yet", 400)
    from nemo_widgets.engine.render import RenderError, check_length, media_resolver, missing_media

    try:
        check_length(parsed)
    except RenderError as e:
        return render_err(str(e), 400)
    missing = await eng.read(missing_media, parsed, media_resolver(eng.store, who.user_id, state))
    if missing:
        return render_err(
            f"the timeline uses media that is not in this session: {', '.join(missing[:5])}; "
            "upload it again or remove those segments",
            400,
        )
    params = {
        "draft": parsed.to_dict(),
        "format": fmt,
        "quality": quality,
        "preview": output.get("preview", True),
    }
    if not await eng.write(eng.store.create_job, job_id, who.user_id, sid, "render", params):
        return render_err(
            f"a render with id {job_id!r} already exists; use a new id", 409, "duplicate_id"
        )
    eng.start_render(job_id, who.user_id)
    return render_ok({"id": job_id, "status": "pending", "progress": 5})


async def _render_auth(eng: Engine, request: Request) -> TokenInfo:
    try:
        return await eng.auth(request)
    except ApiError as e:
        raise RenderRouteError(e.message, e.status, str(e.code)) from None


def _render_view(eng: Engine, request: Request, job: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": job["id"],
        "status": job["status"],
        "progress": job["progress"],
        "createdAt": int(job["created"] * 1000),
    }
    if job["completed"]:
        data["completedAt"] = int(job["completed"] * 1000)
    if job["error"]:
        data["error"] = job["error"]
    res = job["result"]
    if job["status"] == "completed" and res:
        url = eng.media_url(request, res["file_id"], job["user_id"], res["filename"])
        data["outputUrl"] = url
        data["output"] = {
            "url": url,
            "duration": res.get("duration"),
            "size": res.get("size"),
            "width": res.get("width"),
            "height": res.get("height"),
            "format": res.get("format"),
        }
        if res.get("preview_id"):
            data["previewUrl"] = eng.media_url(
                request, res["preview_id"], job["user_id"], res.get("preview_name", "preview.mp4")
            )
    return data


async def render_poll(request: Request) -> Response:
    eng = _engine(request)
    who = await _render_auth(eng, request)
    job = await eng.read(eng.store.job, request.path_params["rid"], who.user_id)
    if job is None or job["kind"] != "render":
        return render_err("render not found", 404)
    return render_ok(_render_view(eng, request, job))


async def render_cancel(request: Request) -> Response:
    eng = _engine(request)
    who = await _render_auth(eng, request)
    rid = request.path_params["rid"]
    job = await eng.read(eng.store.job, rid, who.user_id)
    if job is None or job["kind"] != "render":
        return render_err("render not found", 404)
    if job["status"] in ("completed", "failed", "cancelled"):
        return render_err(f"the render is already {job['status']}", 409)
    await eng.write(
        eng.store.update_job,
        rid,
        who.user_id,
        status="cancelled",
        error="cancelled by the user",
        completed=time.time(),
    )
    eng.pool.cancel(f"{who.user_id}:{rid}")
    after = await eng.read(eng.store.job, rid, who.user_id)
    return render_ok(_render_view(eng, request, after or job))


async def render_download(request: Request) -> Response:
    eng = _engine(request)
    who = await _render_auth(eng, request)
    job = await eng.read(eng.store.job, request.path_params["rid"], who.user_id)
    if job is None or job["kind"] != "render":
        return render_err("render not found", 404)
    if job["status"] != "completed" or not job["result"]:
        return render_err(f"the render is {job['status']}, not completed", 409)
    rec = await eng.read(eng.store.file, job["result"]["file_id"], who.user_id)
    if rec is None or not rec.path.exists():
        return render_err("the rendered file is missing", 410)
    return FileResponse(rec.path, filename=rec.filename, media_type=_media_type(rec.path))
