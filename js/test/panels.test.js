import { describe, expect, it, vi } from "vitest";
import prompt, { messageView, pickerView } from "../src/prompt.js";
import timeline from "../src/timeline.js";
import box, { maskFits } from "../src/box.js";
import { sendFile } from "../src/upload.js";
import { fakeModel } from "./fake-model.js";

describe("prompt", () => {
  it("shows tool calls as steps, not chat text, and GUI phrases as buttons", () => {
    const clicked = [];
    const el = messageView({ role: "assistant", text: "Done. Click Export.", steps: [{ id: "1", label: "Trimming", status: "done" }], actions: [{ kind: "export", label: "Export" }] }, (a) => clicked.push(a));
    expect(el.querySelector(".nemo-steps").textContent).toContain("✓ Trimming");
    expect(el.querySelector(".nemo-text").textContent).toBe("Done. Click Export.");
    el.querySelector(".nemo-action").click();
    expect(clicked).toEqual(["export"]);
  });

  it("sends on Enter, not on Shift+Enter, and waits while a run is in progress", () => {
    const model = fakeModel({ messages: [], status_line: "", placeholder: "" });
    const el = document.createElement("div");
    prompt.render({ model, el });
    const input = el.querySelector("textarea");
    input.value = "blur the background";
    input.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", shiftKey: true }));
    expect(model.sent).toHaveLength(0);
    input.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter" }));
    expect(model.sent[0].content).toEqual({ kind: "send", text: "blur the background" });
    model.set("busy", true);
    expect(input.disabled).toBe(true);
    model.set("messages", [{ role: "user", text: "hi" }, { role: "assistant", text: "", pending: true, steps: [] }]);
    expect(el.querySelectorAll(".nemo-msg")).toHaveLength(2);
    model.set("error", "Out of credits");
    expect(el.querySelector(".nemo-error").textContent).toBe("Out of credits");
  });
});

describe("upload protocol", () => {
  it("sends a file in acknowledged chunks, in order", async () => {
    const received = [];
    const model = fakeModel({ max_bytes: 500 * 2 ** 20, chunk_bytes: 4 }, (c, buffers, reply) => {
      if (c.kind === "upload-start") reply({ kind: "upload-ack", id: c.id, received: 0 });
      if (c.kind === "upload-chunk") {
        received.push(...new Uint8Array(buffers[0]));
        reply({ kind: "upload-ack", id: c.id, received: received.length });
      }
      if (c.kind === "upload-end") reply({ kind: "upload-done", id: c.id, files: [{ filename: "a.mp4" }] });
    });
    const file = new File([new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])], "a.mp4", { type: "video/mp4" });
    const progress = [];
    const files = await sendFile(model, file, (d) => progress.push(d));
    expect(received).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(model.sent.filter((m) => m.content.kind === "upload-chunk").map((m) => m.content.offset)).toEqual([0, 4, 8]);
    expect(progress).toEqual([4, 8, 10]);
    expect(files).toEqual([{ filename: "a.mp4" }]);
  });

  it("refuses a wrong file before sending anything", async () => {
    const model = fakeModel({ max_bytes: 100, chunk_bytes: 4 });
    await expect(sendFile(model, new File(["x"], "notes.txt"))).rejects.toThrow(/unsupported file type/);
    await expect(sendFile(model, new File([new Uint8Array(200)], "big.mp4"))).rejects.toThrow(/over the 0 MB limit|limit/);
    expect(model.sent).toHaveLength(0);
  });

  it("stops between chunks when cancelled, and tells the kernel to drop the part", async () => {
    const model = fakeModel({ max_bytes: 500, chunk_bytes: 4 }, (c, _b, reply) => {
      if (c.kind === "upload-start") reply({ kind: "upload-ack", id: c.id, received: 0 });
      if (c.kind === "upload-chunk") reply({ kind: "upload-ack", id: c.id, received: c.offset + 4 });
    });
    let chunks = 0;
    const cancelled = () => chunks >= 1;
    const file = new File([new Uint8Array(12)], "a.mp4", { type: "video/mp4" });
    await expect(sendFile(model, file, () => chunks++, cancelled)).rejects.toThrow(/cancelled/);
    const kinds = model.sent.map((m) => m.content.kind);
    expect(kinds).toEqual(["upload-start", "upload-chunk", "upload-cancel"]);
  });

  it("stops on a kernel error", async () => {
    const model = fakeModel({ max_bytes: 500, chunk_bytes: 4 }, (c, _b, reply) => reply({ kind: "upload-error", id: c.id, message: "disk full" }));
    await expect(sendFile(model, new File([new Uint8Array(8)], "a.mp4"))).rejects.toThrow("disk full");
  });
});

describe("prompt while a run is the job", () => {
  it("keeps the input locked and Cancel shown until the job is over, whatever the order", () => {
    const model = fakeModel({ messages: [], status_line: "", placeholder: "", job: "run", busy: true });
    const el = document.createElement("div");
    prompt.render({ model, el });
    const input = el.querySelector("textarea");
    const cancel = el.querySelector(".nemo-cancel");
    expect(cancel.hidden).toBe(false);
    model.set("busy", false); // "cancelled" before the job's end: still locked, Cancel still shown
    expect(input.disabled).toBe(true);
    expect(cancel.hidden).toBe(false);
    model.set("job", "");
    expect(input.disabled).toBe(false);
    expect(cancel.hidden).toBe(true);
  });

  it("marks a cancelled step, without its last percentage", () => {
    const el = messageView({ role: "assistant", text: "Cancelled", steps: [{ id: "1", label: "Removing the object", status: "cancelled" }] }, () => {});
    expect(el.querySelector(".nemo-step").textContent).toBe("■ Removing the object (cancelled)");
    expect(el.querySelector(".nemo-step-progress")).toBeNull();
  });
});

