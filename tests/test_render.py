"""The renderer, measured on its real output: stream facts, pixels, levels, sync."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest

from nemo_widgets.draft import Draft
from nemo_widgets.engine.media import probe
from nemo_widgets.engine.render import RenderError, render
from nemo_widgets.synth import audio_of, frame_at, make_clip, make_image, make_tone, write_frames

pytestmark = pytest.mark.slow


def _resolver(**files: Path):
    infos = {k: probe(p) for k, p in files.items()}
    return lambda ref: (files[ref], infos[ref]) if ref in files else None


def _render_clip(clip: Path, out: Path, du: int = 1000, **seg: Any) -> Any:
    """Render a draft that is just the first ``du`` ms of ``clip`` (``seg``: more segment keys)."""
    draft = {"t": [{"tt": 0, "sg": [{"s": 0, "du": du, "src": "c", **seg}]}]}
    return render(Draft.parse(draft), _resolver(c=clip), out)


def _facts(path: Path) -> dict[str, Any]:
    with av.open(str(path)) as c:
        v = c.streams.video[0]
        a = c.streams.audio[0] if c.streams.audio else None
        return {
            "codec": v.codec_context.name,
            "profile": v.codec_context.profile,
            "pix_fmt": v.codec_context.pix_fmt,
            "size": (v.width, v.height),
            "duration": float(c.duration / av.time_base),
            "audio": a.codec_context.name if a else None,
            "channels": a.codec_context.channels if a else 0,
        }


def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(x.astype(np.float64) ** 2))) if x.size else 0.0


def _tone_level(audio: np.ndarray, hz: float, rate: int = 48_000) -> float:
    """Amplitude of a pure tone at ``hz`` in ``audio`` (first channel), by projection."""
    x = audio[0].astype(np.float64)
    t = np.arange(len(x)) / rate
    return float(2 * np.abs(np.mean(x * np.exp(-2j * np.pi * hz * t))))


def test_clip_bgm_and_title(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "c.mp4", seconds=3, width=640, height=360, tone_hz=440)
    bgm = make_tone(tmp_path / "m.mp3", seconds=5, tone_hz=220, amplitude=0.5)
    draft = Draft.parse(
        {
            "t": [
                {"tt": 0, "sg": [{"s": 0, "du": 3000, "src": "clip", "in": 0}]},
                {"tt": 1, "sg": [{"s": 0, "du": 3000, "src": "bgm", "v": 35}]},
                {
                    "tt": 7,
                    "sg": [
                        {
                            "s": 0,
                            "du": 2000,
                            "tx": "Urban Dreams",
                            "st": {"pos": "center", "size": 0.15, "color": "#ff0000"},
                            "fi": 0,
                            "fo": 0,
                        }
                    ],
                },
            ],
            "m": {"width": 640, "height": 360},
        }
    )
    out, prev = tmp_path / "o.mp4", tmp_path / "p.mp4"
    seen: list[float] = []
    res = render(draft, _resolver(clip=clip, bgm=bgm), out, preview=prev, progress=seen.append)
    f = _facts(out)
    assert (f["codec"], f["profile"], f["pix_fmt"], f["size"]) == (
        "h264",
        "High",
        "yuv420p",
        (640, 360),
    )
    assert f["audio"] == "aac" and f["channels"] == 2
    assert abs(f["duration"] - 3.0) < 0.1
    with open(out, "rb") as fh:  # +faststart: moov before mdat
        head = fh.read(200_000)
    assert head.find(b"moov") < head.find(b"mdat")
    assert seen == sorted(seen) and seen[-1] >= 99

    # The title's red is in the middle while it is shown, and gone after it ends.
    def red_share(t: float) -> float:
        band = frame_at(out, t)[140:220, 100:540].astype(int)
        red = (band[..., 0] > 170) & (band[..., 1] < 90) & (band[..., 2] < 90)
        return float(red.mean())

    assert red_share(1.0) > 0.05  # the title's red letters
    assert red_share(2.6) < 0.001  # gone once the title ends
    # The clip's 440 Hz tone keeps its level; the BGM's 220 Hz comes in at 35 % of 0.5.
    audio = audio_of(out)[:, 4800:-4800]
    assert _tone_level(audio, 440) == pytest.approx(0.3, abs=0.05)
    assert _tone_level(audio, 220) == pytest.approx(0.5 * 0.35, abs=0.04)
    pf = _facts(prev)
    assert max(pf["size"]) <= 854 and min(pf["size"]) <= 480 and pf["audio"] == "aac"
    assert res.has_audio and not res.warnings


def test_audio_stays_in_sync_after_trim(tmp_path: Path) -> None:
    """A flash and a click at 1.0 s in the source land at 0.5 s in a clip trimmed by 0.5 s."""
    fps, rate = 25, 48_000
    frames = [np.full((120, 160, 3), 255 if i == fps else 0, np.uint8) for i in range(2 * fps)]
    sig = np.zeros((1, 2 * rate), np.float32)
    sig[:, rate : rate + 480] = 0.9
    path = write_frames(tmp_path / "sync.mp4", frames, fps=fps, audio=sig, sample_rate=rate)
    draft = Draft.parse({"t": [{"tt": 0, "sg": [{"s": 0, "du": 1500, "src": "v", "in": 500}]}]})
    out = tmp_path / "o.mp4"
    render(draft, _resolver(v=path), out)
    with av.open(str(out)) as c:
        flashes = [
            float(fr.time) for fr in c.decode(video=0) if fr.to_ndarray(format="gray").mean() > 128
        ]
    audio = audio_of(out)[0]
    click = np.argmax(np.abs(audio) > 0.3) / rate
    assert flashes and flashes[0] == pytest.approx(0.5, abs=0.041)
    assert click == pytest.approx(0.5, abs=0.03)
    assert abs(click - flashes[0]) < 0.045  # within about a frame


@pytest.mark.parametrize("channels", [1, 6])
def test_mono_and_surround_sources_mix_to_stereo(tmp_path: Path, channels: int) -> None:
    clip = make_clip(tmp_path / "c.mp4", seconds=1.5, channels=channels, tone_hz=440)
    out = tmp_path / "o.mp4"
    _render_clip(clip, out, 1500)
    audio = audio_of(out)
    assert audio.shape[0] == 2 and _rms(audio[:, 4800:-4800]) > 0.05


def test_source_without_audio_and_mute(tmp_path: Path) -> None:
    silent = make_clip(tmp_path / "s.mp4", seconds=1, audio=False)
    out = tmp_path / "o.mp4"
    res = _render_clip(silent, out)
    assert not res.has_audio and _facts(out)["audio"] is None
    loud = make_clip(tmp_path / "l.mp4", seconds=1)
    _render_clip(loud, out, v=0)
    assert _rms(audio_of(out)) < 1e-3


def test_sequence_and_crossfade(tmp_path: Path) -> None:
    red = make_clip(tmp_path / "r.mp4", seconds=2, colour=(220, 30, 30), audio=False)
    blue = make_clip(tmp_path / "b.mp4", seconds=2, colour=(30, 30, 220), audio=False)
    draft = Draft.parse(
        {
            "t": [
                {
                    "tt": 0,
                    "sg": [
                        {"s": 0, "du": 2000, "src": "r"},
                        {"s": 1500, "du": 2000, "src": "b", "tr": {"k": "crossfade", "du": 500}},
                    ],
                }
            ]
        }
    )
    out = tmp_path / "o.mp4"
    render(draft, _resolver(r=red, b=blue), out)
    assert _facts(out)["duration"] == pytest.approx(3.5, abs=0.1)
    px = lambda t: frame_at(out, t)[60, 80].astype(int)  # noqa: E731
    assert px(0.5)[0] > 180 and px(3.0)[2] > 180
    mid = px(1.76)
    assert 60 < mid[0] < 190 and 60 < mid[2] < 190  # a blend of both


@pytest.mark.parametrize(
    ("fit", "check"),
    [
        ("fit", lambda f: f[5, 5].max() < 20),  # black bars
        ("fill", lambda f: f[5, 5].max() > 150),  # cropped, picture to the edge
        ("blur", lambda f: 20 < f[5, 5].mean() < 250),  # blurred picture in the padding
    ],
)
def test_aspect_ratio_modes(tmp_path: Path, fit: str, check) -> None:
    clip = make_clip(
        tmp_path / "c.mp4", seconds=1, width=640, height=360, colour=(200, 200, 200), audio=False
    )
    draft = Draft.parse(
        {
            "t": [{"tt": 0, "sg": [{"s": 0, "du": 1000, "src": "c"}]}],
            "m": {"width": 1080, "height": 1920, "fit": fit},
        }
    )
    out = tmp_path / "o.mp4"
    res = render(draft, _resolver(c=clip), out)
    w, h = _facts(out)["size"]
    assert (w, h) == (res.width, res.height) and h > w and w % 2 == 0 and h % 2 == 0
    assert check(frame_at(out, 0.5))


def test_never_upscales_unless_asked(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "c.mp4", seconds=1, width=320, height=240, audio=False)
    d = {
        "t": [{"tt": 0, "sg": [{"s": 0, "du": 1000, "src": "c"}]}],
        "m": {"width": 1920, "height": 1080},
    }
    out = tmp_path / "o.mp4"
    render(Draft.parse(d), _resolver(c=clip), out)
    assert _facts(out)["size"] == (426, 240)  # 16:9 at the source's 240 lines, even width
    d["m"]["upscale"] = True
    render(Draft.parse(d), _resolver(c=clip), out)
    assert _facts(out)["size"] == (1920, 1080)


def test_odd_size_rotated_444_source(tmp_path: Path) -> None:
    clip = make_clip(
        tmp_path / "c.mp4", seconds=1, width=321, height=181, pix_fmt="yuv444p", audio=False
    )
    info = probe(clip)
    assert info["pix_fmt"] == "yuv444p"
    out = tmp_path / "o.mp4"
    _render_clip(clip, out)
    f = _facts(out)
    assert f["pix_fmt"] == "yuv420p" and f["size"][0] % 2 == 0 and f["size"][1] % 2 == 0


def test_image_segment_and_webm(tmp_path: Path) -> None:
    img = make_image(tmp_path / "i.png", 320, 240, colour=(10, 200, 10))
    out = tmp_path / "o.webm"
    render(
        Draft.parse({"t": [{"tt": 0, "sg": [{"s": 0, "du": 1000, "src": "i"}]}]}),
        _resolver(i=img),
        out,
        fmt="webm",
        quality="low",
    )
    assert _facts(out)["codec"] == "vp9"
    assert frame_at(out, 0.5)[120, 160][1] > 150


def test_bad_format_and_missing_media(tmp_path: Path) -> None:
    d = Draft.parse({"t": [{"tt": 0, "sg": [{"s": 0, "du": 1000, "src": "gone"}]}]})
    with pytest.raises(RenderError, match="mp4, webm"):
        render(d, lambda r: None, tmp_path / "o.gif", fmt="gif")
    with pytest.raises(RenderError, match="missing"):
        render(d, lambda r: None, tmp_path / "o.mp4")


def test_cjk_title_has_a_font_or_says_so(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "c.mp4", seconds=1, audio=False)
    d = Draft.parse(
        {
            "t": [
                {"tt": 0, "sg": [{"s": 0, "du": 1000, "src": "c"}]},
                {"tt": 7, "sg": [{"s": 0, "du": 1000, "tx": "城市之梦"}]},
            ]
        }
    )
    res = render(d, _resolver(c=clip), tmp_path / "o.mp4")
    cjk_fonts = any(
        Path(p).exists()
        for p in (
            "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
            "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
        )
    )
    assert cjk_fonts or any("fonts-noto-cjk" in w for w in res.warnings)


def test_phone_rotation_is_applied(tmp_path: Path) -> None:
    """Stored landscape with red on the left, shown rotated 90° clockwise: red on top."""
    from nemo_widgets.synth import set_display_rotation

    img = np.zeros((240, 320, 3), np.uint8)
    img[:, :160] = (220, 20, 20)
    img[:, 160:] = (20, 20, 220)
    path = write_frames(tmp_path / "phone.mp4", [img] * 25)
    set_display_rotation(path, 90, 240)
    info = probe(path)
    assert (info["display_width"], info["display_height"]) == (240, 320)
    out = tmp_path / "o.mp4"
    _render_clip(path, out)
    assert _facts(out)["size"] == (240, 320)
    frame = frame_at(out, 0.5)
    top, bottom = frame[40, 120], frame[280, 120]
    assert top[0] > 150 > top[2] and bottom[2] > 150 > bottom[0]


def test_ten_bit_source(tmp_path: Path) -> None:
    clip = make_clip(
        tmp_path / "c.mp4", seconds=1, pix_fmt="yuv420p10le", colour=(200, 40, 40), audio=False
    )
    assert probe(clip)["pix_fmt"] == "yuv420p10le"
    out = tmp_path / "o.mp4"
    _render_clip(clip, out)
    f = _facts(out)
    assert f["pix_fmt"] == "yuv420p" and f["profile"] == "High"
    px = frame_at(out, 0.5)[120, 160].astype(int)
    assert abs(px[0] - 200) < 20 and abs(px[1] - 40) < 20


def test_short_bgm_loops_and_fades_across_mix_blocks(tmp_path: Path) -> None:
    """A 0.7 s tune under a 3.5 s timeline loops (the mix is made in 1 s blocks, so the
    loops, the fade-out and the block joins all fall at different places)."""
    silent = make_clip(tmp_path / "s.mp4", seconds=3.5, audio=False)
    tune = make_tone(tmp_path / "t.m4a", seconds=0.7, tone_hz=330)
    draft = Draft.parse(
        {
            "t": [
                {"tt": 0, "sg": [{"s": 0, "du": 3500, "src": "s"}]},
                {"tt": 1, "sg": [{"s": 0, "du": 3500, "src": "t", "v": 50, "fo": 1000}]},
            ]
        }
    )
    out = tmp_path / "o.mp4"
    render(draft, _resolver(s=silent, t=tune), out)
    audio = audio_of(out)[0]
    sr = 48_000
    level = [_rms(audio[int(a * sr) : int((a + 0.25) * sr)]) for a in (0.2, 1.2, 2.1, 2.9)]
    assert min(level[:3]) > 0.05  # still sounding long after the tune's own 0.7 s
    assert level[3] < 0.6 * level[2]  # fading out over the last second
    assert _rms(audio[int(3.45 * sr) : int(3.5 * sr)]) < 0.2 * level[2]


def _peak_hz(x: np.ndarray, rate: int = 48_000) -> float:
    """The frequency of the strongest FFT bin (Hann window, zero-padded for a fine grid)."""
    spec = np.abs(np.fft.rfft(x * np.hanning(len(x)), n=8 * len(x)))
    return float(np.fft.rfftfreq(8 * len(x), 1 / rate)[int(spec.argmax())])


@pytest.mark.parametrize("speed", [0.5, 2.0, 3.0])
def test_speed_keeps_the_pitch(tmp_path: Path, speed: float) -> None:
    """A 3 s clip with a 440 Hz tone at 0.5×, 2× and 3×: still 440 Hz, and the sound lasts
    3 / speed s on the timeline (the segment runs 0.5 s longer, into silence)."""
    clip = make_clip(tmp_path / "c.mp4", seconds=3, width=160, height=120, tone_hz=440)
    sound_s = 3 / speed
    out = tmp_path / "o.mp4"
    _render_clip(clip, out, du=round(sound_s * 1000) + 500, sp=speed)
    audio, sr = audio_of(out)[0], 48_000
    body = audio[int(0.1 * sr) : int((sound_s - 0.1) * sr)]
    assert _peak_hz(body) == pytest.approx(440, rel=0.02)
    assert _rms(body) == pytest.approx(0.3 / np.sqrt(2), rel=0.25)  # the level is kept too
    tail = audio[int((sound_s - 0.2) * sr) : int((sound_s - 0.1) * sr)]
    after = audio[int((sound_s + 0.1) * sr) : int((sound_s + 0.4) * sr)]
    assert _rms(tail) > 0.15 and _rms(after) < 0.02  # it ends where 3 s of source end


def test_chipmunk_when_the_pitch_may_follow(tmp_path: Path) -> None:
    """``kp: false``: 2× resamples, so 440 Hz comes out an octave up."""
    clip = make_clip(tmp_path / "c.mp4", seconds=2, width=160, height=120, tone_hz=440)
    out = tmp_path / "o.mp4"
    _render_clip(clip, out, du=1000, sp=2, kp=False)
    body = audio_of(out)[0][4800:43200]
    assert _peak_hz(body) == pytest.approx(880, rel=0.02)


@pytest.mark.parametrize(
    ("degrees", "size", "red_at"),
    [(90, (240, 320), (40, 120)), (180, (320, 240), (120, 280)), (270, (240, 320), (280, 120))],
)
def test_rotated_phone_clips_come_back_upright(
    tmp_path: Path, degrees: int, size: tuple[int, int], red_at: tuple[int, int]
) -> None:
    from nemo_widgets.synth import set_display_rotation

    img = np.zeros((240, 320, 3), np.uint8)
    img[:, :160] = (220, 20, 20)
    img[:, 160:] = (20, 20, 220)
    path = write_frames(tmp_path / "phone.mp4", [img] * 25)
    set_display_rotation(path, degrees, 240, 320)
    out = tmp_path / "o.mp4"
    _render_clip(path, out)
    assert _facts(out)["size"] == size
    px = frame_at(out, 0.5)[red_at].astype(int)
    assert px[0] > 150 > px[2]
