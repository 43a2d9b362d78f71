"""Instruction understanding, end to end: each case of a JSONL file (format and tool names of
the plan vocabulary, see docs/agent.md) is typed into a fresh session of the real engine on
loopback through ``/run_sse``; the plan is read from the streamed events and the timeline
from the state before and after.

A case is right when the tools match in order and every argument the case gives matches
(numbers within 0.05 s or 2 %, text case-insensitively, an expected ``decline`` beside other
steps optional (the reply says it), an object phrase when its words are
all in the planned one (in Chinese: its parts at 的, in order), or, for a Chinese phrase and an
English one, when the object and its
qualifiers agree, ``end: null`` = the end of the video; ``status`` and ``answer`` are the
same for a question about the project, and ``help`` on an edit answers "how do I …?"). It is
also right when the plan is spelled differently but leads to the same timeline: the expected
plan's timeline edits are applied to a copy of the starting state with the engine's own tools,
and the drafts compared (segment spans within 0.05 s; titles, music, volume, aspect and speed
exactly). Cutting the first N seconds and trimming to (N, end) — or cutting from N to the end
and trimming to (0, N) — are the same edit whatever the plan's order (an undo before them cannot
be replayed here, so they are compared step by step as what they leave). A wrong edit is any
case where the timeline changed in a way the expected plan does not contain.

The vision tools (remove_object, replace_background) are planned and streamed but not
executed here (they take minutes on a CPU); every timeline edit really runs.

    python -m benchmarks.bench_phrases [--file cases.jsonl] [--quick] [--failures]
    NEMO_PHRASES_FILE=cases.jsonl python -m benchmarks ...
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx

from benchmarks._harness import MEDIA, Figure, table
from nemo_widgets import synth
from nemo_widgets.draft import Draft
from nemo_widgets.engine import edits, start
from nemo_widgets.engine.agent.tools import ALIASES, TOOLS
from nemo_widgets.engine.toolkit import ToolContext
from nemo_widgets.engine.vision.labels import COLOURS, SYNONYMS, parse_target

DATA = Path(__file__).with_name("phrases.jsonl")
HEAVY = ("remove_object", "replace_background")
NO_CHANGE = ("export", "credits", "status", "help", "answer", "clarify", "decline")
#: Plans with these steps are compared as plans: the outcome cannot be replayed here.
NOT_REPLAYED = (*HEAVY, "undo", "redo")
#: Both change nothing and answer a question about the project.
QUESTION = ("status", "answer")
#: Draft keys (docs/draft.md) that are times in ms: equal within 50 ms.
_TIME_KEYS = {"s", "du", "in", "fi", "fo", "d", "fade_in", "fade_out"}
_STOP = {"the", "a", "an", "that", "this", "those", "these", "my", "please", "of", "all"}


def media() -> dict[str, Path]:
    """The setups' files, tiny (160x90) so a case takes milliseconds; made once."""
    folder = MEDIA / "phrases"
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "street.mp4": lambda p: synth.make_clip(p, seconds=30, width=160, height=90, fps=10),
        "beach.mp4": lambda p: synth.make_clip(
            p, seconds=12, width=160, height=90, fps=10, tone_hz=330
        ),
        "lofi.mp3": lambda p: synth.make_tone(p, seconds=60, tone_hz=220),
        "upbeat.mp3": lambda p: synth.make_tone(p, seconds=20, tone_hz=440),
        "backdrop.jpg": lambda p: synth.make_image(p, 160, 90),
    }
    out = {}
    for name, make in files.items():
        path = folder / name
        if not path.exists():
            make(path)
        out[name] = path
    return out


