from __future__ import annotations

import json

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nemo_widgets.draft import COLUMNS, Draft, DraftError, diff, style, summary, to_dataframe

EXAMPLE = {
    "t": [
        {"tt": 0, "sg": [{"id": "v1", "s": 0, "du": 10000, "src": "f_1", "n": "city timelapse"}]},
        {"tt": 1, "sg": [{"id": "a1", "s": 0, "du": 10000, "src": "f_2", "n": "Lo-fi", "v": 35}]},
        {"tt": 7, "sg": [{"id": "t1", "s": 0, "du": 3000, "tx": "Urban Dreams"}]},
    ],
    "d": 10000,
    "m": {"title": "project", "width": 1920, "height": 1080},
}


def test_summary_is_exactly_the_documented_line() -> None:
    assert summary(EXAMPLE) == (
        "Timeline (3 tracks): 1. Video: city timelapse (0-10s) 2. BGM: Lo-fi (0-10s, 35%) "
        '3. Title: "Urban Dreams" (0-3s)'
    )


@pytest.mark.parametrize(
    ("draft", "line"),
    [
        ({}, "Timeline (0 tracks): empty"),
        ({"t": [{"tt": 0, "sg": []}]}, "Timeline (1 track): 1. Video: (empty)"),
        (
            {
                "t": [
                    {
                        "tt": 0,
                        "sg": [{"s": 0, "du": 2500, "n": "a"}, {"s": 2500, "du": 2500, "n": "b"}],
                    }
                ]
            },
            "Timeline (1 track): 1. Video: a, b (0-5s)",
        ),
        (
            {"t": [{"tt": 1, "mu": True, "sg": [{"s": 1000, "du": 4000, "n": "song"}]}]},
            "Timeline (1 track): 1. BGM: song (1-5s, muted)",
        ),
        (
            {"t": [{"tt": 5, "sg": [{"s": 0, "du": 1500}]}]},
            "Timeline (1 track): 1. Track: untitled (0-1.5s)",
        ),
    ],
)
def test_summary_forms(draft: dict, line: str) -> None:
    assert summary(draft) == line


def test_unknown_keys_survive_byte_for_byte() -> None:
    hosted = {
        "zz": {"nested": [1, 2]},
        "t": [
            {
                "x9": True,
                "tt": 0,
                "sg": [{"q": "keep me", "s": 0, "du": 5, "fx": [{"k": "blur", "w": 3}]}],
            }
        ],
        "m": {"title": "x", "extra": None},
        "d": 5,
    }
    out = Draft.parse(hosted).to_dict()
    assert json.dumps(out) == json.dumps(hosted)


# -- property: any draft we can generate round-trips exactly -------------------------------
_scalar = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.text(max_size=5))
_unknown = st.dictionaries(st.text("xyzqw", min_size=2, max_size=4), _scalar, max_size=2)
_segment = st.fixed_dictionaries(
    {"s": st.integers(0, 10**7), "du": st.integers(0, 10**6)},
    optional={
        "id": st.text(max_size=6),
        "src": st.text(max_size=6),
        "in": st.floats(0, 1e6, allow_nan=False),
        "v": st.integers(0, 200),
        "n": st.text(max_size=8),
        "tx": st.text(max_size=8),
        "fx": st.lists(
            st.fixed_dictionaries(
                {"k": st.text(min_size=1, max_size=5)},
                optional={"p": st.dictionaries(st.text(max_size=3), _scalar, max_size=2)},
            ),
            max_size=2,
        ),
    },
).flatmap(lambda d: _unknown.map(lambda u: {**u, **d}))
_track = st.fixed_dictionaries(
    {"tt": st.sampled_from([0, 1, 7, 3]), "sg": st.lists(_segment, max_size=4)}
).flatmap(lambda d: _unknown.map(lambda u: {**d, **u}))
_draft = st.fixed_dictionaries(
    {"t": st.lists(_track, max_size=4)},
    optional={
        "d": st.integers(0, 10**7),
        "m": st.dictionaries(st.text(max_size=4), _scalar, max_size=3),
    },
)


@settings(max_examples=150, deadline=None)
@given(_draft)
def test_round_trip_property(d: dict) -> None:
    parsed = Draft.parse(d)
    assert json.dumps(parsed.to_dict()) == json.dumps(d)
    df = to_dataframe(parsed)
    assert len(df) == sum(len(t["sg"]) for t in d["t"])
    assert list(df.columns[: len(COLUMNS)]) == list(COLUMNS)
    assert diff(d, d) == []


