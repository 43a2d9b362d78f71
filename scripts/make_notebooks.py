"""Writes notebooks/*.ipynb (clean: no outputs). Run: python scripts/make_notebooks.py"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent / "notebooks"


def nb(*cells: tuple[str, str]) -> dict:
    return {
        "cells": [
            {
                "cell_type": kind,
                "id": f"cell-{i}",
                "metadata": {},
                "source": src.strip("\n"),
                **({"execution_count": None, "outputs": []} if kind == "code" else {}),
            }
            for i, (kind, src) in enumerate(cells)
        ],
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


md = lambda s: ("markdown", s)  # noqa: E731
code = lambda s: ("code", s)  # noqa: E731

NOTEBOOKS = {
    "quickstart.ipynb": nb(
        md("""
# nemo-widgets quick start

The Studio: upload clips, tell the agent what to change, watch the timeline, export and play
the result. Without `NEMO_TOKEN` it runs on the embedded engine, on this machine's CPU.

The project remembers: run the cell again — after a kernel restart too — and the uploads, the
timeline and the last export come back. Every long step has a Cancel button (or
`await studio.cancel()`, or the kernel's ■); nothing half-done is kept.
"""),
        code("""
from nemo_widgets import Studio

studio = Studio(project="quickstart")
studio
"""),
        code("""
from nemo_widgets.samples import sample_path  # a real webcam clip from a registry package

await studio.upload(sample_path("webcam"))
await studio.say("replace my background with a clean studio backdrop")
"""),
        code("""
result = await studio.export(download_to="out/notebooks/")
print(studio.summary)
print("RESULT", {"path": str(result.path), "duration": result.duration})
studio.timeline
"""),
    ),
    "background_replacement.ipynb": nb(
        md("""
# Background replacement

A studio backdrop, a blurred background, a photo behind the person, and a transparent export
(VP9 WebM with alpha) — on a real webcam clip, with before/after stills.
"""),
        code("""
import json
from pathlib import Path

from nemo_widgets import connect
from nemo_widgets.samples import sample_path
from nemo_widgets.stills import before_after, frame

out = Path("out/notebooks/background")
out.mkdir(parents=True, exist_ok=True)
client = connect()
webcam = sample_path("webcam")
"""),
        code("""
def edit(instruction, *uploads):
    session = client.create_session()
    session.upload(webcam, *uploads)
    session.say("keep 0:00 to 0:06")
    reply = session.say(instruction)
    print(instruction, "→", reply.text)
    return reply, session.export(download_to=out)

studio, studio_export = edit("replace my background with a clean studio backdrop")
before_after(webcam, studio_export.path, 3.0)
"""),
        code("""
blurred, blurred_export = edit("blur the background")
before_after(webcam, blurred_export.path, 3.0)
"""),
        code("""
# A real photo as the new background: the first frame of the street sample.
street = out / "street.jpg"
frame(sample_path("bikes"), 6.0).save(street)
photo, photo_export = edit("put me in front of street.jpg", street)
before_after(webcam, photo_export.path, 3.0)
"""),
        code("""
# Transparent: the timeline shows a checkerboard; the alpha WebM is in the generated media.
clear, clear_export = edit("remove the background")
alpha_path = client.download(clear.generated[-1].alpha_url, out / "transparent.webm")
exports = {"studio": studio_export, "blur": blurred_export, "photo": photo_export,
           "transparent": clear_export}
results = {name: str(e.path) for name, e in exports.items()}
results["alpha"] = str(alpha_path)
print("RESULT", json.dumps(results))
before_after(webcam, clear_export.path, 3.0)
"""),
    ),
    "object_removal.ipynb": nb(
        md("""
# Object removal

"Remove the car parked in the background", on a real street clip (five shots, a static shot of
bikes behind a fence with cars). The engine finds the object (NanoDet), picks the one the words
describe (parked / moving, left / right, background / foreground, colour), masks it and fills
the hole from the rest of the video. Pixels never visible in any frame (a car parked for the
whole shot) are synthesised once per shot, so the fill does not flicker — but they are soft.
"""),
        code("""
import json
from pathlib import Path

from nemo_widgets import connect
from nemo_widgets.samples import sample_path
from nemo_widgets.stills import before_after

out = Path("out/notebooks/removal")
out.mkdir(parents=True, exist_ok=True)
client = connect()
street = sample_path("bikes")
session = client.create_session()
session.upload(street)
"""),
        code("""
car = session.say("remove the car parked in the background from the entire video")
print(car)    # the reply, and what changed on the timeline
car.removed   # what was taken out, and when it was in view
"""),
        code("""
removed_car = client.download(car.generated[-1].url, out / "no_car.mp4")
before_after(street, removed_car, car.removed[0].middle_s)
"""),
        code("""
# A person too (the cyclist of the night shot). Effects stack: this runs on the car-free clip.
person = session.say("remove the person")
print(person)
removed_both = client.download(person.generated[-1].url, out / "no_person.mp4")
before_after(street, removed_both, person.removed[0].middle_s)
"""),
        code("""
# Nothing there: the agent says what it looked for and offers the box instead of pretending.
print(session.say("remove the red bus on the left").text)
export = session.export(download_to=out)
print("RESULT", json.dumps({"car": str(removed_car), "person": str(removed_both),
                            "export": str(export.path)}))
session.timeline
"""),
    ),
    "batch.ipynb": nb(
        md("""
# Batch: many clips, one instruction

`client.batch` runs the instruction on each file in a session of its own, a few at a time,
with a progress bar, and exports each one. A file that fails gets its reason in its row; the
others carry on. With `nemo-widgets serve --dask tcp://HOST:8786` the same call spreads the
heavy work over a Dask cluster.
"""),
        code("""
from pathlib import Path

import pandas as pd

from nemo_widgets import connect
from nemo_widgets.samples import sample_path

out = Path("out/notebooks/batch")
client = connect()
files = [sample_path("bikes"), sample_path("webcam"), Path("no-such-clip.mp4")]
results = client.batch(files, "add the title 'Street' for 2 seconds", download_to=out,
                       quality="medium", concurrency=2)
results[["file", "seconds", "output", "error"]]
"""),
        code("""
# Several steps per file, in order (export=False would keep the edits in the sessions only).
steps = ["keep the first 3 seconds", "make it 9:16 with blurred padding"]
vertical = client.batch([sample_path("webcam")], steps, download_to=out / "vertical")
rows = pd.concat([results, vertical])[["file", "output", "error"]]
print("RESULT", rows.to_json(orient="records"))
vertical[["file", "changes", "output"]]
"""),
    ),
    "client_api.ipynb": nb(
        md("""
# The client without widgets

`NemoClient` (sync) and `AsyncNemoClient` (async) have the same methods. The same code talks to
the hosted service (`NEMO_TOKEN`) or the embedded engine.
"""),
        code("""
from nemo_widgets import connect
from nemo_widgets.client import TextDelta, ToolCall, ToolResult, UnsupportedFile, NemoError
from nemo_widgets.samples import sample_path

client = connect()
print(client.credits())
print(client)          # the token (fetched by the first call) is masked
session = client.create_session()
session.upload(sample_path("webcam"))
"""),
        md("## Streaming an agent run as typed events"),
        code("""
stream = session.send("keep 0:02 to 0:08")
for event in stream:
    if isinstance(event, ToolCall):
        print("⏳", event.name, event.args)
    elif isinstance(event, ToolResult):
        print("✓" if event.ok else "✗", event.name)
    elif isinstance(event, TextDelta):
        print("agent:", event.text)
result = stream.until_done()
result.changes
"""),
        md("## Errors say what to do"),
        code("""
from pathlib import Path

notes = Path("out/notebooks/notes.txt")
notes.parent.mkdir(parents=True, exist_ok=True)
notes.write_text("not a video")
try:
    session.upload(notes)
except UnsupportedFile as e:
    print(type(e).__name__, "—", e)

print(session.say("make me a sandwich").text)   # no silent no-op: the agent says what it can do
"""),
        md("## The async twin"),
        code("""
from nemo_widgets.client import AsyncNemoClient

async with AsyncNemoClient(client.base_url) as aclient:
    asession = await aclient.create_session()
    await asession.upload(sample_path("webcam"))
    async for text in asession.send("make it 9:16 with blurred padding").text_stream:
        print(text)
    exported = await asession.export(download_to="out/notebooks/")
print("RESULT", {"path": str(exported.path), "size": exported.size})
"""),
    ),
}

if __name__ == "__main__":
    for name, content in NOTEBOOKS.items():
        (HERE / name).write_text(json.dumps(content, indent=1, ensure_ascii=False) + "\n")
        print("wrote", HERE / name)
