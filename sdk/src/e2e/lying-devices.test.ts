/**
 * A scripted gateway: a real gateway cannot be made to lie; this is the only
 * way to produce these cases. Here it lies about device keys: it serves other
 * keys under a device id the client already pinned.
 */
import { describe, expect, it } from "vitest";
import { openCommitKey } from "../crypto/commits.js";
import { DecryptError } from "../crypto/message-crypto.js";
import { ENVELOPE_VERSION } from "../protocol/envelope.js";
import {
  type Actor,
  actor,
  CONV,
  commitBy,
  conversationInfo,
  forgedRecord,
  LyingGateway,
  openSession,
  rejectionOf,
  skippedReason,
  storedMessage,
} from "./lying-gateway.test-support.js";
import type { E2ESession } from "./session.js";

/** Alice's session has created the conversation with Bob (epoch 1) and read one message from him. */
async function aliceAndBob() {
  const gateway = new LyingGateway();
  const alice = await actor("p_alice");
  const bob: Actor = await actor("p_bob");
  gateway.serveDevice(bob.record);
  gateway.setMembers(CONV, [
    { principalId: alice.principal.id, role: "owner" },
    { principalId: bob.principal.id, role: "member" },
  ]);
  const opened = await openSession(gateway, alice.principal);
  await opened.session.created(conversationInfo());
  const e1 = gateway.head(CONV);
  if (!e1) throw new Error("no epoch 1");
  const key1 = await openCommitKey(e1, bob.identity);
  if (!key1) throw new Error("bob has no wrap in epoch 1");
  const hello = await storedMessage({
    sender: bob.principal.id,
    identity: bob.identity,
    epoch: 1,
    epochKey: key1,
    body: { type: "text", text: "hello" },
  });
  expect(await opened.session.open(hello)).toEqual({ type: "text", text: "hello" });
  return { gateway, alice, bob, key1, ...opened };
}

/** A membership event by someone else: the session checks the member set (devices included) before its next send. */
async function memberSetMayHaveChanged(session: E2ESession, by: string): Promise<void> {
  await session.onEvent({ type: "membership", convId: CONV, principalId: by, change: "joined", by, ts: 1 });
}

describe("a gateway serving other keys for a pinned device", () => {
  it("reports the key change, keeps the pin, and refuses messages signed by the new key", async () => {
    const { gateway, bob, key1, session, changes } = await aliceAndBob();
    const pinned = session.directory.get(bob.principal.id, bob.identity.deviceId);
    const forged = await forgedRecord(bob.principal.id, bob.identity.deviceId);
    gateway.serveDevice(forged.record);
    changes.length = 0;

    // A membership event makes the next send check the member set, so it fetches Bob's devices again.
    await memberSetMayHaveChanged(session, bob.principal.id);
    const { envelope: sent } = await session.seal(
      {
        v: ENVELOPE_VERSION,
        convId: CONV,
        epoch: 0,
        msgId: "m_alice_after_swap_01",
        senderDevice: session.identity.deviceId,
        ts: 1,
      },
      { type: "text", text: "still to the old keys" },
    );

    const flat = changes.flat();
    expect(flat).toHaveLength(1);
    expect(flat[0]).toMatchObject({ principalId: bob.principal.id, firstSight: false, added: [], removed: [] });
    expect(flat[0]?.keyChanged).toEqual([{ deviceId: bob.identity.deviceId, pinned, offered: forged.record }]);
    // Not adopted: the pin is the first record, and no commit was made to the offered keys.
    expect(session.directory.get(bob.principal.id, bob.identity.deviceId)).toEqual(pinned);
    expect(gateway.commits.get(CONV)).toHaveLength(1);
    expect(sent.epoch).toBe(1);

    // A message signed by the offered key (even under the real epoch key) is refused without plaintext.
    const forgedMessage = await storedMessage({
      sender: bob.principal.id,
      identity: forged.identity,
      epoch: 1,
      epochKey: key1,
      body: { type: "text", text: "forged by the gateway" },
    });
    const error = await rejectionOf(session.open(forgedMessage));
    expect(error).toBeInstanceOf(DecryptError);
    expect((error as DecryptError).reason).toBe("bad_signature");
    expect(JSON.stringify(error)).not.toContain("forged by the gateway");
    expect(String((error as Error).message)).not.toContain("forged by the gateway");
  });

  it("skips a commit signed by the offered key (bad_signature) and keeps the head", async () => {
    const { gateway, bob, session, errors } = await aliceAndBob();
    const forged = await forgedRecord(bob.principal.id, bob.identity.deviceId);
    gateway.serveDevice(forged.record);
    const head = gateway.head(CONV);
    const members = [
      { principalId: "p_alice", devices: session.directory.devicesOf("p_alice") },
      { principalId: bob.principal.id, devices: [forged.record] },
    ];
    const lie = await commitBy({ principalId: bob.principal.id, identity: forged.identity }, head, members, {
      reason: "rotate",
    });
    gateway.push(lie.commit);

    const conv = await session.conversation(CONV);
    expect(await skippedReason(errors, conv.onCommit(lie.commit))).toBe("bad_signature");
    expect(conv.epoch).toBe(2); // the skipped commit is the chain's tip, without key or members
    expect(conv.head).toEqual(head);
    expect(conv.keyFor(2)).toBeUndefined();
  });

  it("refuses a message from a device the gateway says is the sender's but pinned under another principal", async () => {
    const { gateway, bob, key1, session } = await aliceAndBob();
    // Mallory's record claims Bob's device id; the gateway says Mallory sent a message Bob's device signed.
    const mallory = await actor("p_mallory");
    const claim = await forgedRecord(mallory.principal.id, bob.identity.deviceId);
    gateway.serveDevice(claim.record);
    const message = await storedMessage({
      sender: mallory.principal.id,
      identity: bob.identity,
      epoch: 1,
      epochKey: key1,
      body: { type: "text", text: "bob's words put in mallory's mouth" },
    });
    const error = await rejectionOf(session.open(message));
    expect(error).toBeInstanceOf(DecryptError);
    expect((error as DecryptError).reason).toBe("unknown_device");
  });

  it("reports a device the gateway adds for a known member (the visible notice of a server lying about keys)", async () => {
    const { gateway, bob, session, changes } = await aliceAndBob();
    const extra = await forgedRecord(bob.principal.id, "d_gateway_made");
    gateway.serveDevice(extra.record);
    changes.length = 0;
    await memberSetMayHaveChanged(session, bob.principal.id);
    await session.seal(
      {
        v: ENVELOPE_VERSION,
        convId: CONV,
        epoch: 0,
        msgId: "m_alice_after_add_001",
        senderDevice: session.identity.deviceId,
        ts: 1,
      },
      { type: "text", text: "x" },
    );
    // TOFU: the new device is pinned and sealed to, but never silently: the change is reported as added.
    expect(changes.flat()).toEqual([
      expect.objectContaining({ principalId: bob.principal.id, firstSight: false, added: [extra.record] }),
    ]);
    expect(gateway.head(CONV)?.members.find((m) => m.principalId === bob.principal.id)?.deviceIds).toContain(
      "d_gateway_made",
    );
  });
});
