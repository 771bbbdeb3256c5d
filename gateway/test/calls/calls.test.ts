/**
 * Calls in real Chromium (fake camera and microphone) through the real stack,
 * end-to-end encrypted: Mia (a customer) calls the shop's agent Ada; Noah, a
 * customer with his own conversation with the shop, is the third. Each is a
 * real SDK client in its own browser context. A video call connects and media
 * flows both ways (getStats: bytes and decoded frames grow); mute and camera
 * off reach the other side; hanging up ends it on both and the history shows
 * an answered call with its duration. Declined, busy and missed calls end as
 * such; a three-party call is a full mesh where each sees two peers with media.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type CallsWorld, startCallsWorld } from "./harness.js";
import {
  accept,
  callOf,
  hangUp,
  inbound,
  invite,
  load,
  openConversation,
  type Person,
  person,
  recordOf,
  ringing,
  start,
  until,
} from "./people.js";

let world: CallsWorld;
let mia: Person;
let ada: Person;
let noah: Person;
let convId: string;
/** Figures for the report, printed at the end. */
const figures: Record<string, unknown> = {};

const ended = (reason: string) => (c: { phase: string; endReason?: string } | undefined) =>
  c?.phase === "ended" && c.endReason === reason;

beforeAll(async () => {
  world = await startCallsWorld();
  [mia, ada, noah] = await Promise.all([
    world.open({ customer: "calls-mia" }).then(person),
    world.open({ agent: true }).then(person),
    world.open({ customer: "calls-noah" }).then(person),
  ]);
  convId = await openConversation(mia, "Could we talk about my order?");
  await load(ada, convId);
}, 120_000);

// A failed case leaves no call behind for the next one.
afterEach(async () => {
  await Promise.all(
    [mia, ada, noah].map(
      (p) =>
        p?.page.isClosed() === false &&
        p.page.evaluate(async () => {
          await window.__rtc.client.calls.hangUp();
          window.__rtc.client.calls.dismiss();
          await window.__rtc.direct?.hangUp();
        }),
    ),
  );
});

afterAll(async () => {
  console.log(`calls figures: ${JSON.stringify(figures)}`);
  for (const p of [mia, ada, noah]) {
    if (p && !p.page.isClosed())
      console.log(
        `errors reported on ${p.principalId}: ${JSON.stringify(await p.page.evaluate(() => window.__rtc.errors))}`,
      );
  }
  await world?.[Symbol.asyncDispose]();
});

