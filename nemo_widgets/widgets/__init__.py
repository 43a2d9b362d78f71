"""Notebook widgets (upload, prompt, export, timeline, box select) and the Studio that joins them.

Every panel works alone or inside a :class:`Studio`; all share a :class:`Controller` that owns
the client (widgets → client → HTTP → engine).
"""

from nemo_widgets.widgets._controller import Controller
from nemo_widgets.widgets._project import Project
from nemo_widgets.widgets.batch import BatchPanel
from nemo_widgets.widgets.panels import (
    BoxSelect,
    ExportPanel,
    PromptPanel,
    TimelinePanel,
    UploadPanel,
)
from nemo_widgets.widgets.studio import StatusBar, Studio

__all__ = [
    "BatchPanel",
    "BoxSelect",
    "Controller",
    "ExportPanel",
    "Project",
    "PromptPanel",
    "StatusBar",
    "Studio",
    "TimelinePanel",
    "UploadPanel",
]
