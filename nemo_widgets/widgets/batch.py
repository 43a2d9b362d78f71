"""The batch panel: many clips, one instruction — ``client.batch`` with a form, a progress bar
and the results table. Built from ipywidgets' own controls, so it needs no front-end bundle."""

from __future__ import annotations

import asyncio
import glob
import html
from pathlib import Path
from typing import Any

import ipywidgets as w

from nemo_widgets.client._batch import COLUMNS


def expand(text: str) -> list[Path]:
    """Paths from one path or glob pattern per line (``~`` expanded), in order, each once."""
    out: list[Path] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        pattern = str(Path(line).expanduser())
        found = sorted(glob.glob(pattern)) if glob.has_magic(pattern) else [pattern]
        for p in map(Path, found):
            if p not in out:
                out.append(p)
    return out


class BatchPanel(w.VBox):
    """``BatchPanel()`` in a cell: paths or globs, an instruction, Run. ``panel.results`` is the
    DataFrame of the last run; ``await panel.start()`` does from code what Run does."""

    def __init__(
        self,
        client: Any = None,
        *,
        files: str = "",
        instruction: str = "",
        download_to: str = "out/batch",
        concurrency: int = 2,
    ) -> None:
        self._client = client
        self.files = w.Textarea(
            value=files,
            placeholder="one path or pattern per line, e.g. clips/*.mp4",
            layout=w.Layout(width="100%", height="5em"),
        )
        self.instruction = w.Text(
            value=instruction,
            placeholder="what to do to every clip, e.g. blur the background",
            layout=w.Layout(width="100%"),
        )
        self.download_to = w.Text(value=download_to, description="save to")
        self.concurrency = w.BoundedIntText(
            value=concurrency, min=1, max=16, description="at once", layout=w.Layout(width="9em")
        )
        self.run_button = w.Button(description="Run batch", button_style="primary", icon="play")
        self.progress = w.IntProgress(value=0, min=0, max=1, layout=w.Layout(width="100%"))
        self.status = w.HTML("")
        self.table = w.HTML("")
        self.results: Any = None
        self._task: asyncio.Task[Any] | None = None
        self.run_button.on_click(lambda _b: self._clicked())
        super().__init__(
            [
                w.HTML("<b>Batch</b>: the same instruction on every clip, one session each"),
                self.files,
                self.instruction,
                w.HBox([self.download_to, self.concurrency, self.run_button]),
                self.progress,
                self.status,
                self.table,
            ],
            layout=w.Layout(width="100%"),
        )

    @property
    def client(self) -> Any:
        if self._client is None:
            from nemo_widgets import connect

            self._client = connect(asynchronous=True)
        return self._client

    def _clicked(self) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no kernel loop (a plain script): run it here
            asyncio.run(self.start())
            return
        self._task = loop.create_task(self.start())

    def _say(self, text: str, error: bool = False) -> None:
        colour = "var(--jp-error-color1, #c62828)" if error else "inherit"
        self.status.value = f'<span style="color:{colour}">{html.escape(text)}</span>'

    async def start(self) -> Any:
        """Run the batch the form describes; the results DataFrame (also ``self.results``)."""
        paths = expand(self.files.value)
        steps = [s for s in self.instruction.value.split("\n") if s.strip()]
        if not paths or not steps:
            self._say("Give at least one file (or pattern) and an instruction.", error=True)
            return None
        rows: list[dict[str, Any]] = []
        self.progress.max, self.progress.value = len(paths), 0
        self.progress.bar_style = ""
        self.run_button.disabled = True
        self._say(f"Working on {len(paths)} file(s)…")

        def on_row(row: dict[str, Any]) -> None:
            rows.append(row)
            self.progress.value = len(rows)
            failed = sum(1 for r in rows if r["error"])
            self._say(
                f"{len(rows)} of {len(paths)} done" + (f", {failed} failed" if failed else "")
            )
            self.table.value = _table(rows)

        try:
            result = self.client.batch(
                paths,
                steps,
                download_to=self.download_to.value or None,
                concurrency=self.concurrency.value,
                progress=False,
                on_row=on_row,
            )
            if asyncio.iscoroutine(result):
                result = await result
        except Exception as e:  # the client could not even start (no engine, no token…)
            self._say(f"The batch could not run: {e}", error=True)
            self.progress.bar_style = "danger"
            return None
        finally:
            self.run_button.disabled = False
        self.results = result
        failed = int(result.error.notna().sum())
        self.progress.bar_style = "warning" if failed else "success"
        self._say(
            f"Done: {len(result) - failed} of {len(result)} exported"
            + (f"; {failed} failed — see the error column" if failed else "")
        )
        self.table.value = _table(result.to_dict("records"))
        return result


def _table(rows: list[dict[str, Any]]) -> str:
    """The rows as a compact HTML table that scrolls sideways in a narrow column."""
    cols = [c for c in COLUMNS if c not in ("url", "changes")]
    head = "".join(f"<th>{c}</th>" for c in cols)
    body = ""
    for r in rows:
        cells = ""
        for c in cols:
            v = r.get(c)
            v = "" if v is None or v != v else v  # None and NaN show as empty
            style = ' style="color:var(--jp-error-color1, #c62828)"' if c == "error" and v else ""
            cells += f"<td{style}>{html.escape(str(v))}</td>"
        body += f"<tr>{cells}</tr>"
    return (
        '<div style="overflow-x:auto"><table class="jp-RenderedHTMLCommon">'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )
