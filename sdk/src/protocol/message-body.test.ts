import { describe, expect, it } from "vitest";
import { parseMessageBody } from "./message-body.js";

describe("parseMessageBody", () => {
  it("keeps only the fields of text, system and card bodies", () => {
    expect(parseMessageBody({ type: "text", text: "hi", extra: 1 })).toEqual({ type: "text", text: "hi" });
    expect(parseMessageBody({ type: "system", text: "joined" })).toEqual({ type: "system", text: "joined" });
    expect(parseMessageBody({ type: "card", card: { kind: "order", id: "A-1" } })).toEqual({
      type: "card",
      card: { kind: "order", id: "A-1" },
    });
  });

  it("refuses anything that is not a body", () => {
    for (const value of [
      null,
      "text",
      { type: "text" },
      { type: "text", text: 5 },
      { type: "card", card: {} },
      { type: "html", text: "<b>" },
      { type: "file", file: { id: "x" } },
    ]) {
      expect(() => parseMessageBody(value)).toThrow(TypeError);
    }
  });
});
