/**
 * Calls through the real stack, end-to-end encrypted, without the WebRTC
 * engine (its own tests drive media in Chromium): the shop's agent Ada calls
 * Mia, a customer. The `call` and `call-event` messages are posted the way
 * the engine posts them (`client.send`), so what is tested here is what every
 * client folds from them: Mia's device rings in real time and again after a
 * reload (a fresh client on the same storage), her decline stops the ringing
 * and, once Ada's device hangs up, both boards read `declined`; a call Mia
 * joins stops ringing and ends `answered`; a call nobody takes stops ringing
 * when the gateway's clock passes its ring (the stack's `now` jumps, Mia
 * measures the shared clock again) and the fold reads it `missed`; the boards
 * survive a reload. A canary in a session description, relayed as a call's
 * live signal, never reaches the store, its files, the gateway's logs or NATS.
 */
import {
  type CallRecord,
  type CallsBoard,
  type ChatMessage,
  type KeyValueStorage,
  memoryStorage,
  type ParleyClient,
} from "@parley/sdk";
import { type CallEvent, fingerprintMatches, foldCalls, parseLiveCall, RING_MS } from "@parley/sdk/calls";
import { liveChannelOf, type ReceivedLive } from "@parley/sdk/internal";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findCanary, NOWHERE } from "./harness/canary.js";
import { startStack, type TestStack } from "./harness/stack.js";
import { startWiretap, type Wiretap } from "./harness/wiretap.js";
import { codeOf, waitFor } from "./helpers.js";

const CANARY = `CANARY${crypto.randomUUID().replace(/-/g, "")}`;
const FINGERPRINT = `sha-256 ${Array.from({ length: 32 }, (_, i) => (i + 16).toString(16).toUpperCase()).join(":")}`;

/** How far the gateway's clock is ahead of this machine's, ms (the ring test moves it). */
let skew = 0;
let stack: TestStack;
let taps: Wiretap[];
let ada: ParleyClient;
let mia: ParleyClient;
let miaStorage: KeyValueStorage;
let convId: string;
const clients: ParleyClient[] = [];

function track(client: ParleyClient): ParleyClient {
  clients.push(client);
  return client;
}

/** A fresh client of Mia's on her storage (a reload), connected, with the conversation loaded. */
async function reloadMia(): Promise<ParleyClient> {
  await mia.close();
  mia = track(stack.customer("calls-mia", { encryption: true, storage: miaStorage }));
  await mia.connect();
  await mia.loadConversation(convId);
  return mia;
}

const boardOf = (client: ParleyClient): CallsBoard => client.calls.board(convId).value;

/** Waits until `client`'s board holds call `id` and `probe` answers for it; returns the record. */
function onBoard(client: ParleyClient, id: string, probe: (call: CallRecord) => boolean, what: string) {
  return waitFor(() => {
    const call = boardOf(client).calls.get(id);
    return call && probe(call) && call;
  }, what);
}

/** Posts a `call` message from `client` as the engine does (its `at` the shared clock's now). */
function startCall(client: ParleyClient, media: "audio" | "video"): Promise<ChatMessage> {
  return client.send(convId, { type: "call", call: { media, at: Math.round(client.clock.now()) } });
}

/** Posts a `call-event` message from `client` as the engine does. */
function callEvent(client: ParleyClient, call: string, op: CallEvent["op"]): Promise<ChatMessage> {
  return client.send(convId, { type: "call-event", event: { call, op, at: Math.round(client.clock.now()) } });
}

/** Whether call `id` rings on `client`'s device. */
const rings = (client: ParleyClient, id: string) => client.calls.incoming.value.some((c) => c.id === id);

beforeAll(async () => {
  stack = await startStack({ now: () => Date.now() + skew });
  taps = [await startWiretap(stack, "app")];
  ada = track(stack.agent({ encryption: true }));
  await ada.connect();
  miaStorage = memoryStorage();
  mia = track(stack.customer("calls-mia", { encryption: true, storage: miaStorage }));
  await mia.connect();
  convId = (await mia.openConversation()).id;
  await mia.send(convId, "Could you call me about my order?");
  await ada.loadConversation(convId);
}, 60_000);

afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await Promise.allSettled((taps ?? []).map((t) => t[Symbol.asyncDispose]()));
  await stack?.[Symbol.asyncDispose]();
});

