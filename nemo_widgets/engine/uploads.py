"""Streaming uploads: multipart ``files`` parts and URL fetches go straight to temp files.

Memory stays constant whatever the file size; the 500 MB limit is enforced while the bytes
arrive, not after. Nothing reaches the media folder until it is complete and probed.
"""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import socket
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import httpx
from python_multipart.multipart import MultipartParser, parse_options_header

from nemo_widgets.engine.media import MediaError, safe_filename


class UploadTooLarge(MediaError):
    def __init__(self, limit: int) -> None:
        super().__init__(
            f"the file is larger than {limit // (1024 * 1024)} MB; compress or trim "
            "it and upload again",
            code=4002,
        )


class BadRequest(ValueError):
    pass


#: How often (in bytes received) a streaming upload asks whether the disk can take more.
GUARD_EVERY = 8 * 1024 * 1024


def _no_guard(incoming: int) -> None:
    pass


@dataclass
class Received:
    filename: str
    path: Path
    size: int = 0
    sha256: str = ""
    _hash: object = field(default_factory=hashlib.sha256, repr=False)

    def take(self, chunk: bytes, limit: int, guard: Callable[[int], None]) -> None:
        """Account for ``chunk`` before it is written: the size limit, the hash, and the guard
        asked again each time another :data:`GUARD_EVERY` bytes begin."""
        if self.size // GUARD_EVERY != (self.size + len(chunk)) // GUARD_EVERY:
            guard(GUARD_EVERY)
        self.size += len(chunk)
        if self.size > limit:
            raise UploadTooLarge(limit)
        self._hash.update(chunk)  # type: ignore[attr-defined]


async def receive_multipart(
    body: AsyncIterator[bytes],
    content_type: str,
    tmp: Callable[[], Path],
    limit: int,
    guard: Callable[[int], None] = _no_guard,
) -> tuple[list[Received], dict[str, str]]:
    """Parse a multipart body as it streams in; ``files`` parts go to temp files.

    ``guard(n)`` is called every :data:`GUARD_EVERY` bytes with the size of the next stretch
    and raises to stop the upload (e.g. when the disk is filling up).

    Returns the received files and the small text fields. On any error every temp file is
    removed before the exception propagates.
    """
    ctype, params = parse_options_header(content_type)
    boundary = params.get(b"boundary")
    if ctype != b"multipart/form-data" or not boundary:
        raise BadRequest("expected multipart/form-data with a boundary")
    files: list[Received] = []
    fields: dict[str, str] = {}
    state: dict[str, object] = {
        "headers": {},
        "field": b"",
        "value": b"",
        "current": None,
        "fh": None,
        "text": None,
        "error": None,
    }

    def on_part_begin() -> None:
        state["headers"] = {}

    def on_header_field(data: bytes, start: int, end: int) -> None:
        state["field"] = state["field"] + data[start:end]  # type: ignore[operator]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        state["value"] = state["value"] + data[start:end]  # type: ignore[operator]

    def on_header_end() -> None:
        headers = state["headers"]
        headers[state["field"].decode("latin-1").lower()] = state["value"]  # type: ignore[index,union-attr]
        state["field"], state["value"] = b"", b""

    def on_headers_finished() -> None:
        disp = state["headers"].get("content-disposition", b"")  # type: ignore[union-attr]
        _, p = parse_options_header(disp)
        name = p.get(b"name", b"").decode("utf-8", "replace")
        if b"filename*" in p:
            raw = p[b"filename*"].decode("utf-8", "replace")
            fname = unquote(raw.split("''", 1)[-1])
        else:
            fname = p.get(b"filename", b"").decode("utf-8", "replace") if b"filename" in p else None
        if fname is not None and name in ("files", "file", "files[]"):
            rec = Received(safe_filename(fname), tmp())
            files.append(rec)
            state["current"], state["fh"], state["text"] = rec, open(rec.path, "wb"), None  # noqa: SIM115
        else:
            state["current"], state["fh"], state["text"] = None, None, (name, bytearray())

    def on_part_data(data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        rec: Received | None = state["current"]  # type: ignore[assignment]
        if rec is not None:
            rec.take(chunk, limit, guard)
            state["fh"].write(chunk)  # type: ignore[union-attr]
        elif state["text"] is not None:
            buf = state["text"][1]  # type: ignore[index]
            if len(buf) + len(chunk) > 64 * 1024:
                raise BadRequest("form field too large")
            buf.extend(chunk)

    def on_part_end() -> None:
        if state["fh"] is not None:
            state["fh"].close()  # type: ignore[union-attr]
            rec: Received = state["current"]  # type: ignore[assignment]
            rec.sha256 = rec._hash.hexdigest()  # type: ignore[attr-defined]
        elif state["text"] is not None:
            name, buf = state["text"]  # type: ignore[misc]
            fields[name] = bytes(buf).decode("utf-8", "replace")
        state["fh"], state["current"], state["text"] = None, None, None

    parser = MultipartParser(
        boundary,
        {
            "on_part_begin": on_part_begin,
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_headers_finished": on_headers_finished,
            "on_part_data": on_part_data,
            "on_part_end": on_part_end,
        },
    )
    try:
        async for chunk in body:
            parser.write(chunk)
        parser.finalize()
    except BaseException:
        if state["fh"] is not None:
            with contextlib.suppress(OSError):  # flushing fails too when the disk is full
                state["fh"].close()  # type: ignore[union-attr]
        for rec in files:
            with contextlib.suppress(OSError):
                rec.path.unlink()
        raise
    return files, fields


def _is_private_host(host: str) -> bool:
    try:
        infos = socket.getaddrinfo(host, None)
    except socket.gaierror:
        return False  # the fetch itself will fail with a clear message
    for info in infos:
        ip = ipaddress.ip_address(info[4][0])
        if (
            ip.is_loopback
            or ip.is_link_local
            or ip.is_private
            or ip.is_reserved
            or ip.is_multicast
            or ip.is_unspecified
        ):
            return True
    return False


async def fetch_url(
    url: str,
    tmp: Path,
    *,
    limit: int,
    timeout: float,
    allow_private: bool,
    guard: Callable[[int], None] = _no_guard,
) -> Received:
    """Download ``url`` (http/https only) to ``tmp`` with a size cap and a time limit."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadRequest(f"only http(s) URLs can be uploaded, got {url[:100]!r}")
    if not allow_private and _is_private_host(parts.hostname):
        raise BadRequest(
            f"refusing to fetch {parts.hostname}: loopback, private and link-local "
            "addresses are blocked (start the engine with allow_private_urls to "
            "allow them)"
        )
    name = safe_filename(unquote(parts.path.rsplit("/", 1)[-1]), default="download")
    rec = Received(name, tmp)
    try:
        async with (
            httpx.AsyncClient(timeout=timeout, follow_redirects=False) as http,
            http.stream("GET", url) as resp,
        ):
            if resp.status_code != 200:
                raise BadRequest(f"fetching {url[:100]} answered HTTP {resp.status_code}")
            declared = int(resp.headers.get("content-length") or 0)
            if declared > limit:
                raise UploadTooLarge(limit)
            guard(declared)
            with open(tmp, "wb") as f:
                async for chunk in resp.aiter_bytes(1 << 16):
                    rec.take(chunk, limit, guard)
                    f.write(chunk)
    except httpx.HTTPError as e:
        tmp.unlink(missing_ok=True)
        raise BadRequest(f"could not fetch {url[:100]}: {type(e).__name__}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    rec.sha256 = rec._hash.hexdigest()  # type: ignore[attr-defined]
    return rec
