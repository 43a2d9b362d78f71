"""The error tree. Every message says what happened and what to do; none carries a token.

NemoError
├── APIError                 the server answered with an error (``code``, ``status``)
│   ├── AuthError            1001 bad/expired token (after the automatic renewal failed)
│   ├── SessionNotFound      1002 (the client already made a new session: ``new_session_id``)
│   ├── InsufficientCredits  2001 (``bind_url`` for anonymous users)
│   ├── UnsupportedFile      4001
│   ├── FileTooLarge         4002
│   ├── MissingClientId      400 on the token route
│   ├── RateLimited          429
│   ├── ExportBlocked        402 — free plan, *not* a credits problem
│   ├── DuplicateRenderId
│   ├── BadRequest           other 4xx
│   ├── StorageFull          507 the engine's disk is full (not retried)
│   └── ServerError          other 5xx
├── RenderFailed             the render job ended failed/cancelled (``reason``)
├── AgentRunError            the agent's run crashed (an ``error`` frame / ``errorCode`` event)
├── RunTimeout               a run or render exceeded its time budget
└── APIConnectionError       the server could not be reached
    └── APITimeoutError
"""

from __future__ import annotations

from typing import Any


class NemoError(Exception):
    """Base of every error raised by nemo_widgets.client."""

    #: What the user can do about it (the UI shows it under the message).
    hint: str = ""

    def __str__(self) -> str:
        msg = super().__str__()
        return f"{msg} — {self.hint}" if self.hint and self.hint not in msg else msg


class APIError(NemoError):
    def __init__(
        self,
        message: str,
        *,
        code: int | str | None = None,
        status: int | None = None,
        body: Any = None,
    ) -> None:
        super().__init__(message)
        self.message, self.code, self.status, self.body = message, code, status, body


class AuthError(APIError):
    hint = "get a new token (unset NEMO_TOKEN to use an anonymous one)"


class SessionNotFound(APIError):
    hint = "a new session was started; the old timeline is gone — upload your clips again"

    def __init__(self, message: str, *, new_session_id: str | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.new_session_id = new_session_id


class InsufficientCredits(APIError):
    def __init__(self, message: str, *, bind_url: str | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.bind_url = bind_url
        self.hint = (
            f"register to get more credits: {bind_url}" if bind_url else "top up your credits"
        )


class UnsupportedFile(APIError, ValueError):
    hint = (
        "supported formats: video mp4 mov avi webm mkv; image jpg png gif webp; "
        "audio mp3 wav m4a aac"
    )


class FileTooLarge(APIError, ValueError):
    hint = "the limit is 500 MB: compress the file or trim it first"


class MissingClientId(APIError):
    pass


class RateLimited(APIError):
    hint = "only one anonymous token per client per 7 days; wait and try again, or set NEMO_TOKEN"


class ExportBlocked(APIError):
    hint = "register or upgrade to unlock export (this is not about credits)"


class DuplicateRenderId(APIError):
    pass


class BadRequest(APIError):
    pass


class StorageFull(APIError):
    hint = "free disk space where the engine keeps its data (or delete old renders), then retry"


class ServerError(APIError):
    hint = "the server had a problem; try again in a moment"


class RenderFailed(NemoError):
    def __init__(
        self, reason: str, *, render_id: str | None = None, status: str = "failed"
    ) -> None:
        super().__init__(f"the export {status}: {reason}")
        self.reason, self.render_id, self.status = reason, render_id, status


class AgentRunError(NemoError):
    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(f"the agent stopped with an error: {message}")
        self.code, self.message = code, message


class RunTimeout(NemoError):
    hint = "the work may still finish: check the status later instead of sending again"


class APIConnectionError(NemoError):
    hint = "check that the server is running and reachable (for the embedded engine: restart it)"


class APITimeoutError(APIConnectionError):
    hint = "the server did not answer in time; try again"


_BY_CODE: dict[int, type[APIError]] = {
    1001: AuthError,
    1002: SessionNotFound,
    2001: InsufficientCredits,
    4001: UnsupportedFile,
    4002: FileTooLarge,
    429: RateLimited,
    402: ExportBlocked,
    507: StorageFull,
}


def error_for(
    code: int | str | None, status: int | None, message: str, body: Any = None, route: str = ""
) -> APIError:
    """The typed error for a protocol ``code`` and/or HTTP ``status``."""
    try:
        icode = int(code) if code is not None else None
    except (TypeError, ValueError):
        icode = None
    cls: type[APIError]
    if icode in _BY_CODE:
        cls = _BY_CODE[icode]
    elif icode == 400 and "anonymous-token" in route:
        cls = MissingClientId
    elif status == 402:
        cls = ExportBlocked
    elif status == 429:
        cls = RateLimited
    elif status == 401:
        cls = AuthError
    elif code == "duplicate_id" or (status == 409 and "already exists" in message):
        cls = DuplicateRenderId
    elif status == 507:
        cls = StorageFull
    elif status is not None and status >= 500:
        cls = ServerError
    else:
        cls = BadRequest
    if cls is InsufficientCredits:
        bind = None
        if isinstance(body, dict):
            bind = (
                (body.get("data") or {}).get("bind_url")
                if isinstance(body.get("data"), dict)
                else None
            )
        return InsufficientCredits(message, bind_url=bind, code=icode, status=status, body=body)
    return cls(message, code=icode if icode is not None else code, status=status, body=body)
