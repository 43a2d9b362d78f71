"""JupyterLab + Debian Chromium + Playwright, as BROWSER-TESTS.md describes."""

from __future__ import annotations

import ctypes
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
    "--autoplay-policy=no-user-gesture-required",
]
TOKEN = "nemo-browser-test"


@dataclass
class Lab:
    url: str
    root: Path
    runtime_dir: Path
    data_dir: Path
    tmp_dir: Path
    proc: subprocess.Popen[bytes]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent() -> None:  # pragma: no cover - runs in the child
    os.setsid()
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG: no orphan server after a killed run


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            "the browser tests need Debian's chromium at /usr/bin/chromium "
            "(`make test` installs it; or: apt-get install chromium)"
        )
    base = tmp_path_factory.mktemp("lab")
    root = base / "root"
    root.mkdir()
    dirs = {
        k: base / k
        for k in (
            "config",
            "data",
            "runtime",
            "ipython",
            "settings",
            "workspaces",
            "nemo",
            "nemo-data",
            "tmp",
        )
    }
    for d in dirs.values():
        d.mkdir()
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(dirs["config"]),
        "JUPYTER_DATA_DIR": str(dirs["data"]),
        "JUPYTER_RUNTIME_DIR": str(dirs["runtime"]),
        "IPYTHONDIR": str(dirs["ipython"]),
        "NEMO_CONFIG_DIR": str(dirs["nemo"]),
        # Projects and the engine's data in the test's folder; a private TMPDIR shows
        # whether anything is left in temporary folders.
        "NEMO_DATA_DIR": str(dirs["nemo-data"]),
        "TMPDIR": str(dirs["tmp"]),
    }
    env.pop("NEMO_TOKEN", None)
    port = _free_port()
    log = open(base / "lab.log", "wb")  # noqa: SIM115 - closed at teardown
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--allow-root",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={TOKEN}",
            f"--ServerApp.root_dir={root}",
            "--LabApp.expose_app_in_browser=True",
            # The same server also serves Notebook 7 (/notebooks/…) when it is installed.
            "--JupyterNotebookApp.expose_app_in_browser=True",
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.extension_manager=readonly",
            f"--LabApp.user_settings_dir={dirs['settings']}",
            f"--LabApp.workspaces_dir={dirs['workspaces']}",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        preexec_fn=_die_with_parent,
    )
    url = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"token {TOKEN}"}
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{url}/api/status", headers=headers).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            log.close()
            pytest.fail("JupyterLab did not start:\n" + (base / "lab.log").read_text()[-3000:])
        time.sleep(0.2)
    yield Lab(url, root, dirs["runtime"], dirs["nemo-data"], dirs["tmp"], proc)
    try:
        httpx.post(f"{url}/api/shutdown", headers=headers, timeout=10)
        proc.wait(15)
    except (httpx.HTTPError, subprocess.TimeoutExpired):
        os.killpg(proc.pid, signal.SIGKILL)
    log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Module-scoped: Playwright's sync API keeps an event loop running in the main thread
    while it lives, which would break every later test that calls ``asyncio.run``."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


def write_notebook(path: Path, *cells: str) -> Path:
    nb = {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": None,
                "metadata": {},
                "outputs": [],
                "source": c,
            }
            for c in cells
        ],
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(nb))
    return path


FRONT_ENDS = ["lab", "notebook"]


@pytest.fixture(params=FRONT_ENDS)
def front_end(request: pytest.FixtureRequest) -> str:
    """Each browser test runs in JupyterLab and in Notebook 7."""
    if request.param == "notebook":
        try:
            import notebook  # noqa: F401
        except ImportError:
            pytest.fail("Notebook 7 is not installed: pip install -e '.[lab]'")
    return request.param


#: Errors Notebook 7's own shell raises with an isolated settings folder (none of ours).
SHELL_NOISE = ("Command 'filebrowser:open-path' not registered", "reading 'schema'")


