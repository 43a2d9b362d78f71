"""Render a draft into a browser-ready file: H.264 High / yuv420p / AAC / +faststart MP4 (or
VP9/Opus WebM), plus a small preview proxy (≤ 480p) encoded in the same pass.

The renderer is laid out along its flow:

1. :mod:`~nemo_widgets.engine.render.plan` — the media the timeline uses, the limits, the canvas;
2. :mod:`~nemo_widgets.engine.render.layers` — each segment's source read by time and placed on
   the canvas (fit / fill / blurred padding), crossfades, titles drawn once with Pillow;
3. :mod:`~nemo_widgets.engine.render.audio` — each clip's own sound in sync, BGM at its volume
   with fades and loops, speed changes that keep the pitch, mixed to 48 kHz stereo;
4. :mod:`~nemo_widgets.engine.render.job` — the one pass over the frames feeding the export and
   its preview through :class:`~nemo_widgets.engine.video_io.VideoWriter`, and the engine's job.

Frames come in through :class:`~nemo_widgets.engine.video_io.FrameReader` and go out through
:class:`~nemo_widgets.engine.video_io.VideoWriter`: video in and out lives in
``engine/video_io``, below both this package and the vision code.
"""

from __future__ import annotations

from nemo_widgets.engine.render.audio import (
    AudioMix,
    AudioReader,
    Tempo,
    tempo_chain,
)
from nemo_widgets.engine.render.job import Output, RenderResult, render, render_job
from nemo_widgets.engine.render.layers import (
    ImageReader,
    Placer,
    Title,
    VideoReader,
    blend_title,
    build_title,
)
from nemo_widgets.engine.render.plan import (
    MAX_LONG,
    MAX_SHORT,
    PREVIEW_SHORT,
    Canvas,
    RenderError,
    check_length,
    media_resolver,
    missing_media,
    plan_canvas,
    segment_source,
)
from nemo_widgets.engine.video_io import AUDIO_BITRATE, QUALITY, SAMPLE_RATE

__all__ = [
    "AUDIO_BITRATE",
    "MAX_LONG",
    "MAX_SHORT",
    "PREVIEW_SHORT",
    "QUALITY",
    "SAMPLE_RATE",
    "AudioMix",
    "AudioReader",
    "Canvas",
    "ImageReader",
    "Output",
    "Placer",
    "RenderError",
    "RenderResult",
    "Tempo",
    "Title",
    "VideoReader",
    "blend_title",
    "build_title",
    "check_length",
    "media_resolver",
    "missing_media",
    "plan_canvas",
    "render",
    "render_job",
    "segment_source",
    "tempo_chain",
]