describe("timeline thumbnails", () => {
  it("pulls each clip's thumbnail over the comm and shows it on the clip", async () => {
    const jpeg = new Uint8Array([255, 216, 255, 217]);
    const model = fakeModel(
      {
        group: "g",
        summary: "Timeline",
        table_html: "",
        changes: [],
        duration_ms: 2000,
        media: { "thumb-f_1-500": { id: "m1", size: 4, mime: "image/jpeg" } },
        tracks: [{ kind: "video", segments: [{ start: 0, end: 2000, label: "clip", effects: [], thumb: "thumb-f_1-500" }] }],
      },
      (c, _b, reply) => {
        if (c.kind === "media-get") reply({ kind: "media-chunk", id: c.id, offset: c.offset, buffers: [jpeg.buffer] });
      },
    );
    globalThis.URL.createObjectURL = () => "blob:thumb";
    const el = document.createElement("div");
    timeline.render({ model, el });
    const img = el.querySelector(".nemo-bar img.nemo-bar-thumb");
    expect(img).not.toBeNull();
    expect(model.sent.map((m) => m.content)).toEqual([{ kind: "media-get", id: "m1", offset: 0 }]);
    await vi.waitFor(() => expect(img.src).toBe("blob:thumb"));
    expect(el.querySelector(".nemo-bar-label").textContent).toBe("clip");
  });
});

describe("timeline quick preview", () => {
  it("keeps the preview's place from the first clip on, so its arrival moves nothing below", () => {
    const base = { group: "g", summary: "", table_html: "", changes: [], duration_ms: 0, media: {}, tracks: [], quick: true };
    const model = fakeModel(base);
    const el = document.createElement("div");
    timeline.render({ model, el });
    const box = el.querySelector(".nemo-timeline-quick");
    expect(box.hidden).toBe(true); // nothing on the timeline yet
    model.set("tracks", [{ kind: "video", segments: [{ start: 0, end: 2000, label: "clip", effects: [] }] }]);
    expect(box.hidden).toBe(false);
    expect(el.querySelector(".nemo-timeline-preview-label").textContent).toContain("Rendering");
    const off = fakeModel({ ...base, quick: false, tracks: [{ kind: "video", segments: [{ start: 0, end: 2000, label: "clip", effects: [] }] }] });
    const el2 = document.createElement("div");
    timeline.render({ model: off, el: el2 });
    expect(el2.querySelector(".nemo-timeline-quick").hidden).toBe(true); // no previews coming
  });
});

describe("candidate picker", () => {
  const picker = {
    width: 320,
    height: 180,
    candidates: [
      { n: 1, description: "the red thing on the right", outline: [[230, 100], [290, 100], [260, 150]] },
      { n: 2, description: "the blue thing on the left", outline: [[30, 110], [70, 110], [70, 150], [30, 150]] },
    ],
    answered: null,
    closed: false,
    slot: "still-x",
  };

  it("draws each outline in the video's pixels and picks by click", () => {
    const picked = [];
    const el = pickerView(picker, "blob:x", (n) => picked.push(n));
    const svg = el.querySelector("svg");
    expect(svg.getAttribute("viewBox")).toBe("0 0 320 180");
    const polys = el.querySelectorAll("polygon");
    expect(polys).toHaveLength(2);
    expect(polys[1].getAttribute("points")).toBe("30,110 70,110 70,150 30,150");
    polys[1].dispatchEvent(new MouseEvent("click", { bubbles: true }));
    el.querySelectorAll(".nemo-cand-pick")[0].click();
    expect(picked).toEqual([2, 1]);
  });

  it("is closed once answered", () => {
    const picked = [];
    const el = pickerView({ ...picker, answered: 2, closed: true }, "blob:x", (n) => picked.push(n));
    el.querySelector("polygon[data-n='1']").dispatchEvent(new MouseEvent("click", { bubbles: true }));
    el.querySelectorAll(".nemo-cand-pick")[0].click();
    expect(picked).toEqual([]);
    expect(el.querySelector("polygon[data-n='2']").getAttribute("class")).toContain("nemo-cand-chosen");
    expect(el.querySelector(".nemo-picker-status").textContent).toBe("You picked 2.");
  });

  it("sends the pick with its message over the comm", () => {
    const model = fakeModel({ messages: [{ role: "assistant", text: "Which one?", steps: [], picker }], status_line: "", placeholder: "", media: {} });
    const el = document.createElement("div");
    prompt.render({ model, el });
    el.querySelector("polygon[data-n='2']").dispatchEvent(new MouseEvent("click", { bubbles: true }));
    expect(model.sent.at(-1).content).toEqual({ kind: "pick", index: 0, n: 2 });
  });
});

describe("mask preview", () => {
  it("shows a mask only for the box it was made for", () => {
    const desc = { id: "m", box: [0.1, 0.2, 0.3, 0.4] };
    expect(maskFits(desc, [0.1, 0.2, 0.3, 0.4])).toBe(true);
    expect(maskFits(desc, [0.1, 0.2, 0.3, 0.5])).toBe(false);
    expect(maskFits(null, [0.1, 0.2, 0.3, 0.4])).toBe(false);
    expect(maskFits(desc, null)).toBe(false);
  });
});

describe("box panel", () => {
  it("renders (with its mask line hidden until a mask comes)", () => {
    const model = fakeModel({ media: {}, clip: {} });
    const el = document.createElement("div");
    box.render({ model, el });
    expect(el.querySelector(".nemo-box-mask-info").hidden).toBe(true);
  });
});
