/**
 * Listening together through the real stack, end-to-end encrypted: Mia and
 * Noah (invited by handle) share one conversation; Mia starts a session, Noah
 * joins, either of them pauses, seeks and skips, and after every step both
 * boards are equal. Only the starter ends a session; when both leave, it ends.
 * Refusals happen before anything is queued. A canary in a track's title never
 * reaches the store, the gateway's logs or NATS.
 */
import type { ChatMessage, ListenBoard, ParleyClient, PlaybackChange, PlaybackState, Track } from "@parley/sdk";
import { START_LEAD_MS } from "@parley/sdk/listen";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findCanary, NOWHERE } from "./harness/canary.js";
import { startStack, type TestStack } from "./harness/stack.js";
import { startWiretap, type Wiretap } from "./harness/wiretap.js";
import { codeOf, joinByInvite, waitFor } from "./helpers.js";

const CANARY = `CANARY${crypto.randomUUID().replace(/-/g, "")}`;
const QUEUE: Track[] = [
  { url: "https://media.shop.test/1.mp3", title: `Opening ${CANARY}`, artist: "The Testers", durationMs: 180_000 },
  { url: "https://media.shop.test/2.mp3", title: "Second", durationMs: 200_000, catalogId: "track-2" },
  { url: "https://media.shop.test/3.mp3", title: "Third", durationMs: 150_000 },
];

let stack: TestStack;
let tap: Wiretap;
let mia: ParleyClient;
let noah: ParleyClient;
let convId: string;
let sessionId: string;
const clients: ParleyClient[] = [];

const boardOf = (client: ParleyClient): ListenBoard => client.listen.board(convId).value;

/** Waits until both boards hold `probe`'s answer, then checks that they are equal; returns Mia's. */
async function bothSee<T>(probe: (board: ListenBoard) => T | undefined | false, what: string): Promise<T> {
  for (const client of [mia, noah]) await waitFor(() => probe(boardOf(client)), `${what} (${client.principal.id})`);
  expect(boardOf(noah)).toEqual(boardOf(mia));
  return probe(boardOf(mia)) as T;
}

/** `client` changes what plays; resolves with the state it sent once both boards show it. */
async function control(client: ParleyClient, change: PlaybackChange): Promise<PlaybackState> {
  const sent = await client.listen.control(convId, sessionId, change);
  const state = stateOf(sent);
  await bothSee(
    (b) => b.active?.changedBy === client.principal.id && JSON.stringify(b.active.state) === JSON.stringify(state),
    `the state ${JSON.stringify(change)} on both boards`,
  );
  return state;
}

function stateOf(message: ChatMessage): PlaybackState {
  const body = message.body;
  if (body?.type !== "listen-event" || body.event.op !== "state") throw new Error("not a state event");
  return body.event.state as PlaybackState;
}

beforeAll(async () => {
  stack = await startStack();
  tap = await startWiretap(stack, "app");
  mia = stack.customer("listen-mia", { encryption: true });
  noah = stack.customer("listen-noah", { encryption: true });
  clients.push(mia, noah);
  await mia.connect();
  await noah.connect();
  convId = (await mia.openConversation()).id;
  await mia.send(convId, "Shall we listen to the new album?");
  await joinByInvite(mia, convId, noah, "listen_noah");
}, 30_000);

afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await tap?.[Symbol.asyncDispose]();
  await stack?.[Symbol.asyncDispose]();
});

