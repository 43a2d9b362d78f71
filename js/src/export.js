// ExportPanel: format/quality, the render's progress, then the small preview proxy playing
// inline (the full file is never pushed through the websocket), a download link, and a
// before/after view of the source and the result.
import { errorArea, h, playsH264, watch } from "./shared.js";

function select(model, name, options) {
  const el = h("select", { class: "nemo-select", onchange: () => {
    model.set(name, el.value);
    model.save_changes();
  } }, options.map((o) => h("option", { value: o }, o)));
  el.value = model.get(name);
  return el;
}

function render({ model, el }) {
  el.classList.add("nemo-panel", "nemo-export");
  const errors = errorArea(model);
  const fmt = select(model, "format", ["mp4", "webm"]);
  const quality = select(model, "quality", ["high", "medium", "low"]);
  const go = h("button", { class: "nemo-button nemo-export-button", onclick: () => model.send({ kind: "export" }) }, "Export");
  const bar = h("progress", { class: "nemo-progress", max: 100, value: 0 });
  const state = h("span", { class: "nemo-stage" });
  const player = h("video", { class: "nemo-player", controls: true, playsinline: true, muted: true, hidden: true });
  const before = h("video", { class: "nemo-player nemo-before", controls: true, muted: true, playsinline: true, hidden: true });
  const compare = h("label", { class: "nemo-compare", hidden: true }, h("input", { type: "checkbox", onchange: (e) => {
    before.hidden = !e.target.checked;
    if (e.target.checked) {
      before.currentTime = player.currentTime;
      if (!player.paused) before.play();
    }
  } }), " before / after");
  const note = h("div", { class: "nemo-note", hidden: true });
  const links = h("div", { class: "nemo-links" });
  let blobUrl = null;

  player.addEventListener("play", () => !before.hidden && before.play());
  player.addEventListener("pause", () => before.pause());
  player.addEventListener("seeked", () => {
    before.currentTime = player.currentTime;
  });

  el.append(
    h("div", { class: "nemo-row" }, "Format ", fmt, " Quality ", quality, go),
    h("div", { class: "nemo-row" }, bar, state),
    note,
    h("div", { class: "nemo-videos" }, before, player),
    compare,
    links,
    errors.el,
  );

  const stop = watch(model, ["progress", "status", "busy", "preview", "download_url", "saved_path", "source_url"], () => {
    bar.value = model.get("progress");
    const st = model.get("status");
    state.textContent = st ? `${st} ${model.get("progress")}%` : "";
    go.disabled = model.get("busy");
    const preview = model.get("preview");
    if (preview && preview.byteLength) {
      if (blobUrl) URL.revokeObjectURL(blobUrl);
      blobUrl = URL.createObjectURL(new Blob([preview], { type: "video/mp4" }));
      player.src = blobUrl;
      player.hidden = false;
      if (!playsH264(player)) {
        note.hidden = false;
        note.replaceChildren(
          "This player has no H.264 codec (VS Code's notebook view, for example). ",
          h("button", { class: "nemo-button", onclick: () => model.send({ kind: "export", format: "webm" }) }, "Export as WebM"),
        );
      }
    }
    const src = model.get("source_url");
    if (src && before.src !== src) before.src = src;
    compare.hidden = !(src && preview && preview.byteLength);
    const url = model.get("download_url");
    const saved = model.get("saved_path");
    links.replaceChildren(
      url ? h("a", { href: url, target: "_blank", download: "", class: "nemo-download" }, "Download the full export") : "",
      saved ? h("span", { class: "nemo-saved" }, ` saved on the kernel's machine: ${saved}`) : "",
    );
  });
  return () => {
    stop();
    errors.dispose();
    if (blobUrl) URL.revokeObjectURL(blobUrl);
  };
}

export default { render };
