"""The embedded engine: the NemoVideo API served on loopback, doing the real work on the CPU.

>>> from nemo_widgets.engine import start
>>> eng = start()            # a free loopback port, a temporary data dir
>>> eng.base_url             # doctest: +SKIP
'http://127.0.0.1:53211'
>>> eng.stop()

Needs the engine extra: ``pip install "nemo-widgets[engine]"``. Never imports the client or
the widgets.
"""

from __future__ import annotations

from nemo_widgets.engine.server import EngineHandle, serve, start

__all__ = ["EngineHandle", "serve", "start"]