describe("calls", () => {
  it("a call rings on the callee's device at once and again after a reload; her decline stops it", async () => {
    const sent = await startCall(ada, "video");
    const ringing = await waitFor(() => mia.calls.incoming.value.find((c) => c.id === sent.msgId), "Mia's ring");
    expect(ringing).toMatchObject({ convId, caller: ada.principal.id, fromTeam: true, media: "video" });
    expect(ringing.participants).toEqual([ada.principal.id]);
    const call = await onBoard(ada, sent.msgId, (c) => c.state === "ringing", "Ada's ringing call");
    expect(call).toMatchObject({ caller: ada.principal.id, callerDevice: ada.deviceId, startedAt: expect.any(Number) });
    expect(ringing.ringsUntil).toBe(call.startedAt + RING_MS);

    await reloadMia();
    await waitFor(() => rings(mia, sent.msgId), "Mia's ring after the reload");
    await mia.calls.decline(sent.msgId);
    expect(rings(mia, sent.msgId)).toBe(false);
    await onBoard(ada, sent.msgId, (c) => c.declined.includes(mia.principal.id), "Ada to see the decline");
    expect(await codeOf(ada.calls.decline(sent.msgId))).toBe("call_unavailable");

    // Ada's device hangs up on a 1:1 decline (the engine's part): the call ends, declined, on both boards.
    await callEvent(ada, sent.msgId, "leave");
    for (const client of [ada, mia]) {
      await onBoard(client, sent.msgId, (c) => c.outcome === "declined", "the declined call");
    }
    expect(boardOf(mia).calls.get(sent.msgId)).toEqual(boardOf(ada).calls.get(sent.msgId));
  }, 60_000);

  it("a call the callee joins stops ringing and ends answered when both leave", async () => {
    const sent = await startCall(mia, "audio");
    await waitFor(() => rings(ada, sent.msgId), "Ada's ring");
    await callEvent(ada, sent.msgId, "join");
    expect(rings(ada, sent.msgId)).toBe(false);
    const active = await onBoard(mia, sent.msgId, (c) => c.state === "active", "the answered call");
    expect(active.participants.map((p) => [p.principalId, p.device])).toEqual([
      [mia.principal.id, mia.deviceId],
      [ada.principal.id, ada.deviceId],
    ]);
    await callEvent(mia, sent.msgId, "leave");
    await callEvent(ada, sent.msgId, "leave");
    for (const client of [ada, mia]) {
      const ended = await onBoard(client, sent.msgId, (c) => c.state === "ended", "the ended call");
      expect(ended.outcome).toBe("answered");
      expect(ended.durationMs).toBe((ended.endedAt as number) - (ended.answeredAt as number));
      expect(ended.durationMs).toBeGreaterThanOrEqual(0);
    }
    expect(boardOf(mia).calls.get(sent.msgId)).toEqual(boardOf(ada).calls.get(sent.msgId));
  }, 60_000);

  it("a call nobody takes stops ringing when the shared clock passes its ring, and reads missed", async () => {
    const sent = await startCall(ada, "audio");
    await waitFor(() => rings(mia, sent.msgId), "Mia's ring");
    const started = boardOf(ada).calls.get(sent.msgId)?.startedAt as number;
    // The fold at an instant past the ring: missed, on anyone's messages.
    const past = foldCalls(ada.conversation(convId).value.messages, started + RING_MS);
    expect(past.calls.get(sent.msgId)).toMatchObject({ state: "ended", outcome: "missed", endedAt: started + RING_MS });
    // The gateway's clock moves past the ring; Mia measures the shared clock again and stops ringing.
    skew += RING_MS + 5_000;
    await mia.clock.sync();
    await waitFor(() => !rings(mia, sent.msgId), "Mia's ring to stop");
    await onBoard(mia, sent.msgId, (c) => c.outcome === "missed", "the missed call on Mia's board");
    // A join after the ring is too late for every client.
    const late = await callEvent(mia, sent.msgId, "join");
    await waitFor(() => boardOf(mia).ignored?.get(late.msgId)?.reason === "not_now", "the late join ignored");
    await ada.clock.sync();
    await onBoard(ada, sent.msgId, (c) => c.outcome === "missed", "the missed call on Ada's board");
    expect(boardOf(ada).ignored?.get(late.msgId)?.reason).toBe("not_now");
  }, 60_000);

  it("the boards survive a reload", async () => {
    const before = boardOf(ada);
    expect(before.calls.size).toBe(3);
    await reloadMia();
    const board = await waitFor(() => boardOf(mia).calls.size === 3 && boardOf(mia), "Mia's board after the reload");
    expect(board.calls).toEqual(before.calls);
    expect(mia.calls.incoming.value).toEqual([]);
  }, 60_000);

  it("a session description relayed as a live signal verifies, and its canary stays out of the stack", async () => {
    const miaHeard: ReceivedLive[] = [];
    const off = liveChannelOf(mia).onSignal((s) => miaHeard.push(s));
    const [id] = [...boardOf(ada).calls.keys()];
    const sdp = ["v=0", "o=- 1 2 IN IP4 127.0.0.1", `s=${CANARY}`, `a=fingerprint:${FINGERPRINT}`].join("\r\n");
    const offer = { kind: "call", call: id as string, op: "offer", to: mia.deviceId, sdp, fingerprint: FINGERPRINT };
    await liveChannelOf(ada).send(convId, offer as never);
    const heard = await waitFor(() => miaHeard.find((s) => s.live.kind === "call"), "Mia to hear the offer");
    off();
    expect(heard).toMatchObject({ sender: ada.principal.id, senderDevice: ada.deviceId });
    const parsed = parseLiveCall(heard.live);
    expect(parsed?.op === "offer" && fingerprintMatches(parsed.sdp, parsed.fingerprint)).toBe(true);

    const stored = await stack.gateway.store.since(convId, 0, 1000);
    expect(stored.length).toBeGreaterThanOrEqual(10);
    expect(new Set(stored.map((m) => m.envelope.alg))).toEqual(new Set(["xc20p-ed25519"]));
    const search = await findCanary(stack, taps, convId, CANARY);
    expect(search.captured).toBeGreaterThan(0);
    expect(search.found).toEqual(NOWHERE);
  }, 60_000);
});
