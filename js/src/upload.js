// UploadPanel: drop or pick files; they travel to the kernel in chunks (binary buffers, one
// ack per chunk), so hundreds of MB go through where the stock FileUpload dies silently.
import {
  checkFile,
  chunkOffsets,
  errorArea,
  formatBytes,
  formatTime,
  h,
  request,
  watch,
} from "./shared.js";

async function thumbnail(file) {
  // Best effort: a file with no preview (or an environment without one) still uploads.
  if (typeof URL.createObjectURL !== "function") return null;
  const url = URL.createObjectURL(file);
  try {
    const isImage = file.type.startsWith("image/");
    const media = isImage ? new Image() : document.createElement("video");
    await new Promise((resolve, reject) => {
      media.onerror = () => reject(new Error("no preview"));
      if (isImage) media.onload = resolve;
      else {
        media.muted = true;
        media.preload = "auto";
        media.onloadeddata = () => {
          media.onseeked = resolve;
          media.currentTime = Math.min(0.5, (media.duration || 1) / 2);
        };
      }
      media.src = url;
      setTimeout(() => reject(new Error("timeout")), 5000);
    });
    const w = isImage ? media.naturalWidth : media.videoWidth;
    const hgt = isImage ? media.naturalHeight : media.videoHeight;
    if (!w || !hgt) return null;
    const canvas = document.createElement("canvas");
    canvas.width = 160;
    canvas.height = Math.round((160 * hgt) / w);
    canvas.getContext("2d").drawImage(media, 0, 0, canvas.width, canvas.height);
    return canvas.toDataURL("image/jpeg", 0.7);
  } catch {
    return null;
  } finally {
    URL.revokeObjectURL(url);
  }
}

function readBlob(blob) {
  if (typeof blob.arrayBuffer === "function") return blob.arrayBuffer();
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(reader.error);
    reader.readAsArrayBuffer(blob);
  });
}

export async function sendFile(model, file, onProgress = () => {}, cancelled = () => false) {
  const problem = checkFile(file.name, file.size, model.get("max_bytes"));
  if (problem) throw new Error(problem);
  const id = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const isReply = (m) => m?.id === id && ["upload-ack", "upload-error"].includes(m.kind);
  let reply = await request(model, { kind: "upload-start", id, name: file.name, size: file.size }, isReply);
  if (reply.kind === "upload-error") throw new Error(reply.message);
  const chunk = model.get("chunk_bytes");
  for (const offset of chunkOffsets(file.size, chunk)) {
    const buf = await readBlob(file.slice(offset, offset + chunk));
    if (cancelled()) {
      model.send({ kind: "upload-cancel", id });
      throw new Error("Upload cancelled; nothing was added.");
    }
    reply = await request(model, { kind: "upload-chunk", id, offset }, isReply, [buf]);
    if (reply.kind === "upload-error") throw new Error(reply.message);
    onProgress(reply.received, file.size);
  }
  const thumb = await thumbnail(file);
  const done = await request(
    model,
    { kind: "upload-end", id, thumbnail: thumb },
    (m) => m?.id === id && ["upload-done", "upload-error"].includes(m.kind),
    [],
    30 * 60_000,
  );
  if (done.kind === "upload-error") throw new Error(done.message);
  return done.files;
}

function fileRow(f, onTimeline, add) {
  const inBin = f.file_type === "video" && f.file_id && !onTimeline.includes(f.file_id);
  const facts = [
    f.duration ? formatTime(f.duration) : null,
    f.width ? `${f.width}×${f.height}` : null,
    f.fps ? `${Math.round(f.fps * 100) / 100} fps` : null,
    f.size ? formatBytes(f.size) : null,
  ].filter(Boolean);
  return h(
    "li",
    { class: "nemo-file" },
    f.thumbnail ? h("img", { src: f.thumbnail, alt: "", class: "nemo-thumb" }) : h("span", { class: "nemo-thumb nemo-thumb-empty" }, f.file_type || ""),
    h("span", { class: "nemo-file-name" }, f.filename),
    h("span", { class: "nemo-file-facts" }, facts.join(" · ")),
    f.file_type === "video"
      ? inBin
        ? h("button", { class: "nemo-button nemo-add", onclick: () => add(f) }, "Add to timeline")
        : h("span", { class: "nemo-on-timeline" }, "on the timeline")
      : null,
  );
}

