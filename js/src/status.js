// StatusBar: "Connecting…" then "Ready!" with the backend; credits; the registration link.
import { errorArea, h, watch } from "./shared.js";

function render({ model, el }) {
  el.classList.add("nemo-panel", "nemo-statusbar");
  const errors = errorArea(model);
  const status = h("span", { class: "nemo-status" });
  const credits = h("span", { class: "nemo-credits" });
  const register = h("a", { class: "nemo-register", target: "_blank", hidden: true }, "Out of credits — register to get more");
  el.append(h("div", { class: "nemo-row" }, h("strong", {}, "nemo-widgets "), status, credits, register), errors.el);
  const stop = watch(model, ["status", "ok", "credits", "register_url"], () => {
    status.textContent = model.get("status");
    status.dataset.ok = String(model.get("ok"));
    const c = model.get("credits") || {};
    credits.textContent = c.available !== undefined ? ` · ${c.available} credits${c.frozen ? ` (${c.frozen} reserved)` : ""}` : "";
    const url = model.get("register_url");
    register.hidden = !url;
    if (url) register.href = url;
  });
  return () => {
    stop();
    errors.dispose();
  };
}

export default { render };
