// Helpers shared by the panels. Pure functions are unit-tested with vitest.

export const VIDEO = ["mp4", "mov", "avi", "webm", "mkv"];
export const IMAGE = ["jpg", "jpeg", "png", "gif", "webp"];
export const AUDIO = ["mp3", "wav", "m4a", "aac"];
export const FORMATS_TEXT =
  "video mp4 mov avi webm mkv; image jpg png gif webp; audio mp3 wav m4a aac";

/** A DOM element: h("div", {class: "x", onclick: fn}, child, "text", …). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = v;
    else if (k === "style" && typeof v === "object") Object.assign(el.style, v);
    else if (k in el && typeof v !== "string") el[k] = v;
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** The protocol's checks before anything is sent: null when fine, else the message. */
export function checkFile(name, size, maxBytes = 500 * 1024 * 1024) {
  const ext = (name.includes(".") ? name.split(".").pop() : "").toLowerCase();
  if (![...VIDEO, ...IMAGE, ...AUDIO].includes(ext)) {
    return `${name}: unsupported file type .${ext || "?"}; supported formats: ${FORMATS_TEXT}`;
  }
  if (size > maxBytes) {
    return `${name} is ${Math.round(size / 2 ** 20)} MB, over the ${Math.round(
      maxBytes / 2 ** 20,
    )} MB limit — compress the file or trim it first`;
  }
  if (size <= 0) return `${name} is empty (0 bytes)`;
  return null;
}

/** Byte offsets of the chunks of a file. */
export function chunkOffsets(size, chunk) {
  const out = [];
  for (let off = 0; off < size; off += chunk) out.push(off);
  return out;
}

export function formatBytes(n) {
  if (!Number.isFinite(n) || n < 0) return "";
  const units = ["B", "KB", "MB", "GB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n >= 10 || i === 0 ? Math.round(n) : n.toFixed(1)} ${units[i]}`;
}

/** 0:05, 1:02.5, 1:00:03 */
export function formatTime(seconds) {
  if (!Number.isFinite(seconds) || seconds < 0) return "";
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const ss = Number.isInteger(Math.round(s * 10) / 10) ? String(Math.round(s)) : s.toFixed(1);
  const pad = (x) => (Number.parseFloat(x) < 10 ? `0${x}` : x);
  return h ? `${h}:${String(m).padStart(2, "0")}:${pad(ss)}` : `${m}:${pad(ss)}`;
}

/** Bars of a timeline: each segment's left/width in % of the timeline's duration. */
export function layoutTimeline(tracks, durationMs) {
  const total = Math.max(durationMs || 0, 1);
  return (tracks || []).map((t) => ({
    ...t,
    bars: (t.segments || []).map((s) => ({
      ...s,
      left: (100 * Math.max(0, s.start)) / total,
      width: Math.max(0.5, (100 * Math.max(0, s.end - s.start)) / total),
    })),
  }));
}

/** A box dragged from (x0, y0) to (x1, y1) in pixels → [x0, y0, x1, y1] in 0..1, ordered. */
export function normalizeBox(x0, y0, x1, y1, width, height) {
  const cl = (v, m) => Math.min(Math.max(v / m, 0), 1);
  const a = [cl(Math.min(x0, x1), width), cl(Math.min(y0, y1), height)];
  const b = [cl(Math.max(x0, x1), width), cl(Math.max(y0, y1), height)];
  return [a[0], a[1], b[0], b[1]];
}

/**
 * Where the picture is inside a <video> laid out with object-fit: contain: the element's
 * content box (width × height) minus the letterbox/pillarbox bars. {x, y, w, h} in CSS px.
 */
export function contentRect(width, height, videoWidth, videoHeight) {
  if (!(videoWidth > 0 && videoHeight > 0 && width > 0 && height > 0)) return { x: 0, y: 0, w: width, h: height };
  const scale = Math.min(width / videoWidth, height / videoHeight);
  const w = videoWidth * scale;
  const h = videoHeight * scale;
  return { x: (width - w) / 2, y: (height - h) / 2, w, h };
}

/** A box dragged between two points (CSS px, relative to the element) → [x0, y0, x1, y1] in
 * 0..1 of the picture (the rect from contentRect), clamped to it. */
export function boxInPicture(rect, x0, y0, x1, y1) {
  return normalizeBox(x0 - rect.x, y0 - rect.y, x1 - rect.x, y1 - rect.y, rect.w, rect.h);
}

/** Does this browser play H.264 MP4? (VS Code's notebook renderer does not.) */
export function playsH264(video) {
  return Boolean(video?.canPlayType?.('video/mp4; codecs="avc1.640028"'));
}

/** The error area every panel has: tracebacks and messages appear under the widget. */
export function errorArea(model) {
  const el = h("div", { class: "nemo-error", role: "alert" });
  const update = () => {
    const msg = model.get("error");
    el.textContent = msg || "";
    el.hidden = !msg;
  };
  model.on("change:error", update);
  update();
  return { el, dispose: () => model.off("change:error", update) };
}

/** Subscribe to trait changes; returns a function that unsubscribes all of them. */
export function watch(model, names, fn) {
  const events = names.map((n) => `change:${n}`);
  for (const e of events) model.on(e, fn);
  fn();
  return () => {
    for (const e of events) model.off(e, fn);
  };
}

/** Send a custom message and wait for the reply that `match` accepts. */
export function request(model, content, match, buffers = [], timeoutMs = 60_000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      model.off("msg:custom", onMsg);
      reject(new Error("the kernel did not answer; is it still running?"));
    }, timeoutMs);
    function onMsg(msg, replyBuffers) {
      if (!match(msg)) return;
      clearTimeout(timer);
      model.off("msg:custom", onMsg);
      if (replyBuffers?.length) Object.defineProperty(msg, "buffers", { value: replyBuffers });
      resolve(msg);
    }
    model.on("msg:custom", onMsg);
    model.send(content, undefined, buffers);
  });
}

