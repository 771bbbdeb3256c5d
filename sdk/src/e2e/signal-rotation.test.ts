/**
 * Live signals and the epoch rotation (`E2ESession.sealSignal`): a signal
 * never counts toward the 100-message rotation and never commits for it. A
 * scripted gateway: the real one lets a principal send 5 signals per 5 s, so
 * the 100 signals this takes would need minutes. A changed member set still
 * commits before a signal: gateway/test/live-signals.test.ts, real stack.
 */
import { describe, expect, it } from "vitest";
import { ROTATE_AFTER_MESSAGES } from "../crypto/keyring.js";
import { ENVELOPE_VERSION, type EnvelopeHeader } from "../protocol/envelope.js";
import { randomId } from "../protocol/ids.js";
import { actor, CONV, conversationInfo, LyingGateway, openSession } from "./lying-gateway.test-support.js";
import type { E2ESession } from "./session.js";

const header = (session: E2ESession): EnvelopeHeader => ({
  v: ENVELOPE_VERSION,
  convId: CONV,
  epoch: 0,
  msgId: randomId(),
  senderDevice: session.identity.deviceId,
  ts: Date.now(),
});
const live = { type: "live", live: { kind: "location", share: "m_share", n: 1, lat: 1, lon: 2 } } as const;

async function aliceAndBob() {
  const gateway = new LyingGateway();
  const alice = await actor("p_alice");
  const bob = await actor("p_bob");
  gateway.serveDevice(bob.record);
  gateway.setMembers(CONV, [
    { principalId: alice.principal.id, role: "owner" },
    { principalId: bob.principal.id, role: "member" },
  ]);
  const { session } = await openSession(gateway, alice.principal);
  await session.created(conversationInfo());
  return { gateway, alice, bob, session };
}

describe("sealSignal and the epoch rotation", () => {
  it("never counts a signal toward the message rotation, nor commits for it; messages still rotate", async () => {
    const { gateway, session } = await aliceAndBob();
    for (let i = 0; i <= ROTATE_AFTER_MESSAGES; i++) {
      expect((await session.sealSignal(header(session), live)).epoch).toBe(1);
    }
    expect(gateway.callsOf("epoch.commit")).toHaveLength(1);
    for (let i = 0; i < ROTATE_AFTER_MESSAGES; i++) {
      expect((await session.seal(header(session), { type: "text", text: `m${i}` })).envelope.epoch).toBe(1);
    }
    // The rotation is due now: a signal leaves it to the next message.
    expect((await session.sealSignal(header(session), live)).epoch).toBe(1);
    expect(gateway.callsOf("epoch.commit")).toHaveLength(1);
    expect((await session.seal(header(session), { type: "text", text: "one too many" })).envelope.epoch).toBe(2);
    expect(gateway.callsOf("epoch.commit")).toHaveLength(2);
  });
});