describe("a 1:1 video call", () => {
  it("connects, media flows both ways, mute and camera reach the other side, hang up ends it on both", async () => {
    const callId = await start(mia, convId, "video");
    expect((await callOf(mia))?.phase).toBe("ringing");
    await ringing(ada, callId);
    // Accept, then time the first decoded frame on Ada's side.
    const firstFrameMs = await ada.page.evaluate(async (id) => {
      const t0 = performance.now();
      await window.__rtc.client.calls.accept(id);
      while (performance.now() - t0 < 20_000) {
        if ((await window.__rtc.inbound()).framesDecoded > 0) return performance.now() - t0;
        await new Promise((r) => setTimeout(r, 20));
      }
      return -1;
    }, callId);
    expect(firstFrameMs).toBeGreaterThan(0);
    figures.acceptToFirstFrameMs = Math.round(firstFrameMs);
    await until(mia, (c) => c?.phase === "connected" && c.peers[0]?.connection === "connected", "Mia connected");
    await until(ada, (c) => c?.phase === "connected" && c.peers[0]?.connection === "connected", "Ada connected");
    expect((await callOf(mia))?.peers.map((p) => p.principalId)).toEqual([ada.principalId]);
    expect((await callOf(ada))?.peers.map((p) => p.device)).toEqual([mia.deviceId]);

    // Media grows on both sides over 3 s.
    const before = await Promise.all([inbound(mia), inbound(ada)]);
    await new Promise((r) => setTimeout(r, 3_000));
    const after = await Promise.all([inbound(mia), inbound(ada)]);
    for (const i of [0, 1]) {
      const [b, a] = [before[i], after[i]];
      expect(a?.videoBytes).toBeGreaterThan(b?.videoBytes ?? 0);
      expect(a?.audioBytes).toBeGreaterThan(b?.audioBytes ?? 0);
      expect(a?.framesDecoded).toBeGreaterThan(b?.framesDecoded ?? 0);
    }
    const grown = (i: number) => ({
      videoBytes: (after[i]?.videoBytes ?? 0) - (before[i]?.videoBytes ?? 0),
      audioBytes: (after[i]?.audioBytes ?? 0) - (before[i]?.audioBytes ?? 0),
      framesDecoded: (after[i]?.framesDecoded ?? 0) - (before[i]?.framesDecoded ?? 0),
    });
    figures.after3s = { mia: after[0], ada: after[1] };
    figures.in3s = { mia: grown(0), ada: grown(1) };
    await until(ada, (c) => c?.peers[0]?.quality === "good", "Ada to rate the loopback link good");

    // Mute and camera off reach Ada; the camera on again brings frames back.
    await mia.page.evaluate(() => window.__rtc.client.calls.setMuted(true));
    await until(ada, (c) => c?.peers[0]?.audio === false && c.peers[0].video, "Ada to see Mia muted");
    await mia.page.evaluate(() => window.__rtc.client.calls.setCamera(false));
    await until(ada, (c) => c?.peers[0]?.video === false, "Ada to see Mia's camera off");
    expect((await callOf(mia))?.camera).toBe(false);
    await mia.page.evaluate(async () => {
      window.__rtc.client.calls.setMuted(false);
      await window.__rtc.client.calls.setCamera(true);
    });
    await until(ada, (c) => c?.peers[0]?.audio === true && c.peers[0].video, "Ada to see Mia back");
    const frames = (await inbound(ada)).framesDecoded;
    await expect.poll(async () => (await inbound(ada)).framesDecoded, { timeout: 10_000 }).toBeGreaterThan(frames + 10);

    await hangUp(mia);
    expect(await until(mia, ended("hung_up"), "Mia hung up")).toMatchObject({ localLive: 0 });
    expect(await until(ada, ended("ended"), "Ada's call to end")).toMatchObject({ localLive: 0 });
    await expect
      .poll(() => recordOf(mia, convId, callId), { timeout: 10_000 })
      .toMatchObject({
        state: "ended",
        outcome: "answered",
      });
    expect((await recordOf(mia, convId, callId))?.durationMs).toBeGreaterThan(3_000);
  });

  it("screen share and another microphone swap tracks on the senders; the camera comes back when sharing stops", async () => {
    const callId = await start(mia, convId, "video");
    await ringing(ada, callId);
    await accept(ada, callId);
    await until(ada, (c) => c?.phase === "connected" && c.peers[0]?.connection === "connected", "Ada connected");
    /** The label of what Mia's video sender sends (Chromium names its fake screen `screen:…`). */
    const sending = () =>
      mia.page.evaluate(() =>
        window.__rtc.pcs
          .filter((pc) => pc.connectionState !== "closed")
          .map((pc) => pc.getSenders().find((x) => x.track?.kind === "video" || x.track === null)?.track?.label ?? ""),
      );
    expect((await sending())[0]).not.toMatch(/^screen/);
    await mia.page.evaluate(() => window.__rtc.client.calls.shareScreen(true));
    await until(ada, (c) => c?.peers[0]?.screen === true, "Ada to see Mia's screen shared");
    expect((await sending())[0]).toMatch(/^screen/);
    expect((await callOf(mia))?.screen).toBe(true);
    const frames = (await inbound(ada)).framesDecoded;
    await expect.poll(async () => (await inbound(ada)).framesDecoded, { timeout: 10_000 }).toBeGreaterThan(frames + 10);
    // Sharing stopped from the browser's own controls: the track ends (as the browser's "Stop sharing" ends it).
    await mia.page.evaluate(() => {
      const track = window.__rtc.client.calls.current.value?.local
        ?.getVideoTracks()
        .find((t) => t.label.startsWith("screen"));
      track?.dispatchEvent(new Event("ended"));
    });
    await until(ada, (c) => c?.peers[0]?.screen === false && c.peers[0].video, "Ada to see Mia's camera back");
    expect((await sending())[0]).not.toMatch(/^screen/);
    expect((await sending())[0]).not.toBe("");

    // Another microphone, on the same sender (no renegotiation): Ada keeps hearing Mia.
    const microphone = () =>
      mia.page.evaluate(
        () =>
          window.__rtc.pcs
            .find((pc) => pc.connectionState === "connected")
            ?.getSenders()
            .find((x) => x.track?.kind === "audio")?.track?.label,
      );
    const other = await mia.page.evaluate(async () => {
      const inputs = (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === "audioinput");
      return inputs.find((d) => d.label === "Fake Audio Input 2")?.deviceId ?? "";
    });
    expect(other).not.toBe("");
    await mia.page.evaluate((id) => window.__rtc.client.calls.switchDevice("audioinput", id), other);
    expect(await microphone()).toBe("Fake Audio Input 2");
    const heard = (await inbound(ada)).audioBytes;
    await expect.poll(async () => (await inbound(ada)).audioBytes, { timeout: 10_000 }).toBeGreaterThan(heard + 1_000);
    await hangUp(mia);
    await until(ada, ended("ended"), "Ada's call to end");
  });

  it("declined: the caller's call ends as declined", async () => {
    const callId = await start(mia, convId, "video");
    await ringing(ada, callId);
    await ada.page.evaluate((id) => window.__rtc.client.calls.decline(id), callId);
    expect(await until(mia, ended("declined"), "Mia to hear the decline")).toMatchObject({ localLive: 0 });
    await expect.poll(() => recordOf(mia, convId, callId), { timeout: 10_000 }).toMatchObject({ outcome: "declined" });
  });

  it("missed: nobody answers within the ring window, the caller ends as no_answer", async () => {
    // The page's own engine, with the host's test-only ring window: 2 s instead of RING_MS.
    const callId = await start({ ...mia, direct: true }, convId, "audio", 2_000);
    await ringing(ada, callId);
    await until({ ...mia, direct: true }, ended("no_answer"), "Mia's call to go unanswered", 10_000);
    await expect.poll(() => recordOf(ada, convId, callId), { timeout: 10_000 }).toMatchObject({ outcome: "missed" });
    await ada.page.waitForFunction((id) => !window.__rtc.client.calls.incoming.value.some((c) => c.id === id), callId);
  });

  it("busy: Ada, in a call with Noah, answers busy to Mia's call", async () => {
    const noahConv = await openConversation(noah, "Hello, a question about delivery.");
    await load(ada, noahConv);
    const first = await start(noah, noahConv, "audio");
    await ringing(ada, first);
    await accept(ada, first);
    await until(ada, (c) => c?.phase === "connected", "Ada connected with Noah");
    await start(mia, convId, "video");
    expect(await until(mia, ended("busy"), "Mia to hear busy")).toMatchObject({ localLive: 0 });
    expect((await callOf(ada))?.phase).toBe("connected");
    await hangUp(noah);
    await until(ada, ended("ended"), "Ada's call with Noah to end");
  });
});

