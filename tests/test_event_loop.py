"""The store stays off the event loop: a slow write in one session does not stall the SSE
streams (heartbeats included) of another."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import pytest

from nemo_widgets.engine import start
from tests.conftest import Api


def test_slow_store_write_keeps_other_streams_beating(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with start(tmp_path / "engine", heartbeat_s=0.1) as handle:
        engine = handle.engine
        a, b = Api(handle), Api(handle)
        sid_b = b.session()
        # B's run waits 3 s before it works (as a long tool does): its stream sends heartbeats.
        real_run = engine.agent.run

        def slow_run(*args: object, **kw: object) -> object:
            time.sleep(3)
            return real_run(*args, **kw)

        monkeypatch.setattr(engine.agent, "run", slow_run)
        # A's next write takes 1.5 s (a slow fsync on a busy disk).
        real_create = engine.store.create_session

        def slow_create(*args: object, **kw: object) -> object:
            time.sleep(1.5)
            return real_create(*args, **kw)

        monkeypatch.setattr(engine.store, "create_session", slow_create)

        beats: list[float] = []
        body = {
            "app_name": "nemo_agent",
            "user_id": "me",
            "session_id": sid_b,
            "new_message": {"role": "user", "parts": [{"text": "add the title 'Hi'"}]},
        }

        def listen() -> None:
            with b.http.stream("POST", "/run_sse", headers=b.headers, json=body) as r:
                for line in r.iter_lines():
                    if line.startswith(": heartbeat"):
                        beats.append(time.monotonic())

        listener = threading.Thread(target=listen)
        listener.start()
        deadline = time.monotonic() + 5
        while len(beats) < 3 and time.monotonic() < deadline:
            time.sleep(0.02)
        t0 = time.monotonic()
        a.session()  # the slow write, in the other session
        t1 = time.monotonic()
        listener.join(10)
        a.close()
        b.close()
    assert t1 - t0 >= 1.5
    during = [x for x in beats if t0 <= x <= t1]
    gaps = np.diff([t0, *during, t1])
    # Every 0.1 s while the write runs (1.5 s stalled the loop before the store moved off it).
    assert len(during) >= 7 and gaps.max() < 0.6, gaps.round(2).tolist()
