"""Client figures: SSE event parsing rate, and upload peak memory (target: a 500 MB file
streams with < 60 MB RSS growth). Baselines in the same run: bare ``json.loads`` of each
``data:`` line (the floor for parsing), and an upload that reads the file into memory first
(what openai-python does)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

from benchmarks._harness import Figure, engine_process, main_for, median_time
from nemo_widgets.client import NemoClient, Settings

EVENT = (
    'data: {"content":{"role":"model","parts":[{"text":"chunk of reply text "}]},"partial":true,'
    '"invocationId":"e-1","author":"nemo_agent","actions":{"stateDelta":{},"artifactDelta":{}},'
    '"id":"x","timestamp":1.0}\n\n'
)
CALL = (
    'data: {"content":{"role":"model","parts":[{"functionCall":{"id":"a","name":"trim","args":'
    '{"keep":[1,2]}}}]},"invocationId":"e-1","author":"nemo_agent","actions":{"stateDelta":{},'
    '"artifactDelta":{}},"id":"y","timestamp":1.0}\n\n'
)


def sse_rate(n: int) -> tuple[float, float]:
    body = (": heartbeat\n\n" + EVENT * 9 + CALL) * (n // 10)
    body += 'data: {"content":{"role":"model","parts":[{"text":"done"}]},"turnComplete":true}\n\n'
    state = {"code": 0, "data": {"state": {"draft": {"t": []}}}}

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("anonymous-token"):
            return httpx.Response(200, json={"code": 0, "data": {"token": "nmv_usr_benchmark0000"}})
        if request.url.path.startswith("/api/state/"):
            return httpx.Response(200, json=state)
        return httpx.Response(
            200, content=body.encode(), headers={"content-type": "text/event-stream"}
        )

    client = NemoClient(
        "https://bench.test",
        settings=Settings(poll_initial=0),
        http=httpx.Client(base_url="https://bench.test", transport=httpx.MockTransport(handler)),
    )
    session = client.session("s")

    def ours() -> None:
        assert sum(1 for _ in session.send("go")) >= n

    def floor() -> None:
        for line in body.splitlines():
            if line.startswith("data: "):
                json.loads(line[6:])

    return n / median_time(ours, repeat=5), n / median_time(floor, repeat=5)


_UPLOAD = """
import os, sys, threading, time
from nemo_widgets.client import NemoClient, Settings

def rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0

url, path, mode = sys.argv[1], sys.argv[2], sys.argv[3]
c = NemoClient(url, settings=Settings(rate_limit_wait=0))
s = c.create_session()
start, peak, done = rss_mb(), [0.0], threading.Event()

def sample():  # the current RSS, sampled while the upload runs (ru_maxrss is an all-time peak)
    while not done.is_set():
        peak[0] = max(peak[0], rss_mb())
        time.sleep(0.005)

t = threading.Thread(target=sample)
t.start()
try:
    if mode == "stream":
        s.upload(path)
    else:
        data = open(path, "rb").read()
        c.request("POST", f"/api/upload-video/nemo_agent/me/{s.id}", idempotent=False,
                  files={"files": (os.path.basename(path), data, "video/mp4")})
except Exception as e:
    print("upload answered:", type(e).__name__, file=sys.stderr)
done.set()
t.join()
print(max(0.0, peak[0] - start))
"""


def _peak_rss_mb(pid: int) -> float:
    """The process's peak resident memory (VmHWM), MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def upload_growth(mb: int) -> tuple[float, float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.mp4"
        with open(path, "wb") as f:  # real bytes (not sparse), so reading them costs memory
            block = os.urandom(1 << 20)
            for _ in range(mb):
                f.write(block)
        env = {**os.environ, "NEMO_CONFIG_DIR": str(Path(tmp) / "cfg")}
        with engine_process(Path(tmp)) as (url, server):
            engine_before = _peak_rss_mb(server.pid)
            out = []
            for mode in ("stream", "in-memory"):
                r = subprocess.run(
                    [sys.executable, "-c", _UPLOAD, url, str(path), mode],
                    capture_output=True,
                    text=True,
                    env=env,
                    check=True,
                )
                out.append(float(r.stdout.strip().splitlines()[-1]))
                if mode == "stream":
                    engine_growth = _peak_rss_mb(server.pid) - engine_before
            return out[0], out[1], engine_growth


def run(quick: bool) -> list[Figure]:
    ours, floor = sse_rate(2_000 if quick else 20_000)
    mb = 100 if quick else 500
    streamed, in_memory, engine = upload_growth(mb)
    return [
        Figure(
            "SSE events parsed per second (client, end to end)",
            ours,
            "ev/s",
            10_000,
            floor,
            "bare json.loads",
            higher_is_better=True,
        ),
        Figure(
            f"upload {mb} MB: client RSS growth", streamed, "MB", 60, in_memory, "read into memory"
        ),
        Figure(f"upload {mb} MB: engine peak RSS growth (streamed to disk)", engine, "MB", 60),
    ]


if __name__ == "__main__":
    main_for(run)
