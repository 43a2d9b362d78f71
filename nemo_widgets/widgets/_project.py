"""Named projects that survive a kernel restart.

A project is a folder in the user's data directory (``NEMO_DATA_DIR``, else platformdirs'
user data dir, e.g. ``~/.local/share/nemo-widgets``)::

    projects/<name>/project.json   the session id, the token, the last export
    projects/<name>/cache/         previews for the browser (rebuilt when missing)
    projects/<name>/engine/        the embedded engine's data: uploads, sessions, exports

so re-running ``Studio(project="demo")`` after a restart finds the same session: uploads,
timeline and exports come back. Nothing goes to temporary folders.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any

_engines: dict[Path, Any] = {}
_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def data_root() -> Path:
    env = os.environ.get("NEMO_DATA_DIR")
    if env:
        return Path(env)
    from platformdirs import user_data_dir

    return Path(user_data_dir("nemo-widgets", appauthor=False))


def default_name() -> str:
    """One project per notebook: the notebook's name (Jupyter tells the kernel), else
    ``default``."""
    path = os.environ.get("JPY_SESSION_NAME") or ""
    stem = Path(path).stem if path else ""
    return stem or "default"


def clean_name(name: str) -> str:
    out = _NAME.sub("-", name.strip()).strip(".-")
    if not out:
        raise ValueError(f"{name!r} is not a usable project name (use letters, digits, - or _)")
    return out[:80]


class Project:
    """One named project: where its session id, token and previews are kept."""

    def __init__(self, name: str | None = None, root: Path | None = None) -> None:
        self.name = clean_name(name) if name else clean_name(default_name())
        self.root = root or data_root()
        self.dir = self.root / "projects" / self.name
        self.file = self.dir / "project.json"

    @property
    def engine_dir(self) -> Path:
        """The embedded engine's data for this project (its own engine: two notebooks, two
        projects, never two engines on one folder)."""
        return self.dir / "engine"

    def engine(self) -> Any:
        """This project's embedded engine, started once per kernel and stopped at exit."""
        eng = _engines.get(self.engine_dir)
        if eng is None or not eng.running:
            try:
                from nemo_widgets.engine import start
            except ImportError as e:  # pragma: no cover - depends on the install
                raise ImportError(
                    'the embedded engine needs its extra: pip install "nemo-widgets[engine]"'
                    f" ({e.name} is missing); or set NEMO_TOKEN to use the hosted service"
                ) from None
            eng = start(self.engine_dir)
            atexit.register(eng.stop)
            _engines[self.engine_dir] = eng
        return eng

    @property
    def cache(self) -> Path:
        path = self.dir / "cache"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def load(self) -> dict[str, Any]:
        try:
            data = json.loads(self.file.read_text())
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def save(self, **changes: Any) -> None:
        self._write({**self.load(), **changes})

    def _write(self, data: dict[str, Any]) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        tmp = self.file.with_name(".project.json.part")
        # The token is a credential: readable by this user only.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(data, f, indent=1)
        os.replace(tmp, self.file)

    def __repr__(self) -> str:
        return f"Project({self.name!r} in {self.dir})"


def already_uploaded(
    infos: list[dict[str, Any]], sources: tuple[Any, ...]
) -> list[dict[str, Any]] | None:
    """The uploads (``video_infos`` entries) that are exactly these local files — same name and
    SHA-256 — or None if any of them is new or not a local path."""
    found = []
    for src in sources:
        if not isinstance(src, str | Path) or str(src).startswith(("http://", "https://")):
            return None
        path = Path(src)
        if not path.is_file():
            return None
        match = [f for f in infos if f.get("filename") == path.name and f.get("hash")]
        if not match:
            return None
        digest = hashlib.sha256()
        with open(path, "rb") as fh:
            while block := fh.read(1 << 20):
                digest.update(block)
        hit = next((f for f in match if f["hash"] == digest.hexdigest()), None)
        if hit is None:
            return None
        found.append(hit)
    return found
