// The bridge validators accept exactly the documented shapes: extra fields,
// other versions, wrong types and out-of-range values are all refused.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseFrameMessage, parseParentMessage, parseTheme } from "./protocol.js";

const TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln";
const SECRET = `v1.${"A".repeat(43)}`;

describe("bridge validators", () => {
  it("accept every documented parent message", () => {
    const ok = [
      { v: 1, type: "identify", token: TOKEN },
      { v: 1, type: "identify", token: TOKEN, keyBackupSecret: SECRET },
      { v: 1, type: "token", token: TOKEN },
      { v: 1, type: "open" },
      { v: 1, type: "close" },
      { v: 1, type: "shutdown" },
      { v: 1, type: "locale", locale: "de-AT" },
      { v: 1, type: "answer-call", id: "c9zicEhTfUNuVF59aQ7SuA", answer: "video" },
      { v: 1, type: "answer-call", id: "c9zicEhTfUNuVF59aQ7SuA", answer: "decline" },
      {
        v: 1,
        type: "theme",
        theme: { brand: "#7a3e12", radius: 8, font: "Inter, sans-serif", position: "left", mode: "dark" },
      },
    ];
    for (const m of ok) expect(parseParentMessage(m), JSON.stringify(m)).toEqual(m);
  });

  it("accept every documented frame message", () => {
    const ok = [
      { v: 1, type: "ready" },
      { v: 1, type: "unread", count: 3 },
      { v: 1, type: "invites", count: 1 },
      { v: 1, type: "call", call: { id: "c9zicEhTfUNuVF59aQ7SuA", media: "audio" } },
      { v: 1, type: "call", call: { id: "c9zicEhTfUNuVF59aQ7SuA", media: "video", teamName: "Ada Lovelace" } },
      { v: 1, type: "call", call: null },
      { v: 1, type: "message", conversationId: "cv_abc-1", from: "agent", ts: 1_700_000_000_000 },
      { v: 1, type: "close-request" },
      { v: 1, type: "resize", mode: "full" },
      { v: 1, type: "token-request" },
      { v: 1, type: "shutdown-done" },
      { v: 1, type: "error", code: "connect_failed" },
    ];
    for (const m of ok) expect(parseFrameMessage(m), JSON.stringify(m)).toEqual(m);
  });

  it("refuse extra fields, other versions, bad values and other types", () => {
    const bad = [
      { v: 1, type: "open", x: 1 },
      { v: "1", type: "open" },
      { v: 2, type: "open" },
      { v: 1, type: "identify", token: "not a token" },
      { v: 1, type: "identify", token: `${TOKEN}<script>` },
      { v: 1, type: "identify", token: TOKEN, keyBackupSecret: "A".repeat(43) },
      { v: 1, type: "identify", token: TOKEN, keyBackupSecret: `v0.${"A".repeat(43)}` },
      { v: 1, type: "identify", token: TOKEN, keyBackupSecret: `${SECRET}=` },
      { v: 1, type: "identify", token: TOKEN, keyBackupSecret: 42 },
      { v: 1, type: "token", token: TOKEN, keyBackupSecret: SECRET },
      { v: 1, type: "locale", locale: "de;x" },
      { v: 1, type: "theme", theme: { brand: "red" } },
      { v: 1, type: "theme", theme: { radius: 99 } },
      { v: 1, type: "theme", theme: { font: "x;}body{display:none" } },
      { v: 1, type: "theme", theme: { position: "top" } },
      { v: 1, type: "theme", theme: { url: "x" } },
      { v: 1, type: "theme", theme: [] },
      { v: 1, type: "ready" },
      Object.assign(Object.create({ type: "open" }), { v: 1 }),
    ];
    for (const m of bad) expect(parseParentMessage(m), JSON.stringify(m)).toBeUndefined();
    const badFromFrame = [
      { v: 1, type: "unread", count: -1 },
      { v: 1, type: "unread", count: 1.5 },
      { v: 1, type: "invites", count: -2 },
      { v: 1, type: "invites", count: 1, ids: ["in_x"] },
      { v: 1, type: "message", conversationId: "cv", from: "agent", ts: 1, text: "hello" },
      { v: 1, type: "message", conversationId: "a.b", from: "agent", ts: 1 },
      { v: 1, type: "message", conversationId: "cv", from: "admin", ts: 1 },
      { v: 1, type: "open" },
    ];
    for (const m of badFromFrame) expect(parseFrameMessage(m), JSON.stringify(m)).toBeUndefined();
  });

  it("never throw and never accept arbitrary values (property)", () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        const parent = parseParentMessage(value);
        const frame = parseFrameMessage(value);
        if (parent) expect(parseParentMessage(JSON.parse(JSON.stringify(parent)))).toEqual(parent);
        if (frame) expect(parseFrameMessage(JSON.parse(JSON.stringify(frame)))).toEqual(frame);
      }),
      { numRuns: 2000, seed: 4 },
    );
  });

  it("accept a theme exactly when every field is documented and in range, and return its fields (property)", () => {
    const field = {
      brand: fc.oneof(fc.constantFrom("#7a3e12", "#fff", "#12345678", "#12", "red", "#ggg"), fc.anything()),
      radius: fc.oneof(fc.integer({ min: -3, max: 35 }), fc.double({ min: -1, max: 40 }), fc.anything()),
      font: fc.oneof(fc.constantFrom("Inter, sans-serif", "'Noto Sans'", "", "x;}body{display:none"), fc.string()),
      position: fc.oneof(fc.constantFrom("left", "right", "top"), fc.anything()),
      mode: fc.oneof(fc.constantFrom("light", "dark", "auto", "dim"), fc.anything()),
    };
    const theme = fc.oneof(
      fc.record(field, { requiredKeys: [] }),
      fc.record({ ...field, url: fc.anything() }, { requiredKeys: ["url"] }),
      fc.anything(),
    );
    fc.assert(
      fc.property(theme, (value) => {
        const parsed = parseTheme(value);
        expect(parsed !== undefined, JSON.stringify(value)).toBe(documentedTheme(value));
        if (parsed) expect(parsed).toEqual(value);
      }),
      { numRuns: 3000, seed: 7 },
    );
  });

  it("refuse a ringing call or an answer in any other shape", () => {
    const id = "c9zicEhTfUNuVF59aQ7SuA";
    const frame = [
      { v: 1, type: "call" },
      { v: 1, type: "call", call: { id, media: "screen" } },
      { v: 1, type: "call", call: { id: "bad id!", media: "audio" } },
      { v: 1, type: "call", call: { id, media: "audio", teamName: "" } },
      { v: 1, type: "call", call: { id, media: "audio", teamName: "x".repeat(81) } },
      { v: 1, type: "call", call: { id, media: "audio", teamName: "Ada\u0007" } },
      { v: 1, type: "call", call: { id, media: "audio", caller: "c_mia" } },
      { v: 1, type: "call", call: { id, media: "audio" }, extra: 1 },
    ];
    for (const m of frame) expect(parseFrameMessage(m), JSON.stringify(m)).toBeUndefined();
    const parent = [
      { v: 1, type: "answer-call", id },
      { v: 1, type: "answer-call", id, answer: "maybe" },
      { v: 1, type: "answer-call", id: 5, answer: "audio" },
      { v: 1, type: "answer-call", id, answer: "audio", media: "video" },
    ];
    for (const m of parent) expect(parseParentMessage(m), JSON.stringify(m)).toBeUndefined();
  });
});

/** The documented theme rules (ThemeSettings), written out apart from the validator they check. */
function documentedTheme(value: unknown): boolean {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  const rules: Record<string, (v: unknown) => boolean> = {
    brand: (v) => typeof v === "string" && /^#[0-9a-fA-F]{3,8}$/.test(v),
    radius: (v) => typeof v === "number" && v >= 0 && v <= 32,
    font: (v) => typeof v === "string" && /^[A-Za-z0-9 ,'"-]{1,120}$/.test(v),
    position: (v) => v === "left" || v === "right",
    mode: (v) => v === "light" || v === "dark" || v === "auto",
  };
  return Object.entries(value).every(([key, v]) => {
    const rule = rules[key];
    return rule !== undefined && (v === undefined || rule(v));
  });
}
