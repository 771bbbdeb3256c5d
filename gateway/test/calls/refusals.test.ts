/**
 * Calls refused for their signalling, in real Chromium through the real
 * stack, end-to-end encrypted. A lying gateway (an app-account NATS user
 * publishing on Mia's event subject, as only the gateway may) puts a live
 * signal in front of her ringing call: in plaintext, or a real signed signal
 * of Ada's with one character of its ciphertext changed; either does not
 * verify, and the call ends refused (`unsigned`). A signed offer from a member
 * whose SDP names another fingerprint than the signed one can only come from
 * a member's device: Ada's client sends one through its live channel
 * (`fingerprint_mismatch`). Noah, a member who never joined, offers
 * (`not_participant`).
 */
import { type ServerEvent, subjects } from "@parley/sdk/protocol";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Liar, startLiar, startWiretap, type Wiretap } from "../harness/wiretap.js";
import { type CallsWorld, startCallsWorld } from "./harness.js";
import { invite, load, openConversation, type Person, person, ringing, start, until } from "./people.js";

type LiveEvent = Extract<ServerEvent, { type: "live" }>;

let world: CallsWorld;
let liar: Liar;
let tap: Wiretap;
let mia: Person;
let ada: Person;
let noah: Person;
let convId: string;

const refused = (check: string) => (c: { phase: string; refusal?: { check: string } } | undefined) =>
  c?.phase === "ended" && c.refusal?.check === check;

beforeAll(async () => {
  world = await startCallsWorld();
  liar = await startLiar(world.stack);
  tap = await startWiretap(world.stack, "app");
  [mia, ada, noah] = await Promise.all([
    world.open({ customer: "refusals-mia" }).then(person),
    world.open({ agent: true }).then(person),
    world.open({ customer: "refusals-noah" }).then(person),
  ]);
  convId = await openConversation(mia, "A call, please.");
  await load(ada, convId);
  await invite(mia, convId, noah, "refusals_noah");
}, 120_000);

afterEach(async () => {
  await Promise.all(
    [mia, ada, noah].map((p) =>
      p?.page.evaluate(async () => {
        await window.__rtc.client.calls.hangUp();
        window.__rtc.client.calls.dismiss();
        await window.__rtc.direct?.hangUp();
      }),
    ),
  );
});

afterAll(async () => {
  await Promise.allSettled([liar?.[Symbol.asyncDispose](), tap?.[Symbol.asyncDispose]()]);
  await world?.[Symbol.asyncDispose]();
});

/** A call offer as a member's device makes one: a real SDP, and `fingerprint` as given (or its own). */
function offerFrom(p: Person, o: { callId: string; to: string; forge: boolean }): Promise<void> {
  return p.page.evaluate(
    async ({ convId: conv, callId, to, forge }) => {
      const pc = new RTCPeerConnection();
      pc.addTransceiver("audio");
      await pc.setLocalDescription(await pc.createOffer());
      const sdp = pc.localDescription?.sdp ?? "";
      const line = /a=fingerprint:(\S+ \S+)/.exec(sdp)?.[1] ?? "";
      // Forged: the first hex pair changed, so the signed field names another certificate than the SDP.
      const fingerprint = forge ? line.replace(/ ([0-9A-F]{2})/, (_m, h) => ` ${h === "00" ? "01" : "00"}`) : line;
      await window.__rtc.live.send(conv, { kind: "call", call: callId, op: "offer", to, sdp, fingerprint });
      pc.close();
    },
    { convId, ...o },
  );
}

/** Posts a join for `p`'s device without its engine (the device then offers by hand). */
async function joinByHand(p: Person, callId: string): Promise<void> {
  await p.page.evaluate(
    async ([conv, id]) => {
      const at = Math.round(window.__rtc.client.clock.now());
      await window.__rtc.client.send(conv as string, {
        type: "call-event",
        event: { call: id as string, op: "join", at },
      });
    },
    [convId, callId],
  );
}

