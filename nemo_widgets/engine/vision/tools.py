"""Agent tools that run vision pipelines and record their results in the session.

A tool processes the *whole source clip* once (so any in/out points on the timeline stay
valid), stores the result as generated media, and adds an effect ``{"k", "p", "media"}`` to
every segment that shows that clip; the renderer then uses the generated media instead of
the source, so exports never recompute vision work.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Any

from nemo_widgets.draft import Draft, Effect
from nemo_widgets.engine.toolkit import ToolResult
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


def _current_media(ctx: Any, clip: dict[str, Any]) -> Path | None:
    """The clip as the timeline shows it now: the last effect's generated media, so a new
    effect applies on top of earlier ones (a removal after a background change keeps both)."""
    store = ctx.engine.store
    d: Draft = ctx.draft
    media = None
    for tr in d.tracks:
        for seg in tr.segments:
            if tr.kind == "video" and seg.source == clip["file_id"] and seg.effects:
                media = next((e.media for e in reversed(seg.effects) if e.media), media)
    rec = store.file(media or clip["file_id"], ctx.user_id)
    return rec.path if rec is not None and rec.path.exists() else None


def _store_generated(
    ctx: Any, clip: dict[str, Any], tmp: Path, suffix: str, info: dict[str, Any]
) -> Any:
    """Move a finished temp file into the media folder (atomic rename) and record it."""
    store = ctx.engine.store
    final = store.files_dir / f"gen_{os.urandom(6).hex()}{Path(suffix).suffix}"
    os.replace(tmp, final)
    stem = os.path.splitext(clip["filename"])[0]
    return store.register_output(
        final,
        user_id=ctx.user_id,
        session_id=ctx.session_id,
        filename=f"{stem}_{suffix}",
        kind="generated",
        info=info,
    )


def _record(
    ctx: Any,
    clip: dict[str, Any],
    tmp: Path,
    kind: str,
    effect: Effect,
    info: dict[str, Any],
    extra: dict[str, Any] | None = None,
) -> tuple[Draft, list, Any]:
    """Move a finished output into place, list it in generated_media, add ``effect`` (with
    the new media) to every segment showing the clip. Replaces an earlier effect of the
    same kind."""
    gen = _store_generated(ctx, clip, tmp, f"{kind}.mp4", info)
    entry: dict[str, Any] = {
        "file_id": gen.file_id,
        "name": gen.filename,
        "kind": kind,
        "source": clip["file_id"],
        "url": ctx.engine.media_url(None, gen.file_id, ctx.user_id, gen.filename),
        **info,
        **(extra or {}),
    }
    effect.media = gen.file_id
    d: Draft = ctx.draft
    for tr in d.tracks:
        for seg in tr.segments:
            if tr.kind == "video" and seg.source == clip["file_id"]:
                seg.effects = [e for e in seg.effects or [] if e.kind != effect.kind]
                seg.effects.append(effect)
    return d, [*ctx.state.get("generated_media", []), entry], gen


def _spec(ctx: Any, args: dict[str, Any]) -> BackgroundSpec | str:
    """The background from the tool's arguments: ``mode`` preset / color / blur / image /
    transparent and its ``value`` (older names: ``media`` + ``file``, ``background``)."""
    mode = args.get("mode", "preset")
    value = args.get("value") or args.get("background")
    if mode == "blur":
        return BackgroundSpec("blur", blur=float(args.get("strength", 12)))
    if mode == "transparent":
        return BackgroundSpec("transparent")
    if mode in ("media", "image"):
        name = args.get("file") or value
        f = next((x for x in ctx.uploads() if x.get("filename") == name), None)
        if f is None:
            return f"I can't find {name} in this session; upload it first."
        rec = ctx.engine.store.file(f["file_id"], ctx.user_id)
        if rec is None:
            return f"{name} is missing; upload it again."
        return BackgroundSpec("media", media=rec.path, media_kind=f.get("file_type"))
    return spec_from_words(value)


def _zh_background(spec: BackgroundSpec, args: dict[str, Any]) -> str:
    """The new background, said in Chinese (the reply must not switch language)."""
    if spec.mode == "media":
        return f"图片 {args.get('file') or args.get('value')}"
    if spec.mode == "colour":
        return "纯色背景"
    if spec.mode == "blur":
        return "虚化背景"
    if spec.mode == "transparent":
        return "透明背景"
    names = {"studio": "摄影棚", "white studio": "白色摄影棚", "dark studio": "深色摄影棚"}
    names |= {"office": "办公室", "beach": "海滩", "green screen": "绿幕"}
    return names.get(spec.preset or "", "摄影棚") + "背景"


_QUALITY_WORDS = {
    "fast": ('fast matte; say "best quality" for a slower, finer edge', "快速抠像"),
    "best": ("best-quality matte", "最佳质量抠像"),
}


def _matte_quality(args: dict[str, Any]) -> str:
    """``fast`` (default, real time) or ``best``: from an explicit ``quality`` argument, else
    from the user's words ("best quality", "highest quality", "最佳质量")."""
    q = str(args.get("quality") or "").lower().strip()
    if q:
        return "best" if q in ("best", "best quality", "high", "highest", "quality") else "fast"
    words = str(args.get("query") or "").lower()
    hit = re.search(
        r"\b(best|highest|top|maximum|max) quality\b|最佳质量|最高质量|最好的质量", words
    )
    return "best" if hit else "fast"


