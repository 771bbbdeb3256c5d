/**
 * Live signals (`signal.live`) through the real stack, end-to-end encrypted:
 * Mia (two devices) and Noah (invited by handle) share one conversation with
 * the shop's admin agent and its bot. A signal reaches every other member,
 * the team and the sender's other device, opened and attributed; the bot's is
 * from the team. The gateway refuses outsiders, a mismatched envelope,
 * oversize and plaintext signals, stale epochs and bursts, and never stores
 * or logs one: a canary coordinate is absent from the store, the logs and a
 * NATS `>` capture. Domain separation: a signal's envelope stored as a
 * message is a `live` message (no row in the timeline) and no signal; a
 * message's envelope relayed as a signal is dropped. A removed member cannot
 * open what is sealed after the rotation, even when a lying gateway hands it
 * over. Plaintext clients: the plaintext envelope, `fromTeam` is the
 * gateway's word.
 */
import { DecryptError, type ParleyClient, ParleyError } from "@parley/sdk";
import { liveChannelOf, type ReceivedLive } from "@parley/sdk/internal";
import {
  type Envelope,
  LIVE_SIGNAL_BURST,
  type LiveLocation,
  MAX_LIVE_CIPHERTEXT_CHARS,
  type ServerEvent,
  subjects,
} from "@parley/sdk/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SHOP_ID, startStack, type TestStack } from "./harness/stack.js";
import { type Liar, startLiar, startWiretap, type Wiretap } from "./harness/wiretap.js";
import { codeOf, joinByInvite, waitFor } from "./helpers.js";

const BOT = { login: "courier-bot", password: "courier bot password, long enough" };
/** Coordinates no other test uses: their digits are the canary. */
const CANARY_LAT = Number(`48.${String(Math.floor(Math.random() * 1e12)).padStart(12, "7")}`);
const CANARY = String(CANARY_LAT).slice(3);

let stack: TestStack;
let taps: Wiretap[];
let liar: Liar;
const clients: ParleyClient[] = [];
let ada: ParleyClient;
let bot: ParleyClient;
let mia: ParleyClient;
let mia2: ParleyClient;
let noah: ParleyClient;
let convId: string;
/** The conversation's last seq once the test has sent its last message. */
let lastSeq: number;
/** Envelopes that went both ways on purpose (a signal stored, a message relayed): their msgIds. */
const crossed: string[] = [];

function track(client: ParleyClient): ParleyClient {
  clients.push(client);
  return client;
}

/** Every live signal and every error a client reports, in arrival order. */
interface Ears {
  signals: ReceivedLive[];
  errors: Error[];
}
const ears = new Map<ParleyClient, Ears>();
function listen(client: ParleyClient): ParleyClient {
  const e: Ears = { signals: [], errors: [] };
  liveChannelOf(client).onSignal((s) => e.signals.push(s));
  client.on("error", (err) => e.errors.push(err));
  ears.set(client, e);
  return client;
}
const heard = (client: ParleyClient) => ears.get(client) as Ears;

let n = 0;
/** A live location update of share `m_share` with the next `n`. */
function update(lat = 52.52, lon = 13.405): LiveLocation {
  n++;
  return { kind: "location", share: "m_share", n, lat, lon, accuracy: 12, at: Date.now() };
}

/** Waits for `client` to hear the signal whose `n` is `nth`. */
const hears = (client: ParleyClient, nth: number, who: string) =>
  waitFor(() => heard(client).signals.find((s) => (s.live as LiveLocation).n === nth), `${who} to hear signal ${nth}`);

type LiveEvent = Extract<ServerEvent, { type: "live" }>;

/** The `live` events the app account's wiretap saw (on `subject` only, when given), oldest first. */
function liveEvents(subject?: string): LiveEvent[] {
  const out: LiveEvent[] = [];
  for (const line of taps[0]?.captured ?? []) {
    const space = line.indexOf(" ");
    if (subject !== undefined && line.slice(0, space) !== subject) continue;
    if (!line.startsWith('{"type":"live"', space + 1)) continue;
    out.push(JSON.parse(line.slice(space + 1)) as LiveEvent);
  }
  return out;
}
const liveEventsOn = (subject: string) => liveEvents(subject);

