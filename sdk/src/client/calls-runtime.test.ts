/**
 * `client.calls` between two principals on fake timers, with two stand-ins:
 * the conversation's store is an in-memory list that numbers what is sent and
 * hands it to every tracker (what the gateway does), and the WebRTC engine is
 * a fake (`vi.mock`): the real one needs a browser's `RTCPeerConnection` and
 * media devices, and Node cannot put a device in a call to make it busy. The
 * real stack is gateway/test/calls.test.ts; the engine's own tests run in
 * Chromium. Everything else is the real code: the client core and its
 * trackers, the thin module, the runtime, the fold.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ActiveCall } from "../calls/api.js";
import type { CallEngineHost } from "../calls/engine-api.js";
import type { MessageBody } from "../codec.js";
import type { ChatMessage } from "../conversation-tracker.js";
import { parseOptions } from "../options.js";
import { RING_MS } from "../protocol/calls/wire.js";
import { randomId } from "../protocol/ids.js";
import type { SessionResponse } from "../protocol/rpc.js";
import { StateStore } from "../state-store.js";
import { ClientCalls } from "./calls.js";
import { ClientCore } from "./core.js";

const engines = vi.hoisted(() => ({ made: [] as { host: unknown; inCall: boolean }[] }));

vi.mock("../calls/engine/index.js", () => ({
  /** Has a call once `start` is called: `busy()` is then true. */
  CallEngine: class {
    readonly current = new StateStore<ActiveCall | undefined>(undefined);
    readonly state: { host: unknown; inCall: boolean };
    constructor(host: CallEngineHost) {
      this.state = { host, inCall: false };
      engines.made.push(this.state);
    }
    async start(convId: string, media: "audio" | "video"): Promise<ActiveCall> {
      this.state.inCall = true;
      const call: ActiveCall = {
        id: "x",
        convId,
        media,
        outgoing: true,
        phase: "ringing",
        local: undefined,
        muted: false,
        camera: false,
        screen: false,
        peers: new Map(),
      };
      this.current.set(call);
      return call;
    }
    busy(): boolean {
      return this.state.inCall;
    }
    close(): void {}
  },
}));

const CONV = "cv_1";
const OTHER = "cv_2";
const START = 1_800_000_000_000;

/** The conversations' stores, in memory. */
class Room {
  readonly messages: ChatMessage[] = [];
  readonly members: Member[] = [];

  store(convId: string, sender: Member, body: MessageBody, device = `d_${sender.id}`): ChatMessage {
    const seq = this.messages.filter((m) => m.convId === convId).length + 1;
    const message: ChatMessage = {
      convId,
      seq,
      msgId: randomId(),
      sender: sender.id,
      senderDevice: device,
      ts: Date.now(),
      body,
    };
    this.messages.push(message);
    for (const m of this.members) {
      const tracker = m.core.tracker(convId);
      tracker.claim(seq);
      tracker.insert([message]);
      for (const listener of m.core.ingested) listener(convId, [message]);
    }
    return message;
  }
}

/** One principal's client parts: a real core (never connected) and `client.calls`. */
class Member {
  readonly core: ClientCore;
  readonly calls: ClientCalls;
  readonly errors: unknown[] = [];

  constructor(
    readonly id: string,
    room: Room,
  ) {
    const options = parseOptions({
      gatewayUrl: "http://127.0.0.1:9",
      auth: { kind: "guest", shopId: "s_1" },
      WebSocket: class {} as unknown as typeof WebSocket,
      encryption: false,
    });
    this.core = new ClientCore(options, async () => {
      throw new Error("no gateway in this test");
    });
    this.core.session = { principal: { id, kind: "customer", shopId: "s_1", displayName: id } } as SessionResponse;
    this.core.events.on("error", (error) => this.errors.push(error));
    for (const convId of [CONV, OTHER]) this.core.tracker(convId).anchor(0, false);
    room.members.push(this);
    this.calls = new ClientCalls(this.core, async (convId, body) => room.store(convId, this, body));
  }

