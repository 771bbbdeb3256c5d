/**
 * Sharing a location through the real stack, end-to-end encrypted: Mia (a
 * customer) shares a place once and then live, the shop's agent sees both on
 * their board, live updates arrive in order (throttled: of two moves within
 * LIVE_UPDATE_MIN_MS only the newer goes), and Mia's stop ends the share for
 * both. The shop's bot shares live too, and its share reads as the team's. A
 * share whose `until` passed is over on the viewer though its sharer never
 * stopped: the gateway's clock (the stack's `now`, which `time.now` and stored
 * message times read) jumps past `until`, the viewer measures the shared clock
 * again, and a late update and a late stop change nothing. A canary coordinate
 * never reaches the store, its files, the gateway's logs or NATS.
 */
import { type FixInput, isLive, type LocationBoard, type ParleyClient, type PinState } from "@parley/sdk";
import { liveChannelOf, type ReceivedLive } from "@parley/sdk/internal";
import { LIVE_UPDATE_MIN_MS } from "@parley/sdk/location";
import type { LiveLocation } from "@parley/sdk/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findCanary, NOWHERE } from "./harness/canary.js";
import { SHOP_ID, startStack, type TestStack } from "./harness/stack.js";
import { startWiretap, type Wiretap } from "./harness/wiretap.js";
import { codeOf, waitFor } from "./helpers.js";

const BOT = { login: "courier-bot", password: "courier bot password, long enough" };
const MINUTE = 60_000;
/** A latitude no other test uses: its digits are the canary. */
const CANARY_LAT = Number(`47.${String(Math.floor(Math.random() * 1e12)).padStart(12, "3")}`);
const CANARY = String(CANARY_LAT).slice(3);
const HERE: FixInput = { lat: 52.516275, lon: 13.377704, accuracy: 12 };

/** How far the gateway's clock is ahead of this machine's, ms (the expiry test moves it). */
let skew = 0;
let stack: TestStack;
let taps: Wiretap[];
let ada: ParleyClient;
let bot: ParleyClient;
let mia: ParleyClient;
let convId: string;
const clients: ParleyClient[] = [];
/** The live signals Ada's client heard, in arrival order. */
const adaHeard: ReceivedLive[] = [];

function track(client: ParleyClient): ParleyClient {
  clients.push(client);
  return client;
}

const boardOf = (client: ParleyClient): LocationBoard => client.location.board(convId).value;

/** Waits until `client`'s board holds a pin for which `probe` answers; returns the answer. */
function onBoard<T>(client: ParleyClient, probe: (board: LocationBoard) => T | undefined | false, what: string) {
  return waitFor(() => probe(boardOf(client)), what, 20_000);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  stack = await startStack({ now: () => Date.now() + skew });
  taps = [await startWiretap(stack, "app"), await startWiretap(stack, "bots")];
  await stack.gateway.admin.addAgent(SHOP_ID, { ...BOT, displayName: "Courier", role: "agent", kind: "bot" });
  // The admin agent's device makes the team key and wraps it to the bot's device.
  ada = track(stack.agent({ encryption: true }));
  await ada.connect();
  liveChannelOf(ada).onSignal((s) => adaHeard.push(s));
  bot = track(stack.client({ auth: { kind: "bot", shopId: SHOP_ID, ...BOT }, encryption: true }));
  await bot.connect();
  await waitFor(async () => {
    const { wraps } = await bot.request("team.wrap.get", {});
    return wraps.some((w) => w.deviceId === bot.deviceId);
  }, "the team key to reach the bot's device");
  mia = track(stack.customer("location-mia", { encryption: true }));
  await mia.connect();
  convId = (await mia.openConversation()).id;
  await mia.send(convId, "Where is my order?");
  await ada.loadConversation(convId);
  await bot.loadConversation(convId);
  for (const client of clients) client.location.board(convId);
}, 60_000);

afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await Promise.allSettled((taps ?? []).map((t) => t[Symbol.asyncDispose]()));
  await stack?.[Symbol.asyncDispose]();
});

