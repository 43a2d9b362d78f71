"""A run's result reads as its reply and changes; what the AI steps did comes typed (no
digging through protocol keys such as ``state()["draft"]["t"][0]["sg"][0]["fx"]``)."""

from __future__ import annotations

from nemo_widgets.client import GeneratedMedia, RemovedObject, RunResult, ToolResult


def result() -> RunResult:
    gen = {"file_id": "f_1", "name": "street_removed.mp4", "kind": "removed", "url": "u1"}
    old = {"file_id": "f_0", "name": "older.mp4", "kind": "background", "url": "u0"}
    removal = ToolResult(
        id="1",
        name="remove_object",
        response={
            "objects": [{"label": "car", "from_s": 1.5, "to_s": 4.5}],
            "generated": "f_1",
        },
    )
    failed = ToolResult(id="2", name="add_bgm", response={"status": "error"})
    return RunResult(
        "Removed the car from street.mp4.",
        [],
        [removal, failed],
        {"generated_media": [old, gen], "draft": {"t": [{"sg": [{"src": "x" * 500}]}]}},
        ["street: applied remove object (car)"],
    )


def test_repr_is_the_reply_and_the_changes() -> None:
    text = repr(result())
    assert text.splitlines() == [
        "Removed the car from street.mp4.",
        "  • street: applied remove object (car)",
        "  ✗ add_bgm failed",
    ]
    assert "xxxx" not in text and "generated_media" not in text


def test_typed_accessors() -> None:
    r = result()
    assert r.removed == [RemovedObject("car", 1.5, 4.5)]
    assert r.removed[0].middle_s == 3.0
    assert r.generated == [GeneratedMedia("f_1", "street_removed.mp4", "removed", "u1")]
    assert r.generated[0].alpha_url is None
    empty = RunResult("Hello.", [], [], {}, [])
    assert empty.removed == [] and empty.generated == [] and repr(empty) == "Hello."