def tool_replace_background(ctx: Any, args: dict[str, Any]) -> Any:
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
    src = _current_media(ctx, clip)
    if src is None:
        return ToolResult(
            "The clip's file is missing; upload it again.", "视频文件丢失，请重新上传。", ok=False
        )
    out = store.tmp_path(".mp4")
    alpha = store.tmp_path(".webm") if spec.mode == "transparent" else None

    matte = _matte_quality(args)

    def work(job: Any) -> Any:
        return replace_background(
            src,
            out,
            spec,
            alpha_out=alpha,
            check=job.check,
            matte_quality=matte,
            progress=job.progress,
        )

    res, took = run_heavy_for(ctx, clip, work, out, alpha)
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
    what = spec.describe()
    if spec.mode == "media":  # the user's file name, never the stored id
        what = f"{args.get('file') or args.get('value')} image"
    info = {
        "file_type": "video",
        "format": "mp4",
        "width": res.width,
        "height": res.height,
        "duration": res.duration,
        "has_audio": res.has_audio,
        "frames": res.frames,
    }
    extra: dict[str, Any] = {"background": what}
    if alpha is not None:
        arec = _store_generated(
            ctx, clip, alpha, "transparent.webm", {**info, "format": "webm", "alpha": True}
        )
        extra["alpha_file_id"] = arec.file_id
        extra["alpha_url"] = ctx.engine.media_url(None, arec.file_id, ctx.user_id, arec.filename)
    effect = Effect("replace_background", {"background": what, "mode": spec.mode})
    d, generated, gen = _record(ctx, clip, out, "background", effect, info, extra)
    note = (
        " A transparent WebM (VP9 with alpha) is in the generated media; the timeline "
        "shows it on a checkerboard."
        if alpha is not None
        else ""
    )
    asked = str(args.get("value") or "").strip()
    zh_note = ""
    if (
        spec.mode == "preset"
        and asked
        and not re.search(r"studio|clean|professional|neutral|plain|摄影棚", asked.lower())
        and (spec.preset or "studio") == "studio"
    ):
        # "换个星空背景": no such backdrop here — say what was used instead, never silently
        note += f" There is no “{asked}” backdrop, so the studio one was used."
        zh_note = f"没有“{asked}”这个背景，所以用了摄影棚背景。"
    return ToolResult(
        f"Replaced the background of {clip['filename']} with a {what} "
        f"({res.frames} frames in {took:.1f} s, {_QUALITY_WORDS[matte][0]}).{note}",
        f"已把 {clip['filename']} 的背景换成{_zh_background(spec, args)}"
        f"（{res.frames} 帧，{took:.1f} 秒，{_QUALITY_WORDS[matte][1]}）。{zh_note}",
        d.to_dict(),
        state={"generated_media": generated},
        data={
            "frames": res.frames,
            "seconds": round(took, 2),
            "generated": gen.file_id,
            "quality": matte,
        },
    )


def run_heavy_for(ctx: Any, clip: dict[str, Any], work: Any, *outputs: Path | None) -> Any:
    """Run a vision tool's heavy ``work`` (progress counted in the clip's frames); the result
    and the seconds it took. On failure its half-written ``outputs`` are removed."""
    ctx.frames_total = _frame_count(clip)
    t0 = time.perf_counter()
    try:
        res = ctx.run_heavy(work)
    except Exception:
        for path in outputs:
            if path is not None:
                path.unlink(missing_ok=True)
        raise
    return res, time.perf_counter() - t0


def _frame_count(clip: dict[str, Any]) -> int | None:
    """Frames in a clip, from its probe (for progress as "frame n of N")."""
    try:
        return round(float(clip["duration"]) * float(clip["fps"])) or None
    except (KeyError, TypeError, ValueError):
        return None


