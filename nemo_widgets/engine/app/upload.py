"""The upload route: multipart files or URLs, probed by content, stored, and videos put on
the timeline."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from nemo_widgets.draft import Draft
from nemo_widgets.engine.app.core import (
    ApiError,
    _engine,
    _json,
    ok,
)
from nemo_widgets.engine.edits import add_clip
from nemo_widgets.engine.media import MediaError, ext_for, probe
from nemo_widgets.engine.uploads import BadRequest, fetch_url, receive_multipart


async def upload(request: Request) -> Response:
    eng = _engine(request)
    who = await eng.auth(request)
    sid = request.path_params["sid"]
    await eng.session_of(sid, who.user_id)
    # Where uploaded videos go: "always" onto the timeline (the default), "empty" only onto an
    # empty timeline (later ones wait in the media bin), "never".
    placement = request.query_params.get("timeline", "always")
    if placement not in ("always", "empty", "never"):
        raise ApiError(400, "timeline must be always, empty or never")
    limit = eng.config.max_upload_bytes
    declared = int(request.headers.get("content-length") or 0)
    ctype = request.headers.get("content-type", "")
    received = []
    try:
        if ctype.startswith("application/json"):
            body = await _json(request)
            urls = body.get("urls")
            if not isinstance(urls, list) or not urls or not all(isinstance(u, str) for u in urls):
                raise ApiError(400, 'send {"urls": ["https://…"]} with at least one URL')
            for url in urls[:20]:
                received.append(
                    await fetch_url(
                        url,
                        eng.store.tmp_path(),
                        limit=limit,
                        timeout=eng.config.url_timeout_s,
                        allow_private=eng.config.allow_private_urls,
                        guard=eng.store.ensure_space,
                    )
                )
        else:
            # A body over the limit plus multipart overhead is refused before reading it.
            if declared > limit + 1024 * 1024 * 8:
                raise MediaError(
                    f"the upload is larger than {limit // (1024 * 1024)} MB; compress or trim it",
                    code=4002,
                )
            await eng.read(eng.store.ensure_space, declared)
            files, _ = await receive_multipart(
                request.stream(), ctype, eng.store.tmp_path, limit, guard=eng.store.ensure_space
            )
            received = files
        if not received:
            raise ApiError(400, "no files in the upload: send multipart field 'files'")
        infos = []
        for rec in received:
            infos.append(await run_in_threadpool(probe, rec.path))
    except MediaError as e:
        for rec in received:
            rec.path.unlink(missing_ok=True)
        raise ApiError(e.code, str(e)) from None
    except BadRequest as e:
        for rec in received:
            rec.path.unlink(missing_ok=True)
        raise ApiError(400, str(e)) from None
    except BaseException:
        for rec in received:
            rec.path.unlink(missing_ok=True)
        raise
    out = []
    for rec, info in zip(received, infos, strict=True):
        stored = await eng.write(
            eng.store.add_file,
            rec.path,
            user_id=who.user_id,
            session_id=sid,
            filename=rec.filename,
            kind=info["file_type"],
            info=info,
            sha256=rec.sha256,
            ext=ext_for(info),
        )
        entry = {
            "filename": rec.filename,
            "file_id": stored.file_id,
            "file_type": info["file_type"],
            "cdn_url": eng.media_url(request, stored.file_id, who.user_id, rec.filename),
            "hash": rec.sha256,
            **{k: v for k, v in info.items() if k != "file_type"},
        }
        out.append(entry)

    def apply(state: dict[str, Any]) -> None:
        state.setdefault("video_infos", []).extend(out)
        # Videos go straight onto the timeline, one after the other, so that an upload is
        # exportable at once; images and audio wait for an instruction (backdrop, BGM).
        videos = [f for f in out if f["file_type"] == "video"]
        d = Draft.parse(state.get("draft") or {})
        if placement == "never" or (
            placement == "empty" and any(t.kind == "video" and t.segments for t in d.tracks)
        ):
            videos = []
        elif placement == "empty":
            videos = videos[:1]
        if videos:
            for f in videos:
                add_clip(d, f)
            state["draft"] = d.to_dict()

    await eng.write(eng.store.update_state, sid, apply)
    return ok({"files": out, "session_state_applied": True})