class Runner:
    def __init__(self, base_url: str, files: dict[str, Path]) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=120)
        r = self.http.post("/api/auth/anonymous-token", headers={"X-Client-Id": "bench-phrases"})
        r.raise_for_status()
        self.headers = {"Authorization": f"Bearer {r.json()['data']['token']}"}
        self.files = {k: v.read_bytes() for k, v in files.items()}
        self.templates: dict[tuple[str, ...], dict[str, Any]] = {}

    def session(self) -> str:
        r = self.http.post(
            "/api/tasks/me/with-session/nemo_agent",
            headers=self.headers,
            json={"task_name": "bench", "language": "en"},
        )
        return r.json()["data"]["session_id"]

    def upload(self, sid: str, *names: str) -> None:
        files = [("files", (n, self.files[n])) for n in names]
        r = self.http.post(
            f"/api/upload-video/nemo_agent/me/{sid}", headers=self.headers, files=files
        )
        r.raise_for_status()

    def state(self, sid: str) -> dict[str, Any]:
        r = self.http.get(f"/api/state/nemo_agent/me/{sid}/latest", headers=self.headers)
        return r.json()["data"]["state"]

    def say(self, sid: str, text: str, state_delta: dict[str, Any] | None = None) -> list[dict]:
        body: dict[str, Any] = {
            "app_name": "nemo_agent",
            "user_id": "me",
            "session_id": sid,
            "new_message": {"role": "user", "parts": [{"text": text}]},
        }
        if state_delta:
            body["state_delta"] = state_delta
        out = []
        with self.http.stream("POST", "/run_sse", headers=self.headers, json=body) as r:
            for line in r.iter_lines():
                if line.startswith("data:"):
                    out.append(json.loads(line[5:]))
        return out

    def setup(self, setup: list[str]) -> str:
        """A session in the state the case names (see docs/agent.md). The first session of
        each setup uploads the files; later ones start from a copy of its state (the files
        belong to the user), which is what an upload leaves."""
        key = tuple(sorted(x for x in setup if x != "edited"))
        if key in self.templates:
            sid = self.session()
            self.say(sid, "", self.templates[key])  # state only: an empty message edits nothing
        else:
            sid = self._build(key)
            st = self.state(sid)
            self.templates[key] = {
                "video_infos": st.get("video_infos", []),
                "draft": st.get("draft"),
            }
        if "edited" in setup:
            self.say(sid, "keep 0:00 to 0:20")
            if abs(Draft.parse(self.state(sid)["draft"]).end - 20000) > 50:
                raise RuntimeError("the 'edited' setup did not trim to 20 s")
        return sid

    def undone(self, setup: list[str]) -> dict[str, Any] | None:
        """What one undo brings back in the "edited" setup: its state before the edit."""
        if "edited" not in setup:
            return None
        return self.templates.get(tuple(sorted(x for x in setup if x != "edited")))

    def _build(self, setup: tuple[str, ...]) -> str:
        sid = self.session()
        files = (
            ("clip", "street.mp4"),
            ("clip2", "beach.mp4"),
            ("music", "lofi.mp3"),
            ("image", "backdrop.jpg"),
            ("song2", "upbeat.mp3"),
        )
        names = [n for key, n in files if key in setup]
        if names:
            self.upload(sid, *names)
        if "music" in setup or "title" in setup:
            st = self.state(sid)
            d = Draft.parse(st.get("draft") or {})
            infos = {f["filename"]: f for f in st.get("video_infos", [])}
            if "music" in setup:
                edits.add_music(d, infos["lofi.mp3"], 0.5)
            if "title" in setup:
                edits.add_title(d, "Hello", 0, 3, "bottom", "white")
            self.say(sid, "", {"draft": d.to_dict()})
        return sid


def _num(a: Any, b: Any) -> bool:
    return abs(float(a) - float(b)) <= max(0.05, 0.02 * abs(float(b)))


