"""nemo-widgets: edit video with AI from a notebook.

``from nemo_widgets import Studio`` gives the notebook UI; ``nemo_widgets.client`` the API client;
``nemo_widgets.engine`` the embedded offline backend (``pip install "nemo-widgets[engine]"``).
"""

from nemo_widgets._version import __version__

__all__ = ["__version__"]
