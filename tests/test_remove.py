"""Object removal measured on real pixels: the fill against exact ground truth, and the
whole instruction through the agent on the registry street clip."""

from __future__ import annotations

import itertools
from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from nemo_widgets.engine.vision.inpaint import analyse, filled_frames
from nemo_widgets.engine.vision.remove import Box, Masker, Scan, Track
from nemo_widgets.samples import sample_path
from nemo_widgets.stills import frame
from nemo_widgets.synth import audio_of, write_frames
from tests.conftest import Api

pytestmark = pytest.mark.slow
W, H, N = 320, 180, 40
W_, H_ = 640, 272  # the street sample


@pytest.fixture(scope="module")
def background() -> np.ndarray:
    """A real street scene, wider than the frame so a camera can pan over it."""
    still = np.asarray(frame(sample_path("bikes"), 6.5).convert("RGB"))
    return cv2.resize(still, (480, 204), interpolation=cv2.INTER_AREA)


def _clip(path: Path, frames: list[np.ndarray]) -> Path:
    return write_frames(path, frames, pix_fmt="yuv444p", crf=10)


def _scene(
    bg: np.ndarray, *, pan: bool, moving: bool, cut_at: int | None = None, poles: bool = False
):
    """Frames with a magenta blob over a real background, plus a little sensor noise.
    ``poles``: parallax — dark poles in front pass at twice the speed of the street."""
    rng = np.random.default_rng(3)
    near = np.zeros((H, 480), bool)
    for x in range(10, 480, 70) if poles else ():
        near[40:, x : x + 14] = True
    tex = (cv2.resize(np.rot90(bg).copy(), (480, H)) * 0.6).astype(np.uint8)
    frames, truth, masks = [], [], []
    for i in range(N):
        x = 2 * i if pan else 60
        base = bg[10 : 10 + H, x : x + W].copy()
        front = near[:, 2 * x : 2 * x + W]
        base[front] = tex[:, 2 * x : 2 * x + W][front]
        if cut_at is not None and i >= cut_at:
            base = np.ascontiguousarray(base[::-1, ::-1])  # a different view: a hard cut
        m = np.zeros((H, W), np.uint8)
        cv2.ellipse(m, (110 + (3 * i if moving else 0), 100), (26, 18), 20, 0, 360, 1, -1)
        base = np.clip(base + rng.normal(0, 2.0, base.shape), 0, 255).astype(np.uint8)
        img = base.copy()
        img[m > 0] = (220, 40, 170)
        frames.append(img)
        truth.append(base)
        masks.append(cv2.dilate(m, np.ones((5, 5), np.uint8)).astype(bool))
    return frames, truth, masks


def _hole_psnr(out: list[np.ndarray], truth: list[np.ndarray], masks: list[np.ndarray]) -> float:
    vals = []
    for o, t, m in zip(out, truth, masks, strict=True):
        d = (o.astype(float) - t.astype(float))[m]
        vals.append(10 * np.log10(255**2 / max((d**2).mean(), 1e-6)))
    return float(np.mean(vals))


def _run(tmp_path: Path, frames, masks, *, parallax: bool = False, **kw) -> list[np.ndarray]:
    """The filled frames; ``parallax``: whether the analysis should have found any."""
    src = _clip(tmp_path / "src.mp4", frames)
    an = analyse(src, lambda i, rgb: masks[i], **kw)
    assert bool(an.parallax) == parallax, an.parallax
    return [rgb for _, _, rgb in filled_frames(src, an)]


def _telea(frames, masks) -> list[np.ndarray]:
    return [
        cv2.inpaint(f, m.astype(np.uint8) * 255, 3, cv2.INPAINT_TELEA)
        for f, m in zip(frames, masks, strict=True)
    ]


def _versus_telea(tmp_path: Path, scene, **kw) -> tuple[float, float]:
    """Hole PSNR of our fill and of per-frame Telea on ``scene`` (frames, truth, masks)."""
    frames, truth, masks = scene
    ours = _hole_psnr(_run(tmp_path, frames, masks, **kw), truth, masks)
    return ours, _hole_psnr(_telea(frames, masks), truth, masks)