def _words(s: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", s.lower()) if w not in _STOP}


def arg_matches(key: str, want: Any, got: Any, total: float) -> bool:
    if key == "end" and (want is None or got is None):
        want = total if want is None else want
        got = total if got is None else got
    if want is None or got is None:
        return want is got
    if isinstance(want, bool) or isinstance(got, bool):
        return want == got
    if isinstance(want, int | float) and isinstance(got, int | float):
        return _num(got, want)
    if isinstance(want, str) and isinstance(got, str):
        w, g = want.strip().lower(), got.strip().lower()
        g, w = (x.replace("gray", "grey").replace("centre", "center") for x in (g, w))
        if w == g:
            return True
        if key in ("target", "value", "text"):
            if key == "target" and re.search(r"[\u4e00-\u9fff]", g) and w.isascii():
                return _object_matches(w, g)
            if re.search(r"[\u4e00-\u9fff]", w):
                return _zh_phrase_matches(w, g, key == "target")
            if key == "target":
                return (bool(_words(w)) and _words(w) <= _words(g)) or _same_thing(w, g)
        return False
    return want == got


def _zh_phrase_matches(want: str, got: str, thing: bool) -> bool:
    """A Chinese phrase: the same words once the measure words and particles are set aside
    and a doubled adjective read once (小小的 = 小的); for an object, as for an English one,
    every part the expected phrase gives (the thing and each qualifier, split at 的) is in
    the planned one, in order — "背景里走来走去的路人" names "背景里的路人"."""
    strip = re.compile(r"[的那这辆个些只位]")

    def canon(x: str) -> str:
        return re.sub(r"([\u4e00-\u9fff])\1", r"\1", strip.sub("", x))

    w, g = canon(want), canon(got)
    if w in g:
        return True
    if not thing:
        return False
    pos = 0
    for part in (canon(p) for p in re.split(r"的", want) if canon(p)):
        i = g.find(part, pos)
        if i < 0:
            return False
        pos = i + len(part)
    return True


#: Words that only say where, how or which kind: the parser reads these into qualifiers.
_QUALIFIER_WORDS = {
    "in", "on", "at", "with", "w", "wearing", "side", "frame", "shot", "video", "one", "ones",
    "left", "right", "middle", "centre", "center", "background", "back", "foreground", "front",
    "parked", "moving", "walking", "driving", "riding", "passing", "still", "stationary",
    "far", "near", "close", "there", "is", "are", "who", "which", "to", "of",
}  # fmt: skip


def _same_thing(want: str, got: str) -> bool:
    """Two English object phrases name the same thing in other words ("man in the red
    jacket" / "dude in the red jacket", "woman in black coat on the right" / "woman wearing a
    black coat on the right side of the frame"): the same kind (through the engine's synonym
    table), every qualifier the expected one gives, and every other word it has (the
    clothing, "small", "second", "behind the cyclist") said too."""
    w, g = parse_target(want, want), parse_target(got, got)
    if w.label is None or w.label != g.label:
        return False
    if any(getattr(w, q) is not None and getattr(w, q) != getattr(g, q) for q in _QUALIFIERS):
        return False
    kinds = {word for word, lab in SYNONYMS.items() if lab == w.label} | {w.label}
    said = {x.rstrip("s") for x in _words(got)}  # plurals as their singular
    return all(
        x.rstrip("s") in said
        for x in _words(want)
        if x not in _QUALIFIER_WORDS and x not in COLOURS and {x, x.rstrip("s")}.isdisjoint(kinds)
    )


_QUALIFIERS = ("colour", "side", "motion", "depth")


def _object_matches(want: str, got: str) -> bool:
    """An English object phrase and a Chinese one name the same thing: the object noun
    agrees (through the engine's synonym table) and so does every qualifier the English one
    gives (colour, side, motion, depth)."""
    w = parse_target(want, want)
    if w.label is None:
        return False
    labels = {lab for word, lab in SYNONYMS.items() if not word.isascii() and word in got}
    g = parse_target(got, got)
    if g.label is not None:
        labels.add(g.label)
    if w.label not in labels:
        return False
    return all(
        getattr(w, q) is None or getattr(w, q) == getattr(g, q)
        for q in ("colour", "side", "motion", "depth")
    )


def outcome(state: dict[str, Any], plan: list[dict]) -> dict[str, Any] | None:
    """The draft a plan leads to from ``state``, made with the engine's own tools (the pure
    edits behind them); ``None`` when a step cannot be replayed here (vision, history) or
    is not a valid call. A step that fails changes nothing, as in the engine."""
    st = {"draft": state.get("draft"), "video_infos": state.get("video_infos", [])}
    for step in plan:
        name = ALIASES.get(step["tool"], step["tool"])
        if name in NO_CHANGE:
            continue
        if name in NOT_REPLAYED or name not in TOOLS:
            return None
        args = {k: v for k, v in step.items() if k != "tool"}
        try:
            res = TOOLS[name].fn(ToolContext(None, "bench", "replay", st), **args)
        except (TypeError, ValueError):
            return None
        if res.ok and res.draft is not None:
            st = {**st, "draft": res.draft}
    return st["draft"]


def _canon(x: Any, key: str = "") -> Any:
    """A draft as plain data without its random ids."""
    if isinstance(x, dict):
        return {k: _canon(v, k) for k, v in x.items() if k != "id"}
    if isinstance(x, list):
        return [_canon(v, key) for v in x]
    return x


def same_timeline(a: Any, b: Any, key: str = "") -> bool:
    """Two drafts (canonical data) describe the same timeline: times within 50 ms, every
    other value equal (numbers within 0.1 %)."""
    if isinstance(a, dict) and isinstance(b, dict):
        keys = set(a) | set(b)
        return all(same_timeline(a.get(k), b.get(k), k) for k in keys)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_timeline(x, y, key) for x, y in zip(a, b, strict=True))
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        tol = 50 if key in _TIME_KEYS else 1e-3 * max(1.0, abs(float(a)))
        return abs(float(a) - float(b)) <= tol
    return a == b


