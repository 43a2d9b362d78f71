"""Running the engine: in a background thread (notebooks, tests) or in the foreground (CLI)."""

from __future__ import annotations

import ipaddress
import logging
import socket
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn

from nemo_widgets.engine.app import EngineConfig, create_app

log = logging.getLogger("nemo_widgets.engine")

#: Credits for new users of a locally started engine (documented in the README): plenty for
#: local work; the hosted service's 100 are what tests use to exercise 2001.
LOCAL_CREDITS = 100_000


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass
class EngineHandle:
    """A running engine. ``base_url`` is what the client talks to; ``stop()`` ends it."""

    base_url: str
    data_dir: Path
    _server: uvicorn.Server = field(repr=False)
    _thread: threading.Thread = field(repr=False)
    _tmp: tempfile.TemporaryDirectory[str] | None = field(default=None, repr=False)

    @property
    def engine(self) -> Any:
        """The in-process :class:`~nemo_widgets.engine.app.Engine` (tests, admin)."""
        return self._server.config.app.state.engine

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def stop(self, timeout: float = 10.0) -> None:
        self._server.should_exit = True
        self._thread.join(timeout)
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> EngineHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start(
    data_dir: str | Path | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    credits: int = LOCAL_CREDITS,
    **options: Any,
) -> EngineHandle:
    """Start the engine in a background thread on a free loopback port and wait until ready.

    ``data_dir=None`` uses a temporary folder removed by :meth:`EngineHandle.stop`. Other
    keyword options are :class:`EngineConfig` fields (``token_ttl``, ``workers``, …).
    """
    if not is_loopback(host):
        raise ValueError(
            "start() binds loopback only; use `nemo-widgets serve --host` with "
            "--allow-remote for anything else"
        )
    tmp = None
    if data_dir is None:
        tmp = tempfile.TemporaryDirectory(prefix="nemo-engine-")
        data_dir = tmp.name
    config = EngineConfig(data_dir=Path(data_dir), initial_credits=credits, **options)
    app = create_app(config)
    port = port or _free_port(host)
    server = uvicorn.Server(
        uvicorn.Config(
            app, host=host, port=port, log_level="warning", access_log=False, lifespan="on"
        )
    )
    thread = threading.Thread(target=server.run, name="nemo-engine", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the engine did not start on {host}:{port}")
        time.sleep(0.02)
    base_url = f"http://{host}:{port}"
    app.state.engine.base_url = base_url
    return EngineHandle(base_url, Path(data_dir), server, thread, tmp)


def serve(
    host: str = "127.0.0.1",
    port: int = 8765,
    data_dir: str | Path | None = None,
    credits: int = LOCAL_CREDITS,
    allow_remote: bool = False,
    **options: Any,
) -> None:
    """Run the engine in the foreground (``nemo-widgets serve``)."""
    if not is_loopback(host):
        if not allow_remote:
            raise SystemExit(
                f"refusing to listen on {host}: the engine binds loopback by "
                "default; pass --allow-remote to expose it to the network"
            )
        log.warning("listening on %s: anyone who can reach this address can use the engine", host)
    if data_dir is None:
        from platformdirs import user_data_dir

        data_dir = Path(user_data_dir("nemo-widgets")) / "engine"
    config = EngineConfig(data_dir=Path(data_dir), initial_credits=credits, **options)
    app = create_app(config)
    engine = app.state.engine
    engine.base_url = f"http://{host}:{port}"
    where = engine.pool.offload
    jobs = f"; heavy jobs on Dask at {where.address}" if where.name == "dask" else ""
    print(f"nemo-widgets engine on http://{host}:{port} (data: {data_dir}{jobs})", flush=True)
    uvicorn.run(app, host=host, port=port, log_level="info", access_log=False)
