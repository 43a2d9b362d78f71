"""OpenTimelineIO interchange: exact round trips, the native mapping other tools read, cuts-only
imports from elsewhere, and refusals that name what they refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nemo_widgets.draft import Draft, DraftError
from nemo_widgets.draft.otio import export_otio, from_otio, to_otio

otio = pytest.importorskip("opentimelineio")

RICH = {
    "t": [
        {
            "tt": 0,
            "sg": [
                {"id": "s1", "s": 0, "du": 4000, "src": "f_a", "in": 1000, "n": "city"},
                {
                    "id": "s2",
                    "s": 3500,
                    "du": 3000,
                    "src": "f_b",
                    "tr": {"k": "crossfade", "du": 500},
                    "v": 80,
                    "fx": [{"k": "remove_object", "p": {"target": "car"}, "media": "f_c"}],
                },
                {"s": 8000, "du": 2000, "src": "f_a", "in": 500, "sp": 2, "kp": False, "fi": 200},
                {"s": 10000, "du": 1333.3333333333333, "src": "f_b", "sp": 1.5, "m": {"k": 1}},
            ],
            "n": "main",
            "x_hosted": {"keep": [1, "two", None, True]},
        },
        {"tt": 1, "sg": [{"s": 0, "du": 11333, "src": "f_m", "v": 35, "fo": 2000}], "mu": False},
        {
            "tt": 7,
            "sg": [
                {
                    "s": 0,
                    "du": 3000,
                    "tx": "Urban Dreams",
                    "st": {"pos": "center", "size": 0.09},
                    "fi": 300,
                    "fo": 300,
                }
            ],
        },
    ],
    "d": 11500,
    "m": {"title": "project", "width": 1920, "height": 1080, "fps": 25, "fit": "fill"},
    "x_service": "kept",
}


def test_round_trip_is_exact(tmp_path: Path) -> None:
    d = Draft.parse(RICH)
    back = Draft.from_otio(d.to_otio())
    assert back.to_dict() == RICH
    assert back.to_json() == d.to_json()  # byte for byte, key order included
    path = export_otio(d, tmp_path / "cut.otio")
    assert from_otio(path).to_json() == d.to_json()  # through the .otio file
    assert from_otio(path.read_text()).to_json() == d.to_json()  # and its JSON text
    bare = {"t": [{"tt": 0, "sg": [{"s": 0, "du": 1000, "src": "x"}]}]}
    assert from_otio(to_otio(bare)).to_dict() == bare  # no "m" added, nothing lost


def test_what_other_tools_read() -> None:
    urls = {"f_a": "file:///clips/a.mp4"}
    tl = Draft.parse(RICH).to_otio(media_url=urls.get)
    video, audio, titles = tl.tracks
    assert (video.kind, audio.kind, titles.kind) == ("Video", "Audio", "Video")
    items = list(video)
    kinds = [type(i).__name__ for i in items]
    assert kinds == ["Clip", "Transition", "Clip", "Gap", "Clip", "Clip"]
    a, dissolve, b, gap, c, e = items
    # At 25 fps: s1 shows 3.5 s from 1 s in, then dissolves for 0.5 s into s2.
    assert a.name == "city" and a.media_reference.target_url == "file:///clips/a.mp4"
    assert a.source_range.start_time.to_seconds() == pytest.approx(1.0)
    assert a.source_range.duration.to_seconds() == pytest.approx(3.5)
    assert a.source_range.duration.rate == 25
    assert dissolve.transition_type == "SMPTE_Dissolve"
    assert dissolve.out_offset.to_seconds() == pytest.approx(0.5)
    assert b.media_reference.name == "f_b" and b.media_reference.is_missing_reference
    assert list(b.metadata["nemo_effects"]) == ["remove object (car)"]
    assert json.loads(b.metadata["nemo"]["segment"])["v"] == 80  # volume travels as metadata
    assert gap.source_range.duration.to_seconds() == pytest.approx(1.5)
    assert [type(fx).__name__ for fx in c.effects] == ["LinearTimeWarp"]
    assert c.effects[0].time_scalar == 2
    assert e.effects[0].time_scalar == 1.5
    title = titles[0]
    assert title.media_reference.generator_kind == "nemo.title"
    assert title.media_reference.parameters["text"] == "Urban Dreams"
    assert json.loads(tl.metadata["nemo"]["draft"])["m"]["fit"] == "fill"


def test_cuts_only_timeline_from_elsewhere() -> None:
    """Built with OTIO alone (as an adapter would give it): two cuts and a gap at 24 fps."""
    rt = otio.opentime.RationalTime

    def clip(name: str, url: str, start: int, frames: int) -> object:
        return otio.schema.Clip(
            name=name,
            media_reference=otio.schema.ExternalReference(target_url=url),
            source_range=otio.opentime.TimeRange(rt(start, 24), rt(frames, 24)),
        )

    track = otio.schema.Track(name="V1")
    track.append(clip("intro", "/footage/a.mov", 48, 72))
    track.append(otio.schema.Gap(source_range=otio.opentime.TimeRange(rt(0, 24), rt(24, 24))))
    track.append(clip("b.mov", "/footage/b.mov", 0, 36))
    music = otio.schema.Track(name="A1", kind=otio.schema.TrackKind.Audio)
    music.append(clip("song", "/audio/song.mp3", 0, 96 + 36))
    tl = otio.schema.Timeline(name="from resolve", tracks=[track, music])
    d = Draft.from_otio(tl)
    assert d.to_dict() == {
        "t": [
            {
                "tt": 0,
                "n": "V1",
                "sg": [
                    {"s": 0, "du": 3000, "src": "a.mov", "in": 2000, "n": "intro"},
                    {"s": 4000, "du": 1500, "src": "b.mov", "in": 0, "n": "b.mov"},
                ],
            },
            {
                "tt": 1,
                "n": "A1",
                "sg": [{"s": 0, "du": 5500, "src": "song.mp3", "in": 0, "n": "song"}],
            },
        ],
        "m": {"title": "from resolve"},
    }


def test_edits_made_elsewhere_win() -> None:
    tl = Draft.parse(RICH).to_otio()
    first = tl.tracks[0][0]
    r = first.source_range
    first.source_range = otio.opentime.TimeRange(r.start_time, otio.opentime.RationalTime(50, 25))
    first.name = "city (short)"
    d = Draft.from_otio(tl)
    s1, s2 = d.tracks[0].segments[:2]
    assert (s1.duration, s1.label, s1.in_point) == (2500, "city (short)", 1000)
    assert s2.start == 2000 and s2.volume == 80  # moved up with the trim; metadata kept


def test_unsupported_imports_name_what_they_refused() -> None:
    rt = otio.opentime.RationalTime
    rng = otio.opentime.TimeRange(rt(0, 24), rt(24, 24))
    track = otio.schema.Track(name="V1")
    frozen = otio.schema.Clip(name="held", source_range=rng)
    frozen.effects.append(otio.schema.FreezeFrame())
    track.append(frozen)
    track.append(otio.schema.Transition(name="wipe", transition_type="Custom"))
    track.append(otio.schema.Stack(name="compound"))
    tl = otio.schema.Timeline(tracks=[track])
    with pytest.raises(DraftError) as err:
        Draft.from_otio(tl)
    msg = str(err.value)
    assert "not cuts-only" in msg
    for what in ("item 1 (held): effect 'FreezeFrame'", "transition 'Custom'", "nested Stack"):
        assert what in msg, msg


def test_export_refuses_overlaps_it_cannot_hold() -> None:
    d = {
        "t": [
            {"tt": 0, "sg": [{"s": 0, "du": 2000, "src": "a"}, {"s": 1000, "du": 2000, "src": "b"}]}
        ]
    }
    with pytest.raises(DraftError, match="track 1, segment 2: it overlaps"):
        to_otio(d)
