/**
 * `client.location`'s runtime between two principals on fake timers, with two
 * stand-ins: the live signal channel is an in-memory `LiveChannel` (the seam
 * between the runtime and client/live-signals.ts; here it lets the rules run
 * under fake timers, several "devices" of one principal, and a relay that
 * refuses on demand), and the conversation's store is an in-memory list that
 * numbers what is sent and hands it to every tracker (what the gateway does).
 * The real stack, with real timers, is gateway/test/location.test.ts.
 * Everything else is the real code: the client core and its trackers, the
 * fold, the handles.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { MessageBody } from "../codec.js";
import type { ChatMessage } from "../conversation-tracker.js";
import type { LiveShare, LocationBoard } from "../location/api.js";
import { isLive } from "../location/api.js";
import { parseOptions } from "../options.js";
import { randomId } from "../protocol/ids.js";
import type { LiveLocation } from "../protocol/live/wire.js";
import { LIVE_HEARTBEAT_MS, LIVE_UPDATE_MIN_MS, type LiveUpdate } from "../protocol/live/wire.js";
import type { SessionResponse } from "../protocol/rpc.js";
import { StateStore } from "../state-store.js";
import { ClientCore } from "./core.js";
import type { LiveChannel, ReceivedLive } from "./live-channel.js";
import { LocationRuntime } from "./location-runtime.js";

const CONV = "cv_1";
const START = 1_800_000_000_000;
const MINUTE = 60_000;
const GATE = { lat: 52.516275, lon: 13.377704, accuracy: 8 };

/** The conversation's store and the live relay, in memory; `refuse` makes the relay reject. */
class Room {
  readonly messages: ChatMessage[] = [];
  readonly members: Member[] = [];
  readonly relayed: { sender: string; live: LiveUpdate }[] = [];
  refuse: Error | undefined;

  store(sender: string, body: MessageBody): ChatMessage {
    const message: ChatMessage = {
      convId: CONV,
      seq: this.messages.length + 1,
      msgId: randomId(),
      sender,
      ts: Date.now(),
      body,
    };
    this.messages.push(message);
    for (const m of this.members) {
      const tracker = m.core.tracker(CONV);
      tracker.claim(message.seq);
      tracker.insert([message]);
    }
    return message;
  }

  channel(member: () => Member): LiveChannel {
    const handlers = new Set<(signal: ReceivedLive) => void>();
    return {
      send: async (convId, live) => {
        if (this.refuse) throw this.refuse;
        const from = member();
        this.relayed.push({ sender: from.id, live });
        const signal: ReceivedLive = {
          convId,
          sender: from.id,
          senderDevice: `d_${from.id}`,
          fromTeam: false,
          sentAt: Date.now(),
          live,
        };
        for (const m of this.members) if (m !== from) m.deliver(signal);
      },
      onSignal: (handler) => {
        handlers.add(handler);
        return () => handlers.delete(handler);
      },
      onUnverified: () => () => {},
      deliver: (signal: ReceivedLive) => {
        for (const h of handlers) h(signal);
      },
    } as LiveChannel & { deliver: (signal: ReceivedLive) => void };
  }
}

/** One principal's client parts: a real core (never connected) and the location runtime. */
class Member {
  readonly core: ClientCore;
  readonly runtime: LocationRuntime;
  readonly boards = new Map<string, StateStore<LocationBoard>>();
  readonly errors: unknown[] = [];
  readonly deliver: (signal: ReceivedLive) => void;

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
    const tracker = this.core.tracker(CONV);
    tracker.anchor(0, false);
    for (const m of room.messages) tracker.claim(m.seq);
    tracker.insert(room.messages);
    const channel = room.channel(() => this) as LiveChannel & { deliver: (signal: ReceivedLive) => void };
    this.deliver = channel.deliver;
    room.members.push(this);
    this.runtime = new LocationRuntime({
      core: this.core,
      send: async (_convId, body) => room.store(id, body),
      board: (convId) => {
        let store = this.boards.get(convId);
        if (!store) {
          store = new StateStore<LocationBoard>({ pins: new Map() });
          this.boards.set(convId, store);
        }
        return store;
      },
      live: channel,
      now: Date.now,
      synced: async () => undefined,
    });
    this.runtime.follow(CONV);
  }

  get board(): LocationBoard {
    return this.boards.get(CONV)?.value ?? { pins: new Map() };
  }
}

