"""Agent tools that run vision pipelines and record their results in the session.

A tool processes the *whole source clip* once (so any in/out points on the timeline stay
valid), stores the result as generated media, and adds an effect ``{"k", "p", "media"}`` to
every segment that shows that clip; the renderer then uses the generated media instead of
the source, so exports never recompute vision work.
"""

from __future__ import annotations

import os
import time
from typing import Any

from nemo_widgets.draft import Draft, Effect
from nemo_widgets.engine.vision.background import (
    BackgroundSpec,
    replace_background,
    spec_from_words,
)


def _target_clip(ctx: Any, args: dict[str, Any]) -> dict[str, Any] | None:
    """The clip to work on: a named file, "the second video", else the latest on the timeline."""
    videos = ctx.uploads("video")
    name = args.get("clip_name")
    if name:
        hit = next((v for v in videos if v.get("filename") == name), None)
        if hit:
            return hit
    d = ctx.draft
    on_timeline = [s.source for t in d.tracks if t.kind == "video" for s in t.segments]
    idx = args.get("clip")
    if idx is not None and on_timeline and -len(on_timeline) <= idx < len(on_timeline):
        fid = on_timeline[idx]
        return next((v for v in videos if v.get("file_id") == fid), None)
    for fid in reversed(on_timeline):
        hit = next((v for v in videos if v.get("file_id") == fid), None)
        if hit:
            return hit
    return videos[-1] if videos else None


def _spec(ctx: Any, args: dict[str, Any]) -> BackgroundSpec | str:
    mode = args.get("mode", "preset")
    if mode == "blur":
        return BackgroundSpec("blur", blur=float(args.get("strength", 12)))
    if mode == "transparent":
        return BackgroundSpec("transparent")
    if mode == "media":
        f = next((x for x in ctx.uploads() if x.get("filename") == args.get("file")), None)
        if f is None:
            return f"I can't find {args.get('file')} in this session; upload it first."
        rec = ctx.engine.store.file(f["file_id"], ctx.user_id)
        if rec is None:
            return f"{args.get('file')} is missing; upload it again."
        return BackgroundSpec("media", media=rec.path, media_kind=f.get("file_type"))
    return spec_from_words(args.get("background"))


def tool_replace_background(ctx: Any, args: dict[str, Any]) -> Any:
    from nemo_widgets.engine.agent import ToolResult

    clip = _target_clip(ctx, args)
    if clip is None:
        return ToolResult(
            'Upload a video first, then say e.g. "replace my background with a '
            'clean studio backdrop".',
            "请先上传视频。",
            ok=False,
        )
    spec = _spec(ctx, args)
    if isinstance(spec, str):
        return ToolResult(spec, spec, ok=False)
    store = ctx.engine.store
    src = store.file(clip["file_id"], ctx.user_id)
    if src is None or not src.path.exists():
        return ToolResult(
            "The clip's file is missing; upload it again.", "视频文件丢失，请重新上传。", ok=False
        )
    out = store.tmp_path(".mp4")
    alpha = store.tmp_path(".webm") if spec.mode == "transparent" else None

    def work(job: Any) -> Any:
        return replace_background(src.path, out, spec, alpha_out=alpha, check=job.check)

    t0 = time.perf_counter()
    try:
        res = ctx.run_heavy(work)
    except Exception:
        out.unlink(missing_ok=True)
        if alpha is not None:
            alpha.unlink(missing_ok=True)
        raise
    took = time.perf_counter() - t0
    if res.person_share < 0.005:
        out.unlink(missing_ok=True)
        if alpha is not None:
            alpha.unlink(missing_ok=True)
        return ToolResult(
            f"I couldn't find a person in {clip['filename']}, so nothing was changed. Background "
            "replacement keeps people in front and works best when someone is clearly visible.",
            f"在 {clip['filename']} 中没有找到人物，未做修改。",
            ok=False,
        )
    stem = os.path.splitext(clip["filename"])[0]
    what = spec.describe()
    info = {
        "file_type": "video",
        "format": "mp4",
        "width": res.width,
        "height": res.height,
        "duration": res.duration,
        "has_audio": res.has_audio,
        "frames": res.frames,
    }
    final = store.files_dir / f"gen_{os.urandom(6).hex()}.mp4"
    os.replace(out, final)
    gen = store.register_output(
        final,
        user_id=ctx.user_id,
        session_id=ctx.session_id,
        filename=f"{stem}_background.mp4",
        kind="generated",
        info=info,
    )
    entry: dict[str, Any] = {
        "file_id": gen.file_id,
        "name": gen.filename,
        "kind": "background",
        "source": clip["file_id"],
        "background": what,
        "url": ctx.engine.media_url(None, gen.file_id, ctx.user_id, gen.filename),
        **info,
    }
    if alpha is not None:
        afinal = store.files_dir / f"gen_{os.urandom(6).hex()}.webm"
        os.replace(alpha, afinal)
        arec = store.register_output(
            afinal,
            user_id=ctx.user_id,
            session_id=ctx.session_id,
            filename=f"{stem}_transparent.webm",
            kind="generated",
            info={**info, "format": "webm", "alpha": True},
        )
        entry["alpha_file_id"] = arec.file_id
        entry["alpha_url"] = ctx.engine.media_url(None, arec.file_id, ctx.user_id, arec.filename)

    d: Draft = ctx.draft
    effect = Effect("replace_background", {"background": what, "mode": spec.mode}, gen.file_id)
    for tr in d.tracks:
        for seg in tr.segments:
            if tr.kind == "video" and seg.source == clip["file_id"]:
                seg.effects = [e for e in seg.effects or [] if e.kind != "replace_background"]
                seg.effects.append(effect)
    generated = [*ctx.state.get("generated_media", []), entry]
    extra = (
        " A transparent WebM (VP9 with alpha) is in the generated media; the timeline "
        "shows it on a checkerboard."
        if alpha is not None
        else ""
    )
    return ToolResult(
        f"Replaced the background of {clip['filename']} with a {what} "
        f"({res.frames} frames in {took:.1f} s).{extra}",
        f"已把 {clip['filename']} 的背景换成{what}（{res.frames} 帧，{took:.1f} 秒）。",
        d.to_dict(),
        state={"generated_media": generated},
        data={"frames": res.frames, "seconds": round(took, 2), "generated": gen.file_id},
    )
