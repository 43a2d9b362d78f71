"""The removal's speed path, pinned by what it does rather than by a clock: the camera-motion
tracker's shortcuts for a tripod shot (a frame whose keypoints are found again at the very same
places is still, and is neither described nor matched; a frame that moves is matched and
refined as before; a shot known static halfway is not looked at further), and the scan of a clip too long to keep (only its keyframes converted
whole, the same cuts and detections)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from nemo_widgets.engine.vision.inpaint import MotionTracker, Shot
from nemo_widgets.engine.vision.remove import scan
from nemo_widgets.samples import sample_path
from nemo_widgets.stills import frame
from nemo_widgets.video_io import FrameCache
from nemo_widgets.video_io.reader import DecodedFrame

W, H, N = 320, 180, 24


@pytest.fixture(scope="module")
def street() -> np.ndarray:
    still = np.asarray(frame(sample_path("bikes"), 6.5).convert("RGB"))
    return cv2.resize(still, (480, 204), interpolation=cv2.INTER_AREA)


class CountingMatcher:
    """The tracker's matcher, counting the frames it matched."""

    def __init__(self, matcher: cv2.BFMatcher) -> None:
        self.matcher, self.calls = matcher, 0

    def match(self, a: np.ndarray, b: np.ndarray):
        self.calls += 1
        return self.matcher.match(a, b)


def _track(
    bg: np.ndarray, step: float, *, expect: bool = False
) -> tuple[MotionTracker, Shot, CountingMatcher]:
    """A shot over the street (sensor noise, a blob moving through it as the hole) whose
    camera pans ``step`` pixels a frame (sub-pixel steps by a warp); ``expect``: the tracker
    is told the shot ahead (as removal's scan tells it)."""
    rng = np.random.default_rng(7)
    tracker = MotionTracker()
    if expect:
        tracker.expect([0], N)
    counter = CountingMatcher(tracker.matcher)
    tracker.matcher = counter  # type: ignore[assignment]
    for i in range(N):
        move = np.float32([[1, 0, -40 - step * i], [0, 1, -10]])
        img = cv2.warpAffine(bg, move, (W, H), flags=cv2.INTER_CUBIC)
        img = np.clip(img + rng.normal(0, 2.0, img.shape), 0, 255).astype(np.uint8)
        hole = np.zeros((H, W), np.uint8)
        cv2.ellipse(hole, (100 + 3 * i, 110), (26, 18), 20, 0, 360, 1, -1)
        img[hole > 0] = (220, 40, 170)
        tracker.add(i, img, hole.astype(bool))
    shot = Shot(0, N)
    tracker.fill(shot)
    return tracker, shot, counter


def test_a_still_camera_is_known_without_matching(street) -> None:
    tracker, shot, counter = _track(street, 0.0)
    assert shot.static
    # Nearly every frame is found still by its keypoints alone (sensor noise moves a few).
    assert len(tracker.still) >= 0.8 * (N - 1)
    assert counter.calls <= 0.2 * (N - 1)
    for i in range(N):
        np.testing.assert_array_equal(shot.to_ref[i], np.eye(3))


@pytest.mark.parametrize("step", [0.0, 2.0])
def test_a_shot_known_static_halfway_is_not_looked_at_further(street, step: float) -> None:
    """Told the shot ahead, the tracker stops looking once more than half of its frames
    moved under the static mark (the median is then under it, whatever the rest show): a
    tripod shot is about half the work, with the very same maps; a moving one, all of it."""
    _, plain_shot, _ = _track(street, step)
    told, told_shot, _ = _track(street, step, expect=True)
    assert told_shot.static == plain_shot.static == (step == 0)
    for i in range(N):
        np.testing.assert_array_equal(told_shot.to_ref[i], plain_shot.to_ref[i])
    if step:
        assert not told.skipped
    else:
        assert N // 3 <= len(told.skipped) <= N // 2  # the last frame is always looked at
        assert N - 1 not in told.skipped and len(told.rel) == N - 1 - len(told.skipped)


@pytest.mark.parametrize("step", [2.0, 0.75])
def test_a_moving_camera_is_still_matched_and_followed(street, step: float) -> None:
    tracker, shot, counter = _track(street, step)
    assert not shot.static
    assert not tracker.still
    assert counter.calls == N - 1  # every frame matched to the one before
    for i in range(N):
        # Frame i sees the street shifted by step * (i - ref): its map to the reference
        # moves a point by that much, to a fraction of a pixel.
        p = shot.to_ref[i] @ np.array([W / 2, H / 2, 1.0])
        dx = p[0] / p[2] - W / 2
        assert abs(dx - step * (i - shot.ref)) < 0.25, (i, dx)