describe("sharing a location", () => {
  it("a customer shares a place once and the agent sees the pin", async () => {
    const sent = await mia.location.share(convId, HERE, { label: "Main entrance" });
    const pin = await onBoard(ada, (b) => b.pins.get(sent.msgId), "Ada to see Mia's pin");
    expect(pin).toMatchObject({ sender: mia.principal.id, fromTeam: false, label: "Main entrance", fix: HERE });
    expect(pin.live).toBeUndefined();
    expect(boardOf(ada).pins.get(sent.msgId)).toEqual(boardOf(mia).pins.get(sent.msgId));
  });

  it("a live share: updates reach the agent in order, and the sharer's stop ends it for both", async () => {
    const share = await mia.location.startLive(convId, HERE, { durationMs: MINUTE, label: "On my way" });
    expect(mia.clock.estimate.value).toBeDefined();
    await onBoard(ada, (b) => b.pins.get(share.share)?.live, "Ada to see the live share");
    const seen: number[] = [];
    const off = ada.location.board(convId).subscribe((b) => {
      const n = b.pins.get(share.share)?.live?.n;
      if (n !== undefined && n !== seen.at(-1)) seen.push(n);
    });
    // The first move goes once LIVE_UPDATE_MIN_MS passed since the share started; of the next two,
    // within that time, only the newer goes when the time is up.
    await sleep(LIVE_UPDATE_MIN_MS);
    share.update({ ...HERE, lat: 52.517 });
    share.update({ ...HERE, lat: 52.518 });
    share.update({ ...HERE, lat: CANARY_LAT });
    const second = await onBoard(ada, (b) => b.pins.get(share.share)?.live?.n === 2 && b, "Ada to take update 2");
    off();
    expect(seen).toEqual([0, 1, 2]);
    expect(second.pins.get(share.share)?.fix).toMatchObject({ lat: CANARY_LAT, lon: HERE.lon });
    expect(
      adaHeard
        .filter((s) => (s.live as LiveLocation).share === share.share)
        .map((s) => [(s.live as LiveLocation).n, (s.live as LiveLocation).lat]),
    ).toEqual([
      [1, 52.517],
      [2, CANARY_LAT],
    ]);
    expect(await codeOf(ada.location.stop(convId, share.share))).toBe("live_rejected");

    await share.stop();
    expect(share.ended).toBe(true);
    for (const client of [mia, ada]) {
      const pin = await onBoard(
        client,
        (b) => b.pins.get(share.share)?.live?.stoppedAt && b.pins.get(share.share),
        "the stop",
      );
      expect(isLive(pin as PinState, client.clock.now())).toBe(false);
    }
    expect(boardOf(ada).pins.get(share.share)).toEqual(boardOf(mia).pins.get(share.share));
  }, 60_000);

  it("a bot's live share reads as the team's", async () => {
    const share = await bot.location.startLive(convId, HERE, { durationMs: 15 * MINUTE, label: "Courier" });
    const pin = await onBoard(mia, (b) => b.pins.get(share.share), "Mia to see the bot's share");
    expect(pin).toMatchObject({ sender: bot.principal.id, fromTeam: true, label: "Courier" });
    expect(isLive(pin, mia.clock.now())).toBe(true);
    await share.stop();
    await onBoard(mia, (b) => b.pins.get(share.share)?.live?.stoppedAt, "the bot's stop");
  });

  it("a share whose `until` passed is over on the viewer though its sharer never stopped", async () => {
    const share = await mia.location.startLive(convId, HERE, { durationMs: MINUTE });
    const pin = await onBoard(ada, (b) => b.pins.get(share.share), "Ada to see the share");
    await ada.clock.sync();
    expect(isLive(pin, ada.clock.now())).toBe(true);
    // The gateway's clock moves past `until`; Ada measures the shared clock again, Mia does not.
    skew += MINUTE + 5_000;
    await ada.clock.sync();
    expect(ada.clock.now()).toBeGreaterThan(share.until);
    expect(isLive(boardOf(ada).pins.get(share.share) as PinState, ada.clock.now())).toBe(false);
    expect(share.ended).toBe(false);

    // Mia's device still thinks it is live: its update is relayed, and Ada's board does not take it.
    await sleep(LIVE_UPDATE_MIN_MS);
    share.update({ ...HERE, lat: 52.6 });
    await waitFor(
      () => adaHeard.some((s) => (s.live as LiveLocation).share === share.share),
      "Ada to hear the late update",
    );
    expect(boardOf(ada).pins.get(share.share)?.live?.n).toBe(0);
    expect(boardOf(ada).pins.get(share.share)?.fix).toEqual(boardOf(ada).pins.get(share.share)?.first);

    // Her stop is stored after `until` by the gateway's clock: every client ignores it.
    const stop = await mia.location.stop(convId, share.share);
    const ignored = await onBoard(ada, (b) => b.ignored?.get(stop.msgId), "Ada to fold the late stop");
    expect(ignored).toMatchObject({ type: "location-event", reason: "not_live" });
    expect(boardOf(ada).pins.get(share.share)?.live?.stoppedAt).toBeUndefined();
    // Mia's own board folds the stop alike (it took her own late update: her clock was not measured again).
    await onBoard(mia, (b) => b.ignored?.get(stop.msgId)?.reason === "not_live", "Mia to fold the late stop");
    expect(boardOf(mia).pins.get(share.share)?.live?.stoppedAt).toBeUndefined();
  }, 60_000);

  it("leaves the canary coordinate out of the store, its files, the gateway's logs and NATS", async () => {
    const search = await findCanary(stack, taps, convId, CANARY);
    // The canary did cross the stack: Ada opened it from a live signal.
    expect(adaHeard.some((s) => String((s.live as LiveLocation).lat).includes(CANARY))).toBe(true);
    expect(taps.flatMap((t) => t.captured).join("\n")).toContain('"type":"live"');
    expect(search.files.some((f) => f.endsWith("parley.sqlite"))).toBe(true);
    expect(search.found).toEqual(NOWHERE);
  });
});
