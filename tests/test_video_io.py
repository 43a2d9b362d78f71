"""The engine's one frame reader and one writer, measured on real files."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from nemo_widgets.synth import audio_of, make_clip, set_display_rotation, write_frames
from nemo_widgets.video_io import FrameReader, NoFrames, Prefetch, VideoWriter

RED, BLUE = (220, 20, 20), (20, 20, 220)


def _halves(h: int = 240, w: int = 320) -> np.ndarray:
    img = np.zeros((h, w, 3), np.uint8)
    img[:, : w // 2] = RED
    img[:, w // 2 :] = BLUE
    return img


def _is(px: np.ndarray, colour: tuple[int, int, int]) -> bool:
    return bool(np.abs(px.astype(int) - colour).max() < 40)


@pytest.mark.parametrize(
    ("degrees", "size", "red_at", "blue_at"),
    [
        # Stored 320×240, red on the left; shown turned clockwise by ``degrees``.
        (90, (240, 320), (40, 120), (280, 120)),  # red on top
        (180, (320, 240), (120, 280), (120, 40)),  # red on the right
        (270, (240, 320), (280, 120), (40, 120)),  # red at the bottom
    ],
)
def test_reader_turns_phone_clips_upright(
    tmp_path: Path, degrees: int, size: tuple[int, int], red_at, blue_at
) -> None:
    path = write_frames(tmp_path / "phone.mp4", [_halves()] * 10)
    set_display_rotation(path, degrees, 240, 320)
    with FrameReader(path) as src:
        first = src.peek()
        h, w = first.rgb.shape[:2]
        assert (w, h) == size
        frames = list(src)
    assert len(frames) == 10 and frames[0] is first
    rgb = frames[5].rgb
    assert _is(rgb[red_at], RED) and _is(rgb[blue_at], BLUE)


def test_reader_uses_the_sources_colour_matrix(tmp_path: Path) -> None:
    """A BT.709-tagged clip (as HD phone and camera clips are) reads back as the same red; read
    as BT.601 the red would come out about 20 levels off in green."""
    path = tmp_path / "709.mp4"
    img = np.zeros((128, 128, 3), np.uint8)
    img[:] = (200, 40, 40)
    with av.open(str(path), "w") as c:
        s = c.add_stream("libx264", rate=25, options={"preset": "ultrafast", "crf": "10"})
        s.width, s.height, s.pix_fmt = 128, 128, "yuv420p"
        s.codec_context.colorspace, s.codec_context.color_range = 1, 1  # BT.709, limited
        for i in range(5):
            f = av.VideoFrame.from_ndarray(img, format="rgb24").reformat(
                format="yuv420p", dst_colorspace="itu709", dst_color_range=1
            )
            f.pts = i
            for p in s.encode(f):
                c.mux(p)
        for p in s.encode(None):
            c.mux(p)
    with FrameReader(path) as src:
        f = src.peek()
        assert f.frame.colorspace == 1
        assert np.abs(f.rgb[64, 64].astype(int) - (200, 40, 40)).max() <= 6
        as_601 = f.frame.reformat(format="rgb24", src_colorspace="itu601").to_ndarray()
    assert np.abs(as_601[64, 64].astype(int) - (200, 40, 40)).max() > 12


def test_reader_keeps_variable_frame_rate_timestamps(tmp_path: Path) -> None:
    path = tmp_path / "vfr.mp4"
    shown_ms = [0, 40, 80, 200, 240, 600, 640, 1000]
    with av.open(str(path), "w") as c:
        s = c.add_stream("libx264", rate=25, options={"preset": "ultrafast"})
        s.width, s.height, s.pix_fmt = 64, 64, "yuv420p"
        s.codec_context.time_base = Fraction(1, 1000)
        for k, ms in enumerate(shown_ms):
            f = av.VideoFrame.from_ndarray(np.full((64, 64, 3), k * 30, np.uint8), format="rgb24")
            f.pts, f.time_base = ms, Fraction(1, 1000)
            for p in s.encode(f):
                c.mux(p)
        for p in s.encode(None):
            c.mux(p)
    with FrameReader(path) as src:
        times = [round(f.t * 1000) for f in src]
    assert times == shown_ms
    with FrameReader(path) as src:
        # The frame on screen at 0.5 s is the one shown at 240 ms, until 600 ms.
        assert round(src.at(0.5).t * 1000) == 240
        assert round(src.at(0.61).t * 1000) == 600


def test_reader_seeks_and_rebuilds_timestamps(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "c.mp4", seconds=4, width=96, height=64, audio=False)
    with FrameReader(clip, start_s=2.5) as src:
        first = src.peek()
        assert first.t <= 2.5  # from the keyframe at or before 2.5 s
        assert src.at(2.5).t == pytest.approx(2.5, abs=0.021)
        src.seek(1.0)
        assert src.at(1.0).t == pytest.approx(1.0, abs=0.021)
    with FrameReader(clip, start_s=2.5, rebuilt_fps=50) as src:
        assert src.peek().t == 0.0  # no seeking on untrusted timestamps
        f = src.at(0.5)
        assert f.index == 25 and f.t == pytest.approx(0.5)


def test_reader_checks_for_cancel(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "c.mp4", seconds=2, width=64, height=64, audio=False)
    seen = []

    class Stop(Exception):
        pass

    def check() -> None:
        if len(seen) >= 16:
            raise Stop

    with FrameReader(clip, check=check, check_every=8) as src, pytest.raises(Stop):
        for f in src:
            seen.append(f.index)
    assert len(seen) == 16


def test_prefetch_decodes_ahead_on_its_own_thread(tmp_path: Path) -> None:
    """The same frames, in order, converted on the decoder thread; a cancel check raised
    there reaches the loop; leaving the loop early ends the thread."""
    import threading

    clip = make_clip(tmp_path / "c.mp4", seconds=2, width=64, height=64, audio=False)
    with FrameReader(clip) as src:
        plain = [f.rgb for f in src]
    where: list[str] = []

    def check() -> None:
        where.append(threading.current_thread().name)

    with FrameReader(clip, check=check, check_every=1) as src, Prefetch(src, depth=2) as ahead:
        got = []
        for f in ahead:
            assert f._rgb is not None  # converted before it was handed over
            got.append(f.rgb)
    assert len(got) == len(plain)
    assert all(np.array_equal(a, b) for a, b in zip(got, plain, strict=True))
    assert set(where) == {"nemo-decoder"}

    class Stop(Exception):
        pass

    def stop() -> None:
        if threading.current_thread().name == "nemo-decoder" and len(seen) >= 5:
            raise Stop

    seen: list[int] = []
    with FrameReader(clip, check=stop, check_every=1) as src, pytest.raises(Stop):
        for f in Prefetch(src, depth=1):
            seen.append(f.index)
    assert 5 <= len(seen) < len(plain)
    with FrameReader(clip) as src:
        early = Prefetch(src, depth=1)
        for f in early:
            if f.index == 3:
                break
        assert not early._thread.is_alive()


def test_reader_refuses_a_file_without_frames(tmp_path: Path) -> None:
    from nemo_widgets.synth import make_tone

    tone = make_tone(tmp_path / "t.m4a", seconds=0.5)
    with pytest.raises(NoFrames):
        FrameReader(tone)


def test_writer_round_trip_with_copied_audio(tmp_path: Path) -> None:
    src = make_clip(tmp_path / "c.mp4", seconds=1, width=160, height=120, colour=(30, 160, 90))
    out = tmp_path / "o.mp4"
    with (
        FrameReader(src) as inp,
        VideoWriter(out, 160, 120, inp.rate, time_base=inp.time_base, copy_audio=inp.audio) as w,
    ):
        inp.peek()  # a frame decoded first must not cost the sound its start
        for pkt in inp.audio_packets():
            w.copy(pkt)
        for f in inp:
            w.write(f.rgb, f.pts)
    with av.open(str(out)) as c:
        v = c.streams.video[0]
        assert (v.codec_context.name, v.codec_context.profile) == ("h264", "High")
        assert (v.width, v.height, v.codec_context.pix_fmt) == (160, 120, "yuv420p")
        assert v.codec_context.colorspace == 6  # tagged as what yuv_frame writes (BT.601)
        assert v.frames == 25
    with FrameReader(out) as back:
        assert _is(back.peek().rgb[60, 80], (30, 160, 90))
    assert audio_of(out).shape[1] == pytest.approx(audio_of(src).shape[1], abs=1024)
    with open(out, "rb") as fh:
        head = fh.read(100_000)
    assert head.find(b"moov") < head.find(b"mdat")  # +faststart


def test_writer_alpha_and_refusals(tmp_path: Path) -> None:
    out = tmp_path / "a.webm"
    rgba = np.zeros((64, 64, 4), np.uint8)
    rgba[..., 1], rgba[:, :32, 3], rgba[:, 32:, 3] = 200, 255, 0
    with VideoWriter(out, 64, 64, 25, fmt="webm", alpha=True) as w:
        for i in range(5):
            w.write(rgba, i)
    with av.open(str(out)) as c:
        v = c.streams.video[0]
        assert v.codec_context.name == "vp9" and v.frames in (0, 5)
    with pytest.raises(ValueError, match="even"):
        VideoWriter(tmp_path / "odd.mp4", 63, 64, 25)
    with pytest.raises(ValueError, match="WebM"):
        VideoWriter(tmp_path / "x.mp4", 64, 64, 25, alpha=True)
    with pytest.raises(RuntimeError), VideoWriter(tmp_path / "e.mp4", 64, 64, 25) as w:
        w.write(np.zeros((64, 64, 3), np.uint8), 0)
        raise RuntimeError("boom")
    assert w.closed


def test_frame_cache_gives_back_what_was_decoded(tmp_path: Path) -> None:
    """A FrameCache holds the frames as the reader gave them (upright, same times and
    timestamps), reads them back without a decode, and is deleted when closed."""
    from nemo_widgets.video_io import FrameCache, counting_decodes

    src = write_frames(tmp_path / "c.mp4", [_halves()] * 6)
    set_display_rotation(src, 90, 240, 320)
    with FrameReader(src) as r:
        decoded = list(r)
    with FrameCache(tmp_path) as cache:
        for f in decoded:
            cache.add(f)
        assert cache.finish() and cache.path.exists()
        with counting_decodes() as counted:
            kept = list(cache.frames())
        assert not counted
        assert [(f.index, f.t, f.pts) for f in kept] == [(f.index, f.t, f.pts) for f in decoded]
        for a, b in zip(kept, decoded, strict=True):
            assert a.rgb.shape == (320, 240, 3) and np.array_equal(a.rgb, b.rgb)
        kept[0].rgb[:] = 0  # copy-on-write: the file (and the next read) keep the frame
        assert np.array_equal(next(iter(cache.frames())).rgb, decoded[0].rgb)
    assert not cache.path.exists()
    with pytest.raises(RuntimeError):
        next(iter(cache.frames()))