describe("a group call", () => {
  it("three devices: each sees the two others connected with media", async () => {
    await invite(mia, convId, noah, "calls_noah");

    const callId = await start(mia, convId, "video");
    await ringing(ada, callId);
    await accept(ada, callId);
    await until(mia, (c) => c?.phase === "connected", "Mia and Ada connected");
    await ringing(noah, callId);
    await accept(noah, callId);
    for (const p of [mia, ada, noah]) {
      const call = await until(
        p,
        (c) => c?.peers.length === 2 && c.peers.every((x) => x.connection === "connected"),
        "two connected peers",
      );
      const others = [mia, ada, noah].filter((x) => x !== p).map((x) => x.deviceId);
      expect(call?.peers.map((x) => x.device).sort()).toEqual(others.sort());
    }
    for (const p of [mia, ada, noah]) {
      await expect
        .poll(async () => (await inbound(p)).perConnection.filter((f) => f > 0).length, { timeout: 10_000 })
        .toBe(2);
    }
    figures.group = await Promise.all([mia, ada, noah].map(inbound));
    await hangUp(ada);
    await until(mia, (c) => c?.peers.length === 1, "Mia to see Ada gone");
    await hangUp(noah);
    await until(mia, ended("ended"), "Mia's call to end when the others left");
    await expect.poll(() => recordOf(mia, convId, callId), { timeout: 10_000 }).toMatchObject({ outcome: "answered" });
  });

  it("a device that vanishes is left for by one survivor after DROP_AFTER_MS; the others stay connected", async () => {
    const callId = await start(mia, convId, "audio");
    await ringing(ada, callId);
    await accept(ada, callId);
    await ringing(noah, callId);
    await accept(noah, callId);
    for (const p of [mia, ada]) {
      await until(p, (c) => c?.peers.filter((x) => x.connection === "connected").length === 2, "two connected peers");
    }
    const ignoredOf = () =>
      mia.page.evaluate((conv) => window.__rtc.client.calls.board(conv).value.ignored?.size ?? 0, convId);
    const ignoredBefore = await ignoredOf();
    const t0 = Date.now();
    // Noah's browser goes away without a word (no leave).
    await noah.page.context().close();
    await expect
      .poll(
        () =>
          mia.page.evaluate(
            ([conv, id, device]) =>
              window.__rtc.client.calls
                .board(conv as string)
                .value.calls.get(id as string)
                ?.participants.find((p) => p.device === device)?.dropped === true,
            [convId, callId, noah.deviceId],
          ),
        { timeout: 45_000, interval: 500 },
      )
      .toBe(true);
    figures.dropLeaveAfterMs = Date.now() - t0;
    // One survivor posted it: a second leave for Noah (the same tick on the other) would be ignored on the board.
    await new Promise((r) => setTimeout(r, 3_000));
    expect(await ignoredOf()).toBe(ignoredBefore);
    for (const p of [mia, ada]) {
      const call = await until(p, (c) => c?.peers.length === 1, "one peer left");
      expect(call?.peers[0]?.connection).toBe("connected");
      expect(call?.phase).toBe("connected");
    }
    await hangUp(mia);
    await until(ada, ended("ended"), "Ada's call to end");
  }, 60_000);
});
