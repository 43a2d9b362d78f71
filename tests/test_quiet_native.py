"""LiteRT's "INFO: Created TensorFlow Lite XNNPACK delegate for CPU." is printed by C++ on file
descriptor 2; in a notebook it lands in an error-styled stderr box. It is dropped where the
interpreter is built, and nothing else written to stderr meanwhile is lost."""

from __future__ import annotations

import os
import subprocess
import sys

from nemo_widgets.engine.vision.matte import litert_quiet


def test_only_the_delegate_line_is_dropped(capfd) -> None:
    with litert_quiet():
        os.write(2, b"INFO: Created TensorFlow Lite XNNPACK delegate for CPU.\n")
        os.write(2, b"a real warning\n")
    os.write(2, b"after\n")
    err = capfd.readouterr().err
    assert "XNNPACK" not in err
    assert err == "a real warning\nafter\n"


def test_building_the_segmenter_prints_nothing() -> None:
    code = (
        "import numpy as np\n"
        "from nemo_widgets.engine.vision.matte import Segmenter\n"
        "s = Segmenter(landscape=True)\n"
        "s(np.zeros((s.h, s.w, 3), np.uint8))\n"
        "print('ok')\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert out.stdout.strip() == "ok"
    assert "XNNPACK" not in out.stderr and "INFO" not in out.stderr, out.stderr