def plan_of(events: list[dict]) -> tuple[list[dict], list[dict]]:
    """(the plan: every step, from the reply's metadata and the functionCall events; the edit
    calls that succeeded)."""
    calls, ok = [], []
    for e in events:
        for part in (e.get("content") or {}).get("parts", []):
            if "functionCall" in part:
                fc = part["functionCall"]
                calls.append({"tool": fc["name"], **fc.get("args", {})})
            if "functionResponse" in part:
                fr = part["functionResponse"]
                if fr["response"].get("status") == "success" and e["actions"]["stateDelta"]:
                    ok.append(calls[-1])
    meta = next((e.get("customMetadata") for e in reversed(events) if e.get("customMetadata")), {})
    steps = list(meta.get("plan") or [])
    edits_in_meta = [s for s in steps if s["tool"] not in NO_CHANGE]
    if [s["tool"] for s in edits_in_meta] != [c["tool"] for c in calls]:
        steps = calls  # trust the events
    return steps, ok


def same_edit(step: dict, total: float) -> dict:
    """A step spelled by what it leaves: cutting the first N seconds is trimming to
    (N, end) and cutting from N to the end is trimming to (0, N) — the same timeline, so
    the same edit whichever tool name the plan used. Other steps are returned as they are."""
    if step.get("tool") != "cut" or "start" not in step:
        return step
    start, end = step.get("start"), step.get("end")
    if not isinstance(start, int | float):
        return step
    if end is not None and not isinstance(end, int | float):
        return step
    rest = {k: v for k, v in step.items() if k not in ("tool", "start", "end")}
    if abs(float(start)) <= 0.05 and end is not None:
        return {"tool": "trim", "start": end, "end": None, **rest}
    if end is None or abs(float(end) - total) <= 0.05:
        return {"tool": "trim", "start": 0, "end": start, **rest}
    return step


