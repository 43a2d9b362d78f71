// BoxSelect: scrub to a frame, drag a box around what to remove, send it with the next
// instruction ("remove this").
import { errorArea, h, normalizeBox, watch } from "./shared.js";

function render({ model, el }) {
  el.classList.add("nemo-panel", "nemo-box");
  const errors = errorArea(model);
  const video = h("video", { class: "nemo-box-video", controls: true, muted: true, playsinline: true, preload: "metadata" });
  const canvas = h("canvas", { class: "nemo-box-canvas" });
  const wrap = h("div", { class: "nemo-box-wrap" }, video, canvas);
  const info = h("span", { class: "nemo-stage" }, "Pause on a frame, then drag a box around what to remove.");
  const use = h("button", { class: "nemo-button", disabled: true }, "Use this box");
  const details = h("details", { class: "nemo-box-details" }, h("summary", {}, "Draw a box around it"), wrap, h("div", { class: "nemo-row" }, info, use), errors.el);
  el.append(details);
  let start = null;
  let box = null;

  function draw() {
    const r = video.getBoundingClientRect();
    canvas.width = r.width;
    canvas.height = r.height;
    const ctx = canvas.getContext("2d");
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    if (!box) return;
    ctx.strokeStyle = "#ff3b30";
    ctx.lineWidth = 2;
    ctx.strokeRect(box[0] * r.width, box[1] * r.height, (box[2] - box[0]) * r.width, (box[3] - box[1]) * r.height);
  }
  const pos = (e) => {
    const r = canvas.getBoundingClientRect();
    return [e.clientX - r.left, e.clientY - r.top, r.width, r.height];
  };
  canvas.addEventListener("pointerdown", (e) => {
    video.pause();
    start = pos(e);
    canvas.setPointerCapture(e.pointerId);
  });
  canvas.addEventListener("pointermove", (e) => {
    if (!start) return;
    const [x, y, w, hgt] = pos(e);
    box = normalizeBox(start[0], start[1], x, y, w, hgt);
    draw();
  });
  canvas.addEventListener("pointerup", () => {
    start = null;
    use.disabled = !box || box[2] - box[0] < 0.01 || box[3] - box[1] < 0.01;
  });
  use.addEventListener("click", () => {
    model.send({ kind: "box", box, time: video.currentTime });
    info.textContent = `Box at ${video.currentTime.toFixed(1)} s will go with your next instruction (e.g. "remove this").`;
  });
  const stop = watch(model, ["source_url"], () => {
    const src = model.get("source_url");
    if (src && video.src !== src) video.src = src;
    details.hidden = !src;
  });
  return () => {
    stop();
    errors.dispose();
  };
}

export default { render };