def tool_remove_object(ctx: Any, args: dict[str, Any]) -> Any:
    from nemo_widgets.engine.vision.labels import Target, parse_target
    from nemo_widgets.engine.vision.remove import describe, remove_object

    clip = _target_clip(ctx, args)
    if clip is None:
        return ToolResult(
            "Upload a video first, then say what to remove.", "请先上传视频。", ok=False
        )
    selection = ctx.state.get("selection") or {}
    box = selection.get("box") if isinstance(selection.get("box"), list) else None
    words = args.get("words") or args.get("target") or "that"
    parsed = parse_target(words, words) if words != "that" else None
    label = args.get("label") or (parsed.label if parsed else None)
    src = _current_media(ctx, clip)
    if src is None:
        return ToolResult(
            "The clip's file is missing; upload it again.", "视频文件丢失，请重新上传。", ok=False
        )
    pick = args.get("candidate")
    pending = ctx.state.get("candidates") or {}
    items = pending.get("items") or []
    if box is None and pick and pending.get("named") and 1 <= pick <= len(items):
        # The pick answers "which car?" (nameless.ask_which): that object, found by its box.
        box, selection = items[pick - 1]["at_box"], {"time": items[pick - 1]["at_s"]}
        words = str(pending.get("words") or words)
        parsed = parse_target(words, words)
        label = parsed.label
    if box is None:
        from nemo_widgets.engine.vision.nameless import nameless, wants_nameless

        if pick or wants_nameless(words, label):
            return nameless(ctx, clip, src, pending.get("words") or words if pick else words, pick)
    target = Target(
        label,
        words,
        args.get("colour") or (parsed.colour if parsed else None),
        args.get("motion") or (parsed.motion if parsed else None),
        args.get("depth") or (parsed.depth if parsed else None),
        args.get("side") or (parsed.side if parsed else None),
        bool(args.get("all") or (parsed.all if parsed else False)),
    )
    out = ctx.engine.store.tmp_path(".mp4")

    def work(job: Any) -> Any:
        return remove_object(
            src,
            out,
            target,
            box=tuple(box) if box else None,
            box_time=float(selection.get("time") or 0),
            start_s=float(args.get("start") or 0),
            end_s=args.get("end"),
            check=job.check,
            progress=job.progress,
        )

    res, took = run_heavy_for(ctx, clip, work, out)
    what = (
        " ".join(
            x
            for x in (
                target.colour,
                {"still": "parked", "moving": "moving"}.get(target.motion or ""),
                (target.label or "").replace("_", " "),
            )
            if x
        )
        or "object"
    )
    where = " ".join(
        x
        for x in (
            f"on the {target.side}" if target.side else "",
            f"in the {target.depth}" if target.depth else "",
        )
        if x
    )
    if res.fill is None:
        out.unlink(missing_ok=True)
        if res.ask:
            from nemo_widgets.engine.vision.nameless import ask_which

            return ask_which(ctx, clip, src, res.scan, res.ask, words)
        if box is None:
            # Not found by name: the things in the clip, offered with a picture (never
            # removed without the user's pick).
            from nemo_widgets.engine.vision.nameless import nameless

            missed = f"I looked for a {what}{' ' + where if where else ''} and didn't find one"
            return nameless(ctx, clip, src, words, None, missed=missed)
        found = sorted({t.label for t in res.scan.tracks})
        seen = f" I did see: {', '.join(found)}." if found else ""
        return ToolResult(
            f"I looked for a {what}{' ' + where if where else ''} in {clip['filename']} and "
            f"didn't find one, so nothing was changed.{seen} Draw a box around it and say "
            '"remove this", or describe it differently.',
            f"在 {clip['filename']} 中没有找到要去掉的对象，未做修改。可以框选它后说“去掉这个”。",
            ok=False,
        )
    info = {
        "file_type": "video",
        "format": "mp4",
        "width": res.scan.width,
        "height": res.scan.height,
        "duration": round(res.scan.frames / res.scan.fps, 3),
        "frames": res.fill.frames,
    }
    removed = [
        {
            "label": t.label,
            "from_s": round(t.first / res.scan.fps, 2),
            "to_s": round(t.last / res.scan.fps, 2),
        }
        for t in res.tracks
    ]
    effect = Effect("remove_object", {"target": words, "label": target.label, "objects": removed})
    d, generated, gen = _record(ctx, clip, out, "removed", effect, info)
    n = len(res.tracks)
    found = "; ".join(
        f"{describe(t, res.scan)}, seen {r['from_s']:g}–{r['to_s']:g} s"
        for t, r in zip(res.tracks[:3], removed, strict=False)
    )
    invented = res.fill.invented_share
    note = (
        f" Nothing behind it was ever visible for about {100 * invented:.0f}% of the area it "
        "covered, so that part was invented from its surroundings; worth a look before you "
        "export."
        if invented >= 0.05
        else ""
    )
    return ToolResult(
        f"Removed the {what}{' ' + where if where else ''} from {clip['filename']}: {found} "
        f"({n} object{'s' if n != 1 else ''}; filled from the rest of the video in "
        f"{took:.1f} s).{note}",
        f"已从 {clip['filename']} 中去掉“{words}”（{took:.1f} 秒）。"
        + (
            f"其中约 {100 * invented:.0f}% 的区域在任何一帧里都看不到，是根据周围合成的，"
            "导出前请检查。"
            if invented >= 0.05
            else ""
        ),
        d.to_dict(),
        state={"generated_media": generated, "selection": None, "candidates": None},
        data={"objects": removed, "seconds": round(took, 2), "generated": gen.file_id},
    )