  /** Starts a call as the engine does, posting its `call` message. */
  call(room: Room, convId = CONV): ChatMessage {
    return room.store(convId, this, { type: "call", call: { media: "audio", at: Date.now() } });
  }

  ringing(): string[] {
    return this.calls.incoming.value.map((c) => c.id);
  }
}

/** Lets the runtime's dynamic import and the stores settle. */
async function settle(): Promise<void> {
  await vi.dynamicImportSettled();
  for (let i = 0; i < 20; i++) await vi.advanceTimersByTimeAsync(0);
}

describe("client.calls", () => {
  let room: Room;
  let anna: Member;
  let ben: Member;
  beforeEach(() => {
    vi.useFakeTimers({ now: START });
    engines.made.length = 0;
    room = new Room();
    anna = new Member("anna", room);
    ben = new Member("ben", room);
  });
  afterEach(() => {
    anna.calls.close();
    ben.calls.close();
    vi.useRealTimers();
  });

  it("rings on the callee across conversations, newest first, and stops when the ring runs out", async () => {
    const first = anna.call(room, CONV);
    await vi.advanceTimersByTimeAsync(10_000);
    const second = anna.call(room, OTHER);
    await settle();
    expect(ben.ringing()).toEqual([second.msgId, first.msgId]);
    expect(anna.ringing()).toEqual([]);
    expect(ben.calls.incoming.value[1]).toMatchObject({ convId: CONV, caller: "anna", ringsUntil: START + RING_MS });
    await vi.advanceTimersByTimeAsync(RING_MS - 10_001);
    expect(ben.ringing()).toEqual([second.msgId, first.msgId]);
    // The timer wakes just past the ring's end.
    await vi.advanceTimersByTimeAsync(2);
    expect(ben.ringing()).toEqual([second.msgId]);
    expect(ben.calls.board(CONV).value.calls.get(first.msgId)).toMatchObject({ state: "ended", outcome: "missed" });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(ben.ringing()).toEqual([]);
    expect(ben.errors).toEqual([]);
  });

  it("declines: sends the decline, stops ringing, and refuses a call that is not there", async () => {
    const call = anna.call(room);
    await settle();
    const sent = await ben.calls.decline(call.msgId);
    expect(sent.body).toEqual({ type: "call-event", event: { call: call.msgId, op: "decline", at: Date.now() } });
    await settle();
    expect(ben.ringing()).toEqual([]);
    expect(anna.calls.board(CONV).value.calls.get(call.msgId)?.declined).toEqual(["ben"]);
    await expect(ben.calls.decline("m_no_such_call_00")).rejects.toMatchObject({ code: "call_unavailable" });
    await expect(anna.calls.decline(call.msgId)).rejects.toMatchObject({ code: "call_unavailable" });
  });

  it("answers busy by itself while this device is in another call, once per call", async () => {
    await ben.calls.start(OTHER, "audio");
    expect(engines.made).toHaveLength(1);
    expect(ben.calls.current.value).toMatchObject({ convId: OTHER, outgoing: true });
    const call = anna.call(room);
    await settle();
    const busy = room.messages.filter((m) => m.body?.type === "call-event" && m.sender === "ben");
    expect(busy.map((m) => m.body)).toEqual([
      { type: "call-event", event: { call: call.msgId, op: "busy", at: Date.now() } },
    ]);
    expect(ben.ringing()).toEqual([]);
    expect(anna.calls.board(CONV).value.calls.get(call.msgId)?.busy).toEqual(["ben"]);
  });

  it("rings no more once another device of the callee joins", async () => {
    const call = anna.call(room);
    await settle();
    expect(ben.ringing()).toEqual([call.msgId]);
    const join: MessageBody = { type: "call-event", event: { call: call.msgId, op: "join", at: Date.now() } };
    room.store(CONV, ben, join, "d_ben_phone");
    await settle();
    expect(ben.ringing()).toEqual([]);
    expect(anna.calls.board(CONV).value.calls.get(call.msgId)?.state).toBe("active");
  });
});
