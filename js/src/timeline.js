// TimelinePanel: tracks and segments drawn to scale, the summary line, and the DataFrame.
import { formatTime, h, layoutTimeline, watch } from "./shared.js";

function render({ model, el }) {
  el.classList.add("nemo-panel", "nemo-timeline");
  const summary = h("div", { class: "nemo-summary" });
  const lanes = h("div", { class: "nemo-lanes" });
  const changes = h("ul", { class: "nemo-changes" });
  const table = h("details", { class: "nemo-table" });
  el.append(summary, lanes, changes, table);
  return watch(model, ["tracks", "duration_ms", "summary", "table_html", "changes"], () => {
    summary.textContent = model.get("summary");
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
        b.label,
        b.effects.length ? h("span", { class: "nemo-fx" }, "✦") : null,
      ))),
    )));
    changes.replaceChildren(...(model.get("changes") || []).map((c) => h("li", {}, c)));
    const html = model.get("table_html");
    table.hidden = !html;
    table.innerHTML = html ? `<summary>Segments (DataFrame)</summary>${html}` : "";
  });
}

export default { render };
