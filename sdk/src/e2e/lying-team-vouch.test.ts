/**
 * A scripted gateway: a real gateway cannot be made to lie; this is the only
 * way to produce these cases. Here a gateway colludes with a customer member
 * (Mallory) to pass her messages off as the shop's: it names an agent as their
 * sender and serves her device under that agent's id, and Mallory replays a
 * vouched body of the agent's into a message of her own. Her client is a
 * modified one, so it seals plaintexts the SDK never makes (`sealPlaintext`).
 * Only a valid team vouch makes a message `fromTeam`.
 */
import { describe, expect, it } from "vitest";
import { fromBase64Url, toBase64Url } from "../base64url.js";
import { encodeHeaderAad, messageSignatureInput } from "../crypto/canonical.js";
import { openCommitKey } from "../crypto/commits.js";
import { createDeviceIdentity, type DeviceIdentity, signDeviceRecord } from "../crypto/device-keys.js";
import { E2E_ALG, padPlaintext, sealMessage } from "../crypto/message-crypto.js";
import { randomBytes } from "../crypto/random.js";
import { loadSodium } from "../crypto/sodium.js";
import { createTeamKey } from "../crypto/team-key.js";
import type { TeamSigner } from "../crypto/team-vouch.js";
import { ENVELOPE_VERSION, type Envelope, type EnvelopeHeader, type StoredMessage } from "../protocol/envelope.js";
import type { MessageBody } from "../protocol/message-body.js";
import {
  actor,
  CONV,
  conversationInfo,
  LyingGateway,
  openSession,
  rejectionOf,
  SHOP,
  T0,
} from "./lying-gateway.test-support.js";

const sodium = await loadSodium();
const ORDER: MessageBody = {
  type: "card",
  card: { kind: "order", number: "PX-1001", status: "placed", total: { minor: 2500, currency: "EUR" } },
};
let seq = 0;

function header(identity: DeviceIdentity, msgId = toBase64Url(randomBytes(16))): EnvelopeHeader {
  return { v: ENVELOPE_VERSION, convId: CONV, epoch: 1, msgId, senderDevice: identity.deviceId, ts: T0 };
}

function stored(sender: string, envelope: StoredMessage["envelope"]): StoredMessage {
  seq += 1;
  return { convId: CONV, seq, msgId: envelope.msgId, sender, ts: T0, envelope };
}

/** What a modified client can seal: any plaintext JSON, properly encrypted and signed by its own device. */
async function sealPlaintext(
  h: EnvelopeHeader,
  json: string,
  epochKey: Uint8Array,
  identity: DeviceIdentity,
): Promise<Envelope> {
  const aad = encodeHeaderAad(h, E2E_ALG);
  const nonce = randomBytes(24);
  const padded = padPlaintext(new TextEncoder().encode(json));
  const ct = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(padded, aad, null, nonce, epochKey);
  const sig = sodium.crypto_sign_detached(messageSignatureInput(aad, nonce, ct), identity.sign.secretKey);
  return { ...h, alg: E2E_ALG, nonce: toBase64Url(nonce), ct: toBase64Url(ct), sig: toBase64Url(sig) };
}

/** The plaintext JSON of a sealed envelope (the test holds the epoch key). */
function plaintextOf(envelope: StoredMessage["envelope"], epochKey: Uint8Array): string {
  const aad = encodeHeaderAad(envelope, E2E_ALG);
  const padded = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
    null,
    fromBase64Url(envelope.ct),
    aad,
    fromBase64Url(envelope.nonce),
    epochKey,
  );
  const length = new DataView(padded.buffer, padded.byteOffset).getUint32(0);
  return new TextDecoder().decode(padded.slice(4, 4 + length));
}

/**
 * The shop's admin agent made the team key; a second agent holds it; Alice (a customer) opened the
 * conversation with Mallory, a customer member, in it. The test holds epoch 1's key.
 */
