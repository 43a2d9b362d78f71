"""A really full disk: the engine's data folder on a 24 MB tmpfs. Uploads and renders that do
not fit get a clear 507 (or a failed job with that reason), nothing half-written stays, and
everything stored before is intact — checked by hashes. Needs root to mount the tmpfs."""

from __future__ import annotations

import hashlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from nemo_widgets.client import NemoClient, Settings, StorageFull
from nemo_widgets.engine import start
from nemo_widgets.synth import make_clip
from tests.conftest import Api

pytestmark = pytest.mark.slow

MB = 1024 * 1024


@pytest.fixture()
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mnt = tmp_path / "disk"
    mnt.mkdir()
    r = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=24m,mode=0700", "tmpfs", str(mnt)],
        capture_output=True,
        text=True,
        check=False,
    )
    if r.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (needs root): {r.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _fill(disk: Path, leave: int) -> Path:
    """A filler file that leaves about ``leave`` bytes free."""
    filler = disk / "filler.bin"
    free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
    with open(filler, "wb") as f:
        f.write(b"\0" * max(0, free - leave))
    return filler


def _leftovers(data_dir: Path) -> list[str]:
    return sorted(p.name for p in (data_dir / "tmp").iterdir())


def test_full_disk_refuses_clearly_and_loses_nothing(small_disk: Path, tmp_path: Path) -> None:
    data_dir = small_disk / "engine"
    clip = make_clip(tmp_path / "a.mp4", seconds=2, width=320, height=240)
    with start(data_dir, credits=100, min_free_mb=2) as eng:
        api = Api(eng)
        sid = api.session()
        up = api.upload(sid, clip).json()["data"]["files"][0]
        done = api.render(sid, "before", quality="low")
        assert done["status"] == "completed"
        kept = {
            "upload": (up["cdn_url"], _sha(clip.read_bytes())),
            "render": (done["outputUrl"], _sha(api.http.get(done["outputUrl"]).content)),
        }
        state_before = api.state(sid)

        # 1. An upload whose declared size does not fit: refused before a byte is stored.
        big = tmp_path / "big.mp4"
        big.write_bytes(make_clip(tmp_path / "b.mp4", seconds=1).read_bytes() + os.urandom(30 * MB))
        r = api.http.post(
            f"/api/upload-video/nemo_agent/me/{sid}",
            headers=api.headers,
            files=[("files", ("big.mp4", big.read_bytes()))],
        )
        assert r.status_code == 507 and r.json()["code"] == 507, r.text
        assert "disk is full" in r.json()["message"] and "free some space" in r.json()["message"]

        # 2. A streamed upload with no declared size that runs out of space half-way: a real
        #    ENOSPC from the file system, the partial temp file removed.
        filler = _fill(small_disk, 5 * MB)

        def body() -> Iterator[bytes]:
            boundary = b"--nemo"
            yield boundary + b'\r\nContent-Disposition: form-data; name="files"; '
            yield b'filename="s.mp4"\r\nContent-Type: video/mp4\r\n\r\n'
            for _ in range(12):
                yield os.urandom(MB)
            yield b"\r\n" + boundary + b"--\r\n"

        r = api.http.post(
            f"/api/upload-video/nemo_agent/me/{sid}",
            headers={**api.headers, "Content-Type": "multipart/form-data; boundary=nemo"},
            content=body(),
        )
        assert r.status_code == 507 and "disk is full" in r.json()["message"], r.text
        assert _leftovers(data_dir) == []

        # 3. The typed client error says what to do and is not retried.
        with (
            NemoClient(eng.base_url, settings=Settings(max_retries=3)) as client,
            pytest.raises(StorageFull) as err,
        ):
            client.create_session().upload(big)
        assert "disk is full" in str(err.value) and "free disk space" in err.value.hint

        # 4. A render with less than the reserve free: refused as it starts, with the reason.
        renders_before = sorted(p.name for p in (data_dir / "renders").iterdir())
        filler.unlink()
        filler = _fill(small_disk, 1 * MB)
        failed = api.render(sid, "no_room", quality="low")
        assert failed["status"] == "failed" and "disk is full" in failed["error"], failed

        # 5. With no reserve at all, a render that really hits ENOSPC half-way through
        #    writing: failed with the reason, the partial output removed.
        eng.engine.store.reserve_bytes = 0
        filler.unlink()
        filler = _fill(small_disk, 48 * 1024)
        failed = api.render(sid, "enospc", quality="low")
        assert failed["status"] == "failed" and "disk is full" in failed["error"], failed
        assert sorted(p.name for p in (data_dir / "renders").iterdir()) == renders_before
        assert _leftovers(data_dir) == []

        # 6. Nothing stored before was touched: same bytes, same state.
        for url, sha in kept.values():
            assert _sha(api.http.get(url).content) == sha
        assert api.state(sid)["video_infos"] == state_before["video_infos"]
        assert api.state(sid)["draft"] == state_before["draft"]

        # 7. Space freed: the same session renders again.
        filler.unlink()
        assert api.render(sid, "after", quality="low")["status"] == "completed"
        api.close()


def test_engine_restarts_on_a_full_disk_and_says_so(small_disk: Path, tmp_path: Path) -> None:
    data_dir = small_disk / "engine"
    clip = make_clip(tmp_path / "c.mp4", seconds=1, width=160, height=120)
    with start(data_dir, credits=100, min_free_mb=2) as eng:
        api = Api(eng)
        sid = api.session()
        api.upload(sid, clip)
        headers, state = api.headers, api.state(sid)
        api.close()
    _fill(small_disk, 64 * 1024)
    with (
        start(data_dir, credits=100, min_free_mb=2) as eng,
        httpx.Client(base_url=eng.base_url) as http,
    ):
        # What was stored reads back; writes are refused with the reason, not a crash.
        r = http.get(f"/api/state/nemo_agent/me/{sid}/latest", headers=headers)
        assert r.json()["data"]["state"]["video_infos"] == state["video_infos"]
        r = http.post(
            f"/api/upload-video/nemo_agent/me/{sid}",
            headers=headers,
            files=[("files", ("c.mp4", clip.read_bytes()))],
        )
        assert r.status_code == 507 and "disk is full" in r.json()["message"]
        r = http.post("/api/auth/anonymous-token", headers={"X-Client-Id": "a" * 32})
        assert r.status_code in (200, 507), r.text
        if r.status_code == 507:
            assert "disk is full" in r.json()["message"]