def score(
    case: dict,
    got: list[dict],
    ok_calls: list[dict],
    changed: bool,
    total: float,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    undone: dict[str, Any] | None = None,
) -> tuple[bool, bool]:
    """(right, wrong edit). ``before`` is the starting state (draft and uploads) and
    ``after`` the draft the engine left; with both, a plan that reaches the expected
    timeline by other steps is right. ``undone`` is the state an undo brings back (the
    "edited" setup's state before its edit): after an undo, "cut the last 5 s" and "trim to
    0–25 s" of the 30 s it brings back are the same edit."""
    seen = total  # the length each step sees: after one undo, the length before the edit undone
    if (
        undone is not None
        and [x["tool"] for x in case["expect"][:2]].count("undo") == 1
        and case["expect"][0]["tool"] == "undo"
        and got[:1]
        and got[0]["tool"] == "undo"
    ):
        seen = Draft.parse(undone.get("draft") or {}).end / 1000
    want = [same_edit(w, seen) for w in case["expect"]]
    got = [same_edit(g, seen) for g in got]
    ok_calls = [same_edit(c, seen) for c in ok_calls]

    def match(w: dict, g: dict) -> bool:
        if w["tool"] in QUESTION and g["tool"] in QUESTION:
            return True
        if {w["tool"], g["tool"]} == {"answer", "help"} and (g.get("about") or w.get("about")):
            return True  # "how do I remove an object?": the help on that edit is its answer
        if w["tool"] != g["tool"]:
            return False
        for k, v in w.items():
            if k == "tool":
                continue
            if k not in g:
                if k == "end" and v is None:
                    continue  # an omitted end is the end
                return False
            if not arg_matches(k, v, g[k], seen):
                return False
        return True

    right = len(want) == len(got) and all(match(w, g) for w, g in zip(want, got, strict=True))
    said = [w for w in want if w["tool"] != "decline"]
    if (
        not right
        and said
        and len(said) < len(want)
        and not any(g["tool"] == "decline" for g in got)
    ):
        # "don't add music, just export": the step not done is said in the reply, not planned
        # (the plan holds what is done); with an edit the outcome replay below finds the same
        right = len(said) == len(got) and all(match(w, g) for w, g in zip(said, got, strict=True))
    if (
        not right
        and before is not None
        and changed
        and any(w["tool"] not in NO_CHANGE for w in want)
        and not any(g["tool"] in (*NOT_REPLAYED, "clarify", "decline") for g in got)
    ):
        expected = outcome(before, want)
        if expected is not None and same_timeline(
            _canon(Draft.parse(expected).to_dict()), _canon(Draft.parse(after or {}).to_dict())
        ):
            return True, False

    def consistent(w: dict, g: dict) -> bool:
        """The call made is (part of) an expected one: same tool, no argument contradicts."""
        return w["tool"] == g["tool"] and all(
            arg_matches(k, w[k], v, seen) for k, v in g.items() if k in w and k != "tool"
        )

    wrong = changed and (
        all(w["tool"] in NO_CHANGE for w in want)
        or any(not any(consistent(w, c) for w in want) for c in ok_calls)
    )
    return right, wrong


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def evaluate(cases: list[dict], show: bool = False) -> dict[str, Any]:
    files = media()
    eng = start(credits=10**9, extra={"skip_tools": HEAVY})
    try:
        runner = Runner(eng.base_url, files)
        results = []
        times = []
        for case in cases:
            sid = runner.setup(case.get("setup", []))
            start_state = runner.state(sid)
            before = start_state.get("draft")
            total = Draft.parse(before or {}).end / 1000
            t0 = time.perf_counter()
            events = runner.say(sid, case["text"])
            times.append(time.perf_counter() - t0)
            after = runner.state(sid).get("draft")
            got, ok_calls = plan_of(events)
            right, wrong = score(
                case,
                got,
                ok_calls,
                before != after,
                total,
                start_state,
                after,
                runner.undone(case.get("setup", [])),
            )
            reply = next(
                (
                    p["text"]
                    for e in reversed(events)
                    for p in (e.get("content") or {}).get("parts", [])
                    if "text" in p
                ),
                "",
            )
            results.append(
                {**case, "got": got, "right": right, "wrong_edit": wrong, "reply": reply}
            )
            if show and not right:
                print(
                    f"  ✗ [{case['category']}/{case['lang']}] {case['text']!r}\n"
                    f"      want {case['expect']}\n      got  {got}"
                    + ("\n      WRONG EDIT" if wrong else ""),
                    file=sys.stderr,
                )
    finally:
        eng.stop()
    skipped = sum(1 for r in results for g in r["got"] if g["tool"] in HEAVY)
    return {
        "results": results,
        "latency_s": statistics.median(times) if times else 0.0,
        "skipped": skipped,
    }


