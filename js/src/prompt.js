// PromptPanel: the chat. Replies stream in; tool calls are progress steps, not chat text; GUI
// phrases ("click the Export button") become buttons; Enter sends; input waits during a run.
import { errorArea, formatTime, h, mediaUrl, watch } from "./shared.js";

const STEP_ICON = { running: "⏳", done: "✓", failed: "✗", cancelled: "■" };

/** "42 % · frame 21 of 50 · 0:05 left" for a step's progress. */
export function progressText(p) {
  if (!p) return "";
  const parts = [`${Math.round(p.percent)} %`];
  if (p.frames != null && p.total_frames) parts.push(`frame ${p.frames} of ${p.total_frames}`);
  if (p.eta_s != null) parts.push(`${formatTime(Math.max(0, Math.round(p.eta_s)))} left`);
  return parts.join(" · ");
}

const SVG = "http://www.w3.org/2000/svg";

function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  el.append(...children.filter((c) => c != null));
  return el;
}

/** "x,y x,y …" for an SVG polygon from an outline in video pixels. */
export function polygonPoints(outline) {
  return (outline || []).map(([x, y]) => `${x},${y}`).join(" ");
}

/**
 * The candidate picker under a question: the still with each candidate's numbered outline as
 * an SVG polygon (its viewBox is the video's pixels, so the outlines scale with the picture),
 * hover highlights, a click picks. Closed once answered (or once another message was sent).
 */
export function pickerView(picker, src, onPick) {
  const w = picker.width || 1;
  const hgt = picker.height || 1;
  const open = !picker.closed;
  const rows = [];
  const shapes = (picker.candidates || []).map((c) => {
    const chosen = picker.answered === c.n;
    const cls = `nemo-cand${chosen ? " nemo-cand-chosen" : ""}`;
    const label = `${c.n}. ${c.description}`;
    const poly = svg("polygon", { class: cls, points: polygonPoints(c.outline), "data-n": c.n, tabindex: open ? 0 : -1, role: "button", "aria-label": `Pick ${label}` }, svg("title", {}, label));
    rows.push(
      h(
        "li",
        {},
        h("button", { class: `nemo-button nemo-cand-pick${chosen ? " nemo-cand-chosen" : ""}`, "data-n": c.n, disabled: !open, onclick: () => open && onPick(c.n) }, label),
      ),
    );
    return poly;
  });
  const overlay = svg("svg", { class: "nemo-picker-svg", viewBox: `0 0 ${w} ${hgt}`, preserveAspectRatio: "none" }, ...shapes);
  if (open) {
    overlay.addEventListener("click", (e) => {
      const n = Number(e.target?.getAttribute?.("data-n"));
      if (n) onPick(n);
    });
    overlay.addEventListener("keydown", (e) => {
      const n = Number(e.target?.getAttribute?.("data-n"));
      if (n && (e.key === "Enter" || e.key === " ")) {
        e.preventDefault();
        onPick(n);
      }
    });
  }
  const picture = src || picker.slot
    ? h("div", { class: "nemo-picker-frame", style: `aspect-ratio: ${w} / ${hgt}` }, h("img", { class: "nemo-picker-still", alt: "The candidates, numbered", src: src || "" }), overlay)
    : null;
  const status = picker.answered
    ? `You picked ${picker.answered}.`
    : picker.closed
      ? "Answered in the chat."
      : "Click the one you mean (or draw a box around it).";
  return h(
    "div",
    { class: `nemo-picker${open ? "" : " nemo-picker-closed"}`, "data-open": String(open) },
    picture,
    h("ol", { class: "nemo-picker-list" }, rows),
    h("div", { class: "nemo-picker-status" }, status),
    picker.still_error ? h("div", { class: "nemo-msg-note" }, `The picture could not be shown: ${picker.still_error}`) : null,
  );
}

export function messageView(m, onAction, picker = null) {
  const steps = (m.steps || []).map((s) =>
    h(
      "li",
      { class: `nemo-step nemo-step-${s.status}` },
      `${STEP_ICON[s.status] || "•"} ${s.label}${s.status === "cancelled" ? " (cancelled)" : ""}`,
      s.status === "running" && s.progress
        ? h("span", { class: "nemo-step-progress" }, " — ", h("progress", { max: 100, value: s.progress.percent }), ` ${progressText(s.progress)}`)
        : null,
    ),
  );
  const actions = (m.actions || []).map((a) =>
    h("button", { class: "nemo-button nemo-action", onclick: () => onAction(a.kind) }, a.label),
  );
  return h(
    "div",
    { class: `nemo-msg nemo-msg-${m.role}${m.pending ? " nemo-pending" : ""}` },
    steps.length ? h("ul", { class: "nemo-steps" }, steps) : null,
    m.text ? h("div", { class: "nemo-text" }, m.text) : m.pending ? h("div", { class: "nemo-text nemo-typing" }, "…") : null,
    m.silent && m.changes?.length ? h("ul", { class: "nemo-changes" }, m.changes.map((c) => h("li", {}, c))) : null,
    m.note ? h("div", { class: "nemo-msg-note" }, m.note) : null,
    m.error ? h("div", { class: "nemo-error" }, m.error) : null,
    picker,
    actions.length ? h("div", { class: "nemo-actions" }, actions) : null,
  );
}

function render({ model, el }) {
  el.classList.add("nemo-panel", "nemo-prompt");
  const errors = errorArea(model);
  const log = h("div", { class: "nemo-log", "aria-live": "polite" });
  const status = h("div", { class: "nemo-status-line" });
  const input = h("textarea", { class: "nemo-input", rows: 2, placeholder: model.get("placeholder") });
  const send = () => {
    const text = input.value.trim();
    if (!text || model.get("busy") || model.get("job") === "run") return;
    model.set("error", "");
    model.save_changes();
    model.send({ kind: "send", text });
    input.value = "";
  };
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      send();
    }
  });
  const button = h("button", { class: "nemo-button nemo-send", onclick: send }, "Send");
  const cancel = h("button", { class: "nemo-button nemo-cancel", hidden: true, onclick: () => model.send({ kind: "cancel" }) }, "Cancel");
  const onAction = (action) => model.send({ kind: "action", action });
  el.append(log, status, h("div", { class: "nemo-row" }, input, button, cancel), errors.el);

  const stop = watch(model, ["messages", "busy", "status_line", "job", "media"], () => {
    // One state, two views: while a run is the job, its Cancel button shows and the input
    // stays locked, whatever order the kernel's updates arrive in.
    const running = model.get("job") === "run";
    cancel.hidden = !running;
    const msgs = model.get("messages") || [];
    log.replaceChildren(
      ...msgs.map((m, index) => {
        if (!m.picker) return messageView(m, onAction);
        const view = pickerView(m.picker, null, (n) => model.send({ kind: "pick", index, n }));
        const img = view.querySelector(".nemo-picker-still");
        const desc = (model.get("media") || {})[m.picker.slot];
        if (img && desc) mediaUrl(model, desc).then((url) => { img.src = url; }, () => {});
        return messageView(m, onAction, view);
      }),
    );
    log.scrollTop = log.scrollHeight;
    const busy = model.get("busy") || running;
    input.disabled = busy;
    button.disabled = busy;
    status.textContent = model.get("status_line") || "";
    status.hidden = !status.textContent;
  });
  return () => {
    stop();
    errors.dispose();
  };
}

export default { render };
