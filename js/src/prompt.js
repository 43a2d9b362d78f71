// PromptPanel: the chat. Replies stream in; tool calls are progress steps, not chat text; GUI
// phrases ("click the Export button") become buttons; Enter sends; input waits during a run.
import { errorArea, formatTime, h, watch } from "./shared.js";

const STEP_ICON = { running: "⏳", done: "✓", failed: "✗", cancelled: "■" };

/** "42 % · frame 21 of 50 · 0:05 left" for a step's progress. */
export function progressText(p) {
  if (!p) return "";
  const parts = [`${Math.round(p.percent)} %`];
  if (p.frames != null && p.total_frames) parts.push(`frame ${p.frames} of ${p.total_frames}`);
  if (p.eta_s != null) parts.push(`${formatTime(Math.max(0, Math.round(p.eta_s)))} left`);
  return parts.join(" · ");
}

export function messageView(m, onAction) {
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

  const stop = watch(model, ["messages", "busy", "status_line", "job"], () => {
    // One state, two views: while a run is the job, its Cancel button shows and the input
    // stays locked, whatever order the kernel's updates arrive in.
    const running = model.get("job") === "run";
    cancel.hidden = !running;
    const msgs = model.get("messages") || [];
    log.replaceChildren(...msgs.map((m) => messageView(m, onAction)));
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