beforeAll(async () => {
  stack = await startStack();
  taps = [await startWiretap(stack, "app"), await startWiretap(stack, "bots")];
  liar = await startLiar(stack);
  await stack.gateway.admin.addAgent(SHOP_ID, { ...BOT, displayName: "Courier", role: "agent", kind: "bot" });
  // The admin agent's device makes the team key and wraps it to the bot's device.
  ada = listen(track(stack.agent({ encryption: true })));
  await ada.connect();
  bot = listen(track(stack.client({ auth: { kind: "bot", shopId: SHOP_ID, ...BOT }, encryption: true })));
  await bot.connect();
  await waitFor(async () => {
    const { wraps } = await bot.request("team.wrap.get", {});
    return wraps.some((w) => w.deviceId === bot.deviceId);
  }, "the team key to reach the bot's device");

  mia = listen(track(stack.customer("live-mia", { encryption: true })));
  mia2 = listen(track(stack.customer("live-mia", { encryption: true })));
  noah = listen(track(stack.customer("live-noah", { encryption: true })));
  await mia.connect();
  await mia2.connect();
  await noah.connect();
  convId = (await mia.openConversation()).id;
  await mia.send(convId, "Where is my order?");
  await joinByInvite(mia, convId, noah, "live_noah");
  lastSeq = (await stack.gateway.store.getConversation(convId))?.lastSeq ?? -1;
}, 60_000);

afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await Promise.allSettled([...(taps ?? []), ...(liar ? [liar] : [])].map((t) => t[Symbol.asyncDispose]()));
  await stack?.[Symbol.asyncDispose]();
});

