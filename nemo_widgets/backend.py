"""Choosing a backend: the hosted service or the embedded engine.

``auto`` never spends hosted credits by surprise: it uses the hosted service only when the
user configured it (``NEMO_TOKEN`` or ``NEMO_BASE_URL`` set); otherwise it starts the embedded
engine on loopback (needs ``pip install "nemo-widgets[engine]"``).
"""

from __future__ import annotations

import atexit
import os
from typing import Any, Literal

from nemo_widgets.client import AsyncNemoClient, NemoClient

Backend = Literal["auto", "hosted", "engine"]
_engines: list[Any] = []


def resolve(backend: Backend = "auto") -> Literal["hosted", "engine"]:
    if backend == "auto":
        configured = os.environ.get("NEMO_TOKEN") or os.environ.get("NEMO_BASE_URL")
        return "hosted" if configured else "engine"
    if backend not in ("hosted", "engine"):
        raise ValueError(f"backend must be 'auto', 'hosted' or 'engine', not {backend!r}")
    return backend


def local_engine(**options: Any) -> Any:
    """The process-wide embedded engine (started once, stopped at exit)."""
    if _engines and _engines[0].running:
        return _engines[0]
    try:
        from nemo_widgets.engine import start
    except ImportError as e:  # pragma: no cover - depends on the install
        raise ImportError(
            'the embedded engine needs its extra: pip install "nemo-widgets[engine]"'
            f" ({e.name} is missing); or set NEMO_TOKEN to use the hosted service"
        ) from None
    eng = start(**options)
    _engines[:] = [eng]
    atexit.register(eng.stop)
    return eng


def connect(
    backend: Backend = "auto", *, asynchronous: bool = False, **engine_options: Any
) -> NemoClient | AsyncNemoClient:
    """A client for the chosen backend (see the module doc for ``auto``)."""
    kind = resolve(backend)
    cls = AsyncNemoClient if asynchronous else NemoClient
    if kind == "hosted":
        return cls()
    eng = local_engine(**engine_options)
    return cls(eng.base_url, token=None)
