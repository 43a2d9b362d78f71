"""The engine's OpenAPI 3.0 description: every route, its envelopes and its error statuses.

It describes what the embedded engine answers (the hosted service's documented subset plus the
statuses the engine adds), is served at ``GET /openapi.json`` (with a token, like every route)
and drives the schemathesis run in the tests.
"""

from __future__ import annotations

import copy
from typing import Any

from nemo_widgets._version import __version__

JSON = "application/json"


def _obj(props: dict[str, Any], required: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "object", "properties": props, **extra}
    if required:
        out["required"] = required
    return out


STR, INT, NUM, BOOL = (
    {"type": "string"},
    {"type": "integer"},
    {"type": "number"},
    {"type": "boolean"},
)
NULLABLE_NUM = {"type": "number", "nullable": True}


#: ``{"code": 0, "data": …}`` — the business envelope.
def _ok(data: dict[str, Any]) -> dict[str, Any]:
    schema = _obj({"code": {"type": "integer", "enum": [0]}, "data": data}, ["code", "data"])
    return {"description": "success", "content": {JSON: {"schema": schema}}}


def _err(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {JSON: {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _render_ok(data: dict[str, Any]) -> dict[str, Any]:
    schema = _obj(
        {"success": {"type": "boolean", "enum": [True]}, "data": data}, ["success", "data"]
    )
    return {"description": "success", "content": {JSON: {"schema": schema}}}


def _render_err(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {JSON: {"schema": {"$ref": "#/components/schemas/RenderError"}}},
    }


SID = {"name": "sid", "in": "path", "required": True, "schema": STR}
RID = {"name": "rid", "in": "path", "required": True, "schema": STR}

RENDER_VIEW = _obj(
    {
        "id": STR,
        "status": {
            "type": "string",
            "enum": ["pending", "processing", "completed", "failed", "cancelled"],
        },
        "progress": {"type": "integer", "minimum": 0, "maximum": 100},
        "createdAt": INT,
        "completedAt": INT,
        "error": STR,
        "outputUrl": STR,
        "previewUrl": STR,
        "output": _obj(
            {
                "url": STR,
                "duration": NULLABLE_NUM,
                "size": {"type": "integer", "nullable": True},
                "width": {"type": "integer", "nullable": True},
                "height": {"type": "integer", "nullable": True},
                "format": {"type": "string", "nullable": True},
            },
            ["url"],
        ),
    },
    ["id", "status", "progress"],
)

FILE_INFO = _obj(
    {
        "filename": STR,
        "file_id": STR,
        "file_type": {"type": "string", "enum": ["video", "image", "audio"]},
        "cdn_url": STR,
        "hash": STR,
        "duration": NUM,
        "width": INT,
        "height": INT,
        "fps": NUM,
        "size": INT,
    },
    ["filename", "file_id", "file_type", "cdn_url"],
)

COMMON = {"401": _err("missing, invalid or expired token (code 1001)")}
FULL = {"507": _err("the engine's disk is full; nothing stored was changed")}


def spec() -> dict[str, Any]:
    """The OpenAPI document (a deep copy each call: callers may change it freely)."""
    paths: dict[str, Any] = {
        "/api/auth/anonymous-token": {
            "post": {
                "operationId": "anonymousToken",
                "summary": "An anonymous token (one per client id per 7 days) with credits",
                "security": [],
                "parameters": [
                    {
                        "name": "X-Client-Id",
                        "in": "header",
                        "required": True,
                        "schema": {"type": "string", "minLength": 1, "maxLength": 128},
                    }
                ],
                "responses": {
                    "200": _ok(
                        _obj(
                            {"token": STR, "user_id": STR, "expires_at": STR, "credits": INT},
                            ["token", "user_id", "expires_at", "credits"],
                        )
                    ),
                    "400": _err("missing X-Client-Id"),
                    "429": _err("a valid token was already issued to this client id"),
                    **FULL,
                },
            }
        },
        "/api/tasks/me/with-session/nemo_agent": {
            "post": {
                "operationId": "createSession",
                "summary": "A new editing session",
                "requestBody": {
                    "required": False,
                    "content": {JSON: {"schema": _obj({"task_name": STR, "language": STR})}},
                },
                "responses": {
                    "200": _ok(
                        _obj(
                            {"task_id": STR, "session_id": STR, "user_id": STR},
                            ["task_id", "session_id", "user_id"],
                        )
                    ),
                    "400": _err("the body is not a JSON object of strings"),
                    **COMMON,
                    **FULL,
                },
            }
        },
        "/run_sse": {
            "post": {
                "operationId": "runSse",
                "summary": "Send one message to the agent; its events stream back as SSE",
                "requestBody": {
                    "required": True,
                    "content": {
                        JSON: {
                            "schema": _obj(
                                {
                                    "app_name": STR,
                                    "user_id": STR,
                                    "session_id": STR,
                                    "new_message": _obj(
                                        {
                                            "role": STR,
                                            "parts": {
                                                "type": "array",
                                                "items": _obj({"text": STR}),
                                            },
                                        },
                                        ["parts"],
                                    ),
                                    "streaming": BOOL,
                                    "state_delta": {"type": "object"},
                                },
                                ["session_id", "new_message"],
                            )
                        }
                    },
                },
                "responses": {
                    "200": {
                        "description": "ADK events, one `data: <json>` line each",
                        "content": {"text/event-stream": {"schema": STR}},
                    },
                    "400": _err("malformed message or over 20,000 characters"),
                    "403": _err("not enough credits (code 2001)"),
                    "404": _err("session not found (code 1002)"),
                    "409": _err("a run is already in progress for this session"),
                    **COMMON,
                    **FULL,
                },
            }
        },
        "/api/upload-video/nemo_agent/me/{sid}": {
            "post": {
                "operationId": "upload",
                "summary": "Upload files (multipart `files`) or fetch http(s) URLs into a session",
                "parameters": [
                    SID,
                    {
                        "name": "timeline",
                        "in": "query",
                        "required": False,
                        "description": "where uploaded videos go (embedded engine): always onto "
                        "the timeline, only onto an empty one, or never",
                        "schema": {"type": "string", "enum": ["always", "empty", "never"]},
                    },
                ],
                "requestBody": {
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": _obj(
                                {
                                    "files": {
                                        "type": "array",
                                        "items": {"type": "string", "format": "binary"},
                                    }
                                },
                                ["files"],
                            )
                        },
                        JSON: {
                            "schema": _obj(
                                {
                                    "urls": {"type": "array", "items": STR, "minItems": 1},
                                    "source_type": STR,
                                },
                                ["urls"],
                            )
                        },
                    },
                },
                "responses": {
                    "200": _ok(
                        _obj(
                            {
                                "files": {"type": "array", "items": FILE_INFO},
                                "session_state_applied": BOOL,
                            },
                            ["files"],
                        )
                    ),
                    "400": _err("no files, a malformed body, or a URL that cannot be fetched"),
                    "404": _err("session not found (code 1002)"),
                    "413": _err("over 500 MB, or a header past the limits (code 4002)"),
                    "415": _err("not a supported or readable media file (code 4001)"),
                    **COMMON,
                    **FULL,
                },
            }
        },
        "/api/run/nemo_agent/me/{sid}/cancel": {
            "post": {
                "operationId": "runCancel",
                "summary": "Stop the session's agent run (embedded engine): no further step "
                "starts, the running step's work stops and changes nothing",
                "parameters": [SID],
                "responses": {
                    "200": _ok(_obj({"cancelled": BOOL}, ["cancelled"])),
                    "404": _err("session not found (code 1002)"),
                    **COMMON,
                },
            }
        },
        "/api/credits/balance/simple": {
            "get": {
                "operationId": "credits",
                "summary": "Credits: available + frozen (reserved by work in progress) = total",
                "responses": {
                    "200": _ok(
                        _obj(
                            {"available": INT, "frozen": INT, "total": INT},
                            ["available", "frozen", "total"],
                        )
                    ),
                    **COMMON,
                },
            }
        },
        "/api/state/nemo_agent/me/{sid}/latest": {
            "get": {
                "operationId": "state",
                "summary": "The session state: draft, video_infos, generated_media, …",
                "parameters": [SID],
                "responses": {
                    "200": _ok(
                        _obj(
                            {"session_id": STR, "task_id": STR, "state": {"type": "object"}},
                            ["session_id", "state"],
                        )
                    ),
                    "404": _err("session not found (code 1002)"),
                    **COMMON,
                },
            }
        },
        "/api/render/proxy/lambda": {
            "post": {
                "operationId": "renderSubmit",
                "summary": "Start an export; the caller picks the id",
                "requestBody": {
                    "required": True,
                    "content": {
                        JSON: {
                            "schema": _obj(
                                {
                                    "id": {"type": "string", "pattern": "^[A-Za-z0-9_.-]{1,100}$"},
                                    "sessionId": STR,
                                    "draft": {"type": "object"},
                                    "output": _obj(
                                        {
                                            "format": {"type": "string", "enum": ["mp4", "webm"]},
                                            "quality": {
                                                "type": "string",
                                                "enum": ["high", "medium", "low"],
                                            },
                                            "preview": BOOL,
                                        }
                                    ),
                                },
                                ["id", "sessionId"],
                            )
                        }
                    },
                },
                "responses": {
                    "200": _render_ok(
                        _obj(
                            {"id": STR, "status": STR, "progress": INT},
                            ["id", "status", "progress"],
                        )
                    ),
                    "400": _render_err("bad id, format, quality, draft or media"),
                    "401": _render_err("missing, invalid or expired token"),
                    "402": _render_err("export blocked for this client (free plan)"),
                    "404": _render_err("session not found"),
                    "409": _render_err("a render with this id already exists"),
                    "507": _render_err("the engine's disk is full"),
                },
            }
        },
        "/api/render/proxy/lambda/{rid}": {
            "get": {
                "operationId": "renderPoll",
                "summary": "An export's status, progress and, when completed, its URLs",
                "parameters": [RID],
                "responses": {
                    "200": _render_ok(RENDER_VIEW),
                    "401": _render_err("missing, invalid or expired token"),
                    "404": _render_err("no such render for this user"),
                },
            }
        },
        "/api/render/proxy/lambda/{rid}/cancel": {
            "post": {
                "operationId": "renderCancel",
                "summary": "Cancel an export that has not finished",
                "parameters": [RID],
                "responses": {
                    "200": _render_ok(RENDER_VIEW),
                    "401": _render_err("missing, invalid or expired token"),
                    "404": _render_err("no such render for this user"),
                    "409": _render_err("the render already finished"),
                    "507": _render_err("the engine's disk is full"),
                },
            }
        },
        "/api/render/proxy/{rid}/download": {
            "get": {
                "operationId": "renderDownload",
                "summary": "The exported file",
                "parameters": [RID],
                "responses": {
                    "200": {
                        "description": "the file",
                        "content": {
                            "video/mp4": {"schema": {"type": "string", "format": "binary"}},
                            "video/webm": {"schema": {"type": "string", "format": "binary"}},
                        },
                    },
                    "401": _render_err("missing, invalid or expired token"),
                    "404": _render_err("no such render for this user"),
                    "409": _render_err("the render has not completed"),
                    "410": _render_err("the rendered file is gone"),
                },
            }
        },
        "/media/{file_id}/{name}": {
            "get": {
                "operationId": "media",
                "summary": "A stored file by signed URL (or the owner's token); byte ranges",
                "security": [{"bearer": []}, {}],
                "parameters": [
                    {"name": "file_id", "in": "path", "required": True, "schema": STR},
                    {"name": "name", "in": "path", "required": True, "schema": STR},
                    {"name": "sig", "in": "query", "required": False, "schema": STR},
                ],
                "responses": {
                    "200": {
                        "description": "the file, with a content type from its stored format",
                        "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
                    },
                    "206": {
                        "description": "a byte range",
                        "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
                    },
                    "401": _err("no signature and no valid token"),
                    "404": _err("no such file, or not this user's"),
                    "416": {"description": "the range is outside the file"},
                },
            }
        },
        "/openapi.json": {
            "get": {
                "operationId": "openapi",
                "summary": "This document",
                "responses": {
                    "200": {
                        "description": "OpenAPI 3.0",
                        "content": {JSON: {"schema": {"type": "object"}}},
                    },
                    **COMMON,
                },
            }
        },
    }
    return copy.deepcopy(
        {
            "openapi": "3.0.3",
            "info": {
                "title": "nemo-widgets embedded engine (NemoVideo agent API)",
                "version": __version__,
                "description": "The wire format of ../shared/docs/PROTOCOL.md as the embedded "
                "engine answers it. Business routes answer {code, data|message}; render routes "
                "{success, data|error}.",
            },
            "servers": [{"url": "http://127.0.0.1:8765"}],
            "security": [{"bearer": []}],
            "paths": paths,
            "components": {
                "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
                "schemas": {
                    "Error": _obj(
                        {"code": INT, "message": STR, "data": {"type": "object"}, "detail": STR},
                        ["code", "message"],
                    ),
                    "RenderError": _obj(
                        {
                            "success": {"type": "boolean", "enum": [False]},
                            "error": STR,
                            "code": STR,
                        },
                        ["success", "error"],
                    ),
                },
            },
        }
    )