describe("live signals between members, the team and a bot", () => {
  it("a member's signal reaches the other member, her other device, the agent and the bot, opened; not the sending device", async () => {
    const sent = update(CANARY_LAT, 11.575);
    await liveChannelOf(mia).send(convId, sent);
    for (const [client, who] of [
      [noah, "Noah"],
      [mia2, "Mia's other device"],
      [ada, "the agent"],
      [bot, "the bot"],
    ] as const) {
      const got = await hears(client, sent.n, who);
      expect(got).toMatchObject({
        convId,
        sender: mia.principal.id,
        senderDevice: mia.deviceId,
        fromTeam: false,
        live: sent,
      });
    }
    // Noah answers: the gateway relays it to Mia after hers, so once Mia hears Noah she would have heard herself.
    const reply = update();
    await liveChannelOf(noah).send(convId, reply);
    await hears(mia, reply.n, "Mia");
    expect(heard(mia).signals.map((s) => [s.sender, (s.live as LiveLocation).n])).toEqual([
      [noah.principal.id, reply.n],
    ]);
    expect(heard(noah).signals.filter((s) => (s.live as LiveLocation).n === reply.n)).toEqual([]);
  });

  it("the bot's and the agent's signals are from the team; a customer's never", async () => {
    const fromBot = update();
    await liveChannelOf(bot).send(convId, fromBot);
    for (const client of [mia, noah, ada]) {
      expect(await hears(client, fromBot.n, "the bot's courier position")).toMatchObject({
        sender: bot.principal.id,
        senderDevice: bot.deviceId,
        fromTeam: true,
      });
    }
    const fromAgent = update();
    await liveChannelOf(ada).send(convId, fromAgent);
    expect(await hears(noah, fromAgent.n, "the agent's position")).toMatchObject({
      sender: ada.principal.id,
      fromTeam: true,
    });
    expect(
      heard(noah)
        .signals.filter((s) => s.sender === mia.principal.id)
        .every((s) => !s.fromTeam),
    ).toBe(true);
  });

  it("refuses an outsider, a mismatched envelope, oversize and plaintext signals, and a stale epoch", async () => {
    const eve = track(stack.customer("live-eve", { encryption: true }));
    await eve.connect();
    const evesConv = (await eve.openConversation()).id;
    await tap();
    const valid = liveEventsOn(subjects.user(noah.principal.id)).at(-1)?.envelope as Envelope;
    expect(valid.convId).toBe(convId);

    expect(await codeOf(eve.request("signal.live", { convId, envelope: valid }))).toBe("not_found");
    expect(await codeOf(liveChannelOf(eve).send(convId, update()))).toBe("not_found");
    expect(await codeOf(mia.request("signal.live", { convId: evesConv, envelope: valid }))).toBe("bad_request");
    const big = { ...valid, ct: "A".repeat(MAX_LIVE_CIPHERTEXT_CHARS + 1) };
    expect(await codeOf(mia.request("signal.live", { convId, envelope: big }))).toBe("payload_too_large");
    // The SDK refuses to send what the gateway would refuse, before asking.
    const padded = { ...update(), note: "x".repeat(MAX_LIVE_CIPHERTEXT_CHARS) } as LiveLocation;
    expect(await codeOf(liveChannelOf(mia).send(convId, padded))).toBe("payload_too_large");
    const plain = { ...valid, alg: "none" as const, nonce: "", sig: "", ct: "e30" };
    expect(await codeOf(mia.request("signal.live", { convId, envelope: plain }))).toBe("bad_request");
    const stale = { ...valid, epoch: valid.epoch - 1 };
    expect(await codeOf(mia.request("signal.live", { convId, envelope: stale }))).toBe("stale_epoch");
  });

  it("refuses a burst beyond LIVE_SIGNAL_BURST with rate_limited", async () => {
    const zoe = track(stack.customer("live-zoe", { encryption: true }));
    await zoe.connect();
    const own = (await zoe.openConversation()).id;
    const results = await Promise.allSettled(
      Array.from({ length: LIVE_SIGNAL_BURST * 2 }, () => liveChannelOf(zoe).send(own, update())),
    );
    const refused = results.flatMap((r) => (r.status === "rejected" ? [r.reason] : []));
    expect(results.length - refused.length).toBeGreaterThan(0);
    expect(results.length - refused.length).toBeLessThanOrEqual(LIVE_SIGNAL_BURST);
    expect(refused.length).toBeGreaterThanOrEqual(LIVE_SIGNAL_BURST);
    for (const err of refused) {
      expect(err).toBeInstanceOf(ParleyError);
      expect((err as ParleyError).code).toBe("rate_limited");
      expect((err as ParleyError).retryAfter).toBeGreaterThan(0);
    }
  });

  it("a signal's envelope stored as a message is a `live` message and no signal", async () => {
    const sent = update();
    await liveChannelOf(mia).send(convId, sent);
    await hears(noah, sent.n, "Noah");
    await tap();
    const envelope = liveEventsOn(subjects.user(noah.principal.id)).at(-1)?.envelope as Envelope;
    expect(envelope.msgId).toBeDefined();
    const signalsBefore = heard(noah).signals.length;
    // What a gateway could do with a relayed signal: store it in the history.
    const { seq } = await mia.request("msg.send", { convId, envelope });
    const stored = await waitFor(
      () => noah.conversation(convId).value.messages.find((m) => m.seq === seq),
      "Noah to get the replayed message",
    );
    // A `live` body: the timeline shows no row for it (widget message-filters.ts, `keyTransport`).
    expect(stored.body?.type).toBe("live");
    expect(stored.msgId).toBe(envelope.msgId);
    // And it reached no signal handler: the next real signal is the only one after it.
    const next = update();
    await liveChannelOf(mia).send(convId, next);
    await hears(noah, next.n, "Noah");
    expect(
      heard(noah)
        .signals.slice(signalsBefore)
        .map((s) => (s.live as LiveLocation).n),
    ).toEqual([next.n]);
    lastSeq = seq;
    crossed.push(envelope.msgId);
  });

  it("a stored message's envelope relayed as a signal is dropped and reported", async () => {
    const message = await mia.send(convId, "relay me as a signal");
    const [stored] = await stack.gateway.store.since(convId, message.seq - 1, 1);
    expect(stored?.msgId).toBe(message.msgId);
    const signalsBefore = heard(noah).signals.length;
    const errorsBefore = heard(noah).errors.length;
    // The gateway cannot tell a message's envelope from a signal's: it relays it.
    await mia.request("signal.live", { convId, envelope: stored?.envelope as Envelope });
    const error = await waitFor(() => heard(noah).errors[errorsBefore], "Noah to report the relayed message");
    expect(error.message).toContain("live signal");
    expect(error.cause).toBeInstanceOf(DecryptError);
    expect((error.cause as DecryptError).reason).toBe("bad_body");
    expect(heard(noah).signals.length).toBe(signalsBefore);
    lastSeq = message.seq;
    crossed.push(message.msgId);
  });

  it("stores no signal, and its canary coordinate is in no store, log or NATS message", async () => {
    await tap();
    const conv = await stack.gateway.store.getConversation(convId);
    expect(conv?.lastSeq).toBe(lastSeq);
    const stored = await stack.gateway.store.since(convId, 0, 1_000);
    // Of all the signals relayed, only the one the test stored on purpose is in the history.
    const relayed = new Set(liveEvents().map((e) => e.envelope.msgId));
    expect(relayed.size).toBeGreaterThan(5);
    expect(stored.map((m) => m.msgId).filter((id) => relayed.has(id))).toEqual(crossed);
    // The canary crossed the stack: Noah opened it.
    expect(heard(noah).signals.some((s) => String((s.live as LiveLocation).lat).includes(CANARY))).toBe(true);
    const nats = taps.flatMap((t) => t.captured).join("\n");
    expect(liveEventsOn(subjects.user(noah.principal.id)).length).toBeGreaterThan(3);
    expect({
      store: JSON.stringify(stored).includes(CANARY),
      logs: stack.logs().includes(CANARY),
      nats: nats.includes(CANARY),
    }).toEqual({ store: false, logs: false, nats: false });
  });

  it("a member removed (and rotated out) cannot open later signals, even when a lying gateway hands them over", async () => {
    await tap();
    // Mia's last real signal to Noah (not the message envelope relayed as one above).
    const earlier = liveEventsOn(subjects.user(noah.principal.id)).filter(
      (e) => e.principalId === mia.principal.id && !crossed.includes(e.envelope.msgId),
    );
    const old = earlier.at(-1);
    expect(old).toBeDefined();
    await mia.removeMember(convId, noah.principal.id);
    await waitFor(async () => {
      const { commits } = await mia.request("epoch.list", { convId, after: 2 });
      return commits.some((c) => c.reason === "remove");
    }, "Mia's commit removing Noah");
    const after = update();
    await liveChannelOf(mia).send(convId, after);
    await hears(mia2, after.n, "Mia's other device");
    await tap();
    const fresh = liveEventsOn(subjects.user(mia.principal.id))
      .filter((e) => e.principalId === mia.principal.id)
      .at(-1);
    expect(fresh?.envelope.epoch).toBeGreaterThan(old?.envelope.epoch ?? Number.MAX_SAFE_INTEGER);

    // The lying gateway first hands Noah an earlier signal again: under a key he held, he opens it...
    const signalsBefore = heard(noah).signals.length;
    const errorsBefore = heard(noah).errors.length;
    await liar.publish(subjects.user(noah.principal.id), old as ServerEvent);
    await waitFor(() => heard(noah).signals.length > signalsBefore, "Noah to open the replayed earlier signal");
    // ...then the one sealed after his removal: he holds no key for it.
    await liar.publish(subjects.user(noah.principal.id), fresh as ServerEvent);
    const error = await waitFor(() => heard(noah).errors[errorsBefore], "Noah to fail on the signal after removal");
    expect(error.message).toContain("live signal");
    expect(heard(noah).signals.length).toBe(signalsBefore + 1);
    expect(heard(noah).signals.some((s) => (s.live as LiveLocation).n === after.n)).toBe(false);
  });
});

