"""The embedded engine: the NemoVideo API served on loopback, doing the real work on the CPU.

>>> from nemo_widgets.engine import start
>>> eng = start()            # a free loopback port, a temporary data dir
>>> eng.base_url             # doctest: +SKIP
'http://127.0.0.1:53211'
>>> eng.stop()

Needs the engine extra: ``pip install "nemo-widgets[engine]"``. Never imports the client or
the widgets. The server (uvicorn, Starlette) is imported only when ``start``, ``serve`` or
``EngineHandle`` is first asked for, so the media, render and vision modules work without
the server's dependencies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nemo_widgets.engine.server import EngineHandle, serve, start

__all__ = ["EngineHandle", "serve", "start"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from nemo_widgets.engine import server

        return getattr(server, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
