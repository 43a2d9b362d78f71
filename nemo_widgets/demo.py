"""``make demo``: real sample clips through the client and the embedded engine, headless.

Everything printed is what happened: the agent's replies as they came, the timeline it built,
the files the renderer wrote (with their measured stream facts).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd

from nemo_widgets.backend import connect
from nemo_widgets.client import NemoError, RunResult, Session
from nemo_widgets.draft import timecode
from nemo_widgets.samples import SAMPLES, SampleError, sample_path


def _say(session: Session, text: str) -> RunResult:
    print(f"\n  you   > {text}")
    t0 = time.perf_counter()
    result = session.say(text)
    took = time.perf_counter() - t0
    steps = ", ".join(c.name for c in result.tool_calls) or "none"
    applied = not result.failed_tools and bool(result.changes)
    print(f"  agent > {result.text}")
    print(
        f"          (tools: {steps}; {'applied' if applied else 'nothing changed'}; {took:.1f} s)"
    )
    return result


def _session_with(client: Any, clip: Path) -> Session:
    session = client.create_session(language="en")
    up = session.upload(clip)[0]
    print(f"  uploaded {up.filename}: {up.duration:.1f} s, {up.width}x{up.height}, {up.fps:g} fps")
    return session


def _facts(path: Path) -> str:
    import av

    with av.open(str(path)) as c:
        v = c.streams.video[0]
        a = c.streams.audio[0] if c.streams.audio else None
        dur = float(c.duration / av.time_base) if c.duration else 0.0
        audio = f", {a.codec_context.name} audio" if a else ", no audio"
        return (
            f"{v.codec_context.name} {v.codec_context.profile or ''} {v.width}x{v.height} "
            f"{v.codec_context.pix_fmt}, {dur:.2f} s{audio}, {path.stat().st_size / 1e6:.2f} MB"
        )


def _export(session: Session, out: Path, name: str) -> list[Path]:
    t0 = time.perf_counter()
    last = [-1]

    def progress(st: Any) -> None:
        if st.progress // 25 != last[0] // 25:
            last[0] = st.progress
            print(f"          export {st.status} {st.progress}%")

    res = session.export(download_to=out / f"{name}.mp4", on_progress=progress)
    files = [res.path] if res.path else []
    if res.preview_url:
        files.append(session.client.download(res.preview_url, out / f"{name}_preview.mp4"))
    print(f"  export> {time.perf_counter() - t0:.1f} s")
    for f in files:
        print(f"          {f}: {_facts(f)}")
    return files


def _timeline(session: Session) -> None:
    print(f"\n  {session.summary()}")
    df = session.timeline
    for c in ("start", "end"):
        df[c] = df[c].map(timecode)
    cols = [
        "track",
        "kind",
        "segment",
        "start",
        "end",
        "source",
        "label",
        "volume",
        "text",
        "effects",
    ]
    with pd.option_context("display.width", 140, "display.max_columns", 20):
        shown = df[cols].astype(object).where(df[cols].notna(), "")  # no <NA>/NaN noise
        print("\n" + shown.to_string(index=False))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default="out")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    print("nemo-widgets demo — embedded engine on loopback, real clips from registry packages")
    try:
        bikes, webcam = sample_path("bikes"), sample_path("webcam")
    except SampleError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    for key in ("bikes", "webcam"):
        print(f"  sample {key}: {SAMPLES[key].description} — {SAMPLES[key].licence}")

    client = connect("engine")
    print(
        f"  connected: {client.backend} at {client.base_url}; credits {client.credits().available}"
    )
    written: list[Path] = []
    not_done: list[str] = []
    try:
        print("\n== 1. Street clip: remove the car, then cut to the static shot and title it ==")
        s = _session_with(client, bikes)
        r = _say(s, "remove the car parked in the background from the entire video")
        if r.failed_tools:
            not_done.append("object removal")
        _say(s, "keep 0:05.5 to 0:07.4")
        _say(s, "add the title 'Bikes at rest' for 1.5 seconds at the bottom")
        _timeline(s)
        written += _export(s, out, "bikes_edit")
        if not r.failed_tools:
            from nemo_widgets.stills import before_after

            still = out / "bikes_before_after.jpg"
            # The export starts at 5.5 s of the source (the trim).
            before_after(bikes, written[-2], 6.1, t_after=0.6, height=272).save(still, quality=85)
            print(f"          {still}: the same moment before and after")
            written.append(still)

        print("\n== 2. Webcam clip: studio backdrop, vertical 9:16, title ==")
        s2 = _session_with(client, webcam)
        r = _say(s2, "replace my background with a clean studio backdrop")
        if r.failed_tools:
            not_done.append("background replacement (issue 8)")
        _say(s2, "keep 0:02 to 0:10")
        _say(s2, "make it 9:16 with blurred padding")
        _say(s2, "add the title 'Studio update' for 3 seconds at the top")
        _say(s2, "how long is it?")
        _timeline(s2)
        written += _export(s2, out, "webcam_edit")
    except NemoError as e:
        print(f"\nerror: {e}", file=sys.stderr)
        return 1
    finally:
        client.close()

    print("\n== Done ==")
    print(f"  files in {out.resolve()}:")
    for f in written:
        print(f"    {f.name}")
    if not_done:
        print(
            "  not available in the embedded engine yet (the agent said so, nothing was faked): "
            + "; ".join(not_done)
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
