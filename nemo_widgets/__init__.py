"""nemo-widgets: edit video with AI from a notebook.

``from nemo_widgets import Studio`` gives the notebook UI; :func:`connect` a client for the
hosted service or the embedded engine; ``nemo_widgets.engine`` the offline backend
(``pip install "nemo-widgets[engine]"``).
"""

from __future__ import annotations

from typing import Any

from nemo_widgets._version import __version__

__all__ = ["Studio", "__version__", "connect"]


def connect(*args: Any, **kw: Any) -> Any:
    from nemo_widgets.backend import connect as _connect

    return _connect(*args, **kw)


def __getattr__(name: str) -> Any:
    if name == "Studio":
        from nemo_widgets.widgets import Studio

        return Studio
    raise AttributeError(name)
