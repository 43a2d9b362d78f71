"""What the sync and async clients share: configuration, envelopes, errors, retry policy,
local upload checks and result types. No I/O here — the twins differ only in how they wait."""

from __future__ import annotations

import contextlib
import os
import random
import time
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import IO, Any

import httpx

from nemo_widgets.client import _constants as C
from nemo_widgets.client._auth import Identity, attribution_headers, mask, user_agent
from nemo_widgets.client._errors import (
    APIError,
    FileTooLarge,
    UnsupportedFile,
    error_for,
)
from nemo_widgets.client._events import ToolCall, ToolResult
from nemo_widgets.client._intents import Action
from nemo_widgets.draft import Draft

ROUTES = {
    "token": "/api/auth/anonymous-token",
    "session": "/api/tasks/me/with-session/nemo_agent",
    "run": "/run_sse",
    "upload": "/api/upload-video/nemo_agent/me/{sid}",
    "credits": "/api/credits/balance/simple",
    "state": "/api/state/nemo_agent/me/{sid}/latest",
    "render": "/api/render/proxy/lambda",
    "render_poll": "/api/render/proxy/lambda/{rid}",
    "render_cancel": "/api/render/proxy/lambda/{rid}/cancel",
    "render_download": "/api/render/proxy/{rid}/download",
    # The embedded engine's extension: stop a session's agent run.
    "run_cancel": "/api/run/nemo_agent/me/{sid}/cancel",
    "mask_preview": "/api/mask-preview/nemo_agent/me/{sid}",
}


def _env_float(name: str, default: float) -> float:
    try:
        return float(os.environ[name])
    except (KeyError, ValueError):
        return default


@dataclass
class Settings:
    """Tunable behaviour. Tests set the waits to 0 through ``NEMO_RATE_LIMIT_WAIT`` and
    ``NEMO_POLL_INTERVAL`` (or by passing a Settings)."""

    max_retries: int = C.MAX_RETRIES
    initial_backoff: float = C.INITIAL_BACKOFF
    max_backoff: float = C.MAX_BACKOFF
    rate_limit_wait: float = field(
        default_factory=lambda: _env_float("NEMO_RATE_LIMIT_WAIT", C.RATE_LIMIT_WAIT)
    )
    poll_initial: float = field(
        default_factory=lambda: _env_float("NEMO_POLL_INTERVAL", C.POLL_INITIAL)
    )
    poll_max: float = C.POLL_MAX
    run_timeout: float = C.RUN_TIMEOUT
    still_working_after: float = C.STILL_WORKING_AFTER
    render_timeout: float = C.RENDER_TIMEOUT
    recover_timeout: float = C.RECOVER_TIMEOUT
    timeout: httpx.Timeout = field(
        default_factory=lambda: httpx.Timeout(C.READ_TIMEOUT, connect=C.CONNECT_TIMEOUT)
    )


@dataclass(frozen=True, slots=True)
class Balance:
    available: int
    frozen: int
    total: int


@dataclass(frozen=True, slots=True)
class UploadedFile:
    filename: str
    file_type: str
    #: A signed download URL: long, and not for showing (left out of the repr).
    url: str | None = field(repr=False)
    duration: float | None
    width: int | None
    height: int | None
    fps: float | None
    raw: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)


@dataclass(frozen=True, slots=True)
class RenderStatus:
    id: str
    status: str  # pending | processing | completed | failed | cancelled
    progress: int
    url: str | None = None
    preview_url: str | None = None
    error: str | None = None
    duration: float | None = None
    size: int | None = None
    raw: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)

    @property
    def done(self) -> bool:
        return self.status in ("completed", "failed", "cancelled", "canceled")


@dataclass(frozen=True, slots=True)
class ExportResult:
    id: str
    #: Signed URLs: long, and not for showing (left out of the repr).
    url: str = field(repr=False)
    path: Path | None
    preview_url: str | None = field(repr=False)
    duration: float | None
    size: int | None
    status: RenderStatus = field(repr=False, compare=False, default=None)  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class RemovedObject:
    """An object an object removal took out of a clip, and when it was in view."""

    label: str
    from_s: float
    to_s: float

    @property
    def middle_s(self) -> float:
        """A moment it was in view (for a before/after still)."""
        return (self.from_s + self.to_s) / 2


@dataclass(frozen=True, slots=True)
class GeneratedMedia:
    """A clip an AI step made (the removal's or the new background's result)."""

    file_id: str
    name: str
    #: ``removed`` (object removal) or ``background`` (background replacement).
    kind: str
    #: Where to download it (``client.download(media.url, dest)``).
    url: str
    #: The transparent VP9 WebM of a "remove the background" (``None`` otherwise).
    alpha_url: str | None = None
    raw: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)


