"""Video in and out, below both the renderer and the vision code: one frame reader, one
writer, and the picture helpers between them.

- :class:`FrameReader` (``reader.py``): decode with display rotation, colour tags, forward
  timestamps (variable frame rate, rebuilt timestamps), seeking and cancel checks;
  :func:`counting_decodes` tallies the frames decoded, per source.
- :class:`VideoWriter` (``writer.py``): the encoder settings (:data:`QUALITY`), yuv420p
  conversion, AAC / Opus audio or copied audio packets, VP9 with alpha; plus
  :class:`ForwardClock`, :class:`CopiedStream` and :class:`OrderedWorker` for pipelines that
  keep the source's timestamps and encode on a thread of their own.
- ``pictures.py``: :func:`rotate`, :func:`downscale`, :func:`yuv_frame`, :func:`even_crop`.

Imports nothing else of the engine (only PyAV, OpenCV, numpy), so every stage may use it.
"""

from __future__ import annotations

from nemo_widgets.engine.video_io.pictures import downscale, even_crop, rotate, yuv_frame
from nemo_widgets.engine.video_io.reader import (
    DecodedFrame,
    FrameReader,
    NoFrames,
    counting_decodes,
)
from nemo_widgets.engine.video_io.writer import (
    ALPHA_WEBM,
    AUDIO_BITRATE,
    QUALITY,
    SAMPLE_RATE,
    CopiedStream,
    ForwardClock,
    OrderedWorker,
    VideoWriter,
)

__all__ = [
    "ALPHA_WEBM",
    "AUDIO_BITRATE",
    "QUALITY",
    "SAMPLE_RATE",
    "CopiedStream",
    "DecodedFrame",
    "ForwardClock",
    "FrameReader",
    "NoFrames",
    "OrderedWorker",
    "VideoWriter",
    "counting_decodes",
    "downscale",
    "even_crop",
    "rotate",
    "yuv_frame",
]