/** Posts a leave for `p`'s device (the end of a call joined by hand). */
async function leaveByHand(p: Person, callId: string): Promise<void> {
  await p.page.evaluate(
    async ([conv, id]) => {
      const at = Math.round(window.__rtc.client.clock.now());
      await window.__rtc.client.send(conv as string, {
        type: "call-event",
        event: { call: id as string, op: "leave", at },
      });
    },
    [convId, callId],
  );
}

describe("a lying gateway", () => {
  it("injects a plaintext offer into a ringing call: refused, unsigned", async () => {
    const callId = await start(mia, convId, "video");
    const body = {
      type: "live",
      live: { kind: "call", call: callId, op: "offer", to: mia.deviceId, sdp: "v=0", fingerprint: "sha-256 00" },
    };
    const event: LiveEvent = {
      type: "live",
      convId,
      principalId: ada.principalId,
      envelope: {
        v: 1,
        convId,
        epoch: 1,
        msgId: `m_forged${Date.now()}`,
        senderDevice: ada.deviceId,
        ts: Date.now(),
        alg: "none",
        nonce: "",
        sig: "",
        ct: Buffer.from(JSON.stringify(body)).toString("base64url"),
      },
    } as LiveEvent;
    await liar.publish(subjects.user(mia.principalId), event as ServerEvent);
    const call = await until(mia, refused("unsigned"), "Mia's call refused");
    expect(call).toMatchObject({
      endReason: "refused",
      refusal: { check: "unsigned", sender: ada.principalId },
      localLive: 0,
    });
    expect(await mia.page.evaluate(() => window.__rtc.errors.some((e) => e.includes("refused: unsigned")))).toBe(true);
  });

  it("hands over a real signed signal with a changed byte: refused, unsigned", async () => {
    // A real signal of Ada's to Mia, as the gateway relays it (captured on Mia's subject).
    await ada.page.evaluate(
      (conv) =>
        window.__rtc.live.send(conv, {
          kind: "call",
          call: "m_no_such_call_000",
          op: "media",
          audio: true,
          video: true,
          screen: false,
        }),
      convId,
    );
    const subject = subjects.user(mia.principalId);
    let real: LiveEvent | undefined;
    await expect
      .poll(
        async () => {
          await tap.flush();
          const line = tap.captured.findLast(
            (l) => l.startsWith(`${subject} {"type":"live"`) && l.includes(ada.principalId),
          );
          real = line ? (JSON.parse(line.slice(subject.length + 1)) as LiveEvent) : undefined;
          return real !== undefined;
        },
        { timeout: 10_000 },
      )
      .toBe(true);
    const envelope = (real as LiveEvent).envelope;
    const at = Math.floor(envelope.ct.length / 2);
    const flipped = `${envelope.ct.slice(0, at)}${envelope.ct[at] === "A" ? "B" : "A"}${envelope.ct.slice(at + 1)}`;

    await start(mia, convId, "video");
    await liar.publish(subject, { ...(real as LiveEvent), envelope: { ...envelope, ct: flipped } } as ServerEvent);
    expect(await until(mia, refused("unsigned"), "Mia's call refused")).toMatchObject({
      refusal: { check: "unsigned", sender: ada.principalId },
    });
  });
});

describe("a member's device", () => {
  it("offers with an SDP whose fingerprint is not the signed one: refused, fingerprint_mismatch", async () => {
    const callId = await start(mia, convId, "video");
    await ringing(ada, callId);
    await joinByHand(ada, callId);
    await offerFrom(ada, { callId, to: mia.deviceId, forge: true });
    expect(await until(mia, refused("fingerprint_mismatch"), "Mia's call refused")).toMatchObject({
      refusal: { check: "fingerprint_mismatch", sender: ada.principalId },
      localLive: 0,
    });
    await leaveByHand(ada, callId);
  });

  it("offers without having joined the call: refused, not_participant", async () => {
    const callId = await start(mia, convId, "audio");
    await ringing(noah, callId);
    await offerFrom(noah, { callId, to: mia.deviceId, forge: false });
    expect(await until(mia, refused("not_participant"), "Mia's call refused")).toMatchObject({
      refusal: { check: "not_participant", sender: noah.principalId },
    });
  });
});
