"""Progress bars (``tqdm.auto``) for Studio calls made in code: ``await studio.say(…)`` shows
the step's percentage, frames and time left under the cell, as the chat bubble does."""

from __future__ import annotations

from typing import Any

from nemo_widgets.widgets._controller import STEP_LABELS, Controller


class Bars:
    """While the ``with`` block runs, one bar per long step of ``controller``'s job."""

    def __init__(self, controller: Controller, *, enabled: bool = True) -> None:
        self.controller = controller
        self.enabled = enabled
        self.bars: dict[str, Any] = {}
        self._subs: list[tuple[str, Any]] = []

    def _bar(self, key: str, desc: str) -> Any:
        if key not in self.bars:
            from tqdm.auto import tqdm

            self.bars[key] = tqdm(
                total=100,
                desc=desc,
                leave=True,
                bar_format="{desc}: {percentage:3.0f}%|{bar}| {elapsed}<{remaining}{postfix}",
            )
        return self.bars[key]

    def _set(self, bar: Any, percent: float, **postfix: Any) -> None:
        bar.n = round(min(100.0, max(0.0, float(percent))), 1)
        bar.set_postfix({k: v for k, v in postfix.items() if v is not None}, refresh=False)
        bar.refresh()

    def _progress(
        self,
        id: str,
        name: str,
        percent: float,
        frames: int | None = None,
        total_frames: int | None = None,
        eta_s: float | None = None,
    ) -> None:
        bar = self._bar(id, STEP_LABELS.get(name, name.replace("_", " ")))
        self._set(
            bar,
            percent,
            frames=f"{frames}/{total_frames}" if frames is not None and total_frames else None,
            left=f"{eta_s:.0f}s" if eta_s is not None else None,
        )

    def _step(self, id: str, name: str, label: str, status: str) -> None:
        if status != "running" and id in self.bars:
            bar = self.bars[id]
            if status == "done":
                self._set(bar, 100)
            bar.close()

    def _export(self, status: Any) -> None:
        self._set(self._bar("export", "Exporting"), status.progress)

    def upload(self, done: int, total: int) -> None:
        if self.enabled and total:
            self._set(self._bar("upload", "Uploading"), 100 * done / total)

    def __enter__(self) -> Bars:
        if self.enabled:
            for event, fn in (
                ("progress", self._progress),
                ("step", self._step),
                ("export_progress", self._export),
                ("upload_progress", self.upload),
            ):
                self.controller.on(event, fn)
                self._subs.append((event, fn))
        return self

    def __exit__(self, *exc: object) -> None:
        for event, fn in self._subs:
            self.controller.off(event, fn)
        for bar in self.bars.values():
            bar.close()
