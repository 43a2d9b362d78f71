"""Video in and out, below both the renderer and the vision code: one frame reader, one
writer, and the picture helpers between them.

- :class:`FrameReader` (``reader.py``): decode with display rotation, colour tags, forward
  timestamps (variable frame rate, rebuilt timestamps), seeking and cancel checks;
  :func:`counting_decodes` tallies the frames decoded, per source; :class:`Prefetch` decodes
  on a thread of its own, ahead of the consumer.
- :class:`VideoWriter` (``writer.py``): the encoder settings (:data:`QUALITY`), yuv420p
  conversion, AAC / Opus audio or copied audio packets, VP9 with alpha; plus
  :class:`ForwardClock`, :class:`CopiedStream` and :class:`OrderedWorker` for pipelines that
  keep the source's timestamps and encode on a thread of their own.
- :class:`FrameCache` (``cache.py``): the frames one pass decoded, kept raw on disk (bounded)
  and read back memory-mapped, so a second pass over them is not a second decode.
- ``pictures.py``: :func:`rotate`, :func:`downscale`, :func:`yuv_frame`, :func:`even_crop`.

It lives beside the draft model, below both the engine and the widgets, and imports nothing
else of the package (only PyAV, OpenCV, numpy): the engine's stages, the widgets' preview
proxies and thumbnails, and :mod:`nemo_widgets.stills` all read and write through it.
"""

from __future__ import annotations

from nemo_widgets.video_io.cache import CACHE_BYTES, CachedFrame, FrameCache
from nemo_widgets.video_io.pictures import downscale, even_crop, rotate, yuv_frame
from nemo_widgets.video_io.reader import (
    DecodedFrame,
    FrameReader,
    NoFrames,
    Prefetch,
    counting_decodes,
)
from nemo_widgets.video_io.writer import (
    ALPHA_WEBM,
    AUDIO_BITRATE,
    PREVIEW,
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
    "CACHE_BYTES",
    "PREVIEW",
    "QUALITY",
    "SAMPLE_RATE",
    "CachedFrame",
    "CopiedStream",
    "DecodedFrame",
    "ForwardClock",
    "FrameCache",
    "FrameReader",
    "NoFrames",
    "OrderedWorker",
    "Prefetch",
    "VideoWriter",
    "counting_decodes",
    "downscale",
    "even_crop",
    "rotate",
    "yuv_frame",
]