def test_dataframe_columns_and_dtypes() -> None:
    df = to_dataframe(EXAMPLE)
    assert list(df.columns) == list(COLUMNS)
    assert str(df["kind"].dtype) == "category"
    assert list(df["kind"]) == ["video", "audio", "text"]
    assert df["duration"].dtype == "timedelta64[ns]"
    assert df.loc[1, "volume"] == 35.0
    assert df.loc[0, "volume"] == 100.0  # video default
    assert pd.isna(df.loc[2, "volume"])  # text has no volume
    assert df.loc[2, "end"] == pd.Timedelta(seconds=3)
    empty = to_dataframe({})
    assert list(empty.columns) == list(COLUMNS)
    assert len(empty) == 0
    assert (empty.dtypes == df.dtypes).all()


def test_metadata_is_flattened() -> None:
    d = {"t": [{"tt": 0, "sg": [{"s": 0, "du": 1, "m": {"camera": {"iso": 100}, "tag": "a"}}]}]}
    df = to_dataframe(d)
    assert df.loc[0, "m.camera.iso"] == 100
    assert df.loc[0, "m.tag"] == "a"


def test_effects_column_reads_well() -> None:
    d = {
        "t": [
            {
                "tt": 0,
                "sg": [{"s": 0, "du": 1, "fx": [{"k": "remove_object", "p": {"target": "car"}}]}],
            }
        ]
    }
    assert to_dataframe(d).loc[0, "effects"] == "remove object (car)"


@pytest.mark.parametrize(
    ("bad", "where"),
    [
        ({"t": [{"tt": 0, "sg": [{"s": 0, "du": 1}, {"s": -1, "du": 5}]}]}, "track 1, segment 2"),
        ({"t": [{"tt": "video", "sg": []}]}, "track 1"),
        ({"t": [{"tt": 0, "sg": []}, {"tt": 1, "sg": "nope"}]}, "track 2"),
        ({"t": [{"tt": 0, "sg": [{"s": 0, "du": 1, "v": "loud"}]}]}, "track 1, segment 1"),
        ({"t": [{"tt": 0, "sg": [{"s": 0, "du": 1, "fx": [{"p": {}}]}]}]}, "track 1, segment 1"),
        ({"t": {}}, "draft"),
        ("{not json", "draft"),
        ([1, 2], "draft"),
    ],
)
def test_malformed_drafts_say_where(bad: object, where: str) -> None:
    with pytest.raises(DraftError, match=rf"^{where}:"):
        Draft.parse(bad)


def test_diff_reads_like_a_changelog() -> None:
    new = json.loads(json.dumps(EXAMPLE))
    new["t"][0]["sg"][0].update(
        du=8000, fx=[{"k": "remove_object", "p": {"target": "car"}, "media": "g1"}]
    )
    new["t"][1]["sg"][0]["v"] = 50
    del new["t"][2]
    new["t"].append({"tt": 7, "sg": [{"id": "t2", "s": 1000, "du": 2000, "tx": "Hello"}]})
    changes = diff(EXAMPLE, new)
    assert "city timelapse: trimmed from 0-10s to 0-8s" in changes
    assert "city timelapse: applied remove object (car)" in changes
    assert "Lo-fi: volume 35% → 50%" in changes
    assert 'removed title "Urban Dreams" from Title' in changes
    assert 'added title "Hello" to Title (1-3s)' in changes


def test_diff_tracks_added_and_removed() -> None:
    base = {"t": [EXAMPLE["t"][0]]}
    assert diff(base, EXAMPLE) == [
        "added BGM: Lo-fi (0-10s, 35%)",
        'added Title: "Urban Dreams" (0-3s)',
    ]
    assert diff(EXAMPLE, base) == [
        "removed BGM: Lo-fi (0-10s, 35%)",
        'removed Title: "Urban Dreams" (0-3s)',
    ]
    assert diff({}, {}) == []


def test_styler_caps_rows_below_max_elements() -> None:
    big = {"t": [{"tt": 0, "sg": [{"s": i * 10, "du": 10} for i in range(3000)]}]}
    with pd.option_context("styler.render.max_elements", 5000):
        html = style(big).to_html()
    assert "first" in html and "of 3000 segments" in html
    assert "city timelapse" in style(EXAMPLE).to_html()


def test_clip_only_cuts_the_draft_to_one_clip() -> None:
    d = {
        "t": [
            {
                "tt": 0,
                "sg": [
                    {"id": "a", "s": 0, "du": 4000, "src": "f_a", "n": "a"},
                    {"id": "b", "s": 4000, "du": 6000, "src": "f_b", "n": "b"},
                ],
            },
            {"tt": 7, "sg": [{"s": 3000, "du": 3000, "tx": "Over both"}]},
            {"tt": 1, "sg": [{"s": 0, "du": 10000, "src": "music", "v": 35}]},
        ]
    }
    from nemo_widgets.draft import clip_only

    only_b = clip_only(d, "f_b")
    assert summary(only_b) == (
        'Timeline (3 tracks): 1. Video: b (0-6s) 2. Title: "Over both" '
        "(0-2s) 3. BGM: music (0-6s, 35%)"
    )
    with pytest.raises(DraftError, match="f_x"):
        clip_only(d, "f_x")
