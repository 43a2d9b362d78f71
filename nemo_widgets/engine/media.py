"""What an uploaded file really is: sniffed by content (PyAV / Pillow), never by its name."""

from __future__ import annotations

import math
import re
import unicodedata
from fractions import Fraction
from pathlib import Path
from typing import Any

import av

VIDEO_FORMATS = ("mp4", "mov", "avi", "webm", "mkv")
IMAGE_FORMATS = ("jpg", "png", "gif", "webp")
AUDIO_FORMATS = ("mp3", "wav", "m4a", "aac")
SUPPORTED = VIDEO_FORMATS + IMAGE_FORMATS + AUDIO_FORMATS
FORMATS_TEXT = (
    f"video {' '.join(VIDEO_FORMATS)}; image {' '.join(IMAGE_FORMATS)}; "
    f"audio {' '.join(AUDIO_FORMATS)}"
)
MAX_UPLOAD_BYTES = 500 * 1024 * 1024
#: Limits that keep a hostile or absurd header from exhausting memory.
MAX_PIXELS = 7680 * 4320
MAX_DURATION_S = 4 * 3600

# PyAV demuxer names → our format names.
_DEMUXERS = {
    "mov,mp4,m4a,3gp,3g2,mj2": None,
    "matroska,webm": None,
    "avi": "avi",
    "mp3": "mp3",
    "wav": "wav",
    "aac": "aac",
}
_IMAGE_MAGIC = (
    (b"\xff\xd8\xff", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
)


class MediaError(ValueError):
    """Unsupported or broken media; ``code`` is the protocol's business code."""

    def __init__(self, message: str, code: int = 4001) -> None:
        super().__init__(message)
        self.code = code


def safe_filename(name: str | None, default: str = "upload") -> str:
    """A display name with no path parts or control characters (never used as a path)."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '<>:"|?*')
    name = name.strip(" .")
    return name[:200] or default


def _image_kind(head: bytes) -> str | None:
    for magic, kind in _IMAGE_MAGIC:
        if head.startswith(magic):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def _signature(head: bytes) -> str | None:
    """The container a file claims to be, from its first bytes."""
    if head[4:8] == b"ftyp":
        return "MP4/MOV"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "WebM/MKV"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "AVI"
    if head[:3] == b"ID3" or head[:2] in (b"\xff\xfb", b"\xff\xf3"):
        return "MP3"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "WAV"
    return None


def _fps(stream: Any) -> float:
    rate = stream.average_rate or stream.guessed_rate or stream.base_rate
    return round(float(rate), 3) if rate else 0.0


def probe(path: Path) -> dict[str, Any]:
    """Probe a media file. Returns ``file_type``, ``format``, ``duration``, size, fps, codec,
    audio facts and rotation; raises :class:`MediaError` naming the problem and the fix."""
    size = path.stat().st_size
    if size == 0:
        raise MediaError("the file is empty (0 bytes); upload it again")
    with open(path, "rb") as f:
        head = f.read(64)
    img = _image_kind(head)
    if img is not None:
        return _probe_image(path, img)
    try:
        container = av.open(str(path), metadata_errors="ignore")
    except (av.FFmpegError, OSError, UnicodeDecodeError) as e:
        kind = _signature(head)
        if kind is not None:
            # The right kind of file, but damaged or cut short (e.g. an MP4 whose index was
            # never written because the recording or the upload stopped early).
            raise MediaError(
                f"this {kind} file is incomplete or damaged — it was probably cut short while "
                "recording or uploading; upload the complete file again"
            ) from None
        looks_text = all(32 <= b < 127 or b in (9, 10, 13) for b in head) and head
        what = "a text file, not a video" if looks_text else "not a readable media file"
        raise MediaError(
            f"this is {what} ({type(e).__name__}); supported formats: {FORMATS_TEXT}"
        ) from None
    with container:
        return _probe_av(container, path)


def _format_name(container: Any, has_video: bool) -> str | None:
    name = container.format.name
    if name == "mov,mp4,m4a,3gp,3g2,mj2":
        brand = container.metadata.get("major_brand", "").strip()
        if not has_video:
            return "m4a"
        return "mov" if brand == "qt" else "mp4"
    if name == "matroska,webm":
        return (
            "webm"
            if container.metadata.get("DOCTYPE", "") == "webm" or _is_webm(container)
            else "mkv"
        )
    return _DEMUXERS.get(name) if name in _DEMUXERS else None


def _is_webm(container: Any) -> bool:
    codecs = {s.codec_context.name for s in container.streams if s.codec_context}
    return codecs <= {"vp8", "vp9", "av1", "opus", "vorbis"}


def _probe_av(container: Any, path: Path) -> dict[str, Any]:
    video = next(
        (
            s
            for s in container.streams.video
            if not (s.disposition & av.stream.Disposition.attached_pic)
        ),
        None,
    )
    audio = container.streams.audio[0] if container.streams.audio else None
    fmt = _format_name(container, video is not None)
    if fmt is None:
        raise MediaError(
            f"the {container.format.long_name or container.format.name} format is "
            f"not supported; supported formats: {FORMATS_TEXT}. Convert the file "
            f"to MP4 (H.264/AAC) and upload it again"
        )
    if video is None and audio is None:
        raise MediaError("the file has no video or audio stream")
    duration = float(container.duration / av.time_base) if container.duration else 0.0
    info: dict[str, Any] = {
        "format": fmt,
        "duration": round(duration, 3),
        "size": path.stat().st_size,
    }
    if video is not None:
        cc = video.codec_context
        w, h = cc.width, cc.height
        if not w or not h:
            raise MediaError("the video stream has no picture size; the file may be damaged")
        if w * h > MAX_PIXELS:
            raise MediaError(
                f"the video is {w}x{h}, larger than 8K ({MAX_PIXELS} pixels); "
                "downscale it to 4K or less and upload again"
            )
        if duration > MAX_DURATION_S:
            raise MediaError(
                f"the video lasts {duration / 3600:.1f} h, more than the "
                f"{MAX_DURATION_S // 3600} h limit; trim it first",
                code=4002,
            )
        # One pass over the video packets: decoding the first frame proves the file is
        # readable and gives the display rotation of phone videos; the rest is only demuxed,
        # to count the packets and check that timestamps go forward.
        frame, count, in_order, span = _scan(container, video)
        rotation = int(getattr(frame, "rotation", 0) or 0) % 360
        if span > 0 and in_order:
            # A video lasts as long as its pictures: the container's duration is the longest
            # stream's, and AAC's priming and padding make the audio outlast the video by a
            # few ms — enough for an export of the whole clip to gain a frame.
            duration = span
            info["duration"] = round(duration, 3)
        elif duration <= 0 and video.frames and video.average_rate:
            duration = float(video.frames / video.average_rate)
            info["duration"] = round(duration, 3)
        if not in_order:
            # Timestamps that jump back (joined recordings, broken muxers) cannot be trusted:
            # the frames are used in stored order at the stream's nominal rate instead.
            info["timestamps"] = "rebuilt"
            info["duration"] = duration = round(count / (_fps(video) or 30.0), 3)
        info.update(
            file_type="video",
            width=w,
            height=h,
            fps=_fps(video),
            codec=cc.name,
            pix_fmt=cc.pix_fmt,
            rotation=rotation,
        )
        if rotation in (90, 270):
            info["display_width"], info["display_height"] = h, w
    else:
        info["file_type"] = "audio"
    info["has_audio"] = audio is not None
    if audio is not None:
        acc = audio.codec_context
        info.update(
            audio_codec=acc.name,
            sample_rate=acc.sample_rate,
            channels=acc.channels if hasattr(acc, "channels") else acc.layout.nb_channels,
        )
    if info["file_type"] == "audio" and duration <= 0:
        raise MediaError("the audio file has no duration; it may be damaged")
    return info


def _scan(container: Any, video: Any) -> tuple[Any, int, bool, float]:
    """The first decoded frame, the number of video packets, whether their decode
    timestamps only ever go forward, and the pictures' span in seconds (first presentation
    time to the last one's end; 0 when unknown); :class:`MediaError` if no frame decodes."""
    frame, count, last, in_order = None, 0, None, True
    first_pts: int | None = None
    end_pts: int | None = None
    try:
        for packet in container.demux(video):
            if frame is None:
                frame = next(iter(packet.decode()), None)
            if packet.size == 0:
                continue
            count += 1
            ts = packet.dts if packet.dts is not None else packet.pts
            if ts is not None:
                in_order = in_order and (last is None or ts >= last)
                last = ts
            if packet.pts is not None:
                first_pts = packet.pts if first_pts is None else min(first_pts, packet.pts)
                end = packet.pts + (packet.duration or 0)
                end_pts = end if end_pts is None else max(end_pts, end)
    except av.FFmpegError as e:
        if frame is None:
            raise MediaError(
                f"the video cannot be decoded ({type(e).__name__}); the file is "
                "damaged or incomplete — upload it again"
            ) from None
        # A damaged tail: what was read so far stands.
    if frame is None:
        raise MediaError(
            "the video has no decodable frame; the file is damaged or incomplete — upload it again"
        )
    span = 0.0
    if first_pts is not None and end_pts is not None and video.time_base:
        span = float((end_pts - first_pts) * video.time_base)
    return frame, count, in_order, span


def _probe_image(path: Path, kind: str) -> dict[str, Any]:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as im:
            w, h = im.size
            if w * h > MAX_PIXELS * 2:
                raise MediaError(f"the image is {w}x{h}; downscale it below 60 megapixels")
            im.verify()
    except (UnidentifiedImageError, OSError, SyntaxError) as e:
        raise MediaError(f"the image cannot be read ({e}); upload it again") from None
    return {
        "file_type": "image",
        "format": kind,
        "width": w,
        "height": h,
        "duration": 0.0,
        "size": path.stat().st_size,
        "has_audio": False,
    }


EXT_RE = re.compile(r"^[a-z0-9]{1,5}$")


def ext_for(info: dict[str, Any]) -> str:
    fmt = str(info.get("format", ""))
    return f".{fmt}" if EXT_RE.match(fmt) else ""


def as_fraction(x: float) -> Fraction:
    return Fraction(x).limit_denominator(1001) if math.isfinite(x) and x > 0 else Fraction(30)
