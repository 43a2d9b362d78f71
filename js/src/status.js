// StatusBar: "Connecting…" then "Ready!" with the backend; credits; the registration link.
// A heartbeat: every few seconds a ping to the kernel; no answer for heartbeat_s and the line
// turns red and says what to do (a restarted or stopped kernel leaves a Studio that is only a
// picture until its cell runs again).
import { errorArea, h, watch } from "./shared.js";

export function silentFor(lastAnswer, now) {
  return Math.max(0, (now - lastAnswer) / 1000);
}

export function goneText(project, seconds) {
  const again = project ? ` — project “${project}” comes back` : "";
  return `No answer from the kernel for ${Math.round(seconds)} s: it is busy with a cell, or it was restarted or stopped. If it was restarted, run the cell that made the Studio again${again}.`;
}

function render({ model, el }) {
  el.classList.add("nemo-panel", "nemo-statusbar");
  const errors = errorArea(model);
  const status = h("span", { class: "nemo-status" });
  const credits = h("span", { class: "nemo-credits" });
  const register = h("a", { class: "nemo-register", target: "_blank", hidden: true }, "Out of credits — register to get more");
  el.append(h("div", { class: "nemo-row" }, h("strong", {}, "nemo-widgets "), status, credits, register), errors.el);
  let lastAnswer = Date.now();
  let gone = false;
  const show = () => {
    if (gone) return;
    status.textContent = model.get("status");
    status.dataset.ok = String(model.get("ok"));
  };
  const onMsg = (msg) => {
    if (msg?.kind !== "pong") return;
    lastAnswer = Date.now();
    if (gone) {
      gone = false;
      show();
    }
  };
  model.on("msg:custom", onMsg);
  const timer = setInterval(() => {
    try {
      model.send({ kind: "ping", t: Date.now() });
    } catch {
      // a closed comm: the silence below says so
    }
    const quiet = silentFor(lastAnswer, Date.now());
    if (quiet > model.get("heartbeat_s")) {
      gone = true;
      status.textContent = goneText(model.get("project"), quiet);
      status.dataset.ok = "false";
      status.classList.add("nemo-gone");
    } else {
      status.classList.remove("nemo-gone");
    }
  }, 3000);
  const stop = watch(model, ["status", "ok", "credits", "register_url"], () => {
    show();
    const c = model.get("credits") || {};
    credits.textContent = c.available !== undefined ? ` · ${c.available} credits${c.frozen ? ` (${c.frozen} reserved)` : ""}` : "";
    const url = model.get("register_url");
    register.hidden = !url;
    if (url) register.href = url;
  });
  return () => {
    stop();
    clearInterval(timer);
    model.off("msg:custom", onMsg);
    errors.dispose();
  };
}

export default { render };