async function shopAndCustomers() {
  const gateway = new LyingGateway();
  const admin = await actor("a_admin", "agent");
  const { secret } = await gateway.makeTeamKey(admin);
  const teamSigner: TeamSigner = { version: 1, signSk: sodium.crypto_sign_seed_keypair(secret.sigSeed).privateKey };
  const agent = await actor("a_agent", "agent");
  gateway.serveDevice(agent.record);
  const mallory = await actor("c_mallory");
  gateway.serveDevice(mallory.record);
  const alice = await actor("c_alice");
  gateway.setMembers(CONV, [
    { principalId: alice.principal.id, role: "owner" },
    { principalId: mallory.principal.id, role: "member" },
    { principalId: agent.principal.id, role: "agent" },
  ]);
  const opened = await openSession(gateway, alice.principal);
  await opened.session.created(conversationInfo());
  const e1 = gateway.head(CONV);
  const key1 = e1 && (await openCommitKey(e1, mallory.identity));
  if (!key1) throw new Error("mallory has no key for epoch 1");
  /** A message of the agent's device, sealed by the SDK with the team key. */
  const fromAgent = async (body: MessageBody) =>
    stored(
      agent.principal.id,
      await sealMessage({
        header: header(agent.identity),
        body,
        epochKey: key1,
        signer: agent.identity.sign.secretKey,
        teamSigner,
      }),
    );
  return { gateway, agent, mallory, key1, teamSigner, fromAgent, ...opened };
}

