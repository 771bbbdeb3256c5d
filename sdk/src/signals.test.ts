/**
 * Unit tests of the client-side signal rules: typing throttle, read marker
 * coalescing, typing timeout, and the unread count of the conversation state.
 *
 * The coalescing window (500 ms) and the typing timeout (6 s) are timers inside
 * the classes; vitest's fake timers are the only way to reach "just before" and
 * "just after" them without a test that depends on real elapsed time. The typing
 * throttle takes an injected clock instead and needs no fake timers.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ConversationTracker } from "./conversation-tracker.js";
import type { ConversationInfo } from "./protocol/models.js";
import { ReadCoalescer, TypingSender, TypingWatch } from "./signals.js";

describe("TypingSender", () => {
  it("sends at most one 'typing' per conversation every 3 s, and one 'stopped' when typing stops", () => {
    let now = 1000;
    const sent: string[] = [];
    const t = new TypingSender((conv, active) => sent.push(`${conv}:${active}`), { now: () => now });
    t.set("a", true);
    for (let i = 0; i < 50; i++) {
      now += 50;
      t.set("a", true);
    }
    expect(sent).toEqual(["a:true"]);
    now = 1000 + 3000;
    t.set("a", true);
    t.set("b", true);
    expect(sent).toEqual(["a:true", "a:true", "b:true"]);
    t.set("a", false);
    t.set("a", false);
    expect(sent).toEqual(["a:true", "a:true", "b:true", "a:false"]);
    // Typing again right after stopping is news: sent at once.
    t.set("a", true);
    expect(sent.at(-1)).toBe("a:true");
    expect(t.isActive("a")).toBe(true);
  });

  it("sends no 'stopped' for a conversation it never said 'typing' in", () => {
    const sent: string[] = [];
    const t = new TypingSender((conv, active) => sent.push(`${conv}:${active}`));
    t.set("a", false);
    t.set("a", true);
    t.clear();
    t.set("a", false);
    expect(sent).toEqual(["a:true"]);
  });
});

describe("ReadCoalescer", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("turns the calls of one window into one request with the highest seq", async () => {
    const sent: Array<[string, number]> = [];
    const r = new ReadCoalescer(async (conv, seq) => {
      sent.push([conv, seq]);
    });
    const calls = [3, 7, 5, 9, 2].map((seq) => r.mark("c1", seq));
    expect(r.marked("c1")).toBe(9);
    await vi.advanceTimersByTimeAsync(499);
    expect(sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    await Promise.all(calls);
    expect(sent).toEqual([["c1", 9]]);
  });

  it("never sends a lower or equal seq again, and resolves such calls at once", async () => {
    const sent: number[] = [];
    const r = new ReadCoalescer(async (_conv, seq) => {
      sent.push(seq);
    });
    const first = r.mark("c1", 10);
    await vi.advanceTimersByTimeAsync(500);
    await first;
    await r.mark("c1", 4);
    await r.mark("c1", 10);
    await vi.advanceTimersByTimeAsync(2000);
    expect(sent).toEqual([10]);
    const next = r.mark("c1", 11);
    await vi.advanceTimersByTimeAsync(500);
    await next;
    expect(sent).toEqual([10, 11]);
  });

  it("keeps conversations apart", async () => {
    const sent: string[] = [];
    const r = new ReadCoalescer(async (conv, seq) => {
      sent.push(`${conv}@${seq}`);
    });
    const done = [r.mark("a", 2), r.mark("b", 5), r.mark("a", 3)];
    await vi.advanceTimersByTimeAsync(500);
    await Promise.all(done);
    expect(sent.sort()).toEqual(["a@3", "b@5"]);
  });

  it("rejects the window's callers when the request fails, and lets the same seq be tried again", async () => {
    let fail = true;
    const sent: number[] = [];
    const r = new ReadCoalescer(async (_conv, seq) => {
      sent.push(seq);
      if (fail) throw new Error("offline");
    });
    const a = r.mark("c1", 6);
    const b = r.mark("c1", 4);
    const settled = Promise.allSettled([a, b]);
    await vi.advanceTimersByTimeAsync(500);
    expect((await settled).map((s) => s.status)).toEqual(["rejected", "rejected"]);
    fail = false;
    const again = r.mark("c1", 6);
    await vi.advanceTimersByTimeAsync(500);
    await again;
    expect(sent).toEqual([6, 6]);
  });

  it("sends what is waiting at once on flush", async () => {
    const sent: number[] = [];
    const r = new ReadCoalescer(async (_conv, seq) => {
      sent.push(seq);
    });
    const waiting = r.mark("c1", 8);
    await r.flush();
    await waiting;
    expect(sent).toEqual([8]);
  });
});

describe("TypingWatch", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("reports a typist as stopped 6 s after its last 'typing', unless another comes first", () => {
    const seen: string[] = [];
    const w = new TypingWatch((conv, who, active) => seen.push(`${conv}:${who}:${active}`));
    w.signal("c1", "p1", true);
    vi.advanceTimersByTime(5999);
    w.signal("c1", "p1", true);
    vi.advanceTimersByTime(5999);
    expect(w.typing("c1")).toEqual(["p1"]);
    expect(seen).toEqual(["c1:p1:true", "c1:p1:true"]);
    vi.advanceTimersByTime(1);
    expect(seen.at(-1)).toBe("c1:p1:false");
    expect(w.typing("c1")).toEqual([]);
  });

  it("passes an explicit 'stopped' on once and cancels the timeout", () => {
    const seen: string[] = [];
    const w = new TypingWatch((conv, who, active) => seen.push(`${conv}:${who}:${active}`));
    w.signal("c1", "p1", true);
    w.signal("c1", "p2", true);
    w.signal("c1", "p1", false);
    w.signal("c1", "p1", false);
    expect(w.typing("c1")).toEqual(["p2"]);
    vi.advanceTimersByTime(10_000);
    expect(seen).toEqual(["c1:p1:true", "c1:p2:true", "c1:p1:false", "c1:p2:false"]);
  });
});

describe("ConversationState signals", () => {
  const info = (over: Partial<ConversationInfo> = {}): ConversationInfo => ({
    id: "cv",
    shopId: "s",
    status: "open",
    createdBy: "me",
    createdAt: 0,
    updatedAt: 0,
    lastSeq: 0,
    epoch: 0,
    readUpTo: 0,
    unread: 0,
    ...over,
  });
  const msg = (seq: number, sender: string) => ({
    convId: "cv",
    seq,
    msgId: `m_${String(seq).padStart(16, "0")}`,
    sender,
    ts: seq,
    body: { type: "text" as const, text: String(seq) },
  });
  const deliver = (t: ConversationTracker, ...list: Array<[number, string]>) => {
    for (const [seq, sender] of list) if (t.claim(seq)) t.insert([msg(seq, sender)]);
  };

  it("counts confirmed messages from others above the marker, never its own", () => {
    const t = new ConversationTracker("cv", "me");
    t.anchor(0, false);
    deliver(t, [1, "agent"], [2, "agent"], [3, "me"], [4, "agent"]);
    expect(t.state.value.unread).toBe(3);
    t.setReadUpTo(2);
    expect(t.state.value).toMatchObject({ readUpTo: 2, unread: 1 });
    t.setReadUpTo(1);
    expect(t.state.value.readUpTo).toBe(2);
    t.setReadUpTo(4);
    expect(t.state.value.unread).toBe(0);
  });

  it("starts from the server's count for what is not loaded and adds what arrives", () => {
    const t = new ConversationTracker("cv", "me");
    t.setInfo(info({ lastSeq: 10, readUpTo: 4, unread: 5 }));
    expect(t.state.value).toMatchObject({ readUpTo: 4, unread: 5 });
    t.anchor(10, true);
    deliver(t, [11, "agent"], [12, "me"]);
    expect(t.state.value.unread).toBe(6);
    // Marked read into the server's range with nothing of it loaded: a lower bound.
    t.setReadUpTo(7);
    expect(t.state.value.unread).toBe(3);
    t.setReadUpTo(12);
    expect(t.state.value.unread).toBe(0);
  });

  it("keeps other members' markers monotonic and this principal's apart", () => {
    const t = new ConversationTracker("cv", "me");
    t.setReadBy("agent", 5);
    t.setReadBy("agent", 3);
    t.setReadBy("me", 2);
    t.setTyping(["agent", "me"]);
    expect(t.state.value).toMatchObject({ readBy: { agent: 5 }, readUpTo: 2, typing: ["agent"] });
  });
});
