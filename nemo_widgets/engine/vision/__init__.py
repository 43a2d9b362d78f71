"""Vision pipelines of the embedded engine: object removal (``remove.py`` → ``masks.py`` →
``inpaint/``) and background replacement (``matte.py`` → ``background.py``). They read
frames through :class:`~nemo_widgets.engine.video_io.FrameReader` and write through
:class:`~nemo_widgets.engine.video_io.VideoWriter`."""