def test_a_clip_too_long_to_keep_is_scanned_converting_only_its_keyframes(
    tmp_path: Path, monkeypatch
) -> None:
    """The street sample (five hard cuts): kept whole, every frame is converted to RGB; too
    long to keep, only the keyframes are, and the cuts and the tracks are the same."""
    converted = [0]
    plain = DecodedFrame.rgb

    def counting(self: DecodedFrame) -> np.ndarray:
        if self._rgb is None:
            converted[0] += 1
        return plain.fget(self)

    monkeypatch.setattr(DecodedFrame, "rgb", property(counting))
    src = sample_path("bikes")
    scans = []
    for budget in (1 << 30, 1):
        converted[0] = 0
        with FrameCache(tmp_path, budget) as cache:
            scans.append((scan(src, {"car"}, cache=cache), converted[0], cache.whole))
    (kept, n_kept, whole), (lean, n_lean, lean_whole) = scans
    assert whole and not lean_whole
    assert n_kept == kept.frames
    assert n_lean == len(lean.keyframes) < kept.frames / 5
    assert len(kept.cuts) >= 5 and lean.cuts == kept.cuts
    assert [t.boxes for t in lean.tracks] == [t.boxes for t in kept.tracks]


@pytest.mark.parametrize("keep", [True, False])
def test_removal_is_one_reader_one_writer_in_a_pipeline(
    tmp_path: Path, street, monkeypatch, keep: bool
) -> None:
    """Where each pass's work runs, counted on the real decoder and encoder: a clip that fits
    the frame cache is decoded once (by the scan); one too long to keep is decoded by the
    analysis and the fill again, each on a decoder thread of its own ahead of the work.
    Detection runs beside the scan's decode, encoding beside the fill (that the output is
    the same either way: test_video_paths)."""
    import threading

    from nemo_widgets.engine.vision.detect import Detector
    from nemo_widgets.engine.vision.labels import Target
    from nemo_widgets.engine.vision.remove import remove_object
    from nemo_widgets.synth import write_frames
    from nemo_widgets.video_io import FrameReader, VideoWriter

    rng = np.random.default_rng(5)
    frames = []
    for i in range(30):
        img = street[10 : 10 + H, 60 : 60 + W].copy()
        img = np.clip(img + rng.normal(0, 2.0, img.shape), 0, 255).astype(np.uint8)
        cv2.rectangle(img, (120 + i, 90), (170 + i, 130), (220, 40, 170), -1)
        frames.append(img)
    src = write_frames(tmp_path / "src.mp4", frames, crf=14)
    threads: dict[str, list[str]] = {"decode": [], "detect": [], "encode": []}

    def spying(kind: str, plain):
        def spy(*a, **k):
            out = plain(*a, **k)
            if kind != "decode" or out is not None:
                threads[kind].append(threading.current_thread().name)
            return out

        return spy

    for kind, cls, name in (
        ("decode", FrameReader, "_next"),
        ("detect", Detector, "__call__"),
        ("encode", VideoWriter, "write"),
    ):
        monkeypatch.setattr(cls, name, spying(kind, getattr(cls, name)))
    res = remove_object(
        src,
        tmp_path / "out.mp4",
        Target(None, "this"),
        box=(0.3, 0.4, 0.6, 0.8),
        cache_bytes=1 << 30 if keep else 0,
    )
    assert res.fill is not None and res.fill.frames == len(frames)
    decoded = threads["decode"]
    assert decoded.count("MainThread") == len(frames)  # the scan's own pass
    assert decoded.count("nemo-decoder") == (0 if keep else 2 * len(frames))
    assert len(decoded) == (1 if keep else 3) * len(frames)
    assert threads["detect"] and all(t.startswith("nemo-detect") for t in threads["detect"])
    assert threads["encode"] == ["nemo-writer"] * len(frames)


def test_the_models_threads_sleep_between_runs_with_the_same_results(street, monkeypatch) -> None:
    """The detector's and the silhouette's onnxruntime pools do not spin between runs (a few
    tens of milliseconds of a core per run, which on two cores the scan's decoder needs), and
    what they find is what a spinning pool finds."""
    import onnxruntime as ort

    from nemo_widgets.engine.vision import detect, models, silhouette

    key = "session.intra_op.allow_spinning"
    made = [detect.Detector(), silhouette.Silhouette()]
    for m in made:
        assert m.sess.get_session_options().get_session_config_entry(key) == "0"
    plain = models.ort_options

    def spinning(threads: int = 2) -> ort.SessionOptions:
        opts = plain(threads)
        opts.add_session_config_entry(key, "1")
        return opts

    monkeypatch.setattr(models, "ort_options", spinning)
    spun = [detect.Detector(), silhouette.Silhouette()]
    assert spun[0].sess.get_session_options().get_session_config_entry(key) == "1"
    img = np.ascontiguousarray(street[:, :320])
    a, b = made[0](img, threshold=0.2), spun[0](img, threshold=0.2)
    assert a and [(d.label, d.box, d.score) for d in a] == [(d.label, d.box, d.score) for d in b]
    np.testing.assert_array_equal(made[1](img), spun[1](img))
