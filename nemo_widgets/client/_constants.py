"""Defaults in one place (each can be overridden per client)."""

from __future__ import annotations

HOSTED_BASE_URL = "https://mega-api-prod.nemovideo.ai"
APP_NAME = "nemo_agent"
SKILL_SOURCE = "objectremover-video"

#: connect 5 s, everything else 60 s; runs get their own 15-minute budget.
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 60.0
RUN_TIMEOUT = 15 * 60.0
#: "Still working" fires after this much silence during a run, then again each time.
STILL_WORKING_AFTER = 120.0

MAX_RETRIES = 2
INITIAL_BACKOFF = 0.5
MAX_BACKOFF = 8.0
MAX_RETRY_AFTER = 60.0
#: Wait before the one retry of a 429 on the token route (PROTOCOL.md: 30 s).
RATE_LIMIT_WAIT = 30.0

POLL_INITIAL = 1.0
POLL_MAX = 10.0
RENDER_TIMEOUT = 30 * 60.0
#: After a dropped stream: how long to poll the state for the run's result.
RECOVER_TIMEOUT = 5 * 60.0

MAX_UPLOAD_BYTES = 500 * 1024 * 1024
VIDEO_EXTS = ("mp4", "mov", "avi", "webm", "mkv")
IMAGE_EXTS = ("jpg", "jpeg", "png", "gif", "webp")
AUDIO_EXTS = ("mp3", "wav", "m4a", "aac")
FORMATS_TEXT = "video mp4 mov avi webm mkv; image jpg png gif webp; audio mp3 wav m4a aac"
REGISTER_URL = "https://nemovideo.com/register?bind={user_id}"