@dataclass
class RunResult:
    """The outcome of one agent run. Shown in a notebook as its reply and what changed;
    ``removed`` and ``generated`` give what the AI steps did, typed."""

    text: str
    tool_calls: list[ToolCall]
    tool_results: list[ToolResult]
    state_delta: dict[str, Any]
    #: Human-readable changes to the draft (from :func:`nemo_widgets.draft.diff`).
    changes: list[str]
    #: The run ended without reply text: ``text`` is the summary of what changed.
    silent: bool = False
    #: The stream dropped; the result was read from the session state (nothing re-sent).
    recovered: bool = False
    #: GUI phrases in the reply turned into actions the UI can offer.
    actions: list[Action] = field(default_factory=list)
    draft: dict[str, Any] | None = None

    @property
    def failed_tools(self) -> list[ToolResult]:
        return [r for r in self.tool_results if not r.ok]

    @property
    def removed(self) -> list[RemovedObject]:
        """The objects this run's removals took out (empty when none)."""
        return [
            RemovedObject(
                str(o.get("label") or "object"), float(o.get("from_s", 0)), float(o.get("to_s", 0))
            )
            for r in self.tool_results
            if r.ok and r.name == "remove_object"
            for o in r.response.get("objects") or []
            if isinstance(o, dict)
        ]

    @property
    def generated(self) -> list[GeneratedMedia]:
        """The clips this run's AI steps made, in order (empty when none)."""
        made = [r.response.get("generated") for r in self.tool_results if r.ok]
        known = {
            str(g.get("file_id")): g
            for g in self.state_delta.get("generated_media") or []
            if isinstance(g, dict)
        }
        return [
            GeneratedMedia(
                str(fid),
                str(g.get("name", "")),
                str(g.get("kind", "")),
                str(g.get("url", "")),
                g.get("alpha_url"),
                g,
            )
            for fid in made
            if fid and (g := known.get(str(fid))) is not None
        ]

    def __repr__(self) -> str:
        lines = [self.text]
        lines += [f"  • {c}" for c in self.changes if c not in self.text]
        lines += [f"  ✗ {r.name} failed" for r in self.failed_tools]
        return "\n".join(lines)

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        p.text(repr(self))


def run_body(session_id: str, message: str, state_delta: dict[str, Any] | None) -> dict[str, Any]:
    """The ``/run_sse`` request body: one user message, with the state it brings (if any)."""
    return {
        "app_name": C.APP_NAME,
        "user_id": "me",
        "session_id": session_id,
        "new_message": {"role": "user", "parts": [{"text": message}]},
        **({"state_delta": state_delta} if state_delta else {}),
    }


def needs_state(a: Any, dropped: bool) -> bool:
    """After a run: read the state when something changed but the events don't say what."""
    changed = bool(a.state_delta) or bool(a.tool_calls) or dropped
    return changed and (not a.text or a.state_delta.get("draft") is None)


def finish_run(
    a: Any, before: dict[str, Any] | None, after: dict[str, Any] | None, dropped: bool
) -> RunResult:
    """The :class:`RunResult` of a run (both twins): a silent edit's text is what changed."""
    from nemo_widgets.client._errors import AgentRunError
    from nemo_widgets.client._intents import gui_actions
    from nemo_widgets.draft import diff

    if a.errors and not a.text:
        e = a.errors[-1]
        raise AgentRunError(e.message or "the model failed", code=e.code)
    changes = diff(before, after) if after is not None else []
    text, silent = a.text, False
    if not text:
        silent = True
        text = (
            "Done: " + "; ".join(changes) + "."
            if changes
            else "The agent finished without a reply and the timeline did not change."
        )
    return RunResult(
        text,
        a.tool_calls,
        a.tool_results,
        a.state_delta,
        changes,
        silent=silent,
        recovered=dropped,
        actions=gui_actions(a.text),
        draft=after,
    )


def render_status(body: Any) -> RenderStatus:
    """Both documented poll shapes: ``{"success","data":{…,"outputUrl"}}`` and
    ``{"status","output":{"url"}}``."""
    d = body.get("data", body) if isinstance(body, dict) else {}
    if not isinstance(d, dict):
        d = {}
    out = d.get("output") if isinstance(d.get("output"), dict) else {}
    url = d.get("outputUrl") or d.get("output_url") or out.get("url")
    return RenderStatus(
        id=str(d.get("id", "")),
        status=str(d.get("status", "pending")).lower(),
        progress=int(d.get("progress") or 0),
        url=url,
        preview_url=d.get("previewUrl") or d.get("preview_url"),
        error=d.get("error") or d.get("errorMessage") or d.get("message"),
        duration=d.get("duration", out.get("duration")),
        size=d.get("size", out.get("size")),
        raw=body if isinstance(body, dict) else {},
    )