def test_static_camera_moving_object_is_recovered(tmp_path: Path, background) -> None:
    ours, telea = _versus_telea(tmp_path, _scene(background, pan=False, moving=True))
    assert ours >= 35 and ours > telea + 15, (ours, telea)


def _texture(img: np.ndarray, truth: np.ndarray, m: np.ndarray) -> float:
    """Mean gradient magnitude inside the hole over the truth's (a smear ≈ 0.2, truth 1)."""

    def grad(x: np.ndarray) -> float:
        g = cv2.cvtColor(x, cv2.COLOR_RGB2GRAY).astype(np.float32)
        inner = cv2.erode(m.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
        return float(
            np.hypot(cv2.Sobel(g, cv2.CV_32F, 1, 0), cv2.Sobel(g, cv2.CV_32F, 0, 1))[inner].mean()
        )

    return grad(img) / grad(truth)


def test_never_seen_pixels_keep_texture_without_flicker(tmp_path: Path, background) -> None:
    """Nothing behind the blob is ever visible: PSNR alone would reward a smear (it predicts
    the average), so the fill must keep the street's texture (gradient energy near the
    truth's, more than Telea keeps) at a PSNR no worse than Telea's by more than a dB."""
    frames, truth, masks = _scene(background, pan=False, moving=False)
    out, telea_out = _run(tmp_path, frames, masks), _telea(frames, masks)
    ours, telea = _hole_psnr(out, truth, masks), _hole_psnr(telea_out, truth, masks)
    assert ours >= telea - 1.0, (ours, telea)  # measured 14.8 against 15.3
    tex, tex_telea = (
        _texture(out[0], truth[0], masks[0]),
        _texture(telea_out[0], truth[0], masks[0]),
    )
    assert 0.6 <= tex <= 1.5 and tex > tex_telea + 0.05, (tex, tex_telea)  # 0.76 vs 0.63
    m = masks[0]

    def flicker_of(seq: list[np.ndarray]) -> float:
        return float(
            np.mean([np.abs(b.astype(float) - a)[m].mean() for a, b in itertools.pairwise(seq)])
        )

    flicker, per_frame = flicker_of(out), flicker_of(telea_out)
    assert flicker < 1.0 and flicker < per_frame, (flicker, per_frame)


def test_panning_camera_uses_the_other_frames(tmp_path: Path, background) -> None:
    ours, telea = _versus_telea(tmp_path, _scene(background, pan=True, moving=True))
    assert ours >= 28 and ours > telea + 8, (ours, telea)


def test_parallax_is_followed_by_local_flow(tmp_path: Path, background) -> None:
    """No homography explains poles moving faster than the street behind them: local flow
    must find the parallax and do better than the plane alone, and better than Telea."""
    scene = frames, truth, masks = _scene(background, pan=True, moving=True, poles=True)
    ours, telea = _versus_telea(tmp_path, scene, parallax=True)
    plane = _hole_psnr(_run(tmp_path, frames, masks, local_flow=False), truth, masks)
    assert ours > plane + 1.5 and ours > telea + 3, (ours, plane, telea)


def test_fill_never_crosses_a_cut(tmp_path: Path, background) -> None:
    frames, truth, masks = _scene(background, pan=False, moving=True, cut_at=N // 2)
    out = _run(tmp_path, frames, masks)
    second = slice(N // 2, N)
    assert _hole_psnr(out[second], truth[second], masks[second]) >= 30


def test_masks_are_held_past_a_track_but_never_across_a_cut() -> None:
    """A parked car detected on keyframes 40 and 48 of a shot that ends at frame 50: its mask
    is held for half a second either side — but frames 50+ are another view of another place,
    and masking there would erase whatever happens to stand where the car stood."""
    car = Track("selection", {40: (100.0, 60.0, 180.0, 120.0), 48: (100.0, 60.0, 180.0, 120.0)})
    masks = Masker([car], Scan([car], W, H, 25.0, 100, cuts=[20, 50], keyframes=[40, 48]))
    rgb = np.zeros((H, W, 3), np.uint8)
    held = [i for i in range(100) if masks(i, rgb) is not None]
    assert held == list(range(28, 50)), held  # 0.5 s before the first keyframe, up to the cut
    assert masks(44, rgb)[90, 140] and not masks(44, rgb)[10, 10]


def _say(api: Api, sid: str, text: str) -> str:
    return api.say(sid, text)[-1]["content"]["parts"][0]["text"]


def test_remove_the_parked_car_through_the_agent(api: Api, tmp_path: Path) -> None:
    street = sample_path("bikes")
    sid = api.session()
    api.upload(sid, street)
    reply = _say(api, sid, "remove the car parked in the background from the entire video")
    assert reply.startswith("Removed the parked car in the background"), reply
    state = api.state(sid)
    gen = state["generated_media"][-1]
    fx = state["draft"]["t"][0]["sg"][0]["fx"][-1]
    assert fx["k"] == "remove_object" and fx["media"] == gen["file_id"]
    obj = fx["p"]["objects"][0]
    assert obj["label"] == "car" and 5.4 <= obj["from_s"] < obj["to_s"] <= 7.5  # the static shot
    out = tmp_path / "removed.mp4"
    out.write_bytes(api.http.get(gen["url"]).content)
    with av.open(str(out)) as c, av.open(str(street)) as s:
        assert c.streams.video[0].frames == s.streams.video[0].frames
    # Where the car was, the picture changed; away from it, it did not.
    t = obj["from_s"] + 0.4
    a = np.asarray(frame(street, t).convert("RGB")).astype(float)
    b = np.asarray(frame(out, t).convert("RGB")).astype(float)
    diff = np.abs(a - b).mean(axis=2)
    assert diff[:, :300].mean() < 3  # the left of the frame is untouched
    assert diff.max() > 40  # something was really removed
    # Nothing found → a clear reply and nothing changed.
    before = api.state(sid)["draft"]
    reply = _say(api, sid, "remove the red bus on the left")
    assert "didn't find" in reply and "box" in reply
    assert api.state(sid)["draft"] == before


def test_remove_what_the_user_boxed_keeps_the_sound(api: Api, tmp_path: Path, background) -> None:
    frames, _, _ = _scene(background, pan=False, moving=False)
    clip = _clip(tmp_path / "boxed.mp4", frames)
    # Mux a tone in so we can check the sound survives.
    with_audio = tmp_path / "with_audio.mp4"
    with av.open(str(clip)) as v, av.open(str(with_audio), "w") as out:
        vs = out.add_stream_from_template(v.streams.video[0])
        a = out.add_stream("aac", rate=48000)
        a.layout = "stereo"
        for p in v.demux(v.streams.video[0]):
            if p.dts is not None:
                p.stream = vs
                out.mux(p)
        sig = (0.3 * np.sin(2 * np.pi * 440 * np.arange(48000 * N // 25) / 48000)).astype(
            np.float32
        )
        for s0 in range(0, len(sig) - 1024, 1024):
            af = av.AudioFrame.from_ndarray(
                np.tile(sig[s0 : s0 + 1024], (2, 1)), format="fltp", layout="stereo"
            )
            af.sample_rate, af.pts = 48000, s0
            for p in a.encode(af):
                out.mux(p)
        for p in a.encode(None):
            out.mux(p)
    sid = api.session()
    api.upload(sid, with_audio)
    box = [70 / W, 70 / H, 150 / W, 130 / H]  # around the magenta object
    body = {
        "app_name": "nemo_agent",
        "user_id": "me",
        "session_id": sid,
        "new_message": {"role": "user", "parts": [{"text": "remove this"}]},
        "state_delta": {"selection": {"box": box, "time": 0.5}},
    }
    with api.http.stream("POST", "/run_sse", headers=api.headers, json=body) as r:
        r.read()
    state = api.state(sid)
    assert state.get("selection") is None
    gen = state["generated_media"][-1]
    out = tmp_path / "out.mp4"
    out.write_bytes(api.http.get(gen["url"]).content)
    px = np.asarray(frame(out, 0.8).convert("RGB"))[100, 110].astype(int)
    assert not (px[0] > 180 and px[1] < 90 and px[2] > 130)  # the magenta object is gone
    assert np.sqrt(np.mean(audio_of(out) ** 2)) > 0.1


def test_real_person_walking_through_a_real_street_is_removed(
    api: Api, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real composited case built here from registry media: a man cut from the yolov5 bus
    photo (GrabCut, not our own segmentation) walks across the static shot of the street clip,
    with a contact shadow, the clip's blur and noise. Asked in plain words through the agent,
    the engine must find him, mask him (recall and precision against the exact alpha) and fill
    the street back in far better than the untouched input and than per-frame Telea."""
    from benchmarks._real import composite, cutout, read_clip

    clip = read_clip(sample_path("bikes"), 137, 40)
    case = composite(
        "street walker",
        "remove the man walking past",
        clip,
        cutout("man_beige", tmp_path),
        foot=(120, 270),
        height=150,
        dx=5.0,
    )
    src = _clip(tmp_path / "walker.mp4", case.frames)
    dump = tmp_path / "masks.npz"
    monkeypatch.setenv("NEMO_REMOVE_MASKS", str(dump))
    sid = api.session()
    api.upload(sid, src)
    reply = _say(api, sid, case.instruction)
    assert reply.startswith("Removed"), reply
    gen = api.state(sid)["generated_media"][-1]
    out_path = tmp_path / "out.mp4"
    out_path.write_bytes(api.http.get(gen["url"]).content)
    with av.open(str(out_path)) as c:
        out = [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]
    z = np.load(dump)
    tp = truth_n = pred = far = 0
    ours, telea, untouched = [], [], []
    for t in range(len(case.frames)):
        fp, hole = case.footprint(t), case.changed(t)
        m = (
            np.unpackbits(z[str(t)])[: H_ * W_].reshape(H_, W_) > 0
            if str(t) in z.files
            else np.zeros_like(fp)
        )
        near = cv2.dilate(hole.astype(np.uint8), np.ones((7, 7), np.uint8)) > 0
        tp, truth_n = tp + (m & fp).sum(), truth_n + fp.sum()
        pred, far = pred + m.sum(), far + (m & ~near).sum()
        exact = cv2.dilate(hole.astype(np.uint8), np.ones((5, 5), np.uint8)) * 255
        fixed = cv2.inpaint(case.frames[t], exact, 3, cv2.INPAINT_TELEA)
        for seq, img in ((ours, out[t]), (telea, fixed), (untouched, case.frames[t])):
            seq.append(_hole_psnr([img], [case.truth[t]], [hole]))
    recall, precision = tp / truth_n, 1 - far / max(pred, 1)
    assert recall >= 0.9 and precision >= 0.7, (recall, precision)
    a, b, c = np.median(ours), np.median(telea), np.median(untouched)
    assert a >= b + 3.5 and a >= c + 5.5, (a, b, c)  # measured 18.0, Telea 12.9, input 11.0
    # Never much worse in any frame. While a car passes *behind* the walker (frames 1–4), what
    # was there is itself moving and no other frame shows it: the plate from other times is
    # within ±1.3 dB of leaving the walker in (a known limit, see the #21 notes).
    assert min(o - u for o, u in zip(ours, untouched, strict=True)) > -2.0


def test_qualifiers_rank_candidates_and_never_eliminate_the_only_one() -> None:
    """ "the grey car parked on the road" with one car in the shot that reads black in the
    shade: that car (a colour word used to eliminate it). With two cars, the colour and the
    motion decide between them, and the bigger one does not win by size alone."""
    from nemo_widgets.engine.vision.labels import parse_target
    from nemo_widgets.engine.vision.remove import choose, describe

    def car(box: Box, hsv: tuple[float, float, float], shift: float = 0.0) -> Track:
        boxes = {k: (box[0] + shift * k, box[1], box[2] + shift * k, box[3]) for k in (0, 12, 24)}
        return Track("car", boxes, [0.6, 0.6, 0.6], [np.array(hsv, np.float32)] * 3)

    black = car((100, 60, 220, 120), (0, 10, 40))
    scan = Scan([black], W, H, 25.0, 30, cuts=[0], keyframes=[0, 12, 24])
    grey = parse_target("remove the grey car parked on the road", "grey car parked on the road")
    assert choose(scan, grey) == [black]
    assert describe(black, scan) == "the black car, parked in the middle of the frame"
    red = car((10, 70, 60, 100), (2, 200, 180))
    blue = car((150, 50, 300, 130), (110, 200, 180), shift=4.0)  # bigger, and driving
    scan = Scan([red, blue], W, H, 25.0, 30, cuts=[0], keyframes=[0, 12, 24])
    assert choose(scan, parse_target("remove the red car", "red car")) == [red]
    assert choose(scan, parse_target("remove the car driving past", "car")) == [blue]
    assert choose(scan, parse_target("remove the parked car", "parked car")) == [red]


def test_a_parked_thing_in_a_handheld_shot_is_called_parked() -> None:
    """The reply says "parked" for a parked motorbike in a handheld shot, whose box crosses
    the frame with the camera (its speed in the frame alone reads as moving), and "moving" for
    one that rides past: the camera's motion, found in the keyframes away from the object, is
    taken out. A real street frame is the scene; the camera drifts 12 px per keyframe."""
    from benchmarks._real import read_clip
    from nemo_widgets.engine.vision.carry import grey_thumb
    from nemo_widgets.engine.vision.remove import describe

    scene = read_clip(sample_path("bikes"), 137, 1)[0]
    w, h, keys = 480, 270, [0, 12, 24, 36]
    offsets = {k: (12 * n, 3 * n) for n, k in enumerate(keys)}  # the camera's drift

    def seen(box: Box, k: int, ride: float = 0.0) -> Box:
        ox, oy = offsets[k]
        return (box[0] - ox + ride * k, box[1] - oy, box[2] - ox + ride * k, box[3] - oy)

    parked_box, riding_box = (200.0, 120.0, 300.0, 190.0), (60.0, 150.0, 160.0, 220.0)
    parked = Track("motorcycle", {k: seen(parked_box, k) for k in keys}, [0.8] * 4)
    riding = Track("motorcycle", {k: seen(riding_box, k, 3.0) for k in keys}, [0.8] * 4)
    scan = Scan([parked, riding], w, h, 25.0, 40, cuts=[0], keyframes=keys)
    for k in keys:
        ox, oy = offsets[k]
        scan.thumbs[k] = grey_thumb(np.ascontiguousarray(scene[oy : oy + h, ox : ox + w]),
                                    scan.thumb_scale)  # fmt: skip
    assert parked.speed(scan.fps) > 0.15  # in the frame alone it reads as moving
    assert scan.scene_speed(parked) < 0.05, scan.scene_speed(parked)
    assert describe(parked, scan).startswith("the motorcycle, parked")
    assert scan.scene_speed(riding) > 0.5 and ", moving" in describe(riding, scan)


@pytest.mark.parametrize("pan", [True, False])
def test_motion_refines_only_what_a_moving_shot_uses(background, pan: bool) -> None:
    """The ECC refinement waits until the shot's end says whether the camera moves: the
    homographies are those of refining every frame at once, and a still shot refines none."""
    from nemo_widgets.engine.vision.inpaint import MotionTracker, Shot

    frames, _, masks = _scene(background, pan=pan, moving=True)
    now, later = MotionTracker(pending_bytes=0), MotionTracker()
    for i, (f, m) in enumerate(zip(frames, masks, strict=True)):
        now.add(i, f, m)
        later.add(i, f, m)
    assert later.pending or not pan
    shots = Shot(0, N), Shot(0, N)
    now.fill(shots[0])
    later.fill(shots[1])
    assert shots[0].static == shots[1].static == (not pan)
    assert not later.pending and not later._held
    for i in range(N):
        np.testing.assert_array_equal(shots[0].to_ref[i], shots[1].to_ref[i])


def test_fill_shortcuts_give_the_same_pixels() -> None:
    """The fast paths of the per-frame fill and the plate are the same numbers as the plain
    ones: a whole-pixel shift cut out instead of warped, the gain by lookup table, the median
    sorted only where a sample saw the pixel."""
    from nemo_widgets.engine.vision.inpaint.fill import _scaled, _warp
    from nemo_widgets.engine.vision.inpaint.plate import _median

    rng = np.random.default_rng(5)
    plate = rng.integers(0, 256, (120, 160, 3), np.uint8)
    for tx, ty in ((0, 0), (-7, -3), (-30, -50), (4, 0), (-0.5, 0)):
        hmat = np.array([[1, 0, tx], [0, 1, ty], [0, 0, 1]], np.float64)
        want = cv2.warpPerspective(
            plate, hmat, (90, 60), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE
        )
        np.testing.assert_array_equal(_warp(plate, hmat, (90, 60)), want)
    for _ in range(20):
        img = rng.integers(0, 256, (31, 47, 3), np.uint8)
        gain = np.clip(rng.uniform(0.7, 1.3, 3).astype(np.float32), 0.8, 1.25)
        want = np.clip(img.astype(np.float32) * gain, 0, 255).astype(np.uint8)
        np.testing.assert_array_equal(_scaled(img, gain), want)
    vals = rng.uniform(0, 255, (9, 500, 3)).astype(np.float32)
    valid = rng.random((9, 500)) < 0.3
    valid[:, :100] = False
    v = np.where(valid[..., None], vals, np.inf)
    v.sort(axis=0)
    k = valid.sum(axis=0)
    want = np.take_along_axis(v, (np.maximum(k - 1, 0) // 2)[None, :, None], axis=0)[0]
    want[k == 0] = np.nan
    np.testing.assert_array_equal(_median(vals, valid), want)


def test_stack_follows_a_creeping_camera_and_leaves_a_tripod_exact(background) -> None:
    """A camera held by hand creeps (a quarter pixel a frame: frame to frame it reads as
    still): the stack finds each frame's offset from the middle one, to a fraction of a pixel,
    on what the hole leaves clear; a tripod's frames come back None (kept exact)."""
    from nemo_widgets.engine.vision.inpaint.stack import drift

    rng = np.random.default_rng(7)
    n, step = 30, np.array([0.25, 0.15])
    for creep in (True, False):
        frames, valid = [], []
        for j in range(n):
            d = step * (j - n // 2) if creep else np.zeros(2)
            m = np.float32([[1, 0, d[0]], [0, 1, d[1]]])
            img = cv2.warpAffine(background, m, (480, 204), flags=cv2.INTER_CUBIC)[20:180, 40:400]
            hole = np.zeros(img.shape[:2], np.uint8)
            cv2.ellipse(hole, (60 + 8 * j, 90), (22, 40), 0, 0, 360, 1, -1)  # a walker
            img = np.clip(img + rng.normal(0, 2.0, img.shape), 0, 255).astype(np.uint8)
            img[hole > 0] = (30, 30, 40)
            frames.append(img)
            valid.append(cv2.dilate(hole, np.ones((7, 7), np.uint8)) == 0)
        got = drift(frames, valid)
        if not creep:
            assert got is None
            continue
        assert got is not None
        want = step[None, :] * (np.arange(n)[:, None] - n // 2)
        err = np.abs(got[:, :, 2] - want).max()
        assert err < 0.3, err  # measured 0.05