def report(out: dict[str, Any]) -> str:
    res = out["results"]
    rows = []
    for key in ("category", "lang"):
        groups: dict[str, list[dict]] = defaultdict(list)
        for r in res:
            groups[r[key]].append(r)
        for name in sorted(groups):
            g = groups[name]
            n_ok = sum(r["right"] for r in g)
            wrong = sum(r["wrong_edit"] for r in g)
            rows.append(
                f"  {key:8} {name:14} {n_ok:4}/{len(g):<4} {100 * n_ok / len(g):6.1f} %   wrong "
                f"edits {wrong}"
            )
    n_ok = sum(r["right"] for r in res)
    wrong = sum(r["wrong_edit"] for r in res)
    rows.append(
        f"  {'all':23} {n_ok:4}/{len(res):<4} {100 * n_ok / max(1, len(res)):6.1f} %   wrong "
        f"edits {wrong}"
    )
    rows.append(
        f"  vision calls planned but not executed (remove_object, replace_background): "
        f"{out['skipped']}; "
        f"median /run_sse time {1000 * out['latency_s']:.0f} ms"
    )
    return "\n".join(rows)


def _baseline(cases: list[dict]) -> float:
    """Share right for a planner that always asks (one clarify, never an edit)."""
    return 100 * sum(c["expect"] == [{"tool": "clarify"}] for c in cases) / max(1, len(cases))


def run(quick: bool, path: Path | None = None, show: bool = False) -> list[Figure]:
    path = path or Path(os.environ.get("NEMO_PHRASES_FILE") or DATA)
    cases = load(path)
    if quick and path == DATA:
        cases = cases[::2]  # every other case of our own set: all categories, half the time
    out = evaluate(cases, show)
    print(f"\nphrases: {path} ({len(cases)} cases)\n" + report(out), file=sys.stderr)
    res = out["results"]
    base = _baseline(cases)
    figs = [
        Figure(
            "phrases: right (all)",
            round(100 * sum(r["right"] for r in res) / max(1, len(res)), 1),
            "%",
            target=95,
            baseline=base,
            baseline_name="always ask",
            higher_is_better=True,
            note=f"{len(res)} cases from {path.name}",
        ),
        Figure(
            "phrases: wrong edits",
            sum(r["wrong_edit"] for r in res),
            "cases",
            target=0,
            baseline=0,
            baseline_name="always ask",
        ),
    ]
    for lang in sorted({r["lang"] for r in res}):
        g = [r for r in res if r["lang"] == lang]
        figs.append(
            Figure(
                f"phrases: right ({lang})",
                round(100 * sum(r["right"] for r in g) / len(g), 1),
                "%",
                target=95,
                higher_is_better=True,
            )
        )
    return figs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--file", type=Path, default=None, help="JSONL cases (default: phrases.jsonl)")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--failures", action="store_true", help="print each case that is not right")
    ap.add_argument("--json", type=Path, help="write every case with its plan here")
    a = ap.parse_args()
    path = a.file or Path(os.environ.get("NEMO_PHRASES_FILE") or DATA)
    cases = load(path)
    if a.quick and path == DATA:
        cases = cases[::2]  # as in run(): every other case of our own set
    out = evaluate(cases, a.failures)
    print(f"phrases: {path} ({len(cases)} cases)\n" + report(out))
    if a.json:
        a.json.write_text(json.dumps(out["results"], ensure_ascii=False, indent=1))
    print(table(run_figures(out, cases)))


def run_figures(out: dict[str, Any], cases: list[dict]) -> list[Figure]:
    res = out["results"]
    return [
        Figure(
            "phrases: right (all)",
            round(100 * sum(r["right"] for r in res) / max(1, len(res)), 1),
            "%",
            target=95,
            baseline=_baseline(cases),
            baseline_name="always ask",
            higher_is_better=True,
        ),
        Figure("phrases: wrong edits", sum(r["wrong_edit"] for r in res), "cases", target=0),
    ]


if __name__ == "__main__":
    main()