def parse_response(resp: httpx.Response, route: str = "") -> Any:
    """The ``data`` of a successful response, or the typed :class:`APIError`.

    Rule: ``code`` present and ≠ 0 → error; else ``success`` false → error; and the HTTP
    status always counts too.
    """
    try:
        body = resp.json()
    except ValueError:
        body = None
    status = resp.status_code
    if isinstance(body, dict):
        code = body.get("code")
        if code not in (None, 0, "0") and not (
            isinstance(code, str) and body.get("success") is True
        ):
            msg = body.get("message") or body.get("error") or body.get("detail") or f"error {code}"
            raise error_for(code, status, str(msg), body, route)
        if body.get("success") is False:
            raise error_for(
                body.get("code"), status, str(body.get("error") or "request failed"), body, route
            )
        if status >= 400:
            msg = (
                body.get("message") or body.get("error") or body.get("detail") or resp.reason_phrase
            )
            if status == 404 and "Session not found" in str(body.get("detail", "")):
                raise error_for(1002, status, str(msg), body, route)
            raise error_for(None, status, str(msg), body, route)
        if "code" in body and "data" in body:
            return body["data"]
        return body
    if status >= 400:
        raise error_for(None, status, f"HTTP {status} {resp.reason_phrase}".strip(), None, route)
    return body


def retry_after(resp: httpx.Response | None) -> float | None:
    if resp is None:
        return None
    value = resp.headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, min(float(value), C.MAX_RETRY_AFTER))
    except ValueError:
        try:
            dt = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return max(0.0, min(dt.timestamp() - time.time(), C.MAX_RETRY_AFTER))


def backoff(settings: Settings, attempt: int, hinted: float | None = None) -> float:
    if hinted is not None:
        return hinted
    delay = min(settings.initial_backoff * (2**attempt), settings.max_backoff)
    return delay * (0.75 + random.random() * 0.5)  # jitter


def check_local_file(path: Path) -> int:
    """Refuse before sending what the server would refuse (same messages as 4001/4002)."""
    check_name(path.name, 1)  # the type first: no stat for a wrong kind of file
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise FileNotFoundError(f"no such file: {path}") from None
    check_name(path.name, size)
    return size


class ProgressReader:
    """Wraps a file object so that httpx streams it and we see how far it got."""

    def __init__(
        self, f: IO[bytes], total: int, callback: Any, done_before: int, grand_total: int
    ) -> None:
        self._f, self.total, self._cb = f, total, callback
        self._done_before, self._grand = done_before, grand_total
        self.sent = 0
        self._last = 0.0

    def read(self, n: int = -1) -> bytes:
        chunk = self._f.read(n if n and n > 0 else 1 << 16)
        self.sent += len(chunk)
        now = time.monotonic()
        if self._cb is not None and (now - self._last > 0.1 or not chunk):
            self._last = now
            self._cb(self._done_before + self.sent, self._grand)
        return chunk

    def __iter__(self) -> Any:
        while chunk := self.read(1 << 16):
            yield chunk

    @property
    def name(self) -> str:
        return getattr(self._f, "name", "upload")


class LocalUpload:
    """Local sources of one upload, checked before anything is sent, and a request body that
    can be built again for a retry (fresh handles, files rewound)."""

    def __init__(self, sources: list[Any], reader: type, on_progress: Any) -> None:
        self.items: list[tuple[str, Path | IO[bytes], int]] = []
        for s in sources:
            if isinstance(s, str | Path):
                p = Path(s).expanduser()
                self.items.append((p.name, p, check_local_file(p)))
            else:
                name = Path(getattr(s, "name", "upload.mp4")).name
                size = _remaining(s)
                check_name(name, size)
                self.items.append((name, s, size))
        self.total = sum(size for _, _, size in self.items)
        self.starts = {id(src): _tell(src) for _, src, _ in self.items if not isinstance(src, Path)}
        self.reader, self.on_progress = reader, on_progress
        self.opened: list[IO[bytes]] = []

    def body(self) -> dict[str, Any]:
        self.close()
        files, done = [], 0
        for name, src, size in self.items:
            if isinstance(src, Path):
                fh: IO[bytes] = open(src, "rb")  # noqa: SIM115 - closed by close()
                self.opened.append(fh)
            else:
                fh = src
                with contextlib.suppress(OSError, AttributeError):
                    fh.seek(self.starts.get(id(src), 0))
            files.append(
                (
                    "files",
                    (name, self.reader(fh, size, self.on_progress, done, self.total), mime(name)),
                )
            )
            done += size
        return {"files": files}

    def close(self) -> None:
        for f in self.opened:
            f.close()
        self.opened.clear()


