import { describe, expect, it } from "vitest";
import { boxInPicture, checkFile, chunkOffsets, contentRect, formatBytes, formatTime, layoutTimeline, normalizeBox } from "../src/shared.js";

describe("checkFile", () => {
  it("accepts the protocol's formats", () => {
    for (const n of ["a.mp4", "b.MOV", "c.webm", "d.jpg", "e.png", "f.mp3", "g.m4a"]) expect(checkFile(n, 10)).toBeNull();
  });
  it("refuses other types with the format list", () => {
    expect(checkFile("notes.docx", 10)).toMatch(/unsupported file type \.docx; supported formats: video mp4/);
    expect(checkFile("noext", 10)).toMatch(/\.\?/);
  });
  it("refuses files over the limit and empty ones", () => {
    expect(checkFile("big.mp4", 600 * 2 ** 20)).toMatch(/600 MB, over the 500 MB limit/);
    expect(checkFile("empty.mp4", 0)).toMatch(/empty/);
  });
});

describe("chunking and formatting", () => {
  it("covers the file exactly", () => {
    expect(chunkOffsets(10, 4)).toEqual([0, 4, 8]);
    expect(chunkOffsets(8, 4)).toEqual([0, 4]);
    expect(chunkOffsets(0, 4)).toEqual([]);
  });
  it("formats sizes and times", () => {
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(1536)).toBe("1.5 KB");
    expect(formatBytes(250 * 2 ** 20)).toBe("250 MB");
    expect(formatTime(5)).toBe("0:05");
    expect(formatTime(62.5)).toBe("1:02.5");
    expect(formatTime(3605)).toBe("1:00:05");
  });
});

describe("layoutTimeline", () => {
  it("places bars in percent of the duration", () => {
    const [video] = layoutTimeline([{ kind: "video", segments: [{ start: 2500, end: 7500 }] }], 10000);
    expect(video.bars[0].left).toBe(25);
    expect(video.bars[0].width).toBe(50);
  });
  it("keeps tiny segments visible and survives an empty draft", () => {
    expect(layoutTimeline([{ segments: [{ start: 0, end: 1 }] }], 100000)[0].bars[0].width).toBe(0.5);
    expect(layoutTimeline([], 0)).toEqual([]);
  });
});

describe("normalizeBox", () => {
  it("orders corners and clamps to the frame", () => {
    expect(normalizeBox(300, 200, 100, 50, 400, 400)).toEqual([0.25, 0.125, 0.75, 0.5]);
    expect(normalizeBox(-10, -10, 500, 500, 400, 400)).toEqual([0, 0, 1, 1]);
  });
});

describe("box in the picture, not the player", () => {
  it("finds the letterbox and pillarbox bars of object-fit: contain", () => {
    // 640×360 element, 360×640 portrait clip: pillarboxed, picture 202.5 px wide, centred.
    expect(contentRect(640, 360, 360, 640)).toEqual({ x: 218.75, y: 0, w: 202.5, h: 360 });
    // 640×360 element, 400×300 clip: pillarboxed; 1920×1080 clip: fills it exactly.
    expect(contentRect(640, 360, 400, 300)).toEqual({ x: 80, y: 0, w: 480, h: 360 });
    expect(contentRect(640, 360, 1920, 1080)).toEqual({ x: 0, y: 0, w: 640, h: 360 });
    // 640×480 element, 16:9 clip: letterboxed top and bottom.
    expect(contentRect(640, 480, 1280, 720)).toEqual({ x: 0, y: 60, w: 640, h: 360 });
    // No metadata yet: the whole element.
    expect(contentRect(640, 360, 0, 0)).toEqual({ x: 0, y: 0, w: 640, h: 360 });
  });
  it("normalises a drag to the picture and clamps it to the picture, not the bars", () => {
    const rect = contentRect(640, 480, 1280, 720); // bars of 60 px above and below
    expect(boxInPicture(rect, 160, 150, 480, 330)).toEqual([0.25, 0.25, 0.75, 0.75]);
    expect(boxInPicture(rect, 0, 0, 640, 480)).toEqual([0, 0, 1, 1]);
  });
});

describe("timeline ruler", async () => {
  const { tickStep, ticks } = await import("../src/timeline.js");
  it("labels at most ~10 ticks at round steps", () => {
    expect(tickStep(4)).toBe(0.5);
    expect(tickStep(53.48)).toBe(10);
    expect(ticks(53.48).map((k) => k.t)).toEqual([0, 10, 20, 30, 40, 50]);
    expect(ticks(0)).toEqual([]);
  });
});