def page_errors(page: object) -> list[str]:
    """Uncaught errors on the page, but for the front-end's own known noise."""
    errors: list[str] = []

    def record(e: object) -> None:
        if not any(n in str(e) for n in SHELL_NOISE):
            errors.append(str(e))

    page.on("pageerror", record)
    return errors


def block_all_but_jupyter(page: object, lab: Lab) -> list[str]:
    """What a remote kernel's user sees (Colab, JupyterHub, SSH): the browser reaches the
    Jupyter server's origin and nothing else. Every other request is aborted and recorded
    (``blob:`` and ``data:`` URLs never reach the network, so they are not routed)."""
    blocked: list[str] = []

    def handle(route: object) -> None:
        url = route.request.url
        if url.startswith(lab.url + "/"):
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    page.route("**/*", handle)
    return blocked


def open_and_run(
    page: object, lab: Lab, name: str, front_end: str = "lab", *, wait: bool = True
) -> None:
    """Open a notebook, wait for its kernel, run all cells (``wait``: until the last one
    has finished; else return at once, to watch a cell while it runs)."""
    path = f"lab/tree/{name}" if front_end == "lab" else f"notebooks/{name}"
    page.goto(f"{lab.url}/{path}?token={TOKEN}&reset")
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=60_000)
    # Wait for the kernel before running anything (else a "Select Kernel" dialog blocks).
    page.evaluate("""async () => {
        const nb = window.jupyterapp.shell.currentWidget;
        await nb.context.ready; await nb.sessionContext.ready;
    }""")
    if wait:
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    else:
        page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")


def kernel_eval(page: object, lab: Lab, expr: str) -> str:
    """Evaluate ``expr`` in the notebook's kernel (a side channel; the notebook is untouched)."""
    from jupyter_client import BlockingKernelClient

    kid = page.evaluate("window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.id")
    kc = BlockingKernelClient(connection_file=str(lab.runtime_dir / f"kernel-{kid}.json"))
    kc.load_connection_file()
    kc.start_channels()
    try:
        for _ in range(20):  # right after an error the kernel aborts queued requests a moment
            reply = kc.execute_interactive(
                "", silent=True, user_expressions={"r": expr}, timeout=30
            )
            if "user_expressions" in reply["content"]:
                break
            time.sleep(0.5)
        r = reply["content"]["user_expressions"]["r"]
        return (
            r["data"]["text/plain"]
            if r.get("status") == "ok"
            else f"ERROR {r.get('ename')}: {r.get('evalue')}"
        )
    finally:
        kc.stop_channels()


def studio_with_clip(page: object, lab: Lab, name: str, front_end: str, clip: Path) -> str:
    """Run the Studio notebook ``name``, wait until it is ready, upload ``clip`` through the
    page; the engine's URL (which the page must never call)."""
    import ast

    open_and_run(page, lab, name, front_end)
    page.wait_for_selector(".nemo-status[data-ok='true']", timeout=120_000)  # type: ignore[attr-defined]
    engine_url = ast.literal_eval(kernel_eval(page, lab, "studio.controller.client.base_url"))
    page.set_input_files(".nemo-upload input[type=file]", str(clip))  # type: ignore[attr-defined]
    page.wait_for_selector(f".nemo-file-name:has-text('{clip.name}')", timeout=60_000)  # type: ignore[attr-defined]
    return engine_url


def open_box_select(page: object) -> None:
    """Open the box select and wait until its clip plays from a blob: URL (over the comm)."""
    page.wait_for_selector(".nemo-box-details:not([hidden])", timeout=60_000)  # type: ignore[attr-defined]
    page.click(".nemo-box-details summary")  # type: ignore[attr-defined]
    page.locator(".nemo-box-video").scroll_into_view_if_needed()  # type: ignore[attr-defined]
    page.wait_for_function(  # type: ignore[attr-defined]
        "() => { const v = document.querySelector('.nemo-box-video');"
        " return v && v.readyState >= 2 && v.src.startsWith('blob:'); }",
        timeout=60_000,
    )
