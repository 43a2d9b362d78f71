"""A project survives a kernel restart, in a real browser: the Studio's status turns red and
says what to do when the kernel goes; running the cell again brings back the uploads, the
timeline and the export; nothing is left in temporary folders."""

from __future__ import annotations

import pytest

from nemo_widgets.synth import make_clip
from tests.browser.conftest import (
    Lab,
    block_all_but_jupyter,
    open_and_run,
    page_errors,
    write_notebook,
)

pytestmark = pytest.mark.browser
PLAYER = ".nemo-export .nemo-player:not(.nemo-before)"
PLAYING = f"""() => {{ const v = document.querySelector('{PLAYER}');
    return v && !v.hidden && v.readyState >= 2 && v.src.startsWith('blob:'); }}"""


@pytest.mark.timeout(600)
def test_a_project_survives_a_kernel_restart(lab: Lab, browser: object, front_end: str) -> None:
    make_clip(lab.root / "clip.mp4", seconds=2, width=320, height=240)
    name = f"project-{front_end}.ipynb"
    project = f"demo-{front_end}"
    write_notebook(
        lab.root / name,
        f"from nemo_widgets import Studio\nstudio = Studio(backend='engine', project={project!r})"
        "\nstudio",
        "await studio.upload('clip.mp4')",
        "await studio.say(\"add the title 'Kept' for 1 second\")",
        "await studio.export(quality='low')",
    )
    page = browser.new_page(viewport={"width": 1300, "height": 1500})
    errors = page_errors(page)
    blocked = block_all_but_jupyter(page, lab)
    try:
        open_and_run(page, lab, name, front_end)
        page.wait_for_function(PLAYING, timeout=120_000)
        assert f"project “{project}”" in page.inner_text(".nemo-status")

        # The kernel restarts: the Studio left on the page says so, in red, with what to do.
        page.evaluate(
            "() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.restart()"
        )
        page.wait_for_selector(".nemo-status.nemo-gone[data-ok='false']", timeout=40_000)
        gone = page.inner_text(".nemo-status")
        assert "restarted" in gone and f"project “{project}” comes back" in gone, gone

        # Run the first cell again: the project comes back.
        page.evaluate("""async () => {
            const nb = window.jupyterapp.shell.currentWidget;
            await nb.sessionContext.ready;
            nb.content.activeCellIndex = 0;
            await window.jupyterapp.commands.execute('notebook:run-cell');
        }""")
        page.wait_for_selector(".nemo-status[data-ok='true']", timeout=120_000)
        page.wait_for_selector(".nemo-file-name:has-text('clip.mp4')", timeout=30_000)
        assert 'Title: "Kept"' in page.inner_text(".nemo-summary")
        page.wait_for_function(PLAYING, timeout=60_000)
        page.wait_for_selector(".nemo-download:not([hidden])", timeout=30_000)
        assert page.locator(".nemo-stale").is_hidden()
        assert "completed" in page.inner_text(".nemo-export .nemo-stage")

        # Nothing in temporary folders; everything in the project's folder.
        left = [p.name for p in lab.tmp_dir.iterdir() if p.name.startswith("nemo")]
        assert not left, left
        assert (lab.data_dir / "projects" / project / "project.json").exists()
        assert not blocked, blocked
        assert not errors, errors
    finally:
        page.close()
