// BoxSelect: scrub to a frame, drag a box around what to remove, send it with the next
// instruction ("remove this").
//
// The box is measured against the *picture*, not the element: the video is laid out with
// object-fit: contain, so bars (letterbox/pillarbox) may surround it; the player has no native
// controls over the picture (a scrub bar sits below it instead), and the canvas covers exactly
// the video element. Pointer → element px → picture rect (contentRect) → 0..1 of the clip.
import { bindMedia, boxInPicture, contentRect, errorArea, formatTime, h, mediaUrl, watch } from "./shared.js";

/** Whether the mask described by ``desc`` was made for ``box`` (the box being shown). */
export function maskFits(desc, box) {
  if (!desc || !box || !Array.isArray(desc.box) || desc.box.length !== 4) return false;
  return desc.box.every((v, i) => Math.abs(v - box[i]) < 1e-6);
}

function render({ model, el }) {
  el.classList.add("nemo-panel", "nemo-box");
  const errors = errorArea(model);
  const video = h("video", { class: "nemo-box-video", muted: true, playsinline: true, preload: "auto" });
  const canvas = h("canvas", { class: "nemo-box-canvas" });
  const stage = h("div", { class: "nemo-box-stage" }, video, canvas);
  const play = h("button", { class: "nemo-button nemo-box-play", type: "button" }, "▶");
  const scrub = h("input", { class: "nemo-box-scrub", type: "range", min: 0, max: 0, step: 0.01, value: 0 });
  const clock = h("span", { class: "nemo-box-clock" }, "0:00");
  const info = h("span", { class: "nemo-stage nemo-box-info" }, "Pause on a frame, then drag a box around what to remove.");
  const use = h("button", { class: "nemo-button nemo-box-use", disabled: true }, "Use this box");
  const loading = h("div", { class: "nemo-stage nemo-box-loading" }, "Loading the clip…");
  // The mask the removal will use for the drawn box (embedded engine only): an RGBA PNG the
  // clip's size, drawn over the picture rect.
  const maskInfo = h("span", { class: "nemo-stage nemo-box-mask-info", hidden: true });
  const details = h(
    "details",
    { class: "nemo-box-details" },
    h("summary", {}, "Draw a box around it"),
    loading,
    stage,
    h("div", { class: "nemo-row nemo-box-controls" }, play, scrub, clock),
    h("div", { class: "nemo-row" }, info, use),
    maskInfo,
    errors.el,
  );
  el.append(details);
  let start = null;
  let box = null;
  let mask = null; // { desc, img }

  const picture = () => {
    const r = video.getBoundingClientRect();
    return { r, rect: contentRect(r.width, r.height, video.videoWidth, video.videoHeight) };
  };

  function draw() {
    const { r, rect } = picture();
    const dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(r.width * dpr);
    canvas.height = Math.round(r.height * dpr);
    const ctx = canvas.getContext("2d");
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, r.width, r.height);
    if (!box) return;
    const [x0, y0, x1, y1] = box;
    ctx.strokeStyle = "#ff3b30";
    ctx.lineWidth = 2;
    ctx.fillStyle = "rgba(255, 59, 48, 0.18)";
    const args = [rect.x + x0 * rect.w, rect.y + y0 * rect.h, (x1 - x0) * rect.w, (y1 - y0) * rect.h];
    if (mask && maskFits(mask.desc, box)) {
      ctx.drawImage(mask.img, rect.x, rect.y, rect.w, rect.h);
    } else {
      ctx.fillRect(...args);
    }
    ctx.strokeRect(...args);
  }
  const pos = (e) => {
    const r = video.getBoundingClientRect();
    return [e.clientX - r.left, e.clientY - r.top];
  };
  const pixels = (b) => {
    const clip = model.get("clip") || {};
    const w = clip.width || video.videoWidth;
    const hh = clip.height || video.videoHeight;
    return `${Math.round(b[0] * w)},${Math.round(b[1] * hh)} – ${Math.round(b[2] * w)},${Math.round(b[3] * hh)} px of ${w}×${hh}`;
  };
  canvas.addEventListener("pointerdown", (e) => {
    video.pause();
    mask = null;
    maskInfo.hidden = true;
    start = pos(e);
    canvas.setPointerCapture?.(e.pointerId);
  });
  canvas.addEventListener("pointermove", (e) => {
    if (!start) return;
    const [x, y] = pos(e);
    box = boxInPicture(picture().rect, start[0], start[1], x, y);
    draw();
  });
  canvas.addEventListener("pointerup", () => {
    start = null;
    const okBox = box && box[2] - box[0] >= 0.01 && box[3] - box[1] >= 0.01;
    use.disabled = !okBox;
    if (okBox) {
      info.textContent = `Box ${pixels(box)} at ${formatTime(video.currentTime)}`;
      model.send({ kind: "preview", box, time: video.currentTime });
    }
  });
  use.addEventListener("click", () => {
    model.send({ kind: "box", box, time: video.currentTime });
    info.textContent = `Box ${pixels(box)} at ${formatTime(video.currentTime)} goes with your next instruction (e.g. "remove this").`;
  });
  play.addEventListener("click", () => (video.paused ? video.play() : video.pause()));
  video.addEventListener("play", () => (play.textContent = "⏸"));
  video.addEventListener("pause", () => (play.textContent = "▶"));
  video.addEventListener("loadedmetadata", () => {
    scrub.max = String(video.duration || 0);
    loading.hidden = true;
    draw();
  });
  video.addEventListener("timeupdate", () => {
    scrub.value = String(video.currentTime);
    clock.textContent = formatTime(video.currentTime);
  });
  scrub.addEventListener("input", () => {
    video.pause();
    video.currentTime = Number(scrub.value);
  });
  const resize = typeof ResizeObserver === "function" ? new ResizeObserver(() => draw()) : null;
  resize?.observe(video);

  const showSource = bindMedia(
    model,
    "source",
    video,
    (desc) => {
      details.hidden = !desc;
      box = null;
      use.disabled = true;
      draw();
    },
    (e) => {
      loading.textContent = `Could not load the clip: ${e.message || e}`;
    },
  );
  let maskId = null;
  const showMask = () => {
    const desc = (model.get("media") || {}).mask;
    const id = desc?.id || null;
    if (id === maskId) return;
    maskId = id;
    if (!desc) return;
    mediaUrl(model, desc).then(
      (url) => {
        if (maskId !== id) return;
        const img = new Image();
        img.onload = () => {
          if (maskId !== id || !maskFits(desc, box)) return;
          mask = { desc, img };
          const pct = Math.round(100 * (desc.share || 0) * 10) / 10;
          const what = desc.label && desc.label !== "selection" ? ` (it matched a ${desc.label.replace(/_/g, " ")})` : "";
          maskInfo.textContent = `Blue: what the removal will fill on this frame, ${pct} % of the picture${what}.`;
          maskInfo.hidden = false;
          draw();
        };
        img.src = url;
      },
      () => {},
    );
  };
  details.hidden = true;
  const stop = watch(model, ["media"], () => {
    showSource();
    showMask();
  });
  return () => {
    stop();
    resize?.disconnect();
    errors.dispose();
  };
}

export default { render };
