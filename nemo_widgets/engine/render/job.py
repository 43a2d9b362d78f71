"""Render, stage 4 — the job: one pass over the frames that composes the layers, pulls the
mixed sound and feeds the export and its preview through :class:`VideoWriter`; and the
engine's render job (resolve the user's media, render, move into place, register)."""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from nemo_widgets.draft import Draft, Segment, Track
from nemo_widgets.engine.render.audio import AudioMix
from nemo_widgets.engine.render.layers import (
    ImageReader,
    VideoReader,
    _fade,
    _transition_ms,
    blend_title,
    build_title,
    picture_fade,
)
from nemo_widgets.engine.render.plan import (
    PREVIEW_SHORT,
    RenderError,
    _even,
    check_length,
    media_refs,
    media_resolver,
    plan_canvas,
    segment_source,
)
from nemo_widgets.video_io import QUALITY, SAMPLE_RATE, VideoWriter, downscale

log = logging.getLogger("nemo_widgets.engine.render")


# -- output ---------------------------------------------------------------------------------
class Output:
    """One output file (export or preview) fed frame by frame, its sound pulled from the mix."""

    def __init__(
        self,
        path: Path,
        fmt: str,
        quality: str,
        width: int,
        height: int,
        fps: Fraction,
        audio: bool,
        *,
        threads: int | None = None,
    ) -> None:
        self.w = VideoWriter(
            path, width, height, fps, fmt=fmt, quality=quality, threads=threads, audio=audio
        )
        self.v = self.w.stream
        self.samples_written = 0

    def video(self, img: np.ndarray, index: int) -> None:
        self.w.write(img, index)

    def audio(self, mix: AudioMix, upto: int) -> None:
        if self.w.audio is None:
            return
        fs = self.w.audio_frame_size
        while self.samples_written + fs <= upto:
            s = self.samples_written
            self.w.write_audio(mix.window(s, s + fs), s)
            self.samples_written += fs

    def close(self, mix: AudioMix | None) -> None:
        self.w.finish_video()
        if self.w.audio is not None and mix is not None:
            self.audio(mix, mix.n_total + self.w.audio_frame_size - 1)
        self.w.close()

    def abort(self) -> None:
        self.w.abort()


@dataclass
class RenderResult:
    width: int
    height: int
    fps: float
    frames: int
    duration: float
    has_audio: bool
    warnings: list[str]


def render(
    draft: Draft,
    resolve_path: Callable[[str], tuple[Path, dict[str, Any]] | None],
    out: Path,
    *,
    fmt: str = "mp4",
    quality: str = "high",
    preview: Path | None = None,
    progress: Callable[[float], None] = lambda p: None,
    check: Callable[[], None] = lambda: None,
) -> RenderResult:
    """Render ``draft`` into ``out`` (and a preview proxy into ``preview``)."""
    if fmt not in QUALITY:
        raise RenderError(f"unsupported format {fmt!r}; choose one of: {', '.join(QUALITY)}")
    if quality not in QUALITY[fmt]:
        raise RenderError(f"unknown quality {quality!r}; choose one of: high, medium, low")
    sources: dict[str, dict[str, Any]] = {}
    paths: dict[str, Path] = {}
    for tr in draft.tracks:
        for seg in tr.segments:
            for ref in {seg.source, segment_source(seg)} - {None}:
                found = resolve_path(ref)  # type: ignore[arg-type]
                if found is None:
                    raise RenderError(
                        f"the media {ref!r} used on the timeline is missing; upload it again"
                    )
                paths[ref], sources[ref] = found  # type: ignore[index]
    check_length(draft)
    canvas = plan_canvas(draft, {k: v for k, v in sources.items() if v.get("file_type") == "video"})
    fps = canvas.fps
    total_s = draft.end / 1000.0
    n_frames = max(1, round(total_s * fps))
    warnings: list[str] = []

    def audio_path(seg: Segment) -> Path | None:
        ref = seg.source
        info = sources.get(ref or "", {})
        return paths.get(ref or "") if info.get("has_audio") else None

    mix = AudioMix(draft, n_frames / fps, audio_path)
    has_audio = bool(mix.voices) or any(
        sources.get(s.source or "", {}).get("has_audio") for tr in draft.tracks for s in tr.segments
    )
    progress(2)

    main: Track | None = next((t for t in draft.tracks if t.kind == "video" and t.segments), None)
    video_segs = sorted(main.segments, key=lambda s: s.start) if main else []
    titles_segs = [s for t in draft.tracks if t.kind == "text" for s in t.segments if s.text]
    titles = [build_title(s, canvas, warnings) for s in titles_segs]

    out_v = Output(out, fmt, quality, canvas.width, canvas.height, fps, has_audio)
    out_p = None
    if preview is not None:
        ps = min(1.0, PREVIEW_SHORT / min(canvas.width, canvas.height))
        pw, ph = _even(canvas.width * ps), _even(canvas.height * ps)
        out_p = Output(preview, "mp4", "low", pw, ph, fps, has_audio, threads=1)
    outputs = [o for o in (out_v, out_p) if o is not None]
    readers: dict[int, Any] = {}
    black = np.zeros((canvas.height, canvas.width, 3), np.uint8)
    try:
        for i in range(n_frames):
            if i % 8 == 0:
                check()
            t_ms = i * 1000.0 / float(fps)
            active = [(k, s) for k, s in enumerate(video_segs) if s.start <= t_ms < s.end]
            for k in list(readers):
                if k not in {a for a, _ in active}:
                    readers.pop(k).close()
            frame = None
            for k, seg in active:
                if k not in readers:
                    ref = segment_source(seg)
                    info = sources[ref]  # type: ignore[index]
                    path = paths[ref]  # type: ignore[index]
                    readers[k] = (
                        ImageReader(path, canvas)
                        if info.get("file_type") == "image"
                        else VideoReader(
                            path,
                            canvas,
                            (seg.in_point or 0) / 1000.0,
                            info.get("fps") if info.get("timestamps") == "rebuilt" else None,
                        )
                    )
                src_t = ((seg.in_point or 0) + (t_ms - seg.start) * float(seg.speed or 1)) / 1000.0
                img = readers[k].at(src_t)
                tr_ms = _transition_ms(seg)
                if frame is not None and tr_ms and t_ms - seg.start < tr_ms:
                    w = (t_ms - seg.start) / tr_ms
                    frame = cv2.addWeighted(frame, 1 - w, img, w, 0)
                else:
                    frame = img
            frame = black if frame is None else frame
            if titles:
                frame = frame.copy()
                for title in titles:
                    if title.seg.start <= t_ms < title.seg.end:
                        blend_title(frame, title, _fade(title.seg, t_ms, 300.0))
            frame = picture_fade(frame, t_ms, n_frames * 1000.0 / float(fps), draft.meta)
            out_v.video(frame, i)
            upto = int((i + 1) * SAMPLE_RATE / fps)
            out_v.audio(mix, upto)
            if out_p is not None:
                small = downscale(frame, out_p.v.width, out_p.v.height)
                out_p.video(small, i)
                out_p.audio(mix, upto)
            progress(2 + 97 * (i + 1) / n_frames)
        out_v.close(mix if has_audio else None)
        if out_p is not None:
            out_p.close(mix if has_audio else None)
    finally:
        for o in outputs:
            o.abort()  # nothing after a successful close; an error leaves no open file
        mix.close()
        for r in readers.values():
            r.close()
    return RenderResult(
        canvas.width,
        canvas.height,
        float(fps),
        n_frames,
        n_frames / float(fps),
        has_audio,
        warnings,
    )