describe("client.location runtime", () => {
  let room: Room;
  let alice: Member;
  let bob: Member;
  beforeEach(() => {
    vi.useFakeTimers({ now: START });
    room = new Room();
    alice = new Member("alice", room);
    bob = new Member("bob", room);
  });
  afterEach(() => {
    alice.runtime.close();
    bob.runtime.close();
    vi.useRealTimers();
  });

  it("shares a place once, `at` from the shared clock, and the other member sees the pin", async () => {
    const message = await alice.runtime.share(CONV, GATE, { label: "Main entrance" });
    expect(message.body).toEqual({ type: "location", location: { ...GATE, at: START, label: "Main entrance" } });
    expect(bob.board.pins.get(message.msgId)).toMatchObject({
      sender: "alice",
      label: "Main entrance",
      fix: { ...GATE, at: START },
    });
  });

  it("refuses a fix out of range or a duration out of bounds before anything is queued (live_invalid)", async () => {
    await expect(alice.runtime.share(CONV, { ...GATE, lat: 95 }, {})).rejects.toMatchObject({ code: "live_invalid" });
    await expect(alice.runtime.share(CONV, GATE, { label: "a\u0007" })).rejects.toMatchObject({ code: "live_invalid" });
    await expect(alice.runtime.startLive(CONV, GATE, { durationMs: MINUTE - 1 })).rejects.toMatchObject({
      code: "live_invalid",
    });
    await expect(alice.runtime.startLive(CONV, GATE, { durationMs: 8 * 60 * MINUTE + 1 })).rejects.toMatchObject({
      code: "live_invalid",
    });
    expect(room.messages).toEqual([]);
  });

  it("runs a live share: updates reach the other member in order, and the sharer's own board moves too", async () => {
    const share = await alice.runtime.startLive(CONV, GATE, { durationMs: 15 * MINUTE });
    expect(share.until).toBe(START + 15 * MINUTE);
    for (let i = 1; i <= 3; i++) {
      await vi.advanceTimersByTimeAsync(LIVE_UPDATE_MIN_MS);
      share.update({ ...GATE, lat: GATE.lat + i * 0.001 });
      await vi.advanceTimersByTimeAsync(0);
    }
    expect(room.relayed.map((r) => (r.live as LiveLocation).n)).toEqual([1, 2, 3]);
    for (const who of [alice, bob]) {
      const pin = who.board.pins.get(share.share);
      expect(pin?.live?.n).toBe(3);
      expect(pin?.fix.lat).toBeCloseTo(GATE.lat + 0.003, 9);
      expect(pin && isLive(pin, Date.now())).toBe(true);
    }
  });

  it("stop ends it for both, and only the sharer may stop (live_rejected)", async () => {
    const share = await alice.runtime.startLive(CONV, GATE, { durationMs: 15 * MINUTE });
    await expect(bob.runtime.stop(CONV, share.share)).rejects.toMatchObject({ code: "live_rejected" });
    await expect(alice.runtime.stop(CONV, "m000000000000999")).rejects.toMatchObject({ code: "live_rejected" });
    const once = await alice.runtime.share(CONV, GATE, {});
    await expect(alice.runtime.stop(CONV, once.msgId)).rejects.toMatchObject({ code: "live_rejected" });
    await vi.advanceTimersByTimeAsync(MINUTE);
    await share.stop();
    expect(share.ended).toBe(true);
    for (const who of [alice, bob]) {
      const pin = who.board.pins.get(share.share);
      expect(pin?.live?.stoppedAt).toBe(START + MINUTE);
      expect(pin && isLive(pin, Date.now())).toBe(false);
    }
    await expect(alice.runtime.stop(CONV, share.share)).rejects.toMatchObject({ code: "live_rejected" });
    const relayed = room.relayed.length;
    share.update({ ...GATE, lat: GATE.lat + 0.01 });
    await vi.advanceTimersByTimeAsync(LIVE_HEARTBEAT_MS * 2);
    expect(room.relayed.length).toBe(relayed);
  });

  it("a share whose `until` passed is over on the viewer though the sharer never stopped", async () => {
    const share = await alice.runtime.startLive(CONV, GATE, { durationMs: MINUTE });
    await vi.advanceTimersByTimeAsync(MINUTE);
    expect(share.ended).toBe(true);
    const pin = bob.board.pins.get(share.share);
    expect(pin?.live?.stoppedAt).toBeUndefined();
    expect(pin && isLive(pin, Date.now())).toBe(false);
    await expect(alice.runtime.stop(CONV, share.share)).rejects.toMatchObject({ code: "live_rejected" });
  });

  it("reports a refused update (rate_limited) and never throws it from update", async () => {
    const share = await alice.runtime.startLive(CONV, GATE, { durationMs: 15 * MINUTE });
    room.refuse = Object.assign(new Error("slow down"), { code: "rate_limited" });
    await vi.advanceTimersByTimeAsync(LIVE_UPDATE_MIN_MS);
    expect(() => share.update({ ...GATE, lat: GATE.lat + 0.01 })).not.toThrow();
    await vi.advanceTimersByTimeAsync(0);
    expect(alice.errors).toMatchObject([{ code: "rate_limited" }]);
  });

  it("resumes its own running share after a reload with updates numbered above the earlier ones", async () => {
    const share = await alice.runtime.startLive(CONV, GATE, { durationMs: 15 * MINUTE });
    for (let i = 1; i <= 4; i++) {
      await vi.advanceTimersByTimeAsync(LIVE_UPDATE_MIN_MS);
      share.update({ ...GATE, lat: GATE.lat + i * 0.001 });
    }
    alice.runtime.close();
    expect(share.ended).toBe(true);
    const reloaded = new Member("alice", room);
    expect(await bob.runtime.resume(CONV, share.share)).toBeUndefined();
    const again = (await reloaded.runtime.resume(CONV, share.share)) as LiveShare;
    expect(again.share).toBe(share.share);
    expect(await reloaded.runtime.resume(CONV, share.share)).toBe(again);
    await vi.advanceTimersByTimeAsync(LIVE_UPDATE_MIN_MS);
    again.update({ ...GATE, lat: GATE.lat + 0.01 });
    await vi.advanceTimersByTimeAsync(0);
    const last = (room.relayed.at(-1)?.live as LiveLocation | undefined)?.n ?? 0;
    expect(last).toBeGreaterThan(4);
    expect(bob.board.pins.get(share.share)?.live?.n).toBe(last);
    expect(bob.board.pins.get(share.share)?.fix.lat).toBeCloseTo(GATE.lat + 0.01, 9);
    reloaded.runtime.close();
  });

  it("ends this device's handle when the share is stopped from another device of the sharer", async () => {
    const share = await alice.runtime.startLive(CONV, GATE, { durationMs: 15 * MINUTE });
    const otherDevice = new Member("alice", room);
    await otherDevice.runtime.stop(CONV, share.share);
    expect(share.ended).toBe(true);
    otherDevice.runtime.close();
  });
});