describe("listening together in a group conversation", () => {
  it("Mia starts a session: both see it running, Mia its starter and only listener, playing after the lead", async () => {
    const before = Date.now();
    const started = await mia.listen.start(convId, QUEUE);
    const after = Date.now();
    sessionId = started.msgId;
    const session = await bothSee((b) => b.active?.id === sessionId && b.active, "the session on both boards");
    expect(session).toMatchObject({ starter: mia.principal.id, listeners: [mia.principal.id], queue: QUEUE });
    expect(session.state).toMatchObject({ index: 0, playing: true, positionMs: 0 });
    expect(session.state.atMs).toBeGreaterThanOrEqual(before + START_LEAD_MS);
    expect(session.state.atMs).toBeLessThanOrEqual(after + START_LEAD_MS);
  });

  it("refuses a second session while one runs, and a change by someone not listening", async () => {
    expect(await codeOf(noah.listen.start(convId, [QUEUE[1] as Track]))).toBe("live_rejected");
    expect(await codeOf(noah.listen.control(convId, sessionId, { playing: false }))).toBe("live_rejected");
    expect(await codeOf(noah.listen.leave(convId, sessionId))).toBe("live_rejected");
  });

  it("Noah joins; pause, seek, next and play by either leave both boards equal after each step", async () => {
    await noah.listen.join(convId, sessionId);
    await bothSee((b) => b.active?.listeners.length === 2, "Noah among the listeners");
    expect(boardOf(mia).active?.listeners).toEqual([mia.principal.id, noah.principal.id]);

    const paused = await control(noah, { playing: false });
    expect(paused).toMatchObject({ playing: false, index: 0 });
    const sought = await control(mia, { positionMs: 30_000 });
    expect(sought).toMatchObject({ playing: false, index: 0, positionMs: 30_000 });
    const next = await control(noah, { index: 1 });
    expect(next).toMatchObject({ playing: false, index: 1, positionMs: 0 });
    const before = Date.now();
    const playing = await control(mia, { playing: true });
    expect(playing).toMatchObject({ playing: true, index: 1, positionMs: 0 });
    expect(playing.atMs).toBeGreaterThanOrEqual(before + START_LEAD_MS);
    const previous = await control(noah, { index: 0, positionMs: 12_345 });
    expect(previous).toMatchObject({ playing: true, index: 0, positionMs: 12_345 });
  });

  it("refuses before queueing: an end by a non-starter, a bad queue, a bad change", async () => {
    const stored = async () => (await stack.gateway.store.since(convId, 0, 1000)).length;
    const count = await stored();
    expect(await codeOf(noah.listen.end(convId, sessionId))).toBe("live_rejected");
    expect(await codeOf(noah.listen.control(convId, sessionId, { index: QUEUE.length }))).toBe("live_invalid");
    expect(await codeOf(noah.listen.control(convId, sessionId, { positionMs: -1 }))).toBe("live_invalid");
    expect(await codeOf(noah.listen.join(convId, "not a session id"))).toBe("live_invalid");
    const plainHttp = { ...QUEUE[0], url: "http://media.shop.test/1.mp3" } as Track;
    expect(await codeOf(mia.listen.start(convId, [plainHttp]))).toBe("live_invalid");
    expect(await codeOf(mia.listen.start(convId, []))).toBe("live_invalid");
    expect(mia.conversation(convId).value.pending).toHaveLength(0);
    expect(noah.conversation(convId).value.pending).toHaveLength(0);
    expect(await stored()).toBe(count);
  });

  it("when both leave, the session ends for both; a new one can start and its starter ends it", async () => {
    await mia.listen.leave(convId, sessionId);
    await bothSee((b) => b.active?.listeners.length === 1, "Mia gone from the listeners");
    expect(boardOf(noah).active?.listeners).toEqual([noah.principal.id]);
    const left = await noah.listen.leave(convId, sessionId);
    const ended = await bothSee(
      (b) => b.active === undefined && b.sessions.get(sessionId)?.endedAt !== undefined && b.sessions.get(sessionId),
      "the session ended on both boards",
    );
    expect(ended).toMatchObject({ endedAt: left.seq, listeners: [] });
    expect(await codeOf(noah.listen.join(convId, sessionId))).toBe("live_rejected");

    const second = (await noah.listen.start(convId, [QUEUE[2] as Track])).msgId;
    await bothSee((b) => b.active?.id === second, "Noah's session on both boards");
    await mia.listen.join(convId, second);
    await bothSee((b) => b.active?.listeners.length === 2, "Mia in Noah's session");
    expect(await codeOf(mia.listen.end(convId, second))).toBe("live_rejected");
    const end = await noah.listen.end(convId, second);
    const board = await bothSee((b) => b.active === undefined && b, "Noah's session ended on both boards");
    expect(board.sessions.get(second)).toMatchObject({
      endedAt: end.seq,
      listeners: [noah.principal.id, mia.principal.id],
    });
    expect([...board.sessions.keys()]).toEqual([sessionId, second]);
  });

  it("leaves the track title's canary out of the store, its file, the gateway's logs and NATS", async () => {
    const search = await findCanary(stack, [tap], convId, CANARY);
    // The title did cross the stack: Noah reads the canary from the decrypted session.
    expect(boardOf(noah).sessions.get(sessionId)?.queue[0]?.title).toContain(CANARY);
    expect(search.captured).toBeGreaterThan(10);
    expect(search.files.some((f) => f.endsWith("parley.sqlite"))).toBe(true);
    expect(search.found).toEqual(NOWHERE);
  });
});
