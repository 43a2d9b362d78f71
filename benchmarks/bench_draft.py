"""Draft flattening: a 10,000-segment draft to the DataFrame (target < 50 ms).

Baseline in the same run: the straightforward per-row Python loop building the same columns.
"""

from __future__ import annotations

import random

import pandas as pd

from benchmarks._harness import Figure, main_for, median_time
from nemo_widgets.draft import KIND_NAMES, Draft, diff, summary, to_dataframe


def make_draft(n: int, seed: int = 0) -> dict:
    rnd = random.Random(seed)
    tracks = []
    for tt, share in ((0, 0.6), (1, 0.2), (7, 0.2)):
        segs, t = [], 0
        for i in range(int(n * share)):
            du = rnd.randint(500, 5000)
            seg = {"id": f"s{tt}_{i}", "s": t, "du": du, "src": f"f_{i % 50}", "n": f"clip {i}"}
            if tt == 1:
                seg["v"] = rnd.randint(10, 100)
            if tt == 7:
                seg["tx"] = f"title {i}"
            if i % 10 == 0:
                seg["fx"] = [{"k": "remove_object", "p": {"target": "car"}}]
                seg["m"] = {"scene": i % 7}
            segs.append(seg)
            t += du
        tracks.append({"tt": tt, "sg": segs})
    return {"t": tracks, "d": max(sum(s["du"] for s in tr["sg"]) for tr in tracks), "m": {}}


def per_row_loop(draft: dict) -> pd.DataFrame:
    rows = []
    for ti, tr in enumerate(draft["t"]):
        for si, s in enumerate(tr["sg"]):
            rows.append(
                {
                    "track": ti,
                    "kind": KIND_NAMES.get(tr["tt"], "other"),
                    "tt": tr["tt"],
                    "segment": si,
                    "start": pd.Timedelta(milliseconds=s["s"]),
                    "end": pd.Timedelta(milliseconds=s["s"] + s["du"]),
                    "duration": pd.Timedelta(milliseconds=s["du"]),
                    "source": s.get("src"),
                    "label": s.get("n"),
                    "volume": s.get("v"),
                    "text": s.get("tx"),
                    "effects": ", ".join(e["k"] for e in s.get("fx", [])) or None,
                }
            )
    return pd.DataFrame(rows)


def run(quick: bool) -> list[Figure]:
    d = make_draft(10_000)
    assert len(to_dataframe(d)) == len(per_row_loop(d)) == sum(len(t["sg"]) for t in d["t"])
    repeat = 3 if quick else 9
    ours = median_time(lambda: to_dataframe(d), repeat=repeat) * 1000
    base = median_time(lambda: per_row_loop(d), repeat=repeat) * 1000
    parsed = Draft.parse(d)
    pre = median_time(lambda: to_dataframe(parsed), repeat=repeat) * 1000
    d2 = make_draft(10_000, seed=1)
    t_diff = median_time(lambda: diff(d, d2), repeat=3) * 1000
    t_sum = median_time(lambda: summary(d), repeat=repeat) * 1000
    return [
        Figure("draft → DataFrame, 10k segments (from dict)", ours, "ms", 50, base, "per-row loop"),
        Figure(
            "draft → DataFrame, 10k segments (parsed Draft)", pre, "ms", 50, base, "per-row loop"
        ),
        Figure("draft diff, 10k segments", t_diff, "ms"),
        Figure("draft summary, 10k segments", t_sum, "ms"),
    ]


if __name__ == "__main__":
    main_for(run)
