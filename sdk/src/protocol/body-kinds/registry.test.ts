import { describe, expect, it } from "vitest";
import type { ChatMessage, ConversationState } from "../../conversation-tracker.js";
import { ConversationTracker } from "../../conversation-tracker.js";
import { parseMessageBody } from "../message-body.js";
import { type BodyKind, defineBodyKind, maySend } from "./body-kind.js";
import { bodyKind, bodyKinds } from "./registry.js";
import { textKind } from "./text.js";

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
  { type: "card-event", event: { v: 1, card: "m_1", op: "status", status: "confirmed" } },
  { type: "file", file },
  { type: "file", file, caption: "look" },
  { type: "file", file: { ...file, image: { width: 4, height: 3 } } },
  { type: "history-grant", grantee: "c_x", epochs: [1, 2], sealed: [{ deviceId: "d_1", box: "AA" }] },
  { type: "location", location: { lat: 52.5, lon: 13.4, accuracy: 5, at: 1 } },
  { type: "location-event", event: { share: "m_1", op: "stop" } },
  { type: "listen", listen: { queue: [], state: {} } },
  { type: "listen-event", event: { session: "m_1", op: "join" } },
  { type: "call", call: { media: "video", at: 1 } },
  { type: "call-event", event: { call: "m_1", op: "join", at: 2 } },
  { type: "live", live: { kind: "location", share: "m_1", n: 1 } },
  { type: "live", live: { kind: "call", call: "m_1", op: "media", audio: true, video: false, screen: false } },
];

const bad = [
  { type: "text" },
  { type: "system", text: 1 },
  { type: "card", card: {} },
  { type: "card", card: null },
  { type: "card", card: [] },
  { type: "card-event", event: { card: "m_1" } },
  { type: "card-event", event: { op: "lock" } },
  { type: "card-event", event: [] },
  { type: "file", file: { ...file, size: -1 } },
  { type: "file", file, caption: "x".repeat(4001) },
  { type: "file", file, caption: 5 },
  { type: "history-grant", grantee: "c_x", epochs: [], sealed: [] },
  { type: "history-grant", grantee: "c_x", epochs: [2, 1], sealed: [{ deviceId: "d_1", box: "AA" }] },
  { type: "location", location: { lat: "52.5", lon: 13.4 } },
  { type: "location", location: [] },
  { type: "location-event", event: { op: "stop" } },
  { type: "listen", listen: { queue: {} } },
  { type: "listen-event", event: { session: 1, op: "join" } },
  { type: "call", call: { media: 1 } },
  { type: "call", call: null },
  { type: "call-event", event: { op: "join" } },
  { type: "call-event", event: { call: "m_1", op: 2 } },
  { type: "live", live: { share: "m_1" } },
  { type: "live", live: null },
];

describe("body kinds", () => {
  it("registers every kind of MessageBody", () => {
    expect([...bodyKinds.keys()].sort()).toEqual([
      "call",
      "call-event",
      "card",
      "card-event",
      "file",
      "history-grant",
      "listen",
      "listen-event",
      "live",
      "location",
      "location-event",
      "system",
      "text",
    ]);
  });

  it("parses the good bodies of each kind, by the kind and through parseMessageBody", () => {
    for (const body of good) {
      const kind = bodyKind(body.type) as BodyKind;
      expect(kind.parse(body)).toEqual(body);
      expect(parseMessageBody(body)).toEqual(body);
    }
  });

  it("refuses the bad bodies of each kind with a TypeError", () => {
    for (const body of bad) {
      const kind = bodyKind(body.type) as BodyKind;
      expect(() => kind.parse(body)).toThrow(TypeError);
      expect(() => parseMessageBody(body)).toThrow(TypeError);
    }
  });

  it("has each kind refuse a body of another kind", () => {
    for (const kind of bodyKinds.values()) {
      for (const body of good.filter((b) => b.type !== kind.type)) {
        expect(() => kind.parse(body)).toThrow(TypeError);
      }
      expect(() => kind.parse(null)).toThrow(TypeError);
    }
  });

  it("refuses unknown types and values without a type", () => {
    for (const value of [
      { type: "html", html: "<b>" },
      { type: "toString" },
      { text: "hi" },
      null,
      undefined,
      "text",
      5,
    ]) {
      expect(() => parseMessageBody(value)).toThrow(new TypeError("not a message body"));
    }
    expect(bodyKind("html")).toBeUndefined();
  });

  it("copies field by field, so nothing unexpected rides along", () => {
    const sealed = [{ deviceId: "d_1", box: "AA" }];
    const grant = parseMessageBody({ type: "history-grant", grantee: "c_x", epochs: [1], sealed, extra: 1 });
    expect(grant).toEqual({ type: "history-grant", grantee: "c_x", epochs: [1], sealed });
    expect(grant.type === "history-grant" && grant.sealed[0]).not.toBe(sealed[0]);
    expect(parseMessageBody({ type: "file", file, caption: "c", extra: 1 })).toEqual({
      type: "file",
      file,
      caption: "c",
    });
  });

  it("lets only the shop's team send system lines; guests count as customers", () => {
    const system = bodyKind("system") as BodyKind;
    expect(maySend(system, "agent")).toBe(true);
    expect(maySend(system, "bot")).toBe(true);
    expect(maySend(system, "customer")).toBe(false);
    expect(maySend(system, "guest")).toBe(false);
    expect(maySend(bodyKind("text") as BodyKind, "guest")).toBe(true);
  });

  it("declares a kind's fold against the conversation's state", () => {
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
    const folds: ConversationState[] = [];
    const counted = defineBodyKind({
      type: "text",
      parse: textKind.parse,
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
