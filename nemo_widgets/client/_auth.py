"""Identity and headers: client id, cached tokens, attribution headers, platform, language."""

from __future__ import annotations

import contextlib
import json
import locale
import os
import sys
import uuid
from pathlib import Path
from typing import Any

from nemo_widgets._version import __version__
from nemo_widgets.client._constants import SKILL_SOURCE


def mask(token: str | None) -> str:
    """``nmv_usr_…wxyz``: enough to tell tokens apart, never enough to use one."""
    if not token:
        return "<none>"
    prefix = token[:8] if token.startswith("nmv_") else ""
    return f"{prefix}…{token[-4:]}" if len(token) > 12 else "…"


def config_dir() -> Path:
    """``NEMO_CONFIG_DIR``, else ``~/.config/nemovideo`` (NemoVideo's own place)."""
    env = os.environ.get("NEMO_CONFIG_DIR")
    if env:
        return Path(env)
    from platformdirs import user_config_dir

    return Path(user_config_dir("nemovideo", appauthor=False))


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        os.chmod(path.parent, 0o700)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.replace(tmp, path)


class Identity:
    """The persisted client id (``NEMO_CLIENT_ID`` overrides) and anonymous tokens per server."""

    def __init__(self, directory: Path | None = None) -> None:
        self.dir = directory or config_dir()

    @property
    def client_id_path(self) -> Path:
        return self.dir / "client_id"

    @property
    def tokens_path(self) -> Path:
        return self.dir / "tokens.json"

    def client_id(self) -> str:
        env = os.environ.get("NEMO_CLIENT_ID")
        if env:
            return env
        with contextlib.suppress(OSError):
            cid = self.client_id_path.read_text().strip()
            if cid:
                return cid
        return self.new_client_id()

    def new_client_id(self) -> str:
        cid = str(uuid.uuid4())
        _write_private(self.client_id_path, cid + "\n")
        return cid

    def _tokens(self) -> dict[str, Any]:
        try:
            data = json.loads(self.tokens_path.read_text())
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def cached_token(self, base_url: str, client_id: str) -> str | None:
        entry = self._tokens().get(base_url)
        if isinstance(entry, dict) and entry.get("client_id") == client_id:
            return entry.get("token")
        return None

    def store_token(self, base_url: str, client_id: str, token: str | None) -> None:
        tokens = self._tokens()
        if token is None:
            tokens.pop(base_url, None)
        else:
            tokens[base_url] = {"client_id": client_id, "token": token}
        with contextlib.suppress(OSError):
            _write_private(self.tokens_path, json.dumps(tokens))


def detect_platform(install_path: str | Path | None = None) -> str:
    """``clawhub`` / ``cursor`` / ``unknown`` from where we are installed; ``SKILL_SOURCE`` wins."""
    env = os.environ.get("SKILL_SOURCE")
    if env:
        return env
    here = Path(install_path) if install_path else Path(__file__).resolve().parents[2]
    text = str(here).replace("\\", "/")
    for p in (here, *here.parents):
        if (
            p.name in (".clawhub", ".clawdhub")
            or (p / "origin.json").exists()
            or (p / ".clawhub").is_dir()
            or (p / ".clawdhub").is_dir()
        ):
            return "clawhub"
        if p == p.parent:
            break
    if ".cursor/skills" in text:
        return "cursor"
    return "unknown"


def attribution_headers(source: str = SKILL_SOURCE, platform: str | None = None) -> dict[str, str]:
    return {
        "X-Skill-Source": source,
        "X-Skill-Version": __version__,
        "X-Skill-Platform": platform or detect_platform(),
    }


def detect_language() -> str:
    """``en``, ``zh-CN``, ``ja``… from the locale (``NEMO_LANGUAGE`` overrides)."""
    env = os.environ.get("NEMO_LANGUAGE")
    if env:
        return env
    loc = None
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if os.environ.get(var):
            loc = os.environ[var]
            break
    if loc is None:
        with contextlib.suppress(ValueError, TypeError):
            loc = locale.getlocale()[0]
    if not loc or loc in ("C", "POSIX") or loc.startswith("C."):
        return "en"
    lang = loc.split(".")[0].replace("_", "-")
    base = lang.split("-")[0].lower()
    if base == "zh":
        return "zh-TW" if lang.upper().endswith(("TW", "HK", "MO")) else "zh-CN"
    return base or "en"


def user_agent() -> str:
    return f"nemo-widgets/{__version__} python/{sys.version_info.major}.{sys.version_info.minor}"
