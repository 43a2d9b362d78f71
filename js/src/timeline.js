// TimelinePanel: a time ruler, tracks and segments drawn to scale, a playhead in step with the
// export's player (same Studio: a window event tagged with the panels' shared `group`), the
// summary line, and the segments as a table for people (scrolls both ways). Each clip shows a
// thumbnail the kernel made from the media (media slots "thumb-…", over the comm).
import { bindMedia, formatTime, h, layoutTimeline, mediaUrl, watch } from "./shared.js";

/** Tick spacing (s) so a ruler of `seconds` has at most ~10 labelled ticks. */
export function tickStep(seconds) {
  const steps = [0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600];
  return steps.find((s) => seconds / s <= 10) || 3600;
}

export function ticks(seconds) {
  if (!(seconds > 0)) return [];
  const step = tickStep(seconds);
  const out = [];
  for (let t = 0; t <= seconds + 1e-9; t += step) out.push({ t, left: (100 * t) / seconds });
  return out;
}

function render({ model, el }) {
  el.classList.add("nemo-panel", "nemo-timeline");
  const summary = h("div", { class: "nemo-summary" });
  const ruler = h("div", { class: "nemo-ruler", title: "Click to move the player here" });
  const lanes = h("div", { class: "nemo-lanes" });
  const playhead = h("div", { class: "nemo-playhead", hidden: true });
  const track = h("div", { class: "nemo-track-area" }, ruler, lanes, playhead);
  const changes = h("ul", { class: "nemo-changes" });
  const table = h("details", { class: "nemo-table" });
  // The quick low-resolution render of the timeline after each edit (media slot "timeline").
  const quick = h("video", { class: "nemo-player nemo-timeline-preview", controls: true, muted: true, playsinline: true });
  const quickLabel = h("div", { class: "nemo-note nemo-timeline-preview-label" });
  const quickBox = h("div", { class: "nemo-timeline-quick", hidden: true }, quickLabel, quick);
  el.append(summary, track, quickBox, changes, table);
  // Its place is kept from the first clip on (fixed height), so a preview arriving never
  // moves what is below, e.g. a box being drawn.
  const hasClips = () => (model.get("tracks") || []).some((t) => (t.segments || []).length);
  const bindQuick = bindMedia(model, "timeline", quick, (desc) => {
    quickBox.hidden = !desc && !(model.get("quick") && hasClips());
    quickLabel.textContent = desc ? `${desc.label || "Quick preview"} — export for the full file` : "";
  });
  const showQuick = () => {
    bindQuick();
    if (!(model.get("media") || {}).timeline) {
      quickBox.hidden = !(model.get("quick") && hasClips());
      quickLabel.textContent = "Rendering a quick preview…";
    }
  };
  const tellTime = () =>
    window.dispatchEvent(new CustomEvent("nemo-time", { detail: { group: model.get("group"), t: quick.currentTime } }));
  quick.addEventListener("timeupdate", tellTime);
  quick.addEventListener("seeked", tellTime);

  const seconds = () => (model.get("duration_ms") || 0) / 1000;
  const onSeekQuick = (e) => {
    if (e.detail?.group === model.get("group") && !quickBox.hidden) quick.currentTime = e.detail.t;
  };
  window.addEventListener("nemo-seek", onSeekQuick);
  const onTime = (e) => {
    if (e.detail?.group !== model.get("group") || !seconds()) return;
    playhead.hidden = false;
    playhead.style.left = `calc(var(--nemo-lane-name) + (100% - var(--nemo-lane-name)) * ${Math.min(1, e.detail.t / seconds())})`;
  };
  window.addEventListener("nemo-time", onTime);
  ruler.addEventListener("click", (e) => {
    const r = ruler.getBoundingClientRect();
    const t = Math.max(0, Math.min(1, (e.clientX - r.left) / r.width)) * seconds();
    window.dispatchEvent(new CustomEvent("nemo-seek", { detail: { group: model.get("group"), t } }));
  });

  // A clip's thumbnail: made by the kernel, pulled over the comm (cached per media id).
  const thumb = (slot) => {
    const desc = slot ? (model.get("media") || {})[slot] : null;
    if (!desc) return null;
    const img = h("img", { class: "nemo-bar-thumb", alt: "" });
    mediaUrl(model, desc).then((url) => { img.src = url; }, () => img.remove());
    return img;
  };

  const stop = watch(model, ["tracks", "duration_ms", "summary", "table_html", "changes", "media", "quick"], () => {
    summary.textContent = model.get("summary");
    showQuick();
    ruler.replaceChildren(...ticks(seconds()).map((k) => h("span", { class: "nemo-tick", style: { left: `${k.left}%` } }, formatTime(k.t))));
    ruler.hidden = !seconds();
    const layout = layoutTimeline(model.get("tracks"), model.get("duration_ms"));
    lanes.replaceChildren(...layout.map((t, i) => h(
      "div",
      { class: `nemo-lane nemo-kind-${t.kind}${t.muted ? " nemo-muted" : ""}` },
      h("span", { class: "nemo-lane-name" }, `${i + 1}. ${t.kind}`),
      h("div", { class: "nemo-lane-bars" }, t.bars.map((b) => h(
        "div",
        {
          class: "nemo-bar",
          style: { left: `${b.left}%`, width: `${b.width}%` },
          title: `${b.label} ${formatTime(b.start / 1000)}–${formatTime(b.end / 1000)}${b.effects.length ? ` · ${b.effects.join(", ")}` : ""}`,
        },
        thumb(b.thumb),
        h("span", { class: "nemo-bar-label" }, b.label),
        b.effects.length ? h("span", { class: "nemo-fx" }, "✦") : null,
      ))),
    )));
    changes.replaceChildren(...(model.get("changes") || []).map((c) => h("li", {}, c)));
    const html = model.get("table_html");
    table.hidden = !html;
    table.innerHTML = html ? `<summary>Segments</summary><div class="nemo-table-scroll">${html}</div>` : "";
  });
  return () => {
    stop();
    window.removeEventListener("nemo-time", onTime);
    window.removeEventListener("nemo-seek", onSeekQuick);
  };
}

export default { render };