def mime(name: str) -> str:
    ext = name.rsplit(".", 1)[-1].lower()
    if ext in C.VIDEO_EXTS:
        return f"video/{'quicktime' if ext == 'mov' else ext}"
    if ext in C.IMAGE_EXTS:
        return f"image/{'jpeg' if ext == 'jpg' else ext}"
    return {"mp3": "audio/mpeg", "wav": "audio/wav", "m4a": "audio/mp4", "aac": "audio/aac"}.get(
        ext, "application/octet-stream"
    )


def _tell(f: IO[bytes]) -> int:
    try:
        return f.tell()
    except (OSError, AttributeError):
        return 0


def _remaining(f: IO[bytes]) -> int:
    try:
        pos = f.tell()
        f.seek(0, os.SEEK_END)
        end = f.tell()
        f.seek(pos)
        return end - pos
    except (OSError, AttributeError):
        return 0


def check_name(name: str, size: int) -> None:
    """The protocol's checks on a name and a size (same messages as 4001/4002)."""
    ext = Path(name).suffix.lower().lstrip(".")
    if ext not in (*C.VIDEO_EXTS, *C.IMAGE_EXTS, *C.AUDIO_EXTS):
        raise UnsupportedFile(
            f"{name}: unsupported file type .{ext or '?'}; supported formats: {C.FORMATS_TEXT}",
            code=4001,
        )
    if size > C.MAX_UPLOAD_BYTES:
        raise FileTooLarge(f"{name} is {size / 2**20:.0f} MB, over the 500 MB limit", code=4002)
    if size <= 0:
        raise UnsupportedFile(f"{name} is empty (0 bytes)", code=4001)


def uploaded(files: list[dict[str, Any]]) -> list[UploadedFile]:
    return [
        UploadedFile(
            str(f.get("filename", "")),
            str(f.get("file_type", "")),
            f.get("cdn_url") or f.get("url"),
            f.get("duration"),
            f.get("width"),
            f.get("height"),
            f.get("fps"),
            f,
        )
        for f in files
    ]


def resolve_dest(dest: str | Path, name: str) -> Path:
    """A file path for ``dest``: a folder (existing, ending in a slash, or without a suffix)
    gets ``name`` inside it. Parent folders are created."""
    text, path = str(dest), Path(dest).expanduser()
    if path.is_dir() or text.endswith(("/", os.sep)) or not path.suffix:
        path.mkdir(parents=True, exist_ok=True)
        return path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def new_render_id() -> str:
    return f"render_{int(time.time() * 1000)}{random.randint(0, 999):03d}"


def draft_of(state: dict[str, Any]) -> Draft:
    return Draft.parse(state.get("draft") or {})


class BaseClient:
    """Configuration and pure helpers for both clients."""

    def __init__(
        self,
        base_url: str | None = None,
        *,
        token: str | None = None,
        identity: Identity | None = None,
        settings: Settings | None = None,
        skill_source: str = C.SKILL_SOURCE,
        platform: str | None = None,
    ) -> None:
        env_token = os.environ.get("NEMO_TOKEN")
        self.base_url = (base_url or os.environ.get("NEMO_BASE_URL") or C.HOSTED_BASE_URL).rstrip(
            "/"
        )
        self._token: str | None = token or env_token
        #: "given": passed in or NEMO_TOKEN (never replaced); "anonymous": ours to renew.
        self._token_source = "given" if self._token else "anonymous"
        self.identity = identity or Identity()
        self.settings = settings or Settings()
        self._headers = {**attribution_headers(skill_source, platform), "User-Agent": user_agent()}

    @property
    def backend(self) -> str:
        host = httpx.URL(self.base_url).host
        return "embedded engine" if host in ("127.0.0.1", "localhost", "::1") else "hosted service"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r}, token={mask(self._token)})"

    def _auth_headers(self) -> dict[str, str]:
        h = dict(self._headers)
        if self._token:
            h["Authorization"] = f"Bearer {self._token}"
        return h

    def _route(self, name: str, **kw: str) -> str:
        return ROUTES[name].format(**kw)

    def _token_data(self, data: Any) -> str:
        if not isinstance(data, dict) or not data.get("token"):
            raise APIError("the token route answered without a token", body=None)
        return str(data["token"])