function render({ model, el }) {
  el.classList.add("nemo-panel", "nemo-upload");
  const errors = errorArea(model);
  const input = h("input", { type: "file", multiple: true, accept: model.get("accept"), class: "nemo-file-input", hidden: true });
  const bar = h("progress", { class: "nemo-progress", max: 1, value: 0 });
  const stage = h("span", { class: "nemo-stage" });
  const list = h("ul", { class: "nemo-files" });
  const path = h("input", { type: "text", class: "nemo-path", placeholder: "…or a server path or URL" });
  const localError = (msg) => {
    model.set("error", msg);
    model.save_changes();
  };

  let sending = false;
  let stopRequested = false;
  const cancel = h("button", { class: "nemo-button nemo-cancel", hidden: true, onclick: () => {
    if (sending) stopRequested = true;
    else model.send({ kind: "cancel" });
  } }, "Cancel");
  async function sendAll(files) {
    sending = true;
    stopRequested = false;
    cancel.hidden = false;
    try {
      for (const file of files) {
        try {
          await sendFile(model, file, (done, total) => {
            bar.value = (0.5 * done) / total;
            stage.textContent = `sending ${file.name} ${formatBytes(done)} / ${formatBytes(total)}`;
          }, () => stopRequested);
        } catch (e) {
          localError(String(e.message || e));
          stage.textContent = "";
          break;
        }
      }
    } finally {
      sending = false;
      cancel.hidden = model.get("job") !== "upload";
    }
  }

  const drop = h(
    "div",
    {
      class: "nemo-drop",
      tabindex: 0,
      ondragover: (e) => {
        e.preventDefault();
        drop.classList.add("nemo-drop-over");
      },
      ondragleave: () => drop.classList.remove("nemo-drop-over"),
      ondrop: (e) => {
        e.preventDefault();
        drop.classList.remove("nemo-drop-over");
        sendAll([...e.dataTransfer.files]);
      },
      onclick: () => input.click(),
      onkeydown: (e) => (e.key === "Enter" || e.key === " ") && input.click(),
    },
    h("strong", {}, "Drop clips, images or music here"),
    h("span", {}, " or click to pick files (up to 500 MB each)"),
  );
  input.addEventListener("change", () => {
    sendAll([...input.files]);
    input.value = "";
  });
  const pathButton = h("button", {
    class: "nemo-button",
    onclick: () => {
      if (path.value.trim()) model.send({ kind: "upload-path", path: path.value.trim() });
      path.value = "";
    },
  }, "Upload");
  el.append(drop, input, h("div", { class: "nemo-row" }, path, pathButton), h("div", { class: "nemo-row" }, bar, stage, cancel), list, errors.el);

  const add = (f) => model.send({ kind: "add_to_timeline", filename: f.filename });
  const stop = watch(model, ["files", "progress", "stage", "busy", "job", "on_timeline"], () => {
    cancel.hidden = !sending && model.get("job") !== "upload";
    bar.value = model.get("progress");
    bar.hidden = !model.get("busy") && !model.get("stage");
    const st = model.get("stage");
    if (st === "uploading") stage.textContent = "uploading to the service…";
    else if (!st) stage.textContent = "";
    const on = model.get("on_timeline") || [];
    list.replaceChildren(...model.get("files").map((f) => fileRow(f, on, add)));
  });
  return () => {
    stop();
    errors.dispose();
  };
}

export default { render };
