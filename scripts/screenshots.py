"""``make screenshots``: the images the README shows, made by code, never by hand.

- docs/img/studio.png: the Studio in JupyterLab, taken by the real-browser test.
- docs/img/background_before_after.jpg: "replace my background with a clean studio backdrop"
  on the registry webcam sample, through the client and the embedded engine.
- docs/img/removal_before_after.jpg: "remove the car parked in the background" on the
  registry street sample.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from nemo_widgets import connect
from nemo_widgets.samples import sample_path
from nemo_widgets.stills import before_after

ROOT = Path(__file__).resolve().parent.parent
IMG = ROOT / "docs" / "img"


def removal() -> None:
    client = connect("engine")
    session = client.create_session()
    street = sample_path("bikes")
    session.upload(street)
    car = session.say("remove the car parked in the background from the entire video")
    print(car)
    with tempfile.TemporaryDirectory() as tmp:
        path = client.download(car.generated[-1].url, f"{tmp}/r.mp4")
        t = car.removed[0].middle_s
        before_after(street, path, t, height=240).save(IMG / "removal_before_after.jpg", quality=82)


def studio() -> None:
    subprocess.run(
        # Only the test that takes the picture (the whole browser suite is minutes of CPU).
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "tests/browser/test_studio.py::test_studio_end_to_end[lab]",
            "-p",
            "no:cacheprovider",
        ],
        cwd=ROOT,
        check=True,
    )
    shutil.copy(ROOT / "out" / "screenshots" / "studio-lab.png", IMG / "studio.png")


def background() -> None:
    client = connect("engine")
    session = client.create_session()
    webcam = sample_path("webcam")
    session.upload(webcam)
    session.say("keep 0:00 to 0:06")
    print(session.say("replace my background with a clean studio backdrop").text)
    with tempfile.TemporaryDirectory() as tmp:
        result = session.export(download_to=tmp, quality="high")
        before_after(webcam, result.path, 3.0, height=240).save(
            IMG / "background_before_after.jpg", quality=82
        )


if __name__ == "__main__":
    IMG.mkdir(parents=True, exist_ok=True)
    # `python scripts/screenshots.py studio` remakes one image; no argument: all of them.
    for name in sys.argv[1:] or ["background", "removal", "studio"]:
        {"background": background, "removal": removal, "studio": studio}[name]()
    for p in sorted(IMG.iterdir()):
        print(f"{p.relative_to(ROOT)}: {p.stat().st_size // 1024} KB")