describe("the team vouch against a lying gateway and a customer member", () => {
  it("marks an agent's vouched text and order card fromTeam, and a plain message of the same agent not", async () => {
    const { session, agent, key1, fromAgent, errors } = await shopAndCustomers();
    for (const body of [{ type: "text", text: "your order is on its way" } as MessageBody, ORDER]) {
      expect(await session.openMessage(await fromAgent(body))).toEqual({ body, fromTeam: true });
    }
    // The agent's device without the team key (not wrapped yet): a message as any other's, no error.
    const unvouched = await sealMessage({
      header: header(agent.identity),
      body: ORDER,
      epochKey: key1,
      signer: agent.identity.sign.secretKey,
    });
    expect(await session.openMessage(stored(agent.principal.id, unvouched))).toEqual({ body: ORDER });
    expect(errors).toEqual([]);
  });

  it("never marks a customer's message, even named as an agent's with her device served under the agent", async () => {
    const { gateway, session, mallory, key1, errors } = await shopAndCustomers();
    // The gateway names a team principal as the sender and serves Mallory's device under it: the device is
    // pinned for Mallory, so the message is refused outright.
    const posingAs = "a_posing_agent";
    gateway.serveDevice(await signDeviceRecord(mallory.identity, posingAs));
    const seal = (identity: DeviceIdentity, teamSigner?: TeamSigner) =>
      sealMessage({
        header: header(identity),
        body: ORDER,
        epochKey: key1,
        signer: identity.sign.secretKey,
        ...(teamSigner ? { teamSigner } : {}),
      });
    expect(await rejectionOf(session.openMessage(stored(posingAs, await seal(mallory.identity))))).toMatchObject({
      reason: "unknown_device",
    });

    // A second device of Mallory's, served only under the agent's id: its message shows, never from the team.
    const second = await createDeviceIdentity();
    gateway.serveDevice(await signDeviceRecord(second, posingAs));
    const opened = await session.openMessage(stored(posingAs, await seal(second)));
    expect(opened).toEqual({ body: ORDER });
    expect(opened.fromTeam).toBeUndefined();

    // Signing a vouch with a key of her own (or a team key record the gateway made up as version 2) does not help.
    const made = await createTeamKey({
      identity: mallory.identity,
      principalId: posingAs,
      shopId: SHOP,
      version: 2,
      now: T0,
    });
    gateway.teamRecords.set(2, made.record);
    const ownKey = { version: 2, signSk: sodium.crypto_sign_seed_keypair(made.secret.sigSeed).privateKey };
    expect(await session.openMessage(stored(posingAs, await seal(second, ownKey)))).toEqual({ body: ORDER });
    const asVersion1 = await seal(second, { ...ownKey, version: 1 });
    expect(await session.openMessage(stored(posingAs, asVersion1))).toEqual({ body: ORDER });
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringContaining("team vouch that does not verify"),
      expect.stringContaining("team vouch that does not verify"),
    ]);
  });

  it("does not mark a vouched body an agent sent that a customer replays, vouch and all, into a new message", async () => {
    const { session, mallory, key1, fromAgent, errors } = await shopAndCustomers();
    const original = await fromAgent(ORDER);
    const plaintext = plaintextOf(original.envelope, key1);
    expect(JSON.parse(plaintext)).toHaveProperty("vouch.v", 1);
    expect(await session.openMessage(original)).toMatchObject({ fromTeam: true });

    const replay = await sealPlaintext(header(mallory.identity), plaintext, key1, mallory.identity);
    expect(await session.openMessage(stored(mallory.principal.id, replay))).toEqual({ body: ORDER });
    expect(errors).toHaveLength(1);
  });

  it("shows a message whose vouch was damaged, not marked, and reports it", async () => {
    const { session, agent, key1, fromAgent, errors } = await shopAndCustomers();
    const original = await fromAgent(ORDER);
    const parsed = JSON.parse(plaintextOf(original.envelope, key1)) as { vouch: { v: number; sig: string } };
    const sig = fromBase64Url(parsed.vouch.sig);
    let tried = 0;
    for (const byte of [0, 17, 31, 32, 63]) {
      for (const bit of [0, 3, 7]) {
        const flipped = sig.slice();
        flipped[byte] = (flipped[byte] ?? 0) ^ (1 << bit);
        const damaged = JSON.stringify({ ...parsed, vouch: { v: 1, sig: toBase64Url(flipped) } });
        const resealed = await sealPlaintext(header(agent.identity), damaged, key1, agent.identity);
        expect(await session.openMessage(stored(agent.principal.id, resealed))).toEqual({ body: ORDER });
        tried++;
      }
    }
    // A vouch of the wrong shape, too.
    const odd = JSON.stringify({ ...parsed, vouch: "from the shop, honest" });
    const resealed = await sealPlaintext(header(agent.identity), odd, key1, agent.identity);
    expect(await session.openMessage(stored(agent.principal.id, resealed))).toEqual({ body: ORDER });
    expect(errors).toHaveLength(tried + 1);
  });

  it("a team device without its team key yet cannot seal (as before vouches); once the key arrives it vouches", async () => {
    const { gateway } = await shopAndCustomers();
    const bot = await actor("b_bot", "bot");
    gateway.setMembers(CONV, [{ principalId: bot.principal.id, role: "bot" }]);
    // No wrap for the bot's device yet: the admin has not sealed the team key to it.
    gateway.lie("team.wrap.get", async (_body, honest) => ({ ...(await honest()), wraps: [] }));
    const { session, errors } = await openSession(gateway, bot.principal);
    expect(session.team.version).toBe(0);
    const h = () => ({ ...header(session.identity), epoch: 0 });
    // Without the team key a team device holds no conversation's keys: refused as it always was, not unvouched.
    expect(await rejectionOf(session.seal(h(), ORDER))).toMatchObject({ reason: "no_team_key" });

    gateway.truth("team.wrap.get");
    await session.team.onTeamEvent("wrapped", session.identity.deviceId);
    expect(session.team.version).toBe(1);
    const after = await session.seal(h(), ORDER);
    expect(after.vouched).toBe(true);
    // The bot reads its own message back (after a reload, say) as vouched.
    expect(await session.openMessage(stored(bot.principal.id, after.envelope))).toEqual({
      body: ORDER,
      fromTeam: true,
    });
    expect(errors).toEqual([]);
  });
});
