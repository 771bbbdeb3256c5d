import { describe, expect, it } from "vitest";
import { parseMessageBody } from "../codec.js";
import type { ChatMessage, ConversationState } from "../conversation-tracker.js";
import { ConversationTracker } from "../conversation-tracker.js";
import { ParleyError } from "../errors.js";
import { type BodyKind, defineBodyKind, maySend } from "./body-kind.js";
import { bodyKind, bodyKinds, checkSender, foldBody } from "./registry.js";
import { textKind } from "./text.js";
import { isRegisteredBody } from "./validate.js";

const file = {
  id: "fb_AAAAAAAAAAAAAAAAAAAAAA",
  name: "a.txt",
  mime: "text/plain",
  size: 3,
  sha256: "A".repeat(43),
  key: "A".repeat(43),
  header: "A".repeat(32),
  chunkSize: 65_536,
};

const good = [
  { type: "text", text: "hi" },
  { type: "system", text: "Alex joined" },
  { type: "card", card: { kind: "order", total: 4 } },
  { type: "file", file },
  { type: "file", file, caption: "look" },
  { type: "history-grant", grantee: "c_x", epochs: [1, 2], sealed: [{ deviceId: "d_1", box: "AA" }] },
];

const bad = [
  { type: "text" },
  { type: "card", card: {} },
  { type: "file", file: { ...file, size: -1 } },
  { type: "file", file, caption: "x".repeat(4001) },
  { type: "history-grant", grantee: "c_x", epochs: [], sealed: [] },
  { type: "html", html: "<b>" },
  null,
];

describe("body kinds", () => {
  it("registers every kind the codec reads, and their schemas agree with it", () => {
    expect([...bodyKinds.keys()].sort()).toEqual(["card", "file", "history-grant", "system", "text"]);
    for (const body of good) {
      expect(isRegisteredBody(body)).toBe(true);
      expect(() => parseMessageBody(body)).not.toThrow();
    }
    for (const body of bad) {
      expect(isRegisteredBody(body)).toBe(false);
      expect(() => parseMessageBody(body)).toThrow();
    }
  });

  it("lets only the shop's team send system lines; guests count as customers", () => {
    const system = bodyKind("system") as BodyKind;
    expect(maySend(system, "agent")).toBe(true);
    expect(maySend(system, "bot")).toBe(true);
    expect(maySend(system, "customer")).toBe(false);
    expect(maySend(system, "guest")).toBe(false);
    expect(() => checkSender({ type: "system", text: "x" }, "guest")).toThrow(ParleyError);
    expect(() => checkSender({ type: "system", text: "x" }, "guest")).toThrow(
      expect.objectContaining({ code: "forbidden" }),
    );
    expect(() => checkSender({ type: "text", text: "x" }, "customer")).not.toThrow();
  });

  it("folds a message into state only through its kind's fold", () => {
    const tracker = new ConversationTracker("cv_1", "c_me");
    const message: ChatMessage = {
      convId: "cv_1",
      seq: 1,
      msgId: "m_1",
      sender: "a_1",
      ts: 1,
      body: { type: "text", text: "x" },
    };
    const before = tracker.state.value;
    foldBody(tracker.state, message);
    expect(tracker.state.value).toBe(before);

    const folds: ConversationState[] = [];
    const counted = defineBodyKind({
      type: "text",
      schema: textKind.schema,
      senders: "any",
      fold: (state: ConversationState, m: ChatMessage & { body: { type: "text"; text: string } }) => {
        folds.push(state);
        return { ...state, hasOlder: m.body.text === "x" };
      },
    });
    expect(counted.fold?.(before, { ...message, body: { type: "text", text: "x" } }).hasOlder).toBe(true);
    expect(folds).toEqual([before]);
  });
});
