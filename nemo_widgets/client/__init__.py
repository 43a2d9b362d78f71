"""One client for the hosted NemoVideo service and the embedded engine (same API).

Sync and async twins share method names: :class:`NemoClient` / :class:`AsyncNemoClient`,
:class:`Session` / :class:`AsyncSession`. Errors form one tree under :class:`NemoError`.
The client never imports the engine; :func:`nemo_widgets.connect` picks a backend.
"""

from nemo_widgets.client._async_client import AsyncNemoClient, AsyncSession
from nemo_widgets.client._async_stream import AsyncRunStream
from nemo_widgets.client._auth import Identity, mask
from nemo_widgets.client._base import (
    Balance,
    ExportResult,
    GeneratedMedia,
    RemovedObject,
    RenderStatus,
    RunResult,
    Settings,
    UploadedFile,
)
from nemo_widgets.client._client import NemoClient, Session
from nemo_widgets.client._errors import (
    AgentRunError,
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthError,
    BadRequest,
    DuplicateRenderId,
    ExportBlocked,
    FileTooLarge,
    InsufficientCredits,
    MissingClientId,
    NemoError,
    RateLimited,
    RenderFailed,
    RunTimeout,
    ServerError,
    SessionNotFound,
    StorageFull,
    UnsupportedFile,
)
from nemo_widgets.client._events import (
    ErrorEvent,
    Event,
    Heartbeat,
    Progress,
    StateChange,
    TextDelta,
    ToolCall,
    ToolResult,
)
from nemo_widgets.client._intents import Action, Intent, gui_actions, route
from nemo_widgets.client._stream import RunStream

__all__ = [
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "Action",
    "AgentRunError",
    "AsyncNemoClient",
    "AsyncRunStream",
    "AsyncSession",
    "AuthError",
    "BadRequest",
    "Balance",
    "DuplicateRenderId",
    "ErrorEvent",
    "Event",
    "ExportBlocked",
    "ExportResult",
    "FileTooLarge",
    "GeneratedMedia",
    "Heartbeat",
    "Identity",
    "InsufficientCredits",
    "Intent",
    "MissingClientId",
    "NemoClient",
    "NemoError",
    "Progress",
    "RateLimited",
    "RemovedObject",
    "RenderFailed",
    "RenderStatus",
    "RunResult",
    "RunStream",
    "RunTimeout",
    "ServerError",
    "Session",
    "SessionNotFound",
    "Settings",
    "StateChange",
    "StorageFull",
    "TextDelta",
    "ToolCall",
    "ToolResult",
    "UnsupportedFile",
    "UploadedFile",
    "gui_actions",
    "mask",
    "route",
]
