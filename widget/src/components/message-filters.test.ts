import type { ChatMessage } from "@parley/sdk";
import { describe, expect, it } from "vitest";
import { countShown, keyTransport, readThrough } from "./message-filters.js";

const at = (seq: number, body: ChatMessage["body"]): ChatMessage => ({
  convId: "cv_x",
  seq,
  msgId: `m_${seq}`,
  sender: "c_noah",
  ts: seq,
  body,
});
const edit = (seq: number, op: string) => at(seq, { type: "card-event", event: { card: "m_2", op } });

describe("message filters", () => {
  it("hides key transport, cart edits and stored live bodies, but not other card events", () => {
    expect(keyTransport(at(1, { type: "history-grant" } as unknown as ChatMessage["body"]))).toBe(true);
    expect(["add", "set", "remove"].map((op) => keyTransport(edit(1, op)))).toEqual([true, true, true]);
    expect(["status", "submit", "paid"].map((op) => keyTransport(edit(1, op)))).toEqual([false, false, false]);
    expect(keyTransport(at(1, { type: "text", text: "hi" }))).toBe(false);
    // A live signal's body stored as a message (replayed by a gateway) has no row either.
    expect(keyTransport(at(1, { type: "live", live: { kind: "location", lat: 1, lon: 2 } }))).toBe(true);
    // A place and its stop do have rows.
    expect(keyTransport(at(1, { type: "location", location: { lat: 1, lon: 2 } }))).toBe(false);
    expect(keyTransport(at(1, { type: "location-event", event: { share: "m_1", op: "stop" } }))).toBe(false);
    expect(countShown([at(1, { type: "text", text: "a" }), edit(2, "add"), edit(3, "submit")])).toBe(2);
  });

  it("hides a listening session's joins, leaves and changes, but not its start or its end", () => {
    const listen = (op: string) => at(1, { type: "listen-event", event: { session: "m_2", op } });
    expect(["join", "leave", "state"].map((op) => keyTransport(listen(op)))).toEqual([true, true, true]);
    expect(keyTransport(listen("end"))).toBe(false);
    expect(keyTransport(at(1, { type: "listen", listen: { queue: [] } }))).toBe(false);
    const messages = [at(1, { type: "listen", listen: { queue: [] } }), listen("join"), listen("state")];
    expect(
      readThrough(
        messages.map((m, i) => ({ ...m, seq: i + 1 })),
        1,
      ),
    ).toBe(3);
  });

  it("reads through the rowless messages right after the newest row read, and stops at the next row", () => {
    const messages = [
      at(1, { type: "text", text: "a" }),
      edit(2, "add"),
      edit(3, "set"),
      at(4, { type: "text", text: "b" }),
      edit(5, "remove"),
    ];
    expect(readThrough(messages, 1)).toBe(3);
    expect(readThrough(messages, 4)).toBe(5);
    expect(readThrough(messages, 9)).toBe(9); // not loaded: as given
    expect(readThrough([], 0)).toBe(0);
    expect(readThrough([...messages, at(6, { type: "live", live: { kind: "location" } })], 4)).toBe(6);
  });
});