const mediaCache = new WeakMap();

/**
 * The bytes the kernel offers in a media slot (``{id, size, mime}``), pulled over the widget's
 * comm chunk by chunk (each reply well under the Jupyter server's 10 MiB message limit) and
 * returned as a blob: URL. Nothing is fetched from the engine's address, so this works when
 * the kernel runs on another machine (Colab, JupyterHub, SSH). Cached per model and id.
 */
export function mediaUrl(model, desc, onProgress = () => {}) {
  if (!desc || !desc.id) return Promise.resolve("");
  let cache = mediaCache.get(model);
  if (!cache) mediaCache.set(model, (cache = new Map()));
  if (!cache.has(desc.id)) {
    const job = (async () => {
      const parts = [];
      let offset = 0;
      while (offset < desc.size) {
        const at = offset;
        const reply = await request(
          model,
          { kind: "media-get", id: desc.id, offset: at },
          (m) => m?.id === desc.id && m.offset === at && ["media-chunk", "media-error"].includes(m.kind),
          [],
          120_000,
        );
        if (reply.kind === "media-error") throw new Error(reply.message);
        const buf = reply.buffers?.[0];
        const n = buf ? buf.byteLength : 0;
        if (!n) throw new Error("the kernel sent an empty chunk");
        parts.push(buf);
        offset += n;
        onProgress(offset, desc.size);
      }
      return URL.createObjectURL(new Blob(parts, { type: desc.mime || "application/octet-stream" }));
    })();
    job.catch(() => cache.delete(desc.id));
    cache.set(desc.id, job);
  }
  return cache.get(desc.id);
}

/** Show media slot ``slot`` of ``model`` in ``el`` (a <video>/<img>) when it changes. */
export function bindMedia(model, slot, el, onReady = () => {}, onError = () => {}) {
  let current = null;
  return () => {
    const desc = (model.get("media") || {})[slot];
    const id = desc?.id || null;
    if (id === current) return;
    current = id;
    if (!id) {
      el.removeAttribute("src");
      onReady(null);
      return;
    }
    mediaUrl(model, desc).then(
      (url) => {
        if (current !== id) return;
        el.src = url;
        onReady(desc);
      },
      (e) => onError(e),
    );
  };
}
