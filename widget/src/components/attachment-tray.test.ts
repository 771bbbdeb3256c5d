import { describe, expect, it } from "vitest";
import { carriesFiles, previewable, sendable } from "./attachment-tray.js";
import type { Attachment } from "./composer-uploads.js";

describe("the composer's attachments", () => {
  it.each([
    ["image/png", true],
    ["image/jpeg", true],
    ["image/gif", true],
    ["image/webp", true],
    ["image/svg+xml", false],
    ["image/heic", false],
    ["application/pdf", false],
    ["", false],
    ["xx image/png", false],
    ["image/png+x", false],
  ])("previews %j: %s", (mime, expected) => {
    expect(previewable(mime)).toBe(expected);
  });

  it("sends only what is neither uploading already nor failed, in order", () => {
    const file = new File(["x"], "a.txt");
    const list: Attachment[] = [
      { id: 1, file },
      { id: 2, file, abort: new AbortController() },
      { id: 3, file, failed: true },
      { id: 4, file, preview: "blob:x" },
    ];
    expect(sendable(list).map((a) => a.id)).toEqual([1, 4]);
    expect(sendable([])).toEqual([]);
  });

  it.each<[string, string[] | undefined, boolean]>([
    ["files", ["Files"], true],
    ["files with text", ["text/plain", "Files"], true],
    ["text only", ["text/plain", "text/uri-list"], false],
    ["no data", undefined, false],
  ])("a drag of %s carries files: %s", (_, types, expected) => {
    expect(carriesFiles(types)).toBe(expected);
  });
});
