"""Long jobs in a real browser: progress streams into the chat bubble; interrupting the kernel
and the Cancel button both stop the job on the engine, nothing lands, the chat unlocks."""

from __future__ import annotations

from pathlib import Path

import pytest

from nemo_widgets.synth import make_clip
from tests.browser.conftest import (
    Lab,
    block_all_but_jupyter,
    kernel_eval,
    open_and_run,
    page_errors,
    write_notebook,
)

pytestmark = pytest.mark.browser
LONG_STEP = "remove this"
BOX = "{'box': [0.4, 0.3, 0.6, 0.7], 'time': 1.0}"  # a box drawn over the clip's middle


def wait_for_progress(page: object) -> str:
    from playwright.sync_api import TimeoutError as PwTimeout

    try:
        _wait_for_progress(page)
    except PwTimeout:
        Path("out").mkdir(exist_ok=True)
        page.locator(".nemo-studio").screenshot(path="out/cancel-timeout.png")
        raise
    return page.inner_text(".nemo-msg-assistant .nemo-step-progress")


def _wait_for_progress(page: object) -> None:
    page.wait_for_function(
        """() => { const p = document.querySelector('.nemo-msg-assistant .nemo-step-progress');
        return p && /frame \\d+ of 300/.test(p.textContent) && /left/.test(p.textContent); }""",
        timeout=120_000,
    )


@pytest.mark.timeout(600)
def test_interrupt_and_cancel_stop_the_job(lab: Lab, browser: object, front_end: str) -> None:
    make_clip(lab.root / "long.mp4", seconds=12, width=640, height=360)
    name = f"cancel-{front_end}.ipynb"
    write_notebook(
        lab.root / name,
        "from nemo_widgets import Studio\nstudio = Studio(backend='engine')\nstudio",
        "await studio.upload('long.mp4')\nprint(studio.summary)",
        f"studio.controller.selection = {BOX}\nresult = await studio.say({LONG_STEP!r})",
    )
    page = browser.new_page(viewport={"width": 1300, "height": 1500})
    errors = page_errors(page)
    blocked = block_all_but_jupyter(page, lab)
    try:
        open_and_run(page, lab, name, front_end, wait=False)
        # The last cell runs the long step: its progress streams into the chat bubble.
        text = wait_for_progress(page)
        assert "%" in text
        assert page.locator(".nemo-prompt .nemo-cancel").is_visible()
        assert page.locator(".nemo-prompt textarea").is_disabled()

        # Interrupt the kernel (■): the job stops on the engine, the chat unlocks.
        page.evaluate(
            "() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.interrupt()"
        )
        page.wait_for_selector(".nemo-text:has-text('Cancelled')", timeout=60_000)
        page.wait_for_function(
            "() => !document.querySelector('.nemo-prompt textarea').disabled", timeout=30_000
        )
        assert not page.locator(".nemo-prompt .nemo-cancel").is_visible()
        page.wait_for_selector(".jp-OutputArea-output:has-text('Cancelled: the job stopped')")
        assert (
            kernel_eval(page, lab, "studio.summary")
            == "'Timeline (1 track): 1. Video: long (0-12s)'"
        )
        assert kernel_eval(page, lab, "studio.controller.job") == "None"

        # The Cancel button does the same for a step started from the chat.
        kernel_eval(page, lab, f"studio.controller.__setattr__('selection', {BOX})")
        box = page.locator(".nemo-prompt textarea")
        box.fill(LONG_STEP)
        box.press("Enter")
        wait_for_progress(page)
        page.click(".nemo-prompt .nemo-cancel")
        page.wait_for_function(
            """() => [...document.querySelectorAll('.nemo-msg-assistant .nemo-text')]
            .filter((t) => t.textContent.startsWith('Cancelled')).length === 2""",
            timeout=60_000,
        )
        page.wait_for_function(
            "() => !document.querySelector('.nemo-prompt textarea').disabled", timeout=30_000
        )
        assert (
            kernel_eval(page, lab, "studio.summary")
            == "'Timeline (1 track): 1. Video: long (0-12s)'"
        )
        assert kernel_eval(page, lab, "studio.controller.balance.frozen") == "0"

        # And the session takes the next instruction.
        box.fill("add the title 'After' for 1 second")
        box.press("Enter")
        page.wait_for_selector(".nemo-text:has-text('Added the title')", timeout=60_000)
        assert not blocked, blocked
        assert not errors, errors
    finally:
        page.close()
