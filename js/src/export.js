// ExportPanel: format/quality, the render's progress, then the small preview proxy playing
// inline, a download button, and a before/after view of the source and the result. All media
// come from the kernel over this widget's comm (media slots), never from the engine's address.
import { bindMedia, errorArea, formatBytes, h, mediaUrl, playsH264, watch } from "./shared.js";

function select(model, name, options, labels = {}) {
  const el = h("select", { class: `nemo-select nemo-select-${name}`, onchange: () => {
    model.set(name, el.value);
    model.save_changes();
  } }, options.map((o) => h("option", { value: o }, labels[o] || o)));
  el.value = model.get(name);
  return el;
}

function render({ model, el }) {
  el.classList.add("nemo-panel", "nemo-export");
  const errors = errorArea(model);
  const fmt = select(model, "format", ["mp4", "webm"]);
  const quality = select(model, "quality", ["high", "medium", "low"]);
  const sizes = model.get("sizes") || {};
  const size = select(model, "size", Object.keys(sizes), sizes);
  const go = h("button", { class: "nemo-button nemo-export-button", onclick: () => model.send({ kind: "export" }) }, "Export");
  const cancel = h("button", { class: "nemo-button nemo-cancel", hidden: true, onclick: () => model.send({ kind: "cancel" }) }, "Cancel");
  const bar = h("progress", { class: "nemo-progress", max: 100, value: 0 });
  const state = h("span", { class: "nemo-stage" });
  const player = h("video", { class: "nemo-player", controls: true, playsinline: true, muted: true, hidden: true });
  // Before/after as a wipe: the "before" video lies over the player, clipped to the left of
  // the slider (and above the player's controls), both kept in step.
  const before = h("video", { class: "nemo-player nemo-before", muted: true, playsinline: true, hidden: true });
  const beforeLabel = h("span", { class: "nemo-wipe-label nemo-wipe-before" }, "Before");
  const afterLabel = h("span", { class: "nemo-wipe-label nemo-wipe-after" }, "After");
  const wipe = h("input", { class: "nemo-wipe", type: "range", min: 0, max: 100, value: 50 });
  const videos = h("div", { class: "nemo-videos" }, player, before, beforeLabel, afterLabel);
  const setWipe = () => {
    before.style.clipPath = `inset(0 ${100 - Number(wipe.value)}% 40px 0)`;
  };
  wipe.addEventListener("input", setWipe);
  const toggle = h("input", { type: "checkbox", class: "nemo-compare-toggle", onchange: (e) => {
    const on = e.target.checked;
    videos.classList.toggle("nemo-wipe-on", on);
    before.hidden = !on;
    wipe.hidden = !on;
    if (on) {
      setWipe();
      before.currentTime = player.currentTime;
      if (!player.paused) before.play();
    } else before.pause();
  } });
  const compare = h("div", { class: "nemo-compare", hidden: true }, h("label", {}, toggle, " Before / after"), wipe);
  wipe.hidden = true;
  const note = h("div", { class: "nemo-note", hidden: true });
  const links = h("div", { class: "nemo-links" });
  const download = h("button", { class: "nemo-button nemo-download", type: "button", hidden: true }, "Download the full export");
  const saved = h("span", { class: "nemo-saved" });
  links.append(download, saved);
  download.addEventListener("click", async () => {
    const desc = (model.get("media") || {}).download;
    if (!desc) return;
    download.disabled = true;
    try {
      const url = await mediaUrl(model, desc, (got, total) => {
        download.textContent = `Downloading ${formatBytes(got)} / ${formatBytes(total)}…`;
      });
      const a = h("a", { href: url, download: desc.name || "export.mp4", hidden: true });
      document.body.append(a);
      a.click();
      a.remove();
      download.textContent = "Download the full export";
    } catch (e) {
      download.textContent = `Download failed: ${e.message || e} — try again`;
    } finally {
      download.disabled = false;
    }
  });
  const showPreview = bindMedia(model, "preview", player, (desc) => {
    player.hidden = !desc;
    if (desc && !playsH264(player)) {
      note.hidden = false;
      note.replaceChildren(
        "This player has no H.264 codec (VS Code's notebook view, for example). ",
        h("button", { class: "nemo-button", onclick: () => model.send({ kind: "export", format: "webm" }) }, "Export as WebM"),
      );
    }
  });
  const showBefore = bindMedia(model, "before", before, () => {});

  const tellTime = () =>
    window.dispatchEvent(new CustomEvent("nemo-time", { detail: { group: model.get("group"), t: player.currentTime } }));
  player.addEventListener("timeupdate", tellTime);
  player.addEventListener("seeked", tellTime);
  const onSeek = (e) => {
    if (e.detail?.group !== model.get("group") || player.hidden) return;
    player.currentTime = e.detail.t;
  };
  window.addEventListener("nemo-seek", onSeek);
  player.addEventListener("play", () => !before.hidden && before.play());
  player.addEventListener("pause", () => before.pause());
  player.addEventListener("seeked", () => {
    before.currentTime = player.currentTime;
  });

  el.append(
    h("div", { class: "nemo-row" }, "Format ", fmt, " Quality ", quality, " Size ", size, go),
    h("div", { class: "nemo-row" }, bar, state, cancel),
    note,
    videos,
    compare,
    links,
    errors.el,
  );

  const stale = h("div", { class: "nemo-stale", hidden: true }, "⚠ Out of date: the timeline changed after this export. Export again to see the changes.");
  el.insertBefore(stale, note);
  const stop = watch(model, ["progress", "status", "detail", "busy", "media", "saved_path", "job", "stale"], () => {
    stale.hidden = !model.get("stale");
    bar.value = model.get("progress");
    const st = model.get("status");
    state.textContent = st ? `${st} ${model.get("progress")} %${model.get("detail") ? ` · ${model.get("detail")}` : ""}` : "";
    cancel.hidden = model.get("job") !== "export";
    go.disabled = model.get("busy") || model.get("job") === "export";
    showPreview();
    showBefore();
    const media = model.get("media") || {};
    compare.hidden = !(media.before && media.preview);
    beforeLabel.textContent = media.before?.label || "Before";
    download.hidden = !media.download;
    const path = model.get("saved_path");
    saved.textContent = path ? ` saved on the kernel's machine: ${path}` : "";
  });
  return () => {
    stop();
    window.removeEventListener("nemo-seek", onSeek);
    errors.dispose();
  };
}

export default { render };