describe("live signals and the member set", () => {
  it("a member who left is rotated out before the next signal is sealed", async () => {
    const ida = listen(track(stack.customer("live-ida", { encryption: true })));
    const lea = track(stack.customer("live-lea", { encryption: true }));
    await ida.connect();
    await lea.connect();
    await lea.updateProfile({ handle: "live_lea" });
    const conv = (await ida.openConversation()).id;
    const invited = new Promise<string>((resolve) => lea.on("invite", (i) => resolve(i.id)));
    await ida.invite(conv, "@live_lea");
    await lea.acceptInvite(await invited);
    const added = await waitFor(async () => {
      const { commits } = await ida.request("epoch.list", { convId: conv, after: 1 });
      return commits.find((c) => c.reason === "add");
    }, "Ida's commit adding Lea");
    // Lea leaves by herself: nobody commits at once (the next seal must).
    await lea.leave(conv);
    await waitFor(
      async () => (await ida.members(conv)).every((m) => m.principalId !== lea.principal.id),
      "Lea to be gone",
    );
    const sent = update();
    await liveChannelOf(ida).send(conv, sent);
    await hears(ada, sent.n, "the agent");
    const { commits } = await ida.request("epoch.list", { convId: conv, after: added.epoch });
    expect(commits.map((c) => [c.reason, c.members.map((m) => m.principalId)])).toEqual([
      ["remove", [ida.principal.id]],
    ]);
    await tap();
    const event = liveEvents(subjects.user(ida.principal.id)).find((e) => e.convId === conv);
    expect(event?.envelope.epoch).toBe(commits[0]?.epoch);
  });
});

describe("live signals with encryption off", () => {
  it("travel in the plaintext envelope; fromTeam is the gateway's word", async () => {
    const customer = listen(track(stack.customer("live-plain")));
    const agent = listen(track(stack.agent()));
    await customer.connect();
    await agent.connect();
    const conv = (await customer.openConversation()).id;
    const mine = update();
    await liveChannelOf(customer).send(conv, mine);
    expect(await hears(agent, mine.n, "the agent")).toMatchObject({ sender: customer.principal.id, fromTeam: false });
    const theirs = update();
    await liveChannelOf(agent).send(conv, theirs);
    expect(await hears(customer, theirs.n, "the customer")).toMatchObject({
      sender: agent.principal.id,
      fromTeam: true,
    });
    await tap();
    const event = liveEventsOn(subjects.user(customer.principal.id)).find((e) => e.convId === conv);
    expect(event?.envelope.alg).toBe("none");
    expect(heard(customer).signals.filter((s) => (s.live as LiveLocation).n === mine.n)).toEqual([]);
  });
});

/** Waits until the wiretaps hold everything published so far. */
async function tap(): Promise<void> {
  for (const t of taps) await t.flush();
}