def render_core(
    draft: dict[str, Any],
    media: dict[str, tuple[Path, dict[str, Any]]],
    out: Path,
    fmt: str,
    quality: str,
    preview: Path | None,
    job: Any,
) -> RenderResult:
    """A render as a pure function of files (the draft, its media by reference, the output
    paths): what runs on a Dask worker when the engine has a cluster."""
    return render(
        Draft.parse(draft),
        media.get,
        out,
        fmt=fmt,
        quality=quality,
        preview=preview,
        progress=job.progress,
        check=job.check,
    )


def render_job(engine: Any, job: dict[str, Any], ctx: Any) -> dict[str, Any]:
    """The engine's render job: resolve media of this user, render, move into place."""
    store = engine.store
    user_id = job["user_id"]
    params = job["params"]
    draft = Draft.parse(params["draft"])
    state = store.state(job["session_id"]) if job["session_id"] else {}
    resolve = media_resolver(store, user_id, state)

    fmt = params.get("format", "mp4")
    ext = ".mp4" if fmt == "mp4" else ".webm"
    tmp = store.tmp_path(ext)
    tmp_preview = store.tmp_path(".mp4") if params.get("preview", True) else None
    # The heavy core gets the media as plain paths, so it can run on another machine.
    media = {r: found for r in media_refs(draft) if (found := resolve(r)) is not None}
    core = functools.partial(
        render_core, params["draft"], media, tmp, fmt, params.get("quality", "high"), tmp_preview
    )
    try:
        res = ctx.heavy(core)
        final = store.renders_dir / f"{job['id']}_{os.urandom(4).hex()}{ext}"
        os.replace(tmp, final)
        name = f"{job['id']}{ext}"
        info = {
            "file_type": "video",
            "format": fmt,
            "width": res.width,
            "height": res.height,
            "fps": res.fps,
            "duration": round(res.duration, 3),
            "has_audio": res.has_audio,
        }
        rec = store.register_output(
            final,
            user_id=user_id,
            session_id=job["session_id"],
            filename=name,
            kind="render",
            info=info,
        )
        result = {
            "file_id": rec.file_id,
            "filename": name,
            "size": rec.size,
            **info,
            "warnings": res.warnings,
        }
        if tmp_preview is not None:
            pfinal = store.renders_dir / f"{job['id']}_preview_{os.urandom(4).hex()}.mp4"
            os.replace(tmp_preview, pfinal)
            prec = store.register_output(
                pfinal,
                user_id=user_id,
                session_id=job["session_id"],
                filename=f"{job['id']}_preview.mp4",
                kind="render",
                info={**info, "format": "mp4"},
            )
            result["preview_id"], result["preview_name"] = prec.file_id, prec.filename
        return result
    finally:
        tmp.unlink(missing_ok=True)
        if tmp_preview is not None:
            tmp_preview.unlink(missing_ok=True)
